package kafka

import (
	"bytes"
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// countingConn counts the writes to the network under TLS: crypto/tls
// writes each record with one Write.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// TestTLSRecordsPerRequest counts the TLS records of the Writer's produce
// requests: a request is written with one Write, so it takes as many
// records as its size needs (16 KiB each), not one per buffer of the
// vectored write (request head, each batch, each value sent from the
// caller's memory).
func TestTLSRecordsPerRequest(t *testing.T) {
	sec := kafkatest.Secured(t)
	var writes atomic.Int64
	var nd net.Dialer
	tr := &Transport{TLS: sec.TLS(t), Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := nd.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return countingConn{c, &writes}, nil
	}}
	topic := createTopic(t, 1)
	w := &Writer{Addr: TCP(sec.SSL...), Topic: topic, Transport: tr, BatchTimeout: time.Millisecond}
	defer w.Close()
	ctx := context.Background()
	// Past crypto/tls's first 128 KiB of small records.
	big := bytes.Repeat([]byte("x"), 256<<10)
	if err := w.WriteMessages(ctx, Message{Value: big}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		values int
		size   int
		max    float64 // records per request
	}{
		// Request head, batch and tail: 3 buffers, one record.
		{"one small value", 1, 100, 1},
		// 10 values of 8 KiB sent from the caller's memory: 23 buffers,
		// 82 KiB in 6 records.
		{"ten 8 KiB values", 10, 8 << 10, 6},
	} {
		msgs := make([]Message, tc.values)
		for i := range msgs {
			msgs[i].Value = bytes.Repeat([]byte{byte('a' + i)}, tc.size)
		}
		w.Stats()
		before := writes.Load()
		const rounds = 50
		for range rounds {
			if err := w.WriteMessages(ctx, msgs...); err != nil {
				t.Fatal(err)
			}
		}
		requests := w.Stats().Writes
		perRequest := float64(writes.Load()-before) / float64(requests)
		t.Logf("%s: %d requests, %.2f TLS records each", tc.name, requests, perRequest)
		if requests < rounds || perRequest > tc.max {
			t.Errorf("%s: %d requests of %.2f TLS records each, want %d of at most %.0f", tc.name, requests, perRequest, rounds, tc.max)
		}
	}
}
