package host

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// TraceOptions configures Traceroute. Zero values take the defaults of
// Linux traceroute, except that one probe is sent per hop.
type TraceOptions struct {
	MaxHops  int           // default 30
	FirstTTL int           // default 1
	Timeout  time.Duration // wait per probe; default 1s
	Port     uint16        // UDP: destination port of the first probe, incremented per probe; default 33434
	ICMP     bool          // probe with ICMP echo requests (traceroute -I) instead of UDP
	Source   netip.Addr    // default chosen by route
}

// Hop is one line of traceroute's output.
type Hop struct {
	TTL  int
	Addr netip.Addr // invalid when no answer came ("*")
	RTT  time.Duration
	Note string // traceroute's annotation: "!H", "!N", "!P", "!F-1400", "!X"; "" normally
}

// String formats the hop as traceroute prints it, without names.
func (h Hop) String() string {
	s := strconv.Itoa(h.TTL) + "  "
	if !h.Addr.IsValid() {
		return s + "*"
	}
	s += h.Addr.String() + "  " + strconv.FormatFloat(float64(h.RTT)/float64(time.Millisecond), 'f', 3, 64) + " ms"
	if h.Note != "" {
		s += " " + h.Note
	}
	return s
}

// TraceResult is the outcome of a traceroute.
type TraceResult struct {
	Dst     netip.Addr
	Hops    []Hop
	Reached bool   // the destination answered
	Error   string // why no probe could be sent ("Network is unreachable"), "" otherwise
}

// Addrs returns the hops' addresses in order; unanswered hops are invalid.
func (r TraceResult) Addrs() []netip.Addr {
	out := make([]netip.Addr, len(r.Hops))
	for i, h := range r.Hops {
		out[i] = h.Addr
	}
	return out
}

// tracer is a traceroute in progress. It sends one probe at a time.
type tracer struct {
	h        *Host
	dst      netip.Addr
	opt      TraceOptions
	id       uint16 // ICMP mode: echo identifier
	sport    uint16 // UDP mode: source port
	ttl      int
	probes   int    // probes sent so far
	port     uint16 // UDP mode: destination port of the current probe
	sentAt   time.Duration
	timer    *sim.Timer
	done     func(TraceResult)
	res      TraceResult
	finished bool
}

// Traceroute discovers the routers on the way to dst by sending probes with
// growing TTLs (UDP to ports 33434 and up, like Linux traceroute, or ICMP
// echo requests) and collecting the ICMP time exceeded answers. It stops
// when the destination answers (port unreachable or echo reply), when a
// router reports the destination unreachable, or after MaxHops. done runs
// on the loop.
func (h *Host) Traceroute(dst netip.Addr, opt TraceOptions, done func(TraceResult)) {
	if opt.MaxHops <= 0 {
		opt.MaxHops = 30
	}
	opt.MaxHops = min(opt.MaxHops, 255)
	if opt.FirstTTL <= 0 {
		opt.FirstTTL = 1
	}
	if opt.Timeout <= 0 {
		opt.Timeout = time.Second
	}
	if opt.Port == 0 {
		opt.Port = 33434
	}
	t := &tracer{h: h, dst: dst, opt: opt, done: done, ttl: opt.FirstTTL, res: TraceResult{Dst: dst}}
	if !dst.Is4() || opt.FirstTTL > opt.MaxHops {
		t.res.Error = "invalid argument"
		t.finished = true
		h.loop.After(0, func() { done(t.res) })
		return
	}
	if opt.ICMP {
		t.id = h.toolID()
	} else {
		t.sport = h.EphemeralPort()
	}
	t.timer = h.loop.NewTimer(t.tick)
	h.addTool(t)
	h.loop.After(0, t.probe)
}

// tracePayload is the data of a UDP probe: Linux traceroute's default
// 60-byte packets carry 32 bytes, '@' onward.
var tracePayload = func() []byte {
	b := make([]byte, 32)
	for i := range b {
		b[i] = byte(0x40 + i)
	}
	return b
}()

// probe sends the probe for the current TTL.
func (t *tracer) probe() {
	if t.finished {
		return
	}
	h := t.h
	t.probes++
	t.sentAt = h.loop.Now()
	var err error
	if t.opt.ICMP {
		err = t.sendEcho()
	} else {
		t.port = t.opt.Port + uint16(t.probes-1)
		err = h.sendUDP(netip.AddrPortFrom(t.opt.Source, t.sport), netip.AddrPortFrom(t.dst, t.port), uint8(t.ttl), tracePayload)
	}
	if err != nil {
		t.res.Error = "Network is unreachable"
		t.finish()
		return
	}
	t.timer.Reset(t.opt.Timeout)
}

func (t *tracer) sendEcho() error {
	h := t.h
	nh, err := h.lookup(t.dst)
	if err != nil {
		return err
	}
	src := t.opt.Source
	if !src.IsValid() {
		src = nh.src
	}
	b, _ := h.txBuf(nh, 8+len(tracePayload))
	n := frame.PutICMPEcho(b[l4Off:], frame.ICMPEchoRequest, t.id, uint16(t.probes), tracePayload)
	return h.output(nh, frame.ProtoICMP, src, t.dst, uint8(t.ttl), false, n)
}

// tick runs when a probe got no answer in time.
func (t *tracer) tick() {
	if t.h.resolving(t.dst) {
		t.timer.Reset(t.opt.Timeout) // the probe waits for ARP, it is not lost yet
		return
	}
	t.hop(Hop{TTL: t.ttl})
}

// hop records the answer (or silence) for the current TTL and moves on.
func (t *tracer) hop(hp Hop) {
	t.timer.Stop()
	t.res.Hops = append(t.res.Hops, hp)
	if t.res.Reached || hp.Note != "" || t.ttl >= t.opt.MaxHops {
		t.finish()
		return
	}
	t.ttl++
	t.probe()
}

func (t *tracer) echoReply(from netip.Addr, _ uint8, id, seq uint16) bool {
	if !t.opt.ICMP || id != t.id {
		return false
	}
	if !t.finished && int(seq) == t.probes {
		t.res.Reached = true
		t.hop(Hop{TTL: t.ttl, Addr: from, RTT: t.h.loop.Now() - t.sentAt})
	}
	return true
}

func (t *tracer) icmpError(from netip.Addr, typ, code uint8, mtu uint16, orig quoted) bool {
	proto, dst, l4, ok := orig.parse()
	if !ok || dst != t.dst {
		return false
	}
	current := false
	if t.opt.ICMP {
		if proto != frame.ProtoICMP || l4[0] != frame.ICMPEchoRequest || binary.BigEndian.Uint16(l4[4:]) != t.id {
			return false
		}
		current = int(binary.BigEndian.Uint16(l4[6:])) == t.probes
	} else {
		if proto != frame.ProtoUDP || binary.BigEndian.Uint16(l4[0:]) != t.sport {
			return false
		}
		current = binary.BigEndian.Uint16(l4[2:]) == t.port
	}
	if t.finished || !current {
		return true // an answer to an earlier probe that already timed out
	}
	hp := Hop{TTL: t.ttl, Addr: from, RTT: t.h.loop.Now() - t.sentAt}
	if typ == frame.ICMPDestUnreach {
		switch code {
		case frame.ICMPPortUnreach:
			t.res.Reached = true
		case frame.ICMPNetUnreach:
			hp.Note = "!N"
		case frame.ICMPHostUnreach:
			hp.Note = "!H"
		case frame.ICMPProtoUnreach:
			hp.Note = "!P"
			t.res.Reached = from == t.dst
		case frame.ICMPFragNeeded:
			hp.Note = "!F-" + strconv.Itoa(int(mtu))
		default:
			hp.Note = "!X"
		}
	}
	t.hop(hp)
	return true
}

func (t *tracer) finish() {
	if t.finished {
		return
	}
	t.finished = true
	t.timer.Stop()
	t.h.removeTool(t)
	t.done(t.res)
}
