package host

import (
	"net/netip"
	"runtime"
	"strconv"
	"testing"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// TestMemoryPerHost checks that idle hosts stay small: scenarios with
// 100,000 hosts must fit in memory.
func TestMemoryPerHost(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 10,000 hosts")
	}
	const n = 10000
	l := sim.NewLoop(1)
	hosts := make([]*Host, n) // allocated before the baseline
	names := make([]string, n)
	for i := range names {
		names[i] = "h" + strconv.Itoa(i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range hosts {
		h := New(l, names[i])
		nic := h.AddNIC("eth0", frame.MAC{0x02, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}, 0)
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		if err := nic.AddAddr(netip.PrefixFrom(a, 8)); err != nil {
			t.Fatal(err)
		}
		h.SetGateway(netip.AddrFrom4([4]byte{10, 255, 255, 254}))
		hosts[i] = h
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.0f bytes per idle host (one NIC, one address, a gateway)", per)
	if per > 20<<10 {
		t.Errorf("got %.0f bytes per host, want at most 20 KiB", per)
	}
	runtime.KeepAlive(hosts)
}
