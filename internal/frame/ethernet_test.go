package frame

import (
	"bytes"
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ethFrame returns a frame of n bytes: dst macB, src macA, then typ (which
// may be TypeVLAN, followed by a TCI of 0x2064 and TypeIPv4), then a counting
// pattern, cut to n bytes.
func ethFrame(n int, typ EtherType) []byte {
	b := make([]byte, 64)
	copy(b[0:6], macB[:])
	copy(b[6:12], macA[:])
	b[12], b[13] = byte(typ>>8), byte(typ)
	for i := 14; i < len(b); i++ {
		b[i] = byte(i)
	}
	if typ == TypeVLAN {
		b[14], b[15] = 0x20, 0x64 // PCP 1, VID 100
		b[16], b[17] = 0x08, 0x00
	}
	return b[:n]
}

func TestEthernetValid(t *testing.T) {
	tests := []struct {
		name string
		n    int
		typ  EtherType
		want bool
	}{
		{"untagged 13", 13, TypeIPv4, false},
		{"untagged 14", 14, TypeIPv4, true},
		{"untagged 17", 17, TypeIPv4, true},
		{"untagged 18", 18, TypeIPv4, true},
		{"tagged 13", 13, TypeVLAN, false},
		{"tagged 14", 14, TypeVLAN, false},
		{"tagged 17", 17, TypeVLAN, false},
		{"tagged 18", 18, TypeVLAN, true},
		{"802.3 length 14", 14, 0x05dc, true},
		{"QinQ 14 is not an 802.1Q tag", 14, TypeQinQ, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Ethernet(ethFrame(tc.n, tc.typ)).Valid()
			assert.Equal(t, tc.want, got, "got Valid()=%v, want %v", got, tc.want)
		})
	}
	for n := range EthernetLen {
		assert.False(t, Ethernet(make([]byte, n)).Valid(), "len %d", n)
	}
	assert.False(t, Ethernet(nil).Valid())
}

func TestEthernetAccessors(t *testing.T) {
	tests := []struct {
		name                     string
		frame                    []byte
		raw, typ                 EtherType
		tagged                   bool
		tci, vlan                uint16
		headerLen, payloadLen    int
		multicastDst, reservedTo bool
	}{
		{name: "untagged", frame: ethFrame(60, TypeIPv4), raw: TypeIPv4, typ: TypeIPv4, headerLen: 14, payloadLen: 46},
		{name: "tagged", frame: ethFrame(64, TypeVLAN), raw: TypeVLAN, typ: TypeIPv4, tagged: true, tci: 0x2064, vlan: 100, headerLen: 18, payloadLen: 46},
		{name: "tagged, header only", frame: ethFrame(18, TypeVLAN), raw: TypeVLAN, typ: TypeIPv4, tagged: true, tci: 0x2064, vlan: 100, headerLen: 18},
		{name: "arp", frame: ethFrame(42, TypeARP), raw: TypeARP, typ: TypeARP, headerLen: 14, payloadLen: 28},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := Ethernet(tc.frame)
			require.True(t, e.Valid())
			assert.Equal(t, macB, e.Dst())
			assert.Equal(t, macA, e.Src())
			assert.Equal(t, tc.raw, e.RawType())
			assert.Equal(t, tc.typ, e.Type())
			assert.Equal(t, tc.tagged, e.Tagged())
			if tc.tagged {
				assert.Equal(t, tc.tci, e.TCI())
			}
			assert.Equal(t, tc.vlan, e.VLAN())
			assert.Equal(t, tc.headerLen, e.HeaderLen())
			assert.Len(t, e.Payload(), tc.payloadLen)

			e.SetDst(Broadcast)
			e.SetSrc(macB)
			assert.Equal(t, Broadcast, e.Dst())
			assert.Equal(t, macB, e.Src())
			assert.Equal(t, tc.typ, e.Type(), "setting addresses must not touch the type")
		})
	}
}

func TestEthernetGopacket(t *testing.T) {
	b := serialize(t,
		&layers.Ethernet{DstMAC: hw(macB), SrcMAC: hw(macA), EthernetType: layers.EthernetTypeDot1Q},
		&layers.Dot1Q{Priority: 5, DropEligible: true, VLANIdentifier: 4094, Type: layers.EthernetTypeIPv6},
		&layers.IPv6{Version: 6, NextHeader: layers.IPProtocolNoNextHeader, HopLimit: 1, SrcIP: ipOf(ip6A), DstIP: ipOf(ip6B)},
	)
	e := Ethernet(b)
	require.True(t, e.Valid())
	assert.Equal(t, macB, e.Dst())
	assert.Equal(t, macA, e.Src())
	assert.True(t, e.Tagged())
	assert.Equal(t, uint16(5<<13|1<<12|4094), e.TCI())
	assert.Equal(t, uint16(4094), e.VLAN())
	assert.Equal(t, TypeIPv6, e.Type())

	var out [EthernetLen]byte
	n := PutEthernet(out[:], macB, macA, TypeARP)
	require.Equal(t, EthernetLen, n)
	p := decode(t, append(out[:], make([]byte, ARPLen)...), layers.LayerTypeEthernet)
	eth := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	assert.Equal(t, hw(macB), eth.DstMAC)
	assert.Equal(t, hw(macA), eth.SrcMAC)
	assert.Equal(t, layers.EthernetTypeARP, eth.EthernetType)
}

func TestPushPopTag(t *testing.T) {
	for _, n := range []int{14, 15, 42, 60, 64} {
		for _, tci := range []uint16{0, 1, 0x0064, 0x2064, 0xefff, 0xffff} {
			src := ethFrame(n, TypeIPv4)
			orig := bytes.Clone(src)
			dst := make([]byte, n+VLANTagLen+10)
			tagged := Ethernet(PushTag(dst, Ethernet(src), tci))
			require.Len(t, tagged, n+VLANTagLen)
			require.True(t, tagged.Valid())
			assert.True(t, tagged.Tagged())
			assert.Equal(t, tci, tagged.TCI())
			assert.Equal(t, tci&0x0fff, tagged.VLAN())
			assert.Equal(t, TypeIPv4, tagged.Type())
			assert.Equal(t, macB, tagged.Dst())
			assert.Equal(t, macA, tagged.Src())
			assert.Equal(t, []byte(Ethernet(src).Payload()), []byte(tagged.Payload()))
			assert.Equal(t, orig, src, "PushTag must not modify src")

			back := make([]byte, n)
			untagged := Ethernet(PopTag(back, tagged))
			assert.Equal(t, orig, []byte(untagged), "n=%d tci=%#x", n, tci)
		}
	}
}

func TestPushTagGopacket(t *testing.T) {
	src := serialize(t,
		&layers.Ethernet{DstMAC: hw(macB), SrcMAC: hw(macA), EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPRequest, SourceHwAddress: hw(macA), SourceProtAddress: ipOf(ipA), DstHwAddress: make([]byte, 6), DstProtAddress: ipOf(ipB)},
	)
	dst := make([]byte, len(src)+VLANTagLen)
	p := decode(t, PushTag(dst, Ethernet(src), 3<<13|42), layers.LayerTypeEthernet)
	q, ok := p.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q)
	require.True(t, ok, "no 802.1Q layer in\n%s", p.Dump())
	assert.Equal(t, uint16(42), q.VLANIdentifier)
	assert.Equal(t, uint8(3), q.Priority)
	assert.Equal(t, layers.EthernetTypeARP, q.Type)
	require.NotNil(t, p.Layer(layers.LayerTypeARP))
}
