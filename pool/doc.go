// Package pool holds typed, bounded pools: byte buffers per role (request
// encoding, response reading, decompression), slabs for per-batch record and
// header slices, and codec state. A buffer above its role's cap is dropped,
// not kept. The package knows nothing of Kafka.
package pool
