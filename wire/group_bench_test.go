package wire

import (
	"strconv"
	"testing"
)

// groupBenchMetadata is a realistic member metadata: a v3 subscription to
// three topics owning four partitions of each.
func groupBenchMetadata() []byte {
	sub := &ConsumerProtocolSubscription{
		Topics:       []string{"orders", "payments", "shipments"},
		GenerationId: 12,
		RackId:       NewNullString("eu-west-1a"),
	}
	for _, tp := range sub.Topics {
		sub.OwnedPartitions = append(sub.OwnedPartitions, ConsumerProtocolTopicPartition{Topic: tp, Partitions: []int32{0, 3, 6, 9}})
	}
	return sub.AppendTo(nil, 3)
}

// BenchmarkJoinGroupResponseDecode decodes a leader's JoinGroup response
// with 10 members into a reused struct.
func BenchmarkJoinGroupResponseDecode(b *testing.B) {
	for _, v := range []int16{5, 9} {
		b.Run("v"+strconv.Itoa(int(v)), func(b *testing.B) {
			m := groupJoinGroupResponse(v, 0, 10)
			for i := range m.Members {
				m.Members[i].MemberId = "consumer-" + strconv.Itoa(i) + "-5f1c2a7e-8d3b-4c21-9e0f-1a2b3c4d5e6f"
				m.Members[i].Metadata = groupBenchMetadata()
			}
			enc := m.AppendTo(nil, v)
			var got JoinGroupResponse
			b.SetBytes(int64(len(enc)))
			b.ReportAllocs()
			for b.Loop() {
				if err := got.DecodeFrom(enc, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOffsetCommitRequestAppend encodes a commit of 10 topics with 10
// partitions each into a reused buffer.
func BenchmarkOffsetCommitRequestAppend(b *testing.B) {
	for _, v := range []int16{7, 9} {
		b.Run("v"+strconv.Itoa(int(v)), func(b *testing.B) {
			m := groupOffsetCommitRequest(v, 0, 10, 10)
			buf := m.AppendTo(nil, v)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				buf = m.AppendTo(buf[:0], v)
			}
		})
	}
}

// BenchmarkConsumerProtocolSubscriptionDecode decodes one member's metadata
// into a reused struct, as a group leader does for every member.
func BenchmarkConsumerProtocolSubscriptionDecode(b *testing.B) {
	enc := groupBenchMetadata()
	var got ConsumerProtocolSubscription
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if err := got.DecodeFrom(enc); err != nil {
			b.Fatal(err)
		}
	}
}
