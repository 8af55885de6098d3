// Transactions and idempotence: InitProducerId (API key 22, versions 0–5),
// AddPartitionsToTxn (24, 0–5), AddOffsetsToTxn (25, 0–4), EndTxn (26, 0–5)
// and TxnOffsetCommit (28, 0–4), written from testdata/kafka-protocol/
// messages/{InitProducerId,AddPartitionsToTxn,AddOffsetsToTxn,EndTxn,
// TxnOffsetCommit}{Request,Response}.json. None of these messages has tagged
// fields in the versions above, so flexible versions carry only empty
// tagged-field sections (unknown tags from a newer peer are skipped).

package wire

// InitProducerIdRequest is the body of an InitProducerId request. The
// JSON's versions 0–5 have no two-phase-commit fields (those of KIP-939
// belong to a later version, which this client does not speak).
type InitProducerIdRequest struct {
	// TransactionalId is the transactional id, or null for an idempotent
	// producer that is not transactional.
	TransactionalId NullString
	// TransactionTimeoutMs is how long the coordinator waits before aborting
	// an idle transaction; it matters only with a TransactionalId.
	TransactionTimeoutMs int32
	// ProducerId (v3+, default -1) is the producer id in use, sent with
	// ProducerEpoch to bump the epoch after an error (KIP-360); -1 asks for
	// a new id.
	ProducerId int64
	// ProducerEpoch (v3+, default -1) is the epoch in use with ProducerId.
	ProducerEpoch int16
}

// Key returns KeyInitProducerId.
func (m *InitProducerIdRequest) Key() int16 { return KeyInitProducerId }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *InitProducerIdRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyInitProducerId, version)
	dst = AppendNullableStringFlex(dst, m.TransactionalId, flex)
	dst = AppendInt32(dst, m.TransactionTimeoutMs)
	if version >= 3 {
		dst = AppendInt64(dst, m.ProducerId)
		dst = AppendInt16(dst, m.ProducerEpoch)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, keeping m's
// TransactionalId when the bytes are equal.
func (m *InitProducerIdRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyInitProducerId]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyInitProducerId, version)
	r := NewReader(src)
	m.TransactionalId = r.NullableStringFlex(m.TransactionalId, flex)
	m.TransactionTimeoutMs = r.Int32()
	m.ProducerId, m.ProducerEpoch = -1, -1
	if version >= 3 {
		m.ProducerId = r.Int64()
		m.ProducerEpoch = r.Int16()
	}
	r.SkipTags(flex)
	return r.Complete()
}

// InitProducerIdResponse is the body of an InitProducerId response.
type InitProducerIdResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode is the error, or 0.
	ErrorCode int16
	// ProducerId (default -1) is the producer id granted.
	ProducerId int64
	// ProducerEpoch is the epoch granted with ProducerId.
	ProducerEpoch int16
}

// Key returns KeyInitProducerId.
func (m *InitProducerIdResponse) Key() int16 { return KeyInitProducerId }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *InitProducerIdResponse) AppendTo(dst []byte, version int16) []byte {
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	dst = AppendInt16(dst, m.ErrorCode)
	dst = AppendInt64(dst, m.ProducerId)
	dst = AppendInt16(dst, m.ProducerEpoch)
	return AppendEmptyTags(dst, IsFlexible(KeyInitProducerId, version))
}

// DecodeFrom decodes src as a response body of version into m.
func (m *InitProducerIdResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyInitProducerId]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	r := NewReader(src)
	m.ThrottleTimeMs = r.Int32()
	m.ErrorCode = r.Int16()
	m.ProducerId = r.Int64()
	m.ProducerEpoch = r.Int16()
	r.SkipTags(IsFlexible(KeyInitProducerId, version))
	return r.Complete()
}

// AddPartitionsToTxnRequest is the body of an AddPartitionsToTxn request.
// Versions 0–3, which clients send, carry one transaction in the
// V3AndBelow* fields; versions 4+, which brokers send to the transaction
// coordinator, carry a batch of them in Transactions. Each version uses only
// its own fields: the others are ignored by AppendTo and reset by
// DecodeFrom.
type AddPartitionsToTxnRequest struct {
	// Transactions (v4+) lists the transactions to add partitions to.
	Transactions []AddPartitionsToTxnRequestTransaction
	// V3AndBelowTransactionalId (v0–3) is the transactional id.
	V3AndBelowTransactionalId string
	// V3AndBelowProducerId (v0–3) is the producer id in use.
	V3AndBelowProducerId int64
	// V3AndBelowProducerEpoch (v0–3) is the epoch in use.
	V3AndBelowProducerEpoch int16
	// V3AndBelowTopics (v0–3) lists the partitions to add.
	V3AndBelowTopics []AddPartitionsToTxnRequestTopic
}

// AddPartitionsToTxnRequestTransaction is one transaction of an
// AddPartitionsToTxnRequest, v4+ (JSON AddPartitionsToTxnTransaction).
type AddPartitionsToTxnRequestTransaction struct {
	// TransactionalId is the transactional id.
	TransactionalId string
	// ProducerId is the producer id in use.
	ProducerId int64
	// ProducerEpoch is the epoch in use.
	ProducerEpoch int16
	// VerifyOnly asks whether the partitions are already in the transaction
	// instead of adding them.
	VerifyOnly bool
	// Topics lists the partitions to add or verify.
	Topics []AddPartitionsToTxnRequestTopic
}

// AddPartitionsToTxnRequestTopic is one topic of a transaction's partitions
// (JSON common struct AddPartitionsToTxnTopic, used by both
// V3AndBelowTopics and Transactions[].Topics).
type AddPartitionsToTxnRequestTopic struct {
	// Name is the topic name.
	Name string
	// Partitions lists the partition numbers.
	Partitions []int32
}

// Key returns KeyAddPartitionsToTxn.
func (m *AddPartitionsToTxnRequest) Key() int16 { return KeyAddPartitionsToTxn }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *AddPartitionsToTxnRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyAddPartitionsToTxn, version)
	if version >= 4 {
		dst = AppendArrayLen(dst, len(m.Transactions), flex)
		for i := range m.Transactions {
			t := &m.Transactions[i]
			dst = AppendStringFlex(dst, t.TransactionalId, flex)
			dst = AppendInt64(dst, t.ProducerId)
			dst = AppendInt16(dst, t.ProducerEpoch)
			dst = AppendBool(dst, t.VerifyOnly)
			dst = appendTxnTopics(dst, t.Topics, flex)
			dst = AppendEmptyTags(dst, flex)
		}
	} else {
		dst = AppendStringFlex(dst, m.V3AndBelowTransactionalId, flex)
		dst = AppendInt64(dst, m.V3AndBelowProducerId)
		dst = AppendInt16(dst, m.V3AndBelowProducerEpoch)
		dst = appendTxnTopics(dst, m.V3AndBelowTopics, flex)
	}
	return AppendEmptyTags(dst, flex)
}

func appendTxnTopics(dst []byte, topics []AddPartitionsToTxnRequestTopic, flex bool) []byte {
	dst = AppendArrayLen(dst, len(topics), flex)
	for i := range topics {
		dst = AppendStringFlex(dst, topics[i].Name, flex)
		dst = AppendInt32Array(dst, topics[i].Partitions, flex)
		dst = AppendEmptyTags(dst, flex)
	}
	return dst
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *AddPartitionsToTxnRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyAddPartitionsToTxn]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyAddPartitionsToTxn, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	// Reset only the fields the version lacks: the others keep their old
	// strings and capacity for reuse.
	if version >= 4 {
		m.V3AndBelowTransactionalId = ""
		m.V3AndBelowProducerId, m.V3AndBelowProducerEpoch = 0, 0
		m.V3AndBelowTopics = m.V3AndBelowTopics[:0]
		n := r.ArrayLen(strMin+8+2+1+arrMin+tagMin, flex)
		m.Transactions = Grow(m.Transactions, max(n, 0))
		for i := range m.Transactions {
			t := &m.Transactions[i]
			t.TransactionalId = r.StringFlex(t.TransactionalId, flex)
			t.ProducerId = r.Int64()
			t.ProducerEpoch = r.Int16()
			t.VerifyOnly = r.Bool()
			t.Topics = readTxnTopics(&r, t.Topics, flex)
			r.SkipTags(flex)
		}
	} else {
		m.Transactions = m.Transactions[:0]
		m.V3AndBelowTransactionalId = r.StringFlex(m.V3AndBelowTransactionalId, flex)
		m.V3AndBelowProducerId = r.Int64()
		m.V3AndBelowProducerEpoch = r.Int16()
		m.V3AndBelowTopics = readTxnTopics(&r, m.V3AndBelowTopics, flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

func readTxnTopics(r *Reader, topics []AddPartitionsToTxnRequestTopic, flex bool) []AddPartitionsToTxnRequestTopic {
	strMin, arrMin, tagMin := flexMins(flex)
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	topics = Grow(topics, max(n, 0))
	for i := range topics {
		t := &topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.Partitions = r.Int32Array(t.Partitions, flex)
		r.SkipTags(flex)
	}
	return topics
}

// AddPartitionsToTxnResponse is the body of an AddPartitionsToTxn response.
// Versions 0–3 answer one transaction in ResultsByTopicV3AndBelow; versions
// 4+ answer a batch in ResultsByTransaction, with a top-level ErrorCode.
type AddPartitionsToTxnResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode (v4+) is the top-level error, or 0.
	ErrorCode int16
	// ResultsByTransaction (v4+) holds the results per transaction.
	ResultsByTransaction []AddPartitionsToTxnResponseTransaction
	// ResultsByTopicV3AndBelow (v0–3) holds the results per topic.
	ResultsByTopicV3AndBelow []AddPartitionsToTxnResponseTopic
}

// AddPartitionsToTxnResponseTransaction is the result for one transaction,
// v4+ (JSON AddPartitionsToTxnResult).
type AddPartitionsToTxnResponseTransaction struct {
	// TransactionalId is the transactional id.
	TransactionalId string
	// TopicResults holds the results per topic.
	TopicResults []AddPartitionsToTxnResponseTopic
}

// AddPartitionsToTxnResponseTopic is the result for one topic (JSON common
// struct AddPartitionsToTxnTopicResult, used by both
// ResultsByTopicV3AndBelow and ResultsByTransaction[].TopicResults).
type AddPartitionsToTxnResponseTopic struct {
	// Name is the topic name.
	Name string
	// ResultsByPartition holds the results per partition.
	ResultsByPartition []AddPartitionsToTxnResponsePartition
}

// AddPartitionsToTxnResponsePartition is the result for one partition (JSON
// AddPartitionsToTxnPartitionResult).
type AddPartitionsToTxnResponsePartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// PartitionErrorCode is the partition's error, or 0.
	PartitionErrorCode int16
}

// Key returns KeyAddPartitionsToTxn.
func (m *AddPartitionsToTxnResponse) Key() int16 { return KeyAddPartitionsToTxn }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *AddPartitionsToTxnResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyAddPartitionsToTxn, version)
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	if version >= 4 {
		dst = AppendInt16(dst, m.ErrorCode)
		dst = AppendArrayLen(dst, len(m.ResultsByTransaction), flex)
		for i := range m.ResultsByTransaction {
			t := &m.ResultsByTransaction[i]
			dst = AppendStringFlex(dst, t.TransactionalId, flex)
			dst = appendTxnTopicResults(dst, t.TopicResults, flex)
			dst = AppendEmptyTags(dst, flex)
		}
	} else {
		dst = appendTxnTopicResults(dst, m.ResultsByTopicV3AndBelow, flex)
	}
	return AppendEmptyTags(dst, flex)
}

func appendTxnTopicResults(dst []byte, topics []AddPartitionsToTxnResponseTopic, flex bool) []byte {
	dst = AppendArrayLen(dst, len(topics), flex)
	for i := range topics {
		t := &topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendArrayLen(dst, len(t.ResultsByPartition), flex)
		for _, p := range t.ResultsByPartition {
			dst = AppendInt32(dst, p.PartitionIndex)
			dst = AppendInt16(dst, p.PartitionErrorCode)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return dst
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *AddPartitionsToTxnResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyAddPartitionsToTxn]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyAddPartitionsToTxn, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ThrottleTimeMs = r.Int32()
	if version >= 4 {
		m.ResultsByTopicV3AndBelow = m.ResultsByTopicV3AndBelow[:0]
		m.ErrorCode = r.Int16()
		n := r.ArrayLen(strMin+arrMin+tagMin, flex)
		m.ResultsByTransaction = Grow(m.ResultsByTransaction, max(n, 0))
		for i := range m.ResultsByTransaction {
			t := &m.ResultsByTransaction[i]
			t.TransactionalId = r.StringFlex(t.TransactionalId, flex)
			t.TopicResults = readTxnTopicResults(&r, t.TopicResults, flex)
			r.SkipTags(flex)
		}
	} else {
		m.ErrorCode = 0
		m.ResultsByTransaction = m.ResultsByTransaction[:0]
		m.ResultsByTopicV3AndBelow = readTxnTopicResults(&r, m.ResultsByTopicV3AndBelow, flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

func readTxnTopicResults(r *Reader, topics []AddPartitionsToTxnResponseTopic, flex bool) []AddPartitionsToTxnResponseTopic {
	strMin, arrMin, tagMin := flexMins(flex)
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	topics = Grow(topics, max(n, 0))
	for i := range topics {
		t := &topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		n = r.ArrayLen(4+2+tagMin, flex)
		t.ResultsByPartition = Grow(t.ResultsByPartition, max(n, 0))
		for j := range t.ResultsByPartition {
			p := &t.ResultsByPartition[j]
			p.PartitionIndex = r.Int32()
			p.PartitionErrorCode = r.Int16()
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	return topics
}

// AddOffsetsToTxnRequest is the body of an AddOffsetsToTxn request, which
// tells the transaction coordinator that the transaction will commit
// offsets of GroupId.
type AddOffsetsToTxnRequest struct {
	// TransactionalId is the transactional id.
	TransactionalId string
	// ProducerId is the producer id in use.
	ProducerId int64
	// ProducerEpoch is the epoch in use.
	ProducerEpoch int16
	// GroupId is the consumer group whose offsets the transaction commits.
	GroupId string
}

// Key returns KeyAddOffsetsToTxn.
func (m *AddOffsetsToTxnRequest) Key() int16 { return KeyAddOffsetsToTxn }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *AddOffsetsToTxnRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyAddOffsetsToTxn, version)
	dst = AppendStringFlex(dst, m.TransactionalId, flex)
	dst = AppendInt64(dst, m.ProducerId)
	dst = AppendInt16(dst, m.ProducerEpoch)
	dst = AppendStringFlex(dst, m.GroupId, flex)
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, keeping m's
// strings when the bytes are equal.
func (m *AddOffsetsToTxnRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyAddOffsetsToTxn]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyAddOffsetsToTxn, version)
	r := NewReader(src)
	m.TransactionalId = r.StringFlex(m.TransactionalId, flex)
	m.ProducerId = r.Int64()
	m.ProducerEpoch = r.Int16()
	m.GroupId = r.StringFlex(m.GroupId, flex)
	r.SkipTags(flex)
	return r.Complete()
}

// AddOffsetsToTxnResponse is the body of an AddOffsetsToTxn response.
type AddOffsetsToTxnResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode is the error, or 0.
	ErrorCode int16
}

// Key returns KeyAddOffsetsToTxn.
func (m *AddOffsetsToTxnResponse) Key() int16 { return KeyAddOffsetsToTxn }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *AddOffsetsToTxnResponse) AppendTo(dst []byte, version int16) []byte {
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	dst = AppendInt16(dst, m.ErrorCode)
	return AppendEmptyTags(dst, IsFlexible(KeyAddOffsetsToTxn, version))
}

// DecodeFrom decodes src as a response body of version into m.
func (m *AddOffsetsToTxnResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyAddOffsetsToTxn]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	r := NewReader(src)
	m.ThrottleTimeMs = r.Int32()
	m.ErrorCode = r.Int16()
	r.SkipTags(IsFlexible(KeyAddOffsetsToTxn, version))
	return r.Complete()
}

// EndTxnRequest is the body of an EndTxn request, which commits or aborts a
// transaction.
type EndTxnRequest struct {
	// TransactionalId is the transactional id.
	TransactionalId string
	// ProducerId is the producer id in use.
	ProducerId int64
	// ProducerEpoch is the epoch in use.
	ProducerEpoch int16
	// Committed is true to commit the transaction, false to abort it.
	Committed bool
}

// Key returns KeyEndTxn.
func (m *EndTxnRequest) Key() int16 { return KeyEndTxn }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *EndTxnRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyEndTxn, version)
	dst = AppendStringFlex(dst, m.TransactionalId, flex)
	dst = AppendInt64(dst, m.ProducerId)
	dst = AppendInt16(dst, m.ProducerEpoch)
	dst = AppendBool(dst, m.Committed)
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, keeping m's
// TransactionalId when the bytes are equal.
func (m *EndTxnRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyEndTxn]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyEndTxn, version)
	r := NewReader(src)
	m.TransactionalId = r.StringFlex(m.TransactionalId, flex)
	m.ProducerId = r.Int64()
	m.ProducerEpoch = r.Int16()
	m.Committed = r.Bool()
	r.SkipTags(flex)
	return r.Complete()
}

// EndTxnResponse is the body of an EndTxn response.
type EndTxnResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode is the error, or 0.
	ErrorCode int16
	// ProducerId (v5+, default -1) is the producer id to use next: from
	// version 5 the epoch is bumped at the end of every transaction
	// (KIP-890).
	ProducerId int64
	// ProducerEpoch (v5+, default -1) is the epoch to use next.
	ProducerEpoch int16
}

// Key returns KeyEndTxn.
func (m *EndTxnResponse) Key() int16 { return KeyEndTxn }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *EndTxnResponse) AppendTo(dst []byte, version int16) []byte {
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	dst = AppendInt16(dst, m.ErrorCode)
	if version >= 5 {
		dst = AppendInt64(dst, m.ProducerId)
		dst = AppendInt16(dst, m.ProducerEpoch)
	}
	return AppendEmptyTags(dst, IsFlexible(KeyEndTxn, version))
}

// DecodeFrom decodes src as a response body of version into m.
func (m *EndTxnResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyEndTxn]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	r := NewReader(src)
	m.ThrottleTimeMs = r.Int32()
	m.ErrorCode = r.Int16()
	m.ProducerId, m.ProducerEpoch = -1, -1
	if version >= 5 {
		m.ProducerId = r.Int64()
		m.ProducerEpoch = r.Int16()
	}
	r.SkipTags(IsFlexible(KeyEndTxn, version))
	return r.Complete()
}

// TxnOffsetCommitRequest is the body of a TxnOffsetCommit request, which
// commits consumer offsets as part of a transaction.
type TxnOffsetCommitRequest struct {
	// TransactionalId is the transactional id.
	TransactionalId string
	// GroupId is the consumer group.
	GroupId string
	// ProducerId is the producer id in use.
	ProducerId int64
	// ProducerEpoch is the epoch in use.
	ProducerEpoch int16
	// GenerationId (v3+, default -1) is the consumer's group generation,
	// checked by the group coordinator to fence zombie consumers (KIP-447).
	GenerationId int32
	// MemberId (v3+, default "") is the consumer's member id.
	MemberId string
	// GroupInstanceId (v3+, default null) is the consumer's static member
	// id, or null.
	GroupInstanceId NullString
	// Topics lists the offsets to commit.
	Topics []TxnOffsetCommitRequestTopic
}

// TxnOffsetCommitRequestTopic is one topic of a TxnOffsetCommitRequest.
type TxnOffsetCommitRequestTopic struct {
	// Name is the topic name.
	Name string
	// Partitions lists the offsets to commit.
	Partitions []TxnOffsetCommitRequestPartition
}

// TxnOffsetCommitRequestPartition is one partition of a
// TxnOffsetCommitRequestTopic.
type TxnOffsetCommitRequestPartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// CommittedOffset is the offset to commit.
	CommittedOffset int64
	// CommittedLeaderEpoch (v2+, default -1) is the leader epoch of the last
	// consumed record.
	CommittedLeaderEpoch int32
	// CommittedMetadata is the client's metadata kept with the offset, or
	// null.
	CommittedMetadata NullString
}

// Key returns KeyTxnOffsetCommit.
func (m *TxnOffsetCommitRequest) Key() int16 { return KeyTxnOffsetCommit }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *TxnOffsetCommitRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyTxnOffsetCommit, version)
	dst = AppendStringFlex(dst, m.TransactionalId, flex)
	dst = AppendStringFlex(dst, m.GroupId, flex)
	dst = AppendInt64(dst, m.ProducerId)
	dst = AppendInt16(dst, m.ProducerEpoch)
	if version >= 3 {
		dst = AppendInt32(dst, m.GenerationId)
		dst = AppendStringFlex(dst, m.MemberId, flex)
		dst = AppendNullableStringFlex(dst, m.GroupInstanceId, flex)
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
			if version >= 2 {
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
func (m *TxnOffsetCommitRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyTxnOffsetCommit]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyTxnOffsetCommit, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.TransactionalId = r.StringFlex(m.TransactionalId, flex)
	m.GroupId = r.StringFlex(m.GroupId, flex)
	m.ProducerId = r.Int64()
	m.ProducerEpoch = r.Int16()
	if version >= 3 {
		m.GenerationId = r.Int32()
		m.MemberId = r.StringFlex(m.MemberId, flex)
		m.GroupInstanceId = r.NullableStringFlex(m.GroupInstanceId, flex)
	} else {
		m.GenerationId, m.MemberId, m.GroupInstanceId = -1, "", NullString{}
	}
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		minPart := 4 + 8 + strMin + tagMin
		if version >= 2 {
			minPart += 4
		}
		n = r.ArrayLen(minPart, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.PartitionIndex = r.Int32()
			p.CommittedOffset = r.Int64()
			p.CommittedLeaderEpoch = -1
			if version >= 2 {
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

// TxnOffsetCommitResponse is the body of a TxnOffsetCommit response.
type TxnOffsetCommitResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// Topics holds the results per topic.
	Topics []TxnOffsetCommitResponseTopic
}

// TxnOffsetCommitResponseTopic is one topic of a TxnOffsetCommitResponse.
type TxnOffsetCommitResponseTopic struct {
	// Name is the topic name.
	Name string
	// Partitions holds the results per partition.
	Partitions []TxnOffsetCommitResponsePartition
}

// TxnOffsetCommitResponsePartition is one partition of a
// TxnOffsetCommitResponseTopic.
type TxnOffsetCommitResponsePartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
}

// Key returns KeyTxnOffsetCommit.
func (m *TxnOffsetCommitResponse) Key() int16 { return KeyTxnOffsetCommit }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *TxnOffsetCommitResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyTxnOffsetCommit, version)
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for _, p := range t.Partitions {
			dst = AppendInt32(dst, p.PartitionIndex)
			dst = AppendInt16(dst, p.ErrorCode)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *TxnOffsetCommitResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyTxnOffsetCommit]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyTxnOffsetCommit, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ThrottleTimeMs = r.Int32()
	n := r.ArrayLen(strMin+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		n = r.ArrayLen(4+2+tagMin, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
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

func init() {
	registerAPI(KeyInitProducerId, func() Message { return new(InitProducerIdRequest) }, func() Message { return new(InitProducerIdResponse) })
	registerAPI(KeyAddPartitionsToTxn, func() Message { return new(AddPartitionsToTxnRequest) }, func() Message { return new(AddPartitionsToTxnResponse) })
	registerAPI(KeyAddOffsetsToTxn, func() Message { return new(AddOffsetsToTxnRequest) }, func() Message { return new(AddOffsetsToTxnResponse) })
	registerAPI(KeyEndTxn, func() Message { return new(EndTxnRequest) }, func() Message { return new(EndTxnResponse) })
	registerAPI(KeyTxnOffsetCommit, func() Message { return new(TxnOffsetCommitRequest) }, func() Message { return new(TxnOffsetCommitResponse) })
}
