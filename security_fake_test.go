package kafka

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/sasl/scram"
	"github.com/zeroalloc/kafka/wire"
)

// hostileSCRAM is an in-test fake broker that speaks just enough Kafka
// (ApiVersions, SaslHandshake, SaslAuthenticate) to play a hostile SCRAM
// server: first makes server-first from client-first, final (when set)
// makes server-final; a nil first never answers the first SaslAuthenticate.
// Real brokers do not misbehave so, hence the fake, in addition to the
// tests against real listeners.
func hostileSCRAM(t *testing.T, first func(clientFirst string) string, final func() string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			go serveHostile(nc, first, final)
		}
	}()
	return ln.Addr().String()
}

func serveHostile(nc net.Conn, first func(string) string, final func() string) {
	defer nc.Close()
	steps := 0
	for {
		var size [4]byte
		if _, err := io.ReadFull(nc, size[:]); err != nil {
			return
		}
		body := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(nc, body); err != nil {
			return
		}
		r := wire.NewReader(body)
		var h wire.RequestHeader
		r.ReadRequestHeader(&h, wire.IsFlexible)
		var resp wire.Message
		switch h.APIKey {
		case wire.KeyApiVersions:
			resp = &wire.ApiVersionsResponse{ApiKeys: []wire.ApiVersionsResponseKey{
				{ApiKey: wire.KeyApiVersions, MaxVersion: h.APIVersion},
				{ApiKey: wire.KeySaslHandshake, MaxVersion: 1},
				{ApiKey: wire.KeySaslAuthenticate, MaxVersion: 1},
			}}
		case wire.KeySaslHandshake:
			resp = &wire.SaslHandshakeResponse{Mechanisms: []string{"SCRAM-SHA-256"}}
		case wire.KeySaslAuthenticate:
			var req wire.SaslAuthenticateRequest
			if req.DecodeFrom(r.Remaining(), h.APIVersion) != nil {
				return
			}
			steps++
			var msg string
			switch {
			case steps == 1 && first == nil:
				io.Copy(io.Discard, nc) // silent until the client hangs up
				return
			case steps == 1:
				msg = first(string(req.AuthBytes))
			case final != nil:
				msg = final()
			}
			resp = &wire.SaslAuthenticateResponse{AuthBytes: []byte(msg)}
		default:
			return
		}
		out, start := wire.AppendResponseHeader(nil, h.CorrelationID, wire.ResponseHeaderFlexible(h.APIKey, h.APIVersion))
		out = resp.AppendTo(out, h.APIVersion)
		wire.FinishFrame(out, start)
		if _, err := nc.Write(out); err != nil {
			return
		}
	}
}

// serverFirst returns a well-formed server-first extending the client's
// nonce, with iters iterations.
func serverFirst(clientFirst, iters string) string {
	nonce := clientFirst[strings.LastIndex(clientFirst, "r=")+2:]
	return "r=" + nonce + "srv,s=" + base64.StdEncoding.EncodeToString([]byte("salt")) + ",i=" + iters
}

// TestHostileSCRAMServer dials the fake hostile broker: every misbehaviour
// fails the dial with the error that names it, within the dial timeout, and
// a server that never answers fails it at the timeout.
func TestHostileSCRAMServer(t *testing.T) {
	const password = "hostile-test-password"
	mech, err := scram.Mechanism(scram.SHA256, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	badSignature := "v=" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	for _, tc := range []struct {
		name  string
		first func(string) string
		final func() string
		want  error
	}{
		{"nonce not extending ours", func(string) string {
			return "r=fresh-server-nonce,s=c2FsdA==,i=4096"
		}, nil, scram.ErrNonce},
		{"too few iterations", func(cf string) string { return serverFirst(cf, "1") }, nil, scram.ErrIterations},
		{"too many iterations", func(cf string) string { return serverFirst(cf, "100000000") }, nil, scram.ErrIterations},
		{"malformed server-first", func(string) string { return "hello, client" }, nil, scram.ErrMalformed},
		{"huge server-first", func(string) string { return strings.Repeat("r", 1<<20) }, nil, scram.ErrMalformed},
		{"wrong server signature", func(cf string) string { return serverFirst(cf, "4096") },
			func() string { return badSignature }, scram.ErrServerSignature},
		{"malformed server-final", func(cf string) string { return serverFirst(cf, "4096") },
			func() string { return "v" }, scram.ErrMalformed},
		{"silent server", nil, nil, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := hostileSCRAM(t, tc.first, tc.final)
			const timeout = 2 * time.Second
			d := &Dialer{Timeout: timeout, SASLMechanism: mech}
			start := time.Now()
			c, err := d.Dial("tcp", addr)
			took := time.Since(start)
			if c != nil {
				c.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if took > timeout+time.Second {
				t.Errorf("the dial took %v, timeout %v", took, timeout)
			}
			checkNoSecret(t, "the error", err.Error(), password)
		})
	}
}
