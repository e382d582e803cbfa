package network

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"

	"github.com/vswitch/vswitch/internal/frame"
)

// Driver option keys Docker defines (ln/netlabel, ln/drivers/bridge).
const (
	OptionMTU             = "com.docker.network.driver.mtu"
	OptionEnableIPv4      = "com.docker.network.enable_ipv4"
	OptionEnableIPv6      = "com.docker.network.enable_ipv6"
	OptionBridgeName      = "com.docker.network.bridge.name"
	OptionEnableICC       = "com.docker.network.bridge.enable_icc"
	OptionIPMasquerade    = "com.docker.network.bridge.enable_ip_masquerade"
	OptionHostBindingIPv4 = "com.docker.network.bridge.host_binding_ipv4"
	OptionDefaultBridge   = "com.docker.network.bridge.default_bridge"
	OptionInhibitIPv4     = "com.docker.network.bridge.inhibit_ipv4"
)

// Scopes of networks.
const (
	ScopeLocal = "local"
	ScopeSwarm = "swarm"
)

// Driver names of the built-in drivers.
const (
	DriverBridge = "bridge"
	DriverHost   = "host"
	DriverNull   = "null"
)

// MTUs Docker uses: bridge networks default to 1500 (dockerd --mtu);
// overlay takes the 50 bytes of VXLAN encapsulation off that, and 26 more
// with --opt encrypted, rounded down to a multiple of 4.
const (
	DefaultMTU          = 1500
	OverlayMTU          = DefaultMTU - 50
	OverlayEncryptedMTU = (OverlayMTU - 26) &^ 3
)

// NetworkSpec is what a driver is told about a network being created.
type NetworkSpec struct {
	ID       string
	Name     string
	Options  map[string]string
	Internal bool
	Subnets  []netip.Prefix
}

// Driver is a network driver. Bridge, host and null are built in; overlay
// and macvlan implement it in their own packages and are added with
// ControllerConfig.Drivers.
type Driver interface {
	// Name is the driver name shown by inspect ("bridge", "null").
	Name() string
	// Scope is "local" or "swarm".
	Scope() string
	// Special reports whether the driver plumbs nothing and allocates no
	// addresses, like Docker's host and null (hasSpecialDriver).
	Special() bool
	// ValidateOptions checks the -o options with Docker's messages.
	ValidateOptions(opts map[string]string) error
	// CreateNetwork validates and records a new network. On error the
	// driver must be left as it was.
	CreateNetwork(spec NetworkSpec) error
	// DeleteNetwork forgets a network.
	DeleteNetwork(id string)
	// MTU returns the MTU of a network with these options.
	MTU(opts map[string]string) int
	// EndpointMAC returns the MAC address of a new endpoint with address ip
	// (zero for drivers without interfaces).
	EndpointMAC(ip netip.Addr, r *rand.Rand) frame.MAC
}

// RandomMAC returns a random, locally administered unicast MAC address, as
// Docker 28+ gives bridge and macvlan endpoints (GenerateRandomMAC).
func RandomMAC(r *rand.Rand) frame.MAC {
	var m frame.MAC
	v := r.Uint64()
	for i := range m {
		m[i] = byte(v >> (8 * i))
	}
	m[0] &^= 0x01 // unicast
	m[0] |= 0x02  // locally administered
	return m
}

// MACFromIP returns Docker's legacy MAC for an IPv4 address, 02:42 followed
// by the four octets (GenerateMACFromIP), which overlay still uses.
func MACFromIP(ip netip.Addr) frame.MAC {
	b := ip.Unmap().As4()
	return frame.MAC{0x02, 0x42, b[0], b[1], b[2], b[3]}
}

// parseErr is the bridge driver's option error.
func parseErr(label, value, cause string) error {
	return errorf(ErrInvalidParameter, "failed to parse %s value: %s (%s)", label, value, cause)
}

// bridgeDriver models Docker's Linux bridge driver: one switch per network
// with a gateway. It tracks bridge names, which must be unique per node.
type bridgeDriver struct {
	names map[string]string // bridge name -> network ID
	nets  []bridgeNet       // creation order, for deterministic errors
	mtu   int
}

type bridgeNet struct {
	id, name string
	subnets  []netip.Prefix
}

func newBridgeDriver(mtu int) *bridgeDriver {
	return &bridgeDriver{names: map[string]string{}, mtu: mtu}
}

func (d *bridgeDriver) Name() string  { return DriverBridge }
func (d *bridgeDriver) Scope() string { return ScopeLocal }
func (d *bridgeDriver) Special() bool { return false }

// ValidateOptions parses the options the bridge driver knows, in key order
// so that the first error is always the same one.
func (d *bridgeDriver) ValidateOptions(opts map[string]string) error {
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := opts[k]
		switch k {
		case OptionMTU:
			mtu, err := strconv.Atoi(v)
			if err != nil {
				return parseErr(k, v, err.Error())
			}
			if mtu < 0 {
				return errorf(ErrInvalidParameter, "invalid MTU number: %d", mtu)
			}
		case OptionEnableIPv6, OptionIPMasquerade, OptionEnableICC, OptionInhibitIPv4, OptionDefaultBridge:
			if _, err := strconv.ParseBool(v); err != nil {
				return parseErr(k, v, err.Error())
			}
		case OptionHostBindingIPv4:
			if _, err := netip.ParseAddr(v); err != nil {
				return parseErr(k, v, "nil ip")
			}
		}
	}
	return nil
}

// BridgeName returns the name of a bridge network's switch: the
// com.docker.network.bridge.name option, or "br-" and the short ID.
func BridgeName(id string, opts map[string]string) string {
	if n := opts[OptionBridgeName]; n != "" {
		return n
	}
	return "br-" + ShortID(id)
}

func (d *bridgeDriver) CreateNetwork(spec NetworkSpec) error {
	if err := d.ValidateOptions(spec.Options); err != nil {
		return err
	}
	name := BridgeName(spec.ID, spec.Options)
	// Docker's checkConflict: bridges need distinct names and subnets (a
	// subnet shared through --ip-range is for macvlan, not bridges).
	for _, o := range d.nets {
		why := ""
		switch {
		case o.name == name:
			why = "networks have same bridge name"
		case slices.ContainsFunc(o.subnets, func(p netip.Prefix) bool {
			return slices.ContainsFunc(spec.Subnets, p.Overlaps)
		}):
			why = "networks have overlapping IPv4"
		default:
			continue
		}
		return errorf(ErrForbidden, "cannot create network %s (%s): conflicts with network %s (%s): %s", spec.ID, name, o.id, o.name, why)
	}
	d.names[name] = spec.ID
	d.nets = append(d.nets, bridgeNet{id: spec.ID, name: name, subnets: slices.Clone(spec.Subnets)})
	return nil
}

func (d *bridgeDriver) DeleteNetwork(id string) {
	for i, o := range d.nets {
		if o.id == id {
			delete(d.names, o.name)
			d.nets = slices.Delete(d.nets, i, i+1)
			return
		}
	}
}

func (d *bridgeDriver) MTU(opts map[string]string) int {
	if mtu, err := strconv.Atoi(opts[OptionMTU]); err == nil && mtu > 0 {
		return mtu
	}
	return DefaultMTU
}

func (d *bridgeDriver) EndpointMAC(_ netip.Addr, r *rand.Rand) frame.MAC { return RandomMAC(r) }

// specialDriver is host or null: a single predefined network, no addresses.
type specialDriver struct {
	name    string
	network string // ID of the one network, if created
}

func (d *specialDriver) Name() string                            { return d.name }
func (d *specialDriver) Scope() string                           { return ScopeLocal }
func (d *specialDriver) Special() bool                           { return true }
func (d *specialDriver) ValidateOptions(map[string]string) error { return nil }
func (d *specialDriver) MTU(map[string]string) int               { return 0 }

func (d *specialDriver) CreateNetwork(spec NetworkSpec) error {
	if d.network != "" {
		return errorf(ErrForbidden, "only one instance of %q network is allowed", d.name)
	}
	d.network = spec.ID
	return nil
}

func (d *specialDriver) DeleteNetwork(id string) {
	if d.network == id {
		d.network = ""
	}
}

func (d *specialDriver) EndpointMAC(netip.Addr, *rand.Rand) frame.MAC { return frame.MAC{} }

var (
	_ Driver = (*bridgeDriver)(nil)
	_ Driver = (*specialDriver)(nil)
)

// driverNotFound is Docker's error for an unknown driver.
func driverNotFound(name string) error {
	switch name {
	case "overlay":
		return errorf(ErrForbidden, "%s", `This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.`)
	case "macvlan", "ipvlan":
		return errorf(ErrNotImplemented, "network driver %q is not supported by vswitch yet", name)
	}
	return errorf(ErrNotFound, "plugin %q not found", name)
}

// String helps debugging.
func (s NetworkSpec) String() string { return fmt.Sprintf("%s (%s)", s.Name, ShortID(s.ID)) }
