// Package internal groups the client's machinery that is not public API:
// broker connections, metadata cache, producer sinks, fetch sources, group
// membership, and test helpers (internal/kafkatest).
package internal
