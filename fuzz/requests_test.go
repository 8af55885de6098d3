package fuzz

import (
	"testing"

	"github.com/zeroalloc/kafka/wire"
)

// FuzzRequests runs every request decoder, the first input picking the API
// and the second the version. The client only encodes requests; their
// decoders serve tests and tools (captures, the fault proxy), which may be
// fed anything, so they owe the same guarantees as the response decoders.
func FuzzRequests(f *testing.F) {
	var keys []int16
	for k, a := range wire.APIs {
		if a.Name != "" && wire.NewRequest(int16(k)) != nil {
			keys = append(keys, int16(k))
		}
	}
	for i, k := range keys {
		api := wire.APIs[k]
		for v := api.Min; v <= api.Max; v++ {
			f.Add(uint8(i), uint8(v-api.Min), wire.NewRequest(k).AppendTo(nil, v))
		}
	}
	f.Fuzz(func(t *testing.T, which, sel uint8, data []byte) {
		k := keys[int(which)%len(keys)]
		api := wire.APIs[k]
		v := api.Min + int16(int(sel)%(int(api.Max-api.Min)+1))
		checkDecode(t, api.Name+"Request", v, func() wire.Message { return wire.NewRequest(k) }, data)
	})
}
