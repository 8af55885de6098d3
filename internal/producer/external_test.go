package producer

import (
	"context"
	"testing"
	"time"
)

// A synchronous call's large value is not copied into its batch: the batch
// lists it as an external run, to be sent from the caller's memory; a
// small value, any value of an asynchronous write, and any value of a call
// that may give up waiting (not Extern: its context may end), is copied.
func TestExternalValues(t *testing.T) {
	p := New(Config[struct{}]{
		BatchSize: 100, BatchBytes: 1 << 20, MaxInFlight: 5, MaxAttempts: 2,
		BackoffMin: 10 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
		ReadTimeout: time.Second, WriteTimeout: time.Second, BufferBytes: 1 << 22, MetadataTTL: time.Second,
	})
	part := &Partition[struct{}]{Topic: "t", leader: -1}
	big := make([]byte, ExternalMin)
	small := make([]byte, ExternalMin-1)
	call := p.NewCall(3)
	call.Extern = true
	other := p.NewCall(1) // its context may end
	// Every record takes its budget before Append, as the Writer's do:
	// Flush (inside Close) waits for the budget to empty.
	appendOne := func(v []byte, ref Ref[struct{}]) {
		if err := p.Acquire(context.Background(), RecordSize(nil, v, nil)); err != nil {
			t.Fatal(err)
		}
		p.Append(part, 1, nil, v, nil, RecordSize(nil, v, nil), ref, nil)
	}
	for i, v := range [][]byte{big, small} {
		call.Add()
		appendOne(v, Ref[struct{}]{C: call, I: int32(i)})
	}
	appendOne(big, Ref[struct{}]{}) // asynchronous
	other.Add()
	appendOne(big, Ref[struct{}]{C: other})
	part.mu.Lock()
	p.seal(part)
	b := part.queue[0]
	part.mu.Unlock()
	if len(b.ext) != 1 || &b.ext[0].B[0] != &big[0] {
		t.Fatalf("externals %d: the large synchronous value was copied", len(b.ext))
	}
	if len(b.buf) > len(small)+2*len(big)+200 || b.wireLen != len(b.buf)+len(big) {
		t.Fatalf("batch holds %d bytes, %d on the wire", len(b.buf), b.wireLen)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	p.Close(ctx) // no broker, and the partition is not routed: fail it here
	for _, q := range part.queue {
		p.settle(q, ErrClosed)
	}
	call.Wait(context.Background())
	other.Wait(context.Background())
	if call.Errs == nil || call.Errs[0] == nil || call.Errs[1] == nil {
		t.Fatalf("records not settled as failed: %v", call.Errs)
	}
	if len(b.b.Externals()) != 0 {
		t.Fatalf("a recycled batch still references a caller's value")
	}
	if u := p.budget.Used(); u != 0 {
		t.Fatalf("%d bytes of budget held after every record settled", u)
	}
}
