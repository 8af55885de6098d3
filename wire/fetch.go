// Fetch (API key 1), versions 4–17, written from
// testdata/kafka-protocol/messages/Fetch{Request,Response}.json.

package wire

// FetchRequest is the body of a Fetch request.
type FetchRequest struct {
	// ClusterId (v12+, tagged field 0, default null) is the cluster id, if
	// known; brokers use it to validate fetches from controllers.
	ClusterId NullString
	// ReplicaId (v4–14, default -1) is the fetching follower, or -1 for a
	// consumer. Versions 15+ carry it in ReplicaState instead.
	ReplicaId int32
	// ReplicaState (v15+, tagged field 1, default both -1) identifies a
	// fetching follower.
	ReplicaState FetchRequestReplicaState
	// MaxWaitMs is how long the broker may wait for MinBytes.
	MaxWaitMs int32
	// MinBytes is how many bytes the broker should accumulate before
	// answering.
	MinBytes int32
	// MaxBytes (default 0x7fffffff) caps the response's records.
	MaxBytes int32
	// IsolationLevel is 0 for read_uncommitted, 1 for read_committed.
	IsolationLevel int8
	// SessionId (v7+, default 0) is the fetch session id (KIP-227).
	SessionId int32
	// SessionEpoch (v7+, default -1) orders the requests of a session.
	SessionEpoch int32
	// Topics lists the partitions to fetch.
	Topics []FetchRequestTopic
	// ForgottenTopicsData (v7+) lists the partitions an incremental fetch
	// removes from the session.
	ForgottenTopicsData []FetchRequestForgottenTopic
	// RackId (v11+) is the consumer's rack, for follower fetching (KIP-392).
	RackId string
}

// FetchRequestReplicaState identifies a fetching follower (JSON
// ReplicaState). The default is both fields -1 (a consumer).
type FetchRequestReplicaState struct {
	// ReplicaId (default -1) is the follower's id, or -1 for a consumer.
	ReplicaId int32
	// ReplicaEpoch (default -1) is the follower's epoch, or -1.
	ReplicaEpoch int64
}

// noReplicaState is the default FetchRequestReplicaState.
var noReplicaState = FetchRequestReplicaState{ReplicaId: -1, ReplicaEpoch: -1}

// FetchRequestTopic is one topic of a FetchRequest (JSON FetchTopic).
type FetchRequestTopic struct {
	// Topic (v4–12) is the topic name.
	Topic string
	// TopicId (v13+) is the topic id.
	TopicId UUID
	// Partitions lists the partitions to fetch.
	Partitions []FetchRequestPartition
}

// FetchRequestPartition is one partition of a FetchRequestTopic (JSON
// FetchPartition).
type FetchRequestPartition struct {
	// Partition is the partition number.
	Partition int32
	// CurrentLeaderEpoch (v9+, default -1) fences stale leaders.
	CurrentLeaderEpoch int32
	// FetchOffset is the offset to fetch from.
	FetchOffset int64
	// LastFetchedEpoch (v12+, default -1) is the epoch of the last fetched
	// record, for divergence checks.
	LastFetchedEpoch int32
	// LogStartOffset (v5+, default -1) is a follower's log start offset; -1
	// for a consumer.
	LogStartOffset int64
	// PartitionMaxBytes caps the partition's records.
	PartitionMaxBytes int32
	// ReplicaDirectoryId (v17+, tagged field 0, default zero) is a
	// follower's log directory id.
	ReplicaDirectoryId UUID
}

// FetchRequestForgottenTopic is one topic of FetchRequest's
// ForgottenTopicsData (JSON ForgottenTopic).
type FetchRequestForgottenTopic struct {
	// Topic (v7–12) is the topic name.
	Topic string
	// TopicId (v13+) is the topic id.
	TopicId UUID
	// Partitions lists the partitions to forget.
	Partitions []int32
}

// Key returns KeyFetch.
func (m *FetchRequest) Key() int16 { return KeyFetch }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *FetchRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyFetch, version)
	if version <= 14 {
		dst = AppendInt32(dst, m.ReplicaId)
	}
	dst = AppendInt32(dst, m.MaxWaitMs)
	dst = AppendInt32(dst, m.MinBytes)
	dst = AppendInt32(dst, m.MaxBytes)
	dst = AppendInt8(dst, m.IsolationLevel)
	if version >= 7 {
		dst = AppendInt32(dst, m.SessionId)
		dst = AppendInt32(dst, m.SessionEpoch)
	}
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = appendTopicRef(dst, t.Topic, t.TopicId, version, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt32(dst, p.Partition)
			if version >= 9 {
				dst = AppendInt32(dst, p.CurrentLeaderEpoch)
			}
			dst = AppendInt64(dst, p.FetchOffset)
			if version >= 12 {
				dst = AppendInt32(dst, p.LastFetchedEpoch)
			}
			if version >= 5 {
				dst = AppendInt64(dst, p.LogStartOffset)
			}
			dst = AppendInt32(dst, p.PartitionMaxBytes)
			if version >= 17 && p.ReplicaDirectoryId != (UUID{}) {
				dst = append(dst, 1)
				dst = AppendTag(dst, 0, p.ReplicaDirectoryId[:])
			} else {
				dst = AppendEmptyTags(dst, flex)
			}
		}
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 7 {
		dst = AppendArrayLen(dst, len(m.ForgottenTopicsData), flex)
		for i := range m.ForgottenTopicsData {
			t := &m.ForgottenTopicsData[i]
			dst = appendTopicRef(dst, t.Topic, t.TopicId, version, flex)
			dst = AppendInt32Array(dst, t.Partitions, flex)
			dst = AppendEmptyTags(dst, flex)
		}
	}
	if version >= 11 {
		dst = AppendStringFlex(dst, m.RackId, flex)
	}
	if !flex {
		return dst
	}
	cluster := m.ClusterId.Valid
	replica := version >= 15 && m.ReplicaState != noReplicaState
	dst = AppendUvarint(dst, uint32(b2i(cluster)+b2i(replica)))
	if cluster {
		dst = AppendUvarint(dst, 0)
		dst = AppendUvarint(dst, uint32(UvarintLen(uint32(len(m.ClusterId.String))+1)+len(m.ClusterId.String)))
		dst = AppendCompactString(dst, m.ClusterId.String)
	}
	if replica {
		dst = AppendUvarint(dst, 1)
		dst = AppendUvarint(dst, 4+8+1)
		dst = AppendInt32(dst, m.ReplicaState.ReplicaId)
		dst = AppendInt64(dst, m.ReplicaState.ReplicaEpoch)
		dst = append(dst, 0)
	}
	return dst
}

// b2i returns 1 for true and 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *FetchRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyFetch]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyFetch, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ReplicaId = -1
	if version <= 14 {
		m.ReplicaId = r.Int32()
	}
	m.MaxWaitMs = r.Int32()
	m.MinBytes = r.Int32()
	m.MaxBytes = r.Int32()
	m.IsolationLevel = r.Int8()
	m.SessionId, m.SessionEpoch = 0, -1
	if version >= 7 {
		m.SessionId = r.Int32()
		m.SessionEpoch = r.Int32()
	}
	topicMin := strMin
	if version >= 13 {
		topicMin = 16
	}
	minPart := 4 + 8 + 4 + tagMin
	if version >= 9 {
		minPart += 4
	}
	if version >= 12 {
		minPart += 4
	}
	if version >= 5 {
		minPart += 8
	}
	n := r.ArrayLen(topicMin+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Topic, t.TopicId = readTopicRef(&r, t.Topic, version, flex)
		n = r.ArrayLen(minPart, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.Partition = r.Int32()
			p.CurrentLeaderEpoch = -1
			if version >= 9 {
				p.CurrentLeaderEpoch = r.Int32()
			}
			p.FetchOffset = r.Int64()
			p.LastFetchedEpoch = -1
			if version >= 12 {
				p.LastFetchedEpoch = r.Int32()
			}
			p.LogStartOffset = -1
			if version >= 5 {
				p.LogStartOffset = r.Int64()
			}
			p.PartitionMaxBytes = r.Int32()
			p.ReplicaDirectoryId = UUID{}
			if !flex {
				continue
			}
			for k := r.Tags(); k > 0; k-- {
				tag, data := r.Tag()
				if version >= 17 && tag == 0 {
					s := NewReader(data)
					p.ReplicaDirectoryId = s.UUID()
					if err := s.Complete(); err != nil {
						r.Fail(err)
					}
				}
			}
		}
		r.SkipTags(flex)
	}
	if version >= 7 {
		n = r.ArrayLen(topicMin+arrMin+tagMin, flex)
		m.ForgottenTopicsData = Grow(m.ForgottenTopicsData, max(n, 0))
		for i := range m.ForgottenTopicsData {
			t := &m.ForgottenTopicsData[i]
			t.Topic, t.TopicId = readTopicRef(&r, t.Topic, version, flex)
			t.Partitions = r.Int32Array(t.Partitions, flex)
			r.SkipTags(flex)
		}
	} else {
		m.ForgottenTopicsData = m.ForgottenTopicsData[:0]
	}
	if version >= 11 {
		m.RackId = r.StringFlex(m.RackId, flex)
	} else {
		m.RackId = ""
	}
	// The old ClusterId is kept aside so that an unchanged one is reused.
	oldCluster := m.ClusterId
	m.ClusterId = NullString{}
	m.ReplicaState = noReplicaState
	if flex {
		for k := r.Tags(); k > 0; k-- {
			tag, data := r.Tag()
			switch {
			case tag == 0:
				s := NewReader(data)
				m.ClusterId = s.CompactNullableString(oldCluster)
				if err := s.Complete(); err != nil {
					r.Fail(err)
				}
			case tag == 1 && version >= 15:
				s := NewReader(data)
				m.ReplicaState = FetchRequestReplicaState{ReplicaId: s.Int32(), ReplicaEpoch: s.Int64()}
				endTag(&r, &s)
			}
		}
	}
	return r.Complete()
}

// appendTopicRef appends the topic of a Fetch topic entry: its name
// (v4–12) or its id (v13+).
func appendTopicRef(dst []byte, name string, id UUID, version int16, flex bool) []byte {
	if version >= 13 {
		return AppendUUID(dst, id)
	}
	return AppendStringFlex(dst, name, flex)
}

// readTopicRef reads the topic of a Fetch topic entry: its name (v4–12,
// reusing old) or its id (v13+); the other one gets its default.
func readTopicRef(r *Reader, old string, version int16, flex bool) (string, UUID) {
	if version >= 13 {
		return "", r.UUID()
	}
	return r.StringFlex(old, flex), UUID{}
}

// FetchResponse is the body of a Fetch response. Decoding into a reused
// FetchResponse allocates nothing once its slices are large enough and its
// strings are unchanged: every partition's Records is a sub-slice of the
// input, never a copy.
type FetchResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode (v7+) is the request's error (fetch session errors), or 0.
	ErrorCode int16
	// SessionId (v7+, default 0) is the fetch session id, or 0.
	SessionId int32
	// Responses holds the data per topic.
	Responses []FetchResponseTopic
	// NodeEndpoints (v16+, tagged field 0) describes the new leaders that
	// partitions failing with NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH
	// name in CurrentLeader.
	NodeEndpoints []NodeEndpoint
}

// FetchResponseTopic is one topic of a FetchResponse (JSON
// FetchableTopicResponse).
type FetchResponseTopic struct {
	// Topic (v4–12) is the topic name.
	Topic string
	// TopicId (v13+) is the topic id.
	TopicId UUID
	// Partitions holds the data per partition.
	Partitions []FetchResponsePartition
}

// FetchResponsePartition is one partition of a FetchResponseTopic (JSON
// PartitionData).
type FetchResponsePartition struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
	// HighWatermark is the partition's high watermark.
	HighWatermark int64
	// LastStableOffset (default -1) is the last stable offset (LSO).
	LastStableOffset int64
	// LogStartOffset (v5+, default -1) is the log start offset.
	LogStartOffset int64
	// DivergingEpoch (v12+, tagged field 0, default both -1) is set when
	// the log diverged from the requested LastFetchedEpoch.
	DivergingEpoch FetchResponseEpochEndOffset
	// CurrentLeader (v12+, tagged field 1, default NoLeader) is the new
	// leader when the partition fails with a leadership error.
	CurrentLeader LeaderIdAndEpoch
	// SnapshotId (v12+, tagged field 2, default both -1) names the snapshot
	// to fetch when the offset is below the log start offset.
	SnapshotId FetchResponseSnapshotId
	// AbortedTransactions lists the aborted transactions of the fetched
	// range (read_committed only), or nil (null).
	AbortedTransactions []FetchResponseAbortedTransaction
	// PreferredReadReplica (v11+, default -1) is the replica to fetch from
	// next (KIP-392), or -1.
	PreferredReadReplica int32
	// Records is the record set, nil for null. It is a sub-slice of the
	// decoded input, never a copy: it is valid as long as the input is, and
	// must be copied to outlive it. Walk it with a RecordIter; its last
	// batch may be cut short by the broker's byte limits.
	Records []byte
}

// FetchResponseEpochEndOffset is a diverging epoch and its end offset
// (JSON EpochEndOffset).
type FetchResponseEpochEndOffset struct {
	// Epoch (default -1) is the largest epoch the logs share.
	Epoch int32
	// EndOffset (default -1) is that epoch's end offset.
	EndOffset int64
}

// FetchResponseSnapshotId names a snapshot (JSON SnapshotId).
type FetchResponseSnapshotId struct {
	// EndOffset (default -1) is the snapshot's end offset.
	EndOffset int64
	// Epoch (default -1) is the snapshot's epoch.
	Epoch int32
}

// FetchResponseAbortedTransaction is one aborted transaction of a
// FetchResponsePartition (JSON AbortedTransaction).
type FetchResponseAbortedTransaction struct {
	// ProducerId is the transaction's producer.
	ProducerId int64
	// FirstOffset is the transaction's first offset.
	FirstOffset int64
}

var (
	noEpochEndOffset = FetchResponseEpochEndOffset{Epoch: -1, EndOffset: -1}
	noSnapshotId     = FetchResponseSnapshotId{EndOffset: -1, Epoch: -1}
)

// Key returns KeyFetch.
func (m *FetchResponse) Key() int16 { return KeyFetch }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *FetchResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyFetch, version)
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	if version >= 7 {
		dst = AppendInt16(dst, m.ErrorCode)
		dst = AppendInt32(dst, m.SessionId)
	}
	dst = AppendArrayLen(dst, len(m.Responses), flex)
	for i := range m.Responses {
		t := &m.Responses[i]
		dst = appendTopicRef(dst, t.Topic, t.TopicId, version, flex)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			dst = t.Partitions[j].appendTo(dst, version, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 16 && len(m.NodeEndpoints) > 0 {
		dst = append(dst, 1)
		return appendNodeEndpointsTag(dst, 0, m.NodeEndpoints)
	}
	return AppendEmptyTags(dst, flex)
}

func (p *FetchResponsePartition) appendTo(dst []byte, version int16, flex bool) []byte {
	dst = AppendInt32(dst, p.PartitionIndex)
	dst = AppendInt16(dst, p.ErrorCode)
	dst = AppendInt64(dst, p.HighWatermark)
	dst = AppendInt64(dst, p.LastStableOffset)
	if version >= 5 {
		dst = AppendInt64(dst, p.LogStartOffset)
	}
	dst = AppendNullableArrayLen(dst, len(p.AbortedTransactions), p.AbortedTransactions == nil, flex)
	for k := range p.AbortedTransactions {
		a := &p.AbortedTransactions[k]
		dst = AppendInt64(dst, a.ProducerId)
		dst = AppendInt64(dst, a.FirstOffset)
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 11 {
		dst = AppendInt32(dst, p.PreferredReadReplica)
	}
	dst = AppendNullableBytesFlex(dst, p.Records, flex)
	if !flex {
		return dst
	}
	diverging := p.DivergingEpoch != noEpochEndOffset
	leader := p.CurrentLeader != NoLeader
	snapshot := p.SnapshotId != noSnapshotId
	dst = AppendUvarint(dst, uint32(b2i(diverging)+b2i(leader)+b2i(snapshot)))
	if diverging {
		dst = AppendUvarint(dst, 0)
		dst = AppendUvarint(dst, 4+8+1)
		dst = AppendInt32(dst, p.DivergingEpoch.Epoch)
		dst = AppendInt64(dst, p.DivergingEpoch.EndOffset)
		dst = append(dst, 0)
	}
	if leader {
		dst = appendLeaderTag(dst, 1, p.CurrentLeader)
	}
	if snapshot {
		dst = AppendUvarint(dst, 2)
		dst = AppendUvarint(dst, 8+4+1)
		dst = AppendInt64(dst, p.SnapshotId.EndOffset)
		dst = AppendInt32(dst, p.SnapshotId.Epoch)
		dst = append(dst, 0)
	}
	return dst
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings. Every partition's Records is a sub-slice of
// src, valid as long as src is.
func (m *FetchResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyFetch]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyFetch, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ThrottleTimeMs = r.Int32()
	m.ErrorCode, m.SessionId = 0, 0
	if version >= 7 {
		m.ErrorCode = r.Int16()
		m.SessionId = r.Int32()
	}
	topicMin := strMin
	if version >= 13 {
		topicMin = 16
	}
	// A partition holds its fixed fields, an aborted-transactions length,
	// a records length (4 bytes classic, 1 compact) and its tag section.
	minPart := 4 + 2 + 8 + 8 + arrMin + 4 + tagMin
	if flex {
		minPart += 1 - 4
	}
	if version >= 5 {
		minPart += 8
	}
	if version >= 11 {
		minPart += 4
	}
	n := r.ArrayLen(topicMin+arrMin+tagMin, flex)
	m.Responses = Grow(m.Responses, max(n, 0))
	for i := range m.Responses {
		t := &m.Responses[i]
		t.Topic, t.TopicId = readTopicRef(&r, t.Topic, version, flex)
		n = r.ArrayLen(minPart, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			t.Partitions[j].decode(&r, version, flex)
		}
		r.SkipTags(flex)
	}
	m.NodeEndpoints = m.NodeEndpoints[:0]
	if flex {
		for k := r.Tags(); k > 0; k-- {
			tag, data := r.Tag()
			if version >= 16 && tag == 0 {
				m.NodeEndpoints = decodeNodeEndpointsTag(&r, data, m.NodeEndpoints)
			}
		}
	}
	return r.Complete()
}

func (p *FetchResponsePartition) decode(r *Reader, version int16, flex bool) {
	p.PartitionIndex = r.Int32()
	p.ErrorCode = r.Int16()
	p.HighWatermark = r.Int64()
	p.LastStableOffset = r.Int64()
	p.LogStartOffset = -1
	if version >= 5 {
		p.LogStartOffset = r.Int64()
	}
	// An aborted transaction holds two int64 and, when flexible, a tag
	// section: a forged count fails here, before anything is made.
	minAborted := 16
	if flex {
		minAborted++
	}
	p.AbortedTransactions = growNullable(p.AbortedTransactions, r.ArrayLen(minAborted, flex))
	for k := range p.AbortedTransactions {
		a := &p.AbortedTransactions[k]
		a.ProducerId = r.Int64()
		a.FirstOffset = r.Int64()
		r.SkipTags(flex)
	}
	p.PreferredReadReplica = -1
	if version >= 11 {
		p.PreferredReadReplica = r.Int32()
	}
	p.Records = r.BytesFlex(flex)
	p.DivergingEpoch = noEpochEndOffset
	p.CurrentLeader = NoLeader
	p.SnapshotId = noSnapshotId
	if !flex {
		return
	}
	for k := r.Tags(); k > 0; k-- {
		tag, data := r.Tag()
		s := NewReader(data)
		switch tag {
		case 0:
			p.DivergingEpoch = FetchResponseEpochEndOffset{Epoch: s.Int32(), EndOffset: s.Int64()}
			endTag(r, &s)
		case 1:
			p.CurrentLeader = decodeLeaderTag(r, data)
		case 2:
			p.SnapshotId = FetchResponseSnapshotId{EndOffset: s.Int64(), Epoch: s.Int32()}
			endTag(r, &s)
		}
	}
}

func init() {
	registerAPI(KeyFetch, func() Message { return new(FetchRequest) }, func() Message { return new(FetchResponse) })
}
