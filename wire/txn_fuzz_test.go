package wire

import "testing"

// FuzzTxnDecode decodes arbitrary bytes as every request and response of
// txn.go (sel picks the type and version); see fuzzSamples.
func FuzzTxnDecode(f *testing.F) {
	fuzzSamples(f, txnCodecSamples())
}
