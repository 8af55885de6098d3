# make test is the project's test command (see README.md); .ci/run calls it.
.PHONY: test fuzz bench bench-readme pprof kafka-up kafka-down

test:
	scripts/test

# Fuzz every target of every package for FUZZTIME each (default 10s; a
# count such as 2000x works too): see scripts/fuzz.
fuzz:
	scripts/fuzz

# Compare this client with kafka-go, franz-go, sarama and confluent-kafka-go
# (bench/cmd/kbench; see bench/README.md). Flags go in ARGS, e.g.
#   make bench ARGS='-scenarios produce -codec lz4 -count 200000'
bench:
	cd bench && go run ./cmd/kbench $(ARGS)

# Print the README's Performance section (all but the prose written by
# hand) made from kbench result files, in the order given, e.g.
#   make bench-readme RESULTS="bench/results/A.json bench/results/B.json"
bench-readme:
	@test -n "$(RESULTS)" || { echo 'make bench-readme: give the result files in RESULTS="bench/results/A.json ..."' >&2; exit 2; }
	@cd bench && go run ./cmd/kbench readme $(abspath $(RESULTS))

# CPU and allocation profiles of this client's produce and consume hot paths
# (Writer/Reader and Conn), each of the measured section only, into pprof/
# (see pprof/README.md). PPROF_COUNT messages of 100 bytes per run; more
# flags in ARGS, e.g. make pprof ARGS='-codec zstd'.
PPROF_COUNT ?= 5000000
pprof:
	cd bench && go run ./cmd/kbench -clients zeroalloc,zeroalloc-conn -scenarios produce,consume -count $(PPROF_COUNT) -profile ../pprof $(ARGS)

# Start (or reuse) the 1-node test cluster; prints KAFKA_BROKERS=...
kafka-up:
	scripts/kafka up

# Stop every test cluster and delete its data.
kafka-down:
	scripts/kafka down
