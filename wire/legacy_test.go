package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"
)

// legacyMsg assembles one legacy message from the protocol description.
func legacyMsg(offset int64, magic, attrs int8, ts int64, key, value []byte) []byte {
	be := binary.BigEndian
	body := []byte{byte(magic), byte(attrs)}
	if magic == 1 {
		body = be.AppendUint64(body, uint64(ts))
	}
	for _, b := range [][]byte{key, value} {
		if b == nil {
			body = be.AppendUint32(body, 0xffffffff)
		} else {
			body = be.AppendUint32(body, uint32(len(b)))
			body = append(body, b...)
		}
	}
	msg := be.AppendUint64(nil, uint64(offset))
	msg = be.AppendUint32(msg, uint32(4+len(body)))
	msg = be.AppendUint32(msg, crc32.ChecksumIEEE(body))
	return append(msg, body...)
}

// gzipStd compresses with the standard library, independently of the
// package's codecs.
func gzipStd(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

type legacyWant struct {
	offset, ts int64
	key, value []byte
}

// legacySet returns a message set of plain v0 and v1 messages and gzip
// wrappers of both magics, and what iterating it must yield.
func legacySetWant() ([]byte, []legacyWant, []int8) {
	var set []byte
	var want []legacyWant
	var magics []int8
	set = append(set, legacyMsg(10, 0, 0, 0, []byte("k0"), []byte("v0"))...)
	want = append(want, legacyWant{10, -1, []byte("k0"), []byte("v0")})
	magics = append(magics, 0)
	set = append(set, legacyMsg(11, 1, 0, 5000, nil, []byte{})...)
	want = append(want, legacyWant{11, 5000, nil, []byte{}})
	magics = append(magics, 1)

	// v1 wrapper: relative inner offsets 0-2, wrapper offset 102 (the last).
	var inner []byte
	for i := int64(0); i < 3; i++ {
		inner = append(inner, legacyMsg(i, 1, 0, 6000+i, []byte{byte('a' + i)}, nil)...)
		want = append(want, legacyWant{100 + i, 6000 + i, []byte{byte('a' + i)}, nil})
		magics = append(magics, 1)
	}
	set = append(set, legacyMsg(102, 1, 1, 6002, nil, gzipStd(inner))...)

	// v0 wrapper: absolute inner offsets.
	inner = inner[:0]
	for i := int64(200); i < 202; i++ {
		inner = append(inner, legacyMsg(i, 0, 0, 0, nil, []byte("x"))...)
		want = append(want, legacyWant{i, -1, nil, []byte("x")})
		magics = append(magics, 0)
	}
	set = append(set, legacyMsg(201, 0, 1, 0, nil, gzipStd(inner))...)

	// v1 wrapper with log-append time: every record takes its timestamp.
	inner = legacyMsg(0, 1, 0, 1, nil, []byte("y"))
	inner = append(inner, legacyMsg(1, 1, 0, 2, nil, []byte("z"))...)
	set = append(set, legacyMsg(301, 1, 1|8, 9999, nil, gzipStd(inner))...)
	want = append(want, legacyWant{300, 9999, nil, []byte("y")}, legacyWant{301, 9999, nil, []byte("z")})
	magics = append(magics, 1, 1)
	return set, want, magics
}

func TestLegacyMessageSet(t *testing.T) {
	set, want, magics := legacySetWant()
	// A v2 batch may follow legacy messages in the same fetch.
	set = buildBatch(t, set, BatchOptions{BaseOffset: 400, PartitionLeaderEpoch: -1, ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1},
		[]testRecord{{ts: 7, key: []byte("v2")}})
	want = append(want, legacyWant{400, 7, []byte("v2"), nil})
	magics = append(magics, 2)

	var it RecordIter
	it.Reset(set)
	batches := 0
	for i := 0; ; i++ {
		if !it.Next() {
			if i != len(want) {
				t.Fatalf("%d records, want %d (err %v)", i, len(want), it.Err())
			}
			break
		}
		r, b := it.Record(), it.Batch()
		if i == 0 || r.Offset == b.BaseOffset {
			batches++
		}
		w := want[i]
		if r.Offset != w.offset || r.Timestamp != w.ts || !sameBytes(r.Key, w.key) || !sameBytes(r.Value, w.value) {
			t.Fatalf("record %d: %d %d %q %q, want %+v", i, r.Offset, r.Timestamp, r.Key, r.Value, w)
		}
		if b.Magic != magics[i] || (b.Magic < 2 && (b.ProducerID != -1 || b.PartitionLeaderEpoch != -1)) {
			t.Fatalf("record %d: batch %+v", i, *b)
		}
		if r.Offset < b.BaseOffset || r.Offset > b.LastOffset() {
			t.Fatalf("record %d: offset %d outside batch %d..%d", i, r.Offset, b.BaseOffset, b.LastOffset())
		}
	}
	if it.Err() != nil || batches != 6 {
		t.Fatalf("err %v, %d batches", it.Err(), batches)
	}
}

func TestLegacyWrapperHeader(t *testing.T) {
	set, _, _ := legacySetWant()
	var it RecordIter
	it.Reset(set)
	it.NextBatch()
	it.NextBatch()
	it.NextBatch() // the v1 gzip wrapper
	b := it.Batch()
	if b.Codec() != CodecGzip || b.NumRecords != 3 || b.BaseOffset != 100 || b.LastOffset() != 102 || b.MaxTimestamp != 6002 {
		t.Fatalf("wrapper batch %+v", *b)
	}
}

func TestLegacyCorrupt(t *testing.T) {
	set, _, _ := legacySetWant()
	// Outer CRC.
	bad := append([]byte(nil), set...)
	bad[20] ^= 1 // inside the first message's key
	var it RecordIter
	it.Reset(bad)
	if it.Next() || !errors.Is(it.Err(), ErrCorruptRecord) {
		t.Fatalf("outer CRC: %v", it.Err())
	}
	// Inner CRC: a wrapper whose inner message is damaged.
	inner := legacyMsg(0, 1, 0, 1, nil, []byte("abc"))
	inner[len(inner)-1] ^= 1
	it.Reset(legacyMsg(0, 1, 1, 1, nil, gzipStd(inner)))
	if it.Next() || !errors.Is(it.Err(), ErrCorruptRecord) {
		t.Fatalf("inner CRC: %v", it.Err())
	}
	// Nested compression.
	inner = legacyMsg(0, 1, 1, 1, nil, gzipStd(legacyMsg(0, 1, 0, 1, nil, nil)))
	it.Reset(legacyMsg(0, 1, 1, 1, nil, gzipStd(inner)))
	if it.Next() || !errors.Is(it.Err(), ErrCorruptRecord) {
		t.Fatalf("nested wrapper: %v", it.Err())
	}
	// A null wrapper value and a bad size.
	it.Reset(legacyMsg(0, 1, 1, 1, nil, nil))
	if it.Next() || !errors.Is(it.Err(), ErrCorruptRecord) {
		t.Fatalf("null wrapper value: %v", it.Err())
	}
	small := legacyMsg(0, 1, 0, 1, nil, nil)
	binary.BigEndian.PutUint32(small[8:], 10)
	it.Reset(small)
	if it.Next() || !errors.Is(it.Err(), ErrCorruptRecord) {
		t.Fatalf("small size: %v", it.Err())
	}
}

func TestLegacyTruncated(t *testing.T) {
	set, want, _ := legacySetWant()
	for cut := 0; cut <= len(set); cut++ {
		var it RecordIter
		it.Reset(set[:cut])
		n := 0
		for it.Next() {
			n++
		}
		if it.Err() != nil || n > len(want) || (cut == len(set)) != (n == len(want)) {
			t.Fatalf("cut %d: %d records, err %v", cut, n, it.Err())
		}
	}
}
