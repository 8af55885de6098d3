// Produce (API key 0), versions 3–11, written from
// testdata/kafka-protocol/messages/Produce{Request,Response}.json.

package wire

import "encoding/binary"

// ProduceRequest is the body of a Produce request.
//
// AppendTo encodes a request whose record batches are already built. A
// producer that builds its batches straight into the request buffer uses the
// streaming functions instead (AppendProduceRequestHead and the others
// below), which produce the same bytes without copying a batch.
type ProduceRequest struct {
	// TransactionalId is the transactional id, or null for a producer that
	// is not transactional.
	TransactionalId NullString
	// Acks is 0 (no response), 1 (the leader) or -1 (the full ISR).
	Acks int16
	// TimeoutMs bounds how long the broker waits for acks.
	TimeoutMs int32
	// TopicData lists the topics to produce to.
	TopicData []ProduceRequestTopic
}

// ProduceRequestTopic is one topic of a ProduceRequest (JSON
// TopicProduceData).
type ProduceRequestTopic struct {
	// Name is the topic name.
	Name string
	// PartitionData lists the partitions to produce to.
	PartitionData []ProduceRequestPartition
}

// ProduceRequestPartition is one partition of a ProduceRequestTopic (JSON
// PartitionProduceData).
type ProduceRequestPartition struct {
	// Index is the partition number.
	Index int32
	// Records is the record set (record batches v2), nil for null. AppendTo
	// copies it into the request; DecodeFrom sets it to a sub-slice of its
	// input, valid as long as the input is.
	Records []byte
}

// Key returns KeyProduce.
func (m *ProduceRequest) Key() int16 { return KeyProduce }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *ProduceRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyProduce, version)
	dst = AppendProduceRequestHead(dst, version, m.TransactionalId, m.Acks, m.TimeoutMs, len(m.TopicData))
	for i := range m.TopicData {
		t := &m.TopicData[i]
		dst = AppendProduceTopicHead(dst, version, t.Name, len(t.PartitionData))
		for j := range t.PartitionData {
			p := &t.PartitionData[j]
			dst = AppendInt32(dst, p.Index)
			dst = AppendNullableBytesFlex(dst, p.Records, flex)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings. Records alias src.
func (m *ProduceRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyProduce]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyProduce, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.TransactionalId = r.NullableStringFlex(m.TransactionalId, flex)
	m.Acks = r.Int16()
	m.TimeoutMs = r.Int32()
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.TopicData = Grow(m.TopicData, max(n, 0))
	// A partition holds its index, a records length (4 bytes classic, 1
	// compact) and its tag section.
	minPart := 4 + 4
	if flex {
		minPart = 4 + 1 + 1
	}
	for i := range m.TopicData {
		t := &m.TopicData[i]
		t.Name = r.StringFlex(t.Name, flex)
		n = r.ArrayLen(minPart, flex)
		t.PartitionData = Grow(t.PartitionData, max(n, 0))
		for j := range t.PartitionData {
			p := &t.PartitionData[j]
			p.Index = r.Int32()
			p.Records = r.BytesFlex(flex)
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// Streaming encoding of a Produce request, for a producer that builds each
// record batch straight into the request buffer (RecordBatchBuilder.Begin on
// the slice these functions return) so that a batch is written once and
// never copied into the request:
//
//	dst = wire.AppendProduceRequestHead(dst, v, txnID, acks, timeout, 1)
//	dst = wire.AppendProduceTopicHead(dst, v, "topic", 1)
//	dst, mark := wire.AppendProducePartitionHead(dst, v, 0, expectedBatchSize)
//	b.Begin(dst, opts)
//	... b.Append(...) ...
//	dst, err := b.Finish()  // on error, cut dst back before the partition head
//	dst = wire.FinishProducePartition(dst, v, mark)
//	dst = wire.AppendProduceTopicEnd(dst, v)
//	dst = wire.AppendProduceRequestEnd(dst, v)
//
// The bytes are exactly those of ProduceRequest.AppendTo for the same
// request. Several batches may follow one partition head (a record set is
// any sequence of batches); FinishProducePartition measures them all.
//
// The records length is the one field whose value is not known before the
// batch is built. Classic versions (3–8) reserve an int32 and backfill it.
// Flexible versions (9+) write it as a uvarint, whose width depends on the
// length. Kafka's parser accepts a non-minimal 5-byte uvarint (a Produce
// v11 whose records length was padded so was accepted by Kafka 4.4.0 when
// this was written), but this package always writes canonical
// (minimal) varints, so that every request it sends is byte-identical to
// AppendTo's and no broker or proxy with a stricter parser can reject it.
// Instead AppendProducePartitionHead reserves the width that sizeHint's
// length needs (1 byte below 127 bytes, 2 below 16 KiB, 3 below 2 MiB, 4
// below 256 MiB); when the finished records need another width,
// FinishProducePartition moves them by the difference, once (a memmove of
// the records, no allocation when cap(dst) suffices). A producer that
// passes its batch size limit as the hint moves nothing for every batch in
// the same width class, which is all of them but the very small.

// AppendProduceRequestHead appends the fields of a Produce request that
// precede its topics, and the topic count: numTopics topics must follow,
// each begun with AppendProduceTopicHead.
func AppendProduceRequestHead(dst []byte, version int16, transactionalID NullString, acks int16, timeoutMs int32, numTopics int) []byte {
	flex := IsFlexible(KeyProduce, version)
	dst = AppendNullableStringFlex(dst, transactionalID, flex)
	dst = AppendInt16(dst, acks)
	dst = AppendInt32(dst, timeoutMs)
	return AppendArrayLen(dst, numTopics, flex)
}

// AppendProduceTopicHead appends a topic's name and partition count:
// numPartitions partitions must follow, each begun with
// AppendProducePartitionHead, then AppendProduceTopicEnd.
func AppendProduceTopicHead(dst []byte, version int16, name string, numPartitions int) []byte {
	flex := IsFlexible(KeyProduce, version)
	dst = AppendStringFlex(dst, name, flex)
	return AppendArrayLen(dst, numPartitions, flex)
}

// AppendProducePartitionHead appends a partition's index and reserves its
// records length, and returns the extended slice and a mark (the offset of
// the reserved length) for FinishProducePartition. The caller then appends
// the partition's record batches to the returned slice. sizeHint is the
// expected size of those records in bytes; it only chooses how many bytes
// to reserve in flexible versions (see above) and is ignored in classic
// ones. Records cannot be null this way; ProduceRequest.AppendTo writes
// null records.
func AppendProducePartitionHead(dst []byte, version int16, index int32, sizeHint int) ([]byte, int) {
	dst = AppendInt32(dst, index)
	mark := len(dst)
	if !IsFlexible(KeyProduce, version) {
		return AppendInt32(dst, 0), mark
	}
	// The placeholder is a non-minimal uvarint of 0 as wide as the
	// reservation (continuation bits on every byte but the last), so that
	// FinishProducePartition can read the width back from the buffer.
	w := UvarintLen(uint32(min(max(sizeHint, 0), 1<<31-2)) + 1)
	for i := 1; i < w; i++ {
		dst = append(dst, 0x80)
	}
	return append(dst, 0), mark
}

// FinishProducePartition backfills the records length reserved at mark by
// AppendProducePartitionHead, the records being everything dst holds after
// the reservation, and appends the partition's tag section. In flexible
// versions it moves the records when their length needs another width than
// the one reserved; dst grows (and may be reallocated) by at most 4 bytes.
// The records must be shorter than 2 GiB (RecordBatchBuilder enforces it).
func FinishProducePartition(dst []byte, version int16, mark int) []byte {
	if !IsFlexible(KeyProduce, version) {
		binary.BigEndian.PutUint32(dst[mark:], uint32(len(dst)-mark-4))
		return dst
	}
	reserved := 1
	for dst[mark+reserved-1] >= 0x80 {
		reserved++
	}
	start := mark + reserved
	n := len(dst) - start
	v := uint32(n) + 1
	w := UvarintLen(v)
	switch {
	case w < reserved:
		copy(dst[mark+w:], dst[start:])
		dst = dst[:len(dst)-(reserved-w)]
	case w > reserved:
		for range w - reserved {
			dst = append(dst, 0)
		}
		copy(dst[mark+w:], dst[start:start+n])
	}
	AppendUvarint(dst[mark:mark], v)
	return append(dst, 0)
}

// AppendProduceTopicEnd ends a topic begun with AppendProduceTopicHead,
// after its last partition.
func AppendProduceTopicEnd(dst []byte, version int16) []byte {
	return AppendEmptyTags(dst, IsFlexible(KeyProduce, version))
}

// AppendProduceRequestEnd ends a request begun with
// AppendProduceRequestHead, after its last topic.
func AppendProduceRequestEnd(dst []byte, version int16) []byte {
	return AppendEmptyTags(dst, IsFlexible(KeyProduce, version))
}

// ProduceResponse is the body of a Produce response. Decoding into a reused
// ProduceResponse allocates nothing once its slices are large enough and its
// strings are unchanged.
type ProduceResponse struct {
	// Responses holds the results per topic.
	Responses []ProduceResponseTopic
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// NodeEndpoints (v10+, tagged field 0) describes the new leaders that
	// partitions failing with NOT_LEADER_OR_FOLLOWER name in CurrentLeader.
	NodeEndpoints []NodeEndpoint
}

// ProduceResponseTopic is the result for one topic (JSON
// TopicProduceResponse).
type ProduceResponseTopic struct {
	// Name is the topic name.
	Name string
	// PartitionResponses holds the results per partition.
	PartitionResponses []ProduceResponsePartition
}

// ProduceResponsePartition is the result for one partition (JSON
// PartitionProduceResponse).
type ProduceResponsePartition struct {
	// Index is the partition number.
	Index int32
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
	// BaseOffset is the offset of the first record written.
	BaseOffset int64
	// LogAppendTimeMs (default -1) is the broker's append time for topics
	// with LogAppendTime timestamps, else -1.
	LogAppendTimeMs int64
	// LogStartOffset (v5+, default -1) is the partition's log start offset.
	LogStartOffset int64
	// RecordErrors (v8+) lists the records that made the broker drop the
	// batch.
	RecordErrors []ProduceResponseRecordError
	// ErrorMessage (v8+) summarises the error, or null.
	ErrorMessage NullString
	// CurrentLeader (v10+, tagged field 0, default NoLeader) is the new
	// leader when the partition fails with NOT_LEADER_OR_FOLLOWER.
	CurrentLeader LeaderIdAndEpoch
}

// ProduceResponseRecordError names one record that made the broker drop
// its batch (JSON BatchIndexAndErrorMessage).
type ProduceResponseRecordError struct {
	// BatchIndex is the record's index in its batch.
	BatchIndex int32
	// BatchIndexErrorMessage is the record's error message, or null.
	BatchIndexErrorMessage NullString
}

// Key returns KeyProduce.
func (m *ProduceResponse) Key() int16 { return KeyProduce }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *ProduceResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyProduce, version)
	tagged := version >= 10
	dst = AppendArrayLen(dst, len(m.Responses), flex)
	for i := range m.Responses {
		t := &m.Responses[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendArrayLen(dst, len(t.PartitionResponses), flex)
		for j := range t.PartitionResponses {
			p := &t.PartitionResponses[j]
			dst = AppendInt32(dst, p.Index)
			dst = AppendInt16(dst, p.ErrorCode)
			dst = AppendInt64(dst, p.BaseOffset)
			dst = AppendInt64(dst, p.LogAppendTimeMs)
			if version >= 5 {
				dst = AppendInt64(dst, p.LogStartOffset)
			}
			if version >= 8 {
				dst = AppendArrayLen(dst, len(p.RecordErrors), flex)
				for k := range p.RecordErrors {
					e := &p.RecordErrors[k]
					dst = AppendInt32(dst, e.BatchIndex)
					dst = AppendNullableStringFlex(dst, e.BatchIndexErrorMessage, flex)
					dst = AppendEmptyTags(dst, flex)
				}
				dst = AppendNullableStringFlex(dst, p.ErrorMessage, flex)
			}
			if tagged && p.CurrentLeader != NoLeader {
				dst = append(dst, 1)
				dst = appendLeaderTag(dst, 0, p.CurrentLeader)
			} else {
				dst = AppendEmptyTags(dst, flex)
			}
		}
		dst = AppendEmptyTags(dst, flex)
	}
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	if tagged && len(m.NodeEndpoints) > 0 {
		dst = append(dst, 1)
		return appendNodeEndpointsTag(dst, 0, m.NodeEndpoints)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *ProduceResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyProduce]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyProduce, version)
	tagged := version >= 10
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	minPart := 4 + 2 + 8 + 8 + tagMin
	if version >= 5 {
		minPart += 8
	}
	if version >= 8 {
		minPart += arrMin + strMin
	}
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.Responses = Grow(m.Responses, max(n, 0))
	for i := range m.Responses {
		t := &m.Responses[i]
		t.Name = r.StringFlex(t.Name, flex)
		n = r.ArrayLen(minPart, flex)
		t.PartitionResponses = Grow(t.PartitionResponses, max(n, 0))
		for j := range t.PartitionResponses {
			p := &t.PartitionResponses[j]
			p.Index = r.Int32()
			p.ErrorCode = r.Int16()
			p.BaseOffset = r.Int64()
			p.LogAppendTimeMs = r.Int64()
			p.LogStartOffset = -1
			if version >= 5 {
				p.LogStartOffset = r.Int64()
			}
			if version >= 8 {
				n = r.ArrayLen(4+strMin+tagMin, flex)
				p.RecordErrors = Grow(p.RecordErrors, max(n, 0))
				for k := range p.RecordErrors {
					e := &p.RecordErrors[k]
					e.BatchIndex = r.Int32()
					e.BatchIndexErrorMessage = r.NullableStringFlex(e.BatchIndexErrorMessage, flex)
					r.SkipTags(flex)
				}
				p.ErrorMessage = r.NullableStringFlex(p.ErrorMessage, flex)
			} else {
				p.RecordErrors = p.RecordErrors[:0]
				p.ErrorMessage = NullString{}
			}
			p.CurrentLeader = NoLeader
			if !flex {
				continue
			}
			for k := r.Tags(); k > 0; k-- {
				tag, data := r.Tag()
				if tagged && tag == 0 {
					p.CurrentLeader = decodeLeaderTag(&r, data)
				}
			}
		}
		r.SkipTags(flex)
	}
	m.ThrottleTimeMs = r.Int32()
	m.NodeEndpoints = m.NodeEndpoints[:0]
	if flex {
		for k := r.Tags(); k > 0; k-- {
			tag, data := r.Tag()
			if tagged && tag == 0 {
				m.NodeEndpoints = decodeNodeEndpointsTag(&r, data, m.NodeEndpoints)
			}
		}
	}
	return r.Complete()
}

func init() {
	registerAPI(KeyProduce, func() Message { return new(ProduceRequest) }, func() Message { return new(ProduceResponse) })
}
