// The API table below was written from Kafka's message definitions
// (testdata/kafka-protocol/messages/*.json); TestAPITableMatchesJSON checks
// it against those files.

package wire

// API keys of the requests this client speaks.
const (
	KeyProduce              int16 = 0
	KeyFetch                int16 = 1
	KeyListOffsets          int16 = 2
	KeyMetadata             int16 = 3
	KeyOffsetCommit         int16 = 8
	KeyOffsetFetch          int16 = 9
	KeyFindCoordinator      int16 = 10
	KeyJoinGroup            int16 = 11
	KeyHeartbeat            int16 = 12
	KeyLeaveGroup           int16 = 13
	KeySyncGroup            int16 = 14
	KeySaslHandshake        int16 = 17
	KeyApiVersions          int16 = 18
	KeyCreateTopics         int16 = 19
	KeyDeleteTopics         int16 = 20
	KeyInitProducerId       int16 = 22
	KeyOffsetForLeaderEpoch int16 = 23
	KeyAddPartitionsToTxn   int16 = 24
	KeyAddOffsetsToTxn      int16 = 25
	KeyEndTxn               int16 = 26
	KeyTxnOffsetCommit      int16 = 28
	KeySaslAuthenticate     int16 = 36
	KeyCreatePartitions     int16 = 37
)

// noFlex marks an API without flexible versions.
const noFlex = 1 << 14

// APIInfo describes one API: its name, the version range this client implements
// and the first flexible version (KIP-482).
type APIInfo struct {
	Name     string
	Min, Max int16
	Flexible int16
}

// maxKey is the highest API key in APIs.
const maxKey = 37

// APIs is indexed by API key; an entry with an empty Name is an API this
// client does not implement.
var APIs = [maxKey + 1]APIInfo{
	KeyProduce:              {Name: "Produce", Min: 3, Max: 11, Flexible: 9},
	KeyFetch:                {Name: "Fetch", Min: 4, Max: 17, Flexible: 12},
	KeyListOffsets:          {Name: "ListOffsets", Min: 1, Max: 10, Flexible: 6},
	KeyMetadata:             {Name: "Metadata", Min: 1, Max: 12, Flexible: 9},
	KeyOffsetCommit:         {Name: "OffsetCommit", Min: 2, Max: 9, Flexible: 8},
	KeyOffsetFetch:          {Name: "OffsetFetch", Min: 1, Max: 9, Flexible: 6},
	KeyFindCoordinator:      {Name: "FindCoordinator", Min: 0, Max: 6, Flexible: 3},
	KeyJoinGroup:            {Name: "JoinGroup", Min: 0, Max: 9, Flexible: 6},
	KeyHeartbeat:            {Name: "Heartbeat", Min: 0, Max: 4, Flexible: 4},
	KeyLeaveGroup:           {Name: "LeaveGroup", Min: 0, Max: 5, Flexible: 4},
	KeySyncGroup:            {Name: "SyncGroup", Min: 0, Max: 5, Flexible: 4},
	KeySaslHandshake:        {Name: "SaslHandshake", Min: 0, Max: 1, Flexible: noFlex},
	KeyApiVersions:          {Name: "ApiVersions", Min: 0, Max: 4, Flexible: 3},
	KeyCreateTopics:         {Name: "CreateTopics", Min: 2, Max: 7, Flexible: 5},
	KeyDeleteTopics:         {Name: "DeleteTopics", Min: 1, Max: 6, Flexible: 4},
	KeyInitProducerId:       {Name: "InitProducerId", Min: 0, Max: 5, Flexible: 2},
	KeyOffsetForLeaderEpoch: {Name: "OffsetForLeaderEpoch", Min: 2, Max: 4, Flexible: 4},
	KeyAddPartitionsToTxn:   {Name: "AddPartitionsToTxn", Min: 0, Max: 5, Flexible: 3},
	KeyAddOffsetsToTxn:      {Name: "AddOffsetsToTxn", Min: 0, Max: 4, Flexible: 3},
	KeyEndTxn:               {Name: "EndTxn", Min: 0, Max: 5, Flexible: 3},
	KeyTxnOffsetCommit:      {Name: "TxnOffsetCommit", Min: 0, Max: 4, Flexible: 3},
	KeySaslAuthenticate:     {Name: "SaslAuthenticate", Min: 0, Max: 2, Flexible: 2},
	KeyCreatePartitions:     {Name: "CreatePartitions", Min: 0, Max: 3, Flexible: 2},
}

// IsFlexible reports whether version of the API key uses the flexible
// encoding (compact strings and arrays, tagged fields, header v2).
func IsFlexible(key, version int16) bool {
	if key < 0 || int(key) >= len(APIs) || APIs[key].Name == "" {
		return false
	}
	return version >= APIs[key].Flexible
}
