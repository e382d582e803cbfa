package vswitch

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/internal/frame"
)

func arpFrame(op uint16, sha frame.MAC, spa string, tha frame.MAC, tpa string) []byte {
	f := make([]byte, 60)
	dst := frame.Broadcast
	if op == frame.ARPReply {
		dst = tha
	}
	frame.PutEthernet(f, dst, sha, frame.TypeARP)
	frame.PutARP(f[frame.EthernetLen:], op, sha, netip.MustParseAddr(spa), tha, netip.MustParseAddr(tpa))
	return f
}

func TestARPSuppression(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ARPSuppress = true
	tb := newTestBridge(t, cfg, accessPorts(3, 1)...)
	a, b := mac(1), mac(2)

	// A first gratuitous ARP binds a new address: nobody can hold a stale
	// entry for it, so it is not flooded.
	tb.Input(1, arpFrame(frame.ARPRequest, b, "10.0.0.2", frame.MAC{}, "10.0.0.2"))
	assert.Equal(t, []int{0, 0, 0}, tb.got())
	assert.EqualValues(t, 1, tb.Counters().ARPSuppressed)

	// A request for the known address is answered by the bridge on the
	// ingress port, as b would answer it.
	tb.Input(0, arpFrame(frame.ARPRequest, a, "10.0.0.1", frame.MAC{}, "10.0.0.2"))
	out := tb.ports[0].take()
	require.Len(t, out, 1)
	assert.Equal(t, []int{0, 0, 0}, tb.got(), "nothing flooded")
	eth := frame.Ethernet(out[0])
	assert.Equal(t, a, eth.Dst())
	assert.Equal(t, b, eth.Src())
	rep := frame.ARP(eth.Payload())
	require.True(t, rep.Valid())
	assert.Equal(t, frame.ARPReply, rep.Op())
	assert.Equal(t, b, rep.SenderMAC())
	assert.Equal(t, netip.MustParseAddr("10.0.0.2"), rep.SenderIP())
	assert.Equal(t, netip.MustParseAddr("10.0.0.1"), rep.TargetIP())
	assert.EqualValues(t, 1, tb.Counters().ARPProxied)

	// An unknown target is flooded as usual.
	tb.Input(0, arpFrame(frame.ARPRequest, a, "10.0.0.1", frame.MAC{}, "10.0.0.9"))
	assert.Equal(t, []int{0, 1, 1}, tb.got())

	// A gratuitous ARP that moves an address to a new MAC is flooded.
	tb.Input(2, arpFrame(frame.ARPRequest, mac(3), "10.0.0.2", frame.MAC{}, "10.0.0.2"))
	assert.Equal(t, []int{1, 1, 0}, tb.got())

	got := tb.Neighbors()
	require.Len(t, got, 2)
	assert.Equal(t, Neighbor{VLAN: 1, IP: netip.MustParseAddr("10.0.0.1"), MAC: a}, got[0])
	assert.Equal(t, Neighbor{VLAN: 1, IP: netip.MustParseAddr("10.0.0.2"), MAC: mac(3)}, got[1])
}

func TestARPSuppressionPerVLAN(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ARPSuppress = true
	tb := newTestBridge(t, cfg, PortConfig{PVID: 10}, PortConfig{PVID: 20}, PortConfig{PVID: 20})
	tb.Input(0, arpFrame(frame.ARPRequest, mac(1), "10.0.0.1", frame.MAC{}, "10.0.0.1"))
	// The same address asked for in VLAN 20 is unknown there: flooded.
	tb.Input(1, arpFrame(frame.ARPRequest, mac(2), "10.0.0.2", frame.MAC{}, "10.0.0.1"))
	assert.Equal(t, []int{0, 0, 1}, tb.got())
}

func TestARPSuppressionOffFloods(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
	tb.Input(1, arpFrame(frame.ARPRequest, mac(2), "10.0.0.2", frame.MAC{}, "10.0.0.2"))
	assert.Equal(t, []int{1, 0, 1}, tb.got())
	assert.Empty(t, tb.Neighbors())
}
