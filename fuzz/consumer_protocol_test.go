package fuzz

import (
	"bytes"
	"testing"

	"github.com/zeroalloc/kafka/wire"
)

// consumerProtocol is what the subscription and assignment have in common.
type consumerProtocol interface {
	AppendTo(dst []byte, version int16) []byte
	DecodeFrom(src []byte) error
}

// fuzzConsumerProtocol fuzzes the bytes other group members send inside
// JoinGroup metadata and SyncGroup assignments: no panic, bounded
// allocation, and whatever decodes re-encodes (at the version it was read
// as, clamped to ours) to bytes that decode to the same encoding.
func fuzzConsumerProtocol(f *testing.F, fresh func() consumerProtocol, version func(consumerProtocol) int16, seeds ...consumerProtocol) {
	for _, s := range seeds {
		for v := int16(0); v <= wire.ConsumerProtocolVersion; v++ {
			f.Add(s.AppendTo(nil, v))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := fresh()
		var err error
		if n := allocated(func() { err = m.DecodeFrom(data) }); n > allocLimit(len(data)) {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), n)
		}
		if err != nil {
			return
		}
		v := version(m)
		enc := m.AppendTo(nil, v)
		m2 := fresh()
		if err := m2.DecodeFrom(enc); err != nil {
			t.Fatalf("re-encoding at v%d does not decode: %v\n%x", v, err, enc)
		}
		if enc2 := m2.AppendTo(nil, v); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding at v%d is not stable\n%x\n%x", v, enc, enc2)
		}
	})
}

func FuzzConsumerProtocolSubscription(f *testing.F) {
	fuzzConsumerProtocol(f,
		func() consumerProtocol { return new(wire.ConsumerProtocolSubscription) },
		func(m consumerProtocol) int16 { return m.(*wire.ConsumerProtocolSubscription).Version },
		&wire.ConsumerProtocolSubscription{Topics: []string{"a", "b"}, UserData: []byte{1}, OwnedPartitions: []wire.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{0, 2}}}, GenerationId: 4, RackId: wire.NewNullString("r1")},
		&wire.ConsumerProtocolSubscription{})
}

func FuzzConsumerProtocolAssignment(f *testing.F) {
	fuzzConsumerProtocol(f,
		func() consumerProtocol { return new(wire.ConsumerProtocolAssignment) },
		func(m consumerProtocol) int16 { return m.(*wire.ConsumerProtocolAssignment).Version },
		&wire.ConsumerProtocolAssignment{AssignedPartitions: []wire.ConsumerProtocolTopicPartition{{Topic: "a", Partitions: []int32{0, 1}}}, UserData: []byte("x")},
		&wire.ConsumerProtocolAssignment{})
}
