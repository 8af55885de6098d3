package wire

// The JSON conformance tests: the guard that every hand-written codec matches
// Kafka's definitions for every version the client claims. The reference
// codec they use is in schema_ref_test.go.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// schemaSeeds is how many trees are generated per API, side and version:
// seed 0 has every field at its default, seed 1 every nullable field null
// and every array empty, the others random values.
const schemaSeeds = 16

var schemaCache struct {
	once sync.Once
	defs map[int16]*[2]*schemaMessage
	err  error
}

// loadedSchemas returns the definitions, read once per test binary; it fails
// the test, naming the folder, when they are missing.
func loadedSchemas(t *testing.T) map[int16]*[2]*schemaMessage {
	t.Helper()
	schemaCache.once.Do(func() { schemaCache.defs, schemaCache.err = loadSchemas(schemaDir) })
	if schemaCache.err != nil {
		t.Fatal(schemaCache.err)
	}
	return schemaCache.defs
}

var sideNames = [2]string{"request", "response"}

// TestSchemaConformance encodes generated trees with the reference codec,
// decodes them with each registered type's DecodeFrom and re-encodes with
// AppendTo: the bytes must be identical. In reverse, whatever AppendTo
// writes (from those decoded values, and from a zero value) must decode in
// the reference codec, consuming every byte, and re-encode identically there.
func TestSchemaConformance(t *testing.T) {
	defs := loadedSchemas(t)
	for key := range APIs {
		a := &APIs[key]
		if a.Name == "" {
			continue
		}
		k := int16(key)
		for side, ctor := range [2]func(int16) Message{NewRequest, NewResponse} {
			if ctor(k) == nil {
				t.Logf("%s %s (key %d): no registered type, not checked", a.Name, sideNames[side], k)
				continue
			}
			def := defs[k]
			if def == nil || def[side] == nil {
				t.Errorf("%s %s (key %d): no JSON definition in %s", a.Name, sideNames[side], k, schemaDir)
				continue
			}
			t.Run(def[side].Name, func(t *testing.T) {
				cases := 0
				for v := a.Min; v <= a.Max; v++ {
					if msg := checkGoZeroValue(def[side], ctor(k), v); msg != "" {
						t.Errorf("%s v%d zero value: %s", def[side].Name, v, msg)
					}
					reused := ctor(k)
					for seed := 0; seed < schemaSeeds; seed++ {
						cases++
						if msg := checkSchemaCase(def[side], ctor(k), reused, side, v, seed); msg != "" {
							t.Errorf("%s (API key %d) v%d seed %d: %s", def[side].Name, k, v, seed, msg)
							break // one report per version is enough
						}
					}
				}
				t.Logf("%d generated values checked in v%d-v%d", cases, a.Min, a.Max)
			})
		}
	}
}

// checkSchemaCase runs one generated tree through both codecs and returns a
// description of the first mismatch, or "".
func checkSchemaCase(def *schemaMessage, fresh, reused Message, side int, v int16, seed int) string {
	mode := genRandom
	switch seed {
	case 0:
		mode = genDefaults
	case 1:
		mode = genNulls
	}
	tree := newGenerator(mode, uint64(seed), uint64(*def.APIKey), uint64(v), uint64(side)).message(def, v)
	ref := refEncoder{track: true}
	ref.message(def, tree, v)
	want := ref.buf

	// The reference must read its own output back, byte for byte.
	if msg := refRoundTrip(def, want, v); msg != "" {
		return "reference codec fault: " + msg
	}

	if err := fresh.DecodeFrom(want, v); err != nil {
		return fmt.Sprintf("%T.DecodeFrom rejects the reference encoding (%d bytes): %v\n  bytes: % x", fresh, len(want), err, want)
	}
	got := fresh.AppendTo(nil, v)
	if !bytes.Equal(got, want) {
		return describeDiff(def, fmt.Sprintf("%T.AppendTo after DecodeFrom", fresh), got, want, ref.spans, v)
	}
	if msg := refRoundTrip(def, got, v); msg != "" {
		return fmt.Sprintf("%T.AppendTo output does not read back in the reference codec: %s", fresh, msg)
	}

	// The same through a struct that held the previous seeds' values.
	if err := reused.DecodeFrom(want, v); err != nil {
		return fmt.Sprintf("%T.DecodeFrom into a reused struct fails: %v", reused, err)
	}
	if got := reused.AppendTo(nil, v); !bytes.Equal(got, want) {
		return describeDiff(def, fmt.Sprintf("%T.AppendTo after DecodeFrom into a reused struct (stale data?)", reused), got, want, ref.spans, v)
	}
	return ""
}

// checkGoZeroValue checks that the encoding of the type's zero value reads
// in the reference codec and is canonical (re-encodes identically there).
func checkGoZeroValue(def *schemaMessage, m Message, v int16) string {
	enc := m.AppendTo(nil, v)
	if msg := refRoundTrip(def, enc, v); msg != "" {
		return fmt.Sprintf("%T.AppendTo of the zero value: %s", m, msg)
	}
	return ""
}

// refRoundTrip decodes b with the reference codec (every byte must be used)
// and re-encodes it: the result must be b.
func refRoundTrip(def *schemaMessage, b []byte, v int16) string {
	d := refDecoder{b: b}
	tree, err := d.message(def, v)
	if err != nil {
		return fmt.Sprintf("reference decode: %v\n  bytes: % x", err, b)
	}
	re := refEncoder{track: true}
	re.message(def, tree, v)
	if !bytes.Equal(re.buf, b) {
		return describeDiff(def, "reference re-encoding (non-canonical input: a tagged field at its default, or tags out of order?)", b, re.buf, re.spans, v)
	}
	return ""
}

// describeDiff reports where got first differs from want: the byte offset,
// the field that the reference encoding wrote there, and the bytes around.
func describeDiff(def *schemaMessage, what string, got, want []byte, spans []span, v int16) string {
	off := 0
	for off < len(got) && off < len(want) && got[off] == want[off] {
		off++
	}
	field := fieldAt(spans, off)
	if off == len(want) {
		field = fieldAt(spans, off-1) + " (or after it: output is longer)"
	}
	lo := max(off-8, 0)
	return fmt.Sprintf("%s differs from the reference encoding of %s v%d at byte %d (got %d bytes, want %d), in field %s\n  got  [%d:] % x\n  want [%d:] % x",
		what, def.Name, v, off, len(got), len(want), field, lo, got[lo:min(off+16, len(got))], lo, want[lo:min(off+16, len(want))])
}

// fieldAt returns the path of the innermost field whose bytes include off.
func fieldAt(spans []span, off int) string {
	best := -1
	for i, s := range spans {
		if s.start <= off && off < s.end && (best < 0 || s.end-s.start <= spans[best].end-spans[best].start) {
			best = i
		}
	}
	if best < 0 {
		return "(none: past the end)"
	}
	return spans[best].path
}

// TestAPITableMatchesJSON checks APIs against the JSON: keys, names,
// flexible thresholds, and that every claimed version range lies within the
// versions Kafka defines.
func TestAPITableMatchesJSON(t *testing.T) {
	defs := loadedSchemas(t)
	byName := map[string]int16{}
	for k, d := range defs {
		if d[0] != nil {
			byName[strings.TrimSuffix(d[0].Name, "Request")] = k
		}
	}
	for key, a := range APIs {
		if a.Name == "" {
			continue
		}
		if k, ok := byName[a.Name]; !ok || int(k) != key {
			t.Errorf("APIs[%d] is %q, but the JSON gives that name key %d (found %t)", key, a.Name, k, ok)
			continue
		}
		if a.Min < 0 || a.Min > a.Max {
			t.Errorf("%s: claimed range v%d-v%d is empty", a.Name, a.Min, a.Max)
		}
		for side, d := range defs[int16(key)] {
			if d == nil {
				t.Errorf("%s: no %s definition", a.Name, sideNames[side])
				continue
			}
			if want := a.Name + [2]string{"Request", "Response"}[side]; d.Name != want {
				t.Errorf("%s: JSON name %q, want %q", d.file, d.Name, want)
			}
			if a.Min < d.valid.lo || a.Max > d.valid.hi {
				t.Errorf("%s: APIs claims v%d-v%d, %s has validVersions %q", a.Name, a.Min, a.Max, d.file, d.ValidVersions)
			}
			flex := int16(noFlex)
			if d.flexible.lo <= d.flexible.hi {
				flex = d.flexible.lo
			}
			if a.Flexible != flex {
				t.Errorf("%s: APIs says flexible from v%d, %s has flexibleVersions %q", a.Name, a.Flexible, d.file, d.FlexibleVersions)
			}
		}
	}
}

// TestSchemaCodecReadsBrokerFrames validates the reference codec itself on
// bytes a real broker wrote (testdata/golden): each must decode, using every
// byte, and re-encode identically.
func TestSchemaCodecReadsBrokerFrames(t *testing.T) {
	defs := loadedSchemas(t)
	files, err := filepath.Glob("testdata/golden/*Response_v*.bin")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden frames in testdata/golden (%v)", err)
	}
	for _, file := range files {
		base := strings.TrimSuffix(filepath.Base(file), ".bin")
		name, rest, _ := strings.Cut(base, "Response_v")
		num, _, _ := strings.Cut(rest, "_")
		v, err := strconv.Atoi(num)
		key := apiKeyByName(name)
		if err != nil || key < 0 || defs[key] == nil {
			t.Fatalf("%s: cannot tell the API and version from the name", file)
		}
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if msg := refRoundTrip(defs[key][1], body, int16(v)); msg != "" {
			t.Errorf("%s: %s", base, msg)
		}
	}
}

// TestSchemaCodecDetects makes sure the conformance check can fail: a
// codec that drops a field, or writes a tagged field at its default, is
// reported with the field's path.
func TestSchemaCodecDetects(t *testing.T) {
	def := loadedSchemas(t)[KeyApiVersions][1]
	tree := newGenerator(genRandom, 42).message(def, 3)
	ref := refEncoder{track: true}
	ref.message(def, tree, 3)

	// Drop the last byte of ThrottleTimeMs: the report names the field.
	var m ApiVersionsResponse
	if err := m.DecodeFrom(ref.buf, 3); err != nil {
		t.Fatal(err)
	}
	m.ThrottleTimeMs ^= 1
	msg := describeDiff(def, "tampered", m.AppendTo(nil, 3), ref.buf, ref.spans, 3)
	if !strings.Contains(msg, "ApiVersionsResponse.ThrottleTimeMs") {
		t.Fatalf("the report does not name the field:\n%s", msg)
	}

	// A tagged field at its default is not canonical. plain ends with its
	// tagged-field count, 0.
	plain := func() []byte { return (&ApiVersionsResponse{FinalizedFeaturesEpoch: -1}).AppendTo(nil, 3) }
	if msg := refRoundTrip(def, plain(), 3); msg != "" {
		t.Fatal(msg)
	}
	p := plain()
	nonCanonical := append(p[:len(p)-1], 1, 1, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	if refRoundTrip(def, nonCanonical, 3) == "" {
		t.Fatal("a tagged field written at its default passed")
	}
	// Trailing bytes, unknown tags, descending tags and truncation fail in
	// the reference decoder.
	for _, bad := range [][]byte{
		append(plain(), 0),
		append(plain()[:7], 1, 9, 0),
		append(plain()[:7], 2, 3, 1, 1, 1, 8, 0, 0, 0, 0, 0, 0, 0, 5),
		plain()[:5],
	} {
		if refRoundTrip(def, bad, 3) == "" {
			t.Errorf("% x passed the reference decoder", bad)
		}
	}
}

// TestSchemaDirMissing checks that a missing definitions folder fails with
// a message naming where it is expected.
func TestSchemaDirMissing(t *testing.T) {
	_, err := loadSchemas(filepath.Join(t.TempDir(), "messages"))
	if err == nil || !strings.Contains(err.Error(), "expected in wire/testdata/kafka-protocol/messages") {
		t.Fatalf("got %v", err)
	}
}
