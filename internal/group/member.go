package group

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// ErrClosed is returned by the methods of a Member after Close.
var ErrClosed = errors.New("kafka: group member closed")

// ErrBadAssignment is the error, wrapped with the decoder's, of an
// assignment that SyncGroup returned and that does not decode as a
// ConsumerProtocolAssignment: the group's leader (another client, or a
// broken assignor) sent bytes this member cannot read. The member cannot
// tell which partitions are its own, so it takes none from it, tells
// Config.OnError, and joins again after JoinBackoff, which starts another
// assignment.
var ErrBadAssignment = errors.New("kafka: the group's assignment for this member does not decode")

// errSessionExpired is the reason given when no heartbeat got an answer for
// a whole session timeout: the coordinator has most likely expelled the
// member.
var errSessionExpired = errors.New("kafka: no heartbeat answered within the session timeout")

// Config configures a Member. Brokers, GroupID, Topics and Assignors are
// required; zero durations take the defaults named.
type Config struct {
	// Brokers are bootstrap addresses (host:port) used to find the
	// coordinator.
	Brokers []string
	// Dial opens broker connections (default: broker.Dial with ClientID,
	// then Negotiate). The root package passes one that does TLS and SASL.
	Dial DialFunc
	// ClientID is sent in request headers by the default Dial.
	ClientID string
	// GroupID is the consumer group.
	GroupID string
	// InstanceID makes the member static (KIP-345) under that id: the
	// coordinator keeps its assignment across restarts shorter than the
	// session timeout, and Close does not leave the group. "" for a
	// dynamic member.
	InstanceID string
	// Topics are the topics the member subscribes to.
	Topics []string
	// Assignors are the strategies offered, preferred first.
	Assignors []Assignor
	// SessionTimeout is how long the coordinator waits for a heartbeat
	// before expelling the member (default 45 s).
	SessionTimeout time.Duration
	// RebalanceTimeout is how long the coordinator waits for members to
	// rejoin in a rebalance, which includes the time OnRevoked takes under
	// the eager protocol (default 60 s).
	RebalanceTimeout time.Duration
	// HeartbeatInterval is the time between heartbeats (default 3 s);
	// it should be well under SessionTimeout.
	HeartbeatInterval time.Duration
	// RetentionTime asks the coordinator to keep committed offsets this
	// long; 0 leaves it to the broker's offsets.retention.minutes. Only
	// OffsetCommit v2 to v4 carry it, so a non-zero value makes commits use
	// v4 at most (without the static member id and leader epoch those
	// versions lack).
	RetentionTime time.Duration
	// RetryBackoff is the first wait before retrying a failed lookup, join
	// or commit; it doubles per retry up to ten times itself (default
	// 100 ms).
	RetryBackoff time.Duration
	// JoinBackoff, when set, is the wait before retrying a failed
	// JoinGroup or SyncGroup instead of RetryBackoff's (the Reader's
	// JoinGroupBackoff), except after a coordinator move or load, which
	// keeps RetryBackoff's. Rejoins the coordinator asks for
	// (MEMBER_ID_REQUIRED, REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
	// UNKNOWN_MEMBER_ID) never wait.
	JoinBackoff time.Duration
	// RequestTimeout bounds short exchanges: lookups, heartbeats and
	// LeaveGroup (default 10 s, at most SessionTimeout for heartbeats).
	RequestTimeout time.Duration
	// CloseTimeout is how long after Close begins the context given to
	// OnRevoked stays valid, for the final revocation or one that Close
	// interrupts (default 5 s). LeaveGroup, after it, gets 500 ms: it is a
	// courtesy that saves the group a session timeout.
	CloseTimeout time.Duration

	// OnAssigned is called after each completed SyncGroup with the
	// generation, the member's whole assignment in it and the partitions
	// that are new to the member (the whole assignment under the eager
	// protocol). Commits for any partition of assigned must name gen. Its
	// ctx ends at Close and when the member learns gen is over.
	OnAssigned func(ctx context.Context, gen Generation, assigned, added Assignment)
	// OnRevoked is called before the member gives partitions up, and the
	// member waits for it to return: it is where the application stops
	// delivering them and commits their offsets, naming gen (still valid
	// at the coordinator while the callback runs). Under the eager protocol
	// it covers every owned partition before each rejoin; under the
	// cooperative protocol only the partitions a new assignment takes
	// away, after SyncGroup, before the member rejoins for the second
	// round. Close calls it last for whatever is still owned. Its ctx ends
	// CloseTimeout after Close begins, not at once, so a revocation Close
	// interrupts can still commit.
	OnRevoked func(ctx context.Context, gen Generation, revoked Assignment)
	// OnLost is called when the member learns that partitions are no
	// longer its own without having given them up: its generation was
	// fenced, it was expelled, or no heartbeat was answered within the
	// session timeout. Other members may already own them; commits naming
	// gen fail.
	OnLost func(ctx context.Context, gen Generation, lost Assignment)
	// PartitionWatchInterval, when set, makes the leader look up the
	// partition counts of the group's topics this often and start a
	// rebalance when one changed (partitions added, a subscribed topic
	// created or deleted), as kafka-go's WatchPartitionChanges does. 0
	// turns it off: new partitions then wait for the next rebalance.
	PartitionWatchInterval time.Duration
	// OnError, when set, is told of the failures the member retries on
	// its own but that the application must hear of, since they last as
	// long as another member keeps causing them: an assignment that does
	// not decode (ErrBadAssignment). It is called on the join goroutine and
	// must not block.
	OnError func(err error)
	// Logf, when set, receives a line for each retried failure.
	Logf func(format string, args ...any)
}

// Generation identifies the member in one generation of the group: what
// an OffsetCommit must carry. The zero Generation with ID -1 (NoGeneration)
// commits as a client outside any generation, which the coordinator
// accepts only for a group without members.
type Generation struct {
	// ID is the generation id.
	ID int32
	// MemberID is the member id the coordinator gave the member.
	MemberID string
}

// NoGeneration names no generation: commits with it are sent with
// generation -1 and no member id.
var NoGeneration = Generation{ID: -1}

// StaleGenerationError is returned by CommitOffsets when the generation
// named is not the member's current one: the member knows the commit would
// be refused, so it sends nothing. errors.Is matches wire.IllegalGeneration.
type StaleGenerationError struct {
	// Named is the generation the commit named; Current the member's.
	Named, Current Generation
}

// Error describes both generations.
func (e *StaleGenerationError) Error() string {
	return fmt.Sprintf("kafka: commit names generation %d of member %q, the member is in generation %d as %q",
		e.Named.ID, e.Named.MemberID, e.Current.ID, e.Current.MemberID)
}

// Unwrap returns wire.IllegalGeneration.
func (e *StaleGenerationError) Unwrap() error { return wire.IllegalGeneration }

// trigger bits: what the run loop must act on when the group is stable.
const (
	trigRejoin  = 1 << iota // rebalance: rejoin (eager: revoke all first)
	trigLost                // generation gone: partitions lost, rejoin
	trigUnknown             // member id gone too: rejoin as a new member
	trigFatal               // another instance took the static id, or an error no retry fixes: stop
)

// Member is one member of a consumer group under the classic protocol. It
// joins on its own goroutine, runs the assignment when it leads, heartbeats
// on a second goroutine, and reports assignment changes through the
// callbacks of Config, in order, on the joining goroutine. Its methods are
// safe for concurrent use. See the package documentation for the states.
type Member struct {
	cfg         Config
	cooperative bool

	ctx    context.Context // cancelled by Close or a fatal error: stops both goroutines
	cancel context.CancelFunc
	// revokeCtx is OnRevoked's context: it outlives Close by CloseTimeout,
	// so the commits of a revocation that Close interrupts still go out.
	revokeCtx    context.Context
	revokeCancel context.CancelFunc
	teardown     context.Context // cancelled once the member has left: aborts every exchange
	down         context.CancelFunc
	wg           sync.WaitGroup
	done         chan struct{} // closed when the join goroutine has ended
	once         sync.Once

	findSem  chan struct{} // held by the one coordinator lookup at a time; guards bootNext
	bootNext int
	boot     lane // FindCoordinator
	joinL    lane // JoinGroup, SyncGroup, Metadata for the leader
	ctl      lane // Heartbeat, OffsetCommit, OffsetFetch, LeaveGroup

	wake   chan struct{} // wakes the join goroutine
	hbWake chan struct{} // wakes the heartbeat goroutine

	mu       sync.Mutex
	coord    string // coordinator address, "" when unknown
	memberID string
	gen      int32
	// genCtx ends when the generation (gen, memberID) does: a commit
	// naming it is abandoned then, rather than holding the application's
	// callbacks up behind a coordinator that stopped answering.
	genCtx    context.Context
	genEnd    context.CancelFunc
	protocol  string
	stable    bool // a generation is complete: heartbeats run
	lastHB    time.Time
	hbFails   int // heartbeats failed in a row
	owned     Assignment
	pending   int
	pendErr   error
	err       error // fatal error that ended the member
	instance  wire.NullString
	sessionMs int32
	// watched holds, on the leader, the partition count of every topic of
	// the last assignment (0 for a topic that did not exist); nil elsewhere.
	watched   map[string]int32
	lastWatch time.Time

	// Request and response structs, reused: find* under findSem, join* and
	// sync* on the join goroutine, hb* on the heartbeat goroutine,
	// commit*, fetch* and leave* under ctl.mu.
	findReq    wire.FindCoordinatorRequest
	findResp   wire.FindCoordinatorResponse
	joinReq    wire.JoinGroupRequest
	joinResp   wire.JoinGroupResponse
	syncReq    wire.SyncGroupRequest
	syncResp   wire.SyncGroupResponse
	hbReq      wire.HeartbeatRequest
	hbResp     wire.HeartbeatResponse
	commitReq  wire.OffsetCommitRequest
	commitResp wire.OffsetCommitResponse
	fetchReq   wire.OffsetFetchRequest
	fetchResp  wire.OffsetFetchResponse
	// fetchTopics backs the topics of fetchReq, top-level or in its group.
	fetchTopics []wire.OffsetFetchRequestTopic
	leaveReq    wire.LeaveGroupRequest
	leaveResp   wire.LeaveGroupResponse
}

// New validates cfg, fills its defaults and starts the member: it begins
// looking up the coordinator and joining at once. Close stops it.
func New(cfg Config) (*Member, error) {
	switch {
	case len(cfg.Brokers) == 0:
		return nil, errors.New("kafka: group member needs at least one broker address")
	case cfg.GroupID == "":
		return nil, errors.New("kafka: group member needs a group id")
	case len(cfg.Topics) == 0:
		return nil, errors.New("kafka: group member needs at least one topic")
	case len(cfg.Assignors) == 0:
		return nil, errors.New("kafka: group member needs at least one assignor")
	}
	setDefault(&cfg.SessionTimeout, 45*time.Second)
	setDefault(&cfg.RebalanceTimeout, 60*time.Second)
	setDefault(&cfg.HeartbeatInterval, 3*time.Second)
	setDefault(&cfg.RetryBackoff, 100*time.Millisecond)
	setDefault(&cfg.RequestTimeout, 10*time.Second)
	setDefault(&cfg.CloseTimeout, 5*time.Second)
	if cfg.HeartbeatInterval >= cfg.SessionTimeout {
		return nil, fmt.Errorf("kafka: heartbeat interval %v is not below the session timeout %v", cfg.HeartbeatInterval, cfg.SessionTimeout)
	}
	if cfg.Dial == nil {
		cfg.Dial = defaultDial(cfg.ClientID)
	}
	cfg.Brokers = slices.Clone(cfg.Brokers)
	cfg.Topics = slices.Clone(cfg.Topics)
	slices.Sort(cfg.Topics)
	cfg.Topics = slices.Compact(cfg.Topics)
	cfg.Assignors = slices.Clone(cfg.Assignors)

	m := &Member{
		cfg:         cfg,
		cooperative: true,
		done:        make(chan struct{}),
		wake:        make(chan struct{}, 1),
		hbWake:      make(chan struct{}, 1),
		gen:         -1,
		sessionMs:   int32(cfg.SessionTimeout / time.Millisecond),
	}
	for _, a := range cfg.Assignors {
		m.cooperative = m.cooperative && a.Cooperative()
	}
	if cfg.InstanceID != "" {
		m.instance = wire.NewNullString(cfg.InstanceID)
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	m.revokeCtx, m.revokeCancel = context.WithCancel(context.Background())
	m.genCtx, m.genEnd = context.WithCancel(context.Background())
	m.boot, m.joinL, m.ctl = newLane(), newLane(), newLane()
	m.findSem = make(chan struct{}, 1)
	m.teardown, m.down = context.WithCancel(context.Background())
	m.wg.Add(2)
	go m.run()
	go m.heartbeatLoop()
	return m, nil
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// Close stops the member: it aborts a join in progress, calls OnRevoked for
// the partitions still owned, leaves the group (dynamic members only: a
// static member keeps its place for a restart within the session timeout),
// closes its connections and returns once its goroutines have ended. It
// must not be called from a callback. Calling it again does nothing.
func (m *Member) Close() error {
	m.once.Do(func() {
		m.cancel()
		t := time.AfterFunc(m.cfg.CloseTimeout, m.revokeCancel)
		m.wg.Wait()
		t.Stop()
		m.revokeCancel()
	})
	return nil
}

// Done is closed when the member has stopped, after Close or a fatal error
// (Err says which).
func (m *Member) Done() <-chan struct{} { return m.done }

// Err returns the error that stopped the member (FENCED_INSTANCE_ID,
// GROUP_AUTHORIZATION_FAILED, ...), or nil.
func (m *Member) Err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.err
}

// Generation returns the member's current generation, and whether one is
// complete (SyncGroup done and not fenced since).
func (m *Member) Generation() (Generation, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return Generation{ID: m.gen, MemberID: m.memberID}, m.stable
}

func (m *Member) logf(format string, args ...any) {
	if m.cfg.Logf != nil {
		m.cfg.Logf(format, args...)
	}
}

// poke wakes a goroutine waiting on ch without blocking.
func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// setGenerationLocked makes (gen, id) the member's generation; when it
// differs from the current one, the current one's context ends, which
// aborts the commits that name it.
func (m *Member) setGenerationLocked(id string, gen int32) {
	if id == m.memberID && gen == m.gen {
		return
	}
	m.memberID, m.gen = id, gen
	m.genEnd()
	m.genCtx, m.genEnd = context.WithCancel(context.Background())
}

// raise records a trigger for the join goroutine; err says why.
func (m *Member) raiseLocked(t int, err error) {
	m.pending |= t
	if err != nil && (t&^trigRejoin != 0 || m.pendErr == nil) {
		m.pendErr = err
	}
	if t&^trigRejoin != 0 {
		m.stable = false // the generation is gone: stop heartbeating it
		m.genEnd()       // and abandon what still names it
	}
	poke(m.wake)
}

// run is the join goroutine: join, then wait for a reason to rejoin, until
// Close or a fatal error; then leave.
func (m *Member) run() {
	defer m.wg.Done()
	defer close(m.done)
	var fatal error
	for m.ctx.Err() == nil {
		if err := m.joinGroup(); err != nil {
			if m.ctx.Err() == nil {
				fatal = err
			}
			break
		}
		if err := m.waitTrigger(); err != nil {
			if m.ctx.Err() == nil {
				fatal = err
			}
			break
		}
	}
	if fatal != nil {
		m.logf("group %s: member stops: %v", m.cfg.GroupID, fatal)
		m.mu.Lock()
		m.err = fatal
		m.mu.Unlock()
	}
	m.cancel() // stops the heartbeat goroutine after a fatal error
	m.shutdown(fatal)
}

// waitTrigger waits, while the generation is stable, for a reason to rejoin
// and acts on it: under the eager protocol every partition is revoked
// before rejoining; lost partitions are reported as lost. It returns a
// fatal error, or the context's when Close interrupts it.
func (m *Member) waitTrigger() error {
	for {
		m.mu.Lock()
		t, reason := m.pending, m.pendErr
		m.pending, m.pendErr = 0, nil
		m.mu.Unlock()
		switch {
		case t&trigFatal != 0:
			m.lose(m.ctx, false)
			return reason
		case t&(trigLost|trigUnknown) != 0:
			m.logf("group %s: partitions lost: %v", m.cfg.GroupID, reason)
			m.lose(m.ctx, t&trigUnknown != 0)
			return nil
		case t&trigRejoin != 0:
			if !m.cooperative {
				m.revokeAll()
			}
			return nil
		}
		select {
		case <-m.ctx.Done():
			return m.ctx.Err()
		case <-m.wake:
		}
	}
}

// revokeAll calls OnRevoked for every owned partition and gives them up.
func (m *Member) revokeAll() {
	m.mu.Lock()
	owned, gen := m.owned, Generation{ID: m.gen, MemberID: m.memberID}
	m.mu.Unlock()
	if len(owned) > 0 && m.cfg.OnRevoked != nil {
		m.cfg.OnRevoked(m.revokeCtx, gen, owned.Clone())
	}
	m.mu.Lock()
	m.owned = nil
	m.mu.Unlock()
}

// lose ends the generation: owned partitions are reported lost and the
// member rejoins without a generation (and as a new member if forget).
func (m *Member) lose(ctx context.Context, forget bool) {
	m.mu.Lock()
	owned, gen := m.owned, Generation{ID: m.gen, MemberID: m.memberID}
	m.owned, m.stable = nil, false
	id := m.memberID
	if forget {
		id = ""
	}
	m.setGenerationLocked(id, -1)
	m.mu.Unlock()
	if len(owned) > 0 && m.cfg.OnLost != nil {
		m.cfg.OnLost(ctx, gen, owned)
	}
}

// shutdown runs after the join goroutine's loop: the final revocation,
// LeaveGroup, then the connections close.
func (m *Member) shutdown(fatal error) {
	if fatal == nil {
		m.revokeAll()
	} else {
		m.lose(m.revokeCtx, false)
	}
	m.mu.Lock()
	id, stable := m.memberID, m.stable
	m.stable = false
	m.mu.Unlock()
	if m.cfg.InstanceID == "" && id != "" && !errors.Is(fatal, wire.FencedInstanceId) {
		lctx, lcancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		if err := m.leave(lctx, id); err != nil {
			m.logf("group %s: leaving the group (generation stable: %v): %v", m.cfg.GroupID, stable, err)
		}
		lcancel()
	}
	m.down()
	m.boot.close()
	m.joinL.close()
	m.ctl.close()
}
