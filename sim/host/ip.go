package host

import (
	"encoding/binary"
	"net/netip"
	"slices"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// IPv4 header fields the frame views do not set.
const (
	ipFlagsOff  = 6 // flags and fragment offset
	ipCsumOff   = 10
	ipFlagDF    = 0x4000
	ipFlagMF    = 0x2000
	ipOffMask   = 0x1fff
	ipTotLenOff = 2
)

// fragInfo returns the MF flag and the fragment offset in bytes.
func fragInfo(ip frame.IPv4) (mf bool, off int) {
	w := binary.BigEndian.Uint16(ip[ipFlagsOff:])
	return w&ipFlagMF != 0, int(w&ipOffMask) * 8
}

// setIPChecksum recomputes the header checksum of the IPv4 header hdr.
func setIPChecksum(hdr []byte) {
	hdr[ipCsumOff], hdr[ipCsumOff+1] = 0, 0
	binary.BigEndian.PutUint16(hdr[ipCsumOff:], frame.Checksum(hdr, 0))
}

// SendIP sends payload (borrowed) to dst as one IPv4 packet of protocol
// proto with TTL 64 and DF set. An invalid src is chosen by route. The next
// hop is resolved with ARP first if needed: up to 3 packets wait per next
// hop, and after 3 unanswered requests one second apart they are dropped
// ("arp-timeout") and the host delivers ICMP host unreachable to itself
// (HandleICMPError). It returns ErrNoRoute without a route, ErrTooBig if the
// packet exceeds the egress MTU, ErrInvalid for non-IPv4 addresses.
func (h *Host) SendIP(proto frame.IPProto, src, dst netip.Addr, payload []byte) error {
	return h.SendIPTTL(proto, src, dst, DefaultTTL, payload)
}

// SendIPTTL is SendIP with the given TTL.
func (h *Host) SendIPTTL(proto frame.IPProto, src, dst netip.Addr, ttl uint8, payload []byte) error {
	if ttl == 0 || !dst.Is4() || (src.IsValid() && !src.Is4()) {
		return h.errorf(ErrInvalid, "send to %s", dst)
	}
	nh, err := h.lookup(dst)
	if err != nil {
		return err
	}
	if !src.IsValid() {
		src = nh.src
	}
	b, err := h.txBuf(nh, len(payload))
	if err != nil {
		return err
	}
	copy(b[l4Off:], payload)
	return h.output(nh, proto, src, dst, ttl, true, len(payload))
}

// lookup is route with the error callers get.
func (h *Host) lookup(dst netip.Addr) (nextHop, error) {
	nh, ok := h.route(dst)
	if !ok {
		h.drop(dropNoRoute, nil)
		return nh, h.errorf(ErrNoRoute, "send to %s", dst)
	}
	return nh, nil
}

// txBuf sizes the scratch buffer for an IPv4 packet with an l4len-byte
// payload going to nh, with room behind it for fragments if it will need
// them, and returns it. The payload goes at b[l4Off:].
func (h *Host) txBuf(nh nextHop, l4len int) ([]byte, error) {
	total := frame.IPv4MinLen + l4len
	if total > maxIPv4Len {
		h.drop(dropTooBig, nil)
		return nil, h.errorf(ErrTooBig, "send %d bytes", l4len)
	}
	need := ethIPOff + total
	if nh.nic != nil && total > nh.nic.mtu {
		need += ethIPOff + nh.nic.mtu
	}
	return h.buf(need), nil
}

// output finishes the IPv4 packet whose payload is at h.scratch[l4Off:] and
// sends it toward nh.
func (h *Host) output(nh nextHop, proto frame.IPProto, src, dst netip.Addr, ttl uint8, df bool, l4len int) error {
	total := frame.IPv4MinLen + l4len
	pkt := h.scratch[ethIPOff : ethIPOff+total]
	h.ipID++
	frame.PutIPv4(pkt, frame.IPv4Header{TotalLen: uint16(total), ID: h.ipID, DF: df, TTL: ttl, Protocol: proto, Src: src, Dst: dst})
	if nh.local && h.localOut != nil {
		h.localOut(frame.IPv4(pkt))
		if d := frame.IPv4(pkt).Dst(); d != dst {
			dst = d
			var err error
			if nh, err = h.lookup(dst); err != nil {
				return err
			}
			if !nh.local && total > nh.nic.mtu {
				// txBuf left no room for fragments behind it.
				pkt = slices.Clone(pkt)
			}
		}
	}
	if nh.local {
		h.loopback(pkt)
		return nil
	}
	if df && total > nh.nic.mtu {
		h.dropPacket(dropTooBig, pkt)
		return h.errorf(ErrTooBig, "send to %s: mtu=%d", dst, nh.nic.mtu)
	}
	h.neighOutput(nh, dst, pkt)
	return nil
}

// neighOutput sends the IPv4 packet pkt to the link-layer address of nh:
// broadcast and multicast map directly, unicast goes through ARP.
func (h *Host) neighOutput(nh nextHop, dst netip.Addr, pkt []byte) {
	switch {
	case nh.bcast:
		h.transmit(nh.nic, frame.Broadcast, pkt)
	case dst.IsMulticast():
		h.transmit(nh.nic, multicastMAC(dst), pkt)
	default:
		if mac, ok := h.lookupNeighbor(nh.nic, nh.gw); ok {
			h.transmit(nh.nic, mac, pkt)
			return
		}
		h.enqueue(nh.nic, nh.gw, pkt)
	}
}

// transmit frames the IPv4 packet pkt for mac and sends it on nic,
// fragmenting it if it exceeds the MTU (DF was checked before). pkt is
// either at its place in the scratch buffer (framed in place) or anywhere
// else (copied into the scratch buffer).
func (h *Host) transmit(nic *NIC, mac frame.MAC, pkt []byte) {
	if len(pkt) > nic.mtu {
		h.fragment(nic, mac, pkt)
		return
	}
	var b []byte
	if h.inScratch(pkt) {
		b = h.scratch
	} else {
		b = h.buf(max(ethIPOff+len(pkt), minFrame))
		copy(b[ethIPOff:], pkt)
	}
	frame.PutEthernet(b, mac, nic.mac, frame.TypeIPv4)
	nic.send(b[:ethIPOff+len(pkt)])
}

// fragment sends pkt in fragments that fit nic's MTU, each framed for mac.
// Fragments are built in the scratch buffer, behind pkt if pkt is there
// (txBuf left room for that).
func (h *Host) fragment(nic *NIC, mac frame.MAC, pkt []byte) {
	ip := frame.IPv4(pkt)
	ihl := ip.HeaderLen()
	chunk := (nic.mtu - ihl) &^ 7
	fragLen := ethIPOff + ihl + chunk
	var area []byte
	if h.inScratch(pkt) {
		area = h.scratch[ethIPOff+len(pkt):]
	} else {
		area = h.buf(fragLen)
	}
	mf, base := fragInfo(ip)
	data := pkt[ihl:]
	for off := 0; off < len(data); off += chunk {
		end := min(off+chunk, len(data))
		f := area[:ethIPOff+ihl+end-off]
		frame.PutEthernet(f, mac, nic.mac, frame.TypeIPv4)
		hdr := f[ethIPOff : ethIPOff+ihl]
		copy(hdr, pkt[:ihl])
		copy(f[ethIPOff+ihl:], data[off:end])
		w := uint16((base + off) / 8)
		if end < len(data) || mf {
			w |= ipFlagMF
		}
		binary.BigEndian.PutUint16(hdr[ipFlagsOff:], w)
		binary.BigEndian.PutUint16(hdr[ipTotLenOff:], uint16(ihl+end-off))
		setIPChecksum(hdr)
		nic.send(f)
	}
}

// loopback delivers a packet the host sent to itself, as a later event.
func (h *Host) loopback(pkt []byte) {
	c := slices.Clone(pkt)
	h.loop.After(0, func() { h.deliverLocal(nil, c, frame.IPv4(c)) })
}

// SetPrerouting installs fn (nil removes it) as the host's prerouting
// hook, the place of netfilter's PREROUTING chain: it sees every IPv4
// packet received on a NIC, once its header and checksum were found valid
// and before the host decides whether the packet is its own or one to
// forward. ip is borrowed from the sender and must not be modified. fn
// returns the packet to go on with: ip itself to leave it alone, or a
// rewritten copy that fn owns and keeps unchanged until its next call (the
// host does not keep it), which must be a valid IPv4 packet with correct
// checksums. A nil result means fn consumed the packet; fn counts and
// traces what it drops.
func (h *Host) SetPrerouting(fn func(in *NIC, ip frame.IPv4) frame.IPv4) {
	h.prerouting = fn
}

// SetLocalOutput installs fn (nil removes it) as the hook on packets the
// host sends to one of its own addresses, the place of netfilter's OUTPUT
// chain for them: fn may rewrite the packet in place (same length, correct
// checksums); if it moved the destination off the host, the packet is
// routed anew and sent, else it is delivered to the host as usual.
func (h *Host) SetLocalOutput(fn func(ip frame.IPv4)) {
	h.localOut = fn
}

// SetForwardHook installs fn (nil removes it) as the host's hook on
// forwarded packets, the place of netfilter's POSTROUTING for them: it
// sees each packet the host forwards after routing chose the outgoing NIC
// out and the TTL was decremented, and before the packet is framed and
// sent, and may rewrite it in place (ip is the host's own copy) as long as
// its length stays the same and its checksums stay correct. Packets the
// host sends itself (including ICMP errors) do not pass through it.
func (h *Host) SetForwardHook(fn func(in, out *NIC, ip frame.IPv4)) {
	h.fwdHook = fn
}

// ipInput handles an IPv4 packet (payload of frame f) received on nic.
func (h *Host) ipInput(nic *NIC, f, payload []byte) {
	ip := frame.IPv4(payload)
	if !ip.Valid() {
		h.drop(dropMalformed, f)
		return
	}
	if !ip.ChecksumValid() {
		h.drop(dropBadChecksum, f)
		return
	}
	ip = ip[:ip.TotalLen()] // strip Ethernet padding
	if h.prerouting != nil {
		if ip = h.prerouting(nic, ip); ip == nil {
			return
		}
	}
	src, dst := ip.Src(), ip.Dst()
	if src.IsMulticast() || src == limitedBroadcast {
		h.drop(dropMartian, f)
		return
	}
	if h.isLocal(dst) || dst.IsMulticast() || nic.isBroadcast(dst) {
		h.deliverLocal(nic, f, ip)
		return
	}
	// Like Linux, forward only what was sent to our MAC: a unicast packet
	// that came as a link-layer broadcast is not ours to route.
	if !h.forwarding || frame.Ethernet(f).Dst() != nic.mac {
		h.drop(dropNotForHost, f)
		return
	}
	h.forward(nic, f, ip)
}

// forward routes a packet addressed to another host on toward it.
func (h *Host) forward(in *NIC, f []byte, ip frame.IPv4) {
	if ip.TTL() <= 1 {
		h.drop(dropTTL, f)
		h.sendICMPError(ip, frame.ICMPTimeExceeded, 0, 0)
		return
	}
	dst := ip.Dst()
	nh, ok := h.route(dst)
	if !ok || nh.local {
		h.drop(dropNoRoute, f)
		h.sendICMPError(ip, frame.ICMPDestUnreach, frame.ICMPNetUnreach, 0)
		return
	}
	if nh.bcast {
		// The broadcast address of another of our networks: delivered
		// here, never forwarded (Linux's bc_forwarding=0).
		h.deliverLocal(in, f, ip)
		return
	}
	if len(ip) > nh.nic.mtu && ip.DF() {
		h.drop(dropFragNeeded, f)
		h.sendICMPError(ip, frame.ICMPDestUnreach, frame.ICMPFragNeeded, uint16(nh.nic.mtu))
		return
	}
	b, _ := h.txBuf(nh, len(ip)-frame.IPv4MinLen) // len(ip) <= 65535: cannot fail
	pkt := b[ethIPOff : ethIPOff+len(ip)]
	copy(pkt, ip)
	frame.IPv4(pkt).DecTTL()
	if h.fwdHook != nil {
		h.fwdHook(in, nh.nic, frame.IPv4(pkt))
	}
	h.forwarded++
	h.neighOutput(nh, dst, pkt)
}

// deliverLocal hands a packet addressed to this host (or to a broadcast or
// group address it listens on) to its protocol. nic is nil for loopback.
func (h *Host) deliverLocal(nic *NIC, f []byte, ip frame.IPv4) {
	if mf, off := fragInfo(ip); mf || off != 0 {
		full, ok := h.reassemble(nic, f, ip)
		if !ok {
			return
		}
		ip = full
	}
	switch ip.Protocol() {
	case frame.ProtoICMP:
		h.icmpInput(f, ip)
	case frame.ProtoUDP:
		h.udpInput(f, ip)
	default:
		if ip.Protocol() == frame.ProtoTCP && (h.rxGroup || h.isBroadcastDst(ip.Dst())) {
			// TCP is unicast: a segment to a broadcast or multicast
			// address is silently discarded, never answered with a RST
			// (RFC 1122 4.2.3.10).
			h.drop(dropBroadcastTCP, f)
			return
		}
		if fn := h.handler(ip.Protocol()); fn != nil {
			fn(ip.Src(), ip.Dst(), ip.Payload())
			return
		}
		h.drop(dropProtoUnreach, f)
		h.sendICMPError(ip, frame.ICMPDestUnreach, frame.ICMPProtoUnreach, 0)
	}
}

// isICMPError reports whether an ICMP type is an error message (never
// answered with another error, RFC 1122 3.2.2).
func isICMPError(typ uint8) bool {
	switch typ {
	case frame.ICMPDestUnreach, 4 /* source quench */, 5 /* redirect */, frame.ICMPTimeExceeded, 12 /* parameter problem */ :
		return true
	}
	return false
}

// sendICMPError answers the packet orig with an ICMP error, unless the rules
// of RFC 1122 3.2.2 forbid it: never about an ICMP error, a non-first
// fragment, or a packet from or to a broadcast or multicast address. orig
// must not be in the scratch buffer.
func (h *Host) sendICMPError(orig frame.IPv4, typ, code uint8, mtu uint16) {
	src, dst := orig.Src(), orig.Dst()
	if !src.IsValid() || src.IsUnspecified() || src.IsMulticast() || src == limitedBroadcast || dst.IsMulticast() || dst == limitedBroadcast {
		return
	}
	if _, off := fragInfo(orig); off != 0 {
		return
	}
	ihl := orig.HeaderLen()
	if orig.Protocol() == frame.ProtoICMP && len(orig) > ihl && isICMPError(orig[ihl]) {
		return
	}
	if h.rxGroup {
		return
	}
	nh, ok := h.route(src)
	if !ok {
		return
	}
	// Never for a broadcast destination (RFC 1122 3.2.2, RFC 1812
	// 4.3.2.7): the directed broadcast of any of our subnets counts.
	for _, n := range h.nics {
		if n.isBroadcast(dst) {
			return
		}
	}
	quote := orig[:min(len(orig), ihl+8)]
	b, _ := h.txBuf(nh, 8+len(quote))
	n := frame.PutICMPError(b[l4Off:], typ, code, mtu, quote)
	h.output(nh, frame.ProtoICMP, nh.src, src, DefaultTTL, false, n)
}

// unreachable reports that the packet pkt (a waiting copy) cannot be
// delivered: to this host's own transports and tools if it sent it, else
// to the packet's source.
func (h *Host) unreachable(pkt frame.IPv4, code uint8) {
	if h.isLocal(pkt.Src()) {
		quote := pkt[:min(len(pkt), pkt.HeaderLen()+8)]
		h.icmpErrorInput(pkt.Src(), frame.ICMPDestUnreach, code, 0, quote)
		return
	}
	h.sendICMPError(pkt, frame.ICMPDestUnreach, code, 0)
}

// fragKey identifies the fragments of one datagram (RFC 791).
type fragKey struct {
	src, dst [4]byte
	id       uint16
	proto    frame.IPProto
}

// reassembly collects the fragments of one datagram.
type reassembly struct {
	h     *Host
	key   fragKey
	hdr   []byte   // the first fragment's header, once it arrived
	first []byte   // the first fragment's header and 8 data bytes, for ICMP
	data  []byte   // payload assembled so far
	have  []uint64 // bitmap of received 8-byte blocks
	got   int      // payload bytes received
	total int      // payload length, -1 until the last fragment arrived
	timer *sim.Timer
}

// reassemble adds a fragment and returns the whole datagram once complete.
func (h *Host) reassemble(nic *NIC, f []byte, ip frame.IPv4) (frame.IPv4, bool) {
	mf, off := fragInfo(ip)
	ihl := ip.HeaderLen()
	data := ip[ihl:]
	end := off + len(data)
	if (mf && len(data)%8 != 0) || len(data) == 0 || ihl+end > maxIPv4Len {
		h.drop(dropMalformed, f)
		return nil, false
	}
	k := fragKey{src: ip.Src().As4(), dst: ip.Dst().As4(), id: ip.ID(), proto: ip.Protocol()}
	r := h.reasm[k]
	if r == nil {
		if len(h.reasm) >= maxReassemblies {
			h.drop(dropReasmLimit, f)
			return nil, false
		}
		if h.reasm == nil {
			h.reasm = make(map[fragKey]*reassembly)
		}
		r = &reassembly{h: h, key: k, total: -1}
		r.timer = h.loop.NewTimer(r.expire)
		r.timer.Reset(reasmTimeout)
		h.reasm[k] = r
	}
	if (r.total >= 0 && (end > r.total || (!mf && end != r.total))) || (!mf && r.got > 0 && r.maxEnd() > end) {
		r.discard(dropFragOverlap, f)
		return nil, false
	}
	// Overlapping fragments are an attack vector: drop the datagram, like
	// Linux does since 4.19.
	for blk := off / 8; blk < (end+7)/8; blk++ {
		if blk/64 < len(r.have) && r.have[blk/64]&(1<<(blk%64)) != 0 {
			r.discard(dropFragOverlap, f)
			return nil, false
		}
	}
	for blk := off / 8; blk < (end+7)/8; blk++ {
		for blk/64 >= len(r.have) {
			r.have = append(r.have, 0)
		}
		r.have[blk/64] |= 1 << (blk % 64)
	}
	if len(r.data) < end {
		r.data = append(r.data, make([]byte, end-len(r.data))...)
	}
	copy(r.data[off:], data)
	r.got += len(data)
	if !mf {
		r.total = end
	}
	if off == 0 {
		r.hdr = slices.Clone(ip[:ihl])
		r.first = slices.Clone(ip[:min(len(ip), ihl+8)])
	}
	if r.total < 0 || r.got != r.total || r.hdr == nil {
		return nil, false
	}
	r.timer.Stop()
	h.unreasm(k)
	if len(r.hdr)+r.total > maxIPv4Len {
		// The first fragment's header may be longer than the ones the
		// size check saw: the datagram would not fit its 16-bit length
		// (RFC 791; Linux ip_frag_reasm drops it too).
		h.drop(dropMalformed, f)
		return nil, false
	}
	full := make([]byte, len(r.hdr)+r.total)
	copy(full, r.hdr)
	copy(full[len(r.hdr):], r.data[:r.total])
	binary.BigEndian.PutUint16(full[ipTotLenOff:], uint16(len(full)))
	binary.BigEndian.PutUint16(full[ipFlagsOff:], binary.BigEndian.Uint16(full[ipFlagsOff:])&ipFlagDF)
	setIPChecksum(full[:len(r.hdr)])
	return frame.IPv4(full), true
}

// unreasm forgets a finished reassembly, and the map once empty.
func (h *Host) unreasm(k fragKey) {
	delete(h.reasm, k)
	if len(h.reasm) == 0 {
		h.reasm = nil
	}
}

// maxEnd returns the end of the highest block received so far.
func (r *reassembly) maxEnd() int { return len(r.data) }

// discard gives up on the datagram.
func (r *reassembly) discard(why reason, f []byte) {
	r.timer.Stop()
	r.h.unreasm(r.key)
	r.h.drop(why, f)
}

// expire gives up on a datagram whose fragments stopped coming, and tells
// the sender if its first fragment arrived (RFC 792 time exceeded, code 1).
func (r *reassembly) expire() {
	r.h.unreasm(r.key)
	r.h.drop(dropReasmTimeout, nil)
	if r.first != nil {
		r.h.sendICMPError(frame.IPv4(r.first), frame.ICMPTimeExceeded, 1, 0)
	}
}

// isBroadcastDst reports whether dst is a broadcast or multicast address:
// the limited broadcast, a multicast group, or the directed broadcast of
// one of our subnets.
func (h *Host) isBroadcastDst(dst netip.Addr) bool {
	if dst.IsMulticast() {
		return true
	}
	for _, n := range h.nics {
		if n.isBroadcast(dst) {
			return true
		}
	}
	return false
}
