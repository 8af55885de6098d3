package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// The group churn proof, under an eager and a cooperative
// balancer: 300,000 messages in 12 partitions are consumed by a group of
// about three Readers while members join, leave (Close) and crash (their
// connections cut and silenced, without LeaveGroup). Throughout:
//
//   - every message is delivered at least once;
//   - no message of a partition is returned to a Reader by a read call
//     that began after the Reader's OnRevoked or OnLost for it (a call in
//     progress at the revocation may return one message it took before);
//   - no two live Readers own a partition at once, by their hooks;
//   - the group's committed offsets, polled all along, never go back;
//   - a message delivered twice has an offset at or above the committed
//     offset seen before its second delivery: only what was delivered and
//     not yet committed is delivered again.
//
// At the end the committed offset of every partition is its end offset.
func TestReaderGroupChurn(t *testing.T) {
	t.Run("range", func(t *testing.T) { testReaderGroupChurn(t, RangeGroupBalancer{}) })
	t.Run("cooperative-sticky", func(t *testing.T) { testReaderGroupChurn(t, CooperativeStickyGroupBalancer{}) })
}

// churnReader is one member of the churning group.
type churnReader struct {
	name   string
	r      *Reader
	px     *proxy.Proxy       // nil unless proxied
	cancel context.CancelFunc // stops its consumer
	done   chan struct{}      // closed when its consumer has returned

	// Guarded by churn.mu.
	owned   map[int]bool
	revoked map[int]int // partition -> value of hooks at its last revocation
	hooks   int         // revocations and losses so far
	gone    bool        // closed or crashed
}

// churn is the shared record of a churn run.
type churn struct {
	t     *testing.T
	topic string
	total int
	ends  []int64 // end offset of each partition
	// rate is each consumer's pace in messages a second; proxied makes
	// each Reader dial through a proxy of its own (to the first broker),
	// so that crashing it cuts its fetches, heartbeats and commits alike.
	rate    int
	proxied bool
	// readMessage makes the consumers read with ReadMessage (which commits
	// when CommitInterval is 0) and go on after any error, as a kafka-go
	// program would, instead of FetchMessage and CommitMessages.
	readMessage bool

	mu         sync.Mutex
	readers    []*churnReader
	seen       []uint8   // deliveries by sequence number
	distinct   int       // sequence numbers delivered at least once
	counts     [][]uint8 // deliveries by partition and offset
	committed  []int64   // highest committed offset seen by the poller
	delivered  int
	dups       int
	raced      int // messages returned by a call a revocation overlapped
	assigns    int
	revokes    int
	losses     int
	violations int
	polls      int
	coords     []string      // coordinators the poller asked
	goal       int           // distinct count that closes reached
	reached    chan struct{} // closed when distinct >= goal
	settled    chan struct{} // closed when all is delivered and committed
}

func (s *churn) violate(format string, args ...any) {
	s.violations++
	if s.violations <= 20 {
		s.t.Errorf(format, args...)
	}
}

func testReaderGroupChurn(t *testing.T, balancer GroupBalancer) {
	const parts, total = 12, 300000
	topic := createTopic(t, parts)
	brokers := kafkatest.Brokers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	writeSeq(ctx, t, &Writer{Addr: TCP(brokers...), Topic: topic, Balancer: &RoundRobin{}}, total)

	s := newChurn(ctx, t, brokers, topic, parts, total)
	s.proxied = true
	groupID := kafkatest.Topic(t)
	stopPoll := s.startPoller(ctx, brokers, groupID)

	base := ReaderConfig{Brokers: brokers, GroupID: groupID, Topic: topic,
		GroupBalancers: []GroupBalancer{balancer}, MaxBytes: 64 << 10, MaxWait: 100 * time.Millisecond,
		HeartbeatInterval: 250 * time.Millisecond, SessionTimeout: 3 * time.Second, RebalanceTimeout: 6 * time.Second,
		CommitInterval: 50 * time.Millisecond}
	join := func(name string) *churnReader { return s.join(ctx, name, base) }
	leave := s.leave
	crash := func(cr *churnReader) {
		// The process dies: it delivers and commits nothing more, and its
		// connections break and then go silent.
		cr.cancel()
		<-cr.done
		s.mu.Lock()
		cr.gone = true
		s.mu.Unlock()
		cr.px.CutAll()
		cr.px.Pause()
		t.Logf("%s crashed at %d distinct", cr.name, s.distinctNow())
	}

	a, b, c := join("a"), join("b"), join("c")
	var d *churnReader
	schedule := []struct {
		at float64
		do func()
	}{
		{0.08, func() { d = join("d") }},
		{0.16, func() { leave(a) }},
		{0.26, func() { crash(b) }},
		{0.36, func() { join("e") }},
		{0.46, func() { leave(c) }},
		{0.56, func() { join("f") }},
		{0.66, func() { crash(d) }},
		{0.74, func() { join("g") }},
	}
	for _, ev := range schedule {
		s.await(ctx, int(ev.at*total))
		ev.do()
	}
	s.awaitSettled(ctx)
	stopPoll()
	s.mu.Lock()
	readers := append([]*churnReader(nil), s.readers...)
	// Long after their session timeout, the crashed Readers have stopped
	// their partitions on their own (OnLost), though they could not reach
	// the coordinator.
	for _, cr := range readers {
		for p, owned := range cr.owned {
			if owned && cr.gone {
				t.Errorf("%s still owns partition %d after its crash", cr.name, p)
			}
		}
	}
	s.mu.Unlock()
	for _, cr := range readers {
		if cr.gone {
			continue
		}
		if err := cr.r.Close(); err != nil {
			t.Errorf("%s: Close: %v", cr.name, err)
		}
		<-cr.done
	}
	for _, cr := range readers {
		cr.px.Close() // the crashed ones: their Close then fails fast
		cr.r.Close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t.Logf("%s: %d deliveries of %d messages, %d duplicates, %d returned by a read a revocation overlapped; "+
		"%d assignments, %d revocations, %d losses; %d commit polls",
		balancer.ProtocolName(), s.delivered, total, s.dups, s.raced, s.assigns, s.revokes, s.losses, s.polls)
}

// newChurn returns the record of a churn run over topic, whose parts
// partitions hold total messages written with writeSeq.
func newChurn(ctx context.Context, t *testing.T, brokers []string, topic string, parts, total int) *churn {
	t.Helper()
	s := &churn{t: t, topic: topic, total: total, seen: make([]uint8, total), counts: make([][]uint8, parts),
		committed: make([]int64, parts), ends: make([]int64, parts), settled: make(chan struct{}), rate: 6000}
	sum := int64(0)
	for p := range parts {
		c, err := DialLeader(ctx, "tcp", brokers[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		s.ends[p], err = c.ReadLastOffset()
		c.Close()
		if err != nil {
			t.Fatal(err)
		}
		s.counts[p] = make([]uint8, s.ends[p])
		s.committed[p] = -1
		sum += s.ends[p]
	}
	if sum != int64(total) {
		t.Fatalf("the partitions hold %d messages, want %d", sum, total)
	}
	return s
}

// startPoller polls the group's committed offsets until the returned
// function is called, which returns once the poller has stopped.
func (s *churn) startPoller(ctx context.Context, brokers []string, groupID string) func() {
	done := make(chan struct{})
	pctx, stop := context.WithCancel(ctx)
	go func() {
		defer close(done)
		s.pollCommitted(pctx, brokers, groupID)
	}()
	return func() {
		stop()
		<-done
	}
}

// join starts a Reader of the group with base's configuration and the
// run's hooks, and a consumer reading with it.
func (s *churn) join(ctx context.Context, name string, base ReaderConfig) *churnReader {
	t, topic := s.t, s.topic
	cr := &churnReader{name: name, owned: map[int]bool{}, revoked: map[int]int{}, done: make(chan struct{})}
	cfg := base
	if s.proxied {
		px, err := proxy.New(base.Brokers[0])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { px.Close() })
		cr.px = px
		cfg.Dialer = &Dialer{Timeout: 5 * time.Second, DialFunc: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, px.Addr())
		}}
	}
	revoke := func(lost bool) func(map[string][]int) {
		return func(ps map[string][]int) {
			s.mu.Lock()
			defer s.mu.Unlock()
			cr.hooks++
			for _, p := range ps[topic] {
				if !cr.owned[p] {
					s.violate("%s: partition %d revoked but not owned", name, p)
				}
				cr.owned[p] = false
				cr.revoked[p] = cr.hooks
			}
			if lost {
				s.losses++
			} else {
				s.revokes++
			}
		}
	}
	cfg.OnAssigned = func(ps map[string][]int) {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, p := range ps[topic] {
			for _, o := range s.readers {
				if o != cr && !o.gone && o.owned[p] {
					s.violate("%s: assigned partition %d, which %s owns", name, p, o.name)
				}
			}
			cr.owned[p] = true
		}
		s.assigns++
	}
	cfg.OnRevoked, cfg.OnLost = revoke(false), revoke(true)
	s.mu.Lock()
	s.readers = append(s.readers, cr)
	s.mu.Unlock()
	cr.r = NewReader(cfg)
	t.Cleanup(func() { cr.r.Close() })
	var cctx context.Context
	cctx, cr.cancel = context.WithCancel(ctx)
	go s.consume(cctx, cr)
	return cr
}

// leave closes cr's Reader while its consumer is reading (the read returns
// io.EOF), and waits for the consumer to return.
func (s *churn) leave(cr *churnReader) {
	if err := cr.r.Close(); err != nil {
		s.t.Errorf("%s: Close: %v", cr.name, err)
	}
	<-cr.done
	s.mu.Lock()
	cr.gone = true
	s.mu.Unlock()
	s.t.Logf("%s left at %d distinct", cr.name, s.distinctNow())
}

// closeAll makes every Reader still in the group leave, at the end of a
// run.
func (s *churn) closeAll() {
	s.mu.Lock()
	readers := slices.Clone(s.readers)
	s.mu.Unlock()
	for _, cr := range readers {
		if !cr.gone {
			s.leave(cr)
		}
	}
}

// finish awaits the end of a run (everything delivered and committed),
// stops the poller and the Readers, and fails the test for any violation.
func (s *churn) finish(ctx context.Context, stopPoll func()) {
	s.awaitSettled(ctx)
	stopPoll()
	s.closeAll()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.violations > 0 {
		s.t.Errorf("%d violations", s.violations)
	}
}

// awaitSettled returns once every message is delivered and committed, and
// fails the test if ctx ends first.
func (s *churn) awaitSettled(ctx context.Context) {
	select {
	case <-s.settled:
	case <-ctx.Done():
		s.mu.Lock()
		msg := fmt.Sprintf("not settled: %d of %d delivered, committed %v, ends %v", s.distinct, s.total, s.committed, s.ends)
		s.mu.Unlock()
		s.t.Fatal(msg)
	}
}

// committedSum returns the sum of the committed offsets the poller saw last
// (what the group has committed, -1 per partition without a commit).
func (s *churn) committedSum() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum int64
	for _, c := range s.committed {
		sum += c
	}
	return sum
}

// awaitCommitted waits, for at most limit, until the sum of the committed
// offsets the poller saw exceeds above; it returns how many distinct
// messages had been delivered then, and whether that happened.
func (s *churn) awaitCommitted(ctx context.Context, above int64, limit time.Duration) (int, bool) {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		var sum int64
		for _, c := range s.committed {
			sum += c
		}
		distinct := s.distinct
		s.mu.Unlock()
		if sum > above {
			return distinct, true
		}
		if time.Now().After(deadline) {
			return distinct, false
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return distinct, false
		}
	}
}

// distinctNow returns how many distinct messages were delivered.
func (s *churn) distinctNow() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.distinct
}

// await returns once n distinct messages were delivered.
func (s *churn) await(ctx context.Context, n int) {
	s.mu.Lock()
	if s.distinct >= n {
		s.mu.Unlock()
		return
	}
	ch := make(chan struct{})
	s.goal, s.reached = n, ch
	s.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		s.t.Fatalf("only %d of %d messages delivered", s.distinctNow(), n)
	}
}

// consume reads with cr until ctx ends or the Reader is closed, about
// s.rate messages a second, committing each message (the Reader commits
// every CommitInterval, or in ReadMessage; see readMessage).
func (s *churn) consume(ctx context.Context, cr *churnReader) {
	defer close(cr.done)
	rate := time.Duration(s.rate)
	start := time.Now()
	for n := 1; ; n++ {
		s.mu.Lock()
		before := cr.hooks
		s.mu.Unlock()
		var m Message
		var err error
		if s.readMessage {
			m, err = cr.r.ReadMessage(ctx)
		} else {
			m, err = cr.r.FetchMessage(ctx)
		}
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, io.EOF) {
				return
			}
			s.t.Logf("%s: %v", cr.name, err)
			continue
		}
		s.deliver(cr, before, &m)
		if !s.readMessage { // ReadMessage has committed m
			if err := cr.r.CommitMessages(ctx, m); err != nil && ctx.Err() == nil {
				s.t.Errorf("%s: CommitMessages: %v", cr.name, err)
			}
		}
		if n%100 == 0 {
			// Pace the reading so that the churn happens while messages
			// are being read.
			if ahead := time.Duration(n)*time.Second/rate - time.Since(start); ahead > 0 {
				select {
				case <-time.After(ahead):
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

// deliver records that cr's read, begun when cr had seen before
// revocations, returned m.
func (s *churn) deliver(cr *churnReader, before int, m *Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, off := m.Partition, m.Offset
	if m.Topic != s.topic || p < 0 || p >= len(s.counts) || off < 0 || off >= int64(len(s.counts[p])) {
		s.violate("%s: unexpected message %s/%d@%d", cr.name, m.Topic, p, off)
		return
	}
	if !cr.owned[p] {
		if cr.revoked[p] > before {
			s.raced++
		} else {
			s.violate("%s: message %d/%d returned by a read begun after partition %d was revoked (or never assigned)", cr.name, p, off, p)
		}
	}
	seq, err := strconv.Atoi(string(m.Value))
	if err != nil || seq < 0 || seq >= s.total {
		s.violate("%s: message %d/%d has value %q", cr.name, p, off, m.Value)
		return
	}
	s.delivered++
	if s.seen[seq] == 0 {
		s.distinct++
		if s.reached != nil && s.distinct >= s.goal {
			close(s.reached)
			s.reached = nil
		}
	}
	s.seen[seq]++
	s.counts[p][off]++
	if s.counts[p][off] > 1 {
		s.dups++
		if off < s.committed[p] {
			s.violate("%s: message %d/%d delivered again, below the committed offset %d", cr.name, p, off, s.committed[p])
		}
	}
	s.settleLocked()
}

// settleLocked closes settled once every message was delivered and every
// partition's committed offset is its end.
func (s *churn) settleLocked() {
	if s.distinct < s.total {
		return
	}
	for p, end := range s.ends {
		if s.committed[p] != end {
			return
		}
	}
	select {
	case <-s.settled:
	default:
		close(s.settled)
	}
}

// pollCommitted fetches the group's committed offsets every 20 ms until
// ctx ends, and checks that none goes back. It asks the group's
// coordinator, looked up again whenever the connection fails or an answer
// says the coordinator moved (a failover); s.coords records each one used.
func (s *churn) pollCommitted(ctx context.Context, brokers []string, groupID string) {
	topics := []wire.OffsetFetchRequestTopic{{Name: s.topic}}
	for p := range s.ends {
		topics[0].PartitionIndexes = append(topics[0].PartitionIndexes, int32(p))
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var bc *broker.Conn
	defer func() {
		if bc != nil {
			bc.Close()
		}
	}()
	for {
		if bc == nil {
			bc = s.dialCoordinator(ctx, brokers, groupID)
		}
		if bc != nil {
			if err := s.pollOnce(ctx, bc, groupID, topics); err != nil {
				if ctx.Err() != nil {
					return
				}
				if isKafkaCode(err) && !errors.Is(err, wire.NotCoordinator) && !errors.Is(err, wire.CoordinatorNotAvailable) {
					s.t.Errorf("OffsetFetch: %v", err)
					return
				}
				bc.Close() // a failover: look the coordinator up again
				bc = nil
			}
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return
		}
	}
}

// isKafkaCode reports whether err carries a Kafka error code.
func isKafkaCode(err error) bool {
	var code wire.Error
	return errors.As(err, &code)
}

// dialCoordinator returns a connection to the group's coordinator, asking
// the brokers in turn, or nil when none could say (one is down, the
// coordinator is being elected): the caller asks again later.
func (s *churn) dialCoordinator(ctx context.Context, brokers []string, groupID string) *broker.Conn {
	for _, addr := range brokers {
		coord, err := findCoordinator(ctx, addr, groupID)
		if err != nil {
			continue
		}
		dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		bc, err := broker.Dial(dctx, coord, "churn-poller")
		if err == nil {
			err = bc.Negotiate()
			if err != nil {
				bc.Close()
			}
		}
		cancel()
		if err != nil {
			continue
		}
		s.mu.Lock()
		if !slices.Contains(s.coords, coord) {
			s.coords = append(s.coords, coord)
		}
		s.mu.Unlock()
		return bc
	}
	return nil
}

// findCoordinator asks the broker at addr for the coordinator of groupID.
func findCoordinator(ctx context.Context, addr, groupID string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	bc, err := broker.Dial(ctx, addr, "churn-poller")
	if err != nil {
		return "", err
	}
	defer bc.Close()
	if err := bc.Negotiate(); err != nil {
		return "", err
	}
	v, err := bc.Version(wire.KeyFindCoordinator)
	if err != nil {
		return "", err
	}
	req := &wire.FindCoordinatorRequest{CoordinatorKey: groupID}
	if v >= 4 {
		req = &wire.FindCoordinatorRequest{CoordinatorKeys: []string{groupID}}
	}
	var resp wire.FindCoordinatorResponse
	if err := bc.RoundTrip(ctx, v, req, &resp); err != nil {
		return "", err
	}
	code, host, port := resp.ErrorCode, resp.Host, resp.Port
	if v >= 4 && len(resp.Coordinators) == 1 {
		code, host, port = resp.Coordinators[0].ErrorCode, resp.Coordinators[0].Host, resp.Coordinators[0].Port
	}
	if err := wire.ErrorForCode(code); err != nil {
		return "", err
	}
	return net.JoinHostPort(host, strconv.Itoa(int(port))), nil
}

// pollOnce fetches and records the committed offsets once over bc.
func (s *churn) pollOnce(ctx context.Context, bc *broker.Conn, groupID string, topics []wire.OffsetFetchRequestTopic) error {
	v, err := bc.Version(wire.KeyOffsetFetch)
	if err != nil {
		return err
	}
	// Stable offsets, as the Reader fetches them when it starts a
	// partition: without RequireStable, a node that has just taken the
	// group over answers from what its log holds up to its high
	// watermark, which trails the commits the old coordinator already
	// acknowledged until the other replicas fetch from it (a first run of
	// the coordinator failover saw three partitions' offsets "go back" by
	// 100 to 200 that way, for about 150 ms, with no rebalance and no
	// commit below them sent).
	req := &wire.OffsetFetchRequest{GroupId: groupID, Topics: topics, RequireStable: v >= 7}
	if v >= 8 {
		req = &wire.OffsetFetchRequest{Groups: []wire.OffsetFetchRequestGroup{{GroupId: groupID, MemberEpoch: -1, Topics: topics}}, RequireStable: true}
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var resp wire.OffsetFetchResponse
	if err := bc.RoundTrip(rctx, v, req, &resp); err != nil {
		return err
	}
	code, rts := resp.ErrorCode, resp.Topics
	if v >= 8 && len(resp.Groups) == 1 {
		code, rts = resp.Groups[0].ErrorCode, resp.Groups[0].Topics
	}
	return s.recordCommitted(code, rts)
}

// recordCommitted checks and records one OffsetFetch answer.
func (s *churn) recordCommitted(code int16, rts []wire.OffsetFetchResponseTopic) error {
	if err := wire.ErrorForCode(code); err != nil {
		// The group's coordinator is still loading (a fresh broker, as in
		// CI, or a node that just took the group over): this answer says
		// nothing; the next poll asks again.
		if errors.Is(err, wire.CoordinatorLoadInProgress) || errors.Is(err, wire.UnstableOffsetCommit) {
			return nil
		}
		return err // NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE: look it up again
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.polls++
	for _, rt := range rts {
		for _, rp := range rt.Partitions {
			if err := wire.ErrorForCode(rp.ErrorCode); err != nil {
				// Kafka 3.9's coordinator answers UNSTABLE_OFFSET_COMMIT
				// for a partition whose last commit awaits replication
				// (the stable offsets asked for are not known yet), in
				// an answer whose other partitions are good: this
				// partition's offset is asked for again at the next poll.
				// Returning the error stopped the poller, and the run
				// never saw a commit again (every 3.9.1 run failed).
				if errors.Is(err, wire.UnstableOffsetCommit) {
					continue
				}
				return fmt.Errorf("partition %d: %w", rp.PartitionIndex, err)
			}
			p := int(rp.PartitionIndex)
			if rt.Name != s.topic || p < 0 || p >= len(s.committed) {
				return fmt.Errorf("answer for %s/%d", rt.Name, p)
			}
			if rp.CommittedOffset < s.committed[p] {
				s.violate("the committed offset of partition %d went back from %d to %d", p, s.committed[p], rp.CommittedOffset)
			}
			s.committed[p] = max(s.committed[p], rp.CommittedOffset)
		}
	}
	s.settleLocked()
	return nil
}
