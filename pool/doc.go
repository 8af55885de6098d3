// Package pool holds typed, bounded pools: byte buffers per role (request
// encoding, response reading, decompression, record batches), slabs for
// per-batch record and header slices, and codec state. The package knows
// nothing of Kafka.
//
// # Byte buffers
//
// A Buffers pool serves one buffer role, so that its sizes and statistics
// mean something: the client declares one per role (see the example). Get(n)
// returns a *Buffer whose B has length 0 and capacity at least n; the caller
// appends to B, then hands the Buffer back with Put and stops using it. A
// buffer whose capacity has grown above the pool's cap is dropped by Put,
// not kept, so one huge response does not pin memory; Stats counts gets,
// misses (allocations), puts and drops. Buffers are filed by power-of-two
// capacity class over sync.Pool, which stores *Buffer (a pointer, so Put
// does not allocate) and releases idle buffers at garbage collection. A
// Get/Put cycle on a warm pool allocates nothing.
//
// # Slabs
//
// A Slab[T] hands out small []T slices (say, the headers of each record in a
// batch) carved from one backing array, each with capacity equal to its
// length so that an append cannot overwrite a neighbour. All of them stay
// valid until Reset, the single point where the slab is recycled; after
// Reset they must not be used. The slab grows by doubling, up to a
// configured length that it retains across Reset; once it has grown to the
// size of a batch, handing out slices allocates nothing.
//
// # Ownership
//
// Pooled objects carry a noCopy marker, so go vet reports a copy (a copied
// Buffer or Slab would share storage with the original). Storage obtained
// from a pool belongs to the caller until it is returned (Put) or recycled
// (Reset); using it afterwards is a bug the pool cannot detect, because the
// same bytes are handed out again.
package pool
