package host

import (
	"net/netip"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

func macN(i byte) frame.MAC { return frame.MAC{0x02, 0, 0, 0, 0, i} }

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

// newHost returns a host with one NIC eth0 holding addr (if not "").
func newHost(t testing.TB, l *sim.Loop, name string, m byte, addr string) *Host {
	t.Helper()
	h := New(l, name)
	n := h.AddNIC("eth0", macN(m), 0)
	if addr != "" {
		require.NoError(t, n.AddAddr(pfx(addr)))
	}
	return h
}

// wire connects two NICs with a link.
func wire(l *sim.Loop, a, b *NIC, cfg sim.LinkConfig) *sim.Link {
	k := sim.NewLink(l, a.String()+"<->"+b.String(), cfg)
	a.ConnectLink(k.A())
	b.ConnectLink(k.B())
	return k
}

// hub is a repeater: a frame arriving on one port leaves on all others.
type hub struct {
	l    *sim.Loop
	ends []*sim.LinkEnd
}

type hubPort struct {
	h *hub
	i int
}

func (p hubPort) Receive(f []byte) {
	for j, e := range p.h.ends {
		if j != p.i {
			e.Send(f)
		}
	}
}

func (h *hub) plug(n *NIC, cfg sim.LinkConfig) {
	i := len(h.ends)
	k := sim.NewLink(h.l, n.String()+"<->hub.p"+strconv.Itoa(i), cfg)
	n.ConnectLink(k.A())
	k.B().Attach(hubPort{h, i})
	h.ends = append(h.ends, k.B())
}

// sent is a frame a NIC transmitted, seen by a tap.
type sent struct {
	at time.Duration
	f  []byte
}

// tap records the frames a NIC sends before passing them on.
type tap struct {
	l      *sim.Loop
	next   Sender
	frames []sent
}

func (t *tap) Send(f []byte) {
	t.frames = append(t.frames, sent{t.l.Now(), slices.Clone(f)})
	if t.next != nil {
		t.next.Send(f)
	}
}

// arps returns the ARP messages among the tapped frames.
func (t *tap) arps(op uint16) []frame.ARP {
	var out []frame.ARP
	for _, s := range t.frames {
		e := frame.Ethernet(s.f)
		if e.Type() != frame.TypeARP {
			continue
		}
		a := frame.ARP(e.Payload())
		if a.Valid() && a.Op() == op {
			out = append(out, a)
		}
	}
	return out
}

// tapNIC inserts a tap into the transmit side of a connected NIC.
func tapNIC(n *NIC) *tap {
	t := &tap{l: n.h.loop, next: n.tx}
	n.Connect(t)
	return t
}

// nopSender discards frames.
type nopSender struct{ n int }

func (s *nopSender) Send([]byte) { s.n++ }

// runPing pings and runs the loop until the result is in.
func runPing(t testing.TB, h *Host, dst string, opt PingOptions) PingResult {
	t.Helper()
	var res *PingResult
	h.Ping(ip(dst), opt, func(r PingResult) { res = &r })
	ok, err := h.loop.RunUntil(h.loop.Now()+5*time.Minute, func() bool { return res != nil })
	require.NoError(t, err)
	require.True(t, ok, "ping did not finish")
	return *res
}

func runTrace(t testing.TB, h *Host, dst string, opt TraceOptions) TraceResult {
	t.Helper()
	var res *TraceResult
	h.Traceroute(ip(dst), opt, func(r TraceResult) { res = &r })
	ok, err := h.loop.RunUntil(h.loop.Now()+10*time.Minute, func() bool { return res != nil })
	require.NoError(t, err)
	require.True(t, ok, "traceroute did not finish")
	return *res
}

// routed builds h1 (10.0.1.2/24) -- r (10.0.1.1/24, 10.0.2.1/24) -- h2
// (10.0.2.2/24) with 1 ms links, the router's second NIC with mtu2.
type routedLab struct {
	l         *sim.Loop
	h1, r, h2 *Host
}

func newRouted(t testing.TB, seed uint64, mtu2 int) *routedLab {
	t.Helper()
	l := sim.NewLoop(seed)
	h1 := newHost(t, l, "h1", 1, "10.0.1.2/24")
	h1.SetGateway(ip("10.0.1.1"))
	h2 := newHost(t, l, "h2", 2, "10.0.2.2/24")
	h2.SetGateway(ip("10.0.2.1"))
	r := New(l, "r")
	r0 := r.AddNIC("eth0", macN(0x10), 0)
	r1 := r.AddNIC("eth1", macN(0x11), mtu2)
	require.NoError(t, r0.AddAddr(pfx("10.0.1.1/24")))
	require.NoError(t, r1.AddAddr(pfx("10.0.2.1/24")))
	r.SetForwarding(true)
	cfg := sim.LinkConfig{Latency: time.Millisecond}
	wire(l, h1.NIC("eth0"), r0, cfg)
	wire(l, r1, h2.NIC("eth0"), cfg)
	return &routedLab{l: l, h1: h1, r: r, h2: h2}
}
