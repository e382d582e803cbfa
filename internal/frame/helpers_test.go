package frame

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/require"
)

// Addresses shared by the tests.
var (
	macA = MAC{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}
	macB = MAC{0x02, 0x42, 0xac, 0x11, 0x00, 0x03}
	ipA  = netip.MustParseAddr("172.17.0.2")
	ipB  = netip.MustParseAddr("10.1.2.3")
	ip6A = netip.MustParseAddr("fd00::2")
	ip6B = netip.MustParseAddr("2001:db8::1:3")
)

// serialize builds a packet with gopacket, computing checksums and lengths.
// UDP and TCP layers get their network layer for the pseudo-header from the
// nearest preceding IPv4 or IPv6 layer.
func serialize(t testing.TB, ls ...gopacket.SerializableLayer) []byte {
	t.Helper()
	setNetworkLayers(t, ls)
	buf := gopacket.NewSerializeBuffer()
	err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true, FixLengths: true}, ls...)
	require.NoError(t, err)
	return bytes.Clone(buf.Bytes())
}

func setNetworkLayers(t testing.TB, ls []gopacket.SerializableLayer) {
	t.Helper()
	var nl gopacket.NetworkLayer
	for _, l := range ls {
		switch v := l.(type) {
		case *layers.IPv4:
			nl = v
		case *layers.IPv6:
			nl = v
		case *layers.UDP:
			require.NoError(t, v.SetNetworkLayerForChecksum(nl))
		case *layers.TCP:
			require.NoError(t, v.SetNetworkLayerForChecksum(nl))
		}
	}
}

// decode decodes b with gopacket from the given first layer and fails the
// test on any decoding error.
func decode(t testing.TB, b []byte, first gopacket.LayerType) gopacket.Packet {
	t.Helper()
	p := gopacket.NewPacket(b, first, gopacket.Default)
	if el := p.ErrorLayer(); el != nil {
		t.Fatalf("gopacket cannot decode %x: %v\n%s", b, el.Error(), p.Dump())
	}
	return p
}

// verifyWithGopacket decodes b, re-serializes the decoded layers with
// gopacket computing every checksum (lengths as decoded), and fails unless
// the result is b: so every field and checksum we wrote is what gopacket
// would have written. The one accepted difference is a UDP checksum that
// gopacket computes as 0 and RFC 768 sends as 0xffff.
func verifyWithGopacket(t testing.TB, b []byte, first gopacket.LayerType) gopacket.Packet {
	t.Helper()
	p := decode(t, b, first)
	var ls []gopacket.SerializableLayer
	for _, l := range p.Layers() {
		sl, ok := l.(gopacket.SerializableLayer)
		require.Truef(t, ok, "layer %v is not serializable", l.LayerType())
		ls = append(ls, sl)
	}
	setNetworkLayers(t, ls)
	u, isUDP := p.Layer(layers.LayerTypeUDP).(*layers.UDP)
	udpAllOnes := isUDP && u.Checksum == 0xffff // before SerializeLayers overwrites it
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true}, ls...))
	got := buf.Bytes()
	if udpAllOnes {
		off := 6 // of the checksum in the UDP header
		for _, l := range p.Layers() {
			if l == u {
				break
			}
			off += len(l.LayerContents())
		}
		if off+2 <= len(got) && got[off] == 0 && got[off+1] == 0 {
			got = bytes.Clone(got)
			got[off], got[off+1] = 0xff, 0xff
		}
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("gopacket re-serializes\n%x\nas\n%x\n%s", b, got, p.Dump())
	}
	return p
}

func hw(m MAC) net.HardwareAddr { return net.HardwareAddr(m[:]) }

func ipOf(a netip.Addr) net.IP { return net.IP(a.AsSlice()) }

func addrOf(t testing.TB, ip net.IP) netip.Addr {
	t.Helper()
	a, ok := netip.AddrFromSlice(ip)
	require.True(t, ok)
	return a
}

// clone returns a copy of b, so that a test can mutate a view without
// touching the table it came from.
func clone(b []byte) []byte { return bytes.Clone(b) }

func payloadLayer(b []byte) gopacket.SerializableLayer { return gopacket.Payload(b) }

// verifyIPv4Header decodes only the IPv4 header of b with gopacket (the
// payload stays opaque), re-serializes it with a computed checksum and fails
// unless the result is b.
func verifyIPv4Header(t testing.TB, b []byte) *layers.IPv4 {
	t.Helper()
	var ip layers.IPv4
	require.NoError(t, ip.DecodeFromBytes(b, gopacket.NilDecodeFeedback))
	buf := gopacket.NewSerializeBuffer()
	require.NoError(t, gopacket.SerializeLayers(buf, gopacket.SerializeOptions{ComputeChecksums: true}, &ip, gopacket.Payload(ip.Payload)))
	require.Equal(t, b, buf.Bytes(), "gopacket re-serializes %x differently", b)
	return &ip
}

func hwOf(b []byte) net.HardwareAddr { return net.HardwareAddr(b) }

func ipPort(a netip.Addr, port uint16) netip.AddrPort { return netip.AddrPortFrom(a, port) }
