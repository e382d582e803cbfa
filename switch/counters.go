package vswitch

import "sync/atomic"

// DropReason says why the bridge dropped a frame.
type DropReason uint8

// Drop reasons. Their String forms are stable: scenarios and metrics use them.
const (
	DropRunt         DropReason = iota // shorter than an Ethernet header
	DropTruncatedTag                   // 802.1Q TPID without a whole tag
	DropOversize                       // payload over the port's MTU
	DropBadSource                      // multicast, broadcast or zero source MAC
	DropReserved                       // 802.1D reserved group address (not a BPDU for STP)
	DropVLAN                           // VLAN not allowed on the port
	DropLocal                          // destination is on the ingress port
	DropPortDown                       // port administratively down
	DropSTP                            // port not forwarding (blocking, listening, learning)
	DropUnknownPort                    // Input for a port ID that does not exist
	numDropReasons
)

var dropNames = [numDropReasons]string{
	"runt", "truncated-tag", "oversize", "bad-source", "reserved",
	"vlan", "local", "port-down", "stp", "unknown-port",
}

// String returns the reason's stable name, e.g. "vlan".
func (r DropReason) String() string {
	if r < numDropReasons {
		return dropNames[r]
	}
	return "unknown"
}

// DropReasons returns every reason in order, for display.
func DropReasons() []DropReason {
	rs := make([]DropReason, numDropReasons)
	for i := range rs {
		rs[i] = DropReason(i)
	}
	return rs
}

// ParseDropReason returns the reason named s.
func ParseDropReason(s string) (DropReason, bool) {
	for i, n := range dropNames {
		if n == s {
			return DropReason(i), true
		}
	}
	return 0, false
}

// portCounters are updated atomically on the forwarding path. They sit on
// their own cache lines so that two ports forwarding on two cores do not
// share one.
type portCounters struct {
	_         [64]byte
	rxFrames  atomic.Uint64
	rxBytes   atomic.Uint64
	txFrames  atomic.Uint64
	txBytes   atomic.Uint64
	txDropped atomic.Uint64 // egress drops (MTU)
	drops     [numDropReasons]atomic.Uint64
	_         [64]byte
}

// Counters is a snapshot of a port's or a bridge's counters.
type Counters struct {
	RxFrames, RxBytes uint64
	TxFrames, TxBytes uint64
	// Drops counts frames dropped, by reason. For a port, ingress drops are
	// counted on the ingress port and egress MTU drops on the egress port.
	Drops [numDropReasons]uint64
}

// Drop returns the count for one reason.
func (c Counters) Drop(r DropReason) uint64 { return c.Drops[r] }

// TotalDrops sums all reasons.
func (c Counters) TotalDrops() uint64 {
	var n uint64
	for _, d := range c.Drops {
		n += d
	}
	return n
}

func (c *portCounters) snapshot() Counters {
	s := Counters{
		RxFrames: c.rxFrames.Load(), RxBytes: c.rxBytes.Load(),
		TxFrames: c.txFrames.Load(), TxBytes: c.txBytes.Load(),
	}
	for i := range c.drops {
		s.Drops[i] = c.drops[i].Load()
	}
	return s
}

// BridgeCounters adds the bridge-wide events to the sum of its ports.
type BridgeCounters struct {
	Counters
	Learned    uint64 // new FDB entries
	Moves      uint64 // station moves (a MAC seen on another port)
	FDBFull    uint64 // learning skipped because the FDB was full
	Flooded    uint64 // frames flooded (unknown unicast, broadcast, multicast)
	Unknown    uint64 // of which unknown unicast
	Aged       uint64 // entries removed by aging
	FDBEntries int    // current size
	// With ARP suppression: gratuitous ARPs not flooded, and requests the
	// bridge answered itself.
	ARPSuppressed, ARPProxied uint64
}

type bridgeCounters struct {
	learned, moves, full, flooded, unknown, aged, unknownPort atomic.Uint64
	arpSuppressed, arpProxied                                 atomic.Uint64
}
