package network

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network/ipam"
)

// Sandbox is a container's network namespace: its name, ID, hostname, DNS
// settings and one endpoint per network it is connected to.
type Sandbox struct {
	id, name, hostname string
	mode               string   // --network as given ("bridge", "host", "container:c1", a name)
	hostMode           bool     // shares the node's stack
	shares             *Sandbox // container:<name> mode: the namespace's owner
	dns                []netip.Addr
	dnsSearch          []string
	dnsOptions         []string
	endpoints          []*Endpoint // join order
	removed            bool
}

// ID returns the 64-hex-digit container ID.
func (s *Sandbox) ID() string { return s.id }

// ShortID returns the 12-character container ID.
func (s *Sandbox) ShortID() string { return ShortID(s.id) }

// Name returns the container name, without Docker's leading slash.
func (s *Sandbox) Name() string { return s.name }

// Hostname returns the container's hostname: --hostname, else the short
// ID (the node's name in host mode).
func (s *Sandbox) Hostname() string { return s.hostname }

// NetworkMode returns --network as given at run ("bridge" if none was).
func (s *Sandbox) NetworkMode() string { return s.mode }

// HostMode reports whether the container uses the node's network stack.
func (s *Sandbox) HostMode() bool { return s.hostMode }

// SharesNetnsWith returns the container whose namespace this one joined
// with --network container:NAME, or nil.
func (s *Sandbox) SharesNetnsWith() *Sandbox { return s.shares }

// Removed reports whether the container was removed.
func (s *Sandbox) Removed() bool { return s.removed }

// DNS returns --dns.
func (s *Sandbox) DNS() []netip.Addr { return slices.Clone(s.dns) }

// DNSSearch returns --dns-search.
func (s *Sandbox) DNSSearch() []string { return slices.Clone(s.dnsSearch) }

// DNSOptions returns --dns-option.
func (s *Sandbox) DNSOptions() []string { return slices.Clone(s.dnsOptions) }

// Endpoints returns the container's endpoints in join order.
func (s *Sandbox) Endpoints() []*Endpoint { return slices.Clone(s.endpoints) }

// EndpointOn returns the container's endpoint on n, or nil.
func (s *Sandbox) EndpointOn(n *Network) *Endpoint {
	for _, ep := range s.endpoints {
		if ep.network == n {
			return ep
		}
	}
	return nil
}

// Endpoint joins a sandbox to a network: an interface with an address and
// a MAC, and the names the embedded DNS answers for it.
type Endpoint struct {
	id       string
	network  *Network
	sandbox  *Sandbox
	addr     netip.Prefix
	gateway  netip.Addr
	pool     *ipam.Pool
	mac      frame.MAC
	aliases  []string
	dnsNames []string
	static   bool
}

// ID returns the 64-hex-digit endpoint ID.
func (e *Endpoint) ID() string { return e.id }

// Name returns the endpoint's name, which is its container's name.
func (e *Endpoint) Name() string { return e.sandbox.name }

// Network returns the endpoint's network.
func (e *Endpoint) Network() *Network { return e.network }

// Sandbox returns the endpoint's container.
func (e *Endpoint) Sandbox() *Sandbox { return e.sandbox }

// Address returns the IPv4 address with the subnet's length
// (172.18.0.2/16), or the zero Prefix on host and none.
func (e *Endpoint) Address() netip.Prefix { return e.addr }

// IP returns the IPv4 address, or the zero Addr.
func (e *Endpoint) IP() netip.Addr { return e.addr.Addr() }

// Gateway returns the gateway of the endpoint's subnet, or the zero Addr.
func (e *Endpoint) Gateway() netip.Addr { return e.gateway }

// MAC returns the interface's MAC address (zero on host and none).
func (e *Endpoint) MAC() frame.MAC { return e.mac }

// MTU returns the network's MTU.
func (e *Endpoint) MTU() int { return e.network.mtu }

// Aliases returns --network-alias for this network.
func (e *Endpoint) Aliases() []string { return slices.Clone(e.aliases) }

// DNSNames returns the names the embedded DNS answers for this endpoint,
// in Docker's order (container name, aliases, short ID, hostname); the
// first is the PTR name. It is empty on networks without embedded DNS.
func (e *Endpoint) DNSNames() []string { return slices.Clone(e.dnsNames) }

// StaticIP reports whether the address was given with --ip.
func (e *Endpoint) StaticIP() bool { return e.static }

// EndpointOptions are the per-network settings of docker network connect
// and docker run: --ip and --alias/--network-alias.
type EndpointOptions struct {
	IP      netip.Addr
	Aliases []string
}

// RunOptions are the network settings of docker run -d / docker create.
type RunOptions struct {
	// Network is --network: "" (the default bridge), "bridge", "host",
	// "none", "container:NAME" or a network name or ID.
	Network    string
	Aliases    []string // --network-alias
	IP         netip.Addr
	Hostname   string
	DNS        []netip.Addr // --dns
	DNSSearch  []string     // --dns-search
	DNSOptions []string     // --dns-option
}

var validContainerName = regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// Run creates a running container attached to its network, as docker run
// -d does (the simulator's containers start at once). An empty name gets a
// generated one. Errors are Docker's, for example `Conflict. The container
// name "/c1" is already in use by container "…". You have to remove (or
// rename) that container to be able to reuse that name.` and "failed to set
// up container networking: network X not found". On error nothing changes.
func (c *Controller) Run(name string, o RunOptions) (*Sandbox, error) {
	saved := c.rngState()
	sb, ep, err := c.run(name, o)
	if err != nil {
		c.restoreRNG(saved)
		return nil, err
	}
	for _, ob := range c.observers {
		ob.SandboxCreated(sb)
		if ep != nil {
			ob.EndpointJoined(ep)
		}
	}
	return sb, nil
}

func (c *Controller) run(name string, o RunOptions) (*Sandbox, *Endpoint, error) {
	if name != "" && !validContainerName.MatchString(name) {
		return nil, nil, errorf(ErrInvalidParameter, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name)
	}
	name = strings.TrimPrefix(name, "/")
	if name != "" {
		for _, s := range c.sandboxes {
			if s.name == name {
				return nil, nil, errorf(ErrConflict, "Conflict. The container name \"/%s\" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.", name, s.id)
			}
		}
	}
	mode := o.Network
	if mode == "" || mode == "default" {
		mode = "bridge"
	}
	target, isContainer := strings.CutPrefix(mode, "container:")
	if isContainer && o.Hostname != "" {
		return nil, nil, errorf(ErrInvalidParameter, "conflicting options: hostname and the network mode")
	}
	if isContainer || IsPredefined(mode) {
		// The docker CLI refuses aliases; the daemon refuses --ip.
		if len(o.Aliases) > 0 {
			return nil, nil, errorf(ErrInvalidParameter, "network-scoped aliases are only supported for user-defined networks")
		}
		if o.IP.IsValid() {
			return nil, nil, errorf(ErrInvalidParameter, "invalid config for network %s: invalid endpoint settings:\nuser-specified IP address is supported on user-defined networks only", mode)
		}
	}
	var (
		n      *Network
		shares *Sandbox
		err    error
	)
	if isContainer {
		if shares, err = c.FindSandbox(target); err != nil {
			return nil, nil, prefixed("failed to set up container networking: joining network namespace of container: ", err)
		}
		for shares.shares != nil {
			shares = shares.shares
		}
	} else if n, err = c.FindNetwork(mode); err != nil {
		return nil, nil, prefixed("failed to set up container networking: ", err)
	}
	id := c.newID()
	if name == "" {
		name = c.generateName(id)
	}
	sb := &Sandbox{
		id: id, name: name, mode: mode, shares: shares,
		dns: slices.Clone(o.DNS), dnsSearch: slices.Clone(o.DNSSearch), dnsOptions: slices.Clone(o.DNSOptions),
	}
	sb.hostMode = n != nil && n.driver.Name() == DriverHost
	switch {
	case o.Hostname != "":
		sb.hostname = o.Hostname
	case shares != nil:
		sb.hostname = shares.hostname
	case sb.hostMode && c.nodeName != "":
		sb.hostname = c.nodeName
	default:
		sb.hostname = ShortID(sb.id)
	}
	if n == nil {
		c.sandboxes = append(c.sandboxes, sb)
		return sb, nil, nil
	}
	ep, err := c.connect(sb, n, EndpointOptions{IP: o.IP, Aliases: o.Aliases})
	if err != nil {
		return nil, nil, prefixed("failed to set up container networking: ", err)
	}
	c.sandboxes = append(c.sandboxes, sb)
	return sb, ep, nil
}

// Connect connects a container to a network, as docker network connect
// does. Errors are Docker's: "endpoint with name C already exists in
// network N", "network-scoped aliases are only supported for user-defined
// networks", "user-specified IP address is supported on user-defined
// networks only", "container sharing network namespace with another
// container or host cannot be connected to any other network", "Address
// already in use", and the lookup errors. On error nothing changes.
func (c *Controller) Connect(container, network string, o EndpointOptions) (*Endpoint, error) {
	n, err := c.FindNetwork(network)
	if err != nil {
		return nil, err
	}
	sb, err := c.FindSandbox(container)
	if err != nil {
		return nil, err
	}
	saved := c.rngState()
	ep, err := c.connect(sb, n, o)
	if err != nil {
		c.restoreRNG(saved)
		return nil, err
	}
	for _, ob := range c.observers {
		ob.EndpointJoined(ep)
	}
	return ep, nil
}

func (c *Controller) connect(sb *Sandbox, n *Network, o EndpointOptions) (*Endpoint, error) {
	if sb.shares != nil {
		return nil, errorf(ErrInvalidParameter, "container sharing network namespace with another container or host cannot be connected to any other network")
	}
	if err := validateEndpoint(n, o); err != nil {
		return nil, err
	}
	if !sb.hostMode && n.driver.Name() == DriverHost {
		return nil, errorf(ErrInvalidParameter, "cannot connect container to host network - container must be created in host network mode")
	}
	for _, ep := range sb.endpoints {
		sn := ep.network
		if sn == n {
			break // Docker goes on and fails creating the endpoint
		}
		if sn.driver.Name() == DriverHost || n.driver.Name() == DriverHost {
			return nil, errorf(ErrInvalidParameter, "container sharing network namespace with another container or host cannot be connected to any other network")
		}
		if sn.driver.Name() == DriverNull || n.driver.Name() == DriverNull {
			return nil, errorf(ErrInvalidParameter, "container cannot be connected to multiple networks with one of the networks in private (none) mode")
		}
	}
	for _, ep := range n.endpoints {
		if ep.sandbox.name == sb.name {
			return nil, errorf(ErrForbidden, "endpoint with name %s already exists in network %s", sb.name, n.name)
		}
	}
	ep := &Endpoint{id: c.newID(), network: n, sandbox: sb, aliases: slices.Clone(o.Aliases)}
	if !n.driver.Special() {
		if err := c.assignAddress(ep, o.IP); err != nil {
			return nil, err
		}
		ep.mac = c.endpointMAC(n, ep.IP())
	}
	if n.EmbeddedDNS() {
		ep.dnsNames = dnsNames(sb, o.Aliases)
	}
	n.endpoints = append(n.endpoints, ep)
	sb.endpoints = append(sb.endpoints, ep)
	return ep, nil
}

// validateEndpoint is the daemon's validateEndpointSettings.
func validateEndpoint(n *Network, o EndpointOptions) error {
	var errs []string
	ip := o.IP.Unmap()
	if n.predefined {
		if ip.IsValid() {
			errs = append(errs, "user-specified IP address is supported on user-defined networks only")
		}
		if len(o.Aliases) > 0 {
			errs = append(errs, "network-scoped aliases are only supported for user-defined networks")
		}
	}
	if ip.IsValid() {
		switch {
		case !ip.Is4() || ip.IsUnspecified():
			errs = append(errs, fmt.Sprintf("invalid IPv4 address: %s", o.IP))
		case !n.predefined:
			subnets := n.staticSubnets()
			if len(subnets) == 0 {
				errs = append(errs, "user specified IP address is supported only when connecting to networks with user configured subnets")
			} else if !slices.ContainsFunc(subnets, func(p netip.Prefix) bool { return p.Contains(ip) }) {
				errs = append(errs, fmt.Sprintf("no configured subnet or ip-range contain the IP address %s", ip))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errorf(ErrInvalidParameter, "invalid endpoint settings:\n%s", strings.Join(errs, "\n"))
}

// staticSubnets are the subnets the user configured, where --ip may point.
func (n *Network) staticSubnets() []netip.Prefix {
	if n.noStaticIP {
		return nil
	}
	var out []netip.Prefix
	for _, r := range n.shown {
		if r.Subnet.IsValid() && !r.Subnet.Addr().IsUnspecified() {
			out = append(out, r.Subnet.Masked())
		}
	}
	return out
}

// assignAddress gives ep a static or the lowest free address, as
// libnetwork's assignAddressVersion does.
func (c *Controller) assignAddress(ep *Endpoint, want netip.Addr) error {
	n := ep.network
	want = want.Unmap()
	for _, p := range n.pools {
		if want.IsValid() && !p.Subnet.Contains(want) {
			continue
		}
		addr, err := p.RequestAddress(want)
		if err == nil {
			ep.addr = netip.PrefixFrom(addr, p.Subnet.Bits())
			ep.gateway = p.Gateway
			ep.pool = p
			ep.static = want.IsValid()
			return nil
		}
		if !errors.Is(err, ipam.ErrNoAvailableIPs) || want.IsValid() {
			return ipamErr(err)
		}
	}
	if want.IsValid() {
		return errorf(ErrInvalidParameter, "invalid address %s: It does not belong to any of this network's subnets", want)
	}
	return &Error{Class: ErrUnavailable, Msg: fmt.Sprintf("no available IPv4 addresses on this network's address pools: %s (%s)", n.name, n.id), Cause: ipam.ErrNoAvailableIPs}
}

// endpointMAC draws the driver's MAC, avoiding one already on the network.
func (c *Controller) endpointMAC(n *Network, ip netip.Addr) frame.MAC {
	for {
		mac := n.driver.EndpointMAC(ip, c.rng)
		if mac.IsZero() {
			return mac
		}
		clash := mac == n.gatewayMAC
		for _, ep := range n.endpoints {
			clash = clash || ep.mac == mac
		}
		if !clash {
			return mac
		}
		if n.driver.Name() != DriverBridge {
			return mac // derived MACs are as unique as the addresses
		}
	}
}

// dnsNames is Docker's buildEndpointDNSNames: name, aliases, short ID,
// hostname, without repeats.
func dnsNames(sb *Sandbox, aliases []string) []string {
	names := []string{sb.name}
	names = append(names, aliases...)
	names = append(names, ShortID(sb.id), sb.hostname)
	out := names[:0]
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// Disconnect disconnects a container from a network, as docker network
// disconnect [-f] does. Errors: "container ID is not connected to network
// N", the lookup errors, and with force for an unknown container "endpoint
// C not found". On error nothing changes.
func (c *Controller) Disconnect(container, network string, force bool) error {
	sb, err := c.FindSandbox(container)
	if err != nil {
		if !force {
			return err
		}
		n, nerr := c.FindNetwork(network)
		if nerr != nil {
			return nerr
		}
		for _, ep := range n.endpoints {
			if ep.sandbox.name == container {
				c.leave(ep)
				return nil
			}
		}
		return errorf(ErrNotFound, "endpoint %s not found", container)
	}
	n, err := c.FindNetwork(network)
	if err != nil {
		if !force {
			return err
		}
		return errorf(ErrInvalidParameter, "container %s is not connected to the network %s", sb.id, network)
	}
	if sb.hostMode && n.driver.Name() == DriverHost {
		return errorf(ErrForbidden, "container cannot be disconnected from host network or connected to host network")
	}
	ep := sb.EndpointOn(n)
	if ep == nil {
		if force {
			return errorf(ErrNotFound, "endpoint %s not found", sb.name)
		}
		return errorf(ErrInvalidParameter, "container %s is not connected to network %s", sb.id, n.name)
	}
	c.leave(ep)
	return nil
}

// leave removes ep and gives its address back.
func (c *Controller) leave(ep *Endpoint) {
	if ep.pool != nil {
		_ = ep.pool.ReleaseAddress(ep.IP())
	}
	n, sb := ep.network, ep.sandbox
	n.endpoints = slices.DeleteFunc(n.endpoints, func(x *Endpoint) bool { return x == ep })
	sb.endpoints = slices.DeleteFunc(sb.endpoints, func(x *Endpoint) bool { return x == ep })
	for _, ob := range c.observers {
		ob.EndpointLeft(ep)
	}
}

// RemoveSandbox removes a container, as docker rm -f does: it leaves every
// network, then goes. Error: "No such container: X".
func (c *Controller) RemoveSandbox(term string) error {
	sb, err := c.FindSandbox(term)
	if err != nil {
		return err
	}
	for _, ep := range slices.Clone(sb.endpoints) {
		c.leave(ep)
	}
	c.sandboxes = slices.DeleteFunc(c.sandboxes, func(x *Sandbox) bool { return x == sb })
	sb.removed = true
	for _, ob := range c.observers {
		ob.SandboxRemoved(sb)
	}
	return nil
}

// Short lists in the spirit of Docker's namesgenerator.
var (
	nameAdjectives = []string{"admiring", "bold", "brave", "clever", "eager", "focused", "gallant", "happy",
		"jolly", "keen", "nifty", "quirky", "serene", "stoic", "vibrant", "zealous"}
	nameSurnames = []string{"babbage", "cerf", "dijkstra", "hopper", "kahn", "knuth", "lamport", "liskov",
		"lovelace", "metcalfe", "perlman", "postel", "ritchie", "shannon", "thompson", "turing"}
)

// generateName returns an unused adjective_surname name, as Docker's
// daemon does: a few tries, the later ones with a digit appended, then the
// container's short ID (moby daemon/names.go), so it always ends.
func (c *Controller) generateName(id string) string {
	for i := range 7 {
		name := nameAdjectives[c.rng.IntN(len(nameAdjectives))] + "_" + nameSurnames[c.rng.IntN(len(nameSurnames))]
		if i > 0 {
			name = fmt.Sprintf("%s%d", name, c.rng.IntN(10))
		}
		if !c.sandboxNameTaken(name) {
			return name
		}
	}
	return ShortID(id)
}

// sandboxNameTaken reports whether a container already has name.
func (c *Controller) sandboxNameTaken(name string) bool {
	for _, s := range c.sandboxes {
		if s.name == name {
			return true
		}
	}
	return false
}
