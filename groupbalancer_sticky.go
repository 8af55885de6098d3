package kafka

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// CooperativeStickyGroupBalancer is the cooperative sticky assignor, under
// the protocol name of Java's CooperativeStickyAssignor
// ("cooperative-sticky"), so Java and librdkafka consumers can share a group
// with it. It is not part of kafka-go.
//
// Its assignment is balanced and sticky: each member keeps the partitions
// it owned (GroupMember.OwnedPartitions) as far as balance allows, the
// partitions nobody owns go to the members with the fewest, and partitions
// move from the members with the most to those with the fewest until no
// partition can move to a member (subscribed to its topic) that has two
// fewer. When all members subscribe to the same topics, their counts then
// differ by at most one, and when a member leaves a settled group no
// survivor loses a partition.
//
// It follows the cooperative protocol (KIP-429): a partition that moves
// from one member to another is only taken away from its owner in this
// rebalance; it is absent from both members' assignments, the owner revokes
// it and rejoins, and the next rebalance gives it to its new member. So no
// partition is ever read by two members at once, and members keep reading
// what does not move. Precisely: a partition that the result does not leave
// with the member that kept it is withheld in this rebalance when any other
// member of the group lists it among its owned partitions, whatever that
// member's generation.
//
// A member keeps a partition it owned if it still subscribes to its topic
// and no member of a later generation claims it (GroupMember.GenerationID,
// or for subscriptions older than v2 the generation that Java's assignor
// writes in its UserData); two members claiming it in the same generation
// both lose it. The result depends neither on the order of members nor of
// partitions.
//
// Differences from Java's AbstractStickyAssignor: the partitions each
// member keeps or gives up, and which member takes a partition, follow this
// package's order (members by id, partitions by topic then number), so the
// assignment can differ from Java's in detail while meeting the same rules.
// When all subscriptions are equal, Java ignores every claim of a member
// whose generation is older than the newest and gives such partitions out
// at once; here an older claim is kept when no newer one competes, and a
// partition another member still claims is withheld for one rebalance. The
// rack-aware refinement of KIP-881 is not implemented.
type CooperativeStickyGroupBalancer struct{}

// ProtocolName returns "cooperative-sticky".
func (CooperativeStickyGroupBalancer) ProtocolName() string { return "cooperative-sticky" }

// UserData returns nil. The subscription a Reader sends for this balancer
// carries the member's generation instead, in the UserData layout Java's
// CooperativeStickyAssignor uses (a big-endian int32), besides the
// subscription's own generation field.
func (CooperativeStickyGroupBalancer) UserData() ([]byte, error) { return nil, nil }

// cooperative marks the balancer as following the cooperative protocol.
func (CooperativeStickyGroupBalancer) cooperative() {}

// AssignGroups returns the sticky, balanced assignment minus the partitions
// that must first be revoked from their owners; see
// CooperativeStickyGroupBalancer. Every member has an entry, empty when it
// gets nothing; a topic appears only where a member gets some of it, with
// its partitions in ascending order.
func (CooperativeStickyGroupBalancer) AssignGroups(members []GroupMember, partitions []Partition) GroupMemberAssignments {
	out, _ := assignCooperativeSticky(members, partitions)
	return out
}

// stickyNone marks a partition without an owner, or a claim void because
// two members made it in the same generation.
const (
	stickyNone = -1
	stickyVoid = -2
)

// assignCooperativeSticky computes the cooperative sticky assignment. It
// returns the assignment for this rebalance and, per member id, the
// partitions withheld from it in this rebalance (to be given in the next
// one, if nothing changes meanwhile); the two together cover every
// partition of the subscribed topics exactly once.
func assignCooperativeSticky(members []GroupMember, partitions []Partition) (assigned, withheld GroupMemberAssignments) {
	g := newGroupLayout(members, partitions, compareMemberIDs)
	s := newStickyState(g)
	s.claim()
	s.assignUnowned()
	s.balance()
	return s.result()
}

// stickyState is the working state of one cooperative sticky assignment.
// Partitions are numbered 0..P-1 in topic then partition order, topics by
// their index in g.topics, members by their index in g.members.
type stickyState struct {
	g *groupLayout
	// base[t] is the number of the first partition of topic t; base has a
	// last entry P.
	base []int
	// topicOf maps a topic name to its index.
	topicOf map[string]int
	// subscribed[m*T+t] says whether member m subscribed to topic t.
	subscribed []bool

	// claims counts the distinct members listing each partition among
	// their owned ones, firstClaimer is the first of them and lastClaimer
	// the last (to count a member listing it twice only once).
	claims       []int32
	firstClaimer []int32
	lastClaimer  []int32
	// kept is the member that keeps each partition from its claims, or
	// stickyNone; during claim() it may hold stickyVoid.
	kept    []int32
	keptGen []int32

	// owner is the member each partition is assigned to, or stickyNone.
	owner []int32
	// count is the number of partitions assigned to each member, and
	// held[m*T+t] the number of them in topic t.
	count []int
	held  []int
}

// newStickyState numbers the partitions and subscriptions of g.
func newStickyState(g *groupLayout) *stickyState {
	T, M := len(g.topics), len(g.members)
	s := &stickyState{
		g:          g,
		base:       make([]int, T+1),
		topicOf:    make(map[string]int, T),
		subscribed: make([]bool, M*T),
		count:      make([]int, M),
		held:       make([]int, M*T),
	}
	for t, topic := range g.topics {
		s.topicOf[topic] = t
		s.base[t+1] = s.base[t] + len(g.partitions[topic])
		for _, m := range g.subscribers[topic] {
			s.subscribed[m*T+t] = true
		}
	}
	P := s.base[T]
	s.claims = make([]int32, P)
	s.firstClaimer = make([]int32, P)
	s.lastClaimer = make([]int32, P)
	s.kept = make([]int32, P)
	s.keptGen = make([]int32, P)
	s.owner = make([]int32, P)
	for p := range P {
		s.firstClaimer[p], s.lastClaimer[p] = stickyNone, stickyNone
		s.kept[p], s.owner[p] = stickyNone, stickyNone
	}
	return s
}

// partition returns the number of partition id of topic, or -1 when the
// partition is not one of those being assigned.
func (s *stickyState) partition(topic string, id int) int {
	t, ok := s.topicOf[topic]
	if !ok {
		return -1
	}
	i, found := slices.BinarySearch(s.g.partitions[topic], id)
	if !found {
		return -1
	}
	return s.base[t] + i
}

// topicIndex returns the index of the topic of partition p.
func (s *stickyState) topicIndex(p int) int {
	t, _ := slices.BinarySearch(s.base, p+1)
	return t - 1
}

// stickyGeneration returns the generation a member's owned partitions
// belong to: its GenerationID, or when that is unknown (negative) the one
// Java's CooperativeStickyAssignor keeps in its UserData, or -1.
func stickyGeneration(m *GroupMember) int32 {
	if m.GenerationID >= 0 {
		return m.GenerationID
	}
	if len(m.UserData) >= 4 {
		return int32(binary.BigEndian.Uint32(m.UserData))
	}
	return -1
}

// claim reads the members' owned partitions: who claims each partition,
// and who keeps it (the single claimant of the latest generation, if it
// still subscribes to the topic). Kept partitions are assigned to their
// keeper.
func (s *stickyState) claim() {
	for mi, m := range s.g.members {
		gen := stickyGeneration(m)
		for topic, ids := range m.OwnedPartitions {
			for _, id := range ids {
				p := s.partition(topic, id)
				if p < 0 || s.lastClaimer[p] == int32(mi) {
					continue
				}
				if s.claims[p] == 0 {
					s.firstClaimer[p] = int32(mi)
				}
				s.claims[p]++
				s.lastClaimer[p] = int32(mi)
				switch {
				case s.kept[p] == stickyNone || gen > s.keptGen[p]:
					s.kept[p], s.keptGen[p] = int32(mi), gen
				case gen == s.keptGen[p]:
					s.kept[p] = stickyVoid
				}
			}
		}
	}
	T := len(s.g.topics)
	for p, m := range s.kept {
		if m < 0 || !s.subscribed[int(m)*T+s.topicIndex(p)] {
			s.kept[p] = stickyNone
			continue
		}
		s.assign(p, int(m))
	}
}

// assign gives partition p, which has no owner, to member m.
func (s *stickyState) assign(p, m int) {
	s.owner[p] = int32(m)
	s.count[m]++
	s.held[m*len(s.g.topics)+s.topicIndex(p)]++
}

// move gives partition p from its owner to member m.
func (s *stickyState) move(p, m int) {
	from := int(s.owner[p])
	s.count[from]--
	s.held[from*len(s.g.topics)+s.topicIndex(p)]--
	s.assign(p, m)
}

// assignUnowned gives each partition nobody kept to the subscribed member
// with the fewest partitions (the first in member order on ties), topics
// with the fewest subscribers first, as their partitions have the fewest
// places to go.
func (s *stickyState) assignUnowned() {
	order := make([]int, len(s.g.topics))
	for t := range order {
		order[t] = t
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(len(s.g.subscribers[s.g.topics[a]]), len(s.g.subscribers[s.g.topics[b]]))
	})
	for _, t := range order {
		subs := s.g.subscribers[s.g.topics[t]]
		for p := s.base[t]; p < s.base[t+1]; p++ {
			if s.owner[p] != stickyNone {
				continue
			}
			least := subs[0]
			for _, m := range subs[1:] {
				if s.count[m] < s.count[least] {
					least = m
				}
			}
			s.assign(p, least)
		}
	}
}

// balance moves partitions, one at a time, from the member with the most
// partitions that can give one away to the member with the fewest that can
// take it (subscribed to its topic), while the two differ by two or more.
// Taking from the most loaded first keeps the members that are not over
// their share out of the moves: when all subscriptions are equal, only
// members above the final maximum give, only members below the final
// minimum take, and nothing moves twice. Each move lowers the sum of the
// squared counts, so it ends; at the end no partition can move to a
// subscribed member with two fewer.
func (s *stickyState) balance() {
	T, M := len(s.g.topics), len(s.g.members)
	least := make([]int, T) // per topic, its subscriber with the fewest
	donors := make([]int, M)
	for {
		lowest := -1
		for t, topic := range s.g.topics {
			subs := s.g.subscribers[topic]
			least[t] = subs[0]
			for _, m := range subs[1:] {
				if s.count[m] < s.count[least[t]] {
					least[t] = m
				}
			}
			if lowest < 0 || s.count[least[t]] < lowest {
				lowest = s.count[least[t]]
			}
		}
		for m := range donors {
			donors[m] = m
		}
		slices.SortStableFunc(donors, func(a, b int) int { return cmp.Compare(s.count[b], s.count[a]) })
		moved := false
		for _, d := range donors {
			if s.count[d] < lowest+2 {
				break // nobody below can give either
			}
			to, topic := -1, -1
			for t := range T {
				if s.held[d*T+t] > 0 && (to < 0 || s.count[least[t]] < s.count[to]) {
					to, topic = least[t], t
				}
			}
			if to >= 0 && s.count[d] >= s.count[to]+2 {
				s.move(s.giveUp(d, topic), to)
				moved = true
				break
			}
		}
		if !moved {
			return
		}
	}
}

// giveUp returns the partition of topic t that member m gives up: one it
// did not keep from its claims if there is one (it has not started reading
// it), else its highest.
func (s *stickyState) giveUp(m, t int) int {
	last := -1
	for p := s.base[t+1] - 1; p >= s.base[t]; p-- {
		if int(s.owner[p]) != m {
			continue
		}
		if int(s.kept[p]) != m {
			return p
		}
		if last < 0 {
			last = p
		}
	}
	return last
}

// result builds the assignment of this rebalance and the withheld
// partitions: a partition assigned to a member other than the one that
// kept it is withheld when another member claims it.
func (s *stickyState) result() (assigned, withheld GroupMemberAssignments) {
	assigned = s.g.assignments
	withheld = make(GroupMemberAssignments, len(s.g.members))
	for _, m := range s.g.members {
		withheld[m.ID] = make(map[string][]int)
	}
	for t, topic := range s.g.topics {
		ids := s.g.partitions[topic]
		for p := s.base[t]; p < s.base[t+1]; p++ {
			m := s.owner[p]
			id := s.g.members[m].ID
			claimedByOther := s.claims[p] > 1 || s.claims[p] == 1 && s.firstClaimer[p] != m
			dst := assigned
			if s.kept[p] != m && claimedByOther {
				dst = withheld
			}
			dst[id][topic] = append(dst[id][topic], ids[p-s.base[t]])
		}
	}
	return assigned, withheld
}
