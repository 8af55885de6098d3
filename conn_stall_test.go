package kafka

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// proxiedDialer returns a Dialer whose every connection goes through a
// proxy of ours to the test broker, and the proxy; both end with the test.
func proxiedDialer(t *testing.T) (*Dialer, *proxy.Proxy) {
	t.Helper()
	px, err := proxy.New(kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	var nd net.Dialer
	return &Dialer{Timeout: 10 * time.Second, DialFunc: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return nd.DialContext(ctx, network, px.Addr())
	}}, px
}

// A Conn's calls are bound by its deadlines and its Close, whatever the
// broker does: a Produce answer dripped a byte a second times out at the
// deadline; a call waiting for an answer that does not come returns as
// soon as another goroutine closes the Conn; DialLeader with Metadata
// answers held ends with its context.
func TestConnStalledBroker(t *testing.T) {
	topic := createTopic(t, 1)
	d, px := proxiedDialer(t)
	c, err := d.DialLeader(context.Background(), "tcp", "proxied:9092", topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	px.DripAnswers(wire.KeyProduce, time.Second)
	const wait = 500 * time.Millisecond
	c.SetDeadline(time.Now().Add(wait))
	start := time.Now()
	_, err = c.WriteMessages(Message{Value: []byte("a")})
	if took := time.Since(start); !errors.Is(err, os.ErrDeadlineExceeded) || took > wait+ctxSlack {
		t.Fatalf("WriteMessages with its answer dripped returned %v after %v, want a timeout at %v", err, took, wait)
	}
	px.ReleaseAnswers()

	c2, err := d.DialLeader(context.Background(), "tcp", "proxied:9092", topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	px.HoldAnswers(wire.KeyListOffsets)
	done := make(chan error, 1)
	go func() {
		_, err := c2.ReadLastOffset()
		done <- err
	}()
	awaitHeld(t, px)
	start = time.Now()
	c2.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("the call blocked at Close returned %v", err)
		}
		t.Logf("the blocked call returned %v after Close", time.Since(start))
	case <-time.After(ctxSlack):
		t.Fatal("a call blocked on a held answer still waits after Close")
	}

	px.HoldAnswers(wire.KeyMetadata)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	start = time.Now()
	_, err = d.DialLeader(ctx, "tcp", "proxied:9092", topic, 0)
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > wait+ctxSlack {
		t.Fatalf("DialLeader with Metadata held returned %v after %v", err, took)
	}
	// The socket's deadline, the context's, may strike before the
	// context's own timer has run: the error is the context's all the same
	// (it was the i/o timeout).
	late, cancel := context.WithTimeout(context.Background(), wait+time.Second)
	defer cancel()
	start = time.Now()
	_, err = d.LookupPartitions(lateTimer{late, start.Add(wait)}, "tcp", "proxied:9092", topic)
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > wait+ctxSlack {
		t.Fatalf("LookupPartitions under a context whose timer runs late returned %v after %v", err, took)
	}
}

// lateTimer is a context whose Done channel closes a moment after the
// deadline it reports, as when the goroutine that runs a context's timer
// runs late.
type lateTimer struct {
	context.Context
	dl time.Time
}

func (c lateTimer) Deadline() (time.Time, bool) { return c.dl, true }
