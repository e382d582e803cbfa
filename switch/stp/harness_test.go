package stp

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// This file is a deterministic test network: Machines joined by point to
// point wires that deliver BPDUs after a fixed delay, one shared virtual
// clock, and a log of every callback. run() jumps from event to event
// (a delivery or a machine's next deadline), so no tick size hides timing
// errors.

const wireDelay = time.Millisecond

// event is one Env callback, as the test bridge saw it.
type event struct {
	at     time.Duration
	kind   string // "state", "flush", "tc"
	port   int
	state  State
	active bool
}

func (e event) String() string {
	switch e.kind {
	case "state":
		return fmt.Sprintf("%v port %d %v", e.at, e.port, e.state)
	case "flush":
		return fmt.Sprintf("%v port %d flush", e.at, e.port)
	}
	return fmt.Sprintf("%v tc %v", e.at, e.active)
}

// sent is one BPDU a test bridge transmitted, decoded.
type sent struct {
	at   time.Duration
	port int
	bpdu BPDU
}

type wire struct {
	a, b *end
	up   bool
}

type end struct {
	br   *tbridge
	port int
	w    *wire
}

func (e *end) peer() *end {
	if e.w.a == e {
		return e.w.b
	}
	return e.w.a
}

type delivery struct {
	at    time.Duration
	seq   uint64
	w     *wire
	to    *end
	frame []byte
}

type tnet struct {
	t       testing.TB
	now     time.Duration
	seq     uint64
	q       []delivery // ordered by (at, seq)
	bridges []*tbridge
}

type tbridge struct {
	name  string
	n     *tnet
	m     *Machine
	dead  bool
	ends  map[int]*end
	log   []event
	sent  []sent
	lastR map[int]time.Duration // last config BPDU received, per port
}

func newNet(t testing.TB) *tnet { return &tnet{t: t} }

func (n *tnet) bridge(name string, prio uint16, last byte) *tbridge {
	b := &tbridge{name: name, n: n, ends: map[int]*end{}, lastR: map[int]time.Duration{}}
	cfg := DefaultConfig()
	cfg.Priority = prio
	b.m = New(frame.MAC{0x02, 0, 0, 0, 0, last}, cfg, b)
	n.bridges = append(n.bridges, b)
	return b
}

// connect joins port pa of a and port pb of b with a wire of path cost 19
// at both ends, adding the ports to the machines at the current time.
func (n *tnet) connect(a *tbridge, pa int, b *tbridge, pb int) *wire {
	w := &wire{up: true}
	w.a = &end{br: a, port: pa, w: w}
	w.b = &end{br: b, port: pb, w: w}
	a.ends[pa], b.ends[pb] = w.a, w.b
	a.m.AddPort(pa, DefaultPortPriority, 19)
	b.m.AddPort(pb, DefaultPortPriority, 19)
	return w
}

// cut takes the wire down; both machines see their link go down now.
func (n *tnet) cut(w *wire) {
	w.up = false
	for _, e := range []*end{w.a, w.b} {
		if !e.br.dead {
			e.br.m.SetEnabled(e.port, false, n.now)
		}
	}
}

// kill silences a bridge: it stops running, sending and receiving, without
// its neighbours' links going down (an indirect failure).
func (n *tnet) kill(b *tbridge) { b.dead = true }

// run processes deliveries and timers in time order up to and including
// until, and leaves every live machine advanced to until.
func (n *tnet) run(until time.Duration) {
	for {
		next := time.Duration(math.MaxInt64)
		if len(n.q) > 0 {
			next = n.q[0].at
		}
		for _, b := range n.bridges {
			if at, ok := b.m.NextDeadline(); ok && !b.dead && at < next {
				next = at
			}
		}
		if next > until {
			break
		}
		n.now = next
		for len(n.q) > 0 && n.q[0].at == next {
			d := n.q[0]
			n.q = n.q[1:]
			if d.w.up && !d.to.br.dead {
				if d.frame[frame.EthernetLen+llcLen+3] == byte(TypeConfig) {
					d.to.br.lastR[d.to.port] = next
				}
				d.to.br.m.Input(d.to.port, d.frame, next)
			}
		}
		for _, b := range n.bridges {
			if !b.dead {
				b.m.Advance(next)
			}
		}
	}
	n.now = until
	for _, b := range n.bridges {
		if !b.dead {
			b.m.Advance(until)
		}
	}
}

// SendBPDU implements Env: the frame travels the wire with wireDelay.
func (b *tbridge) SendBPDU(port int, f []byte) {
	bp, err := DecodeBPDU(f[frame.EthernetLen+llcLen:])
	if err != nil {
		b.n.t.Fatalf("%s sent an undecodable BPDU on port %d: %v", b.name, port, err)
	}
	b.sent = append(b.sent, sent{at: b.n.now, port: port, bpdu: bp})
	e := b.ends[port]
	if b.dead || e == nil || !e.w.up {
		return
	}
	n := b.n
	n.seq++
	d := delivery{at: n.now + wireDelay, seq: n.seq, w: e.w, to: e.peer(), frame: slices.Clone(f)}
	i, _ := slices.BinarySearchFunc(n.q, d, func(x, y delivery) int {
		if x.at != y.at {
			return int(x.at - y.at)
		}
		return int(x.seq - y.seq)
	})
	n.q = slices.Insert(n.q, i, d)
}

func (b *tbridge) SetState(port int, s State) {
	b.log = append(b.log, event{at: b.n.now, kind: "state", port: port, state: s})
}

func (b *tbridge) FlushPort(port int) {
	b.log = append(b.log, event{at: b.n.now, kind: "flush", port: port})
}

func (b *tbridge) TopologyChange(active bool) {
	b.log = append(b.log, event{at: b.n.now, kind: "tc", active: active})
}

// events returns the logged callbacks of the given kinds since from.
func (b *tbridge) events(from time.Duration, kinds ...string) []event {
	var out []event
	for _, e := range b.log {
		if e.at >= from && slices.Contains(kinds, e.kind) {
			out = append(out, e)
		}
	}
	return out
}

func (b *tbridge) port(num int) PortStatus {
	for _, p := range b.m.Status().Ports {
		if p.Port == num {
			return p
		}
	}
	b.n.t.Fatalf("%s has no port %d", b.name, num)
	return PortStatus{}
}

// blocked lists "bridge/port" for every blocking port of the network.
func (n *tnet) blocked() []string {
	var out []string
	for _, b := range n.bridges {
		if b.dead {
			continue
		}
		for _, p := range b.m.Status().Ports {
			if p.State == Blocking {
				out = append(out, fmt.Sprintf("%s/%d", b.name, p.Port))
			}
		}
	}
	return out
}
