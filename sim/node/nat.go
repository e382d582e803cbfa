package node

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim/host"
)

// PortMapping is one published port of a container: what Docker's DNAT
// rule in the nat table's DOCKER chain forwards.
type PortMapping struct {
	// Proto is "tcp" or "udp"; mappings of other protocols (sctp) are
	// kept but forward nothing.
	Proto string
	// HostIP is the node address the port is bound to. 0.0.0.0 or the
	// zero Addr means every address of the node; IPv6 addresses forward
	// nothing (the nodes are IPv4-only).
	HostIP netip.Addr
	// HostPort is the port on the node.
	HostPort uint16
	// Port is the container port.
	Port uint16
}

// Conntrack timeouts, Linux's defaults (nf_conntrack_*_timeout_*).
const (
	ctTCPSynSent     = 120 * time.Second
	ctTCPEstablished = 432000 * time.Second
	ctTCPClosing     = 120 * time.Second // FIN seen (time_wait)
	ctTCPClose       = 10 * time.Second  // RST seen
	ctUDP            = 30 * time.Second
	ctICMP           = 30 * time.Second  // nf_conntrack_icmp_timeout
	ctUDPStream      = 120 * time.Second // a reply was seen
	ctSweepEvery     = 1024              // new entries between sweeps of expired ones
)

// natRule is a PortMapping installed for a container: its DNAT target.
type natRule struct {
	c        *Container
	proto    frame.IPProto
	hostIP   netip.Addr // the unspecified address for every node address
	hostPort uint16
	to       netip.AddrPort
}

// tuple is a conntrack tuple: protocol, source and destination.
type tuple struct {
	proto    frame.IPProto
	src, dst netip.AddrPort
}

// conn is a conntrack entry of a translated connection: orig is as the
// client sent it (to the node's address and host port), reply as the
// container answers (from its address and port to the client).
type conn struct {
	orig, reply tuple
	c           *Container
	replied     bool
	expires     time.Duration
	// hairpin: the client is behind one of the node's bridges. Its packets
	// leave with the gateway address of the container's network as their
	// source (via), as docker-proxy's connections do, so that the
	// container's replies come back through the node.
	hairpin bool
	via     netip.AddrPort
	// masq: a container's connection out of the node, its source
	// rewritten to via (Docker's MASQUERADE); orig is as the container
	// sent it, reply as the peer answers (to via).
	masq bool
	// local: the node's own connection to a published port (Docker's
	// OUTPUT rule); the container's replies come to the node's address.
	local bool
	// closing: a FIN was seen; the connection keeps the short timeout.
	closing bool
}

// nat is the node's NAT table: the published ports in publication order
// and the connections translated through them.
type nat struct {
	rules   []natRule
	byOrig  map[tuple]*conn
	byReply map[tuple]*conn
	added   int // entries created since the last sweep
	buf     []byte
	// viaPorts counts the masqueraded TCP and UDP connections using each
	// node port, which the node's own sockets must then not pick.
	viaPorts map[uint16]int
	// selecting is set while masquerade picks a port: connections may
	// share a node port (with different peers), so only the node's own
	// sockets count as taken then.
	selecting bool
}

// Publish installs the published ports of a container (by name or ID),
// replacing the ones it had, as Docker programs its port bindings when
// the container starts: a TCP or UDP packet arriving at the node (from the
// underlay, or hairpin from a container; see the package doc), addressed to a node address
// the mapping is bound to and to its host port, has its destination
// rewritten to the container's address (on its first network with an
// address) and port, and the container's replies have their source
// rewritten back, through connection tracking. A container in host mode,
// sharing another's namespace, or without an address publishes nothing,
// as in Docker. Mappings go away with Unpublish, when their endpoint
// leaves its network, and when the container is removed.
func (n *Node) Publish(container string, ports []PortMapping) error {
	c, ok := n.Container(container)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoContainer, container)
	}
	n.unpublish(c)
	if c.owner != nil || c.sb.HostMode() {
		return nil
	}
	var to netip.Addr
	// Docker maps ports on the endpoint that gives the container its way
	// out (ProgramExternalConnectivity on the gateway endpoint), never on
	// an internal network.
	for _, ep := range c.sb.Endpoints() {
		if ep.IP().Is4() && !ep.Network().Internal() {
			to = ep.IP()
			break
		}
	}
	if !to.IsValid() {
		return nil
	}
	for _, p := range ports {
		var proto frame.IPProto
		switch p.Proto {
		case "tcp":
			proto = frame.ProtoTCP
		case "udp":
			proto = frame.ProtoUDP
		default:
			continue
		}
		hip := p.HostIP.Unmap()
		if !hip.IsValid() {
			hip = netip.IPv4Unspecified()
		}
		if !hip.Is4() || p.HostPort == 0 || p.Port == 0 {
			continue
		}
		n.nat.rules = append(n.nat.rules, natRule{c: c, proto: proto, hostIP: hip, hostPort: p.HostPort, to: netip.AddrPortFrom(to, p.Port)})
	}
	n.setNATHooks()
	return nil
}

// Unpublish removes the published ports of a container (by name or ID),
// as docker stop does, and forgets the connections translated to it (for
// UDP, Docker flushes them; a TCP flow to a stopped container has nowhere
// to go either).
func (n *Node) Unpublish(container string) error {
	c, ok := n.Container(container)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoContainer, container)
	}
	n.unpublish(c)
	return nil
}

// Published returns the container's installed mappings, in the order
// they were given.
func (n *Node) Published(container string) []PortMapping {
	c, ok := n.Container(container)
	if !ok {
		return nil
	}
	var out []PortMapping
	for _, r := range n.nat.rules {
		if r.c == c {
			proto := "tcp"
			if r.proto == frame.ProtoUDP {
				proto = "udp"
			}
			out = append(out, PortMapping{Proto: proto, HostIP: r.hostIP, HostPort: r.hostPort, Port: r.to.Port()})
		}
	}
	return out
}

// unpublish removes c's rules and connections.
func (n *Node) unpublish(c *Container) {
	n.dropRules(func(r *natRule) bool { return r.c == c })
}

// unpublishAddr removes c's rules (and connections) to address a, whose
// endpoint left.
func (n *Node) unpublishAddr(c *Container, a netip.Addr) {
	n.dropRules(func(r *natRule) bool { return r.c == c && r.to.Addr() == a })
}

func (n *Node) dropRules(del func(*natRule) bool) {
	t := &n.nat
	before := len(t.rules)
	t.rules = slices.DeleteFunc(t.rules, func(r natRule) bool {
		if !del(&r) {
			return false
		}
		return true
	})
	if len(t.rules) == before {
		return
	}
	// Forget the connections of rules that went: deletion during
	// iteration, whose result does not depend on the order.
	for k, e := range t.byOrig {
		if !n.ruleFor(e) {
			delete(t.byOrig, k)
			delete(t.byReply, e.reply)
		}
	}
	n.setNATHooks()
}

// ruleFor reports whether a rule still leads to e's target.
func (n *Node) ruleFor(e *conn) bool {
	if e.masq {
		return true // no rule behind it
	}
	for i := range n.nat.rules {
		r := &n.nat.rules[i]
		if r.c == e.c && r.to == e.reply.src && r.proto == e.orig.proto {
			return true
		}
	}
	return false
}

// setNATHooks installs the host hooks while there is something to
// translate, so that a node without published ports pays nothing.
func (n *Node) setNATHooks() {
	t := &n.nat
	if len(t.rules) == 0 && len(t.byOrig) == 0 && !n.masquerades() {
		n.host.SetPrerouting(nil)
		n.host.SetForwardHook(nil)
		n.host.SetLocalOutput(nil)
		t.byOrig, t.byReply, t.buf = nil, nil, nil
		return
	}
	n.host.SetPrerouting(n.prerouting)
	n.host.SetForwardHook(n.postrouting)
	n.host.SetLocalOutput(n.localOutput)
}

// masquerades reports whether some bridge network masquerades its
// containers' traffic out of the node.
func (n *Node) masquerades() bool {
	for _, p := range n.planes {
		if p.masq {
			return true
		}
	}
	return false
}

// planeOfNIC returns the bridge network whose gateway NIC is nic, or nil.
func (n *Node) planeOfNIC(nic *host.NIC) *plane {
	for _, p := range n.planes {
		if p.gw == nic {
			return p
		}
	}
	return nil
}

// isBridgeNIC reports whether nic is the gateway NIC of a bridge network.
func (n *Node) isBridgeNIC(nic *host.NIC) bool { return n.planeOfNIC(nic) != nil }

// ports returns the transport ports of ip, an unfragmented TCP or UDP
// packet, and whether it is one.
func ports(ip frame.IPv4) (src, dst uint16, ok bool) {
	if ip.MF() || ip.FragOffset() != 0 {
		return 0, 0, false
	}
	l4 := ip.Payload()
	switch ip.Protocol() {
	case frame.ProtoTCP:
		if !frame.TCP(l4).Valid() {
			return 0, 0, false
		}
	case frame.ProtoUDP:
		if !frame.UDP(l4).Valid() {
			return 0, 0, false
		}
	case frame.ProtoICMP:
		// An echo's identifier stands for both ports, as in Linux's
		// conntrack.
		m := frame.ICMP(l4)
		if !m.Valid() || (m.Type() != frame.ICMPEchoRequest && m.Type() != frame.ICMPEchoReply) {
			return 0, 0, false
		}
		return m.ID(), m.ID(), true
	default:
		return 0, 0, false
	}
	return binary.BigEndian.Uint16(l4[0:2]), binary.BigEndian.Uint16(l4[2:4]), true
}

// prerouting is the DNAT of published ports: a packet from outside to a
// published port, or of a connection already translated, gets the
// container as its destination.
func (n *Node) prerouting(in *host.NIC, ip frame.IPv4) frame.IPv4 {
	sp, dp, ok := ports(ip)
	if !ok {
		if !n.isBridgeNIC(in) {
			return n.relatedError(ip)
		}
		return ip
	}
	t := &n.nat
	now := n.loop.Now()
	fromBridge := n.isBridgeNIC(in)
	k := tuple{proto: ip.Protocol(), src: netip.AddrPortFrom(ip.Src(), sp), dst: netip.AddrPortFrom(ip.Dst(), dp)}
	// Replies that come back through prerouting: from a bridge, a
	// container's answer to the node's own connection (to the node's
	// address) or to a hairpin client (to the gateway address); from
	// outside, a peer's answer to a masqueraded connection.
	if e := t.byReply[k]; e != nil {
		var back bool
		if fromBridge {
			back = e.local || e.hairpin
		} else {
			back = e.masq && (k.proto != frame.ProtoICMP || icmpType(ip) == frame.ICMPEchoReply)
		}
		if back {
			if e.expires <= now {
				n.forget(e)
				return ip
			}
			n.refresh(e, ip, true, now)
			out := n.natCopy(ip)
			switch {
			case e.local:
				rewrite(out, e.orig.dst, true) // from the published port
			case e.hairpin:
				rewrite(out, e.orig.dst, true)
				rewrite(out, e.orig.src, false) // to the client
			default:
				rewrite(out, e.orig.src, false) // to the container
			}
			return out
		}
	}
	if k.proto == frame.ProtoICMP {
		return ip // published ports are TCP and UDP
	}
	e := t.byOrig[k]
	if e != nil && e.expires <= now {
		n.forget(e)
		e = nil
	}
	if e == nil {
		r := n.match(k)
		if r == nil {
			return ip
		}
		e = &conn{orig: k, reply: tuple{proto: k.proto, src: r.to, dst: k.src}, c: r.c}
		if fromBridge {
			gw, ok := n.gatewayFor(r.to.Addr())
			if !ok {
				return ip
			}
			e.hairpin = true
			e.via = n.viaPort(k.proto, r.to, gw, k.src.Port())
			e.reply.dst = e.via
		}
		n.track(e, now)
	}
	n.refresh(e, ip, false, now)
	out := n.natCopy(ip)
	rewrite(out, e.reply.src, false)
	if e.hairpin {
		rewrite(out, e.via, true)
	}
	return out
}

// relatedError translates an ICMP error from outside the node about a
// masqueraded packet (a traceroute's time exceeded, a port unreachable)
// back to the container that sent it, quoted header included, as
// conntrack does for RELATED packets. Anything else is left alone.
func (n *Node) relatedError(ip frame.IPv4) frame.IPv4 {
	if ip.Protocol() != frame.ProtoICMP || ip.MF() || ip.FragOffset() != 0 || len(n.nat.byReply) == 0 {
		return ip
	}
	m := frame.ICMP(ip.Payload())
	if !m.Valid() || (m.Type() != frame.ICMPDestUnreach && m.Type() != frame.ICMPTimeExceeded) {
		return ip
	}
	inner := frame.IPv4(m[frame.ICMPLen:])
	if len(inner) < frame.IPv4MinLen || inner.HeaderLen() < frame.IPv4MinLen || len(inner) < inner.HeaderLen()+8 {
		return ip
	}
	hl := inner.HeaderLen()
	var sp, dp uint16
	switch inner.Protocol() {
	case frame.ProtoTCP, frame.ProtoUDP:
		sp, dp = binary.BigEndian.Uint16(inner[hl:]), binary.BigEndian.Uint16(inner[hl+2:])
	case frame.ProtoICMP:
		sp = binary.BigEndian.Uint16(inner[hl+4:])
		dp = sp
	default:
		return ip
	}
	// The quoted packet went out as the reply tuple reversed.
	e := n.nat.byReply[tuple{proto: inner.Protocol(), src: netip.AddrPortFrom(inner.Dst(), dp), dst: netip.AddrPortFrom(inner.Src(), sp)}]
	if e == nil || !e.masq || e.expires <= n.loop.Now() {
		return ip
	}
	out := n.natCopy(ip)
	to := e.orig.src
	out.SetDstWithChecksum(to.Addr())
	om := frame.ICMP(out.Payload())
	oi := frame.IPv4(om[frame.ICMPLen:])
	old := oi.Src()
	oi.SetSrcWithChecksum(to.Addr())
	l4 := oi[hl:]
	switch oi.Protocol() {
	case frame.ProtoUDP:
		if c := binary.BigEndian.Uint16(l4[6:8]); c != 0 {
			c = frame.ChecksumUpdateAddr(c, old, to.Addr())
			c = frame.ChecksumUpdate16(c, sp, to.Port())
			binary.BigEndian.PutUint16(l4[6:8], c)
		}
		binary.BigEndian.PutUint16(l4[0:2], to.Port())
	case frame.ProtoTCP:
		if len(l4) >= 18 {
			c := binary.BigEndian.Uint16(l4[16:18])
			c = frame.ChecksumUpdateAddr(c, old, to.Addr())
			c = frame.ChecksumUpdate16(c, sp, to.Port())
			binary.BigEndian.PutUint16(l4[16:18], c)
		}
		binary.BigEndian.PutUint16(l4[0:2], to.Port())
	case frame.ProtoICMP:
		c := binary.BigEndian.Uint16(l4[2:4])
		binary.BigEndian.PutUint16(l4[2:4], frame.ChecksumUpdate16(c, sp, to.Port()))
		binary.BigEndian.PutUint16(l4[4:6], to.Port())
	}
	om.SetChecksum(0)
	om.SetChecksum(frame.Checksum(om, 0))
	return out
}

// localOutput is Docker's OUTPUT rule: the node's own packets to one of
// its addresses and a published port go to the container, keeping the
// node's address as their source.
func (n *Node) localOutput(ip frame.IPv4) {
	sp, dp, ok := ports(ip)
	if !ok || ip.Protocol() == frame.ProtoICMP || ip.Dst().IsLoopback() {
		return
	}
	t := &n.nat
	now := n.loop.Now()
	k := tuple{proto: ip.Protocol(), src: netip.AddrPortFrom(ip.Src(), sp), dst: netip.AddrPortFrom(ip.Dst(), dp)}
	e := t.byOrig[k]
	if e != nil && (!e.local || e.expires <= now) {
		n.forget(e)
		e = nil
	}
	if e == nil {
		r := n.match(k)
		if r == nil {
			return
		}
		e = &conn{orig: k, reply: tuple{proto: k.proto, src: r.to, dst: k.src}, c: r.c, local: true}
		n.track(e, now)
	}
	n.refresh(e, ip, false, now)
	rewrite(ip, e.reply.src, false)
}

// natCopy copies ip into the NAT's scratch buffer for rewriting: the
// host's receive buffer is not ours to change.
func (n *Node) natCopy(ip frame.IPv4) frame.IPv4 {
	t := &n.nat
	if cap(t.buf) < len(ip) {
		t.buf = make([]byte, len(ip), max(len(ip), 1500))
	}
	out := frame.IPv4(t.buf[:len(ip)])
	copy(out, ip)
	return out
}

// gatewayFor returns the gateway address of the bridge network holding a.
func (n *Node) gatewayFor(a netip.Addr) (netip.Addr, bool) {
	p := n.planeOf(a)
	if p == nil {
		return netip.Addr{}, false
	}
	for _, g := range p.gwAddrs {
		if g.Contains(a) {
			return g.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// viaPort picks the source port of a hairpin connection on gw: the
// client's own if no other connection to the same container port uses it,
// else the next free one, as Linux's SNAT keeps ports where it can.
func (n *Node) viaPort(proto frame.IPProto, to netip.AddrPort, gw netip.Addr, port uint16) netip.AddrPort {
	p := port
	for range 1 << 16 {
		if p == 0 {
			p = 1024
		}
		via := netip.AddrPortFrom(gw, p)
		if n.nat.byReply[tuple{proto: proto, src: to, dst: via}] == nil {
			return via
		}
		p++
	}
	// Every port taken: the client's own, replacing the oldest holder
	// (prerouting forgets a connection whose reply tuple is reused).
	return netip.AddrPortFrom(gw, port)
}

// postrouting is the reverse translation: a forwarded reply of a
// translated connection leaves with the node's address and host port as
// its source.
func (n *Node) postrouting(in, out *host.NIC, ip frame.IPv4) {
	t := &n.nat
	sp, dp, ok := ports(ip)
	if !ok {
		return
	}
	k := tuple{proto: ip.Protocol(), src: netip.AddrPortFrom(ip.Src(), sp), dst: netip.AddrPortFrom(ip.Dst(), dp)}
	e := t.byReply[k]
	if e == nil || e.masq {
		n.masquerade(in, out, ip, k)
		return
	}
	now := n.loop.Now()
	if e.expires <= now {
		n.forget(e)
		n.masquerade(in, out, ip, k) // a new connection now, as Linux sees it
		return
	}
	n.refresh(e, ip, true, now)
	rewrite(ip, e.orig.dst, true)
}

// masquerade rewrites the source of a packet a container sends out of
// the node (from a masquerading bridge to a NIC that is not a bridge) to
// the node's address on the way out, as Docker's MASQUERADE rule does,
// keeping the source port (or ICMP echo identifier) unless another
// connection to the same peer holds it.
func (n *Node) masquerade(in, out *host.NIC, ip frame.IPv4, k tuple) {
	if out == nil || n.isBridgeNIC(out) {
		return
	}
	p := n.planeOfNIC(in)
	if p == nil || !p.masq || !slices.ContainsFunc(p.subnets, func(s netip.Prefix) bool { return s.Contains(k.src.Addr()) }) {
		return
	}
	if k.proto == frame.ProtoICMP && icmpType(ip) != frame.ICMPEchoRequest {
		return // only the container's own pings start a connection
	}
	t := &n.nat
	now := n.loop.Now()
	e := t.byOrig[k]
	if e != nil && (!e.masq || e.expires <= now) {
		if e.masq {
			n.forget(e)
		}
		e = nil
	}
	if e == nil {
		src := n.outAddr(out, k.dst.Addr())
		if !src.IsValid() {
			return
		}
		e = &conn{orig: k, masq: true}
		found := false
		t.selecting = true // the node's check of its own sockets only
		for i, port := 0, k.src.Port(); i < 1<<16 && !found; i, port = i+1, port+1 {
			if port == 0 {
				port = 1024
			}
			e.via = netip.AddrPortFrom(src, port)
			e.reply = tuple{proto: k.proto, src: k.dst, dst: e.via}
			if k.proto == frame.ProtoICMP {
				e.reply.src = netip.AddrPortFrom(k.dst.Addr(), port)
			}
			// Taken: the same reply tuple (another connection to this
			// peer), the same tuple the other way (the peer's own
			// connection to that node port, a published one), or a
			// socket of the node's own.
			rev := tuple{proto: k.proto, src: e.reply.src, dst: e.via}
			found = t.byReply[e.reply] == nil && t.byOrig[rev] == nil &&
				(k.proto == frame.ProtoICMP || !n.host.PortInUse(port))
		}
		t.selecting = false
		if !found {
			return // every port taken: Linux drops it; it leaves unanswerable
		}
		n.track(e, now)
	}
	n.refresh(e, ip, false, now)
	rewrite(ip, e.via, true)
}

// icmpType is the type of an ICMP packet.
func icmpType(ip frame.IPv4) uint8 { return frame.ICMP(ip.Payload()).Type() }

// outAddr is the node's source address on out toward dst: its address on
// dst's subnet, else its first.
func (n *Node) outAddr(out *host.NIC, dst netip.Addr) netip.Addr {
	addrs := out.Addrs()
	for _, a := range addrs {
		if a.Addr().Is4() && a.Contains(dst) {
			return a.Addr()
		}
	}
	for _, a := range addrs {
		if a.Addr().Is4() {
			return a.Addr()
		}
	}
	return netip.Addr{}
}

// match returns the first rule for a new connection k, or nil.
func (n *Node) match(k tuple) *natRule {
	dst := k.dst.Addr()
	for i := range n.nat.rules {
		r := &n.nat.rules[i]
		if r.proto != k.proto || r.hostPort != k.dst.Port() {
			continue
		}
		if r.hostIP == dst || (r.hostIP.IsUnspecified() && n.host.HasAddr(dst)) {
			return r
		}
	}
	return nil
}

// refresh extends an entry's life after a packet of its connection, with
// Linux's timeouts for the state the packet leaves it in.
func (n *Node) refresh(e *conn, ip frame.IPv4, reply bool, now time.Duration) {
	if reply {
		e.replied = true
	}
	var d time.Duration
	switch {
	case ip.Protocol() == frame.ProtoICMP:
		d = ctICMP
	case ip.Protocol() == frame.ProtoUDP && e.replied:
		d = ctUDPStream
	case ip.Protocol() == frame.ProtoUDP:
		d = ctUDP
	default:
		fl := frame.TCP(ip.Payload()).Flags()
		if fl&frame.TCPFin != 0 {
			e.closing = true // the ACKs that follow keep it closing
		}
		switch {
		case fl&frame.TCPRst != 0:
			d = ctTCPClose
		case e.closing:
			d = ctTCPClosing
		case e.replied:
			d = ctTCPEstablished
		default:
			d = ctTCPSynSent
		}
	}
	e.expires = now + d
}

// track enters a new connection in the table: a connection holding its
// reply tuple (the same client port reused) is forgotten first, a
// masqueraded TCP or UDP one holds its node port, and every ctSweepEvery
// new entries the expired ones are swept (before e goes in: it has no
// expiry until its first refresh).
func (n *Node) track(e *conn, now time.Duration) {
	t := &n.nat
	if t.added++; t.added >= ctSweepEvery {
		n.sweep(now)
	}
	if t.byOrig == nil {
		t.byOrig, t.byReply = map[tuple]*conn{}, map[tuple]*conn{}
	}
	if o := t.byReply[e.reply]; o != nil {
		n.forget(o)
	}
	t.byOrig[e.orig], t.byReply[e.reply] = e, e
	if e.masq && e.orig.proto != frame.ProtoICMP {
		if t.viaPorts == nil {
			t.viaPorts = map[uint16]int{}
		}
		t.viaPorts[e.via.Port()]++
	}
}

// forget removes a conntrack entry.
func (n *Node) forget(e *conn) {
	delete(n.nat.byOrig, e.orig)
	delete(n.nat.byReply, e.reply)
	if e.masq && e.orig.proto != frame.ProtoICMP {
		if n.nat.viaPorts[e.via.Port()]--; n.nat.viaPorts[e.via.Port()] <= 0 {
			delete(n.nat.viaPorts, e.via.Port())
		}
	}
}

// sweep removes expired entries (order-independent deletion).
func (n *Node) sweep(now time.Duration) {
	n.nat.added = 0
	for _, e := range n.nat.byOrig {
		if e.expires <= now {
			n.forget(e)
		}
	}
}

// rewrite sets the destination (or, for src, the source) address and port
// of ip, an unfragmented TCP or UDP packet, updating the IPv4 header
// checksum and the transport checksum incrementally (RFC 1624).
func rewrite(ip frame.IPv4, to netip.AddrPort, src bool) {
	old := ip.Dst()
	if src {
		old = ip.Src()
	}
	if old != to.Addr() {
		if src {
			ip.SetSrcWithChecksum(to.Addr())
		} else {
			ip.SetDstWithChecksum(to.Addr())
		}
	}
	l4 := ip.Payload()
	switch ip.Protocol() {
	case frame.ProtoTCP:
		t := frame.TCP(l4)
		t.UpdateChecksumForAddr(old, to.Addr())
		if src {
			t.SetSrcPortWithChecksum(to.Port())
		} else {
			t.SetDstPortWithChecksum(to.Port())
		}
	case frame.ProtoUDP:
		u := frame.UDP(l4)
		u.UpdateChecksumForAddr(old, to.Addr())
		if src {
			u.SetSrcPortWithChecksum(to.Port())
		} else {
			u.SetDstPortWithChecksum(to.Port())
		}
	case frame.ProtoICMP:
		// No pseudo-header: only the echo identifier changes the sum.
		if m := frame.ICMP(l4); m.ID() != to.Port() {
			m.SetIDWithChecksum(to.Port())
		}
	}
}
