package dnsd

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const answerA = "$NAME 300 IN A 93.184.215.14"

// TestForwardFailover drives the upstream list through the outcomes that
// move on (timeout, SERVFAIL, REFUSED) and those that do not.
func TestForwardFailover(t *testing.T) {
	ok := &upstream{delay: 20 * time.Millisecond, answer: []string{answerA}}
	servfail := &upstream{delay: 20 * time.Millisecond, rcode: dns.RcodeServerFailure}
	refused := &upstream{delay: 20 * time.Millisecond, rcode: dns.RcodeRefused}
	nxdomain := &upstream{delay: 20 * time.Millisecond, rcode: dns.RcodeNameError}
	dead := &upstream{dead: true}
	tests := []struct {
		name     string
		ups      [4]*upstream // node1..node4
		rcode    int
		answer   []string
		calls    []netip.AddrPort
		latency  time.Duration // virtual time to the answer
		upstream string        // in the log
	}{
		{"first answers", [4]*upstream{ok, ok, ok, ok}, dns.RcodeSuccess,
			[]string{"example.com.\t300\tIN\tA\t93.184.215.14"},
			[]netip.AddrPort{node1}, 20 * time.Millisecond, "192.168.1.1:53"},
		{"timeout then answer", [4]*upstream{dead, ok, ok, ok}, dns.RcodeSuccess,
			[]string{"example.com.\t300\tIN\tA\t93.184.215.14"},
			[]netip.AddrPort{node1, node2}, 4*time.Second + 20*time.Millisecond, "192.168.1.2:53"},
		{"SERVFAIL then REFUSED then answer", [4]*upstream{servfail, refused, ok, ok}, dns.RcodeSuccess,
			[]string{"example.com.\t300\tIN\tA\t93.184.215.14"},
			[]netip.AddrPort{node1, node2, node3}, 60 * time.Millisecond, "192.168.1.3:53"},
		{"NXDOMAIN is returned as is", [4]*upstream{nxdomain, ok, ok, ok}, dns.RcodeNameError, nil,
			[]netip.AddrPort{node1}, 20 * time.Millisecond, "192.168.1.1:53"},
		{"NXDOMAIN after a failure", [4]*upstream{servfail, nxdomain, ok, ok}, dns.RcodeNameError, nil,
			[]netip.AddrPort{node1, node2}, 40 * time.Millisecond, "192.168.1.2:53"},
		{"all fail: SERVFAIL, only three tried", [4]*upstream{dead, servfail, dead, ok}, dns.RcodeServerFailure, nil,
			[]netip.AddrPort{node1, node2, node3}, 8*time.Second + 20*time.Millisecond, ""},
		{"all dead", [4]*upstream{dead, dead, dead, dead}, dns.RcodeServerFailure, nil,
			[]netip.AddrPort{node1, node2, node3}, 12 * time.Second, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.CacheSize = -1 })
			for i, u := range []netip.AddrPort{node1, node2, node3, node4} {
				f.ex.ups[u] = tc.ups[i]
			}
			got := f.ask(t, clients["c1"], query("example.com", dns.TypeA))
			assert.Equal(t, dns.RcodeToString[tc.rcode], dns.RcodeToString[got.Rcode])
			assert.Equal(t, tc.answer, nilIfEmpty(rrs(got)))
			assert.Equal(t, uint16(0x1234), got.Id)
			assert.Equal(t, tc.calls, upstreamsCalled(f.ex.calls))
			log := f.s.Log()
			require.Len(t, log, 1)
			assert.Equal(t, tc.latency, log[0].Latency)
			assert.Equal(t, tc.upstream, log[0].Upstream)
			assert.Equal(t, len(tc.calls), log[0].Attempts)
			assert.Equal(t, 0, f.s.inFlight)
		})
	}
}

func TestForwardNoUpstreams(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.NodeUpstreams = nil })
	got := f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	assert.Equal(t, dns.RcodeServerFailure, got.Rcode)
	assert.Empty(t, f.ex.calls)
	assert.Equal(t, SourceFailed, f.s.Log()[0].Source)

	f = newFixture(t, func(c *Config) { c.Exchanger = nil })
	got = f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	assert.Equal(t, dns.RcodeServerFailure, got.Rcode)

	// SetNodeUpstreams at run time.
	f = newFixture(t, func(c *Config) { c.NodeUpstreams = nil })
	f.s.SetNodeUpstreams([]netip.AddrPort{netip.AddrPortFrom(node2.Addr(), 0)})
	got = f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	assert.Equal(t, dns.RcodeNameError, got.Rcode)
	assert.Equal(t, []netip.AddrPort{node2}, upstreamsCalled(f.ex.calls), "port 0 means 53")
}

func TestForwardSandboxDNS(t *testing.T) {
	f := newFixture(t, nil)
	require.NoError(t, f.s.SetSandbox("c1", SandboxConfig{DNS: []netip.AddrPort{dns53, node3}}))
	f.ex.ups[dns53] = &upstream{dead: true}
	got := f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	assert.Equal(t, dns.RcodeNameError, got.Rcode)
	assert.Equal(t, []netip.AddrPort{dns53, node3}, upstreamsCalled(f.ex.calls), "--dns replaces the node's list")
}

func TestForwardInFlightCap(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxInFlight = 2; c.CacheSize = -1 })
	f.ex.ups[node1] = &upstream{delay: time.Second, answer: []string{answerA}}
	var got []*dns.Msg
	rec := func(m *dns.Msg) { got = append(got, m) }
	c := clients["c1"]
	f.s.Resolve(query("a.example", dns.TypeA), c, rec)
	f.s.Resolve(query("b.example", dns.TypeA), c, rec)
	f.s.Resolve(query("c.example", dns.TypeA), c, rec)
	require.Len(t, got, 1, "the third is answered at once")
	assert.Equal(t, dns.RcodeRefused, got[0].Rcode)
	// Internal names do not count against the cap.
	f.s.Resolve(query("c2", dns.TypeA), c, rec)
	require.Len(t, got, 2)
	assert.Equal(t, dns.RcodeSuccess, got[1].Rcode)

	f.clock.Advance(time.Second)
	require.Len(t, got, 4)
	assert.Equal(t, dns.RcodeSuccess, got[2].Rcode)
	assert.Equal(t, dns.RcodeSuccess, got[3].Rcode)
	f.s.Resolve(query("d.example", dns.TypeA), c, rec)
	f.clock.Advance(time.Second)
	require.Len(t, got, 5)
	assert.Equal(t, dns.RcodeSuccess, got[4].Rcode, "room again")
	ctr := f.s.Counters()
	assert.Equal(t, uint64(1), ctr.Refused)
	assert.Equal(t, uint64(3), ctr.Forwarded)
}

func TestForwardDefaultInFlightCap(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CacheSize = -1 })
	f.ex.ups[node1] = &upstream{delay: time.Second, answer: []string{answerA}}
	refused := 0
	for i := range DefaultMaxInFlight + 1 {
		f.s.Resolve(query(fmt.Sprintf("n%d.example", i), dns.TypeA), clients["c1"], func(m *dns.Msg) {
			if m.Rcode == dns.RcodeRefused {
				refused++
			}
		})
	}
	assert.Equal(t, 1, refused, "the 1025th query in flight is refused")
	f.clock.Advance(2 * time.Second)
	assert.Equal(t, 0, f.s.inFlight)
}

func TestForwardLateReply(t *testing.T) {
	f := newFixture(t, nil)
	f.ex.ups[node1] = &upstream{delay: time.Millisecond, answer: []string{answerA}, twice: true}
	got := f.ask(t, clients["c1"], query("example.com", dns.TypeA)) // ask fails on a second answer
	assert.Equal(t, dns.RcodeSuccess, got.Rcode)
	assert.Equal(t, uint64(1), f.s.Counters().LateReplies)
}

func TestForwardWrongQuestion(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.Exchanger = wrongQuestion{} })
	got := f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	assert.Equal(t, dns.RcodeServerFailure, got.Rcode, "answers to another question are failures")
	assert.Equal(t, uint64(3), f.s.Counters().UpstreamFail)
}

type wrongQuestion struct{}

func (wrongQuestion) Exchange(q *dns.Msg, _ netip.AddrPort, _ time.Duration, done func(*dns.Msg, error)) {
	r := new(dns.Msg)
	r.SetQuestion("other.example.", dns.TypeA)
	r.Response = true
	done(r, nil)
}

func TestCache(t *testing.T) {
	f := newFixture(t, nil)
	f.ex.ups[node1] = &upstream{delay: 10 * time.Millisecond, answer: []string{answerA, "$NAME 100 IN A 93.184.215.15"}}
	c := clients["c1"]
	got := f.ask(t, c, query("example.com", dns.TypeA)) // t=0 -> answered at 10ms
	assert.Equal(t, []string{"example.com.\t100\tIN\tA\t93.184.215.15", "example.com.\t300\tIN\tA\t93.184.215.14"}, rrs(got))
	require.Len(t, f.ex.calls, 1)

	// ask advances a minute after each answer: now 60.01 s after storing
	// at 0.01 s. TTLs count down by whole seconds.
	q := query("EXAMPLE.com", dns.TypeA)
	q.Id = 0x4321
	got = f.ask(t, c, q)
	assert.Equal(t, uint16(0x4321), got.Id)
	assert.Equal(t, "EXAMPLE.com.", got.Question[0].Name, "the client's question")
	assert.Equal(t, []string{"example.com.\t240\tIN\tA\t93.184.215.14", "example.com.\t40\tIN\tA\t93.184.215.15"}, rrs(got))
	assert.Len(t, f.ex.calls, 1, "served from the cache")

	// Another type, another key.
	f.ask(t, c, query("example.com", dns.TypeAAAA))
	assert.Len(t, f.ex.calls, 2)

	// Another upstream list, another key.
	f.ask(t, clients["c8"], query("example.com", dns.TypeA))
	assert.Len(t, f.ex.calls, 3)

	// Lifetime is the smallest TTL (100 s): by now (≈180 s) it expired.
	f.ask(t, c, query("example.com", dns.TypeA))
	assert.Len(t, f.ex.calls, 4)
	assert.Equal(t, uint64(1), f.s.Counters().CacheHits)
}

func TestNegativeCache(t *testing.T) {
	soa := "example.com. 120 IN SOA ns.example.com. root.example.com. 1 7200 900 1209600 30"
	tests := []struct {
		name   string
		up     *upstream
		qtype  uint16
		cached []time.Duration // ages at which a second query is a cache hit
		missed []time.Duration // ages at which it is not
	}{
		{"NXDOMAIN: min(SOA TTL, MINIMUM)", &upstream{rcode: dns.RcodeNameError, soa: soa}, dns.TypeA,
			[]time.Duration{29 * time.Second}, []time.Duration{30 * time.Second}},
		{"NODATA", &upstream{soa: soa}, dns.TypeAAAA,
			[]time.Duration{29 * time.Second}, []time.Duration{31 * time.Second}},
		{"SOA TTL smaller than MINIMUM",
			&upstream{rcode: dns.RcodeNameError, soa: "example.com. 10 IN SOA ns.example.com. root.example.com. 1 7200 900 1209600 3600"},
			dns.TypeA, []time.Duration{9 * time.Second}, []time.Duration{10 * time.Second}},
		{"NXDOMAIN without SOA is not cached", &upstream{rcode: dns.RcodeNameError}, dns.TypeA,
			nil, []time.Duration{0}},
		{"NOTIMP is not cached", &upstream{rcode: dns.RcodeNotImplemented}, dns.TypeA,
			nil, []time.Duration{0}},
	}
	for _, tc := range tests {
		for _, hit := range []bool{true, false} {
			ages := tc.missed
			if hit {
				ages = tc.cached
			}
			for _, age := range ages {
				t.Run(fmt.Sprintf("%s/%v", tc.name, age), func(t *testing.T) {
					f := newFixture(t, nil)
					f.ex.ups[node1] = tc.up
					c := clients["c1"]
					var got []*dns.Msg
					rec := func(m *dns.Msg) { got = append(got, m) }
					f.s.Resolve(query("nope.example.com", tc.qtype), c, rec)
					f.clock.Advance(age)
					f.s.Resolve(query("nope.example.com", tc.qtype), c, rec)
					f.clock.Advance(time.Second)
					require.Len(t, got, 2)
					assert.Equal(t, got[0].Rcode, got[1].Rcode)
					want := 2
					if hit {
						want = 1
					}
					assert.Len(t, f.ex.calls, want)
				})
			}
		}
	}
}

func TestCacheBounded(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CacheSize = 2 })
	f.ex.ups[node1] = &upstream{answer: []string{answerA}}
	c := clients["c1"]
	for _, n := range []string{"a.example", "b.example", "a.example", "c.example"} {
		f.ask(t, c, query(n, dns.TypeA))
	}
	// a was used after b, so b was evicted for c.
	assert.Equal(t, 3, len(f.ex.calls))
	assert.Equal(t, 2, f.s.cache.len())
	f.ask(t, c, query("a.example", dns.TypeA))
	assert.Equal(t, 3, len(f.ex.calls), "a still cached")
	f.ask(t, c, query("b.example", dns.TypeA))
	assert.Equal(t, 4, len(f.ex.calls), "b was evicted")
	assert.Equal(t, uint64(2), f.s.Counters().CacheEvicted)
}

func TestCacheMaxTTL(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CacheMaxTTL = 30 * time.Second })
	f.ex.ups[node1] = &upstream{answer: []string{"$NAME 86400 IN A 93.184.215.14"}}
	var n int
	rec := func(*dns.Msg) { n++ }
	f.s.Resolve(query("example.com", dns.TypeA), clients["c1"], rec)
	f.clock.Advance(31 * time.Second)
	f.s.Resolve(query("example.com", dns.TypeA), clients["c1"], rec)
	f.clock.Advance(time.Second)
	assert.Equal(t, 2, n)
	assert.Len(t, f.ex.calls, 2)
}

// TestHealth walks an upstream through demotion, back-off doubling and
// recovery.
func TestHealth(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CacheSize = -1 })
	f.ex.ups[node1] = &upstream{dead: true}
	f.ex.ups[node2] = &upstream{answer: []string{answerA}}
	c := clients["c1"]
	var got []*dns.Msg
	rec := func(m *dns.Msg) { got = append(got, m) }
	step := func(at time.Duration, want ...netip.AddrPort) {
		t.Helper()
		f.clock.Advance(at - f.clock.Now())
		f.ex.reset()
		f.s.Resolve(query("example.com", dns.TypeA), c, rec)
		f.clock.Advance(5 * time.Second)
		assert.Equal(t, want, upstreamsCalled(f.ex.calls), "at %v", at)
	}
	step(0, node1, node2)              // node1 times out at 4 s: down until 14 s
	step(10*time.Second, node2)        // demoted: node2 first, one call
	step(20*time.Second, node1, node2) // back-off over: probe node1; it fails at 24 s: down 20 s
	assert.Equal(t, []UpstreamHealth{{Upstream: node1, Failures: 2, DownUntil: 44 * time.Second}}, f.s.Health())
	step(40*time.Second, node2)
	f.ex.ups[node1] = &upstream{answer: []string{answerA}} // node1 recovers
	step(50*time.Second, node1)                            // probed, answers: healthy again
	assert.Empty(t, f.s.Health())
	step(60*time.Second, node1)
	for _, m := range got {
		assert.Equal(t, dns.RcodeSuccess, m.Rcode)
	}
}

func TestHealthOrderAllDown(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.CacheSize = -1 })
	for _, u := range []netip.AddrPort{node1, node2, node3} {
		f.ex.ups[u] = &upstream{dead: true}
	}
	f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	// node1 failed at 4 s, node2 at 8 s, node3 at 12 s; each down 10 s.
	f.clock.Advance(-f.clock.Now() + 13*time.Second)
	f.ex.reset()
	f.ex.ups[node3] = &upstream{answer: []string{answerA}}
	var got *dns.Msg
	f.s.Resolve(query("example.com", dns.TypeA), clients["c1"], func(m *dns.Msg) { got = m })
	f.clock.Advance(time.Minute)
	// At 13 s all are demoted: soonest recovering first, none skipped.
	// node1 recovers at 14 s but is only tried as the first of the list.
	assert.Equal(t, []netip.AddrPort{node1, node2, node3}, upstreamsCalled(f.ex.calls))
	require.NotNil(t, got)
	assert.Equal(t, dns.RcodeSuccess, got.Rcode)

	h := &Server{health: map[netip.AddrPort]*health{
		node1: {failures: 1, downUntil: 30 * time.Second},
		node2: {failures: 1, downUntil: 20 * time.Second},
	}}
	assert.Equal(t, []netip.AddrPort{node3, node2, node1}, h.order([]netip.AddrPort{node1, node2, node3}, 0))
	assert.Equal(t, []netip.AddrPort{node2, node3, node1}, h.order([]netip.AddrPort{node1, node2, node3}, 25*time.Second))
}

// A sandbox's own --dns servers are asked from its namespace: two sandboxes
// with the same --dns list (one of them on an internal network) must not
// share cached answers, while node upstreams are shared.
func TestCacheNotSharedAcrossSandboxDNS(t *testing.T) {
	f := newFixture(t, nil)
	f.ex.ups[dns53] = &upstream{delay: 10 * time.Millisecond, answer: []string{"$NAME 300 IN A 192.0.2.80"}}
	f.ask(t, clients["c8"], query("www.example.com", dns.TypeA))
	require.Len(t, f.ex.calls, 1)
	f.ask(t, clients["c9"], query("www.example.com", dns.TypeA))
	assert.Len(t, f.ex.calls, 2, "c9 asks its own --dns server, not c8's cached answer")
	f.ask(t, clients["c8"], query("www.example.com", dns.TypeA))
	assert.Len(t, f.ex.calls, 2, "c8's own answer is cached for c8")

	f.ex.ups[node1] = &upstream{delay: 10 * time.Millisecond, answer: []string{"$NAME 300 IN A 192.0.2.81"}}
	f.ask(t, clients["c1"], query("shared.example.com", dns.TypeA))
	n := len(f.ex.calls)
	f.ask(t, clients["c2"], query("shared.example.com", dns.TypeA))
	assert.Len(t, f.ex.calls, n, "node upstreams' answers are shared")
}
