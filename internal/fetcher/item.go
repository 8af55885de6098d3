package fetcher

import (
	"encoding/binary"
	"math"
	"sync"
	"sync/atomic"

	"github.com/zeroalloc/kafka/pool"
	"github.com/zeroalloc/kafka/wire"
)

// fetchAnswers pools the buffers Fetch answers are read into. A buffer
// larger than its cap (an answer above 64 MiB) is dropped after use.
var fetchAnswers = pool.NewBuffers(64 << 20)

// fetchBuf is one Fetch answer read whole, shared by the items that point
// into it.
type fetchBuf struct {
	buf  *pool.Buffer
	refs atomic.Int32
	src  *source
}

var fetchBufs = sync.Pool{New: func() any { return new(fetchBuf) }}

// release drops one reference; the last gives the memory back to the pool
// and lets the source fetch again.
func (fb *fetchBuf) release() {
	if fb.refs.Add(-1) != 0 {
		return
	}
	s := fb.src
	fetchAnswers.Put(fb.buf)
	fb.buf, fb.src = nil, nil
	fetchBufs.Put(fb)
	s.buffered.Add(-1)
	s.poke()
}

// Item is the records of one partition in one Fetch answer, or an error
// for the application. Items come from a pool: the receiver calls Free
// once done, after which neither the item nor its Records may be used.
type Item struct {
	// Part is the partition; nil for an error of no partition.
	Part *Partition
	// Records are the partition's record batches, whole batches only,
	// aliasing the pooled answer: valid until Free.
	Records []byte
	// From is the fetch offset: records before it are to be skipped (a
	// batch may begin before it).
	From int64
	// End is the offset after the last whole batch (BatchesEnd): the
	// partition is fetched from there next, so records at or past it
	// (only a damaged answer has any) are not to be delivered.
	End int64
	// Epoch is Part's Epoch when fetched.
	Epoch         uint32
	HighWaterMark int64
	// Aborted are the aborted transactions of the records
	// (read_committed), sorted by first offset; its capacity is reused.
	Aborted []wire.FetchResponseAbortedTransaction
	// Err is the error the item brings instead of records.
	Err error

	buf *fetchBuf
}

var items = sync.Pool{New: func() any { return new(Item) }}

func newErrorItem(p *Partition, err error) *Item {
	it := items.Get().(*Item)
	it.Part, it.Err = p, err
	return it
}

// Free releases the item's buffer and recycles it.
func (it *Item) Free() {
	if it.buf != nil {
		it.buf.release()
	}
	it.Part, it.buf, it.Records, it.Err = nil, nil, nil, nil
	it.Aborted = it.Aborted[:0]
	items.Put(it)
}

// BatchesEnd returns the offset after the last whole batch of a record
// set, -1 when it holds none, and how many records its whole batches say
// they hold (legacy messages count one each). It reads only the batches'
// headers and trusts nothing in them: it stops at a length that runs past
// the data, and at a batch whose offsets do not follow the one before it
// (an answer's batches come in offset order), so that a damaged header
// never moves the fetch position backwards or past data not seen.
func BatchesEnd(b []byte) (next int64, records int) {
	next = -1
	for len(b) >= 17 {
		base := int64(binary.BigEndian.Uint64(b))
		size := int(int32(binary.BigEndian.Uint32(b[8:])))
		if size < 0 || size > len(b)-12 || base < 0 || (next >= 0 && base < next) {
			break
		}
		end, n := base+1, 1 // a legacy message: its offset is the last of a compressed wrapper's inner messages
		if b[16] == wire.RecordBatchMagic {
			if size < 49 {
				break
			}
			lastDelta := int64(int32(binary.BigEndian.Uint32(b[23:])))
			count := int(int32(binary.BigEndian.Uint32(b[57:])))
			if lastDelta < 0 || base > math.MaxInt64-lastDelta-1 || count < 0 {
				break
			}
			end, n = base+lastDelta+1, count
		}
		next, records = end, records+n
		b = b[12+size:]
	}
	return next, records
}
