// Package bench compares this client with other Kafka clients for Go on the
// same broker. It is a separate module so that peer clients never enter the
// library's go.mod.
package bench
