package group

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// Offset is one partition's committed position: the offset of the next
// record to read.
type Offset struct {
	// Topic and Partition name the partition.
	Topic     string
	Partition int32
	// Offset is the offset committed, or -1 when FetchOffsets found none.
	Offset int64
	// LeaderEpoch is the leader epoch of the record before Offset, or -1
	// when unknown.
	LeaderEpoch int32
	// Metadata is the application's string stored with the offset.
	Metadata string
}

// CommitOffsets commits offsets for the group as the member in gen (the
// generation an OnAssigned or OnRevoked callback gave; NoGeneration to
// commit from outside the group, which the coordinator accepts only while
// the group has no members).
//
// A commit is only ever sent with the generation named: when the member
// knows gen is over, it returns a *StaleGenerationError without sending
// anything, and when the coordinator refuses it (ILLEGAL_GENERATION,
// UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, REBALANCE_IN_PROGRESS) the error is
// returned as is, never retried under a newer generation: the partitions may
// belong to another member by now, whose position the commit would rewind.
// Retriable failures (the coordinator moving or loading, a broken
// connection) are retried with the same generation until ctx ends.
// Partition-level errors name the first partition that failed.
func (m *Member) CommitOffsets(ctx context.Context, gen Generation, offsets []Offset) error {
	if len(offsets) == 0 {
		return nil
	}
	if gen == NoGeneration {
		return m.commit(ctx, gen, offsets)
	}
	m.mu.Lock()
	cur, genCtx := Generation{ID: m.gen, MemberID: m.memberID}, m.genCtx
	m.mu.Unlock()
	if gen != cur {
		return &StaleGenerationError{Named: gen, Current: cur}
	}
	// The commit, retries included, ends when the generation does: it
	// could only be refused after that.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(genCtx, cancel)
	defer stop()
	err := m.commit(cctx, gen, offsets)
	if err != nil && ctx.Err() == nil && genCtx.Err() != nil {
		m.mu.Lock()
		cur = Generation{ID: m.gen, MemberID: m.memberID}
		m.mu.Unlock()
		return &StaleGenerationError{Named: gen, Current: cur}
	}
	return err
}

// commit sends offsets under gen, retrying what can be retried.
func (m *Member) commit(ctx context.Context, gen Generation, offsets []Offset) error {
	return m.retry(ctx, "commit", func(addr string) error {
		return m.call(ctx, &m.ctl, addr, func(c *broker.Conn) error {
			v, err := c.Version(wire.KeyOffsetCommit)
			if err != nil {
				return err
			}
			if m.cfg.RetentionTime > 0 && v > 4 {
				if lo, _, ok := brokerRange(c, wire.KeyOffsetCommit); ok && lo <= 4 {
					v = 4
				}
			}
			req := &m.commitReq
			m.buildCommit(req, v, gen, offsets)
			resp := &m.commitResp
			if err := c.Exchange(v, req, resp); err != nil {
				return err
			}
			for i := range resp.Topics {
				t := &resp.Topics[i]
				for j := range t.Partitions {
					if err := wire.ErrorForCode(t.Partitions[j].ErrorCode); err != nil {
						return fmt.Errorf("kafka: group %s: commit %s[%d] in generation %d: %w",
							m.cfg.GroupID, t.Name, t.Partitions[j].PartitionIndex, gen.ID, err)
					}
				}
			}
			return nil
		})
	})
}

// buildCommit fills req for version v, grouping offsets by topic in the
// order topics first appear, reusing req's slices.
func (m *Member) buildCommit(req *wire.OffsetCommitRequest, v int16, gen Generation, offsets []Offset) {
	req.GroupId = m.cfg.GroupID
	req.GenerationIdOrMemberEpoch = gen.ID
	req.MemberId = gen.MemberID
	req.GroupInstanceId = wire.NullString{}
	if gen != NoGeneration {
		req.GroupInstanceId = m.instance
	}
	req.RetentionTimeMs = -1
	if m.cfg.RetentionTime > 0 && v <= 4 {
		req.RetentionTimeMs = int64(m.cfg.RetentionTime / time.Millisecond)
	}
	req.Topics = req.Topics[:0]
	for i := range offsets {
		o := &offsets[i]
		t := topicIndex(req.Topics, o.Topic)
		if t < 0 {
			t = len(req.Topics)
			req.Topics = wire.Grow(req.Topics, t+1)
			req.Topics[t].Name = o.Topic
			req.Topics[t].Partitions = req.Topics[t].Partitions[:0]
		}
		tp := &req.Topics[t]
		tp.Partitions = append(tp.Partitions, wire.OffsetCommitRequestPartition{
			PartitionIndex:       o.Partition,
			CommittedOffset:      o.Offset,
			CommittedLeaderEpoch: o.LeaderEpoch,
			CommittedMetadata:    wire.NewNullString(o.Metadata),
		})
	}
}

// topicIndex returns the index of the topic named name, or -1.
func topicIndex(ts []wire.OffsetCommitRequestTopic, name string) int {
	for i := range ts {
		if ts[i].Name == name {
			return i
		}
	}
	return -1
}

// FetchOffsets fills each element of offsets, whose Topic and Partition
// name a partition, with the group's committed offset (-1 when there is
// none), its leader epoch and metadata. It asks for stable offsets only:
// while a transaction that commits offsets for a partition is open (and,
// on Kafka 3.9's coordinator, while a plain commit of it is being
// appended), the coordinator answers UNSTABLE_OFFSET_COMMIT and the request
// is retried, until ctx ends. Coordinator moves and broken connections are
// retried too.
func (m *Member) FetchOffsets(ctx context.Context, offsets []Offset) error {
	if len(offsets) == 0 {
		return nil
	}
	return m.retry(ctx, "fetch offsets", func(addr string) error {
		return m.call(ctx, &m.ctl, addr, func(c *broker.Conn) error {
			v, err := c.Version(wire.KeyOffsetFetch)
			if err != nil {
				return err
			}
			req := &m.fetchReq
			m.fetchTopics = buildFetchTopics(m.fetchTopics, offsets)
			if v >= 8 {
				req.GroupId, req.Topics = "", nil
				req.Groups = wire.Grow(req.Groups, 1)
				req.Groups[0] = wire.OffsetFetchRequestGroup{GroupId: m.cfg.GroupID, MemberEpoch: -1, Topics: m.fetchTopics}
			} else {
				req.GroupId, req.Topics = m.cfg.GroupID, m.fetchTopics
				req.Groups = req.Groups[:0]
			}
			req.RequireStable = v >= 7
			resp := &m.fetchResp
			if err := c.Exchange(v, req, resp); err != nil {
				return err
			}
			code, rts := resp.ErrorCode, resp.Topics
			if v >= 8 {
				if len(resp.Groups) != 1 {
					return fmt.Errorf("kafka: OffsetFetch answered for %d groups", len(resp.Groups))
				}
				code, rts = resp.Groups[0].ErrorCode, resp.Groups[0].Topics
			}
			if err := wire.ErrorForCode(code); err != nil {
				return err
			}
			for i := range offsets {
				o := &offsets[i]
				o.Offset, o.LeaderEpoch, o.Metadata = -1, -1, ""
				p := findFetched(rts, o.Topic, o.Partition)
				if p == nil {
					continue
				}
				if err := wire.ErrorForCode(p.ErrorCode); err != nil {
					return fmt.Errorf("kafka: group %s: fetch offset of %s[%d]: %w", m.cfg.GroupID, o.Topic, o.Partition, err)
				}
				o.Offset, o.LeaderEpoch = p.CommittedOffset, p.CommittedLeaderEpoch
				if p.Metadata.Valid && o.Metadata != p.Metadata.String {
					o.Metadata = p.Metadata.String
				}
			}
			return nil
		})
	})
}

// buildFetchTopics returns ts refilled with the partitions of offsets
// grouped by topic, reusing its slices.
func buildFetchTopics(ts []wire.OffsetFetchRequestTopic, offsets []Offset) []wire.OffsetFetchRequestTopic {
	ts = ts[:0]
	for i := range offsets {
		o := &offsets[i]
		t := -1
		for j := range ts {
			if ts[j].Name == o.Topic {
				t = j
				break
			}
		}
		if t < 0 {
			t = len(ts)
			ts = wire.Grow(ts, t+1)
			ts[t].Name = o.Topic
			ts[t].PartitionIndexes = ts[t].PartitionIndexes[:0]
		}
		ts[t].PartitionIndexes = append(ts[t].PartitionIndexes, o.Partition)
	}
	return ts
}

// findFetched returns the answer for one partition, or nil.
func findFetched(ts []wire.OffsetFetchResponseTopic, topic string, partition int32) *wire.OffsetFetchResponsePartition {
	for i := range ts {
		if ts[i].Name != topic {
			continue
		}
		for j := range ts[i].Partitions {
			if ts[i].Partitions[j].PartitionIndex == partition {
				return &ts[i].Partitions[j]
			}
		}
	}
	return nil
}

// retry runs op against the coordinator until it succeeds, fails for good
// or ctx ends. The coordinator is looked up again when op says it moved;
// COORDINATOR_LOAD_IN_PROGRESS, UNSTABLE_OFFSET_COMMIT, REQUEST_TIMED_OUT and
// broken connections are retried after a backoff. Every retry sends the same
// request again.
func (m *Member) retry(ctx context.Context, what string, op func(addr string) error) error {
	for attempt := 0; ; attempt++ {
		addr, err := m.coordinator(ctx)
		if err != nil {
			return err
		}
		err = op(addr)
		if err == nil || Ended(ctx) || errors.Is(err, ErrClosed) {
			return err
		}
		switch {
		case coordinatorMoved(err):
			m.forgetCoordinator(addr)
		case errors.Is(err, wire.CoordinatorLoadInProgress), errors.Is(err, wire.UnstableOffsetCommit),
			errors.Is(err, wire.RequestTimedOut):
		default:
			return err
		}
		m.logf("group %s: %s: %v", m.cfg.GroupID, what, err)
		if !sleep(ctx, m.backoff(attempt)) {
			return ctx.Err()
		}
	}
}

// leave sends LeaveGroup for member id.
func (m *Member) leave(ctx context.Context, id string) error {
	addr, err := m.coordinator(ctx)
	if err != nil {
		return err
	}
	return m.call(ctx, &m.ctl, addr, func(c *broker.Conn) error {
		v, err := c.Version(wire.KeyLeaveGroup)
		if err != nil {
			return err
		}
		req := &m.leaveReq
		req.GroupId = m.cfg.GroupID
		if v >= 3 {
			req.MemberId = ""
			req.Members = wire.Grow(req.Members, 1)
			req.Members[0] = wire.LeaveGroupRequestMember{MemberId: id, GroupInstanceId: m.instance}
			if v >= 5 {
				req.Members[0].Reason = wire.NewNullString("the consumer is being closed")
			}
		} else {
			req.MemberId = id
			req.Members = req.Members[:0]
		}
		resp := &m.leaveResp
		if err := c.Exchange(v, req, resp); err != nil {
			return err
		}
		if err := wire.ErrorForCode(resp.ErrorCode); err != nil {
			return err
		}
		for i := range resp.Members {
			if err := wire.ErrorForCode(resp.Members[i].ErrorCode); err != nil {
				return err
			}
		}
		return nil
	})
}

// brokerRange returns the broker's version range for key.
func brokerRange(c *broker.Conn, key int16) (lo, hi int16, ok bool) {
	for _, k := range c.APIVersions().ApiKeys {
		if k.ApiKey == key {
			return k.MinVersion, k.MaxVersion, true
		}
	}
	return 0, 0, false
}
