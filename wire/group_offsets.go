// OffsetCommit (API key 8, versions 2–9) and OffsetFetch (9, versions 1–9);
// see group.go for the family's conventions.

package wire

// OffsetCommitRequest is the body of an OffsetCommit request. The v1-only
// CommitTimestamp is absent: this client speaks v2+.
type OffsetCommitRequest struct {
	// GroupId is the group committing.
	GroupId string
	// GenerationIdOrMemberEpoch (default -1) is the generation of a classic
	// group, or the member epoch under the consumer protocol (KIP-848).
	GenerationIdOrMemberEpoch int32
	// MemberId is the member id the coordinator assigned.
	MemberId string
	// GroupInstanceId (v7+) is the static member id, or null.
	GroupInstanceId NullString
	// RetentionTimeMs (v2–4, default -1) is how long to keep the offsets;
	// -1 means the broker's setting.
	RetentionTimeMs int64
	// Topics lists the offsets to commit per topic.
	Topics []OffsetCommitRequestTopic
}

// OffsetCommitRequestTopic is one topic of an OffsetCommitRequest.
type OffsetCommitRequestTopic struct {
	// Name is the topic name.
	Name string
	// Partitions lists the offsets to commit.
	Partitions []OffsetCommitRequestPartition
}

// OffsetCommitRequestPartition is one partition's offset in an
// OffsetCommitRequestTopic.
type OffsetCommitRequestPartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// CommittedOffset is the offset to commit: the next record to read.
	CommittedOffset int64
	// CommittedLeaderEpoch (v6+, default -1) is the leader epoch of the
	// record before CommittedOffset.
	CommittedLeaderEpoch int32
	// CommittedMetadata is the client's metadata for the offset, or null.
	CommittedMetadata NullString
}

// Key returns KeyOffsetCommit.
func (m *OffsetCommitRequest) Key() int16 { return KeyOffsetCommit }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *OffsetCommitRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyOffsetCommit, version)
	dst = AppendStringFlex(dst, m.GroupId, flex)
	dst = AppendInt32(dst, m.GenerationIdOrMemberEpoch)
	dst = AppendStringFlex(dst, m.MemberId, flex)
	if version >= 7 {
		dst = AppendNullableStringFlex(dst, m.GroupInstanceId, flex)
	}
	if version <= 4 {
		dst = AppendInt64(dst, m.RetentionTimeMs)
	}
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt32(dst, p.PartitionIndex)
			dst = AppendInt64(dst, p.CommittedOffset)
			if version >= 6 {
				dst = AppendInt32(dst, p.CommittedLeaderEpoch)
			}
			dst = AppendNullableStringFlex(dst, p.CommittedMetadata, flex)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *OffsetCommitRequest) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyOffsetCommit, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyOffsetCommit, version)
	r := NewReader(src)
	m.GroupId = r.StringFlex(m.GroupId, flex)
	m.GenerationIdOrMemberEpoch = r.Int32()
	m.MemberId = r.StringFlex(m.MemberId, flex)
	m.GroupInstanceId = groupNullable(&r, m.GroupInstanceId, version >= 7, flex)
	m.RetentionTimeMs = -1
	if version <= 4 {
		m.RetentionTimeMs = r.Int64()
	}
	s, a, tg := groupMins(flex)
	minPart := 4 + 8 + s + tg
	if version >= 6 {
		minPart += 4
	}
	m.Topics = groupArray(m.Topics, r.ArrayLen(s+a+tg, flex))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.Partitions = groupArray(t.Partitions, r.ArrayLen(minPart, flex))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.PartitionIndex = r.Int32()
			p.CommittedOffset = r.Int64()
			p.CommittedLeaderEpoch = -1
			if version >= 6 {
				p.CommittedLeaderEpoch = r.Int32()
			}
			p.CommittedMetadata = r.NullableStringFlex(p.CommittedMetadata, flex)
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// OffsetCommitResponse is the body of an OffsetCommit response.
type OffsetCommitResponse struct {
	// ThrottleTimeMs (v3+) is how long the request was throttled.
	ThrottleTimeMs int32
	// Topics holds the results per topic.
	Topics []OffsetCommitResponseTopic
}

// OffsetCommitResponseTopic is one topic of an OffsetCommitResponse.
type OffsetCommitResponseTopic struct {
	// Name is the topic name.
	Name string
	// Partitions holds the results per partition.
	Partitions []OffsetCommitResponsePartition
}

// OffsetCommitResponsePartition is one partition's result in an
// OffsetCommitResponseTopic.
type OffsetCommitResponsePartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
}

// Key returns KeyOffsetCommit.
func (m *OffsetCommitResponse) Key() int16 { return KeyOffsetCommit }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *OffsetCommitResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyOffsetCommit, version)
	if version >= 3 {
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
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings; it allocates nothing once m has held a
// response of the same shape.
func (m *OffsetCommitResponse) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyOffsetCommit, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyOffsetCommit, version)
	r := NewReader(src)
	m.ThrottleTimeMs = 0
	if version >= 3 {
		m.ThrottleTimeMs = r.Int32()
	}
	s, a, tg := groupMins(flex)
	m.Topics = groupArray(m.Topics, r.ArrayLen(s+a+tg, flex))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.Partitions = groupArray(t.Partitions, r.ArrayLen(4+2+tg, flex))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.PartitionIndex = r.Int32()
			p.ErrorCode = r.Int16()
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// OffsetFetchRequest is the body of an OffsetFetch request. Versions 1–7 ask
// for one GroupId; 8+ batch Groups.
type OffsetFetchRequest struct {
	// GroupId (v1–7) is the group to fetch offsets for.
	GroupId string
	// Topics (v1–7) lists the partitions to fetch; nil asks for every topic
	// (v2+; v1 cannot say it, and AppendTo writes nil as an empty array).
	Topics []OffsetFetchRequestTopic
	// Groups (v8+) lists the groups to fetch offsets for.
	Groups []OffsetFetchRequestGroup
	// RequireStable (v7+) asks the broker to fail partitions with pending
	// transactional offsets (UNSTABLE_OFFSET_COMMIT) instead of answering.
	RequireStable bool
}

// OffsetFetchRequestTopic is one topic of an OffsetFetchRequest or of an
// OffsetFetchRequestGroup (JSON OffsetFetchRequestTopic and, in v8+,
// OffsetFetchRequestTopics: the same fields).
type OffsetFetchRequestTopic struct {
	// Name is the topic name.
	Name string
	// PartitionIndexes lists the partitions to fetch.
	PartitionIndexes []int32
}

// OffsetFetchRequestGroup is one group of a v8+ OffsetFetchRequest.
type OffsetFetchRequestGroup struct {
	// GroupId is the group.
	GroupId string
	// MemberId (v9+) is the member id under the consumer protocol
	// (KIP-848), or null.
	MemberId NullString
	// MemberEpoch (v9+, default -1) is the member epoch under the consumer
	// protocol.
	MemberEpoch int32
	// Topics lists the partitions to fetch; nil asks for every topic.
	Topics []OffsetFetchRequestTopic
}

// Key returns KeyOffsetFetch.
func (m *OffsetFetchRequest) Key() int16 { return KeyOffsetFetch }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *OffsetFetchRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyOffsetFetch, version)
	if version <= 7 {
		dst = AppendStringFlex(dst, m.GroupId, flex)
		dst = appendOffsetFetchRequestTopics(dst, m.Topics, version >= 2, flex)
	} else {
		dst = AppendArrayLen(dst, len(m.Groups), flex)
		for i := range m.Groups {
			g := &m.Groups[i]
			dst = AppendStringFlex(dst, g.GroupId, flex)
			if version >= 9 {
				dst = AppendNullableStringFlex(dst, g.MemberId, flex)
				dst = AppendInt32(dst, g.MemberEpoch)
			}
			dst = appendOffsetFetchRequestTopics(dst, g.Topics, true, flex)
			dst = AppendEmptyTags(dst, flex)
		}
	}
	if version >= 7 {
		dst = AppendBool(dst, m.RequireStable)
	}
	return AppendEmptyTags(dst, flex)
}

// appendOffsetFetchRequestTopics appends topics, as null when it is nil and
// nullable is set.
func appendOffsetFetchRequestTopics(dst []byte, topics []OffsetFetchRequestTopic, nullable, flex bool) []byte {
	dst = AppendNullableArrayLen(dst, len(topics), nullable && topics == nil, flex)
	for i := range topics {
		t := &topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendInt32Array(dst, t.PartitionIndexes, flex)
		dst = AppendEmptyTags(dst, flex)
	}
	return dst
}

// readOffsetFetchRequestTopics reads a topics array into topics' capacity; a
// null array gives nil.
func readOffsetFetchRequestTopics(r *Reader, topics []OffsetFetchRequestTopic, flex bool) []OffsetFetchRequestTopic {
	s, a, tg := groupMins(flex)
	topics = groupNullableArray(topics, r.ArrayLen(s+a+tg, flex))
	for i := range topics {
		t := &topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.PartitionIndexes = r.Int32Array(t.PartitionIndexes, flex)
		r.SkipTags(flex)
	}
	return topics
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings. A null topics array decodes as nil.
func (m *OffsetFetchRequest) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyOffsetFetch, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyOffsetFetch, version)
	r := NewReader(src)
	if version <= 7 {
		m.GroupId = r.StringFlex(m.GroupId, flex)
		m.Topics = readOffsetFetchRequestTopics(&r, m.Topics, flex)
		m.Groups = nil
	} else {
		m.GroupId, m.Topics = "", nil
		s, a, tg := groupMins(flex)
		minGroup := s + a + tg
		if version >= 9 {
			minGroup += s + 4
		}
		m.Groups = groupArray(m.Groups, r.ArrayLen(minGroup, flex))
		for i := range m.Groups {
			g := &m.Groups[i]
			g.GroupId = r.StringFlex(g.GroupId, flex)
			g.MemberId = groupNullable(&r, g.MemberId, version >= 9, flex)
			g.MemberEpoch = -1
			if version >= 9 {
				g.MemberEpoch = r.Int32()
			}
			g.Topics = readOffsetFetchRequestTopics(&r, g.Topics, flex)
			r.SkipTags(flex)
		}
	}
	m.RequireStable = false
	if version >= 7 {
		m.RequireStable = r.Bool()
	}
	r.SkipTags(flex)
	return r.Complete()
}

// OffsetFetchResponse is the body of an OffsetFetch response. Versions 1–7
// answer for one group with Topics and ErrorCode; 8+ with Groups.
type OffsetFetchResponse struct {
	// ThrottleTimeMs (v3+) is how long the request was throttled.
	ThrottleTimeMs int32
	// Topics (v1–7) holds the offsets per topic.
	Topics []OffsetFetchResponseTopic
	// ErrorCode (v2–7) is the group-level error, or 0.
	ErrorCode int16
	// Groups (v8+) holds the offsets per group.
	Groups []OffsetFetchResponseGroup
}

// OffsetFetchResponseTopic is one topic of an OffsetFetchResponse or of an
// OffsetFetchResponseGroup (JSON OffsetFetchResponseTopic and, in v8+,
// OffsetFetchResponseTopics: the same fields).
type OffsetFetchResponseTopic struct {
	// Name is the topic name.
	Name string
	// Partitions holds the offsets per partition.
	Partitions []OffsetFetchResponsePartition
}

// OffsetFetchResponsePartition is one partition of an
// OffsetFetchResponseTopic (JSON OffsetFetchResponsePartition and, in v8+,
// OffsetFetchResponsePartitions).
type OffsetFetchResponsePartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// CommittedOffset is the committed offset, or -1 when there is none.
	CommittedOffset int64
	// CommittedLeaderEpoch (v5+, default -1) is the leader epoch stored with
	// the offset.
	CommittedLeaderEpoch int32
	// Metadata is the client metadata stored with the offset, or null.
	Metadata NullString
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
}

// OffsetFetchResponseGroup is one group of a v8+ OffsetFetchResponse.
type OffsetFetchResponseGroup struct {
	// GroupId is the group.
	GroupId string
	// Topics holds the offsets per topic.
	Topics []OffsetFetchResponseTopic
	// ErrorCode is the group-level error, or 0.
	ErrorCode int16
}

// Key returns KeyOffsetFetch.
func (m *OffsetFetchResponse) Key() int16 { return KeyOffsetFetch }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *OffsetFetchResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyOffsetFetch, version)
	if version >= 3 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	if version <= 7 {
		dst = appendOffsetFetchResponseTopics(dst, m.Topics, version, flex)
		if version >= 2 {
			dst = AppendInt16(dst, m.ErrorCode)
		}
	} else {
		dst = AppendArrayLen(dst, len(m.Groups), flex)
		for i := range m.Groups {
			g := &m.Groups[i]
			dst = AppendStringFlex(dst, g.GroupId, flex)
			dst = appendOffsetFetchResponseTopics(dst, g.Topics, version, flex)
			dst = AppendInt16(dst, g.ErrorCode)
			dst = AppendEmptyTags(dst, flex)
		}
	}
	return AppendEmptyTags(dst, flex)
}

// appendOffsetFetchResponseTopics appends topics encoded for version.
func appendOffsetFetchResponseTopics(dst []byte, topics []OffsetFetchResponseTopic, version int16, flex bool) []byte {
	dst = AppendArrayLen(dst, len(topics), flex)
	for i := range topics {
		t := &topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt32(dst, p.PartitionIndex)
			dst = AppendInt64(dst, p.CommittedOffset)
			if version >= 5 {
				dst = AppendInt32(dst, p.CommittedLeaderEpoch)
			}
			dst = AppendNullableStringFlex(dst, p.Metadata, flex)
			dst = AppendInt16(dst, p.ErrorCode)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return dst
}

// readOffsetFetchResponseTopics reads a topics array of version into topics'
// capacity.
func readOffsetFetchResponseTopics(r *Reader, topics []OffsetFetchResponseTopic, version int16, flex bool) []OffsetFetchResponseTopic {
	s, a, tg := groupMins(flex)
	minPart := 4 + 8 + s + 2 + tg
	if version >= 5 {
		minPart += 4
	}
	topics = groupArray(topics, r.ArrayLen(s+a+tg, flex))
	for i := range topics {
		t := &topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.Partitions = groupArray(t.Partitions, r.ArrayLen(minPart, flex))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.PartitionIndex = r.Int32()
			p.CommittedOffset = r.Int64()
			p.CommittedLeaderEpoch = -1
			if version >= 5 {
				p.CommittedLeaderEpoch = r.Int32()
			}
			p.Metadata = r.NullableStringFlex(p.Metadata, flex)
			p.ErrorCode = r.Int16()
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	return topics
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings; it allocates nothing once m has held a
// response of the same shape.
func (m *OffsetFetchResponse) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyOffsetFetch, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyOffsetFetch, version)
	r := NewReader(src)
	m.ThrottleTimeMs = 0
	if version >= 3 {
		m.ThrottleTimeMs = r.Int32()
	}
	m.ErrorCode = 0
	if version <= 7 {
		m.Topics = readOffsetFetchResponseTopics(&r, m.Topics, version, flex)
		if version >= 2 {
			m.ErrorCode = r.Int16()
		}
		m.Groups = nil
	} else {
		m.Topics = nil
		s, a, tg := groupMins(flex)
		m.Groups = groupArray(m.Groups, r.ArrayLen(s+a+2+tg, flex))
		for i := range m.Groups {
			g := &m.Groups[i]
			g.GroupId = r.StringFlex(g.GroupId, flex)
			g.Topics = readOffsetFetchResponseTopics(&r, g.Topics, version, flex)
			g.ErrorCode = r.Int16()
			r.SkipTags(flex)
		}
	}
	r.SkipTags(flex)
	return r.Complete()
}
