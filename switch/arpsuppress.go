package vswitch

import (
	"net/netip"
	"sync"

	"github.com/vswitch/vswitch/internal/frame"
)

// ARP suppression (Linux's neigh_suppress, the proxy ARP of Docker's
// overlay): the bridge snoops ARP to learn which MAC owns each IPv4 address
// per VLAN, answers requests for known addresses itself on the ingress port
// instead of flooding them, and floods a gratuitous ARP only when it
// changes a binding (when someone's cache could hold the old one). In a
// large broadcast domain this turns the N x N cost of ARP floods into work
// proportional to N.

type neighKey struct {
	ip   [4]byte
	vlan uint16
}

type neighEntry struct {
	mac  frame.MAC
	seen int64
}

type neighTable struct {
	mu sync.Mutex
	m  map[neighKey]neighEntry
}

// Neighbor is one IPv4-to-MAC binding the bridge snooped, for display.
type Neighbor struct {
	VLAN uint16
	IP   netip.Addr
	MAC  frame.MAC
}

// snoop records spa→sha and reports whether it moved the address from
// another live MAC.
func (t *neighTable) snoop(k neighKey, mac frame.MAC, now, aging int64) (moved bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = make(map[neighKey]neighEntry)
	}
	old, ok := t.m[k]
	t.m[k] = neighEntry{mac: mac, seen: now}
	live := ok && (aging <= 0 || now-old.seen < aging)
	return live && old.mac != mac
}

// expire removes bindings not refreshed for aging.
func (t *neighTable) expire(now, aging int64) {
	if aging <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, e := range t.m {
		if now-e.seen >= aging {
			delete(t.m, k)
		}
	}
}

func (t *neighTable) lookup(k neighKey, now, aging int64) (frame.MAC, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.m[k]
	if !ok || (aging > 0 && now-e.seen >= aging) {
		return frame.MAC{}, false
	}
	return e.mac, true
}

// suppressARP handles an ARP frame on a bridge with suppression on. It
// returns true when the frame was consumed (answered or not worth
// flooding) and must not be forwarded.
func (b *Bridge) suppressARP(in *bridgePort, eth frame.Ethernet, vlan uint16) bool {
	a := frame.ARP(eth.Payload())
	if !a.Valid() {
		return false
	}
	now, aging := b.now.Load(), b.aging.Load()
	spa := a.SenderIP().As4()
	moved := false
	if spa != [4]byte{} {
		moved = b.neigh.snoop(neighKey{ip: spa, vlan: vlan}, a.SenderMAC(), now, aging)
	}
	if a.Op() != frame.ARPRequest {
		return false
	}
	tpa := a.TargetIP().As4()
	if tpa == spa {
		// Gratuitous: flood only when it moves an address, since only then
		// can a cache hold the old binding.
		if !moved {
			b.c.arpSuppressed.Add(1)
			return true
		}
		return false
	}
	mac, ok := b.neigh.lookup(neighKey{ip: tpa, vlan: vlan}, now, aging)
	if !ok || mac == a.SenderMAC() {
		return false
	}
	if _, live := b.fdb.lookup(fdbKey{mac: mac, vlan: vlan}.pack(), now, aging); !live {
		// The station is gone (its port went down, or it aged out): let
		// the request flood, so the asker learns the truth.
		return false
	}
	// Answer as the owner would: from its MAC, to the requester.
	buf := frame.GetBuf()
	defer frame.PutBuf(buf)
	r := buf[:60]
	clear(r)
	frame.PutEthernet(r, a.SenderMAC(), mac, frame.TypeARP)
	frame.PutARP(r[frame.EthernetLen:], frame.ARPReply, mac, a.TargetIP(), a.SenderMAC(), a.SenderIP())
	eg := egress{in: r, vlan: vlan}
	b.transmit(in, &eg)
	eg.release()
	b.c.arpProxied.Add(1)
	return true
}

// Neighbors lists the snooped IPv4 bindings (with ARP suppression on),
// sorted by VLAN then address.
func (b *Bridge) Neighbors() []Neighbor {
	now, aging := b.now.Load(), b.aging.Load()
	b.neigh.mu.Lock()
	out := make([]Neighbor, 0, len(b.neigh.m))
	for k, e := range b.neigh.m {
		if aging > 0 && now-e.seen >= aging {
			continue
		}
		out = append(out, Neighbor{VLAN: k.vlan, IP: netip.AddrFrom4(k.ip), MAC: e.mac})
	}
	b.neigh.mu.Unlock()
	sortNeighbors(out)
	return out
}
