// Package proxy is a small TCP proxy for fault tests: it sits between a
// client and a broker on loopback and can cut every connection, stop
// forwarding (a hung broker), delay what it forwards, or hold or drip the
// answers to one kind of request (a broker that stalls its Produce
// answers only). It is test
// machinery, not for production paths.
package proxy

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards every TCP connection made to Addr to the target, one
// target connection per client connection. Its methods are safe for
// concurrent use.
type Proxy struct {
	target string
	ln     net.Listener
	ctx    context.Context // cancelled by Close; ends dials and waits
	cancel context.CancelFunc
	delay  atomic.Int64 // time.Duration
	// corrupt, when set, sees each chunk the target sends until it
	// returns true.
	corrupt atomic.Pointer[func([]byte) bool]
	// corruptReq is the same for the bytes clients send.
	corruptReq atomic.Pointer[func([]byte) bool]
	held       atomic.Int64 // chunks read and not yet written
	// rule holds or drips the answers to one kind of request (answers.go);
	// heldAnswers counts the answers it keeps back now.
	rule        atomic.Pointer[answerRule]
	heldAnswers atomic.Int64
	wg          sync.WaitGroup

	mu     sync.Mutex
	links  map[*link]struct{}
	closed bool
	paused bool
	resume chan struct{} // closed by Resume; valid while paused
}

// link is one proxied connection: the client side and the target side.
type link struct {
	client, server net.Conn
	done           chan struct{} // closed when the link is torn down
	once           sync.Once
	// req and resp follow the frames each way, keys the API keys of the
	// requests not answered yet (see answers.go).
	req, resp framing
	keys      keyQueue
}

// New starts a proxy listening on 127.0.0.1 at a free port, forwarding to
// target (host:port). Call Close to stop it.
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, links: make(map[*link]struct{})}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the address clients should dial instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Conns returns how many proxied connections are live.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Held returns how many chunks of data the proxy has read and not yet
// forwarded: those waiting out a Pause or a delay. A fault test can wait for
// it to know that a request has reached the proxy.
func (p *Proxy) Held() int { return int(p.held.Load()) }

// CutAll closes every live connection abruptly, on both sides (a TCP reset
// where the platform allows it), as a crashed broker or a broken network
// would. The proxy keeps accepting new connections.
func (p *Proxy) CutAll() {
	for _, l := range p.takeLinks() {
		l.teardown(true)
	}
}

// Pause stops forwarding in both directions on every connection, current
// and new, without closing any: peers see a connection that has gone
// silent, as with a hung broker. Data already read is held until Resume.
func (p *Proxy) Pause() {
	p.mu.Lock()
	if !p.paused {
		p.paused = true
		p.resume = make(chan struct{})
	}
	p.mu.Unlock()
}

// Resume restarts forwarding after Pause, delivering what was held.
func (p *Proxy) Resume() {
	p.mu.Lock()
	if p.paused {
		p.paused = false
		close(p.resume)
	}
	p.mu.Unlock()
}

// SetDelay makes the proxy forward each chunk of data d after reading it,
// in both directions (so a request/response round trip takes at least 2d).
// Zero turns the delay off.
func (p *Proxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// Close stops the listener, closes every connection, and returns once every
// goroutine of the proxy has ended. Calling it again does nothing.
func (p *Proxy) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.cancel()
	err := p.ln.Close()
	for _, l := range p.takeLinks() {
		l.teardown(false)
	}
	p.wg.Wait()
	return err
}

// takeLinks removes and returns every live link.
func (p *Proxy) takeLinks() []*link {
	p.mu.Lock()
	defer p.mu.Unlock()
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
		delete(p.links, l)
	}
	return links
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // closed (or a listener failure, which ends the proxy's use)
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve dials the target for client c and forwards in both directions
// until either side fails or the link is torn down.
func (p *Proxy) serve(c net.Conn) {
	defer p.wg.Done()
	var d net.Dialer
	s, err := d.DialContext(p.ctx, "tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	l := &link{client: c, server: s, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		l.teardown(false)
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()

	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.forward(l, s, c)
	}()
	p.forward(l, c, s)
}

// CorruptNext makes the proxy pass each chunk of bytes the target sends (on
// any connection) through fn before forwarding it, until fn returns true
// (it changed that chunk): fault tests flip bytes of a response with it.
// How a response is cut into chunks is up to the network: a broker may send
// a Fetch answer's header and its records in separate writes.
func (p *Proxy) CorruptNext(fn func(chunk []byte) bool) { p.corrupt.Store(&fn) }

// CorruptNextRequest is CorruptNext for the bytes clients send: fault
// tests damage a request with it (a record batch whose CRC then fails at
// the broker, say).
func (p *Proxy) CorruptNextRequest(fn func(chunk []byte) bool) { p.corruptReq.Store(&fn) }

// forward copies src to dst, honouring Pause and SetDelay, then tears the
// whole link down: Kafka peers do not half-close, so neither does the proxy.
func (p *Proxy) forward(l *link, src, dst net.Conn) {
	defer p.drop(l)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		readAt := time.Now()
		if n > 0 {
			p.held.Add(1)
			ok := p.waitResumed(l) && p.waitDelay(l, readAt)
			p.held.Add(-1)
			if !ok {
				return
			}
			hook := &p.corruptReq
			if src == l.server {
				hook = &p.corrupt
			}
			if fn := hook.Load(); fn != nil && (*fn)(buf[:n]) {
				hook.CompareAndSwap(fn, nil)
			}
			if src == l.server {
				if !p.forwardAnswers(l, dst, buf[:n]) {
					return
				}
			} else {
				l.noteRequests(buf[:n]) // before the target can answer them
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
		}
		if err != nil {
			return
		}
	}
}

// waitResumed blocks while the proxy is paused; it returns false if the
// link or the proxy closes meanwhile.
func (p *Proxy) waitResumed(l *link) bool {
	for {
		p.mu.Lock()
		paused, resume := p.paused, p.resume
		p.mu.Unlock()
		if !paused {
			return true
		}
		select {
		case <-resume:
		case <-l.done:
			return false
		case <-p.ctx.Done():
			return false
		}
	}
}

// waitDelay blocks until the configured delay after readAt has passed; it
// returns false if the link or the proxy closes meanwhile.
func (p *Proxy) waitDelay(l *link, readAt time.Time) bool {
	wait := time.Until(readAt.Add(time.Duration(p.delay.Load())))
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-l.done:
		return false
	case <-p.ctx.Done():
		return false
	}
}

// drop unregisters l and tears it down gracefully.
func (p *Proxy) drop(l *link) {
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
	l.teardown(false)
}

// teardown closes both sides once; with abort, it first asks for a TCP reset
// instead of an orderly close.
func (l *link) teardown(abort bool) {
	l.once.Do(func() {
		if abort {
			for _, c := range []net.Conn{l.client, l.server} {
				if tc, ok := c.(*net.TCPConn); ok {
					_ = tc.SetLinger(0)
				}
			}
		}
		close(l.done)
		l.client.Close()
		l.server.Close()
	})
}
