package vswitch

import (
	"encoding/binary"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/switch/stp"
)

// Addresses as 48-bit integers.
const (
	reservedBase = 0x0180c2000000 // 01:80:c2:00:00:0X; :00 is the STP group address
	groupBit     = 1 << 40        // I/G bit of the first octet
)

// Input processes a frame that arrived on port id: learning, then
// forwarding or flooding. frame is borrowed for the call. Malformed frames
// are dropped and counted, never a panic.
func (b *Bridge) Input(id PortID, f []byte) {
	ports := *b.ports.Load()
	if id < 0 || int(id) >= len(ports) || ports[id] == nil {
		b.c.unknownPort.Add(1)
		if b.cfg.OnDrop != nil {
			b.cfg.OnDrop(id, DropUnknownPort, f)
		}
		return
	}
	in := ports[id]
	in.c.rxFrames.Add(1)
	in.c.rxBytes.Add(uint64(len(f)))
	if t := in.tap.Load(); t != nil {
		t.write(b, in, DirIn, f)
	}
	st := in.state.Load()
	if st&stateAdminUp == 0 {
		b.drop(in, DropPortDown, f)
		return
	}
	if len(f) < frame.EthernetLen {
		b.drop(in, DropRunt, f)
		return
	}
	eth := frame.Ethernet(f)
	if !eth.Valid() {
		b.drop(in, DropTruncatedTag, f)
		return
	}
	if len(f)-l2HeaderLen(eth) > in.mtu {
		b.drop(in, DropOversize, f)
		return
	}
	// The addresses as integers: the FDB key and the group-bit tests come
	// straight from two loads.
	dst := binary.BigEndian.Uint64(f[0:8]) >> 16
	src := binary.BigEndian.Uint64(f[4:12]) & (1<<48 - 1)
	if dst&^0xf == reservedBase {
		if dst == reservedBase && b.stp != nil {
			b.mu.Lock()
			b.stp.Input(stpPort(id), f, b.Now())
			b.mu.Unlock()
			return
		}
		b.drop(in, DropReserved, f)
		return
	}
	if src&groupBit != 0 || src == 0 {
		b.drop(in, DropBadSource, f)
		return
	}
	vlan, ok := in.classify(eth)
	if !ok {
		b.drop(in, DropVLAN, f)
		return
	}
	state := stp.State(st & stateMask)
	if state != stp.Forwarding && state != stp.Learning {
		b.drop(in, DropSTP, f)
		return
	}
	now := b.now.Load()
	aged := 0
	switch b.fdb.learn(packKey(src, vlan), id, now, b.aging.Load(), &aged) {
	case learnNew:
		b.c.learned.Add(1)
		if aged > 0 {
			b.c.aged.Add(uint64(aged))
		}
	case learnMoved:
		b.c.moves.Add(1)
	case learnFull:
		b.c.full.Add(1)
		b.sweepSoon(now)
	}
	if state != stp.Forwarding {
		b.drop(in, DropSTP, f)
		return
	}

	if b.cfg.ARPSuppress && eth.Type() == frame.TypeARP && b.suppressARP(in, eth, vlan) {
		return
	}
	eg := egress{in: eth, vlan: vlan}
	if dst&groupBit == 0 {
		if out, ok := b.fdb.lookup(packKey(dst, vlan), now, b.aging.Load()); ok {
			if out == id {
				b.drop(in, DropLocal, f)
				return
			}
			switch op := portAt(ports, out); {
			case op == nil: // removed since it was learned
				b.drop(in, DropUnknownPort, f)
			case !op.adminUp():
				b.drop(in, DropPortDown, f)
			case !op.forwards(vlan): // blocking, listening or learning
				b.drop(in, DropSTP, f)
			default:
				b.transmit(op, &eg)
			}
			eg.release()
			return
		}
		b.c.unknown.Add(1)
	}
	b.c.flooded.Add(1)
	for _, op := range ports {
		if op != nil && op != in && op.forwards(vlan) {
			b.transmit(op, &eg)
		}
	}
	eg.release()
}

// forwards reports whether the port sends frames of vlan now.
func (p *bridgePort) forwards(vlan uint16) bool {
	return p.state.Load() == stateAdminUp|uint32(stp.Forwarding) && p.member.has(vlan)
}

func (b *Bridge) transmit(out *bridgePort, eg *egress) {
	var f []byte
	if out.untaggedOn(eg.vlan) {
		f = eg.untagged()
	} else {
		f = eg.tagged()
	}
	if len(f)-l2HeaderLen(frame.Ethernet(f)) > out.mtu {
		out.c.txDropped.Add(1)
		b.drop(out, DropOversize, f)
		return
	}
	out.c.txFrames.Add(1)
	out.c.txBytes.Add(uint64(len(f)))
	if t := out.tap.Load(); t != nil {
		t.write(b, out, DirOut, f)
	}
	out.port.Send(f)
}

// l2HeaderLen is the header the MTU does not count: the Ethernet header,
// the port's own 802.1Q tag, and one more tag inside it, so that a QinQ
// (or C-tagged transit) frame carrying a full 1500-byte payload passes
// a 1500 MTU, as the VLAN_HLEN slack in Linux's is_skb_forwardable allows.
func l2HeaderLen(eth frame.Ethernet) int {
	n := eth.HeaderLen()
	if len(eth) >= n+frame.VLANTagLen {
		if t := frame.EtherType(binary.BigEndian.Uint16(eth[n-2:])); t == frame.TypeVLAN || t == frame.TypeQinQ {
			n += frame.VLANTagLen
		}
	}
	return n
}

func (b *Bridge) drop(p *bridgePort, r DropReason, f []byte) {
	p.c.drops[r].Add(1)
	if b.cfg.OnDrop != nil {
		b.cfg.OnDrop(p.id, r, f)
	}
}

// egress builds, at most once per Input, the untagged and the tagged form
// of the frame, since flooding may need both.
type egress struct {
	in         frame.Ethernet
	vlan       uint16
	unt, tag   []byte
	bufU, bufT *frame.Buf
}

func (e *egress) untagged() []byte {
	if e.unt == nil {
		if !e.in.Tagged() {
			e.unt = e.in
		} else {
			e.bufU = frame.GetBuf()
			e.unt = frame.PopTag(e.bufU[:], e.in)
		}
	}
	return e.unt
}

func (e *egress) tagged() []byte {
	if e.tag == nil {
		if e.in.Tagged() && e.in.VLAN() == e.vlan {
			e.tag = e.in
		} else {
			// Keep the priority bits of a priority-tagged frame.
			var pcp uint16
			src := e.in
			if e.in.Tagged() {
				pcp = e.in.TCI() &^ 0x0fff
				src = e.untagged()
			}
			e.bufT = frame.GetBuf()
			e.tag = frame.PushTag(e.bufT[:], src, pcp|e.vlan)
		}
	}
	return e.tag
}

func (e *egress) release() {
	if e.bufU != nil {
		frame.PutBuf(e.bufU)
	}
	if e.bufT != nil {
		frame.PutBuf(e.bufT)
	}
}

// portAt returns the port with ID id, or nil.
func portAt(ports []*bridgePort, id PortID) *bridgePort {
	if id < 0 || int(id) >= len(ports) {
		return nil
	}
	return ports[id]
}
