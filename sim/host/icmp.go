package host

import (
	"net/netip"
	"slices"
	"strconv"

	"github.com/vswitch/vswitch/internal/frame"
)

// icmpTool is a ping or traceroute in progress. Each method reports whether
// the message was the tool's, which consumes it.
type icmpTool interface {
	echoReply(from netip.Addr, ttl uint8, id, seq uint16) bool
	icmpError(from netip.Addr, typ, code uint8, mtu uint16, orig quoted) bool
}

// quoted is the original datagram quoted in an ICMP error: an IPv4 header
// and at least 8 bytes after it, not necessarily the whole packet.
type quoted []byte

// parse returns the quoted header fields a tool matches on.
func (q quoted) parse() (proto frame.IPProto, dst netip.Addr, l4 []byte, ok bool) {
	if len(q) < frame.IPv4MinLen || q[0]>>4 != 4 {
		return 0, netip.Addr{}, nil, false
	}
	ihl := int(q[0]&0x0f) * 4
	if ihl < frame.IPv4MinLen || len(q) < ihl+8 {
		return 0, netip.Addr{}, nil, false
	}
	return frame.IPProto(q[9]), netip.AddrFrom4([4]byte(q[16:20])), q[ihl:], true
}

func (h *Host) addTool(t icmpTool) { h.tools = append(h.tools, t) }

func (h *Host) removeTool(t icmpTool) {
	h.tools = slices.DeleteFunc(h.tools, func(x icmpTool) bool { return x == t })
	if len(h.tools) == 0 {
		h.tools = nil
	}
}

// icmpInput handles an ICMP message addressed to this host.
func (h *Host) icmpInput(f []byte, ip frame.IPv4) {
	m := frame.ICMP(ip.Payload())
	if !m.Valid() {
		h.drop(dropMalformed, f)
		return
	}
	if frame.Checksum(m, 0) != 0 {
		h.drop(dropBadChecksum, f)
		return
	}
	switch typ := m.Type(); typ {
	case frame.ICMPEchoRequest:
		if !h.isLocal(ip.Dst()) {
			h.drop(dropIgnoredBcast, f) // icmp_echo_ignore_broadcasts=1
			return
		}
		h.echoReply(ip, m)
	case frame.ICMPEchoReply:
		for _, t := range h.tools {
			if t.echoReply(ip.Src(), ip.TTL(), m.ID(), m.Seq()) {
				return
			}
		}
		h.icmpOther(f, ip)
	case frame.ICMPDestUnreach, 4, frame.ICMPTimeExceeded, 12:
		orig := m.Payload()
		if len(orig) < frame.IPv4MinLen {
			h.drop(dropMalformed, f)
			return
		}
		var mtu uint16
		if typ == frame.ICMPDestUnreach && m.Code() == frame.ICMPFragNeeded {
			mtu = m.NextHopMTU()
		}
		h.icmpErrorInput(ip.Src(), typ, m.Code(), mtu, orig)
	default:
		h.icmpOther(f, ip)
	}
}

// icmpOther passes an ICMP message the host does not consume to the ICMP
// handler, if one is registered.
func (h *Host) icmpOther(f []byte, ip frame.IPv4) {
	if fn := h.handler(frame.ProtoICMP); fn != nil {
		fn(ip.Src(), ip.Dst(), ip.Payload())
		return
	}
	h.drop(dropNoListener, f)
}

// icmpErrorInput dispatches an ICMP error, received from from or generated
// locally: to the tool whose probe it quotes, else to every registered
// handler.
func (h *Host) icmpErrorInput(from netip.Addr, typ, code uint8, mtu uint16, orig []byte) {
	for _, t := range h.tools {
		if t.icmpError(from, typ, code, mtu, quoted(orig)) {
			return
		}
	}
	for _, fn := range h.icmpErrs {
		fn(typ, code, mtu, orig)
	}
}

// echoReply answers an echo request, from the address it was sent to.
func (h *Host) echoReply(ip frame.IPv4, m frame.ICMP) {
	dst := ip.Src()
	nh, ok := h.route(dst)
	if !ok {
		h.dropPacket(dropNoRoute, ip)
		return
	}
	payload := m.Payload()
	b, err := h.txBuf(nh, 8+len(payload))
	if err != nil {
		return
	}
	n := frame.PutICMPEcho(b[l4Off:], frame.ICMPEchoReply, m.ID(), m.Seq(), payload)
	h.output(nh, frame.ProtoICMP, ip.Dst(), dst, DefaultTTL, ip.DF(), n)
}

// icmpErrorText is how Linux ping describes an ICMP error.
func icmpErrorText(typ, code uint8, mtu uint16) string {
	switch typ {
	case frame.ICMPDestUnreach:
		switch code {
		case frame.ICMPNetUnreach:
			return "Destination Net Unreachable"
		case frame.ICMPHostUnreach:
			return "Destination Host Unreachable"
		case frame.ICMPProtoUnreach:
			return "Destination Protocol Unreachable"
		case frame.ICMPPortUnreach:
			return "Destination Port Unreachable"
		case frame.ICMPFragNeeded:
			return "Frag needed and DF set (mtu = " + strconv.Itoa(int(mtu)) + ")"
		case 5:
			return "Source Route Failed"
		case 9, 10, 13:
			return "Packet filtered"
		}
		return "Dest Unreachable, Bad Code: " + strconv.Itoa(int(code))
	case frame.ICMPTimeExceeded:
		if code == 1 {
			return "Frag reassembly time exceeded"
		}
		return "Time to live exceeded"
	case 4:
		return "Source Quench"
	case 12:
		return "Parameter problem"
	}
	return "Bad ICMP type: " + strconv.Itoa(int(typ))
}
