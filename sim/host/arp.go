package host

import (
	"net/netip"
	"slices"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// neighbor is an ARP cache entry. Entries carry the time they were last
// confirmed instead of a timer each: an entry older than the reachable time
// is simply not used, and the next packet resolves the address again.
type neighbor struct {
	mac    frame.MAC
	nic    *NIC
	at     time.Duration
	static bool
}

// resolution is an ARP request in progress for one next hop, with the
// packets waiting for its answer.
type resolution struct {
	h     *Host
	nic   *NIC
	ip    netip.Addr
	tries int
	queue [][]byte // IPv4 packets (copies), oldest first
	timer *sim.Timer
}

// Neighbor describes an ARP cache entry for inspection.
type Neighbor struct {
	IP     netip.Addr
	MAC    frame.MAC
	NIC    string
	Static bool
	Age    time.Duration // since the entry was last confirmed
}

// AddNeighbor adds a static ARP entry: ip is at mac on this NIC, forever.
// Large generated scenarios use it to skip ARP.
func (n *NIC) AddNeighbor(ip netip.Addr, mac frame.MAC) error {
	if !ip.Is4() {
		return n.h.errorf(ErrInvalid, "%s: neighbor %s", n.name, ip)
	}
	if n.h.arp == nil {
		n.h.arp = make(map[[4]byte]neighbor)
	}
	n.h.arp[ip.As4()] = neighbor{mac: mac, nic: n, at: n.h.loop.Now(), static: true}
	n.h.resolved(n, ip.As4(), mac)
	return nil
}

// Neighbors returns the ARP cache entries still in use, sorted by address.
func (h *Host) Neighbors() []Neighbor {
	now := h.loop.Now()
	var out []Neighbor
	for k, e := range h.arp {
		if !e.static && now-e.at >= h.arpReachable() {
			continue
		}
		out = append(out, Neighbor{IP: netip.AddrFrom4(k), MAC: e.mac, NIC: e.nic.name, Static: e.static, Age: now - e.at})
	}
	slices.SortFunc(out, func(a, b Neighbor) int { return a.IP.Compare(b.IP) })
	return out
}

// lookupNeighbor returns the MAC of ip on nic if a usable entry exists.
func (h *Host) lookupNeighbor(nic *NIC, ip netip.Addr) (frame.MAC, bool) {
	e, ok := h.arp[ip.As4()]
	if !ok || e.nic != nic || (!e.static && h.loop.Now()-e.at >= h.arpReachable()) {
		return frame.MAC{}, false
	}
	return e.mac, true
}

// learn records that ip is at mac behind nic, and sends what waited for it.
func (h *Host) learn(nic *NIC, ip netip.Addr, mac frame.MAC) {
	k := ip.As4()
	if h.arp == nil {
		h.arp = make(map[[4]byte]neighbor)
	}
	if old, ok := h.arp[k]; ok && old.static {
		return
	} else if !ok {
		h.sweepNeighbors()
	}
	h.arp[k] = neighbor{mac: mac, nic: nic, at: h.loop.Now()}
	h.resolved(nic, k, mac)
}

// resolved sends the packets waiting for k on nic to mac.
func (h *Host) resolved(nic *NIC, k [4]byte, mac frame.MAC) {
	if r := h.pending[k]; r != nil && r.nic == nic {
		h.unpend(k)
		r.timer.Stop()
		for _, p := range r.queue {
			h.transmit(nic, mac, p)
		}
	}
}

// sweepNeighbors forgets expired entries once the cache has doubled since
// the last sweep, so that a router talking to many hosts stays bounded.
func (h *Host) sweepNeighbors() {
	if len(h.arp) < 256 || len(h.arp) < 2*h.arpSweep {
		return
	}
	now := h.loop.Now()
	for k, e := range h.arp {
		if !e.static && now-e.at >= h.arpReachable() {
			delete(h.arp, k)
		}
	}
	h.arpSweep = len(h.arp)
}

// flushNeighbors forgets the dynamic entries learned through nic.
func (h *Host) flushNeighbors(nic *NIC) {
	for k, e := range h.arp {
		if e.nic == nic && !e.static {
			delete(h.arp, k)
		}
	}
}

// resolving reports whether an ARP resolution is in progress for the next
// hop toward dst (packets to dst are then waiting, not lost).
func (h *Host) resolving(dst netip.Addr) bool {
	if len(h.pending) == 0 {
		return false
	}
	nh, ok := h.route(dst)
	return ok && h.pending[nh.gw.As4()] != nil
}

// enqueue keeps a copy of the IPv4 packet pkt until ip is resolved on nic,
// starting the resolution if needed. The queue holds arpQueueLen packets;
// the oldest is dropped to make room, as Linux does.
func (h *Host) enqueue(nic *NIC, ip netip.Addr, pkt []byte) {
	c := slices.Clone(pkt) // before the ARP request reuses the scratch buffer
	k := ip.As4()
	r := h.pending[k]
	if r == nil || r.nic != nic {
		if r != nil {
			r.fail() // resolving the same address on another NIC: give up the old one
		}
		if h.pending == nil {
			h.pending = make(map[[4]byte]*resolution)
		}
		r = &resolution{h: h, nic: nic, ip: ip}
		r.timer = h.loop.NewTimer(r.retry)
		h.pending[k] = r
		r.request()
	}
	if len(r.queue) == arpQueueLen {
		h.dropPacket(dropARPQueue, r.queue[0])
		r.queue = append(r.queue[:0], r.queue[1:]...)
	}
	r.queue = append(r.queue, c)
}

// unpend forgets a finished resolution, and the map once empty: most hosts
// resolve a neighbor or two and then sit idle.
func (h *Host) unpend(k [4]byte) {
	delete(h.pending, k)
	if len(h.pending) == 0 {
		h.pending = nil
	}
}

// request broadcasts one ARP request and arms the retry timer.
func (r *resolution) request() {
	r.tries++
	src := r.nic.srcFor(r.ip)
	r.h.sendARP(r.nic, frame.ARPRequest, frame.Broadcast, src, frame.MAC{}, r.ip)
	r.timer.Reset(arpRetryInterval)
}

func (r *resolution) retry() {
	if r.tries < arpTries {
		r.request()
		return
	}
	r.fail()
}

// fail gives up: every waiting packet is dropped and answered with ICMP
// host unreachable, delivered locally for the host's own packets and sent
// to the source for forwarded ones.
func (r *resolution) fail() {
	h := r.h
	r.timer.Stop()
	if h.pending[r.ip.As4()] == r {
		h.unpend(r.ip.As4())
	}
	q := r.queue
	r.queue = nil
	for _, p := range q {
		h.dropPacket(dropARPTimeout, p)
		h.unreachable(frame.IPv4(p), frame.ICMPHostUnreach)
	}
}

// sendARP builds and sends one ARP message on nic.
func (h *Host) sendARP(nic *NIC, op uint16, dst frame.MAC, spa netip.Addr, tha frame.MAC, tpa netip.Addr) {
	b := h.buf(minFrame)
	frame.PutEthernet(b, dst, nic.mac, frame.TypeARP)
	n := frame.PutARP(b[frame.EthernetLen:], op, nic.mac, spa, tha, tpa)
	nic.send(b[:frame.EthernetLen+n])
}

// arpInput handles an ARP message (payload of f) received on nic.
func (h *Host) arpInput(nic *NIC, f, payload []byte) {
	a := frame.ARP(payload)
	if !a.Valid() {
		h.drop(dropMalformed, f)
		return
	}
	op := a.Op()
	if op != frame.ARPRequest && op != frame.ARPReply {
		h.drop(dropMalformed, f)
		return
	}
	sha, spa, tpa := a.SenderMAC(), a.SenderIP(), a.TargetIP()
	if sha == nic.mac {
		return // our own broadcast, reflected
	}
	if h.isLocal(spa) {
		h.drop(dropAddrConflict, f) // someone else claims our address
		return
	}
	forUs := nic.hasAddr(tpa)
	if !spa.IsUnspecified() && !sha.IsMulticast() {
		k := spa.As4()
		_, known := h.arp[k]
		// Like Linux: refresh what we know, learn who asks for us, and
		// take answers we are waiting for; ignore other chatter.
		if known || forUs || h.pending[k] != nil {
			h.learn(nic, spa, sha)
		}
	}
	if op == frame.ARPRequest && forUs {
		h.sendARP(nic, frame.ARPReply, sha, tpa, sha, spa)
	}
}
