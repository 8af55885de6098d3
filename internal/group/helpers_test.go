package group

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// adminConn returns a negotiated connection to the first broker, closed
// when the test ends, and a context bounding the test's admin requests.
func adminConn(t *testing.T, brokers []string) (context.Context, *broker.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, err := broker.Dial(ctx, brokers[0], "group-test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Negotiate(); err != nil {
		t.Fatal(err)
	}
	return ctx, c
}

// createTopic creates a topic of n partitions and waits until the broker's
// metadata lists them all.
func createTopic(t *testing.T, brokers []string, n int32) string {
	t.Helper()
	topic := kafkatest.Topic(t)
	ctx, c := adminConn(t, brokers)
	v, err := c.Version(wire.KeyCreateTopics)
	if err != nil {
		t.Fatal(err)
	}
	req := wire.CreateTopicsRequest{TimeoutMs: 10000, Topics: []wire.CreateTopicsRequestTopic{{Name: topic, NumPartitions: n, ReplicationFactor: -1}}}
	var resp wire.CreateTopicsResponse
	if err := c.RoundTrip(ctx, v, &req, &resp); err != nil {
		t.Fatal(err)
	}
	if err := wire.ErrorForCodeMessage(resp.Topics[0].ErrorCode, resp.Topics[0].ErrorMessage); err != nil {
		t.Fatalf("creating %s: %v", topic, err)
	}
	mv, err := c.Version(wire.KeyMetadata)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "topic metadata", func() bool {
		mreq := wire.MetadataRequest{Topics: []wire.MetadataRequestTopic{{Name: wire.NewNullString(topic)}}}
		var mresp wire.MetadataResponse
		if err := c.RoundTrip(ctx, mv, &mreq, &mresp); err != nil {
			t.Fatal(err)
		}
		if len(mresp.Topics) != 1 || len(mresp.Topics[0].Partitions) != int(n) {
			return false
		}
		for _, p := range mresp.Topics[0].Partitions {
			if p.LeaderId < 0 {
				return false
			}
		}
		return true
	})
	return topic
}

// groupID returns a group id unique to the test.
func groupID(t *testing.T) string { return "g-" + kafkatest.Topic(t) }

// waitFor polls cond every 10 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// event is one callback call seen by a recorder.
type event struct {
	kind       string // "assigned", "revoked", "lost"
	gen        Generation
	parts      Assignment // assigned: the whole assignment; else the partitions
	added      Assignment
	at         time.Time
	ownedAfter int
}

// recorder records a member's callbacks and keeps its current assignment
// as the callbacks describe it. It also checks that no callback overlaps
// another.
type recorder struct {
	mu     sync.Mutex
	events []event
	cur    Assignment
	gen    Generation
	busy   bool
	t      *testing.T
	// onRevoked, when set, runs inside OnRevoked (commits, for instance).
	onRevoked func(ctx context.Context, gen Generation, revoked Assignment)
}

func newRecorder(t *testing.T) *recorder { return &recorder{t: t, cur: Assignment{}} }

func (r *recorder) enter() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.busy {
		r.t.Errorf("callbacks overlap")
	}
	r.busy = true
}

func (r *recorder) leave(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.busy = false
	e.at = time.Now()
	switch e.kind {
	case "assigned":
		r.cur, r.gen = e.parts.Clone(), e.gen
	default:
		r.cur = r.cur.Minus(e.parts)
		if r.cur == nil {
			r.cur = Assignment{}
		}
	}
	e.ownedAfter = r.cur.Len()
	r.events = append(r.events, e)
}

// install sets the recorder's callbacks into cfg.
func (r *recorder) install(cfg *Config) {
	cfg.OnAssigned = func(ctx context.Context, gen Generation, assigned, added Assignment) {
		r.enter()
		r.leave(event{kind: "assigned", gen: gen, parts: assigned, added: added})
	}
	cfg.OnRevoked = func(ctx context.Context, gen Generation, revoked Assignment) {
		r.enter()
		if r.onRevoked != nil {
			r.onRevoked(ctx, gen, revoked)
		}
		r.leave(event{kind: "revoked", gen: gen, parts: revoked})
	}
	cfg.OnLost = func(ctx context.Context, gen Generation, lost Assignment) {
		r.enter()
		r.leave(event{kind: "lost", gen: gen, parts: lost})
	}
}

// state returns the current assignment and generation as the callbacks
// told them.
func (r *recorder) state() (Assignment, Generation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur.Clone(), r.gen
}

// log returns a copy of the events so far.
func (r *recorder) log() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

func (e event) String() string {
	return fmt.Sprintf("%s gen=%d %v added=%v", e.kind, e.gen.ID, e.parts, e.added)
}

// settled reports whether every recorder holds an assignment of the same
// generation, the assignments are disjoint and together cover all n
// partitions of topic, and every member holds its fair share.
func settled(topic string, n int, rs ...*recorder) bool {
	seen := make(map[int32]bool)
	var gen int32 = -2
	for _, r := range rs {
		a, g := r.state()
		if gen != -2 && g.ID != gen {
			return false
		}
		gen = g.ID
		if k := len(a[topic]); k < n/len(rs) || k > (n+len(rs)-1)/len(rs) {
			return false
		}
		for _, p := range a[topic] {
			if seen[p] {
				return false
			}
			seen[p] = true
		}
	}
	return len(seen) == n
}

// startMember starts a member of group on topic with test timings.
func startMember(t *testing.T, cfg Config, r *recorder) *Member {
	t.Helper()
	if cfg.SessionTimeout == 0 {
		cfg.SessionTimeout = 6 * time.Second
	}
	if cfg.HeartbeatInterval == 0 {
		cfg.HeartbeatInterval = 100 * time.Millisecond
	}
	if cfg.RebalanceTimeout == 0 {
		cfg.RebalanceTimeout = 10 * time.Second
	}
	if cfg.RetryBackoff == 0 {
		cfg.RetryBackoff = 50 * time.Millisecond
	}
	if len(cfg.Assignors) == 0 {
		cfg.Assignors = []Assignor{rangeAssignor{}}
	}
	if logf := cfg.Logf; logf != nil {
		cfg.Logf = func(format string, args ...any) {
			t.Logf(format, args...)
			logf(format, args...)
		}
	} else {
		cfg.Logf = t.Logf
	}
	if r != nil {
		r.install(&cfg)
	}
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// checkNoGoroutines fails if a goroutine of this package other than the
// test's own is still running shortly after every member was closed.
func checkNoGoroutines(t *testing.T) {
	t.Helper()
	var stacks string
	for range 100 {
		buf := make([]byte, 1<<20)
		stacks = string(buf[:runtime.Stack(buf, true)])
		leaked := false
		for g := range strings.SplitSeq(stacks, "\n\n") {
			if strings.Contains(g, "internal/group.(*Member)") || strings.Contains(g, "internal/group.(*lane)") {
				leaked = true
			}
		}
		if !leaked {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("goroutines of the member outlive Close:\n%s", stacks)
}

// rangeAssignor is Kafka's range strategy, eager, for tests: each topic's
// partitions split in contiguous ranges over its subscribers in member
// order (instance id first when static).
type rangeAssignor struct{}

func (rangeAssignor) Protocol() string  { return "range" }
func (rangeAssignor) Cooperative() bool { return false }
func (rangeAssignor) Metadata(topics []string, owned map[string][]int32, generation int32) []byte {
	return Subscription(topics, owned, generation, nil)
}

func (rangeAssignor) Assign(members []MemberMeta, partitionCounts func([]string) (map[string]int32, error)) (map[string][]byte, error) {
	subs := make(map[string][]MemberMeta)
	for _, mm := range members {
		for _, t := range mm.Topics {
			subs[t] = append(subs[t], mm)
		}
	}
	counts, err := partitionCounts(sortedTopics(subs))
	if err != nil {
		return nil, err
	}
	plan := make(map[string]Assignment)
	for _, mm := range members {
		plan[mm.ID] = Assignment{}
	}
	for topic, ms := range subs {
		slices.SortFunc(ms, func(a, b MemberMeta) int { return strings.Compare(a.InstanceID+"/"+a.ID, b.InstanceID+"/"+b.ID) })
		n := counts[topic]
		per, extra := n/int32(len(ms)), n%int32(len(ms))
		next := int32(0)
		for i, mm := range ms {
			k := per
			if int32(i) < extra {
				k++
			}
			for p := next; p < next+k; p++ {
				plan[mm.ID][topic] = append(plan[mm.ID][topic], p)
			}
			next += k
		}
	}
	out := make(map[string][]byte, len(plan))
	for id, a := range plan {
		out[id] = EncodeAssignment(a, nil)
	}
	return out, nil
}

// coopAssignor is a small cooperative (KIP-429) sticky strategy for tests,
// for members that all subscribe to the same topics: members keep what
// they own up to an even share, the rest is spread, and a partition owned
// by another member is withheld for the next round.
type coopAssignor struct{}

func (coopAssignor) Protocol() string  { return "test-cooperative" }
func (coopAssignor) Cooperative() bool { return true }
func (coopAssignor) Metadata(topics []string, owned map[string][]int32, generation int32) []byte {
	return Subscription(topics, owned, generation, nil)
}

func (coopAssignor) Assign(members []MemberMeta, partitionCounts func([]string) (map[string]int32, error)) (map[string][]byte, error) {
	type tp struct {
		t string
		p int32
	}
	counts, err := partitionCounts(members[0].Topics)
	if err != nil {
		return nil, err
	}
	var all []tp
	for _, t := range sortedTopics(counts) {
		for p := range counts[t] {
			all = append(all, tp{t, p})
		}
	}
	slices.SortFunc(members, func(a, b MemberMeta) int { return strings.Compare(a.ID, b.ID) })
	n := len(members)
	quota := func(i int) int {
		if i < len(all)%n {
			return len(all)/n + 1
		}
		return len(all) / n
	}
	owner := make(map[tp]string)
	target := make([][]tp, n)
	taken := make(map[tp]bool)
	for i, mm := range members {
		for _, t := range sortedTopics(mm.Owned) {
			for _, p := range mm.Owned[t] {
				k := tp{t, p}
				owner[k] = mm.ID
				if p < counts[t] && !taken[k] && len(target[i]) < quota(i) {
					target[i] = append(target[i], k)
					taken[k] = true
				}
			}
		}
	}
	for _, k := range all {
		if taken[k] {
			continue
		}
		for i := range members {
			if len(target[i]) < quota(i) {
				target[i] = append(target[i], k)
				break
			}
		}
	}
	out := make(map[string][]byte, n)
	for i, mm := range members {
		a := Assignment{}
		for _, k := range target[i] {
			if o, ok := owner[k]; ok && o != mm.ID {
				continue // revoked from its owner this round, assigned next
			}
			a[k.t] = append(a[k.t], k.p)
		}
		for _, ps := range a {
			slices.Sort(ps)
		}
		out[mm.ID] = EncodeAssignment(a, nil)
	}
	return out, nil
}

// addPartitions grows topic to n partitions.
func addPartitions(t *testing.T, brokers []string, topic string, n int32) {
	t.Helper()
	ctx, c := adminConn(t, brokers)
	v, err := c.Version(wire.KeyCreatePartitions)
	if err != nil {
		t.Fatal(err)
	}
	req := wire.CreatePartitionsRequest{TimeoutMs: 10000, Topics: []wire.CreatePartitionsRequestTopic{{Name: topic, Count: n}}}
	var resp wire.CreatePartitionsResponse
	if err := c.RoundTrip(ctx, v, &req, &resp); err != nil {
		t.Fatal(err)
	}
	if err := wire.ErrorForCodeMessage(resp.Results[0].ErrorCode, resp.Results[0].ErrorMessage); err != nil {
		t.Fatalf("adding partitions to %s: %v", topic, err)
	}
}
