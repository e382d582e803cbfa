package frame

import (
	"encoding/binary"
	"net/netip"
)

// UDPLen is the length of the UDP header.
const UDPLen = 8

// UDP is a view over a UDP datagram, starting at the header. The slice may
// extend past the datagram; Payload stops at Length. Call Valid before any
// accessor. Like every view, it is as safe for concurrent use as the bytes it
// aliases.
type UDP []byte

// Valid reports whether u holds a UDP header whose length field covers the
// header and fits in u.
func (u UDP) Valid() bool {
	if len(u) < UDPLen {
		return false
	}
	l := int(binary.BigEndian.Uint16(u[4:6]))
	return l >= UDPLen && l <= len(u)
}

// SrcPort returns the source port.
func (u UDP) SrcPort() uint16 { return binary.BigEndian.Uint16(u[0:2]) }

// DstPort returns the destination port.
func (u UDP) DstPort() uint16 { return binary.BigEndian.Uint16(u[2:4]) }

// Length returns the length field: header plus payload, in bytes.
func (u UDP) Length() int { return int(binary.BigEndian.Uint16(u[4:6])) }

// Checksum returns the checksum field; 0 means the sender computed none.
func (u UDP) Checksum() uint16 { return binary.BigEndian.Uint16(u[6:8]) }

// Payload returns the bytes after the header, up to Length.
func (u UDP) Payload() []byte { return u[UDPLen:u.Length()] }

// ChecksumValid reports whether the checksum is correct for a datagram
// between src and dst. A checksum of 0 (none) is valid.
func (u UDP) ChecksumValid(src, dst netip.Addr) bool {
	if u.Checksum() == 0 {
		return true
	}
	l := u.Length()
	return Checksum(u[:l], PseudoHeaderSum(src, dst, ProtoUDP, l)) == 0
}

// SetChecksum sets the checksum field.
func (u UDP) SetChecksum(c uint16) { binary.BigEndian.PutUint16(u[6:8], c) }

// SetSrcPort sets the source port without touching the checksum.
func (u UDP) SetSrcPort(port uint16) { binary.BigEndian.PutUint16(u[0:2], port) }

// SetDstPort sets the destination port without touching the checksum.
func (u UDP) SetDstPort(port uint16) { binary.BigEndian.PutUint16(u[2:4], port) }

// SetSrcPortWithChecksum sets the source port and updates the checksum
// incrementally (a checksum of 0 stays 0).
func (u UDP) SetSrcPortWithChecksum(port uint16) {
	old := u.SrcPort()
	u.SetSrcPort(port)
	u.updateChecksum16(old, port)
}

// SetDstPortWithChecksum sets the destination port and updates the checksum
// incrementally (a checksum of 0 stays 0).
func (u UDP) SetDstPortWithChecksum(port uint16) {
	old := u.DstPort()
	u.SetDstPort(port)
	u.updateChecksum16(old, port)
}

func (u UDP) updateChecksum16(old, new uint16) {
	c := u.Checksum()
	u.SetChecksum(udpChecksum(c, ChecksumUpdate16(c, old, new)))
}

// UpdateChecksumForAddr updates the checksum for an address of the
// pseudo-header changing from old to new, as NAT does after rewriting the
// IP header (IPv4.SetSrcWithChecksum). A checksum of 0 stays 0.
func (u UDP) UpdateChecksumForAddr(old, new netip.Addr) {
	c := u.Checksum()
	u.SetChecksum(udpChecksum(c, ChecksumUpdateAddr(c, old, new)))
}

// PutUDP writes a UDP header and payload, with the checksum over the
// pseudo-header of src and dst, at the start of b and returns the number of
// bytes written (UDPLen+len(payload)). b must have room for it. payload may
// already be in place at b[UDPLen:].
func PutUDP(b []byte, src, dst netip.AddrPort, payload []byte) int {
	n := UDPLen + len(payload)
	_ = b[n-1]
	copy(b[UDPLen:n], payload)
	binary.BigEndian.PutUint16(b[0:2], src.Port())
	binary.BigEndian.PutUint16(b[2:4], dst.Port())
	binary.BigEndian.PutUint16(b[4:6], uint16(n))
	b[6], b[7] = 0, 0
	c := Checksum(b[:n], PseudoHeaderSum(src.Addr(), dst.Addr(), ProtoUDP, n))
	if c == 0 {
		c = 0xffff // 0 would mean "no checksum" (RFC 768)
	}
	binary.BigEndian.PutUint16(b[6:8], c)
	return n
}
