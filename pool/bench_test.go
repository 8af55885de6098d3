package pool

import "testing"

func BenchmarkBuffersGetPut(b *testing.B) {
	p := NewBuffers(1 << 20)
	b.ReportAllocs()
	for b.Loop() {
		buf := p.Get(4096)
		buf.B = append(buf.B, "payload"...)
		p.Put(buf)
	}
}

func BenchmarkBuffersGetPutParallel(b *testing.B) {
	p := NewBuffers(1 << 20)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			buf := p.Get(4096)
			buf.B = append(buf.B, "payload"...)
			p.Put(buf)
		}
	})
}

// BenchmarkSlab hands out the headers of a 100-record batch (three each),
// then resets; one op is one batch.
func BenchmarkSlab(b *testing.B) {
	s := NewSlab[header](1 << 12)
	b.ReportAllocs()
	for b.Loop() {
		for range 100 {
			h := s.Alloc(3)
			h[0].Key = "k"
		}
		s.Reset()
	}
}
