package node

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network"
)

func rvPkt(proto frame.IPProto, src, dst netip.AddrPort, flags uint8) frame.IPv4 {
	b := make([]byte, 200)
	var n int
	switch proto {
	case frame.ProtoTCP:
		n = frame.PutTCP(b[frame.IPv4MinLen:], frame.TCPHeader{Src: src, Dst: dst, Seq: 7, Flags: flags, Window: 100}, nil)
	case frame.ProtoUDP:
		n = frame.PutUDP(b[frame.IPv4MinLen:], src, dst, []byte("x"))
	case frame.ProtoICMP:
		n = frame.PutICMPEcho(b[frame.IPv4MinLen:], flags, src.Port(), 1, []byte("p"))
	}
	frame.PutIPv4(b, frame.IPv4Header{TotalLen: uint16(frame.IPv4MinLen + n), ID: 9, TTL: 64, Protocol: proto, Src: src.Addr(), Dst: dst.Addr()})
	return frame.IPv4(b[:frame.IPv4MinLen+n])
}

func rvLab(t testing.TB) (*lab, func(src, dst netip.AddrPort, proto frame.IPProto, fl uint8) frame.IPv4, func(src, dst netip.AddrPort, proto frame.IPProto, fl uint8) frame.IPv4, netip.Addr) {
	l := newLab(t, 9)
	l.create("localnet", network.CreateOptions{})
	c := l.run("c1", network.RunOptions{Network: "localnet"})
	l.settle()
	ctr := l.ip(c, "localnet")
	br := l.node.planes[len(l.node.planes)-1].gw
	for _, p := range l.node.planes {
		if p.contains(ctr) {
			br = p.gw
		}
	}
	out := func(src, dst netip.AddrPort, proto frame.IPProto, fl uint8) frame.IPv4 {
		p := rvPkt(proto, src, dst, fl)
		l.node.postrouting(br, l.node.underlay, p)
		return p
	}
	in := func(src, dst netip.AddrPort, proto frame.IPProto, fl uint8) frame.IPv4 {
		return l.node.prerouting(l.node.underlay, rvPkt(proto, src, dst, fl))
	}
	return l, out, in, ctr
}

// A normally closed masqueraded TCP connection (FIN, FIN, final ACK)
// should expire after time_wait (120 s), not be re-armed to 5 days by the
// last ACK.
func TestNATReviewTCPCloseTimeout(t *testing.T) {
	l, out, in, ctr := rvLab(t)
	c := netip.AddrPortFrom(ctr, 40000)
	peer := netip.AddrPortFrom(laptopAddr.Addr(), 80)
	via := netip.AddrPortFrom(nodeAddr.Addr(), 40000)
	out(c, peer, frame.ProtoTCP, frame.TCPSyn)
	in(peer, via, frame.ProtoTCP, frame.TCPSyn|frame.TCPAck)
	out(c, peer, frame.ProtoTCP, frame.TCPAck)
	out(c, peer, frame.ProtoTCP, frame.TCPFin|frame.TCPAck)
	in(peer, via, frame.ProtoTCP, frame.TCPFin|frame.TCPAck)
	out(c, peer, frame.ProtoTCP, frame.TCPAck) // last ACK
	e := l.node.nat.byOrig[tuple{proto: frame.ProtoTCP, src: c, dst: peer}]
	require.NotNil(t, e)
	assert.LessOrEqual(t, e.expires-l.loop.Now(), ctTCPClosing, "closed connection lingers %v", e.expires-l.loop.Now())
}

// Doc: masquerade keeps the source port "unless another tracked connection
// to the same peer holds it". A connection to a different peer (or even of
// another protocol) should keep its port; viaPorts, seen through
// host.PortInUse, moves it.
func TestNATReviewMasqKeepsPortForOtherPeer(t *testing.T) {
	_, out, _, ctr := rvLab(t)
	c := netip.AddrPortFrom(ctr, 40000)
	p1 := netip.AddrPortFrom(laptopAddr.Addr(), 7)
	p2 := netip.MustParseAddrPort("192.168.50.99:7")
	a := out(c, p1, frame.ProtoUDP, 0)
	assert.Equal(t, uint16(40000), frame.UDP(a.Payload()).SrcPort())
	b := out(c, p2, frame.ProtoUDP, 0)
	assert.Equal(t, uint16(40000), frame.UDP(b.Payload()).SrcPort(), "other peer: port should be kept")
	d := out(c, p1, frame.ProtoTCP, frame.TCPSyn)
	assert.Equal(t, uint16(40000), frame.TCP(d.Payload()).SrcPort(), "other protocol: port should be kept")
}

// An echo request from the LAN to the node, with the identifier of a
// container's masqueraded ping to the same host, is taken for the echo
// reply and sent to the container (the tuple ignores the ICMP type).
func TestNATReviewEchoRequestHijacked(t *testing.T) {
	_, out, in, ctr := rvLab(t)
	lap := netip.AddrPortFrom(laptopAddr.Addr(), 4242)
	out(netip.AddrPortFrom(ctr, 4242), lap, frame.ProtoICMP, frame.ICMPEchoRequest)
	got := in(lap, netip.AddrPortFrom(nodeAddr.Addr(), 4242), frame.ProtoICMP, frame.ICMPEchoRequest)
	assert.Equal(t, nodeAddr.Addr(), got.Dst(), "the laptop's ping of the node must stay the node's")
}

// A masqueraded connection's reply tuple must not clash with an existing
// DNAT connection's original tuple: here the laptop's flow to the
// published port is stolen by the masqueraded one.
func TestNATReviewMasqClashesWithDNAT(t *testing.T) {
	l, out, in, ctr := rvLab(t)
	l.run("web", network.RunOptions{Network: "localnet"})
	require.NoError(t, l.node.Publish("web", []PortMapping{{Proto: "udp", HostPort: 5005, Port: 7}}))
	web, _ := l.node.Container("web")
	lap := netip.AddrPortFrom(laptopAddr.Addr(), 6000)
	pub := netip.AddrPortFrom(nodeAddr.Addr(), 5005)
	got := in(lap, pub, frame.ProtoUDP, 0)
	require.Equal(t, web.Interfaces()[0].Addr.Addr(), got.Dst())
	out(netip.AddrPortFrom(ctr, 5005), lap, frame.ProtoUDP, 0) // c1 from port 5005 to the laptop's 6000
	got = in(lap, pub, frame.ProtoUDP, 0)
	assert.Equal(t, web.Interfaces()[0].Addr.Addr(), got.Dst(), "the published flow goes to web")
}

// Port selection has no bound: with every port taken it spins forever.
func TestNATReviewMasqPortLoopTerminates(t *testing.T) {
	l, out, _, ctr := rvLab(t)
	l.node.nat.viaPorts = map[uint16]int{}
	for p := 1; p < 65536; p++ {
		l.node.nat.viaPorts[uint16(p)] = 1
	}
	done := make(chan struct{})
	go func() {
		out(netip.AddrPortFrom(ctr, 40000), netip.AddrPortFrom(laptopAddr.Addr(), 7), frame.ProtoUDP, 0)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("masquerade port selection spins forever when ports are exhausted")
	}
}

// ICMP error translation: checksums recomputed from scratch must hold.
func TestNATReviewRelatedErrorChecksums(t *testing.T) {
	l, out, _, ctr := rvLab(t)
	_ = l
	for _, proto := range []frame.IPProto{frame.ProtoUDP, frame.ProtoTCP, frame.ProtoICMP} {
		c := netip.AddrPortFrom(ctr, 41000)
		peer := netip.AddrPortFrom(laptopAddr.Addr(), 9)
		if proto == frame.ProtoICMP {
			peer = netip.AddrPortFrom(laptopAddr.Addr(), 41000)
		}
		l.node.host.ListenUDP(41000, func(_, _ netip.AddrPort, _ []byte) {}) // force a port change
		fl := uint8(frame.TCPSyn)
		if proto == frame.ProtoICMP {
			fl = frame.ICMPEchoRequest
		}
		sent := out(c, peer, proto, fl)
		b := make([]byte, 300)
		n := frame.PutICMPError(b[frame.IPv4MinLen:], frame.ICMPDestUnreach, 3, 0, sent)
		frame.PutIPv4(b, frame.IPv4Header{TotalLen: uint16(frame.IPv4MinLen + n), TTL: 64, Protocol: frame.ProtoICMP, Src: peer.Addr(), Dst: sent.Src()})
		got := l.node.prerouting(l.node.underlay, frame.IPv4(b[:frame.IPv4MinLen+n]))
		require.Equal(t, ctr, got.Dst(), "%v", proto)
		assert.Equal(t, uint16(0), frame.Checksum(got[:got.HeaderLen()], 0), "outer ip %v", proto)
		m := frame.ICMP(got.Payload())
		assert.True(t, m.ChecksumValid(), "icmp %v", proto)
		inner := frame.IPv4(m[frame.ICMPLen:])
		assert.Equal(t, uint16(0), frame.Checksum(inner[:inner.HeaderLen()], 0), "inner ip %v", proto)
		assert.Equal(t, ctr, inner.Src())
		orig := rvPkt(proto, c, peer, fl)
		assert.Equal(t, []byte(orig[:len(inner)]), []byte(inner), "quoted packet translated back exactly %v", proto)
		l.node.host.CloseUDP(41000)
	}
}

// Hostile input: random valid IPv4 headers with random payloads must not
// panic the hooks.
func TestNATReviewHooksFuzz(t *testing.T) {
	l, out, _, ctr := rvLab(t)
	require.NoError(t, l.node.Publish("c1", []PortMapping{{Proto: "tcp", HostPort: 5005, Port: 80}, {Proto: "udp", HostPort: 5006, Port: 7}}))
	out(netip.AddrPortFrom(ctr, 41000), netip.AddrPortFrom(laptopAddr.Addr(), 9), frame.ProtoUDP, 0)
	out(netip.AddrPortFrom(ctr, 41000), netip.AddrPortFrom(laptopAddr.Addr(), 41000), frame.ProtoICMP, frame.ICMPEchoRequest)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		n := r.IntN(80)
		b := make([]byte, frame.IPv4MinLen+n)
		for j := range b[frame.IPv4MinLen:] {
			b[frame.IPv4MinLen+j] = byte(r.Uint32())
		}
		protos := []frame.IPProto{frame.ProtoTCP, frame.ProtoUDP, frame.ProtoICMP}
		pr := protos[r.IntN(3)]
		src := laptopAddr.Addr()
		frame.PutIPv4(b, frame.IPv4Header{TotalLen: uint16(len(b)), TTL: 64, Protocol: pr, Src: src, Dst: nodeAddr.Addr()})
		if pr == frame.ProtoICMP && n >= 8+20+8 && r.IntN(2) == 0 {
			b[20] = frame.ICMPDestUnreach
			inner := b[28:]
			inner[0] = 0x40 | byte(5+r.IntN(11))
			inner[9] = byte(protos[r.IntN(3)])
			copy(inner[12:16], nodeAddr.Addr().AsSlice())
			copy(inner[16:20], laptopAddr.Addr().AsSlice())
			binary.BigEndian.PutUint16(inner[20:], 41000)
			binary.BigEndian.PutUint16(inner[22:], 9)
		}
		func() {
			defer func() {
				if x := recover(); x != nil {
					t.Fatalf("panic on %x: %v", b, x)
				}
			}()
			l.node.prerouting(l.node.underlay, frame.IPv4(b))
			l.node.prerouting(l.node.planes[0].gw, frame.IPv4(b))
		}()
	}
}

// Routers may quote the whole packet (RFC 1812): the translated quote must
// then equal the original exactly, TCP checksum included.
func TestNATReviewRelatedErrorFullQuote(t *testing.T) {
	l, out, _, ctr := rvLab(t)
	for _, proto := range []frame.IPProto{frame.ProtoUDP, frame.ProtoTCP, frame.ProtoICMP} {
		c := netip.AddrPortFrom(ctr, 41000)
		peer := netip.AddrPortFrom(laptopAddr.Addr(), 9)
		fl := uint8(frame.TCPSyn)
		if proto == frame.ProtoICMP {
			peer = netip.AddrPortFrom(laptopAddr.Addr(), 41000)
			fl = frame.ICMPEchoRequest
		}
		require.NoError(t, l.node.host.ListenUDP(41000, func(_, _ netip.AddrPort, _ []byte) {}))
		sent := out(c, peer, proto, fl)
		b := make([]byte, 400)
		b[20] = frame.ICMPTimeExceeded
		copy(b[28:], sent)
		n := 8 + len(sent)
		frame.ICMP(b[20 : 20+n]).SetChecksum(frame.Checksum(b[20:20+n], 0))
		frame.PutIPv4(b, frame.IPv4Header{TotalLen: uint16(20 + n), TTL: 64, Protocol: frame.ProtoICMP, Src: netip.MustParseAddr("192.168.50.1"), Dst: sent.Src()})
		got := l.node.prerouting(l.node.underlay, frame.IPv4(b[:20+n]))
		require.Equal(t, ctr, got.Dst(), "%v", proto)
		assert.True(t, frame.ICMP(got.Payload()).ChecksumValid())
		inner := frame.IPv4(got.Payload()[8:])
		assert.Equal(t, []byte(rvPkt(proto, c, peer, fl)), []byte(inner), "%v", proto)
		l.node.host.CloseUDP(41000)
	}
}

// Docker programs port bindings only on the endpoint giving the default
// gateway; a container only on an internal network publishes nothing.
func TestNATReviewPublishOnInternal(t *testing.T) {
	l := newLab(t, 9)
	l.create("priv", network.CreateOptions{Internal: true})
	l.run("c1", network.RunOptions{Network: "priv"})
	l.settle()
	require.NoError(t, l.node.Publish("c1", []PortMapping{{Proto: "tcp", HostPort: 5005, Port: 80}}))
	assert.Empty(t, l.node.Published("c1"))
	p := rvPkt(frame.ProtoTCP, netip.AddrPortFrom(laptopAddr.Addr(), 1234), netip.AddrPortFrom(nodeAddr.Addr(), 5005), frame.TCPSyn)
	if l.node.host != nil && len(l.node.nat.rules) > 0 {
		got := l.node.prerouting(l.node.underlay, p)
		assert.Equal(t, nodeAddr.Addr(), got.Dst(), "DNAT into an internal network")
	}
}

// A container's reply after its DNAT entry expired leaves with its private
// source: postrouting forgets the entry and returns without masquerading
// (Linux would start a new conntrack entry and MASQUERADE it).
func TestNATReviewExpiredDNATReplyLeaksPrivateSource(t *testing.T) {
	l, out, in, ctr := rvLab(t)
	require.NoError(t, l.node.Publish("c1", []PortMapping{{Proto: "udp", HostPort: 5005, Port: 7}}))
	lap := netip.AddrPortFrom(laptopAddr.Addr(), 6000)
	in(lap, netip.AddrPortFrom(nodeAddr.Addr(), 5005), frame.ProtoUDP, 0)
	_, err := l.loop.RunUntil(l.loop.Now()+31*time.Second, func() bool { return false })
	require.NoError(t, err)
	p := out(netip.AddrPortFrom(ctr, 7), lap, frame.ProtoUDP, 0)
	assert.NotEqual(t, ctr, p.Src(), "a container address leaves the node unmasqueraded")
}
