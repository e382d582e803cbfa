package scenario

import (
	"fmt"
	"net/netip"

	"github.com/vswitch/vswitch/dockercli"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/network/ipam"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/node"
	"github.com/vswitch/vswitch/sim/resolv"
	"github.com/vswitch/vswitch/sim/tcp"
	vswitch "github.com/vswitch/vswitch/switch"
)

// The Docker level: nodes (Docker hosts) and clients share an underlay, a
// plain switch; each node builds its own networks and containers.

// underlayName names the underlay switch in traces and captures.
const underlayName = "underlay"

type dockerWorld struct {
	nodes    []*node.Node // in file order
	byName   map[string]*node.Node
	underlay *swNode
	// containers caches the step-facing view of each container, by name.
	containers map[string]*hostNode
	// nodeHosts caches the step-facing view of each node's own stack.
	nodeHosts map[string]*hostNode
	envs      map[*node.Node]*dockercli.Env
	// fileServices are the services the file gives a container, which
	// replace those of its image.
	fileServices map[string][]node.Service
	serviceErr   error // a service that failed to start in an OnRun hook
	// served are the containers whose services were started: a stopped
	// container's namespace keeps its listeners (it has no interfaces, so
	// nothing reaches them), and docker start does not start them twice.
	served map[*network.Sandbox]bool
}

func (w *world) buildDocker() error {
	s := w.s
	if len(s.Nodes) == 0 && len(s.Clients) == 0 {
		return nil
	}
	d := &dockerWorld{
		byName:       map[string]*node.Node{},
		containers:   map[string]*hostNode{},
		nodeHosts:    map[string]*hostNode{},
		envs:         map[*node.Node]*dockercli.Env{},
		fileServices: map[string][]node.Service{},
		served:       map[*network.Sandbox]bool{},
	}
	w.docker = d
	d.underlay = &swNode{name: underlayName, ports: map[string]vswitch.PortID{}}
	cfg := vswitch.DefaultConfig()
	cfg.Name = underlayName
	cfg.MAC = DeriveMAC(s.Seed, "switch/"+underlayName, "", 0)
	cfg.Now = w.loop.Now
	d.underlay.b = vswitch.New(cfg)
	w.switches[underlayName] = d.underlay

	for _, ns := range s.Nodes {
		nc := node.Config{Name: ns.Name, Underlay: ns.Address, DNS: ns.DNS}
		for _, p := range ns.AddressPools {
			nc.Pools = append(nc.Pools, ipam.PoolSpec{Base: p.Base, Size: p.Size})
		}
		n, err := node.New(w.loop, nc)
		if err != nil {
			return fmt.Errorf("node %s: %w", ns.Name, err)
		}
		d.nodes = append(d.nodes, n)
		d.byName[ns.Name] = n
		if nic := n.Underlay(); nic != nil {
			if err := w.cable(d.underlay, ns.Name, nic); err != nil {
				return err
			}
		}
	}
	for _, c := range s.Clients {
		h := host.New(w.loop, c.Name)
		nic := h.AddNIC("eth0", DeriveMAC(s.Seed, c.Name, "eth0", 0), 0)
		if err := w.cable(d.underlay, c.Name, nic); err != nil {
			return err
		}
		hn := &hostNode{name: c.Name, kind: kindClient, h: h}
		w.hosts[c.Name] = hn
		w.clientSpecs = append(w.clientSpecs, c)
	}
	return nil
}

// cable connects a NIC to a new port of sw.
func (w *world) cable(sw *swNode, port string, nic *host.NIC) error {
	name := fmt.Sprintf("%s.%s<->%s.%s", nic.Host().Name(), nic.Name(), sw.name, port)
	k := sim.NewLink(w.loop, name, sim.LinkConfig{})
	nic.ConnectLink(k.A())
	id, err := w.addPort(sw, &Port{Name: port, VLAN: 1}, k.B(), 0)
	if err != nil {
		return err
	}
	k.B().Attach(&swPort{sw: sw, id: id, loop: w.loop})
	w.underlayLinks = append(w.underlayLinks, k)
	return nil
}

// configureDocker creates the file's networks and containers, and brings
// the clients up.
func (w *world) configureDocker() error {
	d := w.docker
	if d == nil {
		return nil
	}
	for _, c := range w.clientSpecs {
		hn := w.hosts[c.Name]
		if err := hn.h.NIC("eth0").AddAddr(c.Address); err != nil {
			return fmt.Errorf("client %s: %w", c.Name, err)
		}
		if c.Gateway.IsValid() {
			hn.h.SetGateway(c.Gateway)
		}
		hn.tcp = tcp.NewStack(hn.h)
		if c.DNS != nil {
			hn.resolver = resolv.New(hn.h, hn.tcp, resolverConfig(c.DNS))
		}
		svc, err := startServices(hn, c.Services)
		if err != nil {
			return fmt.Errorf("client %s: %w", c.Name, err)
		}
		hn.svc = svc
	}
	for _, ns := range w.s.Networks {
		n := d.byName[ns.Node]
		o := network.CreateOptions{
			Driver:     ns.Driver,
			Internal:   ns.Internal,
			Attachable: ns.Attachable,
			Labels:     kvMap(ns.Labels),
			Options:    kvMap(ns.Options),
		}
		if ns.Subnet.IsValid() {
			o.Subnets = []string{ns.Subnet.String()}
		}
		if ns.IPRange.IsValid() {
			o.IPRanges = []string{ns.IPRange.String()}
		}
		if ns.Gateway.IsValid() {
			o.Gateways = []string{ns.Gateway.String()}
		}
		for _, a := range ns.AuxAddresses {
			o.AuxAddresses = append(o.AuxAddresses, a.Name+"="+a.Addr.String())
		}
		if _, err := n.Controller().Create(ns.Name, o); err != nil {
			return fmt.Errorf("network %s: %w", ns.Name, err)
		}
		if len(o.Subnets) == 0 && w.staticIPOn(ns) {
			// Docker gives a static --ip only on networks with a
			// user-configured subnet. The file declares both, so take the
			// subnet IPAM chose as if it had been given with --subnet.
			if err := pinSubnet(n.Controller(), ns.Name, o); err != nil {
				return fmt.Errorf("network %s: %w", ns.Name, err)
			}
		}
	}
	for _, cs := range w.s.Containers {
		if err := w.runContainer(cs); err != nil {
			return err
		}
	}
	// The pinned subnets were for the file's own static addresses: a
	// docker run --ip step still gets Docker's refusal there.
	for _, ns := range w.s.Networks {
		if ns.Subnet.IsValid() || !w.staticIPOn(ns) {
			continue
		}
		nw, err := d.byName[ns.Node].Controller().FindNetwork(ns.Name)
		if err != nil {
			return fmt.Errorf("network %s: %w", ns.Name, err)
		}
		nw.RefuseStaticIPs()
	}
	return nil
}

func kvMap(kvs []KV) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func nodeService(s *Service) node.Service {
	switch {
	case s.HTTP != nil:
		return node.Service{HTTP: s.HTTP.Port, Status: s.HTTP.Status, Body: s.HTTP.Body}
	case s.Echo != nil && s.Echo.Proto == "udp":
		return node.Service{UDPEcho: s.Echo.Port}
	case s.Echo != nil:
		return node.Service{TCPEcho: s.Echo.Port}
	default:
		recs := map[string][]string{}
		for _, r := range s.DNS.Records {
			for _, a := range r.Addrs {
				recs[r.Name] = append(recs[r.Name], a.String())
			}
		}
		return node.Service{DNS: s.DNS.Port, Records: recs}
	}
}

// container returns the step-facing view of a running container, looking
// through the nodes in file order.
func (w *world) container(name string) (*hostNode, *node.Node, bool) {
	d := w.docker
	if d == nil {
		return nil, nil, false
	}
	for _, n := range d.nodes {
		c, ok := n.Container(name)
		if !ok || c.Removed() {
			continue
		}
		if hn := d.containers[name]; hn != nil && hn.h == c.Host {
			return hn, n, true
		}
		hn := &hostNode{name: name, kind: kindContainer, h: c.Host, tcp: c.TCP, resolver: c.Resolver, svc: &services{}}
		svc := hn.svc
		c.Host.HandleICMPError(func(typ, code uint8, _ uint16, orig []byte) {
			if svc.onICMPError != nil {
				svc.onICMPError(typ, code, orig)
			}
		})
		d.containers[name] = hn
		return hn, n, true
	}
	return nil, nil, false
}

// nodeSource returns the step-facing view of a node's own network stack
// (the Docker host itself, as a shell on it would ping or curl): it names
// nodes by their underlay address and looks other names up through the
// node's dns, if the file gives it any.
func (w *world) nodeSource(name string) (*hostNode, bool) {
	d := w.docker
	if d == nil {
		return nil, false
	}
	if hn := d.nodeHosts[name]; hn != nil {
		return hn, true
	}
	n := d.byName[name]
	if n == nil {
		return nil, false
	}
	hn := &hostNode{name: name, kind: kindNode, h: n.Host(), tcp: n.TCP(), svc: &services{}}
	if ns := w.s.Node(name); ns != nil && len(ns.DNS) > 0 {
		hn.resolver = resolv.New(hn.h, hn.tcp, resolverConfig(&Resolver{
			Nameservers: ns.DNS, NDots: DefaultNDots, Timeout: DefaultDNSTimeout, Attempts: DefaultDNSAttempts,
		}))
	}
	svc := hn.svc
	hn.h.HandleICMPError(func(typ, code uint8, _ uint16, orig []byte) {
		if svc.onICMPError != nil {
			svc.onICMPError(typ, code, orig)
		}
	})
	d.nodeHosts[name] = hn
	return hn, true
}

// nodeAddr returns a node's underlay address: how a client names a node.
func (w *world) nodeAddr(name string) (netip.Addr, bool) {
	if ns := w.s.Node(name); ns != nil && ns.Address.IsValid() {
		return ns.Address.Addr(), true
	}
	return netip.Addr{}, false
}

// staticIPOn reports whether a container of the file asks for a static
// address on the network.
func (w *world) staticIPOn(ns *Network) bool {
	for _, c := range w.s.Containers {
		if c.Node != ns.Node {
			continue
		}
		for _, a := range c.Networks {
			if a.Network == ns.Name && a.IP.IsValid() {
				return true
			}
		}
	}
	return false
}

// pinSubnet re-creates a network with the subnet IPAM gave it, given
// explicitly, so that it counts as user-configured.
func pinSubnet(c *network.Controller, name string, o network.CreateOptions) error {
	nw, err := c.FindNetwork(name)
	if err != nil {
		return err
	}
	for _, p := range nw.Subnets() {
		o.Subnets = append(o.Subnets, p.String())
	}
	if err := c.Remove(name); err != nil {
		return err
	}
	_, err = c.Create(name, o)
	return err
}
