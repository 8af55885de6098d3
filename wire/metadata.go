// Metadata (API key 3), versions 1–12, written from
// testdata/kafka-protocol/messages/Metadata{Request,Response}.json.

package wire

import "math"

// MetadataRequest is the body of a Metadata request.
type MetadataRequest struct {
	// Topics lists the topics to describe. nil (null) asks for every topic;
	// an empty non-nil slice asks for none (brokers and cluster only).
	Topics []MetadataRequestTopic
	// AllowAutoTopicCreation (v4+, default true) lets the broker create
	// requested topics that do not exist, if it is configured to. Versions
	// before 4 do not carry it; decoding them sets it to true.
	AllowAutoTopicCreation bool
	// IncludeClusterAuthorizedOperations (v8–10) asks for the cluster's
	// authorized operations.
	IncludeClusterAuthorizedOperations bool
	// IncludeTopicAuthorizedOperations (v8+) asks for each topic's
	// authorized operations.
	IncludeTopicAuthorizedOperations bool
}

// MetadataRequestTopic is one topic of a MetadataRequest.
type MetadataRequestTopic struct {
	// TopicId (v10+) names the topic by id; zero when it is named by Name.
	TopicId UUID
	// Name is the topic name. It may be null from v10 (topic asked by id);
	// earlier versions write a null Name as "".
	Name NullString
}

// Key returns KeyMetadata.
func (m *MetadataRequest) Key() int16 { return KeyMetadata }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *MetadataRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyMetadata, version)
	dst = AppendNullableArrayLen(dst, len(m.Topics), m.Topics == nil, flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		if version >= 10 {
			dst = AppendUUID(dst, t.TopicId)
			dst = AppendNullableStringFlex(dst, t.Name, flex)
		} else {
			dst = AppendStringFlex(dst, t.Name.String, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 4 {
		dst = AppendBool(dst, m.AllowAutoTopicCreation)
	}
	if version >= 8 && version <= 10 {
		dst = AppendBool(dst, m.IncludeClusterAuthorizedOperations)
	}
	if version >= 8 {
		dst = AppendBool(dst, m.IncludeTopicAuthorizedOperations)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices.
func (m *MetadataRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyMetadata]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyMetadata, version)
	r := NewReader(src)
	// An element holds at least a name (2 bytes classic; 1 compact plus a
	// 1-byte tag section when flexible) and a uuid from v10.
	minTopic := 2
	if version >= 10 {
		minTopic += 16
	}
	m.Topics = growNullable(m.Topics, r.ArrayLen(minTopic, flex))
	for i := range m.Topics {
		t := &m.Topics[i]
		if version >= 10 {
			t.TopicId = r.UUID()
			t.Name = r.NullableStringFlex(t.Name, flex)
		} else {
			t.TopicId = UUID{}
			t.Name = NullString{String: r.StringFlex(t.Name.String, flex), Valid: true}
		}
		r.SkipTags(flex)
	}
	m.AllowAutoTopicCreation = true
	if version >= 4 {
		m.AllowAutoTopicCreation = r.Bool()
	}
	m.IncludeClusterAuthorizedOperations = false
	if version >= 8 && version <= 10 {
		m.IncludeClusterAuthorizedOperations = r.Bool()
	}
	m.IncludeTopicAuthorizedOperations = false
	if version >= 8 {
		m.IncludeTopicAuthorizedOperations = r.Bool()
	}
	r.SkipTags(flex)
	return r.Complete()
}

// MetadataResponse is the body of a Metadata response. Decoding into a
// reused MetadataResponse allocates nothing once its slices are large
// enough and its strings (hosts, racks, topic names) are unchanged.
type MetadataResponse struct {
	// ThrottleTimeMs (v3+) is how long the request was throttled.
	ThrottleTimeMs int32
	// Brokers lists the brokers of the cluster.
	Brokers []MetadataResponseBroker
	// ClusterId (v2+, default null) is the cluster's id.
	ClusterId NullString
	// ControllerId is the controller's broker id, or -1.
	ControllerId int32
	// Topics describes each topic.
	Topics []MetadataResponseTopic
	// ClusterAuthorizedOperations (v8–10, default math.MinInt32) is the
	// bitfield of operations the client may perform on the cluster.
	ClusterAuthorizedOperations int32
}

// MetadataResponseBroker is one broker of a MetadataResponse.
type MetadataResponseBroker struct {
	// NodeId is the broker id.
	NodeId int32
	// Host is the broker's host name.
	Host string
	// Port is the broker's port.
	Port int32
	// Rack is the broker's rack, or null.
	Rack NullString
}

// MetadataResponseTopic is one topic of a MetadataResponse.
type MetadataResponseTopic struct {
	// ErrorCode is the topic's error, or 0.
	ErrorCode int16
	// Name is the topic name; null (v12+) for a topic asked by an unknown id.
	// Versions before 12 write a null Name as "".
	Name NullString
	// TopicId (v10+) is the topic id; zero for an unknown topic asked by name.
	TopicId UUID
	// IsInternal reports an internal topic.
	IsInternal bool
	// Partitions describes each partition.
	Partitions []MetadataResponsePartition
	// TopicAuthorizedOperations (v8+, default math.MinInt32) is the bitfield
	// of operations the client may perform on the topic.
	TopicAuthorizedOperations int32
}

// MetadataResponsePartition is one partition of a MetadataResponseTopic.
type MetadataResponsePartition struct {
	// ErrorCode is the partition's error, or 0.
	ErrorCode int16
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// LeaderId is the leader's broker id.
	LeaderId int32
	// LeaderEpoch (v7+, default -1) is the leader's epoch.
	LeaderEpoch int32
	// ReplicaNodes lists the brokers that host the partition.
	ReplicaNodes []int32
	// IsrNodes lists the in-sync replicas.
	IsrNodes []int32
	// OfflineReplicas (v5+) lists the offline replicas; versions before 5
	// decode it as empty.
	OfflineReplicas []int32
}

// Key returns KeyMetadata.
func (m *MetadataResponse) Key() int16 { return KeyMetadata }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *MetadataResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyMetadata, version)
	if version >= 3 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendArrayLen(dst, len(m.Brokers), flex)
	for i := range m.Brokers {
		b := &m.Brokers[i]
		dst = AppendInt32(dst, b.NodeId)
		dst = AppendStringFlex(dst, b.Host, flex)
		dst = AppendInt32(dst, b.Port)
		dst = AppendNullableStringFlex(dst, b.Rack, flex)
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 2 {
		dst = AppendNullableStringFlex(dst, m.ClusterId, flex)
	}
	dst = AppendInt32(dst, m.ControllerId)
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendInt16(dst, t.ErrorCode)
		if version >= 12 {
			dst = AppendNullableStringFlex(dst, t.Name, flex)
		} else {
			dst = AppendStringFlex(dst, t.Name.String, flex)
		}
		if version >= 10 {
			dst = AppendUUID(dst, t.TopicId)
		}
		dst = AppendBool(dst, t.IsInternal)
		dst = AppendArrayLen(dst, len(t.Partitions), flex)
		for j := range t.Partitions {
			p := &t.Partitions[j]
			dst = AppendInt16(dst, p.ErrorCode)
			dst = AppendInt32(dst, p.PartitionIndex)
			dst = AppendInt32(dst, p.LeaderId)
			if version >= 7 {
				dst = AppendInt32(dst, p.LeaderEpoch)
			}
			dst = AppendInt32Array(dst, p.ReplicaNodes, flex)
			dst = AppendInt32Array(dst, p.IsrNodes, flex)
			if version >= 5 {
				dst = AppendInt32Array(dst, p.OfflineReplicas, flex)
			}
			dst = AppendEmptyTags(dst, flex)
		}
		if version >= 8 {
			dst = AppendInt32(dst, t.TopicAuthorizedOperations)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 8 && version <= 10 {
		dst = AppendInt32(dst, m.ClusterAuthorizedOperations)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *MetadataResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyMetadata]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyMetadata, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ThrottleTimeMs = 0
	if version >= 3 {
		m.ThrottleTimeMs = r.Int32()
	}
	n := r.ArrayLen(4+strMin+4+strMin+tagMin, flex)
	m.Brokers = Grow(m.Brokers, max(n, 0))
	for i := range m.Brokers {
		b := &m.Brokers[i]
		b.NodeId = r.Int32()
		b.Host = r.StringFlex(b.Host, flex)
		b.Port = r.Int32()
		b.Rack = r.NullableStringFlex(b.Rack, flex)
		r.SkipTags(flex)
	}
	if version >= 2 {
		m.ClusterId = r.NullableStringFlex(m.ClusterId, flex)
	} else {
		m.ClusterId = NullString{}
	}
	m.ControllerId = r.Int32()
	minTopic := 2 + strMin + 1 + arrMin + tagMin
	if version >= 10 {
		minTopic += 16
	}
	if version >= 8 {
		minTopic += 4
	}
	minPart := 2 + 4 + 4 + 2*arrMin + tagMin
	if version >= 7 {
		minPart += 4
	}
	if version >= 5 {
		minPart += arrMin
	}
	n = r.ArrayLen(minTopic, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.ErrorCode = r.Int16()
		if version >= 12 {
			t.Name = r.NullableStringFlex(t.Name, flex)
		} else {
			t.Name = NullString{String: r.StringFlex(t.Name.String, flex), Valid: true}
		}
		t.TopicId = UUID{}
		if version >= 10 {
			t.TopicId = r.UUID()
		}
		t.IsInternal = r.Bool()
		n = r.ArrayLen(minPart, flex)
		t.Partitions = Grow(t.Partitions, max(n, 0))
		for j := range t.Partitions {
			p := &t.Partitions[j]
			p.ErrorCode = r.Int16()
			p.PartitionIndex = r.Int32()
			p.LeaderId = r.Int32()
			p.LeaderEpoch = -1
			if version >= 7 {
				p.LeaderEpoch = r.Int32()
			}
			p.ReplicaNodes = r.Int32Array(p.ReplicaNodes, flex)
			p.IsrNodes = r.Int32Array(p.IsrNodes, flex)
			if version >= 5 {
				p.OfflineReplicas = r.Int32Array(p.OfflineReplicas, flex)
			} else {
				p.OfflineReplicas = p.OfflineReplicas[:0]
			}
			r.SkipTags(flex)
		}
		t.TopicAuthorizedOperations = math.MinInt32
		if version >= 8 {
			t.TopicAuthorizedOperations = r.Int32()
		}
		r.SkipTags(flex)
	}
	m.ClusterAuthorizedOperations = math.MinInt32
	if version >= 8 && version <= 10 {
		m.ClusterAuthorizedOperations = r.Int32()
	}
	r.SkipTags(flex)
	return r.Complete()
}

// flexMins returns the fewest bytes a string, an array length and a
// tagged-field section take in the classic or (flexible) compact encoding;
// decoders add them up into the minimum element sizes they give ArrayLen.
func flexMins(flexible bool) (str, arr, tags int) {
	if flexible {
		return 1, 1, 1
	}
	return 2, 4, 0
}

// growNullable is Grow for a nullable array: n < 0 (null) gives nil, and
// any other n a non-nil slice, so that an empty array stays distinct from a
// null one. make of zero elements does not allocate.
func growNullable[T any](s []T, n int) []T {
	if n < 0 {
		return nil
	}
	if s == nil {
		s = make([]T, 0, n)
	}
	return Grow(s, n)
}

func init() {
	registerAPI(KeyMetadata, func() Message { return new(MetadataRequest) }, func() Message { return new(MetadataResponse) })
}
