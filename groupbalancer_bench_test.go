package kafka

import (
	"fmt"
	"maps"
	"testing"
)

// benchGroup returns 100 members subscribed to 10 topics of 100 partitions
// each (1,000 partitions), partition leaders spread over 3 racks and members
// over the same racks.
func benchGroup() ([]GroupMember, []Partition) {
	topics := make([]string, 10)
	for i := range topics {
		topics[i] = fmt.Sprintf("topic-%02d", i)
	}
	var partitions []Partition
	for _, t := range topics {
		for p := range 100 {
			partitions = append(partitions, Partition{Topic: t, ID: p, Leader: Broker{ID: p % 3, Rack: fmt.Sprint("rack-", p%3)}})
		}
	}
	members := make([]GroupMember, 100)
	for i := range members {
		members[i] = GroupMember{
			ID:       fmt.Sprintf("consumer-%03d-5f0c2a4e-8c1d-4a5b-9f36-%012d", i, i),
			Topics:   topics,
			UserData: fmt.Appendf(nil, "rack-%d", i%3),
		}
	}
	return members, partitions
}

// BenchmarkGroupBalancers assigns 1,000 partitions to 100 members: a new
// group for every balancer, and for the cooperative sticky one also a
// settled group that a member joins or leaves (the rebalances that move
// partitions).
func BenchmarkGroupBalancers(b *testing.B) {
	members, partitions := benchGroup()
	for _, gb := range []GroupBalancer{RangeGroupBalancer{}, RoundRobinGroupBalancer{}, RackAffinityGroupBalancer{}, CooperativeStickyGroupBalancer{}} {
		b.Run(gb.ProtocolName()+"/new", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				gb.AssignGroups(members, partitions)
			}
		})
	}

	// The settled assignment of members[:99], then members[99] joins.
	settled := CooperativeStickyGroupBalancer{}.AssignGroups(members[:99], partitions)
	joined := make([]GroupMember, len(members))
	for i, m := range members {
		m.OwnedPartitions, m.GenerationID = maps.Clone(settled[m.ID]), 3
		joined[i] = m
	}
	b.Run("cooperative-sticky/join", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			CooperativeStickyGroupBalancer{}.AssignGroups(joined, partitions)
		}
	})

	// The settled assignment of all 100, then one leaves.
	settled = CooperativeStickyGroupBalancer{}.AssignGroups(members, partitions)
	left := make([]GroupMember, 0, len(members)-1)
	for _, m := range members[1:] {
		m.OwnedPartitions, m.GenerationID = maps.Clone(settled[m.ID]), 3
		left = append(left, m)
	}
	b.Run("cooperative-sticky/leave", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			CooperativeStickyGroupBalancer{}.AssignGroups(left, partitions)
		}
	})
}
