package frame

import (
	"net/netip"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestARPFromGopacket(t *testing.T) {
	tests := []struct {
		name     string
		op       uint16
		sha, tha MAC
		spa, tpa netip.Addr
	}{
		{"request", ARPRequest, macA, MAC{}, ipA, ipB},
		{"reply", ARPReply, macB, macA, ipB, ipA},
		{"probe", ARPRequest, macA, MAC{}, netip.IPv4Unspecified(), ipA},
		{"gratuitous", ARPRequest, macA, Broadcast, ipA, ipA},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := serialize(t,
				&layers.Ethernet{DstMAC: hw(Broadcast), SrcMAC: hw(tc.sha), EthernetType: layers.EthernetTypeARP},
				&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
					Operation: tc.op, SourceHwAddress: hw(tc.sha), SourceProtAddress: ipOf(tc.spa), DstHwAddress: hw(tc.tha), DstProtAddress: ipOf(tc.tpa)},
			)
			e := Ethernet(b)
			require.True(t, e.Valid())
			require.Equal(t, TypeARP, e.Type())
			a := ARP(e.Payload())
			require.True(t, a.Valid())
			assert.Equal(t, tc.op, a.Op())
			assert.Equal(t, tc.sha, a.SenderMAC())
			assert.Equal(t, tc.spa, a.SenderIP())
			assert.Equal(t, tc.tha, a.TargetMAC())
			assert.Equal(t, tc.tpa, a.TargetIP())
		})
	}
}

func TestPutARPGopacket(t *testing.T) {
	tests := []struct {
		name     string
		op       uint16
		sha, tha MAC
		spa, tpa netip.Addr
		wantSPA  netip.Addr
	}{
		{"request", ARPRequest, macA, MAC{}, ipA, ipB, ipA},
		{"reply", ARPReply, macB, macA, ipB, ipA, ipB},
		{"mapped sender", ARPReply, macB, macA, netip.AddrFrom16(ipB.As16()), ipA, ipB},
		{"ipv6 sender is 0.0.0.0", ARPRequest, macA, MAC{}, ip6A, ipA, netip.IPv4Unspecified()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, ARPLen)
			require.Equal(t, ARPLen, PutARP(b, tc.op, tc.sha, tc.spa, tc.tha, tc.tpa))
			p := verifyWithGopacket(t, b, layers.LayerTypeARP)
			a := p.Layer(layers.LayerTypeARP).(*layers.ARP)
			assert.Equal(t, layers.LinkTypeEthernet, a.AddrType)
			assert.Equal(t, layers.EthernetTypeIPv4, a.Protocol)
			assert.Equal(t, tc.op, a.Operation)
			assert.Equal(t, hw(tc.sha), hwOf(a.SourceHwAddress))
			assert.Equal(t, tc.wantSPA, addrOf(t, a.SourceProtAddress))
			assert.Equal(t, hw(tc.tha), hwOf(a.DstHwAddress))
			assert.Equal(t, tc.tpa, addrOf(t, a.DstProtAddress))

			v := ARP(b)
			require.True(t, v.Valid())
			assert.Equal(t, tc.wantSPA, v.SenderIP())
		})
	}
}

func TestARPInvalid(t *testing.T) {
	good := make([]byte, ARPLen)
	PutARP(good, ARPRequest, macA, ipA, MAC{}, ipB)
	require.True(t, ARP(good).Valid())
	for n := range ARPLen {
		assert.False(t, ARP(good[:n]).Valid(), "truncated to %d bytes", n)
	}
	tests := []struct {
		name string
		off  int
		val  byte
	}{
		{"hardware type 6 (IEEE 802)", 1, 6},
		{"hardware type 0x0101", 0, 1},
		{"protocol IPv6", 2, 0x86},
		{"protocol 0x0801", 3, 0x01},
		{"hardware length 8", 4, 8},
		{"protocol length 16", 5, 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := clone(good)
			b[tc.off] = tc.val
			assert.False(t, ARP(b).Valid())
		})
	}
	assert.True(t, ARP(append(clone(good), 0, 0, 0)).Valid(), "Ethernet padding after the packet is fine")
}
