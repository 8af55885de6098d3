package producer

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// An epoch bump is asked for while a sink has collected a batch and not
// yet written it. The bump must wait: it rewrites the headers of queued
// batches (epoch, sequence, CRC), and those bytes were about to be written
// to the socket. (drain looked at the bump flag only before collecting, and
// the bump waited only for batches counted in flight, which a collected
// batch is not until send counts it.)
func TestBumpWaitsForCollected(t *testing.T) {
	var hold atomic.Bool
	collected, release := make(chan struct{}), make(chan struct{})
	testHookCollected = func() {
		if hold.CompareAndSwap(true, false) {
			close(collected)
			<-release
		}
	}
	ctx := context.Background()
	p := testProducer(t, "")
	defer func() {
		p.Close(ctx)
		testHookCollected = nil
	}()
	topic := kafkatest.Topic(t)
	write := func(v string) error { return writeSync(ctx, p, topic, 0, v) }
	if err := write("x"); err != nil {
		t.Fatal(err)
	}
	epoch := p.epoch.Load()
	hold.Store(true)
	done := make(chan error, 1)
	go func() { done <- write("y") }()
	select {
	case <-collected:
	case <-time.After(10 * time.Second):
		t.Fatal("the batch was never collected")
	}
	p.needBump.Store(true) // as an OUT_OF_ORDER_SEQUENCE_NUMBER answer does
	p.kickMeta()
	time.Sleep(200 * time.Millisecond)
	if e := p.epoch.Load(); e != epoch {
		t.Errorf("the epoch went from %d to %d while a batch was collected and not yet written", epoch, e)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); p.epoch.Load() == epoch; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no bump once the batch was answered")
		}
	}
	if err := write("z"); err != nil { // under the new epoch, from sequence 0
		t.Fatal(err)
	}
}
