package wire

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestGoldenFrames decodes every response body captured from a real broker
// (testdata/golden, see its README) and re-encodes it: the bytes must be
// identical, so every field, null marker and tagged field the broker sent
// survives our codec.
func TestGoldenFrames(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*Response_v*.bin")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden frames in testdata/golden")
	}
	for _, file := range files {
		base := strings.TrimSuffix(filepath.Base(file), ".bin")
		name, rest, _ := strings.Cut(base, "Response_v")
		num, _, _ := strings.Cut(rest, "_")
		version, err := strconv.Atoi(num)
		if err != nil {
			t.Fatalf("%s: no version in the file name", file)
		}
		key := apiKeyByName(name)
		if key < 0 {
			t.Fatalf("%s: unknown API %q", file, name)
		}
		t.Run(base, func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m := NewResponse(key)
			if m == nil {
				t.Fatalf("%s has no registered response type", name)
			}
			if err := m.DecodeFrom(body, int16(version)); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if re := m.AppendTo(nil, int16(version)); !bytes.Equal(re, body) {
				t.Fatalf("re-encoding differs from the broker's bytes\n got %x\nwant %x", re, body)
			}
		})
	}
}

func apiKeyByName(name string) int16 {
	for k, a := range APIs {
		if a.Name == name {
			return int16(k)
		}
	}
	return -1
}
