package host

import (
	"net/netip"
	"slices"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// NIC is an Ethernet interface of a host. It implements sim.Receiver for
// the frames arriving from its link. It is not safe for concurrent use.
type NIC struct {
	h       *Host
	name    string
	mac     frame.MAC
	mtu     int
	up      bool // carrier
	tx      Sender
	addrs   []netip.Prefix
	groups  []frame.MAC // joined multicast MACs, nil for most hosts
	capture *sim.Capture
	capIfc  int

	rxFrames, rxBytes uint64
	txFrames, txBytes uint64
	filtered          uint64
}

var _ sim.Receiver = (*NIC)(nil)

// allHostsMAC is 224.0.0.1's group MAC, which every IPv4 host joins.
var allHostsMAC = frame.MAC{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01}

// Name returns the NIC's name ("eth0").
func (n *NIC) Name() string { return n.name }

// Host returns the host the NIC belongs to.
func (n *NIC) Host() *Host { return n.h }

// String returns "host.nic".
func (n *NIC) String() string { return n.h.name + "." + n.name }

// MAC returns the NIC's MAC address.
func (n *NIC) MAC() frame.MAC { return n.mac }

// MTU returns the largest IPv4 packet the NIC sends without fragmenting.
func (n *NIC) MTU() int { return n.mtu }

// Connect makes tx the NIC's transmit side: every frame the NIC sends goes
// to tx.Send, synchronously. The receive side is wired by the caller: the
// link delivers into the NIC (for a *sim.LinkEnd, e.Attach(nic)), and the
// link's carrier changes call SetCarrier (e.OnCarrier(nic.SetCarrier)).
// ConnectLink does all three. A nil tx disconnects the NIC.
func (n *NIC) Connect(tx Sender) { n.tx = tx }

// ConnectLink connects the NIC to one end of a simulated link: it sends into
// e, receives from it and follows its carrier.
func (n *NIC) ConnectLink(e *sim.LinkEnd) {
	n.Connect(e)
	e.Attach(n)
	e.OnCarrier(n.SetCarrier)
}

// Connected reports whether the NIC has a Sender.
func (n *NIC) Connected() bool { return n.tx != nil }

// SetCarrier tells the NIC its link went down or came back up. Going down
// flushes the ARP entries learned through this NIC; while down, frames the
// host sends on it are dropped ("carrier-down").
func (n *NIC) SetCarrier(up bool) {
	if n.up == up {
		return
	}
	n.up = up
	n.h.record("state", carrierText(up), nil)
	if !up {
		n.h.flushNeighbors(n)
	}
}

func carrierText(up bool) string {
	if up {
		return "carrier-up"
	}
	return "carrier-down"
}

// Carrier reports whether the NIC's link is up.
func (n *NIC) Carrier() bool { return n.up }

// AddAddr assigns the IPv4 address and prefix length p (10.0.0.1/24) to the
// NIC, adds the connected route for p's network and, when the NIC is
// connected and its carrier up, announces the address with a gratuitous ARP.
// It fails with ErrInvalid for a non-IPv4, unspecified, multicast, broadcast
// or loopback address and with ErrAddrInUse if the host already has it.
func (n *NIC) AddAddr(p netip.Prefix) error {
	a := p.Addr()
	if !p.IsValid() || !a.Is4() || a.IsUnspecified() || a.IsMulticast() || a.IsLoopback() || a == limitedBroadcast {
		return n.h.errorf(ErrInvalid, "%s: add address %s", n.name, p)
	}
	if n.h.isLocal(a) {
		return n.h.errorf(ErrAddrInUse, "%s: add address %s", n.name, p)
	}
	n.addrs = append(n.addrs, p)
	n.h.addConnected(n, p)
	if n.tx != nil && n.up {
		n.h.sendARP(n, frame.ARPRequest, frame.Broadcast, a, frame.MAC{}, a)
	}
	return nil
}

// RemoveAddr removes the address p from the NIC, and its connected route
// unless another of the NIC's addresses is in the same network.
func (n *NIC) RemoveAddr(p netip.Prefix) error {
	i := slices.Index(n.addrs, p)
	if i < 0 {
		return n.h.errorf(ErrInvalid, "%s: remove address %s: not assigned", n.name, p)
	}
	n.addrs = slices.Delete(n.addrs, i, i+1)
	n.h.removeConnected(n, p)
	return nil
}

// Addrs returns the NIC's addresses in the order they were added. The slice
// is a copy.
func (n *NIC) Addrs() []netip.Prefix { return slices.Clone(n.addrs) }

// hasAddr reports whether a is one of this NIC's addresses.
func (n *NIC) hasAddr(a netip.Addr) bool {
	for i := range n.addrs {
		if n.addrs[i].Addr() == a {
			return true
		}
	}
	return false
}

// srcFor returns the NIC's address in the same network as dst, else its
// first address, else any address of the host.
func (n *NIC) srcFor(dst netip.Addr) netip.Addr {
	for i := range n.addrs {
		if n.addrs[i].Contains(dst) {
			return n.addrs[i].Addr()
		}
	}
	return n.h.anyAddr(n)
}

// isBroadcast reports whether dst is the limited broadcast or the directed
// broadcast address of one of the NIC's networks.
func (n *NIC) isBroadcast(dst netip.Addr) bool {
	if dst == limitedBroadcast {
		return true
	}
	if n == nil {
		return false
	}
	for i := range n.addrs {
		if directedBroadcast(n.addrs[i], dst) {
			return true
		}
	}
	return false
}

// directedBroadcast reports whether dst is the broadcast address of p's
// network (/31 and /32 have none).
func directedBroadcast(p netip.Prefix, dst netip.Addr) bool {
	bits := p.Bits()
	if bits >= 31 || !p.Contains(dst) {
		return false
	}
	a := dst.As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	host := uint32(1)<<(32-bits) - 1
	return v&host == host
}

// JoinGroup subscribes the NIC to the IPv4 multicast group g, so that
// frames for the group's MAC pass its address filter.
func (n *NIC) JoinGroup(g netip.Addr) error {
	if !g.Is4() || !g.IsMulticast() {
		return n.h.errorf(ErrInvalid, "%s: join group %s", n.name, g)
	}
	m := multicastMAC(g)
	if !slices.Contains(n.groups, m) {
		n.groups = append(n.groups, m)
	}
	return nil
}

// LeaveGroup undoes JoinGroup.
func (n *NIC) LeaveGroup(g netip.Addr) {
	if !g.Is4() {
		return
	}
	m := multicastMAC(g)
	n.groups = slices.DeleteFunc(n.groups, func(x frame.MAC) bool { return x == m })
}

// multicastMAC maps an IPv4 group to its MAC (RFC 1112: 01:00:5e and the
// low 23 bits of the group).
func multicastMAC(g netip.Addr) frame.MAC {
	a := g.As4()
	return frame.MAC{0x01, 0x00, 0x5e, a[1] & 0x7f, a[2], a[3]}
}

// accepts is the NIC's address filter.
func (n *NIC) accepts(dst frame.MAC) bool {
	if dst == n.mac || dst.IsBroadcast() {
		return true
	}
	if !dst.IsMulticast() {
		return false
	}
	if dst == allHostsMAC {
		return true
	}
	return slices.Contains(n.groups, dst)
}

// Capture mirrors every frame the NIC receives (before its address filter,
// as a capture in promiscuous mode does) and sends into c, on an interface
// named "host.nic"; nil stops it. A later call replaces the capture.
func (n *NIC) Capture(c *sim.Capture) {
	n.capture = c
	if c != nil {
		n.capIfc = c.AddInterface(n.String())
	}
}

// Receive handles a frame arriving from the link. The frame is borrowed for
// the call. It implements sim.Receiver.
func (n *NIC) Receive(f []byte) {
	if n.capture != nil {
		n.mirror(f, false)
	}
	if len(f) < frame.EthernetLen {
		n.rxFrames++
		n.rxBytes += uint64(len(f))
		n.h.drop(dropMalformed, f)
		return
	}
	eth := frame.Ethernet(f)
	if !n.accepts(eth.Dst()) {
		n.filtered++
		return
	}
	n.rxFrames++
	n.rxBytes += uint64(len(f))
	if !n.up {
		n.h.drop(dropCarrier, f)
		return
	}
	if !eth.Valid() {
		n.h.drop(dropMalformed, f)
		return
	}
	switch eth.RawType() {
	case frame.TypeIPv4:
		// A datagram that came as a link-layer broadcast or multicast is
		// never answered with an ICMP error (RFC 1122 3.2.2).
		n.h.rxGroup = eth.Dst().IsMulticast()
		n.h.ipInput(n, f, f[frame.EthernetLen:])
		n.h.rxGroup = false
	case frame.TypeARP:
		n.h.arpInput(n, f, f[frame.EthernetLen:])
	case frame.TypeIPv6:
		n.h.drop(dropIPv6, f)
	case frame.TypeVLAN, frame.TypeQinQ:
		n.h.drop(dropVLAN, f)
	default:
		n.h.drop(dropEtherType, f)
	}
}

// send transmits a complete frame (borrowed; usually the host's scratch
// buffer). Frames shorter than the Ethernet minimum are padded with zeros,
// as a NIC does, when the buffer has room.
func (n *NIC) send(f []byte) {
	if len(f) < minFrame && cap(f) >= minFrame {
		k := len(f)
		f = f[:minFrame]
		clear(f[k:])
	}
	if !n.up {
		n.h.drop(dropCarrier, f)
		return
	}
	if n.tx == nil {
		n.h.drop(dropNotConnected, f)
		return
	}
	n.txFrames++
	n.txBytes += uint64(len(f))
	if n.capture != nil {
		n.mirror(f, true)
	}
	n.h.record("send", "", f)
	n.tx.Send(f)
}

// mirror copies f into the NIC's capture. The capture format has no
// direction flag, so out is not recorded.
func (n *NIC) mirror(f []byte, _ bool) {
	n.capture.WritePacket(n.capIfc, n.h.loop.Now(), f)
}
