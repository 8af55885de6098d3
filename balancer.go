package kafka

import (
	"encoding/binary"
	"hash"
	"hash/crc32"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
)

// Balancer chooses the partition a Writer sends a message to.
//
// Implementations must be safe for concurrent use: one Writer calls Balance
// from many goroutines at once. Balance must not retain msg or its Key,
// Value and Headers slices after it returns (they belong to the caller and
// may be reused at once), nor the partitions slice.
type Balancer interface {
	// Balance returns the partition msg goes to; it must be one of
	// partitions, which is never empty. A Writer passes the topic's
	// partition IDs in ascending order.
	//
	// Use one balancer per topic: LeastBytes and Sticky take a different
	// partitions list for a change of the topic's layout and reset what
	// they learned, and RoundRobin shares one position among all lists.
	Balance(msg Message, partitions ...int) (partition int)
}

// BalancerFunc adapts an ordinary function to the Balancer interface.
type BalancerFunc func(Message, ...int) int

// Balance calls f(msg, partitions...).
func (f BalancerFunc) Balance(msg Message, partitions ...int) int {
	return f(msg, partitions...)
}

// RoundRobin is a Balancer that deals messages to the partitions in turn,
// ChunkSize messages at a time: with ChunkSize 3 and partitions [0 1 2] the
// sequence is 0 0 0 1 1 1 2 2 2 0 ... Sending runs of messages to one
// partition makes the Writer's batches bigger. The zero value deals one
// message at a time and is ready to use; the cycle position is shared by
// all callers and advanced atomically, so Balance takes no lock.
//
// A RoundRobin must not be copied after first use.
type RoundRobin struct {
	// ChunkSize is how many consecutive messages go to the same partition;
	// values below 1 mean 1. Set it before first use.
	ChunkSize int

	// counter counts the messages balanced so far. It is 32 bits wide, as
	// in kafka-go, so the sequence wraps the same way after 2^32 messages.
	counter atomic.Uint32
}

// Balance returns the next partition of the cycle; msg is ignored.
func (rr *RoundRobin) Balance(msg Message, partitions ...int) int {
	return rr.next(partitions)
}

// next is Balance without the message. It divides only when it must:
// two 64-bit divisions were 13 ns of a 235 ns asynchronous write to one
// partition (a 30-million-message kbench profile); 32-bit ones are faster.
func (rr *RoundRobin) next(partitions []int) int {
	n := rr.counter.Add(1) - 1
	if len(partitions) == 1 {
		return partitions[0]
	}
	if chunk := rr.ChunkSize; chunk > 1 {
		if uint64(chunk) > math.MaxUint32 {
			n = 0 // a counter of 32 bits is below the chunk
		} else {
			n /= uint32(chunk)
		}
	}
	return partitions[n%uint32(len(partitions))] // a topic has at most 2^31 partitions
}

// LeastBytes is a Balancer that sends each message to the partition that
// has been given the fewest bytes (key plus value) so far, the lowest
// partition ID winning ties. It only counts what this balancer assigned:
// producers do not coordinate, so several producers stay even only if each
// of them does. When the partitions list holds other partitions than in the
// previous call the counts start again from zero (a mere change of order
// keeps them). The zero value is ready to use.
//
// A LeastBytes must not be copied after first use.
type LeastBytes struct {
	mu sync.Mutex
	// counters is sorted by partition ID, so the first minimum found is the
	// lowest ID.
	counters []leastBytesCounter
	// seen is a copy of the partitions list the counters were built for.
	seen []int
}

type leastBytesCounter struct {
	partition int
	bytes     uint64
}

// Balance returns the least-loaded partition and charges it
// len(msg.Key)+len(msg.Value) bytes.
func (lb *LeastBytes) Balance(msg Message, partitions ...int) int {
	lb.mu.Lock()
	if !slices.Equal(lb.seen, partitions) {
		lb.update(partitions)
	}
	best := 0
	for i := 1; i < len(lb.counters); i++ {
		if lb.counters[i].bytes < lb.counters[best].bytes {
			best = i
		}
	}
	c := &lb.counters[best]
	c.bytes += uint64(len(msg.Key)) + uint64(len(msg.Value))
	p := c.partition
	lb.mu.Unlock()
	return p
}

// update handles a partitions list that differs from the last one: the
// same partitions in another order keep their counts, anything else
// rebuilds the counters from zero. Both reuse the slices' capacity.
func (lb *LeastBytes) update(partitions []int) {
	lb.seen = append(lb.seen[:0], partitions...)
	slices.Sort(lb.seen)
	same := len(lb.seen) == len(lb.counters)
	for i := 0; same && i < len(lb.seen); i++ {
		same = lb.seen[i] == lb.counters[i].partition
	}
	if !same {
		lb.counters = lb.counters[:0]
		for _, p := range lb.seen {
			lb.counters = append(lb.counters, leastBytesCounter{partition: p})
		}
	}
	lb.seen = append(lb.seen[:0], partitions...)
}

// Hash is a Balancer that sends messages with the same key to the same
// partition, compatible with Sarama's default hash partitioner (and
// librdkafka's "fnv1a"):
//
//	index = |int32(hasher.Sum32()) % int32(len(partitions))|
//	partition = partitions[index]
//
// Hasher defaults to 32-bit FNV-1a, computed inline without allocating. A
// custom Hasher is reset and fed the key under a lock, so it is shared
// safely but serializes callers; it must not be changed after first use.
// Messages with a nil key are dealt round-robin. kafka-go returns the index
// itself, which is the same partition when, as from a Writer, partitions
// is 0..n-1.
//
// A Hash must not be copied after first use.
type Hash struct {
	rr RoundRobin
	// Hasher hashes the keys; nil means FNV-1a.
	Hasher hash.Hash32

	mu sync.Mutex
}

// Balance returns the partition for msg.Key; see the type's comment.
func (h *Hash) Balance(msg Message, partitions ...int) int {
	if msg.Key == nil {
		return h.rr.next(partitions)
	}
	idx := int32(sum32(&h.mu, h.Hasher, msg.Key)) % int32(len(partitions))
	if idx < 0 {
		idx = -idx
	}
	return partitions[idx]
}

// ReferenceHash is a Balancer that sends messages with the same key to the
// same partition, compatible with Sarama's reference hash partitioner:
//
//	index = (int32(hasher.Sum32()) & 0x7fffffff) % len(partitions)
//	partition = partitions[index]
//
// It differs from Hash only in making the hash positive by clearing the
// sign bit instead of negating the remainder, and in sending messages with
// a nil key to a random partition. Hasher defaults to FNV-1a; the rules of
// Hash about a custom Hasher apply.
//
// A ReferenceHash must not be copied after first use.
type ReferenceHash struct {
	// Hasher hashes the keys; nil means FNV-1a.
	Hasher hash.Hash32

	mu sync.Mutex
}

// Balance returns the partition for msg.Key; see the type's comment.
func (h *ReferenceHash) Balance(msg Message, partitions ...int) int {
	if msg.Key == nil {
		return randomPartition(partitions)
	}
	idx := (int32(sum32(&h.mu, h.Hasher, msg.Key)) & 0x7fffffff) % int32(len(partitions))
	return partitions[idx]
}

// sum32 hashes key with hasher under mu, or with inline FNV-1a when hasher
// is nil. A hasher's Write error is a broken contract (hash.Hash never
// fails) and panics.
func sum32(mu *sync.Mutex, hasher hash.Hash32, key []byte) uint32 {
	if hasher == nil {
		return fnv1a32(key)
	}
	mu.Lock()
	hasher.Reset()
	if _, err := hasher.Write(key); err != nil {
		mu.Unlock()
		panic(err)
	}
	s := hasher.Sum32()
	mu.Unlock()
	return s
}

// fnv1a32 is 32-bit FNV-1a, as hash/fnv.New32a computes it.
func fnv1a32(key []byte) uint32 {
	const (
		offset32 = 2166136261
		prime32  = 16777619
	)
	h := uint32(offset32)
	for _, c := range key {
		h ^= uint32(c)
		h *= prime32
	}
	return h
}

// randomPartition picks a partition uniformly at random. math/rand/v2's
// top-level functions are safe for concurrent use and take no lock.
func randomPartition(partitions []int) int {
	return partitions[rand.IntN(len(partitions))]
}

// CRC32Balancer is a Balancer compatible with librdkafka's hash
// partitioners (and so with confluent-kafka-go and the other clients built
// on librdkafka): a keyed message goes to
//
//	partitions[crc32.ChecksumIEEE(key) % len(partitions)]
//
// librdkafka makes no difference between a nil and an empty key. With
// Consistent false (the zero value) such messages go to a random partition,
// as librdkafka's default "consistent_random" does; with Consistent true
// they are hashed like any key (CRC-32 of nothing is 0, so they all land on
// partitions[0]), as "consistent" does. Unless every message has a key,
// leave Consistent false, or that partition gets all the keyless traffic.
//
// A CRC32Balancer has no state and may be copied.
type CRC32Balancer struct {
	// Consistent hashes nil and empty keys instead of spreading them
	// randomly.
	Consistent bool
}

// Balance returns the partition for msg.Key; see the type's comment.
func (b CRC32Balancer) Balance(msg Message, partitions ...int) int {
	if len(msg.Key) == 0 && !b.Consistent {
		return randomPartition(partitions)
	}
	return partitions[crc32.ChecksumIEEE(msg.Key)%uint32(len(partitions))]
}

// Murmur2Balancer is a Balancer compatible with the Java client's default
// partitioner for keyed records and with librdkafka's "murmur2" and
// "murmur2_random" partitioners: a message with a non-nil key goes to
//
//	partitions[(murmur2(key) & 0x7fffffff) % len(partitions)]
//
// where murmur2 is Kafka's Utils.murmur2 (MurmurHash2, seed 0x9747b28c) and
// the mask is Utils.toPositive. An empty non-nil key is an ordinary key and
// is hashed. With Consistent false (the zero value) a nil key goes to a
// random partition, as librdkafka's "murmur2_random" does; with Consistent
// true it is hashed like an empty key, as "murmur2" does. The Java client
// sends keyless records to a sticky partition instead; Sticky does that,
// with this hash for keyed messages.
//
// A Murmur2Balancer has no state and may be copied.
type Murmur2Balancer struct {
	// Consistent hashes nil keys (like empty ones) instead of spreading
	// them randomly.
	Consistent bool
}

// Balance returns the partition for msg.Key; see the type's comment.
func (b Murmur2Balancer) Balance(msg Message, partitions ...int) int {
	if msg.Key == nil && !b.Consistent {
		return randomPartition(partitions)
	}
	return murmur2Partition(msg.Key, partitions)
}

func murmur2Partition(key []byte, partitions []int) int {
	return partitions[(murmur2(key)&0x7fffffff)%uint32(len(partitions))]
}

// murmur2 is MurmurHash2 (32 bits) with Kafka's seed, bit for bit what the
// Java client's Utils.murmur2 returns (as an unsigned value): 4-byte
// little-endian blocks, then the 1 to 3 trailing bytes, then the final mix.
func murmur2(data []byte) uint32 {
	const (
		seed = 0x9747b28c
		m    = 0x5bd1e995
		r    = 24
	)
	h := uint32(seed) ^ uint32(len(data))
	for len(data) >= 4 {
		k := binary.LittleEndian.Uint32(data)
		k *= m
		k ^= k >> r
		k *= m
		h = h*m ^ k
		data = data[4:]
	}
	switch len(data) {
	case 3:
		h ^= uint32(data[2])<<16 | uint32(data[1])<<8 | uint32(data[0])
		h *= m
	case 2:
		h ^= uint32(data[1])<<8 | uint32(data[0])
		h *= m
	case 1:
		h ^= uint32(data[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

// DefaultStickyBatchBytes is the stint length of a Sticky balancer whose
// BatchBytes is not set: 16 KiB, the Java producer's default batch.size.
const DefaultStickyBatchBytes = 16384

// Sticky is a Balancer for mostly keyless traffic that keeps batches big, in
// the manner of the Java producer's built-in partitioner (KIP-480, refined
// by KIP-794 and KAFKA-14156). Keyed messages (Key non-nil, even empty) go
// to Keyed, by default the Java-compatible murmur2 hash, so a key lands
// where a Java producer would put it. Keyless messages (Key nil) all go to
// one sticky partition, picked at random, for a stint; then a new stint
// starts on another partition.
//
// The switching rule, exactly. Each keyless message is charged its size,
// len(Value) plus the lengths of its header keys and values, and marks the
// stint as having an open batch; OnBatchSent for the sticky partition
// clears that mark. Before a keyless message is assigned, a new stint
// starts if the current one has been charged
//
//   - at least BatchBytes, as long as OnBatchSent has never been called
//     (nobody reports batches, so bytes alone decide); otherwise
//   - at least BatchBytes and has no open batch, or at least twice
//     BatchBytes whatever its batches.
//
// The message that crosses the threshold still belongs to the old stint. A
// new stint's partition is drawn uniformly from the partitions other than
// the current one (the same one only if there is just one); the first
// stint, and a stint whose partition is no longer at its place in the
// partitions list, draws from all of them.
//
// Why: KIP-480 switched partitions whenever a new batch was needed, so a
// slow broker, whose batches filled up while it lagged, was given more
// data and slowed further. Counting bytes, as KIP-794 does, gives every
// stint the same amount whatever each broker's speed. Switching at exactly
// BatchBytes can split a batch, though (KAFKA-14156): with a long linger a
// partition sends 12 KiB on linger, takes 4 KiB more, and the stint moves
// on, leaving a 4 KiB batch to linger alone. Waiting, once BatchBytes is
// reached, until the open batch is handed off avoids those fragments; the
// 2x cap keeps a lingering batch from holding the stint for long.
//
// The zero value is ready to use and safe for concurrent use; a Sticky must
// not be copied after first use. Keyless messages take a short lock.
type Sticky struct {
	// BatchBytes is how many bytes of keyless messages one stint carries
	// at least; values below 1 mean DefaultStickyBatchBytes. It should
	// match the Writer's BatchBytes. Set it before first use.
	BatchBytes int
	// Keyed balances messages with a non-nil key; nil means
	// Murmur2Balancer (the Java client's default for keyed records). Set
	// it before first use.
	Keyed Balancer

	mu      sync.Mutex
	started bool // a stint is running
	hooked  bool // OnBatchSent has been called
	open    bool // the stint assigned keyless bytes not yet reported sent
	index   int  // index of the sticky partition in the last list seen
	current int  // the sticky partition
	charged int  // bytes of keyless messages assigned in the running stint
}

// Balance returns the partition for msg; see the type's comment.
func (s *Sticky) Balance(msg Message, partitions ...int) int {
	if msg.Key != nil {
		if s.Keyed != nil {
			return s.Keyed.Balance(msg, partitions...)
		}
		return murmur2Partition(msg.Key, partitions)
	}
	size := len(msg.Value)
	for i := range msg.Headers {
		size += len(msg.Headers[i].Key) + len(msg.Headers[i].Value)
	}
	limit := s.BatchBytes
	if limit < 1 {
		limit = DefaultStickyBatchBytes
	}

	s.mu.Lock()
	switch {
	case !s.started || s.index >= len(partitions) || partitions[s.index] != s.current:
		s.startStint(rand.IntN(len(partitions)), partitions)
	case s.charged >= limit && (!s.hooked || !s.open) || s.charged >= 2*limit:
		next := 0
		if len(partitions) > 1 {
			// Draw from the n-1 others by skipping over the current index.
			next = rand.IntN(len(partitions) - 1)
			if next >= s.index {
				next++
			}
		}
		s.startStint(next, partitions)
	}
	s.charged += size
	s.open = true
	p := s.current
	s.mu.Unlock()
	return p
}

func (s *Sticky) startStint(index int, partitions []int) {
	s.started = true
	s.open = false
	s.index = index
	s.current = partitions[index]
	s.charged = 0
}

// OnBatchSent is the hook a Writer calls when it closes a batch for
// partition and hands it off for sending (because it is full or its linger
// time expired), not when the broker answers, so a slow broker does not
// stretch stints. For the sticky partition it tells the balancer that the
// stint has no open batch, so a stint past BatchBytes may end; reports for
// other partitions are ignored. The first call also switches the balancer
// from the bytes-only rule to the batch-aware one (see the type's comment).
// It is safe to call concurrently with Balance.
func (s *Sticky) OnBatchSent(partition int) {
	s.mu.Lock()
	s.hooked = true
	if s.started && partition == s.current {
		s.open = false
	}
	s.mu.Unlock()
}
