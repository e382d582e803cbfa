package network

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"time"

	"github.com/vswitch/vswitch/network/ipam"
)

// Clock gives the time for Created timestamps and prune's "until" filter.
// The daemon passes real time, the simulator virtual time.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// Epoch is the time a Controller without a Clock sees: 2025-01-01 UTC.
var Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// ControllerConfig configures a node's controller. Config is separate from
// the runtime Controller.
type ControllerConfig struct {
	// NodeName is the node's hostname, used for containers in host mode.
	NodeName string
	// Pools are the predefined IPAM pools (nil: Docker's defaults).
	Pools []ipam.PoolSpec
	// Reserved prefixes are skipped by dynamic subnet allocation: the
	// node's own LAN routes and nameservers.
	Reserved []netip.Prefix
	// Rand seeds the controller's random stream (IDs, MAC addresses). The
	// controller draws two numbers from it once; nil means a fixed seed.
	Rand *rand.Rand
	// Clock gives Created timestamps; nil means a clock stopped at Epoch.
	Clock Clock
	// MTU is the default bridge's MTU, as dockerd --mtu (0: 1500).
	MTU int
	// BIP is the default bridge's gateway address and prefix, as dockerd
	// --bip (zero: the first free predefined pool, normally 172.17.0.0/16).
	BIP netip.Prefix
	// Drivers adds network drivers (overlay, macvlan) to the built-in
	// bridge, host and null.
	Drivers []Driver
}

// Controller is one node's network model. It is not safe for concurrent
// use.
type Controller struct {
	nodeName  string
	ipam      *ipam.Allocator
	pcg       *rand.PCG
	rng       *rand.Rand
	clock     Clock
	drivers   map[string]Driver
	networks  []*Network // creation order
	sandboxes []*Sandbox // creation order
	observers []Observer
}

// NewController returns a controller with the predefined networks bridge,
// host and none.
func NewController(cfg ControllerConfig) (*Controller, error) {
	alloc, err := ipam.New(ipam.Config{Pools: cfg.Pools, Reserved: cfg.Reserved})
	if err != nil {
		return nil, err
	}
	var pcg *rand.PCG
	if cfg.Rand != nil {
		pcg = rand.NewPCG(cfg.Rand.Uint64(), cfg.Rand.Uint64())
	} else {
		pcg = rand.NewPCG(0x76737769, 0x746368) // "vswi", "tch"
	}
	c := &Controller{
		nodeName: cfg.NodeName,
		ipam:     alloc,
		pcg:      pcg,
		rng:      rand.New(pcg),
		clock:    cfg.Clock,
		drivers:  map[string]Driver{},
	}
	if c.clock == nil {
		c.clock = ClockFunc(func() time.Time { return Epoch })
	}
	mtu := cfg.MTU
	if mtu == 0 {
		mtu = DefaultMTU
	}
	c.drivers[DriverBridge] = newBridgeDriver(mtu)
	c.drivers[DriverHost] = &specialDriver{name: DriverHost}
	c.drivers[DriverNull] = &specialDriver{name: DriverNull}
	for _, d := range cfg.Drivers {
		c.drivers[d.Name()] = d
	}
	if err := c.createPredefined(mtu, cfg.BIP); err != nil {
		return nil, err
	}
	return c, nil
}

// createPredefined creates bridge (docker0), host and none, as dockerd does
// at start.
func (c *Controller) createPredefined(mtu int, bip netip.Prefix) error {
	req := ipam.Request{}
	var user []ipam.Request
	if bip.IsValid() {
		req = ipam.Request{Subnet: bip.Masked(), Gateway: bip.Addr()}
		user = []ipam.Request{req}
	}
	opts := map[string]string{
		OptionDefaultBridge:   "true",
		OptionEnableICC:       "true",
		OptionIPMasquerade:    "true",
		OptionHostBindingIPv4: "0.0.0.0",
		OptionBridgeName:      "docker0",
		OptionMTU:             fmt.Sprint(mtu),
	}
	bridge, err := c.newNetwork(networkParams{
		name: "bridge", driver: c.drivers[DriverBridge], options: opts, reqs: []ipam.Request{req},
		shown: user, predefined: true,
	})
	if err != nil {
		return fmt.Errorf("network: default bridge: %w", err)
	}
	bridge.ipamOptions = nil
	for _, p := range []struct{ name, driver string }{{"host", DriverHost}, {"none", DriverNull}} {
		n, err := c.newNetwork(networkParams{name: p.name, driver: c.drivers[p.driver], predefined: true})
		if err != nil {
			return fmt.Errorf("network: %s: %w", p.name, err)
		}
		n.ipamOptions = nil
	}
	return nil
}

// AddObserver registers o to be told of every change, synchronously, after
// the change succeeded.
func (c *Controller) AddObserver(o Observer) { c.observers = append(c.observers, o) }

// NodeName returns the node's name.
func (c *Controller) NodeName() string { return c.nodeName }

// IPAM returns the controller's address allocator, for inspection. Callers
// must not allocate from it.
func (c *Controller) IPAM() *ipam.Allocator { return c.ipam }

// Driver returns the named driver.
func (c *Controller) Driver(name string) (Driver, bool) {
	d, ok := c.drivers[name]
	return d, ok
}

// rngState captures the random stream so that a failed call can put it
// back: a misuse must not change which IDs later calls get.
func (c *Controller) rngState() []byte {
	b, _ := c.pcg.MarshalBinary()
	return b
}

func (c *Controller) restoreRNG(b []byte) { _ = c.pcg.UnmarshalBinary(b) }

// newID returns a random 64-hex-digit ID, unique among networks and
// sandboxes, whose short form is not all digits (Docker's
// GenerateRandomID).
func (c *Controller) newID() string {
	var b [32]byte
	for {
		for i := 0; i < len(b); i += 8 {
			v := c.rng.Uint64()
			for j := range 8 {
				b[i+j] = byte(v >> (8 * j))
			}
		}
		id := hex.EncodeToString(b[:])
		if strings.Trim(ShortID(id), "0123456789") == "" {
			continue
		}
		if c.idInUse(id) {
			continue
		}
		return id
	}
}

func (c *Controller) idInUse(id string) bool {
	for _, n := range c.networks {
		if n.id == id {
			return true
		}
	}
	for _, s := range c.sandboxes {
		if s.id == id {
			return true
		}
	}
	return false
}

// ShortID returns the 12-character form of an ID.
func ShortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// IsPredefined reports whether name is one of Docker's predefined network
// names (bridge, host, none, and the "default" alias).
func IsPredefined(name string) bool {
	switch name {
	case "bridge", "host", "none", "default":
		return true
	}
	return false
}

// FindNetwork looks a network up as Docker does: full ID, then full name,
// then unique ID prefix. Errors: "network X not found", "network X is
// ambiguous (2 matches found on name)", "network X is ambiguous (2 matches
// found based on ID prefix)".
func (c *Controller) FindNetwork(term string) (*Network, error) {
	var byName, byPrefix []*Network
	for _, n := range c.networks {
		if n.id == term {
			return n, nil
		}
		if n.name == term {
			byName = append(byName, n)
		}
		if strings.HasPrefix(n.id, term) {
			byPrefix = append(byPrefix, n)
		}
	}
	switch {
	case len(byName) == 1:
		return byName[0], nil
	case len(byName) > 1:
		return nil, errorf(ErrInvalidParameter, "network %s is ambiguous (%d matches found on name)", term, len(byName))
	case len(byPrefix) == 1:
		return byPrefix[0], nil
	case len(byPrefix) > 1:
		return nil, errorf(ErrInvalidParameter, "network %s is ambiguous (%d matches found based on ID prefix)", term, len(byPrefix))
	}
	return nil, errorf(ErrNotFound, "network %s not found", term)
}

// Networks returns every network in creation order.
func (c *Controller) Networks() []*Network {
	out := make([]*Network, len(c.networks))
	copy(out, c.networks)
	return out
}

// Sandboxes returns every sandbox in creation order.
func (c *Controller) Sandboxes() []*Sandbox {
	out := make([]*Sandbox, len(c.sandboxes))
	copy(out, c.sandboxes)
	return out
}

// FindSandbox looks a container up as Docker does: full ID, then name, then
// unique ID prefix. Errors: "No such container: X", "multiple IDs found with
// provided prefix: X".
func (c *Controller) FindSandbox(term string) (*Sandbox, error) {
	name := strings.TrimPrefix(term, "/")
	for _, s := range c.sandboxes {
		if s.id == term {
			return s, nil
		}
	}
	for _, s := range c.sandboxes {
		if s.name == name {
			return s, nil
		}
	}
	var found *Sandbox
	if term != "" {
		for _, s := range c.sandboxes {
			if strings.HasPrefix(s.id, term) {
				if found != nil {
					return nil, errorf(ErrInvalidParameter, "multiple IDs found with provided prefix: %s", term)
				}
				found = s
			}
		}
	}
	if found == nil {
		return nil, errorf(ErrNotFound, "No such container: %s", term)
	}
	return found, nil
}
