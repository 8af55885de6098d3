package broker

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/sasl"
	"github.com/zeroalloc/kafka/sasl/scram"
	"github.com/zeroalloc/kafka/wire"
)

// reauthConn connects to the SASL_REAUTH listener (sessions of 3 s) and
// authenticates with SCRAM-SHA-512.
func reauthConn(t *testing.T) *Conn {
	t.Helper()
	sec := kafkatest.Secured(t)
	nc, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", sec.SASLReauth[0], sec.TLS(t))
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nc, "sasl-test")
	t.Cleanup(func() { c.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := c.Negotiate(); err != nil {
		t.Fatal(err)
	}
	mech, err := scram.Mechanism(scram.SHA512, sec.User, sec.Password)
	if err != nil {
		t.Fatal(err)
	}
	ctx := sasl.WithMetadata(context.Background(), &sasl.Metadata{Host: "127.0.0.1"})
	if err := c.Authenticate(ctx, mech); err != nil {
		t.Fatal(err)
	}
	if l := c.SessionLifetime(); l <= 0 || l > 10*time.Second {
		t.Fatalf("session lifetime %v, want the listener's few seconds", l)
	}
	return c
}

func metadataRequest() *wire.MetadataRequest {
	return &wire.MetadataRequest{Topics: []wire.MetadataRequestTopic{}}
}

// TestReauthWithRequestsInFlight re-authenticates behind three pipelined
// requests: their answers come first and in order, then the exchange
// finishes, and the connection serves on.
func TestReauthWithRequestsInFlight(t *testing.T) {
	c := reauthConn(t)
	var corrs []int32
	for range 3 {
		corr, err := c.Send(wire.KeyMetadata, 12, metadataRequest())
		if err != nil {
			t.Fatal(err)
		}
		corrs = append(corrs, corr)
	}
	time.Sleep(minReauthInterval) // brokers refuse one sooner
	hs, err := c.StartReauth()
	if err != nil {
		t.Fatal(err)
	}
	var resp wire.MetadataResponse
	for _, corr := range corrs {
		if err := c.ReceiveInto(corr, 12, &resp); err != nil {
			t.Fatalf("answer %d: %v", corr, err)
		}
	}
	if err := c.FinishReauth(context.Background(), hs); err != nil {
		t.Fatal(err)
	}
	if n := c.Authentications(); n != 2 {
		t.Fatalf("%d authentications, want 2", n)
	}
	if err := c.Exchange(12, metadataRequest(), &resp); err != nil || len(resp.Brokers) == 0 {
		t.Fatalf("after re-authenticating: %v", err)
	}
}

// TestSessionExpiry lets a session end: Refresh reports it without sending,
// and the broker does close a connection that sends after its session
// ended, which is what re-authentication is for.
func TestSessionExpiry(t *testing.T) {
	c := reauthConn(t)
	if err := c.Refresh(context.Background(), 0); err != nil || c.Authentications() != 1 {
		t.Fatalf("Refresh at once: %v, %d authentications", err, c.Authentications())
	}
	time.Sleep(c.SessionLifetime() + 100*time.Millisecond)
	if !c.SessionExpired(time.Now()) {
		t.Fatal("SessionExpired false after the lifetime")
	}
	err := c.Refresh(context.Background(), 0)
	if !errors.Is(err, ErrSessionExpired) || c.Usable() {
		t.Fatalf("Refresh after the lifetime: %v (usable %v), want ErrSessionExpired", err, c.Usable())
	}
	var resp wire.MetadataResponse
	start := time.Now()
	if err := c.Exchange(12, metadataRequest(), &resp); err == nil {
		t.Fatal("the broker answered a request sent after the session ended")
	}
	t.Logf("the broker closed the connection %v after the request", time.Since(start))
}

// TestRefreshRenews: Refresh with the whole lifetime ahead re-authenticates
// (once a second has passed since the last authentication), and the next
// Refresh does nothing.
func TestRefreshRenews(t *testing.T) {
	c := reauthConn(t)
	time.Sleep(minReauthInterval)
	if err := c.Refresh(context.Background(), c.SessionLifetime()); err != nil {
		t.Fatal(err)
	}
	if err := c.Refresh(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if n := c.Authentications(); n != 2 {
		t.Fatalf("%d authentications, want 2", n)
	}
}

// TestTLSAnswer: the bytes of a TLS alert read as a frame size are
// ErrTLSAnswer, with nothing allocated for them.
func TestTLSAnswer(t *testing.T) {
	for _, raw := range [][]byte{
		{21, 3, 3, 0, 2, 2, 40},      // alert, TLS 1.2
		{22, 3, 1, 0, 200},           // handshake, TLS 1.0 record version
		{23, 3, 3, 0x40, 0, 1, 2, 3}, // application data
	} {
		c := fakeFrames(t, raw)
		_, err := c.Receive(1, wire.KeyMetadata, 1)
		if !errors.Is(err, ErrTLSAnswer) {
			t.Errorf("% x: got %v, want ErrTLSAnswer", raw, err)
		}
		if cap(c.rbuf) != 0 {
			t.Errorf("% x: allocated %d bytes", raw, cap(c.rbuf))
		}
	}
}

// recordingConn is a net.Conn (not a TCP one, so no writev) that records
// each Write.
type recordingConn struct {
	net.Conn
	writes [][]byte
}

func (c *recordingConn) Write(b []byte) (int, error) {
	c.writes = append(c.writes, append([]byte(nil), b...))
	return len(b), nil
}

// TestSendBuffersStaged: over a connection without vectored writes, a
// request of many buffers goes out in one Write up to stageMax bytes, one
// per stageMax beyond, the bytes unchanged.
func TestSendBuffersStaged(t *testing.T) {
	for _, sizes := range [][]int{{10, 20, 30}, {100, stageMax, 7}, {stageMax + 5}, {3, stageMax - 3, 1}} {
		rc := &recordingConn{}
		c := NewConn(rc, "x")
		head := c.StartRequest(wire.KeyProduce, 3)
		bufs := net.Buffers{head}
		want := append([]byte(nil), head...)
		for i, n := range sizes {
			b := bytes.Repeat([]byte{byte(i + 1)}, n)
			bufs = append(bufs, b)
			want = append(want, b...)
		}
		if _, err := c.SendBuffers(&bufs); err != nil {
			t.Fatal(err)
		}
		copy(want[:4], rc.writes[0][:4]) // the frame size backfilled
		if got := bytes.Join(rc.writes, nil); !bytes.Equal(got, want) {
			t.Fatalf("sizes %v: wrote other bytes (%d, want %d)", sizes, len(got), len(want))
		}
		if n := (len(want) + stageMax - 1) / stageMax; len(rc.writes) != n {
			t.Errorf("sizes %v: %d writes, want %d", sizes, len(rc.writes), n)
		}
		if len(bufs) != 0 {
			t.Errorf("sizes %v: %d buffers left", sizes, len(bufs))
		}
	}
}
