// Package kafka is a Kafka client for Go whose API follows
// github.com/segmentio/kafka-go (Conn, Batch, Reader, Writer, Message,
// Dialer, balancers) and whose hot paths allocate nothing per message.
//
// Byte slices: every method that takes or returns a []byte documents who owns
// it and how long it stays valid. As a rule, slices passed in are only read
// during the call, and slices handed out alias client buffers until the next
// call on the same object; copy them to keep them.
package kafka
