package frame

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIPv4FromGopacket(t *testing.T) {
	tests := []struct {
		name    string
		ip      layers.IPv4
		payload []byte
		hl      int
		frag    uint16
	}{
		{
			name:    "udp df",
			ip:      layers.IPv4{TOS: 0xb8, Id: 0x1234, Flags: layers.IPv4DontFragment, TTL: 64, Protocol: layers.IPProtocolUDP},
			payload: []byte("01234567hello"),
			hl:      20,
		},
		{
			name:    "first fragment",
			ip:      layers.IPv4{Id: 0xffff, Flags: layers.IPv4MoreFragments, TTL: 1, Protocol: layers.IPProtocolICMPv4},
			payload: make([]byte, 64),
			hl:      20,
		},
		{
			name:    "last fragment",
			ip:      layers.IPv4{Id: 7, FragOffset: 0x1fff, TTL: 255, Protocol: layers.IPProtocolTCP},
			payload: []byte{1},
			hl:      20,
			frag:    0x1fff * 8,
		},
		{
			name: "router alert option",
			ip: layers.IPv4{TTL: 1, Protocol: 2, Options: []layers.IPv4Option{
				{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}},
			}},
			payload: []byte("igmp-ish"),
			hl:      24,
		},
		{
			name:    "empty payload",
			ip:      layers.IPv4{TTL: 0, Protocol: 253},
			payload: nil,
			hl:      20,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ip := tc.ip
			ip.Version, ip.SrcIP, ip.DstIP = 4, ipOf(ipA), ipOf(ipB)
			// The Ethernet layer pads short frames: Payload must stop at TotalLen.
			b := serialize(t,
				&layers.Ethernet{DstMAC: hw(macB), SrcMAC: hw(macA), EthernetType: layers.EthernetTypeIPv4},
				&ip, payloadLayer(tc.payload))
			e := Ethernet(b)
			require.True(t, e.Valid())
			require.Equal(t, TypeIPv4, e.Type())
			p := IPv4(e.Payload())
			require.True(t, p.Valid())
			assert.Equal(t, tc.hl, p.HeaderLen())
			assert.Equal(t, tc.hl+len(tc.payload), p.TotalLen())
			assert.Equal(t, tc.ip.TOS, p.TOS())
			assert.Equal(t, tc.ip.Id, p.ID())
			assert.Equal(t, tc.ip.Flags&layers.IPv4DontFragment != 0, p.DF())
			assert.Equal(t, tc.ip.Flags&layers.IPv4MoreFragments != 0, p.MF())
			assert.Equal(t, tc.frag, p.FragOffset())
			assert.Equal(t, tc.ip.TTL, p.TTL())
			assert.Equal(t, IPProto(tc.ip.Protocol), p.Protocol())
			assert.Equal(t, ipA, p.Src())
			assert.Equal(t, ipB, p.Dst())
			assert.Len(t, p.Options(), tc.hl-20)
			assert.Equal(t, string(tc.payload), string(p.Payload()))
			assert.True(t, p.ChecksumValid())
			assert.Equal(t, p.Checksum(), p.ComputeChecksum())
			assert.Equal(t, binary.BigEndian.Uint16(b[EthernetLen+10:]), p.Checksum())

			p.SetChecksum(p.Checksum() ^ 1)
			assert.False(t, p.ChecksumValid(), "a flipped checksum bit must be detected")
		})
	}
}

func TestPutIPv4Gopacket(t *testing.T) {
	tests := []struct {
		name string
		h    IPv4Header
	}{
		{"udp", IPv4Header{TOS: 0x10, ID: 1, DF: true, TTL: 64, Protocol: ProtoUDP, Src: ipA, Dst: ipB}},
		{"icmp", IPv4Header{ID: 0xfffe, TTL: 1, Protocol: ProtoICMP, Src: ipB, Dst: ipA}},
		{"tcp broadcast", IPv4Header{TTL: 255, Protocol: ProtoTCP, Src: netip.IPv4Unspecified(), Dst: netip.MustParseAddr("255.255.255.255")}},
		{"mapped addresses", IPv4Header{TTL: 3, Protocol: 253, Src: netip.AddrFrom16(ipA.As16()), Dst: netip.AddrFrom16(ipB.As16())}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			payload := []byte("payload!")
			h := tc.h
			h.TotalLen = uint16(IPv4MinLen + len(payload))
			b := make([]byte, int(h.TotalLen))
			n := PutIPv4(b, h)
			require.Equal(t, IPv4MinLen, n)
			copy(b[n:], payload)

			ip := verifyIPv4Header(t, b)
			assert.Equal(t, uint8(4), ip.Version)
			assert.Equal(t, uint8(5), ip.IHL)
			assert.Equal(t, h.TOS, ip.TOS)
			assert.Equal(t, h.TotalLen, ip.Length)
			assert.Equal(t, h.ID, ip.Id)
			assert.Equal(t, h.DF, ip.Flags&layers.IPv4DontFragment != 0)
			assert.Zero(t, ip.FragOffset)
			assert.Equal(t, h.TTL, ip.TTL)
			assert.Equal(t, uint8(h.Protocol), uint8(ip.Protocol))
			assert.Equal(t, h.Src.Unmap(), addrOf(t, ip.SrcIP.To4()))
			assert.Equal(t, h.Dst.Unmap(), addrOf(t, ip.DstIP.To4()))

			v := IPv4(b)
			require.True(t, v.Valid())
			assert.True(t, v.ChecksumValid())
			assert.Equal(t, payload, v.Payload())
		})
	}
}

func TestPutIPv4BadAddr(t *testing.T) {
	b := make([]byte, IPv4MinLen)
	PutIPv4(b, IPv4Header{TotalLen: IPv4MinLen, Src: ip6A})
	p := IPv4(b)
	require.True(t, p.Valid())
	assert.Equal(t, netip.IPv4Unspecified(), p.Src(), "an IPv6 source is written as 0.0.0.0")
	assert.Equal(t, netip.IPv4Unspecified(), p.Dst(), "the zero Addr is written as 0.0.0.0")
	assert.True(t, p.ChecksumValid())
}

func TestIPv4Invalid(t *testing.T) {
	good := make([]byte, 28)
	PutIPv4(good, IPv4Header{TotalLen: 28, TTL: 64, Protocol: ProtoUDP, Src: ipA, Dst: ipB})
	require.True(t, IPv4(good).Valid())
	for n := range len(good) {
		assert.False(t, IPv4(good[:n]).Valid(), "truncated to %d bytes", n)
	}

	mod := func(f func(b []byte)) []byte {
		b := clone(good)
		f(b)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"version 6", mod(func(b []byte) { b[0] = 0x65 }), false},
		{"version 0", mod(func(b []byte) { b[0] = 0x05 }), false},
		{"version 15", mod(func(b []byte) { b[0] = 0xf5 }), false},
		{"ihl 0", mod(func(b []byte) { b[0] = 0x40 }), false},
		{"ihl 4", mod(func(b []byte) { b[0] = 0x44 }), false},
		{"ihl 7 fits", mod(func(b []byte) { b[0] = 0x47 }), true},
		{"ihl 8 beyond total length", mod(func(b []byte) { b[0] = 0x48 }), false},
		{"ihl 15 beyond slice", mod(func(b []byte) { b[0] = 0x4f }), false},
		{"total length 0", mod(func(b []byte) { b[2], b[3] = 0, 0 }), false},
		{"total length 19", mod(func(b []byte) { b[2], b[3] = 0, 19 }), false},
		{"total length 20", mod(func(b []byte) { b[2], b[3] = 0, 20 }), true},
		{"total length 29", mod(func(b []byte) { b[2], b[3] = 0, 29 }), false},
		{"total length 65535", mod(func(b []byte) { b[2], b[3] = 0xff, 0xff }), false},
		{"bad checksum is still valid", mod(func(b []byte) { b[10] ^= 0xff }), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := IPv4(tc.b).Valid()
			assert.Equal(t, tc.want, got, "got Valid()=%v, want %v", got, tc.want)
		})
	}
}

func TestIPv4Setters(t *testing.T) {
	b := make([]byte, 40)
	PutIPv4(b, IPv4Header{TotalLen: 40, ID: 99, TTL: 2, Protocol: ProtoTCP, Src: ipA, Dst: ipB})
	p := IPv4(b)

	assert.Equal(t, uint8(1), p.DecTTL())
	assert.Equal(t, uint8(1), p.TTL())
	assert.Equal(t, ProtoTCP, p.Protocol(), "TTL shares a word with Protocol")
	assert.True(t, p.ChecksumValid())
	assert.Equal(t, uint8(0), p.DecTTL())
	assert.True(t, p.ChecksumValid())
	before := clone(b)
	assert.Equal(t, uint8(0), p.DecTTL(), "TTL 0 stays 0")
	assert.Equal(t, before, b)

	p.SetTTLWithChecksum(200)
	assert.Equal(t, uint8(200), p.TTL())
	assert.True(t, p.ChecksumValid())

	nat := netip.MustParseAddr("192.168.65.3")
	p.SetSrcWithChecksum(nat)
	assert.Equal(t, nat, p.Src())
	assert.Equal(t, ipB, p.Dst())
	assert.True(t, p.ChecksumValid())
	p.SetDstWithChecksum(netip.AddrFrom16(ipA.As16())) // mapped: unmapped first
	assert.Equal(t, ipA, p.Dst())
	assert.True(t, p.ChecksumValid())

	before = clone(b)
	p.SetSrcWithChecksum(ip6A)
	p.SetDstWithChecksum(netip.Addr{})
	assert.Equal(t, before, b, "non-IPv4 addresses leave the packet unchanged")
}

func TestIPProtoString(t *testing.T) {
	tests := []struct {
		p    IPProto
		want string
	}{
		{ProtoICMP, "icmp"}, {ProtoTCP, "tcp"}, {ProtoUDP, "udp"}, {ProtoICMPv6, "icmpv6"},
		{0, "proto-0"}, {2, "proto-2"}, {47, "proto-47"}, {132, "proto-132"}, {255, "proto-255"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.p.String())
	}
}
