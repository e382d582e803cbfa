package network

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network/ipam"
)

// Network is one network of a node. Its accessors return copies; it is
// changed only through its Controller.
type Network struct {
	id, name    string
	driver      Driver
	created     time.Time
	scope       string
	internal    bool
	attachable  bool
	ingress     bool
	predefined  bool
	options     map[string]string
	labels      map[string]string
	ipamDriver  string
	ipamOptions map[string]string // nil shows as null, as for docker0
	shown       []ipam.Request    // the user's IPAM configuration, for inspect
	// noStaticIP makes static addresses refused as on a network without a
	// user-configured subnet, whatever shown says (see RefuseStaticIPs).
	noStaticIP bool
	pools      []*ipam.Pool
	mtu        int
	bridgeName string
	gatewayMAC frame.MAC
	endpoints  []*Endpoint // join order
}

// RefuseStaticIPs makes later endpoints with a static address (--ip) on
// the network get Docker's refusal for networks without a user-configured
// subnet. A simulator that pinned the subnet IPAM chose, so that the static
// addresses of its file's containers could be given, calls it once those
// containers exist: the network was not created with --subnet, and Docker
// refuses --ip there.
func (n *Network) RefuseStaticIPs() { n.noStaticIP = true }

// ID returns the 64-hex-digit network ID.
func (n *Network) ID() string { return n.id }

// ShortID returns the 12-character network ID.
func (n *Network) ShortID() string { return ShortID(n.id) }

// Name returns the network's name.
func (n *Network) Name() string { return n.name }

// Driver returns the network's driver.
func (n *Network) Driver() Driver { return n.driver }

// DriverName returns the driver's name ("bridge", "host", "null").
func (n *Network) DriverName() string { return n.driver.Name() }

// Scope returns "local" or "swarm".
func (n *Network) Scope() string { return n.scope }

// Created returns the creation time.
func (n *Network) Created() time.Time { return n.created }

// Internal reports whether the network was created with --internal: no
// way out of it.
func (n *Network) Internal() bool { return n.internal }

// Attachable reports --attachable.
func (n *Network) Attachable() bool { return n.attachable }

// Ingress reports --ingress.
func (n *Network) Ingress() bool { return n.ingress }

// Predefined reports whether the network is bridge, host or none.
func (n *Network) Predefined() bool { return n.predefined }

// UserDefined reports whether the network is not predefined. Only
// user-defined networks have embedded DNS and aliases.
func (n *Network) UserDefined() bool { return !n.predefined }

// EmbeddedDNS reports whether containers on the network resolve each other
// by name: user-defined networks of drivers with interfaces.
func (n *Network) EmbeddedDNS() bool { return !n.predefined && !n.driver.Special() }

// Options returns a copy of the driver options.
func (n *Network) Options() map[string]string { return maps.Clone(n.options) }

// Option returns one driver option.
func (n *Network) Option(key string) string { return n.options[key] }

// Labels returns a copy of the labels.
func (n *Network) Labels() map[string]string { return maps.Clone(n.labels) }

// MTU returns the network's MTU (0 for host and none).
func (n *Network) MTU() int { return n.mtu }

// BridgeName returns the switch's name for bridge networks ("docker0",
// "br-<short id>"), or "".
func (n *Network) BridgeName() string { return n.bridgeName }

// GatewayMAC returns the MAC address of the network's gateway (zero for
// networks without one).
func (n *Network) GatewayMAC() frame.MAC { return n.gatewayMAC }

// Subnets returns the network's IPv4 subnets.
func (n *Network) Subnets() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(n.pools))
	for _, p := range n.pools {
		out = append(out, p.Subnet)
	}
	return out
}

// Gateway returns the gateway of the network's first subnet, if any.
func (n *Network) Gateway() netip.Addr {
	if len(n.pools) == 0 {
		return netip.Addr{}
	}
	return n.pools[0].Gateway
}

// Gateways returns the gateway prefixes (address/subnet length) of every
// subnet that has a gateway.
func (n *Network) Gateways() []netip.Prefix {
	var out []netip.Prefix
	for _, p := range n.pools {
		if p.Gateway.IsValid() {
			out = append(out, netip.PrefixFrom(p.Gateway, p.Subnet.Bits()))
		}
	}
	return out
}

// Endpoints returns the network's endpoints in join order.
func (n *Network) Endpoints() []*Endpoint {
	out := make([]*Endpoint, len(n.endpoints))
	copy(out, n.endpoints)
	return out
}

// CreateOptions are the flags of docker network create.
type CreateOptions struct {
	Driver string // -d; "" means bridge
	// Subnets, IPRanges, Gateways and AuxAddresses ("name=address") are the
	// --subnet, --ip-range, --gateway and --aux-address values as typed.
	Subnets      []string
	IPRanges     []string
	Gateways     []string
	AuxAddresses []string
	IPAMDriver   string            // --ipam-driver; "" means default
	IPAMOptions  map[string]string // --ipam-opt
	Options      map[string]string // -o
	Labels       map[string]string // --label
	Internal     bool
	Attachable   bool
	Ingress      bool
	EnableIPv4   *bool // --ipv4; nil means true
	IPv6         bool  // --ipv6
	Scope        string
	ConfigOnly   bool
	ConfigFrom   string
}

// Create creates a network, as docker network create does, and returns its
// ID. Errors are Docker's: "network with name X already exists",
// "operation is not permitted on predefined bridge network ", the IPAM
// errors of package ipam, driver option errors, and so on. On error
// nothing changes.
func (c *Controller) Create(name string, o CreateOptions) (string, error) {
	saved := c.rngState()
	n, err := c.create(name, o)
	if err != nil {
		c.restoreRNG(saved)
		return "", err
	}
	for _, ob := range c.observers {
		ob.NetworkCreated(n)
	}
	return n.id, nil
}

func (c *Controller) create(name string, o CreateOptions) (*Network, error) {
	// The docker CLI groups and checks the IPAM flags before it calls the
	// daemon.
	reqs, err := ipam.ParseFlags(ipam.Spec{Subnets: o.Subnets, IPRanges: o.IPRanges, Gateways: o.Gateways, AuxAddresses: o.AuxAddresses})
	if err != nil {
		return nil, wrap(ErrInvalidParameter, "", err)
	}
	if IsPredefined(name) {
		return nil, errorf(ErrForbidden, "operation is not permitted on predefined %s network ", name)
	}
	driverName := o.Driver
	if driverName == "" {
		driverName = DriverBridge
	}
	d, ok := c.drivers[driverName]
	if !ok && driverName == "overlay" {
		return nil, driverNotFound(driverName)
	}
	opts := maps.Clone(o.Options)
	if opts == nil {
		opts = map[string]string{}
	}
	enable4, enable6 := true, o.IPv6
	if o.EnableIPv4 != nil {
		enable4 = *o.EnableIPv4
		delete(opts, OptionEnableIPv4)
	} else if v, ok := opts[OptionEnableIPv4]; ok {
		if enable4, err = strconv.ParseBool(v); err != nil {
			return nil, errorf(ErrInvalidParameter, "driver-opt %q is not a valid bool", OptionEnableIPv4)
		}
	}
	if o.IPv6 {
		delete(opts, OptionEnableIPv6)
	} else if v, ok := opts[OptionEnableIPv6]; ok {
		if enable6, err = strconv.ParseBool(v); err != nil {
			return nil, errorf(ErrInvalidParameter, "driver-opt %q is not a valid bool", OptionEnableIPv6)
		}
	}
	if err := ipam.Validate(reqs); err != nil {
		if errors.Is(err, ipam.ErrIPv6) {
			return nil, wrap(ErrNotImplemented, "", err)
		}
		return nil, wrap(ErrInvalidParameter, "", err)
	}
	switch {
	case enable6:
		return nil, errorf(ErrNotImplemented, "IPv6 networks are not supported by vswitch yet")
	case !enable4:
		return nil, errorf(ErrNotImplemented, "networks without IPv4 are not supported by vswitch yet")
	case o.ConfigOnly || o.ConfigFrom != "":
		return nil, errorf(ErrNotImplemented, "config-only networks are not supported by vswitch yet")
	case o.Ingress:
		return nil, errorf(ErrNotImplemented, "ingress networks are not supported by vswitch yet")
	}
	if name == "" {
		return nil, errorf(ErrInvalidParameter, "network name is required")
	}
	for _, n := range c.networks {
		if n.name == name {
			return nil, errorf(ErrConflict, "network with name %s already exists", name)
		}
	}
	if !ok {
		return nil, driverNotFound(driverName)
	}
	if o.Scope != "" && o.Scope != d.Scope() {
		if o.Scope == ScopeLocal {
			return nil, errorf(ErrForbidden, "cannot downgrade network scope for %s networks", driverName)
		}
		return nil, errorf(ErrNotImplemented, "%s scope is not supported by vswitch yet", o.Scope)
	}
	if o.IPAMDriver != "" && o.IPAMDriver != "default" {
		return nil, errorf(ErrNotFound, "plugin %q not found", o.IPAMDriver)
	}
	ipamOpts := maps.Clone(o.IPAMOptions)
	if ipamOpts == nil {
		ipamOpts = map[string]string{} // the docker CLI always sends a map
	}
	labels := maps.Clone(o.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	shown := reqs
	if len(reqs) == 0 {
		reqs = []ipam.Request{{}}
	}
	n, err := c.newNetwork(networkParams{
		name: name, driver: d, options: opts, labels: labels, reqs: reqs, shown: shown,
		internal: o.Internal, attachable: o.Attachable,
	})
	if err != nil {
		return nil, err
	}
	n.ipamOptions = ipamOpts
	return n, nil
}

type networkParams struct {
	name                 string
	driver               Driver
	options, labels      map[string]string
	reqs, shown          []ipam.Request
	internal, attachable bool
	predefined           bool
}

// newNetwork allocates the network's addresses, lets the driver create it
// and records it. On error it undoes what it did.
func (c *Controller) newNetwork(p networkParams) (n *Network, err error) {
	if p.options == nil {
		p.options = map[string]string{}
	}
	if p.labels == nil {
		p.labels = map[string]string{}
	}
	n = &Network{
		id: c.newID(), name: p.name, driver: p.driver, scope: p.driver.Scope(),
		internal: p.internal, attachable: p.attachable, predefined: p.predefined,
		options: p.options, labels: p.labels, ipamDriver: "default", ipamOptions: map[string]string{},
		shown: p.shown,
	}
	if !p.driver.Special() {
		for _, req := range p.reqs {
			pool, err := c.ipam.RequestPool(req)
			if err != nil {
				n.releasePools(c)
				return nil, ipamErr(err)
			}
			n.pools = append(n.pools, pool)
		}
	}
	spec := NetworkSpec{ID: n.id, Name: n.name, Options: maps.Clone(n.options), Internal: n.internal, Subnets: n.Subnets()}
	if err := p.driver.CreateNetwork(spec); err != nil {
		n.releasePools(c)
		return nil, err
	}
	n.mtu = p.driver.MTU(n.options)
	if p.driver.Name() == DriverBridge {
		n.bridgeName = BridgeName(n.id, n.options)
	}
	if !p.driver.Special() && n.Gateway().IsValid() {
		n.gatewayMAC = RandomMAC(c.rng)
	}
	n.created = c.clock.Now()
	c.networks = append(c.networks, n)
	return n, nil
}

func (n *Network) releasePools(c *Controller) {
	for i := len(n.pools) - 1; i >= 0; i-- {
		_ = c.ipam.ReleasePool(n.pools[i])
	}
	n.pools = nil
}

// ipamErr classifies an IPAM error as Docker does.
func ipamErr(err error) error {
	switch {
	case errors.Is(err, ipam.ErrPoolOverlap), errors.Is(err, ipam.ErrIPAlreadyAllocated):
		return wrap(ErrForbidden, "", err)
	case errors.Is(err, ipam.ErrNoAvailableIPs):
		return wrap(ErrUnavailable, "", err)
	case errors.Is(err, ipam.ErrIPv6):
		return wrap(ErrNotImplemented, "", err)
	}
	return wrap(ErrInvalidParameter, "", err)
}

// Remove removes a network, as docker network rm does. Errors: "network X
// not found", "bridge is a pre-defined network and cannot be removed",
// `error while removing network: network N has active endpoints
// (name:"c1" id:"…")`.
func (c *Controller) Remove(term string) error {
	n, err := c.FindNetwork(term)
	if err != nil {
		return err
	}
	if n.predefined {
		return errorf(ErrForbidden, "%s is a pre-defined network and cannot be removed", n.name)
	}
	if len(n.endpoints) > 0 {
		eps := make([]string, len(n.endpoints))
		for i, ep := range n.endpoints {
			eps[i] = fmt.Sprintf("name:%q id:%q", ep.Name(), ShortID(ep.id))
		}
		return errorf(ErrForbidden, "error while removing network: network %s has active endpoints (%s)", n.name, strings.Join(eps, ", "))
	}
	c.removeNetwork(n)
	return nil
}

func (c *Controller) removeNetwork(n *Network) {
	n.releasePools(c)
	n.driver.DeleteNetwork(n.id)
	for i, x := range c.networks {
		if x == n {
			c.networks = append(c.networks[:i], c.networks[i+1:]...)
			break
		}
	}
	for _, ob := range c.observers {
		ob.NetworkRemoved(n)
	}
}

// Prune removes every custom network without endpoints that matches the
// filters (until, label, label!), as docker network prune does, and returns
// the names it removed in creation order.
func (c *Controller) Prune(f Filters) ([]string, error) {
	if err := f.validate(pruneFilters); err != nil {
		return nil, err
	}
	var until time.Time
	if vals := f["until"]; len(vals) > 0 {
		if len(vals) > 1 {
			return nil, errorf(ErrInvalidParameter, "more than one until filter specified")
		}
		t, err := ParseTimestamp(vals[0], c.clock.Now())
		if err != nil {
			return nil, err
		}
		until = t
	}
	var deleted []string
	for _, n := range c.Networks() {
		if n.predefined || n.ingress || len(n.endpoints) > 0 {
			continue
		}
		if !until.IsZero() && n.created.After(until) {
			continue
		}
		if !f.matchKVList("label", n.labels) {
			continue
		}
		if _, ok := f["label!"]; ok && f.matchKVList("label!", n.labels) {
			continue
		}
		c.removeNetwork(n)
		deleted = append(deleted, n.name)
	}
	return deleted, nil
}

// List returns the networks matching the filters of docker network ls
// (driver, id, name, label, scope, type, dangling) in creation order; the
// docker CLI sorts them by name itself.
func (c *Controller) List(f Filters) ([]*Network, error) {
	if err := f.validate(listFilters); err != nil {
		return nil, err
	}
	var out []*Network
	for _, n := range c.networks {
		switch {
		case !f.exactMatch("driver", n.driver.Name()),
			!f.match("name", n.name),
			!f.match("id", n.id),
			!f.matchKVList("label", n.labels),
			!f.exactMatch("scope", n.scope):
			continue
		}
		out = append(out, n)
	}
	if vals := f["dangling"]; len(vals) > 0 {
		if len(vals) > 1 {
			return nil, errorf(ErrInvalidParameter, `got more than one value for filter key "dangling"`)
		}
		var dangling bool
		switch vals[0] {
		case "0", "false":
		case "1", "true":
			dangling = true
		default:
			return nil, errorf(ErrInvalidParameter, `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`)
		}
		kept := out[:0]
		for _, n := range out {
			used := n.predefined || len(n.endpoints) > 0
			if used != dangling {
				kept = append(kept, n)
			}
		}
		out = kept
	}
	if types, ok := f["type"]; ok {
		var typed []*Network
		for _, t := range types {
			switch t {
			case "builtin", "custom":
				for _, n := range out {
					if n.predefined == (t == "builtin") {
						typed = append(typed, n)
					}
				}
			default:
				return nil, errorf(ErrInvalidParameter, "invalid filter: 'type'='%s'", t)
			}
		}
		out = typed
	}
	return out, nil
}
