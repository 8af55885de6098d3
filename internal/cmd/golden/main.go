// Command golden captures response bodies from a real Kafka broker into
// wire/testdata/golden, where TestGoldenFrames decodes and re-encodes each of
// them byte-identically and the fuzz targets use them as seeds. Each file is
// named <API>Response_v<version>[_<variant>].bin and holds the body that
// follows the response header. Run it against the test cluster:
//
//	eval $(scripts/kafka up | tail -1) && go run ./internal/cmd/golden -brokers $KAFKA_BROKERS -out wire/testdata/golden
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zeroalloc/kafka/internal/broker"
	"github.com/zeroalloc/kafka/wire"
)

type capturer struct {
	ctx context.Context
	c   *broker.Conn
	out string
	n   int
}

// capture sends req at version and stores the raw response body.
func (k *capturer) capture(version int16, req wire.Message, variant string) []byte {
	body := k.exchange(version, req)
	k.save(req.Key(), version, variant, body)
	return body
}

// exchange sends req at version and returns the raw response body, which
// aliases the connection's buffer until the next exchange.
func (k *capturer) exchange(version int16, req wire.Message) []byte {
	key := req.Key()
	corr, err := k.c.Send(key, version, req)
	if err != nil {
		log.Fatalf("%s v%d: send: %v", wire.APIs[key].Name, version, err)
	}
	body, err := k.c.Receive(corr, key, version)
	if err != nil {
		log.Fatalf("%s v%d: receive: %v", wire.APIs[key].Name, version, err)
	}
	return body
}

// save stores body as the golden response of key at version.
func (k *capturer) save(key, version int16, variant string, body []byte) {
	name := fmt.Sprintf("%sResponse_v%d", wire.APIs[key].Name, version)
	if variant != "" {
		name += "_" + variant
	}
	if err := os.WriteFile(filepath.Join(k.out, name+".bin"), body, 0o644); err != nil {
		log.Fatal(err)
	}
	k.n++
}

func main() {
	brokers := flag.String("brokers", os.Getenv("KAFKA_BROKERS"), "comma-separated broker addresses")
	out := flag.String("out", "wire/testdata/golden", "output folder")
	flag.Parse()
	if *brokers == "" {
		log.Fatal("no broker: pass -brokers or set KAFKA_BROKERS")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := broker.Dial(ctx, strings.Split(*brokers, ",")[0], "golden-capture")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	k := &capturer{ctx: ctx, c: c, out: *out}
	run(k)
	runGroup(k)
	log.Printf("captured %d response bodies into %s", k.n, *out)
}

// run captures every API the client implements, at its lowest version, its
// first flexible version and its highest.
func run(k *capturer) {
	for _, v := range []int16{0, 3, 4} {
		k.capture(v, &wire.ApiVersionsRequest{ClientSoftwareName: "zeroalloc-kafka", ClientSoftwareVersion: "golden"}, "")
	}

	suffix := time.Now().UTC().Format("20060102150405")
	topic := "golden-" + suffix

	// Topics: one created at each interesting version (the later ones see
	// TOPIC_ALREADY_EXISTS or create their own).
	for _, v := range []int16{2, 5, 7} {
		k.capture(v, &wire.CreateTopicsRequest{
			Topics: []wire.CreateTopicsRequestTopic{{
				Name: fmt.Sprintf("%s-ct%d", topic, v), NumPartitions: 2, ReplicationFactor: 1,
				Configs: []wire.CreateTopicsRequestConfig{{Name: "cleanup.policy", Value: wire.NewNullString("delete")}},
			}},
			TimeoutMs: 30000,
		}, "")
	}
	topic += "-ct7"

	for _, v := range []int16{1, 9, 12} {
		k.capture(v, &wire.MetadataRequest{
			Topics:                 []wire.MetadataRequestTopic{{Name: wire.NewNullString(topic)}},
			AllowAutoTopicCreation: false,
		}, "")
	}
	for _, v := range []int16{1, 6, 10} {
		k.capture(v, &wire.ListOffsetsRequest{
			ReplicaId: -1,
			Topics: []wire.ListOffsetsRequestTopic{{Name: topic, Partitions: []wire.ListOffsetsRequestPartition{
				{PartitionIndex: 0, CurrentLeaderEpoch: -1, Timestamp: -1},
				{PartitionIndex: 1, CurrentLeaderEpoch: -1, Timestamp: -2},
			}}},
		}, "")
	}
	for _, c := range []wire.Codec{wire.CodecNone, wire.CodecGzip, wire.CodecSnappy, wire.CodecLZ4, wire.CodecZstd} {
		produceFetch(k, "golden-"+suffix+"-"+c.String(), c)
	}
}
