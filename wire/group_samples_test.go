package wire

// Sample values for the consumer-group codecs. Every sample function takes
// the version and a seed: seed 0 and 1 give different non-default values in
// every field the version has (arrays of 2+seed elements), and seed -1 gives
// the smallest encoding of each element (empty strings, null nullable
// strings, empty bytes and int arrays) so that the minimum element sizes
// given to ArrayLen are checked to be true lower bounds. Fields the version
// lacks hold their defaults, which is what a decoder must leave in them.

// groupCase names one message type of the family and how to build samples.
type groupCase struct {
	name   string
	key    int16
	sample func(version int16, seed int) Message
}

var groupCases = []groupCase{
	{"FindCoordinatorRequest", KeyFindCoordinator, func(v int16, s int) Message { return groupFindCoordinatorRequest(v, s) }},
	{"FindCoordinatorResponse", KeyFindCoordinator, func(v int16, s int) Message { return groupFindCoordinatorResponse(v, s) }},
	{"JoinGroupRequest", KeyJoinGroup, func(v int16, s int) Message { return groupJoinGroupRequest(v, s) }},
	{"JoinGroupResponse", KeyJoinGroup, func(v int16, s int) Message { return groupJoinGroupResponse(v, s, 2+max(s, 0)) }},
	{"SyncGroupRequest", KeySyncGroup, func(v int16, s int) Message { return groupSyncGroupRequest(v, s) }},
	{"SyncGroupResponse", KeySyncGroup, func(v int16, s int) Message { return groupSyncGroupResponse(v, s) }},
	{"HeartbeatRequest", KeyHeartbeat, func(v int16, s int) Message { return groupHeartbeatRequest(v, s) }},
	{"HeartbeatResponse", KeyHeartbeat, func(v int16, s int) Message { return groupHeartbeatResponse(v, s) }},
	{"LeaveGroupRequest", KeyLeaveGroup, func(v int16, s int) Message { return groupLeaveGroupRequest(v, s) }},
	{"LeaveGroupResponse", KeyLeaveGroup, func(v int16, s int) Message { return groupLeaveGroupResponse(v, s) }},
	{"OffsetCommitRequest", KeyOffsetCommit, func(v int16, s int) Message { return groupOffsetCommitRequest(v, s, 2+max(s, 0), 2+max(s, 0)) }},
	{"OffsetCommitResponse", KeyOffsetCommit, func(v int16, s int) Message { return groupOffsetCommitResponse(v, s) }},
	{"OffsetFetchRequest", KeyOffsetFetch, func(v int16, s int) Message { return groupOffsetFetchRequest(v, s) }},
	{"OffsetFetchResponse", KeyOffsetFetch, func(v int16, s int) Message { return groupOffsetFetchResponse(v, s) }},
}

// gIf returns v when cond holds, def (the field's default) otherwise.
func gIf[T any](cond bool, v, def T) T {
	if cond {
		return v
	}
	return def
}

// gStr returns a string that differs with seed, or "" for seed -1.
func gStr(prefix string, seed int) string {
	if seed < 0 {
		return ""
	}
	return prefix + "-" + string(rune('a'+seed))
}

// gNull returns a valid NullString that differs with seed, or null for
// seed -1.
func gNull(prefix string, seed int) NullString {
	if seed < 0 {
		return NullString{}
	}
	return NewNullString(gStr(prefix, seed))
}

// gBytes returns 3+seed bytes that differ with salt and seed, or an empty
// non-nil slice for seed -1.
func gBytes(salt byte, seed int) []byte {
	if seed < 0 {
		return []byte{}
	}
	b := make([]byte, 3+seed)
	for i := range b {
		b[i] = salt + byte(seed*7+i)
	}
	return b
}

// gList returns 2+seed elements made by f, or nil for seed -1 (an empty
// int32 or string array decodes as nil).
func gList[T any](seed int, f func(i int) T) []T {
	if seed < 0 {
		return nil
	}
	s := make([]T, 2+seed)
	for i := range s {
		s[i] = f(i)
	}
	return s
}

// gInts returns 2+seed int32s starting at base, or nil for seed -1.
func gInts(base int32, seed int) []int32 {
	return gList(seed, func(i int) int32 { return base + int32(i) })
}

// gStrs returns 2+seed strings, or nil for seed -1.
func gStrs(prefix string, seed int) []string {
	return gList(seed, func(i int) string { return gStr(prefix, seed+i) })
}

// gN is the length of the sample arrays of structs for seed.
func gN(seed int) int { return 2 + max(seed, 0) }

func groupFindCoordinatorRequest(v int16, s int) *FindCoordinatorRequest {
	return &FindCoordinatorRequest{
		CoordinatorKey:  gIf(v <= 3, gStr("group", s), ""),
		KeyType:         gIf(v >= 1, int8(1), 0),
		CoordinatorKeys: gIf(v >= 4, gStrs("key", s), nil),
	}
}

func groupFindCoordinatorResponse(v int16, s int) *FindCoordinatorResponse {
	m := &FindCoordinatorResponse{
		ThrottleTimeMs: gIf(v >= 1, int32(100+s), 0),
		ErrorCode:      gIf(v <= 3, int16(15), 0),
		ErrorMessage:   gIf(v >= 1 && v <= 3, gNull("msg", s), NullString{}),
		NodeId:         gIf(v <= 3, int32(3+s), 0),
		Host:           gIf(v <= 3, gStr("host", s), ""),
		Port:           gIf(v <= 3, int32(9092+s), 0),
	}
	if v >= 4 {
		m.Coordinators = make([]FindCoordinatorResponseCoordinator, gN(s))
		for i := range m.Coordinators {
			m.Coordinators[i] = FindCoordinatorResponseCoordinator{
				Key: gStr("key", gS(s, i)), NodeId: int32(i + 1), Host: gStr("h", gS(s, i)),
				Port: int32(9000 + i), ErrorCode: int16(14 + i), ErrorMessage: gNull("e", gS(s, i)),
			}
		}
	}
	return m
}

func groupJoinGroupRequest(v int16, s int) *JoinGroupRequest {
	m := &JoinGroupRequest{
		GroupId:            gStr("group", s),
		SessionTimeoutMs:   int32(30000 + s),
		RebalanceTimeoutMs: gIf(v >= 1, int32(60000+s), -1),
		MemberId:           gStr("member", s),
		GroupInstanceId:    gIf(v >= 5, gNull("instance", s), NullString{}),
		ProtocolType:       gStr("consumer", s),
		Protocols:          make([]JoinGroupRequestProtocol, gN(s)),
		Reason:             gIf(v >= 8, gNull("reason", s), NullString{}),
	}
	for i := range m.Protocols {
		m.Protocols[i] = JoinGroupRequestProtocol{Name: gStr("range", gS(s, i)), Metadata: gBytes(byte(i), s)}
	}
	return m
}

// groupJoinGroupResponse has members members (the benchmark asks for 10).
func groupJoinGroupResponse(v int16, s, members int) *JoinGroupResponse {
	m := &JoinGroupResponse{
		ThrottleTimeMs: gIf(v >= 2, int32(7+s), 0),
		ErrorCode:      79,
		GenerationId:   int32(11 + s),
		ProtocolType:   gIf(v >= 7, gNull("consumer", s), NullString{}),
		// Before v7 ProtocolName is not nullable: it always decodes as valid.
		ProtocolName:   gIf(v >= 7, gNull("range", s), NewNullString(gStr("range", s))),
		Leader:         gStr("leader", s),
		SkipAssignment: v >= 9,
		MemberId:       gStr("member", s),
		Members:        make([]JoinGroupResponseMember, members),
	}
	for i := range m.Members {
		m.Members[i] = JoinGroupResponseMember{
			MemberId:        gStr("m", gS(s, i)),
			GroupInstanceId: gIf(v >= 5, gNull("i", gS(s, i)), NullString{}),
			Metadata:        gBytes(byte(16*i), s),
		}
	}
	return m
}

func groupSyncGroupRequest(v int16, s int) *SyncGroupRequest {
	m := &SyncGroupRequest{
		GroupId:         gStr("group", s),
		GenerationId:    int32(4 + s),
		MemberId:        gStr("member", s),
		GroupInstanceId: gIf(v >= 3, gNull("instance", s), NullString{}),
		ProtocolType:    gIf(v >= 5, gNull("consumer", s), NullString{}),
		ProtocolName:    gIf(v >= 5, gNull("range", s), NullString{}),
		Assignments:     make([]SyncGroupRequestAssignment, gN(s)),
	}
	for i := range m.Assignments {
		m.Assignments[i] = SyncGroupRequestAssignment{MemberId: gStr("m", gS(s, i)), Assignment: gBytes(byte(32*i), s)}
	}
	return m
}

func groupSyncGroupResponse(v int16, s int) *SyncGroupResponse {
	return &SyncGroupResponse{
		ThrottleTimeMs: gIf(v >= 1, int32(5+s), 0),
		ErrorCode:      27,
		ProtocolType:   gIf(v >= 5, gNull("consumer", s), NullString{}),
		ProtocolName:   gIf(v >= 5, gNull("range", s), NullString{}),
		Assignment:     gBytes(9, s),
	}
}

func groupHeartbeatRequest(v int16, s int) *HeartbeatRequest {
	return &HeartbeatRequest{
		GroupId:         gStr("group", s),
		GenerationId:    int32(8 + s),
		MemberId:        gStr("member", s),
		GroupInstanceId: gIf(v >= 3, gNull("instance", s), NullString{}),
	}
}

func groupHeartbeatResponse(v int16, s int) *HeartbeatResponse {
	return &HeartbeatResponse{ThrottleTimeMs: gIf(v >= 1, int32(3+s), 0), ErrorCode: int16(27 + s)}
}

func groupLeaveGroupRequest(v int16, s int) *LeaveGroupRequest {
	m := &LeaveGroupRequest{GroupId: gStr("group", s), MemberId: gIf(v <= 2, gStr("member", s), "")}
	if v >= 3 {
		m.Members = make([]LeaveGroupRequestMember, gN(s))
		for i := range m.Members {
			m.Members[i] = LeaveGroupRequestMember{
				MemberId: gStr("m", gS(s, i)), GroupInstanceId: gNull("i", gS(s, i)),
				Reason: gIf(v >= 5, gNull("bye", gS(s, i)), NullString{}),
			}
		}
	}
	return m
}

func groupLeaveGroupResponse(v int16, s int) *LeaveGroupResponse {
	m := &LeaveGroupResponse{ThrottleTimeMs: gIf(v >= 1, int32(2+s), 0), ErrorCode: int16(25 + s)}
	if v >= 3 {
		m.Members = make([]LeaveGroupResponseMember, gN(s))
		for i := range m.Members {
			m.Members[i] = LeaveGroupResponseMember{MemberId: gStr("m", gS(s, i)), GroupInstanceId: gNull("i", gS(s, i)), ErrorCode: int16(i + 1)}
		}
	}
	return m
}

// groupOffsetCommitRequest has topics topics of parts partitions each.
func groupOffsetCommitRequest(v int16, s, topics, parts int) *OffsetCommitRequest {
	m := &OffsetCommitRequest{
		GroupId:                   gStr("group", s),
		GenerationIdOrMemberEpoch: int32(6 + s),
		MemberId:                  gStr("member", s),
		GroupInstanceId:           gIf(v >= 7, gNull("instance", s), NullString{}),
		RetentionTimeMs:           gIf(v <= 4, int64(86400000+s), -1),
		Topics:                    make([]OffsetCommitRequestTopic, topics),
	}
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = gStr("topic", gS(s, i))
		t.Partitions = make([]OffsetCommitRequestPartition, parts)
		for j := range t.Partitions {
			t.Partitions[j] = OffsetCommitRequestPartition{
				PartitionIndex:       int32(j),
				CommittedOffset:      int64(1000*i + j + 1),
				CommittedLeaderEpoch: gIf(v >= 6, int32(4+j), -1),
				CommittedMetadata:    gNull("meta", gS(s, j)),
			}
		}
	}
	return m
}

func groupOffsetCommitResponse(v int16, s int) *OffsetCommitResponse {
	m := &OffsetCommitResponse{ThrottleTimeMs: gIf(v >= 3, int32(9+s), 0), Topics: make([]OffsetCommitResponseTopic, gN(s))}
	for i := range m.Topics {
		t := &m.Topics[i]
		t.Name = gStr("topic", gS(s, i))
		t.Partitions = make([]OffsetCommitResponsePartition, gN(s))
		for j := range t.Partitions {
			t.Partitions[j] = OffsetCommitResponsePartition{PartitionIndex: int32(j), ErrorCode: int16(22 + j)}
		}
	}
	return m
}

// groupFetchTopics returns 2+seed request topics.
func groupFetchTopics(s int) []OffsetFetchRequestTopic {
	ts := make([]OffsetFetchRequestTopic, gN(s))
	for i := range ts {
		ts[i] = OffsetFetchRequestTopic{Name: gStr("topic", gS(s, i)), PartitionIndexes: gInts(int32(10*i), s)}
	}
	return ts
}

func groupOffsetFetchRequest(v int16, s int) *OffsetFetchRequest {
	m := &OffsetFetchRequest{
		GroupId:       gIf(v <= 7, gStr("group", s), ""),
		Topics:        gIf(v <= 7, groupFetchTopics(s), nil),
		RequireStable: v >= 7,
	}
	if v >= 8 {
		m.Groups = make([]OffsetFetchRequestGroup, gN(s))
		for i := range m.Groups {
			m.Groups[i] = OffsetFetchRequestGroup{
				GroupId:     gStr("group", gS(s, i)),
				MemberId:    gIf(v >= 9, gNull("member", gS(s, i)), NullString{}),
				MemberEpoch: gIf(v >= 9, int32(12+i), -1),
				Topics:      groupFetchTopics(s),
			}
		}
	}
	return m
}

// groupFetchedTopics returns 2+seed response topics for version.
func groupFetchedTopics(v int16, s int) []OffsetFetchResponseTopic {
	ts := make([]OffsetFetchResponseTopic, gN(s))
	for i := range ts {
		t := &ts[i]
		t.Name = gStr("topic", gS(s, i))
		t.Partitions = make([]OffsetFetchResponsePartition, gN(s))
		for j := range t.Partitions {
			t.Partitions[j] = OffsetFetchResponsePartition{
				PartitionIndex:       int32(j),
				CommittedOffset:      int64(500*i + j + 1),
				CommittedLeaderEpoch: gIf(v >= 5, int32(2+j), -1),
				Metadata:             gNull("meta", gS(s, j)),
				ErrorCode:            int16(16 + j),
			}
		}
	}
	return ts
}

func groupOffsetFetchResponse(v int16, s int) *OffsetFetchResponse {
	m := &OffsetFetchResponse{
		ThrottleTimeMs: gIf(v >= 3, int32(4+s), 0),
		Topics:         gIf(v <= 7, groupFetchedTopics(v, s), nil),
		ErrorCode:      gIf(v >= 2 && v <= 7, int16(16), 0),
	}
	if v >= 8 {
		m.Groups = make([]OffsetFetchResponseGroup, gN(s))
		for i := range m.Groups {
			m.Groups[i] = OffsetFetchResponseGroup{GroupId: gStr("group", gS(s, i)), Topics: groupFetchedTopics(v, s), ErrorCode: int16(15 + i)}
		}
	}
	return m
}

// gS is the seed of element i of an array built for seed: seed -1 stays -1
// so that every element of a minimal sample is minimal.
func gS(seed, i int) int {
	if seed < 0 {
		return -1
	}
	return seed + i
}
