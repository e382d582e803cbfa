package host

import (
	"net/netip"

	"github.com/vswitch/vswitch/internal/frame"
)

// maxUDPPayload is the largest UDP payload in one IPv4 datagram.
const maxUDPPayload = maxIPv4Len - frame.IPv4MinLen - frame.UDPLen

// ListenUDP makes fn receive the UDP datagrams sent to port on any of the
// host's addresses, including broadcasts. data is borrowed for the call. It
// fails with ErrInvalid for port 0 and ErrAddrInUse if the port is taken.
func (h *Host) ListenUDP(port uint16, fn func(from, to netip.AddrPort, data []byte)) error {
	if port == 0 || fn == nil {
		return h.errorf(ErrInvalid, "listen udp/%d", port)
	}
	if _, ok := h.udp[port]; ok {
		return h.errorf(ErrAddrInUse, "listen udp/%d", port)
	}
	if h.udp == nil {
		h.udp = make(map[uint16]func(from, to netip.AddrPort, data []byte))
	}
	h.udp[port] = fn
	return nil
}

// CloseUDP stops listening on port; datagrams to it are then answered with
// ICMP port unreachable.
func (h *Host) CloseUDP(port uint16) {
	delete(h.udp, port)
	if len(h.udp) == 0 {
		h.udp = nil
	}
}

// SendUDP sends data (borrowed) from one address and port to another. An
// invalid from address is chosen by route; from port 0 is not allowed (use
// EphemeralPort). The datagram carries DF when it fits the egress MTU and
// is fragmented otherwise, as Linux does by default. Errors are those of
// SendIP.
func (h *Host) SendUDP(from, to netip.AddrPort, data []byte) error {
	return h.sendUDP(from, to, DefaultTTL, data)
}

func (h *Host) sendUDP(from, to netip.AddrPort, ttl uint8, data []byte) error {
	if from.Port() == 0 || to.Port() == 0 || !to.Addr().Is4() || (from.Addr().IsValid() && !from.Addr().Is4()) {
		return h.errorf(ErrInvalid, "send udp %s -> %s", from, to)
	}
	if len(data) > maxUDPPayload {
		h.drop(dropTooBig, nil)
		return h.errorf(ErrTooBig, "send udp %d bytes", len(data))
	}
	nh, err := h.lookup(to.Addr())
	if err != nil {
		return err
	}
	src := from.Addr()
	if !src.IsValid() {
		src = nh.src
	}
	l4len := frame.UDPLen + len(data)
	b, err := h.txBuf(nh, l4len)
	if err != nil {
		return err
	}
	n := frame.PutUDP(b[l4Off:], netip.AddrPortFrom(src, from.Port()), to, data)
	df := nh.nic == nil || frame.IPv4MinLen+n <= nh.nic.mtu
	return h.output(nh, frame.ProtoUDP, src, to.Addr(), ttl, df, n)
}

// udpInput handles a UDP datagram addressed to this host.
func (h *Host) udpInput(f []byte, ip frame.IPv4) {
	u := frame.UDP(ip.Payload())
	if !u.Valid() {
		h.drop(dropMalformed, f)
		return
	}
	l := int(u.Length())
	if l < frame.UDPLen || l > len(u) {
		h.drop(dropMalformed, f)
		return
	}
	u = u[:l]
	src, dst := ip.Src(), ip.Dst()
	if u.Checksum() != 0 && frame.Checksum(u, frame.PseudoHeaderSum(src, dst, frame.ProtoUDP, l)) != 0 {
		h.drop(dropBadChecksum, f)
		return
	}
	if fn := h.udp[u.DstPort()]; fn != nil {
		fn(netip.AddrPortFrom(src, u.SrcPort()), netip.AddrPortFrom(dst, u.DstPort()), u[frame.UDPLen:])
		return
	}
	if fn := h.handler(frame.ProtoUDP); fn != nil {
		fn(src, dst, ip.Payload())
		return
	}
	if !h.isLocal(dst) {
		h.drop(dropNoListener, f) // broadcast or multicast: no error (RFC 1122)
		return
	}
	h.drop(dropPortUnreach, f)
	h.sendICMPError(ip, frame.ICMPDestUnreach, frame.ICMPPortUnreach, 0)
}
