package vswitch

import (
	"sync/atomic"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/switch/stp"
)

// Port is the consumer-side view of whatever a bridge port sends into.
type Port interface {
	// Send transmits frame out of the port. frame is borrowed for the call.
	Send(frame []byte)
}

// PortID identifies a port of one bridge. IDs are small integers handed out
// by AddPort and reused after RemovePort.
type PortID int

// Mode is the 802.1Q role of a port.
type Mode uint8

// Port modes.
const (
	// Access ports carry one VLAN (the PVID), untagged.
	Access Mode = iota
	// Trunk ports carry a set of VLANs tagged, and optionally one native
	// VLAN untagged.
	Trunk
)

// String returns "access" or "trunk".
func (m Mode) String() string {
	if m == Trunk {
		return "trunk"
	}
	return "access"
}

// MTU bounds. MaxMTU keeps a tagged jumbo frame within a pool buffer.
const (
	DefaultMTU = 1500
	MaxMTU     = 9000
)

// PortConfig is the configuration of one bridge port.
type PortConfig struct {
	Name string
	Mode Mode
	// PVID is an access port's VLAN; 0 means 1.
	PVID uint16
	// Allowed lists a trunk's tagged VLANs; empty means all of 1-4094.
	Allowed []uint16
	// Native is a trunk's untagged VLAN; 0 means none, and untagged frames
	// arriving on the trunk are dropped.
	Native uint16
	// MTU is the largest payload (after the Ethernet header and tag) the
	// port accepts and sends; 0 means DefaultMTU.
	MTU int
	// STPPriority is the port priority for STP, 0-255; nil means
	// DefaultPortPriority. A pointer because 0 is a valid priority.
	STPPriority *uint8
	// PathCost is the STP path cost; 0 means stp.DefaultPathCost(0).
	PathCost uint32
}

// vlanSet is a bitmap of VLAN IDs 0-4095.
type vlanSet [64]uint64

func (s *vlanSet) add(v uint16)      { s[v>>6] |= 1 << (v & 63) }
func (s *vlanSet) has(v uint16) bool { return s[v>>6]&(1<<(v&63)) != 0 }
func (s *vlanSet) addRange(lo, hi uint16) {
	for v := lo; v <= hi; v++ {
		s.add(v)
	}
}

// Port state bits kept in bridgePort.state.
const (
	stateAdminUp = 1 << 8
	stateMask    = 0xff // low byte: stp.State
)

type bridgePort struct {
	id     PortID
	name   string
	port   Port
	mode   Mode
	pvid   uint16 // access VLAN, or trunk native VLAN (0 = none)
	mtu    int
	member vlanSet // VLANs the port carries (for access ports: just pvid)
	cfg    PortConfig

	state atomic.Uint32 // stateAdminUp | stp.State
	tap   atomic.Pointer[tap]
	c     portCounters
}

func newBridgePort(id PortID, cfg PortConfig, p Port) *bridgePort {
	bp := &bridgePort{id: id, name: cfg.Name, port: p, mode: cfg.Mode, mtu: cfg.MTU, cfg: cfg}
	if bp.mtu <= 0 {
		bp.mtu = DefaultMTU
	}
	switch cfg.Mode {
	case Trunk:
		bp.pvid = cfg.Native
		if len(cfg.Allowed) == 0 {
			bp.member.addRange(1, frame.MaxVLAN)
		}
		for _, v := range cfg.Allowed {
			bp.member.add(v)
		}
		if cfg.Native != 0 {
			bp.member.add(cfg.Native)
		}
	default:
		bp.pvid = cfg.PVID
		if bp.pvid == 0 {
			bp.pvid = 1
		}
		bp.member.add(bp.pvid)
	}
	return bp
}

// classify returns the VLAN of a frame arriving on the port, or false if the
// port does not accept it. Priority-tagged frames (VID 0) count as untagged.
func (p *bridgePort) classify(e frame.Ethernet) (uint16, bool) {
	vid := e.VLAN() // 0 when untagged
	if vid == 0 {
		if p.pvid == 0 {
			return 0, false
		}
		return p.pvid, true
	}
	if vid > frame.MaxVLAN || !p.member.has(vid) {
		return 0, false
	}
	if p.mode == Access && vid != p.pvid {
		return 0, false
	}
	return vid, true
}

// untaggedOn reports whether frames of vlan leave this port untagged.
func (p *bridgePort) untaggedOn(vlan uint16) bool {
	return p.mode == Access || vlan == p.pvid
}

func (p *bridgePort) stpState() stp.State { return stp.State(p.state.Load() & stateMask) }

func (p *bridgePort) adminUp() bool { return p.state.Load()&stateAdminUp != 0 }
