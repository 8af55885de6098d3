package kafka

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// owning returns m owning owned in generation gen.
func owning(m GroupMember, gen int32, owned map[string][]int) GroupMember {
	m.OwnedPartitions, m.GenerationID = owned, gen
	return m
}

func TestCooperativeStickyGroupBalancer(t *testing.T) {
	tests := []struct {
		name       string
		members    []GroupMember
		partitions []Partition
		want       GroupMemberAssignments
		withheld   GroupMemberAssignments
	}{
		{"empty", nil, nil, GroupMemberAssignments{}, GroupMemberAssignments{}},
		{
			"new group: dealt in turn",
			[]GroupMember{member("C", "t"), member("A", "t"), member("B", "t")},
			topicParts(6, "t"),
			GroupMemberAssignments{"A": {"t": {0, 3}}, "B": {"t": {1, 4}}, "C": {"t": {2, 5}}},
			GroupMemberAssignments{"A": {}, "B": {}, "C": {}},
		},
		{
			// Java's testAddRemoveConsumerOneTopic: consumer1 owns all 3
			// partitions, consumer2 joins; t/2 is revoked from consumer1
			// and given to nobody yet.
			"member joins: the moved partition is only revoked",
			[]GroupMember{owning(member("c1", "t"), 1, map[string][]int{"t": {0, 1, 2}}), member("c2", "t")},
			topicParts(3, "t"),
			GroupMemberAssignments{"c1": {"t": {0, 1}}, "c2": {}},
			GroupMemberAssignments{"c1": {}, "c2": {"t": {2}}},
		},
		{
			"next rebalance: the revoked partition is given",
			[]GroupMember{owning(member("c1", "t"), 2, map[string][]int{"t": {0, 1}}), owning(member("c2", "t"), 2, nil)},
			topicParts(3, "t"),
			GroupMemberAssignments{"c1": {"t": {0, 1}}, "c2": {"t": {2}}},
			GroupMemberAssignments{"c1": {}, "c2": {}},
		},
		{
			"member leaves: the survivor keeps its own and takes the rest",
			[]GroupMember{owning(member("c2", "t"), 2, map[string][]int{"t": {2}})},
			topicParts(3, "t"),
			GroupMemberAssignments{"c2": {"t": {0, 1, 2}}},
			GroupMemberAssignments{"c2": {}},
		},
		{
			// a owns 4 of 6 and b joins with none while c owns 2: a gives
			// up its highest, not c.
			"the most loaded member gives up its highest partitions",
			[]GroupMember{
				owning(member("a", "t"), 5, map[string][]int{"t": {0, 1, 2, 3}}),
				owning(member("c", "t"), 5, map[string][]int{"t": {4, 5}}),
				member("b", "t"),
			},
			topicParts(6, "t"),
			GroupMemberAssignments{"a": {"t": {0, 1}}, "b": {}, "c": {"t": {4, 5}}},
			GroupMemberAssignments{"a": {}, "b": {"t": {2, 3}}, "c": {}},
		},
		{
			// b's claim on t/0 is a generation older than a's: a keeps it
			// and b's stale claim withholds nothing.
			"a later generation wins",
			[]GroupMember{
				owning(member("a", "t"), 4, map[string][]int{"t": {0}}),
				owning(member("b", "t"), 3, map[string][]int{"t": {0, 1}}),
			},
			topicParts(2, "t"),
			GroupMemberAssignments{"a": {"t": {0}}, "b": {"t": {1}}},
			GroupMemberAssignments{"a": {}, "b": {}},
		},
		{
			// a and b both claim t/0 in generation 4: neither keeps it,
			// and whoever gets it must wait until the other revoked it.
			"two claims in one generation void each other",
			[]GroupMember{
				owning(member("a", "t"), 4, map[string][]int{"t": {0, 1}}),
				owning(member("b", "t"), 4, map[string][]int{"t": {0, 2}}),
				owning(member("c", "t"), 4, map[string][]int{"t": {3}}),
			},
			topicParts(4, "t"),
			GroupMemberAssignments{"a": {"t": {1}}, "b": {"t": {2}}, "c": {"t": {3}}},
			GroupMemberAssignments{"a": {"t": {0}}, "b": {}, "c": {}},
		},
		{
			// The topic with one subscriber is placed first: a takes all of
			// x, b all of y.
			"different subscriptions",
			[]GroupMember{member("a", "x", "y"), member("b", "y")},
			topicParts(2, "x", "y"),
			GroupMemberAssignments{"a": {"x": {0, 1}}, "b": {"y": {0, 1}}},
			GroupMemberAssignments{"a": {}, "b": {}},
		},
		{
			// a unsubscribed from x, which only b reads now, but a still
			// owns x/0 and x/1 until it revokes them. The target gives b
			// x/0 and x/1 and, for balance, a y/1 (which b owns): all three
			// are withheld this time.
			"unsubscribed topic: revoked first",
			[]GroupMember{
				owning(member("a", "y"), 1, map[string][]int{"x": {0, 1}, "y": {0}}),
				owning(member("b", "x", "y"), 1, map[string][]int{"y": {1}}),
			},
			topicParts(2, "x", "y"),
			GroupMemberAssignments{"a": {"y": {0}}, "b": {}},
			GroupMemberAssignments{"a": {"y": {1}}, "b": {"x": {0, 1}}},
		},
		{
			"unsubscribed topic: given next time",
			[]GroupMember{
				owning(member("a", "y"), 2, map[string][]int{"y": {0}}),
				owning(member("b", "x", "y"), 2, nil),
			},
			topicParts(2, "x", "y"),
			GroupMemberAssignments{"a": {"y": {0, 1}}, "b": {"x": {0, 1}}},
			GroupMemberAssignments{"a": {}, "b": {}},
		},
		{
			// Subscriptions older than v2 carry the generation in Java's
			// UserData: b's 7 beats a's 6.
			"generation from Java's user data",
			[]GroupMember{
				{ID: "a", Topics: []string{"t"}, GenerationID: -1, UserData: []byte{0, 0, 0, 6}, OwnedPartitions: map[string][]int{"t": {0}}},
				{ID: "b", Topics: []string{"t"}, GenerationID: -1, UserData: []byte{0, 0, 0, 7}, OwnedPartitions: map[string][]int{"t": {0}}},
			},
			topicParts(2, "t"),
			GroupMemberAssignments{"a": {"t": {1}}, "b": {"t": {0}}},
			GroupMemberAssignments{"a": {}, "b": {}},
		},
		{
			"owned partitions of deleted topics and partitions are ignored",
			[]GroupMember{owning(member("a", "t"), 1, map[string][]int{"gone": {0}, "t": {0, 7, 7}})},
			topicParts(2, "t"),
			GroupMemberAssignments{"a": {"t": {0, 1}}},
			GroupMemberAssignments{"a": {}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, withheld := assignCooperativeSticky(tc.members, tc.partitions)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("assigned %v\nwant %v", got, tc.want)
			}
			if !reflect.DeepEqual(withheld, tc.withheld) {
				t.Errorf("withheld %v\nwant %v", withheld, tc.withheld)
			}
			if pub := (CooperativeStickyGroupBalancer{}).AssignGroups(tc.members, tc.partitions); !reflect.DeepEqual(pub, got) {
				t.Errorf("AssignGroups %v differs from %v", pub, got)
			}
		})
	}
}

// stickyGroup is a simulated consumer group using the cooperative sticky
// balancer: members own what the last rebalance gave them.
type stickyGroup struct {
	members    []GroupMember
	partitions []Partition
	generation int32
}

// rebalance runs one rebalance and makes its assignment the members'
// owned partitions, in the next generation, as a consumer would. It
// returns the assignment and the withheld partitions.
func (g *stickyGroup) rebalance() (assigned, withheld GroupMemberAssignments) {
	assigned, withheld = assignCooperativeSticky(g.members, g.partitions)
	g.generation++
	for i := range g.members {
		m := &g.members[i]
		m.OwnedPartitions = maps.Clone(assigned[m.ID])
		m.GenerationID = g.generation
	}
	return assigned, withheld
}

// settle rebalances until nothing is withheld (at most 3 times) and
// returns the final assignment.
func (g *stickyGroup) settle(t *testing.T) GroupMemberAssignments {
	t.Helper()
	for range 3 {
		a, w := g.rebalance()
		if countAll(w) == 0 {
			return a
		}
	}
	t.Fatalf("still withholding after 3 rebalances")
	return nil
}

// countAll counts the partitions in a.
func countAll(a GroupMemberAssignments) int {
	n := 0
	for _, topics := range a {
		for _, ids := range topics {
			n += len(ids)
		}
	}
	return n
}

// union returns a and b merged.
func union(a, b GroupMemberAssignments) GroupMemberAssignments {
	out := make(GroupMemberAssignments)
	for _, x := range []GroupMemberAssignments{a, b} {
		for id, topics := range x {
			if out[id] == nil {
				out[id] = make(map[string][]int)
			}
			for t, ids := range topics {
				out[id][t] = append(out[id][t], ids...)
			}
		}
	}
	return normalized(out)
}

// checkCooperative fails t unless one rebalance of members followed the
// cooperative rules: assigned plus withheld give every partition exactly
// once, the target is balanced (no partition can move to a subscribed
// member with two fewer; counts within one when subscriptions are equal),
// and no member is given a partition another member still owns.
func checkCooperative(t *testing.T, members []GroupMember, partitions []Partition, same bool, assigned, withheld GroupMemberAssignments) {
	t.Helper()
	target := union(assigned, withheld)
	checkExactlyOnce(t, members, partitions, target)
	if same {
		if lo, hi := spread(target, ""); hi-lo > 1 {
			t.Fatalf("spread %d..%d: %v", lo, hi, target)
		}
	}
	_, subs := subscribedPartitions(members, partitions)
	counts := make(map[string]int)
	for id, topics := range target {
		for _, ids := range topics {
			counts[id] += len(ids)
		}
	}
	for id, topics := range target {
		for topic := range topics {
			for other := range subs[topic] {
				if counts[id] > counts[other]+1 {
					t.Fatalf("%s (%d) could give a partition of %s to %s (%d): %v", id, counts[id], topic, other, counts[other], target)
				}
			}
		}
	}
	owner := make(map[string]map[int]string)
	for _, m := range members {
		for topic, ids := range m.OwnedPartitions {
			for _, p := range ids {
				if owner[topic] == nil {
					owner[topic] = make(map[int]string)
				}
				owner[topic][p] = m.ID
			}
		}
	}
	for id, topics := range assigned {
		for topic, ids := range topics {
			for _, p := range ids {
				if o, ok := owner[topic][p]; ok && o != id {
					t.Fatalf("%s/%d given to %s while %s owns it", topic, p, id, o)
				}
			}
		}
	}
	for id, topics := range withheld {
		for topic, ids := range topics {
			for _, p := range ids {
				if o, ok := owner[topic][p]; !ok || o == id {
					t.Fatalf("%s/%d withheld from %s though no other member owns it", topic, p, id)
				}
			}
		}
	}
}

// subset reports whether every partition of a is in b.
func subset(a, b map[string][]int) bool {
	for topic, ids := range a {
		for _, p := range ids {
			if !slices.Contains(b[topic], p) {
				return false
			}
		}
	}
	return true
}

func TestCooperativeStickyProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for i := range 600 {
		same := i%2 == 0
		members, partitions := randomGroup(r, 9, same)
		g := &stickyGroup{members: members, partitions: partitions}

		// A new group: nothing withheld, everything assigned.
		a, w := g.rebalance()
		checkCooperative(t, members, partitions, same, a, w)
		if countAll(w) != 0 {
			t.Fatalf("new group withheld %v", w)
		}
		// Stable: rebalancing again changes nothing.
		if again, w := g.rebalance(); !reflect.DeepEqual(a, again) || countAll(w) != 0 {
			t.Fatalf("unchanged group moved:\n%v\n%v (withheld %v)", a, again, w)
		}

		// Determinism: another order of members, partitions and owned
		// lists gives the same result.
		m2, p2 := shuffledGroup(r, g.members, g.partitions)
		for j := range m2 {
			owned := make(map[string][]int)
			for topic, ids := range m2[j].OwnedPartitions {
				ids = slices.Clone(ids)
				r.Shuffle(len(ids), func(x, y int) { ids[x], ids[y] = ids[y], ids[x] })
				owned[topic] = ids
			}
			m2[j].OwnedPartitions = owned
		}
		a1, w1 := assignCooperativeSticky(g.members, g.partitions)
		a2, w2 := assignCooperativeSticky(m2, p2)
		if !reflect.DeepEqual(a1, a2) || !reflect.DeepEqual(w1, w2) {
			t.Fatalf("input order changed the result:\n%v %v\n%v %v", a1, w1, a2, w2)
		}

		// A member leaves: with equal subscriptions the survivors keep
		// everything they owned and nothing is withheld (the leaver's
		// partitions are free). With different ones, the survivors may
		// have to rebalance among themselves.
		if len(g.members) > 1 {
			k := r.IntN(len(g.members))
			g.members = slices.Delete(slices.Clone(g.members), k, k+1)
			prev := slices.Clone(g.members)
			a, w := g.rebalance()
			checkCooperative(t, prev, g.partitions, same, a, w)
			if same {
				if countAll(w) != 0 {
					t.Fatalf("after a member left, withheld %v", w)
				}
				for _, m := range prev {
					if !subset(m.OwnedPartitions, a[m.ID]) {
						t.Fatalf("survivor %s lost partitions: owned %v, got %v", m.ID, m.OwnedPartitions, a[m.ID])
					}
				}
			}
		}

		// A member joins a settled group: in the first rebalance the
		// others only lose
		// partitions and it gets only partitions nobody owned; the
		// partitions taken from the others are withheld, and the second
		// rebalance gives them to it.
		g.settle(t)
		joiner := GroupMember{ID: fmt.Sprintf("joiner-%x", r.Uint32()), Topics: slices.Clone(g.members[0].Topics)}
		if !same {
			joiner.Topics = joiner.Topics[:r.IntN(len(joiner.Topics)+1)]
		}
		g.members = append(g.members, joiner)
		prev := slices.Clone(g.members)
		a, w = g.rebalance()
		checkCooperative(t, prev, g.partitions, same, a, w)
		for _, m := range prev[:len(prev)-1] {
			if !subset(a[m.ID], m.OwnedPartitions) {
				t.Fatalf("%s gained partitions while a member joined: owned %v, got %v", m.ID, m.OwnedPartitions, a[m.ID])
			}
		}
		if same {
			revoked := 0
			for _, m := range prev[:len(prev)-1] {
				revoked += countAll(GroupMemberAssignments{"": m.OwnedPartitions}) - countAll(GroupMemberAssignments{"": a[m.ID]})
			}
			if got := countAll(GroupMemberAssignments{"": w[joiner.ID]}); got != revoked || countAll(w) != revoked {
				t.Fatalf("revoked %d, withheld %v", revoked, w)
			}
			if len(a[joiner.ID]) != 0 {
				t.Fatalf("joiner got %v at once though nothing was free", a[joiner.ID])
			}
			prev = slices.Clone(g.members)
			a2, w2 := g.rebalance()
			checkCooperative(t, prev, g.partitions, same, a2, w2)
			if countAll(w2) != 0 || !reflect.DeepEqual(normalizedOne(a2[joiner.ID]), normalizedOne(w[joiner.ID])) {
				t.Fatalf("second rebalance gave the joiner %v (withheld %v), want %v", a2[joiner.ID], w2, w[joiner.ID])
			}
			for _, m := range prev[:len(prev)-1] {
				if !reflect.DeepEqual(normalizedOne(a2[m.ID]), normalizedOne(m.OwnedPartitions)) {
					t.Fatalf("second rebalance moved %s: owned %v, got %v", m.ID, m.OwnedPartitions, a2[m.ID])
				}
			}
		}
		// Whatever happened, the group settles with everything assigned.
		final := g.settle(t)
		checkExactlyOnce(t, g.members, g.partitions, final)
		if lo, hi := spread(final, ""); same && hi-lo > 1 {
			t.Fatalf("settled spread %d..%d: %v", lo, hi, final)
		}
	}
}

// normalizedOne is normalized for one member's assignment.
func normalizedOne(a map[string][]int) map[string][]int {
	return normalized(GroupMemberAssignments{"": a})[""]
}

// TestCooperativeStickyRandomClaims gives members random, overlapping,
// stale and bogus owned partitions and generations, and checks the rules
// that must hold whatever the members claim: assigned and withheld give
// every partition once; a member is given a partition another member
// claims only when its own claim is of a strictly later generation than
// every other; what is withheld is claimed by another member; and the
// result does not depend on the order of the inputs.
func TestCooperativeStickyRandomClaims(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 17))
	for range 1500 {
		members, partitions := randomGroup(r, 8, r.IntN(2) == 0)
		for i := range members {
			m := &members[i]
			m.GenerationID = int32(r.IntN(4)) - 1
			m.OwnedPartitions = make(map[string][]int)
			for range r.IntN(12) {
				topic := fmt.Sprintf("topic-%d", r.IntN(6)) // topic-5 never exists
				m.OwnedPartitions[topic] = append(m.OwnedPartitions[topic], r.IntN(30))
			}
		}
		assigned, withheld := assignCooperativeSticky(members, partitions)
		checkExactlyOnce(t, members, partitions, union(assigned, withheld))

		claims := func(m *GroupMember, topic string, p int) bool {
			return slices.Contains(m.OwnedPartitions[topic], p)
		}
		byID := make(map[string]*GroupMember)
		for i := range members {
			byID[members[i].ID] = &members[i]
		}
		for id, topics := range assigned {
			y := byID[id]
			for topic, ids := range topics {
				for _, p := range ids {
					for i := range members {
						x := &members[i]
						if x.ID == id || !claims(x, topic, p) {
							continue
						}
						if !claims(y, topic, p) || stickyGeneration(y) <= stickyGeneration(x) {
							t.Fatalf("%s/%d given to %s (gen %d, claims %v) while %s (gen %d) claims it",
								topic, p, id, y.GenerationID, claims(y, topic, p), x.ID, x.GenerationID)
						}
					}
				}
			}
		}
		for id, topics := range withheld {
			for topic, ids := range topics {
				for _, p := range ids {
					if !slices.ContainsFunc(members, func(x GroupMember) bool { return x.ID != id && claims(&x, topic, p) }) {
						t.Fatalf("%s/%d withheld from %s though no other member claims it", topic, p, id)
					}
				}
			}
		}
		m2, p2 := shuffledGroup(r, members, partitions)
		a2, w2 := assignCooperativeSticky(m2, p2)
		if !reflect.DeepEqual(assigned, a2) || !reflect.DeepEqual(withheld, w2) {
			t.Fatalf("input order changed the result")
		}
	}
}
