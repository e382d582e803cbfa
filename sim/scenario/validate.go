package scenario

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/vswitch/vswitch/internal/frame"
	vswitch "github.com/vswitch/vswitch/switch"
)

// This file holds the checks across a file: names defined twice, references
// to hosts, switches, ports, links, nodes, networks and containers, links
// that reuse an interface, addresses used twice, gateways off-link and steps
// out of order. The decoders call them as they go, in dependency order
// (definitions before the links and steps that name them), so that every
// error keeps the position of the value at fault.

// define adds name to the shared namespace of devices, reporting a clash.
func (p *parser) define(k *yaml.Node, name, kind string) bool {
	if d, ok := p.devices[name]; ok {
		if d.pos.IsValid() {
			p.errorf(k, "duplicate name %q: already a %s at %s", name, d.kind, d.pos)
		} else {
			p.errorf(k, "duplicate name %q: already the %s (declare nodes: to name it otherwise)", name, d.kind)
		}
		return false
	}
	p.devices[name] = device{kind, posOf(k)}
	return true
}

// checkSTPPorts reports a switch running STP with more ports than an
// 802.1D-1998 port identifier can number, at the first port too many.
func (p *parser) checkSTPPorts() {
	for _, sw := range p.s.Switches {
		if sw.STP != nil && len(sw.Ports) > vswitch.MaxSTPPorts {
			pt := sw.Ports[vswitch.MaxSTPPorts]
			p.errorAt(pt.Pos, "port %s: switch %s runs STP and has %d ports; STP numbers at most %d (8-bit port numbers, 0 reserved)",
				pt.Name, sw.Name, len(sw.Ports), vswitch.MaxSTPPorts)
		}
	}
}

// checkMACs reports MACs given twice.
func (p *parser) checkMACs() {
	seen := map[frame.MAC]string{}
	for _, h := range p.s.Hosts {
		for _, i := range h.Interfaces {
			if i.MACDerived {
				continue
			}
			if other, ok := seen[i.MAC]; ok {
				p.errorAt(i.Pos, "mac %s of %s.%s is already used by %s", i.MAC, h.Name, i.Name, other)
				continue
			}
			seen[i.MAC] = h.Name + "." + i.Name
		}
	}
}

// nodeAddresses gives nodes without an address the next free one from
// 192.168.50.11 up, and reports addresses used twice on the underlay.
func (p *parser) nodeAddresses() {
	used := map[netip.Addr]string{}
	check := func(pos Pos, name string, a netip.Prefix) {
		if !a.IsValid() {
			return
		}
		if other, ok := used[a.Addr()]; ok {
			p.errorAt(pos, "address %s of %s is already used by %s", a.Addr(), name, other)
			return
		}
		used[a.Addr()] = name
	}
	for _, nd := range p.s.Nodes {
		check(nd.Pos, nd.Name, nd.Address)
	}
	for _, c := range p.s.Clients {
		check(c.Pos, c.Name, c.Address)
	}
	next := netip.MustParseAddr(defaultUnderlayFirst)
	for _, nd := range p.s.Nodes {
		if nd.Address.IsValid() {
			continue
		}
		for used[next] != "" {
			next = next.Next()
		}
		nd.Address = netip.PrefixFrom(next, DefaultUnderlayBits)
		used[next] = nd.Name
	}
}

func onLink(ifs []*Interface, a netip.Addr) bool {
	for _, i := range ifs {
		if i.IP.IsValid() && i.IP.Masked().Contains(a) {
			return true
		}
	}
	return false
}

// endpoint resolves "device.iface". Names may contain dots, so every split
// is tried and the longest device name that exists wins.
func (p *parser) endpoint(n *yaml.Node, key string) (Endpoint, bool) {
	n, s, ok := p.scalar(n, key, "an endpoint such as h1.eth0")
	if !ok {
		return Endpoint{}, false
	}
	ep := Endpoint{Pos: posOf(n)}
	found := false
	for i := len(s) - 1; i > 0; i-- {
		if s[i] != '.' {
			continue
		}
		dev := s[:i]
		if p.switchIdx[dev] != nil || p.hostIdx[dev] != nil {
			ep.Device, ep.Iface, found = dev, s[i+1:], true
			break
		}
	}
	if !found {
		dev, _, hasDot := strings.Cut(s, ".")
		if !hasDot {
			p.errorf(n, "%s: endpoint %q: write device.interface, e.g. h1.eth0 or sw1.p1", key, s)
			return ep, false
		}
		if d, ok := p.devices[dev]; ok {
			p.errorf(n, "%s: %s is a %s; links join host interfaces and switch ports", key, dev, d.kind)
			return ep, false
		}
		p.refErrorf(n, "%s: undefined host or switch %q%s", key, dev, didYouMean(dev, p.linkDevices()))
		return ep, false
	}
	if ep.Iface == "" || !ValidName(ep.Iface) {
		p.errorf(n, "%s: endpoint %q: %s", key, s, badName(ep.Iface))
		return ep, false
	}
	if h := p.hostIdx[ep.Device]; h != nil {
		ep.Kind = EndpointHost
		if h.Interface(ep.Iface) == nil {
			var names []string
			for _, i := range h.Interfaces {
				names = append(names, i.Name)
			}
			p.refErrorf(n, "%s: host %s has no interface %q%s", key, h.Name, ep.Iface, didYouMean(ep.Iface, names))
			return ep, false
		}
	} else {
		ep.Kind = EndpointSwitch
		sw := p.switchIdx[ep.Device]
		if p.portIdx[[2]string{sw.Name, ep.Iface}] == nil {
			pt := &Port{Pos: ep.Pos, Name: ep.Iface, VLAN: 1, Priority: DefaultPortPriority, Implicit: true}
			sw.Ports = append(sw.Ports, pt)
			p.portIdx[[2]string{sw.Name, ep.Iface}] = pt
		}
	}
	if first, ok := p.linked[s]; ok {
		p.errorf(n, "%s: %s is already linked (at %s); an interface or port takes one link", key, s, first)
		return ep, false
	}
	p.linked[s] = ep.Pos
	return ep, true
}

func (p *parser) linkDevices() []string {
	var out []string
	for _, h := range p.s.Hosts {
		out = append(out, h.Name)
	}
	for _, sw := range p.s.Switches {
		out = append(out, sw.Name)
	}
	return out
}

// defaultNode adds host1 for files that use the Docker level without
// declaring nodes.
func (p *parser) defaultNode(root *yaml.Node) {
	if d, ok := p.devices[DefaultNode]; ok {
		p.errorAt(d.pos, "duplicate name %q: the file uses Docker features, whose default node is %s; rename this %s or declare nodes:", DefaultNode, DefaultNode, d.kind)
		return
	}
	p.devices[DefaultNode] = device{kind: "default node"}
	p.s.Nodes = append(p.s.Nodes, &Node{Name: DefaultNode, Implicit: true})
}

// nodeRef resolves a node: key; "" means the first node.
func (p *parser) nodeRef(n *yaml.Node, key string) (string, bool) {
	name, ok := p.name(n, key)
	if !ok {
		return "", false
	}
	if p.s.Node(name) == nil { // nodes are few
		p.refErrorf(p.deref(n), "%s: undefined node %q%s", key, name, didYouMean(name, p.nodeNames()))
		return "", false
	}
	return name, true
}

func (p *parser) nodeNames() []string {
	var out []string
	for _, nd := range p.s.Nodes {
		out = append(out, nd.Name)
	}
	return out
}

func (p *parser) firstNode() string {
	if len(p.s.Nodes) == 0 {
		return DefaultNode
	}
	return p.s.Nodes[0].Name
}

func (p *parser) networkNames() []string {
	out := slices.Clone(predefinedNetworks)
	for _, nw := range p.s.Networks {
		out = append(out, nw.Name)
	}
	return out
}

// sourceKind returns what a step's from: names, or "".
func (p *parser) sourceKind(name string) string {
	if p.dockerCtr[name] {
		return "container"
	}
	d, ok := p.devices[name]
	if !ok {
		return ""
	}
	if d.kind == "default node" {
		return "node"
	}
	return d.kind
}

// source resolves a step's from: a host, client, container or node.
func (p *parser) source(n *yaml.Node) (string, bool) {
	name, ok := p.name(n, "from")
	if !ok {
		return "", false
	}
	switch p.sourceKind(name) {
	case "host", "client", "container", "node":
		return name, true
	case "switch":
		p.errorf(p.deref(n), "from: %s is a switch; steps run from hosts, clients, containers or nodes", name)
		return "", false
	}
	var cands []string
	for k, d := range p.devices {
		if d.kind != "switch" {
			cands = append(cands, k)
		}
	}
	for k := range p.dockerCtr {
		cands = append(cands, k)
	}
	slices.Sort(cands)
	p.refErrorf(p.deref(n), "from: undefined host, client, container or node %q%s", name, didYouMean(name, cands))
	return "", false
}

// hasResolver reports whether from looks names up with DNS.
func (p *parser) hasResolver(from string) bool {
	if h := p.hostIdx[from]; h != nil {
		return h.DNS != nil
	}
	switch p.sourceKind(from) {
	case "client":
		return p.s.Client(from).DNS != nil
	case "node":
		n := p.s.Node(from)
		return n != nil && len(n.DNS) > 0
	}
	return true // containers use their resolver
}

// namedWithoutDNS reports whether a step from a source of kind fromKind
// reaches a name of kind kind without looking it up, as the runner does:
// an L2 host knows the hosts of the file, a client or a node the nodes.
func namedWithoutDNS(fromKind, kind string) bool {
	switch fromKind {
	case "host":
		return kind == "host"
	case "client", "node":
		return kind == "node"
	}
	return false
}

// target checks a destination host (an IP or a name) for a step from from.
func (p *parser) target(n *yaml.Node, key, host, from string) bool {
	if a, err := netip.ParseAddr(host); err == nil {
		if !a.Is4() {
			p.errorf(n, "%s: %s is not IPv4 (the simulator's hosts are IPv4)", key, host)
			return false
		}
		return true
	}
	kind := p.sourceKind(host)
	switch kind {
	case "switch":
		p.errorf(n, "%s: %s is a switch and has no address", key, host)
		return false
	case "host":
		h := p.hostIdx[host]
		for _, i := range h.Interfaces {
			if i.IP.IsValid() {
				return true
			}
		}
		p.errorf(n, "%s: host %s has no address", key, host)
		return false
	}
	if kind != "" && from != "" && !namedWithoutDNS(p.sourceKind(from), kind) && !p.hasResolver(from) {
		hint := fmt.Sprintf("give %s dns: {nameservers: [...]}", from)
		if p.sourceKind(from) == "node" {
			hint = fmt.Sprintf("give node %s dns: [...] under nodes:", from)
		}
		p.errorf(n, "%s: %s %s cannot name %s %s without dns settings to look it up; %s, or use an address", key, p.sourceKind(from), from, kind, host, hint)
		return false
	}
	if kind == "" {
		if from != "" && !p.hasResolver(from) {
			var cands []string
			for k := range p.devices {
				cands = append(cands, k)
			}
			slices.Sort(cands)
			p.refErrorf(n, "%s: %q is not a host, client, node or container, and %s has no dns settings to look it up%s", key, host, from, didYouMean(host, cands))
			return false
		}
		if !ValidDomain(host) {
			p.errorf(n, "%s: %q is neither an IP nor a name", key, host)
			return false
		}
	}
	return true
}

// switchRef resolves a switch name.
func (p *parser) switchRef(n *yaml.Node, key string) *Switch {
	name, ok := p.name(n, key)
	if !ok {
		return nil
	}
	sw := p.switchIdx[name]
	if sw == nil {
		var cands []string
		for _, x := range p.s.Switches {
			cands = append(cands, x.Name)
		}
		p.refErrorf(p.deref(n), "%s: undefined switch %q%s", key, name, didYouMean(name, cands))
	}
	return sw
}

// portRef checks that sw has port name.
func (p *parser) portRef(n *yaml.Node, key string, sw *Switch, name string) bool {
	if p.portIdx[[2]string{sw.Name, name}] != nil {
		return true
	}
	var cands []string
	for _, pt := range sw.Ports {
		cands = append(cands, pt.Name)
	}
	p.refErrorf(n, "%s: switch %s has no port %q%s", key, sw.Name, name, didYouMean(name, cands))
	return false
}

// networkRef resolves a Docker network known at this step: predefined,
// declared or created by an earlier docker step.
func (p *parser) networkRef(n *yaml.Node, key string) (string, bool) {
	name, ok := p.name(n, key)
	if !ok {
		return "", false
	}
	if slices.Contains(predefinedNetworks, name) || p.networks[name] != nil || p.dockerNet[name] {
		return name, true
	}
	cands := p.networkNames()
	for k := range p.dockerNet {
		cands = append(cands, k)
	}
	slices.Sort(cands)
	p.refErrorf(p.deref(n), "%s: undefined network %q%s", key, name, didYouMean(name, cands))
	return "", false
}

// fdbHost resolves "h1" (its first interface) or "h1.eth0".
func (p *parser) fdbHost(n *yaml.Node, s string, fe *FDBEntry) {
	if h := p.hostIdx[s]; h != nil {
		if len(h.Interfaces) == 0 {
			p.errorf(n, "host: host %s has no interfaces", s)
			return
		}
		fe.Host, fe.Iface = s, h.Interfaces[0].Name
		return
	}
	for i := len(s) - 1; i > 0; i-- {
		if s[i] != '.' {
			continue
		}
		if h := p.hostIdx[s[:i]]; h != nil {
			if h.Interface(s[i+1:]) == nil {
				p.refErrorf(n, "host: host %s has no interface %q", h.Name, s[i+1:])
				return
			}
			fe.Host, fe.Iface = h.Name, s[i+1:]
			return
		}
	}
	var cands []string
	for _, h := range p.s.Hosts {
		cands = append(cands, h.Name)
	}
	p.refErrorf(n, "host: undefined host %q%s", s, didYouMean(s, cands))
}

// captureTarget checks what a capture names: a host, client or container
// (all its interfaces), a link name, or an endpoint with a link.
func (p *parser) captureTarget(n *yaml.Node, key, s string) bool {
	switch p.sourceKind(s) {
	case "host", "client", "container":
		return true
	case "switch":
		p.errorf(n, "%s: capture on a switch port (%s.PORT) or a link, not a whole switch", key, s)
		return false
	case "node":
		p.errorf(n, "%s: capture on a container or network endpoint, not a whole node", key)
		return false
	}
	if p.linkIdx[s] != nil {
		return true
	}
	var cands []string
	for k, d := range p.devices {
		if d.kind != "switch" && d.kind != "node" && d.kind != "default node" {
			cands = append(cands, k)
		}
	}
	for _, l := range p.s.Links {
		if l.Name != "" {
			cands = append(cands, l.Name)
		}
		cands = append(cands, l.A.String(), l.B.String())
	}
	slices.Sort(cands)
	p.refErrorf(n, "%s: %q is not a host, client, container, link or linked endpoint%s", key, s, didYouMean(s, cands))
	return false
}

// checkAt checks that at times do not go backwards and fit the time limit.
func (p *parser) checkAt(n *yaml.Node, d time.Duration) {
	n = p.deref(n)
	if p.lastAt != nil && d < *p.lastAt {
		p.errorf(n, "at: %s is earlier than %s, the at of the step at %s; steps run in order", d, *p.lastAt, p.lastAtPos)
	}
	if p.s.Limits.Time > 0 && d > p.s.Limits.Time {
		p.errorf(n, "at: %s is beyond the time limit %s (raise limits.time)", d, p.s.Limits.Time)
	}
	p.lastAt, p.lastAtPos = &d, posOf(n)
	p.minTime = max(p.minTime, d)
}

// checkWait adds a wait step's duration to the least time the steps reach
// and refuses a file whose waits alone pass the time limit.
func (p *parser) checkWait(n *yaml.Node, d time.Duration) {
	before := p.minTime
	p.minTime += d
	// Report the step that crosses the limit, once.
	if lim := p.s.Limits.Time; lim > 0 && p.minTime > lim && before <= lim {
		p.errorf(p.deref(n), "wait: the steps reach at least %s, beyond the time limit %s (raise limits.time)", p.minTime, p.s.Limits.Time)
	}
}
