package fuzz

import (
	"testing"

	"github.com/zeroalloc/kafka/wire"
)

// One target per response decoder; `make fuzz` runs each for a fixed budget.

func FuzzProduceResponse(f *testing.F)              { fuzzResponse(f, wire.KeyProduce) }
func FuzzFetchResponse(f *testing.F)                { fuzzResponse(f, wire.KeyFetch) }
func FuzzMetadataResponse(f *testing.F)             { fuzzResponse(f, wire.KeyMetadata) }
func FuzzListOffsetsResponse(f *testing.F)          { fuzzResponse(f, wire.KeyListOffsets) }
func FuzzOffsetForLeaderEpochResponse(f *testing.F) { fuzzResponse(f, wire.KeyOffsetForLeaderEpoch) }
func FuzzCreateTopicsResponse(f *testing.F)         { fuzzResponse(f, wire.KeyCreateTopics) }
func FuzzDeleteTopicsResponse(f *testing.F)         { fuzzResponse(f, wire.KeyDeleteTopics) }
func FuzzCreatePartitionsResponse(f *testing.F)     { fuzzResponse(f, wire.KeyCreatePartitions) }
func FuzzSaslHandshakeResponse(f *testing.F)        { fuzzResponse(f, wire.KeySaslHandshake) }
func FuzzSaslAuthenticateResponse(f *testing.F)     { fuzzResponse(f, wire.KeySaslAuthenticate) }
func FuzzApiVersionsResponse(f *testing.F)          { fuzzResponse(f, wire.KeyApiVersions) }
func FuzzInitProducerIdResponse(f *testing.F)       { fuzzResponse(f, wire.KeyInitProducerId) }
func FuzzAddPartitionsToTxnResponse(f *testing.F)   { fuzzResponse(f, wire.KeyAddPartitionsToTxn) }
func FuzzAddOffsetsToTxnResponse(f *testing.F)      { fuzzResponse(f, wire.KeyAddOffsetsToTxn) }
func FuzzEndTxnResponse(f *testing.F)               { fuzzResponse(f, wire.KeyEndTxn) }
func FuzzTxnOffsetCommitResponse(f *testing.F)      { fuzzResponse(f, wire.KeyTxnOffsetCommit) }
