package kafka

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/sasl"
)

// These method expressions carry kafka-go v0.4.51's signatures: the file
// stops compiling if *Conn or *Dialer loses one of these methods or changes
// its signature.
var (
	_ net.Conn                                                                        = (*Conn)(nil)
	_ func(*Conn, []byte) (int, error)                                                = (*Conn).Read
	_ func(*Conn, []byte) (int, error)                                                = (*Conn).Write
	_ func(*Conn, int) (Message, error)                                               = (*Conn).ReadMessage
	_ func(*Conn, int, int) *Batch                                                    = (*Conn).ReadBatch
	_ func(*Conn, ReadBatchConfig) *Batch                                             = (*Conn).ReadBatchWith
	_ func(*Conn, ...Message) (int, error)                                            = (*Conn).WriteMessages
	_ func(*Conn, CompressionCodec, ...Message) (int, error)                          = (*Conn).WriteCompressedMessages
	_ func(*Conn, CompressionCodec, ...Message) (int, int32, int64, time.Time, error) = (*Conn).WriteCompressedMessagesAt
	_ func(*Batch) time.Duration                                                      = (*Batch).Throttle
	_ func(*Batch) int64                                                              = (*Batch).HighWaterMark
	_ func(*Batch) int                                                                = (*Batch).Partition
	_ func(*Batch) int64                                                              = (*Batch).Offset
	_ func(*Batch) error                                                              = (*Batch).Close
	_ func(*Batch) error                                                              = (*Batch).Err
	_ func(*Batch, []byte) (int, error)                                               = (*Batch).Read
	_ func(*Batch) (Message, error)                                                   = (*Batch).ReadMessage
	_ func(*Conn) Broker                                                              = (*Conn).Broker
	_ func(*Conn) (Broker, error)                                                     = (*Conn).Controller
	_ func(*Conn) ([]Broker, error)                                                   = (*Conn).Brokers
	_ func(*Conn, ...string) ([]Partition, error)                                     = (*Conn).ReadPartitions
	_ func(*Conn, ...TopicConfig) error                                               = (*Conn).CreateTopics
	_ func(*Conn, ...string) error                                                    = (*Conn).DeleteTopics
	_ func(*Conn) ([]ApiVersion, error)                                               = (*Conn).ApiVersions
	_ func(*Conn) error                                                               = (*Conn).Close
	_ func(*Conn) net.Addr                                                            = (*Conn).LocalAddr
	_ func(*Conn) net.Addr                                                            = (*Conn).RemoteAddr
	_ func(*Conn, time.Time) error                                                    = (*Conn).SetDeadline
	_ func(*Conn, time.Time) error                                                    = (*Conn).SetReadDeadline
	_ func(*Conn, time.Time) error                                                    = (*Conn).SetWriteDeadline
	_ func(*Conn) (int64, int)                                                        = (*Conn).Offset
	_ func(*Conn, int64, int) (int64, error)                                          = (*Conn).Seek
	_ func(*Conn, time.Time) (int64, error)                                           = (*Conn).ReadOffset
	_ func(*Conn) (int64, int64, error)                                               = (*Conn).ReadOffsets
	_ func(*Conn) (int64, error)                                                      = (*Conn).ReadFirstOffset
	_ func(*Conn) (int64, error)                                                      = (*Conn).ReadLastOffset
	_ func(*Conn, int) error                                                          = (*Conn).SetRequiredAcks
	_ func(net.Conn, string, int) *Conn                                               = NewConn
	_ func(net.Conn, ConnConfig) *Conn                                                = NewConnWith
	_ func(*Dialer, string, string) (*Conn, error)                                    = (*Dialer).Dial
	_ func(string, string) (*Conn, error)                                             = Dial
	_ func(context.Context, string, string) (*Conn, error)                            = DialContext
	_ func(*Dialer, context.Context, string, string) (*Conn, error)                   = (*Dialer).DialContext
	_ func(*Dialer, context.Context, string, string, string, int) (*Conn, error)      = (*Dialer).DialLeader
	_ func(*Dialer, context.Context, string, string, Partition) (*Conn, error)        = (*Dialer).DialPartition
	_ func(*Dialer, context.Context, string, string, string, int) (Broker, error)     = (*Dialer).LookupLeader
	_ func(*Dialer, context.Context, string, string, string, int) (Partition, error)  = (*Dialer).LookupPartition
	_ func(*Dialer, context.Context, string, string, string) ([]Partition, error)     = (*Dialer).LookupPartitions
	_ func(context.Context, string, string, string, int) (*Conn, error)               = DialLeader
	_ func(context.Context, string, string, Partition) (*Conn, error)                 = DialPartition
	_ func(context.Context, string, string, string, int) (Partition, error)           = LookupPartition
	_ func(context.Context, string, string, string) ([]Partition, error)              = LookupPartitions
	_ Resolver                                                                        = (*net.Resolver)(nil)
)

// kafka-go's Dialer fields, by name and type.
var _ = Dialer{
	ClientID:        "",
	DialFunc:        (&net.Dialer{}).DialContext,
	Timeout:         time.Second,
	Deadline:        time.Time{},
	LocalAddr:       (*net.TCPAddr)(nil),
	DualStack:       true,
	FallbackDelay:   time.Millisecond,
	KeepAlive:       time.Second,
	Resolver:        (*net.Resolver)(nil),
	TLS:             nil,
	SASLMechanism:   sasl.Mechanism(nil),
	TransactionalID: "",
}

func TestErrorMethods(t *testing.T) {
	err := error(NotLeaderForPartition)
	var ke Error
	if !errors.As(err, &ke) || ke != NotLeaderForPartition || ke.Title() != "Not Leader Or Follower" || ke.Description() == "" {
		t.Fatalf("%v: %q %q", ke, ke.Title(), ke.Description())
	}
	if !NotLeaderForPartition.Temporary() || NotLeaderForPartition.Timeout() || !RequestTimedOut.Timeout() || OffsetOutOfRange.Temporary() {
		t.Error("Temporary/Timeout disagree with Kafka's table")
	}
	if PositionOutOfRange != 99 || Unknown != -1 || FetchSessionTopicIDError != 106 {
		t.Error("kafka-go codes moved")
	}
}

// plain is the PLAIN mechanism (RFC 4616), enough to drive the exchange.
type plain struct{ started int }

func (p *plain) Name() string { return "PLAIN" }
func (p *plain) Start(context.Context) (sasl.StateMachine, []byte, error) {
	p.started++
	return p, []byte("\x00user\x00secret"), nil
}
func (p *plain) Next(context.Context, []byte) (bool, []byte, error) { return true, nil, nil }

func TestSASLRefusedByPlaintextListener(t *testing.T) {
	// The test broker has no SASL listener, so this only shows that the
	// handshake is sent after ApiVersions and that its refusal fails the
	// dial with a Kafka error; a real SASL exchange is untested.
	mech := &plain{}
	d := Dialer{Timeout: 10 * time.Second, SASLMechanism: mech}
	c, err := d.Dial("tcp", kafkatest.Brokers(t)[0])
	if err == nil {
		c.Close()
		t.Fatal("SASL dial to a PLAINTEXT listener succeeded")
	}
	// A listener without SASL answers the handshake with ILLEGAL_SASL_STATE.
	if !errors.Is(err, IllegalSASLState) || mech.started != 0 {
		t.Fatalf("error %v (%T), mechanism started %d times; want IllegalSASLState before Start", err, err, mech.started)
	}
	t.Logf("broker's answer: %v (mechanism started %d times)", err, mech.started)
}
