package kafka

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/zeroalloc/kafka/internal/allocstest"
	"github.com/zeroalloc/kafka/wire"
)

func TestAppendGroupSubscriptionEager(t *testing.T) {
	s := &groupSubscription{Topics: []string{"ab", "c"}, OwnedPartitions: map[string][]int{"ab": {1}}, GenerationID: 4, Rack: "r"}
	got, err := appendGroupSubscription([]byte{0xff}, RackAffinityGroupBalancer{Rack: "z1"}, s)
	if err != nil {
		t.Fatal(err)
	}
	// Version 0: version, topics, user data; nothing after (kafka-go's
	// leader rejects more).
	want := []byte{
		0xff,
		0, 0, // version 0
		0, 0, 0, 2, 0, 2, 'a', 'b', 0, 1, 'c', // topics
		0, 0, 0, 2, 'z', '1', // user data
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}

	got, err = appendGroupSubscription(nil, RangeGroupBalancer{}, s)
	if err != nil {
		t.Fatal(err)
	}
	want = []byte{0, 0, 0, 0, 0, 2, 0, 2, 'a', 'b', 0, 1, 'c', 0xff, 0xff, 0xff, 0xff} // null user data
	if !slices.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
}

// failingBalancer is a GroupBalancer whose UserData fails.
type failingBalancer struct{ RangeGroupBalancer }

var errUserData = errors.New("no user data")

func (failingBalancer) UserData() ([]byte, error) { return nil, errUserData }

func TestAppendGroupSubscriptionUserDataError(t *testing.T) {
	_, err := appendGroupSubscription(nil, failingBalancer{}, &groupSubscription{Topics: []string{"t"}})
	if !errors.Is(err, errUserData) {
		t.Fatalf("err = %v, want errUserData", err)
	}
}

func TestAppendGroupSubscriptionCooperative(t *testing.T) {
	s := &groupSubscription{
		Topics:          []string{"t"},
		OwnedPartitions: map[string][]int{"u": {2, 0}, "t": {1}, "empty": {}},
		GenerationID:    7,
		Rack:            "r1",
	}
	got, err := appendGroupSubscription(nil, CooperativeStickyGroupBalancer{}, s)
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0, 3, // version 3
		0, 0, 0, 1, 0, 1, 't', // topics
		0, 0, 0, 4, 0, 0, 0, 7, // user data: the generation, as Java writes it
		0, 0, 0, 2, // owned: t [1], u [0 2]
		0, 1, 't', 0, 0, 0, 1, 0, 0, 0, 1,
		0, 1, 'u', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2,
		0, 0, 0, 7, // generation
		0, 2, 'r', '1', // rack
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got  % x\nwant % x", got, want)
	}
}

func TestDecodeGroupMembers(t *testing.T) {
	coop, err := appendGroupSubscription(nil, CooperativeStickyGroupBalancer{}, &groupSubscription{
		Topics: []string{"t", "u"}, OwnedPartitions: map[string][]int{"t": {3, 1}}, GenerationID: 9, Rack: "r",
	})
	if err != nil {
		t.Fatal(err)
	}
	eager, err := appendGroupSubscription(nil, RackAffinityGroupBalancer{Rack: "z"}, &groupSubscription{Topics: []string{"t"}})
	if err != nil {
		t.Fatal(err)
	}
	// What kafka-go v0.4.51 sends: version 1 but only version 0's fields.
	kafkaGo := []byte{0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 'x'}

	resp := []wire.JoinGroupResponseMember{
		{MemberId: "coop", GroupInstanceId: wire.NewNullString("static-1"), Metadata: coop},
		{MemberId: "eager", Metadata: eager},
		{MemberId: "kafka-go", Metadata: kafkaGo},
	}
	got, err := decodeGroupMembers(resp)
	if err != nil {
		t.Fatal(err)
	}
	want := []GroupMember{
		{ID: "coop", Topics: []string{"t", "u"}, UserData: []byte{0, 0, 0, 9}, OwnedPartitions: map[string][]int{"t": {1, 3}}, GenerationID: 9, InstanceID: "static-1", Rack: "r"},
		{ID: "eager", Topics: []string{"t"}, UserData: []byte("z"), GenerationID: -1},
		{ID: "kafka-go", Topics: []string{"t"}, UserData: []byte("x"), GenerationID: -1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	// Nothing aliases the response.
	for i := range resp {
		clear(resp[i].Metadata)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded members alias the response: %+v", got)
	}

	for _, bad := range [][]byte{nil, {0}, {0xff, 0xff}, {0, 3, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 0, 0, 0, 0, 5}, append(slices.Clone(kafkaGo), 0)} {
		if _, err := decodeGroupMembers([]wire.JoinGroupResponseMember{{MemberId: "m", Metadata: bad}}); err == nil {
			t.Errorf("% x: decoded without error", bad)
		}
	}
}

func TestGroupAssignmentRoundTrip(t *testing.T) {
	a := map[string][]int{"b": {5, 2}, "a": {0}, "none": nil}
	src := appendGroupAssignment(nil, a, []byte("ud"))
	want := []byte{
		0, 3,
		0, 0, 0, 2,
		0, 1, 'a', 0, 0, 0, 1, 0, 0, 0, 0,
		0, 1, 'b', 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 5,
		0, 0, 0, 2, 'u', 'd',
	}
	if !slices.Equal(src, want) {
		t.Fatalf("got  % x\nwant % x", src, want)
	}
	got, ud, err := decodeGroupAssignment(src)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string][]int{"a": {0}, "b": {2, 5}}) || string(ud) != "ud" {
		t.Fatalf("got %v %q", got, ud)
	}
	clear(src)
	if string(ud) != "ud" {
		t.Fatal("user data aliases the input")
	}

	// A member the leader left out gets empty bytes from the coordinator.
	got, ud, err = decodeGroupAssignment(nil)
	if err != nil || len(got) != 0 || got == nil || ud != nil {
		t.Fatalf("empty: %v %q %v", got, ud, err)
	}
	if _, _, err := decodeGroupAssignment([]byte{0, 0, 0}); err == nil {
		t.Fatal("truncated assignment decoded")
	}
}

// TestGroupProtocolFlow runs the consumer protocol end to end for each
// balancer, without a broker: members encode subscriptions, the leader
// decodes them and assigns, each member decodes its assignment, and for
// the cooperative balancer the members rejoin with what they own until the
// group is settled.
func TestGroupProtocolFlow(t *testing.T) {
	partitions := topicParts(5, "t", "u")
	for _, b := range []GroupBalancer{RangeGroupBalancer{}, RoundRobinGroupBalancer{}, RackAffinityGroupBalancer{Rack: "a"}, CooperativeStickyGroupBalancer{}} {
		owned := map[string]map[string][]int{"m1": nil, "m2": nil}
		generation := int32(-1)
		for round := range 4 {
			if round == 2 {
				owned["m3"] = nil // a member joins
			}
			var resp []wire.JoinGroupResponseMember
			for _, id := range slices.Sorted(maps.Keys(owned)) {
				s := &groupSubscription{Topics: []string{"t", "u"}, GenerationID: generation}
				if isCooperative(b) {
					s.OwnedPartitions = owned[id]
				}
				md, err := appendGroupSubscription(nil, b, s)
				if err != nil {
					t.Fatal(err)
				}
				resp = append(resp, wire.JoinGroupResponseMember{MemberId: id, Metadata: md})
			}
			members, err := decodeGroupMembers(resp)
			if err != nil {
				t.Fatal(err)
			}
			assignments := b.AssignGroups(members, partitions)
			generation++
			total := 0
			for id := range owned {
				got, _, err := decodeGroupAssignment(appendGroupAssignment(nil, assignments[id], nil))
				if err != nil {
					t.Fatal(err)
				}
				if isCooperative(b) && !subset(owned[id], got) && round != 2 {
					t.Fatalf("%s round %d: %s lost partitions without a membership change", b.ProtocolName(), round, id)
				}
				owned[id] = got
				total += countAll(GroupMemberAssignments{id: got})
			}
			// Eager balancers and settled cooperative rounds assign all 10;
			// the round a member joins withholds what moves to it.
			if round != 2 && total != 10 {
				t.Fatalf("%s round %d: %d partitions assigned: %v", b.ProtocolName(), round, total, owned)
			}
			if round == 2 && isCooperative(b) && (total == 10 || len(owned["m3"]) != 0) {
				t.Fatalf("%s round %d: the joiner got partitions at once: %v", b.ProtocolName(), round, owned)
			}
		}
		// Range and rack-affinity balance each topic on its own.
		balanced := b.ProtocolName() == "roundrobin" || isCooperative(b)
		if lo, hi := spread(GroupMemberAssignments(owned), ""); hi-lo > 1 && balanced {
			t.Errorf("%s: final spread %d..%d: %v", b.ProtocolName(), lo, hi, owned)
		}
	}
}

// FuzzGroupProtocolDecode feeds arbitrary bytes to the leader's and the
// members' decoders, as another group member could send them: no panic,
// no allocation beyond allocstest.DecodeLimit, and whatever decodes as a
// subscription can be assigned by every balancer
// (each partition exactly once, counting withheld ones) and whatever decodes
// as an assignment re-encodes to the same partitions.
func FuzzGroupProtocolDecode(f *testing.F) {
	for _, b := range []GroupBalancer{RangeGroupBalancer{}, RackAffinityGroupBalancer{Rack: "r"}, CooperativeStickyGroupBalancer{}} {
		seed, err := appendGroupSubscription(nil, b, &groupSubscription{
			Topics: []string{"t", "u"}, OwnedPartitions: map[string][]int{"t": {0, 2}, "u": {9}}, GenerationID: 3, Rack: "r",
		})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
	}
	f.Add([]byte{0, 1, 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 1, 'x'}) // kafka-go's
	f.Add(appendGroupAssignment(nil, map[string][]int{"t": {0, 1}}, []byte("x")))
	other, err := appendGroupSubscription(nil, CooperativeStickyGroupBalancer{}, &groupSubscription{
		Topics: []string{"t"}, OwnedPartitions: map[string][]int{"t": {0}}, GenerationID: 3,
	})
	if err != nil {
		f.Fatal(err)
	}
	partitions := topicParts(3, "t", "u")
	f.Fuzz(func(t *testing.T, data []byte) {
		in := []wire.JoinGroupResponseMember{{MemberId: "fuzzed", Metadata: data}, {MemberId: "other", Metadata: other}}
		var members []GroupMember
		var err error
		if n := allocstest.Bytes(func() { members, err = decodeGroupMembers(in) }); n > allocstest.DecodeLimit(len(data)+len(other)) {
			t.Fatalf("decoding a subscription of %d bytes allocated %d bytes", len(data), n)
		}
		if err == nil {
			for _, b := range eagerBalancers {
				checkExactlyOnce(t, members, partitions, b.AssignGroups(members, partitions))
			}
			assigned, withheld := assignCooperativeSticky(members, partitions)
			checkExactlyOnce(t, members, partitions, union(assigned, withheld))
		}

		var a map[string][]int
		if n := allocstest.Bytes(func() { a, _, err = decodeGroupAssignment(data) }); n > allocstest.DecodeLimit(len(data)) {
			t.Fatalf("decoding an assignment of %d bytes allocated %d bytes", len(data), n)
		}
		if err != nil {
			return
		}
		again, _, err := decodeGroupAssignment(appendGroupAssignment(nil, a, nil))
		if err != nil || !reflect.DeepEqual(normalizedOne(a), normalizedOne(again)) {
			t.Fatalf("assignment %v re-decoded as %v (%v)", a, again, err)
		}
	})
}
