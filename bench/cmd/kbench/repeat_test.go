package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	kafka "github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/kafkatest"
)

// median keeps the middle round by CPU ns/msg (the lower middle of an even
// count), by p99 over the floor's p99 for latency, and a round that did
// not verify before any other; the kept round lists every round's CPU.
func TestMedianRound(t *testing.T) {
	mk := func(sc string, cpu float64, p99, floor time.Duration, ok bool) *Result {
		return &Result{Scenario: sc, CPUPerMsg: cpu, P99: p99, FloorP99: floor, Verified: ok}
	}
	rs := []*Result{mk("produce", 300, 0, 0, true), mk("produce", 100, 0, 0, true), mk("produce", 200, 0, 0, true)}
	if got := median(rs); got != rs[2] || !slices.Equal(got.RoundsCPU, []float64{300, 100, 200}) {
		t.Errorf("produce: got the round of %.0f ns with rounds %v, want 200 and [300 100 200]", got.CPUPerMsg, got.RoundsCPU)
	}
	if got := median(rs[:2]); got != rs[1] {
		t.Errorf("two rounds: got %.0f ns, want the lower, 100", got.CPUPerMsg)
	}
	lat := []*Result{
		mk("latency", 1, 500, 400, true), // 1.25x
		mk("latency", 2, 300, 300, true), // 1.00x
		mk("latency", 3, 900, 600, true), // 1.50x
	}
	if got := median(lat); got != lat[0] {
		t.Errorf("latency: got the round of p99 %v over %v, want 500 over 400", got.P99, got.FloorP99)
	}
	bad := []*Result{mk("produce", 300, 0, 0, true), mk("produce", 100, 0, 0, false), mk("produce", 200, 0, 0, true)}
	if got := median(bad); got != bad[1] {
		t.Error("a round that did not verify was not the one kept")
	}
	one := []*Result{mk("produce", 300, 0, 0, true)}
	if got := median(one); got != one[0] || got.RoundsCPU != nil || got.cpuRange() != "" || got.roundsText() != "" {
		t.Errorf("one round: %v, rounds %v", got.CPUPerMsg, got.RoundsCPU)
	}
	if got := median(rs).cpuRange(); got != " (100–300)" {
		t.Errorf("cpuRange %q", got)
	}
}

// -repeat runs every client that many times, taking turns, and reports one
// result per client and scenario: its median round, verified, with every
// round's CPU; the command in the report and the README repeats the flag.
func TestRepeat(t *testing.T) {
	if _, err := parseRunner([]string{"-repeat", "0"}); err == nil {
		t.Error("-repeat 0 accepted")
	}
	if _, err := parseRunner([]string{"-repeat", "2", "-profile", t.TempDir()}); err == nil {
		t.Error("-repeat 2 with -profile accepted")
	}
	rep := runKbench(t, 2*time.Minute, "-clients", "zeroalloc,zeroalloc-conn", "-scenarios", "produce", "-count", "2000", "-repeat", "3", "-out", t.TempDir())
	if len(rep.Results) != 2 {
		t.Fatalf("%d results, want one per client", len(rep.Results))
	}
	for _, r := range rep.Results {
		if !r.Verified || len(r.RoundsCPU) != 3 || !slices.Contains(r.RoundsCPU, r.CPUPerMsg) {
			t.Errorf("%s: verified %v (%s), CPU %.0f, rounds %v", r.Client, r.Verified, r.Problem, r.CPUPerMsg, r.RoundsCPU)
		}
	}
	// Every round's topic is deleted once verified: the README's runs
	// wrote tens of gigabytes and filled the broker's disk.
	for _, r := range rep.Results {
		topicGone(t, r.Config.Topic)
	}
	if f := strings.Join(rep.flags(), " "); !strings.Contains(f, "-repeat 3") {
		t.Errorf("report flags %q lack -repeat 3", f)
	}
	if c := benchCommand(rep.Options); !strings.Contains(c, "-repeat 3") {
		t.Errorf("README command %q lacks -repeat 3", c)
	}
	out := strings.Join(strings.Fields(readmeSection([]*readmeRun{{rep: rep, name: "r", link: "r"}})), " ")
	for _, want := range []string{
		"Each command ran every client 3 times",
		"| produce 100 B acks=1 (2,000) | " + thousands(fmt.Sprintf("%.0f", rep.Results[0].CPUPerMsg)) + rep.Results[0].cpuRange() + " |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("README section lacks %q:\n%s", want, out)
		}
	}
}

// topicGone fails t unless the broker stops listing topic within 10 s
// (deleting is asynchronous on the broker's side).
func topicGone(t *testing.T, topic string) {
	t.Helper()
	conn, err := kafka.Dial("tcp", kafkatest.Brokers(t)[0])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for end := time.Now().Add(10 * time.Second); ; {
		_, err := conn.ReadPartitions(topic)
		if errors.Is(err, kafka.UnknownTopicOrPartition) {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("topic %s still there after the run (ReadPartitions: %v)", topic, err)
		}
		time.Sleep(50 * time.Millisecond) // the broker offers nothing to wait on
	}
}
