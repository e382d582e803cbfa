package dnsd

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// goExchanger answers from a new goroutine, as the daemon's transport
// does; upstream 192.168.1.1 fails, the others answer.
type goExchanger struct{ wg *sync.WaitGroup }

func (g goExchanger) Exchange(q *dns.Msg, u netip.AddrPort, _ time.Duration, done func(*dns.Msg, error)) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if u == node1 {
			done(nil, ErrTimeout)
			return
		}
		r := new(dns.Msg)
		r.SetReply(q)
		r.Rcode = dns.RcodeNameError
		done(r, nil)
	}()
}

// TestConcurrent runs queries from several goroutines while endpoints come
// and go and upstream replies arrive from other goroutines; run it with
// -race. Every query must be answered exactly once.
func TestConcurrent(t *testing.T) {
	var exWG sync.WaitGroup
	var mu sync.Mutex
	now := time.Duration(0)
	s := New(Config{
		Rand:          rand.New(rand.NewPCG(1, 1)),
		Now:           func() time.Duration { mu.Lock(); defer mu.Unlock(); now += time.Millisecond; return now },
		Exchanger:     goExchanger{&exWG},
		NodeUpstreams: []netip.AddrPort{node1, node2},
	})
	require.NoError(t, s.AddEndpoint(Endpoint{Network: "n", Name: "client", IPv4: ip("10.1.0.1")}))
	c := Client{Network: "n", Addr: ip("10.1.0.1")}

	var answered sync.WaitGroup
	var workers sync.WaitGroup
	const perWorker = 300
	for w := range 4 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			out := make([]byte, 0, 512)
			for i := range perWorker {
				name := fmt.Sprintf("e%d", i%20)
				if i%3 == 0 {
					name = "example.com"
				}
				q := pack(t, query(name, dns.TypeA))
				answered.Add(1)
				var once sync.Once
				cb := func(b []byte) {
					ok := false
					once.Do(func() { ok = true })
					assert.True(t, ok, "answered twice")
					answered.Done()
				}
				if w%2 == 0 {
					s.ServeWire(q, c, out[:0:0], cb) // a fresh buffer per query: forwards answer later
				} else {
					s.Resolve(query(name, dns.TypeA), c, func(*dns.Msg) { cb(nil) })
				}
			}
		}()
	}
	workers.Add(1)
	go func() {
		defer workers.Done()
		for i := range 200 {
			ep := Endpoint{Network: "n", Name: fmt.Sprintf("e%d", i%20), IPv4: netip.AddrFrom4([4]byte{10, 1, 1, byte(i % 20)})}
			if err := s.AddEndpoint(ep); err != nil {
				assert.NoError(t, s.RemoveEndpoint(ep.Name, "n"))
			}
			_ = s.Log()
			_ = s.Counters()
		}
	}()
	workers.Wait()
	answered.Wait()
	exWG.Wait()
	ctr := s.Counters()
	assert.Equal(t, uint64(4*perWorker), ctr.Queries)
	assert.Equal(t, 0, s.inFlight)
}
