package kafka

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// member returns a GroupMember subscribed to topics.
func member(id string, topics ...string) GroupMember {
	return GroupMember{ID: id, Topics: topics}
}

// topicParts returns partitions 0..n-1 of each topic.
func topicParts(n int, topics ...string) []Partition {
	var ps []Partition
	for _, t := range topics {
		for i := range n {
			ps = append(ps, Partition{Topic: t, ID: i})
		}
	}
	return ps
}

// normalized returns a without empty topic lists and with each list sorted,
// so results that differ only in those respects compare equal. Members
// with nothing keep an empty map.
func normalized(a GroupMemberAssignments) GroupMemberAssignments {
	out := make(GroupMemberAssignments, len(a))
	for id, topics := range a {
		m := make(map[string][]int)
		for t, ids := range topics {
			if len(ids) > 0 {
				m[t] = slices.Sorted(slices.Values(ids))
			}
		}
		out[id] = m
	}
	return out
}

// kafka-go v0.4.51's signatures: this stops compiling if one changes.
var (
	_ GroupBalancer                                                                      = RangeGroupBalancer{}
	_ GroupBalancer                                                                      = RoundRobinGroupBalancer{}
	_ GroupBalancer                                                                      = RackAffinityGroupBalancer{}
	_ GroupBalancer                                                                      = CooperativeStickyGroupBalancer{}
	_ func(RangeGroupBalancer, []GroupMember, []Partition) GroupMemberAssignments        = RangeGroupBalancer.AssignGroups
	_ func(RoundRobinGroupBalancer, []GroupMember, []Partition) GroupMemberAssignments   = RoundRobinGroupBalancer.AssignGroups
	_ func(RackAffinityGroupBalancer, []GroupMember, []Partition) GroupMemberAssignments = RackAffinityGroupBalancer.AssignGroups
	_ func(RackAffinityGroupBalancer) ([]byte, error)                                    = RackAffinityGroupBalancer.UserData
	_ func(RangeGroupBalancer) string                                                    = RangeGroupBalancer.ProtocolName
	_                                                                                    = GroupMember{ID: "", Topics: []string(nil), UserData: []byte(nil)}
	_ map[string]map[string][]int                                                        = GroupMemberAssignments(nil)
)

// eagerBalancers are the balancers without owned-partition semantics.
var eagerBalancers = []GroupBalancer{RangeGroupBalancer{}, RoundRobinGroupBalancer{}, RackAffinityGroupBalancer{}}

func TestGroupBalancerNames(t *testing.T) {
	for _, tc := range []struct {
		b           GroupBalancer
		name        string
		userData    []byte
		cooperative bool
	}{
		{RangeGroupBalancer{}, "range", nil, false},
		{RoundRobinGroupBalancer{}, "roundrobin", nil, false},
		{RackAffinityGroupBalancer{Rack: "eu-1a"}, "rack-affinity", []byte("eu-1a"), false},
		{CooperativeStickyGroupBalancer{}, "cooperative-sticky", nil, true},
		{&CooperativeStickyGroupBalancer{}, "cooperative-sticky", nil, true},
		{&RangeGroupBalancer{}, "range", nil, false},
	} {
		if got := tc.b.ProtocolName(); got != tc.name {
			t.Errorf("%T: ProtocolName() = %q, want %q", tc.b, got, tc.name)
		}
		ud, err := tc.b.UserData()
		if err != nil || !slices.Equal(ud, tc.userData) {
			t.Errorf("%T: UserData() = %q, %v; want %q", tc.b, ud, err, tc.userData)
		}
		if got := isCooperative(tc.b); got != tc.cooperative {
			t.Errorf("isCooperative(%T) = %v, want %v", tc.b, got, tc.cooperative)
		}
	}
}

// assignCase is one table test of a balancer: members and partitions in,
// the assignment wanted out.
type assignCase struct {
	name       string
	members    []GroupMember
	partitions []Partition
	want       GroupMemberAssignments
}

// runAssignCases runs the table tests cases against b.
func runAssignCases(t *testing.T, b GroupBalancer, cases []assignCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := b.AssignGroups(tc.members, tc.partitions)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v\nwant %v", got, tc.want)
			}
		})
	}
}

// The expected results are the examples of Java's RangeAssignor and
// RoundRobinAssignor documentation (static members included) and of
// kafka-go's doc comments.
func TestRangeGroupBalancer(t *testing.T) {
	runAssignCases(t, RangeGroupBalancer{}, []assignCase{
		{"empty", nil, nil, GroupMemberAssignments{}},
		{
			"kafka-go doc: 5 partitions, 2 members",
			[]GroupMember{member("C1", "t"), member("C0", "t")},
			topicParts(5, "t"),
			GroupMemberAssignments{"C0": {"t": {0, 1, 2}}, "C1": {"t": {3, 4}}},
		},
		{
			"kafka-go doc: 6 partitions, 3 members",
			[]GroupMember{member("C0", "t"), member("C1", "t"), member("C2", "t")},
			topicParts(6, "t"),
			GroupMemberAssignments{"C0": {"t": {0, 1}}, "C1": {"t": {2, 3}}, "C2": {"t": {4, 5}}},
		},
		{
			"Java doc: 2 members, 2 topics of 3",
			[]GroupMember{member("C0", "t0", "t1"), member("C1", "t0", "t1")},
			topicParts(3, "t0", "t1"),
			GroupMemberAssignments{"C0": {"t0": {0, 1}, "t1": {0, 1}}, "C1": {"t0": {2}, "t1": {2}}},
		},
		{
			"Java doc: static members keep their ranges across new member ids",
			[]GroupMember{
				{ID: "C2", Topics: []string{"t0", "t1"}, InstanceID: "I1"},
				{ID: "C3", Topics: []string{"t0", "t1"}, InstanceID: "I0"},
			},
			topicParts(3, "t0", "t1"),
			GroupMemberAssignments{"C3": {"t0": {0, 1}, "t1": {0, 1}}, "C2": {"t0": {2}, "t1": {2}}},
		},
		{
			"static members before dynamic ones",
			[]GroupMember{member("A", "t"), {ID: "Z", Topics: []string{"t"}, InstanceID: "I"}},
			topicParts(3, "t"),
			GroupMemberAssignments{"Z": {"t": {0, 1}}, "A": {"t": {2}}},
		},
		{
			"more members than partitions; unknown topic; member of nothing",
			[]GroupMember{member("a", "t", "missing"), member("b", "t"), member("c", "t"), member("d")},
			topicParts(2, "t"),
			GroupMemberAssignments{"a": {"t": {0}}, "b": {"t": {1}}, "c": {}, "d": {}},
		},
		{
			"different subscriptions, partitions unsorted with duplicates",
			[]GroupMember{member("a", "x"), member("b", "x", "y", "y")},
			[]Partition{{Topic: "y", ID: 1}, {Topic: "x", ID: 2}, {Topic: "x", ID: 0}, {Topic: "y", ID: 0}, {Topic: "x", ID: 1}, {Topic: "x", ID: 0}, {Topic: "z", ID: 0}},
			GroupMemberAssignments{"a": {"x": {0, 1}}, "b": {"x": {2}, "y": {0, 1}}},
		},
	})
}

func TestRoundRobinGroupBalancer(t *testing.T) {
	runAssignCases(t, RoundRobinGroupBalancer{}, []assignCase{
		{"empty", nil, nil, GroupMemberAssignments{}},
		{
			"kafka-go doc: 5 partitions, 2 members",
			[]GroupMember{member("C1", "t"), member("C0", "t")},
			topicParts(5, "t"),
			GroupMemberAssignments{"C0": {"t": {0, 2, 4}}, "C1": {"t": {1, 3}}},
		},
		{
			"kafka-go doc: 6 partitions, 3 members",
			[]GroupMember{member("C2", "t"), member("C0", "t"), member("C1", "t")},
			topicParts(6, "t"),
			GroupMemberAssignments{"C0": {"t": {0, 3}}, "C1": {"t": {1, 4}}, "C2": {"t": {2, 5}}},
		},
		{
			"Java doc: 2 members, 2 topics of 3",
			[]GroupMember{member("C0", "t0", "t1"), member("C1", "t0", "t1")},
			topicParts(3, "t0", "t1"),
			GroupMemberAssignments{"C0": {"t0": {0, 2}, "t1": {1}}, "C1": {"t0": {1}, "t1": {0, 2}}},
		},
		{
			"Java doc: different subscriptions",
			[]GroupMember{member("C0", "t0"), member("C1", "t0", "t1"), member("C2", "t0", "t1", "t2")},
			append(append(topicParts(1, "t0"), topicParts(2, "t1")...), topicParts(3, "t2")...),
			GroupMemberAssignments{"C0": {"t0": {0}}, "C1": {"t1": {0}}, "C2": {"t1": {1}, "t2": {0, 1, 2}}},
		},
		{
			"Java doc: 3 dynamic members",
			[]GroupMember{member("C0", "t0", "t1"), member("C1", "t0", "t1"), member("C2", "t0", "t1")},
			topicParts(3, "t0", "t1"),
			GroupMemberAssignments{"C0": {"t0": {0}, "t1": {0}}, "C1": {"t0": {1}, "t1": {1}}, "C2": {"t0": {2}, "t1": {2}}},
		},
		{
			"Java doc: after a rolling bounce, dynamic members are reshuffled",
			[]GroupMember{member("C5", "t0", "t1"), member("C3", "t0", "t1"), member("C4", "t0", "t1")},
			topicParts(3, "t0", "t1"),
			GroupMemberAssignments{"C3": {"t0": {0}, "t1": {0}}, "C4": {"t0": {1}, "t1": {1}}, "C5": {"t0": {2}, "t1": {2}}},
		},
		{
			"Java doc: after a rolling bounce, static members are not",
			[]GroupMember{
				{ID: "C5", Topics: []string{"t0", "t1"}, InstanceID: "I0"},
				{ID: "C3", Topics: []string{"t0", "t1"}, InstanceID: "I1"},
				{ID: "C4", Topics: []string{"t0", "t1"}, InstanceID: "I2"},
			},
			topicParts(3, "t0", "t1"),
			GroupMemberAssignments{"C5": {"t0": {0}, "t1": {0}}, "C3": {"t0": {1}, "t1": {1}}, "C4": {"t0": {2}, "t1": {2}}},
		},
		{
			"member of nothing, unknown topic",
			[]GroupMember{member("a", "t", "missing"), member("b")},
			topicParts(3, "t"),
			GroupMemberAssignments{"a": {"t": {0, 1, 2}}, "b": {}},
		},
	})
}

// rackParts returns partitions 0..len(racks)-1 of topic, partition i led by
// a broker in racks[i].
func rackParts(topic string, racks ...string) []Partition {
	ps := make([]Partition, len(racks))
	for i, r := range racks {
		ps[i] = Partition{Topic: topic, ID: i, Leader: Broker{ID: i, Rack: r}}
	}
	return ps
}

// rackMember returns a member of rack-affinity subscribed to topics.
func rackMember(id, rack string, topics ...string) GroupMember {
	return GroupMember{ID: id, Topics: topics, UserData: []byte(rack)}
}

// The expected results follow the algorithm by hand (see the comments).
func TestRackAffinityGroupBalancer(t *testing.T) {
	runAssignCases(t, RackAffinityGroupBalancer{}, []assignCase{
		{"empty", nil, nil, GroupMemberAssignments{}},
		{
			// One member per rack, two partitions led in each.
			"each rack reads its own",
			[]GroupMember{rackMember("m2", "b", "t"), rackMember("m1", "a", "t")},
			rackParts("t", "b", "a", "b", "a"),
			GroupMemberAssignments{"m1": {"t": {1, 3}}, "m2": {"t": {0, 2}}},
		},
		{
			// Target 2: m1 takes 2 in rack a, m2 (rack b leads nothing)
			// takes the 2 left over.
			"balance before affinity",
			[]GroupMember{rackMember("m1", "a", "t"), rackMember("m2", "b", "t")},
			rackParts("t", "a", "a", "a", "a"),
			GroupMemberAssignments{"m1": {"t": {0, 1}}, "m2": {"t": {2, 3}}},
		},
		{
			// Target 2, remainder 1: rack a (lowest partition) comes first
			// and its member takes the remainder in its rack.
			"remainder in rack",
			[]GroupMember{rackMember("m1", "a", "t"), rackMember("m2", "b", "t")},
			rackParts("t", "a", "a", "a", "b", "b"),
			GroupMemberAssignments{"m1": {"t": {0, 1, 2}}, "m2": {"t": {3, 4}}},
		},
		{
			// Target 1: m1 and m3 take one each in rack a, m2 (rack c)
			// takes the one left.
			"member in a rack without leaders",
			[]GroupMember{rackMember("m3", "a", "t"), rackMember("m1", "a", "t"), rackMember("m2", "c", "t")},
			rackParts("t", "a", "a", "a"),
			GroupMemberAssignments{"m1": {"t": {0}}, "m2": {"t": {2}}, "m3": {"t": {1}}},
		},
		{
			// Topics are separate: m2 alone reads u.
			"two topics",
			[]GroupMember{rackMember("m1", "a", "t"), rackMember("m2", "a", "t", "u")},
			append(rackParts("t", "a", "a"), rackParts("u", "b")...),
			GroupMemberAssignments{"m1": {"t": {0}}, "m2": {"t": {1}, "u": {0}}},
		},
	})
}

// randomGroup returns a random group: up to maxMembers members with random
// ids, subscribed to random subsets of up to 5 topics (all to the same ones
// when same is set), and the topics' partitions (up to 24 each, some topics
// possibly without any) led in up to 3 racks, in random order.
func randomGroup(r *rand.Rand, maxMembers int, same bool) ([]GroupMember, []Partition) {
	nTopics := 1 + r.IntN(5)
	topics := make([]string, nTopics)
	var partitions []Partition
	for i := range topics {
		topics[i] = fmt.Sprintf("topic-%d", i)
		for p := range r.IntN(25) {
			partitions = append(partitions, Partition{Topic: topics[i], ID: p, Leader: Broker{Rack: fmt.Sprint("rack-", r.IntN(3))}})
		}
	}
	r.Shuffle(len(partitions), func(i, j int) { partitions[i], partitions[j] = partitions[j], partitions[i] })
	members := make([]GroupMember, 1+r.IntN(maxMembers))
	for i := range members {
		m := &members[i]
		m.ID = fmt.Sprintf("member-%d-%x", i, r.Uint32())
		m.UserData = fmt.Appendf(nil, "rack-%d", r.IntN(4))
		for _, t := range topics {
			if same || r.IntN(2) == 0 {
				m.Topics = append(m.Topics, t)
			}
		}
	}
	return members, partitions
}

// subscribedPartitions returns, for members and partitions, every
// partition of a subscribed topic once, and who subscribes to each topic.
func subscribedPartitions(members []GroupMember, partitions []Partition) (map[string][]int, map[string]map[string]bool) {
	subs := make(map[string]map[string]bool)
	for _, m := range members {
		for _, t := range m.Topics {
			if subs[t] == nil {
				subs[t] = make(map[string]bool)
			}
			subs[t][m.ID] = true
		}
	}
	all := make(map[string][]int)
	for _, p := range partitions {
		if subs[p.Topic] != nil && !slices.Contains(all[p.Topic], p.ID) {
			all[p.Topic] = append(all[p.Topic], p.ID)
		}
	}
	return all, subs
}

// checkExactlyOnce fails t unless a gives every subscribed partition to
// exactly one subscribed member and has an entry for every member.
func checkExactlyOnce(t *testing.T, members []GroupMember, partitions []Partition, a GroupMemberAssignments) {
	t.Helper()
	all, subs := subscribedPartitions(members, partitions)
	seen := make(map[string]map[int]string)
	for id, topics := range a {
		for topic, ids := range topics {
			for _, p := range ids {
				if !subs[topic][id] {
					t.Fatalf("%s got %s/%d without subscribing to it", id, topic, p)
				}
				if seen[topic] == nil {
					seen[topic] = make(map[int]string)
				}
				if other, dup := seen[topic][p]; dup {
					t.Fatalf("%s/%d given to both %s and %s", topic, p, other, id)
				}
				seen[topic][p] = id
			}
		}
	}
	for topic, ids := range all {
		for _, p := range ids {
			if _, ok := seen[topic][p]; !ok {
				t.Fatalf("%s/%d given to nobody", topic, p)
			}
		}
	}
	for topic := range seen {
		if len(seen[topic]) != len(all[topic]) {
			t.Fatalf("topic %s: %d partitions given, %d exist", topic, len(seen[topic]), len(all[topic]))
		}
	}
	for _, m := range members {
		if _, ok := a[m.ID]; !ok {
			t.Fatalf("no entry for member %s", m.ID)
		}
	}
}

// spread returns the lowest and highest number of partitions a member has,
// counting the topics in only (all topics when only is "").
func spread(a GroupMemberAssignments, only string) (lo, hi int) {
	lo = -1
	for _, topics := range a {
		n := 0
		for topic, ids := range topics {
			if only == "" || topic == only {
				n += len(ids)
			}
		}
		if lo < 0 || n < lo {
			lo = n
		}
		hi = max(hi, n)
	}
	return lo, hi
}

// shuffledGroup returns copies of members and partitions in another order.
func shuffledGroup(r *rand.Rand, members []GroupMember, partitions []Partition) ([]GroupMember, []Partition) {
	m, p := slices.Clone(members), slices.Clone(partitions)
	r.Shuffle(len(m), func(i, j int) { m[i], m[j] = m[j], m[i] })
	r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
	return m, p
}

func TestEagerGroupBalancersProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for i := range 2000 {
		same := i%2 == 0
		members, partitions := randomGroup(r, 12, same)
		for _, b := range eagerBalancers {
			a := b.AssignGroups(members, partitions)
			checkExactlyOnce(t, members, partitions, a)

			m2, p2 := shuffledGroup(r, members, partitions)
			if again := b.AssignGroups(m2, p2); !reflect.DeepEqual(a, again) {
				t.Fatalf("%s: the order of the inputs changed the result:\n%v\n%v", b.ProtocolName(), a, again)
			}

			// Each balancer is balanced per topic among the topic's
			// subscribers; round-robin over all topics when all members
			// subscribe to the same ones.
			if same {
				all, _ := subscribedPartitions(members, partitions)
				for topic := range all {
					if lo, hi := spread(a, topic); hi-lo > 1 {
						t.Fatalf("%s: topic %s spread %d..%d: %v", b.ProtocolName(), topic, lo, hi, a)
					}
				}
				if _, ok := b.(RoundRobinGroupBalancer); ok {
					if lo, hi := spread(a, ""); hi-lo > 1 {
						t.Fatalf("roundrobin: spread %d..%d: %v", lo, hi, a)
					}
				}
			}
		}
	}
}

// TestRangeGroupBalancerFormula checks each range against Java's formula:
// with n partitions and c members, member i gets n/c partitions, plus one
// when i < n%c, starting right after member i-1's.
func TestRangeGroupBalancerFormula(t *testing.T) {
	for c := 1; c <= 9; c++ {
		for n := range 30 {
			members := make([]GroupMember, c)
			for i := range members {
				members[i] = member(fmt.Sprintf("m%d", i), "t")
			}
			a := RangeGroupBalancer{}.AssignGroups(members, topicParts(n, "t"))
			next := 0
			for i := range c {
				want := n / c
				if i < n%c {
					want++
				}
				got := a[fmt.Sprintf("m%d", i)]["t"]
				if len(got) != want || want > 0 && (got[0] != next || got[len(got)-1] != next+want-1) {
					t.Fatalf("n=%d c=%d: member %d got %v, want %d from %d", n, c, i, got, want, next)
				}
				next += want
			}
		}
	}
}

// TestGroupBalancerResultsOwned checks that appending to one member's list
// cannot change another's (Range hands out sub-slices of one array).
func TestGroupBalancerResultsOwned(t *testing.T) {
	members := []GroupMember{member("a", "t"), member("b", "t")}
	for _, b := range append(slices.Clone(eagerBalancers), CooperativeStickyGroupBalancer{}) {
		a := b.AssignGroups(members, topicParts(4, "t"))
		before := slices.Clone(a["b"]["t"])
		_ = append(a["a"]["t"], 99)
		if !slices.Equal(a["b"]["t"], before) {
			t.Errorf("%s: appending to a's list changed b's: %v", b.ProtocolName(), a["b"]["t"])
		}
		if !slices.Equal(slices.Sorted(maps.Keys(a)), []string{"a", "b"}) {
			t.Errorf("%s: members %v", b.ProtocolName(), a)
		}
	}
}
