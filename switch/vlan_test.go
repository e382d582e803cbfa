package vswitch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/internal/frame"
)

// Ports: 0 access 10, 1 access 10, 2 access 20, 3 trunk {10,20,30} native 1,
// 4 trunk {20} native 10.
func vlanBridge(t *testing.T) *testBridge {
	return newTestBridge(t, DefaultConfig(),
		PortConfig{Name: "a10", PVID: 10},
		PortConfig{Name: "b10", PVID: 10},
		PortConfig{Name: "c20", PVID: 20},
		PortConfig{Name: "t1", Mode: Trunk, Allowed: []uint16{10, 20, 30}, Native: 1},
		PortConfig{Name: "t2", Mode: Trunk, Allowed: []uint16{20}, Native: 10},
	)
}

func TestVLANIsolation(t *testing.T) {
	tb := vlanBridge(t)
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	assert.Equal(t, []int{0, 1, 0, 1, 1}, tb.got(), "vlan 10 reaches its members only")
	tb.Input(2, ethFrame(frame.Broadcast, mac(2), 64))
	assert.Equal(t, []int{0, 0, 0, 1, 1}, tb.got(), "vlan 20 does not reach access ports of 10")
}

func TestVLANLearningIsPerVLAN(t *testing.T) {
	tb := vlanBridge(t)
	m := mac(1)
	tb.Input(0, ethFrame(frame.Broadcast, m, 64))     // m on vlan 10 at port 0
	tb.Input(3, tagFrame(frame.Broadcast, m, 20, 64)) // same MAC on vlan 20 at trunk
	tb.got()
	p10, ok10 := tb.Lookup(10, m)
	p20, ok20 := tb.Lookup(20, m)
	require.True(t, ok10)
	require.True(t, ok20)
	assert.Equal(t, PortID(0), p10)
	assert.Equal(t, PortID(3), p20)
	assert.Zero(t, tb.Counters().Moves, "same MAC in two VLANs is not a move")
}

func TestTagPushPop(t *testing.T) {
	tb := vlanBridge(t)
	// Untagged on access 10 → tagged 10 on t1, untagged on t2 (native 10).
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	t1 := tb.ports[3].take()
	t2 := tb.ports[4].take()
	b10 := tb.ports[1].take()
	require.Len(t, t1, 1)
	require.Len(t, t2, 1)
	require.Len(t, b10, 1)
	assert.Equal(t, uint16(10), vidOf(t1[0]))
	assert.Len(t, t1[0], 68)
	assert.Equal(t, uint16(0), vidOf(t2[0]))
	assert.Len(t, t2[0], 64)
	assert.Equal(t, uint16(0), vidOf(b10[0]))

	// Tagged 20 from t1 → untagged on c20, tagged on t2.
	in := tagFrame(frame.Broadcast, mac(2), 20, 64)
	tb.Input(3, in)
	c20 := tb.ports[2].take()
	t2 = tb.ports[4].take()
	require.Len(t, c20, 1)
	require.Len(t, t2, 1)
	assert.Equal(t, ethFrame(frame.Broadcast, mac(2), 64), c20[0], "tag popped exactly")
	assert.Equal(t, in, t2[0], "tagged frame passed as is")

	// Untagged on t1 is native VLAN 1: no other member.
	tb.Input(3, ethFrame(frame.Broadcast, mac(3), 64))
	assert.Equal(t, []int{0, 0, 0, 0, 0}, tb.got())
	_, ok := tb.Lookup(1, mac(3))
	assert.True(t, ok, "learned on the native VLAN")
}

func TestPriorityTagged(t *testing.T) {
	tb := vlanBridge(t)
	// VID 0 with PCP 5 on an access port: classified to the PVID, and the
	// priority bits survive onto the trunk.
	u := ethFrame(frame.Broadcast, mac(1), 64)
	in := frame.PushTag(make([]byte, 68), u, 5<<13)
	tb.Input(0, in)
	t1 := tb.ports[3].take()
	require.Len(t, t1, 1)
	assert.Equal(t, uint16(10), vidOf(t1[0]))
	assert.Equal(t, uint16(5<<13|10), frame.Ethernet(t1[0]).TCI())
	b10 := tb.ports[1].take()
	require.Len(t, b10, 1)
	assert.Equal(t, u, b10[0])
}

func TestVLANIngressFiltering(t *testing.T) {
	tests := []struct {
		name string
		port int
		f    []byte
	}{
		{"vlan not allowed on trunk", 3, tagFrame(frame.Broadcast, mac(1), 40, 64)},
		{"vid 4095", 3, tagFrame(frame.Broadcast, mac(1), 4095, 64)},
		{"tagged other vlan on access", 0, tagFrame(frame.Broadcast, mac(1), 20, 64)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := vlanBridge(t)
			tb.Input(PortID(tc.port), tc.f)
			assert.Equal(t, []int{0, 0, 0, 0, 0}, tb.got())
			c, _ := tb.PortCounters(PortID(tc.port))
			assert.EqualValues(t, 1, c.Drop(DropVLAN))
		})
	}
	// A trunk without a native VLAN drops untagged frames.
	tb := newTestBridge(t, DefaultConfig(), PortConfig{Mode: Trunk, Allowed: []uint16{10}}, PortConfig{PVID: 10})
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	c, _ := tb.PortCounters(0)
	assert.EqualValues(t, 1, c.Drop(DropVLAN))
	// The same frame tagged 10 passes.
	tb.Input(0, tagFrame(frame.Broadcast, mac(1), 10, 64))
	assert.Equal(t, []int{0, 1}, tb.got())
}

func TestEgressMTU(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), PortConfig{MTU: 9000}, PortConfig{MTU: 1500}, PortConfig{MTU: 9000})
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 14+4000))
	assert.Equal(t, []int{0, 0, 1}, tb.got())
	c, _ := tb.PortCounters(1)
	assert.EqualValues(t, 1, c.Drop(DropOversize))
}
