package frame

import "net/netip"

// IPProto is an IP protocol number (the IPv4 Protocol field, the IPv6 Next
// Header field).
type IPProto uint8

// Protocol numbers the project understands.
const (
	ProtoICMP   IPProto = 1
	ProtoTCP    IPProto = 6
	ProtoUDP    IPProto = 17
	ProtoICMPv6 IPProto = 58
)

// String returns the protocol's name, or "proto-N" for others.
func (p IPProto) String() string {
	switch p {
	case ProtoICMP:
		return "icmp"
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMPv6:
		return "icmpv6"
	}
	var b [9]byte // "proto-255"
	n := copy(b[:], "proto-")
	if p >= 100 {
		b[n] = '0' + byte(p/100)
		n++
	}
	if p >= 10 {
		b[n] = '0' + byte(p/10%10)
		n++
	}
	b[n] = '0' + byte(p%10)
	return string(b[:n+1])
}

// as4 returns a's four bytes if it is an IPv4 or IPv4-mapped IPv6 address,
// and 0.0.0.0 otherwise, so that builders never panic on a bad argument.
func as4(a netip.Addr) [4]byte {
	a = a.Unmap()
	if !a.Is4() {
		return [4]byte{}
	}
	return a.As4()
}
