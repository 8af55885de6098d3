//go:build !race

package wire

import (
	"errors"
	"testing"
)

// TestAllocsTxnCodecs asserts that appending every request and response of
// txn.go, at every version, into a warm buffer, and decoding each into a
// reused struct, allocate nothing.
func TestAllocsTxnCodecs(t *testing.T) {
	checkAllocs(t, txnCodecSamples())
}

// TestAllocsTxnForgedCount asserts that a forged top-level array count fails
// with ErrInvalidLength before anything is allocated, even into a struct
// without capacity.
func TestAllocsTxnForgedCount(t *testing.T) {
	pad := make([]byte, 64)
	for _, c := range []struct {
		version int16
		src     []byte
		fresh   func() Message
	}{
		{0, append(forgedCount(AppendInt32(nil, 0), false), pad...), func() Message { return new(TxnOffsetCommitResponse) }},
		{4, append(forgedCount(AppendInt32(nil, 0), true), pad...), func() Message { return new(TxnOffsetCommitResponse) }},
		{2, append(forgedCount(AppendInt32(nil, 0), false), pad...), func() Message { return new(AddPartitionsToTxnResponse) }},
		{5, append(forgedCount(AppendInt16(AppendInt32(nil, 0), 0), true), pad...), func() Message { return new(AddPartitionsToTxnResponse) }},
		{5, append(forgedCount(nil, true), pad...), func() Message { return new(AddPartitionsToTxnRequest) }},
	} {
		// m is made outside the measured function (new of a type behind an
		// interface allocates) and made zero inside it, before each decode:
		// any slice the decoder made would be counted in every run.
		m := c.fresh()
		n, err := freshDecodeAllocs(m, c.src, c.version)
		if n != 0 || !errors.Is(err, ErrInvalidLength) {
			t.Errorf("v%d %T: forged count: %v allocs, err %v; want 0 allocs and ErrInvalidLength", c.version, m, n, err)
		}
	}
}
