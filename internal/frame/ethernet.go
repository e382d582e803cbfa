package frame

import "encoding/binary"

// EtherType is the 16-bit type field of an Ethernet II header. Values below
// 0x0600 are 802.3 lengths, not types.
type EtherType uint16

// EtherTypes the project understands.
const (
	TypeIPv4 EtherType = 0x0800
	TypeARP  EtherType = 0x0806
	TypeVLAN EtherType = 0x8100 // IEEE 802.1Q customer tag (TPID)
	TypeQinQ EtherType = 0x88a8 // IEEE 802.1ad service tag
	TypeIPv6 EtherType = 0x86dd
)

// IsLength reports whether t is an IEEE 802.3 length rather than a type.
func (t EtherType) IsLength() bool { return t < 0x0600 }

// Header sizes.
const (
	EthernetLen = 14 // destination, source, type
	VLANTagLen  = 4  // TPID + TCI
	// MaxVLAN is the largest usable VLAN ID; 0 and 4095 are reserved.
	MaxVLAN = 4094
)

// Ethernet is a view over an Ethernet II frame, starting at the destination
// address. Call Valid before any accessor.
type Ethernet []byte

// Valid reports whether the frame is long enough for its Ethernet header and,
// if it carries an 802.1Q tag, for the whole tag.
func (e Ethernet) Valid() bool {
	if len(e) < EthernetLen {
		return false
	}
	if e.RawType() == TypeVLAN {
		return len(e) >= EthernetLen+VLANTagLen
	}
	return true
}

// Dst returns the destination address.
func (e Ethernet) Dst() MAC { return MAC(e[0:6]) }

// Src returns the source address.
func (e Ethernet) Src() MAC { return MAC(e[6:12]) }

// SetDst sets the destination address.
func (e Ethernet) SetDst(m MAC) { copy(e[0:6], m[:]) }

// SetSrc sets the source address.
func (e Ethernet) SetSrc(m MAC) { copy(e[6:12], m[:]) }

// RawType returns the EtherType/length field right after the addresses,
// which is the TPID for a tagged frame.
func (e Ethernet) RawType() EtherType { return EtherType(binary.BigEndian.Uint16(e[12:14])) }

// Tagged reports whether the frame carries an 802.1Q tag.
func (e Ethernet) Tagged() bool { return e.RawType() == TypeVLAN }

// TCI returns the tag control information of a tagged frame (PCP, DEI, VID).
func (e Ethernet) TCI() uint16 { return binary.BigEndian.Uint16(e[14:16]) }

// VLAN returns the VLAN ID of a tagged frame, or 0 for an untagged one.
func (e Ethernet) VLAN() uint16 {
	if !e.Tagged() {
		return 0
	}
	return e.TCI() & 0x0fff
}

// Type returns the EtherType of the payload, looking past one 802.1Q tag.
func (e Ethernet) Type() EtherType {
	if e.Tagged() {
		return EtherType(binary.BigEndian.Uint16(e[16:18]))
	}
	return e.RawType()
}

// HeaderLen returns the length of the Ethernet header including one 802.1Q
// tag if present.
func (e Ethernet) HeaderLen() int {
	if e.Tagged() {
		return EthernetLen + VLANTagLen
	}
	return EthernetLen
}

// Payload returns the bytes after the header (and tag).
func (e Ethernet) Payload() []byte { return e[e.HeaderLen():] }

// PutEthernet writes an untagged Ethernet header at the start of b and
// returns the number of bytes written (14). b must have room for it.
func PutEthernet(b []byte, dst, src MAC, t EtherType) int {
	_ = b[13]
	copy(b[0:6], dst[:])
	copy(b[6:12], src[:])
	binary.BigEndian.PutUint16(b[12:14], uint16(t))
	return EthernetLen
}

// PushTag writes into dst the frame src with an 802.1Q tag carrying tci
// inserted after the addresses, and returns the written part of dst. src
// must be untagged and valid; dst must have len(src)+4 bytes. dst and src
// must not overlap.
func PushTag(dst []byte, src Ethernet, tci uint16) []byte {
	n := len(src) + VLANTagLen
	dst = dst[:n]
	copy(dst[0:12], src[0:12])
	binary.BigEndian.PutUint16(dst[12:14], uint16(TypeVLAN))
	binary.BigEndian.PutUint16(dst[14:16], tci)
	copy(dst[16:], src[12:])
	return dst
}

// PopTag writes into dst the tagged frame src without its 802.1Q tag and
// returns the written part of dst. src must be tagged and valid; dst must
// have len(src)-4 bytes. dst and src must not overlap.
func PopTag(dst []byte, src Ethernet) []byte {
	n := len(src) - VLANTagLen
	dst = dst[:n]
	copy(dst[0:12], src[0:12])
	copy(dst[12:], src[16:])
	return dst
}
