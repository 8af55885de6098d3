package kafka

import (
	"hash/crc32"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// identity returns the partitions list 0..n-1, as a Writer passes it.
func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

// squares returns a partitions list whose IDs differ from their indexes,
// to catch a balancer returning an index instead of partitions[index].
func squares(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i * i
	}
	return p
}

// javaMurmur2 is Kafka's Utils.murmur2 transcribed the way Java computes
// it: signed 32-bit ints with wrapping multiplication, >>> as a shift of
// the unsigned view, and the tail handled by a falling-through switch. It
// is deliberately written differently from murmur2 (no encoding/binary,
// index arithmetic instead of re-slicing) so the two check each other.
func javaMurmur2(data []byte) int32 {
	length := int32(len(data))
	const m int32 = 0x5bd1e995
	seed := int32(-1756908916) // 0x9747b28c as a Java int
	h := seed ^ length
	for i := int32(0); i < length/4; i++ {
		i4 := i * 4
		k := int32(data[i4]) + int32(data[i4+1])<<8 + int32(data[i4+2])<<16 + int32(data[i4+3])<<24
		k *= m
		k ^= int32(uint32(k) >> 24)
		k *= m
		h *= m
		h ^= k
	}
	tail := length &^ 3
	switch length % 4 {
	case 3:
		h ^= int32(data[tail+2]) << 16
		fallthrough
	case 2:
		h ^= int32(data[tail+1]) << 8
		fallthrough
	case 1:
		h ^= int32(data[tail])
		h *= m
	}
	h ^= int32(uint32(h) >> 13)
	h *= m
	h ^= int32(uint32(h) >> 15)
	return h
}

// javaPartition is the Java default partitioner for a keyed record:
// Utils.toPositive(Utils.murmur2(keyBytes)) % numPartitions.
func javaPartition(key []byte, numPartitions int) int {
	return int((javaMurmur2(key) & 0x7fffffff) % int32(numPartitions))
}

// Published murmur2 vectors, as the unsigned bits of the Java int that
// Utils.murmur2 returns. Sources that print Java ints are quoted as such
// through javaInt; sources that print bit patterns are quoted in hex.
var murmur2Vectors = []struct {
	key  string
	want uint32
}{
	// Apache Kafka, clients/src/test/java/org/apache/kafka/common/utils/
	// UtilsTest.java, testMurmur2 (Java ints). Taken from the identical
	// quotations in ruby-kafka's spec/partitioner_spec.rb and several other
	// ports' tests; the Apache file itself was not at hand.
	{"21", javaInt(-973932308)},
	{"foobar", javaInt(-790332482)},
	{"a-little-bit-long-string", javaInt(-985981536)},
	{"a-little-bit-longer-string", javaInt(-1486304829)},
	{"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", javaInt(-58897971)},
	{"abc", javaInt(479470107)},
	// librdkafka, src/rdmurmur2.c, unittest_murmur2 (java_murmur2_results,
	// bit patterns).
	{"kafka", 0xd067cf64},
	{"giberish123456789", 0x8f552b0c},
	{"1234", 0x9fc97b14},
	{"234", 0xe7c009ca},
	{"34", 0x873930da},
	{"4", 0x5a4b5ca1},
	{"PreAmbleWillBeRemoved,ThePrePartThatIs", 0x78424f1c},
	{"reAmbleWillBeRemoved,ThePrePartThatIs", 0x4a62b377},
	{"eAmbleWillBeRemoved,ThePrePartThatIs", 0xe0e4e09e},
	{"AmbleWillBeRemoved,ThePrePartThatIs", 0x62b8b43f},
	{"", 0x106e08d9},
	// KafkaJS, src/producer/partitioners/defaultJava/murmur2.spec.js,
	// generated there by running Kafka's murmur2 in Java (Java ints).
	{"0", javaInt(971027396)},
	{"1", javaInt(-1993445489)},
	{"128", javaInt(-326012175)},
	{"2187", javaInt(-1508407203)},
	{"279936", javaInt(1462227128)},
	{"2097152", javaInt(607668903)},
	{"100:48069", javaInt(1009543857)},
}

// librdkafkaMurmur2Positive are librdkafka's tests/0048-partitioner.c
// expectations for its "murmur2" partitioner: toPositive(murmur2(key)),
// before the modulo.
var librdkafkaMurmur2Positive = map[string]uint32{
	"":       0x106e08d9,
	"23456":  0x058d780f,
	"hejsan": 0x5ec19395,
	"this is another string with more length to it perhaps": 0x4f7703da,
}

// javaInt reinterprets a Java int as the bits murmur2 returns.
func javaInt(v int32) uint32 { return uint32(v) }

func TestMurmur2Vectors(t *testing.T) {
	for _, v := range murmur2Vectors {
		if got := murmur2([]byte(v.key)); got != v.want {
			t.Errorf("murmur2(%q) = %#x, want %#x", v.key, got, v.want)
		}
		if got := uint32(javaMurmur2([]byte(v.key))); got != v.want {
			t.Errorf("javaMurmur2(%q) = %#x, want %#x (the test's reference is wrong)", v.key, got, v.want)
		}
	}
	if murmur2(nil) != 0x106e08d9 {
		t.Errorf("murmur2(nil) = %#x, want the empty key's hash", murmur2(nil))
	}
}

// TestMurmur2MatchesJavaReference compares murmur2 with the Java-style
// transcription on random keys of every length up to 70 bytes, all byte
// values included (Java's signed bytes are masked with 0xff).
func TestMurmur2MatchesJavaReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	key := make([]byte, 0, 70)
	for n := 0; n <= 70; n++ {
		for range 50 {
			key = key[:n]
			for i := range key {
				key[i] = byte(r.Uint32())
			}
			if got, want := murmur2(key), uint32(javaMurmur2(key)); got != want {
				t.Fatalf("murmur2(%x) = %#x, Java reference %#x", key, got, want)
			}
		}
	}
}

// TestMurmur2BalancerJavaPartition checks the partition choice, not just
// the hash, against toPositive(murmur2(key)) % numPartitions.
func TestMurmur2BalancerJavaPartition(t *testing.T) {
	var b Murmur2Balancer
	for _, n := range []int{1, 2, 3, 7, 17, 21, 100, 1000} {
		ids := identity(n)
		sq := squares(n)
		for _, v := range murmur2Vectors {
			key := []byte(v.key)
			want := javaPartition(key, n)
			if want != int(v.want&0x7fffffff)%n {
				t.Fatalf("reference partition of %q mismatches the published hash", v.key)
			}
			if got := b.Balance(Message{Key: key}, ids...); got != want {
				t.Errorf("n=%d key %q: partition %d, Java %d", n, v.key, got, want)
			}
			if got := b.Balance(Message{Key: key}, sq...); got != sq[want] {
				t.Errorf("n=%d key %q over squares: partition %d, want %d", n, v.key, got, sq[want])
			}
		}
	}
	// librdkafka tests/0048-partitioner.c runs 7 or 17 partitions; its
	// "murmur2" partitioner hashes the empty key too.
	for _, n := range []int{7, 17} {
		ids := identity(n)
		for key, positive := range librdkafkaMurmur2Positive {
			want := int(positive % uint32(n))
			if got := b.Balance(Message{Key: []byte(key)}, ids...); got != want {
				t.Errorf("n=%d key %q: partition %d, librdkafka %d", n, key, got, want)
			}
			if murmur2([]byte(key))&0x7fffffff != positive {
				t.Errorf("toPositive(murmur2(%q)) = %#x, librdkafka %#x", key, murmur2([]byte(key))&0x7fffffff, positive)
			}
		}
	}
}

// distinct calls balance count times and returns the set of partitions it
// chose, failing if one is not in partitions.
func distinct(t *testing.T, count int, partitions []int, balance func() int) map[int]bool {
	t.Helper()
	seen := map[int]bool{}
	for range count {
		p := balance()
		if !slices.Contains(partitions, p) {
			t.Fatalf("partition %d not in %v", p, partitions)
		}
		seen[p] = true
	}
	return seen
}

func TestMurmur2BalancerNilKeys(t *testing.T) {
	parts := squares(17)
	emptyWant := parts[librdkafkaMurmur2Positive[""]%17]

	// Consistent false: nil keys spread randomly (the chance that 500 draws
	// from 17 partitions hit at most 2 is negligible), empty keys hash.
	random := Murmur2Balancer{}
	seen := distinct(t, 500, parts, func() int { return random.Balance(Message{}, parts...) })
	if len(seen) < 3 {
		t.Errorf("nil keys with Consistent=false went to only %v", seen)
	}
	for range 20 {
		if p := random.Balance(Message{Key: []byte{}}, parts...); p != emptyWant {
			t.Fatalf("empty key went to %d, want %d always", p, emptyWant)
		}
	}

	// Consistent true: nil keys hash like the empty key.
	consistent := Murmur2Balancer{Consistent: true}
	for range 20 {
		if p := consistent.Balance(Message{}, parts...); p != emptyWant {
			t.Fatalf("nil key with Consistent=true went to %d, want %d", p, emptyWant)
		}
	}
}

// bitwiseCRC32 is CRC-32/IEEE computed bit by bit from its definition
// (reflected polynomial 0xedb88320, initial and final inversion).
func bitwiseCRC32(data []byte) uint32 {
	crc := ^uint32(0)
	for _, c := range data {
		crc ^= uint32(c)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xedb88320
			} else {
				crc >>= 1
			}
		}
	}
	return ^crc
}

func TestCRC32BalancerLibrdkafka(t *testing.T) {
	// librdkafka, tests/0048-partitioner.c: CRC-32 values of its keys, used
	// there for the "consistent" and "consistent_random" partitioners.
	vectors := map[string]uint32{
		"":       0,
		"23456":  0xb1b451d7,
		"hejsan": 0xd077037e,
		"this is another string with more length to it perhaps": 0xb0150df7,
	}
	for key, want := range vectors {
		if got := bitwiseCRC32([]byte(key)); got != want {
			t.Fatalf("reference CRC of %q = %#x, librdkafka %#x", key, got, want)
		}
	}
	for _, n := range []int{1, 7, 17, 50} {
		parts := squares(n)
		for key, sum := range vectors {
			if key == "" {
				continue
			}
			want := parts[sum%uint32(n)]
			for _, b := range []CRC32Balancer{{}, {Consistent: true}} {
				if got := b.Balance(Message{Key: []byte(key)}, parts...); got != want {
					t.Errorf("n=%d key %q Consistent=%v: %d, want %d", n, key, b.Consistent, got, want)
				}
			}
		}
	}
	// Random keys against the bitwise reference.
	r := rand.New(rand.NewPCG(3, 4))
	parts := identity(21)
	key := make([]byte, 40)
	for range 200 {
		k := key[:r.IntN(len(key))+1]
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		if got, want := (CRC32Balancer{}).Balance(Message{Key: k}, parts...), int(bitwiseCRC32(k)%21); got != want {
			t.Fatalf("key %x: %d, want %d", k, got, want)
		}
	}
}

func TestCRC32BalancerNilAndEmptyKeys(t *testing.T) {
	parts := squares(17)
	random := CRC32Balancer{}
	for _, key := range [][]byte{nil, {}} {
		seen := distinct(t, 500, parts, func() int { return random.Balance(Message{Key: key}, parts...) })
		if len(seen) < 3 {
			t.Errorf("key %v with Consistent=false went to only %v", key, seen)
		}
	}
	// "consistent": CRC-32 of no bytes is 0, so both go to partitions[0].
	consistent := CRC32Balancer{Consistent: true}
	for range 20 {
		if p := consistent.Balance(Message{}, parts...); p != parts[0] {
			t.Fatalf("nil key: %d, want %d", p, parts[0])
		}
		if p := consistent.Balance(Message{Key: []byte{}}, parts...); p != parts[0] {
			t.Fatalf("empty key: %d, want %d", p, parts[0])
		}
	}
}

// fnvVectors are librdkafka's 32-bit FNV-1a results, from src/rdfnv1a.c,
// unittest_fnv1a (golang_hashfnv_results, produced there with Go's
// hash/fnv) and tests/0048-partitioner.c ("fnv1a" expectations).
// librdkafka stores |int32(sum)|, the value Sarama's partitioner reduces,
// so that is what they hold.
var fnvVectors = map[string]uint32{
	"kafka":             0x0d33c4e1,
	"giberish123456789": 0x77a58295,
	"1234":              0x023bdd03,
	"234":               0x2dea3cd2,
	"":                  0x7ee3623b,
	"23456":             0x27e6f469,
	"hejsan":            0x17b1e27a,
	"this is another string with more length to it perhaps": 0x155e3e5f,
}

// absInt32 is |int32(sum)|, as librdkafka's rd_fnv1a returns it.
func absInt32(sum uint32) uint32 {
	if v := int32(sum); v < 0 {
		return uint32(-v)
	}
	return sum
}

// stdFNV1a is hash/fnv's 32-bit FNV-1a, the independent reference.
func stdFNV1a(key []byte) uint32 {
	h := fnv.New32a()
	h.Write(key)
	return h.Sum32()
}

// saramaIndex is Sarama's hash partitioner: int32(sum) % n, negated when
// negative.
func saramaIndex(sum uint32, n int) int {
	i := int32(sum) % int32(n)
	if i < 0 {
		i = -i
	}
	return int(i)
}

func TestHashBalancerFNV1a(t *testing.T) {
	for key, want := range fnvVectors {
		if got := absInt32(fnv1a32([]byte(key))); got != want {
			t.Errorf("|fnv1a32(%q)| = %#x, librdkafka %#x", key, got, want)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	key := make([]byte, 33)
	h := fnv.New32a()
	for range 200 {
		k := key[:r.IntN(len(key))]
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		h.Reset()
		h.Write(k)
		if got, want := fnv1a32(k), h.Sum32(); got != want {
			t.Fatalf("fnv1a32(%x) = %#x, hash/fnv %#x", k, got, want)
		}
	}

	for _, n := range []int{1, 5, 17, 50} {
		parts := squares(n)
		for _, hasher := range []string{"default", "fnv.New32a", "crc32"} {
			var b Hash
			sum := stdFNV1a
			switch hasher {
			case "fnv.New32a":
				b.Hasher = fnv.New32a()
			case "crc32":
				b.Hasher = crc32.NewIEEE()
				sum = crc32.ChecksumIEEE
			}
			for key := range fnvVectors {
				want := parts[saramaIndex(sum([]byte(key)), n)]
				for range 3 {
					if got := b.Balance(Message{Key: []byte(key)}, parts...); got != want {
						t.Fatalf("%s n=%d key %q: %d, want %d", hasher, n, key, got, want)
					}
				}
			}
		}
	}
	// The empty key's sum, 0x811c9dc5, is negative as an int32, which
	// takes the negation path: -2128831035 % 7 = -2 in Go and Java, so
	// index 2.
	if got := (&Hash{}).Balance(Message{Key: []byte{}}, identity(7)...); got != 2 {
		t.Errorf("empty key over 7 partitions: %d, want 2", got)
	}
}

func TestHashBalancerConsistency(t *testing.T) {
	var b Hash
	// Same key, same partition; a list with other IDs but the same length
	// gives the partition at the same index.
	ids, sq := identity(13), squares(13)
	for i := range 100 {
		key := []byte{byte(i), byte(i * 7), 'k'}
		a := b.Balance(Message{Key: key}, ids...)
		if b.Balance(Message{Key: key}, ids...) != a {
			t.Fatalf("key %x moved", key)
		}
		if got := b.Balance(Message{Key: key}, sq...); got != sq[a] {
			t.Fatalf("key %x over squares: %d, want %d", key, got, sq[a])
		}
	}
	// Nil keys are dealt round-robin.
	var rr Hash
	for i := range 30 {
		if got := rr.Balance(Message{}, sq...); got != sq[i%13] {
			t.Fatalf("nil key %d: %d, want %d", i, got, sq[i%13])
		}
	}
}

func TestReferenceHashBalancer(t *testing.T) {
	for _, n := range []int{1, 5, 17} {
		parts := squares(n)
		for _, custom := range []bool{false, true} {
			b := &ReferenceHash{}
			if custom {
				b.Hasher = fnv.New32a()
			}
			for key := range fnvVectors {
				sum := stdFNV1a([]byte(key))
				want := parts[int((int32(sum)&0x7fffffff)%int32(n))]
				if got := b.Balance(Message{Key: []byte(key)}, parts...); got != want {
					t.Errorf("n=%d custom=%v key %q: %d, want %d", n, custom, key, got, want)
				}
			}
		}
	}
	// The two differ for a negative sum. The empty key's FNV-1a sum
	// 0x811c9dc5 is -2128831035 as an int32: Hash takes |-2128831035 % 10|
	// = 5, ReferenceHash (0x811c9dc5 & 0x7fffffff) % 10 = 18652613 % 10 = 3.
	h, r := 5, 3
	if saramaIndex(0x811c9dc5, 10) != h {
		t.Fatalf("test premise: Sarama index %d", saramaIndex(0x811c9dc5, 10))
	}
	if got := (&Hash{}).Balance(Message{Key: []byte{}}, identity(10)...); got != h {
		t.Errorf("Hash of empty key: %d, want %d", got, h)
	}
	if got := (&ReferenceHash{}).Balance(Message{Key: []byte{}}, identity(10)...); got != r {
		t.Errorf("ReferenceHash of empty key: %d, want %d", got, r)
	}
	// Nil keys go to random partitions.
	parts := squares(17)
	var b ReferenceHash
	if seen := distinct(t, 500, parts, func() int { return b.Balance(Message{}, parts...) }); len(seen) < 3 {
		t.Errorf("nil keys went to only %v", seen)
	}
}

func TestRoundRobinBalancer(t *testing.T) {
	parts := squares(4)
	for _, chunk := range []int{-1, 0, 1, 2, 3, 5} {
		rr := &RoundRobin{ChunkSize: chunk}
		c := max(chunk, 1)
		for i := range 60 {
			want := parts[(i/c)%len(parts)]
			if got := rr.Balance(Message{Key: []byte("ignored")}, parts...); got != want {
				t.Fatalf("ChunkSize %d, message %d: %d, want %d", chunk, i, got, want)
			}
		}
	}
	// The sequence, across the counter's wrap at 2^32, is the 64-bit
	// formula's for any chunk size and partition count (next takes
	// shortcuts around its divisions).
	for _, chunk := range []int{0, 1, 2, 7, 1 << 20, math.MaxUint32, math.MaxUint32 + 1, math.MaxInt} {
		for _, n := range []int{1, 2, 3, 64, 1000} {
			parts := squares(n)
			rr := &RoundRobin{ChunkSize: chunk}
			rr.counter.Store(math.MaxUint32 - 5)
			for i := range 12 {
				c := uint32(math.MaxUint32 - 5 + i) // wraps
				want := parts[int(uint64(c)/uint64(max(chunk, 1)))%n]
				if got := rr.next(parts); got != want {
					t.Fatalf("ChunkSize %d, %d partitions, counter %d: %d, want %d", chunk, n, c, got, want)
				}
			}
		}
	}
	// The counter is shared across partition lists, as in kafka-go.
	var rr RoundRobin
	rr.Balance(Message{}, 0, 1, 2)
	if got := rr.Balance(Message{}, 7, 8); got != 8 {
		t.Errorf("second message over [7 8]: %d, want 8", got)
	}
}

func TestLeastBytesBalancer(t *testing.T) {
	var lb LeastBytes
	parts := []int{5, 2, 9} // unsorted: ties go to the lowest ID
	steps := []struct {
		value int
		want  int
	}{
		{10, 2}, // all 0: lowest ID
		{1, 5},  // 2 has 10
		{3, 9},  // 5 has 1, 9 has 0
		{1, 5},  // 5:1 9:3 2:10
		{1, 5},  // 5:2 9:3 2:10
		{5, 5},  // 5:3 9:3 2:10, a tie: lowest ID
	}
	for i, s := range steps {
		if got := lb.Balance(Message{Value: make([]byte, s.value)}, parts...); got != s.want {
			t.Fatalf("step %d: %d, want %d", i, got, s.want)
		}
	}
	// Now 5:8 9:3 2:10. Key bytes count too.
	if got := lb.Balance(Message{Key: make([]byte, 20)}, parts...); got != 9 {
		t.Fatalf("want 9 (3 bytes), got %d", got)
	}
	if got := lb.Balance(Message{}, parts...); got != 5 {
		t.Fatalf("5 has 8, 2 has 10, 9 has 23: want 5, got %d", got)
	}
	// Now 5:8 9:23 2:10. The same partitions in another order keep their
	// counts.
	if got := lb.Balance(Message{Value: []byte("xyz")}, 2, 9, 5); got != 5 {
		t.Fatalf("reordered list: %d, want 5", got)
	}
	if got := lb.Balance(Message{}, 9, 5, 2); got != 2 {
		t.Fatalf("reordered list, 5:11 2:10: %d, want 2", got)
	}
	// A changed list restarts the counts.
	if got := lb.Balance(Message{Value: []byte("x")}, 9, 2); got != 2 {
		t.Fatalf("new list: %d, want 2", got)
	}
	if got := lb.Balance(Message{}, 9, 2); got != 9 {
		t.Fatalf("new list, 2:1 9:0: %d, want 9", got)
	}
	// Equal messages are dealt evenly.
	var even LeastBytes
	counts := map[int]int{}
	for range 300 {
		counts[even.Balance(Message{Value: []byte("abc")}, identity(6)...)]++
	}
	for p := range 6 {
		if counts[p] != 50 {
			t.Fatalf("partition %d got %d messages, want 50: %v", p, counts[p], counts)
		}
	}
}

func TestStickyBalancerKeyed(t *testing.T) {
	var s Sticky
	parts := identity(21)
	for _, v := range murmur2Vectors {
		key := []byte(v.key)
		if got, want := s.Balance(Message{Key: key}, parts...), javaPartition(key, 21); got != want {
			t.Errorf("key %q: %d, Java %d", v.key, got, want)
		}
	}
	custom := Sticky{Keyed: BalancerFunc(func(m Message, p ...int) int { return p[len(p)-1] })}
	if got := custom.Balance(Message{Key: []byte("k")}, parts...); got != 20 {
		t.Errorf("custom Keyed: %d, want 20", got)
	}
}

func TestStickyBalancerStints(t *testing.T) {
	s := Sticky{BatchBytes: 100}
	parts := squares(5)
	msg := Message{Value: make([]byte, 20), Headers: []Header{{Key: "h", Value: make([]byte, 9)}}} // 30 bytes
	prev := -1
	used := map[int]bool{}
	for stint := range 200 {
		// 100 bytes at 30 a message: charged 0, 30, 60, 90 before each of
		// four messages, then the fifth starts a new stint.
		p := s.Balance(msg, parts...)
		if !slices.Contains(parts, p) {
			t.Fatalf("partition %d not in %v", p, parts)
		}
		if p == prev {
			t.Fatalf("stint %d stayed on %d", stint, p)
		}
		for i := 1; i < 4; i++ {
			if got := s.Balance(msg, parts...); got != p {
				t.Fatalf("stint %d message %d: %d, want %d", stint, i, got, p)
			}
		}
		prev = p
		used[p] = true
	}
	if len(used) != len(parts) {
		t.Errorf("200 stints used only %v", used)
	}

	// Keyed messages do not count towards the stint.
	s = Sticky{BatchBytes: 100}
	p := s.Balance(Message{Value: make([]byte, 99)}, parts...)
	s.Balance(Message{Key: []byte("k"), Value: make([]byte, 1000)}, parts...)
	if got := s.Balance(Message{Value: []byte("x")}, parts...); got != p {
		t.Fatalf("after 99 keyless bytes: %d, want %d", got, p)
	}
	if got := s.Balance(Message{Value: []byte("x")}, parts...); got == p {
		t.Fatalf("after 100 keyless bytes still on %d", p)
	}

	// The default stint is DefaultStickyBatchBytes.
	var d Sticky
	p = d.Balance(Message{Value: make([]byte, DefaultStickyBatchBytes-1)}, parts...)
	if got := d.Balance(Message{Value: []byte("x")}, parts...); got != p {
		t.Fatalf("default stint ended early")
	}
	if got := d.Balance(Message{}, parts...); got == p {
		t.Fatalf("default stint did not end after %d bytes", DefaultStickyBatchBytes)
	}

	// One partition: every stint is on it.
	one := Sticky{BatchBytes: 1}
	for range 10 {
		if got := one.Balance(Message{Value: []byte("xy")}, 42); got != 42 {
			t.Fatalf("single partition: %d", got)
		}
	}
}

// stint sends keyless 30-byte messages through a new batch-aware Sticky
// with BatchBytes 100 until the partition changes, calling report(s, p, n)
// after the nth, and returns the first stint's partition and length.
func stint(t *testing.T, parts []int, report func(s *Sticky, p, n int)) (int, int) {
	t.Helper()
	s := &Sticky{BatchBytes: 100}
	s.OnBatchSent(-1) // batch-aware from now on; no partition is -1
	msg := Message{Value: make([]byte, 30)}
	p := s.Balance(msg, parts...)
	for n := 1; ; n++ {
		report(s, p, n)
		if n > 100 {
			t.Fatalf("stint on %d never ended", p)
		}
		if got := s.Balance(msg, parts...); got != p {
			return p, n
		}
	}
}

func TestStickyBalancerOnBatchSent(t *testing.T) {
	parts := identity(8)

	// Each message's batch reported sent at once: the stint ends at 100
	// bytes, after 4 messages, as without reports.
	p, n := stint(t, parts, func(s *Sticky, p, _ int) { s.OnBatchSent(p) })
	if n != 4 {
		t.Errorf("stint on %d with every batch sent took %d messages, want 4", p, n)
	}
	// No report: the open batch holds the stint until twice BatchBytes,
	// reached after 7 messages (210 bytes).
	p, n = stint(t, parts, func(*Sticky, int, int) {})
	if n != 7 {
		t.Errorf("stint on %d with its batch open took %d messages, want 7", p, n)
	}
	// The batch is sent after the 5th message (150 bytes): the 6th starts
	// a new stint.
	p, n = stint(t, parts, func(s *Sticky, p, n int) {
		if n == 5 {
			s.OnBatchSent(p)
		}
	})
	if n != 5 {
		t.Errorf("stint on %d whose batch was sent at 150 bytes took %d messages, want 5", p, n)
	}
	// Reports for other partitions do not close the stint's batch.
	p, n = stint(t, parts, func(s *Sticky, p, _ int) { s.OnBatchSent(p + 1) })
	if n != 7 {
		t.Errorf("stint on %d with other partitions' batches sent took %d messages, want 7", p, n)
	}
	// A report before BatchBytes does not end the stint early, and the
	// batch opened afterwards must be sent too before it can end.
	p, n = stint(t, parts, func(s *Sticky, p, n int) {
		if n == 1 || n == 6 {
			s.OnBatchSent(p)
		}
	})
	if n != 6 {
		t.Errorf("stint on %d with batches sent at 30 and 180 bytes took %d messages, want 6", p, n)
	}
}

func TestStickyBalancerPartitionsChange(t *testing.T) {
	s := Sticky{BatchBytes: 1 << 20}
	p := s.Balance(Message{}, 3)
	if p != 3 {
		t.Fatalf("single partition 3: got %d", p)
	}
	// 3 is gone: the stint moves into the new list.
	if got := s.Balance(Message{}, 4, 5, 6); got < 4 || got > 6 {
		t.Fatalf("new list [4 5 6]: got %d", got)
	}
	// Growing the list keeps a stint whose partition stays in place.
	s = Sticky{BatchBytes: 1 << 20}
	p = s.Balance(Message{}, 0, 1)
	if got := s.Balance(Message{}, 0, 1, 2, 3); got != p {
		t.Fatalf("grown list moved the stint from %d to %d", p, got)
	}
}

// balancerCases are one of each balancer, in the configurations the
// allocation, concurrency and benchmark tests run.
func balancerCases() []struct {
	name string
	b    Balancer
	msg  Message
} {
	key := []byte("user-1234567")
	value := make([]byte, 100)
	keyed := Message{Key: key, Value: value}
	keyless := Message{Value: value}
	return []struct {
		name string
		b    Balancer
		msg  Message
	}{
		{"RoundRobin", &RoundRobin{}, keyed},
		{"RoundRobinChunk", &RoundRobin{ChunkSize: 10}, keyed},
		{"LeastBytes", &LeastBytes{}, keyed},
		{"Hash", &Hash{}, keyed},
		{"HashNilKey", &Hash{}, keyless},
		{"HashCustomHasher", &Hash{Hasher: fnv.New32a()}, keyed},
		{"ReferenceHash", &ReferenceHash{}, keyed},
		{"ReferenceHashCustomHasher", &ReferenceHash{Hasher: crc32.NewIEEE()}, keyed},
		{"CRC32", CRC32Balancer{}, keyed},
		{"CRC32NilKey", CRC32Balancer{}, keyless},
		{"Murmur2", Murmur2Balancer{}, keyed},
		{"Murmur2NilKey", Murmur2Balancer{}, keyless},
		{"StickyKeyless", &Sticky{BatchBytes: 1000}, keyless},
		{"StickyKeyed", &Sticky{}, keyed},
		{"Func", BalancerFunc(func(m Message, p ...int) int { return p[len(m.Key)%len(p)] }), keyed},
	}
}

func TestBalancersConcurrent(t *testing.T) {
	const goroutines, calls = 8, 2000
	parts := identity(6)
	for _, c := range balancerCases() {
		t.Run(c.name, func(t *testing.T) {
			var wg sync.WaitGroup
			counts := make([][]int, goroutines)
			for g := range goroutines {
				counts[g] = make([]int, len(parts))
				wg.Go(func() {
					mine := slices.Clone(parts)
					for range calls {
						p := c.b.Balance(c.msg, mine...)
						if p < 0 || p >= len(parts) {
							t.Errorf("partition %d out of range", p)
							return
						}
						counts[g][p]++
						if s, ok := c.b.(*Sticky); ok && p%2 == 0 {
							s.OnBatchSent(p)
						}
					}
				})
			}
			wg.Wait()
			total := make([]int, len(parts))
			for g := range counts {
				for p, n := range counts[g] {
					total[p] += n
				}
			}
			// Balancers that spread exactly must still do so when shared.
			switch c.name {
			case "RoundRobin", "RoundRobinChunk", "LeastBytes":
				for p, n := range total {
					if want := goroutines * calls / len(parts); n < want-10 || n > want+10 {
						t.Errorf("partition %d got %d of %d calls: %v", p, n, goroutines*calls, total)
					}
				}
			}
		})
	}
}

func BenchmarkBalancers(b *testing.B) {
	parts := identity(12)
	for _, c := range balancerCases() {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var sink int
			for b.Loop() {
				sink += c.b.Balance(c.msg, parts...)
			}
			if sink < 0 {
				b.Fatal(sink)
			}
		})
	}
}
