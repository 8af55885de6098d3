//go:build !race

package broker

import (
	"bytes"
	"net"
	"testing"

	"github.com/zeroalloc/kafka/wire"
)

// discardConn is a net.Conn without vectored writes that drops what it is
// written, allocating nothing.
type discardConn struct{ net.Conn }

func (discardConn) Write(b []byte) (int, error) { return len(b), nil }

// TestAllocsSendBuffersStaged: a warm Conn stages a request of many
// buffers (as over TLS) without allocating.
func TestAllocsSendBuffersStaged(t *testing.T) {
	c := NewConn(discardConn{}, "x")
	value := bytes.Repeat([]byte("v"), 8<<10)
	back := make([][]byte, 0, 11) // kept, as the producer keeps its requests' vectors
	var bufs net.Buffers
	send := func() {
		back = append(back[:0], c.StartRequest(wire.KeyProduce, 3))
		for range 10 {
			back = append(back, value)
		}
		bufs = back
		if _, err := c.SendBuffers(&bufs); err != nil {
			t.Fatal(err)
		}
	}
	send()
	if n := testing.AllocsPerRun(100, send); n != 0 {
		t.Fatalf("%.1f allocations per staged request", n)
	}
}

// BenchmarkSendBuffersStaged stages and writes a request of ten 8 KiB
// values, as the Writer sends one over TLS.
func BenchmarkSendBuffersStaged(b *testing.B) {
	c := NewConn(discardConn{}, "x")
	value := bytes.Repeat([]byte("v"), 8<<10)
	back := make([][]byte, 0, 11)
	var bufs net.Buffers
	b.ReportAllocs()
	b.SetBytes(int64(10 * len(value)))
	for b.Loop() {
		back = append(back[:0], c.StartRequest(wire.KeyProduce, 3))
		for range 10 {
			back = append(back, value)
		}
		bufs = back
		if _, err := c.SendBuffers(&bufs); err != nil {
			b.Fatal(err)
		}
	}
}
