package kafka

import (
	"net"
	"strconv"

	"github.com/zeroalloc/kafka/wire"
)

// Broker returns the broker this connection is connected to: its address
// from RemoteAddr, and the id and rack it was dialed with (DialLeader and
// DialPartition know them; otherwise they are zero).
func (c *Conn) Broker() Broker {
	host, port, _ := net.SplitHostPort(c.nc.RemoteAddr().String())
	p, _ := strconv.Atoi(port)
	return Broker{Host: host, Port: p, ID: int(c.broker), Rack: c.rack}
}

// metadata sends a Metadata request for topics (nil: every topic; empty:
// none) into c.metaResp. Called with mu held; c.metaResp is valid until
// the next exchange.
func (c *Conn) metadata(topics []string) error {
	req := &c.metaReq
	if topics == nil {
		req.Topics = nil
	} else {
		req.Topics = wire.Grow(req.Topics, len(topics))
		if req.Topics == nil {
			req.Topics = []wire.MetadataRequestTopic{}
		}
		for i, t := range topics {
			req.Topics[i] = wire.MetadataRequestTopic{Name: wire.NewNullString(t)}
		}
	}
	req.AllowAutoTopicCreation = true
	return c.exchange(req, &c.metaResp)
}

// Controller returns the cluster's controller as this broker knows it.
// Under KRaft, brokers report a random live broker as the controller
// (clients never talk to the KRaft controllers themselves).
func (c *Conn) Controller() (Broker, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.metadata([]string{}); err != nil {
		return Broker{}, err
	}
	for i := range c.metaResp.Brokers {
		if b := &c.metaResp.Brokers[i]; b.NodeId == c.metaResp.ControllerId {
			return makeBroker(b), nil
		}
	}
	return Broker{}, BrokerNotAvailable
}

// Brokers returns the brokers of the cluster. The slice is the caller's.
func (c *Conn) Brokers() ([]Broker, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.metadata([]string{}); err != nil {
		return nil, err
	}
	out := make([]Broker, len(c.metaResp.Brokers))
	for i := range c.metaResp.Brokers {
		out[i] = makeBroker(&c.metaResp.Brokers[i])
	}
	return out, nil
}

func makeBroker(b *wire.MetadataResponseBroker) Broker {
	return Broker{Host: b.Host, Port: int(b.Port), ID: int(b.NodeId), Rack: b.Rack.String}
}

// ReadPartitions returns the partitions of topics; with none, those of the
// Conn's topic, or of every topic of the cluster if the Conn has none. A
// topic error (UnknownTopicOrPartition, say) is returned when it concerns
// the Conn's topic or when the Conn has none; other topics with errors are
// left out. Brokers auto-create a missing topic if they are configured to.
// The slice and everything in it are the caller's.
func (c *Conn) ReadPartitions(topics ...string) ([]Partition, error) {
	if len(topics) == 0 {
		if c.topic != "" {
			topics = []string{c.topic}
		} else {
			topics = nil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.metadata(topics); err != nil {
		return nil, err
	}
	m := &c.metaResp
	brokers := make(map[int32]Broker, len(m.Brokers))
	for i := range m.Brokers {
		brokers[m.Brokers[i].NodeId] = makeBroker(&m.Brokers[i])
	}
	var parts []Partition
	for i := range m.Topics {
		t := &m.Topics[i]
		if t.ErrorCode != 0 {
			if c.topic == "" || t.Name.String == c.topic {
				return nil, wire.Error(t.ErrorCode)
			}
			continue
		}
		for j := range t.Partitions {
			p := &t.Partitions[j]
			parts = append(parts, Partition{
				Topic:           t.Name.String,
				ID:              int(p.PartitionIndex),
				Leader:          lookupBroker(brokers, p.LeaderId),
				Replicas:        lookupBrokers(brokers, p.ReplicaNodes),
				Isr:             lookupBrokers(brokers, p.IsrNodes),
				OfflineReplicas: lookupBrokers(brokers, p.OfflineReplicas),
				Error:           wire.ErrorForCode(p.ErrorCode),
			})
		}
	}
	return parts, nil
}

// lookupBroker returns the broker with id, or one with only ID set when the
// metadata names no such broker.
func lookupBroker(brokers map[int32]Broker, id int32) Broker {
	if b, ok := brokers[id]; ok {
		return b
	}
	return Broker{ID: int(id)}
}

func lookupBrokers(brokers map[int32]Broker, ids []int32) []Broker {
	out := make([]Broker, len(ids))
	for i, id := range ids {
		out[i] = lookupBroker(brokers, id)
	}
	return out
}

// TopicConfig describes a topic for CreateTopics.
type TopicConfig struct {
	// Topic is the topic's name.
	Topic string
	// NumPartitions is the number of partitions, or -1 for the broker's
	// default (or when ReplicaAssignments places them).
	NumPartitions int
	// ReplicationFactor is the number of replicas, or -1 for the broker's
	// default (or when ReplicaAssignments places them).
	ReplicationFactor int
	// ReplicaAssignments places partitions on brokers by hand; when set,
	// NumPartitions and ReplicationFactor must be -1.
	ReplicaAssignments []ReplicaAssignment
	// ConfigEntries sets topic configurations (retention.ms, ...).
	ConfigEntries []ConfigEntry
}

// ReplicaAssignment places one partition on brokers.
type ReplicaAssignment struct {
	// Partition is the partition's index.
	Partition int
	// Replicas lists the brokers that hold the partition, one per replica;
	// the first is the preferred leader.
	Replicas []int
}

// ConfigEntry is one topic configuration.
type ConfigEntry struct {
	ConfigName  string
	ConfigValue string
}

// CreateTopics creates the topics. A topic that already exists is not an
// error (creation is idempotent, as in kafka-go); the first other error is
// returned, with the broker's message when it sent one. The broker is given
// until shortly before the write deadline to finish.
func (c *Conn) CreateTopics(topics ...TopicConfig) error {
	req := wire.CreateTopicsRequest{Topics: make([]wire.CreateTopicsRequestTopic, len(topics))}
	for i := range topics {
		t := &topics[i]
		rt := &req.Topics[i]
		rt.Name = t.Topic
		rt.NumPartitions = int32(t.NumPartitions)
		rt.ReplicationFactor = int16(t.ReplicationFactor)
		for _, a := range t.ReplicaAssignments {
			ids := make([]int32, len(a.Replicas))
			for k, r := range a.Replicas {
				ids[k] = int32(r)
			}
			rt.Assignments = append(rt.Assignments, wire.CreateTopicsRequestAssignment{PartitionIndex: int32(a.Partition), BrokerIds: ids})
		}
		for _, e := range t.ConfigEntries {
			rt.Configs = append(rt.Configs, wire.CreateTopicsRequestConfig{Name: e.ConfigName, Value: wire.NewNullString(e.ConfigValue)})
		}
	}
	req.TimeoutMs = c.requestTimeoutMs()
	var resp wire.CreateTopicsResponse
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.exchange(&req, &resp); err != nil {
		return err
	}
	for i := range resp.Topics {
		t := &resp.Topics[i]
		if t.ErrorCode == int16(TopicAlreadyExists) {
			continue
		}
		if err := wire.ErrorForCodeMessage(t.ErrorCode, t.ErrorMessage); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTopics deletes the topics and returns the first error, with the
// broker's message when it sent one. The broker is given until shortly
// before the write deadline to finish.
func (c *Conn) DeleteTopics(topics ...string) error {
	req := wire.DeleteTopicsRequest{TopicNames: topics, TimeoutMs: c.requestTimeoutMs()}
	req.Topics = make([]wire.DeleteTopicsRequestTopic, len(topics))
	for i, t := range topics {
		req.Topics[i].Name = wire.NewNullString(t)
	}
	var resp wire.DeleteTopicsResponse
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.exchange(&req, &resp); err != nil {
		return err
	}
	for i := range resp.Responses {
		t := &resp.Responses[i]
		if err := wire.ErrorForCodeMessage(t.ErrorCode, t.ErrorMessage); err != nil {
			return err
		}
	}
	return nil
}
