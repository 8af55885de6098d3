package kafka

import "context"

// Broker is a Kafka broker of a cluster, as metadata describes it.
type Broker struct {
	// Host and Port are the broker's advertised address; both are zero when
	// the cluster knows the broker id but not where it runs.
	Host string
	Port int
	// ID is the broker's node id.
	ID int
	// Rack is the broker's rack, or "" when it has none.
	Rack string
}

// Partition is the metadata of one partition of a topic.
type Partition struct {
	// Topic is the name of the topic the partition belongs to, and ID its
	// index in the topic.
	Topic string
	ID    int

	// Leader, Replicas and Isr are the partition's leader, replicas and
	// in-sync replicas. A broker that the cluster knows by id only has the
	// zero Host and Port and its ID set.
	Leader   Broker
	Replicas []Broker
	Isr      []Broker

	// OfflineReplicas lists the replicas that are offline (Metadata v5+;
	// empty when the broker answered an older version).
	OfflineReplicas []Broker

	// Error is the partition's Kafka error (such as LeaderNotAvailable),
	// or nil. errors.Is works on it with the Error constants.
	Error error
}

// ApiVersion is the version range a broker supports for one API.
type ApiVersion struct {
	ApiKey     int16
	MinVersion int16
	MaxVersion int16
}

// Resolver maps the host of a broker address to other hosts or addresses,
// for service discovery. A Dialer with a Resolver dials the first address it
// returns (keeping the original port unless the original had none), or the
// original when it returns none.
type Resolver interface {
	// LookupHost returns the addresses of host.
	LookupHost(ctx context.Context, host string) (addrs []string, err error)
}
