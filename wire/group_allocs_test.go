//go:build !race

package wire

import (
	"errors"
	"strconv"
	"testing"
)

// TestAllocsGroupDecode checks that decoding every request and response of
// the family, in every version, into a reused struct allocates nothing.
func TestAllocsGroupDecode(t *testing.T) {
	for _, c := range groupCases {
		a := APIs[c.key]
		for v := a.Min; v <= a.Max; v++ {
			enc := c.sample(v, 1).AppendTo(nil, v)
			m := c.sample(v, 0)
			if err := m.DecodeFrom(enc, v); err != nil {
				t.Fatalf("%s v%d: %v", c.name, v, err)
			}
			var err error
			if n := testing.AllocsPerRun(20, func() { err = m.DecodeFrom(enc, v) }); n != 0 || err != nil {
				t.Errorf("%s v%d: decode into a reused struct allocates %v times (err %v)", c.name, v, n, err)
			}
		}
	}
}

// TestAllocsGroupAppend checks that appending every request and response of
// the family, in every version, into a buffer with room allocates nothing.
func TestAllocsGroupAppend(t *testing.T) {
	buf := make([]byte, 0, 1<<14)
	for _, c := range groupCases {
		a := APIs[c.key]
		for v := a.Min; v <= a.Max; v++ {
			m := c.sample(v, 1)
			if n := testing.AllocsPerRun(20, func() { buf = m.AppendTo(buf[:0], v) }); n != 0 {
				t.Errorf("%s v%d: append allocates %v times", c.name, v, n)
			}
		}
	}
}

// TestAllocsGroupForged checks that a forged top-level array count fails
// with ErrInvalidLength without allocating anything, into a struct made
// zero before every decode (freshDecodeAllocs).
func TestAllocsGroupForged(t *testing.T) {
	for _, f := range groupForgedCases() {
		if n, err := freshDecodeAllocs(f.m, f.src, f.version); n != 0 || !errors.Is(err, ErrInvalidLength) {
			t.Errorf("%s v%d: forged count: %v allocs, err %v; want 0 allocs and ErrInvalidLength", f.name, f.version, n, err)
		}
	}
}

// TestAllocsConsumerProtocol checks that decoding subscriptions and
// assignments into reused structs, and appending them, allocate nothing.
func TestAllocsConsumerProtocol(t *testing.T) {
	buf := make([]byte, 0, 4096)
	for v := int16(0); v <= ConsumerProtocolVersion; v++ {
		name := "v" + strconv.Itoa(int(v))
		sub, asg := groupSubscription(v, 1), groupAssignment(v, 1)
		subEnc, asgEnc := sub.AppendTo(nil, v), asg.AppendTo(nil, v)
		gotSub, gotAsg := groupSubscription(v, 0), groupAssignment(v, 0)
		if gotSub.DecodeFrom(subEnc) != nil || gotAsg.DecodeFrom(asgEnc) != nil {
			t.Fatalf("%s: warm-up decode failed", name)
		}
		var err error
		checks := []struct {
			what string
			f    func()
		}{
			{"subscription decode", func() { err = gotSub.DecodeFrom(subEnc) }},
			{"assignment decode", func() { err = gotAsg.DecodeFrom(asgEnc) }},
			{"subscription append", func() { buf = sub.AppendTo(buf[:0], v) }},
			{"assignment append", func() { buf = asg.AppendTo(buf[:0], v) }},
		}
		for _, c := range checks {
			if n := testing.AllocsPerRun(20, c.f); n != 0 || err != nil {
				t.Errorf("%s %s allocates %v times (err %v)", name, c.what, n, err)
			}
		}
	}
}
