package vswitch

import "github.com/vswitch/vswitch/switch/stp"

// stpEnv is the bridge as seen by its STP machine. The machine calls it with
// b.mu held.
type stpEnv Bridge

var _ stp.Env = (*stpEnv)(nil)

// stpPort maps a bridge port to its STP port number: 802.1D reserves port
// number 0, so STP numbers ports from 1.
func stpPort(id PortID) int { return int(id) + 1 }

// portOfSTP maps an STP port number back to the bridge's port ID.
func portOfSTP(port int) PortID { return PortID(port - 1) }

// DefaultPortPriority is the STP port priority of 802.1D-1998 table 8-5.
const DefaultPortPriority = 128

func (e *stpEnv) SendBPDU(port int, f []byte) {
	b := (*Bridge)(e)
	bp := b.port(portOfSTP(port))
	if bp == nil || !bp.adminUp() {
		return
	}
	bp.c.txFrames.Add(1)
	bp.c.txBytes.Add(uint64(len(f)))
	if t := bp.tap.Load(); t != nil {
		t.write(b, bp, DirOut, f)
	}
	bp.port.Send(f)
}

func (e *stpEnv) SetState(port int, s stp.State) {
	b := (*Bridge)(e)
	if bp := b.port(portOfSTP(port)); bp != nil {
		admin := bp.state.Load() & stateAdminUp
		bp.state.Store(admin | uint32(s))
	}
}

func (e *stpEnv) FlushPort(port int) { (*Bridge)(e).flushPort(portOfSTP(port)) }

func (e *stpEnv) TopologyChange(active bool) {
	b := (*Bridge)(e)
	if active {
		b.aging.Store(int64(b.stp.ForwardDelay()))
	} else {
		// Entries that outlived the short aging are gone in 802.1D
		// (8.3.5) even if no sweep ran yet: remove them before the long
		// aging would make them live again.
		if short := b.aging.Load(); short > 0 && (b.cfg.AgingTime <= 0 || short < int64(b.cfg.AgingTime)) {
			now := b.now.Load()
			b.c.aged.Add(uint64(b.fdb.expire(now, short)))
			b.neigh.expire(now, short)
		}
		b.aging.Store(int64(b.cfg.AgingTime))
	}
	b.nextSweep.Store(0)
}

// STPEnabled reports whether the bridge runs STP.
func (b *Bridge) STPEnabled() bool { return b.stp != nil }

// STPStatus returns the spanning tree's view: root, roles and states. The
// second result is false when STP is off. RootPort and Ports[].Port are
// bridge port IDs; Ports[].ID carries the STP port number (ID+1).
func (b *Bridge) STPStatus() (stp.Status, bool) {
	if b.stp == nil {
		return stp.Status{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.stp.Status()
	if st.RootPort >= 0 {
		st.RootPort = int(portOfSTP(st.RootPort))
	}
	for i := range st.Ports {
		st.Ports[i].Port = int(portOfSTP(st.Ports[i].Port))
	}
	return st, true
}
