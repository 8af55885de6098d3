package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// apiFingerprints are the ApiVersions answers of Kafka releases as
// scripts/kafka runs them (KRaft, a combined broker and controller, asked
// on the client listener), oldest first, in fingerprint's format. Record
// another with `kbench fingerprint -brokers host:port` against a broker of
// that release (KAFKA_VERSION=x.y.z scripts/kafka up).
var apiFingerprints = []struct{ version, apis string }{
	{"3.9.1", "0:0-11 1:0-17 2:0-9 3:0-12 8:0-9 9:0-9 10:0-6 11:0-9 12:0-4 13:0-5 14:0-5 15:0-5 16:0-5 17:0-1 18:0-4 19:0-7 20:0-6 21:0-2 22:0-5 23:0-4 24:0-5 25:0-4 26:0-4 27:0-1 28:0-4 29:0-3 30:0-3 31:0-3 32:0-4 33:0-2 34:0-2 35:0-4 36:0-2 37:0-3 38:0-3 39:0-2 40:0-2 41:0-3 42:0-2 43:0-2 44:0-1 45:0-0 46:0-0 47:0-0 48:0-1 49:0-1 50:0-0 51:0-0 55:0-2 57:0-1 60:0-1 61:0-0 64:0-0 65:0-0 66:0-1 68:0-0 69:0-0 74:0-0 75:0-0 80:0-0 81:0-0"},
	{"4.0.0", "0:0-12 1:4-17 2:1-10 3:0-13 8:2-9 9:1-9 10:0-6 11:2-9 12:0-4 13:0-5 14:0-5 15:0-6 16:0-5 17:0-1 18:0-4 19:2-7 20:1-6 21:0-2 22:0-5 23:2-4 24:0-5 25:0-4 26:0-5 27:1-1 28:0-5 29:1-3 30:1-3 31:1-3 32:1-4 33:0-2 34:1-2 35:1-4 36:0-2 37:0-3 38:1-3 39:1-2 40:1-2 41:1-3 42:0-2 43:0-2 44:0-1 45:0-0 46:0-0 47:0-0 48:0-1 49:0-1 50:0-0 51:0-0 55:0-2 57:0-2 60:0-2 61:0-0 64:0-0 65:0-0 66:0-1 68:0-1 69:0-1 74:0-0 75:0-0 80:0-0 81:0-0"},
	{"4.4.0", "0:0-13 1:4-18 2:1-11 3:0-13 8:2-10 9:1-10 10:0-6 11:0-9 12:0-4 13:0-5 14:0-5 15:0-6 16:0-5 17:0-1 18:0-5 19:2-7 20:1-6 21:0-2 22:0-5 23:2-4 24:0-5 25:0-4 26:0-5 27:1-2 28:0-6 29:1-3 30:1-3 31:1-3 32:1-4 33:0-2 34:1-2 35:1-5 36:0-2 37:0-3 38:1-3 39:1-2 40:1-2 41:1-3 42:0-3 43:0-2 44:0-1 45:0-1 46:0-0 47:0-0 48:0-1 49:0-1 50:0-0 51:0-0 55:0-2 57:0-2 60:0-2 61:0-0 64:0-0 65:0-0 66:0-2 68:0-1 69:0-1 74:0-1 75:0-0 76:1-1 77:1-1 78:1-2 79:1-2 80:0-1 81:0-0 83:0-0 84:0-0 85:0-1 86:0-0 87:0-1 88:0-1 89:0-1 90:0-1 91:0-0 92:0-0 93:0-0 94:0-0"},
}

// fingerprint returns the broker's ApiVersions answer as text: every API
// as key:min-max, in key order, separated by spaces.
func fingerprint(ctx context.Context, addr string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	bc, err := broker.Dial(ctx, addr, "kbench")
	if err != nil {
		return "", err
	}
	defer bc.Close()
	if dl, ok := ctx.Deadline(); ok {
		bc.NetConn().SetDeadline(dl)
	}
	if err := bc.Negotiate(); err != nil {
		return "", err
	}
	keys := slices.Clone(bc.APIVersions().ApiKeys)
	slices.SortFunc(keys, func(a, b wire.ApiVersionsResponseKey) int { return int(a.ApiKey) - int(b.ApiKey) })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d:%d-%d", k.ApiKey, k.MinVersion, k.MaxVersion)
	}
	return strings.Join(parts, " "), nil
}

// versionFromAPIs names the release whose recorded fingerprint equals
// apis. Failing that, it names the newest recorded release whose every
// API the broker supports up to at least the same version, as a lower
// bound; and with none of those, it says it cannot tell.
func versionFromAPIs(apis string) string {
	for _, f := range apiFingerprints {
		if f.apis == apis {
			return f.version + " (its ApiVersions answer is that release's)"
		}
	}
	have := parseFingerprint(apis)
	for i := len(apiFingerprints) - 1; i >= 0; i-- {
		if covers(have, parseFingerprint(apiFingerprints[i].apis)) {
			return "≥ " + apiFingerprints[i].version + " (from ApiVersions)"
		}
	}
	return "unknown (pass -kafka-version)"
}

// covers reports whether a broker with the APIs have supports every API
// of want up to at least want's highest version.
func covers(have, want map[int]int) bool {
	for k, v := range want {
		if h, ok := have[k]; !ok || h < v {
			return false
		}
	}
	return true
}

// parseFingerprint returns the highest version of each API key of a
// fingerprint; malformed entries are left out.
func parseFingerprint(s string) map[int]int {
	m := map[int]int{}
	for f := range strings.FieldsSeq(s) {
		key, vers, ok := strings.Cut(f, ":")
		_, hi, ok2 := strings.Cut(vers, "-")
		k, err := strconv.Atoi(key)
		v, err2 := strconv.Atoi(hi)
		if ok && ok2 && err == nil && err2 == nil {
			m[k] = v
		}
	}
	return m
}

// fingerprintMain prints the fingerprint of a broker, for apiFingerprints.
func fingerprintMain(args []string) error {
	if len(args) != 2 || args[0] != "-brokers" {
		return fmt.Errorf("usage: kbench fingerprint -brokers host:port")
	}
	fp, err := fingerprint(context.Background(), splitList(args[1])[0])
	if err != nil {
		return err
	}
	fmt.Printf("%q\n", fp)
	return nil
}
