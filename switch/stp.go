package vswitch

import "github.com/vswitch/vswitch/switch/stp"

// stpEnv is the bridge as seen by its STP machine. The machine calls it with
// b.mu held.
type stpEnv Bridge

var _ stp.Env = (*stpEnv)(nil)

func (e *stpEnv) SendBPDU(port int, f []byte) {
	b := (*Bridge)(e)
	bp := b.port(PortID(port))
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
	if bp := b.port(PortID(port)); bp != nil {
		admin := bp.state.Load() & stateAdminUp
		bp.state.Store(admin | uint32(s))
	}
}

func (e *stpEnv) FlushPort(port int) { (*Bridge)(e).flushPort(PortID(port)) }

func (e *stpEnv) TopologyChange(active bool) {
	b := (*Bridge)(e)
	if active {
		b.aging.Store(int64(b.stp.ForwardDelay()))
	} else {
		b.aging.Store(int64(b.cfg.AgingTime))
	}
	b.nextSweep.Store(0)
}

// STPEnabled reports whether the bridge runs STP.
func (b *Bridge) STPEnabled() bool { return b.stp != nil }

// STPStatus returns the spanning tree's view: root, roles and states. The
// second result is false when STP is off.
func (b *Bridge) STPStatus() (stp.Status, bool) {
	if b.stp == nil {
		return stp.Status{}, false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stp.Status(), true
}
