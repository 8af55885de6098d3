package scram

import (
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

const (
	testUser     = "user"
	testPassword = "pencil"
)

// TestRFC7677Vector runs the SCRAM-SHA-256 exchange of RFC 7677, section 3,
// with its client nonce: client-final and the check of server-final must
// match the RFC's bytes.
func TestRFC7677Vector(t *testing.T) {
	m, err := Mechanism(SHA256, testUser, testPassword)
	if err != nil {
		t.Fatal(err)
	}
	s, first := m.(*mechanism).start("rOprNGfwEbeRWgbNEkqO")
	if got, want := string(first), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"; got != want {
		t.Fatalf("client-first %q, want %q", got, want)
	}
	ctx := context.Background()
	done, final, err := s.Next(ctx, []byte("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
	if err != nil || done {
		t.Fatalf("server-first: done %v, err %v", done, err)
	}
	if got, want := string(final), "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="; got != want {
		t.Fatalf("client-final %q, want %q", got, want)
	}
	done, _, err = s.Next(ctx, []byte("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
	if err != nil || !done {
		t.Fatalf("server-final: done %v, err %v", done, err)
	}
}

// server is an honest SCRAM server of one user (RFC 5802, section 3),
// whose messages the hostile tests spoil.
type server struct {
	algo       Algorithm
	salt       []byte
	iters      int
	storedKey  []byte
	serverKey  []byte
	nonce      string // the full nonce (client's + server's)
	clientBare string
	first      string
}

func newServer(t *testing.T, algo Algorithm, password string, iters int) *server {
	t.Helper()
	salt := []byte("some salt of the server")
	salted, err := pbkdf2.Key(algo.Hash, password, salt, iters, algo.Hash().Size())
	if err != nil {
		t.Fatal(err)
	}
	h := algo.Hash
	clientKey := mac(h, salted, []byte("Client Key"))
	sk := h()
	sk.Write(clientKey)
	return &server{algo: algo, salt: salt, iters: iters, storedKey: sk.Sum(nil), serverKey: mac(h, salted, []byte("Server Key"))}
}

// serverFirst answers client-first.
func (s *server) serverFirst(t *testing.T, clientFirst []byte) string {
	t.Helper()
	bare, ok := strings.CutPrefix(string(clientFirst), "n,,")
	if !ok {
		t.Fatalf("client-first %q lacks the gs2 header", clientFirst)
	}
	attrs, err := parse(bare)
	if err != nil || len(attrs) != 2 || attrs[1].name != 'r' {
		t.Fatalf("client-first %q: %v", clientFirst, err)
	}
	s.clientBare = bare
	s.nonce = attrs[1].value + "server-part"
	s.first = "r=" + s.nonce + ",s=" + base64.StdEncoding.EncodeToString(s.salt) + ",i=" + strconv.Itoa(s.iters)
	return s.first
}

// serverFinal checks client-final's proof and answers it.
func (s *server) serverFinal(t *testing.T, clientFinal []byte) (string, error) {
	t.Helper()
	msg := string(clientFinal)
	i := strings.LastIndex(msg, ",p=")
	if i < 0 {
		t.Fatalf("client-final %q has no proof", msg)
	}
	authMessage := []byte(s.clientBare + "," + s.first + "," + msg[:i])
	proof, err := base64.StdEncoding.DecodeString(msg[i+3:])
	if err != nil {
		t.Fatal(err)
	}
	h := s.algo.Hash
	sig := mac(h, s.storedKey, authMessage)
	for j := range proof {
		proof[j] ^= sig[j]
	}
	k := h()
	k.Write(proof)
	if !hmac.Equal(k.Sum(nil), s.storedKey) {
		return "e=invalid-proof", errors.New("invalid proof")
	}
	return "v=" + base64.StdEncoding.EncodeToString(mac(h, s.serverKey, authMessage)), nil
}

// TestExchangeWithServer runs whole exchanges against the in-test server
// for both algorithms, a user name to escape, and the iteration bounds.
func TestExchangeWithServer(t *testing.T) {
	for _, algo := range []Algorithm{SHA256, SHA512} {
		for _, iters := range []int{MinIterations, 8192, MaxIterations} {
			t.Run(fmt.Sprintf("%s/%d", algo.Name(), iters), func(t *testing.T) {
				m, err := Mechanism(algo, "a,b=c", "pässword")
				if err != nil {
					t.Fatal(err)
				}
				srv := newServer(t, algo, "pässword", iters)
				for round := 0; round < 2; round++ { // the second from the key cache
					sess, first, err := m.Start(context.Background())
					if err != nil {
						t.Fatal(err)
					}
					if !strings.Contains(string(first), "n=a=2Cb=3Dc,") {
						t.Fatalf("client-first %q: the user name is not escaped", first)
					}
					_, final, err := sess.Next(context.Background(), []byte(srv.serverFirst(t, first)))
					if err != nil {
						t.Fatal(err)
					}
					last, err := srv.serverFinal(t, final)
					if err != nil {
						t.Fatalf("round %d: the server refused the proof: %v", round, err)
					}
					if done, _, err := sess.Next(context.Background(), []byte(last)); !done || err != nil {
						t.Fatalf("round %d: server-final: done %v, %v", round, done, err)
					}
				}
			})
		}
	}
}

// TestHostileServer spoils the honest server's messages: every spoilt one
// is refused with the error that says why, and no error shows the password.
func TestHostileServer(t *testing.T) {
	const password = "the-password-1234"
	for _, tc := range []struct {
		name  string
		first func(s *server, ours string) string // server-first from the honest one
		final func(s *server, ours string) string // server-final, nil: honest
		want  error
	}{
		{"nonce not extending ours", func(s *server, ours string) string {
			return strings.Replace(ours, "r="+s.nonce, "r=someone-elses-nonce-entirely", 1)
		}, nil, ErrNonce},
		{"nonce equal to ours", func(s *server, ours string) string {
			return strings.Replace(ours, "server-part", "", 1)
		}, nil, ErrNonce},
		{"nonce a prefix of ours", func(s *server, ours string) string {
			return strings.Replace(ours, "r="+s.nonce, "r="+s.nonce[:5], 1)
		}, nil, ErrNonce},
		{"too few iterations", func(s *server, ours string) string {
			return strings.Replace(ours, "i=4096", "i=4095", 1)
		}, nil, ErrIterations},
		{"too many iterations", func(s *server, ours string) string {
			return strings.Replace(ours, "i=4096", "i=16385", 1)
		}, nil, ErrIterations},
		{"a billion iterations", func(s *server, ours string) string {
			return strings.Replace(ours, "i=4096", "i=1000000000", 1)
		}, nil, ErrIterations},
		{"negative iterations", func(s *server, ours string) string {
			return strings.Replace(ours, "i=4096", "i=-4096", 1)
		}, nil, ErrIterations},
		{"iterations not a number", func(s *server, ours string) string {
			return strings.Replace(ours, "i=4096", "i=4k", 1)
		}, nil, ErrMalformed},
		{"iteration count overflowing", func(s *server, ours string) string {
			return strings.Replace(ours, "i=4096", "i=99999999999999999999999", 1)
		}, nil, ErrMalformed},
		{"empty", func(s *server, ours string) string { return "" }, nil, ErrMalformed},
		{"no attributes", func(s *server, ours string) string { return "garbage" }, nil, ErrMalformed},
		{"attributes out of order", func(s *server, ours string) string {
			p := strings.Split(ours, ",")
			return p[1] + "," + p[0] + "," + p[2]
		}, nil, ErrMalformed},
		{"no iteration count", func(s *server, ours string) string {
			return ours[:strings.LastIndex(ours, ",")]
		}, nil, ErrMalformed},
		{"mandatory extension", func(s *server, ours string) string { return "m=magic," + ours }, nil, ErrMalformed},
		{"salt not base64", func(s *server, ours string) string {
			return strings.Replace(ours, ",s=", ",s=!!", 1)
		}, nil, ErrMalformed},
		{"empty salt", func(s *server, ours string) string {
			p := strings.Split(ours, ",")
			return p[0] + ",s=," + p[2]
		}, nil, ErrMalformed},
		{"binary", func(s *server, ours string) string { return "\x00\xff\x01,=,\x80" }, nil, ErrMalformed},
		{"server error first", func(s *server, ours string) string { return "e=unknown-user" }, nil, ErrServerError},
		{"wrong server signature", nil, func(s *server, ours string) string {
			sig, _ := base64.StdEncoding.DecodeString(ours[2:])
			sig[0] ^= 1
			return "v=" + base64.StdEncoding.EncodeToString(sig)
		}, ErrServerSignature},
		{"short server signature", nil, func(s *server, ours string) string { return ours[:10] + "==" }, ErrMalformed},
		{"empty server signature", nil, func(s *server, ours string) string { return "v=" }, ErrServerSignature},
		{"server-final without v", nil, func(s *server, ours string) string { return "x=" + ours[2:] }, ErrMalformed},
		{"server-final empty", nil, func(s *server, ours string) string { return "" }, ErrMalformed},
		{"server error last", nil, func(s *server, ours string) string { return "e=other-error" }, ErrServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Mechanism(SHA256, testUser, password)
			if err != nil {
				t.Fatal(err)
			}
			srv := newServer(t, SHA256, password, MinIterations)
			sess, cf, err := m.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sf := srv.serverFirst(t, cf)
			if tc.first != nil {
				sf = tc.first(srv, sf)
			}
			_, final, err := sess.Next(context.Background(), []byte(sf))
			if tc.final == nil {
				checkRefused(t, err, tc.want, password)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			last, err := srv.serverFinal(t, final)
			if err != nil {
				t.Fatal(err)
			}
			done, _, err := sess.Next(context.Background(), []byte(tc.final(srv, last)))
			if done && err == nil {
				t.Fatal("the spoilt server-final was accepted")
			}
			checkRefused(t, err, tc.want, password)
		})
	}
}

func checkRefused(t *testing.T, err, want error, password string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if strings.Contains(err.Error(), password) {
		t.Fatalf("the error shows the password: %v", err)
	}
}

// TestFormatHidesPassword formats the mechanism with every usual verb.
func TestFormatHidesPassword(t *testing.T) {
	const password = "hunter2-very-secret"
	m, err := Mechanism(SHA512, "alice", password)
	if err != nil {
		t.Fatal(err)
	}
	// Derive a key so the cached salted password is there too.
	srv := newServer(t, SHA512, password, MinIterations)
	sess, cf, _ := m.Start(context.Background())
	if _, _, err := sess.Next(context.Background(), []byte(srv.serverFirst(t, cf))); err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		for _, v := range []any{m, sess, struct{ M any }{m}} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, password) || strings.Contains(out, fmt.Sprintf("%x", password)) {
				t.Errorf("%s of %T shows the password: %s", verb, v, out)
			}
		}
	}
}

func TestMechanismName(t *testing.T) {
	for _, algo := range []Algorithm{SHA256, SHA512} {
		m, err := Mechanism(algo, "u", "p")
		if err != nil || m.Name() != algo.Name() {
			t.Errorf("Mechanism(%s): name %q, err %v", algo.Name(), m.Name(), err)
		}
	}
	if _, err := Mechanism(nil, "u", "p"); err == nil {
		t.Error("Mechanism(nil, ...) succeeded")
	}
}
