package producer

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
)

// A synchronous caller that sends on an idle connection reads the answer
// itself: one after another, nearly every write is read by its caller.
// Not all: the first finds the reader goroutine on the socket and makes
// it leave, and after an answer the reader read, the next call may find
// it not yet done (in flight still 1), leave its batch to it and so its
// answer too; under load (CI runs packages side by side) that happened
// to 3 of 200.
func TestCallerReadsOwnAnswer(t *testing.T) {
	ctx := context.Background()
	p := testProducer(t, "")
	defer p.Close(ctx)
	topic := kafkatest.Topic(t)
	const n = 200
	for i := range n {
		if err := writeSync(ctx, p, topic, 0, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := ownReads(p); got < n*9/10 {
		t.Fatalf("callers read %d answers of %d writes themselves, want at least %d", got, n, n*9/10)
	}
}

// A synchronous write of one record into batches of one record wakes no
// goroutine of the producer: the full batch is left to its caller, who
// sends it and reads the answer itself. (Append woke the sink's run
// goroutine for every full batch, this one too, for nothing.) A call that
// finds an answer still being handled (see TestCallerReadsOwnAnswer)
// wakes it, rightly: a tenth of the writes are allowed that.
func TestSyncWriteWakesNoGoroutine(t *testing.T) {
	var woken atomic.Int64
	testHookRunWoken = func() { woken.Add(1) }
	ctx := context.Background()
	p := testProducer(t, "", func(c *Config[struct{}]) { c.BatchSize = 1 })
	defer func() {
		p.Close(ctx)
		testHookRunWoken = nil
	}()
	topic := kafkatest.Topic(t)
	if err := writeSync(ctx, p, topic, 0, "warm"); err != nil {
		t.Fatal(err)
	}
	before := woken.Load()
	const n = 100
	for i := range n {
		if err := writeSync(ctx, p, topic, 0, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if w := woken.Load() - before; w > n/10 {
		t.Fatalf("%d synchronous writes woke the sink's goroutine %d times", n, w)
	}
}

// Once callers stop reading their own answers, the connection's reader
// goes back to waiting on the socket after deepIdle, and so notices a
// connection the broker closes while nothing is in flight: it is marked
// dead before the next write, which then goes on a new connection.
func TestReaderBackOnSocketWhenIdle(t *testing.T) {
	ctx := context.Background()
	px, err := proxy.New(kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	defer px.Close()
	p := testProducer(t, px.Addr())
	defer p.Close(ctx)
	topic := kafkatest.Topic(t)
	for i := range 10 {
		if err := writeSync(ctx, p, topic, 0, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	if ownReads(p) == 0 {
		t.Fatal("no caller read its own answer")
	}
	conn := func() *sinkConn[struct{}] {
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, s := range p.sinks {
			s.mu.Lock()
			c := s.conn
			s.mu.Unlock()
			if c != nil {
				return c
			}
		}
		return nil
	}()
	if conn == nil {
		t.Fatal("no connection")
	}
	awaiting := func() bool {
		conn.mu.Lock()
		defer conn.mu.Unlock()
		return conn.awaiting
	}
	waitFor(t, 3*deepIdle, "the reader waiting on the socket", awaiting)
	px.CutAll()
	waitFor(t, 10*time.Second, "the cut connection marked dead", conn.dead.Load)
	if err := writeSync(ctx, p, topic, 0, "after"); err != nil {
		t.Fatal(err)
	}
}

// waitFor polls cond until it holds, failing the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, d)
		}
	}
}

// A caller holds rmu (its answer unread) when its connection fails: the run
// goroutine's closeConn must not return, and no later batch of the same
// partition may go on a new connection, before that caller has handed its
// batches back.
func TestCloseConnWaitsForOwnReader(t *testing.T) {
	ctx := context.Background()
	p := testProducer(t, "")
	defer p.Close(ctx)
	topic := kafkatest.Topic(t)
	for i := range 5 {
		if err := writeSync(ctx, p, topic, 0, strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	parts, _, err := p.Topic(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	part := parts[0]
	part.mu.Lock()
	s := part.sink
	part.mu.Unlock()
	s.mu.Lock()
	c1 := s.conn
	s.mu.Unlock()

	appendSync := func(v string) *Call[struct{}] {
		call, err := startSync(ctx, p, part, v)
		if err != nil {
			t.Fatal(err)
		}
		return call
	}
	// A call may find the last answer still being handled and leave its
	// own to the reader (see TestCallerReadsOwnAnswer): write until one
	// reads its own.
	var a *Call[struct{}]
	for i := 0; ; i++ {
		if a = appendSync("a" + strconv.Itoa(i)); a.own.c == c1 {
			break
		}
		a.ReadOwn(ctx)
		a.Wait(ctx)
		p.Free(a)
		if i == 100 {
			t.Fatal("100 calls in a row left their answers to the reader")
		}
	}
	b := appendSync("b") // in flight: no drain; b's batch waits behind a's

	// Another request's send fails on c1 (what send does on an error).
	c1.dead.Store(true)
	c1.bc.Close()
	s.wake()

	bdone := make(chan struct{})
	go func() { b.Wait(ctx); close(bdone) }()
	select {
	case <-c1.done:
		t.Errorf("c1's reader exited (closeConn returned) while caller A still holds rmu with its batch in flight on c1")
	case <-time.After(500 * time.Millisecond): // what must not happen has had time to
	}
	select {
	case <-bdone:
		t.Errorf("B's batch (behind A's in partition 0) was sent and answered on a new connection while A's batch was still in flight on the failed one (errs %v)", b.Errs)
	case <-time.After(500 * time.Millisecond): // what must not happen has had time to
	}
	a.ReadOwn(ctx)
	a.Wait(ctx)
	<-bdone
	t.Logf("a errs %v, b errs %v", a.Errs, b.Errs)
}
