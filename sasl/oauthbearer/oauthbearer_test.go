package oauthbearer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func staticToken(tok string) TokenSource {
	return TokenSourceFunc(func(context.Context) (string, error) { return tok, nil })
}

func TestStart(t *testing.T) {
	calls := 0
	m := Mechanism{
		TokenSource: TokenSourceFunc(func(context.Context) (string, error) {
			calls++
			return fmt.Sprintf("token%d", calls), nil
		}),
		Extensions: map[string]string{"zone": "eu 1", "logicalCluster": "lkc-1"},
	}
	for i := 1; i <= 2; i++ {
		sess, ir, err := m.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("n,,\x01auth=Bearer token%d\x01logicalCluster=lkc-1\x01zone=eu 1\x01\x01", i)
		if string(ir) != want {
			t.Fatalf("call %d: initial response %q, want %q", i, ir, want)
		}
		if done, _, err := sess.Next(context.Background(), nil); !done || err != nil {
			t.Fatalf("success: done %v, err %v", done, err)
		}
	}
	if calls != 2 {
		t.Fatalf("the token source was called %d times for two authentications", calls)
	}
}

// TestRefused follows RFC 7628's failure: the broker's JSON error is
// acknowledged with a lone 0x01, and a second challenge is an error.
func TestRefused(t *testing.T) {
	sess, _, err := Mechanism{TokenSource: staticToken("t")}.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done, resp, err := sess.Next(context.Background(), []byte(`{"status":"invalid_token"}`))
	if done || err != nil || string(resp) != "\x01" {
		t.Fatalf("JSON error: done %v, resp %q, err %v", done, resp, err)
	}
	if _, _, err := sess.Next(context.Background(), []byte("again")); err == nil {
		t.Fatal("a second challenge was accepted")
	}
}

func TestBadInput(t *testing.T) {
	srcErr := errors.New("no network")
	for _, tc := range []struct {
		name string
		m    Mechanism
		want error
	}{
		{"no source", Mechanism{}, ErrNoTokenSource},
		{"source fails", Mechanism{TokenSource: TokenSourceFunc(func(context.Context) (string, error) { return "", srcErr })}, srcErr},
		{"empty token", Mechanism{TokenSource: staticToken("")}, nil},
		{"token with a space", Mechanism{TokenSource: staticToken("a b")}, nil},
		{"reserved key", Mechanism{TokenSource: staticToken("t"), Extensions: map[string]string{"auth": "x"}}, nil},
		{"key with digits", Mechanism{TokenSource: staticToken("t"), Extensions: map[string]string{"k1": "x"}}, nil},
		{"value with a control character", Mechanism{TokenSource: staticToken("t"), Extensions: map[string]string{"k": "a\x01b"}}, nil},
		{"empty value", Mechanism{TokenSource: staticToken("t"), Extensions: map[string]string{"k": ""}}, nil},
	} {
		_, _, err := tc.m.Start(context.Background())
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: %v, want an error (%v)", tc.name, err, tc.want)
		}
	}
}

// TestFormatHidesToken formats a mechanism whose token source holds its
// token in a field.
func TestFormatHidesToken(t *testing.T) {
	const token = "eyJ-very-secret-token"
	type holder struct{ Tok string }
	m := Mechanism{TokenSource: tokenHolder{holder{token}}, Extensions: map[string]string{"k": "v"}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{m, &m, struct{ M Mechanism }{m}} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, token) || strings.Contains(out, fmt.Sprintf("%x", token)) {
				t.Errorf("%s of %T shows the token: %s", verb, v, out)
			}
		}
	}
}

type tokenHolder struct{ h struct{ Tok string } }

func (t tokenHolder) Token(context.Context) (string, error) { return t.h.Tok, nil }

func TestUnsecuredJWT(t *testing.T) {
	tok := UnsecuredJWT("alice", time.Minute)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[2] != "" {
		t.Fatalf("%q is not an unsigned JWT", tok)
	}
	var claims struct {
		Sub      string
		Iat, Exp int64
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	if claims.Sub != "alice" || claims.Exp-claims.Iat != 60 {
		t.Fatalf("claims %+v", claims)
	}
}
