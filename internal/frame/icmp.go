package frame

import "encoding/binary"

// ICMPLen is the length of the ICMP header (type, code, checksum and the
// 4-byte rest of header).
const ICMPLen = 8

// ICMP (v4) message types.
const (
	ICMPEchoReply    uint8 = 0
	ICMPDestUnreach  uint8 = 3
	ICMPEchoRequest  uint8 = 8
	ICMPTimeExceeded uint8 = 11
)

// Codes of ICMPDestUnreach.
const (
	ICMPNetUnreach   uint8 = 0
	ICMPHostUnreach  uint8 = 1
	ICMPProtoUnreach uint8 = 2
	ICMPPortUnreach  uint8 = 3
	ICMPFragNeeded   uint8 = 4
)

// ICMP is a view over an ICMPv4 message, the whole IPv4 payload (the
// checksum covers all of it). Call Valid before any accessor. Like every
// view, it is as safe for concurrent use as the bytes it aliases.
type ICMP []byte

// Valid reports whether m holds an ICMP header.
func (m ICMP) Valid() bool { return len(m) >= ICMPLen }

// Type returns the message type.
func (m ICMP) Type() uint8 { return m[0] }

// Code returns the message code.
func (m ICMP) Code() uint8 { return m[1] }

// Checksum returns the checksum field.
func (m ICMP) Checksum() uint16 { return binary.BigEndian.Uint16(m[2:4]) }

// ID returns the identifier of an echo request or reply.
func (m ICMP) ID() uint16 { return binary.BigEndian.Uint16(m[4:6]) }

// Seq returns the sequence number of an echo request or reply.
func (m ICMP) Seq() uint16 { return binary.BigEndian.Uint16(m[6:8]) }

// NextHopMTU returns the next-hop MTU of a "fragmentation needed" message
// (RFC 1191).
func (m ICMP) NextHopMTU() uint16 { return binary.BigEndian.Uint16(m[6:8]) }

// Payload returns the bytes after the 8-byte header: the echo data, or the
// quoted original packet of an error.
func (m ICMP) Payload() []byte { return m[ICMPLen:] }

// ChecksumValid reports whether the checksum over the whole message is
// correct.
func (m ICMP) ChecksumValid() bool { return Checksum(m, 0) == 0 }

// SetChecksum sets the checksum field.
func (m ICMP) SetChecksum(c uint16) { binary.BigEndian.PutUint16(m[2:4], c) }

// SetTypeWithChecksum sets the type (for example to turn an echo request
// into a reply in place) and updates the checksum incrementally.
func (m ICMP) SetTypeWithChecksum(typ uint8) {
	old := binary.BigEndian.Uint16(m[0:2])
	m[0] = typ
	m.SetChecksum(ChecksumUpdate16(m.Checksum(), old, binary.BigEndian.Uint16(m[0:2])))
}

// SetIDWithChecksum sets the echo identifier and updates the checksum
// incrementally (NAT rewrites it as it rewrites ports).
func (m ICMP) SetIDWithChecksum(id uint16) {
	old := m.ID()
	binary.BigEndian.PutUint16(m[4:6], id)
	m.SetChecksum(ChecksumUpdate16(m.Checksum(), old, id))
}

// PutICMPEcho writes an echo request or reply (typ ICMPEchoRequest or
// ICMPEchoReply) carrying payload, with its checksum, at the start of b and
// returns the number of bytes written (ICMPLen+len(payload)). b must have
// room for it. payload may already be in place at b[ICMPLen:].
func PutICMPEcho(b []byte, typ uint8, id, seq uint16, payload []byte) int {
	n := ICMPLen + len(payload)
	_ = b[n-1]
	copy(b[ICMPLen:n], payload)
	b[0], b[1] = typ, 0
	b[2], b[3] = 0, 0
	binary.BigEndian.PutUint16(b[4:6], id)
	binary.BigEndian.PutUint16(b[6:8], seq)
	binary.BigEndian.PutUint16(b[2:4], Checksum(b[:n], 0))
	return n
}

// PutICMPError writes an error message of the given type and code quoting
// orig, the offending IPv4 packet, with its checksum, at the start of b and
// returns the number of bytes written. It quotes the IP header and the first
// 8 bytes of its payload (RFC 792), or all of orig if shorter. mtu is the
// next-hop MTU of an ICMPFragNeeded message and should be 0 otherwise. b
// must have room for ICMPLen plus the quote; orig may overlap b.
func PutICMPError(b []byte, typ, code uint8, mtu uint16, orig []byte) int {
	q := len(orig)
	if q > 0 {
		hl := max(int(orig[0]&0x0f)*4, IPv4MinLen)
		q = min(q, hl+8)
	}
	n := ICMPLen + q
	_ = b[n-1]
	// Copy first: copy handles overlap, and the header may overwrite orig.
	copy(b[ICMPLen:n], orig[:q])
	b[0], b[1] = typ, code
	b[2], b[3], b[4], b[5] = 0, 0, 0, 0
	binary.BigEndian.PutUint16(b[6:8], mtu)
	binary.BigEndian.PutUint16(b[2:4], Checksum(b[:n], 0))
	return n
}
