package wire

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goldenVariant reads the version and codec of a golden frame named
// <API>Response_v<version>_<codec>.bin.
func goldenVariant(t *testing.T, file, api string) (int16, Codec) {
	t.Helper()
	base := strings.TrimSuffix(filepath.Base(file), ".bin")
	num, variant, _ := strings.Cut(strings.TrimPrefix(base, api+"Response_v"), "_")
	v, err := strconv.Atoi(num)
	if err != nil {
		t.Fatalf("%s: no version in the file name", file)
	}
	for _, c := range allCodecs {
		if c.String() == variant {
			return int16(v), c
		}
	}
	t.Fatalf("%s: unknown codec %q", file, variant)
	return 0, 0
}

// goldenFiles returns the golden frames of api, failing if there are none.
func goldenFiles(t *testing.T, api string) []string {
	t.Helper()
	files, err := filepath.Glob("testdata/golden/" + api + "Response_v*_*.bin")
	if err != nil || len(files) == 0 {
		t.Fatalf("no %s golden frames (%v)", api, err)
	}
	return files
}

// TestGoldenFetchRecords walks the records of every Fetch response captured
// from the broker (one topic per codec, see internal/cmd/golden) with a
// RecordIter: every batch must carry the variant's codec, pass its CRC and
// hold the three records the capture command produced, with their keys,
// values and headers.
func TestGoldenFetchRecords(t *testing.T) {
	for _, file := range goldenFiles(t, "Fetch") {
		v, codec := goldenVariant(t, file, "Fetch")
		t.Run(filepath.Base(file), func(t *testing.T) {
			body, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var m FetchResponse
			if err := m.DecodeFrom(body, v); err != nil {
				t.Fatal(err)
			}
			if len(m.Responses) != 1 || len(m.Responses[0].Partitions) != 1 {
				t.Fatalf("want one topic of one partition: %+v", m.Responses)
			}
			p := &m.Responses[0].Partitions[0]
			if p.ErrorCode != 0 {
				t.Fatalf("partition error %d", p.ErrorCode)
			}
			if (v == 11 || v == 17) != (p.AbortedTransactions != nil) {
				t.Fatalf("aborted transactions %v: read_committed (v11, v17) gets an empty array, read_uncommitted null", p.AbortedTransactions)
			}
			var it RecordIter
			it.Reset(p.Records)
			batches, records := 0, 0
			for it.NextBatch() {
				b := it.Batch()
				if b.Codec() != codec || b.NumRecords != 3 || b.BaseOffset != int64(3*batches) {
					t.Fatalf("batch %d: codec %v, %d records at %d", batches, b.Codec(), b.NumRecords, b.BaseOffset)
				}
				for i := 0; it.NextRecord(); i++ {
					checkGoldenRecord(t, it.Record(), i, int64(3*batches+i), codec)
					records++
				}
				batches++
			}
			if it.Err() != nil || it.Truncated() {
				t.Fatalf("after %d batches: err %v, truncated %v", batches, it.Err(), it.Truncated())
			}
			// The zstd topic has no batch from Produce v3, which the broker
			// refused (see TestGoldenProduce).
			want := 4
			if codec == CodecZstd {
				want = 3
			}
			if batches != want || records != 3*want || p.HighWatermark != int64(3*want) {
				t.Fatalf("%d batches, %d records, high watermark %d; want %d batches", batches, records, p.HighWatermark, want)
			}
		})
	}
}

// checkGoldenRecord checks record i of a golden batch against what
// internal/cmd/golden's goldenRecord writes.
func checkGoldenRecord(t *testing.T, r *Record, i int, offset int64, codec Codec) {
	t.Helper()
	var key []byte
	if i != 1 {
		key = []byte("key-" + strconv.Itoa(i))
	}
	value := "value-" + strconv.Itoa(i) + "-" + codec.String()
	if r.Offset != offset || !sameBytes(r.Key, key) || string(r.Value) != value || r.NumHeaders != 2 {
		t.Fatalf("record %d: offset %d key %q value %q, %d headers", i, r.Offset, r.Key, r.Value, r.NumHeaders)
	}
	h := r.AppendHeaders(nil)
	if string(h[0].Key) != "trace" || string(h[0].Value) != "t-"+strconv.Itoa(i) || string(h[1].Key) != "flag" || h[1].Value != nil {
		t.Fatalf("record %d headers: %q", i, h)
	}
}

// TestGoldenProduce checks what the broker answered to each golden Produce:
// success with consecutive base offsets, except zstd before v7, which
// brokers refuse with UNSUPPORTED_COMPRESSION_TYPE (76).
func TestGoldenProduce(t *testing.T) {
	for _, file := range goldenFiles(t, "Produce") {
		v, codec := goldenVariant(t, file, "Produce")
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var m ProduceResponse
		if err := m.DecodeFrom(body, v); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		p := &m.Responses[0].PartitionResponses[0]
		want := int16(0)
		if codec == CodecZstd && v < 7 {
			want = 76
		}
		if p.ErrorCode != want || p.LogAppendTimeMs != -1 || (want == 0 && p.BaseOffset%3 != 0) {
			t.Fatalf("%s: %+v, want error %d", file, p, want)
		}
		if re := m.AppendTo(nil, v); !bytes.Equal(re, body) {
			t.Fatalf("%s: re-encoding differs", file)
		}
	}
}
