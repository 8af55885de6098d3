package group

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// DialFunc opens a connection to the broker at addr (host:port), bounded by
// ctx, ready for requests: TLS and SASL done. A Conn whose API versions are
// not negotiated yet is negotiated by the Member.
type DialFunc func(ctx context.Context, addr string) (*broker.Conn, error)

// lane is one connection used by one kind of traffic: exchanges on a lane
// take turns, and a lane redials when its broker changes or its connection
// breaks. A Member has three (bootstrap lookups, JoinGroup and SyncGroup,
// everything else), so a JoinGroup that waits for a whole rebalance delays
// no heartbeat or commit.
type lane struct {
	// sem is held for a whole exchange. Waiting for it honours the
	// exchange's context, so that an exchange stuck on a silent
	// coordinator (a commit, say) cannot hold a heartbeat past its
	// deadline, which is how the member learns its session is gone.
	sem  chan struct{}
	conn *broker.Conn
	addr string
}

func newLane() lane { return lane{sem: make(chan struct{}, 1)} }

// call runs fn on l's connection to addr, dialing it if needed. ctx bounds
// the exchange: its deadline becomes the socket's, and its cancellation, or
// the Member's teardown, closes the connection at once so a blocked read
// returns. After any error but a Kafka error code the connection is closed.
// A failure that ctx's end caused is returned as ctx's error (the socket
// deadline, ctx's own, may fire first and give an i/o timeout), so that
// errors.Is matches context.DeadlineExceeded or context.Canceled.
func (m *Member) call(ctx context.Context, l *lane, addr string, fn func(c *broker.Conn) error) error {
	return contextCause(ctx, m.callLane(ctx, l, addr, fn))
}

// contextCause returns ctx's error in place of err when ctx's end caused
// err: ctx is done, or its deadline has passed (the socket's deadline, set
// from ctx's, may fire before ctx's timer does). Kafka error codes and
// ErrClosed are returned as they are.
func contextCause(ctx context.Context, err error) error {
	if err == nil || isKafkaError(err) || errors.Is(err, ErrClosed) || !Ended(ctx) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return context.DeadlineExceeded
}

// Ended reports whether ctx is done or its deadline has passed (its timer
// may fire a little later). A context.DeadlineExceeded met while ctx has
// not ended is another context's: the Dialer's Timeout, say.
func Ended(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && !time.Now().Before(dl)
}

// callLane is call without the error's translation.
func (m *Member) callLane(ctx context.Context, l *lane, addr string, fn func(c *broker.Conn) error) error {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-m.teardown.Done():
		return ErrClosed
	}
	defer func() { <-l.sem }()
	if m.teardown.Err() != nil {
		return ErrClosed
	}
	// A connection idle past its SASL session's end would be closed by
	// the broker at its next request: it is replaced.
	if l.conn != nil && (l.addr != addr || l.conn.SessionExpired(time.Now())) {
		l.conn.Close()
		l.conn = nil
	}
	if l.conn == nil {
		c, err := m.dial(ctx, addr)
		if err != nil {
			return err
		}
		l.conn, l.addr = c, addr
	}
	c := l.conn
	dl, _ := ctx.Deadline()
	c.NetConn().SetDeadline(dl)
	stop1 := context.AfterFunc(ctx, func() { c.Close() })
	stop2 := context.AfterFunc(m.teardown, func() { c.Close() })
	// A SASL session with a lifetime is renewed before it ends (KIP-368).
	err := c.Refresh(ctx, 0)
	if err == nil {
		err = fn(c)
	}
	live1, live2 := stop1(), stop2()
	switch {
	case !live2:
		err = ErrClosed
	case !live1:
		err = ctx.Err()
	case err != nil && !dl.IsZero() && !time.Now().Before(dl) && errors.Is(err, os.ErrDeadlineExceeded):
		// The socket's deadline, ctx's, struck before ctx's own timer
		// ran: the error is still ctx's.
		err = context.DeadlineExceeded
	}
	// A connection in step with the broker (an answer with a Kafka error
	// code, a write that timed out before sending) is kept; any other
	// failure redials.
	if err != nil && (!live1 || !live2 || !c.Usable()) {
		c.Close()
		l.conn = nil
	}
	return err
}

// close closes l's connection, waiting for an exchange in progress (which
// the teardown context aborts).
func (l *lane) close() {
	l.sem <- struct{}{}
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
	<-l.sem
}

// dial connects to addr with the configured DialFunc and negotiates API
// versions if the DialFunc did not.
func (m *Member) dial(ctx context.Context, addr string) (*broker.Conn, error) {
	c, err := m.cfg.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if c.Negotiated() {
		return c, nil
	}
	dl, _ := ctx.Deadline()
	c.NetConn().SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { c.Close() })
	err = c.Negotiate()
	if !stop() {
		err = ctx.Err()
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// defaultDial is broker.Dial followed by Negotiate.
func defaultDial(clientID string) DialFunc {
	return func(ctx context.Context, addr string) (*broker.Conn, error) {
		return broker.Dial(ctx, addr, clientID)
	}
}

// coordinator returns the address of the group's coordinator, looking it up
// when it is not known: it asks the bootstrap brokers in turn with
// FindCoordinator, retrying with backoff while the answer is retriable, until
// ctx ends. Errors that no retry can fix (authorization, for instance) are
// returned at once.
func (m *Member) coordinator(ctx context.Context) (string, error) {
	m.mu.Lock()
	addr := m.coord
	m.mu.Unlock()
	if addr != "" {
		return addr, nil
	}
	// Waiting for another lookup honours ctx: a commit retrying the
	// lookup against unreachable brokers must not hold a heartbeat past
	// its deadline.
	select {
	case m.findSem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-m.findSem }()
	for attempt := 0; ; attempt++ {
		m.mu.Lock()
		addr = m.coord
		m.mu.Unlock()
		if addr != "" {
			return addr, nil
		}
		boot := m.cfg.Brokers[m.bootNext%len(m.cfg.Brokers)]
		addr, err := m.findCoordinator(ctx, boot)
		if err == nil {
			m.mu.Lock()
			m.coord = addr
			m.mu.Unlock()
			return addr, nil
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if isFatal(err) || errors.Is(err, ErrClosed) {
			return "", err
		}
		if !isKafkaError(err) {
			m.bootNext++ // the broker is unreachable: try the next one
		}
		m.logf("group %s: finding the coordinator through %s: %v", m.cfg.GroupID, boot, err)
		if !sleep(ctx, m.backoff(attempt)) {
			return "", ctx.Err()
		}
	}
}

// findCoordinator asks the broker at boot for the group's coordinator, in
// the batched form (v4+) when the broker speaks it.
func (m *Member) findCoordinator(ctx context.Context, boot string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.RequestTimeout)
	defer cancel()
	var addr string
	err := m.call(ctx, &m.boot, boot, func(c *broker.Conn) error {
		v, err := c.Version(wire.KeyFindCoordinator)
		if err != nil {
			return err
		}
		req := &m.findReq
		req.KeyType = 0
		if v >= 4 {
			req.CoordinatorKey = ""
			req.CoordinatorKeys = append(req.CoordinatorKeys[:0], m.cfg.GroupID)
		} else {
			req.CoordinatorKey = m.cfg.GroupID
			req.CoordinatorKeys = req.CoordinatorKeys[:0]
		}
		resp := &m.findResp
		if err := c.Exchange(v, req, resp); err != nil {
			return err
		}
		code, msg, host, port := resp.ErrorCode, resp.ErrorMessage, resp.Host, resp.Port
		if v >= 4 {
			if len(resp.Coordinators) != 1 || resp.Coordinators[0].Key != m.cfg.GroupID {
				return fmt.Errorf("group %s: FindCoordinator answered %d keys", m.cfg.GroupID, len(resp.Coordinators))
			}
			r := &resp.Coordinators[0]
			code, msg, host, port = r.ErrorCode, r.ErrorMessage, r.Host, r.Port
		}
		if err := wire.ErrorForCodeMessage(code, msg); err != nil {
			return err
		}
		addr = net.JoinHostPort(host, strconv.Itoa(int(port)))
		return nil
	})
	return addr, err
}

// forgetCoordinator drops the known coordinator if it is still addr, so
// the next exchange looks it up again.
func (m *Member) forgetCoordinator(addr string) {
	m.mu.Lock()
	if m.coord == addr {
		m.coord = ""
	}
	m.mu.Unlock()
}

// isKafkaError reports whether err carries a Kafka error code (as opposed to
// a network or decoding failure).
func isKafkaError(err error) bool {
	var ke wire.Error
	return errors.As(err, &ke)
}

// coordinatorMoved reports whether err means the coordinator must be looked
// up again: it is not (or no longer) the coordinator, or it cannot be
// reached.
func coordinatorMoved(err error) bool {
	if !isKafkaError(err) {
		return !errors.Is(err, ErrClosed) && !errors.Is(err, context.Canceled)
	}
	return errors.Is(err, wire.NotCoordinator) || errors.Is(err, wire.CoordinatorNotAvailable)
}

// isFatal reports whether err is a Kafka error that retrying cannot fix.
// Kafka marks none of these retriable, and the Java consumer throws each of
// them out of poll rather than retrying: the member's configuration or
// rights must change first (authorization, an invalid group id or session
// timeout, protocols that no other member shares, a full group, a broker
// without the API version needed), or another process holds its static
// instance id. The other non-retriable group codes (ILLEGAL_GENERATION,
// UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS, MEMBER_ID_REQUIRED) ask for a
// rejoin, which fixes them.
func isFatal(err error) bool {
	var ke wire.Error
	if !errors.As(err, &ke) {
		return false
	}
	switch ke {
	case wire.GroupAuthorizationFailed, wire.TopicAuthorizationFailed, wire.InvalidGroupId,
		wire.InvalidSessionTimeout, wire.InconsistentGroupProtocol, wire.GroupMaxSizeReached,
		wire.FencedInstanceId, wire.UnsupportedVersion, wire.UnreleasedInstanceId, wire.GroupIdNotFound:
		return true
	}
	return false
}

// IsFatal reports whether err stops a member for good: a Kafka error that
// retrying cannot fix (see the package documentation), or a coordinator
// without the API versions the member needs. Err returns such an error
// once the member has stopped; the Reader also uses it to tell which
// failures of FetchOffsets to retry.
func IsFatal(err error) bool {
	return isFatal(err) || errors.Is(err, wire.ErrNoVersionOverlap) || errors.Is(err, errStaticUnsupported)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// backoff returns the wait before retry number attempt (0-based): RetryBackoff
// doubled each time, capped at ten times RetryBackoff.
func (m *Member) backoff(attempt int) time.Duration {
	d := m.cfg.RetryBackoff
	for i := 0; i < attempt && d < 10*m.cfg.RetryBackoff; i++ {
		d *= 2
	}
	return min(d, 10*m.cfg.RetryBackoff)
}
