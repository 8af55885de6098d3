package kafka

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// The router finds the leader of every partition that has none yet (just
// started, or sent back by its source after a leadership or connection
// error) with one Metadata request, and hands each to its leader's source,
// starting a source for a broker seen for the first time. It runs on one
// goroutine per Reader, woken by kickRouter.

// kickRouter wakes the router.
func (r *Reader) kickRouter() {
	select {
	case r.routeKick <- struct{}{}:
	default:
	}
}

// routeLoop routes partitions until the Reader closes.
func (r *Reader) routeLoop() {
	defer r.wg.Done()
	defer r.setRouteConn(nil)
	fails := 0
	for {
		select {
		case <-r.routeKick:
		case <-r.ctx.Done():
			return
		}
		for r.ctx.Err() == nil {
			left, err := r.route()
			if err == nil && left == 0 {
				fails = 0
				break
			}
			fails++
			if err != nil {
				r.stats.errors.Add(1)
				r.errorf("kafka: reader: looking up partition leaders: attempt %d: %v", fails, err)
				if fails%r.config.MaxAttempts == 0 {
					r.deliver(newErrorItem(nil, err))
				}
			}
			if !sleep(r.ctx, r.backoff(fails)) {
				return
			}
		}
	}
}

// setRouteConn makes c the router's connection, closing the previous one;
// it closes c at once when the Reader is closing.
func (r *Reader) setRouteConn(c *broker.Conn) bool {
	r.routeMu.Lock()
	defer r.routeMu.Unlock()
	if r.routeConn != nil && r.routeConn != c {
		r.routeConn.Close()
	}
	r.routeConn = c
	if c != nil && r.ctx.Err() != nil {
		c.Close()
		r.routeConn = nil
		return false
	}
	return true
}

// routeConnection returns the router's connection, dialing the bootstrap
// brokers in turn when it has none.
func (r *Reader) routeConnection() (*broker.Conn, error) {
	r.routeMu.Lock()
	c := r.routeConn
	r.routeMu.Unlock()
	if c != nil {
		return c, nil
	}
	var err error
	for _, addr := range r.config.Brokers {
		if c, err = r.config.Dialer.dialBroker(r.ctx, addr); err == nil {
			if !r.setRouteConn(c) {
				return nil, r.ctx.Err()
			}
			return c, nil
		}
		if r.ctx.Err() != nil {
			return nil, r.ctx.Err()
		}
	}
	return nil, err
}

// route looks up the leaders of the unrouted partitions and hands them to
// their sources. It returns how many are still without a leader.
func (r *Reader) route() (left int, err error) {
	// Collect the partitions to route, and their topics.
	r.mu.Lock()
	r.fetchMu.Lock()
	r.unrouted = r.unrouted[:0]
	req := &r.metaReq
	req.Topics = req.Topics[:0]
	for _, pr := range r.parts {
		if pr.src != nil || pr.stopped.Load() {
			continue
		}
		r.unrouted = append(r.unrouted, pr)
		known := false
		for i := range req.Topics {
			if req.Topics[i].Name.String == pr.tp.topic {
				known = true
				break
			}
		}
		if !known {
			req.Topics = append(req.Topics, wire.MetadataRequestTopic{Name: wire.NewNullString(pr.tp.topic)})
		}
	}
	r.fetchMu.Unlock()
	r.mu.Unlock()
	if len(r.unrouted) == 0 {
		return 0, nil
	}
	// The broker creates a missing topic if it is configured to, as it
	// does for kafka-go's Reader (whose connections ask for metadata the
	// same way).
	req.AllowAutoTopicCreation = true

	c, err := r.routeConnection()
	if err != nil {
		return len(r.unrouted), err
	}
	v, err := c.Version(wire.KeyMetadata)
	if err == nil {
		v = min(v, 12)
		c.NetConn().SetDeadline(time.Now().Add(r.config.ReadBatchTimeout))
		err = c.Exchange(v, req, &r.metaResp)
	}
	if err != nil {
		r.setRouteConn(nil)
		return len(r.unrouted), err
	}
	resp := &r.metaResp

	r.fetchMu.Lock()
	defer r.fetchMu.Unlock()
	for _, pr := range r.unrouted {
		if pr.src != nil || pr.stopped.Load() {
			continue
		}
		p, t := findPartition(resp, pr.tp)
		var code wire.Error
		switch {
		case t == nil:
			code = UnknownTopicOrPartition
		case t.ErrorCode != 0:
			code = wire.Error(t.ErrorCode)
		case p == nil:
			code = UnknownTopicOrPartition
		case p.ErrorCode != 0:
			code = wire.Error(p.ErrorCode)
		case p.LeaderId < 0 || brokerAddr(resp, p.LeaderId) == "":
			code = LeaderNotAvailable
		}
		if code != 0 {
			if left == 0 {
				err = fmt.Errorf("kafka: reader: no leader for %s/%d: %w", pr.tp.topic, pr.tp.partition, code)
			}
			left++
			continue
		}
		addr := brokerAddr(resp, p.LeaderId)
		s := r.sources[p.LeaderId]
		if s == nil {
			s = newSource(r, p.LeaderId, addr)
			r.sources[p.LeaderId] = s
			r.wg.Add(1)
			go s.run()
		}
		s.addr = addr
		pr.leaderEpoch, pr.topicID = p.LeaderEpoch, t.TopicId
		if v < 7 {
			pr.leaderEpoch = -1
		}
		s.add(pr)
	}
	return left, err
}

func findPartition(resp *wire.MetadataResponse, tp topicPartition) (*wire.MetadataResponsePartition, *wire.MetadataResponseTopic) {
	for i := range resp.Topics {
		t := &resp.Topics[i]
		if t.Name.String != tp.topic {
			continue
		}
		for j := range t.Partitions {
			if p := &t.Partitions[j]; int(p.PartitionIndex) == tp.partition {
				return p, t
			}
		}
		return nil, t
	}
	return nil, nil
}

func brokerAddr(resp *wire.MetadataResponse, id int32) string {
	for i := range resp.Brokers {
		if b := &resp.Brokers[i]; b.NodeId == id {
			return net.JoinHostPort(b.Host, strconv.Itoa(int(b.Port)))
		}
	}
	return ""
}

// dialLeader connects to the leader of topic's partition through the
// first bootstrap broker that answers (for ReadLag and SetOffsetAt).
func (r *Reader) dialLeader(ctx context.Context, topic string, partition int) (*Conn, error) {
	var err error
	for _, addr := range r.config.Brokers {
		var c *Conn
		if c, err = r.config.Dialer.DialLeader(ctx, "tcp", addr, topic, partition); err == nil {
			return c, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return nil, err
}
