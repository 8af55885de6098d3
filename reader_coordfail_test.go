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
// once reading and committing have gone on without it (deliveries from the
// kill on, commits once the group has moved), restarted. The churn record checks
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
	s.rate = 600 // each of three Readers: about 50 s in all, so reading outlasts the restart
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
	killed := time.Now()
	killedAt, committedAt := s.distinctNow(), s.committedSum()
	t.Logf("killed node %d (the coordinator, %s) at %d distinct, %d committed", node, coord, killedAt, committedAt)
	// Reading goes on without the node: its partitions' leadership and the
	// group move to the others, and so do the commits. The group can move
	// only once the controller has fenced the node (broker.session.timeout.ms
	// is 4 s in scripts/kafka), while the partitions the other nodes lead
	// are read all along: the commits are awaited, not expected after some
	// number of deliveries (checked after 9,000, they sometimes had not
	// resumed yet). Deliveries must go on while no commit can be made: the
	// consumers' CommitMessages once waited for the stalled periodic commit,
	// and every consumer stopped until the group had moved.
	at, ok := s.awaitCommitted(ctx, committedAt, time.Minute)
	switch {
	case !ok:
		t.Errorf("nothing committed with the coordinator's node down: %d committed at the kill, %d now, %v later",
			committedAt, s.committedSum(), time.Since(killed).Round(time.Millisecond))
	case at <= killedAt:
		t.Errorf("no message delivered from the kill until the commits resumed (%d distinct): reading stopped while the coordinator was away", at)
	default:
		t.Logf("commits resumed %v after the kill, at %d distinct", time.Since(killed).Round(time.Millisecond), at)
	}
	s.await(ctx, killedAt+total/10)
	nodes.start(node)
	t.Logf("restarted node %d at %d distinct, %d committed", node, s.distinctNow(), s.committedSum())

	s.finish(ctx, stopPoll)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.coords) < 2 {
		t.Errorf("the poller asked only %v: the coordinator did not move", s.coords)
	}
	t.Logf("%d deliveries of %d messages, %d duplicates; %d assignments, %d revocations, %d losses; "+
		"%d commit polls, coordinators %v", s.delivered, total, s.dups, s.assigns, s.revokes, s.losses, s.polls, s.coords)
}
