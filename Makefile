# make test is the project's test command (see README.md); .ci/run calls it.
.PHONY: test fuzz kafka-up kafka-down

test:
	scripts/test

# Run every fuzz target for FUZZTIME (default 10s) each.
fuzz:
	scripts/fuzz

# Start (or reuse) the 1-node test cluster; prints KAFKA_BROKERS=...
kafka-up:
	scripts/kafka up

# Stop every test cluster and delete its data.
kafka-down:
	scripts/kafka down
