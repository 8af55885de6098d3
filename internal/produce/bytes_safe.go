//go:build purego

package produce

// stringBytes returns a copy of s's bytes appended to scratch, and the
// extended scratch. A reused scratch makes this allocation-free once it is
// large enough for one message's header keys.
func stringBytes(scratch []byte, s string) (b, next []byte) {
	n := len(scratch)
	scratch = append(scratch, s...)
	return scratch[n:len(scratch):len(scratch)], scratch
}
