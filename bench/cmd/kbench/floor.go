package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

// floor times bare ApiVersions round trips on a TCP connection of its own
// to the broker that leads the latency topic: what the network, the kernel
// and the broker's request path cost before any produce work, the least a
// synchronous produce can take. The latency scenario takes one before each
// of the client's sends, in the client's own process, so that the two are
// measured on the same machine at the same moments: on a shared VM whose
// tail latency moves by hundreds of microseconds from one minute to the
// next, a floor measured apart from the client says little about it.
type floor struct {
	bc      *broker.Conn
	version int16
	addr    string
	req     wire.ApiVersionsRequest
	resp    wire.ApiVersionsResponse
	lat     []time.Duration
	// wall, cpu and sys add up the round trips' wall, process CPU and
	// system CPU time, which the client's measurement leaves out.
	wall, cpu, sys time.Duration
}

// dialFloor connects to the leader of partition 0 of c.Topic (with
// -security, over TLS and authenticated, as the clients are).
func dialFloor(ctx context.Context, c *config, n int) (*floor, error) {
	d, err := zDialer(c)
	if err != nil {
		return nil, err
	}
	p, err := d.LookupPartition(ctx, "tcp", c.Brokers[0], c.Topic, 0)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(p.Leader.Host, strconv.Itoa(p.Leader.Port))
	bc, err := dialFloorConn(ctx, c, d, addr)
	if err != nil {
		return nil, err
	}
	f := &floor{bc: bc, addr: addr, lat: make([]time.Duration, 0, n)}
	f.req = wire.ApiVersionsRequest{ClientSoftwareName: broker.SoftwareName, ClientSoftwareVersion: broker.SoftwareVersion}
	if err := bc.Negotiate(); err != nil {
		bc.Close()
		return nil, err
	}
	if f.version, err = bc.Version(wire.KeyApiVersions); err != nil {
		bc.Close()
		return nil, err
	}
	return f, nil
}

// roundTrip sends one ApiVersions request and reads its answer; with
// record set it keeps the latency and adds the time spent to wall and cpu.
func (f *floor) roundTrip(record bool) error {
	var cpu0, sys0 time.Duration
	if record {
		cpu0, sys0 = processCPU()
	}
	// The deadline is set outside the timed round trip, which it would
	// lengthen by a timer update.
	_ = f.bc.NetConn().SetDeadline(time.Now().Add(time.Minute))
	t0 := time.Now()
	err := f.bc.Exchange(f.version, &f.req, &f.resp)
	if err == nil && f.resp.ErrorCode != 0 {
		err = wire.Error(f.resp.ErrorCode)
	}
	if err != nil {
		return fmt.Errorf("latency floor (ApiVersions to %s): %w", f.addr, err)
	}
	if record {
		d := time.Since(t0)
		f.lat = append(f.lat, d)
		f.wall += d
		cpu, sys := processCPU()
		f.cpu += cpu - cpu0
		f.sys += sys - sys0
	}
	return nil
}

func (f *floor) close() { f.bc.Close() }
