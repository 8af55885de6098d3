package group

import (
	"slices"

	"github.com/zeroalloc/kafka/wire"
)

// Assignor is a partition assignment strategy of the consumer protocol, as
// the group leader runs it. The root package adapts its GroupBalancers to
// it.
//
// Protocol names the strategy in JoinGroup ("range", "cooperative-sticky",
// ...); every member of a group must offer one strategy under the same
// name. Cooperative reports whether it follows KIP-429: it never hands a
// partition to a new owner in the round that takes it from the old one, so
// members may keep consuming what they keep across a rebalance. A Member
// rebalances cooperatively only when all its assignors are cooperative.
//
// Metadata returns the JoinGroup metadata for this strategy: an encoded
// ConsumerProtocolSubscription (Subscription builds one) naming the
// topics, the partitions the member owns and the generation they were
// assigned in (-1 for none). The Member does not retain the slice beyond
// the JoinGroup request it builds.
//
// Assign runs on the leader only. members holds every member's decoded
// subscription; partitionCounts answers, from fresh cluster metadata, the
// partition count of each topic that exists among those asked. It returns
// each member's encoded ConsumerProtocolAssignment by member id
// (EncodeAssignment builds one); a member left out gets an empty
// assignment. It is called on the Member's goroutine, never concurrently.
type Assignor interface {
	Protocol() string
	Cooperative() bool
	Metadata(topics []string, owned map[string][]int32, generation int32) []byte
	Assign(members []MemberMeta, partitionCounts func(topics []string) (map[string]int32, error)) (map[string][]byte, error)
}

// MemberMeta is one member of a group as the leader sees it in JoinGroup,
// its subscription decoded. Every field is the Assignor's to keep.
type MemberMeta struct {
	// ID is the member id.
	ID string
	// InstanceID is the static member id, or "" for a dynamic member.
	InstanceID string
	// Metadata is the protocol metadata exactly as the member sent it.
	Metadata []byte
	// Topics lists the topics the member subscribes to.
	Topics []string
	// UserData is the assignor's data from the subscription, or nil.
	UserData []byte
	// Owned lists the partitions the member owns (subscription v1+).
	Owned Assignment
	// Generation is the generation Owned was assigned in, or -1.
	Generation int32
	// Rack is the member's rack (subscription v3+), or "".
	Rack string
	// DecodeErr is set when Metadata is not a subscription this client can
	// decode; the other decoded fields are then empty.
	DecodeErr error
}

// Assignment maps topics to partition numbers, each list sorted
// ascending. Maps and lists handed to callbacks are the callee's to keep.
type Assignment map[string][]int32

// Len returns the number of partitions.
func (a Assignment) Len() int {
	n := 0
	for _, ps := range a {
		n += len(ps)
	}
	return n
}

// Has reports whether a holds the partition.
func (a Assignment) Has(topic string, partition int32) bool {
	_, ok := slices.BinarySearch(a[topic], partition)
	return ok
}

// Clone returns a deep copy of a.
func (a Assignment) Clone() Assignment {
	c := make(Assignment, len(a))
	for t, ps := range a {
		c[t] = slices.Clone(ps)
	}
	return c
}

// Minus returns the partitions of a that b lacks (nil when none).
func (a Assignment) Minus(b Assignment) Assignment {
	var d Assignment
	for t, ps := range a {
		for _, p := range ps {
			if !b.Has(t, p) {
				if d == nil {
					d = make(Assignment)
				}
				d[t] = append(d[t], p)
			}
		}
	}
	return d
}

// Subscription encodes a ConsumerProtocolSubscription (version 3) for an
// Assignor's Metadata: topics, the partitions owned, the generation they
// were assigned in (-1 for none) and the assignor's userData (nil for
// none). It returns a new slice.
func Subscription(topics []string, owned map[string][]int32, generation int32, userData []byte) []byte {
	s := wire.ConsumerProtocolSubscription{Topics: topics, UserData: userData, GenerationId: generation}
	for _, t := range sortedTopics(owned) {
		s.OwnedPartitions = append(s.OwnedPartitions, wire.ConsumerProtocolTopicPartition{Topic: t, Partitions: owned[t]})
	}
	return s.AppendTo(nil, wire.ConsumerProtocolVersion)
}

// EncodeAssignment encodes a ConsumerProtocolAssignment (version 3) of the
// partitions in a, topics in name order, with the assignor's userData (nil
// for none). It returns a new slice.
func EncodeAssignment(a map[string][]int32, userData []byte) []byte {
	var m wire.ConsumerProtocolAssignment
	for _, t := range sortedTopics(a) {
		if len(a[t]) > 0 {
			m.AssignedPartitions = append(m.AssignedPartitions, wire.ConsumerProtocolTopicPartition{Topic: t, Partitions: a[t]})
		}
	}
	m.UserData = userData
	return m.AppendTo(nil, wire.ConsumerProtocolVersion)
}

// decodeAssignment decodes the assignment bytes SyncGroup returned: empty
// bytes mean no partitions. The result shares nothing with b.
func decodeAssignment(b []byte) (Assignment, error) {
	a := make(Assignment)
	if len(b) == 0 {
		return a, nil
	}
	var m wire.ConsumerProtocolAssignment
	if err := m.DecodeFrom(b); err != nil {
		return nil, err
	}
	for _, tp := range m.AssignedPartitions {
		for _, p := range tp.Partitions {
			if !slices.Contains(a[tp.Topic], p) {
				a[tp.Topic] = append(a[tp.Topic], p)
			}
		}
	}
	for t, ps := range a {
		if len(ps) == 0 {
			delete(a, t)
			continue
		}
		slices.Sort(ps)
	}
	return a, nil
}

// decodeMember fills a MemberMeta from a JoinGroup member; metadata is
// copied.
func decodeMember(id string, instance wire.NullString, metadata []byte) MemberMeta {
	mm := MemberMeta{ID: id, InstanceID: instance.String, Metadata: slices.Clone(metadata), Generation: -1}
	var s wire.ConsumerProtocolSubscription
	if err := s.DecodeFrom(mm.Metadata); err != nil {
		mm.DecodeErr = err
		return mm
	}
	mm.Topics = s.Topics
	mm.UserData = s.UserData // aliases mm.Metadata, already a copy
	mm.Generation = s.GenerationId
	mm.Rack = s.RackId.String
	if len(s.OwnedPartitions) > 0 {
		mm.Owned = make(Assignment, len(s.OwnedPartitions))
		for _, tp := range s.OwnedPartitions {
			mm.Owned[tp.Topic] = append(mm.Owned[tp.Topic], tp.Partitions...)
		}
		for _, ps := range mm.Owned {
			slices.Sort(ps)
		}
	}
	return mm
}

// sortedTopics returns the keys of a in order.
func sortedTopics[V any](a map[string]V) []string {
	ts := make([]string, 0, len(a))
	for t := range a {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}
