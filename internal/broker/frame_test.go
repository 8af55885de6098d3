package broker

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

func TestRoundTripMetadata(t *testing.T) {
	addr := kafkatest.Brokers(t)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, "broker-test")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, v := range []int16{1, 9, 12} {
		var resp wire.MetadataResponse
		req := wire.MetadataRequest{Topics: []wire.MetadataRequestTopic{}}
		if err := c.RoundTrip(ctx, v, &req, &resp); err != nil {
			t.Fatalf("v%d: %v", v, err)
		}
		if len(resp.Brokers) != 1 || resp.Brokers[0].Port <= 0 {
			t.Fatalf("v%d: brokers %+v", v, resp.Brokers)
		}
	}
}

// fakeFrames serves raw bytes from a local listener: used only to feed the
// frame reader hostile sizes, which a real broker never sends.
func fakeFrames(t *testing.T, raw []byte) *Conn {
	t.Helper()
	client, server := net.Pipe()
	go func() {
		server.Write(raw)
		server.Close()
	}()
	t.Cleanup(func() { client.Close() })
	return NewConn(client, "")
}

func TestReceiveRejectsHostileSizes(t *testing.T) {
	for _, size := range []uint32{0, 3, 0x7fffffff, 0xffffffff, DefaultMaxFrame + 1} {
		var raw [8]byte
		binary.BigEndian.PutUint32(raw[:], size)
		c := fakeFrames(t, raw[:])
		_, err := c.Receive(1, wire.KeyMetadata, 1)
		if !errors.Is(err, ErrFrameTooLarge) {
			t.Errorf("size %#x: got %v, want ErrFrameTooLarge", size, err)
		}
		if cap(c.rbuf) != 0 {
			t.Errorf("size %#x: allocated %d bytes before rejecting", size, cap(c.rbuf))
		}
	}
}

func TestReceiveRejectsWrongCorrelation(t *testing.T) {
	c := fakeFrames(t, []byte{0, 0, 0, 4, 0, 0, 0, 9})
	if _, err := c.Receive(1, wire.KeyMetadata, 1); !errors.Is(err, ErrCorrelation) {
		t.Fatalf("got %v, want ErrCorrelation", err)
	}
}

// A response read as a stream leaves the Conn in step for the next one, for
// both header versions.
func TestReceiveStream(t *testing.T) {
	addr := kafkatest.Brokers(t)[0]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, addr, "stream-test")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, v := range []int16{1, 12, 1} {
		buf := c.StartRequest(wire.KeyMetadata, v)
		req := wire.MetadataRequest{Topics: []wire.MetadataRequestTopic{}}
		corr, err := c.SendRequest(req.AppendTo(buf, v))
		if err != nil {
			t.Fatal(err)
		}
		br, n, err := c.ReceiveStream(corr, wire.KeyMetadata, v)
		if err != nil {
			t.Fatalf("v%d: %v", v, err)
		}
		if c.Usable() {
			t.Fatal("usable while the body is unread")
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			t.Fatal(err)
		}
		c.EndStream(true)
		var resp wire.MetadataResponse
		if err := resp.DecodeFrom(body, v); err != nil || len(resp.Brokers) != 1 {
			t.Fatalf("v%d: %v %+v", v, err, resp.Brokers)
		}
		if !c.Usable() {
			t.Fatal("not usable after the body was consumed")
		}
	}
}
