package proxy

import (
	"encoding/binary"
	"sync"
	"time"
)

// Answer rules: the proxy reads the Kafka framing of what it forwards (a
// 4-byte size before each frame; a request's body begins with its API key)
// and can hold or slow the answers to requests of one API key, leaving the
// others alone: a broker that stalls its Produce answers while Metadata
// flows, or answers one byte at a time. Brokers answer the requests of a
// connection in order, so an answer held also holds the answers after it
// on its connection. Requests that get no answer at all (Produce with
// acks=0) are not supported: the proxy would pair the answers after them
// with the wrong requests.

// answerRule is the rule in force; changed is closed when it is replaced.
type answerRule struct {
	key     int16
	hold    bool
	drip    time.Duration
	changed chan struct{}
}

// HoldAnswers stops forwarding the answers to requests of API key on every
// connection, current and new, until ReleaseAnswers (or another rule):
// the broker seems not to answer them. Other traffic flows, up to the
// first held answer of each connection.
func (p *Proxy) HoldAnswers(key int16) { p.setRule(&answerRule{key: key, hold: true}) }

// DripAnswers forwards the answers to requests of API key one byte every
// d, until ReleaseAnswers (or another rule).
func (p *Proxy) DripAnswers(key int16, d time.Duration) {
	p.setRule(&answerRule{key: key, drip: d})
}

// ReleaseAnswers ends HoldAnswers or DripAnswers: what was held goes on at
// once.
func (p *Proxy) ReleaseAnswers() { p.setRule(nil) }

// HeldAnswers returns how many answers are being held or dripped now, one
// per connection at most: a test waits for it to know that a request of
// the key has reached the broker and that its answer is being kept back.
func (p *Proxy) HeldAnswers() int { return int(p.heldAnswers.Load()) }

func (p *Proxy) setRule(r *answerRule) {
	if r != nil {
		r.changed = make(chan struct{})
	}
	if old := p.rule.Swap(r); old != nil {
		close(old.changed)
	}
}

// framing follows the frames of one direction of a link: head gathers the
// current frame's size (and, for a request, its API key), have counting
// the bytes gathered; left is the bytes of its body still to pass.
type framing struct {
	head [6]byte
	have int
	left int
	key  int16 // the API key of the request the current answer answers
}

// keyQueue holds the API keys of a link's requests whose answers have not
// begun, oldest first.
type keyQueue struct {
	mu   sync.Mutex
	keys []int16
}

func (q *keyQueue) push(k int16) {
	q.mu.Lock()
	q.keys = append(q.keys, k)
	q.mu.Unlock()
}

// pop returns the oldest key, -1 when none is known.
func (q *keyQueue) pop() int16 {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.keys) == 0 {
		return -1
	}
	k := q.keys[0]
	q.keys = q.keys[1:]
	return k
}

// noteRequests records the API key of each request frame that begins in b.
func (l *link) noteRequests(b []byte) {
	f := &l.req
	for len(b) > 0 {
		if f.left > 0 {
			n := min(f.left, len(b))
			f.left -= n
			b = b[n:]
			continue
		}
		n := copy(f.head[f.have:], b)
		f.have += n
		b = b[n:]
		if f.have == len(f.head) {
			size := int(int32(binary.BigEndian.Uint32(f.head[:4])))
			l.keys.push(int16(binary.BigEndian.Uint16(f.head[4:])))
			f.have, f.left = 0, max(size-2, 0)
		}
	}
}

// forwardAnswers writes b, bytes from the target, to dst frame by frame,
// under the answer rule for each frame's request. It returns false when
// the link or the proxy closes meanwhile, or a write fails.
func (p *Proxy) forwardAnswers(l *link, dst writer, b []byte) bool {
	f := &l.resp
	for len(b) > 0 {
		var n int
		if f.left > 0 {
			n = min(f.left, len(b))
			f.left -= n
		} else {
			if f.have == 0 {
				f.key = l.keys.pop()
			}
			n = copy(f.head[f.have:4], b)
			f.have += n
			if f.have == 4 {
				f.left = max(int(int32(binary.BigEndian.Uint32(f.head[:4]))), 0)
				f.have = 0
			}
		}
		if !p.emit(l, dst, b[:n], f.key) {
			return false
		}
		b = b[n:]
	}
	return true
}

type writer interface{ Write([]byte) (int, error) }

// emit writes seg, part of an answer to a request of key, as the rule in
// force says: at once, one byte at a time, or once the rule is lifted.
func (p *Proxy) emit(l *link, dst writer, seg []byte, key int16) bool {
	counted := false
	ok := true
	for ok && len(seg) > 0 {
		r := p.rule.Load()
		if r == nil || r.key != key || (!r.hold && r.drip <= 0) {
			_, err := dst.Write(seg)
			ok = err == nil
			break
		}
		if !counted {
			counted = true
			p.heldAnswers.Add(1)
		}
		if r.hold {
			ok = p.await(l, r.changed, nil)
			continue
		}
		if _, err := dst.Write(seg[:1]); err != nil {
			ok = false
			break
		}
		seg = seg[1:]
		t := time.NewTimer(r.drip) // after every byte, the last of a segment too
		ok = p.await(l, r.changed, t.C)
		t.Stop()
	}
	if counted {
		p.heldAnswers.Add(-1)
	}
	return ok
}

// await waits for the rule to change or tick to fire; it returns false if
// the link or the proxy closes first.
func (p *Proxy) await(l *link, changed <-chan struct{}, tick <-chan time.Time) bool {
	select {
	case <-tick:
	case <-changed:
	case <-l.done:
		return false
	case <-p.ctx.Done():
		return false
	}
	return true
}
