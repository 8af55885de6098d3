package group

import (
	"context"
	"errors"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// heartbeatLoop is the heartbeat goroutine. While a generation is stable it
// sends a Heartbeat every HeartbeatInterval (sooner after a failure) and
// turns the answers into triggers for the join goroutine. It runs during
// the application's callbacks too, so a slow OnRevoked or OnAssigned does
// not cost the member its session. When no heartbeat has been answered for
// a session timeout, the coordinator has almost certainly expelled the
// member; the partitions are then reported lost rather than kept on a
// guess.
func (m *Member) heartbeatLoop() {
	defer m.wg.Done()
	t := time.NewTimer(m.cfg.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-m.hbWake:
		case <-t.C:
		}
		next := m.heartbeatOnce()
		m.watchPartitions()
		if w := m.cfg.PartitionWatchInterval; next > 0 && w > 0 {
			// Wake for the watch too: heartbeatOnce sends nothing before
			// a heartbeat is due.
			next = min(next, w)
		}
		if next > 0 {
			if !t.Stop() {
				select {
				case <-t.C:
				default:
				}
			}
			t.Reset(next)
		}
	}
}

// heartbeatOnce sends one heartbeat if a generation is stable and returns
// when the next one is due (0: wait for a wake-up).
func (m *Member) heartbeatOnce() time.Duration {
	m.mu.Lock()
	stable, gen, id, last := m.stable, m.gen, m.memberID, m.lastHB
	m.mu.Unlock()
	if !stable {
		return 0
	}
	since := time.Since(last)
	if since < m.cfg.HeartbeatInterval {
		return m.cfg.HeartbeatInterval - since // woken at a generation's start
	}
	expiry := last.Add(m.cfg.SessionTimeout)
	if !time.Now().Before(expiry) {
		m.mu.Lock()
		if m.stable && m.gen == gen && m.memberID == id {
			m.raiseLocked(trigLost, errSessionExpired)
		}
		m.mu.Unlock()
		return 0
	}
	// A heartbeat may wait at most until the session would expire.
	ctx, cancel := context.WithDeadline(m.ctx, expiry)
	defer cancel()
	err := m.heartbeat(ctx, gen, id)
	if m.ctx.Err() != nil {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.stable || m.gen != gen || m.memberID != id {
		return m.cfg.HeartbeatInterval // answered for a generation since left
	}
	switch {
	case err == nil:
		m.lastHB = time.Now()
	case errors.Is(err, wire.RebalanceInProgress):
		m.lastHB = time.Now()
		m.raiseLocked(trigRejoin, err)
	case errors.Is(err, wire.IllegalGeneration):
		m.raiseLocked(trigLost, err)
	case errors.Is(err, wire.UnknownMemberId):
		m.raiseLocked(trigLost|trigUnknown, err)
	case IsFatal(err):
		// FENCED_INSTANCE_ID, or one no retry fixes (the group's
		// authorization revoked, say): the member stops.
		m.raiseLocked(trigFatal, err)
	default:
		// Lookups, timeouts, a broken connection: retry soon, backing
		// off, until the session runs out.
		m.logf("group %s: heartbeat: %v", m.cfg.GroupID, err)
		m.hbFails++
		return min(m.backoff(m.hbFails-1), m.cfg.HeartbeatInterval)
	}
	m.hbFails = 0
	return m.cfg.HeartbeatInterval
}

// heartbeat sends one Heartbeat for gen; it forgets the coordinator when
// the answer or the failure says it moved.
func (m *Member) heartbeat(ctx context.Context, gen int32, id string) error {
	addr, err := m.coordinator(ctx)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, m.cfg.RequestTimeout)
	defer cancel()
	err = m.call(rctx, &m.ctl, addr, func(c *broker.Conn) error {
		v, err := c.Version(wire.KeyHeartbeat)
		if err != nil {
			return err
		}
		if m.instance.Valid && v < 3 {
			return errStaticUnsupported
		}
		req := &m.hbReq
		req.GroupId, req.GenerationId, req.MemberId, req.GroupInstanceId = m.cfg.GroupID, gen, id, m.instance
		if err := c.Exchange(v, req, &m.hbResp); err != nil {
			return err
		}
		return wire.ErrorForCode(m.hbResp.ErrorCode)
	})
	if err != nil && coordinatorMoved(err) {
		m.forgetCoordinator(addr)
	}
	return err
}

// watchPartitions, on the leader of a stable generation with a
// PartitionWatchInterval, compares the partition counts of the group's
// topics with those the last assignment used, once per interval, and
// starts a rebalance when they differ.
func (m *Member) watchPartitions() {
	if m.cfg.PartitionWatchInterval <= 0 {
		return
	}
	m.mu.Lock()
	watched, gen, due := m.watched, m.gen, m.stable && time.Since(m.lastWatch) >= m.cfg.PartitionWatchInterval
	m.mu.Unlock()
	if watched == nil || !due {
		return
	}
	m.mu.Lock()
	m.lastWatch = time.Now()
	m.mu.Unlock()
	ctx, cancel := context.WithTimeout(m.ctx, m.cfg.RequestTimeout)
	defer cancel()
	addr, err := m.coordinator(ctx)
	if err != nil {
		return
	}
	counts, err := m.partitionCounts(ctx, &m.ctl, addr, sortedTopics(watched))
	if err != nil {
		m.logf("group %s: watching partition counts: %v", m.cfg.GroupID, err)
		return
	}
	for t, n := range watched {
		if counts[t] != n {
			m.logf("group %s: topic %s has %d partitions, the assignment used %d: rebalancing", m.cfg.GroupID, t, counts[t], n)
			m.mu.Lock()
			if m.stable && m.gen == gen {
				m.raiseLocked(trigRejoin, nil)
			}
			m.mu.Unlock()
			return
		}
	}
}
