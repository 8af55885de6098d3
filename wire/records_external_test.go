package wire

import (
	"bytes"
	"testing"
)

// joinExternal puts a batch's external values back in place.
func joinExternal(batch []byte, ext []External) []byte {
	var out []byte
	from := 0
	for _, e := range ext {
		out = append(out, batch[from:e.At]...)
		out = append(out, e.B...)
		from = e.At
	}
	return append(out, batch[from:]...)
}

// A batch whose values stay external is, once its values are put back in
// place, byte for byte the batch Append would have built (length and CRC
// included); the builder never copies them.
func TestRecordBatchExternalValues(t *testing.T) {
	rs := testRecords(40)
	for i := range rs {
		if i%5 == 0 {
			rs[i].value = bytes.Repeat([]byte{byte(i)}, 3000+i)
		}
	}
	opts := ProducerBatchOptions()
	opts.ProducerID, opts.ProducerEpoch, opts.BaseSequence = 7, 1, 100
	want := buildBatch(t, []byte("prefix"), opts, rs)[len("prefix"):]

	var b RecordBatchBuilder
	b.Begin([]byte("prefix"), opts)
	for i, r := range rs {
		before := b.Size()
		if i%5 == 0 || r.value == nil {
			b.AppendExternal(r.ts, r.key, r.value, r.headers)
		} else {
			b.Append(r.ts, r.key, r.value, r.headers)
		}
		if got, pred := b.Size()-before, b.RecordSize(r.ts, r.key, r.value, r.headers); got != pred {
			t.Fatalf("record %d: Size grew %d, RecordSize says %d", i, got, pred)
		}
	}
	out, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	batch, ext := out[len("prefix"):], b.Externals()
	if len(ext) != 8 {
		t.Fatalf("%d externals, want 8 (nil values are not external)", len(ext))
	}
	for k, e := range ext {
		if &e.B[0] != &rs[k*5].value[0] {
			t.Fatalf("external %d is a copy", k)
		}
	}
	if got := joinExternal(batch, ext); !bytes.Equal(got, want) {
		t.Fatalf("joined batch differs from the one Append builds")
	}
	var it RecordIter
	it.Reset(joinExternal(batch, ext))
	if !it.NextBatch() {
		t.Fatalf("no batch: %v", it.Err())
	}
	checkRecords(t, &it, 0, rs)

	// Renumbering rewrites the CRC over the values in place.
	if err := SetBatchProducerExternal(batch, ext, 9, 2, 5); err != nil {
		t.Fatal(err)
	}
	if err := SetBatchProducer(want, 9, 2, 5); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(joinExternal(batch, ext), want) {
		t.Fatalf("SetBatchProducerExternal differs from SetBatchProducer")
	}
	if err := SetBatchProducer(batch, 9, 2, 5); err == nil {
		t.Fatalf("SetBatchProducer accepted a batch without its externals")
	}

	// Compression needs the bytes: a batch with externals cannot have it.
	opts.Codec = CodecGzip
	b.Begin(nil, opts)
	b.AppendExternal(1, nil, []byte("v"), nil)
	if _, err := b.Finish(); err == nil {
		t.Fatalf("a compressed batch with external values finished")
	}
	// Begin forgets the externals of the previous batch.
	b.Begin(nil, ProducerBatchOptions())
	if len(b.Externals()) != 0 || b.Size() != RecordBatchHeaderSize {
		t.Fatalf("Begin kept %d externals, size %d", len(b.Externals()), b.Size())
	}
}
