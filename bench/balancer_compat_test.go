package bench

// Balancers against segmentio/kafka-go v0.4.51's: the same messages and
// partition lists must give the same partitions wherever kafka-go's choice
// is deterministic (keyed messages, and the round-robin and least-bytes
// sequences). Random choices for keyless messages cannot be compared.
//
//	cd bench && go test -run Balancer -bench Balancer -benchmem

import (
	"hash/fnv"
	"math/rand/v2"
	"testing"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/zeroalloc/kafka"
)

// randomKey returns a non-nil key of 0 to 40 random bytes.
func randomKey(r *rand.Rand) []byte {
	k := make([]byte, r.IntN(41))
	for i := range k {
		k[i] = byte(r.Uint32())
	}
	return k
}

func partitionList(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

func TestBalancerKeyedMatchesKafkaGo(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type pair struct {
		name   string
		ours   kafka.Balancer
		theirs kafkago.Balancer
	}
	pairs := []pair{
		{"Hash", &kafka.Hash{}, &kafkago.Hash{}},
		{"HashFNV", &kafka.Hash{Hasher: fnv.New32a()}, &kafkago.Hash{Hasher: fnv.New32a()}},
		{"HashFNV32", &kafka.Hash{Hasher: fnv.New32()}, &kafkago.Hash{Hasher: fnv.New32()}},
		{"ReferenceHash", &kafka.ReferenceHash{}, &kafkago.ReferenceHash{}},
		{"CRC32", kafka.CRC32Balancer{}, kafkago.CRC32Balancer{}},
		{"CRC32Consistent", kafka.CRC32Balancer{Consistent: true}, kafkago.CRC32Balancer{Consistent: true}},
		{"Murmur2", kafka.Murmur2Balancer{}, kafkago.Murmur2Balancer{}},
		{"Murmur2Consistent", kafka.Murmur2Balancer{Consistent: true}, kafkago.Murmur2Balancer{Consistent: true}},
	}
	for _, p := range pairs {
		for range 5000 {
			n := r.IntN(64) + 1
			parts := partitionList(n)
			key := randomKey(r)
			if len(key) == 0 && p.name == "CRC32" {
				continue // random in both
			}
			ours := p.ours.Balance(kafka.Message{Key: key}, parts...)
			theirs := p.theirs.Balance(kafkago.Message{Key: key}, parts...)
			if ours != theirs {
				t.Fatalf("%s: key %x over %d partitions: ours %d, kafka-go %d", p.name, key, n, ours, theirs)
			}
		}
	}
	// Consistent balancers hash nil keys too.
	for _, n := range []int{1, 7, 17, 100} {
		parts := partitionList(n)
		if o, k := (kafka.CRC32Balancer{Consistent: true}).Balance(kafka.Message{}, parts...),
			(kafkago.CRC32Balancer{Consistent: true}).Balance(kafkago.Message{}, parts...); o != k {
			t.Errorf("CRC32 consistent nil key, %d partitions: ours %d, kafka-go %d", n, o, k)
		}
		if o, k := (kafka.Murmur2Balancer{Consistent: true}).Balance(kafka.Message{}, parts...),
			(kafkago.Murmur2Balancer{Consistent: true}).Balance(kafkago.Message{}, parts...); o != k {
			t.Errorf("Murmur2 consistent nil key, %d partitions: ours %d, kafka-go %d", n, o, k)
		}
	}
}

func TestBalancerSequencesMatchKafkaGo(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for chunk := -1; chunk <= 4; chunk++ {
		ours, theirs := &kafka.RoundRobin{ChunkSize: chunk}, &kafkago.RoundRobin{ChunkSize: chunk}
		parts := partitionList(5)
		for i := range 100 {
			if o, k := ours.Balance(kafka.Message{}, parts...), theirs.Balance(kafkago.Message{}, parts...); o != k {
				t.Fatalf("RoundRobin ChunkSize %d, message %d: ours %d, kafka-go %d", chunk, i, o, k)
			}
		}
	}
	// Hash deals nil keys round-robin in both.
	oh, th := &kafka.Hash{}, &kafkago.Hash{}
	for i := range 50 {
		if o, k := oh.Balance(kafka.Message{}, 0, 1, 2), th.Balance(kafkago.Message{}, 0, 1, 2); o != k {
			t.Fatalf("Hash nil key %d: ours %d, kafka-go %d", i, o, k)
		}
	}
	ol, tl := &kafka.LeastBytes{}, &kafkago.LeastBytes{}
	parts := partitionList(7)
	for i := range 2000 {
		key, value := randomKey(r), randomKey(r)
		o := ol.Balance(kafka.Message{Key: key, Value: value}, parts...)
		k := tl.Balance(kafkago.Message{Key: key, Value: value}, parts...)
		if o != k {
			t.Fatalf("LeastBytes message %d: ours %d, kafka-go %d", i, o, k)
		}
	}
}

// BenchmarkBalancerVsKafkaGo times one Balance call of each kind, with a
// 12-byte key and a 100-byte value over 12 partitions.
func BenchmarkBalancerVsKafkaGo(b *testing.B) {
	parts := partitionList(12)
	key, value := []byte("user-1234567"), make([]byte, 100)
	ourMsg := kafka.Message{Key: key, Value: value}
	theirMsg := kafkago.Message{Key: key, Value: value}
	cases := []struct {
		name   string
		ours   kafka.Balancer
		theirs kafkago.Balancer
	}{
		{"RoundRobin", &kafka.RoundRobin{}, &kafkago.RoundRobin{}},
		{"LeastBytes", &kafka.LeastBytes{}, &kafkago.LeastBytes{}},
		{"Hash", &kafka.Hash{}, &kafkago.Hash{}},
		{"ReferenceHash", &kafka.ReferenceHash{}, &kafkago.ReferenceHash{}},
		{"CRC32", kafka.CRC32Balancer{}, kafkago.CRC32Balancer{}},
		{"Murmur2", kafka.Murmur2Balancer{}, kafkago.Murmur2Balancer{}},
	}
	for _, c := range cases {
		b.Run(c.name+"/zeroalloc", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				balancerSink += c.ours.Balance(ourMsg, parts...)
			}
		})
		b.Run(c.name+"/kafka-go", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				balancerSink += c.theirs.Balance(theirMsg, parts...)
			}
		})
	}
}

// balancerSink keeps the benchmarked calls from being optimized away.
var balancerSink int
