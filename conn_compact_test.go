package kafka

import (
	"errors"
	"io"
	"testing"
	"time"
)

// A compacted topic whose cleaner has dropped superseded records has offset
// gaps: reads go from record to record across them, report each record's
// own offset, and the Conn's offset moves past the last one.
func TestReadCompactedTopicGaps(t *testing.T) {
	topic := createTopicWith(t, 1, []ConfigEntry{
		{ConfigName: "cleanup.policy", ConfigValue: "compact"},
		{ConfigName: "segment.ms", ConfigValue: "100"},
		{ConfigName: "min.cleanable.dirty.ratio", ConfigValue: "0.01"},
		{ConfigName: "min.compaction.lag.ms", ConfigValue: "0"},
		{ConfigName: "max.compaction.lag.ms", ConfigValue: "100"},
	})
	c := dialLeader(t, topic)
	c.SetDeadline(time.Now().Add(90 * time.Second))
	write := func(k, v string) {
		if _, err := c.WriteMessages(Message{Key: []byte(k), Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	// Offsets 0..5; a and b are overwritten, so 0, 1, 2 and 3 can go.
	write("a", "a1")
	write("b", "b1")
	write("a", "a2")
	write("b", "b2")
	write("a", "a3")
	write("c", "c1")
	// The cleaner only cleans rolled segments, and a segment rolls (after
	// segment.ms) on the next append: keep appending a filler key until
	// the dropped records are gone.
	deadline := time.Now().Add(60 * time.Second)
	for {
		time.Sleep(150 * time.Millisecond) // segment.ms must pass before a roll
		write("filler", "x")
		offs, vals := readAllFrom(t, c, 0)
		if len(offs) > 0 && offs[0] >= 3 {
			// b2 (3), a3 (4), c1 (5) survive, then fillers (the last
			// of which a later clean may leave alone).
			want := []string{"b2", "a3", "c1"}
			for i, w := range want {
				if offs[i] != int64(3+i) || vals[i] != w {
					t.Fatalf("after compaction: offsets %v values %v", offs, vals)
				}
			}
			for i := 1; i < len(offs); i++ {
				if offs[i] <= offs[i-1] {
					t.Fatalf("offsets not increasing: %v", offs)
				}
			}
			if off, _ := c.Offset(); off != offs[len(offs)-1]+1 {
				t.Fatalf("Conn offset %d after reading up to %d", off, offs[len(offs)-1])
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no compaction within a minute: offsets %v", offs)
		}
	}
}

// readAllFrom reads the partition from offset to its end.
func readAllFrom(t *testing.T, c *Conn, offset int64) (offs []int64, vals []string) {
	t.Helper()
	if _, err := c.Seek(offset, SeekAbsolute|SeekDontCheck); err != nil {
		t.Fatal(err)
	}
	for {
		b := c.ReadBatchWith(ReadBatchConfig{MinBytes: 1, MaxBytes: 1 << 20, MaxWait: 50 * time.Millisecond})
		n := 0
		for {
			m, err := b.ReadMessage()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			offs, vals = append(offs, m.Offset), append(vals, string(m.Value))
			n++
		}
		if err := b.Close(); err != nil {
			if errors.Is(err, OffsetOutOfRange) {
				// The log start moved past offset while cleaning: read
				// from the new start.
				first, err := c.ReadFirstOffset()
				if err != nil {
					t.Fatal(err)
				}
				return readAllFrom(t, c, first)
			}
			t.Fatal(err)
		}
		if n == 0 {
			return offs, vals
		}
	}
}
