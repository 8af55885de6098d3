package kafka

import (
	"errors"
	"time"

	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/wire"
)

var (
	errInvalidWriteTopic     = errors.New("kafka: a message written on a Conn must name no topic or the Conn's topic")
	errInvalidWritePartition = errors.New("kafka: a message written on a Conn must name no partition or the Conn's partition")
)

// Write writes b as the value of one message with no key, and returns
// len(b). It is there to satisfy net.Conn; WriteMessages writes many
// messages in one request.
func (c *Conn) Write(b []byte) (int, error) {
	msg := [1]Message{{Value: b}}
	n, _, _, _, err := c.writeMessages(nil, msg[:])
	return n, err
}

// WriteMessages writes msgs to the Conn's partition in one Produce request,
// as one uncompressed record batch, and returns the number of key and value
// bytes written. Each message is encoded once, straight into the request;
// its Key, Value and header slices are only read, during the call, and may
// be reused as soon as it returns. A zero Time is replaced by the time of
// the call. Messages must name no topic or the Conn's, no partition or the
// Conn's.
//
// Writing asks for the acknowledgements set by SetRequiredAcks (all in-sync
// replicas by default) and is bounded by the write deadline for sending and
// the read deadline for the answer; the broker is given the time left before
// the write deadline. A Kafka error comes back as an Error (errors.Is
// works), with the broker's message when it sent one; when the broker named
// the messages that made it drop the batch (Produce v8+), the error says
// which, by index in msgs. The batch is all or nothing: on error none of
// the messages was written.
func (c *Conn) WriteMessages(msgs ...Message) (int, error) {
	n, _, _, _, err := c.writeMessages(nil, msgs)
	return n, err
}

// WriteCompressedMessages is WriteMessages with the batch compressed by
// codec (nil for none). The batch is compressed once, in the request buffer.
func (c *Conn) WriteCompressedMessages(codec CompressionCodec, msgs ...Message) (int, error) {
	n, _, _, _, err := c.writeMessages(codec, msgs)
	return n, err
}

// WriteCompressedMessagesAt is WriteCompressedMessages that also returns the
// partition written to, the offset of the first message and, for topics
// that use the broker's append time, that time (the zero Time otherwise).
func (c *Conn) WriteCompressedMessagesAt(codec CompressionCodec, msgs ...Message) (nbytes int, partition int32, offset int64, appendTime time.Time, err error) {
	return c.writeMessages(codec, msgs)
}

func (c *Conn) writeMessages(codec CompressionCodec, msgs []Message) (nbytes int, partition int32, offset int64, appendTime time.Time, err error) {
	partition, offset = c.partition, -1
	if len(msgs) == 0 {
		return 0, partition, offset, appendTime, nil
	}
	for i := range msgs {
		m := &msgs[i]
		if m.Topic != "" && m.Topic != c.topic {
			return 0, partition, offset, appendTime, errInvalidWriteTopic
		}
		if m.Partition != 0 && m.Partition != int(c.partition) {
			return 0, partition, offset, appendTime, errInvalidWritePartition
		}
		nbytes += len(m.Key) + len(m.Value)
	}
	opts := wire.ProducerBatchOptions()
	if opts.Codec, opts.Level, err = wireCodec(codec); err != nil {
		return 0, partition, offset, appendTime, err
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.version(wire.KeyProduce)
	if err != nil {
		return 0, partition, offset, appendTime, err
	}
	buf := c.bc.StartRequest(wire.KeyProduce, v)
	buf, err = appendProduceRequest(&c.penc, buf, v, c.txnID, int16(c.requiredAcks.Load()), c.requestTimeoutMs(), c.topic, c.partition, opts, msgs)
	if err != nil {
		return 0, partition, offset, appendTime, err
	}
	corr, err := c.bc.SendRequest(buf)
	if err != nil {
		return 0, partition, offset, appendTime, c.failed(err)
	}
	if err := c.bc.ReceiveInto(corr, v, &c.prodResp); err != nil {
		return 0, partition, offset, appendTime, c.failed(err)
	}
	res := produce.PartitionResult(&c.prodResp, c.topic, c.partition)
	if res.Err != nil {
		return 0, partition, offset, appendTime, res.Err
	}
	if res.LogAppendTimeMs >= 0 {
		appendTime = time.UnixMilli(res.LogAppendTimeMs)
	}
	return nbytes, partition, res.BaseOffset, appendTime, nil
}
