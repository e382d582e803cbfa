package dnsd

import (
	"fmt"
	"net/netip"
	"slices"
)

// endpoint is the server's copy of a registered Endpoint.
type endpoint struct {
	Endpoint
	sb  *sandbox
	net *network
}

// network holds the records of one network. Slices keep registration order
// so that answers are independent of map iteration.
type network struct {
	name     string
	lname    string // lower-case name, for "a.b" lookups
	internal bool
	config   bool // set by SetNetwork; kept while empty
	eps      []*endpoint
	aliases  map[string][]*endpoint // lower-case alias -> endpoints
	names    map[string][]*endpoint // lower-case name, short ID, hostname
	byIP     map[netip.Addr]*endpoint
}

// sandbox is a container: its endpoints in the order it joined their
// networks, and its resolver settings.
type sandbox struct {
	id     string
	eps    []*endpoint
	dns    []netip.AddrPort
	ndots  bool
	config bool // set by SetSandbox; kept while empty
}

func (s *Server) getNetwork(name string) *network {
	n := s.nets[name]
	if n == nil {
		n = &network{
			name:    name,
			lname:   lowerString(name),
			aliases: make(map[string][]*endpoint),
			names:   make(map[string][]*endpoint),
			byIP:    make(map[netip.Addr]*endpoint),
		}
		s.nets[name] = n
	}
	return n
}

func (s *Server) getSandbox(id string) *sandbox {
	sb := s.sandboxes[id]
	if sb == nil {
		sb = &sandbox{id: id}
		s.sandboxes[id] = sb
	}
	return sb
}

// SetNetwork records a network's DNS-relevant properties. It may be called
// before or after endpoints join the network.
func (s *Server) SetNetwork(name string, cfg NetworkConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.getNetwork(name)
	n.internal = cfg.Internal
	n.config = true
}

// RemoveNetwork forgets a network's properties. It fails with
// ErrNetworkInUse while endpoints are attached.
func (s *Server) RemoveNetwork(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.nets[name]
	if n == nil {
		return nil
	}
	if len(n.eps) > 0 {
		return fmt.Errorf("%w: %s", ErrNetworkInUse, name)
	}
	delete(s.nets, name)
	return nil
}

// SetSandbox records a sandbox's resolver settings (--dns, ndots). It may
// be called before or after the sandbox's endpoints are added. Upstream
// addresses that are not valid fail with ErrInvalidUpstream and change
// nothing.
func (s *Server) SetSandbox(id string, cfg SandboxConfig) error {
	for _, u := range cfg.DNS {
		if !u.Addr().IsValid() {
			return fmt.Errorf("%w: %v", ErrInvalidUpstream, u)
		}
	}
	ups := normalizeUpstreams(cfg.DNS)
	s.mu.Lock()
	defer s.mu.Unlock()
	sb := s.getSandbox(id)
	sb.dns = ups
	sb.ndots = cfg.NdotsSet
	sb.config = true
	return nil
}

// RemoveSandbox removes a sandbox's settings and all its endpoints, as
// removing a container does.
func (s *Server) RemoveSandbox(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sb := s.sandboxes[id]
	if sb == nil {
		return
	}
	for len(sb.eps) > 0 {
		s.removeEndpoint(sb.eps[len(sb.eps)-1])
	}
	delete(s.sandboxes, id)
}

// AddEndpoint registers an endpoint: its names become resolvable on its
// network, and its network joins its sandbox's view (connect). It fails,
// changing nothing, with ErrInvalidEndpoint (no network, no name, no
// address, or an address of the wrong family), ErrEndpointExists (the
// sandbox is already on the network) or ErrAddressInUse.
func (s *Server) AddEndpoint(ep Endpoint) error {
	if ep.Network == "" || ep.Name == "" {
		return fmt.Errorf("%w: network and name are required", ErrInvalidEndpoint)
	}
	if !ep.IPv4.IsValid() && !ep.IPv6.IsValid() {
		return fmt.Errorf("%w: %s on %s has no address", ErrInvalidEndpoint, ep.Name, ep.Network)
	}
	if ep.IPv4.IsValid() && !ep.IPv4.Is4() {
		return fmt.Errorf("%w: IPv4 address %v", ErrInvalidEndpoint, ep.IPv4)
	}
	if ep.IPv6.IsValid() && (!ep.IPv6.Is6() || ep.IPv6.Is4In6()) {
		return fmt.Errorf("%w: IPv6 address %v", ErrInvalidEndpoint, ep.IPv6)
	}
	if ep.Sandbox == "" {
		ep.Sandbox = ep.Name
	}
	ep.Aliases = slices.Clone(ep.Aliases)
	ep.IPv6 = ep.IPv6.WithZone("")

	s.mu.Lock()
	defer s.mu.Unlock()
	if n := s.nets[ep.Network]; n != nil {
		for _, a := range []netip.Addr{ep.IPv4, ep.IPv6} {
			if a.IsValid() && n.byIP[a] != nil {
				return fmt.Errorf("%w: %v on %s", ErrAddressInUse, a, ep.Network)
			}
		}
	}
	if sb := s.sandboxes[ep.Sandbox]; sb != nil {
		for _, e := range sb.eps {
			if e.Network == ep.Network {
				return fmt.Errorf("%w: %s on %s", ErrEndpointExists, ep.Sandbox, ep.Network)
			}
		}
	}

	n := s.getNetwork(ep.Network)
	sb := s.getSandbox(ep.Sandbox)
	e := &endpoint{Endpoint: ep, sb: sb, net: n}
	n.eps = append(n.eps, e)
	sb.eps = append(sb.eps, e)
	for _, a := range []netip.Addr{ep.IPv4, ep.IPv6} {
		if a.IsValid() {
			n.byIP[a] = e
		}
	}
	for _, k := range e.aliasKeys() {
		n.aliases[k] = append(n.aliases[k], e)
	}
	for _, k := range e.nameKeys() {
		n.names[k] = append(n.names[k], e)
	}
	return nil
}

// RemoveEndpoint unregisters the endpoint of a sandbox on a network
// (disconnect). It fails with ErrEndpointNotFound.
func (s *Server) RemoveEndpoint(sandboxID, networkName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sb := s.sandboxes[sandboxID]; sb != nil {
		for _, e := range sb.eps {
			if e.Network == networkName {
				s.removeEndpoint(e)
				return nil
			}
		}
	}
	return fmt.Errorf("%w: %s on %s", ErrEndpointNotFound, sandboxID, networkName)
}

func (s *Server) removeEndpoint(e *endpoint) {
	n, sb := e.net, e.sb
	n.eps = deleteEP(n.eps, e)
	sb.eps = deleteEP(sb.eps, e)
	for _, a := range []netip.Addr{e.IPv4, e.IPv6} {
		if a.IsValid() && n.byIP[a] == e {
			delete(n.byIP, a)
		}
	}
	for _, k := range e.aliasKeys() {
		if l := deleteEP(n.aliases[k], e); len(l) > 0 {
			n.aliases[k] = l
		} else {
			delete(n.aliases, k)
		}
	}
	for _, k := range e.nameKeys() {
		if l := deleteEP(n.names[k], e); len(l) > 0 {
			n.names[k] = l
		} else {
			delete(n.names, k)
		}
	}
	if len(n.eps) == 0 && !n.config {
		delete(s.nets, n.name)
	}
	if len(sb.eps) == 0 && !sb.config {
		delete(s.sandboxes, sb.id)
	}
}

func deleteEP(l []*endpoint, e *endpoint) []*endpoint {
	if i := slices.Index(l, e); i >= 0 {
		return slices.Delete(l, i, i+1)
	}
	return l
}

// aliasKeys returns the endpoint's distinct lower-case aliases.
func (e *endpoint) aliasKeys() []string {
	return distinctKeys(e.Aliases...)
}

// nameKeys returns the endpoint's distinct lower-case names: container
// name, short ID, hostname (Docker's order, aliases aside).
func (e *endpoint) nameKeys() []string {
	return distinctKeys(e.Name, e.ShortID, e.Hostname)
}

func distinctKeys(names ...string) []string {
	var out []string
	for _, n := range names {
		k := lowerString(trimDot(n))
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func trimDot(s string) string {
	if len(s) > 0 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

// lowerString lower-cases ASCII letters only, as DNS does (RFC 4343).
func lowerString(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			lowerBytes(b[i:])
			return string(b)
		}
	}
	return s
}

func lowerBytes(b []byte) {
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// clientEndpoint returns the registered endpoint behind a client, or nil.
func (s *Server) clientEndpoint(c Client) *endpoint {
	n := s.nets[c.Network]
	if n == nil {
		return nil
	}
	return n.byIP[c.Addr.WithZone("")]
}

// lookup resolves a lower-case name without the trailing dot in the view of
// sandbox sb, with Docker's precedence: the whole name on the sandbox's
// networks, then each split "name.network" from the right. It returns the
// endpoints holding the name on the first network that has it.
func lookup(sb *sandbox, key []byte) []*endpoint {
	if len(key) == 0 {
		return nil
	}
	if eps := lookupIn(sb, key, nil); eps != nil {
		return eps
	}
	for i := len(key) - 1; i > 0; i-- {
		if key[i] != '.' {
			continue
		}
		if i == len(key)-1 {
			continue // empty network name
		}
		if eps := lookupIn(sb, key[:i], key[i+1:]); eps != nil {
			return eps
		}
	}
	return nil
}

// lookupIn looks name up on the sandbox's networks in order, or only on the
// network whose lower-case name is netName when it is not nil. On a network,
// container names and network aliases form one record set, as in
// libnetwork's service records: a container named db and another with the
// alias db on the same network are both answered. (libnetwork's separate
// "alias first" pass is for legacy --link aliases, which vswitch does not
// support.)
func lookupIn(sb *sandbox, name, netName []byte) []*endpoint {
	for _, e := range sb.eps {
		if netName != nil && string(netName) != e.net.lname {
			continue
		}
		names, aliases := e.net.names[string(name)], e.net.aliases[string(name)]
		switch {
		case len(aliases) == 0 && len(names) == 0:
			continue
		case len(aliases) == 0:
			return names
		case len(names) == 0:
			return aliases
		}
		out := slices.Clone(names)
		for _, a := range aliases {
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
		return out
	}
	return nil
}

// lookupPTR returns "<name>.<network>." for an address on one of the
// sandbox's networks, first network first.
func lookupPTR(sb *sandbox, a netip.Addr) string {
	for _, e := range sb.eps {
		if t := e.net.byIP[a]; t != nil {
			return t.Name + "." + e.net.name + "."
		}
	}
	return ""
}

// collect appends to dst the addresses of the family asked for (A: IPv4,
// AAAA: IPv6) of the endpoints, in registration order.
func collect(dst []netip.Addr, eps []*endpoint, v6 bool) []netip.Addr {
	for _, e := range eps {
		a := e.IPv4
		if v6 {
			a = e.IPv6
		}
		if a.IsValid() {
			dst = append(dst, a)
		}
	}
	return dst
}

// upstreams returns the upstreams a query from sb may try, in configured
// order: the sandbox's --dns list, else the node's (skipped when every
// network of the sandbox is internal), at most MaxUpstreams.
func (s *Server) upstreams(sb *sandbox) []netip.AddrPort {
	list := sb.dns
	if len(list) == 0 {
		external := false
		for _, e := range sb.eps {
			if !e.net.internal {
				external = true
				break
			}
		}
		if !external {
			return nil
		}
		list = s.nodeUps
	}
	if len(list) > s.cfg.MaxUpstreams {
		list = list[:s.cfg.MaxUpstreams]
	}
	return list
}
