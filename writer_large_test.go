package kafka

import (
	"bytes"
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"
)

// Synchronous writes of large values, sent from the callers' memory (not
// copied into batches), while our proxy cuts every connection every 30 ms:
// every message is in the log exactly once, in order per writer, with the
// bytes it had when written — although each writer rewrites its one value
// buffer as soon as a call returns, so a batch resent after its call
// returned would carry the wrong bytes.
func TestWriterLargeValuesRetries(t *testing.T) {
	topic := createTopic(t, 2)
	w, px := proxiedWriter(t, topic)
	w.Balancer = &Hash{}
	stopCuts := cutEvery(px, 30*time.Millisecond)
	const writers, each, size = 4, 100, 20 << 10
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			value := make([]byte, size) // one buffer, rewritten for each message
			small := make([]byte, 8)
			for i := range each {
				fill(value, g, i)
				binary.BigEndian.PutUint32(small, uint32(g<<16|i))
				err := w.WriteMessages(context.Background(),
					Message{Key: []byte{byte(g)}, Value: value},
					Message{Key: []byte{byte(g)}, Value: small, Headers: []Header{{Key: "k", Value: value[:16]}}})
				if err != nil {
					t.Errorf("writer %d message %d: %v", g, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	stopCuts()
	if t.Failed() {
		return
	}
	if st := w.Stats(); st.Retries == 0 {
		t.Fatalf("no retries: the cuts did not land on requests in flight")
	}
	// Per writer, its large and small messages each come in order (a
	// pair may be split by other writers' records in the partition).
	next, nextSmall := make([]int, writers), make([]int, writers)
	want := make([]byte, size)
	for _, ms := range valuesByPartition(t, topic, 2) {
		for _, m := range ms {
			g := int(m.Key[0])
			if len(m.Value) == size {
				i := next[g]
				fill(want, g, i)
				if !bytes.Equal(m.Value, want) {
					t.Fatalf("writer %d message %d: large value corrupted or out of order", g, i)
				}
				next[g]++
				continue
			}
			i := nextSmall[g]
			fill(want, g, i)
			if binary.BigEndian.Uint32(m.Value) != uint32(g<<16|i) || !bytes.Equal(m.Headers[0].Value, want[:16]) {
				t.Fatalf("writer %d small message %d: wrong or out of order", g, i)
			}
			nextSmall[g]++
		}
	}
	for g := range writers {
		if next[g] != each || nextSmall[g] != each {
			t.Fatalf("writer %d: %d large and %d small messages in the log, want %d each", g, next[g], nextSmall[g], each)
		}
	}
}

// fill writes a pattern unique to (g, i) into v.
func fill(v []byte, g, i int) {
	for k := range v {
		v[k] = byte(g*31 + i*7 + k)
	}
}
