package vswitch

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/switch/stp"
)

// A static entry goes with its port: the port ID is reused by the next
// AddPort, which must not inherit it.
func TestRemovePortDropsStaticEntries(t *testing.T) {
	tb := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
	require.NoError(t, tb.AddStatic(1, mac(9), 1))
	require.NoError(t, tb.RemovePort(1))
	id, err := tb.AddPort(PortConfig{Name: "new"}, &recPort{})
	require.NoError(t, err)
	require.Equal(t, PortID(1), id, "the ID is reused")
	_, ok := tb.Lookup(1, mac(9))
	assert.False(t, ok)
	assert.Empty(t, tb.FDB())
}

// Known unicast towards a port that does not forward is dropped and
// counted, never silently lost.
func TestKnownUnicastToBlockedPortIsCounted(t *testing.T) {
	cfg := stpConfig()
	var drops []DropReason
	cfg.OnDrop = func(_ PortID, r DropReason, _ []byte) { drops = append(drops, r) }
	tb := newTestBridge(t, cfg, accessPorts(2, 1)...)
	tb.Advance(16 * time.Second) // learning: addresses are learned, nothing forwarded
	tb.Input(1, ethFrame(frame.Broadcast, mac(2), 64))
	_, st, _ := tb.PortState(0)
	require.Equal(t, stp.Learning, st)
	drops = nil
	tb.Input(0, ethFrame(mac(2), mac(1), 64))
	assert.Equal(t, []DropReason{DropSTP}, drops)

	// A learned station behind a port that went down: the entry is gone
	// with the port, so the frame floods; a static one is counted.
	tb2 := newTestBridge(t, DefaultConfig(), accessPorts(3, 1)...)
	require.NoError(t, tb2.AddStatic(1, mac(7), 2))
	require.NoError(t, tb2.SetPortUp(2, false))
	tb2.Input(0, ethFrame(mac(7), mac(1), 64))
	c, _ := tb2.PortCounters(0)
	assert.EqualValues(t, 1, c.Drop(DropPortDown))
}

// ARP suppression stops answering for a station whose port went down.
func TestARPSuppressionForgetsGoneStations(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ARPSuppress = true
	tb := newTestBridge(t, cfg, accessPorts(3, 1)...)
	tb.Input(1, arpFrame(frame.ARPRequest, mac(2), "10.0.0.2", frame.MAC{}, "10.0.0.2"))
	require.NoError(t, tb.SetPortUp(1, false))
	tb.Input(0, arpFrame(frame.ARPRequest, mac(1), "10.0.0.1", frame.MAC{}, "10.0.0.2"))
	assert.Equal(t, []int{0, 0, 1}, tb.got(), "flooded, not answered for a station that is gone")
	assert.Zero(t, tb.Counters().ARPProxied)
}

// TestConcurrentInput drives the bridge as the daemon does: one goroutine
// per port, while flushes, listings and aging run. Run it with -race.
func TestConcurrentInput(t *testing.T) {
	const ports, frames = 4, 2000
	b := New(Config{AgingTime: time.Second, FDBLimit: 64})
	for range ports {
		if _, err := b.AddPort(PortConfig{}, nopPort{}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for p := range ports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range frames {
				src := frame.MAC{2, 0, 0, byte(p), byte(i >> 8), byte(i)}
				dst := frame.MAC{2, 0, 0, byte((p + 1) % ports), byte(i >> 8), byte(i)}
				b.Input(PortID(p), ethFrame(dst, src, 64))
			}
		}()
	}
	stop := make(chan struct{})
	var side sync.WaitGroup
	side.Add(1)
	go func() {
		defer side.Done()
		now := time.Duration(0)
		for {
			select {
			case <-stop:
				return
			default:
			}
			now += 100 * time.Millisecond
			b.Advance(now)
			b.FDB()
			b.FlushVLAN(1)
			b.Counters()
		}
	}()
	wg.Wait()
	close(stop)
	side.Wait()
	c := b.Counters()
	assert.EqualValues(t, ports*frames, c.RxFrames)
	assert.LessOrEqual(t, b.FDBSize(), 64+ports, "the limit holds, give or take concurrent learners")
}
