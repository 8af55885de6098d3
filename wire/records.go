package wire

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strconv"
)

// Record batch v2 (magic 2) layout. Every offset below is from the start of
// the batch; the CRC-32C covers everything from the attributes to the end.
//
//	0  baseOffset           int64
//	8  batchLength          int32  (bytes after this field)
//	12 partitionLeaderEpoch int32
//	16 magic                int8   (2)
//	17 crc                  uint32 (CRC-32C of bytes 21..end)
//	21 attributes           int16
//	23 lastOffsetDelta      int32
//	27 baseTimestamp        int64
//	35 maxTimestamp         int64
//	43 producerId           int64
//	51 producerEpoch        int16
//	53 baseSequence         int32
//	57 records count        int32
//	61 records (compressed as a whole when the codec is not none)
//
// Each record: length varint, attributes int8, timestampDelta varlong,
// offsetDelta varint, key (varint length, -1 null), value (likewise),
// headers count varint, then per header a key (varint length, never null)
// and a value (varint length, -1 null).
const (
	// RecordBatchHeaderSize is the size of a record batch v2 header, up to
	// and including the records count.
	RecordBatchHeaderSize = 61
	// RecordBatchMagic is the magic byte of record batch v2.
	RecordBatchMagic = 2

	offBatchLength     = 8
	offLeaderEpoch     = 12
	offMagic           = 16
	offCRC             = 17
	offAttributes      = 21
	offLastOffsetDelta = 23
	offBaseTimestamp   = 27
	offMaxTimestamp    = 35
	offProducerID      = 43
	offProducerEpoch   = 51
	offBaseSequence    = 53
	offRecordCount     = 57

	// batchLengthOverhead is what batchLength does not count: the base
	// offset and the length itself.
	batchLengthOverhead = 12
	minBatchLength      = RecordBatchHeaderSize - batchLengthOverhead
)

// Record batch attribute bits (the int16 at offset 21; legacy messages use
// the same low bits in their int8 attributes).
const (
	AttrCodecMask     int16 = 0x07 // bits 0-2: the Codec
	AttrLogAppendTime int16 = 0x08 // bit 3: timestamps are the broker's append time
	AttrTransactional int16 = 0x10 // bit 4: part of a transaction
	AttrControl       int16 = 0x20 // bit 5: a control batch (transaction markers)
	AttrDeleteHorizon int16 = 0x40 // bit 6: baseTimestamp is the delete horizon (KIP-534)
)

// DefaultDecompressLimit caps the decompressed size of one batch when a
// RecordIter's DecompressLimit is zero.
const DefaultDecompressLimit = 64 << 20

// crc32c is the Castagnoli table of record batch v2 CRCs, made once (the
// standard library uses the SSE4.2/ARMv8 instructions for it).
var crc32c = crc32.MakeTable(crc32.Castagnoli)

// RecordHeader is one record header. Key is a []byte rather than a string so
// that encoding takes a caller's bytes and decoding returns a sub-slice of
// the input, neither converting nor allocating; Kafka header keys are UTF-8
// strings and never null (a nil Key is written as an empty key). A nil
// Value is null. On encode the builder copies both; on decode both alias
// the record set (see RecordIter for how long).
type RecordHeader struct {
	Key   []byte
	Value []byte
}

// RecordBatch is the header of a batch read by a RecordIter. For a legacy
// message set (magic 0 or 1) it describes one top-level message: a single
// record, or a compressed wrapper and the records nested in it; fields that
// legacy sets lack (leader epoch, producer id, epoch and base sequence)
// read -1, and timestamps of magic 0 read -1.
type RecordBatch struct {
	BaseOffset           int64
	BatchLength          int32
	PartitionLeaderEpoch int32
	Magic                int8
	CRC                  uint32
	Attributes           int16
	LastOffsetDelta      int32
	BaseTimestamp        int64
	MaxTimestamp         int64
	ProducerID           int64
	ProducerEpoch        int16
	BaseSequence         int32
	NumRecords           int32
}

// Codec returns the batch's compression codec.
func (b *RecordBatch) Codec() Codec { return Codec(b.Attributes & AttrCodecMask) }

// LogAppendTime reports whether record timestamps are the broker's append
// time (then every record's Timestamp is MaxTimestamp).
func (b *RecordBatch) LogAppendTime() bool { return b.Attributes&AttrLogAppendTime != 0 }

// Transactional reports whether the batch belongs to a transaction of
// ProducerID; a read_committed reader filters aborted ones.
func (b *RecordBatch) Transactional() bool { return b.Attributes&AttrTransactional != 0 }

// Control reports whether the batch holds control records (transaction
// markers); their keys parse with ParseControlKey.
func (b *RecordBatch) Control() bool { return b.Attributes&AttrControl != 0 }

// LastOffset returns the offset of the batch's last record.
func (b *RecordBatch) LastOffset() int64 { return b.BaseOffset + int64(b.LastOffsetDelta) }

// ControlType is the type of a control record, from its key.
type ControlType int16

// Control record types.
const (
	ControlAbort  ControlType = 0 // end of an aborted transaction
	ControlCommit ControlType = 1 // end of a committed transaction
)

// controlKeySize is the size of a control record key: version int16 and
// type int16.
const controlKeySize = 4

// ParseControlKey reads a control record key: version int16 (0) and type
// int16. Keys longer than four bytes are accepted (later versions may add
// fields); shorter ones are an error matching ErrCorruptRecord.
func ParseControlKey(key []byte) (ControlType, error) {
	if len(key) < controlKeySize || int16(binary.BigEndian.Uint16(key)) < 0 {
		return 0, &RecordError{BaseOffset: -1, Reason: "bad control record key"}
	}
	return ControlType(binary.BigEndian.Uint16(key[2:])), nil
}

// AppendControlKey appends a control record key (version 0) of type t.
func AppendControlKey(dst []byte, t ControlType) []byte {
	return binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(dst, 0), uint16(t))
}

// AppendEndTxnMarker appends the value of a transaction marker (version 0):
// the coordinator epoch.
func AppendEndTxnMarker(dst []byte, coordinatorEpoch int32) []byte {
	return AppendInt32(AppendInt16(dst, 0), coordinatorEpoch)
}

// ErrCorruptRecord is matched (errors.Is) by every error that reports a
// malformed record batch or message set: a CRC mismatch, a length that does
// not fit, a corrupt compressed section.
var ErrCorruptRecord = errors.New("kafka/wire: corrupt record")

// ErrEmptyBatch is returned by RecordBatchBuilder.Finish for a batch without
// records, which brokers reject.
var ErrEmptyBatch = errors.New("kafka/wire: empty record batch")

// RecordError describes a malformed record batch. It matches
// ErrCorruptRecord, except when it reports that a batch exceeds the
// decompression limit (it then matches ErrDecompressLimit only); it also
// matches the codec error it wraps, if any.
type RecordError struct {
	// BaseOffset is the base offset of the batch, or -1 if unknown.
	BaseOffset int64
	// Reason says what is wrong, for people.
	Reason string
	// Err is the underlying error (a codec error), or nil.
	Err error
}

// Error implements error.
func (e *RecordError) Error() string {
	s := "kafka/wire: corrupt record batch at offset " + strconv.FormatInt(e.BaseOffset, 10) + ": " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns ErrCorruptRecord (unless Err is ErrDecompressLimit) and Err.
func (e *RecordError) Unwrap() []error {
	if e.Err == ErrDecompressLimit {
		return []error{e.Err}
	}
	if e.Err != nil {
		return []error{ErrCorruptRecord, e.Err}
	}
	return []error{ErrCorruptRecord}
}

// SetBatchProducer rewrites the producer id, producer epoch and base
// sequence of the encoded record batch v2 in batch (exactly one whole batch,
// as RecordBatchBuilder.Finish made it, compressed or not) and recomputes its
// CRC. An idempotent producer uses it when a retry must carry a new epoch
// (or a reset sequence) without encoding the records again. It modifies
// batch in place and allocates nothing.
func SetBatchProducer(batch []byte, producerID int64, producerEpoch int16, baseSequence int32) error {
	return SetBatchProducerExternal(batch, nil, producerID, producerEpoch, baseSequence)
}

// SetBatchProducerExternal is SetBatchProducer for a batch whose external
// values (RecordBatchBuilder.Externals) stay outside batch: the CRC covers
// them in place.
func SetBatchProducerExternal(batch []byte, ext []External, producerID int64, producerEpoch int16, baseSequence int32) error {
	n := int64(len(batch))
	for _, e := range ext {
		n += int64(len(e.B))
	}
	if len(batch) < RecordBatchHeaderSize || batch[offMagic] != RecordBatchMagic ||
		int64(int32(binary.BigEndian.Uint32(batch[offBatchLength:])))+batchLengthOverhead != n {
		return &RecordError{BaseOffset: -1, Reason: "not one whole record batch v2"}
	}
	binary.BigEndian.PutUint64(batch[offProducerID:], uint64(producerID))
	binary.BigEndian.PutUint16(batch[offProducerEpoch:], uint16(producerEpoch))
	binary.BigEndian.PutUint32(batch[offBaseSequence:], uint32(baseSequence))
	binary.BigEndian.PutUint32(batch[offCRC:], batchCRC(batch, ext))
	return nil
}

// batchCRC is the CRC-32C of a batch from its attributes on, with its
// external values (offsets from the batch's start, after the header) in
// place.
func batchCRC(batch []byte, ext []External) uint32 {
	crc := uint32(0)
	from := offAttributes
	for _, e := range ext {
		crc = crc32cUpdate(crc32cUpdate(crc, batch[from:e.At]), e.B)
		from = e.At
	}
	return crc32cUpdate(crc, batch[from:])
}
