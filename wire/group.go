// The consumer-group family, written from testdata/kafka-protocol/messages/
// {FindCoordinator,JoinGroup,SyncGroup,Heartbeat,LeaveGroup,OffsetCommit,
// OffsetFetch}{Request,Response}.json. This file holds the family's shared
// helpers, its registration, FindCoordinator and Heartbeat; JoinGroup,
// SyncGroup and LeaveGroup are in group_join.go, OffsetCommit and OffsetFetch
// in group_offsets.go. None of these APIs has tagged fields in the versions we
// speak: flexible versions write an empty tagged-field section after every
// struct and decoders skip whatever tagged fields they meet.
//
// Byte-slice fields (protocol metadata, assignments) alias the input after
// DecodeFrom and are valid only as long as it is; AppendTo copies them.

package wire

func init() {
	registerAPI(KeyFindCoordinator, func() Message { return new(FindCoordinatorRequest) }, func() Message { return new(FindCoordinatorResponse) })
	registerAPI(KeyJoinGroup, func() Message { return new(JoinGroupRequest) }, func() Message { return new(JoinGroupResponse) })
	registerAPI(KeyHeartbeat, func() Message { return new(HeartbeatRequest) }, func() Message { return new(HeartbeatResponse) })
	registerAPI(KeyLeaveGroup, func() Message { return new(LeaveGroupRequest) }, func() Message { return new(LeaveGroupResponse) })
	registerAPI(KeySyncGroup, func() Message { return new(SyncGroupRequest) }, func() Message { return new(SyncGroupResponse) })
	registerAPI(KeyOffsetCommit, func() Message { return new(OffsetCommitRequest) }, func() Message { return new(OffsetCommitResponse) })
	registerAPI(KeyOffsetFetch, func() Message { return new(OffsetFetchRequest) }, func() Message { return new(OffsetFetchResponse) })
}

// groupVersionErr returns ErrUnsupportedVersion when version is outside the
// range APIs gives for key.
func groupVersionErr(key, version int16) error {
	if a := APIs[key]; version < a.Min || version > a.Max {
		return ErrUnsupportedVersion
	}
	return nil
}

// groupMins returns the fewest bytes a string, a bytes or array field, and a
// tagged-field section take in the encoding: the terms of the minimum element
// sizes passed to ArrayLen.
func groupMins(flex bool) (str, arr, tags int) {
	if flex {
		return 1, 1, 1
	}
	return 2, 4, 0
}

// groupArray grows s to the length n read by ArrayLen for a non-nullable
// array: a null or failed length gives an empty array.
func groupArray[T any](s []T, n int) []T { return Grow(s, max(n, 0)) }

// groupNullableArray grows s to the length n read by ArrayLen for a nullable
// array: -1 (null, or a failed read) gives nil, anything else a non-nil slice.
func groupNullableArray[T any](s []T, n int) []T {
	if n < 0 {
		return nil
	}
	s = Grow(s, n)
	if s == nil {
		s = []T{}
	}
	return s
}

// groupNullable reads a nullable string that the version has (has), or
// returns null, the default of every such field in this family.
func groupNullable(r *Reader, old NullString, has, flex bool) NullString {
	if !has {
		return NullString{}
	}
	return r.NullableStringFlex(old, flex)
}

// FindCoordinatorRequest is the body of a FindCoordinator request (API key
// 10, versions 0–6). Versions 0–3 ask for one CoordinatorKey; 4+ batch CoordinatorKeys.
type FindCoordinatorRequest struct {
	// CoordinatorKey (v0–3) is the group id or transactional id to look
	// up: JSON Key, renamed because Key is the Message method.
	CoordinatorKey string
	// KeyType (v1+) is 0 for a group, 1 for a transaction.
	KeyType int8
	// CoordinatorKeys (v4+) are the keys to look up.
	CoordinatorKeys []string
}

// Key returns KeyFindCoordinator.
func (m *FindCoordinatorRequest) Key() int16 { return KeyFindCoordinator }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *FindCoordinatorRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyFindCoordinator, version)
	if version <= 3 {
		dst = AppendStringFlex(dst, m.CoordinatorKey, flex)
	}
	if version >= 1 {
		dst = AppendInt8(dst, m.KeyType)
	}
	if version >= 4 {
		dst = AppendStringArray(dst, m.CoordinatorKeys, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *FindCoordinatorRequest) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyFindCoordinator, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyFindCoordinator, version)
	r := NewReader(src)
	if version <= 3 {
		m.CoordinatorKey = r.StringFlex(m.CoordinatorKey, flex)
	} else {
		m.CoordinatorKey = ""
	}
	m.KeyType = 0
	if version >= 1 {
		m.KeyType = r.Int8()
	}
	if version >= 4 {
		m.CoordinatorKeys = r.StringArray(m.CoordinatorKeys, flex)
	} else {
		m.CoordinatorKeys = nil
	}
	r.SkipTags(flex)
	return r.Complete()
}

// FindCoordinatorResponse is the body of a FindCoordinator response. Versions
// 0–3 answer with the top-level fields; 4+ with Coordinators, one per key.
type FindCoordinatorResponse struct {
	// ThrottleTimeMs (v1+) is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode (v0–3) is the error, or 0.
	ErrorCode int16
	// ErrorMessage (v1–3) is the error message, or null.
	ErrorMessage NullString
	// NodeId (v0–3) is the coordinator's broker id.
	NodeId int32
	// Host (v0–3) is the coordinator's host name.
	Host string
	// Port (v0–3) is the coordinator's port.
	Port int32
	// Coordinators (v4+) holds one result per requested key.
	Coordinators []FindCoordinatorResponseCoordinator
}

// FindCoordinatorResponseCoordinator is one result of a v4+
// FindCoordinatorResponse (JSON Coordinator).
type FindCoordinatorResponseCoordinator struct {
	// Key is the key this result answers.
	Key string
	// NodeId is the coordinator's broker id.
	NodeId int32
	// Host is the coordinator's host name.
	Host string
	// Port is the coordinator's port.
	Port int32
	// ErrorCode is the error for this key, or 0.
	ErrorCode int16
	// ErrorMessage is the error message, or null.
	ErrorMessage NullString
}

// Key returns KeyFindCoordinator.
func (m *FindCoordinatorResponse) Key() int16 { return KeyFindCoordinator }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *FindCoordinatorResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyFindCoordinator, version)
	if version >= 1 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	if version <= 3 {
		dst = AppendInt16(dst, m.ErrorCode)
		if version >= 1 {
			dst = AppendNullableStringFlex(dst, m.ErrorMessage, flex)
		}
		dst = AppendInt32(dst, m.NodeId)
		dst = AppendStringFlex(dst, m.Host, flex)
		dst = AppendInt32(dst, m.Port)
	} else {
		dst = AppendArrayLen(dst, len(m.Coordinators), flex)
		for i := range m.Coordinators {
			c := &m.Coordinators[i]
			dst = AppendStringFlex(dst, c.Key, flex)
			dst = AppendInt32(dst, c.NodeId)
			dst = AppendStringFlex(dst, c.Host, flex)
			dst = AppendInt32(dst, c.Port)
			dst = AppendInt16(dst, c.ErrorCode)
			dst = AppendNullableStringFlex(dst, c.ErrorMessage, flex)
			dst = AppendEmptyTags(dst, flex)
		}
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings; it allocates nothing once m has held a
// response of the same shape.
func (m *FindCoordinatorResponse) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyFindCoordinator, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyFindCoordinator, version)
	r := NewReader(src)
	m.ThrottleTimeMs = 0
	if version >= 1 {
		m.ThrottleTimeMs = r.Int32()
	}
	m.ErrorCode, m.NodeId, m.Port = 0, 0, 0
	if version <= 3 {
		m.ErrorCode = r.Int16()
		if version >= 1 {
			m.ErrorMessage = r.NullableStringFlex(m.ErrorMessage, flex)
		} else {
			m.ErrorMessage = NullString{}
		}
		m.NodeId = r.Int32()
		m.Host = r.StringFlex(m.Host, flex)
		m.Port = r.Int32()
		m.Coordinators = nil
	} else {
		m.ErrorMessage, m.Host = NullString{}, ""
		s, _, t := groupMins(flex)
		// Key, NodeId, Host, Port, ErrorCode, ErrorMessage, tags.
		n := r.ArrayLen(s+4+s+4+2+s+t, flex)
		m.Coordinators = groupArray(m.Coordinators, n)
		for i := range m.Coordinators {
			c := &m.Coordinators[i]
			c.Key = r.StringFlex(c.Key, flex)
			c.NodeId = r.Int32()
			c.Host = r.StringFlex(c.Host, flex)
			c.Port = r.Int32()
			c.ErrorCode = r.Int16()
			c.ErrorMessage = r.NullableStringFlex(c.ErrorMessage, flex)
			r.SkipTags(flex)
		}
	}
	r.SkipTags(flex)
	return r.Complete()
}

// HeartbeatRequest is the body of a Heartbeat request (API key 12, versions
// 0–4).
type HeartbeatRequest struct {
	// GroupId is the group.
	GroupId string
	// GenerationId is the member's generation.
	GenerationId int32
	// MemberId is the member id the coordinator assigned.
	MemberId string
	// GroupInstanceId (v3+) is the static member id, or null.
	GroupInstanceId NullString
}

// Key returns KeyHeartbeat.
func (m *HeartbeatRequest) Key() int16 { return KeyHeartbeat }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *HeartbeatRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyHeartbeat, version)
	dst = AppendStringFlex(dst, m.GroupId, flex)
	dst = AppendInt32(dst, m.GenerationId)
	dst = AppendStringFlex(dst, m.MemberId, flex)
	if version >= 3 {
		dst = AppendNullableStringFlex(dst, m.GroupInstanceId, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, keeping m's
// unchanged strings.
func (m *HeartbeatRequest) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyHeartbeat, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyHeartbeat, version)
	r := NewReader(src)
	m.GroupId = r.StringFlex(m.GroupId, flex)
	m.GenerationId = r.Int32()
	m.MemberId = r.StringFlex(m.MemberId, flex)
	m.GroupInstanceId = groupNullable(&r, m.GroupInstanceId, version >= 3, flex)
	r.SkipTags(flex)
	return r.Complete()
}

// HeartbeatResponse is the body of a Heartbeat response.
type HeartbeatResponse struct {
	// ThrottleTimeMs (v1+) is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode is the error, or 0 (REBALANCE_IN_PROGRESS asks the member to
	// rejoin).
	ErrorCode int16
}

// Key returns KeyHeartbeat.
func (m *HeartbeatResponse) Key() int16 { return KeyHeartbeat }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *HeartbeatResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyHeartbeat, version)
	if version >= 1 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendInt16(dst, m.ErrorCode)
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m; it never
// allocates.
func (m *HeartbeatResponse) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyHeartbeat, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyHeartbeat, version)
	r := NewReader(src)
	m.ThrottleTimeMs = 0
	if version >= 1 {
		m.ThrottleTimeMs = r.Int32()
	}
	m.ErrorCode = r.Int16()
	r.SkipTags(flex)
	return r.Complete()
}
