package group

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// TestCoordinatorFailover: on the 3-node cluster, the coordinator's node is
// killed; the member finds the new coordinator (through NOT_COORDINATOR,
// COORDINATOR_NOT_AVAILABLE, COORDINATOR_LOAD_IN_PROGRESS or refused
// connections, whichever the failover shows it), keeps or regains its
// partitions, and commits and fetches offsets there.
func TestCoordinatorFailover(t *testing.T) {
	addrs := kafkatest.Cluster3(t)
	topic := createTopic(t, addrs, 2)
	cfg := Config{Brokers: addrs, GroupID: groupID(t), Topics: []string{topic}, SessionTimeout: 20 * time.Second, RebalanceTimeout: 20 * time.Second}
	r := newRecorder(t)
	m := startMember(t, cfg, r)
	waitFor(t, 20*time.Second, "assignment", func() bool { return settled(topic, 2, r) })
	m.mu.Lock()
	old := m.coord
	m.mu.Unlock()
	node := slices.Index(addrs, old) + 1
	if node == 0 {
		t.Fatalf("coordinator %s is none of %v", old, addrs)
	}
	kafkatest.Kill(t, 3, node)
	t.Cleanup(func() { kafkatest.Start(t, 3, node) })
	start := time.Now()

	waitFor(t, 60*time.Second, "a new coordinator", func() bool {
		m.mu.Lock()
		defer m.mu.Unlock()
		return m.coord != "" && m.coord != old && m.stable
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var gen Generation
	for {
		waitFor(t, 60*time.Second, "assignment after failover", func() bool { return settled(topic, 2, r) })
		_, gen = r.state()
		err := m.CommitOffsets(ctx, gen, []Offset{{Topic: topic, Partition: 0, Offset: 9, LeaderEpoch: -1}})
		if err == nil {
			break
		}
		// A rebalance during the failover is legitimate; the commit must
		// then name the new generation.
		t.Logf("commit in generation %d: %v", gen.ID, err)
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := []Offset{{Topic: topic, Partition: 0}}
	if err := m.FetchOffsets(ctx, got); err != nil || got[0].Offset != 9 {
		t.Fatalf("fetched %d, %v; want 9", got[0].Offset, err)
	}
	m.mu.Lock()
	now := m.coord
	m.mu.Unlock()
	t.Logf("coordinator moved from %s to %s; committed in generation %d %v after the kill", old, now, gen.ID, time.Since(start))
	m.Close()
	checkNoGoroutines(t)
}
