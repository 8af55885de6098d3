package kafka

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/producer"
	"github.com/zeroalloc/kafka/internal/proxy"
)

// Connections cut again and again while requests are in flight (answers
// lost after the broker wrote the batches): the idempotent writer resends
// the same batches, the broker drops the duplicates, and the log holds
// every message exactly once, in order per partition.
func TestWriterIdempotentRetries(t *testing.T) {
	idempotentRetries(t, 2, 20000, 30*time.Millisecond, nil)
}

// TestWriterIdempotentRetriesStress runs the same with more partitions,
// faster cuts, a slow error logger and the CPU kept busy, rounds after rounds (each a new
// writer and topic: a partition's first batches, which the broker takes
// at any sequence, are the most exposed): KAFKA_STRESS rounds, 2 when it
// is not set.
func TestWriterIdempotentRetriesStress(t *testing.T) {
	rounds := 2 // a short run in every `make test`; KAFKA_STRESS asks for more
	if s := os.Getenv("KAFKA_STRESS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("KAFKA_STRESS=%q: want a number of rounds", s)
		}
		rounds = n
	}
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)-1) {
		busy.Add(1)
		go func() {
			defer busy.Done()
			for {
				select {
				case <-stop:
					return
				default:
					for i := 0; i < 1e5; i++ {
					}
				}
			}
		}()
	}
	defer func() {
		close(stop)
		busy.Wait()
	}()
	for r := range rounds {
		t.Run(strconv.Itoa(r), func(t *testing.T) {
			idempotentRetries(t, 8, 1000, 15*time.Millisecond, func(w *Writer) {
				// A logger that takes its time, as one writing to a
				// file may: the reader of a failed connection logs
				// before it hands the connection's batches back.
				w.ErrorLogger = LoggerFunc(func(string, ...any) { time.Sleep(time.Millisecond) })
			})
		})
		if t.Failed() {
			return
		}
	}
}

// idempotentRetries writes total messages to a new topic of n partitions
// with an async writer while every connection is cut every cut, and checks
// that batches were resent (the cuts landed on requests in flight) and
// that the log holds each message exactly once, in order per partition.
// configure, when not nil, changes the writer first.
func idempotentRetries(t *testing.T, n, total int, cut time.Duration, configure func(*Writer)) {
	topic := createTopic(t, n)
	w, px := proxiedWriter(t, topic)
	if configure != nil {
		configure(w)
	}
	px.SetDelay(2 * time.Millisecond)
	w.Async = true
	w.BatchSize = 50
	var failed atomic.Int64
	w.Completion = func(ms []Message, err error) {
		if err != nil {
			failed.Add(int64(len(ms)))
		}
	}
	stopCuts := cutEvery(px, cut)
	for i := range total {
		if err := w.WriteMessages(context.Background(), Message{Value: []byte(strconv.Itoa(i))}); err != nil {
			t.Fatal(err)
		}
		if i%max(total/100, 1) == 0 {
			// The writes span ten cut periods at least, so that cuts land
			// on requests in flight: unpaced, a round of 1,000 messages
			// could be written before the first cut.
			time.Sleep(cut / 10)
		}
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopCuts()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 0 {
		t.Fatalf("%d failed", failed.Load())
	}
	st := w.Stats()
	if st.Retries == 0 {
		t.Fatalf("no retries over %d dials: the cuts did not land on requests in flight", st.Dials)
	}
	seen := make([]bool, total)
	for p, ms := range valuesByPartition(t, topic, n) {
		last := -1
		for _, m := range ms {
			v, err := strconv.Atoi(string(m.Value))
			if err != nil || v < 0 || v >= total {
				t.Fatalf("partition %d: value %q at offset %d was not written by the test", p, m.Value, m.Offset)
			}
			if seen[v] {
				t.Fatalf("message %d written twice", v)
			}
			seen[v] = true
			if v <= last {
				t.Fatalf("partition %d: %d after %d", p, v, last)
			}
			last = v
		}
	}
	for v, ok := range seen {
		if !ok {
			t.Fatalf("message %d missing", v)
		}
	}
	t.Logf("%d retries over %d dials", st.Retries, st.Dials)
}

// proxiedWriter returns a Writer to topic whose connections, to every
// broker, go through a proxy of ours, and the proxy; it retries without
// end, with short backoffs. Both are closed when the test ends.
func proxiedWriter(t *testing.T, topic string) (*Writer, *proxy.Proxy) {
	t.Helper()
	px, err := proxy.New(kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	var nd net.Dialer
	w := &Writer{
		Addr:        TCP(px.Addr()),
		Topic:       topic,
		MaxAttempts: 1000,
		Transport: &Transport{Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return nd.DialContext(ctx, network, px.Addr()) // every broker through the proxy
		}},
		WriteBackoffMin: 5 * time.Millisecond,
		WriteBackoffMax: 50 * time.Millisecond,
	}
	t.Cleanup(func() {
		w.Close()
		px.Close()
	})
	return w, px
}

// cutEvery cuts every connection through px every d until the returned
// stop is called.
func cutEvery(px *proxy.Proxy, d time.Duration) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for {
			select {
			case <-done:
				return
			case <-time.After(d): // cut at a steady pace
				px.CutAll()
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// A connection fails while its reader has not yet handed the failed
// requests' batches back: the partition is not yet blocked, so the sink
// may take the partition's next batch. That batch must not go out on a
// new connection ahead of the failed one. (A broker with no state yet for
// the producer on a partition takes any first sequence: it was written
// first. The failed batch, resent, was then out of order, which bumped the
// epoch and renumbered the queue: it landed after its follower, and a
// follower whose answer was lost too was written twice.)
//
// The writer's error logger holds the reader inside that window: it is
// called once the connection is marked dead and before its batches are
// given back.
func TestWriterRetryNotOvertaken(t *testing.T) {
	topic := createTopic(t, 2)
	w, px := proxiedWriter(t, topic)
	w.Balancer = Manual{}
	w.Async = true
	w.BatchSize = 2
	w.BatchTimeout = time.Hour // batches go when full
	var failed atomic.Int64
	w.Completion = func(ms []Message, err error) {
		if err != nil {
			failed.Add(int64(len(ms)))
		}
	}
	entered, release := make(chan struct{}), make(chan struct{})
	var holding atomic.Bool
	w.ErrorLogger = LoggerFunc(func(format string, args ...any) {
		if strings.Contains(format, "connection to broker") && holding.CompareAndSwap(false, true) {
			close(entered)
			<-release
		}
	})
	write := func(partition int, values ...string) {
		t.Helper()
		for _, v := range values {
			if err := w.WriteMessages(context.Background(), Message{Partition: partition, Value: []byte(v)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Partition 1 brings the connections and the producer id up; partition
	// 0 has no state for the producer on the broker yet.
	write(1, "x", "y")
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	px.Pause()
	write(0, "0", "1") // the first batch: sent, held by the proxy
	deadline := time.Now().Add(10 * time.Second)
	for px.Held() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first batch never reached the proxy")
		}
		time.Sleep(time.Millisecond)
	}
	px.CutAll() // the first batch is lost
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection's failure was never reported")
	}
	px.Resume()
	write(0, "2", "3")                 // the second batch, full: the sink wakes
	time.Sleep(100 * time.Millisecond) // and takes it
	close(release)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if failed.Load() != 0 {
		t.Fatalf("%d failed", failed.Load())
	}
	ms := valuesByPartition(t, topic, 2)[0]
	var got []string
	for _, m := range ms {
		got = append(got, string(m.Value))
	}
	if want := []string{"0", "1", "2", "3"}; !slices.Equal(got, want) {
		t.Fatalf("partition 0 holds %q, want %q", got, want)
	}
}

// The buffer budget counts what the Writer holds for each message: its
// encoded record and, with Completion set, the Message kept for the
// callback. With the broker silent, an asynchronous writer accepts no more
// messages than that cost fits in MaxBufferedBytes, then waits.
func TestWriterBudgetCountsKeptMessages(t *testing.T) {
	for _, completion := range []bool{false, true} {
		t.Run("completion="+strconv.FormatBool(completion), func(t *testing.T) {
			topic := createTopic(t, 1)
			w, px := proxiedWriter(t, topic)
			w.Async = true
			const budget = 64 << 10
			w.MaxBufferedBytes = budget
			w.BatchBytes = 16 << 10 // the budget is at least two batches
			if completion {
				w.Completion = func([]Message, error) {}
			}
			// One write first, so that metadata and the producer id are
			// in place before the broker goes silent.
			if err := w.WriteMessages(context.Background(), Message{Value: make([]byte, 100)}); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			px.Pause()
			defer px.Resume()
			value := make([]byte, 100)
			record := producer.RecordSize(nil, value, nil)
			cost := record
			if completion {
				cost += keptMessageSize
			}
			accepted := 0
			for accepted <= 2*budget/int(record) {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				err := w.WriteMessages(ctx, Message{Value: value})
				cancel()
				if err != nil {
					break
				}
				accepted++
			}
			if max := int(budget / cost); accepted > max || accepted < max/2 {
				t.Fatalf("%d messages of %d bytes (%d with what is kept) accepted within a %d-byte budget, want at most %d", accepted, record, cost, budget, max)
			}
			t.Logf("%d accepted, %d bytes each", accepted, cost)
		})
	}
}

// A connection that fails while nothing is in flight (as when a broker
// closes an idle connection) is replaced, and every write after it
// succeeds, once and in order.
func TestWriterIdleConnectionCut(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := proxiedWriter(t, topic)
	ctx := context.Background()
	var want []string
	for i := range 4 {
		v := strconv.Itoa(i)
		if err := w.WriteMessages(ctx, Message{Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
		want = append(want, v)
		px.CutAll() // the Writer's connections are idle now
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range valuesByPartition(t, topic, 1)[0] {
		got = append(got, string(m.Value))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("partition holds %q, want %q", got, want)
	}
}

// A request sent while its connection's reader waits with nothing in
// flight still gets a read deadline: when the broker goes silent, the
// write fails after the Writer's timeouts and attempts instead of waiting
// for ever. With 2 attempts that is the first attempt's wait for an
// answer (ReadTimeout + WriteTimeout), a backoff (at most
// WriteBackoffMax), and a dial whose handshake the silent broker never
// answers (WriteTimeout): 950 ms here, measured 0.9 s. The write may
// fail no sooner than the first wait, nor later than all three and a
// second for a loaded machine.
func TestWriterSilentBrokerTimesOut(t *testing.T) {
	topic := createTopic(t, 1)
	w, px := proxiedWriter(t, topic)
	w.MaxAttempts = 2
	w.ReadTimeout = 300 * time.Millisecond
	w.WriteTimeout = 300 * time.Millisecond
	if err := w.WriteMessages(context.Background(), Message{Value: []byte("a")}); err != nil {
		t.Fatal(err)
	}
	px.Pause()
	defer px.Resume()
	least := w.ReadTimeout + w.WriteTimeout
	most := least + w.WriteBackoffMax + w.WriteTimeout + time.Second
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- w.WriteMessages(context.Background(), Message{Value: []byte("b")}) }()
	select {
	case err := <-done:
		took := time.Since(start)
		if err == nil {
			t.Fatal("a write to a silent broker succeeded")
		}
		if !errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("err = %v, want ErrOutcomeUnknown: the request was sent and never answered", err)
		}
		if took < least || took > most {
			t.Fatalf("failed after %v, want between %v and %v: %v", took, least, most, err)
		}
		t.Logf("failed after %v: %v", took.Round(time.Millisecond), err)
	case <-time.After(most):
		t.Fatalf("a write to a silent broker still waits after %v", most)
	}
}

// Synchronous callers on several goroutines, each waiting for its write
// before the next, while every connection is cut every 25 ms: callers read
// their own answers on idle connections, the reader goroutine takes the
// others', and a cut lands on either. Every write reported done is in the
// log exactly once, each goroutine's in the order it wrote them, and
// callers did read answers themselves (WriterStats cannot tell; the
// proof is in internal/producer's TestCallerReadsOwnAnswer).
func TestWriterSyncCallersCuts(t *testing.T) {
	const parts, goroutines, each = 3, 6, 300
	topic := createTopic(t, parts)
	w, px := proxiedWriter(t, topic)
	w.Balancer = &Hash{}
	px.SetDelay(time.Millisecond)
	stopCuts := cutEvery(px, 25*time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Go(func() {
			key := []byte("g" + strconv.Itoa(g)) // one partition per goroutine
			for i := 0; i < each; {
				ms := []Message{{Key: key, Value: []byte(strconv.Itoa(g) + "-" + strconv.Itoa(i))}}
				if i%10 == 9 && i+2 < each { // a call of three now and then
					ms = append(ms,
						Message{Key: key, Value: []byte(strconv.Itoa(g) + "-" + strconv.Itoa(i+1))},
						Message{Key: key, Value: []byte(strconv.Itoa(g) + "-" + strconv.Itoa(i+2))})
				}
				if err := w.WriteMessages(context.Background(), ms...); err != nil {
					errs <- err
					return
				}
				i += len(ms)
			}
		})
	}
	wg.Wait()
	stopCuts()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := w.Stats()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if st.Retries == 0 {
		t.Fatalf("no retries over %d dials: the cuts did not land on requests in flight", st.Dials)
	}
	next := make([]int, goroutines)
	for p, ms := range valuesByPartition(t, topic, parts) {
		for _, m := range ms {
			var g, i int
			if _, err := fmt.Sscanf(string(m.Value), "%d-%d", &g, &i); err != nil {
				t.Fatalf("partition %d: value %q", p, m.Value)
			}
			if i != next[g] {
				t.Fatalf("partition %d: goroutine %d's message %d where %d was due (twice, lost or out of order)", p, g, i, next[g])
			}
			next[g]++
		}
	}
	for g, n := range next {
		if n != each {
			t.Fatalf("goroutine %d: %d of its %d messages in the log", g, n, each)
		}
	}
	t.Logf("%d retries over %d dials", st.Retries, st.Dials)
}
