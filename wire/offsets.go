// ListOffsets (API key 2, versions 1–10) and OffsetForLeaderEpoch (API key
// 23, versions 2–4), written from testdata/kafka-protocol/messages/
// ListOffsets{Request,Response}.json and OffsetForLeaderEpoch{Request,Response}.json.

package wire

// ListOffsetsRequest is the body of a ListOffsets request. Version 0 fields
// (MaxNumOffsets, OldStyleOffsets) are absent: this client speaks v1+.
type ListOffsetsRequest struct {
	// ReplicaId is the requesting broker, or -1 for a consumer.
	ReplicaId int32
	// IsolationLevel (v2+) is 0 for read_uncommitted, 1 for read_committed.
	IsolationLevel int8
	// Topics lists the partitions to look up.
	Topics []ListOffsetsRequestTopic
	// TimeoutMs (v10+) bounds lookups that read remote (tiered) storage.
	TimeoutMs int32
}

// ListOffsetsRequestTopic is one topic of a ListOffsetsRequest (JSON
// ListOffsetsTopic).
type ListOffsetsRequestTopic struct {
	// Name is the topic name.
	Name string
	// Partitions lists the partitions to look up.
	Partitions []ListOffsetsRequestPartition
}

// ListOffsetsRequestPartition is one partition of a ListOffsetsRequestTopic
// (JSON ListOffsetsPartition).
type ListOffsetsRequestPartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// CurrentLeaderEpoch (v4+, default -1) fences stale leaders.
	CurrentLeaderEpoch int32
	// Timestamp is the time to look up, or -1 (latest), -2 (earliest) and
	// the other special values of the protocol.
	Timestamp int64
}

// Key returns KeyListOffsets.
func (m *ListOffsetsRequest) Key() int16 { return KeyListOffsets }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *ListOffsetsRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyListOffsets, version)
	dst = AppendInt32(dst, m.ReplicaId)
	if version >= 2 {
		dst = AppendInt8(dst, m.IsolationLevel)
	}
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt32(dst, p.PartitionIndex)
			if version >= 4 {
				dst = AppendInt32(dst, p.CurrentLeaderEpoch)
			}
			dst = AppendInt64(dst, p.Timestamp)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 10 {
		dst = AppendInt32(dst, m.TimeoutMs)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *ListOffsetsRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyListOffsets]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyListOffsets, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ReplicaId = r.Int32()
	m.IsolationLevel = 0
	if version >= 2 {
		m.IsolationLevel = r.Int8()
	}
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		n = r.ArrayLen(4+8+tagMin, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.PartitionIndex = r.Int32()
			p.CurrentLeaderEpoch = -1
			if version >= 4 {
				p.CurrentLeaderEpoch = r.Int32()
			}
			p.Timestamp = r.Int64()
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	m.TimeoutMs = 0
	if version >= 10 {
		m.TimeoutMs = r.Int32()
	}
	r.SkipTags(flex)
	return r.Complete()
}

// ListOffsetsResponse is the body of a ListOffsets response.
type ListOffsetsResponse struct {
	// ThrottleTimeMs (v2+) is how long the request was throttled.
	ThrottleTimeMs int32
	// Topics holds the results per topic.
	Topics []ListOffsetsResponseTopic
}

// ListOffsetsResponseTopic is one topic of a ListOffsetsResponse (JSON
// ListOffsetsTopicResponse).
type ListOffsetsResponseTopic struct {
	// Name is the topic name.
	Name string
	// Partitions holds the results per partition.
	Partitions []ListOffsetsResponsePartition
}

// ListOffsetsResponsePartition is one partition of a ListOffsetsResponseTopic
// (JSON ListOffsetsPartitionResponse).
type ListOffsetsResponsePartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
	// Timestamp (default -1) is the timestamp of the returned offset.
	Timestamp int64
	// Offset (default -1) is the returned offset.
	Offset int64
	// LeaderEpoch (v4+, default -1) is the leader epoch of the offset.
	LeaderEpoch int32
}

// Key returns KeyListOffsets.
func (m *ListOffsetsResponse) Key() int16 { return KeyListOffsets }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *ListOffsetsResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyListOffsets, version)
	if version >= 2 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt32(dst, p.PartitionIndex)
			dst = AppendInt16(dst, p.ErrorCode)
			dst = AppendInt64(dst, p.Timestamp)
			dst = AppendInt64(dst, p.Offset)
			if version >= 4 {
				dst = AppendInt32(dst, p.LeaderEpoch)
			}
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *ListOffsetsResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyListOffsets]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyListOffsets, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ThrottleTimeMs = 0
	if version >= 2 {
		m.ThrottleTimeMs = r.Int32()
	}
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		n = r.ArrayLen(4+2+8+8+tagMin, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.PartitionIndex = r.Int32()
			p.ErrorCode = r.Int16()
			p.Timestamp = r.Int64()
			p.Offset = r.Int64()
			p.LeaderEpoch = -1
			if version >= 4 {
				p.LeaderEpoch = r.Int32()
			}
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// OffsetForLeaderEpochRequest is the body of an OffsetForLeaderEpoch request.
type OffsetForLeaderEpochRequest struct {
	// ReplicaId (v3+, default -2) is the requesting follower, or -1 for a
	// consumer.
	ReplicaId int32
	// Topics lists the partitions to look up.
	Topics []OffsetForLeaderEpochRequestTopic
}

// OffsetForLeaderEpochRequestTopic is one topic of an
// OffsetForLeaderEpochRequest (JSON OffsetForLeaderTopic).
type OffsetForLeaderEpochRequestTopic struct {
	// Topic is the topic name.
	Topic string
	// Partitions lists the partitions to look up.
	Partitions []OffsetForLeaderEpochRequestPartition
}

// OffsetForLeaderEpochRequestPartition is one partition of an
// OffsetForLeaderEpochRequestTopic (JSON OffsetForLeaderPartition).
type OffsetForLeaderEpochRequestPartition struct {
	// Partition is the partition number.
	Partition int32
	// CurrentLeaderEpoch (default -1) fences stale leaders.
	CurrentLeaderEpoch int32
	// LeaderEpoch is the epoch whose end offset is asked for.
	LeaderEpoch int32
}

// Key returns KeyOffsetForLeaderEpoch.
func (m *OffsetForLeaderEpochRequest) Key() int16 { return KeyOffsetForLeaderEpoch }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *OffsetForLeaderEpochRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyOffsetForLeaderEpoch, version)
	if version >= 3 {
		dst = AppendInt32(dst, m.ReplicaId)
	}
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Topic, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt32(dst, p.Partition)
			dst = AppendInt32(dst, p.CurrentLeaderEpoch)
			dst = AppendInt32(dst, p.LeaderEpoch)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *OffsetForLeaderEpochRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyOffsetForLeaderEpoch]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyOffsetForLeaderEpoch, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ReplicaId = -2
	if version >= 3 {
		m.ReplicaId = r.Int32()
	}
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Topic = r.StringFlex(t.Topic, flex)
		n = r.ArrayLen(12+tagMin, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.Partition = r.Int32()
			p.CurrentLeaderEpoch = r.Int32()
			p.LeaderEpoch = r.Int32()
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// OffsetForLeaderEpochResponse is the body of an OffsetForLeaderEpoch
// response.
type OffsetForLeaderEpochResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// Topics holds the results per topic.
	Topics []OffsetForLeaderEpochResponseTopic
}

// OffsetForLeaderEpochResponseTopic is one topic of an
// OffsetForLeaderEpochResponse (JSON OffsetForLeaderTopicResult).
type OffsetForLeaderEpochResponseTopic struct {
	// Topic is the topic name.
	Topic string
	// Partitions holds the results per partition.
	Partitions []OffsetForLeaderEpochResponsePartition
}

// OffsetForLeaderEpochResponsePartition is one partition of an
// OffsetForLeaderEpochResponseTopic (JSON EpochEndOffset).
type OffsetForLeaderEpochResponsePartition struct {
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
	// Partition is the partition number.
	Partition int32
	// LeaderEpoch (default -1) is the epoch found: the asked one or the
	// largest before it.
	LeaderEpoch int32
	// EndOffset (default -1) is the end offset of that epoch.
	EndOffset int64
}

// Key returns KeyOffsetForLeaderEpoch.
func (m *OffsetForLeaderEpochResponse) Key() int16 { return KeyOffsetForLeaderEpoch }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *OffsetForLeaderEpochResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyOffsetForLeaderEpoch, version)
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Topic, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt16(dst, p.ErrorCode)
			dst = AppendInt32(dst, p.Partition)
			dst = AppendInt32(dst, p.LeaderEpoch)
			dst = AppendInt64(dst, p.EndOffset)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *OffsetForLeaderEpochResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyOffsetForLeaderEpoch]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyOffsetForLeaderEpoch, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ThrottleTimeMs = r.Int32()
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Topic = r.StringFlex(t.Topic, flex)
		n = r.ArrayLen(2+4+4+8+tagMin, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.ErrorCode = r.Int16()
			p.Partition = r.Int32()
			p.LeaderEpoch = r.Int32()
			p.EndOffset = r.Int64()
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

func init() {
	registerAPI(KeyListOffsets, func() Message { return new(ListOffsetsRequest) }, func() Message { return new(ListOffsetsResponse) })
	registerAPI(KeyOffsetForLeaderEpoch, func() Message { return new(OffsetForLeaderEpochRequest) }, func() Message { return new(OffsetForLeaderEpochResponse) })
}
