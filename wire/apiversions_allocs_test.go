//go:build !race

package wire

import "testing"

func TestAllocsApiVersions(t *testing.T) {
	for _, v := range []int16{0, 3, 4} {
		req, resp := apiVersionsSample(v, true)
		body := resp.AppendTo(nil, v)
		buf := make([]byte, 0, 4096)
		var got ApiVersionsResponse
		if err := got.DecodeFrom(body, v); err != nil {
			t.Fatal(err)
		}
		var err error
		if n := testing.AllocsPerRun(100, func() { err = got.DecodeFrom(body, v) }); n != 0 || err != nil {
			t.Errorf("v%d: decoding into a reused response allocates %.1f times (err %v)", v, n, err)
		}
		if n := testing.AllocsPerRun(100, func() { buf = resp.AppendTo(buf[:0], v); buf = req.AppendTo(buf, v) }); n != 0 {
			t.Errorf("v%d: appending allocates %.1f times", v, n)
		}
	}
}
