package kafka

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/zeroalloc/kafka/internal/group"
)

// readerGroup is a Reader's consumer-group side: an internal/group Member
// whose callbacks start and stop partition readers, and the offsets the
// application asked to commit.
type readerGroup struct {
	r     *Reader
	m     *group.Member // set once ready is closed
	ready chan struct{}

	// commitSem holds a token while a commit is in progress (see
	// lockCommits): commits go out one at a time, and a revocation waits
	// for the one in progress, then commits with the generation it is
	// given.
	commitSem chan struct{}
	// mu guards gen, owned and pending. It is never held across an
	// exchange, so that an asynchronous commit (CommitInterval > 0) only
	// records its offsets, whatever a commit in progress waits for: the
	// periodic commit once held the consumers of a coordinator failover in
	// CommitMessages for the seconds the group took to move.
	mu      sync.Mutex
	gen     group.Generation
	owned   map[topicPartition]bool
	pending map[topicPartition]int64 // offsets to commit: the next to read

	// loopCtx ends when Close begins: it stops the commit loop, also in
	// the middle of a commit (what it was committing stays pending, for
	// the final revocation).
	loopCtx  context.Context
	stopLoop context.CancelFunc
	loopDone chan struct{}
	// kick asks the commit loop to commit what is pending now: after a
	// synchronous commit that its context cut short (see unread).
	kick chan struct{}

	// fetchOffsets and commitOffsets are m.FetchOffsets and
	// m.CommitOffsets, unless a test wraps them.
	fetchOffsets  fetchOffsetsFunc
	commitOffsets commitOffsetsFunc
}

// fetchOffsetsFunc fetches committed offsets, as group.Member.FetchOffsets.
type fetchOffsetsFunc func(ctx context.Context, offsets []group.Offset) error

// commitOffsetsFunc commits offsets, as group.Member.CommitOffsets.
type commitOffsetsFunc func(ctx context.Context, gen group.Generation, offsets []group.Offset) error

// wrapFetchOffsets and wrapCommitOffsets, when a test sets them, wrap the
// FetchOffsets and CommitOffsets of the group Readers created afterwards,
// to inject failures or watch them.
var (
	wrapFetchOffsets  func(fetchOffsetsFunc) fetchOffsetsFunc
	wrapCommitOffsets func(commitOffsetsFunc) commitOffsetsFunc
)

// startGroup creates the group member; it joins on its own goroutine.
func (r *Reader) startGroup() {
	cfg := &r.config
	g := &readerGroup{r: r, owned: map[topicPartition]bool{}, pending: map[topicPartition]int64{},
		loopDone: make(chan struct{}), ready: make(chan struct{}), commitSem: make(chan struct{}, 1),
		kick: make(chan struct{}, 1)}
	g.loopCtx, g.stopLoop = context.WithCancel(r.ctx)
	r.group = g
	topics := cfg.GroupTopics
	if len(topics) == 0 {
		topics = []string{cfg.Topic}
	}
	assignors := make([]group.Assignor, len(cfg.GroupBalancers))
	for i, b := range cfg.GroupBalancers {
		assignors[i] = balancerAssignor{b}
	}
	mcfg := group.Config{
		Brokers:           cfg.Brokers,
		Dial:              cfg.Dialer.dialBroker, // TLS, SASL and DialFunc apply to the group's connections too
		ClientID:          cfg.Dialer.ClientID,
		GroupID:           cfg.GroupID,
		Topics:            topics,
		Assignors:         assignors,
		SessionTimeout:    or(cfg.SessionTimeout, 30*time.Second),
		RebalanceTimeout:  or(cfg.RebalanceTimeout, 30*time.Second),
		HeartbeatInterval: or(cfg.HeartbeatInterval, 3*time.Second),
		RetentionTime:     cfg.RetentionTime,
		JoinBackoff:       or(cfg.JoinGroupBackoff, 5*time.Second),
		OnAssigned:        g.onAssigned,
		OnRevoked:         g.onRevoked,
		OnLost:            g.onLost,
		OnError:           r.notify,
		Logf:              r.logf,
	}
	if cfg.WatchPartitionChanges {
		mcfg.PartitionWatchInterval = or(cfg.PartitionWatchInterval, 5*time.Second)
	}
	m, err := group.New(mcfg)
	if err != nil {
		panic(err)
	}
	g.m = m
	g.fetchOffsets, g.commitOffsets = m.FetchOffsets, m.CommitOffsets
	if wrapFetchOffsets != nil {
		g.fetchOffsets = wrapFetchOffsets(g.fetchOffsets)
	}
	if wrapCommitOffsets != nil {
		g.commitOffsets = wrapCommitOffsets(g.commitOffsets)
	}
	close(g.ready)
	go g.commitLoop()
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		<-m.Done() // at Close, or when an error no retry fixes stops the member
		if err := m.Err(); err != nil {
			g.fail(err)
		}
	}()
}

// fail ends the Reader's reading for good: the read calls return err, as
// a *GroupError, instead of waiting for messages that cannot come, and
// the partitions still read are stopped so that none is delivered after
// the error.
func (g *readerGroup) fail(err error) {
	r := g.r
	r.errorf("kafka: reader of group %s: %v", r.config.GroupID, err)
	r.fail(&GroupError{GroupID: r.config.GroupID, Err: err})
	r.mu.Lock()
	for tp, pr := range r.parts {
		r.stopPartition(pr)
		delete(r.parts, tp)
	}
	r.mu.Unlock()
}

// onAssigned starts reading the partitions new to the member, each at its
// committed offset (StartOffset when none), once OnAssigned has returned.
func (g *readerGroup) onAssigned(ctx context.Context, gen group.Generation, assigned, added group.Assignment) {
	<-g.ready // the callbacks may run before New has returned
	r := g.r
	r.stats.rebalances.Add(1)
	g.mu.Lock()
	g.gen = gen
	var offsets []group.Offset
	for _, topic := range slices.Sorted(maps.Keys(added)) {
		for _, p := range added[topic] {
			g.owned[topicPartition{topic, int(p)}] = true
			offsets = append(offsets, group.Offset{Topic: topic, Partition: p})
		}
	}
	g.mu.Unlock()
	if len(offsets) > 0 && r.config.OnAssigned != nil {
		r.config.OnAssigned(partitionsMap(added))
	}
	if !g.fetchCommitted(ctx, offsets) {
		return
	}
	for _, o := range offsets {
		start := o.Offset
		if start < 0 {
			start = r.config.StartOffset
		}
		r.logf("kafka: reader of group %s: generation %d: reading %s/%d from %d", r.config.GroupID, gen.ID, o.Topic, o.Partition, start)
		r.startPartition(topicPartition{o.Topic, int(o.Partition)}, start)
	}
}

// fetchCommitted fills offsets with the committed offsets, retrying every
// failure with backoff (ReadBackoffMin doubling up to ReadBackoffMax) until
// it succeeds, ctx ends (the generation is over or the Reader closes: the
// partitions are then no longer the Reader's to read) or the failure is one
// no retry fixes (GROUP_AUTHORIZATION_FAILED, TOPIC_AUTHORIZATION_FAILED,
// ...), which fails the Reader. Giving up on any other failure would leave
// the partitions assigned to the Reader and read by nobody until the next
// rebalance. It reports whether offsets were fetched.
func (g *readerGroup) fetchCommitted(ctx context.Context, offsets []group.Offset) bool {
	r := g.r
	wait := r.config.ReadBackoffMin
	for {
		err := g.fetchOffsets(ctx, offsets)
		if err == nil {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if group.IsFatal(err) {
			g.fail(err)
			return false
		}
		r.stats.errors.Add(1)
		r.errorf("kafka: reader of group %s: fetching committed offsets (retrying in %v): %v", r.config.GroupID, wait, err)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
		wait = min(2*wait, r.config.ReadBackoffMax)
	}
}

// onRevoked stops the revoked partitions (no message of them is delivered
// once it returns), calls OnRevoked, and commits what the application asked
// to commit of them, in gen.
func (g *readerGroup) onRevoked(ctx context.Context, gen group.Generation, revoked group.Assignment) {
	<-g.ready
	tps := g.stopPartitions(revoked)
	// gen is current at the coordinator while the revocation runs (under
	// the cooperative protocol it is already the new generation): commits
	// from here on, also from OnRevoked, name it.
	g.mu.Lock()
	g.gen = gen
	g.mu.Unlock()
	if h := g.r.config.OnRevoked; h != nil && len(tps) > 0 {
		h(partitionsMap(revoked))
	}
	// ctx ends CloseTimeout after Close begins: a commit that holds the
	// token longer (the coordinator gone) costs the revoked offsets.
	locked := g.lockCommits(ctx) == nil
	g.mu.Lock()
	var offsets []group.Offset
	for _, tp := range tps {
		if off, ok := g.pending[tp]; ok {
			offsets = append(offsets, group.Offset{Topic: tp.topic, Partition: int32(tp.partition), Offset: off, LeaderEpoch: -1})
			delete(g.pending, tp)
		}
		delete(g.owned, tp)
	}
	g.mu.Unlock()
	if !locked {
		if len(offsets) > 0 {
			g.r.errorf("kafka: reader of group %s: committing revoked partitions: %v", g.r.config.GroupID, ctx.Err())
		}
		return
	}
	if err := g.commitOffsets(ctx, gen, offsets); err != nil {
		g.r.errorf("kafka: reader of group %s: committing revoked partitions: %v", g.r.config.GroupID, err)
	}
	g.unlockCommits()
}

// onLost stops the lost partitions and forgets their pending offsets: the
// generation that could commit them is gone.
func (g *readerGroup) onLost(ctx context.Context, gen group.Generation, lost group.Assignment) {
	<-g.ready
	tps := g.stopPartitions(lost)
	g.mu.Lock()
	for _, tp := range tps {
		delete(g.pending, tp)
		delete(g.owned, tp)
	}
	g.mu.Unlock()
	h := g.r.config.OnLost
	if h == nil {
		h = g.r.config.OnRevoked
	}
	if h != nil && len(tps) > 0 {
		h(partitionsMap(lost))
	}
}

// partitionsMap converts an assignment to the hooks' form.
func partitionsMap(a group.Assignment) map[string][]int {
	out := make(map[string][]int, len(a))
	for topic, ps := range a {
		out[topic] = appendInts(nil, ps)
	}
	return out
}

// stopPartitions stops the partition readers of a.
func (g *readerGroup) stopPartitions(a group.Assignment) []topicPartition {
	r := g.r
	var tps []topicPartition
	for topic, ps := range a {
		for _, p := range ps {
			tp := topicPartition{topic, int(p)}
			tps = append(tps, tp)
			r.mu.Lock()
			pr := r.parts[tp]
			delete(r.parts, tp)
			r.mu.Unlock()
			if pr != nil {
				r.stopPartition(pr)
			}
		}
	}
	return tps
}

// commit records the offsets after msgs as to be committed, and commits
// every pending offset now when sync is set. Messages of partitions the
// member no longer owns are ignored: committing them would name a
// generation that does not own them.
func (g *readerGroup) commit(ctx context.Context, sync bool, msgs ...Message) error {
	g.mu.Lock()
	for i := range msgs {
		g.addLocked(&msgs[i])
	}
	g.mu.Unlock()
	if !sync {
		return nil
	}
	if err := g.lockCommits(ctx); err != nil {
		return err
	}
	err := g.flush(ctx)
	g.unlockCommits()
	return err
}

// addLocked records the offset after m as to be committed, if the member
// owns its partition.
func (g *readerGroup) addLocked(m *Message) {
	tp := topicPartition{m.Topic, m.Partition}
	if !g.owned[tp] {
		return
	}
	if old, ok := g.pending[tp]; !ok || m.Offset+1 > old {
		g.pending[tp] = m.Offset + 1
	}
}

// commitRead commits the offset after m, which ReadMessage has just read
// (CommitInterval zero; the caller holds the read turn). When the commit
// fails, m is given back (unread), so that the next read call returns it
// again rather than the message after it.
func (g *readerGroup) commitRead(ctx context.Context, m *Message) error {
	if err := g.lockCommits(ctx); err != nil {
		g.unread(m, false, false)
		return err
	}
	g.mu.Lock()
	g.addLocked(m)
	g.mu.Unlock()
	err := g.flush(ctx)
	if err == nil {
		g.r.backFails = 0
	} else {
		cut := group.Ended(ctx) // cut short by ctx (the error matches it), else refused
		g.unread(m, true, !cut)
		if cut {
			select {
			case g.kick <- struct{}{}:
			default:
			}
		}
	}
	g.unlockCommits()
	return err
}

// unread gives back m, whose commit failed, with the commit token held (or
// before any commit of it began, when sent is false): the partition's read
// position moves back to m, and the next read call returns it again (see
// Reader.giveBack), after a backoff when the commit was refused rather
// than cut short by its context. When
// the failed commit was sent, the coordinator may have taken it (the
// context ended with the request on its way) and may now hold the offset
// after m: the partition's pending offset becomes m's own, which the
// partition's next commit sends (that of m read again, a revocation's,
// Close's, or, after a context that ended, the commit loop's at once), so
// that nobody reads on from after m while m was never returned. Only a
// member that loses the partition (fenced, expelled) before that commit
// cannot undo it, since the generation is gone; the window is that
// commit's round trip.
func (g *readerGroup) unread(m *Message, sent, refused bool) {
	tp := topicPartition{m.Topic, m.Partition}
	g.mu.Lock()
	owned := g.owned[tp]
	if owned && sent {
		g.pending[tp] = m.Offset
	}
	g.mu.Unlock()
	if owned {
		g.r.giveBack(tp, m, refused)
	}
}

// lockCommits takes the commit token, or returns ctx's error once ctx
// ends: a synchronous commit waiting behind another that the coordinator
// does not answer honours its caller's context.
func (g *readerGroup) lockCommits(ctx context.Context) error {
	select {
	case g.commitSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (g *readerGroup) unlockCommits() { <-g.commitSem }

// flush commits the pending offsets in the current generation; the caller
// holds the commit token.
func (g *readerGroup) flush(ctx context.Context) error {
	g.mu.Lock()
	if len(g.pending) == 0 {
		g.mu.Unlock()
		return nil
	}
	offsets := make([]group.Offset, 0, len(g.pending))
	for tp, off := range g.pending {
		offsets = append(offsets, group.Offset{Topic: tp.topic, Partition: int32(tp.partition), Offset: off, LeaderEpoch: -1})
	}
	gen := g.gen
	g.mu.Unlock()
	if err := g.commitOffsets(ctx, gen, offsets); err != nil {
		// The offsets stay pending. When the generation is over, the
		// revocation or loss that follows settles their partitions: a
		// revoked partition's offset is committed with the generation the
		// revocation names, a lost one's dropped; under the cooperative
		// protocol a partition the member keeps is committed with the new
		// generation by the next commit. Dropping them here would lose
		// the commit of what was delivered before the rebalance.
		return err
	}
	g.mu.Lock()
	for _, o := range offsets {
		if tp := (topicPartition{o.Topic, int(o.Partition)}); g.pending[tp] == o.Offset {
			delete(g.pending, tp)
		}
	}
	g.mu.Unlock()
	return nil
}

// commitLoop commits the pending offsets every CommitInterval, and when
// kicked (see commitRead).
func (g *readerGroup) commitLoop() {
	defer close(g.loopDone)
	var tick <-chan time.Time
	if iv := g.r.config.CommitInterval; iv > 0 {
		t := time.NewTicker(iv)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-tick:
		case <-g.kick:
		case <-g.loopCtx.Done():
			return
		}
		if g.lockCommits(g.loopCtx) != nil {
			return
		}
		err := g.flush(g.loopCtx)
		g.unlockCommits()
		if err != nil && g.loopCtx.Err() == nil {
			g.r.errorf("kafka: reader of group %s: background commit: %v", g.r.config.GroupID, err)
		}
	}
}

// close stops the commit loop and closes the member, whose final
// revocation commits what is pending, then leaves the group.
func (g *readerGroup) close() error {
	g.stopLoop()
	<-g.loopDone
	return g.m.Close()
}

// CommitMessages commits, for each partition, the offset after the last of
// msgs, synchronously (whatever CommitInterval says: kafka-go commits
// asynchronously with a CommitInterval; here the call returns once the
// coordinator has answered), in the current generation. Messages of
// partitions the Reader no longer owns are skipped. It is only available
// in group mode.
func (r *Reader) CommitMessages(ctx context.Context, msgs ...Message) error {
	if r.group == nil {
		return errOnlyAvailableWithGroup
	}
	if err := r.failure(); err != nil {
		return err
	}
	return r.group.commit(ctx, r.config.CommitInterval == 0, msgs...)
}

// balancerAssignor adapts a GroupBalancer to the group Member's Assignor.
type balancerAssignor struct{ b GroupBalancer }

func (a balancerAssignor) Protocol() string  { return a.b.ProtocolName() }
func (a balancerAssignor) Cooperative() bool { return isCooperative(a.b) }

func (a balancerAssignor) Metadata(topics []string, owned map[string][]int32, generation int32) []byte {
	s := groupSubscription{Topics: topics, OwnedPartitions: intsMap(owned), GenerationID: generation}
	buf, err := appendGroupSubscription(nil, a.b, &s)
	if err != nil {
		// UserData failed: subscribe without it.
		buf = group.Subscription(topics, owned, generation, nil)
	}
	return buf
}

func (a balancerAssignor) Assign(members []group.MemberMeta, partitionCounts func(topics []string) (map[string]int32, error)) (map[string][]byte, error) {
	gm := make([]GroupMember, len(members))
	topicSet := map[string]bool{}
	for i, m := range members {
		gm[i] = GroupMember{ID: m.ID, Topics: m.Topics, UserData: m.UserData, OwnedPartitions: intsMap(m.Owned),
			GenerationID: m.Generation, InstanceID: m.InstanceID, Rack: m.Rack}
		for _, t := range m.Topics {
			topicSet[t] = true
		}
	}
	counts, err := partitionCounts(slices.Sorted(maps.Keys(topicSet)))
	if err != nil {
		return nil, err
	}
	var partitions []Partition
	for _, topic := range slices.Sorted(maps.Keys(counts)) {
		for p := range counts[topic] {
			partitions = append(partitions, Partition{Topic: topic, ID: int(p)})
		}
	}
	out := make(map[string][]byte, len(members))
	for id, as := range a.b.AssignGroups(gm, partitions) {
		out[id] = appendGroupAssignment(nil, as, nil)
	}
	return out, nil
}

// intsMap converts topic -> int32 partitions to topic -> int partitions.
func intsMap(m map[string][]int32) map[string][]int {
	if m == nil {
		return nil
	}
	out := make(map[string][]int, len(m))
	for t, ps := range m {
		out[t] = appendInts(nil, ps)
	}
	return out
}
