package stp

import (
	"errors"
	"fmt"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// State is a port state of 802.1D-1998 8.4.
type State uint8

// Port states. Only Learning and Forwarding ports learn; only Forwarding
// ports forward.
const (
	Disabled State = iota
	Blocking
	Listening
	Learning
	Forwarding
)

var stateNames = [...]string{"disabled", "blocking", "listening", "learning", "forwarding"}

// String returns the lower-case name of s, as Linux's brctl prints it.
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Role is the part a port plays in the active topology. 802.1D-1998 has no
// roles as such; they are derived from the port's parameters: the Root
// Port, a Designated Port, or neither (Alternate, which blocks).
type Role uint8

// Port roles.
const (
	RoleDisabled Role = iota
	RoleRoot
	RoleDesignated
	RoleAlternate
)

var roleNames = [...]string{"disabled", "root", "designated", "alternate"}

// String returns the lower-case name of r.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// BridgeID is an 802.1D-1998 bridge identifier: the 16-bit priority in the
// top bits, then the 48-bit MAC address. Lower is better, so comparing two
// identifiers is comparing two integers.
type BridgeID uint64

// MakeBridgeID returns the identifier of a bridge with priority prio and
// address mac.
func MakeBridgeID(prio uint16, mac frame.MAC) BridgeID {
	return BridgeID(uint64(prio)<<48 | uint64(mac[0])<<40 | uint64(mac[1])<<32 |
		uint64(mac[2])<<24 | uint64(mac[3])<<16 | uint64(mac[4])<<8 | uint64(mac[5]))
}

// Priority returns the priority part of id.
func (id BridgeID) Priority() uint16 { return uint16(id >> 48) }

// MAC returns the address part of id.
func (id BridgeID) MAC() frame.MAC {
	return frame.MAC{byte(id >> 40), byte(id >> 32), byte(id >> 24), byte(id >> 16), byte(id >> 8), byte(id)}
}

// String formats id as Linux does: four hex digits of priority, a dot and
// twelve hex digits of address ("8000.020000000001").
func (id BridgeID) String() string {
	const hex = "0123456789abcdef"
	var b [17]byte
	for i := range 4 {
		b[i] = hex[(id>>(60-4*i))&0xf]
	}
	b[4] = '.'
	for i := range 12 {
		b[5+i] = hex[(id>>(44-4*i))&0xf]
	}
	return string(b[:])
}

// MakePortID returns the 802.1D-1998 port identifier of port number port
// with priority prio: the priority in the high octet, the low eight bits of
// the port number in the low octet.
func MakePortID(prio uint8, port int) uint16 { return uint16(prio)<<8 | uint16(port&0xff) }

// Protocol constants of 802.1D-1998 table 8-3.
const (
	// HoldTime is the minimum interval between two configuration BPDUs on
	// one port.
	HoldTime = time.Second
	// MessageAgeIncrement is added to the age of the root's information
	// each time a bridge relays it.
	MessageAgeIncrement = time.Second
)

// Default bridge parameters (802.1D-1998 table 8-3, 8-4).
const (
	DefaultPriority     = 0x8000
	DefaultHelloTime    = 2 * time.Second
	DefaultMaxAge       = 20 * time.Second
	DefaultForwardDelay = 15 * time.Second
	DefaultPortPriority = 0x80
)

// ErrBadConfig is returned by Config.Validate for parameters outside the
// ranges of 802.1D-1998 table 8-3.
var ErrBadConfig = errors.New("stp: invalid bridge parameters")

// Config holds the bridge's own protocol parameters: its priority and the
// timer values it advertises when it is the root (Bridge Hello Time,
// Bridge Max Age, Bridge Forward Delay).
type Config struct {
	Priority     uint16
	HelloTime    time.Duration
	MaxAge       time.Duration
	ForwardDelay time.Duration
}

// DefaultConfig returns priority 32768, hello 2 s, max age 20 s and forward
// delay 15 s.
func DefaultConfig() Config {
	return Config{
		Priority:     DefaultPriority,
		HelloTime:    DefaultHelloTime,
		MaxAge:       DefaultMaxAge,
		ForwardDelay: DefaultForwardDelay,
	}
}

// Validate checks the timers against 802.1D-1998 8.10.2: hello 1-10 s, max
// age 6-40 s, forward delay 4-30 s, and 2*(ForwardDelay-1s) >= MaxAge >=
// 2*(HelloTime+1s). Zero timers stand for the defaults.
func (c Config) Validate() error {
	c = c.withDefaults()
	in := func(d, lo, hi time.Duration) bool { return d >= lo && d <= hi }
	switch {
	case !in(c.HelloTime, time.Second, 10*time.Second):
		return fmt.Errorf("%w: hello time %v not in 1s..10s", ErrBadConfig, c.HelloTime)
	case !in(c.MaxAge, 6*time.Second, 40*time.Second):
		return fmt.Errorf("%w: max age %v not in 6s..40s", ErrBadConfig, c.MaxAge)
	case !in(c.ForwardDelay, 4*time.Second, 30*time.Second):
		return fmt.Errorf("%w: forward delay %v not in 4s..30s", ErrBadConfig, c.ForwardDelay)
	case 2*(c.ForwardDelay-time.Second) < c.MaxAge:
		return fmt.Errorf("%w: max age %v above 2*(forward delay-1s)", ErrBadConfig, c.MaxAge)
	case c.MaxAge < 2*(c.HelloTime+time.Second):
		return fmt.Errorf("%w: max age %v below 2*(hello time+1s)", ErrBadConfig, c.MaxAge)
	}
	return nil
}

// withDefaults replaces zero or negative timers by the defaults. Positive
// timers are what keeps Advance from looping, so New applies it even to
// configurations that were not validated.
func (c Config) withDefaults() Config {
	if c.HelloTime <= 0 {
		c.HelloTime = DefaultHelloTime
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.ForwardDelay <= 0 {
		c.ForwardDelay = DefaultForwardDelay
	}
	return c
}

// DefaultPathCost returns the recommended path cost of 802.1D-1998 table
// 8-5 for a link of the given speed: 4 Mb/s 250, 10 Mb/s 100, 16 Mb/s 62,
// 100 Mb/s 19, 1 Gb/s 4, 10 Gb/s 2. A speed between two rows gets the cost
// of the slower row, a speed below 4 Mb/s gets 250, and an unknown speed
// (0 or negative) gets 19.
func DefaultPathCost(bitsPerSecond int64) uint32 {
	const m = 1_000_000
	switch {
	case bitsPerSecond <= 0:
		return 19
	case bitsPerSecond >= 10_000*m:
		return 2
	case bitsPerSecond >= 1_000*m:
		return 4
	case bitsPerSecond >= 100*m:
		return 19
	case bitsPerSecond >= 16*m:
		return 62
	case bitsPerSecond >= 10*m:
		return 100
	}
	return 250
}

// Env is the bridge as the Machine sees it. The bridge implements it; the
// Machine calls it synchronously from inside its own methods, and the
// callee must not call back into the Machine except for the read-only
// State, Status, ForwardDelay and NextDeadline.
type Env interface {
	// SendBPDU transmits a whole Ethernet frame (802.3 header, LLC 42 42 03,
	// BPDU, padding) to 01:80:c2:00:00:00 on port. The frame is borrowed for
	// the call.
	SendBPDU(port int, frame []byte)
	// SetState reports each change of a port's state.
	SetState(port int, s State)
	// FlushPort asks the bridge to forget the stations learned on port,
	// because the port left Learning or Forwarding.
	FlushPort(port int)
	// TopologyChange reports changes of the bridge's Topology Change flag.
	// While it is active the bridge ages its filtering database with the
	// operational ForwardDelay instead of its aging time (802.1D-1998
	// 8.3.5).
	TopologyChange(active bool)
}

// Counters count BPDUs and the frames dropped on the way in, by reason.
type Counters struct {
	ConfigRx uint64 // configuration BPDUs accepted
	ConfigTx uint64 // configuration BPDUs sent
	TCNRx    uint64 // TCN BPDUs accepted
	TCNTx    uint64 // TCN BPDUs sent

	BadBPDU     uint64 // malformed BPDUs: the sum of the four reasons below
	Truncated   uint64 // shorter than their type needs, or than the 802.3 length says
	BadProtocol uint64 // protocol identifier not 0
	BadVersion  uint64 // protocol version not 0 (RSTP/MSTP BPDUs land here)
	BadType     uint64 // neither Configuration nor TCN

	NotBPDU   uint64 // frames without the 802.3/LLC 42 42 03 encapsulation or to another address
	Expired   uint64 // configuration BPDUs whose MessageAge is not below their MaxAge
	Discarded uint64 // BPDUs received on an unknown or disabled port

	TopologyChanges uint64 // topology changes detected by this bridge (8.6.14)
}

// PortStatus is one port's view in Status.
type PortStatus struct {
	Port     int
	ID       uint16 // port identifier: priority<<8 | port number
	Role     Role
	State    State
	PathCost uint32
	Priority uint8
	Edge     bool // change detection disabled

	DesignatedRoot   BridgeID
	DesignatedBridge BridgeID
	DesignatedPort   uint16
	DesignatedCost   uint32

	Counters Counters // per-port BPDU counts (drop reasons are per bridge only)
}

// Status is a snapshot of the bridge's spanning tree parameters.
type Status struct {
	BridgeID     BridgeID
	RootID       BridgeID
	RootPathCost uint32
	RootPort     int // -1 when this bridge is the root
	IsRoot       bool

	TopologyChange         bool // the flag sent in config BPDUs; shortens FDB aging
	TopologyChangeDetected bool // waiting for the root to acknowledge (or, at the root, until the timer ends)

	// Operational timers, learned from the root (equal to the bridge's own
	// when it is the root).
	MaxAge       time.Duration
	HelloTime    time.Duration
	ForwardDelay time.Duration

	Ports    []PortStatus // sorted by port number
	Counters Counters
}
