package host

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// Sender is what a NIC transmits into (a *sim.LinkEnd satisfies it). The
// frame is borrowed for the call: a Sender that keeps it copies it.
type Sender interface {
	Send(frame []byte)
}

// Errors callers branch on with errors.Is. Their texts are the Linux errno
// texts users know from the shell.
var (
	// ErrNoRoute means there is no route to the destination (ENETUNREACH).
	ErrNoRoute = errors.New("network is unreachable")
	// ErrUnreachable means the destination did not answer ARP or an ICMP
	// destination unreachable came back (EHOSTUNREACH).
	ErrUnreachable = errors.New("no route to host")
	// ErrTimeout means a peer did not answer in time (ETIMEDOUT).
	ErrTimeout = errors.New("connection timed out")
	// ErrRefused means a peer refused a connection (ECONNREFUSED).
	ErrRefused = errors.New("connection refused")
	// ErrAddrInUse means a port or an address is already taken (EADDRINUSE).
	ErrAddrInUse = errors.New("address already in use")
	// ErrTooBig means a packet with DF set does not fit the egress MTU, or a
	// datagram exceeds the IPv4 maximum (EMSGSIZE).
	ErrTooBig = errors.New("message too long")
	// ErrInvalid means an argument is malformed (EINVAL): an IPv6 address
	// where IPv4 is needed, port 0, a TTL of 0.
	ErrInvalid = errors.New("invalid argument")
)

// Defaults of the stack, as on Linux.
const (
	DefaultMTU        = 1500
	DefaultTTL        = 64
	DefaultARPTimeout = 60 * time.Second // how long a resolved entry is used before re-resolving

	minMTU           = 68 // RFC 791: every IPv4 link carries 68-byte datagrams
	maxMTU           = sim.MaxFrame - frame.EthernetLen
	arpTries         = 3 // requests sent before giving up
	arpRetryInterval = time.Second
	arpQueueLen      = 3 // packets queued per unresolved next hop
	reasmTimeout     = 30 * time.Second
	maxReassemblies  = 64
	maxIPv4Len       = 65535
	ethIPOff         = frame.EthernetLen // where the IPv4 header starts in the scratch buffer
	l4Off            = ethIPOff + frame.IPv4MinLen
	minFrame         = 60 // Ethernet minimum without FCS: shorter frames are padded
	ephemeralLow     = 32768
	ephemeralHigh    = 60999
)

var limitedBroadcast = netip.AddrFrom4([4]byte{255, 255, 255, 255})

// Host is a simulated machine with one or more NICs and its own IPv4 stack.
// It is not safe for concurrent use; it runs on its loop.
type Host struct {
	loop  *sim.Loop
	name  string
	where string // "host NAME", the trace's Where

	nics       []*NIC
	routes     []route
	forwarding bool
	arpTimeout time.Duration
	ipID       uint16

	scratch []byte // frames are built here; grown on demand, reused

	// Created on first use to keep idle hosts small.
	arp       map[[4]byte]neighbor
	arpSweep  int
	pending   map[[4]byte]*resolution
	protos    []protoHandler
	icmpErrs  []func(typ, code uint8, mtu uint16, orig []byte)
	udp       map[uint16]func(from, to netip.AddrPort, data []byte)
	tools     []icmpTool
	portCheck []func(port uint16) bool
	reasm     map[fragKey]*reassembly
	rng       *rand.Rand

	// Packet rewriting hooks (NAT), nil unless set.
	prerouting func(in *NIC, ip frame.IPv4) frame.IPv4
	localOut   func(ip frame.IPv4)
	fwdHook    func(in, out *NIC, ip frame.IPv4)

	forwarded uint64
	drops     [numReasons]uint64
	rxGroup   bool // the frame being processed came to a group MAC (no ICMP errors for it)
}

type protoHandler struct {
	proto frame.IPProto
	fn    func(src, dst netip.Addr, payload []byte)
}

// New returns a host named name driven by loop. It has no NICs yet; drops
// and sends are recorded in loop.Trace() with Where "host NAME".
func New(loop *sim.Loop, name string) *Host {
	return &Host{loop: loop, name: name, where: "host " + name}
}

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// Loop returns the loop that drives the host.
func (h *Host) Loop() *sim.Loop { return h.loop }

// String returns the host's name.
func (h *Host) String() string { return h.name }

// AddNIC adds a network interface with the given MAC address and MTU (0
// means 1500; the MTU is clamped to 68..9202) and returns it. The NIC has
// carrier but is not connected until Connect is called. A NIC name that
// already exists returns the existing NIC unchanged.
func (h *Host) AddNIC(name string, mac frame.MAC, mtu int) *NIC {
	if n := h.NIC(name); n != nil {
		return n
	}
	if mtu <= 0 {
		mtu = DefaultMTU
	}
	mtu = min(max(mtu, minMTU), maxMTU)
	n := &NIC{h: h, name: name, mac: mac, mtu: mtu, up: true}
	h.nics = append(h.nics, n)
	return n
}

// NIC returns the NIC named name, or nil.
func (h *Host) NIC(name string) *NIC {
	for _, n := range h.nics {
		if n.name == name {
			return n
		}
	}
	return nil
}

// NICs returns the host's NICs in the order they were added. The slice is a
// copy.
func (h *Host) NICs() []*NIC { return append([]*NIC(nil), h.nics...) }

// SetForwarding turns IPv4 forwarding between the host's NICs on or off. A
// forwarding host decrements the TTL of packets not addressed to it, sends
// them on along its routes, and answers with ICMP time exceeded,
// fragmentation needed or net unreachable where it cannot.
func (h *Host) SetForwarding(on bool) { h.forwarding = on }

// Forwarding reports whether the host forwards IPv4.
func (h *Host) Forwarding() bool { return h.forwarding }

// SetARPTimeout sets how long a resolved ARP entry is used before the host
// resolves the address again; 0 restores the default of 60 s.
func (h *Host) SetARPTimeout(d time.Duration) { h.arpTimeout = d }

func (h *Host) arpReachable() time.Duration {
	if h.arpTimeout > 0 {
		return h.arpTimeout
	}
	return DefaultARPTimeout
}

// Handle registers fn for IPv4 packets of protocol proto addressed to this
// host (payload is the IP payload, reassembled, borrowed for the call); nil
// removes it. There is one handler per protocol: a second call replaces the
// first. UDP is served by the built-in sockets (ListenUDP); a UDP handler
// gets the datagrams no socket listens for, instead of the host answering
// with port unreachable. An ICMP handler gets the ICMP messages the host
// does not consume itself (echo replies no ping waits for, unknown types).
// Protocols with no handler are answered with ICMP protocol unreachable.
func (h *Host) Handle(proto frame.IPProto, fn func(src, dst netip.Addr, payload []byte)) {
	for i := range h.protos {
		if h.protos[i].proto == proto {
			if fn == nil {
				h.protos = append(h.protos[:i], h.protos[i+1:]...)
			} else {
				h.protos[i].fn = fn
			}
			return
		}
	}
	if fn != nil {
		h.protos = append(h.protos, protoHandler{proto, fn})
	}
}

func (h *Host) handler(proto frame.IPProto) func(src, dst netip.Addr, payload []byte) {
	for i := range h.protos {
		if h.protos[i].proto == proto {
			return h.protos[i].fn
		}
	}
	return nil
}

// HandleICMPError registers fn to be called for every ICMP error (destination
// unreachable, time exceeded, source quench, parameter problem) the host
// receives or generates locally (host unreachable after ARP fails), except
// those answering the host's own ping and traceroute probes. orig is the
// quoted original datagram (its IP header and at least 8 bytes, borrowed);
// mtu is the next-hop MTU of a "fragmentation needed" and 0 otherwise.
// Several handlers may be registered; each gets every error, in
// registration order.
func (h *Host) HandleICMPError(fn func(typ, code uint8, mtu uint16, orig []byte)) {
	if fn != nil {
		h.icmpErrs = append(h.icmpErrs, fn)
	}
}

// ReservePorts registers a check EphemeralPort consults so that it skips
// ports another layer (a TCP stack) has in use.
func (h *Host) ReservePorts(inUse func(port uint16) bool) {
	if inUse != nil {
		h.portCheck = append(h.portCheck, inUse)
	}
}

// PortInUse reports whether port is taken on the host: by a UDP socket or
// by a ReservePorts check (a TCP stack, a NAT's masqueraded connections).
func (h *Host) PortInUse(port uint16) bool { return h.portInUse(port) }

// EphemeralPort returns a free port in 32768..60999, the Linux default
// range. It starts at a random point drawn from loop.Rand("host/"+name) and
// skips ports in use by UDP sockets and by ReservePorts checks. It returns 0
// if every port is taken.
func (h *Host) EphemeralPort() uint16 {
	const span = ephemeralHigh - ephemeralLow + 1
	start := h.rand().IntN(span)
	for i := range span {
		p := uint16(ephemeralLow + (start+i)%span)
		if !h.portInUse(p) {
			return p
		}
	}
	return 0
}

func (h *Host) portInUse(p uint16) bool {
	if _, ok := h.udp[p]; ok {
		return true
	}
	for _, f := range h.portCheck {
		if f(p) {
			return true
		}
	}
	return false
}

func (h *Host) rand() *rand.Rand {
	if h.rng == nil {
		h.rng = h.loop.Rand("host/" + h.name)
	}
	return h.rng
}

// SourceFor returns the source address the host would use to reach dst.
func (h *Host) SourceFor(dst netip.Addr) (netip.Addr, bool) {
	nh, ok := h.route(dst)
	if !ok || !nh.src.IsValid() || nh.src.IsUnspecified() {
		return netip.Addr{}, false
	}
	return nh.src, true
}

// HasAddr reports whether a is one of the host's addresses (or loopback).
func (h *Host) HasAddr(a netip.Addr) bool { return h.isLocal(a) }

// Addrs returns the host's addresses, NIC by NIC.
func (h *Host) Addrs() []netip.Addr {
	var out []netip.Addr
	for _, n := range h.nics {
		for _, p := range n.addrs {
			out = append(out, p.Addr())
		}
	}
	return out
}

// isLocal reports whether dst is one of this host's unicast addresses. The
// host follows the weak host model of Linux: an address on any NIC counts.
func (h *Host) isLocal(dst netip.Addr) bool {
	if dst.Is4() && dst.As4()[0] == 127 {
		return true
	}
	for _, n := range h.nics {
		for i := range n.addrs {
			if n.addrs[i].Addr() == dst {
				return true
			}
		}
	}
	return false
}

// anyAddr returns the first address of the host, preferring nic's.
func (h *Host) anyAddr(nic *NIC) netip.Addr {
	if nic != nil && len(nic.addrs) > 0 {
		return nic.addrs[0].Addr()
	}
	for _, n := range h.nics {
		if len(n.addrs) > 0 {
			return n.addrs[0].Addr()
		}
	}
	return netip.IPv4Unspecified()
}

// buf returns the scratch buffer with at least n bytes. Growing it
// invalidates slices of the old one, so callers size it once, up front,
// before writing into it.
func (h *Host) buf(n int) []byte {
	if cap(h.scratch) < n {
		// Round up so that small frames (ARP, ping) share one allocation.
		h.scratch = make([]byte, (n+255)&^255)
	}
	h.scratch = h.scratch[:cap(h.scratch)]
	return h.scratch
}

// inScratch reports whether the IPv4 packet p sits at its usual place in the
// scratch buffer, right after room for the Ethernet header.
func (h *Host) inScratch(p []byte) bool {
	return len(p) > 0 && len(h.scratch) > ethIPOff && &p[0] == &h.scratch[ethIPOff]
}

// record writes an event about this host into the loop's trace.
func (h *Host) record(what, why string, f []byte) {
	h.loop.Trace().Record(sim.Event{Time: h.loop.Now(), Where: h.where, What: what, Why: why, Len: len(f), Frame: f})
}

func (h *Host) errorf(err error, format string, args ...any) error {
	return fmt.Errorf("host %s: "+format+": %w", append(append([]any{h.name}, args...), err)...)
}
