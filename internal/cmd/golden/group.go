package main

import (
	"fmt"
	"log"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// groupVersions is one pass through a classic consumer group's life, each
// API at one version. The versions avoid those Kafka 4 removed (KIP-896).
type groupVersions struct {
	find, join, sync, heartbeat, commit, fetch, leave int16
	static                                            bool // join with a GroupInstanceId
}

// runGroup captures the consumer-group APIs: for each pass a fresh group is
// found, joined (after MEMBER_ID_REQUIRED where the version has it), synced
// with a real consumer-protocol assignment, heartbeaten, committed to,
// fetched from and left. The broker checks the consumer-protocol bytes we
// send (it parses them for group upgrades), so their acceptance is tested too.
func runGroup(k *capturer) {
	suffix := time.Now().UTC().Format("20060102150405")
	topic := "golden-" + suffix + "-grp"
	var created wire.CreateTopicsResponse
	if err := k.c.RoundTrip(k.ctx, 7, &wire.CreateTopicsRequest{
		Topics:    []wire.CreateTopicsRequestTopic{{Name: topic, NumPartitions: 2, ReplicationFactor: 1}},
		TimeoutMs: 30000,
	}, &created); err != nil || created.Topics[0].ErrorCode != 0 {
		log.Fatalf("create %s: %v %+v", topic, err, created.Topics)
	}
	passes := []groupVersions{
		{find: 1, join: 2, sync: 1, heartbeat: 1, commit: 2, fetch: 1, leave: 1},
		{find: 3, join: 6, sync: 4, heartbeat: 4, commit: 8, fetch: 6, leave: 4, static: true},
		{find: 6, join: 9, sync: 5, heartbeat: 4, commit: 9, fetch: 8, leave: 5},
	}
	for i, p := range passes {
		group := fmt.Sprintf("golden-%s-g%d", suffix, i)
		groupPass(k, p, group, topic)
	}
}

func groupPass(k *capturer, p groupVersions, group, topic string) {
	decode := func(m wire.Message, body []byte, version int16) {
		if err := m.DecodeFrom(body, version); err != nil {
			log.Fatalf("%s v%d: decode: %v", wire.APIs[m.Key()].Name, version, err)
		}
	}
	// The first lookup creates __consumer_offsets: retry until the
	// coordinator is available; the file keeps the last answer.
	find := &wire.FindCoordinatorRequest{CoordinatorKey: group}
	if p.find >= 4 {
		find = &wire.FindCoordinatorRequest{KeyType: 0, CoordinatorKeys: []string{group, group + "-other"}}
	}
	for try := 0; ; try++ {
		var found wire.FindCoordinatorResponse
		decode(&found, k.capture(p.find, find, ""), p.find)
		code := found.ErrorCode
		for _, c := range found.Coordinators {
			code = max(code, c.ErrorCode)
		}
		if code == 0 {
			break
		}
		if try == 60 {
			log.Fatalf("FindCoordinator v%d: error %d", p.find, code)
		}
		time.Sleep(500 * time.Millisecond)
	}

	sub := &wire.ConsumerProtocolSubscription{
		Topics: []string{topic}, UserData: []byte("golden"),
		OwnedPartitions: []wire.ConsumerProtocolTopicPartition{{Topic: topic, Partitions: []int32{}}},
		GenerationId:    -1, RackId: wire.NewNullString("rack-a"),
	}
	join := &wire.JoinGroupRequest{
		GroupId: group, SessionTimeoutMs: 30000, RebalanceTimeoutMs: 10000,
		ProtocolType: "consumer",
		Protocols: []wire.JoinGroupRequestProtocol{
			{Name: "range", Metadata: sub.AppendTo(nil, 3)},
			{Name: "roundrobin", Metadata: sub.AppendTo(nil, 0)},
		},
		Reason: wire.NewNullString("golden capture"),
	}
	if p.static {
		join.GroupInstanceId = wire.NewNullString("instance-1")
	}
	var joined wire.JoinGroupResponse
	if p.join >= 4 && !p.static {
		decode(&joined, k.capture(p.join, join, "member_id_required"), p.join)
		if joined.ErrorCode != 79 {
			log.Fatalf("JoinGroup v%d: error %d, want MEMBER_ID_REQUIRED", p.join, joined.ErrorCode)
		}
		join.MemberId = joined.MemberId
	}
	decode(&joined, k.capture(p.join, join, ""), p.join)
	if joined.ErrorCode != 0 {
		log.Fatalf("JoinGroup v%d: error %d", p.join, joined.ErrorCode)
	}

	asg := &wire.ConsumerProtocolAssignment{
		AssignedPartitions: []wire.ConsumerProtocolTopicPartition{{Topic: topic, Partitions: []int32{0, 1}}},
		UserData:           []byte("assigned"),
	}
	sync := &wire.SyncGroupRequest{
		GroupId: group, GenerationId: joined.GenerationId, MemberId: joined.MemberId,
		GroupInstanceId: join.GroupInstanceId,
		ProtocolType:    wire.NewNullString("consumer"), ProtocolName: joined.ProtocolName,
		Assignments: []wire.SyncGroupRequestAssignment{{MemberId: joined.MemberId, Assignment: asg.AppendTo(nil, 3)}},
	}
	var synced wire.SyncGroupResponse
	decode(&synced, k.capture(p.sync, sync, ""), p.sync)
	var back wire.ConsumerProtocolAssignment
	if err := back.DecodeFrom(synced.Assignment); synced.ErrorCode != 0 || err != nil {
		log.Fatalf("SyncGroup v%d: error %d, assignment %v", p.sync, synced.ErrorCode, err)
	}

	k.capture(p.heartbeat, &wire.HeartbeatRequest{
		GroupId: group, GenerationId: joined.GenerationId, MemberId: joined.MemberId, GroupInstanceId: join.GroupInstanceId,
	}, "")
	k.capture(p.commit, &wire.OffsetCommitRequest{
		GroupId: group, GenerationIdOrMemberEpoch: joined.GenerationId, MemberId: joined.MemberId,
		GroupInstanceId: join.GroupInstanceId, RetentionTimeMs: -1,
		Topics: []wire.OffsetCommitRequestTopic{{Name: topic, Partitions: []wire.OffsetCommitRequestPartition{
			{PartitionIndex: 0, CommittedOffset: 0, CommittedLeaderEpoch: -1, CommittedMetadata: wire.NewNullString("m0")},
			{PartitionIndex: 1, CommittedOffset: 0, CommittedLeaderEpoch: 0},
		}}},
	}, "")
	fetch := &wire.OffsetFetchRequest{GroupId: group, RequireStable: true,
		Topics: []wire.OffsetFetchRequestTopic{{Name: topic, PartitionIndexes: []int32{0, 1}}}}
	if p.fetch >= 8 {
		fetch = &wire.OffsetFetchRequest{RequireStable: true, Groups: []wire.OffsetFetchRequestGroup{
			{GroupId: group, MemberEpoch: -1, Topics: fetch.Topics},
			{GroupId: group + "-empty", MemberEpoch: -1},
		}}
	}
	k.capture(p.fetch, fetch, "")

	leave := &wire.LeaveGroupRequest{GroupId: group, MemberId: joined.MemberId}
	if p.leave >= 3 {
		leave = &wire.LeaveGroupRequest{GroupId: group, Members: []wire.LeaveGroupRequestMember{
			{MemberId: joined.MemberId, GroupInstanceId: join.GroupInstanceId, Reason: wire.NewNullString("golden capture done")},
		}}
	}
	k.capture(p.leave, leave, "")
}
