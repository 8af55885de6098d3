//go:build !purego

package produce

import "unsafe"

// StringBytes returns s's bytes without copying them, and scratch
// unchanged. The result aliases s and must only be read: the encoder copies
// header keys into the request and never writes through them.
func StringBytes(scratch []byte, s string) (b, next []byte) {
	return unsafe.Slice(unsafe.StringData(s), len(s)), scratch
}
