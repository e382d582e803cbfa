package frame

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
)

// PartialChecksum adds the big-endian 16-bit words of b to the partial sum
// initial and returns the new partial sum, folded to 16 bits so that it can
// be passed on as the initial value of another call. An odd trailing byte is
// padded with zero, so only the last slice of a chain may have odd length.
func PartialChecksum(b []byte, initial uint32) uint32 {
	return uint32(fold(sum64(b, uint64(initial))))
}

// Checksum returns the Internet checksum (RFC 1071) of b: the one's
// complement of the folded one's complement sum of its 16-bit words, starting
// from the partial sum initial (0, or for example a PseudoHeaderSum). Over
// data that already holds a correct checksum field it returns 0.
func Checksum(b []byte, initial uint32) uint16 {
	return ^fold(sum64(b, uint64(initial)))
}

// sum64 is the one's complement sum of b's 16-bit words, kept in a 64-bit
// accumulator with end-around carry: because 2^16 ≡ 1 (mod 2^16-1), summing
// 64-bit big-endian words and folding later gives the same result as summing
// 16-bit words, with a quarter of the additions.
func sum64(b []byte, acc uint64) uint64 {
	var c uint64
	for len(b) >= 32 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[0:8]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[8:16]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[16:24]), c)
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[24:32]), c)
		b = b[32:]
	}
	for len(b) >= 8 {
		acc, c = bits.Add64(acc, binary.BigEndian.Uint64(b[0:8]), c)
		b = b[8:]
	}
	if len(b) >= 4 {
		acc, c = bits.Add64(acc, uint64(binary.BigEndian.Uint32(b[0:4])), c)
		b = b[4:]
	}
	if len(b) >= 2 {
		acc, c = bits.Add64(acc, uint64(binary.BigEndian.Uint16(b[0:2])), c)
		b = b[2:]
	}
	if len(b) == 1 {
		acc, c = bits.Add64(acc, uint64(b[0])<<8, c)
	}
	// End-around carry; the second addition cannot carry again.
	acc, c = bits.Add64(acc, 0, c)
	return acc + c
}

// fold reduces a 64-bit one's complement sum to 16 bits. The result is 0
// only if x is 0.
func fold(x uint64) uint16 {
	x = x>>32 + x&0xffffffff
	x = x>>32 + x&0xffffffff
	x = x>>16 + x&0xffff
	x = x>>16 + x&0xffff
	return uint16(x)
}

// PseudoHeaderSum returns the partial sum of the TCP/UDP pseudo-header for
// the given addresses, protocol and upper-layer length (RFC 768, RFC 793 for
// IPv4, RFC 8200 section 8.1 for IPv6), to pass to Checksum as initial.
// IPv4 and IPv4-mapped IPv6 addresses give the same sum, so either form
// works for an IPv4 packet.
func PseudoHeaderSum(src, dst netip.Addr, proto IPProto, length int) uint32 {
	s := addrSum(src) + addrSum(dst) + uint64(proto) + uint64(uint32(length)>>16) + uint64(length&0xffff)
	return uint32(fold(s))
}

// addrSum is the plain sum of a's 16-bit words (4 bytes for IPv4, 16
// otherwise; the zero Addr counts as 16 zero bytes).
func addrSum(a netip.Addr) uint64 {
	if a.Is4() {
		b := a.As4()
		return uint64(binary.BigEndian.Uint16(b[0:2])) + uint64(binary.BigEndian.Uint16(b[2:4]))
	}
	b := a.As16()
	var s uint64
	for i := 0; i < 16; i += 2 {
		s += uint64(binary.BigEndian.Uint16(b[i : i+2]))
	}
	return s
}

// addrComplementSum is the sum of the one's complements of a's 16-bit words,
// which is how an old value is subtracted in RFC 1624 equation 3.
func addrComplementSum(a netip.Addr) uint64 {
	if a.Is4() {
		b := a.As4()
		return uint64(^binary.BigEndian.Uint16(b[0:2])) + uint64(^binary.BigEndian.Uint16(b[2:4]))
	}
	b := a.As16()
	var s uint64
	for i := 0; i < 16; i += 2 {
		s += uint64(^binary.BigEndian.Uint16(b[i : i+2]))
	}
	return s
}

// ChecksumUpdate16 returns the checksum field value sum updated for one
// 16-bit word of the covered data changing from old to new, by RFC 1624
// equation 3: HC' = ~(~HC + ~m + m'). Unlike equation 2 it never produces
// 0xffff (-0) from a checksum that a full computation could have produced,
// so it agrees bit for bit with recomputing from scratch.
func ChecksumUpdate16(sum, old, new uint16) uint16 {
	x := uint64(^sum) + uint64(^old) + uint64(new)
	return ^fold(x)
}

// ChecksumUpdate32 is ChecksumUpdate16 for a 32-bit field (for example a
// TCP sequence number or an IPv4 address) that starts on a 16-bit boundary.
func ChecksumUpdate32(sum uint16, old, new uint32) uint16 {
	x := uint64(^sum) +
		uint64(^uint16(old>>16)) + uint64(^uint16(old)) +
		uint64(new>>16) + uint64(new&0xffff)
	return ^fold(x)
}

// ChecksumUpdateAddr is ChecksumUpdate16 for an address changing from old to
// new, in the IP header itself or in a pseudo-header. IPv4 addresses count
// 4 bytes, others 16.
func ChecksumUpdateAddr(sum uint16, old, new netip.Addr) uint16 {
	x := uint64(^sum) + addrComplementSum(old) + addrSum(new)
	return ^fold(x)
}

// udpChecksum maps an incrementally updated UDP checksum: a field that was
// 0 means the sender computed none and stays 0, and a result of 0 is sent as
// 0xffff (RFC 768).
func udpChecksum(old, updated uint16) uint16 {
	switch {
	case old == 0:
		return 0
	case updated == 0:
		return 0xffff
	}
	return updated
}
