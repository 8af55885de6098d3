package kafka

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// listedLeader asks the broker at addr for partition 0 of topic, creating
// the topic (auto-creation is on in the test clusters), until the broker
// lists its leader; it returns the partition as listed, at once.
func listedLeader(t *testing.T, c *Conn, topic string) Partition {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; {
		parts, err := c.ReadPartitions(topic)
		if err == nil && len(parts) == 1 && parts[0].Error == nil && parts[0].Leader.Host != "" {
			return parts[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no leader listed after 30 s (last: %v, %v)", topic, parts, err)
		}
	}
}

// The README's first example: DialLeader on a topic auto-creation has just
// made, WriteMessages at once. A broker lists a new partition's leader a
// moment before that leader serves it, and a first request in that moment
// failed (NOT_LEADER_OR_FOLLOWER, or UNKNOWN_TOPIC_OR_PARTITION from a
// leader that has not heard of the topic yet): over four runs, 1 to 4 dials
// in 100 made as soon as the 1-node cluster's broker listed the leader, 2
// to 5 in 40 in the 3-node cluster (where the leader learns of the topic on
// its own). DialLeader and DialPartition now return once the leader serves
// the partition: every first write succeeds. Half the topics go through
// each.
func TestDialLeaderServes(t *testing.T) {
	for _, c := range []struct {
		name   string
		addrs  func(testing.TB) []string
		topics int
	}{{"1node", kafkatest.Brokers, 100}, {"3nodes", kafkatest.Cluster3, 40}} {
		t.Run(c.name, func(t *testing.T) {
			addr := c.addrs(t)[0]
			meta, err := Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer meta.Close()
			failed := 0
			for i := range c.topics {
				topic := kafkatest.Topic(t)
				p := listedLeader(t, meta, topic)
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				var conn *Conn
				if i%2 == 0 {
					conn, err = DialLeader(ctx, "tcp", addr, topic, 0)
				} else {
					conn, err = DialPartition(ctx, "tcp", addr, p)
				}
				cancel()
				if err != nil {
					t.Fatalf("%s: %v", topic, err)
				}
				conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
				if _, err := conn.WriteMessages(Message{Value: []byte("one!")}); err != nil {
					failed++
					t.Errorf("%s (leader %d): the first write failed: %v", topic, p.Leader.ID, err)
				}
				conn.Close()
			}
			if failed > 0 {
				t.Errorf("%d first writes of %d failed", failed, c.topics)
			}
		})
	}
}

// A broker that never serves the partition it is dialed for (here a topic
// that does not exist) fails DialPartition after its ~2 s of asking, with
// the broker's answer; a context that ends first ends the dial with it.
func TestDialPartitionNotServed(t *testing.T) {
	addr := kafkatest.Brokers(t)[0]
	meta, err := Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	brokers, err := meta.Brokers()
	meta.Close()
	if err != nil {
		t.Fatal(err)
	}
	p := Partition{Topic: kafkatest.Topic(t), Leader: brokers[0]}
	start := time.Now()
	_, err = DialPartition(context.Background(), "tcp", addr, p)
	took := time.Since(start)
	t.Logf("failed after %v: %v", took.Round(time.Millisecond), err)
	if !errors.Is(err, UnknownTopicOrPartition) || took > 6*time.Second {
		t.Fatalf("DialPartition returned %v after %v, want UnknownTopicOrPartition within 6 s", err, took)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = DialPartition(ctx, "tcp", addr, p)
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > 300*time.Millisecond+ctxSlack {
		t.Fatalf("DialPartition returned %v after %v, want its context's error at 300 ms", err, took)
	}
}
