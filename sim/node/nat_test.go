package node

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim/app"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/tcp"
)

var laptopAddr = netip.MustParsePrefix("192.168.50.20/24")

// laptop adds a client on the underlay with no route to the container
// subnets: only NAT lets it reach a container.
func (l *lab) laptop() (*host.Host, *tcp.Stack) {
	l.t.Helper()
	h := host.New(l.loop, "laptop")
	nic := h.AddNIC("eth0", frame.MAC{0x02, 0, 0, 0, 0, 0x20}, 0)
	l.plug(nic, "laptop")
	require.NoError(l.t, nic.AddAddr(laptopAddr))
	return h, tcp.NewStack(h)
}

func (l *lab) get(st *tcp.Stack, dst netip.AddrPort) (app.Response, error) {
	l.t.Helper()
	var (
		resp app.Response
		err  error
		done bool
	)
	app.Get(st, dst, "host1", "/", 5*time.Second, func(r app.Response, e error) { resp, err, done = r, e, true })
	l.wait("http get "+dst.String(), func() bool { return done })
	return resp, err
}

// udpEcho sends one datagram from the laptop and returns the answer and
// who it came from, or ok=false after a second without one.
func (l *lab) udpEcho(h *host.Host, dst netip.AddrPort, msg string) (from netip.AddrPort, data string, ok bool) {
	l.t.Helper()
	const port = 40000
	require.NoError(l.t, h.ListenUDP(port, func(f, _ netip.AddrPort, d []byte) { from, data, ok = f, string(d), true }))
	defer h.CloseUDP(port)
	require.NoError(l.t, h.SendUDP(netip.AddrPortFrom(netip.Addr{}, port), dst, []byte(msg)))
	_, err := l.loop.RunUntil(l.loop.Now()+time.Second, func() bool { return ok })
	require.NoError(l.t, err)
	return from, data, ok
}

func TestPublishedPortsFromTheUnderlay(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	l.run("web", network.RunOptions{Network: "localnet"})
	require.NoError(t, l.node.StartServices("web", Service{HTTP: 80, Body: "Welcome to nginx!"}, Service{UDPEcho: 7}))
	require.NoError(t, l.node.Publish("web", []PortMapping{
		{Proto: "tcp", HostIP: netip.IPv4Unspecified(), HostPort: 5005, Port: 80},
		{Proto: "udp", HostPort: 5007, Port: 7},
		{Proto: "sctp", HostPort: 5008, Port: 8},
	}))
	assert.Len(t, l.node.Published("web"), 2)
	lap, st := l.laptop()
	l.settle()
	node := nodeAddr.Addr()

	resp, err := l.get(st, netip.AddrPortFrom(node, 5005))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, "Welcome to nginx!", string(resp.Body))
	// A second connection from another client port.
	resp, err = l.get(st, netip.AddrPortFrom(node, 5005))
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)

	from, data, ok := l.udpEcho(lap, netip.AddrPortFrom(node, 5007), "hello")
	require.True(t, ok, "no UDP echo through the published port")
	assert.Equal(t, "hello", data)
	assert.Equal(t, netip.AddrPortFrom(node, 5007), from, "the reply comes from the node's address and host port")

	t.Run("unpublished port is refused", func(t *testing.T) {
		_, err := l.get(st, netip.AddrPortFrom(node, 5006))
		assert.ErrorIs(t, err, tcp.ErrRefused)
		_, err = l.get(st, netip.AddrPortFrom(node, 80))
		assert.ErrorIs(t, err, tcp.ErrRefused)
	})

	t.Run("unpublish stops forwarding", func(t *testing.T) {
		require.NoError(t, l.node.Unpublish("web"))
		assert.Empty(t, l.node.Published("web"))
		_, err := l.get(st, netip.AddrPortFrom(node, 5005))
		assert.ErrorIs(t, err, tcp.ErrRefused)
		_, _, ok := l.udpEcho(lap, netip.AddrPortFrom(node, 5007), "again")
		assert.False(t, ok)
		assert.Empty(t, l.node.nat.byOrig, "connections are forgotten")
	})
}

func TestPublishedPortFollowsTheContainer(t *testing.T) {
	l := newLab(t, 2)
	l.create("localnet", network.CreateOptions{})
	l.run("web", network.RunOptions{Network: "localnet"})
	require.NoError(t, l.node.StartServices("web", Service{HTTP: 80, Body: "hi"}))
	pub := []PortMapping{{Proto: "tcp", HostIP: nodeAddr.Addr(), HostPort: 8080, Port: 80}}
	require.NoError(t, l.node.Publish("web", pub))
	_, st := l.laptop()
	l.settle()
	dst := netip.AddrPortFrom(nodeAddr.Addr(), 8080)
	resp, err := l.get(st, dst)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(resp.Body))

	// docker stop: the endpoints leave, the mappings go with them.
	require.NoError(t, l.node.Controller().Disconnect("web", "localnet", false))
	assert.Empty(t, l.node.Published("web"))
	_, err = l.get(st, dst)
	assert.ErrorIs(t, err, tcp.ErrRefused)

	// docker start: the endpoint comes back and the ports are programmed
	// again.
	_, err = l.node.Controller().Connect("web", "localnet", network.EndpointOptions{})
	require.NoError(t, err)
	require.NoError(t, l.node.Publish("web", pub))
	resp, err = l.get(st, dst)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(resp.Body))

	// docker rm -f.
	require.NoError(t, l.node.Controller().RemoveSandbox("web"))
	_, err = l.get(st, dst)
	assert.ErrorIs(t, err, tcp.ErrRefused)
	assert.Empty(t, l.node.nat.rules)
	assert.ErrorIs(t, l.node.Publish("web", pub), ErrNoContainer)
}

func TestPublishHostModeAndBoundAddress(t *testing.T) {
	l := newLab(t, 3)
	l.create("localnet", network.CreateOptions{})
	l.run("hostc", network.RunOptions{Network: "host"})
	require.NoError(t, l.node.Publish("hostc", []PortMapping{{Proto: "tcp", HostPort: 9000, Port: 80}}))
	assert.Empty(t, l.node.Published("hostc"), "host mode publishes nothing")

	// Bound to another address: the node's underlay address does not match.
	l.run("web", network.RunOptions{Network: "localnet"})
	require.NoError(t, l.node.StartServices("web", Service{HTTP: 80, Body: "hi"}))
	require.NoError(t, l.node.Publish("web", []PortMapping{{Proto: "tcp", HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: 9001, Port: 80}}))
	_, st := l.laptop()
	l.settle()
	_, err := l.get(st, netip.AddrPortFrom(nodeAddr.Addr(), 9001))
	assert.ErrorIs(t, err, tcp.ErrRefused)
}

func TestPublishedTraceIsDeterministic(t *testing.T) {
	run := func() string {
		l := newLab(t, 7)
		l.create("localnet", network.CreateOptions{})
		l.run("web", network.RunOptions{Network: "localnet"})
		require.NoError(t, l.node.StartServices("web", Service{HTTP: 80, Body: "hi"}))
		require.NoError(t, l.node.Publish("web", []PortMapping{{Proto: "tcp", HostPort: 5005, Port: 80}}))
		_, st := l.laptop()
		l.settle()
		for range 3 {
			_, err := l.get(st, netip.AddrPortFrom(nodeAddr.Addr(), 5005))
			require.NoError(t, err)
		}
		return l.loop.Trace().Hash()
	}
	assert.Equal(t, run(), run())
}

// TestRewriteChecksums checks the incremental updates against packets
// built from scratch with the rewritten addresses and ports.
func TestRewriteChecksums(t *testing.T) {
	client := netip.MustParseAddrPort("192.168.50.20:41234")
	pub := netip.MustParseAddrPort("192.168.50.11:5005")
	ctr := netip.MustParseAddrPort("172.18.0.2:80")
	build := func(proto frame.IPProto, src, dst netip.AddrPort) frame.IPv4 {
		b := make([]byte, 200)
		var n int
		if proto == frame.ProtoTCP {
			n = frame.PutTCP(b[frame.IPv4MinLen:], frame.TCPHeader{Src: src, Dst: dst, Seq: 7, Flags: frame.TCPSyn, Window: 100, MSS: 1460}, []byte("payload"))
		} else {
			n = frame.PutUDP(b[frame.IPv4MinLen:], src, dst, []byte("odd"))
		}
		frame.PutIPv4(b, frame.IPv4Header{TotalLen: uint16(frame.IPv4MinLen + n), ID: 9, TTL: 64, Protocol: proto, Src: src.Addr(), Dst: dst.Addr()})
		return frame.IPv4(b[:frame.IPv4MinLen+n])
	}
	for _, proto := range []frame.IPProto{frame.ProtoTCP, frame.ProtoUDP} {
		p := build(proto, client, pub)
		rewrite(p, ctr, false)
		assert.Equal(t, []byte(build(proto, client, ctr)), []byte(p), "DNAT %v", proto)
		p = build(proto, ctr, client)
		rewrite(p, pub, true)
		assert.Equal(t, []byte(build(proto, pub, client)), []byte(p), "reverse %v", proto)
	}
}

// A container reaching a published port on the node's address (hairpin),
// from its own network or another, gets there with the target network's
// gateway as its source, as docker-proxy's connections do.
func TestPublishedPortHairpin(t *testing.T) {
	l := newLab(t, 3)
	l.create("back", network.CreateOptions{})
	l.create("front", network.CreateOptions{})
	l.run("web", network.RunOptions{Network: "back"})
	l.run("peer", network.RunOptions{Network: "back"})
	l.run("c9", network.RunOptions{Network: "front"})
	remote := func(r *app.Request) app.Response {
		return app.Response{Status: 200, Body: []byte(r.Remote.Addr().String())}
	}
	require.NoError(t, l.node.StartServices("web", Service{HTTP: 80, Handler: remote}, Service{UDPEcho: 7}))
	require.NoError(t, l.node.Publish("web", []PortMapping{
		{Proto: "tcp", HostIP: netip.IPv4Unspecified(), HostPort: 5005, Port: 80},
		{Proto: "udp", HostPort: 5007, Port: 7},
	}))
	l.settle()
	web, _ := l.node.Container("web")
	gw, ok := l.node.gatewayFor(web.Interfaces()[0].Addr.Addr())
	require.True(t, ok)
	dst := netip.AddrPortFrom(nodeAddr.Addr(), 5005)
	for _, from := range []string{"c9", "peer"} {
		c, _ := l.node.Container(from)
		resp, err := l.get(c.TCP, dst)
		require.NoError(t, err, from)
		assert.Equal(t, 200, resp.Status, from)
		assert.Equal(t, gw.String(), string(resp.Body), "%s reaches web from the gateway's address", from)

		src, data, ok := l.udpEcho(c.Host, netip.AddrPortFrom(nodeAddr.Addr(), 5007), "hi "+from)
		require.True(t, ok, "udp hairpin from %s", from)
		assert.Equal(t, "hi "+from, data)
		assert.Equal(t, netip.AddrPortFrom(nodeAddr.Addr(), 5007), src, "the reply comes from the published port")
	}
}

// Containers reach machines on the LAN that have no route back to the
// container subnets: the node masquerades their TCP, UDP and pings, and
// ICMP errors about them find their way back. Internal networks and
// enable_ip_masquerade=false do not masquerade.
func TestMasquerade(t *testing.T) {
	l := newLab(t, 4)
	l.create("localnet", network.CreateOptions{})
	l.create("nomasq", network.CreateOptions{Options: map[string]string{network.OptionIPMasquerade: "false"}})
	c := l.run("c1", network.RunOptions{Network: "localnet"})
	d := l.run("d1", network.RunOptions{Network: "nomasq"})
	lap, st := l.laptop() // no gateway: it cannot route to 172.18.0.0/16
	var seen []netip.Addr
	require.NoError(t, app.ServeHTTP(st, 80, func(r *app.Request) app.Response {
		seen = append(seen, r.Remote.Addr())
		return app.Response{Status: 200, Body: []byte("lan")}
	}))
	require.NoError(t, app.ServeUDPEcho(lap, 7))
	l.settle()
	lapAddr := laptopAddr.Addr()

	resp, err := l.get(c.TCP, netip.AddrPortFrom(lapAddr, 80))
	require.NoError(t, err)
	assert.Equal(t, "lan", string(resp.Body))
	assert.Equal(t, []netip.Addr{nodeAddr.Addr()}, seen, "the laptop sees the node's address")

	src, data, ok := l.udpEcho(c.Host, netip.AddrPortFrom(lapAddr, 7), "masq")
	require.True(t, ok)
	assert.Equal(t, "masq", data)
	assert.Equal(t, netip.AddrPortFrom(lapAddr, 7), src)

	assert.Equal(t, 1, l.ping(c, lapAddr).Received, "ICMP echo is masqueraded by its identifier")

	// A closed UDP port: the laptop's port unreachable, about the node's
	// address, reaches the container translated back.
	var icmpCode int = -1
	c.Host.HandleICMPError(func(typ, code uint8, _ uint16, orig []byte) {
		if typ == frame.ICMPDestUnreach && frame.IPv4(orig).Src() == l.ip(c, "localnet") {
			icmpCode = int(code)
		}
	})
	require.NoError(t, c.Host.SendUDP(netip.AddrPortFrom(netip.Addr{}, 40001), netip.AddrPortFrom(lapAddr, 9), []byte("x")))
	l.settle()
	assert.Equal(t, int(frame.ICMPPortUnreach), icmpCode)

	// The node's own sockets and masqueraded ports keep apart: a port the
	// node uses is not given to a container's connection, and the one a
	// connection holds is not handed to the node's sockets.
	nh := l.node.Host()
	require.NoError(t, nh.ListenUDP(40002, func(_, _ netip.AddrPort, _ []byte) {}))
	var gotFrom netip.AddrPort
	require.NoError(t, lap.ListenUDP(9999, func(from, _ netip.AddrPort, _ []byte) { gotFrom = from }))
	require.NoError(t, c.Host.SendUDP(netip.AddrPortFrom(netip.Addr{}, 40002), netip.AddrPortFrom(lapAddr, 9999), []byte("y")))
	l.settle()
	assert.Equal(t, nodeAddr.Addr(), gotFrom.Addr())
	assert.NotEqual(t, uint16(40002), gotFrom.Port(), "the node's own socket holds 40002")
	assert.True(t, nh.PortInUse(gotFrom.Port()), "the masqueraded connection holds its port")

	// Without masquerade the laptop answers an address it cannot reach.
	assert.Equal(t, 0, l.ping(d, lapAddr).Received)
}

// The per-packet cost of the NAT hooks on established connections.
func BenchmarkNATMasqueradeOut(b *testing.B) {
	l, out, in, ctr := rvLab(b)
	c := netip.AddrPortFrom(ctr, 40000)
	peer := netip.AddrPortFrom(laptopAddr.Addr(), 80)
	out(c, peer, frame.ProtoTCP, frame.TCPSyn)
	in(peer, netip.AddrPortFrom(nodeAddr.Addr(), 40000), frame.ProtoTCP, frame.TCPSyn|frame.TCPAck)
	tmpl := rvPkt(frame.ProtoTCP, c, peer, frame.TCPAck)
	pkt := make(frame.IPv4, len(tmpl))
	var br *plane
	for _, p := range l.node.planes {
		if p.contains(ctr) {
			br = p
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		copy(pkt, tmpl)
		l.node.postrouting(br.gw, l.node.underlay, pkt)
	}
	require.Equal(b, nodeAddr.Addr(), pkt.Src())
}

func BenchmarkNATPublishedIn(b *testing.B) {
	l, _, in, _ := rvLab(b)
	require.NoError(b, l.node.Publish("c1", []PortMapping{{Proto: "tcp", HostPort: 5005, Port: 80}}))
	client := netip.AddrPortFrom(laptopAddr.Addr(), 50000)
	dst := netip.AddrPortFrom(nodeAddr.Addr(), 5005)
	in(client, dst, frame.ProtoTCP, frame.TCPSyn)
	pkt := rvPkt(frame.ProtoTCP, client, dst, frame.TCPAck)
	var got frame.IPv4
	b.ReportAllocs()
	for b.Loop() {
		got = l.node.prerouting(l.node.underlay, pkt)
	}
	require.Equal(b, uint16(80), frame.TCP(got.Payload()).DstPort())
}

// The node's own connections to a published port on one of its addresses
// (Docker's OUTPUT rule): TCP and UDP reach the container with the node's
// address as their source; gone with the mapping.
func TestPublishedPortFromTheNodeItself(t *testing.T) {
	l := newLab(t, 5)
	l.create("localnet", network.CreateOptions{})
	l.run("web", network.RunOptions{Network: "localnet"})
	remote := func(r *app.Request) app.Response {
		return app.Response{Status: 200, Body: []byte("from " + r.Remote.Addr().String())}
	}
	require.NoError(t, l.node.StartServices("web", Service{HTTP: 80, Handler: remote}, Service{UDPEcho: 7}))
	require.NoError(t, l.node.Publish("web", []PortMapping{{Proto: "tcp", HostPort: 5005, Port: 80}, {Proto: "udp", HostPort: 5007, Port: 7}}))
	l.settle()
	resp, err := l.get(l.node.TCP(), netip.AddrPortFrom(nodeAddr.Addr(), 5005))
	require.NoError(t, err)
	assert.Equal(t, "from "+nodeAddr.Addr().String(), string(resp.Body))
	from, data, ok := l.udpEcho(l.node.Host(), netip.AddrPortFrom(nodeAddr.Addr(), 5007), "self")
	require.True(t, ok)
	assert.Equal(t, "self", data)
	assert.Equal(t, netip.AddrPortFrom(nodeAddr.Addr(), 5007), from)

	require.NoError(t, l.node.Unpublish("web"))
	_, err = l.get(l.node.TCP(), netip.AddrPortFrom(nodeAddr.Addr(), 5005))
	assert.ErrorIs(t, err, tcp.ErrRefused)

	// The node's own server on a port keeps it.
	require.NoError(t, app.ServeHTTP(l.node.TCP(), 8080, app.Static("node's own")))
	require.NoError(t, l.node.Publish("web", []PortMapping{{Proto: "tcp", HostPort: 8080, Port: 80}}))
	require.NoError(t, l.node.Unpublish("web"))
	resp, err = l.get(l.node.TCP(), netip.AddrPortFrom(nodeAddr.Addr(), 8080))
	require.NoError(t, err)
	assert.Equal(t, "node's own", string(resp.Body))
}
