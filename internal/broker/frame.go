// Package broker speaks the Kafka protocol over one connection: it frames
// requests with their headers, matches responses by correlation id and bounds
// every frame it reads. It knows no API beyond wire.Message.
package broker

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// DefaultMaxFrame bounds a response frame unless Conn.MaxFrame says
// otherwise: a forged size never makes the connection allocate more.
const DefaultMaxFrame = 256 << 20

// ErrFrameTooLarge means a response announced a size above the limit; the
// connection is unusable afterwards.
var ErrFrameTooLarge = errors.New("kafka: response frame larger than the configured limit")

// ErrCorrelation means a response answered another request than the one
// expected; the connection is unusable afterwards.
var ErrCorrelation = errors.New("kafka: response correlation id does not match the request")

// ReadBufferSize is the size of the buffered reader over the socket:
// response headers and small responses are read from it without a system
// call each, and reads larger than it go straight into the destination.
const ReadBufferSize = 256 << 10

// Conn is one connection to a broker that sends a request and reads its
// response, one at a time. It is not safe for concurrent use, with one
// exception that pipelining relies on: one goroutine may send requests
// (StartRequest, SendRequest, SendBuffers) while another receives their
// responses in order (Receive, ReceiveInto).
//
// Requests are encoded into one buffer reused for the life of the Conn and
// sent with one Write; responses are read through a bufio.Reader of
// ReadBufferSize into a frame buffer also reused.
type Conn struct {
	nc       net.Conn
	br       *bufio.Reader
	clientID wire.NullString
	corr     int32
	// MaxFrame bounds the size of a response frame (DefaultMaxFrame if 0).
	MaxFrame int
	wbuf     []byte
	rbuf     []byte
	stage    []byte // writeStaged's buffer
	// inflight counts requests sent whose responses are not read yet;
	// broken is set when the stream has lost step with the broker.
	inflight atomic.Int32
	broken   atomic.Bool
	size     [4]byte
	// versions holds the broker's API ranges once Negotiate has run.
	versions   wire.Versions
	negotiated bool
	apiResp    wire.ApiVersionsResponse
	// auth is the SASL session, once Authenticate has succeeded.
	auth *session
}

// NewConn wraps nc. clientID is sent in every request header (null if empty).
func NewConn(nc net.Conn, clientID string) *Conn {
	c := &Conn{nc: nc, br: bufio.NewReaderSize(nc, ReadBufferSize)}
	if clientID != "" {
		c.clientID = wire.NewNullString(clientID)
	}
	return c
}

// Dial connects to addr over TCP, bounded by ctx.
func Dial(ctx context.Context, addr, clientID string) (*Conn, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return NewConn(nc, clientID), nil
}

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// Send writes one request frame and returns its correlation id.
func (c *Conn) Send(key, version int16, req wire.Message) (int32, error) {
	buf := c.StartRequest(key, version)
	return c.SendRequest(req.AppendTo(buf, version))
}

// StartRequest begins a request of key at version in the Conn's write
// buffer: it returns the buffer holding the frame size slot and the request
// header, for the caller to append the body to (encoding records straight
// into it, for instance) and hand to SendRequest. The buffer belongs to the
// Conn; it is valid until SendRequest.
func (c *Conn) StartRequest(key, version int16) []byte {
	c.corr++
	buf, _ := wire.AppendRequestHeader(c.wbuf[:0], key, version, c.corr, c.clientID, wire.IsFlexible(key, version))
	return buf
}

// SendRequest backfills the frame size of buf (begun by StartRequest, body
// appended) and writes it in one call. It keeps buf's capacity for the next
// request and returns the request's correlation id.
func (c *Conn) SendRequest(buf []byte) (int32, error) {
	wire.FinishFrame(buf, 0)
	c.wbuf = buf[:0]
	n, err := c.nc.Write(buf)
	c.sent(int64(n), err)
	return c.corr, err
}

// SendBuffers writes one request frame made of bufs, in order, with one
// vectored write where the connection supports it: bufs[0] must begin with
// the frame size slot and the request header (as StartRequest returned
// them, body appended), and the other buffers continue the body, for
// example record batches held elsewhere that need no copy. It backfills the
// frame size and returns the request's correlation id. bufs is consumed
// (net.Buffers.WriteTo empties it); the bytes it references are only read,
// during the call. bufs[0]'s capacity is kept for the next request when it
// is the buffer StartRequest returned.
func (c *Conn) SendBuffers(bufs *net.Buffers) (int32, error) {
	total := 0
	for _, b := range *bufs {
		total += len(b)
	}
	first := (*bufs)[0]
	binary.BigEndian.PutUint32(first, uint32(total-4))
	c.wbuf = first[:0]
	var n int64
	var err error
	if c.vectored() {
		n, err = bufs.WriteTo(c.nc)
	} else {
		n, err = c.writeStaged(bufs)
	}
	c.sent(n, err)
	return c.corr, err
}

// vectored reports whether the connection writes net.Buffers with one
// system call (writev): TCP and Unix sockets do. Over anything else (TLS,
// or a wrapper of the application's DialFunc) net.Buffers writes buffer
// by buffer, and each write of a tls.Conn is at least one TLS record.
func (c *Conn) vectored() bool {
	switch c.nc.(type) {
	case *net.TCPConn, *net.UnixConn:
		return true
	}
	return false
}

// stageMax bounds the staging buffer of writeStaged.
const stageMax = 1 << 20

// writeStaged writes bufs through the Conn's staging buffer: one Write per
// request up to stageMax bytes (one per stageMax beyond), so that a
// request over TLS travels in as few full records as its size allows
// rather than one per buffer. It empties bufs as net.Buffers.WriteTo does.
func (c *Conn) writeStaged(bufs *net.Buffers) (int64, error) {
	var written int64
	for len(*bufs) > 0 {
		stage := c.stage[:0]
		for len(*bufs) > 0 {
			b := (*bufs)[0]
			room := stageMax - len(stage)
			if room == 0 {
				break
			}
			if len(b) > room {
				stage = append(stage, b[:room]...)
				(*bufs)[0] = b[room:]
				break
			}
			stage = append(stage, b...)
			*bufs = (*bufs)[1:]
		}
		c.stage = stage[:0]
		n, err := c.nc.Write(stage)
		written += int64(n)
		if err != nil {
			*bufs = (*bufs)[:0]
			return written, err
		}
	}
	return written, nil
}

// sent accounts for a request write that wrote n bytes: in flight when it
// succeeded; otherwise the Conn is broken if part of the frame went out
// (the broker would read garbage next) or the error is not a timeout (a
// reset or closed connection will not carry another request). Only a write
// that timed out before sending anything leaves the Conn usable.
func (c *Conn) sent(n int64, err error) {
	if err == nil {
		c.inflight.Add(1)
		return
	}
	if n > 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		c.broken.Store(true)
	}
}

// Usable reports whether the Conn is in step with the broker: no request
// is awaiting its response and no error has left a frame half written or
// half read, nor a response undecodable. After an error of Send, Receive,
// ReceiveInto or Exchange, a Conn that is not Usable must be closed; a
// Conn that is (a Write that timed out before sending anything, a Kafka
// error code) may be used again.
func (c *Conn) Usable() bool { return !c.broken.Load() && c.inflight.Load() == 0 }

// Receive reads the next response frame, checks that it answers corr, and
// returns its body (after the response header). The body aliases the
// connection's read buffer and is valid until the next call to Receive.
func (c *Conn) Receive(corr int32, key, version int16) ([]byte, error) {
	frame, err := c.readFrame()
	if err != nil {
		c.broken.Store(true)
		return nil, err
	}
	return c.body(frame, corr, key, version)
}

// ReceiveOwned reads the response to corr into memory the caller owns:
// once the frame's size n is known, alloc(n) must return a slice of length
// n, into which the frame is read. It returns the body (after the response
// header), a sub-slice of that memory, which stays the caller's: the Conn
// keeps no reference to it.
func (c *Conn) ReceiveOwned(corr int32, key, version int16, alloc func(n int) []byte) ([]byte, error) {
	n, err := c.readSize()
	if err != nil {
		c.broken.Store(true)
		return nil, err
	}
	frame := alloc(n)
	if _, err := io.ReadFull(c.br, frame); err != nil {
		c.broken.Store(true)
		return nil, err
	}
	return c.body(frame, corr, key, version)
}

// body checks that frame, just read, answers corr, and returns what
// follows its response header.
func (c *Conn) body(frame []byte, corr int32, key, version int16) ([]byte, error) {
	c.inflight.Add(-1)
	r := wire.NewReader(frame)
	got := r.ReadResponseHeader(wire.ResponseHeaderFlexible(key, version))
	if err := r.Err(); err != nil {
		c.broken.Store(true)
		return nil, err
	}
	if got != corr {
		c.broken.Store(true)
		return nil, fmt.Errorf("%w: got %d, want %d", ErrCorrelation, got, corr)
	}
	return r.Remaining(), nil
}

// ReceiveFrame reads the next response frame whole (header included, size
// excluded). It aliases the read buffer until the next Receive.
func (c *Conn) ReceiveFrame() ([]byte, error) { return c.readFrame() }

func (c *Conn) readFrame() ([]byte, error) {
	n, err := c.readSize()
	if err != nil {
		return nil, err
	}
	if cap(c.rbuf) < n {
		c.rbuf = make([]byte, n)
	}
	c.rbuf = c.rbuf[:n]
	if _, err := io.ReadFull(c.br, c.rbuf); err != nil {
		return nil, err
	}
	return c.rbuf, nil
}

// readSize reads the next response frame's size and checks it against the
// limit (a forged size never makes the Conn allocate more).
func (c *Conn) readSize() (int, error) {
	// size is a field: a local array passed to io.ReadFull would escape.
	size := &c.size
	if _, err := io.ReadFull(c.br, size[:]); err != nil {
		return 0, err
	}
	n := int(int32(binary.BigEndian.Uint32(size[:])))
	limit := c.MaxFrame
	if limit <= 0 {
		limit = DefaultMaxFrame
	}
	if n < 4 || n > limit {
		if looksLikeTLS(size) {
			return 0, ErrTLSAnswer
		}
		return 0, fmt.Errorf("%w: %d bytes (limit %d)", ErrFrameTooLarge, n, limit)
	}
	return n, nil
}

// ErrTLSAnswer means the broker answered with a TLS record where a Kafka
// response was due: the listener takes TLS, and the client did not use it.
// The connection is unusable afterwards.
var ErrTLSAnswer = errors.New("kafka: the broker answered with TLS, so its listener takes TLS connections: set Dialer.TLS or Transport.TLS")

// looksLikeTLS reports whether the 4 bytes read as a frame size are the
// start of a TLS record: content type 20 to 24 (an alert, 21, when a TLS
// server reads a plaintext request), then version 3.x.
func looksLikeTLS(b *[4]byte) bool {
	return b[0] >= 20 && b[0] <= 24 && b[1] == 3 && b[2] <= 4
}

// RoundTrip sends req and decodes the response into resp, bounded by ctx's
// deadline if it has one.
func (c *Conn) RoundTrip(ctx context.Context, version int16, req, resp wire.Message) error {
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(dl)
		defer c.nc.SetDeadline(time.Time{})
	}
	return c.Exchange(version, req, resp)
}

// Exchange sends req and decodes the response into resp, under whatever
// deadlines the underlying net.Conn has. Byte-slice fields of resp alias the
// read buffer until the next exchange.
//
// After an error the caller checks Usable: most errors leave the byte stream
// out of step (a response half read or still on its way) and the Conn must
// then be closed. Kafka error codes inside a decoded response are not errors
// here.
func (c *Conn) Exchange(version int16, req, resp wire.Message) error {
	corr, err := c.Send(req.Key(), version, req)
	if err != nil {
		return err
	}
	return c.ReceiveInto(corr, version, resp)
}

// AwaitResponse blocks until the next response has begun to arrive (a byte
// of it is buffered), the connection fails or its read deadline passes. It
// consumes nothing: the next Receive reads the response whole. A reader
// with nothing in flight waits here instead of on its own queue, so that
// an answer wakes it directly.
func (c *Conn) AwaitResponse() error {
	_, err := c.br.Peek(1)
	return err
}

// AwaitFrame blocks until the next response frame is buffered whole (or
// as much of it as the buffer holds: whole reports which), the connection
// fails or its read deadline passes. Like AwaitResponse it consumes
// nothing, and after a timeout it may be called again: what arrived stays
// buffered. A caller that must give up on a context waits here in slices,
// leaving the connection in step with the broker whenever it stops.
func (c *Conn) AwaitFrame() (whole bool, err error) {
	head, err := c.br.Peek(4)
	if err != nil {
		return false, err
	}
	n := 4 + int(binary.BigEndian.Uint32(head))
	if n < 4 || n > c.br.Size() {
		return false, nil // too large to buffer (or invalid): Receive says
	}
	_, err = c.br.Peek(n)
	return err == nil, err
}

// ReceiveInto reads the response to the request sent as corr and decodes it
// into resp; a response that does not decode leaves the Conn unusable.
// Byte-slice fields of resp alias the read buffer until the next Receive.
// Requests sent one after another may be received in turn (pipelining).
func (c *Conn) ReceiveInto(corr int32, version int16, resp wire.Message) error {
	body, err := c.Receive(corr, resp.Key(), version)
	if err != nil {
		return err
	}
	if err := resp.DecodeFrom(body, version); err != nil {
		c.broken.Store(true)
		return err
	}
	return nil
}

// ReceiveStream reads the size and header of the response to corr and
// leaves its body in the socket: it returns the buffered reader positioned
// at the body and the body's length. The caller reads exactly that many
// bytes from the reader (no more: what follows belongs to the next
// response), then calls EndStream. Until then the Conn must not be used
// for anything else.
func (c *Conn) ReceiveStream(corr int32, key, version int16) (*bufio.Reader, int, error) {
	n, err := c.readSize()
	if err != nil {
		c.broken.Store(true)
		return nil, 0, err
	}
	size := &c.size
	c.inflight.Add(-1)
	c.broken.Store(true) // until EndStream says the body was consumed
	if _, err := io.ReadFull(c.br, size[:]); err != nil {
		return nil, 0, err
	}
	got := int32(uint32(size[0])<<24 | uint32(size[1])<<16 | uint32(size[2])<<8 | uint32(size[3]))
	if got != corr {
		return nil, 0, fmt.Errorf("%w: got %d, want %d", ErrCorrelation, got, corr)
	}
	n -= 4
	if wire.ResponseHeaderFlexible(key, version) {
		// Header tags: a count, then tag, size and data each; every byte
		// is counted against the frame.
		tags, k, err := readUvarint(c.br)
		if err != nil {
			return nil, 0, err
		}
		n -= k
		for ; tags > 0 && n >= 0; tags-- {
			if _, k, err = readUvarint(c.br); err != nil {
				return nil, 0, err
			}
			n -= k
			sz, k, err := readUvarint(c.br)
			if err != nil {
				return nil, 0, err
			}
			n -= k
			if int64(sz) > int64(n) {
				return nil, 0, wire.ErrInvalidLength
			}
			if _, err := c.br.Discard(int(sz)); err != nil {
				return nil, 0, err
			}
			n -= int(sz)
		}
		if n < 0 {
			return nil, 0, wire.ErrTruncated
		}
	}
	return c.br, n, nil
}

// EndStream ends a response read with ReceiveStream: consumed reports that
// exactly its body was read, leaving the Conn in step with the broker.
func (c *Conn) EndStream(consumed bool) {
	if consumed {
		c.broken.Store(false)
	}
}

// readUvarint reads an unsigned varint of at most 5 bytes from br and
// returns it with its width.
func readUvarint(br *bufio.Reader) (uint32, int, error) {
	var v uint32
	for i := 0; i < 5; i++ {
		b, err := br.ReadByte()
		if err != nil {
			return 0, i, err
		}
		v |= uint32(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, i + 1, nil
		}
	}
	return 0, 5, wire.ErrVarintOverflow
}
