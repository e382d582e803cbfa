package vswitch

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// FDB returns the live forwarding entries sorted by VLAN, then MAC.
func (b *Bridge) FDB() []FDBEntry {
	now := b.now.Load()
	out := b.fdb.list(now, b.aging.Load())
	for i := range out {
		out[i].PortName = b.PortName(out[i].Port)
	}
	return out
}

// FDBSize returns the number of entries held, including expired entries
// not yet swept.
func (b *Bridge) FDBSize() int { return int(b.fdb.size.Load()) }

// Lookup returns the port a frame to mac on vlan would be forwarded to.
func (b *Bridge) Lookup(vlan uint16, mac frame.MAC) (PortID, bool) {
	return b.fdb.lookup(fdbKey{mac: mac, vlan: vlan}.pack(), b.now.Load(), b.aging.Load())
}

// AddStatic adds a static entry: it never ages and never moves, and it is
// kept even when the FDB is full.
func (b *Bridge) AddStatic(vlan uint16, mac frame.MAC, port PortID) error {
	if vlan == 0 || vlan > frame.MaxVLAN {
		return fmt.Errorf("%w: %d", ErrBadVLAN, vlan)
	}
	if b.port(port) == nil {
		return ErrNoPort
	}
	b.fdb.addStatic(fdbKey{mac: mac, vlan: vlan}, port)
	return nil
}

// RemoveEntry deletes an entry, static or learned, and reports whether it
// existed.
func (b *Bridge) RemoveEntry(vlan uint16, mac frame.MAC) bool {
	return b.fdb.remove(fdbKey{mac: mac, vlan: vlan})
}

// FlushPort forgets the stations learned on a port (static entries stay)
// and returns how many went.
func (b *Bridge) FlushPort(id PortID) int { return b.flushPort(id) }

func (b *Bridge) flushPort(id PortID) int {
	return b.fdb.deleteIf(func(_ fdbKey, port PortID, static bool, _ int64) bool {
		return !static && port == id
	})
}

// FlushVLAN forgets the stations learned on a VLAN (static entries stay).
func (b *Bridge) FlushVLAN(vlan uint16) int {
	return b.fdb.deleteIf(func(k fdbKey, _ PortID, static bool, _ int64) bool {
		return !static && k.vlan == vlan
	})
}

// FlushAll forgets every learned station.
func (b *Bridge) FlushAll() int {
	return b.fdb.deleteIf(func(_ fdbKey, _ PortID, static bool, _ int64) bool { return !static })
}

// AgingTime returns the aging time in effect (shortened to the STP forward
// delay during a topology change).
func (b *Bridge) AgingTime() time.Duration { return time.Duration(b.aging.Load()) }

// SetAgingTime changes the configured aging time; 0 means never.
func (b *Bridge) SetAgingTime(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cfg.AgingTime = d
	if b.stp == nil || !b.stp.Status().TopologyChange {
		b.aging.Store(int64(d))
	}
	b.nextSweep.Store(0)
}

// PortCounters returns a snapshot of one port's counters.
func (b *Bridge) PortCounters(id PortID) (Counters, error) {
	bp := b.port(id)
	if bp == nil {
		return Counters{}, ErrNoPort
	}
	return bp.c.snapshot(), nil
}

// Counters returns the bridge's counters: the sum over its ports plus the
// bridge-wide events.
func (b *Bridge) Counters() BridgeCounters {
	var s BridgeCounters
	for _, bp := range *b.ports.Load() {
		if bp == nil {
			continue
		}
		c := bp.c.snapshot()
		s.RxFrames += c.RxFrames
		s.RxBytes += c.RxBytes
		s.TxFrames += c.TxFrames
		s.TxBytes += c.TxBytes
		for i := range c.Drops {
			s.Drops[i] += c.Drops[i]
		}
	}
	s.Drops[DropUnknownPort] += b.c.unknownPort.Load()
	s.Learned = b.c.learned.Load()
	s.Moves = b.c.moves.Load()
	s.FDBFull = b.c.full.Load()
	s.Flooded = b.c.flooded.Load()
	s.Unknown = b.c.unknown.Load()
	s.Aged = b.c.aged.Load()
	s.FDBEntries = b.FDBSize()
	s.ARPSuppressed = b.c.arpSuppressed.Load()
	s.ARPProxied = b.c.arpProxied.Load()
	return s
}

func sortNeighbors(ns []Neighbor) {
	slices.SortFunc(ns, func(a, b Neighbor) int {
		if c := cmp.Compare(a.VLAN, b.VLAN); c != 0 {
			return c
		}
		return a.IP.Compare(b.IP)
	})
}
