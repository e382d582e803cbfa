package vswitch

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
)

// Cases from a review of the bridge against 802.1D/802.1Q and Linux.

func TestQinQFullPayloadPassesMTU(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(),
		PortConfig{Mode: Trunk, Allowed: []uint16{10}},
		PortConfig{Mode: Trunk, Allowed: []uint16{10}},
		PortConfig{PVID: 10})
	inner := tagFrame(frame.Broadcast, mac(1), 20, 1514)          // C-tagged, 1500-byte payload
	outer := frame.PushTag(make([]byte, len(inner)+4), inner, 10) // 1522 bytes
	tb.Input(0, outer)
	g := tb.got()
	assert.Equal(t, 1, g[1], "trunk egress of a double-tagged 1500-byte payload")
	assert.Equal(t, 1, g[2], "access egress (outer tag popped, C-tagged 1500)")
	assert.Zero(t, tb.Counters().Drops[DropOversize])

	// One byte more is oversize.
	inner = tagFrame(frame.Broadcast, mac(1), 20, 1515)
	tb.Input(0, frame.PushTag(make([]byte, len(inner)+4), inner, 10))
	assert.Equal(t, []int{0, 0, 0}, tb.got())
	assert.Equal(t, uint64(1), tb.Counters().Drops[DropOversize])
}

// Port numbers are eight bits in an 802.1D-1998 port ID and 0 is reserved:
// two ports of one bridge must never share an ID, or a self-loop forwards
// on both ends.
func TestSTPPortIDsUniqueAndBounded(t *testing.T) {
	b := New(stpConfig())
	for i := range MaxSTPPorts {
		_, err := b.AddPort(PortConfig{}, nopPort{})
		require.NoError(t, err, "port %d", i)
	}
	_, err := b.AddPort(PortConfig{}, nopPort{})
	assert.ErrorIs(t, err, ErrTooManyPorts)

	st, _ := b.STPStatus()
	seen := map[uint16]bool{}
	for i, p := range st.Ports {
		assert.Equal(t, i, p.Port, "Ports[].Port is the bridge port ID")
		assert.False(t, seen[p.ID], "port ID %#x used twice", p.ID)
		assert.NotZero(t, p.ID&0xff, "port number 0 is reserved")
		seen[p.ID] = true
	}
	// A removed port's ID can be reused; the limit still holds.
	require.NoError(t, b.RemovePort(7))
	id, err := b.AddPort(PortConfig{}, nopPort{})
	require.NoError(t, err)
	assert.Equal(t, PortID(7), id)

	// Without STP there is no such limit.
	nb := New(DefaultConfig())
	for range MaxSTPPorts + 2 {
		_, err := nb.AddPort(PortConfig{}, nopPort{})
		require.NoError(t, err)
	}
}

func TestSTPRootPortIsBridgePortID(t *testing.T) {
	n := &wireNet{hosts: map[*Bridge]*recPort{}}
	b1 := n.bridge("b1", 4096, 1)
	b2 := n.bridge("b2", 8192, 2)
	n.link(b1, "to-b2", b2, "to-b1")
	n.run(40 * time.Second)
	st, _ := b2.STPStatus()
	id, ok := b2.PortByName("to-b1")
	require.True(t, ok)
	assert.Equal(t, int(id), st.RootPort)
}

func TestSTPPortPriorityZero(t *testing.T) {
	zero, sixteen := uint8(0), uint8(16)
	tb := newTestBridge(t, stpConfig(), PortConfig{STPPriority: &zero}, PortConfig{STPPriority: &sixteen}, PortConfig{})
	st, _ := tb.STPStatus()
	assert.Equal(t, uint8(0), st.Ports[0].Priority)
	assert.Equal(t, uint16(0x0001), st.Ports[0].ID)
	assert.Equal(t, uint16(0x1002), st.Ports[1].ID)
	assert.Equal(t, uint16(0x8003), st.Ports[2].ID, "nil priority is the default 128")
}

func TestFDBLimitCountsLearnedOnly(t *testing.T) {
	cfg := DefaultConfig()
	cfg.FDBLimit = 2
	tb := newTestBridge(t, cfg, accessPorts(3, 1)...)
	tb.AddStatic(1, mac(100), 2)
	tb.AddStatic(1, mac(101), 2)
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	tb.Input(0, ethFrame(frame.Broadcast, mac(2), 64))
	tb.Input(0, ethFrame(frame.Broadcast, mac(3), 64))
	for _, m := range []byte{1, 2} {
		_, ok := tb.Lookup(1, mac(m))
		assert.True(t, ok, "station %d learned beside two static entries", m)
	}
	_, ok := tb.Lookup(1, mac(3))
	assert.False(t, ok, "third learned station is over the limit")
	assert.Equal(t, uint64(1), tb.Counters().FDBFull)

	// Making a learned entry static frees a learning slot.
	tb.AddStatic(1, mac(1), 0)
	tb.Input(0, ethFrame(frame.Broadcast, mac(3), 64))
	_, ok = tb.Lookup(1, mac(3))
	assert.True(t, ok)
}

func TestFDBFullReclaimsExpired(t *testing.T) {
	cfg := DefaultConfig()
	cfg.FDBLimit = 1
	cfg.AgingTime = 300 * time.Second
	tb := newTestBridge(t, cfg, accessPorts(2, 1)...)
	tb.Advance(time.Second) // sweeps at 1 s, then every 60 s
	tb.Advance(2 * time.Second)
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64)) // expires at 302 s
	tb.Advance(301 * time.Second)                      // sweeps; the next is at 361 s
	tb.Advance(303 * time.Second)
	_, ok := tb.Lookup(1, mac(1))
	require.False(t, ok, "expired")
	require.Equal(t, 1, tb.FDBSize(), "not swept yet")

	// A newcomer hashed to the expired entry's shard takes its room at once.
	shard := func(m frame.MAC) *fdbShard { return tb.fdb.shardOf(hashKey(fdbKey{mac: m, vlan: 1}.pack())) }
	var m frame.MAC
	for i := range 1 << 16 {
		m = frame.MAC{2, 0, 0, 3, byte(i >> 8), byte(i)}
		if shard(m) == shard(mac(1)) {
			break
		}
	}
	require.Equal(t, shard(mac(1)), shard(m))
	tb.Input(1, ethFrame(frame.Broadcast, m, 64))
	p, ok := tb.Lookup(1, m)
	assert.True(t, ok, "learned in the room of the expired entry")
	assert.Equal(t, PortID(1), p)
	assert.Zero(t, tb.Counters().FDBFull)
	assert.Equal(t, uint64(1), tb.Counters().Aged)
}

func TestFDBFullSweepsSoon(t *testing.T) {
	cfg := DefaultConfig()
	cfg.FDBLimit = 64
	cfg.AgingTime = 300 * time.Second
	tb := newTestBridge(t, cfg, accessPorts(2, 1)...)
	tb.Advance(time.Second)
	tb.Advance(2 * time.Second)
	for i := range 64 {
		tb.Input(0, ethFrame(frame.Broadcast, frame.MAC{2, 0, 0, 1, 0, byte(i)}, 64))
	}
	require.Equal(t, 64, tb.FDBSize())
	tb.Advance(200 * time.Second)
	for i := range 32 { // refresh half
		tb.Input(0, ethFrame(frame.Broadcast, frame.MAC{2, 0, 0, 1, 0, byte(i)}, 64))
	}
	tb.Advance(301 * time.Second) // sweeps; the next is at 361 s
	tb.Advance(303 * time.Second) // half expired
	// Find a newcomer whose shard holds no expired entry: it is refused,
	// and the refusal brings the sweep forward.
	refused := false
	for i := range 256 {
		m := frame.MAC{2, 0, 0, 2, 0, byte(i)}
		tb.Input(1, ethFrame(frame.Broadcast, m, 64))
		if tb.Counters().FDBFull > 0 {
			refused = true
			break
		}
	}
	require.True(t, refused, "some newcomer hashes to a shard without expired entries")
	require.Greater(t, tb.FDBSize(), len(tb.FDB()), "expired entries held before the sweep")
	tb.Advance(305 * time.Second)
	assert.Equal(t, len(tb.FDB()), tb.FDBSize(), "swept within a second of the refusal")
}

// During a topology change entries age out after the forward delay. Ones
// that did must not come back when the long aging returns.
func TestTCAgedEntriesStayGone(t *testing.T) {
	n := &wireNet{hosts: map[*Bridge]*recPort{}}
	b1 := n.bridge("b1", 4096, 1)
	b2 := n.bridge("b2", 8192, 2)
	n.link(b1, "to-b2", b2, "to-b1")
	n.run(100 * time.Second)
	require.Equal(t, DefaultAgingTime, b1.AgingTime())
	_, err := b1.AddPort(PortConfig{Name: "new"}, nopPort{})
	require.NoError(t, err)
	var tcStart time.Duration
	for range 10000 {
		n.run(10 * time.Millisecond)
		if tcStart == 0 && b1.AgingTime() == 15*time.Second {
			tcStart = n.now
		}
		if tcStart != 0 && b1.AgingTime() == DefaultAgingTime {
			break
		}
		if tcStart != 0 && (n.now-tcStart)%time.Second == 0 {
			b1.Input(0, ethFrame(frame.Broadcast, frame.MAC{2, 9, 0, 0, byte((n.now - tcStart) / time.Second), 0}, 64))
		}
	}
	require.NotZero(t, tcStart)
	require.Equal(t, DefaultAgingTime, b1.AgingTime(), "topology change ended")
	learned := 0
	for _, e := range b1.FDB() {
		if e.MAC[1] == 9 {
			learned++
			assert.Less(t, e.Age, 15*time.Second, "%v outlived the topology-change aging", e.MAC)
		}
	}
	assert.NotZero(t, learned, "the stations learned in the last 15 s remain")
}
