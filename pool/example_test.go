package pool_test

import (
	"fmt"

	"github.com/zeroalloc/kafka/pool"
)

// One pool per buffer role, declared once by the client, each with a cap
// that suits its role. (These names and caps are illustrations.)
var (
	requestBuffers    = pool.NewBuffers(1 << 20) // encoded requests
	responseBuffers   = pool.NewBuffers(8 << 20) // response frames read from a socket
	decompressBuffers = pool.NewBuffers(8 << 20) // decompressed record batches
	batchBuffers      = pool.NewBuffers(1 << 20) // record batches being built
)

func ExampleNewBuffers() {
	for _, p := range []*pool.Buffers{requestBuffers, responseBuffers, decompressBuffers, batchBuffers} {
		fmt.Println(p.MaxCap())
	}
	fmt.Println(pool.NewBuffers(3000).MaxCap()) // rounded down to a power of two
	// Output:
	// 1048576
	// 8388608
	// 8388608
	// 1048576
	// 2048
}

func ExampleBuffers() {
	b := requestBuffers.Get(512) // typical size of this role's buffers
	b.B = append(b.B, "encoded request"...)
	fmt.Println(len(b.B), cap(b.B) >= 512)
	requestBuffers.Put(b) // b and b.B must not be used from here on

	// A buffer that outgrew the role's cap is dropped, not kept.
	r := responseBuffers.Get(16 << 20)
	responseBuffers.Put(r)
	fmt.Printf("%+v\n", responseBuffers.Stats())
	// Output:
	// 15 true
	// {Gets:1 Misses:1 Puts:1 Drops:1}
}

type header struct {
	Key   string
	Value []byte
}

func ExampleSlab() {
	headers := pool.NewSlab[header](4096)
	// Decoding one batch: each record's headers come from the slab.
	for record := range 3 {
		h := headers.Alloc(2)
		h[0] = header{Key: "trace", Value: []byte{byte(record)}}
		h[1] = header{Key: "tenant", Value: []byte("a")}
	}
	fmt.Println(headers.Len())
	// Once the batch is consumed: every slice from the slab is now invalid.
	headers.Reset()
	fmt.Println(headers.Len())
	// Output:
	// 6
	// 0
}
