package kafka

import "testing"

// BenchmarkConnReadOffsets measures ReadOffsets (two pipelined ListOffsets
// round trips) on a warm connection to the test broker.
func BenchmarkConnReadOffsets(b *testing.B) {
	c := dialLeader(b, createTopic(b, 1))
	if _, _, err := c.ReadOffsets(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.ReadOffsets(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnReadLastOffset measures one ListOffsets round trip.
func BenchmarkConnReadLastOffset(b *testing.B) {
	c := dialLeader(b, createTopic(b, 1))
	if _, err := c.ReadLastOffset(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.ReadLastOffset(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConnWriteMessages1000x100B measures WriteMessages of 1,000
// messages (100-byte values, a key and a header each) on a warm connection,
// acks=all, one broker round trip per call.
func BenchmarkConnWriteMessages1000x100B(b *testing.B) {
	c := dialLeader(b, createTopic(b, 1))
	msgs := benchMessages(1000, 100)
	if _, err := c.WriteMessages(msgs...); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(1000 * (100 + 8))
	for b.Loop() {
		if _, err := c.WriteMessages(msgs...); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1000), "ns/msg")
}
