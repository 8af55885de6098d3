//go:build !race

package kafka

import (
	"context"
	"encoding/binary"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/allocstest"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// TestAllocsReaderReadInto asserts that ReadInto into a reused Message
// allocates nothing once warm: not one object over 1,900 reads and the
// fetches that bring them. The count is exact and process-wide, so it
// includes the fetch goroutine's work (allocstest.Count).
func TestAllocsReaderReadInto(t *testing.T) {
	topic := createTopic(t, 1)
	const n = 12000
	for i := 0; i < n; i += 1000 {
		writeValues(t, topic, i, 1000)
	}
	r := newTestReader(t, topic, ReaderConfig{MaxBytes: 1 << 20})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var m Message
	for i := 0; i < 100; i++ {
		if err := r.ReadInto(ctx, &m); err != nil {
			t.Fatal(err)
		}
	}
	// Up to three measurements (allocstest.Count), each of 1,900 reads
	// after as many warm-up reads.
	const runs = 1900
	allocs := allocstest.Count(t, runs, 0, func() {
		if err := r.ReadInto(ctx, &m); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%d allocations over %d ReadInto calls, want 0", allocs, runs)
	}
}

// TestAllocsReaderGroupReadInto asserts that a group Reader allocates
// nothing per message when the application reads with ReadInto and hands
// each message to CommitMessages, its offsets committed every
// CommitInterval: each measured call reads 300 messages and waits for the
// periodic commit that follows, and the objects counted over 10 calls are
// those of the 10 commits (counted on the wire), groupCommitAllocs each,
// and not one more. A per-message allocation would add 3,000.
func TestAllocsReaderGroupReadInto(t *testing.T) {
	topic := createTopic(t, 1)
	const n = 20000
	for i := 0; i < n; i += 1000 {
		writeValues(t, topic, i, 1000)
	}
	var sent apiCounts
	nd := net.Dialer{}
	r := newTestReader(t, topic, ReaderConfig{GroupID: kafkatest.Topic(t), MaxBytes: 1 << 20,
		CommitInterval: 20 * time.Millisecond,
		// No heartbeat in the measured second, as a rule: its request is
		// not a message's cost either.
		HeartbeatInterval: 20 * time.Second, SessionTimeout: 60 * time.Second,
		Dialer: &Dialer{DialFunc: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &requestCountingConn{Conn: c, counts: &sent}, nil
		}}})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var m Message
	chunk := func() {
		commits := sent[wire.KeyOffsetCommit].Load()
		for range 300 {
			if err := r.ReadInto(ctx, &m); err != nil {
				t.Fatal(err)
			}
			if err := r.CommitMessages(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		for sent[wire.KeyOffsetCommit].Load() == commits {
			if ctx.Err() != nil {
				t.Fatal("no periodic commit of the offsets")
			}
			time.Sleep(time.Millisecond)
		}
	}
	chunk()
	// Each chunk waits for one commit: a tick with nothing new to commit
	// sends no request.
	const runs = 10
	allocs := allocstest.Count(t, runs, runs*groupCommitAllocs, chunk)
	if allocs > runs*groupCommitAllocs {
		t.Fatalf("%d objects over %d ReadInto and CommitMessages calls and %d periodic commits, want at most %d (%d per commit)",
			allocs, runs*300, runs, runs*groupCommitAllocs, groupCommitAllocs)
	}
}

// groupCommitAllocs is what one commit of a partition's offset allocates
// (the OffsetCommit request and its answer, the offsets gathered from the
// pending map): 14 objects, measured with synchronous commits every 300
// messages (140 objects over every 3,000 reads).
const groupCommitAllocs = 14

// apiCounts counts the requests written, by API key.
type apiCounts [64]atomic.Int64

// requestCountingConn counts the requests written on a connection by API
// key, reading each frame's size and key as it passes (without
// allocating: the count runs inside allocation tests).
type requestCountingConn struct {
	net.Conn
	counts *apiCounts
	hdr    [6]byte // the frame's size and API key, gathered
	have   int
	left   int // bytes of the current frame's body still to pass
}

func (c *requestCountingConn) Write(b []byte) (int, error) {
	for rest := b; len(rest) > 0; {
		if c.left > 0 {
			k := min(c.left, len(rest))
			c.left -= k
			rest = rest[k:]
			continue
		}
		k := copy(c.hdr[c.have:], rest)
		c.have += k
		rest = rest[k:]
		if c.have == len(c.hdr) {
			if key := binary.BigEndian.Uint16(c.hdr[4:]); int(key) < len(c.counts) {
				c.counts[key].Add(1)
			}
			c.left = int(binary.BigEndian.Uint32(c.hdr[:4])) - 2
			c.have = 0
		}
	}
	return c.Conn.Write(b)
}
