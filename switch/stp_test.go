package vswitch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/switch/stp"
)

// wireNet connects bridge ports with wires that deliver a frame on the next
// tick, and steps virtual time for every bridge.
type wireNet struct {
	now     time.Duration
	bridges []*Bridge
	queue   []delivery
	hosts   map[*Bridge]*recPort
	sent    int // frames put on wires, to detect storms
}

type delivery struct {
	to   *Bridge
	port PortID
	f    []byte
}

// wireEnd is the Port of one side of a wire.
type wireEnd struct {
	n      *wireNet
	peer   *Bridge
	peerID PortID
	up     *bool
}

func (w *wireEnd) Send(f []byte) {
	if !*w.up {
		return
	}
	w.n.sent++
	w.n.queue = append(w.n.queue, delivery{w.peer, w.peerID, append([]byte(nil), f...)})
}

func (n *wireNet) bridge(name string, prio uint16, m byte) *Bridge {
	cfg := DefaultConfig()
	cfg.Name = name
	cfg.MAC = frame.MAC{0x02, 0, 0, 0, 0xbb, m}
	sc := stp.DefaultConfig()
	sc.Priority = prio
	cfg.STP = &sc
	b := New(cfg)
	host := &recPort{}
	if _, err := b.AddPort(PortConfig{Name: "host"}, host); err != nil {
		panic(err)
	}
	n.hosts[b] = host
	n.bridges = append(n.bridges, b)
	return b
}

// link connects a new port on a to a new port on b; the returned flag cuts it.
func (n *wireNet) link(a *Bridge, an string, b *Bridge, bn string) (PortID, PortID, *bool) {
	up := true
	ea, eb := &wireEnd{n: n, up: &up}, &wireEnd{n: n, up: &up}
	ia, err := a.AddPort(PortConfig{Name: an}, ea)
	if err != nil {
		panic(err)
	}
	ib, err := b.AddPort(PortConfig{Name: bn}, eb)
	if err != nil {
		panic(err)
	}
	ea.peer, ea.peerID = b, ib
	eb.peer, eb.peerID = a, ia
	return ia, ib, &up
}

// run advances time in 10 ms ticks, delivering queued frames each tick.
func (n *wireNet) run(d time.Duration) {
	end := n.now + d
	for n.now < end {
		n.now += 10 * time.Millisecond
		for _, b := range n.bridges {
			b.Advance(n.now)
		}
		q := n.queue
		n.queue = nil
		for _, dl := range q {
			dl.to.Input(dl.port, dl.f)
		}
	}
}

func portState(t *testing.T, b *Bridge, name string) stp.State {
	t.Helper()
	id, ok := b.PortByName(name)
	require.True(t, ok, name)
	_, st, err := b.PortState(id)
	require.NoError(t, err)
	return st
}

func TestSTPTriangle(t *testing.T) {
	n := &wireNet{hosts: map[*Bridge]*recPort{}}
	b1 := n.bridge("b1", 4096, 1)
	b2 := n.bridge("b2", 8192, 2)
	b3 := n.bridge("b3", 32768, 3)
	n.link(b1, "to-b2", b2, "to-b1")
	n.link(b2, "to-b3", b3, "to-b2")
	p13, p31, cut := n.link(b1, "to-b3", b3, "to-b1")

	// Before forward delay has passed twice nothing forwards.
	n.run(20 * time.Second)
	assert.Equal(t, stp.Learning, portState(t, b2, "to-b1"), "listening 15s, then learning")

	n.run(40 * time.Second)
	st, _ := b3.STPStatus()
	assert.Equal(t, b1.MAC(), st.RootID.MAC(), "b1 has the lowest priority: root")

	blocked := 0
	for _, b := range n.bridges {
		for _, p := range b.Ports() {
			if p.Config.Name == "host" {
				assert.Equal(t, stp.Forwarding, p.State)
				continue
			}
			if p.State == stp.Blocking {
				blocked++
			}
		}
	}
	assert.Equal(t, 1, blocked, "exactly one port of the loop blocks")
	assert.Equal(t, stp.Blocking, portState(t, b3, "to-b2"), "the highest-ID bridge blocks its port off the root path")

	// A broadcast reaches every host once and does not loop.
	for _, h := range n.hosts {
		h.take()
	}
	before := n.sent
	b1.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	n.run(time.Second)
	assert.Len(t, n.hosts[b2].take(), 1)
	assert.Len(t, n.hosts[b3].take(), 1)
	assert.Empty(t, n.hosts[b1].take())
	// Besides the flood (b1→b2, b1→b3, b2→b3 dropped at the blocked port)
	// only BPDUs cross the wires in one second: a handful, not a storm.
	assert.Less(t, n.sent-before, 20)

	// Cut b1-b3: b3 loses its root port and re-converges through b2.
	*cut = false
	require.NoError(t, b1.SetPortUp(p13, false))
	require.NoError(t, b3.SetPortUp(p31, false))
	n.run(time.Second)
	assert.Contains(t, []stp.State{stp.Listening, stp.Learning}, portState(t, b3, "to-b2"), "moving to forwarding through listening/learning")
	n.run(40 * time.Second)
	assert.Equal(t, stp.Forwarding, portState(t, b3, "to-b2"))
	st, _ = b3.STPStatus()
	assert.Equal(t, b1.MAC(), st.RootID.MAC())

	for _, h := range n.hosts {
		h.take()
	}
	b1.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	n.run(time.Second)
	assert.Len(t, n.hosts[b3].take(), 1, "b3 reached through b2 after re-convergence")
	assert.Len(t, n.hosts[b2].take(), 1)
}

func TestSTPTopologyChangeShortensAging(t *testing.T) {
	n := &wireNet{hosts: map[*Bridge]*recPort{}}
	b1 := n.bridge("b1", 4096, 1)
	b2 := n.bridge("b2", 8192, 2)
	n.link(b1, "to-b2", b2, "to-b1")
	// Ports reaching forwarding at 30 s are a topology change themselves,
	// which lasts MaxAge + ForwardDelay (35 s) at the root.
	n.run(40 * time.Second)
	assert.Equal(t, 15*time.Second, b2.AgingTime())
	n.run(40 * time.Second)
	assert.Equal(t, DefaultAgingTime, b2.AgingTime())
	// A new port coming up on b2 goes to forwarding: a topology change.
	_, err := b2.AddPort(PortConfig{Name: "new"}, nopPort{})
	require.NoError(t, err)
	n.run(31 * time.Second)
	assert.Equal(t, 15*time.Second, b2.AgingTime(), "forward delay while TC is in progress")
	n.run(60 * time.Second)
	assert.Equal(t, DefaultAgingTime, b2.AgingTime(), "back to the configured aging")
}

func TestBlockedPortNeitherLearnsNorForwards(t *testing.T) {
	cfg := stpConfig()
	tb := newTestBridge(t, cfg, accessPorts(2, 1)...)
	// Ports start blocking: no learning, no forwarding, counted.
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	assert.Equal(t, 0, tb.FDBSize())
	assert.Equal(t, []int{0, 0}, tb.got()[:2])
	c, _ := tb.PortCounters(0)
	assert.EqualValues(t, 1, c.Drop(DropSTP))
	tb.Advance(16 * time.Second) // listening → learning
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	assert.Equal(t, 1, tb.FDBSize(), "learning state learns")
	assert.Equal(t, 0, len(tb.ports[1].take()), "but does not forward")
	tb.Advance(31 * time.Second)
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	assert.Equal(t, 1, len(tb.ports[1].take()), "forwarding")
}
