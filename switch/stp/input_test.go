package stp

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
)

// superior is a configuration BPDU from a bridge better than anyone in
// these tests: a machine that accepted it would change its root.
var superior = BPDU{
	Type: TypeConfig, RootID: MakeBridgeID(0, macB), BridgeID: MakeBridgeID(0, macB), PortID: 0x8001,
	MaxAge: 20 * time.Second, HelloTime: 2 * time.Second, ForwardDelay: 15 * time.Second,
}

func TestInputDropsAndCounts(t *testing.T) {
	good := AppendFrame(nil, macB, superior)
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	bpduAt := frame.EthernetLen + llcLen

	tests := []struct {
		name string
		port int
		in   []byte
		want Counters
	}{
		{"short", 1, good[:10], Counters{NotBPDU: 1}},
		{"other destination", 1, edit(func(b []byte) []byte { b[5] = 1; return b }), Counters{NotBPDU: 1}},
		{"Ethernet II", 1, edit(func(b []byte) []byte { b[12], b[13] = 0x08, 0x00; return b }), Counters{NotBPDU: 1}},
		{"other LLC SAP", 1, edit(func(b []byte) []byte { b[14], b[15] = 0xaa, 0xaa; return b }), Counters{NotBPDU: 1}},
		{"LLC cut short", 1, edit(func(b []byte) []byte { b[13] = 2; return b }), Counters{NotBPDU: 1}},
		{"802.3 length beyond frame", 1, edit(func(b []byte) []byte { b[13] = 0x40; return b[:bpduAt+20] }), Counters{BadBPDU: 1, Truncated: 1}},
		{"802.3 length cuts config", 1, edit(func(b []byte) []byte { b[13] = llcLen + 20; return b }), Counters{BadBPDU: 1, Truncated: 1}},
		{"protocol id 1", 1, edit(func(b []byte) []byte { b[bpduAt+1] = 1; return b }), Counters{BadBPDU: 1, BadProtocol: 1}},
		{"version 2 (RSTP)", 1, edit(func(b []byte) []byte { b[bpduAt+2] = 2; return b }), Counters{BadBPDU: 1, BadVersion: 1}},
		{"type 0x02", 1, edit(func(b []byte) []byte { b[bpduAt+3] = 2; return b }), Counters{BadBPDU: 1, BadType: 1}},
		{"message age at max age", 1, AppendFrame(nil, macB, func() BPDU { b := superior; b.MessageAge = b.MaxAge; return b }()), Counters{Expired: 1}},
		{"unknown port", 9, good, Counters{Discarded: 1}},
		{"disabled port", 2, good, Counters{Discarded: 1}},
		{"TCN on disabled port", 2, AppendFrame(nil, macB, BPDU{Type: TypeTCN}), Counters{Discarded: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var env nopEnv
			m := New(macA, DefaultConfig(), &env)
			m.AddPort(1, DefaultPortPriority, 19)
			m.AddPort(2, DefaultPortPriority, 19)
			m.SetEnabled(2, false, 0)
			before := m.Status()
			states := env.states

			m.Input(tc.port, tc.in, time.Millisecond)

			after := m.Status()
			assert.Equal(t, tc.want, after.Counters)
			after.Counters = before.Counters
			assert.Equal(t, before, after, "state changed")
			assert.Equal(t, states, env.states)
			assert.Zero(t, env.sent)
		})
	}

	t.Run("the unmodified frame is accepted", func(t *testing.T) {
		var env nopEnv
		m := New(macA, DefaultConfig(), &env)
		m.AddPort(1, DefaultPortPriority, 19)
		m.Input(1, good, time.Millisecond)
		st := m.Status()
		assert.Equal(t, Counters{ConfigRx: 1}, st.Counters)
		assert.Equal(t, superior.RootID, st.RootID)
		assert.Equal(t, 1, st.RootPort)
	})
}

func TestInputTCNOnlyOnDesignatedPort(t *testing.T) {
	tcn := AppendFrame(nil, macB, BPDU{Type: TypeTCN})
	var env nopEnv
	m := New(macA, DefaultConfig(), &env)
	m.AddPort(1, DefaultPortPriority, 19)
	m.Input(1, AppendFrame(nil, macB, superior), 0)
	require.Equal(t, 1, m.Status().RootPort)

	// A TCN arriving on the root port is not ours to handle (8.7.2).
	m.Input(1, tcn, time.Millisecond)
	st := m.Status()
	assert.Equal(t, uint64(1), st.Counters.TCNRx)
	assert.Zero(t, st.Counters.TopologyChanges)
	assert.False(t, st.TopologyChangeDetected)

	// On a designated port it is a topology change, acknowledged at once.
	m.AddPort(2, DefaultPortPriority, 19)
	sent := env.sent
	m.Input(2, tcn, 2*time.Second)
	st = m.Status()
	assert.Equal(t, uint64(1), st.Counters.TopologyChanges)
	assert.True(t, st.TopologyChangeDetected)
	assert.Equal(t, sent+2, env.sent, "a TCN towards the root and a TCA back")
	assert.Equal(t, uint64(1), st.Counters.TCNTx)
	got, err := DecodeBPDU(env.last[bpduOffset:])
	require.NoError(t, err)
	assert.Equal(t, FlagTCA, got.Flags&FlagTCA)
}

const bpduOffset = frame.EthernetLen + llcLen

// steady returns a non-root machine with one root port and one designated
// port, fully converged, and the frame its root keeps sending.
func steady(tb testing.TB) (*Machine, []byte, time.Duration) {
	var env nopEnv
	m := New(macA, DefaultConfig(), &env)
	m.AddPort(1, DefaultPortPriority, 19)
	m.AddPort(2, DefaultPortPriority, 19)
	f := AppendFrame(nil, macB, superior)
	now := time.Duration(0)
	for ; now < 40*time.Second; now += 2 * time.Second {
		m.Input(1, f, now)
	}
	if m.State(1) != Forwarding || m.State(2) != Forwarding {
		tb.Fatalf("not converged: %v %v", m.State(1), m.State(2))
	}
	return m, f, now
}

func TestInputAndAdvanceDoNotAllocate(t *testing.T) {
	m, f, now := steady(t)
	allocs := testing.AllocsPerRun(100, func() {
		now += 2 * time.Second
		m.Input(1, f, now) // relays a configuration BPDU on port 2
		m.Advance(now + time.Second)
	})
	assert.Zero(t, allocs)
	assert.Greater(t, m.Status().Counters.ConfigTx, uint64(100))
}

func BenchmarkInputConfig(b *testing.B) {
	m, f, now := steady(b)
	b.ReportAllocs()
	for b.Loop() {
		now += 2 * time.Second
		m.Input(1, f, now)
	}
}

func BenchmarkAdvanceIdle(b *testing.B) {
	m, _, now := steady(b)
	b.ReportAllocs()
	for b.Loop() {
		now++
		m.Advance(now)
	}
}
