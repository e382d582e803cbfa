package dnsd

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// twiceExchanger fails every exchange and calls done twice, concurrently,
// as a transport whose timer and reader race would.
type twiceExchanger struct{ wg *sync.WaitGroup }

func (g twiceExchanger) Exchange(q *dns.Msg, u netip.AddrPort, _ time.Duration, done func(*dns.Msg, error)) {
	g.wg.Add(2)
	for range 2 {
		go func() { defer g.wg.Done(); done(nil, ErrTimeout) }()
	}
}

// TestDoubleDoneRace: a transport that calls done twice, concurrently, for
// the same exchange gets its second call ignored (no double answer, no
// panic from an extra attempt).
func TestDoubleDoneRace(t *testing.T) {
	var wg sync.WaitGroup
	ups := []netip.AddrPort{netip.MustParseAddrPort("192.0.2.1:53"), netip.MustParseAddrPort("192.0.2.2:53")}
	// No in-flight cap in the way: every query must make exactly two attempts.
	s := New(Config{Exchanger: twiceExchanger{&wg}, NodeUpstreams: ups, CacheSize: -1, MaxInFlight: 1 << 20})
	if err := s.AddEndpoint(Endpoint{Network: "n", Name: "c", IPv4: netip.MustParseAddr("10.0.0.2")}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	answers := 0
	for i := 0; i < 2000; i++ {
		q := new(dns.Msg).SetQuestion("example.com.", dns.TypeA)
		s.Resolve(q, Client{Network: "n", Addr: netip.MustParseAddr("10.0.0.2")}, func(*dns.Msg) { mu.Lock(); answers++; mu.Unlock() })
	}
	wg.Wait()
	c := s.Counters()
	t.Logf("answers %d for 2000 queries; attempts %d (want 4000)", answers, c.Attempts)
	if answers != 2000 || c.Attempts != 4000 {
		t.Fatal("second done call was not ignored")
	}
}
