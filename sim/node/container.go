package node

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/vswitch/vswitch/dnsd"
	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/resolv"
	"github.com/vswitch/vswitch/sim/tcp"
	vswitch "github.com/vswitch/vswitch/switch"
)

// Container is a sandbox's network namespace in the simulator: its stack,
// TCP, and stub resolver. Containers in host mode share the node's stack,
// and containers started with --network container:NAME share NAME's.
//
// The fields are the namespace's tools; Resolver is replaced when the
// container's resolv.conf changes (a first user-defined network joined at
// run time switches it to the embedded DNS), so read it at each use. A
// Container is not safe for concurrent use.
type Container struct {
	// Host is the namespace's IPv4 stack.
	Host *host.Host
	// TCP is the namespace's TCP stack.
	TCP *tcp.Stack
	// Resolver is the stub resolver configured by ResolvConf.
	Resolver *resolv.Resolver

	node   *Node
	sb     *network.Sandbox
	owner  *Container // the namespace's owner when shared; nil if own
	dnsCfg []netip.Addr
	ifaces []*iface // join order
	nextIf int

	embedded  bool // resolv.conf points at 127.0.0.11
	listening bool // the 127.0.0.11 listeners are up
	// own53UDP and own53TCP are the container's own DNS service on port
	// 53, served for its other addresses by the embedded listeners.
	own53UDP   func(from, to netip.AddrPort, data []byte)
	own53TCP   func(*tcp.Conn)
	resolvConf string
	removed    bool
}

// iface is one endpoint's interface in a container.
type iface struct {
	ep    *network.Endpoint
	nw    *network.Network
	nic   *host.NIC
	link  *sim.Link
	plane *plane
	port  vswitch.PortID
}

// Interface describes a container's interface for display and tests.
type Interface struct {
	Name    string // eth0, eth1, ...
	Network string
	MAC     frame.MAC
	Addr    netip.Prefix
	MTU     int
}

// Name returns the container's name.
func (c *Container) Name() string { return c.sb.Name() }

// ID returns the container's 64-hex-digit ID.
func (c *Container) ID() string { return c.sb.ID() }

// Sandbox returns the container's model in the controller.
func (c *Container) Sandbox() *network.Sandbox { return c.sb }

// Removed reports whether the container was removed (docker rm -f).
func (c *Container) Removed() bool { return c.removed }

// ResolvConf returns the container's /etc/resolv.conf as Docker writes
// it.
func (c *Container) ResolvConf() string { return c.root().resolvConf }

// EmbeddedDNS reports whether the container's resolver is the embedded
// DNS at 127.0.0.11.
func (c *Container) EmbeddedDNS() bool { return c.root().embedded }

// Interfaces returns the container's live interfaces in the order their
// networks were joined.
func (c *Container) Interfaces() []Interface {
	r := c.root()
	out := make([]Interface, 0, len(r.ifaces))
	for _, f := range r.ifaces {
		out = append(out, Interface{Name: f.nic.Name(), Network: f.nw.Name(), MAC: f.nic.MAC(), Addr: f.ep.Address(), MTU: f.nic.MTU()})
	}
	return out
}

// NIC returns the container's interface on a network (name or ID).
func (c *Container) NIC(network string) (*host.NIC, bool) {
	nw, err := c.node.ctl.FindNetwork(network)
	if err != nil {
		return nil, false
	}
	for _, f := range c.root().ifaces {
		if f.nw == nw {
			return f.nic, true
		}
	}
	return nil, false
}

// IP returns the container's address on a network (name or ID).
func (c *Container) IP(network string) (netip.Addr, bool) {
	nw, err := c.node.ctl.FindNetwork(network)
	if err != nil {
		return netip.Addr{}, false
	}
	for _, f := range c.root().ifaces {
		if f.nw == nw {
			return f.ep.IP(), true
		}
	}
	return netip.Addr{}, false
}

// root returns the container that owns the namespace.
func (c *Container) root() *Container {
	if c.owner != nil {
		return c.owner
	}
	return c
}

// newContainer builds the namespace of a new sandbox. Its endpoints are
// joined afterwards, one EndpointJoined at a time.
func (n *Node) newContainer(sb *network.Sandbox) *Container {
	c := &Container{node: n, sb: sb, dnsCfg: sb.DNS()}
	switch {
	case sb.SharesNetnsWith() != nil:
		if o := n.bySandbox[sb.SharesNetnsWith()]; o != nil {
			c.owner = o.root()
			c.Host, c.TCP, c.Resolver = c.owner.Host, c.owner.TCP, c.owner.Resolver
			return c
		}
		fallthrough // the owner is unknown to the node: give it a namespace
	case !sb.HostMode():
		c.Host = host.New(n.loop, sb.Name())
		c.TCP = tcp.NewStack(c.Host)
		_ = n.dns.SetSandbox(sb.ID(), n.sandboxDNS(sb))
		c.configureResolver(false)
	default:
		// Host mode: the node's own stack, and its resolv.conf with the
		// container's overrides.
		c.Host, c.TCP = n.host, n.tcp
		c.configureResolver(false)
	}
	return c
}

// join builds an endpoint's interface: a NIC with the endpoint's MAC, MTU
// and address, linked to a new port of the network's switch. Endpoints of
// user-defined networks are registered with the embedded DNS, and the
// first of them starts it in the container.
func (c *Container) join(ep *network.Endpoint) {
	n, nw := c.node, ep.Network()
	if c.owner != nil || c.sb.HostMode() || !ep.Address().IsValid() {
		return // no interfaces of its own, or none at all
	}
	if p := n.planeByID[nw.ID()]; p != nil {
		ifname := "eth" + itoa(c.nextIf)
		c.nextIf++
		nic := c.Host.AddNIC(ifname, ep.MAC(), ep.MTU())
		link := sim.NewLink(n.loop, n.name+"/"+c.sb.Name()+"."+ifname+"<->"+n.name+"/"+p.bridge+"."+c.sb.Name(), sim.LinkConfig{Latency: VethLatency})
		nic.ConnectLink(link.A())
		f := &iface{ep: ep, nw: nw, nic: nic, link: link, plane: p}
		f.port = p.addPort(c.sb.Name(), ep.MTU(), link.B())
		c.ifaces = append(c.ifaces, f)
		if len(c.ifaces) == 1 {
			c.TCP.SetMTU(nic.MTU())
		}
		// The address last, so that its gratuitous ARP (Docker 28 sends
		// one for its random MACs) reaches the switch.
		_ = nic.AddAddr(ep.Address())
		c.setDefaultRoute()
	}
	if nw.EmbeddedDNS() {
		_ = n.dns.AddEndpoint(dnsEndpoint(ep))
		if !c.embedded {
			// libnetwork starts the resolver when the first endpoint
			// that needs it joins, and rewrites resolv.conf.
			c.configureResolver(true)
		}
		c.listen()
	}
}

// leave takes an endpoint's interface away: the link goes down, the
// address leaves the NIC and the switch port goes. The resolver stays, as
// in Docker: resolv.conf keeps pointing at 127.0.0.11.
func (c *Container) leave(ep *network.Endpoint) {
	if c.owner != nil || c.sb.HostMode() {
		return
	}
	c.node.unpublishAddr(c, ep.IP())
	if ep.Network().EmbeddedDNS() {
		_ = c.node.dns.RemoveEndpoint(c.sb.ID(), ep.Network().Name())
	}
	i := slices.IndexFunc(c.ifaces, func(f *iface) bool { return f.ep == ep })
	if i < 0 {
		return
	}
	f := c.ifaces[i]
	c.ifaces = slices.Delete(c.ifaces, i, i+1)
	f.link.SetUp(false)
	_ = f.nic.RemoveAddr(ep.Address())
	f.plane.removePort(f.port, f.link.B())
	c.setDefaultRoute()
}

// setDefaultRoute points the default route at the gateway libnetwork
// would pick (Endpoint.Less, no --gw-priority): not an internal network,
// a network with a gateway, then the network name in byte order.
func (c *Container) setDefaultRoute() {
	var best *iface
	for _, f := range c.ifaces {
		if f.nw.Internal() || !f.ep.Gateway().IsValid() {
			continue
		}
		if best == nil || f.nw.Name() < best.nw.Name() {
			best = f
		}
	}
	if best == nil {
		c.Host.SetGateway(netip.Addr{})
		return
	}
	c.Host.SetGateway(best.ep.Gateway())
}

// dnsClient returns how the embedded DNS knows the container: the network
// and address of its first endpoint with embedded DNS, or the zero Client
// (which the server refuses) when none is left.
func (c *Container) dnsClient(tcp bool) dnsd.Client {
	for _, ep := range c.sb.Endpoints() {
		if ep.Network().EmbeddedDNS() && ep.IP().IsValid() {
			return dnsd.Client{Network: ep.Network().Name(), Addr: ep.IP(), TCP: tcp}
		}
	}
	return dnsd.Client{TCP: tcp}
}

// hasDNSOption reports whether the options set name (ndots, timeout...).
func hasDNSOption(opts []string, name string) bool {
	for _, o := range splitFields(opts) {
		if k, _, _ := strings.Cut(o, ":"); k == name {
			return true
		}
	}
	return false
}
