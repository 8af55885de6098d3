package kafka

import (
	"context"
	"errors"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// dial connects to the test broker and closes the Conn when the test ends.
func dial(t testing.TB) *Conn {
	t.Helper()
	c, err := DialContext(context.Background(), "tcp", kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// createTopic creates a unique topic with n partitions and returns its name.
func createTopic(t testing.TB, n int) string {
	t.Helper()
	return createTopicWith(t, n, nil)
}

// createTopicWith creates a unique topic with n partitions and the given
// configuration, and returns its name once its leaders serve it.
func createTopicWith(t testing.TB, n int, configs []ConfigEntry) string {
	t.Helper()
	topic := kafkatest.Topic(t)
	c := dial(t)
	if err := c.CreateTopics(TopicConfig{Topic: topic, NumPartitions: n, ReplicationFactor: 1, ConfigEntries: configs}); err != nil {
		t.Fatal(err)
	}
	awaitLeaders(t, topic, n)
	return topic
}

// awaitLeaders waits until every partition of a new topic answers requests
// meant for its leader: CreateTopics returns once the controller has the
// topic, a moment before the broker acts as the partitions' leader.
func awaitLeaders(t testing.TB, topic string, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for p := 0; p < n; p++ {
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			c, err := DialLeader(ctx, "tcp", kafkatest.Brokers(t)[0], topic, p)
			cancel()
			if err == nil {
				_, err = c.ReadLastOffset()
				c.Close()
			}
			if err == nil {
				break
			}
			var ke Error
			if !errors.As(err, &ke) || !ke.Temporary() || time.Now().After(deadline) {
				t.Fatalf("partition %d of %s: %v", p, topic, err)
			}
			time.Sleep(20 * time.Millisecond) // the broker offers nothing to wait on
		}
	}
}

// dialLeader connects to the leader of partition 0 of topic.
func dialLeader(t testing.TB, topic string) *Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := DialLeader(ctx, "tcp", kafkatest.Brokers(t)[0], topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDialApiVersions(t *testing.T) {
	c := dial(t)
	vs, err := c.ApiVersions()
	if err != nil {
		t.Fatal(err)
	}
	found := map[int16]ApiVersion{}
	for _, v := range vs {
		found[v.ApiKey] = v
	}
	for _, key := range []int16{wire.KeyProduce, wire.KeyFetch, wire.KeyListOffsets, wire.KeyMetadata, wire.KeyApiVersions} {
		v, ok := found[key]
		if !ok || v.MinVersion > v.MaxVersion || v.MaxVersion < wire.APIs[key].Min {
			t.Errorf("API %d: %+v (present %v)", key, v, ok)
		}
	}
	if a := c.LocalAddr(); a == nil || a.String() == "" {
		t.Errorf("LocalAddr %v", a)
	}
	if got, want := c.RemoteAddr().String(), kafkatest.Brokers(t)[0]; got != want {
		t.Errorf("RemoteAddr %s, want %s", got, want)
	}
	if b := c.Broker(); b.Port == 0 || b.Host == "" {
		t.Errorf("Broker() = %+v", b)
	}
}

func TestTopicLifecycle(t *testing.T) {
	addr := kafkatest.Brokers(t)[0]
	topic := createTopic(t, 3)
	c := dial(t)

	// Creating it again is not an error (kafka-go's idempotent CreateTopics).
	if err := c.CreateTopics(TopicConfig{Topic: topic, NumPartitions: 3, ReplicationFactor: 1}); err != nil {
		t.Fatalf("second CreateTopics: %v", err)
	}
	// A bad config comes back as a typed error with the broker's message.
	err := c.CreateTopics(TopicConfig{Topic: kafkatest.Topic(t), NumPartitions: 1, ReplicationFactor: 1,
		ConfigEntries: []ConfigEntry{{ConfigName: "cleanup.policy", ConfigValue: "no-such-policy"}}})
	if !errors.Is(err, InvalidConfiguration) {
		t.Errorf("CreateTopics with a bad config: %v, want InvalidConfiguration", err)
	}

	brokers, err := c.Brokers()
	if err != nil || len(brokers) != 1 || brokers[0].Port == 0 {
		t.Fatalf("Brokers: %+v, %v", brokers, err)
	}
	ctrl, err := c.Controller()
	if err != nil || ctrl != brokers[0] {
		t.Fatalf("Controller: %+v, %v; brokers %+v", ctrl, err, brokers)
	}

	parts, err := c.ReadPartitions(topic)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 {
		t.Fatalf("ReadPartitions: %d partitions, want 3: %+v", len(parts), parts)
	}
	seen := map[int]bool{}
	for _, p := range parts {
		seen[p.ID] = true
		if p.Topic != topic || p.Leader != brokers[0] || len(p.Replicas) != 1 || len(p.Isr) != 1 || p.Error != nil {
			t.Errorf("partition %+v", p)
		}
	}
	if len(seen) != 3 {
		t.Errorf("partition ids %v", seen)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lp, err := LookupPartitions(ctx, "tcp", addr, topic)
	if err != nil || len(lp) != 3 {
		t.Fatalf("LookupPartitions: %d, %v", len(lp), err)
	}
	p2, err := LookupPartition(ctx, "tcp", addr, topic, 2)
	if err != nil || p2.ID != 2 || p2.Leader != brokers[0] {
		t.Fatalf("LookupPartition: %+v, %v", p2, err)
	}
	if _, err := LookupPartition(ctx, "tcp", addr, topic, 7); !errors.Is(err, UnknownTopicOrPartition) {
		t.Fatalf("LookupPartition of a missing partition: %v", err)
	}
	leader, err := DefaultDialer.LookupLeader(ctx, "tcp", addr, topic, 1)
	if err != nil || leader != brokers[0] {
		t.Fatalf("LookupLeader: %+v, %v", leader, err)
	}
	lc, err := DialPartition(ctx, "tcp", "", p2)
	if err != nil {
		t.Fatal(err)
	}
	defer lc.Close()
	if b := lc.Broker(); b.ID != brokers[0].ID || b.Port != brokers[0].Port {
		t.Errorf("DialPartition's Broker() = %+v, want %+v", b, brokers[0])
	}
	if ps, err := lc.ReadPartitions(); err != nil || len(ps) != 3 {
		t.Errorf("ReadPartitions of the Conn's own topic: %d, %v", len(ps), err)
	}

	if err := c.DeleteTopics(topic); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteTopics(topic); !errors.Is(err, UnknownTopicOrPartition) {
		t.Fatalf("deleting it again: %v, want UnknownTopicOrPartition", err)
	}
}

func TestOffsetsAndSeekOnEmptyTopic(t *testing.T) {
	c := dialLeader(t, createTopic(t, 1))
	first, last, err := c.ReadOffsets()
	if err != nil || first != 0 || last != 0 {
		t.Fatalf("ReadOffsets = %d, %d, %v; want 0, 0", first, last, err)
	}
	if o, err := c.ReadFirstOffset(); err != nil || o != 0 {
		t.Fatalf("ReadFirstOffset = %d, %v", o, err)
	}
	if o, err := c.ReadLastOffset(); err != nil || o != 0 {
		t.Fatalf("ReadLastOffset = %d, %v", o, err)
	}
	if o, err := c.ReadOffset(time.Now().Add(-time.Hour)); err != nil || o != -1 {
		t.Fatalf("ReadOffset = %d, %v", o, err)
	}
	if o, w := c.Offset(); o != 0 || w != SeekStart {
		t.Fatalf("initial Offset = %d, %d; want 0, SeekStart", o, w)
	}

	for _, tc := range []struct {
		offset int64
		whence int
		want   int64
		err    error
	}{
		{0, SeekStart, 0, nil},
		{0, SeekEnd, 0, nil},
		{0, SeekAbsolute, 0, nil},
		{0, SeekCurrent, 0, nil},
		{5, SeekAbsolute, 0, OffsetOutOfRange},
		{1, SeekEnd, 0, OffsetOutOfRange},
		{-1, SeekStart, 0, OffsetOutOfRange},
		{1, SeekCurrent, 0, OffsetOutOfRange},
		{5, SeekAbsolute | SeekDontCheck, 5, nil},
		{2, SeekCurrent | SeekDontCheck, 7, nil},
	} {
		got, err := c.Seek(tc.offset, tc.whence)
		if !errors.Is(err, tc.err) || (err == nil && got != tc.want) {
			t.Errorf("Seek(%d, %#x) = %d, %v; want %d, %v", tc.offset, tc.whence, got, err, tc.want, tc.err)
		}
	}
	if o, w := c.Offset(); o != 7 || w != SeekAbsolute {
		t.Errorf("Offset = %d, %d; want 7, SeekAbsolute", o, w)
	}
	if _, err := c.Seek(0, 9); err == nil {
		t.Error("Seek with a bad whence succeeded")
	}
}

func TestUnknownTopicOffsets(t *testing.T) {
	// Offsets of a partition the broker does not lead come back as a
	// Kafka error, and the connection stays usable.
	c := dialLeader(t, createTopic(t, 1))
	nc, err := net.Dial("tcp", kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	wrong := NewConn(nc, c.topic, 5) // the topic has one partition
	defer wrong.Close()
	if _, err := wrong.ReadLastOffset(); !errors.Is(err, UnknownTopicOrPartition) {
		t.Fatalf("ReadLastOffset of a missing partition: %v", err)
	}
	if _, err := wrong.Brokers(); err != nil {
		t.Fatalf("Conn unusable after a Kafka error: %v", err)
	}
}

func TestNewConnNegotiatesLazily(t *testing.T) {
	topic := createTopic(t, 1)
	dialLeader(t, topic) // waits for the leader
	nc, err := net.Dial("tcp", kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	c := NewConnWith(nc, ConnConfig{Topic: topic, ClientID: "lazy-test"})
	defer c.Close()
	if first, last, err := c.ReadOffsets(); err != nil || first != 0 || last != 0 {
		t.Fatalf("ReadOffsets = %d, %d, %v", first, last, err)
	}
}

func TestDeadlines(t *testing.T) {
	c := dialLeader(t, createTopic(t, 1))

	// A deadline already past fails the call before anything is sent; the
	// connection stays usable once it is lifted.
	c.SetDeadline(time.Now().Add(-time.Second))
	_, err := c.ReadLastOffset()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("past deadline: %v (%T), want a timeout net.Error", err, err)
	}
	c.SetDeadline(time.Time{})
	if _, err := c.ReadLastOffset(); err != nil {
		t.Fatalf("after lifting the deadline: %v", err)
	}

	// A read deadline past strikes after the request went out: the answer
	// is still coming, so the connection closes.
	c.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := c.ReadLastOffset(); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("past read deadline: %v, want a timeout net.Error", err)
	}
	c.SetReadDeadline(time.Time{})
	if _, err := c.ReadLastOffset(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("after a timeout mid-exchange: %v, want net.ErrClosed", err)
	}

	// A future deadline leaves calls alone.
	c2 := dial(t)
	c2.SetDeadline(time.Now().Add(time.Minute))
	if _, err := c2.Brokers(); err != nil {
		t.Fatal(err)
	}
}

func TestDialContextEnds(t *testing.T) {
	addr := kafkatest.Brokers(t)[0]
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DialContext(ctx, "tcp", addr); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled context: %v", err)
	}
	d := Dialer{Deadline: time.Now().Add(-time.Second)}
	if _, err := d.Dial("tcp", addr); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("past Deadline: %v", err)
	}
}

func TestCloseLeaksNoGoroutine(t *testing.T) {
	addr := kafkatest.Brokers(t)[0]
	topic := createTopic(t, 1)
	before := runtime.NumGoroutine()
	for range 5 {
		c, err := DialLeader(context.Background(), "tcp", addr, topic, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.ReadOffsets(); err != nil {
			t.Fatal(err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.ReadLastOffset(); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("call after Close: %v", err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConcurrentUse(t *testing.T) {
	topic := createTopic(t, 2)
	c := dialLeader(t, topic)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 6 {
		wg.Go(func() {
			for i := range 15 {
				var err error
				switch (g + i) % 4 {
				case 0:
					var first, last int64
					if first, last, err = c.ReadOffsets(); err == nil && (first != 0 || last != 0) {
						err = errors.New("offsets moved on an empty topic")
					}
				case 1:
					var ps []Partition
					if ps, err = c.ReadPartitions(); err == nil && len(ps) != 2 {
						err = errors.New("wrong partition count")
					}
				case 2:
					_, err = c.ApiVersions()
				case 3:
					_, err = c.Seek(0, SeekStart)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestSetRequiredAcks(t *testing.T) {
	c := NewConn(nil, "t", 0)
	for _, n := range []int{-1, 1} {
		if err := c.SetRequiredAcks(n); err != nil || c.requiredAcks.Load() != int32(n) {
			t.Errorf("SetRequiredAcks(%d): %v", n, err)
		}
	}
	for _, n := range []int{0, 2, -2} {
		if err := c.SetRequiredAcks(n); !errors.Is(err, InvalidRequiredAcks) {
			t.Errorf("SetRequiredAcks(%d): %v", n, err)
		}
	}
}

func TestNewConnWithBadPartitionPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	NewConnWith(nil, ConnConfig{Partition: -1})
}
