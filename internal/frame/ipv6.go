package frame

import (
	"encoding/binary"
	"net/netip"
)

// IPv6Len is the length of the fixed IPv6 header.
const IPv6Len = 40

// IPv6 is a view over an IPv6 packet, starting at the fixed header. The
// slice may extend past the packet (Ethernet padding); Payload stops at
// PayloadLen. Extension headers are part of the payload. Call Valid before
// any accessor. Like every view, it is as safe for concurrent use as the
// bytes it aliases.
type IPv6 []byte

// Valid reports whether p holds an IPv6 fixed header (version 6) and the
// payload length it announces. Jumbograms (payload length 0 with a
// hop-by-hop jumbo option) are seen as having an empty payload.
func (p IPv6) Valid() bool {
	return len(p) >= IPv6Len && p[0]>>4 == 6 &&
		IPv6Len+int(binary.BigEndian.Uint16(p[4:6])) <= len(p)
}

// TrafficClass returns the traffic class (DSCP and ECN).
func (p IPv6) TrafficClass() uint8 { return uint8(binary.BigEndian.Uint16(p[0:2]) >> 4) }

// FlowLabel returns the 20-bit flow label.
func (p IPv6) FlowLabel() uint32 { return binary.BigEndian.Uint32(p[0:4]) & 0x000fffff }

// PayloadLen returns the payload length in bytes (extension headers
// included).
func (p IPv6) PayloadLen() int { return int(binary.BigEndian.Uint16(p[4:6])) }

// NextHeader returns the type of the header after the fixed header.
func (p IPv6) NextHeader() IPProto { return IPProto(p[6]) }

// HopLimit returns the hop limit.
func (p IPv6) HopLimit() uint8 { return p[7] }

// Src returns the source address.
func (p IPv6) Src() netip.Addr { return netip.AddrFrom16([16]byte(p[8:24])) }

// Dst returns the destination address.
func (p IPv6) Dst() netip.Addr { return netip.AddrFrom16([16]byte(p[24:40])) }

// Payload returns the bytes after the fixed header, up to PayloadLen.
func (p IPv6) Payload() []byte { return p[IPv6Len : IPv6Len+p.PayloadLen()] }

// IPv6Header holds the fields PutIPv6 writes.
type IPv6Header struct {
	TrafficClass uint8
	FlowLabel    uint32 // low 20 bits
	PayloadLen   uint16
	NextHeader   IPProto
	HopLimit     uint8
	Src, Dst     netip.Addr // written as 16 bytes (IPv4 as IPv4-mapped)
}

// PutIPv6 writes a fixed IPv6 header at the start of b and returns the
// number of bytes written (IPv6Len). b must have room for it.
func PutIPv6(b []byte, h IPv6Header) int {
	_ = b[IPv6Len-1]
	binary.BigEndian.PutUint32(b[0:4], 6<<28|uint32(h.TrafficClass)<<20|h.FlowLabel&0x000fffff)
	binary.BigEndian.PutUint16(b[4:6], h.PayloadLen)
	b[6] = uint8(h.NextHeader)
	b[7] = h.HopLimit
	s, d := h.Src.As16(), h.Dst.As16()
	copy(b[8:24], s[:])
	copy(b[24:40], d[:])
	return IPv6Len
}
