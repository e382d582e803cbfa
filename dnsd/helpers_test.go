package dnsd

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// fakeClock is a tiny event queue in virtual time: the Exchanger schedules
// replies and timeouts on it, tests advance it.
type fakeClock struct {
	now time.Duration
	seq int
	q   []clockEvent
}

type clockEvent struct {
	at  time.Duration
	seq int
	fn  func()
}

func (c *fakeClock) Now() time.Duration { return c.now }

func (c *fakeClock) After(d time.Duration, fn func()) {
	c.seq++
	c.q = append(c.q, clockEvent{at: c.now + d, seq: c.seq, fn: fn})
	sort.SliceStable(c.q, func(i, j int) bool {
		if c.q[i].at != c.q[j].at {
			return c.q[i].at < c.q[j].at
		}
		return c.q[i].seq < c.q[j].seq
	})
}

// Advance runs every event due within d, in order, and moves time to now+d.
func (c *fakeClock) Advance(d time.Duration) {
	end := c.now + d
	for len(c.q) > 0 && c.q[0].at <= end {
		e := c.q[0]
		c.q = c.q[1:]
		c.now = e.at
		e.fn()
	}
	c.now = end
}

// upstream describes how a fake upstream behaves.
type upstream struct {
	dead   bool          // never answers: the exchange times out
	delay  time.Duration // answer delay
	rcode  int
	answer []string // RRs in zone-file syntax; "$NAME" is replaced by the qname
	soa    string   // an SOA for the authority section
	twice  bool     // call done twice (a buggy transport)
}

type call struct {
	at       time.Duration
	upstream netip.AddrPort
	name     string
	qtype    uint16
}

// fakeExchanger answers from per-upstream behaviours on the fake clock.
// Unknown upstreams are dead.
type fakeExchanger struct {
	clock *fakeClock
	ups   map[netip.AddrPort]*upstream
	calls []call
}

func (f *fakeExchanger) Exchange(q *dns.Msg, u netip.AddrPort, timeout time.Duration, done func(*dns.Msg, error)) {
	qq := q.Question[0]
	f.calls = append(f.calls, call{at: f.clock.Now(), upstream: u, name: qq.Name, qtype: qq.Qtype})
	b := f.ups[u]
	if b == nil || b.dead {
		f.clock.After(timeout, func() { done(nil, ErrTimeout) })
		return
	}
	resp := new(dns.Msg)
	resp.SetReply(q)
	resp.RecursionAvailable = true
	resp.Rcode = b.rcode
	for _, s := range b.answer {
		rr, err := dns.NewRR(strings.ReplaceAll(s, "$NAME", qq.Name))
		if err != nil {
			panic(err)
		}
		resp.Answer = append(resp.Answer, rr)
	}
	if b.soa != "" {
		rr, err := dns.NewRR(b.soa)
		if err != nil {
			panic(err)
		}
		resp.Ns = append(resp.Ns, rr)
	}
	f.clock.After(b.delay, func() {
		done(resp, nil)
		if b.twice {
			done(resp.Copy(), nil)
		}
	})
}

func (f *fakeExchanger) reset() { f.calls = nil }

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }
func ip(s string) netip.Addr     { return netip.MustParseAddr(s) }

var (
	node1 = ap("192.168.1.1:53")
	node2 = ap("192.168.1.2:53")
	node3 = ap("192.168.1.3:53")
	node4 = ap("192.168.1.4:53")
	dns53 = ap("10.0.0.53:53")
)

// fixture is the standard topology of these tests:
//
//	localnet: c1 .2 (short ID, hostname h-c1), c2 .3 (alias web), c3 .4
//	          (aliases web, api; IPv6 fd00::4), api .5, c8 .8 (--dns, ndots)
//	backend:  c4 .2, c2 .3 (c2 joined localnet first)
//	other:    c5 .2
//	isolated (internal): c7 .2, c9 .3 (--dns)
type fixture struct {
	s     *Server
	clock *fakeClock
	ex    *fakeExchanger
}

func newFixture(t testing.TB, mod func(*Config)) *fixture {
	t.Helper()
	clk := &fakeClock{}
	ex := &fakeExchanger{clock: clk, ups: map[netip.AddrPort]*upstream{}}
	cfg := Config{
		Rand:          rand.New(rand.NewPCG(7, 7)),
		Now:           clk.Now,
		Exchanger:     ex,
		NodeUpstreams: []netip.AddrPort{node1, node2, node3, node4},
	}
	if mod != nil {
		mod(&cfg)
	}
	s := New(cfg)
	s.SetNetwork("isolated", NetworkConfig{Internal: true})
	eps := []Endpoint{
		{Network: "localnet", Name: "c1", ShortID: "aaaaaaaaaaaa", Hostname: "h-c1", IPv4: ip("172.18.0.2")},
		{Network: "localnet", Name: "c2", ShortID: "bbbbbbbbbbbb", Aliases: []string{"web"}, IPv4: ip("172.18.0.3")},
		{Network: "localnet", Name: "c3", Aliases: []string{"web", "API"}, IPv4: ip("172.18.0.4"), IPv6: ip("fd00::4")},
		{Network: "localnet", Name: "api", IPv4: ip("172.18.0.5")},
		{Network: "localnet", Name: "c8", IPv4: ip("172.18.0.8")},
		{Network: "backend", Name: "c4", IPv4: ip("172.19.0.2")},
		{Network: "backend", Name: "c2", IPv4: ip("172.19.0.3")},
		{Network: "other", Name: "c5", IPv4: ip("172.20.0.2")},
		{Network: "isolated", Name: "c7", IPv4: ip("172.21.0.2")},
		{Network: "isolated", Name: "c9", IPv4: ip("172.21.0.3")},
	}
	for _, ep := range eps {
		require.NoError(t, s.AddEndpoint(ep))
	}
	require.NoError(t, s.SetSandbox("c8", SandboxConfig{DNS: []netip.AddrPort{dns53}, NdotsSet: true}))
	require.NoError(t, s.SetSandbox("c9", SandboxConfig{DNS: []netip.AddrPort{dns53}}))
	// By default every node upstream answers NXDOMAIN.
	for _, u := range []netip.AddrPort{node1, node2, node3, node4, dns53} {
		ex.ups[u] = &upstream{rcode: dns.RcodeNameError, delay: 10 * time.Millisecond}
	}
	return &fixture{s: s, clock: clk, ex: ex}
}

var clients = map[string]Client{
	"c1":         {Network: "localnet", Addr: ip("172.18.0.2")},
	"c2":         {Network: "localnet", Addr: ip("172.18.0.3")},
	"c2@backend": {Network: "backend", Addr: ip("172.19.0.3")},
	"c4":         {Network: "backend", Addr: ip("172.19.0.2")},
	"c5":         {Network: "other", Addr: ip("172.20.0.2")},
	"c7":         {Network: "isolated", Addr: ip("172.21.0.2")},
	"c8":         {Network: "localnet", Addr: ip("172.18.0.8")},
	"c9":         {Network: "isolated", Addr: ip("172.21.0.3")},
	"stranger":   {Network: "localnet", Addr: ip("172.18.0.99")},
}

func query(name string, qtype uint16) *dns.Msg {
	q := new(dns.Msg)
	q.SetQuestion(dns.Fqdn(name), qtype)
	q.Id = 0x1234
	return q
}

// ask resolves q for c through the Msg API, advances virtual time until it
// is answered (at most a minute), and returns the single answer.
func (f *fixture) ask(t testing.TB, c Client, q *dns.Msg) *dns.Msg {
	t.Helper()
	var got []*dns.Msg
	f.s.Resolve(q, c, func(m *dns.Msg) { got = append(got, m) })
	for i := 0; i < 600 && len(got) == 0; i++ {
		f.clock.Advance(100 * time.Millisecond)
	}
	f.clock.Advance(time.Minute) // late callbacks, if any, must not answer twice
	require.Len(t, got, 1, "want exactly one answer")
	return got[0]
}

// rrs returns the answer section as zone-file strings, sorted.
func rrs(m *dns.Msg) []string {
	out := make([]string, 0, len(m.Answer))
	for _, rr := range m.Answer {
		out = append(out, rr.String())
	}
	slices.Sort(out)
	return out
}

func upstreamsCalled(calls []call) []netip.AddrPort {
	out := make([]netip.AddrPort, 0, len(calls))
	for _, c := range calls {
		out = append(out, c.upstream)
	}
	return out
}
