package node

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	vswitch "github.com/vswitch/vswitch/switch"
)

// plane is the data plane of one bridge network: its switch and the
// node's gateway NIC on it.
type plane struct {
	n        *Node
	nw       *network.Network
	name     string // the network's name
	bridge   string // docker0, br-<id>
	internal bool
	icc      bool // com.docker.network.bridge.enable_icc (default true)
	masq     bool // com.docker.network.bridge.enable_ip_masquerade (default true)
	subnets  []netip.Prefix
	br       *vswitch.Bridge
	where    []string // trace location per port ID
	gw       *host.NIC
	gwAddrs  []netip.Prefix
	gwLink   *sim.Link
	gwPort   vswitch.PortID
}

// VethLatency is the one-way delay of each veth pair (a container's, and
// the gateway's into its bridge): what a veth and a Linux bridge cost on a
// typical host, so that a ping between two containers shows about 0.08 ms
// as it does there, not 0.000.
const VethLatency = 20 * time.Microsecond

// portRecv delivers frames arriving from a link into a bridge port.
type portRecv struct {
	p  *plane
	id vswitch.PortID
}

func (r *portRecv) Receive(f []byte) {
	p := r.p
	if !p.icc && r.id != p.gwPort && containerToContainer(f, p.gw.MAC()) {
		p.n.drop(dropICC, f)
		return
	}
	p.br.Advance(p.n.loop.Now())
	p.br.Input(r.id, f)
}

// containerToContainer reports whether f is a unicast IPv4 frame that the
// switch would carry from one container to another, not to the gateway:
// what Docker's "-i br -o br -j DROP" rule drops when ICC is off. ARP and
// broadcasts still pass, as they are not routed IPv4 unicast.
func containerToContainer(f []byte, gw frame.MAC) bool {
	if len(f) < frame.EthernetLen {
		return false
	}
	eth := frame.Ethernet(f)
	dst := eth.Dst()
	return eth.RawType() == frame.TypeIPv4 && !dst.IsMulticast() && dst != gw
}

// gwIngress sits between the gateway's link and the gateway NIC: it drops
// what Docker's FORWARD rules drop before the node routes it.
type gwIngress struct {
	p   *plane
	nic *host.NIC
}

func (g *gwIngress) Receive(f []byte) {
	if r, drop := g.p.n.ingressVerdict(g.p, g.nic, f); drop {
		g.p.n.drop(r, f)
		return
	}
	g.nic.Receive(f)
}

// gwEgress is the gateway NIC's transmit side: packets the node forwards
// into an internal network are dropped.
type gwEgress struct {
	p   *plane
	end *sim.LinkEnd
}

func (g *gwEgress) Send(f []byte) {
	if g.p.internal && g.p.n.forwarded(f) {
		g.p.n.drop(dropInternal, f)
		return
	}
	g.end.Send(f)
}

// portMTU keeps a network's MTU within what a switch port accepts.
func portMTU(mtu int) int { return min(max(mtu, 0), vswitch.MaxMTU) }

// newPlane builds a bridge network: the switch, the gateway NIC on the
// node's host with the gateway addresses, and the link between them.
func (n *Node) newPlane(nw *network.Network) *plane {
	p := &plane{
		n:        n,
		nw:       nw,
		name:     nw.Name(),
		bridge:   nw.BridgeName(),
		internal: nw.Internal(),
		icc:      true,
		masq:     !nw.Internal(),
		subnets:  nw.Subnets(),
	}
	if v, err := strconv.ParseBool(nw.Option(network.OptionEnableICC)); err == nil {
		p.icc = v
	}
	if v, err := strconv.ParseBool(nw.Option(network.OptionIPMasquerade)); err == nil && !nw.Internal() {
		p.masq = v
	}
	cfg := vswitch.DefaultConfig()
	cfg.Name = p.bridge
	cfg.MAC = nw.GatewayMAC()
	cfg.FDBLimit = 0 // Linux bridges learn without a cap
	cfg.Now = n.loop.Now
	cfg.OnDrop = func(id vswitch.PortID, r vswitch.DropReason, f []byte) {
		where := "switch " + n.name + "/" + p.bridge
		if int(id) >= 0 && int(id) < len(p.where) && p.where[id] != "" {
			where = p.where[id]
		}
		n.loop.Trace().Record(sim.Event{Time: n.loop.Now(), Where: where, What: "drop", Why: r.String(), Len: len(f), Frame: f})
	}
	p.br = vswitch.New(cfg)

	nicName := uniqueNIC(n.host, p.bridge)
	p.gw = n.host.AddNIC(nicName, nw.GatewayMAC(), nw.MTU())
	p.gwLink = sim.NewLink(n.loop, n.name+"/"+nicName+"<->"+n.name+"/"+p.bridge+".gw", sim.LinkConfig{Latency: VethLatency})
	a, b := p.gwLink.A(), p.gwLink.B()
	p.gw.Connect(&gwEgress{p: p, end: a})
	a.Attach(&gwIngress{p: p, nic: p.gw})
	a.OnCarrier(p.gw.SetCarrier)
	p.gwPort = p.addPort(p.bridge, nw.MTU(), b)
	// Address last: the gratuitous ARP announcing it finds the port.
	for _, g := range nw.Gateways() {
		if err := p.gw.AddAddr(g); err == nil {
			p.gwAddrs = append(p.gwAddrs, g)
		}
	}
	return p
}

// addPort connects a link end to a new switch port named name (or a
// variant if the name is taken) and returns its ID.
func (p *plane) addPort(name string, mtu int, end *sim.LinkEnd) vswitch.PortID {
	pc := vswitch.PortConfig{Name: name, MTU: portMTU(mtu)}
	id, err := p.br.AddPort(pc, end)
	for i := 2; err != nil; i++ {
		// Only a name clash can fail here: the config is valid.
		pc.Name = name + "~" + itoa(i)
		id, err = p.br.AddPort(pc, end)
	}
	end.Attach(&portRecv{p: p, id: id})
	for len(p.where) <= int(id) {
		p.where = append(p.where, "")
	}
	p.where[id] = "switch " + p.n.name + "/" + p.bridge + " port " + pc.Name
	return id
}

// removePort detaches a switch port from its link.
func (p *plane) removePort(id vswitch.PortID, end *sim.LinkEnd) {
	_ = p.br.RemovePort(id)
	end.Attach(nil)
	if int(id) < len(p.where) {
		p.where[id] = ""
	}
}

// destroy takes the network's gateway away: the link goes down, the
// addresses leave the node's NIC, and the switch is forgotten.
func (p *plane) destroy() {
	p.gwLink.SetUp(false)
	for _, g := range p.gwAddrs {
		_ = p.gw.RemoveAddr(g)
	}
	p.gwAddrs = nil
	p.removePort(p.gwPort, p.gwLink.B())
}

// contains reports whether a is in one of the network's subnets.
func (p *plane) contains(a netip.Addr) bool {
	for _, s := range p.subnets {
		if s.Contains(a) {
			return true
		}
	}
	return false
}

// isBroadcast reports whether a is the directed broadcast address of one of
// the network's subnets: the node delivers those locally, never forwards.
func (p *plane) isBroadcast(a netip.Addr) bool {
	for _, s := range p.subnets {
		if s.Bits() < 31 && s.Contains(a) {
			v := a.As4()
			host := uint32(1)<<(32-s.Bits()) - 1
			if (uint32(v[0])<<24|uint32(v[1])<<16|uint32(v[2])<<8|uint32(v[3]))&host == host {
				return true
			}
		}
	}
	return false
}

// planeOf returns the bridge network whose subnet holds a, the most
// specific one if several do.
func (n *Node) planeOf(a netip.Addr) *plane {
	var best *plane
	bits := -1
	for _, p := range n.planes {
		for _, s := range p.subnets {
			if s.Bits() > bits && s.Contains(a) {
				best, bits = p, s.Bits()
			}
		}
	}
	return best
}

// ingressVerdict decides whether a frame arriving at the gateway NIC of in
// may reach the node's stack. Only IPv4 unicast the node would forward is
// judged: what is addressed to the node itself (any of its addresses, as
// Docker's INPUT chain allows), ARP and broadcasts pass.
func (n *Node) ingressVerdict(in *plane, nic *host.NIC, f []byte) (reason, bool) {
	if len(f) < frame.EthernetLen+frame.IPv4MinLen {
		return 0, false
	}
	eth := frame.Ethernet(f)
	if eth.RawType() != frame.TypeIPv4 || eth.Dst() != nic.MAC() {
		return 0, false
	}
	ip := frame.IPv4(f[frame.EthernetLen:])
	if !ip.Valid() {
		return 0, false // the host counts it as malformed
	}
	dst := ip.Dst()
	if dst.IsMulticast() || n.host.HasAddr(dst) {
		return 0, false
	}
	out := n.planeOf(dst)
	if out == in || (out != nil && out.isBroadcast(dst)) {
		return 0, false
	}
	switch {
	case in.internal || (out != nil && out.internal):
		return dropInternal, true
	case out != nil:
		return dropIsolation, true
	}
	return 0, false
}

// forwarded reports whether f, sent by the node's host, is an IPv4 packet
// the node is routing for someone else rather than one of its own.
func (n *Node) forwarded(f []byte) bool {
	if len(f) < frame.EthernetLen+frame.IPv4MinLen || frame.Ethernet(f).RawType() != frame.TypeIPv4 {
		return false
	}
	ip := frame.IPv4(f[frame.EthernetLen:])
	return ip.Valid() && !n.host.HasAddr(ip.Src())
}

// itoa formats a small non-negative integer without fmt.
func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	k := len(b)
	for i > 0 {
		k--
		b[k] = byte('0' + i%10)
		i /= 10
	}
	return string(b[k:])
}
