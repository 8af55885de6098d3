package kafka

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The read_committed proof through the Reader: two transactional
// producers interleave committed and aborted transactions with plain
// writes, and a third transaction stays open for a while, while a Reader
// with ReadCommitted reads the partition. It delivers exactly the plain
// and committed messages, each once, in offset order: no aborted record,
// no control record (a marker has no value to mistake for a message), and
// no stall at a marker or at the open transaction once it commits (the
// last message, written after every marker, arrives).
func TestReaderReadCommitted(t *testing.T) {
	topic := createTopic(t, 1)
	c := dialLeader(t, topic)
	c.SetDeadline(time.Now().Add(3 * time.Minute))
	r := newTestReader(t, topic, ReaderConfig{IsolationLevel: ReadCommitted, MaxBytes: 512})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	type got struct {
		offset int64
		value  string
	}
	gotc := make(chan []got, 1)
	go func() {
		var out []got
		defer func() { gotc <- out }()
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				return
			}
			out = append(out, got{m.Offset, string(m.Value)})
			if string(m.Value) == "end" {
				return
			}
		}
	}()

	committed := map[string]bool{}
	aborted := map[string]bool{}
	write := func(v string) {
		t.Helper()
		if _, err := c.WriteMessages(Message{Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
		committed[v] = true
	}
	a := newRawTxn(t, topic+"-a", topic)
	b := newRawTxn(t, topic+"-b", topic)
	var aVals, bVals []string
	produce := func(x *rawTxn, vals *[]string, vs ...string) {
		t.Helper()
		x.produce(vs...)
		*vals = append(*vals, vs...)
	}
	end := func(x *rawTxn, vals *[]string, commit bool) {
		t.Helper()
		x.end(commit)
		for _, v := range *vals {
			if commit {
				committed[v] = true
			} else {
				aborted[v] = true
			}
		}
		*vals = (*vals)[:0]
	}
	const rounds = 30
	for i := range rounds {
		produce(a, &aVals, fmt.Sprintf("a%d.0", i), fmt.Sprintf("a%d.1", i))
		produce(b, &bVals, fmt.Sprintf("b%d.0", i))
		write(fmt.Sprintf("p%d", i))
		produce(a, &aVals, fmt.Sprintf("a%d.2", i))
		produce(b, &bVals, fmt.Sprintf("b%d.1", i), fmt.Sprintf("b%d.2", i))
		end(a, &aVals, i%3 != 0) // a aborts every third transaction
		end(b, &bVals, i%2 == 0) // b every second
	}
	// An open transaction holds read_committed back at its first record
	// (the last stable offset) until it commits.
	o := newRawTxn(t, topic+"-open", topic)
	o.produce("o1")
	write("p-open")
	o.end(true)
	committed["o1"] = true
	write("end")

	out := <-gotc
	if ctx.Err() != nil {
		t.Fatalf("stalled after %d messages (last %+v)", len(out), out[len(out)-1:])
	}
	seen := map[string]bool{}
	last := int64(-1)
	for _, g := range out {
		switch {
		case aborted[g.value]:
			t.Errorf("offset %d: aborted record %q delivered", g.offset, g.value)
		case !committed[g.value]:
			t.Errorf("offset %d: %q delivered, not a committed record (a control record?)", g.offset, g.value)
		case seen[g.value]:
			t.Errorf("offset %d: %q delivered twice", g.offset, g.value)
		}
		if g.offset <= last {
			t.Errorf("offset %d delivered after %d", g.offset, last)
		}
		seen[g.value], last = true, g.offset
	}
	for v := range committed {
		if !seen[v] {
			t.Errorf("committed record %q not delivered", v)
		}
	}
	if len(aborted) == 0 || len(committed) < 3*rounds {
		t.Fatalf("the test made %d aborted and %d committed records", len(aborted), len(committed))
	}
	t.Logf("%d committed records delivered, %d aborted ones hidden, up to offset %d", len(out), len(aborted), last)
}
