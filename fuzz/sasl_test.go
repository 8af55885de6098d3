package fuzz

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/zeroalloc/kafka/sasl/oauthbearer"
	"github.com/zeroalloc/kafka/sasl/scram"
)

// FuzzSCRAMServer plays a SCRAM server whose messages are the fuzzer's:
// NONCE in server-first stands for the client's nonce, so that the fuzzer
// reaches past the nonce check. No input may panic, be accepted as the
// server's proof, or draw the password into an error or a response.
func FuzzSCRAMServer(f *testing.F) {
	f.Add("r=NONCEabc,s=c2FsdA==,i=4096", "v=AAAA")
	f.Add("r=NONCEabc,s=c2FsdA==,i=16385", "v=")
	f.Add("r=NONCE,s=c2FsdA==,i=4096", "e=invalid-proof")
	f.Add("m=ext,r=NONCEx,s=c2FsdA==,i=4096", "")
	f.Add("r=NONCEx,s=,i=4096,x=ext", "v=AAAA,x=1")
	f.Add("e=unknown-user", "")
	const password = "fuzz-password-secret"
	f.Fuzz(func(t *testing.T, first, final string) {
		for _, algo := range []scram.Algorithm{scram.SHA256, scram.SHA512} {
			m, err := scram.Mechanism(algo, "u", password)
			if err != nil {
				t.Fatal(err)
			}
			sess, cf, err := m.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			nonce := string(cf[bytes.LastIndex(cf, []byte("r="))+2:])
			_, resp, err := sess.Next(context.Background(), []byte(strings.ReplaceAll(first, "NONCE", nonce)))
			if err != nil {
				if strings.Contains(err.Error(), password) {
					t.Fatalf("error shows the password: %v", err)
				}
				continue
			}
			if bytes.Contains(resp, []byte(password)) {
				t.Fatalf("client-final shows the password: %q", resp)
			}
			done, _, err := sess.Next(context.Background(), []byte(final))
			if err == nil && done {
				t.Fatalf("server-final %q accepted from a server without the user's keys", final)
			}
			if err != nil && strings.Contains(err.Error(), password) {
				t.Fatalf("error shows the password: %v", err)
			}
		}
	})
}

// FuzzOAuthBearerChallenge answers an OAUTHBEARER exchange with the
// fuzzer's challenges: no panic, no token in an error, never done on a
// non-empty challenge.
func FuzzOAuthBearerChallenge(f *testing.F) {
	f.Add([]byte(`{"status":"invalid_token"}`), []byte("x"))
	f.Add([]byte{}, []byte{})
	const token = "fuzz-token-secret"
	f.Fuzz(func(t *testing.T, c1, c2 []byte) {
		m := oauthbearer.Mechanism{TokenSource: oauthbearer.TokenSourceFunc(func(context.Context) (string, error) { return token, nil })}
		sess, _, err := m.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range [][]byte{c1, c2} {
			done, resp, err := sess.Next(context.Background(), c)
			if err != nil {
				if strings.Contains(err.Error(), token) {
					t.Fatalf("error shows the token: %v", err)
				}
				return
			}
			if done != (len(c) == 0) || bytes.Contains(resp, []byte(token)) {
				t.Fatalf("challenge %q: done %v, response %q", c, done, resp)
			}
			if done {
				return
			}
		}
	})
}
