package kafka

import (
	"time"

	"github.com/zeroalloc/kafka/internal/produce"
	"github.com/zeroalloc/kafka/wire"
)

// messageView gives internal/produce the record fields of a Message (see
// produce.View): a zero-size accessor, so that a []Message is encoded as it
// is, without conversion or allocation.
type messageView struct{}

func (messageView) Record(m *Message) (time.Time, []byte, []byte, int) {
	return m.Time, m.Key, m.Value, len(m.Headers)
}

func (messageView) Header(m *Message, i int) (string, []byte) {
	h := &m.Headers[i]
	return h.Key, h.Value
}

// appendProduceRequest appends the body of a Produce request of version
// writing msgs as one record batch to topic's partition (see
// produce.AppendRequest, which documents ownership and errors). The Conn
// and the Writer encode their requests with it.
func appendProduceRequest(e *produce.Encoder, dst []byte, version int16, transactionalID wire.NullString, acks int16, timeoutMs int32, topic string, partition int32, opts wire.BatchOptions, msgs []Message) ([]byte, error) {
	return produce.AppendRequest[Message, messageView](e, dst, version, transactionalID, acks, timeoutMs, topic, partition, opts, msgs)
}
