package frame

import (
	"encoding/binary"
	"net/netip"
)

// ARPLen is the length of an Ethernet/IPv4 ARP packet (RFC 826).
const ARPLen = 28

// ARP operation codes.
const (
	ARPRequest uint16 = 1
	ARPReply   uint16 = 2
)

// ARP is a view over an ARP packet (the Ethernet payload). Call Valid before
// any accessor. Like every view, it is as safe for concurrent use as the
// bytes it aliases.
type ARP []byte

// Valid reports whether a is at least ARPLen bytes long and is an ARP packet
// for Ethernet hardware addresses and IPv4 protocol addresses; other kinds
// are of no use to the switch or the simulated hosts.
func (a ARP) Valid() bool {
	return len(a) >= ARPLen &&
		binary.BigEndian.Uint16(a[0:2]) == 1 && // hardware type: Ethernet
		binary.BigEndian.Uint16(a[2:4]) == uint16(TypeIPv4) &&
		a[4] == 6 && a[5] == 4
}

// Op returns the operation (ARPRequest, ARPReply, ...).
func (a ARP) Op() uint16 { return binary.BigEndian.Uint16(a[6:8]) }

// SenderMAC returns the sender hardware address.
func (a ARP) SenderMAC() MAC { return MAC(a[8:14]) }

// SenderIP returns the sender protocol address.
func (a ARP) SenderIP() netip.Addr { return netip.AddrFrom4([4]byte(a[14:18])) }

// TargetMAC returns the target hardware address.
func (a ARP) TargetMAC() MAC { return MAC(a[18:24]) }

// TargetIP returns the target protocol address.
func (a ARP) TargetIP() netip.Addr { return netip.AddrFrom4([4]byte(a[24:28])) }

// PutARP writes an Ethernet/IPv4 ARP packet at the start of b and returns
// the number of bytes written (ARPLen). b must have room for it. Addresses
// that are not IPv4 (after unmapping) are written as 0.0.0.0.
func PutARP(b []byte, op uint16, sha MAC, spa netip.Addr, tha MAC, tpa netip.Addr) int {
	_ = b[ARPLen-1]
	binary.BigEndian.PutUint16(b[0:2], 1)
	binary.BigEndian.PutUint16(b[2:4], uint16(TypeIPv4))
	b[4], b[5] = 6, 4
	binary.BigEndian.PutUint16(b[6:8], op)
	copy(b[8:14], sha[:])
	s, t := as4(spa), as4(tpa)
	copy(b[14:18], s[:])
	copy(b[18:24], tha[:])
	copy(b[24:28], t[:])
	return ARPLen
}
