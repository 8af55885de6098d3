package fuzz

import (
	"testing"

	"github.com/zeroalloc/kafka/wire"
)

// The consumer-group family's response decoders; see fuzzResponse.

func FuzzFindCoordinatorResponse(f *testing.F) { fuzzResponse(f, wire.KeyFindCoordinator) }
func FuzzJoinGroupResponse(f *testing.F)       { fuzzResponse(f, wire.KeyJoinGroup) }
func FuzzSyncGroupResponse(f *testing.F)       { fuzzResponse(f, wire.KeySyncGroup) }
func FuzzHeartbeatResponse(f *testing.F)       { fuzzResponse(f, wire.KeyHeartbeat) }
func FuzzLeaveGroupResponse(f *testing.F)      { fuzzResponse(f, wire.KeyLeaveGroup) }
func FuzzOffsetCommitResponse(f *testing.F)    { fuzzResponse(f, wire.KeyOffsetCommit) }
func FuzzOffsetFetchResponse(f *testing.F)     { fuzzResponse(f, wire.KeyOffsetFetch) }
