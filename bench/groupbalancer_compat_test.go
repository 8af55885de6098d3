package bench

// Group balancers against segmentio/kafka-go v0.4.51's, on random groups
// (members, their subscriptions and racks, topics and partitions). Both get
// the members sorted by id and the partitions sorted by topic and id, the
// order in which kafka-go's results are meant to be read. Where our result
// is deliberately different (Java's, as kafka-go documents it), the test
// checks that the difference is exactly the documented one.
//
//	cd bench && go test -run GroupBalancer -bench GroupBalancer -benchmem

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/zeroalloc/kafka"
)

// compatGroup is one random group in both libraries' types.
type compatGroup struct {
	ours       []kafka.GroupMember
	theirs     []kafkago.GroupMember
	partitions []kafka.Partition
	theirParts []kafkago.Partition
	// subscribers lists, per topic with partitions, its subscribers in id
	// order, and count its partitions.
	subscribers map[string][]string
	count       map[string]int
}

// randomCompatGroup returns a group of 1 to 10 members subscribed to random
// subsets of 1 to 4 topics of 0 to 20 partitions, led in up to 3 racks.
func randomCompatGroup(r *rand.Rand) *compatGroup {
	g := &compatGroup{subscribers: make(map[string][]string), count: make(map[string]int)}
	topics := make([]string, 1+r.IntN(4))
	for i := range topics {
		topics[i] = fmt.Sprint("topic-", i)
		n := r.IntN(21)
		g.count[topics[i]] = n
		for p := range n {
			rack := fmt.Sprint("rack-", r.IntN(3))
			g.partitions = append(g.partitions, kafka.Partition{Topic: topics[i], ID: p, Leader: kafka.Broker{ID: p, Rack: rack}})
			g.theirParts = append(g.theirParts, kafkago.Partition{Topic: topics[i], ID: p, Leader: kafkago.Broker{ID: p, Rack: rack}})
		}
	}
	n := 1 + r.IntN(10)
	for i := range n {
		id := fmt.Sprintf("member-%02d", i) // ascending, as both are given
		var subs []string
		for _, t := range topics {
			if r.IntN(3) > 0 {
				subs = append(subs, t)
				if g.count[t] > 0 {
					g.subscribers[t] = append(g.subscribers[t], id)
				}
			}
		}
		rack := []byte(fmt.Sprint("rack-", r.IntN(4)))
		g.ours = append(g.ours, kafka.GroupMember{ID: id, Topics: subs, UserData: rack})
		g.theirs = append(g.theirs, kafkago.GroupMember{ID: id, Topics: subs, UserData: rack})
	}
	return g
}

// normalize returns a with an entry for every member of g,
// topics without partitions left out and partition lists sorted.
func (g *compatGroup) normalize(a map[string]map[string][]int) map[string]map[string][]int {
	out := make(map[string]map[string][]int)
	for _, m := range g.ours {
		out[m.ID] = make(map[string][]int)
	}
	for id, topics := range a {
		for t, ids := range topics {
			if len(ids) > 0 {
				out[id][t] = slices.Sorted(slices.Values(ids))
			}
		}
	}
	return out
}

// assignments runs our balancer and kafka-go's on g, normalized.
func (g *compatGroup) assignments(ours kafka.GroupBalancer, theirs kafkago.GroupBalancer) (o, k map[string]map[string][]int) {
	return g.normalize(ours.AssignGroups(g.ours, g.partitions)), g.normalize(theirs.AssignGroups(g.theirs, g.theirParts))
}

// TestRangeGroupBalancerVsKafkaGo: a topic whose partition count is a
// multiple of its subscriber count is assigned exactly as kafka-go does.
// Otherwise both cut the topic into consecutive ranges in member order, with
// the same sizes, but we give the larger ranges to the first members (Java,
// and kafka-go's doc comment: 5 partitions, 2 members gives C0 [0 1 2]),
// kafka-go's code to members i where (i+1)*n/c - i*n/c rounds up.
func TestRangeGroupBalancerVsKafkaGo(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 1))
	same, differ := 0, 0
	for range 3000 {
		g := randomCompatGroup(r)
		o, k := g.assignments(kafka.RangeGroupBalancer{}, kafkago.RangeGroupBalancer{})
		for topic, subs := range g.subscribers {
			n, c := g.count[topic], len(subs)
			if n%c == 0 {
				for _, id := range subs {
					if !slices.Equal(o[id][topic], k[id][topic]) {
						t.Fatalf("%s (%d partitions, %d members): %s got %v, kafka-go %v", topic, n, c, id, o[id][topic], k[id][topic])
					}
				}
				same++
				continue
			}
			differ++
			nextOurs, nextTheirs := 0, 0
			for i, id := range subs {
				wantOurs := n / c
				if i < n%c {
					wantOurs++
				}
				wantTheirs := (i+1)*n/c - i*n/c
				if !isRange(o[id][topic], nextOurs, wantOurs) || !isRange(k[id][topic], nextTheirs, wantTheirs) {
					t.Fatalf("%s (%d partitions, %d members): member %d got %v (want %d from %d), kafka-go %v (want %d from %d)",
						topic, n, c, i, o[id][topic], wantOurs, nextOurs, k[id][topic], wantTheirs, nextTheirs)
				}
				nextOurs += wantOurs
				nextTheirs += wantTheirs
			}
		}
	}
	t.Logf("%d topics assigned as kafka-go does, %d with the remainder on the first members instead", same, differ)
}

// isRange reports whether ids is the n partitions from first on.
func isRange(ids []int, first, n int) bool {
	if len(ids) != n {
		return false
	}
	for i, id := range ids {
		if id != first+i {
			return false
		}
	}
	return true
}

// TestRoundRobinGroupBalancerVsKafkaGo: a group with one topic is assigned
// exactly as kafka-go does. With several, both deal each topic's partitions
// to its subscribers in turn, in member order; kafka-go starts every topic
// with the first subscriber, we go on from where the previous topic ended
// (Java), so each of our topics is kafka-go's with the subscribers rotated.
func TestRoundRobinGroupBalancerVsKafkaGo(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 2))
	exact, rotated := 0, 0
	for range 3000 {
		g := randomCompatGroup(r)
		o, k := g.assignments(kafka.RoundRobinGroupBalancer{}, kafkago.RoundRobinGroupBalancer{})
		if len(g.subscribers) <= 1 {
			if !reflect.DeepEqual(o, k) {
				t.Fatalf("one topic: got %v, kafka-go %v", o, k)
			}
			exact++
			continue
		}
		for topic, subs := range g.subscribers {
			ours, theirs := dealOrder(o, topic, g.count[topic]), dealOrder(k, topic, g.count[topic])
			if !isRotation(ours, theirs, subs) {
				t.Fatalf("%s: our dealing order %v is not kafka-go's %v rotated over %v", topic, ours, theirs, subs)
			}
		}
		rotated++
	}
	t.Logf("%d one-topic groups assigned as kafka-go does, %d groups with rotated topics", exact, rotated)
}

// dealOrder returns the member that got each partition 0..n-1 of topic.
func dealOrder(a map[string]map[string][]int, topic string, n int) []string {
	order := make([]string, n)
	for id, topics := range a {
		for _, p := range topics[topic] {
			order[p] = id
		}
	}
	return order
}

// isRotation reports whether ours deals partition i to the subscriber that
// theirs deals partition i to, shifted by the same number of places in
// subs for every i, with theirs dealing in turn from subs[0].
func isRotation(ours, theirs, subs []string) bool {
	for shift := range subs {
		ok := true
		for i := range ours {
			if theirs[i] != subs[i%len(subs)] || ours[i] != subs[(i+shift)%len(subs)] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// TestRackAffinityGroupBalancerVsKafkaGo: kafka-go visits racks in Go map
// order, so when partitions are left over its result can change from call
// to call. Our result must be one kafka-go gives: the same whenever
// kafka-go's is always the same, and among the results of up to 64 calls
// of kafka-go otherwise (ours visits racks in the order of their lowest
// partition, which is also the order kafka-go's small maps hold them in).
func TestRackAffinityGroupBalancerVsKafkaGo(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 3))
	deterministic, varying := 0, 0
	for range 1000 {
		g := randomCompatGroup(r)
		o := g.normalize(kafka.RackAffinityGroupBalancer{}.AssignGroups(g.ours, g.partitions))
		var seen []map[string]map[string][]int
		found := false
		for range 64 {
			k := g.normalize(kafkago.RackAffinityGroupBalancer{}.AssignGroups(g.theirs, g.theirParts))
			if !slices.ContainsFunc(seen, func(s map[string]map[string][]int) bool { return reflect.DeepEqual(s, k) }) {
				seen = append(seen, k)
			}
			if reflect.DeepEqual(o, k) {
				found = true
			}
			if found && len(seen) > 1 {
				break
			}
		}
		if !found {
			t.Fatalf("our result %v is none of kafka-go's %d results %v", o, len(seen), seen)
		}
		if len(seen) == 1 {
			deterministic++
		} else {
			varying++
		}
	}
	t.Logf("%d groups where kafka-go always gave our result, %d where it varied and ours was among its results", deterministic, varying)
}

// benchCompatGroup is 100 members subscribed to 10 topics of 100
// partitions (1,000), leaders and members in 3 racks, in both types.
func benchCompatGroup() *compatGroup {
	g := &compatGroup{}
	var topics []string
	for i := range 10 {
		topic := fmt.Sprintf("topic-%02d", i)
		topics = append(topics, topic)
		for p := range 100 {
			rack := fmt.Sprint("rack-", p%3)
			g.partitions = append(g.partitions, kafka.Partition{Topic: topic, ID: p, Leader: kafka.Broker{ID: p % 3, Rack: rack}})
			g.theirParts = append(g.theirParts, kafkago.Partition{Topic: topic, ID: p, Leader: kafkago.Broker{ID: p % 3, Rack: rack}})
		}
	}
	for i := range 100 {
		id := fmt.Sprintf("consumer-%03d", i)
		rack := []byte(fmt.Sprint("rack-", i%3))
		g.ours = append(g.ours, kafka.GroupMember{ID: id, Topics: topics, UserData: rack})
		g.theirs = append(g.theirs, kafkago.GroupMember{ID: id, Topics: topics, UserData: rack})
	}
	return g
}

// BenchmarkGroupBalancerVsKafkaGo assigns 1,000 partitions to 100 members
// with each library's range, roundrobin and rack-affinity balancers.
func BenchmarkGroupBalancerVsKafkaGo(b *testing.B) {
	g := benchCompatGroup()
	for _, pair := range []struct {
		ours   kafka.GroupBalancer
		theirs kafkago.GroupBalancer
	}{
		{kafka.RangeGroupBalancer{}, kafkago.RangeGroupBalancer{}},
		{kafka.RoundRobinGroupBalancer{}, kafkago.RoundRobinGroupBalancer{}},
		{kafka.RackAffinityGroupBalancer{}, kafkago.RackAffinityGroupBalancer{}},
	} {
		b.Run(pair.ours.ProtocolName()+"/zeroalloc", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pair.ours.AssignGroups(g.ours, g.partitions)
			}
		})
		b.Run(pair.ours.ProtocolName()+"/kafka-go", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				pair.theirs.AssignGroups(g.theirs, g.theirParts)
			}
		})
	}
}
