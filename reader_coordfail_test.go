package kafka

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// TestReaderGroupCoordinatorFailover is the churn proof under a
// coordinator failover: on the 3-node cluster, a group of three Readers
// consumes 90,000 messages of a topic replicated on every node (about 45 s
// of reading) while the node that coordinates the group is SIGKILLed and,
// once reading has gone on without it, restarted. The churn record checks
// what TestReaderGroupChurn checks: every message is delivered at least
// once, no read begun after a revocation returns a message of the revoked
// partition, no two Readers own a partition at once, the committed offsets
// (polled from whichever node coordinates) never go back, and a message is
// only delivered again at or above the committed offset seen before. The
// run ends once everything is delivered and committed, after the restart;
// the poller must have seen the coordinator move.
func TestReaderGroupCoordinatorFailover(t *testing.T) {
	addrs := kafkatest.Cluster3(t)
	const parts, total = 6, 90000
	topic := createReplicatedTopic(t, addrs, parts)
	nodes := newNodeKiller(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	writeSeq(ctx, t, &Writer{Addr: TCP(addrs...), Topic: topic, Balancer: &RoundRobin{}}, total)

	s := newChurn(ctx, t, addrs, topic, parts, total)
	s.rate = 700 // each of three Readers: about 45 s in all, so reading outlasts the restart
	groupID := kafkatest.Topic(t)
	base := ReaderConfig{Brokers: addrs, GroupID: groupID, Topic: topic,
		GroupBalancers: []GroupBalancer{RangeGroupBalancer{}}, MaxBytes: 64 << 10, MaxWait: 100 * time.Millisecond,
		HeartbeatInterval: 250 * time.Millisecond, SessionTimeout: 6 * time.Second, RebalanceTimeout: 10 * time.Second,
		CommitInterval: 50 * time.Millisecond, JoinGroupBackoff: time.Second, ReadBackoffMax: 500 * time.Millisecond,
		Dialer: &Dialer{Timeout: 2 * time.Second}}
	for _, name := range []string{"a", "b", "c"} {
		s.join(ctx, name, base)
	}
	stopPoll := s.startPoller(ctx, addrs, groupID)
	defer stopPoll()

	s.await(ctx, total/6)
	coord, err := findCoordinator(ctx, addrs[0], groupID)
	if err != nil {
		t.Fatal(err)
	}
	node := slices.Index(addrs, coord) + 1
	if node == 0 {
		t.Fatalf("coordinator %s is none of %v", coord, addrs)
	}
	nodes.kill(node)
	killedAt, committedAt := s.distinctNow(), s.committedSum()
	t.Logf("killed node %d (the coordinator, %s) at %d distinct, %d committed", node, coord, killedAt, committedAt)
	// Reading goes on without the node: its partitions' leadership and the
	// group move to the others, and so do the commits.
	s.await(ctx, killedAt+total/10)
	if now := s.committedSum(); now <= committedAt {
		t.Errorf("nothing committed with the coordinator's node down: %d committed at the kill, %d now", committedAt, now)
	}
	nodes.start(node)
	t.Logf("restarted node %d at %d distinct, %d committed", node, s.distinctNow(), s.committedSum())

	s.awaitSettled(ctx)
	stopPoll()
	s.mu.Lock()
	readers := slices.Clone(s.readers)
	s.mu.Unlock()
	for _, cr := range readers {
		if err := cr.r.Close(); err != nil {
			t.Errorf("%s: Close: %v", cr.name, err)
		}
		<-cr.done
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.violations > 0 {
		t.Errorf("%d violations", s.violations)
	}
	if len(s.coords) < 2 {
		t.Errorf("the poller asked only %v: the coordinator did not move", s.coords)
	}
	t.Logf("%d deliveries of %d messages, %d duplicates; %d assignments, %d revocations, %d losses; "+
		"%d commit polls, coordinators %v", s.delivered, total, s.dups, s.assigns, s.revokes, s.losses, s.polls, s.coords)
}
