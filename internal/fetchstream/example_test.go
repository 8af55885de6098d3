package fetchstream_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/zeroalloc/kafka/internal/fetchstream"
	"github.com/zeroalloc/kafka/wire"
)

// Example reads the values of a Fetch response into one caller-owned
// buffer, as Batch.Read does.
func Example() {
	var b wire.RecordBatchBuilder
	o := wire.ProducerBatchOptions()
	o.BaseOffset = 40
	b.Begin(nil, o)
	b.Append(0, []byte("k"), []byte("first"), nil)
	b.Append(0, nil, []byte("second"), nil)
	records, _ := b.Finish()
	resp := wire.FetchResponse{Responses: []wire.FetchResponseTopic{{Topic: "t",
		Partitions: []wire.FetchResponsePartition{{HighWatermark: 42, LastStableOffset: 42, Records: records}}}}}
	body := resp.AppendTo(nil, 12)

	// On a connection, br is the Conn's reader and the frame size comes
	// from the response header.
	br := bufio.NewReader(bytes.NewReader(body))
	var r fetchstream.Reader
	if err := r.Begin(br, len(body), 12, 41); err != nil {
		fmt.Println(err)
	}
	buf := make([]byte, 64)
	for {
		rec, err := r.Next()
		if err != nil {
			if err != io.EOF {
				fmt.Println(err)
			}
			break
		}
		n, err := r.ReadValue(buf)
		if err != nil {
			fmt.Println(err)
			break
		}
		fmt.Printf("%d %q\n", rec.Offset, buf[:n])
	}
	if err := r.Drain(); err != nil {
		fmt.Println(err)
	}
	fmt.Println("next offset", r.NextOffset(), "high watermark", r.HighWatermark())
	// Output:
	// 41 "second"
	// next offset 42 high watermark 42
}
