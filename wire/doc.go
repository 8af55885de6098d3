// Package wire encodes and decodes the Kafka protocol: primitives, request and
// response headers, one file per API family, record batches (v2) and legacy
// message sets (v0/v1), compression codecs, error codes and API version tables.
//
// It knows nothing of sockets or goroutines. Encoders append to a caller's
// slice (AppendTo(dst, version) []byte) and allocate nothing when cap(dst)
// suffices. Decoders read from a slice, check every length against the bytes
// that remain before they slice or allocate, and return sub-slices of their
// input: those alias the input and are valid only as long as it is.
package wire
