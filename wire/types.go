package wire

import "encoding/hex"

// NullString is a nullable Kafka string held by value. The zero value is
// null; Valid reports a non-null String (which may be empty).
type NullString struct {
	String string
	Valid  bool
}

// NewNullString returns a valid (non-null) NullString holding s.
func NewNullString(s string) NullString { return NullString{String: s, Valid: true} }

// UUID is a Kafka UUID (topic ids, for example). The zero UUID means "none".
type UUID [16]byte

// String returns u in the 8-4-4-4-12 hexadecimal form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
