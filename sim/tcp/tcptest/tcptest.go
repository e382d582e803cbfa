package tcptest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// Errors of the fake hosts.
var (
	ErrNoRoute   = errors.New("no route to host")
	ErrPortInUse = errors.New("port in use")
	ErrBadPort   = errors.New("port 0 not allowed")
	ErrTooBig    = errors.New("message too long")
)

// Packet is one IP packet as the network saw it.
type Packet struct {
	At       time.Duration
	Proto    frame.IPProto
	Src, Dst netip.Addr
	Payload  []byte
}

// Net is a fake IP network: every host reaches every other directly.
// Change its exported fields between runs of the loop, not during a
// delivery.
type Net struct {
	loop *sim.Loop
	rng  *rand.Rand
	// Delay is the one-way latency.
	Delay time.Duration
	// Jitter adds a uniform random [0, Jitter) to each packet's delay, so
	// packets can overtake each other.
	Jitter time.Duration
	// Loss is the probability that a packet is dropped.
	Loss float64
	// MTU, if not 0, drops packets whose IP size (20 + payload) exceeds it
	// and answers the sender with ICMP fragmentation needed.
	MTU int
	// Filter, if set, drops a packet when it returns false. The payload is
	// borrowed for the call.
	Filter func(p Packet) bool
	// OnSend, if set, sees every packet sent (before loss). The payload is
	// borrowed for the call.
	OnSend func(p Packet)

	hosts       map[netip.Addr]*Host
	unreachable map[netip.Addr]bool
	noRoute     map[netip.Addr]bool

	// Sent, Lost and Delivered count packets.
	Sent, Lost, Delivered int
}

// NewNet returns an empty network with a 1 ms delay and no loss.
func NewNet(loop *sim.Loop) *Net {
	return &Net{
		loop:        loop,
		rng:         loop.Rand("tcptest/net"),
		Delay:       time.Millisecond,
		hosts:       make(map[netip.Addr]*Host),
		unreachable: make(map[netip.Addr]bool),
		noRoute:     make(map[netip.Addr]bool),
	}
}

// Loop returns the network's loop.
func (n *Net) Loop() *sim.Loop { return n.loop }

// SetUnreachable makes packets to addr draw an ICMP host unreachable.
func (n *Net) SetUnreachable(addr netip.Addr) { n.unreachable[addr] = true }

// SetNoRoute makes hosts find no route (and no source address) for addr.
func (n *Net) SetNoRoute(addr netip.Addr) { n.noRoute[addr] = true }

// AddHost adds a host with one address.
func (n *Net) AddHost(name string, addr netip.Addr) *Host {
	h := &Host{
		net:  n,
		name: name,
		addr: addr,
		rng:  n.loop.Rand("tcptest/host/" + name),
		udp:  make(map[uint16]func(from, to netip.AddrPort, data []byte)),
	}
	h.Handle(frame.ProtoUDP, h.udpInput)
	n.hosts[addr] = h
	return h
}

// RemoveHost takes the host at addr off the network: packets to it vanish.
func (n *Net) RemoveHost(addr netip.Addr) { delete(n.hosts, addr) }

func (n *Net) delay() time.Duration {
	d := n.Delay
	if n.Jitter > 0 {
		d += time.Duration(n.rng.Int64N(int64(n.Jitter)))
	}
	return d
}

func (n *Net) transmit(proto frame.IPProto, src, dst netip.Addr, payload []byte) {
	n.Sent++
	p := Packet{At: n.loop.Now(), Proto: proto, Src: src, Dst: dst, Payload: payload}
	if n.OnSend != nil {
		n.OnSend(p)
	}
	if n.Filter != nil && !n.Filter(p) {
		n.Lost++
		return
	}
	if n.Loss > 0 && n.rng.Float64() < n.Loss {
		n.Lost++
		return
	}
	if n.MTU > 0 && 20+len(payload) > n.MTU {
		n.Lost++
		n.icmpError(src, dst, proto, payload, frame.ICMPDestUnreach, frame.ICMPFragNeeded, uint16(n.MTU))
		return
	}
	buf := append([]byte(nil), payload...)
	n.loop.After(n.delay(), func() {
		h := n.hosts[dst]
		if h == nil {
			if n.unreachable[dst] {
				n.icmpError(src, dst, proto, buf, frame.ICMPDestUnreach, frame.ICMPHostUnreach, 0)
			}
			return
		}
		fn := h.handlers[proto]
		if fn == nil {
			n.icmpError(src, dst, proto, buf, frame.ICMPDestUnreach, frame.ICMPProtoUnreach, 0)
			return
		}
		n.Delivered++
		fn(src, dst, buf)
	})
}

// icmpError sends the sender of a packet (src->dst) an ICMP error quoting
// its IP header and first 8 payload bytes.
func (n *Net) icmpError(src, dst netip.Addr, proto frame.IPProto, payload []byte, typ, code uint8, mtu uint16) {
	orig := make([]byte, 20+min(8, len(payload)))
	frame.PutIPv4(orig, frame.IPv4Header{TotalLen: uint16(20 + len(payload)), DF: true, TTL: 64, Protocol: proto, Src: src, Dst: dst})
	copy(orig[20:], payload)
	n.loop.After(n.delay(), func() {
		if h := n.hosts[src]; h != nil && h.icmp != nil {
			h.icmp(typ, code, mtu, orig)
		}
	})
}

// Host is a fake host with one address. It satisfies tcp.IP and the UDP
// interfaces of packages app and resolv.
type Host struct {
	net      *Net
	name     string
	addr     netip.Addr
	rng      *rand.Rand
	handlers [256]func(src, dst netip.Addr, payload []byte)
	icmp     func(typ, code uint8, mtu uint16, orig []byte)
	udp      map[uint16]func(from, to netip.AddrPort, data []byte)
	reserved []func(uint16) bool
	// UDPUnreachable counts datagrams to closed ports.
	UDPUnreachable int
	// MTU is what MTUFor reports (0: unknown).
	MTU int
	// EgressMTU, if not 0, makes SendIP fail with ErrTooBig for packets
	// (20 + payload) larger than it, as a host does for DF packets that do
	// not fit its NIC.
	EgressMTU int
}

// MTUFor returns h.MTU, the MTU towards any destination (0: unknown).
func (h *Host) MTUFor(netip.Addr) int { return h.MTU }

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// Addr returns the host's address.
func (h *Host) Addr() netip.Addr { return h.addr }

// Loop returns the loop.
func (h *Host) Loop() *sim.Loop { return h.net.loop }

// Handle registers fn for packets of proto (replacing any earlier one).
func (h *Host) Handle(proto frame.IPProto, fn func(src, dst netip.Addr, payload []byte)) {
	h.handlers[proto] = fn
}

// HandleICMPError registers fn for ICMP errors (replacing any earlier one).
func (h *Host) HandleICMPError(fn func(typ, code uint8, mtu uint16, orig []byte)) {
	h.icmp = fn
}

// SendIP sends payload (copied) to dst.
func (h *Host) SendIP(proto frame.IPProto, src, dst netip.Addr, payload []byte) error {
	if h.net.noRoute[dst] || !dst.IsValid() {
		return fmt.Errorf("send to %v: %w", dst, ErrNoRoute)
	}
	if !src.IsValid() {
		src = h.addr
	}
	if h.EgressMTU > 0 && 20+len(payload) > h.EgressMTU {
		return fmt.Errorf("send to %v: mtu=%d: %w", dst, h.EgressMTU, ErrTooBig)
	}
	h.net.transmit(proto, src, dst, payload)
	return nil
}

// SourceFor returns the host's address, unless dst has no route.
func (h *Host) SourceFor(dst netip.Addr) (netip.Addr, bool) {
	if h.net.noRoute[dst] || !dst.IsValid() {
		return netip.Addr{}, false
	}
	return h.addr, true
}

// ReservePorts registers a check EphemeralPort consults, as the simulated
// host's method of the same name.
func (h *Host) ReservePorts(inUse func(port uint16) bool) {
	h.reserved = append(h.reserved, inUse)
}

// EphemeralPort returns a random port in 32768-60999 that no UDP listener
// or ReservePorts check uses.
func (h *Host) EphemeralPort() uint16 {
next:
	for {
		p := uint16(32768 + h.rng.IntN(61000-32768))
		if h.udp[p] != nil {
			continue
		}
		for _, f := range h.reserved {
			if f(p) {
				continue next
			}
		}
		return p
	}
}

// ListenUDP registers fn for datagrams to port.
func (h *Host) ListenUDP(port uint16, fn func(from, to netip.AddrPort, data []byte)) error {
	if port == 0 {
		return ErrBadPort
	}
	if h.udp[port] != nil {
		return fmt.Errorf("udp port %d: %w", port, ErrPortInUse)
	}
	h.udp[port] = fn
	return nil
}

// CloseUDP removes the listener on port.
func (h *Host) CloseUDP(port uint16) { delete(h.udp, port) }

// SendUDP sends data (copied) from from to to in a real UDP header.
func (h *Host) SendUDP(from, to netip.AddrPort, data []byte) error {
	if from.Port() == 0 || to.Port() == 0 {
		return ErrBadPort
	}
	src := from.Addr()
	if !src.IsValid() {
		src = h.addr
	}
	b := make([]byte, frame.UDPLen+len(data))
	frame.PutUDP(b, netip.AddrPortFrom(src, from.Port()), to, data)
	return h.SendIP(frame.ProtoUDP, src, to.Addr(), b)
}

func (h *Host) udpInput(src, dst netip.Addr, payload []byte) {
	u := frame.UDP(payload)
	if !u.Valid() || !u.ChecksumValid(src, dst) {
		return
	}
	fn := h.udp[u.DstPort()]
	if fn == nil {
		h.UDPUnreachable++
		h.net.icmpError(src, dst, frame.ProtoUDP, payload, frame.ICMPDestUnreach, frame.ICMPPortUnreach, 0)
		return
	}
	fn(netip.AddrPortFrom(src, u.SrcPort()), netip.AddrPortFrom(dst, u.DstPort()), u.Payload())
}

// Inject hands payload to the host's handler for proto at once, as if it had
// arrived from src, bypassing the network (for fuzzing and raw tests).
func (h *Host) Inject(proto frame.IPProto, src netip.Addr, payload []byte) {
	if fn := h.handlers[proto]; fn != nil {
		fn(src, h.addr, payload)
	}
}

// InjectICMPError hands an ICMP error to the host's ICMP handler at once.
func (h *Host) InjectICMPError(typ, code uint8, mtu uint16, orig []byte) {
	if h.icmp != nil {
		h.icmp(typ, code, mtu, orig)
	}
}
