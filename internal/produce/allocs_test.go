//go:build !race

package produce

import (
	"testing"
	"time"

	"github.com/zeroalloc/kafka/wire"
)

// TestAllocsAppendProduceRequest: encoding 1,000 messages (100-byte values,
// a header each) into a warm buffer allocates nothing, with every codec and
// with zero timestamps (time.Now) too.
func TestAllocsAppendProduceRequest(t *testing.T) {
	msgs := benchMessages(1000)
	for _, c := range codecs {
		opts := wire.ProducerBatchOptions()
		opts.Codec = c
		var e Encoder
		buf, err := AppendRequest[tmsg, tview](&e, nil, 11, wire.NullString{}, -1, 5000, "allocs", 0, opts, msgs)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(20, func() {
			buf, err = AppendRequest[tmsg, tview](&e, buf[:0], 11, wire.NullString{}, -1, 5000, "allocs", 0, opts, msgs)
		}); n != 0 || err != nil {
			t.Errorf("%v: %v allocations per request, error %v", c, n, err)
		}
	}
	for i := range msgs {
		msgs[i].t = time.Time{} // the encoder reads the clock
	}
	var e Encoder
	buf, err := AppendRequest[tmsg, tview](&e, nil, 3, wire.NullString{}, -1, 5000, "allocs", 0, wire.ProducerBatchOptions(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() {
		buf, err = AppendRequest[tmsg, tview](&e, buf[:0], 3, wire.NullString{}, -1, 5000, "allocs", 0, wire.ProducerBatchOptions(), msgs)
	}); n != 0 || err != nil {
		t.Errorf("v3: %v allocations per request, error %v", n, err)
	}
}
