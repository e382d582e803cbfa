package host

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

const lat = 3 * time.Millisecond

func twoHosts(t *testing.T) (*sim.Loop, *Host, *Host) {
	l := sim.NewLoop(1)
	h1 := newHost(t, l, "h1", 1, "10.0.0.1/24")
	h2 := newHost(t, l, "h2", 2, "10.0.0.2/24")
	wire(l, h1.NIC("eth0"), h2.NIC("eth0"), sim.LinkConfig{Latency: lat})
	return l, h1, h2
}

func TestPingResolvesARPThenMeasuresRTT(t *testing.T) {
	l, h1, h2 := twoHosts(t)
	tp := tapNIC(h1.NIC("eth0"))
	res := runPing(t, h1, "10.0.0.2", PingOptions{Count: 3})

	assert.Equal(t, 3, res.Sent)
	assert.Equal(t, 3, res.Received)
	assert.Empty(t, res.Errors)
	// The first request waits for ARP (request and reply: 2 latencies).
	assert.Equal(t, []time.Duration{4 * lat, 2 * lat, 2 * lat}, res.RTTs)
	assert.Equal(t, 2*lat, res.RTTMin)
	assert.Equal(t, 4*lat, res.RTTMax)
	assert.Equal(t, 8*lat/3, res.RTTAvg)
	assert.Equal(t, uint8(64), res.Replies[0].TTL)
	assert.Equal(t, ip("10.0.0.2"), res.Replies[0].From)
	// Done right after the last reply: requests at 0, 1s, 2s.
	assert.Equal(t, 2*time.Second+2*lat, l.Now())

	require.Len(t, tp.arps(frame.ARPRequest), 1, "one ARP request")
	assert.Equal(t, ip("10.0.0.2"), tp.arps(frame.ARPRequest)[0].TargetIP())
	require.Len(t, h1.Neighbors(), 1)
	assert.Equal(t, Neighbor{IP: ip("10.0.0.2"), MAC: macN(2), NIC: "eth0", Age: 2 * time.Second}, h1.Neighbors()[0], "confirmed by the ARP reply")
	// h2 learned h1 from the request it answered.
	require.Len(t, h2.Neighbors(), 1)
	assert.Equal(t, macN(1), h2.Neighbors()[0].MAC)
	assert.Empty(t, h1.Stats().Drops)
	assert.Empty(t, h2.Stats().Drops)
}

func TestPingFrameLayout(t *testing.T) {
	_, h1, _ := twoHosts(t)
	tp := tapNIC(h1.NIC("eth0"))
	runPing(t, h1, "10.0.0.2", PingOptions{})
	var echo []byte
	for _, s := range tp.frames {
		if frame.Ethernet(s.f).Type() == frame.TypeIPv4 {
			echo = s.f
		}
	}
	require.NotNil(t, echo)
	assert.Len(t, echo, 14+20+8+56, "default ping is 98 bytes on the wire")
	p := frame.IPv4(echo[14:])
	require.True(t, p.Valid())
	assert.True(t, p.ChecksumValid())
	assert.Equal(t, uint8(64), p.TTL())
	assert.Equal(t, frame.ProtoICMP, p.Protocol())
	m := frame.ICMP(p.Payload())
	assert.Equal(t, frame.ICMPEchoRequest, m.Type())
	assert.True(t, m.ChecksumValid())
	assert.Equal(t, uint16(1), m.Seq())
}

func TestGratuitousARPOnAddAddr(t *testing.T) {
	l := sim.NewLoop(1)
	hb := &hub{l: l}
	h1 := newHost(t, l, "h1", 1, "10.0.0.1/24")
	h2 := newHost(t, l, "h2", 2, "10.0.0.2/24")
	h3 := newHost(t, l, "h3", 3, "")
	for _, h := range []*Host{h1, h2, h3} {
		hb.plug(h.NIC("eth0"), sim.LinkConfig{Latency: lat})
	}
	res := runPing(t, h1, "10.0.0.2", PingOptions{})
	require.Equal(t, 1, res.Received)
	require.Equal(t, macN(2), h1.Neighbors()[0].MAC)

	// The address moves to h3, which announces it.
	require.NoError(t, h2.NIC("eth0").RemoveAddr(pfx("10.0.0.2/24")))
	tp := tapNIC(h3.NIC("eth0"))
	require.NoError(t, h3.NIC("eth0").AddAddr(pfx("10.0.0.2/24")))
	garp := tp.arps(frame.ARPRequest)
	require.Len(t, garp, 1)
	assert.Equal(t, frame.Broadcast, frame.Ethernet(tp.frames[0].f).Dst())
	assert.Equal(t, ip("10.0.0.2"), garp[0].SenderIP())
	assert.Equal(t, ip("10.0.0.2"), garp[0].TargetIP())
	assert.Equal(t, macN(3), garp[0].SenderMAC())
	assert.Len(t, tp.frames[0].f, 60, "padded to the Ethernet minimum")

	require.NoError(t, l.Run(l.Now()+time.Second))
	assert.Equal(t, macN(3), h1.Neighbors()[0].MAC, "h1 updated its entry")
	tp1 := tapNIC(h1.NIC("eth0"))
	res = runPing(t, h1, "10.0.0.2", PingOptions{})
	assert.Equal(t, 1, res.Received)
	// Through the hub a trip is 2 links; h3 has to resolve h1 to answer.
	assert.Equal(t, []time.Duration{8 * lat}, res.RTTs)
	assert.Empty(t, tp1.arps(frame.ARPRequest), "h1 needed no new ARP")

	// An address added while disconnected is not announced.
	h4 := newHost(t, l, "h4", 4, "")
	require.NoError(t, h4.NIC("eth0").AddAddr(pfx("10.0.0.4/24")))
	assert.Zero(t, h4.Stats().TxFrames)
	assert.Empty(t, h4.Stats().Drops)
}

func TestARPEntryExpiresAndIsResolvedAgain(t *testing.T) {
	l, h1, _ := twoHosts(t)
	tp := tapNIC(h1.NIC("eth0"))
	res := runPing(t, h1, "10.0.0.2", PingOptions{})
	require.Equal(t, []time.Duration{4 * lat}, res.RTTs)

	require.NoError(t, l.Run(l.Now()+59*time.Second))
	res = runPing(t, h1, "10.0.0.2", PingOptions{})
	assert.Equal(t, []time.Duration{2 * lat}, res.RTTs, "still cached after 59 s")
	assert.Len(t, tp.arps(frame.ARPRequest), 1)

	require.NoError(t, l.Run(l.Now()+DefaultARPTimeout))
	assert.Empty(t, h1.Neighbors(), "expired")
	res = runPing(t, h1, "10.0.0.2", PingOptions{})
	assert.Equal(t, []time.Duration{4 * lat}, res.RTTs, "resolved again")
	assert.Len(t, tp.arps(frame.ARPRequest), 2)

	h1.SetARPTimeout(time.Second)
	require.NoError(t, l.Run(l.Now()+time.Second))
	res = runPing(t, h1, "10.0.0.2", PingOptions{})
	assert.Equal(t, []time.Duration{4 * lat}, res.RTTs, "shorter timeout")
}

func TestPingAbsentHostIsUnreachableAfterARPRetries(t *testing.T) {
	l, h1, _ := twoHosts(t)
	tp := tapNIC(h1.NIC("eth0"))
	var icmpErrs int
	h1.HandleICMPError(func(uint8, uint8, uint16, []byte) { icmpErrs++ })
	res := runPing(t, h1, "10.0.0.3", PingOptions{})

	assert.Equal(t, 1, res.Sent)
	assert.Equal(t, 0, res.Received)
	assert.Equal(t, []string{"Destination Host Unreachable"}, res.Errors)
	assert.Equal(t, ip("10.0.0.1"), res.Replies[0].From, "reported by the host itself")
	assert.Equal(t, 3*time.Second, l.Now(), "3 ARP requests 1 s apart")
	reqs := tp.arps(frame.ARPRequest)
	require.Len(t, reqs, 3)
	for i, s := range tp.frames {
		assert.Equal(t, time.Duration(i)*time.Second, s.at)
	}
	assert.Equal(t, uint64(1), h1.Drops("arp-timeout"))
	assert.Zero(t, icmpErrs, "the ping's own error goes to the ping only")

	// A transport sees host unreachable through HandleICMPError.
	var got []byte
	var code uint8
	h1.HandleICMPError(func(typ, c uint8, _ uint16, orig []byte) { got, code = append([]byte(nil), orig...), c })
	require.NoError(t, h1.SendIP(frame.ProtoTCP, netip.Addr{}, ip("10.0.0.9"), make([]byte, 20)))
	require.NoError(t, l.Run(l.Now()+4*time.Second))
	assert.Equal(t, frame.ICMPHostUnreach, code)
	require.Len(t, got, 28)
	assert.Equal(t, ip("10.0.0.9"), frame.IPv4(got).Dst())
}

func TestARPQueueKeepsThreePackets(t *testing.T) {
	l, h1, _ := twoHosts(t)
	for range 5 {
		require.NoError(t, h1.SendIP(frame.IPProto(99), netip.Addr{}, ip("10.0.0.3"), []byte("x")))
	}
	assert.Equal(t, uint64(2), h1.Drops("arp-queue-full"))
	require.NoError(t, l.Run(5*time.Second))
	assert.Equal(t, uint64(3), h1.Drops("arp-timeout"))
}

func TestPingAcrossRouter(t *testing.T) {
	lab := newRouted(t, 1, 0)
	res := runPing(t, lab.h1, "10.0.2.2", PingOptions{Count: 2})
	require.Equal(t, 2, res.Received, "%+v", res)
	assert.Equal(t, []time.Duration{8 * time.Millisecond, 4 * time.Millisecond}, res.RTTs, "ARP on both legs, then 4 links")
	assert.Equal(t, uint8(63), res.Replies[0].TTL, "decremented once by the router")
	assert.Equal(t, uint64(4), lab.r.Stats().Forwarded)
	assert.Empty(t, lab.r.Stats().Drops)

	// The router answers for its own addresses on both sides.
	res = runPing(t, lab.h1, "10.0.2.1", PingOptions{})
	assert.Equal(t, 1, res.Received)
	assert.Equal(t, uint8(64), res.Replies[0].TTL)
}

func TestTraceroute(t *testing.T) {
	for _, icmp := range []bool{false, true} {
		t.Run(map[bool]string{false: "udp", true: "icmp"}[icmp], func(t *testing.T) {
			lab := newRouted(t, 1, 0)
			res := runTrace(t, lab.h1, "10.0.2.2", TraceOptions{ICMP: icmp})
			assert.True(t, res.Reached)
			assert.Equal(t, []netip.Addr{ip("10.0.1.1"), ip("10.0.2.2")}, res.Addrs())
			assert.Equal(t, 1, res.Hops[0].TTL)
			assert.Equal(t, 2, res.Hops[1].TTL)
			assert.Equal(t, 4*time.Millisecond, res.Hops[0].RTT, "with ARP")
			assert.Equal(t, 6*time.Millisecond, res.Hops[1].RTT, "with ARP on the second leg")
			assert.Equal(t, "1  10.0.1.1  4.000 ms", res.Hops[0].String())
			assert.Equal(t, uint64(1), lab.r.Drops("ttl-exceeded"))
		})
	}
}

func TestTracerouteSilentHopsAndMaxHops(t *testing.T) {
	lab := newRouted(t, 1, 0)
	// h2 drops everything from 10.0.1.0/24 on the floor: no route back.
	lab.h2.SetGateway(netip.Addr{})
	res := runTrace(t, lab.h1, "10.0.2.2", TraceOptions{MaxHops: 4})
	assert.False(t, res.Reached)
	assert.Equal(t, []netip.Addr{ip("10.0.1.1"), {}, {}, {}}, res.Addrs())
	assert.Equal(t, "2  *", res.Hops[1].String())
}

func TestTTLExpiry(t *testing.T) {
	lab := newRouted(t, 1, 0)
	res := runPing(t, lab.h1, "10.0.2.2", PingOptions{TTL: 1})
	assert.Equal(t, 0, res.Received)
	assert.Equal(t, []string{"Time to live exceeded"}, res.Errors)
	assert.Equal(t, ip("10.0.1.1"), res.Replies[0].From)
	assert.Equal(t, uint64(1), lab.r.Drops("ttl-exceeded"))
}

func TestDFAndSmallerMTU(t *testing.T) {
	lab := newRouted(t, 1, 1400)
	res := runPing(t, lab.h1, "10.0.2.2", PingOptions{Size: 1472, DF: true})
	assert.Equal(t, 0, res.Received)
	assert.Equal(t, []string{"Frag needed and DF set (mtu = 1400)"}, res.Errors)
	assert.Equal(t, uint64(1), lab.r.Drops("frag-needed"))

	var mtu uint16
	lab.h1.HandleICMPError(func(typ, code uint8, m uint16, _ []byte) { mtu = m })
	require.NoError(t, lab.h1.SendIP(frame.ProtoTCP, netip.Addr{}, ip("10.0.2.2"), make([]byte, 1480-20)))
	require.NoError(t, lab.l.Run(lab.l.Now()+time.Second))
	assert.Equal(t, uint16(1400), mtu, "transports learn the path MTU")

	// Too big for the host's own NIC: a local error, nothing sent.
	err := lab.h1.SendIP(frame.ProtoTCP, netip.Addr{}, ip("10.0.2.2"), make([]byte, 1481))
	assert.ErrorIs(t, err, ErrTooBig)
	res = runPing(t, lab.h1, "10.0.2.2", PingOptions{Size: 1500, DF: true})
	assert.Equal(t, []string{"local error: message too long, mtu=1500"}, res.Errors)

	// Without DF the router fragments, h2 reassembles, and the reply comes
	// back in fragments too.
	res = runPing(t, lab.h1, "10.0.2.2", PingOptions{Size: 1472})
	assert.Equal(t, 1, res.Received, "%+v", res)
	res = runPing(t, lab.h1, "10.0.2.2", PingOptions{Size: 5000})
	assert.Equal(t, 1, res.Received, "%+v", res)
	assert.Empty(t, lab.h2.Stats().Drops)
}

func TestNetUnreachable(t *testing.T) {
	lab := newRouted(t, 1, 0)
	res := runPing(t, lab.h1, "10.9.9.9", PingOptions{})
	assert.Equal(t, []string{"Destination Net Unreachable"}, res.Errors)
	assert.Equal(t, ip("10.0.1.1"), res.Replies[0].From)

	tr := runTrace(t, lab.h1, "10.9.9.9", TraceOptions{})
	require.Len(t, tr.Hops, 2)
	assert.Equal(t, "1  10.0.1.1  2.000 ms", tr.Hops[0].String(), "time exceeded")
	assert.Equal(t, "2  10.0.1.1  2.000 ms !N", tr.Hops[1].String(), "net unreachable")
	assert.False(t, tr.Reached)

	// No route at all on the sender.
	lab.h1.SetGateway(netip.Addr{})
	res = runPing(t, lab.h1, "10.9.9.9", PingOptions{Count: 3})
	assert.Equal(t, 0, res.Sent)
	assert.Equal(t, []string{"Network is unreachable"}, res.Errors)
	err := lab.h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 1000), netip.MustParseAddrPort("10.9.9.9:53"), nil)
	assert.ErrorIs(t, err, ErrNoRoute)
	tr = runTrace(t, lab.h1, "10.9.9.9", TraceOptions{})
	assert.Equal(t, "Network is unreachable", tr.Error)
}

func TestNotForwardingDrops(t *testing.T) {
	lab := newRouted(t, 1, 0)
	lab.r.SetForwarding(false)
	res := runPing(t, lab.h1, "10.0.2.2", PingOptions{})
	assert.Equal(t, 0, res.Received)
	assert.Empty(t, res.Errors)
	assert.Equal(t, uint64(1), lab.r.Drops("not-for-host"))
}

func TestUDPEchoAcrossRouter(t *testing.T) {
	lab := newRouted(t, 1, 0)
	require.NoError(t, lab.h2.ListenUDP(7, func(from, to netip.AddrPort, data []byte) {
		require.NoError(t, lab.h2.SendUDP(to, from, data))
	}))
	port := lab.h1.EphemeralPort()
	var got string
	var from netip.AddrPort
	require.NoError(t, lab.h1.ListenUDP(port, func(f, _ netip.AddrPort, data []byte) { got, from = string(data), f }))
	require.NoError(t, lab.h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, port), netip.MustParseAddrPort("10.0.2.2:7"), []byte("hello")))
	require.NoError(t, lab.l.Run(time.Second))
	assert.Equal(t, "hello", got)
	assert.Equal(t, netip.MustParseAddrPort("10.0.2.2:7"), from)

	// Big datagrams are fragmented and reassembled.
	big := make([]byte, 4000)
	for i := range big {
		big[i] = byte(i * 7)
	}
	require.NoError(t, lab.h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, port), netip.MustParseAddrPort("10.0.2.2:7"), big))
	require.NoError(t, lab.l.Run(lab.l.Now()+time.Second))
	assert.Equal(t, string(big), got)
}

func TestUDPClosedPortGivesPortUnreachable(t *testing.T) {
	lab := newRouted(t, 1, 0)
	type icmpErr struct {
		typ, code uint8
		dport     uint16
		dst       netip.Addr
	}
	var errs []icmpErr
	lab.h1.HandleICMPError(func(typ, code uint8, _ uint16, orig []byte) {
		o := frame.IPv4(orig)
		errs = append(errs, icmpErr{typ, code, binary.BigEndian.Uint16(orig[o.HeaderLen()+2:]), o.Dst()})
	})
	require.NoError(t, lab.h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 40000), netip.MustParseAddrPort("10.0.2.2:9"), []byte("x")))
	require.NoError(t, lab.l.Run(time.Second))
	assert.Equal(t, []icmpErr{{frame.ICMPDestUnreach, frame.ICMPPortUnreach, 9, ip("10.0.2.2")}}, errs)
	assert.Equal(t, uint64(1), lab.h2.Drops("port-unreachable"))

	// After CloseUDP a port answers unreachable again.
	require.NoError(t, lab.h2.ListenUDP(9, func(netip.AddrPort, netip.AddrPort, []byte) {}))
	require.NoError(t, lab.h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 40000), netip.MustParseAddrPort("10.0.2.2:9"), []byte("x")))
	require.NoError(t, lab.l.Run(lab.l.Now()+time.Second))
	assert.Len(t, errs, 1)
	lab.h2.CloseUDP(9)
	require.NoError(t, lab.h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 40000), netip.MustParseAddrPort("10.0.2.2:9"), []byte("x")))
	require.NoError(t, lab.l.Run(lab.l.Now()+time.Second))
	assert.Len(t, errs, 2)
}

func TestProtocolHandlers(t *testing.T) {
	l, h1, h2 := twoHosts(t)
	var got []string
	h2.Handle(frame.ProtoTCP, func(src, dst netip.Addr, payload []byte) {
		got = append(got, src.String()+">"+dst.String()+":"+string(payload))
	})
	var unreach []uint8
	h1.HandleICMPError(func(typ, code uint8, _ uint16, _ []byte) { unreach = append(unreach, code) })
	require.NoError(t, h1.SendIP(frame.ProtoTCP, netip.Addr{}, ip("10.0.0.2"), []byte("seg")))
	require.NoError(t, h1.SendIP(frame.IPProto(200), netip.Addr{}, ip("10.0.0.2"), []byte("?")))
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []string{"10.0.0.1>10.0.0.2:seg"}, got)
	assert.Equal(t, []uint8{frame.ICMPProtoUnreach}, unreach)

	h2.Handle(frame.ProtoTCP, nil)
	require.NoError(t, h1.SendIP(frame.ProtoTCP, netip.Addr{}, ip("10.0.0.2"), []byte("seg")))
	require.NoError(t, l.Run(2*time.Second))
	assert.Len(t, got, 1)
	assert.Equal(t, []uint8{frame.ICMPProtoUnreach, frame.ICMPProtoUnreach}, unreach)

	// SendIPTTL sets the TTL; SendIP sets DF.
	tp := tapNIC(h1.NIC("eth0"))
	require.NoError(t, h1.SendIPTTL(frame.ProtoTCP, netip.Addr{}, ip("10.0.0.2"), 7, []byte("x")))
	p := frame.IPv4(tp.frames[0].f[14:])
	assert.Equal(t, uint8(7), p.TTL())
	assert.True(t, p.DF())
	assert.ErrorIs(t, h1.SendIPTTL(frame.ProtoTCP, netip.Addr{}, ip("10.0.0.2"), 0, nil), ErrInvalid)
	assert.ErrorIs(t, h1.SendIP(frame.ProtoTCP, netip.Addr{}, ip("::1"), nil), ErrInvalid)
}

func TestLoopback(t *testing.T) {
	l, h1, _ := twoHosts(t)
	res := runPing(t, h1, "10.0.0.1", PingOptions{})
	assert.Equal(t, []time.Duration{0}, res.RTTs)
	res = runPing(t, h1, "127.0.0.1", PingOptions{})
	assert.Equal(t, 1, res.Received)
	var got string
	require.NoError(t, h1.ListenUDP(53, func(_, _ netip.AddrPort, d []byte) { got = string(d) }))
	require.NoError(t, h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 999), netip.MustParseAddrPort("10.0.0.1:53"), []byte("q")))
	require.NoError(t, l.Run(l.Now()+time.Millisecond))
	assert.Equal(t, "q", got)
	assert.Zero(t, h1.NIC("eth0").Stats().TxFrames, "loopback never touches the NIC")
}

func TestCarrierDown(t *testing.T) {
	l, h1, h2 := twoHosts(t)
	k := h1.NIC("eth0")
	res := runPing(t, h1, "10.0.0.2", PingOptions{})
	require.Equal(t, 1, res.Received)
	require.Len(t, h1.Neighbors(), 1)

	k.SetCarrier(false)
	assert.Empty(t, h1.Neighbors(), "flushed")
	require.NoError(t, h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 1), netip.MustParseAddrPort("10.0.0.2:7"), nil))
	assert.Equal(t, uint64(1), h1.Drops("carrier-down"), "the ARP request")
	require.NoError(t, l.Run(l.Now()+5*time.Second))
	assert.Equal(t, uint64(3), h1.Drops("carrier-down"), "3 ARP requests")
	assert.Equal(t, uint64(1), h1.Drops("arp-timeout"), "the datagram waited in vain")

	// Back up, the next datagram gets through.
	k.SetCarrier(true)
	require.NoError(t, h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 1), netip.MustParseAddrPort("10.0.0.2:7"), nil))
	require.NoError(t, l.Run(l.Now()+5*time.Second))
	assert.Equal(t, uint64(1), h2.Drops("port-unreachable"))
}

func TestLinkDownAndUpThroughLink(t *testing.T) {
	l := sim.NewLoop(1)
	h1 := newHost(t, l, "h1", 1, "10.0.0.1/24")
	h2 := newHost(t, l, "h2", 2, "10.0.0.2/24")
	k := wire(l, h1.NIC("eth0"), h2.NIC("eth0"), sim.LinkConfig{Latency: lat})
	runPing(t, h1, "10.0.0.2", PingOptions{})
	k.SetUp(false)
	assert.False(t, h1.NIC("eth0").Carrier())
	assert.Empty(t, h1.Neighbors())
	res := runPing(t, h1, "10.0.0.2", PingOptions{})
	assert.Equal(t, 0, res.Received)
	k.SetUp(true)
	res = runPing(t, h1, "10.0.0.2", PingOptions{})
	assert.Equal(t, 1, res.Received)
}

func TestAddrAndRouteErrors(t *testing.T) {
	l := sim.NewLoop(1)
	h := newHost(t, l, "h", 1, "10.0.0.1/24")
	n := h.NIC("eth0")
	for _, p := range []string{"::1/64", "0.0.0.0/8", "224.0.0.1/4", "127.0.0.1/8", "255.255.255.255/32"} {
		assert.ErrorIs(t, n.AddAddr(pfx(p)), ErrInvalid, p)
	}
	assert.ErrorIs(t, n.AddAddr(pfx("10.0.0.1/16")), ErrAddrInUse)
	assert.ErrorIs(t, h.AddRoute(pfx("10.9.0.0/16"), ip("10.1.0.1")), ErrUnreachable)
	assert.ErrorIs(t, h.AddRoute(pfx("10.9.0.0/16"), ip("::1")), ErrInvalid)
	require.NoError(t, h.AddRoute(pfx("10.9.1.2/16"), ip("10.0.0.254")))
	h.SetGateway(ip("10.0.0.253"))
	assert.Equal(t, []Route{
		{Dst: pfx("10.0.0.0/24"), NIC: "eth0"},
		{Dst: pfx("10.9.0.0/16"), Via: ip("10.0.0.254")},
		{Dst: pfx("0.0.0.0/0"), Via: ip("10.0.0.253")},
	}, h.Routes())
	assert.True(t, h.DelRoute(pfx("10.9.0.0/16")))
	assert.False(t, h.DelRoute(pfx("10.9.0.0/16")))
	assert.ErrorIs(t, n.RemoveAddr(pfx("10.0.0.7/24")), ErrInvalid)
	assert.Equal(t, "host h: eth0: add address 10.0.0.1/16: address already in use", n.AddAddr(pfx("10.0.0.1/16")).Error())
}

func TestRouteSelection(t *testing.T) {
	l := sim.NewLoop(1)
	h := New(l, "r")
	a := h.AddNIC("eth0", macN(1), 0)
	b := h.AddNIC("eth1", macN(2), 9000)
	require.NoError(t, a.AddAddr(pfx("10.0.0.1/24")))
	require.NoError(t, a.AddAddr(pfx("10.0.0.9/24")))
	require.NoError(t, b.AddAddr(pfx("192.168.1.1/30")))
	h.SetGateway(ip("10.0.0.254"))
	require.NoError(t, h.AddRoute(pfx("172.16.0.0/12"), ip("192.168.1.2")))
	require.NoError(t, h.AddRoute(pfx("172.16.5.0/24"), ip("10.0.0.253")))
	tests := []struct {
		dst     string
		nic     string
		gw, src string
		bcast   bool
	}{
		{"10.0.0.77", "eth0", "10.0.0.77", "10.0.0.1", false},
		{"10.0.0.255", "eth0", "10.0.0.255", "10.0.0.1", true},
		{"8.8.8.8", "eth0", "10.0.0.254", "10.0.0.1", false},
		{"172.20.0.1", "eth1", "192.168.1.2", "192.168.1.1", false},
		{"172.16.5.5", "eth0", "10.0.0.253", "10.0.0.1", false},
		{"192.168.1.3", "eth1", "192.168.1.3", "192.168.1.1", true},
		{"255.255.255.255", "eth0", "255.255.255.255", "10.0.0.1", true},
	}
	for _, tc := range tests {
		t.Run(tc.dst, func(t *testing.T) {
			nh, ok := h.route(ip(tc.dst))
			require.True(t, ok)
			assert.Equal(t, tc.nic, nh.nic.name)
			assert.Equal(t, ip(tc.gw), nh.gw)
			assert.Equal(t, ip(tc.src), nh.src)
			assert.Equal(t, tc.bcast, nh.bcast)
		})
	}
	src, ok := h.SourceFor(ip("10.0.0.9"))
	assert.True(t, ok)
	assert.Equal(t, ip("10.0.0.9"), src, "a local address is its own source")
	require.NoError(t, a.RemoveAddr(pfx("10.0.0.1/24")))
	src, _ = h.SourceFor(ip("10.0.0.77"))
	assert.Equal(t, ip("10.0.0.9"), src, "the second address keeps the network")
}

func TestUDPSocketsAndPorts(t *testing.T) {
	l := sim.NewLoop(7)
	h := newHost(t, l, "h", 1, "10.0.0.1/24")
	fn := func(netip.AddrPort, netip.AddrPort, []byte) {}
	assert.ErrorIs(t, h.ListenUDP(0, fn), ErrInvalid)
	require.NoError(t, h.ListenUDP(53, fn))
	assert.ErrorIs(t, h.ListenUDP(53, fn), ErrAddrInUse)
	assert.ErrorIs(t, h.SendUDP(netip.AddrPortFrom(netip.Addr{}, 0), netip.MustParseAddrPort("10.0.0.2:53"), nil), ErrInvalid)
	assert.ErrorIs(t, h.SendUDP(netip.AddrPortFrom(netip.Addr{}, 1), netip.MustParseAddrPort("10.0.0.2:53"), make([]byte, 70000)), ErrTooBig)

	// Ephemeral ports: in range, deterministic per seed and name, skipping
	// ports in use.
	var ports []uint16
	for range 50 {
		p := h.EphemeralPort()
		require.GreaterOrEqual(t, p, uint16(32768))
		require.LessOrEqual(t, p, uint16(60999))
		ports = append(ports, p)
	}
	h2 := newHost(t, sim.NewLoop(7), "h", 1, "")
	for i := range 50 {
		assert.Equal(t, ports[i], h2.EphemeralPort())
	}
	h3 := newHost(t, sim.NewLoop(7), "h", 1, "")
	first := ports[0]
	require.NoError(t, h3.ListenUDP(first, fn))
	assert.NotEqual(t, first, h3.EphemeralPort(), "skips the UDP socket")
	h4 := newHost(t, sim.NewLoop(7), "h", 1, "")
	h4.ReservePorts(func(p uint16) bool { return p == first })
	assert.Equal(t, first+1, h4.EphemeralPort(), "skips a reserved port")
}

func TestBroadcastUDPAndEchoIgnored(t *testing.T) {
	l := sim.NewLoop(1)
	hb := &hub{l: l}
	hs := []*Host{newHost(t, l, "h1", 1, "10.0.0.1/24"), newHost(t, l, "h2", 2, "10.0.0.2/24"), newHost(t, l, "h3", 3, "10.0.0.3/24")}
	got := map[string]int{}
	for _, h := range hs {
		hb.plug(h.NIC("eth0"), sim.LinkConfig{Latency: lat})
		require.NoError(t, h.ListenUDP(67, func(_, to netip.AddrPort, _ []byte) { got[h.Name()+" "+to.Addr().String()]++ }))
	}
	require.NoError(t, hs[0].SendUDP(netip.AddrPortFrom(netip.Addr{}, 68), netip.MustParseAddrPort("255.255.255.255:67"), []byte("d")))
	require.NoError(t, hs[0].SendUDP(netip.AddrPortFrom(netip.Addr{}, 68), netip.MustParseAddrPort("10.0.0.255:67"), []byte("d")))
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, map[string]int{"h2 255.255.255.255": 1, "h3 255.255.255.255": 1, "h2 10.0.0.255": 1, "h3 10.0.0.255": 1}, got)

	res := runPing(t, hs[0], "10.0.0.255", PingOptions{})
	assert.Equal(t, 0, res.Received, "Linux ignores broadcast pings")
	assert.Equal(t, uint64(1), hs[1].Drops("ignored-broadcast"))

	// Unknown unicast for another MAC passes the hub and is filtered.
	before := hs[2].NIC("eth0").Stats().Filtered
	runPing(t, hs[0], "10.0.0.2", PingOptions{})
	assert.Greater(t, hs[2].NIC("eth0").Stats().Filtered, before)
}

func TestMulticast(t *testing.T) {
	l := sim.NewLoop(1)
	hb := &hub{l: l}
	h1 := newHost(t, l, "h1", 1, "10.0.0.1/24")
	h2 := newHost(t, l, "h2", 2, "10.0.0.2/24")
	h3 := newHost(t, l, "h3", 3, "10.0.0.3/24")
	var got []string
	for _, h := range []*Host{h1, h2, h3} {
		hb.plug(h.NIC("eth0"), sim.LinkConfig{})
		require.NoError(t, h.ListenUDP(5353, func(_, _ netip.AddrPort, _ []byte) { got = append(got, h.Name()) }))
	}
	require.NoError(t, h2.NIC("eth0").JoinGroup(ip("224.0.0.251")))
	assert.ErrorIs(t, h2.NIC("eth0").JoinGroup(ip("10.0.0.1")), ErrInvalid)
	h1.SetGateway(ip("10.0.0.254"))
	require.NoError(t, h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 5353), netip.MustParseAddrPort("224.0.0.251:5353"), []byte("m")))
	require.NoError(t, l.Run(time.Second))
	assert.Equal(t, []string{"h2"}, got)
	assert.Equal(t, uint64(1), h3.NIC("eth0").Stats().Filtered)
	h2.NIC("eth0").LeaveGroup(ip("224.0.0.251"))
	require.NoError(t, h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 5353), netip.MustParseAddrPort("224.0.0.251:5353"), []byte("m")))
	require.NoError(t, l.Run(2*time.Second))
	assert.Equal(t, []string{"h2"}, got)
}

func TestDropsAreTracedAndCounted(t *testing.T) {
	l, h1, h2 := twoHosts(t)
	var buf traceBuf
	l.Trace().SetWriter(&buf)
	n := h2.NIC("eth0")
	ipv6 := make([]byte, 60)
	frame.PutEthernet(ipv6, macN(2), macN(1), frame.TypeIPv6)
	n.Receive(ipv6)
	n.Receive([]byte{1, 2, 3})
	bad := make([]byte, 60)
	frame.PutEthernet(bad, macN(2), macN(1), frame.TypeIPv4)
	bad[14] = 0x45
	bad[17] = 20 // total length
	n.Receive(bad)
	st := h2.Stats()
	assert.Equal(t, map[string]uint64{"ipv6-unsupported": 1, "malformed": 1, "bad-checksum": 1}, st.Drops)
	assert.Equal(t, uint64(3), st.RxFrames)
	assert.Contains(t, buf.String(), `"where":"host h2","what":"drop","why":"ipv6-unsupported","len":60`)
	_ = h1
}

type traceBuf struct{ b []byte }

func (t *traceBuf) Write(p []byte) (int, error) { t.b = append(t.b, p...); return len(p), nil }
func (t *traceBuf) String() string              { return string(t.b) }

func TestDeterministicTrace(t *testing.T) {
	run := func() (string, uint64) {
		lab := newRouted(t, 42, 1400)
		require.NoError(t, lab.h2.ListenUDP(7, func(from, to netip.AddrPort, data []byte) { _ = lab.h2.SendUDP(to, from, data) }))
		lab.h1.Ping(ip("10.0.2.2"), PingOptions{Count: 3, Size: 3000}, func(PingResult) {})
		lab.h1.Traceroute(ip("10.0.2.2"), TraceOptions{}, func(TraceResult) {})
		_ = lab.h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, lab.h1.EphemeralPort()), netip.MustParseAddrPort("10.0.2.2:7"), make([]byte, 2000))
		require.NoError(t, lab.l.Run(time.Minute))
		return lab.l.Trace().Hash(), lab.l.Trace().Count()
	}
	h1, n1 := run()
	h2, n2 := run()
	assert.Equal(t, h1, h2)
	assert.Equal(t, n1, n2)
	assert.Greater(t, n1, uint64(50))
}

func TestErrorsWrapSentinels(t *testing.T) {
	l := sim.NewLoop(1)
	h := newHost(t, l, "h", 1, "10.0.0.1/24")
	err := h.SendIP(frame.ProtoUDP, netip.Addr{}, ip("10.1.1.1"), nil)
	assert.True(t, errors.Is(err, ErrNoRoute))
	assert.Equal(t, "host h: send to 10.1.1.1: network is unreachable", err.Error())
}

func TestStaticNeighbor(t *testing.T) {
	l, h1, h2 := twoHosts(t)
	n := h1.NIC("eth0")
	tp := tapNIC(n)
	require.NoError(t, h1.SendUDP(netip.AddrPortFrom(netip.Addr{}, 1000), netip.MustParseAddrPort("10.0.0.2:9"), []byte("x")))
	require.Len(t, tp.frames, 1, "the ARP request")
	require.NoError(t, n.AddNeighbor(ip("10.0.0.2"), macN(2)))
	require.Len(t, tp.frames, 2, "the waiting datagram left at once")
	assert.Equal(t, frame.TypeIPv4, frame.Ethernet(tp.frames[1].f).Type())
	assert.ErrorIs(t, n.AddNeighbor(ip("::1"), macN(2)), ErrInvalid)

	require.NoError(t, l.Run(10*time.Minute))
	require.Len(t, h1.Neighbors(), 1)
	assert.True(t, h1.Neighbors()[0].Static)
	res := runPing(t, h1, "10.0.0.2", PingOptions{})
	assert.Equal(t, 1, res.Received)
	assert.Len(t, tp.arps(frame.ARPRequest), 1, "no ARP for a static entry")
	assert.Equal(t, uint64(1), h2.Drops("port-unreachable"))
}
