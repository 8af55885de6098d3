// LeaderIdAndEpoch and NodeEndpoint: the new-leader hints (KIP-951) that
// Produce (v10+) and Fetch (v12+ and v16+) responses carry in tagged fields.
// Both APIs' JSON files declare the same structs, so they share one Go type.

package wire

// LeaderIdAndEpoch is a partition's current leader as the broker knows it
// (JSON LeaderIdAndEpoch). Its default, NoLeader, means "unknown" and is
// what a response without the tagged field decodes to.
type LeaderIdAndEpoch struct {
	// LeaderId (default -1) is the leader's broker id.
	LeaderId int32
	// LeaderEpoch (default -1) is the leader's epoch.
	LeaderEpoch int32
}

// NoLeader is the default LeaderIdAndEpoch: leader and epoch unknown.
var NoLeader = LeaderIdAndEpoch{LeaderId: -1, LeaderEpoch: -1}

// NodeEndpoint is a broker named by a response so that the client can reach
// a new leader without a Metadata round trip (JSON NodeEndpoint).
type NodeEndpoint struct {
	// NodeId is the broker id.
	NodeId int32
	// Host is the broker's host name.
	Host string
	// Port is the broker's port.
	Port int32
	// Rack is the broker's rack, or null.
	Rack NullString
}

// leaderTagSize is the encoded size of a LeaderIdAndEpoch in a tagged
// field: two int32 and an empty tag section.
const leaderTagSize = 4 + 4 + 1

// appendLeaderTag appends l as tagged field tag (the caller has counted it).
func appendLeaderTag(dst []byte, tag uint32, l LeaderIdAndEpoch) []byte {
	dst = AppendUvarint(dst, tag)
	dst = AppendUvarint(dst, leaderTagSize)
	dst = AppendInt32(dst, l.LeaderId)
	dst = AppendInt32(dst, l.LeaderEpoch)
	return append(dst, 0)
}

// decodeLeaderTag decodes the data of a LeaderIdAndEpoch tagged field; a
// malformed one fails r.
func decodeLeaderTag(r *Reader, data []byte) LeaderIdAndEpoch {
	s := NewReader(data)
	l := LeaderIdAndEpoch{LeaderId: s.Int32(), LeaderEpoch: s.Int32()}
	endTag(r, &s)
	return l
}

// endTag reads the tag section that closes a tagged struct's data in s and
// fails r (the message's reader) if s met an error or has bytes left: a
// tagged field's size must be exactly its content.
func endTag(r *Reader, s *Reader) {
	s.SkipTags(true)
	if err := s.Complete(); err != nil {
		r.Fail(err)
	}
}

// nodeEndpointsSize returns the encoded size of eps as a compact array.
func nodeEndpointsSize(eps []NodeEndpoint) int {
	n := UvarintLen(uint32(len(eps)) + 1)
	for i := range eps {
		e := &eps[i]
		n += 4 + UvarintLen(uint32(len(e.Host))+1) + len(e.Host) + 4 + 1 + 1
		if e.Rack.Valid {
			n += UvarintLen(uint32(len(e.Rack.String))+1) + len(e.Rack.String) - 1
		}
	}
	return n
}

// appendNodeEndpointsTag appends eps as tagged field tag (the caller has
// counted it, and writes it only when eps is not empty).
func appendNodeEndpointsTag(dst []byte, tag uint32, eps []NodeEndpoint) []byte {
	dst = AppendUvarint(dst, tag)
	dst = AppendUvarint(dst, uint32(nodeEndpointsSize(eps)))
	dst = AppendArrayLen(dst, len(eps), true)
	for i := range eps {
		e := &eps[i]
		dst = AppendInt32(dst, e.NodeId)
		dst = AppendCompactString(dst, e.Host)
		dst = AppendInt32(dst, e.Port)
		dst = AppendCompactNullableString(dst, e.Rack)
		dst = append(dst, 0)
	}
	return dst
}

// decodeNodeEndpointsTag decodes the data of a NodeEndpoints tagged field
// into old's capacity; a malformed one fails r.
func decodeNodeEndpointsTag(r *Reader, data []byte, old []NodeEndpoint) []NodeEndpoint {
	s := NewReader(data)
	// NodeId, a compact host, Port, a compact rack and a tag section.
	n := s.ArrayLen(4+1+4+1+1, true)
	eps := Grow(old, max(n, 0))
	for i := range eps {
		e := &eps[i]
		e.NodeId = s.Int32()
		e.Host = s.CompactString(e.Host)
		e.Port = s.Int32()
		e.Rack = s.CompactNullableString(e.Rack)
		s.SkipTags(true)
	}
	if n < 0 && s.Err() == nil {
		s.Fail(ErrInvalidLength) // NodeEndpoints is not nullable
	}
	if s.Len() != 0 {
		s.Fail(ErrTrailingBytes)
	}
	if err := s.Err(); err != nil {
		r.Fail(err)
	}
	return eps
}
