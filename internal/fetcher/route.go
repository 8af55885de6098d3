package fetcher

import (
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
// goroutine per Fetcher, woken by kickRouter.

// kickRouter wakes the router.
func (f *Fetcher) kickRouter() {
	select {
	case f.routeKick <- struct{}{}:
	default:
	}
}

// routeLoop routes partitions until the Fetcher closes.
func (f *Fetcher) routeLoop() {
	defer f.wg.Done()
	defer f.setRouteConn(nil)
	fails := 0
	for {
		select {
		case <-f.routeKick:
		case <-f.ctx.Done():
			return
		}
		for f.ctx.Err() == nil {
			left, err := f.route()
			if err == nil && left == 0 {
				fails = 0
				break
			}
			fails++
			if err != nil {
				f.stats.Errors.Add(1)
				f.cfg.Errorf("kafka: reader: looking up partition leaders: attempt %d: %v", fails, err)
				if fails%f.cfg.MaxAttempts == 0 {
					f.deliver(newErrorItem(nil, err))
				}
			}
			t := time.NewTimer(f.backoff(fails))
			select {
			case <-t.C:
			case <-f.ctx.Done():
				t.Stop()
				return
			}
		}
	}
}

// setRouteConn makes c the router's connection, closing the previous one;
// it closes c at once when the Fetcher is closing.
func (f *Fetcher) setRouteConn(c *broker.Conn) bool {
	f.routeMu.Lock()
	defer f.routeMu.Unlock()
	if f.routeConn != nil && f.routeConn != c {
		f.routeConn.Close()
	}
	f.routeConn = c
	if c != nil && f.ctx.Err() != nil {
		c.Close()
		f.routeConn = nil
		return false
	}
	return true
}

// routeConnection returns the router's connection, dialing the bootstrap
// brokers in turn when it has none.
func (f *Fetcher) routeConnection() (*broker.Conn, error) {
	f.routeMu.Lock()
	c := f.routeConn
	f.routeMu.Unlock()
	if c != nil && !c.SessionExpired(time.Now()) {
		return c, nil
	}
	if c != nil {
		// Idle past its SASL session's end: the broker would close it.
		f.setRouteConn(nil)
	}
	var err error
	for _, addr := range f.cfg.Brokers {
		if c, err = f.cfg.Dial(f.ctx, addr); err == nil {
			if !f.setRouteConn(c) {
				return nil, f.ctx.Err()
			}
			return c, nil
		}
		if f.ctx.Err() != nil {
			return nil, f.ctx.Err()
		}
	}
	return nil, err
}

// route looks up the leaders of the unrouted partitions and hands them to
// their sources. It returns how many are still without a leader.
func (f *Fetcher) route() (left int, err error) {
	// Collect the partitions to route, and their topics.
	f.mu.Lock()
	f.unrouted = f.unrouted[:0]
	req := &f.metaReq
	req.Topics = req.Topics[:0]
	for pr := range f.parts {
		if pr.src != nil || pr.Stopped() {
			continue
		}
		f.unrouted = append(f.unrouted, pr)
		known := false
		for i := range req.Topics {
			if req.Topics[i].Name.String == pr.Topic {
				known = true
				break
			}
		}
		if !known {
			req.Topics = append(req.Topics, wire.MetadataRequestTopic{Name: wire.NewNullString(pr.Topic)})
		}
	}
	f.mu.Unlock()
	if len(f.unrouted) == 0 {
		return 0, nil
	}
	// The broker creates a missing topic if it is configured to, as it
	// does for kafka-go's Reader (whose connections ask for metadata the
	// same way).
	req.AllowAutoTopicCreation = true

	c, err := f.routeConnection()
	if err != nil {
		return len(f.unrouted), err
	}
	v, err := c.Version(wire.KeyMetadata)
	if err == nil {
		v = min(v, 12)
		c.NetConn().SetDeadline(time.Now().Add(f.cfg.ReadBatchTimeout))
		if err = c.Refresh(f.ctx, 0); err == nil {
			err = c.Exchange(v, req, &f.metaResp)
		}
	}
	if err != nil {
		f.setRouteConn(nil)
		return len(f.unrouted), err
	}
	resp := &f.metaResp

	f.mu.Lock()
	defer f.mu.Unlock()
	for _, pr := range f.unrouted {
		if pr.src != nil || pr.Stopped() {
			continue
		}
		p, t := findPartition(resp, pr.Topic, pr.Partition)
		var code wire.Error
		switch {
		case t == nil:
			code = wire.UnknownTopicOrPartition
		case t.ErrorCode != 0:
			code = wire.Error(t.ErrorCode)
		case p == nil:
			code = wire.UnknownTopicOrPartition
		case p.ErrorCode != 0:
			code = wire.Error(p.ErrorCode)
		case p.LeaderId < 0 || brokerAddr(resp, p.LeaderId) == "":
			code = wire.LeaderNotAvailable
		}
		if code != 0 {
			if left == 0 {
				err = fmt.Errorf("kafka: reader: no leader for %s/%d: %w", pr.Topic, pr.Partition, code)
			}
			left++
			continue
		}
		addr := brokerAddr(resp, p.LeaderId)
		s := f.sources[p.LeaderId]
		if s == nil {
			s = newSource(f, p.LeaderId, addr)
			f.sources[p.LeaderId] = s
			f.wg.Add(1)
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

func findPartition(resp *wire.MetadataResponse, topic string, partition int) (*wire.MetadataResponsePartition, *wire.MetadataResponseTopic) {
	for i := range resp.Topics {
		t := &resp.Topics[i]
		if t.Name.String != topic {
			continue
		}
		for j := range t.Partitions {
			if p := &t.Partitions[j]; int(p.PartitionIndex) == partition {
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
