package host

import (
	"net/netip"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// learningHub is a minimal switch for scale tests: it learns source MACs
// and floods only broadcasts and unknown destinations.
type learningHub struct {
	ends []*sim.LinkEnd
	fdb  map[frame.MAC]int
}

type learningPort struct {
	s *learningHub
	i int
}

func (p learningPort) Receive(f []byte) {
	e := frame.Ethernet(f)
	p.s.fdb[e.Src()] = p.i
	if j, ok := p.s.fdb[e.Dst()]; ok && !e.Dst().IsMulticast() {
		p.s.ends[j].Send(f)
		return
	}
	for j, end := range p.s.ends {
		if j != p.i {
			end.Send(f)
		}
	}
}

// TestScalePingOneTarget: n hosts on one switch each ping one target once,
// as in the 10,000-host scenario (scaled down: every ARP request is
// flooded to every host, so the run is quadratic in n). It logs the wall
// time and memory per host.
func TestScalePingOneTarget(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test")
	}
	const n = 500
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()

	l := sim.NewLoop(1)
	sw := &learningHub{fdb: map[frame.MAC]int{}}
	hosts := make([]*Host, n+1)
	for i := range hosts {
		h := New(l, "h"+strconv.Itoa(i))
		nic := h.AddNIC("eth0", frame.MAC{0x02, 0, 0, 0, byte(i >> 8), byte(i)}, 0)
		if err := nic.AddAddr(netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}), 16)); err != nil {
			t.Fatal(err)
		}
		k := sim.NewLink(l, nic.String()+"<->sw.p"+strconv.Itoa(i), sim.LinkConfig{Latency: 10 * time.Microsecond})
		nic.ConnectLink(k.A())
		k.B().Attach(learningPort{sw, i})
		sw.ends = append(sw.ends, k.B())
		hosts[i] = h
	}
	target := netip.AddrFrom4([4]byte{10, 0, 0, 0})
	received := 0
	for _, h := range hosts[1:] {
		h.Ping(target, PingOptions{}, func(r PingResult) { received += r.Received })
	}
	if err := l.Run(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	if received != n {
		t.Fatalf("got %d replies, want %d", received, n)
	}
	t.Logf("%d hosts pinging one target: %v wall, %d events, heap growth %.0f bytes per host (mostly the loop's in-flight frame buffers)",
		n, elapsed.Round(time.Millisecond), l.Fired(), float64(after.HeapAlloc-before.HeapAlloc)/float64(n+1))
	runtime.KeepAlive(hosts)
	runtime.KeepAlive(sw)
}
