package host

import (
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
)

// TestNATHooks rewrites like a DNAT: h1 sends to the router's own address,
// prerouting sends it on to h2, and the forward hook gives h2's reply the
// router's address back.
func TestNATHooks(t *testing.T) {
	lab := newRouted(t, 1, 0)
	r := lab.r
	pub, priv := ip("10.0.1.1"), ip("10.0.2.2")
	var pre, fwd int
	var buf []byte
	r.SetPrerouting(func(in *NIC, p frame.IPv4) frame.IPv4 {
		pre++
		if p.Protocol() != frame.ProtoUDP || p.Dst() != pub {
			return p
		}
		buf = slices.Clone(p)
		out := frame.IPv4(buf)
		out.SetDstWithChecksum(priv)
		frame.UDP(out.Payload()).UpdateChecksumForAddr(pub, priv)
		return out
	})
	r.SetForwardHook(func(in, out *NIC, p frame.IPv4) {
		fwd++
		if p.Protocol() == frame.ProtoUDP && p.Src() == priv {
			assert.Equal(t, "eth1", in.Name())
			assert.Equal(t, "eth0", out.Name())
			p.SetSrcWithChecksum(pub)
			frame.UDP(p.Payload()).UpdateChecksumForAddr(priv, pub)
		}
	})
	require.NoError(t, lab.h2.ListenUDP(9, func(from, to netip.AddrPort, d []byte) {
		assert.Equal(t, ip("10.0.1.2"), from.Addr())
		assert.Equal(t, priv, to.Addr())
		require.NoError(t, lab.h2.SendUDP(to, from, d))
	}))
	var got netip.AddrPort
	require.NoError(t, lab.h1.ListenUDP(4000, func(from, _ netip.AddrPort, _ []byte) { got = from }))
	require.NoError(t, lab.h1.SendUDP(netip.AddrPortFrom(ip("10.0.1.2"), 4000), netip.AddrPortFrom(pub, 9), []byte("hi")))
	require.NoError(t, lab.l.Run(lab.l.Now()+time.Second))
	assert.Equal(t, netip.AddrPortFrom(pub, 9), got)
	assert.Positive(t, pre)
	assert.Positive(t, fwd)
	assert.Empty(t, r.Stats().Drops) // no bad checksums, nothing lost
	assert.Empty(t, lab.h1.Stats().Drops)
	assert.Empty(t, lab.h2.Stats().Drops)

	// A hook that consumes the packet: nothing arrives.
	r.SetPrerouting(func(*NIC, frame.IPv4) frame.IPv4 { return nil })
	got = netip.AddrPort{}
	require.NoError(t, lab.h1.SendUDP(netip.AddrPortFrom(ip("10.0.1.2"), 4000), netip.AddrPortFrom(pub, 9), []byte("hi")))
	require.NoError(t, lab.l.Run(lab.l.Now()+time.Second))
	assert.False(t, got.IsValid())

	// Removed hooks are not called.
	r.SetPrerouting(nil)
	r.SetForwardHook(nil)
	pre, fwd = 0, 0
	runPing(t, lab.h1, "10.0.2.2", PingOptions{})
	assert.Zero(t, pre+fwd)
}

// The local-output hook moves a packet the router sends to itself to
// another host, which gets it; without a change the packet stays local.
func TestLocalOutputHook(t *testing.T) {
	lab := newRouted(t, 1, 0)
	r := lab.r
	self, priv := ip("10.0.1.1"), ip("10.0.2.2")
	var seen int
	r.SetLocalOutput(func(p frame.IPv4) {
		seen++
		if p.Protocol() == frame.ProtoUDP && frame.UDP(p.Payload()).DstPort() == 9 {
			p.SetDstWithChecksum(priv)
			frame.UDP(p.Payload()).UpdateChecksumForAddr(self, priv)
		}
	})
	var got []byte
	require.NoError(t, lab.h2.ListenUDP(9, func(_, _ netip.AddrPort, d []byte) { got = slices.Clone(d) }))
	var local []byte
	require.NoError(t, r.ListenUDP(10, func(_, _ netip.AddrPort, d []byte) { local = slices.Clone(d) }))
	require.NoError(t, r.SendUDP(netip.AddrPortFrom(netip.Addr{}, 4000), netip.AddrPortFrom(self, 9), []byte("moved")))
	require.NoError(t, r.SendUDP(netip.AddrPortFrom(netip.Addr{}, 4000), netip.AddrPortFrom(self, 10), []byte("stays")))
	require.NoError(t, lab.l.Run(lab.l.Now()+time.Second))
	assert.Equal(t, "moved", string(got))
	assert.Equal(t, "stays", string(local))
	assert.Equal(t, 2, seen)
	assert.Empty(t, lab.h2.Stats().Drops)
}
