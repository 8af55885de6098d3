package kafka

import (
	"cmp"
	"maps"
	"slices"
)

// GroupMember is one member of a consumer group as the group leader sees it
// when it assigns partitions: what the member subscribed to and, for
// cooperative balancers, what it owns. The first three fields are
// kafka-go's; the others come from newer versions of the consumer protocol.
type GroupMember struct {
	// ID is the member id the coordinator gave the member (JoinGroup).
	ID string

	// Topics lists the topics the member subscribed to.
	Topics []string

	// UserData is the opaque data the member's balancer put in its
	// subscription (GroupBalancer.UserData). Balancers read it and must not
	// modify or retain it.
	UserData []byte

	// OwnedPartitions maps topics to the partitions the member owned when it
	// joined (consumer protocol Subscription v1+). Only cooperative
	// balancers use it: an eager member gives up everything before it
	// joins. Balancers must not modify it.
	OwnedPartitions map[string][]int

	// GenerationID is the group generation OwnedPartitions were assigned
	// in (Subscription v2+). Decoded subscriptions without one carry -1;
	// the zero value is generation 0.
	GenerationID int32

	// InstanceID is the member's group.instance.id when it is a static
	// member, or "". Range and round-robin order static members first, by
	// instance id, as Java does, so their assignment survives restarts.
	InstanceID string

	// Rack is the member's rack (Subscription v3+), or "". No balancer
	// here uses it yet (RackAffinityGroupBalancer reads UserData, as in
	// kafka-go).
	Rack string
}

// GroupMemberAssignments maps member ids to topics to the partitions
// assigned.
type GroupMemberAssignments map[string]map[string][]int

// GroupBalancer computes, in the group leader, which member of a consumer
// group reads which partitions. A Reader offers all its balancers in
// JoinGroup under their protocol names; the coordinator picks one that
// every member offers, and the leader runs that one.
type GroupBalancer interface {
	// ProtocolName is the name the balancer is offered under; every member
	// that offers it must mean the same algorithm by it.
	ProtocolName() string

	// UserData returns the opaque data this member sends the leader in its
	// subscription, or nil. The leader sees it in GroupMember.UserData.
	UserData() ([]byte, error)

	// AssignGroups returns the partitions each member reads, chosen among
	// partitions (every partition of the topics the members subscribed
	// to). It must not modify members or partitions.
	AssignGroups(members []GroupMember, partitions []Partition) GroupMemberAssignments
}

// RangeGroupBalancer assigns each topic separately, as Java's RangeAssignor
// does: the topic's partitions in ascending order are cut into consecutive
// ranges, one per subscribed member in member order (static members first
// by instance id, then member ids in ascending order); when the division
// leaves a remainder the first members get one partition more.
//
// Example: 5 partitions, 2 members
//
//	C0: [0, 1, 2]
//	C1: [3, 4]
//
// Example: 2 members, topics t0 and t1 with 3 partitions each
//
//	C0: t0 [0, 1], t1 [0, 1]
//	C1: t0 [2],    t1 [2]
//
// This is the result kafka-go documents; kafka-go v0.4.51's code gives the
// extra partitions to the last members instead (C0: [0, 1], C1: [2, 3, 4]),
// and takes the partitions in the order the metadata listed them.
type RangeGroupBalancer struct{}

// ProtocolName returns "range".
func (RangeGroupBalancer) ProtocolName() string { return "range" }

// UserData returns nil.
func (RangeGroupBalancer) UserData() ([]byte, error) { return nil, nil }

// AssignGroups assigns each topic's partitions in ranges; see
// RangeGroupBalancer. Every member has an entry, empty when it gets
// nothing; a topic appears only where a member gets some of it.
func (RangeGroupBalancer) AssignGroups(members []GroupMember, partitions []Partition) GroupMemberAssignments {
	g := newGroupLayout(members, partitions, compareMembersJava)
	out := g.assignments
	for _, topic := range g.topics {
		ids, subs := g.partitions[topic], g.subscribers[topic]
		per, extra := len(ids)/len(subs), len(ids)%len(subs)
		start := 0
		for i, m := range subs {
			n := per
			if i < extra {
				n++
			}
			if n > 0 {
				// Full slice expressions, so a caller appending to one
				// member's list cannot overwrite the next member's.
				out[g.members[m].ID][topic] = ids[start : start+n : start+n]
			}
			start += n
		}
	}
	return out
}

// RoundRobinGroupBalancer deals partitions to members one at a time, as
// Java's RoundRobinAssignor does: all partitions of all subscribed topics,
// sorted by topic name then partition, go in turn to the members in member
// order (static members first by instance id, then member ids in ascending
// order), skipping a member that did not subscribe to the partition's
// topic. When all members subscribe to the same topics their counts differ
// by at most one.
//
// Example: 5 partitions, 2 members
//
//	C0: [0, 2, 4]
//	C1: [1, 3]
//
// Example: 2 members, topics t0 and t1 with 3 partitions each
//
//	C0: t0 [0, 2], t1 [1]
//	C1: t0 [1],    t1 [0, 2]
//
// For one topic this is kafka-go's result. kafka-go v0.4.51 deals each
// topic separately, always starting with the first member, so with several
// topics it can give the first members up to one partition more per topic
// (C0: t0 [0, 2], t1 [0, 2] and C1: t0 [1], t1 [1] above).
type RoundRobinGroupBalancer struct{}

// ProtocolName returns "roundrobin".
func (RoundRobinGroupBalancer) ProtocolName() string { return "roundrobin" }

// UserData returns nil.
func (RoundRobinGroupBalancer) UserData() ([]byte, error) { return nil, nil }

// AssignGroups deals the partitions round-robin; see
// RoundRobinGroupBalancer. Every member has an entry, empty when it gets
// nothing; a topic appears only where a member gets some of it.
func (RoundRobinGroupBalancer) AssignGroups(members []GroupMember, partitions []Partition) GroupMemberAssignments {
	g := newGroupLayout(members, partitions, compareMembersJava)
	out := g.assignments
	subscribed := make([]bool, len(g.members))
	dealt := make([][]int, len(g.members))
	next := 0
	for _, topic := range g.topics {
		clear(subscribed)
		for _, m := range g.subscribers[topic] {
			subscribed[m] = true
		}
		for _, id := range g.partitions[topic] {
			for !subscribed[next] {
				next = (next + 1) % len(g.members)
			}
			dealt[next] = append(dealt[next], id)
			next = (next + 1) % len(g.members)
		}
		for _, m := range g.subscribers[topic] {
			if len(dealt[m]) > 0 {
				out[g.members[m].ID][topic] = dealt[m]
				dealt[m] = nil
			}
		}
	}
	return out
}

// RackAffinityGroupBalancer assigns each topic separately, spreading its
// partitions evenly over the subscribed members and, within that, giving
// members the partitions whose leader is in their own rack, which saves
// cross-rack (cross-zone) traffic. Each member sends its Rack as its
// UserData; a partition's rack is its leader's Broker.Rack (brokers report
// racks since Kafka 0.10.0).
//
// The algorithm is kafka-go's, per topic: with T the partitions per member
// (rounded down) and R the remainder, each rack's members first take up to T
// partitions each from their rack's leaders, and one more each out of the
// remainder while rack partitions and remainder last; then the members
// short of T (or of T+1 while the remainder lasts) take the partitions
// left over, whatever their rack. For best affinity run members in every
// rack that leads partitions, in proportion.
//
// kafka-go takes members, racks and partitions in the order of its inputs
// and of Go's map iteration, so when partitions are left over it may give a
// different assignment from one call to the next. Here members are in
// member id order, partitions in ascending order, and racks in the order
// of their lowest partition: the result is deterministic and is one of the
// results kafka-go can give for those inputs in that order.
type RackAffinityGroupBalancer struct {
	// Rack is the rack this member runs in; it is sent to the group leader
	// as this member's UserData.
	Rack string
}

// ProtocolName returns "rack-affinity".
func (r RackAffinityGroupBalancer) ProtocolName() string { return "rack-affinity" }

// UserData returns the member's Rack.
func (r RackAffinityGroupBalancer) UserData() ([]byte, error) { return []byte(r.Rack), nil }

// AssignGroups assigns each topic with affinity to the members' racks; see
// RackAffinityGroupBalancer. Every member has an entry, empty when it gets
// nothing; a topic appears only where a member gets some of it.
func (r RackAffinityGroupBalancer) AssignGroups(members []GroupMember, partitions []Partition) GroupMemberAssignments {
	g := newGroupLayout(members, partitions, compareMemberIDs)
	racks := make(map[int]string) // partition id -> leader's rack, per topic
	for _, topic := range g.topics {
		clear(racks)
		for i := range partitions {
			if p := &partitions[i]; p.Topic == topic {
				racks[p.ID] = p.Leader.Rack
			}
		}
		for m, ids := range assignRackAffinity(g.members, g.subscribers[topic], g.partitions[topic], racks) {
			if len(ids) > 0 {
				g.assignments[g.members[m].ID][topic] = ids
			}
		}
	}
	return g.assignments
}

// assignRackAffinity assigns one topic's partitions ids (ascending, leader
// racks in racks) to the members subs (indices into members, in order) and
// returns each member's partitions, keyed by index into members.
func assignRackAffinity(members []*GroupMember, subs []int, ids []int, racks map[int]string) map[int][]int {
	// Racks in the order of their lowest partition, each with its
	// partitions in ascending order and its members in member order.
	type rack struct {
		name    string
		parts   []int
		members []int
	}
	var order []*rack
	byName := make(map[string]*rack)
	for _, id := range ids {
		name := racks[id]
		rk := byName[name]
		if rk == nil {
			rk = &rack{name: name}
			byName[name] = rk
			order = append(order, rk)
		}
		rk.parts = append(rk.parts, id)
	}
	for _, m := range subs {
		if rk := byName[string(members[m].UserData)]; rk != nil {
			rk.members = append(rk.members, m)
		}
	}

	target, remainder := len(ids)/len(subs), len(ids)%len(subs)
	out := make(map[int][]int, len(subs))
	for _, rk := range order {
		if len(rk.members) == 0 {
			continue
		}
		per := min(len(rk.parts)/len(rk.members), target)
		for _, m := range rk.members {
			out[m] = append(out[m], rk.parts[:per]...)
			rk.parts = rk.parts[per:]
		}
		// Members at the target may take one more from the remainder;
		// members below it (per < target) take what is left, fewer than
		// one each.
		extra := len(rk.parts)
		if per == target {
			extra = min(extra, remainder, len(rk.members))
			remainder -= extra
		}
		for i := range extra {
			out[rk.members[i]] = append(out[rk.members[i]], rk.parts[i])
		}
		rk.parts = rk.parts[extra:]
	}

	var left []int
	for _, rk := range order {
		left = append(left, rk.parts...)
	}
	for _, m := range subs {
		want := target - len(out[m])
		if want >= 0 && remainder > 0 {
			want++
			remainder--
		}
		if want > 0 {
			out[m] = append(out[m], left[:want]...)
			left = left[want:]
		}
	}
	return out
}

// groupLayout is the common view of one assignment: the members in the
// balancer's order without duplicate ids, the subscribed topics that have
// partitions, and who subscribed to what.
type groupLayout struct {
	// members are the distinct members, sorted.
	members []*GroupMember
	// topics are the topics some member subscribed to that have at least
	// one partition, in ascending order.
	topics []string
	// partitions maps each of topics to its partition ids, ascending and
	// distinct.
	partitions map[string][]int
	// subscribers maps each of topics to the indices in members of the
	// members subscribed to it, ascending.
	subscribers map[string][]int
	// assignments is the result being built: an empty map per member.
	assignments GroupMemberAssignments
}

// newGroupLayout builds the layout of members and partitions, with the
// members sorted by order.
func newGroupLayout(members []GroupMember, partitions []Partition, order func(a, b *GroupMember) int) *groupLayout {
	g := &groupLayout{
		members:     make([]*GroupMember, 0, len(members)),
		partitions:  make(map[string][]int),
		subscribers: make(map[string][]int),
		assignments: make(GroupMemberAssignments, len(members)),
	}
	for i := range members {
		m := &members[i]
		if _, dup := g.assignments[m.ID]; dup {
			continue // the first entry of a member id wins
		}
		g.assignments[m.ID] = make(map[string][]int)
		g.members = append(g.members, m)
	}
	slices.SortFunc(g.members, order)

	for i, m := range g.members {
		for _, t := range m.Topics {
			subs := g.subscribers[t]
			if len(subs) == 0 || subs[len(subs)-1] != i { // a topic listed twice counts once
				g.subscribers[t] = append(subs, i)
			}
		}
	}
	for i := range partitions {
		p := &partitions[i]
		if _, ok := g.subscribers[p.Topic]; ok {
			g.partitions[p.Topic] = append(g.partitions[p.Topic], p.ID)
		}
	}
	for t := range g.subscribers {
		ids := g.partitions[t]
		if len(ids) == 0 {
			delete(g.subscribers, t)
			continue
		}
		slices.Sort(ids)
		g.partitions[t] = slices.Compact(ids)
	}
	g.topics = slices.Sorted(maps.Keys(g.subscribers))
	return g
}

// compareMembersJava orders members as Java's assignors do
// (AbstractPartitionAssignor.MemberInfo): members with an instance id
// first, by instance id, then the others by member id. Member ids break
// ties, so the order is total.
func compareMembersJava(a, b *GroupMember) int {
	switch {
	case a.InstanceID != "" && b.InstanceID != "":
		if c := cmp.Compare(a.InstanceID, b.InstanceID); c != 0 {
			return c
		}
	case a.InstanceID != "":
		return -1
	case b.InstanceID != "":
		return 1
	}
	return cmp.Compare(a.ID, b.ID)
}

// compareMemberIDs orders members by member id.
func compareMemberIDs(a, b *GroupMember) int { return cmp.Compare(a.ID, b.ID) }
