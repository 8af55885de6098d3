package group

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/internal/proxy"
	"github.com/zeroalloc/kafka/wire"
)

// TestJoinTwoThenThree: one, two, then three members of one group each end
// with a disjoint share of the topic that together covers it, and under the
// eager protocol every member revokes all it owns before each rejoin.
func TestJoinTwoThenThree(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 6)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}}

	ra, rb, rc := newRecorder(t), newRecorder(t), newRecorder(t)
	a := startMember(t, cfg, ra)
	waitFor(t, 10*time.Second, "one member", func() bool { return settled(topic, 6, ra) })
	b := startMember(t, cfg, rb)
	waitFor(t, 10*time.Second, "two members", func() bool { return settled(topic, 6, ra, rb) })
	c := startMember(t, cfg, rc)
	waitFor(t, 10*time.Second, "three members", func() bool { return settled(topic, 6, ra, rb, rc) })

	for name, r := range map[string]*recorder{"a": ra, "b": rb, "c": rc} {
		owned := 0
		for _, e := range r.log() {
			switch e.kind {
			case "assigned":
				if owned != 0 {
					t.Errorf("%s: assigned %v while still owning %d partitions (eager revokes all first)", name, e.parts, owned)
				}
				owned = e.parts.Len()
			case "revoked":
				owned -= e.parts.Len()
			case "lost":
				t.Errorf("%s: unexpected %v", name, e)
			}
			t.Logf("%s: %v", name, e)
		}
	}
	_, ga := ra.state()
	if gb, _ := b.Generation(); gb.ID != ga.ID {
		t.Errorf("b is in generation %d, a in %d", gb.ID, ga.ID)
	}
	for _, m := range []*Member{a, b, c} {
		m.Close()
	}
	checkNoGoroutines(t)
}

// TestLeaveTriggersRebalance: a dynamic member that closes leaves the group,
// and the other member takes its partitions long before the session timeout
// would have expired it.
func TestLeaveTriggersRebalance(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 4)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, SessionTimeout: 20 * time.Second}
	ra, rb := newRecorder(t), newRecorder(t)
	a := startMember(t, cfg, ra)
	b := startMember(t, cfg, rb)
	waitFor(t, 15*time.Second, "two members", func() bool { return settled(topic, 4, ra, rb) })

	start := time.Now()
	b.Close()
	waitFor(t, 5*time.Second, "a alone", func() bool { return settled(topic, 4, ra) })
	t.Logf("a holds all partitions %v after b closed (session timeout %v)", time.Since(start), cfg.SessionTimeout)
	if evs := rb.log(); evs[len(evs)-1].kind != "revoked" || evs[len(evs)-1].ownedAfter != 0 {
		t.Errorf("b's last callback is %v, want the revocation of all it owned", evs[len(evs)-1])
	}
	a.Close()
	checkNoGoroutines(t)
}

// TestCommitFetchRoundTrip: offsets committed in the current generation
// read back, metadata and leader epoch included; unknown partitions read
// -1; a member with a retention time commits through OffsetCommit v4.
func TestCommitFetchRoundTrip(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 3)
	for _, retention := range []time.Duration{0, time.Hour} {
		cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, RetentionTime: retention}
		r := newRecorder(t)
		m := startMember(t, cfg, r)
		waitFor(t, 10*time.Second, "assignment", func() bool { return settled(topic, 3, r) })
		_, gen := r.state()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		want := []Offset{
			{Topic: topic, Partition: 0, Offset: 42, LeaderEpoch: 0, Metadata: "zero"},
			{Topic: topic, Partition: 2, Offset: 7, LeaderEpoch: 0, Metadata: ""},
		}
		if err := m.CommitOffsets(ctx, gen, want); err != nil {
			t.Fatalf("retention %v: commit: %v", retention, err)
		}
		got := []Offset{{Topic: topic, Partition: 2}, {Topic: topic, Partition: 1}, {Topic: topic, Partition: 0}, {Topic: "no-such-topic", Partition: 0}}
		if err := m.FetchOffsets(ctx, got); err != nil {
			t.Fatalf("retention %v: fetch: %v", retention, err)
		}
		cancel()
		wantEpoch := int32(0)
		if retention > 0 {
			wantEpoch = -1 // v4 carries no leader epoch
		}
		check := func(o Offset, off int64, epoch int32, md string) {
			t.Helper()
			if o.Offset != off || o.LeaderEpoch != epoch || o.Metadata != md {
				t.Errorf("retention %v: %s[%d] = %d epoch %d %q, want %d epoch %d %q", retention, o.Topic, o.Partition, o.Offset, o.LeaderEpoch, o.Metadata, off, epoch, md)
			}
		}
		check(got[0], 7, wantEpoch, "")
		check(got[1], -1, -1, "")
		check(got[2], 42, wantEpoch, "zero")
		check(got[3], -1, -1, "")
		m.Close()
	}
	checkNoGoroutines(t)
}

// TestCommitOldGeneration: a commit naming a generation that is over fails
// with ILLEGAL_GENERATION, locally when the member knows, from the
// coordinator when the commit left before the member learned (simulated by
// skipping the local check), and is never sent again under the new
// generation: the committed offset stays what the old generation's last
// valid commit wrote.
func TestCommitOldGeneration(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}}
	ra, rb := newRecorder(t), newRecorder(t)
	a := startMember(t, cfg, ra)
	waitFor(t, 10*time.Second, "a alone", func() bool { return settled(topic, 2, ra) })
	_, g1 := ra.state()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := a.CommitOffsets(ctx, g1, []Offset{{Topic: topic, Partition: 1, Offset: 100, LeaderEpoch: -1}}); err != nil {
		t.Fatal(err)
	}

	startMember(t, cfg, rb)
	waitFor(t, 10*time.Second, "two members", func() bool { return settled(topic, 2, ra, rb) })
	_, g2 := ra.state()
	if g2.ID <= g1.ID {
		t.Fatalf("generation %d after the rebalance, was %d", g2.ID, g1.ID)
	}

	old := []Offset{{Topic: topic, Partition: 1, Offset: 5, LeaderEpoch: -1}}
	err := a.CommitOffsets(ctx, g1, old)
	var stale *StaleGenerationError
	if !errors.As(err, &stale) || !errors.Is(err, wire.IllegalGeneration) {
		t.Fatalf("commit naming generation %d in generation %d: %v, want a StaleGenerationError matching IllegalGeneration", g1.ID, g2.ID, err)
	}
	err = a.commit(ctx, g1, old)
	if !errors.Is(err, wire.IllegalGeneration) {
		t.Fatalf("commit sent with generation %d in generation %d: %v, want ILLEGAL_GENERATION", g1.ID, g2.ID, err)
	}
	t.Logf("coordinator: %v", err)
	got := []Offset{{Topic: topic, Partition: 1}}
	if err := a.FetchOffsets(ctx, got); err != nil {
		t.Fatal(err)
	}
	if got[0].Offset != 100 {
		t.Fatalf("committed offset is %d after the refused commits, want 100", got[0].Offset)
	}
	// The current generation still commits.
	if err := a.CommitOffsets(ctx, g2, []Offset{{Topic: topic, Partition: 1, Offset: 101, LeaderEpoch: -1}}); err != nil {
		t.Fatal(err)
	}
}

// TestCloseMidJoin: Close returns within a second while the member waits
// in JoinGroup for a rebalance, and leaves no goroutine behind.
func TestCloseMidJoin(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	// a heartbeats rarely, so b's JoinGroup waits for it.
	cfga := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, SessionTimeout: 20 * time.Second, HeartbeatInterval: 5 * time.Second, RebalanceTimeout: 20 * time.Second}
	ra := newRecorder(t)
	a := startMember(t, cfga, ra)
	waitFor(t, 10*time.Second, "a alone", func() bool { return settled(topic, 2, ra) })
	time.Sleep(100 * time.Millisecond) // past a's first heartbeat after the join

	cfgb := cfga
	cfgb.HeartbeatInterval = 100 * time.Millisecond
	b := startMember(t, cfgb, nil)
	waitFor(t, 5*time.Second, "b in JoinGroup with its member id", func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.memberID != "" && !b.stable
	})
	time.Sleep(200 * time.Millisecond)
	if _, stable := b.Generation(); stable {
		t.Fatal("b completed a generation; the test needs it waiting in JoinGroup")
	}
	start := time.Now()
	b.Close()
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v mid-JoinGroup", d)
	} else {
		t.Logf("Close mid-JoinGroup took %v", d)
	}
	a.Close()
	checkNoGoroutines(t)
}

// TestCooperativeTwoRounds: under the cooperative protocol a joining member
// makes the owner revoke only the partitions that move, after the first
// SyncGroup and without ever losing the others; the owner then rejoins at
// once and the moved partitions reach the newcomer in the second round.
func TestCooperativeTwoRounds(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 6)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, Assignors: []Assignor{coopAssignor{}}}
	ra, rb := newRecorder(t), newRecorder(t)
	a := startMember(t, cfg, ra)
	waitFor(t, 10*time.Second, "a alone", func() bool { return settled(topic, 6, ra) })
	_, g1 := ra.state()
	b := startMember(t, cfg, rb)
	waitFor(t, 10*time.Second, "two members", func() bool { return settled(topic, 6, ra, rb) })
	final, g3 := ra.state()

	evs := ra.log()
	for _, e := range evs {
		t.Logf("a: %v", e)
	}
	for _, e := range rb.log() {
		t.Logf("b: %v", e)
	}
	// a: assigned all (g1); revoked the moved half; assigned its half (g2,
	// nothing added); assigned the same half (g3, nothing added).
	if len(evs) != 4 || evs[0].kind != "assigned" || evs[1].kind != "revoked" || evs[2].kind != "assigned" || evs[3].kind != "assigned" {
		t.Fatalf("a's callbacks: %v", evs)
	}
	moved := evs[0].parts.Minus(final)
	if got := evs[1].parts; got.Len() != 3 || got.Minus(moved).Len() != 0 {
		t.Errorf("a revoked %v, want exactly the moved %v", got, moved)
	}
	if evs[1].ownedAfter != 3 {
		t.Errorf("a owns %d partitions after the revocation, want 3", evs[1].ownedAfter)
	}
	g2 := evs[1].gen
	if g2.ID != g1.ID+1 || evs[2].gen != g2 || g3.ID != g2.ID+1 {
		t.Errorf("generations %d, %d, %d: want two rounds after %d", evs[1].gen.ID, evs[2].gen.ID, g3.ID, g1.ID)
	}
	if evs[2].added.Len() != 0 || evs[3].added.Len() != 0 {
		t.Errorf("a was added %v then %v, want nothing", evs[2].added, evs[3].added)
	}
	// b: nothing in g2 (the partitions were still a's), the moved half in g3.
	bevs := rb.log()
	if len(bevs) != 2 || bevs[0].gen.ID != g2.ID || bevs[0].parts.Len() != 0 || bevs[1].gen.ID != g3.ID || bevs[1].added.Len() != 3 {
		t.Errorf("b's callbacks: %v", bevs)
	}
	if got, _ := rb.state(); got.Minus(moved).Len() != 0 || moved.Minus(got).Len() != 0 {
		t.Errorf("b holds %v, want the moved %v", got, moved)
	}
	b.Close()
	a.Close()
	checkNoGoroutines(t)
}

// TestStaticMemberRestart: a static member closed and restarted under the
// same instance id within the session timeout gets its partitions back in
// the same generation, and the other member sees no rebalance.
func TestStaticMemberRestart(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 4)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, SessionTimeout: 10 * time.Second}
	cfga, cfgb := cfg, cfg
	cfga.InstanceID, cfgb.InstanceID = "instance-a", "instance-b"
	ra, rb := newRecorder(t), newRecorder(t)
	a := startMember(t, cfga, ra)
	waitFor(t, 10*time.Second, "a alone", func() bool { return settled(topic, 4, ra) })
	startMember(t, cfgb, rb)
	waitFor(t, 10*time.Second, "two members", func() bool { return settled(topic, 4, ra, rb) })
	before, gen := ra.state()
	bEvents := len(rb.log())

	a.Close()
	if evs := ra.log(); evs[len(evs)-1].kind != "revoked" {
		t.Errorf("a's last callback on Close is %v, want the revocation", evs[len(evs)-1])
	}
	ra2 := newRecorder(t)
	a2 := startMember(t, cfga, ra2)
	waitFor(t, 5*time.Second, "a restarted", func() bool { return len(ra2.log()) > 0 })
	after, gen2 := ra2.state()
	if gen2.ID != gen.ID || after.Minus(before).Len() != 0 || before.Minus(after).Len() != 0 {
		t.Errorf("restarted a: generation %d with %v, want generation %d with %v", gen2.ID, after, gen.ID, before)
	}
	if gen2.MemberID == gen.MemberID {
		t.Errorf("restarted a kept member id %q", gen.MemberID)
	}
	// Several heartbeats later b has still seen nothing.
	time.Sleep(time.Second)
	if evs := rb.log(); len(evs) != bEvents {
		t.Errorf("b saw %v after a's restart", evs[bEvents:])
	}
	if g, stable := a2.Generation(); !stable || g != gen2 {
		t.Errorf("a2 is in %+v (stable %v), want %+v", g, stable, gen2)
	}
}

// TestExpelledAfterSessionTimeout: a member whose connections are cut and
// stay silent is expelled by the coordinator after its session timeout, the
// other member takes its partitions, and the silent member reports them
// lost; once the network heals it rejoins.
func TestExpelledAfterSessionTimeout(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 4)
	p, err := proxy.New(brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const session = 1500 * time.Millisecond
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, SessionTimeout: session, HeartbeatInterval: 200 * time.Millisecond, RebalanceTimeout: 5 * time.Second}
	cfga := cfg
	// Every connection of a, the coordinator's included, goes through p.
	cfga.Dial = func(ctx context.Context, addr string) (*broker.Conn, error) {
		return broker.Dial(ctx, p.Addr(), "")
	}
	ra, rb := newRecorder(t), newRecorder(t)
	a := startMember(t, cfga, ra)
	b := startMember(t, cfg, rb)
	waitFor(t, 10*time.Second, "two members", func() bool { return settled(topic, 4, ra, rb) })

	p.Pause()
	p.CutAll()
	start := time.Now()
	waitFor(t, session+5*time.Second, "b alone", func() bool { return settled(topic, 4, rb) })
	took := time.Since(start)
	t.Logf("b holds every partition %v after a went silent (session timeout %v)", took, session)
	if took < session-cfg.HeartbeatInterval {
		t.Errorf("b took a's partitions after %v, before a's session could expire", took)
	}
	waitFor(t, session+time.Second, "a's partitions lost", func() bool {
		evs := ra.log()
		return evs[len(evs)-1].kind == "lost" && evs[len(evs)-1].ownedAfter == 0
	})

	p.Resume()
	waitFor(t, 15*time.Second, "a back", func() bool { return settled(topic, 4, ra, rb) })
	a.Close()
	b.Close()
	checkNoGoroutines(t)
}

// TestPartitionWatch: with a PartitionWatchInterval, partitions added to a
// topic reach the group without any member joining or leaving.
func TestPartitionWatch(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, PartitionWatchInterval: 200 * time.Millisecond}
	ra, rb := newRecorder(t), newRecorder(t)
	a := startMember(t, cfg, ra)
	b := startMember(t, cfg, rb)
	waitFor(t, 10*time.Second, "two members", func() bool { return settled(topic, 2, ra, rb) })
	addPartitions(t, brokers, topic, 6)
	start := time.Now()
	waitFor(t, 10*time.Second, "six partitions shared", func() bool { return settled(topic, 6, ra, rb) })
	t.Logf("the group shares 6 partitions %v after they were added", time.Since(start))
	a.Close()
	b.Close()
	checkNoGoroutines(t)
}

// TestFencedInstance: a second process under the same static instance id
// takes the first one's place; the first learns it is fenced at its next
// heartbeat, reports its partitions lost and stops with FENCED_INSTANCE_ID.
func TestFencedInstance(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, InstanceID: "twin"}
	r1, r2 := newRecorder(t), newRecorder(t)
	m1 := startMember(t, cfg, r1)
	waitFor(t, 10*time.Second, "first twin", func() bool { return settled(topic, 2, r1) })
	m2 := startMember(t, cfg, r2)
	select {
	case <-m1.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the first twin is still running")
	}
	if err := m1.Err(); !errors.Is(err, wire.FencedInstanceId) {
		t.Fatalf("first twin stopped with %v, want FENCED_INSTANCE_ID", err)
	}
	evs := r1.log()
	if last := evs[len(evs)-1]; last.kind != "lost" || last.ownedAfter != 0 {
		t.Errorf("first twin's last callback: %v, want the loss of its partitions", last)
	}
	waitFor(t, 10*time.Second, "second twin", func() bool { return settled(topic, 2, r2) })
	m1.Close()
	m2.Close()
	checkNoGoroutines(t)
}

// TestCommitInsideRevoked: the handshake the Reader relies on. Commits made
// inside OnRevoked, with the generation it gives, succeed both when a
// rebalance revokes the partitions (eager) and when Close does.
func TestCommitInsideRevoked(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}}
	ra := newRecorder(t)
	var a *Member
	commits := make(chan error, 10)
	ra.onRevoked = func(ctx context.Context, gen Generation, revoked Assignment) {
		var offs []Offset
		for _, p := range revoked[topic] {
			offs = append(offs, Offset{Topic: topic, Partition: p, Offset: int64(1000*gen.ID + p), LeaderEpoch: -1})
		}
		commits <- a.CommitOffsets(ctx, gen, offs)
	}
	a = startMember(t, cfg, ra)
	waitFor(t, 10*time.Second, "a alone", func() bool { return settled(topic, 2, ra) })
	_, g1 := ra.state()
	rb := newRecorder(t)
	b := startMember(t, cfg, rb)
	waitFor(t, 10*time.Second, "two members", func() bool { return settled(topic, 2, ra, rb) })
	own, g2 := ra.state()
	a.Close()
	for i, g := range []Generation{g1, g2} {
		if err := <-commits; err != nil {
			t.Fatalf("commit %d inside OnRevoked (generation %d): %v", i, g.ID, err)
		}
	}
	got := []Offset{{Topic: topic, Partition: 0}, {Topic: topic, Partition: 1}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.FetchOffsets(ctx, got); err != nil {
		t.Fatal(err)
	}
	for _, o := range got {
		want := int64(1000*g1.ID + o.Partition)
		if own.Has(topic, o.Partition) {
			want = int64(1000*g2.ID + o.Partition) // committed again at Close
		}
		if o.Offset != want {
			t.Errorf("partition %d: committed %d, want %d", o.Partition, o.Offset, want)
		}
	}
	b.Close()
	checkNoGoroutines(t)
}

// TestCloseDuringRevoked: Close called while OnRevoked runs (eager
// rebalance) waits for it, and the callback's context still lets its commit
// through; afterwards the member's methods fail with ErrClosed at once.
func TestCloseDuringRevoked(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}}
	ra := newRecorder(t)
	var a *Member
	entered, release := make(chan struct{}), make(chan struct{})
	commit := make(chan error, 1)
	ra.onRevoked = func(ctx context.Context, gen Generation, revoked Assignment) {
		close(entered)
		<-release
		commit <- a.CommitOffsets(ctx, gen, []Offset{{Topic: topic, Partition: 1, Offset: 77, LeaderEpoch: -1}})
	}
	a = startMember(t, cfg, ra)
	waitFor(t, 10*time.Second, "a alone", func() bool { return settled(topic, 2, ra) })
	b := startMember(t, cfg, newRecorder(t))
	<-entered
	closed := make(chan struct{})
	go func() { a.Close(); close(closed) }()
	time.Sleep(100 * time.Millisecond) // Close has cancelled the member by now
	close(release)
	if err := <-commit; err != nil {
		t.Fatalf("commit inside OnRevoked while closing: %v", err)
	}
	<-closed
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := []Offset{{Topic: topic, Partition: 1}}
	if err := b.FetchOffsets(ctx, got); err != nil || got[0].Offset != 77 {
		t.Fatalf("fetched %d, %v; want 77", got[0].Offset, err)
	}
	start := time.Now()
	if err := a.FetchOffsets(ctx, got); !errors.Is(err, ErrClosed) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("FetchOffsets after Close: %v after %v, want ErrClosed at once", err, time.Since(start))
	}
	b.Close()
	checkNoGoroutines(t)
}

// TestCommitStuckOnSilentCoordinator: a commit sent just as the coordinator
// goes silent holds the connection heartbeats share. The heartbeats still
// give up at the session's end, the member reports its partitions lost,
// and the commit, which named the lost generation, returns a
// StaleGenerationError instead of waiting forever.
func TestCommitStuckOnSilentCoordinator(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	p, err := proxy.New(brokers[0])
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	const session = 1500 * time.Millisecond
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, SessionTimeout: session,
		HeartbeatInterval: 200 * time.Millisecond, RebalanceTimeout: 5 * time.Second,
		Dial: func(ctx context.Context, addr string) (*broker.Conn, error) { return broker.Dial(ctx, p.Addr(), "") }}
	r := newRecorder(t)
	m := startMember(t, cfg, r)
	waitFor(t, 10*time.Second, "the assignment", func() bool { return settled(topic, 2, r) })
	_, gen := r.state()

	p.Pause()
	errc := make(chan error, 1)
	go func() {
		errc <- m.CommitOffsets(context.Background(), gen, []Offset{{Topic: topic, Partition: 0, Offset: 1, LeaderEpoch: -1}})
	}()
	select {
	case err := <-errc:
		var stale *StaleGenerationError
		if !errors.As(err, &stale) || !errors.Is(err, wire.IllegalGeneration) {
			t.Fatalf("commit: %v, want a StaleGenerationError", err)
		}
	case <-time.After(session + 5*time.Second):
		t.Fatal("the commit still waits on the silent coordinator")
	}
	waitFor(t, time.Second, "the partitions lost", func() bool {
		evs := r.log()
		return evs[len(evs)-1].kind == "lost" && evs[len(evs)-1].ownedAfter == 0
	})
	p.CutAll()
	p.Resume()
	waitFor(t, 15*time.Second, "the member back", func() bool { return settled(topic, 2, r) })
}
