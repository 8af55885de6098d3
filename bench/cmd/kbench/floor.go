package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	kafka "github.com/zeroalloc/kafka"
	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// floorClient names the latency floor in results.
const floorClient = "floor (ApiVersions)"

// measureFloor times n round trips of a bare ApiVersions request on a TCP
// connection of its own to the leader of c.Topic's partition: what the
// network, the kernel and the broker's request path cost before any
// produce work, the least a synchronous produce can take.
//
// It runs in the runner's process (no client is involved) and reports
// only latencies.
func measureFloor(ctx context.Context, c *config, n int) (*Result, error) {
	// The latency topics are created per client; the floor needs only
	// the broker that leads them, which for a fresh one-partition topic
	// is the leader of any such topic. Use a topic of its own.
	topic := fmt.Sprintf("kbench-floor-%d", time.Now().UnixNano())
	if err := createTopic(ctx, c.Brokers[0], topic, 1); err != nil {
		return nil, err
	}
	p, err := kafka.LookupPartition(ctx, "tcp", c.Brokers[0], topic, 0)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port))
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	bc, err := broker.Dial(ctx, addr, "kbench-floor")
	if err != nil {
		return nil, err
	}
	defer bc.Close()
	if dl, ok := ctx.Deadline(); ok {
		bc.NetConn().SetDeadline(dl)
	}
	if err := bc.Negotiate(); err != nil {
		return nil, err
	}
	version, err := bc.Version(wire.KeyApiVersions)
	if err != nil {
		return nil, err
	}
	req := wire.ApiVersionsRequest{ClientSoftwareName: broker.SoftwareName, ClientSoftwareVersion: broker.SoftwareVersion}
	var resp wire.ApiVersionsResponse
	for range latencyWarmup {
		if err := bc.Exchange(version, &req, &resp); err != nil {
			return nil, err
		}
	}
	lat := make([]time.Duration, n)
	for i := range lat {
		t0 := time.Now()
		if err := bc.Exchange(version, &req, &resp); err != nil {
			return nil, err
		}
		lat[i] = time.Since(t0)
		if resp.ErrorCode != 0 {
			return nil, wire.Error(resp.ErrorCode)
		}
	}
	r := &Result{
		Client:   floorClient,
		Scenario: "latency",
		Config:   *c,
		Settings: fmt.Sprintf("ApiVersions v%d round trips on one connection to %s (internal/broker), measured in the runner", version, addr),
		Messages: int64(n),
		Verified: true,
	}
	r.Config.Client, r.Config.Topic = floorClient, topic
	setPercentiles(r, lat)
	return r, nil
}
