package wire

import (
	"bytes"
	"errors"
	"reflect"
	"strconv"
	"testing"
)

// TestGroupRoundTrip checks every message of the family in every version
// with checkCodec (codec_check_test.go): every field set and arrays of 2+
// elements, and minimal elements (which checks that the minimum element
// sizes given to ArrayLen are true lower bounds). Nullable arrays, where nil
// and empty differ, are checked by TestOffsetFetchNullTopics.
func TestGroupRoundTrip(t *testing.T) {
	for _, c := range groupCases {
		a := APIs[c.key]
		for v := a.Min; v <= a.Max; v++ {
			t.Run(c.name+"/v"+strconv.Itoa(int(v)), func(t *testing.T) {
				checkCodec(t, v, c.sample(v, 0), c.sample(v, 1))
				checkCodec(t, v, c.sample(v, 1), c.sample(v, 0))
				checkCodec(t, v, c.sample(v, -1), c.sample(v, 1))
			})
		}
	}
}

// TestGroupVersions checks that versions outside APIs are refused and that
// the registry returns the family's types.
func TestGroupVersions(t *testing.T) {
	for _, c := range groupCases {
		a := APIs[c.key]
		m := c.sample(a.Max, 0)
		if m.Key() != c.key {
			t.Fatalf("%s.Key() = %d, want %d", c.name, m.Key(), c.key)
		}
		enc := m.AppendTo(nil, a.Max)
		for _, v := range []int16{a.Min - 1, a.Max + 1, -1} {
			if err := m.DecodeFrom(enc, v); !errors.Is(err, ErrUnsupportedVersion) {
				t.Fatalf("%s v%d: got %v, want ErrUnsupportedVersion", c.name, v, err)
			}
		}
		var reg Message
		if c.name[len(c.name)-len("Request"):] == "Request" {
			reg = NewRequest(c.key)
		} else {
			reg = NewResponse(c.key)
		}
		if reflect.TypeOf(reg) != reflect.TypeOf(m) {
			t.Fatalf("registry for key %d gives %T, want %T", c.key, reg, m)
		}
	}
}

// groupHead returns the bytes of the classic or compact string s.
func groupHead(s string, flex bool) []byte { return AppendStringFlex(nil, s, flex) }

// TestGroupGolden checks encodings written by hand from the JSON field
// order, so that encoder and decoder cannot agree on a wrong layout.
func TestGroupGolden(t *testing.T) {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	i16 := func(v int16) []byte { return AppendInt16(nil, v) }
	i32 := func(v int32) []byte { return AppendInt32(nil, v) }
	i64 := func(v int64) []byte { return AppendInt64(nil, v) }
	tests := []struct {
		name    string
		m       Message
		version int16
		want    []byte
	}{
		{"FindCoordinatorRequest v0", &FindCoordinatorRequest{CoordinatorKey: "g"}, 0,
			[]byte{0, 1, 'g'}},
		{"FindCoordinatorRequest v3", &FindCoordinatorRequest{CoordinatorKey: "g", KeyType: 1}, 3,
			[]byte{2, 'g', 1, 0}},
		{"FindCoordinatorRequest v4", &FindCoordinatorRequest{KeyType: 0, CoordinatorKeys: []string{"a", "bc"}}, 4,
			[]byte{0, 3, 2, 'a', 3, 'b', 'c', 0}},
		{"FindCoordinatorResponse v1", &FindCoordinatorResponse{ThrottleTimeMs: 1, ErrorCode: 15, NodeId: 2, Host: "h", Port: 9092}, 1,
			cat(i32(1), i16(15), i16(-1), i32(2), []byte{0, 1, 'h'}, i32(9092))},
		{"FindCoordinatorResponse v4", &FindCoordinatorResponse{Coordinators: []FindCoordinatorResponseCoordinator{{Key: "k", NodeId: 1, Host: "h", Port: 2, ErrorCode: 0, ErrorMessage: NewNullString("")}}}, 4,
			cat(i32(0), []byte{2, 2, 'k'}, i32(1), []byte{2, 'h'}, i32(2), i16(0), []byte{1, 0, 0})},
		{"JoinGroupRequest v0", &JoinGroupRequest{GroupId: "g", SessionTimeoutMs: 10, MemberId: "", ProtocolType: "consumer",
			Protocols: []JoinGroupRequestProtocol{{Name: "range", Metadata: []byte{1, 2}}}}, 0,
			cat([]byte{0, 1, 'g'}, i32(10), i16(0), groupHead("consumer", false), i32(1), groupHead("range", false), i32(2), []byte{1, 2})},
		{"JoinGroupRequest v8", &JoinGroupRequest{GroupId: "g", SessionTimeoutMs: 10, RebalanceTimeoutMs: 20, MemberId: "m",
			GroupInstanceId: NewNullString("i"), ProtocolType: "c", Protocols: []JoinGroupRequestProtocol{{Name: "r", Metadata: []byte{7}}}, Reason: NewNullString("x")}, 8,
			cat([]byte{2, 'g'}, i32(10), i32(20), []byte{2, 'm', 2, 'i', 2, 'c', 2, 2, 'r', 2, 7, 0, 2, 'x', 0})},
		{"JoinGroupResponse v9", &JoinGroupResponse{ThrottleTimeMs: 1, ErrorCode: 79, GenerationId: -1, ProtocolName: NewNullString("r"),
			Leader: "", SkipAssignment: true, MemberId: "m", Members: []JoinGroupResponseMember{{MemberId: "a", Metadata: []byte{5}}}}, 9,
			cat(i32(1), i16(79), i32(-1), []byte{0, 2, 'r', 1, 1, 2, 'm', 2, 2, 'a', 0, 2, 5, 0, 0})},
		{"SyncGroupResponse v5", &SyncGroupResponse{ErrorCode: 0, ProtocolType: NewNullString("c"), Assignment: []byte{}}, 5,
			cat(i32(0), i16(0), []byte{2, 'c', 0, 1, 0})},
		{"HeartbeatRequest v3", &HeartbeatRequest{GroupId: "g", GenerationId: 3, MemberId: "m"}, 3,
			cat([]byte{0, 1, 'g'}, i32(3), []byte{0, 1, 'm'}, i16(-1))},
		{"LeaveGroupRequest v2", &LeaveGroupRequest{GroupId: "g", MemberId: "m"}, 2,
			[]byte{0, 1, 'g', 0, 1, 'm'}},
		{"LeaveGroupRequest v5", &LeaveGroupRequest{GroupId: "g", Members: []LeaveGroupRequestMember{{MemberId: "m", Reason: NewNullString("r")}}}, 5,
			[]byte{2, 'g', 2, 2, 'm', 0, 2, 'r', 0, 0}},
		{"OffsetCommitRequest v2", &OffsetCommitRequest{GroupId: "g", GenerationIdOrMemberEpoch: 1, MemberId: "m", RetentionTimeMs: -1,
			Topics: []OffsetCommitRequestTopic{{Name: "t", Partitions: []OffsetCommitRequestPartition{{PartitionIndex: 0, CommittedOffset: 5}}}}}, 2,
			cat([]byte{0, 1, 'g'}, i32(1), []byte{0, 1, 'm'}, i64(-1), i32(1), []byte{0, 1, 't'}, i32(1), i32(0), i64(5), i16(-1))},
		{"OffsetCommitRequest v9", &OffsetCommitRequest{GroupId: "g", GenerationIdOrMemberEpoch: 1, MemberId: "m",
			Topics: []OffsetCommitRequestTopic{{Name: "t", Partitions: []OffsetCommitRequestPartition{{PartitionIndex: 0, CommittedOffset: 5, CommittedLeaderEpoch: 2}}}}}, 9,
			cat([]byte{2, 'g'}, i32(1), []byte{2, 'm', 0, 2, 2, 't', 2}, i32(0), i64(5), i32(2), []byte{0, 0, 0, 0})},
		{"OffsetFetchRequest v2 all topics", &OffsetFetchRequest{GroupId: "g"}, 2,
			cat([]byte{0, 1, 'g'}, i32(-1))},
		{"OffsetFetchRequest v1 nil topics", &OffsetFetchRequest{GroupId: "g"}, 1,
			cat([]byte{0, 1, 'g'}, i32(0))},
		{"OffsetFetchRequest v9", &OffsetFetchRequest{Groups: []OffsetFetchRequestGroup{{GroupId: "g", MemberEpoch: -1,
			Topics: []OffsetFetchRequestTopic{{Name: "t", PartitionIndexes: []int32{3}}}}}, RequireStable: true}, 9,
			cat([]byte{2, 2, 'g', 0}, i32(-1), []byte{2, 2, 't', 2}, i32(3), []byte{0, 0, 1, 0})},
		{"OffsetFetchResponse v8", &OffsetFetchResponse{Groups: []OffsetFetchResponseGroup{{GroupId: "g", Topics: []OffsetFetchResponseTopic{{Name: "t",
			Partitions: []OffsetFetchResponsePartition{{PartitionIndex: 1, CommittedOffset: -1, CommittedLeaderEpoch: -1}}}}}}}, 8,
			cat(i32(0), []byte{2, 2, 'g', 2, 2, 't', 2}, i32(1), i64(-1), i32(-1), []byte{0}, i16(0), []byte{0, 0}, i16(0), []byte{0, 0})},
	}
	for _, tt := range tests {
		got := tt.m.AppendTo(nil, tt.version)
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s: encoded\n%x\nwant\n%x", tt.name, got, tt.want)
			continue
		}
		back := reflect.New(reflect.TypeOf(tt.m).Elem()).Interface().(Message)
		if err := back.DecodeFrom(tt.want, tt.version); err != nil {
			t.Errorf("%s: decode: %v", tt.name, err)
		} else if re := back.AppendTo(nil, tt.version); !bytes.Equal(re, tt.want) {
			t.Errorf("%s: decoded and re-encoded\n%x\nwant\n%x", tt.name, re, tt.want)
		}
	}
}

// TestOffsetFetchNullTopics checks that a null topics array (all topics)
// and an empty one stay apart wherever the version can tell them apart.
func TestOffsetFetchNullTopics(t *testing.T) {
	for v := int16(2); v <= APIs[KeyOffsetFetch].Max; v++ {
		for _, topics := range [][]OffsetFetchRequestTopic{nil, {}} {
			m := &OffsetFetchRequest{GroupId: "g", Topics: topics}
			if v >= 8 {
				m = &OffsetFetchRequest{Groups: []OffsetFetchRequestGroup{{GroupId: "g", MemberEpoch: -1, Topics: topics}}}
			}
			// Into a fresh struct and into one that held topics.
			var fresh OffsetFetchRequest
			reused := groupOffsetFetchRequest(v, 1)
			for _, got := range []*OffsetFetchRequest{&fresh, reused} {
				if err := got.DecodeFrom(m.AppendTo(nil, v), v); err != nil {
					t.Fatalf("v%d: %v", v, err)
				}
				gotTopics := got.Topics
				if v >= 8 {
					gotTopics = got.Groups[0].Topics
				}
				if (gotTopics == nil) != (topics == nil) || len(gotTopics) != 0 {
					t.Fatalf("v%d: sent topics nil=%v, decoded %#v", v, topics == nil, gotTopics)
				}
			}
		}
	}
}

// groupForged is a body whose first array announces 2^31-1 elements (or its
// compact twin) with no bytes behind it, and the slice a decoder would have
// grown for it.
type groupForged struct {
	name    string
	m       Message
	version int16
	src     []byte
	slice   func() int // length of the array the decoder must not grow
}

// groupForgedCases builds, for each array of the family, a classic and a
// flexible body whose count is forged.
func groupForgedCases() []groupForged {
	huge := func(flex bool) []byte { return AppendArrayLen(nil, 1<<31-1, flex) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	str := func(flex bool) []byte { return AppendStringFlex(nil, "x", flex) }
	var out []groupForged
	for _, flex := range []bool{false, true} {
		fc := new(FindCoordinatorResponse)
		jreq, jresp := new(JoinGroupRequest), new(JoinGroupResponse)
		sreq := new(SyncGroupRequest)
		lreq, lresp := new(LeaveGroupRequest), new(LeaveGroupResponse)
		creq, cresp := new(OffsetCommitRequest), new(OffsetCommitResponse)
		freq, fresp := new(OffsetFetchRequest), new(OffsetFetchResponse)
		v := func(classic, flexible int16) int16 { return gIf(flex, flexible, classic) }
		out = append(out,
			groupForged{"FindCoordinatorRequest", new(FindCoordinatorRequest), 4, cat([]byte{0}, huge(true)), nil},
			groupForged{"FindCoordinatorResponse", fc, 4, cat(AppendInt32(nil, 0), huge(true)), func() int { return len(fc.Coordinators) }},
			groupForged{"JoinGroupRequest", jreq, v(5, 9), cat(str(flex), AppendInt32(nil, 1), AppendInt32(nil, 2), str(flex), AppendNullableStringFlex(nil, NullString{}, flex), str(flex), huge(flex)),
				func() int { return len(jreq.Protocols) }},
			groupForged{"JoinGroupResponse", jresp, v(5, 9), cat(AppendInt32(nil, 0), AppendInt16(nil, 0), AppendInt32(nil, 1), gIf(flex, []byte{0, 2, 'r', 1, 0, 2, 'm'}, cat(str(false), str(false), str(false))), huge(flex)),
				func() int { return len(jresp.Members) }},
			groupForged{"SyncGroupRequest", sreq, v(0, 4), cat(str(flex), AppendInt32(nil, 1), str(flex), gIf(flex, []byte{0}, nil), huge(flex)),
				func() int { return len(sreq.Assignments) }},
			groupForged{"LeaveGroupRequest", lreq, v(3, 5), cat(str(flex), huge(flex)), func() int { return len(lreq.Members) }},
			groupForged{"LeaveGroupResponse", lresp, v(3, 5), cat(AppendInt32(nil, 0), AppendInt16(nil, 0), huge(flex)), func() int { return len(lresp.Members) }},
			groupForged{"OffsetCommitRequest", creq, v(7, 9), cat(str(flex), AppendInt32(nil, 1), str(flex), AppendNullableStringFlex(nil, NullString{}, flex), huge(flex)),
				func() int { return len(creq.Topics) }},
			groupForged{"OffsetCommitResponse", cresp, v(3, 9), cat(AppendInt32(nil, 0), huge(flex)), func() int { return len(cresp.Topics) }},
			groupForged{"OffsetFetchRequest", freq, v(7, 9), gIf(flex, huge(true), cat(str(false), huge(false))),
				func() int { return len(freq.Topics) + len(freq.Groups) }},
			groupForged{"OffsetFetchResponse", fresp, v(7, 9), cat(AppendInt32(nil, 0), huge(flex)), func() int { return len(fresp.Topics) + len(fresp.Groups) }},
		)
	}
	return out
}

// TestGroupForgedCounts checks that an array count the remaining bytes
// cannot hold fails with ErrInvalidLength before the array is grown, at the
// top level and nested.
func TestGroupForgedCounts(t *testing.T) {
	for _, f := range groupForgedCases() {
		if err := f.m.DecodeFrom(f.src, f.version); !errors.Is(err, ErrInvalidLength) {
			t.Fatalf("%s v%d: got %v, want ErrInvalidLength", f.name, f.version, err)
		}
		if f.slice != nil && f.slice() != 0 {
			t.Fatalf("%s v%d: array grown to %d for a forged count", f.name, f.version, f.slice())
		}
	}

	// Nested: a valid message whose inner array (an int32 array, a
	// partitions array) announces more elements than remain.
	for _, v := range []int16{5, 9} {
		flex := IsFlexible(KeyOffsetFetch, v)
		req := &OffsetFetchRequest{GroupId: "g", Topics: []OffsetFetchRequestTopic{{Name: "t", PartitionIndexes: []int32{0x5a5a5a5a}}}}
		if v >= 8 {
			req = &OffsetFetchRequest{Groups: []OffsetFetchRequestGroup{{GroupId: "g", Topics: req.Topics}}}
		}
		enc := req.AppendTo(nil, v)
		one := AppendInt32Array(nil, []int32{0x5a5a5a5a}, flex)
		at := bytes.Index(enc, one)
		forged := bytes.Join([][]byte{enc[:at], AppendArrayLen(nil, 1<<31-1, flex), enc[at+len(one):]}, nil)
		if err := new(OffsetFetchRequest).DecodeFrom(forged, v); !errors.Is(err, ErrInvalidLength) {
			t.Fatalf("OffsetFetchRequest v%d nested int32 array: got %v, want ErrInvalidLength", v, err)
		}
	}
	for _, v := range []int16{2, 9} {
		flex := IsFlexible(KeyOffsetCommit, v)
		// GroupId, GenerationIdOrMemberEpoch, MemberId, [RetentionTimeMs],
		// one topic named "t" whose partition count is forged.
		src := AppendStringFlex(nil, "g", flex)
		src = AppendInt32(src, 1)
		src = AppendStringFlex(src, "m", flex)
		if v >= 7 {
			src = AppendNullableStringFlex(src, NullString{}, flex)
		}
		if v <= 4 {
			src = AppendInt64(src, -1)
		}
		src = AppendArrayLen(src, 1, flex)
		src = AppendStringFlex(src, "t", flex)
		src = AppendArrayLen(src, 1<<31-1, flex)
		m := new(OffsetCommitRequest)
		if err := m.DecodeFrom(src, v); !errors.Is(err, ErrInvalidLength) {
			t.Fatalf("OffsetCommitRequest v%d nested partitions: got %v, want ErrInvalidLength", v, err)
		}
		if len(m.Topics) == 1 && len(m.Topics[0].Partitions) != 0 {
			t.Fatalf("OffsetCommitRequest v%d: partitions grown to %d", v, len(m.Topics[0].Partitions))
		}
	}
}
