package wire

import (
	"bytes"
	"testing"

	"github.com/zeroalloc/kafka/internal/allocstest"
)

// FuzzGroupDecode decodes arbitrary bytes as every message of the consumer
// group family (which message and version chosen by the first two bytes).
// Decoding must never panic nor allocate beyond allocstest.DecodeLimit;
// whatever decodes must re-encode to bytes that decode again and re-encode
// identically.
func FuzzGroupDecode(f *testing.F) {
	for i, c := range groupCases {
		a := APIs[c.key]
		for v := a.Min; v <= a.Max; v++ {
			f.Add(append([]byte{byte(i), byte(v)}, c.sample(v, 0).AppendTo(nil, v)...))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		c := groupCases[int(data[0])%len(groupCases)]
		a := APIs[c.key]
		v := a.Min + int16(data[1])%(a.Max-a.Min+1)
		m := c.sample(v, 1) // a reused struct that held other data
		var err error
		if n := allocstest.Bytes(func() { err = m.DecodeFrom(data[2:], v) }); n > allocstest.DecodeLimit(len(data)) {
			t.Fatalf("%s v%d: decoding %d bytes allocated %d bytes", c.name, v, len(data)-2, n)
		}
		if err != nil {
			return
		}
		enc := m.AppendTo(nil, v)
		back := c.sample(v, 0)
		if err := back.DecodeFrom(enc, v); err != nil {
			t.Fatalf("%s v%d: re-encoding does not decode: %v", c.name, v, err)
		}
		if again := back.AppendTo(nil, v); !bytes.Equal(again, enc) {
			t.Fatalf("%s v%d: re-encodings differ\n%x\n%x", c.name, v, enc, again)
		}
	})
}

// FuzzConsumerProtocolDecode does the same for subscriptions (first byte
// even) and assignments (odd).
func FuzzConsumerProtocolDecode(f *testing.F) {
	for v := int16(0); v <= ConsumerProtocolVersion; v++ {
		f.Add(append([]byte{0}, groupSubscription(v, 0).AppendTo(nil, v)...))
		f.Add(append([]byte{1}, groupAssignment(v, 0).AppendTo(nil, v)...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 1 {
			return
		}
		var m, back groupEmbedded = groupSubscription(3, 1), new(ConsumerProtocolSubscription)
		if data[0]&1 == 1 {
			m, back = groupAssignment(3, 1), new(ConsumerProtocolAssignment)
		}
		var err error
		if n := allocstest.Bytes(func() { err = m.DecodeFrom(data[1:]) }); n > allocstest.DecodeLimit(len(data)) {
			t.Fatalf("%T: decoding %d bytes allocated %d bytes", m, len(data)-1, n)
		}
		if err != nil {
			return
		}
		enc := m.AppendTo(nil, int16(data[1])<<8|int16(data[2]))
		if err := back.DecodeFrom(enc); err != nil {
			t.Fatalf("re-encoding does not decode: %v\n%x", err, enc)
		}
		if again := back.AppendTo(nil, int16(enc[0])<<8|int16(enc[1])); !bytes.Equal(again, enc) {
			t.Fatalf("re-encodings differ\n%x\n%x", enc, again)
		}
	})
}
