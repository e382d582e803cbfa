package scenario

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/resolv"
	"github.com/vswitch/vswitch/sim/tcp"
	vswitch "github.com/vswitch/vswitch/switch"
	"github.com/vswitch/vswitch/switch/stp"
)

// stpTick is how often the runner advances STP-enabled bridges when no
// frame does: finer than the 1 s resolution of 802.1D timers.
const stpTick = 100 * time.Millisecond

// world is a scenario's topology built in a simulator loop.
type world struct {
	s        *Scenario
	loop     *sim.Loop
	switches map[string]*swNode
	hosts    map[string]*hostNode
	links    map[*Link]*sim.Link
	linkOf   map[string]*sim.Link    // by endpoint "dev.iface" and by link name
	endOf    map[string]*sim.LinkEnd // by endpoint "dev.iface"
	portBW   map[string]int64        // a linked switch port's link bandwidth, by "sw.port"

	props         map[*Link]LinkProps  // current impairments: link set steps change them
	upTimers      map[*Link]*sim.Timer // pending "back up" of link down steps with for
	docker        *dockerWorld         // nil in pure L2 labs
	clientSpecs   []*Client
	underlayLinks []*sim.Link
}

// hostKind says what a step's source is, which decides how it resolves
// names (see "Targets" in docs/scenarios.md).
type hostKind uint8

const (
	kindL2        hostKind = iota // an L2-lab host: names are hosts
	kindClient                    // a machine on the underlay: names are nodes
	kindContainer                 // a container: names go to its resolver
	kindNode                      // a Docker host's own stack: names are nodes
)

type swNode struct {
	name  string
	b     *vswitch.Bridge
	ports map[string]vswitch.PortID
	where []string // trace location per port ID
}

type hostNode struct {
	name     string
	kind     hostKind
	h        *host.Host
	tcp      *tcp.Stack
	resolver *resolv.Resolver // nil without dns settings
	svc      *services
}

// swPort delivers frames arriving from a link into a bridge port.
type swPort struct {
	sw   *swNode
	id   vswitch.PortID
	loop *sim.Loop
}

func (p *swPort) Receive(f []byte) {
	p.sw.b.Advance(p.loop.Now())
	p.sw.b.Input(p.id, f)
}

// downPort is the Port of a switch port no link names: it has no carrier.
type downPort struct{}

func (downPort) Send([]byte) {}

// buildWorld creates the switches, hosts and links; configure then sets
// addresses and starts services, so that captures attached in between see
// everything from the first gratuitous ARP on.
func buildWorld(s *Scenario, loop *sim.Loop) (*world, error) {
	w := &world{
		s: s, loop: loop,
		switches: map[string]*swNode{},
		hosts:    map[string]*hostNode{},
		links:    map[*Link]*sim.Link{},
		linkOf:   map[string]*sim.Link{},
		endOf:    map[string]*sim.LinkEnd{},
		portBW:   map[string]int64{},
		props:    map[*Link]LinkProps{},
		upTimers: map[*Link]*sim.Timer{},
	}
	for _, sw := range s.Switches {
		w.switches[sw.Name] = w.newSwitch(sw)
	}
	for _, hs := range s.Hosts {
		hn := &hostNode{name: hs.Name, h: host.New(loop, hs.Name)}
		for _, ifc := range hs.Interfaces {
			hn.h.AddNIC(ifc.Name, ifc.MAC, ifc.MTU)
		}
		hn.h.SetForwarding(hs.Forward)
		w.hosts[hs.Name] = hn
	}
	// Cables first, so that the gratuitous ARPs sent when addresses are
	// set reach the network.
	for _, l := range s.Links {
		if err := w.addLink(l); err != nil {
			return nil, err
		}
	}
	// Then the switch ports, in the order of each switch's Ports: the
	// declared ones in file order, then those only a link names, in link
	// order. The order gives the port IDs, which STP compares.
	for _, sw := range s.Switches {
		if err := w.addPorts(sw); err != nil {
			return nil, err
		}
	}
	if err := w.buildDocker(); err != nil {
		return nil, err
	}
	return w, nil
}

// configure brings the world up: unlinked ports, STP timers, addresses
// (with their gratuitous ARPs), routes and services.
func (w *world) configure() error {
	s := w.s
	for _, sw := range s.Switches {
		if err := w.finishSwitch(sw); err != nil {
			return err
		}
	}
	for _, hs := range s.Hosts {
		if err := w.configureHost(hs); err != nil {
			return err
		}
	}
	return w.configureDocker()
}

func (w *world) newSwitch(sw *Switch) *swNode {
	n := &swNode{name: sw.Name, ports: map[string]vswitch.PortID{}}
	cfg := vswitch.Config{
		Name:        sw.Name,
		MAC:         DeriveMAC(w.s.Seed, "switch/"+sw.Name, "", 0),
		AgingTime:   sw.Aging,
		FDBLimit:    sw.FDBLimit,
		ARPSuppress: sw.ARPSuppress,
		Now:         w.loop.Now,
		OnDrop: func(id vswitch.PortID, r vswitch.DropReason, f []byte) {
			where := "switch " + sw.Name
			if int(id) >= 0 && int(id) < len(n.where) {
				where = n.where[id]
			}
			w.loop.Trace().Record(sim.Event{Time: w.loop.Now(), Where: where, What: "drop", Why: r.String(), Len: len(f), Frame: f})
		},
	}
	if sw.STP != nil {
		cfg.STP = &stp.Config{
			Priority:     uint16(sw.STP.Priority),
			HelloTime:    sw.STP.HelloTime,
			MaxAge:       sw.STP.MaxAge,
			ForwardDelay: sw.STP.ForwardDelay,
		}
	}
	n.b = vswitch.New(cfg)
	return n
}

func portConfig(p *Port, bandwidth int64) vswitch.PortConfig {
	prio := uint8(p.Priority)
	pc := vswitch.PortConfig{Name: p.Name, STPPriority: &prio, PathCost: uint32(p.Cost)}
	if p.IsTrunk() {
		pc.Mode = vswitch.Trunk
		pc.Native = uint16(p.Native)
		for _, v := range p.Trunk {
			pc.Allowed = append(pc.Allowed, uint16(v))
		}
	} else {
		pc.PVID = uint16(p.VLAN)
	}
	if pc.PathCost == 0 {
		pc.PathCost = stp.DefaultPathCost(bandwidth)
	}
	// The switch's own MTU check is the jumbo maximum: links enforce theirs.
	pc.MTU = vswitch.MaxMTU
	return pc
}

func (w *world) addPort(sw *swNode, p *Port, port vswitch.Port, bandwidth int64) (vswitch.PortID, error) {
	id, err := sw.b.AddPort(portConfig(p, bandwidth), port)
	if err != nil {
		return 0, fmt.Errorf("switch %s port %s: %w", sw.name, p.Name, err)
	}
	sw.ports[p.Name] = id
	for len(sw.where) <= int(id) {
		sw.where = append(sw.where, "")
	}
	sw.where[id] = "switch " + sw.name + " port " + p.Name
	return id, nil
}

// addPorts creates sw's ports in the order of sw.Ports, each attached to
// its link's end; a declared port no link names gets a downPort.
func (w *world) addPorts(sw *Switch) error {
	n := w.switches[sw.Name]
	for _, p := range sw.Ports {
		key := sw.Name + "." + p.Name
		end := w.endOf[key]
		if end == nil {
			if _, err := w.addPort(n, p, downPort{}, 0); err != nil {
				return err
			}
			continue
		}
		id, err := w.addPort(n, p, end, w.portBW[key])
		if err != nil {
			return err
		}
		end.Attach(&swPort{sw: n, id: id, loop: w.loop})
		end.OnCarrier(func(up bool) {
			n.b.Advance(w.loop.Now())
			n.b.SetPortUp(id, up)
		})
	}
	for ep := range w.portBW {
		if dev, port, _ := strings.Cut(ep, "."); dev == sw.Name {
			if _, ok := n.ports[port]; !ok {
				return fmt.Errorf("switch %s: linked port %s was never declared", sw.Name, port)
			}
		}
	}
	return nil
}

// finishSwitch takes down the declared ports no link names (they have no
// carrier) and starts the STP timers.
func (w *world) finishSwitch(sw *Switch) error {
	n := w.switches[sw.Name]
	for _, p := range sw.Ports {
		if w.endOf[sw.Name+"."+p.Name] != nil {
			continue
		}
		if err := n.b.SetPortUp(n.ports[p.Name], false); err != nil {
			return err
		}
	}
	if sw.STP != nil {
		b := n.b
		var tick func()
		tick = func() {
			b.Advance(w.loop.Now())
			w.loop.After(stpTick, tick)
		}
		w.loop.At(0, tick)
	}
	return nil
}

func linkConfig(p LinkProps) sim.LinkConfig {
	c := sim.LinkConfig{
		Latency:   p.Latency,
		Jitter:    p.Jitter,
		Loss:      float64(p.Loss.Random),
		Bandwidth: int64(p.Bandwidth),
		QueueLen:  p.Queue,
		MTU:       p.MTU,
		Duplicate: float64(p.Duplicate),
		Reorder:   float64(p.Reorder),
	}
	if g := p.Loss.Burst; g != nil {
		c.Burst = &sim.GilbertElliott{P: float64(g.P), R: float64(g.R), LossGood: float64(g.GoodLoss), LossBad: float64(g.BadLoss)}
	}
	return c
}

func (w *world) addLink(l *Link) error {
	cfg := linkConfig(l.LinkProps)
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("link %s: %w", l, err)
	}
	k := sim.NewLink(w.loop, l.String(), cfg)
	w.links[l] = k
	w.props[l] = l.LinkProps
	w.linkOf[l.A.String()] = k
	w.linkOf[l.B.String()] = k
	if l.Name != "" {
		w.linkOf[l.Name] = k
	}
	for i, ep := range []Endpoint{l.A, l.B} {
		end := k.A()
		if i == 1 {
			end = k.B()
		}
		w.endOf[ep.String()] = end
		switch ep.Kind {
		case EndpointHost:
			nic := w.hosts[ep.Device].h.NIC(ep.Iface)
			if nic == nil {
				return fmt.Errorf("link %s: host %s has no interface %s", l, ep.Device, ep.Iface)
			}
			nic.ConnectLink(end)
		case EndpointSwitch:
			// The port is created by addPorts, in the switch's order.
			w.portBW[ep.String()] = int64(l.Bandwidth)
		}
	}
	return nil
}

func (w *world) configureHost(hs *Host) error {
	hn := w.hosts[hs.Name]
	for _, ifc := range hs.Interfaces {
		if ifc.IP.IsValid() {
			if err := hn.h.NIC(ifc.Name).AddAddr(ifc.IP); err != nil {
				return fmt.Errorf("host %s %s: %w", hs.Name, ifc.Name, err)
			}
		}
	}
	if hs.Gateway.IsValid() {
		hn.h.SetGateway(hs.Gateway)
	}
	for _, r := range hs.Routes {
		if err := hn.h.AddRoute(r.To, r.Via); err != nil {
			return fmt.Errorf("host %s route %s: %w", hs.Name, r.To, err)
		}
	}
	hn.tcp = tcp.NewStack(hn.h)
	if hs.DNS != nil {
		hn.resolver = resolv.New(hn.h, hn.tcp, resolverConfig(hs.DNS))
	}
	svc, err := startServices(hn, hs.Services)
	if err != nil {
		return fmt.Errorf("host %s: %w", hs.Name, err)
	}
	hn.svc = svc
	return nil
}

// hostAddr returns the first address of an L2 host: how a host name is
// used as a target.
func (w *world) hostAddr(name string) (netip.Addr, bool) {
	hs := w.s.Host(name)
	if hs == nil {
		return netip.Addr{}, false
	}
	for _, ifc := range hs.Interfaces {
		if ifc.IP.IsValid() {
			return ifc.IP.Addr(), true
		}
	}
	return netip.Addr{}, false
}

// macOf resolves an FDB expectation's station to a MAC; a container's is
// its MAC on network.
func (w *world) macOf(e FDBEntry, network string) (frame.MAC, error) {
	switch {
	case e.HasMAC:
		return e.MAC, nil
	case e.Host != "":
		m, ok := w.s.MACOf(e.Host, e.Iface)
		if !ok {
			return frame.MAC{}, fmt.Errorf("no interface %s.%s", e.Host, e.Iface)
		}
		return m, nil
	}
	if _, n, ok := w.container(e.Container); ok {
		c, _ := n.Container(e.Container)
		if nic, ok := c.NIC(network); ok {
			return nic.MAC(), nil
		}
		return frame.MAC{}, fmt.Errorf("container %s is not on network %s", e.Container, network)
	}
	return frame.MAC{}, fmt.Errorf("no running container %q", e.Container)
}
