package vswitch

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/switch/stp"
)

// Defaults of DefaultConfig.
const (
	DefaultAgingTime = 300 * time.Second
	DefaultFDBLimit  = 8192
)

// Config configures a Bridge. Start from DefaultConfig: zero values are
// meaningful (no aging, no limit).
type Config struct {
	Name string
	// MAC is the bridge address; STP uses it in the bridge ID and as the
	// source of BPDUs.
	MAC frame.MAC
	// AgingTime is how long a learned entry lives without traffic from its
	// station; 0 means entries never age.
	AgingTime time.Duration
	// FDBLimit caps the number of learned FDB entries (static entries do
	// not count, as with Linux's max_learned); 0 means no cap. When the
	// table is full, new stations are not learned (counted as FDBFull) and
	// frames to them are flooded until aging frees room: a full table
	// reclaims expired entries at once in the new station's shard and
	// sweeps the whole table within a second.
	FDBLimit int
	// STP turns on the 802.1D-1998 spanning tree with this config; nil
	// leaves it off and every up port forwarding.
	STP *stp.Config
	// ARPSuppress makes the bridge answer ARP requests for addresses it has
	// seen instead of flooding them, and flood gratuitous ARPs only when
	// they change a binding (Linux's neigh_suppress).
	ARPSuppress bool
	// Now, if set, gives capture timestamps finer than the last Advance.
	Now func() time.Duration
	// OnDrop, if set, is called for every dropped frame (frame borrowed).
	// It runs on the forwarding path of drops only.
	OnDrop func(port PortID, reason DropReason, frame []byte)
}

// DefaultConfig returns the config of a classic bridge: 300 s aging, an
// FDB of 8192 entries, STP off.
func DefaultConfig() Config {
	return Config{AgingTime: DefaultAgingTime, FDBLimit: DefaultFDBLimit}
}

// Errors returned by port management.
var (
	ErrNoPort     = errors.New("vswitch: no such port")
	ErrPortExists = errors.New("vswitch: port name already in use")
	ErrBadVLAN    = errors.New("vswitch: VLAN ID out of range 1-4094")
	ErrBadMTU     = errors.New("vswitch: MTU out of range 0-9000")
	// ErrTooManyPorts: an 802.1D-1998 port identifier has eight bits for
	// the port number and 0 is reserved, so an STP bridge has 255 ports.
	ErrTooManyPorts = errors.New("vswitch: an STP bridge has at most 255 ports")
)

// MaxSTPPorts is the most ports a bridge running STP can have.
const MaxSTPPorts = 255

// Bridge is an 802.1D learning bridge. It is safe for concurrent use; see
// the package documentation for the locking model.
type Bridge struct {
	cfg   Config
	fdb   *fdb
	ports atomic.Pointer[[]*bridgePort] // copy-on-write; index = PortID
	now   atomic.Int64                  // last Advance time (ns)
	aging atomic.Int64                  // effective aging (ns): AgingTime, or STP forward delay during a topology change
	c     bridgeCounters
	neigh neighTable // snooped ARP bindings, with ARPSuppress

	mu        sync.Mutex // serializes port changes, STP and sweeps; lock order: mu, then fdb shard locks
	stp       *stp.Machine
	nextSweep atomic.Int64
	byName    map[string]PortID // guarded by mu
	freeIDs   []PortID          // removed IDs, sorted; guarded by mu
}

// New returns a bridge with no ports.
func New(cfg Config) *Bridge {
	b := &Bridge{cfg: cfg, fdb: newFDB(cfg.FDBLimit), byName: map[string]PortID{}}
	b.aging.Store(int64(cfg.AgingTime))
	empty := []*bridgePort{}
	b.ports.Store(&empty)
	if cfg.STP != nil {
		b.stp = stp.New(cfg.MAC, *cfg.STP, (*stpEnv)(b))
	}
	return b
}

// Name returns the bridge's configured name.
func (b *Bridge) Name() string { return b.cfg.Name }

// MAC returns the bridge address.
func (b *Bridge) MAC() frame.MAC { return b.cfg.MAC }

// AddPort attaches p with cfg and returns its ID. The port starts
// administratively up; with STP on it starts blocking and moves to
// forwarding through listening and learning.
func (b *Bridge) AddPort(cfg PortConfig, p Port) (PortID, error) {
	if err := validatePort(cfg); err != nil {
		return 0, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	old := *b.ports.Load()
	if _, dup := b.byName[cfg.Name]; dup && cfg.Name != "" {
		return 0, fmt.Errorf("%w: %q", ErrPortExists, cfg.Name)
	}
	id := PortID(len(old))
	if n := len(b.freeIDs); n > 0 { // reuse the lowest free ID
		id = b.freeIDs[0]
	}
	if b.stp != nil && int(id) >= MaxSTPPorts {
		return 0, ErrTooManyPorts
	}
	if cfg.Name == "" {
		cfg.Name = fmt.Sprintf("p%d", id)
		if _, dup := b.byName[cfg.Name]; dup {
			return 0, fmt.Errorf("%w: %q", ErrPortExists, cfg.Name)
		}
	}
	if len(b.freeIDs) > 0 && id == b.freeIDs[0] {
		b.freeIDs = b.freeIDs[1:]
	}
	bp := newBridgePort(id, cfg, p)
	if b.stp == nil {
		bp.state.Store(stateAdminUp | uint32(stp.Forwarding))
	} else {
		bp.state.Store(stateAdminUp | uint32(stp.Blocking))
	}
	var ports []*bridgePort
	if int(id) == len(old) {
		// Appending past every reader's length is invisible to them until
		// the new header is published, so the backing array is shared and
		// adding N ports costs O(N), not O(N^2).
		ports = append(old, bp)
	} else {
		ports = make([]*bridgePort, len(old))
		copy(ports, old)
		ports[id] = bp
	}
	b.ports.Store(&ports)
	b.byName[cfg.Name] = id
	if b.stp != nil {
		prio, cost := uint8(DefaultPortPriority), cfg.PathCost
		if cfg.STPPriority != nil {
			prio = *cfg.STPPriority
		}
		if cost == 0 {
			cost = stp.DefaultPathCost(0)
		}
		b.stp.AddPort(stpPort(id), prio, cost)
		b.stp.SetEnabled(stpPort(id), true, time.Duration(b.now.Load()))
	}
	return id, nil
}

func validatePort(cfg PortConfig) error {
	if cfg.MTU < 0 || cfg.MTU > MaxMTU {
		return fmt.Errorf("%w: %d", ErrBadMTU, cfg.MTU)
	}
	bad := func(v uint16) bool { return v > frame.MaxVLAN }
	if cfg.Mode == Access && (bad(cfg.PVID)) {
		return fmt.Errorf("%w: pvid %d", ErrBadVLAN, cfg.PVID)
	}
	if cfg.Mode == Trunk {
		if bad(cfg.Native) {
			return fmt.Errorf("%w: native %d", ErrBadVLAN, cfg.Native)
		}
		for _, v := range cfg.Allowed {
			if v == 0 || bad(v) {
				return fmt.Errorf("%w: %d", ErrBadVLAN, v)
			}
		}
	}
	return nil
}

// RemovePort detaches a port and forgets the stations learned on it.
func (b *Bridge) RemovePort(id PortID) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	old := *b.ports.Load()
	if int(id) >= len(old) || old[id] == nil || id < 0 {
		return ErrNoPort
	}
	ports := make([]*bridgePort, len(old))
	copy(ports, old)
	ports[id] = nil
	b.ports.Store(&ports)
	delete(b.byName, old[id].name)
	i, _ := slices.BinarySearch(b.freeIDs, id)
	b.freeIDs = slices.Insert(b.freeIDs, i, id)
	if b.stp != nil {
		b.stp.RemovePort(stpPort(id))
	}
	// Every entry goes, static ones too: the ID will be reused.
	b.fdb.deleteIf(func(_ fdbKey, port PortID, _ bool, _ int64) bool { return port == id })
	return nil
}

// PortByName returns the ID of the named port.
func (b *Bridge) PortByName(name string) (PortID, bool) {
	for _, bp := range *b.ports.Load() {
		if bp != nil && bp.name == name {
			return bp.id, true
		}
	}
	return 0, false
}

// PortName returns the name of a port, or "" if there is none.
func (b *Bridge) PortName(id PortID) string {
	if bp := b.port(id); bp != nil {
		return bp.name
	}
	return ""
}

// PortInfo describes a port for display.
type PortInfo struct {
	ID       PortID
	Config   PortConfig
	AdminUp  bool
	State    stp.State
	Counters Counters
}

// Ports lists the ports in ID order.
func (b *Bridge) Ports() []PortInfo {
	var out []PortInfo
	for _, bp := range *b.ports.Load() {
		if bp == nil {
			continue
		}
		out = append(out, PortInfo{ID: bp.id, Config: bp.cfg, AdminUp: bp.adminUp(), State: bp.stpState(), Counters: bp.c.snapshot()})
	}
	return out
}

func (b *Bridge) port(id PortID) *bridgePort {
	ports := *b.ports.Load()
	if id < 0 || int(id) >= len(ports) {
		return nil
	}
	return ports[id]
}

// SetPortUp sets a port administratively (or by carrier) up or down. A port
// going down forgets its stations and, with STP on, triggers
// reconfiguration.
func (b *Bridge) SetPortUp(id PortID, up bool) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	bp := b.port(id)
	if bp == nil {
		return ErrNoPort
	}
	if bp.adminUp() == up {
		return nil
	}
	if up {
		st := stp.Forwarding
		if b.stp != nil {
			st = stp.Blocking
		}
		bp.state.Store(stateAdminUp | uint32(st))
	} else {
		bp.state.Store(uint32(stp.Disabled))
		b.flushPort(id)
	}
	if b.stp != nil {
		b.stp.SetEnabled(stpPort(id), up, time.Duration(b.now.Load()))
	}
	return nil
}

// PortState returns a port's admin state and STP state (Forwarding for
// every up port when STP is off).
func (b *Bridge) PortState(id PortID) (up bool, st stp.State, err error) {
	bp := b.port(id)
	if bp == nil {
		return false, 0, ErrNoPort
	}
	return bp.adminUp(), bp.stpState(), nil
}

// Advance sets the bridge's notion of now and runs what is due: the STP
// timers and the aging sweep. now must not go backwards. It is cheap when
// nothing is due, so the simulator may call it before every Input.
func (b *Bridge) Advance(now time.Duration) {
	n := int64(now)
	if n <= b.now.Load() {
		return
	}
	b.now.Store(n)
	if b.stp == nil && n < b.nextSweep.Load() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stp != nil {
		b.stp.Advance(now)
	}
	if n >= b.nextSweep.Load() {
		aging := b.aging.Load()
		if aging > 0 {
			b.c.aged.Add(uint64(b.fdb.expire(n, aging)))
			b.neigh.expire(n, aging)
		}
		b.nextSweep.Store(n + sweepInterval(aging))
	}
}

// sweepSoon brings the next aging sweep to within a second of now: the
// table is full and expired entries in other shards may be holding room.
// A second bounds the cost of sweeping under a MAC flood.
func (b *Bridge) sweepSoon(now int64) {
	soon := now + int64(time.Second)
	for {
		next := b.nextSweep.Load()
		if next <= soon || b.nextSweep.CompareAndSwap(next, soon) {
			return
		}
	}
}

// sweepInterval bounds the memory held by expired entries: lookups and
// listings already ignore them, so the sweep only reclaims space.
func sweepInterval(aging int64) int64 {
	iv := aging / 4
	return min(max(iv, int64(time.Second)), int64(time.Minute))
}

// Now returns the time of the last Advance.
func (b *Bridge) Now() time.Duration { return time.Duration(b.now.Load()) }
