package wire

import (
	"encoding/binary"
	"hash/crc32"
)

// Legacy message sets (magic 0 and 1), read-only: brokers may still return
// them for old topics. Each message:
//
//	0  offset     int64
//	8  size       int32  (bytes after this field)
//	12 crc        uint32 (CRC-32 IEEE of bytes 16..end)
//	16 magic      int8   (0 or 1)
//	17 attributes int8   (bits 0-2 codec, bit 3 log-append time in v1)
//	18 timestamp  int64  (v1 only)
//	   key        int32 length (-1 null) and bytes
//	   value      int32 length (-1 null) and bytes
//
// A compressed message (a "wrapper") holds in its value a compressed message
// set of uncompressed messages. In v0 the inner offsets are absolute; in v1
// they are relative (0, 1, ...) and the wrapper's offset is the absolute
// offset of the last inner message. The RecordIter presents each top-level
// message as a RecordBatch of its records.

const (
	legacyHeaderSize = 12 // offset and size
	minLegacyV0Size  = 4 + 1 + 1 + 4 + 4
	minLegacyV1Size  = minLegacyV0Size + 8
)

// legacyMessage is one parsed legacy message; key and value alias the input.
type legacyMessage struct {
	offset    int64
	crc       uint32
	magic     int8
	attrs     int8
	timestamp int64
	key       []byte
	value     []byte
}

// Results of parseLegacy besides success.
const (
	legacyOK = iota
	legacyTruncated
	legacyCorrupt
)

// parseLegacy reads the message at the start of b and returns it, its total
// size and a status; reason says what is wrong when corrupt.
func parseLegacy(b []byte, checkCRC bool) (m legacyMessage, size int, status int, reason string) {
	if len(b) < legacyHeaderSize+5 {
		return m, 0, legacyTruncated, ""
	}
	be := binary.BigEndian
	m.offset = int64(be.Uint64(b))
	n := int64(int32(be.Uint32(b[8:])))
	m.magic = int8(b[16])
	if (m.magic == 0 && n < minLegacyV0Size) || (m.magic == 1 && n < minLegacyV1Size) || m.magic > 1 || m.magic < 0 {
		return m, 0, legacyCorrupt, "bad legacy message size or magic"
	}
	if n > int64(len(b)-legacyHeaderSize) {
		return m, 0, legacyTruncated, ""
	}
	size = legacyHeaderSize + int(n)
	msg := b[:size]
	m.crc = be.Uint32(msg[12:])
	if checkCRC && crc32.ChecksumIEEE(msg[16:]) != m.crc {
		return m, 0, legacyCorrupt, "CRC-32 mismatch"
	}
	m.attrs = int8(msg[17])
	p := 18
	m.timestamp = -1
	if m.magic == 1 {
		m.timestamp = int64(be.Uint64(msg[p:]))
		p += 8
	}
	var ok bool
	if m.key, p, ok = int32Bytes(msg, p); !ok {
		return m, 0, legacyCorrupt, "bad legacy key length"
	}
	if m.value, p, ok = int32Bytes(msg, p); !ok || p != len(msg) {
		return m, 0, legacyCorrupt, "bad legacy value length"
	}
	return m, size, legacyOK, ""
}

// int32Bytes reads an int32-length byte string (-1 null) at b[p:].
func int32Bytes(b []byte, p int) (v []byte, next int, ok bool) {
	if len(b)-p < 4 {
		return nil, p, false
	}
	l := int64(int32(binary.BigEndian.Uint32(b[p:])))
	p += 4
	if l < -1 || l > int64(len(b)-p) {
		return nil, p, false
	}
	if l < 0 {
		return nil, p, true
	}
	e := p + int(l)
	return b[p:e:e], e, true
}

func (it *RecordIter) nextLegacy(src []byte) bool {
	m, size, status, reason := parseLegacy(src, !it.SkipCRC)
	switch status {
	case legacyTruncated:
		it.truncated, it.src = true, nil
		return false
	case legacyCorrupt:
		return it.fail(reason, nil)
	}
	it.src = src[size:]
	bh := &it.batch
	*bh = RecordBatch{
		BaseOffset: m.offset, BatchLength: int32(size - legacyHeaderSize), PartitionLeaderEpoch: -1,
		Magic: m.magic, CRC: m.crc, Attributes: int16(m.attrs) & (AttrCodecMask | AttrLogAppendTime),
		BaseTimestamp: m.timestamp, MaxTimestamp: m.timestamp,
		ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1, NumRecords: 1,
	}
	if m.magic == 0 {
		bh.Attributes &= AttrCodecMask
	}
	it.legacy, it.relBase, it.wrapperTS = true, 0, -1
	c := bh.Codec()
	if c == CodecNone {
		it.recs, it.left = src[:size], 1
		return true
	}
	if c > CodecZstd || m.value == nil {
		return it.fail("bad legacy compressed message", nil)
	}
	inner, err := DecompressAppend(it.Scratch[:0], m.value, c, it.limit())
	if err != nil {
		return it.fail("decompressing legacy message set", err)
	}
	it.Scratch = inner
	// Scan the inner set once: check it, count it, find its offsets.
	var count int32
	var first, last int64
	for p := inner; len(p) > 0; {
		im, n, st, why := parseLegacy(p, !it.SkipCRC)
		if st == legacyTruncated {
			return it.fail("truncated inner message", nil)
		}
		if st == legacyCorrupt {
			return it.fail(why, nil)
		}
		if im.attrs&int8(AttrCodecMask) != 0 {
			return it.fail("nested compressed message", nil)
		}
		if count == 0 {
			first = im.offset
		}
		last = im.offset
		count++
		p = p[n:]
	}
	if count == 0 {
		return it.fail("empty compressed message set", nil)
	}
	if m.magic == 1 {
		it.relBase = m.offset - last
		if bh.LogAppendTime() {
			it.wrapperTS = m.timestamp
		}
	}
	bh.BaseOffset = it.relBase + first
	bh.LastOffsetDelta = int32(last - first)
	bh.NumRecords = count
	it.recs, it.left = inner, count
	return true
}

func (it *RecordIter) nextLegacyRecord() bool {
	// nextLegacy checked every message of it.recs already.
	m, n, _, _ := parseLegacy(it.recs, false)
	it.recs = it.recs[n:]
	r := &it.rec
	r.Offset = it.relBase + m.offset
	r.Timestamp = m.timestamp
	if it.wrapperTS >= 0 {
		r.Timestamp = it.wrapperTS
	}
	r.Attributes = m.attrs
	r.Key, r.Value = m.key, m.value
	r.headers, r.NumHeaders = nil, 0
	return true
}
