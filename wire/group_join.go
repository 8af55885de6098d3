// JoinGroup (API key 11, versions 0–9), SyncGroup (14, 0–5) and LeaveGroup
// (13, 0–5); see group.go for the family's conventions.

package wire

// JoinGroupRequest is the body of a JoinGroup request. A new member first
// joins with an empty MemberId; from v4 the coordinator answers
// MEMBER_ID_REQUIRED with the MemberId to join again with.
type JoinGroupRequest struct {
	// GroupId is the group to join.
	GroupId string
	// SessionTimeoutMs is how long the coordinator waits for a heartbeat
	// before it considers the member dead.
	SessionTimeoutMs int32
	// RebalanceTimeoutMs (v1+, default -1) is how long the coordinator waits
	// for every member to rejoin during a rebalance.
	RebalanceTimeoutMs int32
	// MemberId is the member id the coordinator assigned, or "" at first.
	MemberId string
	// GroupInstanceId (v5+) is the static member id, or null.
	GroupInstanceId NullString
	// ProtocolType is the class of protocols, "consumer" for consumers.
	ProtocolType string
	// Protocols lists the protocols the member supports, preferred first.
	Protocols []JoinGroupRequestProtocol
	// Reason (v8+) says why the member (re)joins, or null.
	Reason NullString
}

// JoinGroupRequestProtocol is one protocol a member supports.
type JoinGroupRequestProtocol struct {
	// Name is the protocol (assignor) name.
	Name string
	// Metadata is the protocol metadata (for consumers an encoded
	// ConsumerProtocolSubscription). AppendTo copies it; after DecodeFrom it
	// aliases the input.
	Metadata []byte
}

// Key returns KeyJoinGroup.
func (m *JoinGroupRequest) Key() int16 { return KeyJoinGroup }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *JoinGroupRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyJoinGroup, version)
	dst = AppendStringFlex(dst, m.GroupId, flex)
	dst = AppendInt32(dst, m.SessionTimeoutMs)
	if version >= 1 {
		dst = AppendInt32(dst, m.RebalanceTimeoutMs)
	}
	dst = AppendStringFlex(dst, m.MemberId, flex)
	if version >= 5 {
		dst = AppendNullableStringFlex(dst, m.GroupInstanceId, flex)
	}
	dst = AppendStringFlex(dst, m.ProtocolType, flex)
	dst = AppendArrayLen(dst, len(m.Protocols), flex)
	for i := range m.Protocols {
		p := &m.Protocols[i]
		dst = AppendStringFlex(dst, p.Name, flex)
		dst = AppendBytesFlex(dst, p.Metadata, flex)
		dst = AppendEmptyTags(dst, flex)
	}
	if version >= 8 {
		dst = AppendNullableStringFlex(dst, m.Reason, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings. Metadata fields alias src.
func (m *JoinGroupRequest) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyJoinGroup, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyJoinGroup, version)
	r := NewReader(src)
	m.GroupId = r.StringFlex(m.GroupId, flex)
	m.SessionTimeoutMs = r.Int32()
	m.RebalanceTimeoutMs = -1
	if version >= 1 {
		m.RebalanceTimeoutMs = r.Int32()
	}
	m.MemberId = r.StringFlex(m.MemberId, flex)
	m.GroupInstanceId = groupNullable(&r, m.GroupInstanceId, version >= 5, flex)
	m.ProtocolType = r.StringFlex(m.ProtocolType, flex)
	s, a, t := groupMins(flex)
	m.Protocols = groupArray(m.Protocols, r.ArrayLen(s+a+t, flex))
	for i := range m.Protocols {
		p := &m.Protocols[i]
		p.Name = r.StringFlex(p.Name, flex)
		p.Metadata = r.BytesFlex(flex)
		r.SkipTags(flex)
	}
	m.Reason = groupNullable(&r, m.Reason, version >= 8, flex)
	r.SkipTags(flex)
	return r.Complete()
}

// JoinGroupResponse is the body of a JoinGroup response. The leader gets
// every member's protocol metadata in Members; followers get none.
type JoinGroupResponse struct {
	// ThrottleTimeMs (v2+) is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode is the error, or 0. MEMBER_ID_REQUIRED (v4+) comes with the
	// MemberId the member must join again with.
	ErrorCode int16
	// GenerationId (default -1) is the group's generation.
	GenerationId int32
	// ProtocolType (v7+) is the group's protocol type, or null.
	ProtocolType NullString
	// ProtocolName is the protocol the coordinator chose; it is nullable
	// from v7 and always valid when decoded from earlier versions (AppendTo
	// writes a null one as "" there).
	ProtocolName NullString
	// Leader is the member id of the group leader.
	Leader string
	// SkipAssignment (v9+) tells the leader not to run the assignment.
	SkipAssignment bool
	// MemberId is this member's id.
	MemberId string
	// Members lists the group's members (for the leader only).
	Members []JoinGroupResponseMember
}

// JoinGroupResponseMember is one member of a JoinGroupResponse.
type JoinGroupResponseMember struct {
	// MemberId is the member's id.
	MemberId string
	// GroupInstanceId (v5+) is the member's static id, or null.
	GroupInstanceId NullString
	// Metadata is the member's metadata for the chosen protocol (for
	// consumers an encoded ConsumerProtocolSubscription). AppendTo copies
	// it; after DecodeFrom it aliases the input.
	Metadata []byte
}

// Key returns KeyJoinGroup.
func (m *JoinGroupResponse) Key() int16 { return KeyJoinGroup }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *JoinGroupResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyJoinGroup, version)
	if version >= 2 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendInt16(dst, m.ErrorCode)
	dst = AppendInt32(dst, m.GenerationId)
	if version >= 7 {
		dst = AppendNullableStringFlex(dst, m.ProtocolType, flex)
		dst = AppendNullableStringFlex(dst, m.ProtocolName, flex)
	} else {
		dst = AppendStringFlex(dst, m.ProtocolName.String, flex)
	}
	dst = AppendStringFlex(dst, m.Leader, flex)
	if version >= 9 {
		dst = AppendBool(dst, m.SkipAssignment)
	}
	dst = AppendStringFlex(dst, m.MemberId, flex)
	dst = AppendArrayLen(dst, len(m.Members), flex)
	for i := range m.Members {
		p := &m.Members[i]
		dst = AppendStringFlex(dst, p.MemberId, flex)
		if version >= 5 {
			dst = AppendNullableStringFlex(dst, p.GroupInstanceId, flex)
		}
		dst = AppendBytesFlex(dst, p.Metadata, flex)
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings; it allocates nothing once m has held a
// response of the same shape. Metadata fields alias src.
func (m *JoinGroupResponse) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyJoinGroup, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyJoinGroup, version)
	r := NewReader(src)
	m.ThrottleTimeMs = 0
	if version >= 2 {
		m.ThrottleTimeMs = r.Int32()
	}
	m.ErrorCode = r.Int16()
	m.GenerationId = r.Int32()
	if version >= 7 {
		m.ProtocolType = r.NullableStringFlex(m.ProtocolType, flex)
		m.ProtocolName = r.NullableStringFlex(m.ProtocolName, flex)
	} else {
		m.ProtocolType = NullString{}
		m.ProtocolName = NullString{String: r.StringFlex(m.ProtocolName.String, flex), Valid: true}
	}
	m.Leader = r.StringFlex(m.Leader, flex)
	m.SkipAssignment = false
	if version >= 9 {
		m.SkipAssignment = r.Bool()
	}
	m.MemberId = r.StringFlex(m.MemberId, flex)
	s, a, t := groupMins(flex)
	minMember := s + a + t
	if version >= 5 {
		minMember += s
	}
	m.Members = groupArray(m.Members, r.ArrayLen(minMember, flex))
	for i := range m.Members {
		p := &m.Members[i]
		p.MemberId = r.StringFlex(p.MemberId, flex)
		p.GroupInstanceId = groupNullable(&r, p.GroupInstanceId, version >= 5, flex)
		p.Metadata = r.BytesFlex(flex)
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// SyncGroupRequest is the body of a SyncGroup request (API key 14, versions
// 0–5). The leader sends every member's assignment; followers send none.
type SyncGroupRequest struct {
	// GroupId is the group.
	GroupId string
	// GenerationId is the generation the assignments are for.
	GenerationId int32
	// MemberId is this member's id.
	MemberId string
	// GroupInstanceId (v3+) is the static member id, or null.
	GroupInstanceId NullString
	// ProtocolType (v5+) is the group's protocol type, or null.
	ProtocolType NullString
	// ProtocolName (v5+) is the chosen protocol, or null.
	ProtocolName NullString
	// Assignments holds one assignment per member (leader only).
	Assignments []SyncGroupRequestAssignment
}

// SyncGroupRequestAssignment is one member's assignment in a
// SyncGroupRequest.
type SyncGroupRequestAssignment struct {
	// MemberId is the member the assignment is for.
	MemberId string
	// Assignment is the assignment (for consumers an encoded
	// ConsumerProtocolAssignment). AppendTo copies it; after DecodeFrom it
	// aliases the input.
	Assignment []byte
}

// Key returns KeySyncGroup.
func (m *SyncGroupRequest) Key() int16 { return KeySyncGroup }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *SyncGroupRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeySyncGroup, version)
	dst = AppendStringFlex(dst, m.GroupId, flex)
	dst = AppendInt32(dst, m.GenerationId)
	dst = AppendStringFlex(dst, m.MemberId, flex)
	if version >= 3 {
		dst = AppendNullableStringFlex(dst, m.GroupInstanceId, flex)
	}
	if version >= 5 {
		dst = AppendNullableStringFlex(dst, m.ProtocolType, flex)
		dst = AppendNullableStringFlex(dst, m.ProtocolName, flex)
	}
	dst = AppendArrayLen(dst, len(m.Assignments), flex)
	for i := range m.Assignments {
		p := &m.Assignments[i]
		dst = AppendStringFlex(dst, p.MemberId, flex)
		dst = AppendBytesFlex(dst, p.Assignment, flex)
		dst = AppendEmptyTags(dst, flex)
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings. Assignment fields alias src.
func (m *SyncGroupRequest) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeySyncGroup, version); err != nil {
		return err
	}
	flex := IsFlexible(KeySyncGroup, version)
	r := NewReader(src)
	m.GroupId = r.StringFlex(m.GroupId, flex)
	m.GenerationId = r.Int32()
	m.MemberId = r.StringFlex(m.MemberId, flex)
	m.GroupInstanceId = groupNullable(&r, m.GroupInstanceId, version >= 3, flex)
	m.ProtocolType = groupNullable(&r, m.ProtocolType, version >= 5, flex)
	m.ProtocolName = groupNullable(&r, m.ProtocolName, version >= 5, flex)
	s, a, t := groupMins(flex)
	m.Assignments = groupArray(m.Assignments, r.ArrayLen(s+a+t, flex))
	for i := range m.Assignments {
		p := &m.Assignments[i]
		p.MemberId = r.StringFlex(p.MemberId, flex)
		p.Assignment = r.BytesFlex(flex)
		r.SkipTags(flex)
	}
	r.SkipTags(flex)
	return r.Complete()
}

// SyncGroupResponse is the body of a SyncGroup response.
type SyncGroupResponse struct {
	// ThrottleTimeMs (v1+) is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode is the error, or 0.
	ErrorCode int16
	// ProtocolType (v5+) is the group's protocol type, or null.
	ProtocolType NullString
	// ProtocolName (v5+) is the chosen protocol, or null.
	ProtocolName NullString
	// Assignment is this member's assignment (for consumers an encoded
	// ConsumerProtocolAssignment). AppendTo copies it; after DecodeFrom it
	// aliases the input.
	Assignment []byte
}

// Key returns KeySyncGroup.
func (m *SyncGroupResponse) Key() int16 { return KeySyncGroup }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *SyncGroupResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeySyncGroup, version)
	if version >= 1 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendInt16(dst, m.ErrorCode)
	if version >= 5 {
		dst = AppendNullableStringFlex(dst, m.ProtocolType, flex)
		dst = AppendNullableStringFlex(dst, m.ProtocolName, flex)
	}
	dst = AppendBytesFlex(dst, m.Assignment, flex)
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, keeping m's
// unchanged strings; it allocates nothing once m has held a response of the
// same shape. Assignment aliases src.
func (m *SyncGroupResponse) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeySyncGroup, version); err != nil {
		return err
	}
	flex := IsFlexible(KeySyncGroup, version)
	r := NewReader(src)
	m.ThrottleTimeMs = 0
	if version >= 1 {
		m.ThrottleTimeMs = r.Int32()
	}
	m.ErrorCode = r.Int16()
	m.ProtocolType = groupNullable(&r, m.ProtocolType, version >= 5, flex)
	m.ProtocolName = groupNullable(&r, m.ProtocolName, version >= 5, flex)
	m.Assignment = r.BytesFlex(flex)
	r.SkipTags(flex)
	return r.Complete()
}

// LeaveGroupRequest is the body of a LeaveGroup request (API key 13,
// versions 0–5). Versions 0–2 remove one MemberId; 3+ a batch of Members.
type LeaveGroupRequest struct {
	// GroupId is the group to leave.
	GroupId string
	// MemberId (v0–2) is the member to remove.
	MemberId string
	// Members (v3+) lists the members to remove.
	Members []LeaveGroupRequestMember
}

// LeaveGroupRequestMember is one leaving member of a v3+ LeaveGroupRequest
// (JSON MemberIdentity).
type LeaveGroupRequestMember struct {
	// MemberId is the member to remove.
	MemberId string
	// GroupInstanceId is its static id, or null.
	GroupInstanceId NullString
	// Reason (v5+) says why the member leaves, or null.
	Reason NullString
}

// Key returns KeyLeaveGroup.
func (m *LeaveGroupRequest) Key() int16 { return KeyLeaveGroup }

// AppendTo appends the request body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *LeaveGroupRequest) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyLeaveGroup, version)
	dst = AppendStringFlex(dst, m.GroupId, flex)
	if version <= 2 {
		dst = AppendStringFlex(dst, m.MemberId, flex)
	} else {
		dst = AppendArrayLen(dst, len(m.Members), flex)
		for i := range m.Members {
			p := &m.Members[i]
			dst = AppendStringFlex(dst, p.MemberId, flex)
			dst = AppendNullableStringFlex(dst, p.GroupInstanceId, flex)
			if version >= 5 {
				dst = AppendNullableStringFlex(dst, p.Reason, flex)
			}
			dst = AppendEmptyTags(dst, flex)
		}
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a request body of version into m, reusing m's
// slices and unchanged strings.
func (m *LeaveGroupRequest) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyLeaveGroup, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyLeaveGroup, version)
	r := NewReader(src)
	m.GroupId = r.StringFlex(m.GroupId, flex)
	if version <= 2 {
		m.MemberId = r.StringFlex(m.MemberId, flex)
		m.Members = nil
	} else {
		m.MemberId = ""
		s, _, t := groupMins(flex)
		minMember := s + s + t
		if version >= 5 {
			minMember += s
		}
		m.Members = groupArray(m.Members, r.ArrayLen(minMember, flex))
		for i := range m.Members {
			p := &m.Members[i]
			p.MemberId = r.StringFlex(p.MemberId, flex)
			p.GroupInstanceId = r.NullableStringFlex(p.GroupInstanceId, flex)
			p.Reason = groupNullable(&r, p.Reason, version >= 5, flex)
			r.SkipTags(flex)
		}
	}
	r.SkipTags(flex)
	return r.Complete()
}

// LeaveGroupResponse is the body of a LeaveGroup response.
type LeaveGroupResponse struct {
	// ThrottleTimeMs (v1+) is how long the request was throttled.
	ThrottleTimeMs int32
	// ErrorCode is the error, or 0.
	ErrorCode int16
	// Members (v3+) holds one result per leaving member.
	Members []LeaveGroupResponseMember
}

// LeaveGroupResponseMember is one member's result in a v3+
// LeaveGroupResponse (JSON MemberResponse).
type LeaveGroupResponseMember struct {
	// MemberId is the member removed.
	MemberId string
	// GroupInstanceId is its static id, or null.
	GroupInstanceId NullString
	// ErrorCode is the error for this member, or 0.
	ErrorCode int16
}

// Key returns KeyLeaveGroup.
func (m *LeaveGroupResponse) Key() int16 { return KeyLeaveGroup }

// AppendTo appends the response body encoded for version to dst and returns
// the extended slice; it allocates only when cap(dst) is too small.
func (m *LeaveGroupResponse) AppendTo(dst []byte, version int16) []byte {
	flex := IsFlexible(KeyLeaveGroup, version)
	if version >= 1 {
		dst = AppendInt32(dst, m.ThrottleTimeMs)
	}
	dst = AppendInt16(dst, m.ErrorCode)
	if version >= 3 {
		dst = AppendArrayLen(dst, len(m.Members), flex)
		for i := range m.Members {
			p := &m.Members[i]
			dst = AppendStringFlex(dst, p.MemberId, flex)
			dst = AppendNullableStringFlex(dst, p.GroupInstanceId, flex)
			dst = AppendInt16(dst, p.ErrorCode)
			dst = AppendEmptyTags(dst, flex)
		}
	}
	return AppendEmptyTags(dst, flex)
}

// DecodeFrom decodes src as a response body of version into m, reusing m's
// slices and unchanged strings; it allocates nothing once m has held a
// response of the same shape.
func (m *LeaveGroupResponse) DecodeFrom(src []byte, version int16) error {
	if err := groupVersionErr(KeyLeaveGroup, version); err != nil {
		return err
	}
	flex := IsFlexible(KeyLeaveGroup, version)
	r := NewReader(src)
	m.ThrottleTimeMs = 0
	if version >= 1 {
		m.ThrottleTimeMs = r.Int32()
	}
	m.ErrorCode = r.Int16()
	if version >= 3 {
		s, _, t := groupMins(flex)
		m.Members = groupArray(m.Members, r.ArrayLen(s+s+2+t, flex))
		for i := range m.Members {
			p := &m.Members[i]
			p.MemberId = r.StringFlex(p.MemberId, flex)
			p.GroupInstanceId = r.NullableStringFlex(p.GroupInstanceId, flex)
			p.ErrorCode = r.Int16()
			r.SkipTags(flex)
		}
	} else {
		m.Members = nil
	}
	r.SkipTags(flex)
	return r.Complete()
}
