package stp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const s = time.Second

func TestTwoBridgesLowerIDBecomesRoot(t *testing.T) {
	n := newNet(t)
	a := n.bridge("A", DefaultPriority, 1)
	b := n.bridge("B", DefaultPriority, 2)
	n.connect(b, 1, a, 1) // B first: the order of wiring must not matter

	n.run(30*s - time.Nanosecond)
	for _, br := range []*tbridge{a, b} {
		assert.Equal(t, Learning, br.m.State(1), "%s at 30s-1ns", br.name)
	}
	n.run(60 * s)

	sa, sb := a.m.Status(), b.m.Status()
	assert.True(t, sa.IsRoot)
	assert.Equal(t, -1, sa.RootPort)
	assert.False(t, sb.IsRoot)
	assert.Equal(t, 1, sb.RootPort)
	assert.Equal(t, sa.BridgeID, sb.RootID)
	assert.Equal(t, uint32(19), sb.RootPathCost)
	assert.Equal(t, "8000.020000000001", sb.RootID.String())
	assert.Equal(t, RoleDesignated, a.port(1).Role)
	assert.Equal(t, RoleRoot, b.port(1).Role)

	// Both ends walk blocking → listening at once, then one forward delay
	// each through listening and learning.
	want := []event{
		{at: 0, kind: "state", port: 1, state: Blocking},
		{at: 0, kind: "state", port: 1, state: Listening},
		{at: 15 * s, kind: "state", port: 1, state: Learning},
		{at: 30 * s, kind: "state", port: 1, state: Forwarding},
	}
	for _, br := range []*tbridge{a, b} {
		assert.Equal(t, want, br.events(0, "state", "flush"), br.name)
	}
}

// triangle builds A(4096), B(8192), C(32768) with A1-B1, A2-C1, B2-C2.
func triangle(t *testing.T) (n *tnet, a, b, c *tbridge, ab, ac, bc *wire) {
	n = newNet(t)
	a = n.bridge("A", 4096, 0xa)
	b = n.bridge("B", 8192, 0xb)
	c = n.bridge("C", DefaultPriority, 0xc)
	ab = n.connect(a, 1, b, 1)
	ac = n.connect(a, 2, c, 1)
	bc = n.connect(b, 2, c, 2)
	return
}

type portWant struct {
	br    *tbridge
	port  int
	role  Role
	state State
}

func checkPorts(t *testing.T, want []portWant) {
	t.Helper()
	for _, w := range want {
		p := w.br.port(w.port)
		assert.Equal(t, w.role, p.Role, "%s/%d role", w.br.name, w.port)
		assert.Equal(t, w.state, p.State, "%s/%d state", w.br.name, w.port)
	}
}

func TestTriangleConverges(t *testing.T) {
	n, a, b, c, _, _, _ := triangle(t)
	n.run(60 * s)

	assert.Equal(t, []string{"C/2"}, n.blocked(), "exactly one blocking port")
	checkPorts(t, []portWant{
		{a, 1, RoleDesignated, Forwarding},
		{a, 2, RoleDesignated, Forwarding},
		{b, 1, RoleRoot, Forwarding},
		{b, 2, RoleDesignated, Forwarding},
		{c, 1, RoleRoot, Forwarding},
		{c, 2, RoleAlternate, Blocking},
	})
	for _, tc := range []struct {
		br   *tbridge
		port int
		cost uint32
	}{{a, -1, 0}, {b, 1, 19}, {c, 1, 19}} {
		st := tc.br.m.Status()
		assert.Equal(t, a.m.Status().BridgeID, st.RootID, tc.br.name)
		assert.Equal(t, tc.port, st.RootPort, tc.br.name)
		assert.Equal(t, tc.cost, st.RootPathCost, tc.br.name)
	}
	// C's alternate port holds B's claim to be designated for the B-C link.
	p := c.port(2)
	assert.Equal(t, b.m.Status().BridgeID, p.DesignatedBridge)
	assert.Equal(t, MakePortID(DefaultPortPriority, 2), p.DesignatedPort)
	assert.Equal(t, uint32(19), p.DesignatedCost)
}

func TestRootPortLinkCutReconverges(t *testing.T) {
	n, a, b, c, _, ac, _ := triangle(t)
	n.run(100 * s)
	require.Equal(t, []string{"C/2"}, n.blocked())

	t0 := n.now
	n.cut(ac)
	n.run(t0 + 60*s)

	assert.Empty(t, n.blocked())
	checkPorts(t, []portWant{
		{a, 1, RoleDesignated, Forwarding},
		{a, 2, RoleDisabled, Disabled},
		{b, 1, RoleRoot, Forwarding},
		{b, 2, RoleDesignated, Forwarding},
		{c, 1, RoleDisabled, Disabled},
		{c, 2, RoleRoot, Forwarding},
	})
	st := c.m.Status()
	assert.Equal(t, 2, st.RootPort)
	assert.Equal(t, uint32(38), st.RootPathCost)

	wantC := []event{
		{at: t0, kind: "state", port: 1, state: Disabled},
		{at: t0, kind: "flush", port: 1},
		{at: t0, kind: "state", port: 2, state: Listening},
		{at: t0 + 15*s, kind: "state", port: 2, state: Learning},
		{at: t0 + 30*s, kind: "state", port: 2, state: Forwarding},
	}
	assert.Equal(t, wantC, c.events(t0, "state", "flush"))
	wantA := []event{
		{at: t0, kind: "state", port: 2, state: Disabled},
		{at: t0, kind: "flush", port: 2},
	}
	assert.Equal(t, wantA, a.events(t0, "state", "flush"))
	assert.Empty(t, b.events(t0, "state", "flush"))

	// C's new root port starting to forward is a topology change that C,
	// designated for its disabled port, reports towards the root.
	tc := a.events(t0, "tc")
	require.NotEmpty(t, tc)
	assert.Equal(t, event{at: t0 + 30*s + 2*wireDelay, kind: "tc", active: true}, tc[0])
}

func TestIndirectFailureDetectedAfterMaxAge(t *testing.T) {
	n, a, b, c, _, _, _ := triangle(t)
	n.run(100 * s)
	require.Equal(t, []string{"C/2"}, n.blocked())

	n.kill(a)
	n.run(n.now + 10*wireDelay) // let BPDUs already on the wire arrive
	last := b.lastR[1]          // B's last word from the root
	require.Greater(t, last, 98*s)
	n.run(last + DefaultMaxAge - time.Nanosecond)
	assert.False(t, b.m.Status().IsRoot, "B gave up on A before MaxAge")
	assert.Equal(t, a.m.Status().BridgeID, b.m.Status().RootID)
	n.run(last + DefaultMaxAge)
	assert.True(t, b.m.Status().IsRoot, "B did not take over at MaxAge")

	n.run(last + 80*s)
	assert.Empty(t, n.blocked())
	sc := c.m.Status()
	assert.Equal(t, b.m.Status().BridgeID, sc.RootID)
	assert.Equal(t, 2, sc.RootPort)
	assert.Equal(t, uint32(19), sc.RootPathCost)
	checkPorts(t, []portWant{
		{b, 1, RoleDesignated, Forwarding},
		{b, 2, RoleDesignated, Forwarding},
		{c, 1, RoleDesignated, Forwarding},
		{c, 2, RoleRoot, Forwarding},
	})
	// Nobody relayed information older than MaxAge while A's faded.
	for _, br := range []*tbridge{b, c} {
		assert.Zero(t, br.m.Status().Counters.Expired, br.name)
	}
	// C's blocked port went through listening and learning.
	var got []State
	for _, e := range c.events(last, "state") {
		if e.port == 2 {
			got = append(got, e.state)
		}
	}
	assert.Equal(t, []State{Listening, Learning, Forwarding}, got)
}

func TestTopologyChangePropagates(t *testing.T) {
	// A chain A - B - C, so that C's notification needs B to relay it.
	n := newNet(t)
	a := n.bridge("A", 4096, 0xa)
	b := n.bridge("B", 8192, 0xb)
	c := n.bridge("C", DefaultPriority, 0xc)
	n.connect(a, 1, b, 1)
	n.connect(b, 2, c, 1)
	n.run(120 * s)
	for _, br := range []*tbridge{a, b, c} {
		require.False(t, br.m.Status().TopologyChange, br.name)
		require.False(t, br.m.Status().TopologyChangeDetected, br.name)
	}
	before := map[*tbridge]Counters{a: a.m.Status().Counters, b: b.m.Status().Counters, c: c.m.Status().Counters}

	// A host port on C goes up and, a forward delay later, forwards.
	t0 := n.now
	c.m.AddPort(5, DefaultPortPriority, 19)
	n.run(t0 + 120*s)

	detect := t0 + 2*DefaultForwardDelay
	atRoot := detect + 2*wireDelay // C → B → A
	tcTime := DefaultMaxAge + DefaultForwardDelay
	assert.Equal(t, []event{
		{at: atRoot, kind: "tc", active: true},
		{at: atRoot + tcTime, kind: "tc", active: false},
	}, a.events(t0, "tc"))
	for _, br := range []*tbridge{b, c} {
		ev := br.events(t0, "tc")
		require.Len(t, ev, 2, br.name)
		assert.True(t, ev[0].active)
		assert.False(t, ev[1].active)
		// They hear of it with the root's next configuration BPDUs.
		assert.Greater(t, ev[0].at, atRoot, br.name)
		assert.LessOrEqual(t, ev[0].at, atRoot+DefaultHelloTime+HoldTime, br.name)
		assert.Greater(t, ev[1].at, atRoot+tcTime, br.name)
		assert.LessOrEqual(t, ev[1].at, atRoot+tcTime+DefaultHelloTime+HoldTime, br.name)
	}

	// One TCN per hop: each was acknowledged before the TCN timer repeated it.
	delta := func(br *tbridge) Counters {
		now, was := br.m.Status().Counters, before[br]
		return Counters{TCNTx: now.TCNTx - was.TCNTx, TCNRx: now.TCNRx - was.TCNRx, TopologyChanges: now.TopologyChanges - was.TopologyChanges}
	}
	assert.Equal(t, Counters{TCNTx: 1, TopologyChanges: 1}, delta(c))
	assert.Equal(t, Counters{TCNTx: 1, TCNRx: 1, TopologyChanges: 1}, delta(b))
	assert.Equal(t, Counters{TCNRx: 1, TopologyChanges: 1}, delta(a))

	// The root sets TC in exactly the configuration BPDUs it sends during
	// MaxAge+ForwardDelay, and acknowledges B's TCN with TCA.
	var tca int
	for _, x := range a.sent {
		if x.at < t0 || x.bpdu.Type != TypeConfig {
			continue
		}
		in := x.at >= atRoot && x.at < atRoot+tcTime
		assert.Equal(t, in, x.bpdu.Flags&FlagTC != 0, "A's BPDU at %v", x.at)
		if x.bpdu.Flags&FlagTCA != 0 {
			tca++
			assert.Equal(t, 1, x.port)
			assert.LessOrEqual(t, x.at, atRoot+HoldTime)
		}
	}
	assert.Equal(t, 1, tca)
	for _, br := range []*tbridge{a, b, c} {
		st := br.m.Status()
		assert.False(t, st.TopologyChange, br.name)
		assert.False(t, st.TopologyChangeDetected, br.name)
	}
}

func TestEdgePortCausesNoTopologyChange(t *testing.T) {
	n := newNet(t)
	a := n.bridge("A", 4096, 0xa)
	b := n.bridge("B", 8192, 0xb)
	n.connect(a, 1, b, 1)
	n.run(120 * s)
	before := b.m.Status().Counters.TCNTx

	b.m.AddPort(7, DefaultPortPriority, 19)
	b.m.SetEdge(7, true)
	n.run(200 * s)
	assert.Equal(t, Forwarding, b.m.State(7))
	assert.True(t, b.port(7).Edge)
	assert.Equal(t, before, b.m.Status().Counters.TCNTx)
	assert.Empty(t, a.events(120*s, "tc"))
}

func TestHoldTimerLimitsConfigBPDUs(t *testing.T) {
	// B floods A with inferior BPDUs; A replies to each (8.7.1) but sends at
	// most one configuration BPDU per second on the port.
	n := newNet(t)
	a := n.bridge("A", 4096, 0xa)
	a.ends[1] = nil
	a.m.AddPort(1, DefaultPortPriority, 19)
	inferior := AppendFrame(nil, [6]byte{2, 0, 0, 0, 0, 0xb}, BPDU{
		RootID: MakeBridgeID(DefaultPriority, [6]byte{2, 0, 0, 0, 0, 0xb}), BridgeID: MakeBridgeID(DefaultPriority, [6]byte{2, 0, 0, 0, 0, 0xb}),
		PortID: 0x8001, MaxAge: 20 * s, HelloTime: 2 * s, ForwardDelay: 15 * s,
	})
	for now := time.Duration(0); now <= 10*s; now += 10 * time.Millisecond {
		n.now = now
		a.m.Input(1, inferior, now)
	}
	var times []time.Duration
	for _, x := range a.sent {
		times = append(times, x.at)
	}
	require.NotEmpty(t, times)
	for i := 1; i < len(times); i++ {
		assert.GreaterOrEqual(t, times[i]-times[i-1], HoldTime, "BPDUs at %v and %v", times[i-1], times[i])
	}
	assert.GreaterOrEqual(t, len(times), 9, "replies stopped: %v", times)
}

func TestSelfLoopBlocksHigherPort(t *testing.T) {
	// Two ports of one bridge on the same wire: the bridge hears itself and
	// must block the port with the higher identifier.
	n := newNet(t)
	a := n.bridge("A", DefaultPriority, 1)
	n.connect(a, 1, a, 2)
	n.run(60 * s)
	assert.Equal(t, []string{"A/2"}, n.blocked())
	assert.Equal(t, Forwarding, a.m.State(1))
	assert.True(t, a.m.Status().IsRoot)
}

func TestRemovePortAndManagement(t *testing.T) {
	n, a, b, c, _, _, _ := triangle(t)
	n.run(60 * s)
	require.Equal(t, []string{"C/2"}, n.blocked())

	// Making C's path through B cheaper than its direct link moves C's root
	// port (8.8.6) and blocks the old one.
	c.m.SetPathCost(1, 100)
	n.run(120 * s)
	assert.Equal(t, 2, c.m.Status().RootPort)
	assert.Equal(t, []string{"C/1"}, n.blocked())

	// Raising C's priority above everyone makes it the root.
	c.m.SetBridgePriority(0)
	n.run(200 * s)
	for _, br := range []*tbridge{a, b, c} {
		assert.Equal(t, c.m.Status().BridgeID, br.m.Status().RootID, br.name)
	}
	assert.Len(t, n.blocked(), 1)

	// Removing a port reports it disabled and forgets it.
	c.m.RemovePort(2)
	assert.Equal(t, Disabled, c.m.State(2))
	for _, p := range c.m.Status().Ports {
		assert.NotEqual(t, 2, p.Port)
	}
	ev := c.log[len(c.log)-1]
	assert.Equal(t, 2, ev.port)
}

func TestAdvanceIsIdempotentAndMonotonic(t *testing.T) {
	var env nopEnv
	m := New([6]byte{2, 0, 0, 0, 0, 1}, DefaultConfig(), &env)
	m.AddPort(1, DefaultPortPriority, 19)
	at, ok := m.NextDeadline()
	require.True(t, ok)
	assert.Equal(t, DefaultHelloTime, at)
	m.Advance(5 * s)
	tx := m.Status().Counters.ConfigTx
	assert.Equal(t, uint64(2), tx, "hellos at 2s and 4s")
	m.Advance(5 * s)
	m.Advance(1 * s) // backwards: ignored
	assert.Equal(t, tx, m.Status().Counters.ConfigTx)
	m.Advance(6 * s)
	assert.Equal(t, tx+1, m.Status().Counters.ConfigTx)
}

func TestConfigDefaultsApplied(t *testing.T) {
	var env nopEnv
	m := New([6]byte{2, 0, 0, 0, 0, 1}, Config{Priority: 1}, &env)
	st := m.Status()
	assert.Equal(t, DefaultHelloTime, st.HelloTime)
	assert.Equal(t, DefaultMaxAge, st.MaxAge)
	assert.Equal(t, DefaultForwardDelay, st.ForwardDelay)
	assert.Equal(t, "0001.020000000001", st.BridgeID.String())
}

// nopEnv is an Env that counts and forgets.
type nopEnv struct {
	sent, states, flushes, tcs int
	last                       []byte
}

func (e *nopEnv) SendBPDU(port int, f []byte) { e.sent++; e.last = append(e.last[:0], f...) }
func (e *nopEnv) SetState(int, State)         { e.states++ }
func (e *nopEnv) FlushPort(int)               { e.flushes++ }
func (e *nopEnv) TopologyChange(bool)         { e.tcs++ }

func TestMessageAgeTimerUsesBPDUMaxAge(t *testing.T) {
	// 8.6.2.3.2: the information expires MaxAge-MessageAge after receipt,
	// with the MaxAge of the BPDU itself, not the bridge's current one.
	var env nopEnv
	m := New(macA, DefaultConfig(), &env)
	m.AddPort(1, DefaultPortPriority, 19)
	b := superior
	b.MaxAge, b.MessageAge = 8*s, 1*s
	m.Input(1, AppendFrame(nil, macB, b), 10*s)
	require.False(t, m.Status().IsRoot)
	at, ok := m.NextDeadline()
	require.True(t, ok)
	assert.LessOrEqual(t, at, 17*s)
	m.Advance(17*s - time.Nanosecond)
	assert.False(t, m.Status().IsRoot, "expired early")
	m.Advance(17 * s)
	assert.True(t, m.Status().IsRoot, "not expired at receipt+MaxAge-MessageAge")
}

func TestStaleInformationIsNotRelayed(t *testing.T) {
	// Relaying adds MessageAgeIncrement; information that would arrive as
	// old as MaxAge is not sent at all, and the next bridge's own timer
	// decides.
	for _, tc := range []struct {
		age  time.Duration
		sent uint64
	}{{18 * s, 1}, {19*s + 500*time.Millisecond, 0}} {
		var env nopEnv
		m := New(macA, DefaultConfig(), &env)
		m.AddPort(1, DefaultPortPriority, 19)
		m.AddPort(2, DefaultPortPriority, 19)
		b := superior
		b.MessageAge = tc.age
		m.Input(1, AppendFrame(nil, macB, b), time.Second)
		st := m.Status()
		require.Equal(t, 1, st.RootPort)
		assert.Equal(t, tc.sent, st.Counters.ConfigTx, "age %v", tc.age)
		if tc.sent > 0 {
			got, err := DecodeBPDU(env.last[bpduOffset:])
			require.NoError(t, err)
			assert.Equal(t, tc.age+MessageAgeIncrement, got.MessageAge)
		}
	}
}
