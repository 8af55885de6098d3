package group

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// errStaticUnsupported is fatal: static membership needs JoinGroup v5,
// SyncGroup v3 and Heartbeat v3.
var errStaticUnsupported = errors.New("kafka: the coordinator is too old for static membership (group instance id)")

// protocolType is the JoinGroup protocol type of consumer groups.
const protocolType = "consumer"

// joinGroup joins the group and completes a generation: JoinGroup (again
// with the member id the coordinator gives on MEMBER_ID_REQUIRED), the
// assignment if the member leads, SyncGroup, then the callbacks. It retries
// until it succeeds, the member is closed, or an error no retry can fix.
func (m *Member) joinGroup() error {
	m.mu.Lock()
	m.stable = false
	m.pending, m.pendErr = 0, nil
	m.mu.Unlock()
	for attempt := 0; ; {
		addr, err := m.coordinator(m.ctx)
		if err != nil {
			return err
		}
		err = m.joinRound(addr)
		if err == nil {
			return nil
		}
		if m.ctx.Err() != nil {
			return m.ctx.Err()
		}
		wait := true
		switch {
		case errors.Is(err, wire.MemberIdRequired), errors.Is(err, wire.RebalanceInProgress):
			wait = false
		case errors.Is(err, wire.UnknownMemberId):
			m.lose(m.ctx, true)
			wait = false
		case errors.Is(err, wire.IllegalGeneration):
			m.lose(m.ctx, false)
			wait = false
		case IsFatal(err):
			return err
		case errors.Is(err, ErrBadAssignment):
			// The coordinator answered: it has not moved. The member
			// rejoins after JoinBackoff, and the group's leader assigns
			// again.
		case coordinatorMoved(err):
			m.forgetCoordinator(addr)
		}
		if !wait {
			continue
		}
		m.logf("group %s: joining: %v", m.cfg.GroupID, err)
		if !sleep(m.ctx, m.joinBackoff(attempt, err)) {
			return m.ctx.Err()
		}
		attempt++
	}
}

// joinBackoff is the wait before rejoining after failed attempt number
// attempt (0-based) failed with err: JoinBackoff when set, as kafka-go
// waits its JoinGroupBackoff after a failed join or sync, else the
// exponential backoff of lookups and commits. A coordinator that has moved
// or is loading (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
// COORDINATOR_LOAD_IN_PROGRESS) always gets the exponential backoff, as
// the Java consumer's retry.backoff.ms: a fresh group's first JoinGroup
// often meets one while the coordinator is elected, and a JoinGroupBackoff
// of seconds there would only delay every new Reader. The rejoins Kafka
// asks for (MEMBER_ID_REQUIRED, REBALANCE_IN_PROGRESS, a fenced
// generation) do not wait at all.
func (m *Member) joinBackoff(attempt int, err error) time.Duration {
	if m.cfg.JoinBackoff > 0 && !errors.Is(err, wire.NotCoordinator) && !errors.Is(err, wire.CoordinatorNotAvailable) &&
		!errors.Is(err, wire.CoordinatorLoadInProgress) {
		return m.cfg.JoinBackoff
	}
	return m.backoff(attempt)
}

// joinRound runs one JoinGroup and, if it succeeds, the assignment and one
// SyncGroup, then applies the assignment.
func (m *Member) joinRound(addr string) error {
	m.mu.Lock()
	memberID, gen, owned := m.memberID, m.gen, m.owned
	m.mu.Unlock()

	req := &m.joinReq
	req.GroupId = m.cfg.GroupID
	req.SessionTimeoutMs = m.sessionMs
	req.RebalanceTimeoutMs = int32(m.cfg.RebalanceTimeout / time.Millisecond)
	req.MemberId = memberID
	req.GroupInstanceId = m.instance
	req.ProtocolType = protocolType
	req.Protocols = req.Protocols[:0]
	for _, a := range m.cfg.Assignors {
		req.Protocols = append(req.Protocols, wire.JoinGroupRequestProtocol{
			Name:     a.Protocol(),
			Metadata: a.Metadata(m.cfg.Topics, owned, gen),
		})
	}
	req.Reason = wire.NullString{}

	var (
		members  []MemberMeta
		leader   bool
		protocol string
	)
	// The coordinator answers JoinGroup once every member has rejoined or
	// the rebalance timeout has passed.
	ctx, cancel := context.WithTimeout(m.ctx, m.cfg.RebalanceTimeout+5*time.Second)
	defer cancel()
	err := m.call(ctx, &m.joinL, addr, func(c *broker.Conn) error {
		v, err := c.Version(wire.KeyJoinGroup)
		if err != nil {
			return err
		}
		if m.instance.Valid && v < 5 {
			return errStaticUnsupported
		}
		resp := &m.joinResp
		if err := c.Exchange(v, req, resp); err != nil {
			return err
		}
		if code := wire.Error(resp.ErrorCode); code != 0 {
			if code == wire.MemberIdRequired {
				m.mu.Lock()
				m.setGenerationLocked(resp.MemberId, m.gen)
				m.mu.Unlock()
			}
			return code
		}
		m.mu.Lock()
		m.setGenerationLocked(resp.MemberId, resp.GenerationId)
		m.protocol = resp.ProtocolName.String
		m.watched = nil
		m.mu.Unlock()
		protocol = resp.ProtocolName.String
		leader = resp.Leader == resp.MemberId
		if leader && !resp.SkipAssignment {
			// Copied out: the response aliases the read buffer, which the
			// assignor's Metadata request reuses.
			members = make([]MemberMeta, len(resp.Members))
			for i := range resp.Members {
				p := &resp.Members[i]
				members[i] = decodeMember(p.MemberId, p.GroupInstanceId, p.Metadata)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}

	var assignments map[string][]byte
	if members != nil {
		a := m.assignor(protocol)
		if a == nil {
			return fmt.Errorf("kafka: the coordinator chose protocol %q, which this member does not offer", protocol)
		}
		seen := make(map[string]int32)
		assignments, err = a.Assign(members, func(topics []string) (map[string]int32, error) {
			counts, err := m.partitionCounts(ctx, &m.joinL, addr, topics)
			for _, t := range topics {
				seen[t] = counts[t] // 0 for a topic that does not exist
			}
			return counts, err
		})
		if err != nil {
			return fmt.Errorf("kafka: assignor %s: %w", protocol, err)
		}
		m.mu.Lock()
		m.watched = seen
		m.mu.Unlock()
	}

	m.mu.Lock()
	memberID, gen = m.memberID, m.gen
	m.mu.Unlock()
	sreq := &m.syncReq
	sreq.GroupId = m.cfg.GroupID
	sreq.GenerationId = gen
	sreq.MemberId = memberID
	sreq.GroupInstanceId = m.instance
	sreq.ProtocolType = wire.NewNullString(protocolType)
	sreq.ProtocolName = wire.NewNullString(protocol)
	sreq.Assignments = sreq.Assignments[:0]
	for _, mm := range members {
		if b, ok := assignments[mm.ID]; ok {
			sreq.Assignments = append(sreq.Assignments, wire.SyncGroupRequestAssignment{MemberId: mm.ID, Assignment: b})
		}
	}
	var assigned Assignment
	sctx, scancel := context.WithTimeout(m.ctx, m.cfg.RebalanceTimeout+5*time.Second)
	defer scancel()
	err = m.call(sctx, &m.joinL, addr, func(c *broker.Conn) error {
		v, err := c.Version(wire.KeySyncGroup)
		if err != nil {
			return err
		}
		if m.instance.Valid && v < 3 {
			return errStaticUnsupported
		}
		resp := &m.syncResp
		if err := c.Exchange(v, sreq, resp); err != nil {
			return err
		}
		if err := wire.ErrorForCode(resp.ErrorCode); err != nil {
			return err
		}
		assigned, err = decodeAssignment(resp.Assignment)
		if err != nil {
			return fmt.Errorf("%w (generation %d): %w", ErrBadAssignment, gen, err)
		}
		return nil
	})
	if errors.Is(err, ErrBadAssignment) && m.cfg.OnError != nil {
		m.cfg.OnError(err)
	}
	if err != nil {
		return err
	}
	m.apply(assigned)
	return nil
}

// assignor returns the configured assignor named protocol, or nil.
func (m *Member) assignor(protocol string) Assignor {
	for _, a := range m.cfg.Assignors {
		if a.Protocol() == protocol {
			return a
		}
	}
	return nil
}

// partitionCounts asks the coordinator's broker, over lane l, for the
// partition counts of topics; topics that do not exist are left out. It
// runs once per assignment and per partition watch, so it builds its
// request afresh.
func (m *Member) partitionCounts(ctx context.Context, l *lane, addr string, topics []string) (map[string]int32, error) {
	counts := make(map[string]int32, len(topics))
	if len(topics) == 0 {
		return counts, nil
	}
	rctx, cancel := context.WithTimeout(ctx, m.cfg.RequestTimeout)
	defer cancel()
	err := m.call(rctx, l, addr, func(c *broker.Conn) error {
		v, err := c.Version(wire.KeyMetadata)
		if err != nil {
			return err
		}
		req := &wire.MetadataRequest{Topics: make([]wire.MetadataRequestTopic, len(topics))}
		for i, t := range topics {
			req.Topics[i].Name = wire.NewNullString(t)
		}
		resp := new(wire.MetadataResponse)
		if err := c.Exchange(v, req, resp); err != nil {
			return err
		}
		for i := range resp.Topics {
			t := &resp.Topics[i]
			if wire.Error(t.ErrorCode) == wire.TopicAuthorizationFailed {
				// Fatal: every member would read the topic's partitions
				// in vain (the Java leader's poll throws it too).
				return fmt.Errorf("kafka: group %s: metadata of topic %s: %w", m.cfg.GroupID, t.Name.String, wire.TopicAuthorizationFailed)
			}
			if len(t.Partitions) > 0 {
				counts[t.Name.String] = int32(len(t.Partitions))
			}
		}
		return nil
	})
	return counts, err
}

// apply installs the assignment SyncGroup returned and tells the
// application: under the cooperative protocol the partitions taken away are
// revoked first, and a second round is requested if there were any.
func (m *Member) apply(assigned Assignment) {
	m.mu.Lock()
	gen := Generation{ID: m.gen, MemberID: m.memberID}
	genCtx := m.genCtx
	prev := m.owned
	m.stable = true
	m.lastHB = time.Now()
	m.mu.Unlock()
	poke(m.hbWake) // heartbeats run during the callbacks

	var revoked, added Assignment
	if m.cooperative {
		revoked = prev.Minus(assigned)
		added = assigned.Minus(prev)
		if len(revoked) > 0 && m.cfg.OnRevoked != nil {
			m.cfg.OnRevoked(m.revokeCtx, gen, revoked.Clone())
		}
	} else {
		added = assigned.Clone()
	}
	if added == nil {
		added = Assignment{}
	}
	m.mu.Lock()
	m.owned = assigned
	if len(revoked) > 0 {
		m.raiseLocked(trigRejoin, nil)
	}
	m.mu.Unlock()
	if m.cfg.OnAssigned != nil {
		// What OnAssigned does for gen (fetching the committed offsets,
		// say) is abandoned when gen ends: the heartbeat goroutine may
		// find it gone while the coordinator has stopped answering.
		ctx, cancel := context.WithCancel(m.ctx)
		stop := context.AfterFunc(genCtx, cancel)
		m.cfg.OnAssigned(ctx, gen, assigned.Clone(), added)
		stop()
		cancel()
	}
}
