package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/vswitch/vswitch/dnsd"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/resolv"
	"github.com/vswitch/vswitch/sim/tcp"
)

// EmbeddedDNSAddr is where the embedded DNS listens in every container on
// a user-defined network.
var EmbeddedDNSAddr = netip.AddrFrom4([4]byte{127, 0, 0, 11})

// errUpstreamClosed is reported when an upstream closes its TCP connection
// before answering.
var errUpstreamClosed = errors.New("node: upstream closed the connection before answering")

// sandboxDNS is what the embedded DNS needs to know of a sandbox.
func (n *Node) sandboxDNS(sb *network.Sandbox) dnsd.SandboxConfig {
	cfg := dnsd.SandboxConfig{NdotsSet: hasDNSOption(sb.DNSOptions(), "ndots")}
	for _, a := range sb.DNS() {
		cfg.DNS = append(cfg.DNS, netip.AddrPortFrom(a, 53))
	}
	return cfg
}

// dnsEndpoint is an endpoint's registration with the embedded DNS: the
// names of Docker's buildEndpointDNSNames and the address.
func dnsEndpoint(ep *network.Endpoint) dnsd.Endpoint {
	sb := ep.Sandbox()
	return dnsd.Endpoint{
		Sandbox:  sb.ID(),
		Network:  ep.Network().Name(),
		Name:     sb.Name(),
		Aliases:  ep.Aliases(),
		ShortID:  sb.ShortID(),
		Hostname: sb.Hostname(),
		IPv4:     ep.IP(),
	}
}

// configureResolver writes the container's resolv.conf as Docker does and
// gives the container a stub resolver for it. With the embedded DNS:
// nameserver 127.0.0.11, the search list, and options ndots:0 unless the
// user set ndots. Without (default bridge, none): the node's nameservers
// with loopback ones removed, else 8.8.8.8 and 8.8.4.4. In host mode: the
// node's nameservers as they are. --dns, --dns-search and --dns-option
// override in each case.
func (c *Container) configureResolver(embedded bool) {
	n, sb := c.node, c.sb
	var servers []netip.Addr
	switch {
	case embedded:
		servers = []netip.Addr{EmbeddedDNSAddr}
	case len(c.dnsCfg) > 0:
		servers = c.dnsCfg
	case sb.HostMode():
		servers = n.upstream
	default:
		for _, a := range n.cfg.DNS {
			if !a.IsLoopback() {
				servers = append(servers, a)
			}
		}
		if len(servers) == 0 {
			servers = fallbackDNS
		}
	}
	search := sb.DNSSearch()
	if len(search) == 0 {
		search = n.cfg.Search
	}
	opts := sb.DNSOptions()
	if embedded && !hasDNSOption(opts, "ndots") {
		opts = append(opts, "ndots:0")
	}
	text, cfg := resolvConf(servers, search, opts)
	c.resolvConf = text
	c.embedded = embedded
	c.Resolver = resolv.New(c.Host, c.TCP, cfg)
	for _, s := range c.node.containers {
		if s.owner == c {
			s.Resolver = c.Resolver
		}
	}
}

// resolvConf writes resolv.conf text for the servers, search domains and
// options, and returns it with the configuration a glibc stub reads from
// it. Domains and options are split on white space, so that a value cannot
// add lines of its own; "." clears the search list, as in Docker. Domains
// glibc would reject are left out; options it cannot read are written but
// ignored, as glibc ignores them.
func resolvConf(servers []netip.Addr, search, opts []string) (string, resolv.Config) {
	var domains []string
	for _, d := range splitFields(search) {
		if d != "." && validConfLine("search "+d) {
			domains = append(domains, d)
		}
	}
	opts = splitFields(opts)
	var good []string
	for _, o := range opts {
		if validConfLine("options " + o) {
			good = append(good, o)
		}
	}
	cfg, err := resolv.ParseResolvConf(confText(servers, domains, good))
	if err != nil {
		// Every line was checked on its own; keep the servers regardless.
		cfg = resolv.Config{Nameservers: servers}
	}
	return confText(servers, domains, opts), cfg
}

// confText formats resolv.conf lines.
func confText(servers []netip.Addr, domains, opts []string) string {
	var b strings.Builder
	for _, a := range servers {
		b.WriteString("nameserver " + a.String() + "\n")
	}
	if len(domains) > 0 {
		b.WriteString("search " + strings.Join(domains, " ") + "\n")
	}
	if len(opts) > 0 {
		b.WriteString("options " + strings.Join(opts, " ") + "\n")
	}
	return b.String()
}

// splitFields splits every value on white space (and drops ';' and '#',
// which start comments in resolv.conf).
func splitFields(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, f := range strings.Fields(v) {
			if !strings.ContainsAny(f, "#;") {
				out = append(out, f)
			}
		}
	}
	return out
}

// validConfLine reports whether glibc-style parsing accepts one line.
func validConfLine(line string) bool {
	_, err := resolv.ParseResolvConf(line)
	return err == nil
}

// listen starts the embedded DNS listeners on 127.0.0.11:53, UDP and TCP.
// The host stack has no per-address sockets, so these listeners own port
// 53 and pass what is addressed elsewhere to the container's own DNS
// service, if it runs one (Docker reaches its resolver through DNAT, so
// the container's port 53 stays its own).
func (c *Container) listen() {
	if c.listening {
		return
	}
	c.listening = true
	_ = c.Host.ListenUDP(53, c.serveUDP)
	_ = c.TCP.Listen(53, c.acceptTCP)
}

// serveUDP answers one query that arrived over UDP.
func (c *Container) serveUDP(from, to netip.AddrPort, data []byte) {
	n := c.node
	if to.Addr() != EmbeddedDNSAddr {
		if c.own53UDP != nil {
			c.own53UDP(from, to, data)
			return
		}
		n.drop(dropDNSAddr, nil)
		return
	}
	buf := n.getBuf()
	prev := n.exchCtx
	n.exchCtx = c
	n.dns.ServeWire(data, c.dnsClient(false), buf, func(ans []byte) {
		if ans != nil {
			_ = c.Host.SendUDP(to, from, ans)
		}
		n.putBuf(buf)
	})
	n.exchCtx = prev
}

// acceptTCP serves queries on a TCP connection to 127.0.0.11:53, each
// message with its 2-byte length prefix (RFC 1035 4.2.2).
func (c *Container) acceptTCP(conn *tcp.Conn) {
	n := c.node
	if conn.LocalAddr().Addr() != EmbeddedDNSAddr {
		if c.own53TCP != nil {
			c.own53TCP(conn)
			return
		}
		n.drop(dropDNSAddr, nil)
		conn.Abort()
		return
	}
	var buf []byte
	conn.OnData(func(b []byte) {
		buf = splitDNSStream(append(buf, b...), func(q []byte) {
			prev := n.exchCtx
			n.exchCtx = c
			n.dns.ServeWire(q, c.dnsClient(true), nil, func(ans []byte) {
				if ans != nil {
					_, _ = conn.Write(frameDNS(ans))
				}
			})
			n.exchCtx = prev
		})
	})
	conn.OnClose(func(err error) {
		if err == nil {
			conn.Close()
		}
	})
}

// splitDNSStream calls fn for each complete message of a DNS-over-TCP
// stream (RFC 1035 4.2.2: a 2-byte length, then the message) at the start
// of buf, and returns the incomplete rest. msg is borrowed for the call.
func splitDNSStream(buf []byte, fn func(msg []byte)) []byte {
	for len(buf) >= 2 {
		l := int(binary.BigEndian.Uint16(buf))
		if len(buf) < 2+l {
			break
		}
		fn(buf[2 : 2+l])
		buf = buf[2+l:]
	}
	return buf
}

// frameDNS returns msg with its 2-byte length prefix, for TCP.
func frameDNS(msg []byte) []byte {
	out := make([]byte, 2+len(msg))
	binary.BigEndian.PutUint16(out, uint16(len(msg)))
	copy(out[2:], msg)
	return out
}

// exchanger is the embedded DNS's upstream transport: real DNS messages
// over the simulated network. A sandbox's --dns servers are asked from the
// sandbox's namespace, the node's servers from the node's host (Docker
// does the same, so that a loopback resolver on the host works).
type exchanger struct{ n *Node }

var _ dnsd.Exchanger = (*exchanger)(nil)

// Exchange sends q to up over UDP, asks again over TCP when the answer is
// truncated, and calls done once, from a loop event, with the answer or
// an error (dnsd.ErrTimeout after timeout).
func (x *exchanger) Exchange(q *dns.Msg, up netip.AddrPort, timeout time.Duration, done func(*dns.Msg, error)) {
	n := x.n
	e := &exchange{n: n, ctx: n.exchCtx, h: n.host, st: n.tcp, up: up, id: q.Id, done: done}
	if c := e.ctx; c != nil && len(c.root().dnsCfg) > 0 {
		e.h, e.st = c.root().Host, c.root().TCP
	}
	e.deadline = n.loop.Now() + timeout
	e.timer = n.loop.NewTimer(func() { e.finish(nil, dnsd.ErrTimeout) })
	e.timer.Reset(timeout)
	wire, err := q.Pack()
	if err != nil {
		e.finish(nil, err)
		return
	}
	e.wire = wire
	e.port = e.h.EphemeralPort()
	if err := e.h.ListenUDP(e.port, e.udpReply); err != nil {
		e.port = 0
		e.finish(nil, err)
		return
	}
	if err := e.h.SendUDP(netip.AddrPortFrom(netip.Addr{}, e.port), up, wire); err != nil {
		e.finish(nil, err)
	}
}

// exchange is one upstream query in flight.
type exchange struct {
	n        *Node
	ctx      *Container // whose query it is, restored around done
	h        *host.Host
	st       *tcp.Stack
	up       netip.AddrPort
	id       uint16
	wire     []byte
	port     uint16 // the UDP port listened on, 0 when closed
	conn     *tcp.Conn
	deadline time.Duration
	timer    *sim.Timer
	done     func(*dns.Msg, error)
	ended    bool
}

// reply parses an upstream's message and checks that it answers the query.
func (e *exchange) reply(b []byte) (*dns.Msg, bool) {
	m := new(dns.Msg)
	if err := m.Unpack(b); err != nil || !m.Response || m.Id != e.id {
		return nil, false
	}
	return m, true
}

func (e *exchange) udpReply(from, _ netip.AddrPort, b []byte) {
	if e.ended || from != e.up {
		return
	}
	m, ok := e.reply(b)
	if !ok {
		return
	}
	if m.Truncated && e.st != nil {
		e.overTCP()
		return
	}
	e.finish(m, nil)
}

// overTCP asks the same upstream again over TCP within what is left of the
// timeout.
func (e *exchange) overTCP() {
	e.h.CloseUDP(e.port)
	e.port = 0
	left := e.deadline - e.n.loop.Now()
	if left <= 0 {
		e.finish(nil, dnsd.ErrTimeout)
		return
	}
	e.st.Dial(e.up, tcp.DialOptions{Timeout: left}, func(conn *tcp.Conn, err error) {
		if e.ended {
			if conn != nil {
				conn.Abort()
			}
			return
		}
		if err != nil {
			e.finish(nil, err)
			return
		}
		e.conn = conn
		var buf []byte
		conn.OnData(func(b []byte) {
			buf = splitDNSStream(append(buf, b...), func(msg []byte) {
				if m, ok := e.reply(msg); ok {
					e.finish(m, nil)
				}
			})
		})
		conn.OnClose(func(error) { e.finish(nil, errUpstreamClosed) })
		_, _ = conn.Write(frameDNS(e.wire))
	})
}

// finish ends the exchange once and reports from a fresh loop event, with
// the querying container restored as the exchanger's context so that a
// failover to the next upstream leaves from the same namespace.
func (e *exchange) finish(m *dns.Msg, err error) {
	if e.ended {
		return
	}
	e.ended = true
	e.timer.Stop()
	if e.port != 0 {
		e.h.CloseUDP(e.port)
		e.port = 0
	}
	if e.conn != nil {
		e.conn.Close()
	}
	n := e.n
	n.loop.After(0, func() {
		prev := n.exchCtx
		n.exchCtx = e.ctx
		e.done(m, err)
		n.exchCtx = prev
	})
}

// port53 lets a service in the container listen on port 53 next to the
// embedded DNS: it takes the queries to the container's own addresses.
// Other ports go to the container's stacks as usual.
type port53 struct{ c *Container }

func (p port53) Loop() *sim.Loop       { return p.c.Host.Loop() }
func (p port53) EphemeralPort() uint16 { return p.c.Host.EphemeralPort() }
func (p port53) CloseUDP(port uint16)  { p.c.Host.CloseUDP(port) }
func (p port53) SendUDP(from, to netip.AddrPort, data []byte) error {
	return p.c.Host.SendUDP(from, to, data)
}

func (p port53) ListenUDP(port uint16, fn func(from, to netip.AddrPort, data []byte)) error {
	if port != 53 || !p.c.listening {
		return p.c.Host.ListenUDP(port, fn)
	}
	if p.c.own53UDP != nil {
		return fmt.Errorf("listen udp/53: %w", host.ErrAddrInUse)
	}
	p.c.own53UDP = fn
	return nil
}

func (p port53) Listen(port uint16, accept func(*tcp.Conn)) error {
	if port != 53 || !p.c.listening {
		return p.c.TCP.Listen(port, accept)
	}
	if p.c.own53TCP != nil {
		return fmt.Errorf("listen tcp/53: %w", tcp.ErrPortInUse)
	}
	p.c.own53TCP = accept
	return nil
}
