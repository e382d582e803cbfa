package frame

import (
	"net/netip"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIPv6FromGopacket(t *testing.T) {
	tests := []struct {
		name    string
		ip      layers.IPv6
		payload []byte
	}{
		{"no next header", layers.IPv6{TrafficClass: 0xb8, FlowLabel: 0xfedcb, NextHeader: layers.IPProtocolNoNextHeader, HopLimit: 64}, nil},
		{"opaque payload", layers.IPv6{FlowLabel: 1, NextHeader: layers.IPProtocolNoNextHeader, HopLimit: 255}, []byte("0123456789")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ip := tc.ip
			ip.Version, ip.SrcIP, ip.DstIP = 6, ipOf(ip6A), ipOf(ip6B)
			b := serialize(t, &layers.Ethernet{DstMAC: hw(macB), SrcMAC: hw(macA), EthernetType: layers.EthernetTypeIPv6},
				&ip, payloadLayer(tc.payload))
			e := Ethernet(b)
			require.True(t, e.Valid())
			p := IPv6(e.Payload())
			require.True(t, p.Valid())
			assert.Equal(t, tc.ip.TrafficClass, p.TrafficClass())
			assert.Equal(t, tc.ip.FlowLabel, p.FlowLabel())
			assert.Equal(t, len(tc.payload), p.PayloadLen())
			assert.Equal(t, IPProto(tc.ip.NextHeader), p.NextHeader())
			assert.Equal(t, tc.ip.HopLimit, p.HopLimit())
			assert.Equal(t, ip6A, p.Src())
			assert.Equal(t, ip6B, p.Dst())
			assert.Equal(t, string(tc.payload), string(p.Payload()))
		})
	}
}

func TestPutIPv6Gopacket(t *testing.T) {
	payload := make([]byte, 8+5)
	h := IPv6Header{TrafficClass: 0x2e, FlowLabel: 0xfffff, PayloadLen: uint16(len(payload)), NextHeader: ProtoUDP, HopLimit: 1, Src: ip6A, Dst: ip6B}
	b := make([]byte, IPv6Len+len(payload))
	require.Equal(t, IPv6Len, PutIPv6(b, h))
	PutUDP(b[IPv6Len:], netip.AddrPortFrom(ip6A, 40000), netip.AddrPortFrom(ip6B, 41000), []byte("query"))

	p := verifyWithGopacket(t, b, layers.LayerTypeIPv6)
	ip := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	assert.Equal(t, uint8(6), ip.Version)
	assert.Equal(t, h.TrafficClass, ip.TrafficClass)
	assert.Equal(t, h.FlowLabel, ip.FlowLabel)
	assert.Equal(t, h.PayloadLen, ip.Length)
	assert.Equal(t, layers.IPProtocolUDP, ip.NextHeader)
	assert.Equal(t, h.HopLimit, ip.HopLimit)
	assert.Equal(t, ip6A, addrOf(t, ip.SrcIP))
	assert.Equal(t, ip6B, addrOf(t, ip.DstIP))
	u := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
	assert.Equal(t, layers.UDPPort(41000), u.DstPort)

	v := IPv6(b)
	require.True(t, v.Valid())
	uv := UDP(v.Payload())
	require.True(t, uv.Valid())
	assert.True(t, uv.ChecksumValid(v.Src(), v.Dst()))
}

func TestIPv6Invalid(t *testing.T) {
	good := make([]byte, IPv6Len+4)
	PutIPv6(good, IPv6Header{PayloadLen: 4, NextHeader: 59, HopLimit: 64, Src: ip6A, Dst: ip6B})
	require.True(t, IPv6(good).Valid())
	for n := range len(good) {
		assert.False(t, IPv6(good[:n]).Valid(), "truncated to %d bytes", n)
	}
	tests := []struct {
		name string
		f    func(b []byte)
		want bool
	}{
		{"version 4", func(b []byte) { b[0] = 0x40 }, false},
		{"version 0", func(b []byte) { b[0] = 0x00 }, false},
		{"version 7", func(b []byte) { b[0] = 0x70 }, false},
		{"payload length 5", func(b []byte) { b[5] = 5 }, false},
		{"payload length 0xffff", func(b []byte) { b[4], b[5] = 0xff, 0xff }, false},
		{"payload length 0", func(b []byte) { b[5] = 0 }, true},
		{"payload length 3 (padding)", func(b []byte) { b[5] = 3 }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := clone(good)
			tc.f(b)
			got := IPv6(b).Valid()
			assert.Equal(t, tc.want, got, "got Valid()=%v, want %v", got, tc.want)
		})
	}
}
