//go:build purego

package produce

// StringBytes returns a copy of s's bytes appended to scratch, and the
// extended scratch. A reused scratch makes this allocation-free once it is
// large enough for one message's header keys.
func StringBytes(scratch []byte, s string) (b, next []byte) {
	n := len(scratch)
	scratch = append(scratch, s...)
	return scratch[n:len(scratch):len(scratch)], scratch
}
