// The consumer protocol's embedded messages, written from testdata/
// kafka-protocol/messages/ConsumerProtocol{Subscription,Assignment}.json.
// They are not APIs: a consumer puts an encoded ConsumerProtocolSubscription
// in JoinGroupRequestProtocol.Metadata (and the leader reads every member's
// from JoinGroupResponseMember.Metadata); the leader puts an encoded
// ConsumerProtocolAssignment in SyncGroupRequestAssignment.Assignment and each
// member reads its own from SyncGroupResponse.Assignment. Each starts with its
// int16 version and is never flexible.
//
// Forward compatibility. Both JSON files say that a newer version may only
// add fields at the end, and that a reader meeting a version newer than it
// knows parses it with its own latest format. DecodeFrom does so: a version
// above ConsumerProtocolVersion is decoded as ConsumerProtocolVersion and the
// bytes after the last field we know are ignored. For versions we know,
// trailing bytes are an error (ErrTrailingBytes), as everywhere in this
// package; the Java client ignores them there too, we prefer to notice
// corrupt metadata. A negative version fails with ErrUnsupportedVersion.

package wire

// ConsumerProtocolVersion is the highest version of
// ConsumerProtocolSubscription and ConsumerProtocolAssignment this package
// knows.
const ConsumerProtocolVersion int16 = 3

// ConsumerProtocolSubscription is what a consumer tells the group leader in
// its JoinGroup protocol metadata: the topics it wants and what it owns.
type ConsumerProtocolSubscription struct {
	// Version is the version DecodeFrom read from the int16 prefix (it may
	// exceed ConsumerProtocolVersion); AppendTo ignores it and writes the
	// version it is given.
	Version int16
	// Topics lists the subscribed topics.
	Topics []string
	// UserData is the assignor's opaque data, or nil (null). AppendTo copies
	// it; after DecodeFrom it aliases the input.
	UserData []byte
	// OwnedPartitions (v1+) lists the partitions the member owns now
	// (cooperative rebalancing).
	OwnedPartitions []ConsumerProtocolTopicPartition
	// GenerationId (v2+, default -1) is the generation OwnedPartitions were
	// assigned in.
	GenerationId int32
	// RackId (v3+) is the member's rack, or null.
	RackId NullString
}

// ConsumerProtocolTopicPartition is a topic and some of its partitions (JSON
// TopicPartition, the same in both messages).
type ConsumerProtocolTopicPartition struct {
	// Topic is the topic name.
	Topic string
	// Partitions lists partition numbers.
	Partitions []int32
}

// consumerProtocolVersion clamps version into the versions we can write.
func consumerProtocolVersion(version int16) int16 {
	return min(max(version, 0), ConsumerProtocolVersion)
}

// AppendTo appends the subscription encoded for version, prefixed by that
// version as an int16, and returns the extended slice. A version above
// ConsumerProtocolVersion is written as ConsumerProtocolVersion and a
// negative one as 0. It allocates only when cap(dst) is too small.
func (m *ConsumerProtocolSubscription) AppendTo(dst []byte, version int16) []byte {
	version = consumerProtocolVersion(version)
	dst = AppendInt16(dst, version)
	dst = AppendStringArray(dst, m.Topics, false)
	dst = AppendNullableBytes(dst, m.UserData)
	if version >= 1 {
		dst = appendConsumerTopicPartitions(dst, m.OwnedPartitions)
	}
	if version >= 2 {
		dst = AppendInt32(dst, m.GenerationId)
	}
	if version >= 3 {
		dst = AppendNullableString(dst, m.RackId)
	}
	return dst
}

// DecodeFrom decodes src, a version-prefixed subscription, into m, reusing
// m's slices and unchanged strings; it allocates nothing once m has held a
// subscription of the same shape. UserData aliases src. See the file comment
// for versions newer than ConsumerProtocolVersion.
func (m *ConsumerProtocolSubscription) DecodeFrom(src []byte) error {
	r := NewReader(src)
	m.Version = r.Int16()
	if r.Err() == nil && m.Version < 0 {
		return ErrUnsupportedVersion
	}
	version := min(m.Version, ConsumerProtocolVersion)
	m.Topics = r.StringArray(m.Topics, false)
	m.UserData = r.Bytes()
	if version >= 1 {
		m.OwnedPartitions = readConsumerTopicPartitions(&r, m.OwnedPartitions)
	} else {
		m.OwnedPartitions = nil
	}
	m.GenerationId = -1
	if version >= 2 {
		m.GenerationId = r.Int32()
	}
	if version >= 3 {
		m.RackId = r.NullableString(m.RackId)
	} else {
		m.RackId = NullString{}
	}
	return consumerProtocolEnd(&r, m.Version)
}

// consumerProtocolEnd finishes a decode: trailing bytes are an error for a
// version we know and ignored for a newer one.
func consumerProtocolEnd(r *Reader, version int16) error {
	if version > ConsumerProtocolVersion {
		return r.Err()
	}
	return r.Complete()
}

// ConsumerProtocolAssignment is what the group leader assigns one consumer,
// carried in SyncGroup.
type ConsumerProtocolAssignment struct {
	// Version is the version DecodeFrom read from the int16 prefix (it may
	// exceed ConsumerProtocolVersion); AppendTo ignores it and writes the
	// version it is given.
	Version int16
	// AssignedPartitions lists the partitions assigned, per topic.
	AssignedPartitions []ConsumerProtocolTopicPartition
	// UserData is the assignor's opaque data, or nil (null). AppendTo copies
	// it; after DecodeFrom it aliases the input.
	UserData []byte
}

// AppendTo appends the assignment encoded for version, prefixed by that
// version as an int16, and returns the extended slice. A version above
// ConsumerProtocolVersion is written as ConsumerProtocolVersion and a
// negative one as 0 (all versions of the assignment have the same fields).
// It allocates only when cap(dst) is too small.
func (m *ConsumerProtocolAssignment) AppendTo(dst []byte, version int16) []byte {
	dst = AppendInt16(dst, consumerProtocolVersion(version))
	dst = appendConsumerTopicPartitions(dst, m.AssignedPartitions)
	return AppendNullableBytes(dst, m.UserData)
}

// DecodeFrom decodes src, a version-prefixed assignment, into m, reusing m's
// slices and unchanged strings; it allocates nothing once m has held an
// assignment of the same shape. UserData aliases src. See the file comment
// for versions newer than ConsumerProtocolVersion.
func (m *ConsumerProtocolAssignment) DecodeFrom(src []byte) error {
	r := NewReader(src)
	m.Version = r.Int16()
	if r.Err() == nil && m.Version < 0 {
		return ErrUnsupportedVersion
	}
	m.AssignedPartitions = readConsumerTopicPartitions(&r, m.AssignedPartitions)
	m.UserData = r.Bytes()
	return consumerProtocolEnd(&r, m.Version)
}

// appendConsumerTopicPartitions appends a (classic) array of TopicPartition.
func appendConsumerTopicPartitions(dst []byte, tps []ConsumerProtocolTopicPartition) []byte {
	dst = AppendArrayLen(dst, len(tps), false)
	for i := range tps {
		dst = AppendString(dst, tps[i].Topic)
		dst = AppendInt32Array(dst, tps[i].Partitions, false)
	}
	return dst
}

// readConsumerTopicPartitions reads a (classic) array of TopicPartition into
// tps' capacity; a null array reads as empty.
func readConsumerTopicPartitions(r *Reader, tps []ConsumerProtocolTopicPartition) []ConsumerProtocolTopicPartition {
	tps = groupArray(tps, r.ArrayLen(2+4, false))
	for i := range tps {
		tp := &tps[i]
		tp.Topic = r.String(tp.Topic)
		tp.Partitions = r.Int32Array(tp.Partitions, false)
	}
	return tps
}
