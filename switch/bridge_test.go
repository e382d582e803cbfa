package vswitch

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/internal/frame"
)

func TestLearningAndForwarding(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(4, 1)...)
	a, b := mac(1), mac(2)

	// Unknown destination: flooded to every port but the ingress one.
	tb.Input(0, ethFrame(b, a, 64))
	assert.Equal(t, []int{0, 1, 1, 1}, tb.got(), "unknown unicast floods")

	// b answers: a is known, so the reply goes to port 0 only.
	tb.Input(1, ethFrame(a, b, 64))
	assert.Equal(t, []int{1, 0, 0, 0}, tb.got(), "known unicast")

	// Now both are known.
	tb.Input(0, ethFrame(b, a, 64))
	assert.Equal(t, []int{0, 1, 0, 0}, tb.got())

	c := tb.Counters()
	assert.EqualValues(t, 2, c.Learned)
	assert.EqualValues(t, 1, c.Flooded)
	assert.EqualValues(t, 1, c.Unknown)
	assert.Equal(t, 2, c.FDBEntries)
}

func TestFloodingKinds(t *testing.T) {
	tests := []struct {
		name string
		dst  frame.MAC
	}{
		{"broadcast", frame.Broadcast},
		{"multicast", frame.MAC{0x01, 0x00, 0x5e, 0, 0, 1}},
		{"ipv6 multicast", frame.MAC{0x33, 0x33, 0, 0, 0, 1}},
		{"unknown unicast", mac(99)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
			tb.Input(1, ethFrame(tc.dst, mac(1), 60))
			assert.Equal(t, []int{1, 0, 1}, tb.got())
		})
	}
}

func TestDrops(t *testing.T) {
	a, b := mac(1), mac(2)
	tests := []struct {
		name   string
		frame  []byte
		reason DropReason
	}{
		{"empty", nil, DropRunt},
		{"13 bytes", make([]byte, 13), DropRunt},
		{"truncated tag", tagFrame(b, a, 10, 64)[:16], DropTruncatedTag},
		{"oversize", ethFrame(b, a, 14+1501), DropOversize},
		{"multicast source", ethFrame(b, frame.MAC{0x01, 0, 0x5e, 0, 0, 1}, 64), DropBadSource},
		{"broadcast source", ethFrame(b, frame.Broadcast, 64), DropBadSource},
		{"zero source", ethFrame(b, frame.MAC{}, 64), DropBadSource},
		{"bpdu without stp", ethFrame(frame.MAC{0x01, 0x80, 0xc2, 0, 0, 0}, a, 64), DropReserved},
		{"lacp group address", ethFrame(frame.MAC{0x01, 0x80, 0xc2, 0, 0, 2}, a, 64), DropReserved},
		{"reserved 0f", ethFrame(frame.MAC{0x01, 0x80, 0xc2, 0, 0, 0x0f}, a, 64), DropReserved},
		{"tagged on access port, other vlan", tagFrame(b, a, 20, 64), DropVLAN},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen []DropReason
			cfg := DefaultConfig()
			cfg.OnDrop = func(_ PortID, r DropReason, _ []byte) { seen = append(seen, r) }
			tb := newTestBridge(t, cfg, accessPorts(3, 1)...)
			tb.Input(0, tc.frame)
			assert.Equal(t, []int{0, 0, 0}, tb.got(), "nothing forwarded")
			c, err := tb.PortCounters(0)
			require.NoError(t, err)
			assert.EqualValues(t, 1, c.Drop(tc.reason), "counted as %v", tc.reason)
			assert.EqualValues(t, 1, c.TotalDrops())
			assert.Equal(t, []DropReason{tc.reason}, seen)
			assert.Equal(t, 0, tb.FDBSize(), "nothing learned")
		})
	}
}

func TestReservedRangeBoundary(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(2, 1)...)
	tb.Input(0, ethFrame(frame.MAC{0x01, 0x80, 0xc2, 0, 0, 0x10}, mac(1), 64))
	assert.Equal(t, []int{0, 1}, tb.got(), "01:80:c2:00:00:10 is ordinary multicast")
}

func TestDestinationOnIngressPort(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
	tb.Input(0, ethFrame(mac(9), mac(1), 64))
	tb.Input(0, ethFrame(mac(9), mac(2), 64)) // both behind port 0
	tb.got()
	tb.Input(0, ethFrame(mac(1), mac(2), 64))
	assert.Equal(t, []int{0, 0, 0}, tb.got())
	c, _ := tb.PortCounters(0)
	assert.EqualValues(t, 1, c.Drop(DropLocal))
}

func TestStationMove(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
	a := mac(1)
	tb.Input(0, ethFrame(frame.Broadcast, a, 64))
	tb.Input(2, ethFrame(frame.Broadcast, a, 64))
	tb.got()
	p, ok := tb.Lookup(1, a)
	require.True(t, ok)
	assert.Equal(t, PortID(2), p)
	assert.EqualValues(t, 1, tb.Counters().Moves)
	tb.Input(1, ethFrame(a, mac(2), 64))
	assert.Equal(t, []int{0, 0, 1}, tb.got())
}

func TestAging(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AgingTime = 10 * time.Second
	tb := newTestBridge(t, cfg, accessPorts(3, 1)...)
	a := mac(1)
	tb.Advance(time.Second)
	tb.Input(0, ethFrame(frame.Broadcast, a, 64))
	tb.got()

	tb.Advance(10*time.Second + time.Second - 1) // 1ns before expiry
	tb.Input(1, ethFrame(a, mac(2), 64))
	assert.Equal(t, []int{1, 0, 0}, tb.got(), "still known just before aging")

	tb.Advance(11 * time.Second)
	_, ok := tb.Lookup(1, a)
	assert.False(t, ok, "expired at aging time")
	tb.Input(1, ethFrame(a, mac(2), 64))
	assert.Equal(t, []int{1, 0, 1}, tb.got(), "aged entry: flooded")

	// Traffic refreshes an entry.
	tb.Advance(12 * time.Second)
	tb.Input(2, ethFrame(frame.Broadcast, mac(3), 64))
	tb.Advance(20 * time.Second)
	tb.Input(2, ethFrame(frame.Broadcast, mac(3), 64))
	tb.Advance(25 * time.Second)
	_, ok = tb.Lookup(1, mac(3))
	assert.True(t, ok, "refreshed at 20s, alive at 25s")

	// The sweep removes expired entries from the table.
	tb.Advance(5 * time.Minute)
	assert.Equal(t, 0, tb.FDBSize())
	assert.Positive(t, tb.Counters().Aged)
}

func TestAgingZeroNeverAges(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AgingTime = 0
	tb := newTestBridge(t, cfg, accessPorts(2, 1)...)
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	tb.Advance(1000 * time.Hour)
	_, ok := tb.Lookup(1, mac(1))
	assert.True(t, ok)
}

func TestStaticEntries(t *testing.T) {
	cfg := DefaultConfig()
	cfg.AgingTime = time.Second
	tb := newTestBridge(t, cfg, accessPorts(3, 1)...)
	s := mac(7)
	require.NoError(t, tb.AddStatic(1, s, 2))
	tb.Input(0, ethFrame(s, mac(1), 64))
	assert.Equal(t, []int{0, 0, 1}, tb.got())

	// A frame from s on another port neither moves nor refreshes it.
	tb.Input(1, ethFrame(frame.Broadcast, s, 64))
	tb.got()
	p, ok := tb.Lookup(1, s)
	require.True(t, ok)
	assert.Equal(t, PortID(2), p)
	assert.Zero(t, tb.Counters().Moves)

	tb.Advance(time.Hour)
	_, ok = tb.Lookup(1, s)
	assert.True(t, ok, "static entries never age")
	assert.Zero(t, tb.FlushPort(2), "flush keeps static entries")
	assert.ErrorIs(t, tb.AddStatic(1, s, 9), ErrNoPort)
	assert.ErrorIs(t, tb.AddStatic(0, s, 1), ErrBadVLAN)
	assert.True(t, tb.RemoveEntry(1, s))
}

func TestFDBLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.FDBLimit = 3
	tb := newTestBridge(t, cfg, accessPorts(3, 1)...)
	for i := range byte(5) {
		tb.Input(0, ethFrame(frame.Broadcast, mac(10+i), 64))
	}
	tb.got()
	assert.Equal(t, 3, tb.FDBSize())
	assert.EqualValues(t, 2, tb.Counters().FDBFull)
	// A station not learned is reached by flooding.
	tb.Input(0, ethFrame(mac(14), mac(11), 64))
	assert.Equal(t, []int{0, 1, 1}, tb.got())
	// Known stations still refresh while full.
	tb.Input(0, ethFrame(mac(1), mac(10), 64))
	assert.EqualValues(t, 2, tb.Counters().FDBFull)
}

func TestFlushAndListing(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(),
		PortConfig{Name: "a", PVID: 10}, PortConfig{Name: "b", PVID: 20},
		PortConfig{Name: "t", Mode: Trunk, Allowed: []uint16{10, 20}})
	tb.Advance(time.Second)
	tb.Input(0, ethFrame(frame.Broadcast, mac(3), 64))
	tb.Input(1, ethFrame(frame.Broadcast, mac(2), 64))
	tb.Input(2, tagFrame(frame.Broadcast, mac(1), 10, 64))
	tb.Input(2, tagFrame(frame.Broadcast, mac(1), 20, 64))
	tb.Advance(3 * time.Second)

	got := tb.FDB()
	require.Len(t, got, 4)
	want := []FDBEntry{
		{VLAN: 10, MAC: mac(1), Port: 2, PortName: "t", Age: 2 * time.Second},
		{VLAN: 10, MAC: mac(3), Port: 0, PortName: "a", Age: 2 * time.Second},
		{VLAN: 20, MAC: mac(1), Port: 2, PortName: "t", Age: 2 * time.Second},
		{VLAN: 20, MAC: mac(2), Port: 1, PortName: "b", Age: 2 * time.Second},
	}
	assert.Equal(t, want, got, "sorted by VLAN then MAC")

	assert.Equal(t, 2, tb.FlushVLAN(20))
	assert.Equal(t, 2, tb.FDBSize())
	assert.Equal(t, 1, tb.FlushPort(2))
	assert.Equal(t, 1, tb.FDBSize())
}

func TestPortAdminDown(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
	tb.Input(1, ethFrame(frame.Broadcast, mac(2), 64))
	tb.got()
	require.NoError(t, tb.SetPortUp(1, false))
	_, ok := tb.Lookup(1, mac(2))
	assert.False(t, ok, "a port going down forgets its stations")

	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	assert.Equal(t, []int{0, 0, 1}, tb.got(), "down ports get no floods")
	tb.Input(1, ethFrame(frame.Broadcast, mac(2), 64))
	assert.Equal(t, []int{0, 0, 0}, tb.got())
	c, _ := tb.PortCounters(1)
	assert.EqualValues(t, 1, c.Drop(DropPortDown))

	require.NoError(t, tb.SetPortUp(1, true))
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 64))
	assert.Equal(t, []int{0, 1, 1}, tb.got())
	assert.ErrorIs(t, tb.SetPortUp(9, true), ErrNoPort)
}

func TestCounters(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
	tb.Input(0, ethFrame(frame.Broadcast, mac(1), 100))
	tb.Input(1, ethFrame(mac(1), mac(2), 60))
	c0, _ := tb.PortCounters(0)
	c1, _ := tb.PortCounters(1)
	assert.Equal(t, Counters{RxFrames: 1, RxBytes: 100, TxFrames: 1, TxBytes: 60}, c0)
	assert.Equal(t, Counters{RxFrames: 1, RxBytes: 60, TxFrames: 1, TxBytes: 100}, c1)
	bc := tb.Counters()
	assert.EqualValues(t, 2, bc.RxFrames)
	assert.EqualValues(t, 3, bc.TxFrames)
	assert.EqualValues(t, 160, bc.RxBytes)
}

func TestPortManagement(t *testing.T) {
	b := New(DefaultConfig())
	id, err := b.AddPort(PortConfig{Name: "x"}, nopPort{})
	require.NoError(t, err)
	_, err = b.AddPort(PortConfig{Name: "x"}, nopPort{})
	assert.ErrorIs(t, err, ErrPortExists)
	_, err = b.AddPort(PortConfig{Mode: Trunk, Allowed: []uint16{4095}}, nopPort{})
	assert.ErrorIs(t, err, ErrBadVLAN)
	_, err = b.AddPort(PortConfig{MTU: 65536}, nopPort{})
	assert.ErrorIs(t, err, ErrBadMTU)
	id2, err := b.AddPort(PortConfig{}, nopPort{})
	require.NoError(t, err)
	assert.Equal(t, "p1", b.PortName(id2))

	b.Input(id, ethFrame(frame.Broadcast, mac(1), 64))
	require.NoError(t, b.RemovePort(id))
	assert.Equal(t, 0, b.FDBSize(), "removing a port forgets its stations")
	assert.ErrorIs(t, b.RemovePort(id), ErrNoPort)
	b.Input(id, ethFrame(frame.Broadcast, mac(1), 64)) // must not panic
	b.Input(-1, nil)
	b.Input(1000, nil)
	assert.EqualValues(t, 3, b.Counters().Drops[DropUnknownPort])

	id3, err := b.AddPort(PortConfig{Name: "y"}, nopPort{})
	require.NoError(t, err)
	assert.Equal(t, id, id3, "IDs are reused")
	got, ok := b.PortByName("y")
	assert.True(t, ok)
	assert.Equal(t, id3, got)
	assert.Len(t, b.Ports(), 2)
}

func TestFramePassedThroughUnchanged(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(2, 1)...)
	f := ethFrame(frame.Broadcast, mac(1), 200)
	orig := bytes.Clone(f)
	tb.Input(0, f)
	out := tb.ports[1].take()
	require.Len(t, out, 1)
	assert.Equal(t, orig, out[0])
	assert.Equal(t, orig, f, "input not modified")
}
