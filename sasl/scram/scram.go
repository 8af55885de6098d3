// Package scram is the SASL SCRAM-SHA-256 and SCRAM-SHA-512 mechanisms
// (RFC 5802, RFC 7677), with kafka-go's API:
//
//	mech, err := scram.Mechanism(scram.SHA512, "alice", "secret")
//	dialer := &kafka.Dialer{SASLMechanism: mech}
//
// The password never travels: the client proves it knows it, and the
// server proves it knows the user's stored keys. It is built on the
// standard library alone (crypto/pbkdf2, crypto/hmac, crypto/sha256,
// crypto/sha512).
//
// As Kafka's own Java client does, the password is used as its UTF-8
// bytes, without SASLprep normalization, so credentials made with Kafka's
// tools match byte for byte (kafka-go normalizes; the two differ only for
// passwords that SASLprep changes).
package scram

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"sync"

	"github.com/zeroalloc/kafka/sasl"
)

// Algorithm determines the hash function that SCRAM uses to protect the
// user's credentials.
type Algorithm interface {
	// Name returns the mechanism's name, e.g. "SCRAM-SHA-256".
	Name() string
	// Hash returns a new hash.Hash.
	Hash() hash.Hash
}

type algorithm struct {
	name string
	hash func() hash.Hash
}

func (a algorithm) Name() string    { return a.name }
func (a algorithm) Hash() hash.Hash { return a.hash() }

// The algorithms Kafka brokers support.
var (
	SHA256 Algorithm = algorithm{"SCRAM-SHA-256", sha256.New}
	SHA512 Algorithm = algorithm{"SCRAM-SHA-512", sha512.New}
)

// Iteration counts the client accepts from a server: Kafka's own bounds
// (credentials are made with 4,096 iterations by default). A server asking
// for fewer weakens the exchange; one asking for many more makes the
// client burn CPU.
const (
	MinIterations = 4096
	MaxIterations = 16384
)

// Errors of a server message the client rejects; the error returned wraps
// one of them (errors.Is) and says what was wrong.
var (
	// ErrMalformed means a server message does not follow RFC 5802.
	ErrMalformed = errors.New("scram: malformed server message")
	// ErrNonce means the server's nonce does not extend the client's.
	ErrNonce = errors.New("scram: the server's nonce does not extend the client's")
	// ErrIterations means the server asked for an iteration count outside
	// MinIterations..MaxIterations.
	ErrIterations = errors.New("scram: iteration count out of range")
	// ErrServerSignature means the server's final message does not prove
	// that it knows the user's credentials.
	ErrServerSignature = errors.New("scram: wrong server signature")
	// ErrServerError means the server ended the exchange with an error
	// (e=...); the error returned carries the server's value.
	ErrServerError = errors.New("scram: the server reported an error")
)

// mechanism is one user's SCRAM credentials. The salted password of the
// last salt and iteration count seen is kept, so that reconnecting and
// re-authenticating do not run the key derivation again.
type mechanism struct {
	algo     Algorithm
	username string
	password string

	mu    sync.Mutex
	salt  []byte
	iters int
	key   []byte // the salted password of salt and iters
}

// Mechanism returns a SASL mechanism that authenticates username with
// password using SCRAM with algo. Formatting it with fmt never shows the
// password.
func Mechanism(algo Algorithm, username, password string) (sasl.Mechanism, error) {
	if algo == nil {
		return nil, errors.New("scram: no algorithm (want scram.SHA256 or scram.SHA512)")
	}
	return &mechanism{algo: algo, username: username, password: password}, nil
}

func (m *mechanism) Name() string { return m.algo.Name() }

// Format prints the mechanism's name and user, never its password.
func (m *mechanism) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "%s(user %q)", m.algo.Name(), m.username)
}

// Start returns the client-first message: no channel binding, no
// authorization identity, the user name and a fresh random nonce.
func (m *mechanism) Start(ctx context.Context) (sasl.StateMachine, []byte, error) {
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, nil, err
	}
	s, first := m.start(base64.RawStdEncoding.EncodeToString(raw[:]))
	return s, first, nil
}

// start begins an exchange with the client nonce given.
func (m *mechanism) start(nonce string) (*session, []byte) {
	s := &session{m: m, nonce: nonce}
	s.clientFirstBare = "n=" + escapeName(m.username) + ",r=" + nonce
	return s, []byte(gs2Header + s.clientFirstBare)
}

// gs2Header says: no channel binding, no authorization identity.
const gs2Header = "n,,"

// escapeName escapes ',' and '=' in a user name (RFC 5802, saslname).
func escapeName(s string) string {
	if !strings.ContainsAny(s, ",=") {
		return s
	}
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// session is one exchange: client-first sent, then server-first answered
// with client-final, then server-final checked.
type session struct {
	m               *mechanism
	nonce           string
	clientFirstBare string
	serverSignature []byte // expected in server-final, once client-final is sent
}

// Format prints the exchange's mechanism, never its keys.
func (s *session) Format(f fmt.State, verb rune) { s.m.Format(f, verb) }

func (s *session) Next(ctx context.Context, challenge []byte) (bool, []byte, error) {
	if s.serverSignature == nil {
		resp, err := s.clientFinal(challenge)
		return false, resp, err
	}
	return true, nil, s.checkServerFinal(challenge)
}

// clientFinal checks the server-first message and returns client-final,
// which carries the client's proof.
func (s *session) clientFinal(serverFirst []byte) ([]byte, error) {
	msg := string(serverFirst)
	attrs, err := parse(msg)
	if err != nil {
		return nil, err
	}
	if len(attrs) > 0 && attrs[0].name == 'e' {
		return nil, fmt.Errorf("%w: %.100q", ErrServerError, attrs[0].value)
	}
	if len(attrs) < 3 || attrs[0].name != 'r' || attrs[1].name != 's' || attrs[2].name != 'i' {
		if len(attrs) > 0 && attrs[0].name == 'm' {
			return nil, fmt.Errorf("%w: the server requires an extension (m=) this client does not know", ErrMalformed)
		}
		return nil, fmt.Errorf("%w: server-first wants r=, s=, i= in this order: %.100q", ErrMalformed, msg)
	}
	nonce := attrs[0].value
	if len(nonce) <= len(s.nonce) || !strings.HasPrefix(nonce, s.nonce) {
		return nil, ErrNonce
	}
	salt, err := base64.StdEncoding.DecodeString(attrs[1].value)
	if err != nil || len(salt) == 0 {
		return nil, fmt.Errorf("%w: the salt is not base64 or is empty: %.100q", ErrMalformed, attrs[1].value)
	}
	iters, err := strconv.Atoi(attrs[2].value)
	if err != nil {
		return nil, fmt.Errorf("%w: the iteration count is not a number: %.100q", ErrMalformed, attrs[2].value)
	}
	if iters < MinIterations || iters > MaxIterations {
		return nil, fmt.Errorf("%w: the server asks for %d, the client takes %d to %d", ErrIterations, iters, MinIterations, MaxIterations)
	}
	salted, err := s.m.saltedPassword(salt, iters)
	if err != nil {
		return nil, err
	}
	withoutProof := "c=" + base64.StdEncoding.EncodeToString([]byte(gs2Header)) + ",r=" + nonce
	authMessage := []byte(s.clientFirstBare + "," + msg + "," + withoutProof)
	h := s.m.algo.Hash
	clientKey := mac(h, salted, []byte("Client Key"))
	storedKey := h()
	storedKey.Write(clientKey)
	proof := mac(h, storedKey.Sum(nil), authMessage)
	for i := range proof {
		proof[i] ^= clientKey[i]
	}
	s.serverSignature = mac(h, mac(h, salted, []byte("Server Key")), authMessage)
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

// checkServerFinal checks that server-final carries the server signature
// expected.
func (s *session) checkServerFinal(serverFinal []byte) error {
	attrs, err := parse(string(serverFinal))
	if err != nil {
		return err
	}
	if len(attrs) == 0 {
		return fmt.Errorf("%w: empty server-final", ErrMalformed)
	}
	switch attrs[0].name {
	case 'e':
		return fmt.Errorf("%w: %.100q", ErrServerError, attrs[0].value)
	case 'v':
	default:
		return fmt.Errorf("%w: server-final wants v= or e=: %.100q", ErrMalformed, serverFinal)
	}
	sig, err := base64.StdEncoding.DecodeString(attrs[0].value)
	if err != nil {
		return fmt.Errorf("%w: the server signature is not base64", ErrMalformed)
	}
	if !hmac.Equal(sig, s.serverSignature) {
		return ErrServerSignature
	}
	return nil
}

// saltedPassword returns Hi(password, salt, iters), from the cache when
// salt and iters are those of the last call.
func (m *mechanism) saltedPassword(salt []byte, iters int) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.key != nil && m.iters == iters && bytes.Equal(m.salt, salt) {
		return m.key, nil
	}
	key, err := pbkdf2.Key(m.algo.Hash, m.password, salt, iters, m.algo.Hash().Size())
	if err != nil {
		return nil, fmt.Errorf("scram: deriving the salted password: %w", err)
	}
	m.salt, m.iters, m.key = append(m.salt[:0], salt...), iters, key
	return key, nil
}

func mac(h func() hash.Hash, key, msg []byte) []byte {
	m := hmac.New(h, key)
	m.Write(msg)
	return m.Sum(nil)
}

type attr struct {
	name  byte
	value string
}

// parse splits a server message into its attributes: a letter, '=', a
// value without ','.
func parse(msg string) ([]attr, error) {
	var attrs []attr
	for part := range strings.SplitSeq(msg, ",") {
		if len(part) < 2 || part[1] != '=' || !(part[0] >= 'a' && part[0] <= 'z' || part[0] >= 'A' && part[0] <= 'Z') {
			return nil, fmt.Errorf("%w: %.100q", ErrMalformed, msg)
		}
		attrs = append(attrs, attr{part[0], part[2:]})
	}
	return attrs, nil
}
