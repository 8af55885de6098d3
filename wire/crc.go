package wire

import "hash/crc32"

// CRC-32C arithmetic for a batch's CRC computed in two parts: the records
// section as it is appended (while its bytes are still in cache) and the
// header, which is only known at Finish. crc32cCombine gives the CRC of
// A||B from the CRCs of A and B and B's length, in O(log len(B)) without
// reading B again.
//
// A CRC register is a polynomial over GF(2) in reflected bit order: the bit
// of x^0 is the top bit (1<<31), the bit of x^31 the lowest. Appending n
// zero bytes to a message multiplies its register by x^(8n) modulo the
// Castagnoli polynomial; the initial and final inversions of the standard
// CRC cancel out in the combination, so finished CRC values combine as
// crc(A||B) = crc(A)·x^(8·len(B)) + crc(B).

const castagnoliReflected = 0x82f63b78 // crc32.Castagnoli

// x2n[k] is x^(2^k) modulo the polynomial, for k up to 3 (the 8 of 8n)
// plus the bits of an int. zlib indexes its table k&31, which relies on
// x^(2^32) = x: true of the IEEE polynomial, not of this one (x^(2^32) is
// x^2), so a length of 2^29 bytes or more needs the entries past 31.
var x2n = func() (t [3 + 64]uint32) {
	t[0] = 1 << 30 // x^1
	for k := 1; k < len(t); k++ {
		t[k] = mulModP(t[k-1], t[k-1])
	}
	return t
}()

// mulModP returns a·b modulo the polynomial.
func mulModP(a, b uint32) uint32 {
	var p uint32
	for m := uint32(1) << 31; m != 0; m >>= 1 {
		if a&m != 0 {
			p ^= b
		}
		// b·x
		if b&1 != 0 {
			b = b>>1 ^ castagnoliReflected
		} else {
			b >>= 1
		}
	}
	return p
}

// xPow8n returns x^(8n) modulo the polynomial.
func xPow8n(n int) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			p = mulModP(x2n[k], p)
		}
	}
	return p
}

// crc32cCombine returns the CRC-32C of A||B given crcA = CRC-32C(A), crcB
// = CRC-32C(B) and lenB = len(B).
func crc32cCombine(crcA, crcB uint32, lenB int) uint32 {
	return mulModP(xPow8n(lenB), crcA) ^ crcB
}

// crc32cUpdate continues crc over p.
func crc32cUpdate(crc uint32, p []byte) uint32 { return crc32.Update(crc, crc32c, p) }
