package kafka

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"github.com/zeroalloc/kafka/wire"
)

// This file is the glue between GroupBalancer and the consumer protocol
// that travels inside JoinGroup and SyncGroup (wire.ConsumerProtocol*): what
// a member sends, what the leader reads, and back. None of it is on a
// per-message path; it allocates freely.

// cooperativeBalancer is implemented by the balancers that follow the
// cooperative rebalance protocol (KIP-429): members keep reading their
// partitions through a rebalance and give up only those the new assignment
// takes away. The method is unexported, so other balancers, including
// users', are eager: a member gives up all its partitions before it joins.
type cooperativeBalancer interface {
	GroupBalancer
	cooperative()
}

// isCooperative reports whether b follows the cooperative rebalance
// protocol rather than the eager one.
func isCooperative(b GroupBalancer) bool {
	_, ok := b.(cooperativeBalancer)
	return ok
}

// groupSubscription is what a member tells the leader: its topics and, for
// a cooperative balancer, what it owns and since which generation.
type groupSubscription struct {
	// Topics lists the topics the member subscribes to.
	Topics []string
	// OwnedPartitions are the partitions the member owns (cooperative
	// balancers only), and GenerationID the generation it got them in, or
	// -1 before it has been in one.
	OwnedPartitions map[string][]int
	GenerationID    int32
	// Rack is the member's rack, or "".
	Rack string
}

// appendGroupSubscription appends the consumer protocol Subscription that a
// member sends for balancer b in JoinGroup (JoinGroupRequestProtocol
// .Metadata) and returns the extended slice.
//
// For an eager balancer it writes version 0: topics and b.UserData(). That
// is all kafka-go's group leader accepts (it rejects bytes after the
// UserData), and all an eager member has to say, owning nothing when it
// joins. For a cooperative balancer it writes version 3 with the owned
// partitions (topics and partitions sorted), the generation, the rack, and
// as UserData the generation as a big-endian int32, which is what Java's
// CooperativeStickyAssignor reads when the generation field is missing.
func appendGroupSubscription(dst []byte, b GroupBalancer, s *groupSubscription) ([]byte, error) {
	sub := wire.ConsumerProtocolSubscription{Topics: s.Topics}
	if !isCooperative(b) {
		userData, err := b.UserData()
		if err != nil {
			return dst, fmt.Errorf("kafka: user data of group balancer %q: %w", b.ProtocolName(), err)
		}
		sub.UserData = userData
		return sub.AppendTo(dst, 0), nil
	}
	sub.UserData = binary.BigEndian.AppendUint32(nil, uint32(s.GenerationID))
	sub.OwnedPartitions = consumerTopicPartitions(s.OwnedPartitions)
	sub.GenerationId = s.GenerationID
	if s.Rack != "" {
		sub.RackId = wire.NewNullString(s.Rack)
	}
	return sub.AppendTo(dst, wire.ConsumerProtocolVersion), nil
}

// decodeGroupMembers decodes the members' subscriptions of the JoinGroup
// response that made this member the leader. The result shares nothing
// with members: strings and UserData are copied. A member without a
// generation (subscription before v2) gets GenerationID -1.
//
// kafka-go members write version 1 without the owned partitions that
// version 1 adds; such a subscription, complete as version 0, is read as
// version 0.
func decodeGroupMembers(members []wire.JoinGroupResponseMember) ([]GroupMember, error) {
	out := make([]GroupMember, 0, len(members))
	var sub wire.ConsumerProtocolSubscription
	for i := range members {
		jm := &members[i]
		if err := sub.DecodeFrom(jm.Metadata); err != nil {
			if !decodeSubscriptionV0(&sub, jm.Metadata) {
				return nil, fmt.Errorf("kafka: subscription of group member %q: %w", jm.MemberId, err)
			}
		}
		m := GroupMember{
			ID:           jm.MemberId,
			Topics:       slices.Clone(sub.Topics),
			UserData:     bytes.Clone(sub.UserData),
			GenerationID: sub.GenerationId,
			InstanceID:   jm.GroupInstanceId.String,
			Rack:         sub.RackId.String,
		}
		if len(sub.OwnedPartitions) > 0 {
			m.OwnedPartitions = make(map[string][]int, len(sub.OwnedPartitions))
			for _, tp := range sub.OwnedPartitions {
				m.OwnedPartitions[tp.Topic] = appendInts(m.OwnedPartitions[tp.Topic], tp.Partitions)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// decodeSubscriptionV0 decodes src as a version 0 subscription whatever the
// version it claims, and reports whether that read all of src.
func decodeSubscriptionV0(sub *wire.ConsumerProtocolSubscription, src []byte) bool {
	r := wire.NewReader(src)
	sub.Version = r.Int16()
	sub.Topics = r.StringArray(sub.Topics, false)
	sub.UserData = r.Bytes()
	sub.OwnedPartitions = sub.OwnedPartitions[:0]
	sub.GenerationId = -1
	sub.RackId = wire.NullString{}
	return sub.Version >= 0 && r.Complete() == nil
}

// appendGroupAssignment appends the consumer protocol Assignment that gives
// a member the partitions of assignment (topics in name order, partitions
// ascending) with userData, and returns the extended slice. It writes version
// 3, as current Java leaders do; every version has the same layout, and
// kafka-go and Java members read any version.
func appendGroupAssignment(dst []byte, assignment map[string][]int, userData []byte) []byte {
	a := wire.ConsumerProtocolAssignment{
		AssignedPartitions: consumerTopicPartitions(assignment),
		UserData:           userData,
	}
	return a.AppendTo(dst, wire.ConsumerProtocolVersion)
}

// decodeGroupAssignment decodes the consumer protocol Assignment a member
// got in SyncGroup. The result shares nothing with src. An empty src (a
// member the leader gave nothing, as some leaders send it) is an empty
// assignment.
func decodeGroupAssignment(src []byte) (assignment map[string][]int, userData []byte, err error) {
	assignment = make(map[string][]int)
	if len(src) == 0 {
		return assignment, nil, nil
	}
	var a wire.ConsumerProtocolAssignment
	if err := a.DecodeFrom(src); err != nil {
		return nil, nil, fmt.Errorf("kafka: group assignment: %w", err)
	}
	for _, tp := range a.AssignedPartitions {
		assignment[tp.Topic] = appendInts(assignment[tp.Topic], tp.Partitions)
	}
	return assignment, bytes.Clone(a.UserData), nil
}

// consumerTopicPartitions converts topic -> partitions into the consumer
// protocol's list: topics in name order, partitions ascending, empty topics
// left out.
func consumerTopicPartitions(m map[string][]int) []wire.ConsumerProtocolTopicPartition {
	var out []wire.ConsumerProtocolTopicPartition
	for _, topic := range slices.Sorted(maps.Keys(m)) {
		ids := m[topic]
		if len(ids) == 0 {
			continue
		}
		tp := wire.ConsumerProtocolTopicPartition{Topic: topic, Partitions: make([]int32, len(ids))}
		for i, id := range ids {
			tp.Partitions[i] = int32(id)
		}
		slices.Sort(tp.Partitions)
		out = append(out, tp)
	}
	return out
}

// appendInts appends the int32 partition numbers src to dst as ints.
func appendInts(dst []int, src []int32) []int {
	for _, v := range src {
		dst = append(dst, int(v))
	}
	return dst
}
