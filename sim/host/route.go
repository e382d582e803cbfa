package host

import (
	"net/netip"
	"slices"
)

// route is one entry of the routing table: a connected network (nic set,
// via invalid) or a network reached through a gateway (via set, nic nil:
// the gateway's connected route picks the NIC at lookup time).
type route struct {
	dst netip.Prefix
	via netip.Addr
	nic *NIC
	src netip.Addr // connected routes: the NIC's address in dst
}

// Route describes a routing table entry for inspection.
type Route struct {
	Dst netip.Prefix
	Via netip.Addr // invalid for a connected network
	NIC string     // the NIC of a connected network, "" for a gateway route
}

// nextHop is the result of a route lookup.
type nextHop struct {
	nic   *NIC
	gw    netip.Addr // the address to resolve with ARP: the gateway or dst itself
	src   netip.Addr // preferred source address
	local bool       // dst is this host: loop back
	bcast bool       // dst is a broadcast address on nic: no ARP
}

var defaultRoute = netip.PrefixFrom(netip.IPv4Unspecified(), 0)

// SetGateway sets the default route (0.0.0.0/0) via gw, replacing any
// previous one; an invalid gw removes the default route. The gateway must be
// on a connected network when packets are sent.
func (h *Host) SetGateway(gw netip.Addr) {
	h.delRoute(defaultRoute, false)
	if gw.IsValid() {
		h.routes = append(h.routes, route{dst: defaultRoute, via: gw})
	}
}

// Gateway returns the default route's gateway, if there is one.
func (h *Host) Gateway() (netip.Addr, bool) {
	for _, r := range h.routes {
		if r.nic == nil && r.dst == defaultRoute {
			return r.via, true
		}
	}
	return netip.Addr{}, false
}

// AddRoute adds a static route to dst via the gateway via, replacing an
// earlier gateway route to the same network. Both must be IPv4; the gateway
// must be on a network the host is connected to, as Linux requires
// (ErrUnreachable otherwise).
func (h *Host) AddRoute(dst netip.Prefix, via netip.Addr) error {
	if !dst.IsValid() || !dst.Addr().Is4() || !via.Is4() {
		return h.errorf(ErrInvalid, "route %s via %s", dst, via)
	}
	if _, ok := h.connectedFor(via); !ok {
		return h.errorf(ErrUnreachable, "route %s via %s: gateway not on a connected network", dst, via)
	}
	dst = dst.Masked()
	h.delRoute(dst, false)
	h.routes = append(h.routes, route{dst: dst, via: via})
	return nil
}

// DelRoute removes the gateway route to dst (dst 0.0.0.0/0 removes the
// default route). It reports whether there was one.
func (h *Host) DelRoute(dst netip.Prefix) bool { return h.delRoute(dst.Masked(), false) }

func (h *Host) delRoute(dst netip.Prefix, connected bool) bool {
	n := len(h.routes)
	h.routes = slices.DeleteFunc(h.routes, func(r route) bool {
		return r.dst == dst && (r.nic != nil) == connected
	})
	return len(h.routes) != n
}

// Routes returns the routing table: connected networks and gateway routes
// in the order they were added.
func (h *Host) Routes() []Route {
	out := make([]Route, 0, len(h.routes))
	for _, r := range h.routes {
		rt := Route{Dst: r.dst, Via: r.via}
		if r.nic != nil {
			rt.NIC = r.nic.name
		}
		out = append(out, rt)
	}
	return out
}

func (h *Host) addConnected(n *NIC, p netip.Prefix) {
	m := p.Masked()
	for _, r := range h.routes {
		if r.nic == n && r.dst == m {
			return // a second address in a network the NIC already reaches
		}
	}
	h.routes = append(h.routes, route{dst: m, nic: n, src: p.Addr()})
}

func (h *Host) removeConnected(n *NIC, p netip.Prefix) {
	m := p.Masked()
	i := slices.IndexFunc(h.routes, func(r route) bool { return r.nic == n && r.dst == m })
	if i < 0 {
		return
	}
	for _, a := range n.addrs {
		if a.Masked() == m {
			h.routes[i].src = a.Addr() // another address keeps the network
			return
		}
	}
	h.routes = slices.Delete(h.routes, i, i+1)
}

// connectedFor returns the most specific connected route containing a.
func (h *Host) connectedFor(a netip.Addr) (*route, bool) {
	var best *route
	for i := range h.routes {
		r := &h.routes[i]
		if r.nic != nil && r.dst.Contains(a) && (best == nil || r.dst.Bits() > best.dst.Bits()) {
			best = r
		}
	}
	return best, best != nil
}

// route looks dst up: this host, the limited broadcast, then the longest
// matching prefix (the first added wins a tie).
func (h *Host) route(dst netip.Addr) (nextHop, bool) {
	if !dst.Is4() || dst.IsUnspecified() {
		return nextHop{}, false
	}
	if h.isLocal(dst) {
		src := dst
		if dst.As4()[0] == 127 {
			src = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		return nextHop{gw: dst, src: src, local: true}, true
	}
	if dst == limitedBroadcast {
		// Out of the NIC of the default route, else the first with an address.
		var nic *NIC
		if gw, ok := h.Gateway(); ok {
			if r, ok := h.connectedFor(gw); ok {
				nic = r.nic
			}
		}
		for _, n := range h.nics {
			if nic == nil && len(n.addrs) > 0 {
				nic = n
			}
		}
		if nic == nil {
			return nextHop{}, false
		}
		return nextHop{nic: nic, gw: dst, src: nic.srcFor(dst), bcast: true}, true
	}
	var best *route
	for i := range h.routes {
		r := &h.routes[i]
		if r.dst.Contains(dst) && (best == nil || r.dst.Bits() > best.dst.Bits()) {
			best = r
		}
	}
	if best == nil {
		return nextHop{}, false
	}
	if best.nic != nil {
		return nextHop{nic: best.nic, gw: dst, src: best.src, bcast: directedBroadcast(best.dst, dst)}, true
	}
	c, ok := h.connectedFor(best.via)
	if !ok {
		return nextHop{}, false
	}
	return nextHop{nic: c.nic, gw: best.via, src: c.src}, true
}
