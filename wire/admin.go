// CreateTopics (API key 19, versions 2–7), DeleteTopics (API key 20,
// versions 1–6) and CreatePartitions (API key 37, versions 0–3), written from
// testdata/kafka-protocol/messages/{CreateTopics,DeleteTopics,CreatePartitions}{Request,Response}.json.

package wire

import "encoding/binary"

// CreateTopicsRequest is the body of a CreateTopics request.
type CreateTopicsRequest struct {
	// Topics lists the topics to create.
	Topics []CreateTopicsRequestTopic
	// TimeoutMs (JSON timeoutMs, default 60000) is how long the broker waits
	// for the topics to be created.
	TimeoutMs int32
	// ValidateOnly (JSON validateOnly) checks the request without creating
	// anything.
	ValidateOnly bool
}

// CreateTopicsRequestTopic is one topic of a CreateTopicsRequest (JSON
// CreatableTopic).
type CreateTopicsRequestTopic struct {
	// Name is the topic name.
	Name string
	// NumPartitions is the partition count, or -1 for the broker default or
	// a manual assignment.
	NumPartitions int32
	// ReplicationFactor is the replica count, or -1 for the broker default
	// or a manual assignment.
	ReplicationFactor int16
	// Assignments places partitions on brokers by hand; empty for automatic
	// placement.
	Assignments []CreateTopicsRequestAssignment
	// Configs sets topic configurations.
	Configs []CreateTopicsRequestConfig
}

// CreateTopicsRequestAssignment is a manual partition placement (JSON
// CreatableReplicaAssignment).
type CreateTopicsRequestAssignment struct {
	// PartitionIndex is the partition number.
	PartitionIndex int32
	// BrokerIds lists the brokers to place the partition on.
	BrokerIds []int32
}

// CreateTopicsRequestConfig is one topic configuration (JSON
// CreatableTopicConfig).
type CreateTopicsRequestConfig struct {
	// Name is the configuration name.
	Name string
	// Value is the configuration value, or null.
	Value NullString
}

// Key returns KeyCreateTopics.
func (m *CreateTopicsRequest) Key() int16 { return KeyCreateTopics }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *CreateTopicsRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyCreateTopics, version)
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendInt32(dst, t.NumPartitions)
		dst = AppendInt16(dst, t.ReplicationFactor)
		dst = AppendArrayLen(dst, len(t.Assignments), flex)
		for j := range t.Assignments {
			a := &t.Assignments[j]
			dst = AppendInt32(dst, a.PartitionIndex)
			dst = AppendInt32Array(dst, a.BrokerIds, flex)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendArrayLen(dst, len(t.Configs), flex)
		for j := range t.Configs {
			c := &t.Configs[j]
			dst = AppendStringFlex(dst, c.Name, flex)
			dst = AppendNullableStringFlex(dst, c.Value, flex)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	dst = AppendInt32(dst, m.TimeoutMs)
	if version >= 1 {
		dst = AppendBool(dst, m.ValidateOnly)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *CreateTopicsRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyCreateTopics]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyCreateTopics, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	n := r.ArrayLen(strMin+4+2+2*arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.NumPartitions = r.Int32()
		t.ReplicationFactor = r.Int16()
		n = r.ArrayLen(4+arrMin+tagMin, flex)
		t.Assignments = Grow(t.Assignments, max(n, 0))
		for j := range t.Assignments {
			a := &t.Assignments[j]
			a.PartitionIndex = r.Int32()
			a.BrokerIds = r.Int32Array(a.BrokerIds, flex)
			r.SkipTags(flex)
		}
		n = r.ArrayLen(2*strMin+tagMin, flex)
		t.Configs = Grow(t.Configs, max(n, 0))
		for j := range t.Configs {
			c := &t.Configs[j]
			c.Name = r.StringFlex(c.Name, flex)
			c.Value = r.NullableStringFlex(c.Value, flex)
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	m.TimeoutMs = r.Int32()
	m.ValidateOnly = false
	if version >= 1 {
		m.ValidateOnly = r.Bool()
	}
	r.SkipTags(flex)
	return r.Complete()
}

// CreateTopicsResponse is the body of a CreateTopics response.
type CreateTopicsResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// Topics holds the result per topic.
	Topics []CreateTopicsResponseTopic
}

// CreateTopicsResponseTopic is the result for one topic (JSON
// CreatableTopicResult).
type CreateTopicsResponseTopic struct {
	// Name is the topic name.
	Name string
	// TopicId (v7+) is the new topic's id.
	TopicId UUID
	// ErrorCode is the topic's error, or 0.
	ErrorCode int16
	// ErrorMessage is the error message, or null.
	ErrorMessage NullString
	// TopicConfigErrorCode (v5+, tagged field 0) is the error that kept
	// Configs out of the response, or 0.
	TopicConfigErrorCode int16
	// NumPartitions (v5+, default -1) is the topic's partition count.
	NumPartitions int32
	// ReplicationFactor (v5+, default -1) is the topic's replica count.
	ReplicationFactor int16
	// Configs (v5+) holds the topic's configuration, or nil (null).
	Configs []CreateTopicsResponseConfig
}

// CreateTopicsResponseConfig is one configuration of a created topic (JSON
// CreatableTopicConfigs).
type CreateTopicsResponseConfig struct {
	// Name is the configuration name.
	Name string
	// Value is the configuration value, or null.
	Value NullString
	// ReadOnly reports a read-only configuration.
	ReadOnly bool
	// ConfigSource (default -1) says where the value comes from.
	ConfigSource int8
	// IsSensitive reports a sensitive configuration.
	IsSensitive bool
}

// Key returns KeyCreateTopics.
func (m *CreateTopicsResponse) Key() int16 { return KeyCreateTopics }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *CreateTopicsResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyCreateTopics, version)
	if version >= 2 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		if version >= 7 {
			dst = AppendUUID(dst, t.TopicId)
		}
		dst = AppendInt16(dst, t.ErrorCode)
		if version >= 1 {
			dst = AppendNullableStringFlex(dst, t.ErrorMessage, flex)
		}
		if version >= 5 {
			dst = AppendInt32(dst, t.NumPartitions)
			dst = AppendInt16(dst, t.ReplicationFactor)
			dst = AppendNullableArrayLen(dst, len(t.Configs), t.Configs == nil, flex)
			for j := range t.Configs {
				c := &t.Configs[j]
				dst = AppendStringFlex(dst, c.Name, flex)
				dst = AppendNullableStringFlex(dst, c.Value, flex)
				dst = AppendBool(dst, c.ReadOnly)
				dst = AppendInt8(dst, c.ConfigSource)
				dst = AppendBool(dst, c.IsSensitive)
				dst = AppendEmptyTags(dst, flex)
			}
		}
		if flex {
			// The one tagged field, written only when it is not its default.
			if t.TopicConfigErrorCode != 0 {
				dst = append(dst, 1)
				dst = AppendUvarint(dst, 0) // tag
				dst = AppendUvarint(dst, 2) // size
				dst = AppendInt16(dst, t.TopicConfigErrorCode)
			} else {
				dst = append(dst, 0)
			}
		}
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *CreateTopicsResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyCreateTopics]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyCreateTopics, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	m.ThrottleTimeMs = 0
	if version >= 2 {
		m.ThrottleTimeMs = r.Int32()
	}
	minTopic := strMin + 2 + strMin + tagMin
	if version >= 5 {
		minTopic += 4 + 2 + arrMin
	}
	if version >= 7 {
		minTopic += 16
	}
	n := r.ArrayLen(minTopic, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.TopicId = UUID{}
		if version >= 7 {
			t.TopicId = r.UUID()
		}
		t.ErrorCode = r.Int16()
		if version >= 1 {
			t.ErrorMessage = r.NullableStringFlex(t.ErrorMessage, flex)
		} else {
			t.ErrorMessage = NullString{}
		}
		t.NumPartitions, t.ReplicationFactor = -1, -1
		if version >= 5 {
			t.NumPartitions = r.Int32()
			t.ReplicationFactor = r.Int16()
			t.Configs = growNullable(t.Configs, r.ArrayLen(2*strMin+3+tagMin, flex))
			for j := range t.Configs {
				c := &t.Configs[j]
				c.Name = r.StringFlex(c.Name, flex)
				c.Value = r.NullableStringFlex(c.Value, flex)
				c.ReadOnly = r.Bool()
				c.ConfigSource = r.Int8()
				c.IsSensitive = r.Bool()
				r.SkipTags(flex)
			}
		} else {
			t.Configs = nil
		}
		t.TopicConfigErrorCode = 0
		if flex {
			for k := r.Tags(); k > 0; k-- {
				tag, data := r.Tag()
				if tag != 0 {
					continue // unknown: skipped
				}
				if len(data) != 2 {
					r.Fail(ErrInvalidLength)
					break
				}
				t.TopicConfigErrorCode = int16(binary.BigEndian.Uint16(data))
			}
		}
	}
	r.SkipTags(flex)
	return r.Complete()
}

// DeleteTopicsRequest is the body of a DeleteTopics request.
type DeleteTopicsRequest struct {
	// Topics (v6+) names the topics to delete by name or id.
	Topics []DeleteTopicsRequestTopic
	// TopicNames (v0–5) names the topics to delete.
	TopicNames []string
	// TimeoutMs is how long the broker waits for the deletions.
	TimeoutMs int32
}

// DeleteTopicsRequestTopic is one topic of a DeleteTopicsRequest (JSON
// DeleteTopicState).
type DeleteTopicsRequestTopic struct {
	// Name is the topic name, or null (default) when TopicId names it.
	Name NullString
	// TopicId is the topic id, or zero when Name names it.
	TopicId UUID
}

// Key returns KeyDeleteTopics.
func (m *DeleteTopicsRequest) Key() int16 { return KeyDeleteTopics }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small. Only
// Topics is written for v6+, only TopicNames before.
func (m *DeleteTopicsRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyDeleteTopics, version)
	if version >= 6 {
		dst = AppendArrayLen(dst, len(m.Topics), flex)
		for i := range m.Topics {
			t := &m.Topics[i]
			dst = AppendNullableStringFlex(dst, t.Name, flex)
			dst = AppendUUID(dst, t.TopicId)
			dst = AppendEmptyTags(dst, flex)
		}
	} else {
		dst = AppendStringArray(dst, m.TopicNames, flex)
	}
	dst = AppendInt32(dst, m.TimeoutMs)
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings. The array the version lacks is left empty.
func (m *DeleteTopicsRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyDeleteTopics]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyDeleteTopics, version)
	r := NewReader(src)
	strMin, _, tagMin := flexMins(flex)
	if version >= 6 {
		n := r.ArrayLen(strMin+16+tagMin, flex)
		m.Topics = Grow(m.Topics, max(n, 0))
		for i := range m.Topics {
			t := &m.Topics[i]
			t.Name = r.NullableStringFlex(t.Name, flex)
			t.TopicId = r.UUID()
			r.SkipTags(flex)
		}
		m.TopicNames = m.TopicNames[:0]
	} else {
		m.Topics = m.Topics[:0]
		m.TopicNames = r.StringArray(m.TopicNames, flex)
	}
	m.TimeoutMs = r.Int32()
	r.SkipTags(flex)
	return r.Complete()
}

// DeleteTopicsResponse is the body of a DeleteTopics response.
type DeleteTopicsResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// Responses holds the result per topic.
	Responses []DeleteTopicsResponseTopic
}

// DeleteTopicsResponseTopic is the result for one topic (JSON
// DeletableTopicResult).
type DeleteTopicsResponseTopic struct {
	// Name is the topic name; null (v6+) for an unknown topic deleted by id.
	// Versions before 6 write a null Name as "".
	Name NullString
	// TopicId (v6+) is the topic id.
	TopicId UUID
	// ErrorCode is the deletion's error, or 0.
	ErrorCode int16
	// ErrorMessage (v5+, default null) is the error message.
	ErrorMessage NullString
}

// Key returns KeyDeleteTopics.
func (m *DeleteTopicsResponse) Key() int16 { return KeyDeleteTopics }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *DeleteTopicsResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyDeleteTopics, version)
	if version >= 1 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendArrayLen(dst, len(m.Responses), flex)
	for i := range m.Responses {
		t := &m.Responses[i]
		if version >= 6 {
			dst = AppendNullableStringFlex(dst, t.Name, flex)
			dst = AppendUUID(dst, t.TopicId)
		} else {
			dst = AppendStringFlex(dst, t.Name.String, flex)
		}
		dst = AppendInt16(dst, t.ErrorCode)
		if version >= 5 {
			dst = AppendNullableStringFlex(dst, t.ErrorMessage, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *DeleteTopicsResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyDeleteTopics]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyDeleteTopics, version)
	r := NewReader(src)
	strMin, _, tagMin := flexMins(flex)
	m.ThrottleTimeMs = 0
	if version >= 1 {
		m.ThrottleTimeMs = r.Int32()
	}
	minTopic := strMin + 2 + tagMin
	if version >= 5 {
		minTopic += strMin
	}
	if version >= 6 {
		minTopic += 16
	}
	n := r.ArrayLen(minTopic, flex)
	m.Responses = Grow(m.Responses, max(n, 0))
	for i := range m.Responses {
		t := &m.Responses[i]
		if version >= 6 {
			t.Name = r.NullableStringFlex(t.Name, flex)
			t.TopicId = r.UUID()
		} else {
			t.Name = NullString{String: r.StringFlex(t.Name.String, flex), Valid: true}
			t.TopicId = UUID{}
		}
		t.ErrorCode = r.Int16()
		if version >= 5 {
			t.ErrorMessage = r.NullableStringFlex(t.ErrorMessage, flex)
		} else {
			t.ErrorMessage = NullString{}
		}
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// CreatePartitionsRequest is the body of a CreatePartitions request.
type CreatePartitionsRequest struct {
	// Topics lists the topics to grow.
	Topics []CreatePartitionsRequestTopic
	// TimeoutMs is how long the broker waits for the partitions.
	TimeoutMs int32
	// ValidateOnly checks the request without creating anything.
	ValidateOnly bool
}

// CreatePartitionsRequestTopic is one topic of a CreatePartitionsRequest
// (JSON CreatePartitionsTopic).
type CreatePartitionsRequestTopic struct {
	// Name is the topic name.
	Name string
	// Count is the new partition count.
	Count int32
	// Assignments places each new partition on brokers, or nil (null) for
	// automatic placement.
	Assignments []CreatePartitionsRequestAssignment
}

// CreatePartitionsRequestAssignment places one new partition (JSON
// CreatePartitionsAssignment).
type CreatePartitionsRequestAssignment struct {
	// BrokerIds lists the brokers of the partition.
	BrokerIds []int32
}

// Key returns KeyCreatePartitions.
func (m *CreatePartitionsRequest) Key() int16 { return KeyCreatePartitions }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *CreatePartitionsRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyCreatePartitions, version)
	dst = AppendArrayLen(dst, len(m.Topics), flex)
	for i := range m.Topics {
		t := &m.Topics[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendInt32(dst, t.Count)
		dst = AppendNullableArrayLen(dst, len(t.Assignments), t.Assignments == nil, flex)
		for j := range t.Assignments {
			dst = AppendInt32Array(dst, t.Assignments[j].BrokerIds, flex)
			dst = AppendEmptyTags(dst, flex)
		}
		dst = AppendEmptyTags(dst, flex)
	}
	dst = AppendInt32(dst, m.TimeoutMs)
	dst = AppendBool(dst, m.ValidateOnly)
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *CreatePartitionsRequest) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyCreatePartitions]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyCreatePartitions, version)
	r := NewReader(src)
	strMin, arrMin, tagMin := flexMins(flex)
	n := r.ArrayLen(strMin+4+arrMin+tagMin, flex)
	m.Topics = Grow(m.Topics, max(n, 0))
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.Count = r.Int32()
		t.Assignments = growNullable(t.Assignments, r.ArrayLen(arrMin+tagMin, flex))
		for j := range t.Assignments {
			a := &t.Assignments[j]
			a.BrokerIds = r.Int32Array(a.BrokerIds, flex)
			r.SkipTags(flex)
		}
		r.SkipTags(flex)
	}
	m.TimeoutMs = r.Int32()
	m.ValidateOnly = r.Bool()
	r.SkipTags(flex)
	return r.Complete()
}

// CreatePartitionsResponse is the body of a CreatePartitions response.
type CreatePartitionsResponse struct {
	// ThrottleTimeMs is how long the request was throttled.
	ThrottleTimeMs int32
	// Results holds the result per topic.
	Results []CreatePartitionsResponseResult
}

// CreatePartitionsResponseResult is the result for one topic (JSON
// CreatePartitionsTopicResult).
type CreatePartitionsResponseResult struct {
	// Name is the topic name.
	Name string
	// ErrorCode is the topic's error, or 0.
	ErrorCode int16
	// ErrorMessage is the error message, or null.
	ErrorMessage NullString
}

// Key returns KeyCreatePartitions.
func (m *CreatePartitionsResponse) Key() int16 { return KeyCreatePartitions }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *CreatePartitionsResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyCreatePartitions, version)
	dst = AppendInt32(dst, m.ThrottleTimeMs)
	dst = AppendArrayLen(dst, len(m.Results), flex)
	for i := range m.Results {
		t := &m.Results[i]
		dst = AppendStringFlex(dst, t.Name, flex)
		dst = AppendInt16(dst, t.ErrorCode)
		dst = AppendNullableStringFlex(dst, t.ErrorMessage, flex)
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings.
func (m *CreatePartitionsResponse) DecodeFrom(src []byte, version int16) error {
	if a := APIs[KeyCreatePartitions]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	flex := IsFlexible(KeyCreatePartitions, version)
	r := NewReader(src)
	strMin, _, tagMin := flexMins(flex)
	m.ThrottleTimeMs = r.Int32()
	n := r.ArrayLen(2*strMin+2+tagMin, flex)
	m.Results = Grow(m.Results, max(n, 0))
	for i := range m.Results {
		t := &m.Results[i]
		t.Name = r.StringFlex(t.Name, flex)
		t.ErrorCode = r.Int16()
		t.ErrorMessage = r.NullableStringFlex(t.ErrorMessage, flex)
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

func init() {
	registerAPI(KeyCreateTopics, func() Message { return new(CreateTopicsRequest) }, func() Message { return new(CreateTopicsResponse) })
	registerAPI(KeyDeleteTopics, func() Message { return new(DeleteTopicsRequest) }, func() Message { return new(DeleteTopicsResponse) })
	registerAPI(KeyCreatePartitions, func() Message { return new(CreatePartitionsRequest) }, func() Message { return new(CreatePartitionsResponse) })
}
