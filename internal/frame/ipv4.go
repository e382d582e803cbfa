package frame

import (
	"encoding/binary"
	"net/netip"
)

// IPv4MinLen is the length of an IPv4 header without options.
const IPv4MinLen = 20

// IPv4 is a view over an IPv4 packet, starting at the header. The slice may
// extend past the packet (Ethernet padding); Payload stops at TotalLen. Call
// Valid before any accessor. Like every view, it is as safe for concurrent
// use as the bytes it aliases.
type IPv4 []byte

// Valid reports whether p holds an IPv4 header: version 4, a header length
// (IHL) of at least 5 words that fits in p, and a total length that covers
// the header and fits in p. It does not check the header checksum (see
// ChecksumValid).
func (p IPv4) Valid() bool {
	if len(p) < IPv4MinLen || p[0]>>4 != 4 {
		return false
	}
	hl := int(p[0]&0x0f) * 4
	if hl < IPv4MinLen || hl > len(p) {
		return false
	}
	tl := int(binary.BigEndian.Uint16(p[2:4]))
	return tl >= hl && tl <= len(p)
}

// HeaderLen returns the header length in bytes (IHL*4).
func (p IPv4) HeaderLen() int { return int(p[0]&0x0f) * 4 }

// TOS returns the type-of-service byte (DSCP and ECN).
func (p IPv4) TOS() uint8 { return p[1] }

// TotalLen returns the total length of the packet in bytes, header included.
func (p IPv4) TotalLen() int { return int(binary.BigEndian.Uint16(p[2:4])) }

// ID returns the identification field.
func (p IPv4) ID() uint16 { return binary.BigEndian.Uint16(p[4:6]) }

// DF reports whether the don't-fragment flag is set.
func (p IPv4) DF() bool { return p[6]&0x40 != 0 }

// MF reports whether the more-fragments flag is set.
func (p IPv4) MF() bool { return p[6]&0x20 != 0 }

// FragOffset returns the fragment offset in bytes (the field is in units of
// 8 bytes).
func (p IPv4) FragOffset() uint16 { return (binary.BigEndian.Uint16(p[6:8]) & 0x1fff) << 3 }

// TTL returns the time to live.
func (p IPv4) TTL() uint8 { return p[8] }

// Protocol returns the protocol of the payload.
func (p IPv4) Protocol() IPProto { return IPProto(p[9]) }

// Checksum returns the header checksum field.
func (p IPv4) Checksum() uint16 { return binary.BigEndian.Uint16(p[10:12]) }

// Src returns the source address.
func (p IPv4) Src() netip.Addr { return netip.AddrFrom4([4]byte(p[12:16])) }

// Dst returns the destination address.
func (p IPv4) Dst() netip.Addr { return netip.AddrFrom4([4]byte(p[16:20])) }

// Options returns the header options (empty without options).
func (p IPv4) Options() []byte { return p[IPv4MinLen:p.HeaderLen()] }

// Payload returns the bytes after the header, up to TotalLen.
func (p IPv4) Payload() []byte { return p[p.HeaderLen():p.TotalLen()] }

// ChecksumValid reports whether the header checksum is correct.
func (p IPv4) ChecksumValid() bool { return Checksum(p[:p.HeaderLen()], 0) == 0 }

// ComputeChecksum returns the correct header checksum, whatever the field
// holds now.
func (p IPv4) ComputeChecksum() uint16 {
	// Adding the complement of the field cancels it out of the sum.
	return Checksum(p[:p.HeaderLen()], uint32(^p.Checksum()))
}

// SetChecksum sets the header checksum field.
func (p IPv4) SetChecksum(c uint16) { binary.BigEndian.PutUint16(p[10:12], c) }

// SetTTLWithChecksum sets the TTL and updates the header checksum
// incrementally (RFC 1624).
func (p IPv4) SetTTLWithChecksum(ttl uint8) {
	// TTL shares a 16-bit word with Protocol.
	old := binary.BigEndian.Uint16(p[8:10])
	p[8] = ttl
	p.SetChecksum(ChecksumUpdate16(p.Checksum(), old, binary.BigEndian.Uint16(p[8:10])))
}

// DecTTL decrements the TTL by one, updating the header checksum
// incrementally, and returns the new TTL. A TTL of 0 is left alone (and 0
// returned): a router drops such a packet instead of forwarding it.
func (p IPv4) DecTTL() uint8 {
	ttl := p[8]
	if ttl == 0 {
		return 0
	}
	p.SetTTLWithChecksum(ttl - 1)
	return ttl - 1
}

// SetSrcWithChecksum sets the source address and updates the header
// checksum incrementally. The TCP/UDP checksum covers the address too
// (pseudo-header); update it with UDP.UpdateChecksumForAddr or
// TCP.UpdateChecksumForAddr. An address that is not IPv4 (after unmapping)
// leaves p unchanged.
func (p IPv4) SetSrcWithChecksum(a netip.Addr) { p.setAddr(p[12:16], a) }

// SetDstWithChecksum is SetSrcWithChecksum for the destination address.
func (p IPv4) SetDstWithChecksum(a netip.Addr) { p.setAddr(p[16:20], a) }

func (p IPv4) setAddr(field []byte, a netip.Addr) {
	a = a.Unmap()
	if !a.Is4() {
		return
	}
	old := binary.BigEndian.Uint32(field)
	b := a.As4()
	copy(field, b[:])
	p.SetChecksum(ChecksumUpdate32(p.Checksum(), old, binary.BigEndian.Uint32(b[:])))
}

// IPv4Header holds the fields PutIPv4 writes. Version, header length (5
// words, no options), flags other than DF and the fragment offset are
// implied.
type IPv4Header struct {
	TOS      uint8
	TotalLen uint16 // header and payload
	ID       uint16
	DF       bool
	TTL      uint8
	Protocol IPProto
	Src, Dst netip.Addr // IPv4; anything else is written as 0.0.0.0
}

// PutIPv4 writes a 20-byte IPv4 header with a correct checksum at the start
// of b and returns the number of bytes written (IPv4MinLen). b must have
// room for it.
func PutIPv4(b []byte, h IPv4Header) int {
	_ = b[IPv4MinLen-1]
	b[0] = 4<<4 | IPv4MinLen/4
	b[1] = h.TOS
	binary.BigEndian.PutUint16(b[2:4], h.TotalLen)
	binary.BigEndian.PutUint16(b[4:6], h.ID)
	var flags uint16
	if h.DF {
		flags = 0x4000
	}
	binary.BigEndian.PutUint16(b[6:8], flags)
	b[8] = h.TTL
	b[9] = uint8(h.Protocol)
	b[10], b[11] = 0, 0
	s, d := as4(h.Src), as4(h.Dst)
	copy(b[12:16], s[:])
	copy(b[16:20], d[:])
	binary.BigEndian.PutUint16(b[10:12], Checksum(b[:IPv4MinLen], 0))
	return IPv4MinLen
}
