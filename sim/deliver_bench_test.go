package sim_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	vswitch "github.com/vswitch/vswitch/switch"
)

// swPort feeds a link's frames into a bridge port.
type swPort struct {
	b    *vswitch.Bridge
	id   vswitch.PortID
	loop *sim.Loop
}

func (p *swPort) Receive(f []byte) {
	p.b.Advance(p.loop.Now())
	p.b.Input(p.id, f)
}

// BenchmarkDeliver measures whole frame deliveries through the simulator:
// a host sends UDP datagrams to another through one switch; each datagram
// is two deliveries (host to switch, switch to host), each an event pushed
// and popped, the second after a forwarding decision, and received by the
// host's stack into a socket. Reported as deliveries per second of one
// core.
func BenchmarkDeliver(b *testing.B) {
	loop := sim.NewLoop(1)
	br := vswitch.New(vswitch.DefaultConfig())
	mk := func(name string, m byte, addr string) *host.Host {
		h := host.New(loop, name)
		nic := h.AddNIC("eth0", frame.MAC{2, 0, 0, 0, 0, m}, 1500)
		k := sim.NewLink(loop, name+".eth0<->sw."+name, sim.LinkConfig{Latency: time.Microsecond})
		nic.ConnectLink(k.A())
		id, err := br.AddPort(vswitch.PortConfig{Name: name}, k.B())
		if err != nil {
			b.Fatal(err)
		}
		k.B().Attach(&swPort{br, id, loop})
		if err := nic.AddAddr(netip.MustParsePrefix(addr)); err != nil {
			b.Fatal(err)
		}
		return h
	}
	h1 := mk("h1", 1, "10.0.0.1/24")
	h2 := mk("h2", 2, "10.0.0.2/24")
	got := 0
	if err := h2.ListenUDP(9, func(_, _ netip.AddrPort, _ []byte) { got++ }); err != nil {
		b.Fatal(err)
	}
	from := netip.MustParseAddrPort("10.0.0.1:4000")
	to := netip.MustParseAddrPort("10.0.0.2:9")
	payload := make([]byte, 64)
	// Resolve ARP and learn both stations first.
	h1.SendUDP(from, to, payload)
	if err := loop.Run(time.Second); err != nil {
		b.Fatal(err)
	}
	got = 0
	const batch = 256
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	deliveries := 0
	for sent := 0; sent < b.N; sent += batch {
		n := min(batch, b.N-sent)
		for range n {
			h1.SendUDP(from, to, payload)
		}
		if err := loop.Run(loop.Now() + time.Millisecond); err != nil {
			b.Fatal(err)
		}
		deliveries += 2 * n
	}
	elapsed := time.Since(start)
	b.StopTimer()
	if got != b.N {
		b.Fatalf("received %d of %d datagrams", got, b.N)
	}
	b.ReportMetric(float64(deliveries)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(deliveries), "ns/delivery")
}
