package group

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zeroalloc/kafka/internal/kafkatest"
	"github.com/zeroalloc/kafka/wire"
)

// failingAssignor is rangeAssignor whose first Assign fails, as a leader
// whose Metadata request failed would; it records when each call came.
type failingAssignor struct {
	rangeAssignor
	mu    sync.Mutex
	calls []time.Time
}

func (a *failingAssignor) Assign(members []MemberMeta, partitionCounts func([]string) (map[string]int32, error)) (map[string][]byte, error) {
	a.mu.Lock()
	a.calls = append(a.calls, time.Now())
	first := len(a.calls) == 1
	a.mu.Unlock()
	if first {
		return nil, errors.New("injected: metadata unavailable")
	}
	return a.rangeAssignor.Assign(members, partitionCounts)
}

// TestJoinBackoff: a join that fails (here the leader's assignment) is
// retried JoinBackoff later, while the rejoin the coordinator asks for on
// a first join (MEMBER_ID_REQUIRED) goes out at once: no wait is logged
// for it. (A fresh group's coordinator may answer NOT_COORDINATOR first:
// that failure waits too.)
func TestJoinBackoff(t *testing.T) {
	brokers := kafkatest.Brokers(t)
	topic := createTopic(t, brokers, 2)
	const backoff = 1500 * time.Millisecond
	a := &failingAssignor{}
	var mu sync.Mutex
	var waits []time.Time // when each failed join was logged, before its wait
	var why []string
	r := newRecorder(t)
	cfg := Config{Brokers: brokers, GroupID: groupID(t), Topics: []string{topic}, Assignors: []Assignor{a}, JoinBackoff: backoff,
		Logf: func(format string, args ...any) {
			if strings.Contains(format, ": joining: ") {
				mu.Lock()
				waits = append(waits, time.Now())
				why = append(why, fmt.Sprint(args...))
				mu.Unlock()
			}
		}}
	m := startMember(t, cfg, r)
	waitFor(t, 20*time.Second, "assignment", func() bool { return settled(topic, 2, r) })
	assigned := r.log()[0].at
	m.Close()
	a.mu.Lock()
	calls := a.calls
	a.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	if len(calls) != 2 {
		t.Fatalf("%d assignments run, want 2", len(calls))
	}
	injected := -1
	for i, w := range why {
		if strings.Contains(w, "MEMBER_ID_REQUIRED") || strings.Contains(w, "REBALANCE_IN_PROGRESS") {
			t.Errorf("waited before a rejoin the coordinator asked for: %s", w)
		}
		if strings.Contains(w, "injected") {
			injected = i
		}
	}
	if injected < 0 || len(waits) != injected+1 {
		t.Fatalf("failed joins logged: %q; want the injected failure last", why)
	}
	if gap := calls[1].Sub(waits[injected]); gap < backoff || gap > backoff+5*time.Second {
		t.Errorf("the join after the failed one came %v after it, want JoinBackoff (%v) and not much more", gap, backoff)
	}
	t.Logf("first assignment failed; retried %v later, assigned %v after the failure", calls[1].Sub(waits[injected]), assigned.Sub(calls[0]))
	checkNoGoroutines(t)
}

// TestJoinBackoffChoice: JoinBackoff, when set, is a failed join's wait,
// but for a coordinator that moved or loads; otherwise the wait doubles
// from RetryBackoff up to ten times it.
func TestJoinBackoffChoice(t *testing.T) {
	exp := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for _, tc := range []struct {
		join time.Duration
		err  error
		want []time.Duration
	}{
		{0, wire.RequestTimedOut, exp},
		{5000, wire.RequestTimedOut, []time.Duration{5000, 5000, 5000, 5000, 5000, 5000}},
		{5000, errors.New("connection refused"), []time.Duration{5000, 5000, 5000, 5000, 5000, 5000}},
		{5000, fmt.Errorf("join: %w", wire.NotCoordinator), exp},
		{5000, wire.CoordinatorNotAvailable, exp},
		{5000, wire.CoordinatorLoadInProgress, exp},
	} {
		m := &Member{cfg: Config{RetryBackoff: 100 * time.Millisecond, JoinBackoff: tc.join * time.Millisecond}}
		var got []time.Duration
		for attempt := range tc.want {
			got = append(got, m.joinBackoff(attempt, tc.err)/time.Millisecond)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("JoinBackoff %v ms, %v: waits %v ms, want %v", tc.join, tc.err, got, tc.want)
		}
	}
}
