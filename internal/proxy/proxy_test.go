package proxy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// startEcho runs an echo server on loopback until the test ends, and waits
// for all its goroutines then.
func startEcho(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				io.Copy(c, c)
				c.Close()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

func newProxy(t *testing.T, target string) *Proxy {
	t.Helper()
	p, err := New(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func dial(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// connect dials p and checks one round trip through it.
func connect(t *testing.T, p *Proxy) net.Conn {
	t.Helper()
	c := dial(t, p)
	if err := roundTrip(c, "warm", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	return c
}

// roundTrip sends msg and reads it back within timeout.
func roundTrip(c net.Conn, msg string, timeout time.Duration) error {
	c.SetDeadline(time.Now().Add(timeout))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		return err
	}
	if string(got) != msg {
		return errors.New("echo mismatch: got " + string(got))
	}
	return nil
}

// proxyGoroutines counts the goroutines running a method of Proxy.
func proxyGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		if bytes.Contains(g, []byte("internal/proxy.(*Proxy).")) {
			n++
		}
	}
	return n
}

// eventually polls cond until it holds or 5 s pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func TestForward(t *testing.T) {
	p := newProxy(t, startEcho(t))
	a, b := dial(t, p), dial(t, p)
	for i := range 3 {
		for _, c := range []net.Conn{a, b} {
			if err := roundTrip(c, "hello "+string(rune('a'+i)), 5*time.Second); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A payload larger than one forwarding chunk arrives whole and in order.
	big := bytes.Repeat([]byte("0123456789abcdef"), 10_000)
	if err := roundTrip(a, string(big), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := p.Conns(); n != 2 {
		t.Fatalf("Conns = %d, want 2", n)
	}
}

func TestCutAll(t *testing.T) {
	p := newProxy(t, startEcho(t))
	a, b := connect(t, p), connect(t, p)
	p.CutAll()
	if n := p.Conns(); n != 0 {
		t.Fatalf("Conns after CutAll = %d", n)
	}
	for _, c := range []net.Conn{a, b} {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err := c.Read(make([]byte, 1))
		if err == nil || os.IsTimeout(err) {
			t.Fatalf("read after CutAll: %v, want the connection closed", err)
		}
	}
	// The proxy still accepts and forwards new connections.
	if err := roundTrip(dial(t, p), "after", 5*time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestPauseResume(t *testing.T) {
	p := newProxy(t, startEcho(t))
	a := connect(t, p)
	p.Pause()
	b := dial(t, p) // a connection made while paused is paused too
	for i, c := range []net.Conn{a, b} {
		if _, err := c.Write([]byte("held")); err != nil {
			t.Fatal(err)
		}
		eventually(t, "the proxy to hold the write", func() bool { return p.Held() == i+1 })
		// Nothing comes back, and the connection stays open (a timeout, not EOF).
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, err := c.Read(make([]byte, 4)); !os.IsTimeout(err) {
			t.Fatalf("read while paused: %d bytes, %v; want a timeout", n, err)
		}
	}
	p.Resume()
	for _, c := range []net.Conn{a, b} {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		got := make([]byte, 4)
		if _, err := io.ReadFull(c, got); err != nil || string(got) != "held" {
			t.Fatalf("after Resume: %q, %v; want the held bytes", got, err)
		}
		if err := roundTrip(c, "again", 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSetDelay(t *testing.T) {
	p := newProxy(t, startEcho(t))
	c := connect(t, p)
	const d = 150 * time.Millisecond
	p.SetDelay(d)
	start := time.Now()
	if err := roundTrip(c, "slow", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(start); rtt < 2*d {
		t.Fatalf("round trip with delay %v took %v, want at least %v", d, rtt, 2*d)
	}
	p.SetDelay(0)
	start = time.Now()
	if err := roundTrip(c, "fast", 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if rtt := time.Since(start); rtt >= d {
		t.Fatalf("round trip after SetDelay(0) took %v", rtt)
	}
}

func TestTargetDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := ln.Addr().String()
	ln.Close() // nothing listens there now
	p := newProxy(t, target)
	c := dial(t, p)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || os.IsTimeout(err) {
		t.Fatalf("read through a proxy to a dead target: %v, want the connection closed", err)
	}
}

// TestCloseLeavesNoGoroutine closes the proxy with connections idle, paused
// mid-forward and delayed mid-forward, and checks that Close returns and no
// goroutine it started survives.
func TestCloseLeavesNoGoroutine(t *testing.T) {
	echo := startEcho(t)
	before := runtime.NumGoroutine()
	p, err := New(echo)
	if err != nil {
		t.Fatal(err)
	}
	conns := []net.Conn{connect(t, p), connect(t, p), connect(t, p)}
	p.SetDelay(time.Hour)
	conns[1].Write([]byte("delayed"))
	eventually(t, "a chunk held in the delay", func() bool { return p.Held() == 1 })
	p.SetDelay(0)
	p.Pause()
	conns[2].Write([]byte("paused"))
	eventually(t, "a chunk held in the pause", func() bool { return p.Held() == 2 })
	if n := proxyGoroutines(); n != 7 {
		t.Fatalf("%d proxy goroutines with 3 live links, want 7 (accept, and two per link)", n)
	}
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if n := proxyGoroutines(); n != 0 {
		t.Fatalf("%d proxy goroutines still running when Close returned", n)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// The echo server's goroutines end once they see their connections closed.
	eventually(t, "goroutines to end after Close", func() bool {
		return runtime.NumGoroutine() <= before
	})
	if _, err := net.Dial("tcp", p.Addr()); err == nil {
		t.Fatal("proxy still accepts after Close")
	}
}

func TestCorruptNext(t *testing.T) {
	echo := startEcho(t)
	p, err := New(echo)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p.CorruptNext(func(b []byte) bool { b[0] ^= 0xff; return true })
	for i, want := range []byte{'a' ^ 0xff, 'a'} {
		if _, err := c.Write([]byte("a")); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, 1)
		if _, err := io.ReadFull(c, got); err != nil || got[0] != want {
			t.Fatalf("echo %d: got %q, want %q (%v)", i, got, want, err)
		}
	}
}

// frame is a request frame of API key with body bytes after the key (the
// echo target sends it back as its answer).
func frame(key int16, body string) []byte {
	b := make([]byte, 6, 6+len(body))
	binary.BigEndian.PutUint32(b, uint32(2+len(body)))
	binary.BigEndian.PutUint16(b[4:], uint16(key))
	return append(b, body...)
}

// HoldAnswers keeps back the answers to one API key only (and, as a broker
// answers in order, those after them on their connection) until
// ReleaseAnswers; the answers to other keys flow.
func TestHoldAnswers(t *testing.T) {
	p := newProxy(t, startEcho(t))
	c := dial(t, p)
	p.HoldAnswers(0)
	a, b := frame(3, "metadata"), frame(0, "produce")
	// An answer to key 3 flows; then one to key 0 is held, and a key 3 one
	// behind it waits for it.
	if err := roundTrip(c, string(a), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(append(append([]byte{}, b...), a...)); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the answer held", func() bool { return p.HeldAnswers() == 1 })
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := c.Read(make([]byte, 64)); err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read %d bytes (%v) of a held answer", n, err)
	}
	p.ReleaseAnswers()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, len(a)+len(b))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if want := append(append([]byte{}, b...), a...); !bytes.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if n := p.HeldAnswers(); n != 0 {
		t.Fatalf("HeldAnswers = %d after the release", n)
	}
}

// DripAnswers forwards the answers to one API key a byte at a time.
func TestDripAnswers(t *testing.T) {
	p := newProxy(t, startEcho(t))
	c := dial(t, p)
	const every = 20 * time.Millisecond
	p.DripAnswers(1, every)
	f := frame(1, "fetch")
	start := time.Now()
	if _, err := c.Write(f); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	one := make([]byte, 4)
	for i := range f {
		n, err := c.Read(one)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 || one[0] != f[i] {
			t.Fatalf("read %q at byte %d, want %q alone", one[:n], i, f[i])
		}
	}
	if took, least := time.Since(start), time.Duration(len(f)-1)*every; took < least {
		t.Fatalf("%d bytes dripped in %v, under %v", len(f), took, least)
	}
	p.ReleaseAnswers()
	if err := roundTrip(c, string(f), 5*time.Second); err != nil {
		t.Fatal(err)
	}
}
