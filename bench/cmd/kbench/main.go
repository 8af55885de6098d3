// Command kbench compares Kafka clients for Go on one broker: this module's
// client and segmentio/kafka-go, franz-go, IBM/sarama and
// confluent-kafka-go.
//
//	kbench [flags]                      run the comparison (the runner)
//	kbench worker -client C -scenario S run one client in this process (internal)
//	kbench fingerprint -brokers host:port print the broker's ApiVersions, to record in kafkaversion.go
//	kbench readme A.json [B.json ...]   print the README's Performance section made from result files
//
// The runner starts the repository's test broker with scripts/kafka up
// unless -brokers names one, creates a fresh topic per run and starts every
// client in its own process (this binary, re-executed as a worker), so CPU
// time, peak RSS and allocations belong to one client. Each worker prints
// one JSON result on stdout; the runner adds the child's rusage, checks
// the topic's end offsets against what the worker says was delivered, and
// writes a table on stdout plus results/<UTC time>.{json,md,svg}.
//
// Progress goes to stderr. See bench/README.md for the scenarios and
// settings.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		os.Exit(workerMain(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == "fingerprint" {
		if err := fingerprintMain(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "kbench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "readme" {
		if err := readmeMain(os.Args[2:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "kbench:", err)
			os.Exit(1)
		}
		return
	}
	if err := runnerMain(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "kbench:", err)
		os.Exit(1)
	}
}
