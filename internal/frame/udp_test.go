package frame

import (
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUDPFromGopacket(t *testing.T) {
	tests := []struct {
		name     string
		v6       bool
		src, dst uint16
		payload  []byte
	}{
		{"v4", false, 40000, 41000, []byte("hello, world")},
		{"v4 empty", false, 1, 65535, nil},
		{"v4 odd", false, 68, 67, []byte("abc")},
		{"v6", true, 40001, 41001, []byte("over IPv6")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ip gopacket.SerializableLayer
			et := layers.EthernetTypeIPv4
			if tc.v6 {
				et = layers.EthernetTypeIPv6
				ip = &layers.IPv6{Version: 6, NextHeader: layers.IPProtocolUDP, HopLimit: 64, SrcIP: ipOf(ip6A), DstIP: ipOf(ip6B)}
			} else {
				ip = &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: ipOf(ipA), DstIP: ipOf(ipB)}
			}
			b := serialize(t, &layers.Ethernet{DstMAC: hw(macB), SrcMAC: hw(macA), EthernetType: et},
				ip, &layers.UDP{SrcPort: layers.UDPPort(tc.src), DstPort: layers.UDPPort(tc.dst)}, payloadLayer(tc.payload))

			var l4 []byte
			var src, dst netip.Addr
			e := Ethernet(b)
			require.True(t, e.Valid())
			if tc.v6 {
				p := IPv6(e.Payload())
				require.True(t, p.Valid())
				require.Equal(t, ProtoUDP, p.NextHeader())
				l4, src, dst = p.Payload(), p.Src(), p.Dst()
			} else {
				p := IPv4(e.Payload())
				require.True(t, p.Valid())
				require.Equal(t, ProtoUDP, p.Protocol())
				l4, src, dst = p.Payload(), p.Src(), p.Dst()
			}
			u := UDP(l4)
			require.True(t, u.Valid())
			assert.Equal(t, tc.src, u.SrcPort())
			assert.Equal(t, tc.dst, u.DstPort())
			assert.Equal(t, UDPLen+len(tc.payload), u.Length())
			assert.NotZero(t, u.Checksum())
			assert.Equal(t, string(tc.payload), string(u.Payload()))
			assert.True(t, u.ChecksumValid(src, dst))
			assert.False(t, u.ChecksumValid(dst, netip.MustParseAddr("10.9.9.9")))
		})
	}
}

func TestPutUDPGopacket(t *testing.T) {
	tests := []struct {
		name     string
		src, dst netip.AddrPort
		payload  []byte
	}{
		{"v4", ipPort(ipA, 40000), ipPort(ipB, 41000), []byte("datagram")},
		{"v4 odd", ipPort(ipB, 65535), ipPort(ipA, 1), []byte("odd")},
		{"v4 empty", ipPort(ipA, 40000), ipPort(ipB, 41000), nil},
		{"v6", ipPort(ip6A, 40000), ipPort(ip6B, 41000), []byte("datagram over IPv6")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := UDPLen + len(tc.payload)
			var b []byte
			first := layers.LayerTypeIPv4
			if tc.src.Addr().Is4() {
				b = make([]byte, IPv4MinLen+n)
				PutIPv4(b, IPv4Header{TotalLen: uint16(len(b)), TTL: 64, Protocol: ProtoUDP, Src: tc.src.Addr(), Dst: tc.dst.Addr()})
				require.Equal(t, n, PutUDP(b[IPv4MinLen:], tc.src, tc.dst, tc.payload))
			} else {
				first = layers.LayerTypeIPv6
				b = make([]byte, IPv6Len+n)
				PutIPv6(b, IPv6Header{PayloadLen: uint16(n), NextHeader: ProtoUDP, HopLimit: 64, Src: tc.src.Addr(), Dst: tc.dst.Addr()})
				require.Equal(t, n, PutUDP(b[IPv6Len:], tc.src, tc.dst, tc.payload))
			}
			p := verifyWithGopacket(t, b, first)
			u := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
			assert.Equal(t, layers.UDPPort(tc.src.Port()), u.SrcPort)
			assert.Equal(t, layers.UDPPort(tc.dst.Port()), u.DstPort)
			assert.Equal(t, uint16(n), u.Length)
			assert.Equal(t, string(tc.payload), string(u.Payload))
		})
	}
}

// TestPutUDPZeroChecksum finds a payload whose checksum computes to 0 and
// checks that it is sent as 0xffff (RFC 768), which receivers accept.
func TestPutUDPZeroChecksum(t *testing.T) {
	src, dst := ipPort(ipA, 40000), ipPort(ipB, 41000)
	b := make([]byte, UDPLen+2)
	PutUDP(b, src, dst, []byte{0, 0})
	// With a zero payload word, the checksum is ~S; a payload word of ~S...
	// makes the sum 0xffff and the computed checksum 0.
	c := UDP(b).Checksum()
	payload := []byte{byte(c >> 8), byte(c)}
	PutUDP(b, src, dst, payload)
	u := UDP(b)
	assert.Equal(t, uint16(0xffff), u.Checksum(), "got %#04x, want 0xffff for a computed 0", u.Checksum())
	assert.True(t, u.ChecksumValid(src.Addr(), dst.Addr()))

	ip := make([]byte, IPv4MinLen+len(b))
	PutIPv4(ip, IPv4Header{TotalLen: uint16(len(ip)), TTL: 1, Protocol: ProtoUDP, Src: src.Addr(), Dst: dst.Addr()})
	copy(ip[IPv4MinLen:], b)
	verifyWithGopacket(t, ip, layers.LayerTypeIPv4)
}

func TestPutUDPInPlace(t *testing.T) {
	b := make([]byte, 64)
	copy(b[UDPLen:], "already here")
	n := PutUDP(b, ipPort(ipA, 1), ipPort(ipB, 2), b[UDPLen:UDPLen+12])
	u := UDP(b[:n])
	require.True(t, u.Valid())
	assert.Equal(t, "already here", string(u.Payload()))
	assert.True(t, u.ChecksumValid(ipA, ipB))
}

func TestUDPInvalid(t *testing.T) {
	good := make([]byte, UDPLen+4)
	PutUDP(good, ipPort(ipA, 1), ipPort(ipB, 2), []byte("abcd"))
	require.True(t, UDP(good).Valid())
	for n := range len(good) {
		assert.False(t, UDP(good[:n]).Valid(), "truncated to %d bytes", n)
	}
	for _, l := range []uint16{0, 1, 7, 13, 0xffff} {
		b := clone(good)
		b[4], b[5] = byte(l>>8), byte(l)
		assert.False(t, UDP(b).Valid(), "length field %d", l)
	}
	for _, l := range []uint16{8, 11, 12} {
		b := clone(good)
		b[4], b[5] = byte(l>>8), byte(l)
		assert.True(t, UDP(b).Valid(), "length field %d", l)
		assert.Len(t, UDP(b).Payload(), int(l)-UDPLen)
	}
}

func TestUDPSetters(t *testing.T) {
	for _, tc := range []struct {
		name         string
		src, dst     netip.AddrPort
		nsrc, ndst   netip.Addr
		noChecksum   bool
		wantChecksum bool
	}{
		{"v4", ipPort(ipA, 40000), ipPort(ipB, 53), netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("172.18.0.5"), false, true},
		{"v6", ipPort(ip6A, 40000), ipPort(ip6B, 53), netip.MustParseAddr("fd00::99"), netip.MustParseAddr("2001:db8::53"), false, true},
		{"v4 no checksum", ipPort(ipA, 40000), ipPort(ipB, 53), netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("172.18.0.5"), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, UDPLen+5)
			PutUDP(b, tc.src, tc.dst, []byte("hello"))
			u := UDP(b)
			if tc.noChecksum {
				u.SetChecksum(0)
			}
			u.SetSrcPortWithChecksum(32768)
			u.SetDstPortWithChecksum(5353)
			u.UpdateChecksumForAddr(tc.src.Addr(), tc.nsrc)
			u.UpdateChecksumForAddr(tc.dst.Addr(), tc.ndst)
			assert.Equal(t, uint16(32768), u.SrcPort())
			assert.Equal(t, uint16(5353), u.DstPort())
			if tc.wantChecksum {
				assert.NotZero(t, u.Checksum())
				assert.Equal(t, udpFull(u, tc.nsrc, tc.ndst), u.Checksum())
			} else {
				assert.Zero(t, u.Checksum(), "a checksum of 0 (none) must stay 0")
			}
			assert.True(t, u.ChecksumValid(tc.nsrc, tc.ndst))
		})
	}
}

// udpFull recomputes u's checksum from scratch, as a sender would.
func udpFull(u UDP, src, dst netip.Addr) uint16 {
	c := clone(u[:u.Length()])
	UDP(c).SetChecksum(0)
	s := Checksum(c, PseudoHeaderSum(src, dst, ProtoUDP, len(c)))
	if s == 0 {
		return 0xffff
	}
	return s
}
