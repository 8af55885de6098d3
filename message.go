package kafka

import "time"

// Message is one Kafka record, as kafka-go defines it: the unit that
// Writer.WriteMessages and Conn.WriteMessages send and that Reader and Batch
// return.
//
// Ownership when producing: the client only reads Key, Value and the
// Headers' slices, and copies them into its request buffer (records are
// encoded once, straight into the request). Until the write call that takes
// the message returns, those slices must not be modified; afterwards they
// belong to the caller again and may be reused at once. A nil Key or Value is
// written as null, a non-nil empty one as empty.
//
// Ownership when consuming: the calls that return a Message document whether
// Key, Value and Headers are fresh copies owned by the caller or alias a
// client buffer that is reused by the next read; the zero-allocation read
// calls append into the capacity the Message already has.
type Message struct {
	// Topic is the topic the message was read from. With a Writer that has
	// no Topic of its own, it names the topic to write to.
	Topic string

	// Partition is the partition the message was read from. It is set by
	// the client and must not be set when writing.
	Partition int
	// Offset is the message's offset in its partition.
	Offset int64
	// HighWaterMark is the partition's high watermark when the message was
	// read.
	HighWaterMark int64
	// Key is the record key; nil is null. See the type's comment for
	// ownership.
	Key []byte
	// Value is the record value; nil is null. See the type's comment for
	// ownership.
	Value []byte
	// Headers are the record headers, written and read in order.
	Headers []Header

	// WriterData carries arbitrary data of the caller's through a Writer to
	// its Completion callback; the client never reads it.
	WriterData any

	// Time is the record timestamp. When writing, the zero Time means now
	// (taken once per write call, in milliseconds); when reading, it is the
	// record's create time or the broker's append time, as the topic says.
	Time time.Time
}

// Header is one record header: a string key (Kafka header keys are UTF-8
// and never null) and a value, nil for null. When writing, Value follows
// the ownership rules of Message.Key; when reading, it follows those of the
// call that returned it.
type Header struct {
	Key   string
	Value []byte
}
