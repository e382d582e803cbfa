package resolv

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/app"
	"github.com/vswitch/vswitch/sim/tcp"
	"github.com/vswitch/vswitch/sim/tcp/tcptest"
)

var (
	clientAddr = netip.MustParseAddr("10.0.0.1")
	ns1        = netip.MustParseAddr("10.0.0.53")
	ns2        = netip.MustParseAddr("10.0.0.54")
	ns3        = netip.MustParseAddr("10.0.0.55")
	nsNobody   = netip.MustParseAddr("10.0.0.99")
)

// fakeNS is a DNS server on the fake network: a static zone, with rcode
// overrides per name (SERVFAIL, REFUSED) and a switch to stay silent.
type fakeNS struct {
	zone    app.DNSHandler
	rcode   map[string]int
	silent  bool
	queries []string
}

func (f *fakeNS) handle(req *dns.Msg, _ netip.Addr) *dns.Msg {
	q := req.Question[0]
	f.queries = append(f.queries, q.Name)
	if f.silent {
		return nil
	}
	if rc, ok := f.rcode[q.Name]; ok {
		return new(dns.Msg).SetRcode(req, rc)
	}
	return f.zone(req, netip.Addr{})
}

type world struct {
	loop   *sim.Loop
	net    *tcptest.Net
	client *tcptest.Host
	st     *tcp.Stack
	ns     map[netip.Addr]*fakeNS
}

// newWorld builds a client and name servers at the given addresses, all
// serving zone over UDP and TCP.
func newWorld(t *testing.T, zone map[string][]string, servers ...netip.Addr) *world {
	t.Helper()
	loop := sim.NewLoop(1)
	loop.SetLimits(10_000_000, 24*time.Hour)
	n := tcptest.NewNet(loop)
	w := &world{loop: loop, net: n, client: n.AddHost("client", clientAddr), ns: map[netip.Addr]*fakeNS{}}
	w.st = tcp.NewStack(w.client)
	h, err := app.StaticZone(zone)
	require.NoError(t, err)
	for i, a := range servers {
		host := n.AddHost(fmt.Sprintf("ns%d", i+1), a)
		f := &fakeNS{zone: h, rcode: map[string]int{}}
		require.NoError(t, app.ServeDNS(host, tcp.NewStack(host), 53, f.handle))
		w.ns[a] = f
	}
	return w
}

// lookup runs one lookup and returns its result and duration.
func (w *world) lookup(t *testing.T, r *Resolver, name string, qtype uint16) (Result, time.Duration) {
	t.Helper()
	var (
		res  Result
		done int
		at   time.Duration
	)
	start := w.loop.Now()
	r.Lookup(name, qtype, func(x Result) { res, at = x, w.loop.Now(); done++ })
	require.Zero(t, done, "done called synchronously")
	_, err := w.loop.RunUntil(w.loop.Now()+time.Hour, func() bool { return done > 0 })
	require.NoError(t, err)
	// Let stray events (late answers, TCP teardown) run too.
	_, err = w.loop.RunUntil(w.loop.Now()+time.Minute, func() bool { return false })
	require.NoError(t, err)
	require.Equal(t, 1, done)
	return res, at - start
}

var labZone = map[string][]string{
	"web.lab.test":       {"10.0.0.10"},
	"db.example.com":     {"10.0.0.20"},
	"svc.local.lab.test": {"10.0.0.30"},
	"v4only.lab.test":    {"10.0.0.40"},
	"host.example.com":   {"10.0.0.50"},
}

func TestCandidates(t *testing.T) {
	search := []string{"lab.test", "example.com."}
	tests := []struct {
		name   string
		ndots  int
		search []string
		in     string
		want   []string
	}{
		{"single label: search first", 0, search, "web", []string{"web.lab.test.", "web.example.com.", "web."}},
		{"dotted: as-is first", 0, search, "a.b", []string{"a.b.", "a.b.lab.test.", "a.b.example.com."}},
		{"absolute", 0, search, "web.", []string{"web."}},
		{"ndots 2", 2, search, "a.b", []string{"a.b.lab.test.", "a.b.example.com.", "a.b."}},
		{"ndots 2 enough dots", 2, search, "a.b.c", []string{"a.b.c.", "a.b.c.lab.test.", "a.b.c.example.com."}},
		{"ndots 0", NdotsZero, search, "web", []string{"web.", "web.lab.test.", "web.example.com."}},
		{"no search", 0, nil, "web", []string{"web."}},
		{"root in search", 0, []string{".", "lab.test"}, "web", []string{"web.", "web.lab.test."}},
		{"duplicates", 0, []string{"lab.test", "LAB.test."}, "web", []string{"web.lab.test.", "web."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loop := sim.NewLoop(1)
			r := New(tcptest.NewNet(loop).AddHost("c", clientAddr), nil, Config{Search: tc.search, Ndots: tc.ndots})
			assert.Equal(t, tc.want, r.Candidates(tc.in))
		})
	}
}

// musl (Alpine) never uses the search list for names with at least ndots
// dots: with Docker's ndots:0, never at all.
func TestCandidatesMusl(t *testing.T) {
	search := []string{"lab.test", "example.com."}
	tests := []struct {
		name  string
		ndots int
		in    string
		want  []string
	}{
		{"ndots 0: as-is only", NdotsZero, "www", []string{"www."}},
		{"ndots 1, single label: search, then as-is", 0, "web", []string{"web.lab.test.", "web.example.com.", "web."}},
		{"ndots 1, dotted: as-is only", 0, "a.b", []string{"a.b."}},
		{"ndots 2, one dot: search first", 2, "a.b", []string{"a.b.lab.test.", "a.b.example.com.", "a.b."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loop := sim.NewLoop(1)
			r := New(tcptest.NewNet(loop).AddHost("c", clientAddr), nil, Config{Search: search, Ndots: tc.ndots, Musl: true})
			assert.Equal(t, tc.want, r.Candidates(tc.in))
		})
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		setup     func(w *world)
		qname     string
		qtype     uint16
		wantAddrs []string
		wantRcode int
		wantErr   error
		wantName  string
		wantTried []string
		wantTime  time.Duration
	}{
		{
			name: "first search domain", qname: "web", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test", "example.com"}},
			wantAddrs: []string{"10.0.0.10"}, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.53 web.lab.test. A"},
			wantTime:  2 * time.Millisecond,
		},
		{
			name: "second search domain", qname: "db", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test", "example.com"}},
			wantAddrs: []string{"10.0.0.20"}, wantName: "db.example.com.",
			wantTried: []string{"10.0.0.53 db.lab.test. A", "10.0.0.53 db.example.com. A"},
			wantTime:  4 * time.Millisecond,
		},
		{
			name: "nxdomain across the search list", qname: "nope", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1, ns2}, Search: []string{"lab.test", "example.com"}},
			wantRcode: dns.RcodeNameError, wantName: "nope.",
			wantTried: []string{"10.0.0.53 nope.lab.test. A", "10.0.0.53 nope.example.com. A", "10.0.0.53 nope. A"},
		},
		{
			name: "dotted name as-is first, then search", qname: "svc.local", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test"}},
			wantAddrs: []string{"10.0.0.30"}, wantName: "svc.local.lab.test.",
			wantTried: []string{"10.0.0.53 svc.local. A", "10.0.0.53 svc.local.lab.test. A"},
		},
		{
			name: "ndots 2 searches first", qname: "host.example", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"com"}, Ndots: 2},
			wantAddrs: []string{"10.0.0.50"}, wantName: "host.example.com.",
			wantTried: []string{"10.0.0.53 host.example.com. A"},
		},
		{
			name: "absolute name skips search", qname: "web.", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test"}},
			wantRcode: dns.RcodeNameError, wantName: "web.",
			wantTried: []string{"10.0.0.53 web. A"},
		},
		{
			name: "nodata goes on and wins over nxdomain", qname: "v4only", qtype: dns.TypeAAAA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test"}},
			wantRcode: dns.RcodeSuccess, wantName: "v4only.lab.test.",
			wantTried: []string{"10.0.0.53 v4only.lab.test. AAAA", "10.0.0.53 v4only. AAAA"},
		},
		{
			name: "as-is failure wins when tried first", qname: "v4only.lab", qtype: dns.TypeAAAA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"test"}},
			wantRcode: dns.RcodeNameError, wantName: "v4only.lab.",
			wantTried: []string{"10.0.0.53 v4only.lab. AAAA", "10.0.0.53 v4only.lab.test. AAAA"},
		},
		{
			// musl: NODATA on a search candidate ends the lookup (glibc,
			// above, goes on to the bare name).
			name: "musl: nodata stops the search", qname: "v4only", qtype: dns.TypeAAAA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test"}, Musl: true},
			wantRcode: dns.RcodeSuccess, wantName: "v4only.lab.test.",
			wantTried: []string{"10.0.0.53 v4only.lab.test. AAAA"},
		},
		{
			name: "musl: nxdomain goes on", qname: "db", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test", "example.com"}, Musl: true},
			wantAddrs: []string{"10.0.0.20"}, wantName: "db.example.com.",
			wantTried: []string{"10.0.0.53 db.lab.test. A", "10.0.0.53 db.example.com. A"},
		},
		{
			name: "musl: a dotted name skips the search list", qname: "svc.local", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test"}, Musl: true},
			wantRcode: dns.RcodeNameError, wantName: "svc.local.",
			wantTried: []string{"10.0.0.53 svc.local. A"},
		},
		{
			name: "failover on timeout", qname: "web.lab.test.", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{nsNobody, ns2}},
			wantAddrs: []string{"10.0.0.10"}, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.99 web.lab.test. A", "10.0.0.54 web.lab.test. A"},
			wantTime:  5*time.Second + 2*time.Millisecond,
		},
		{
			name: "failover on servfail", qname: "web.lab.test.", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1, ns2}},
			setup:     func(w *world) { w.ns[ns1].rcode["web.lab.test."] = dns.RcodeServerFailure },
			wantAddrs: []string{"10.0.0.10"}, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.53 web.lab.test. A", "10.0.0.54 web.lab.test. A"},
			wantTime:  4 * time.Millisecond,
		},
		{
			name: "failover on refused", qname: "web.lab.test.", qtype: dns.TypeA,
			cfg:       Config{Nameservers: []netip.Addr{ns1, ns2}},
			setup:     func(w *world) { w.ns[ns1].rcode["web.lab.test."] = dns.RcodeRefused },
			wantAddrs: []string{"10.0.0.10"}, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.53 web.lab.test. A", "10.0.0.54 web.lab.test. A"},
		},
		{
			name: "servfail everywhere moves to the next name", qname: "web", qtype: dns.TypeA,
			cfg: Config{Nameservers: []netip.Addr{ns1}, Search: []string{"lab.test"}, Attempts: 1},
			setup: func(w *world) {
				w.ns[ns1].rcode["web.lab.test."] = dns.RcodeServerFailure
			},
			wantRcode: dns.RcodeServerFailure, wantErr: ErrServerFailure, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.53 web.lab.test. A", "10.0.0.53 web. A"},
		},
		{
			name: "refused everywhere ends", qname: "web", qtype: dns.TypeA,
			cfg: Config{Nameservers: []netip.Addr{ns1, ns2}, Search: []string{"lab.test"}, Attempts: 1},
			setup: func(w *world) {
				w.ns[ns1].rcode["web.lab.test."] = dns.RcodeRefused
				w.ns[ns2].rcode["web.lab.test."] = dns.RcodeRefused
			},
			wantRcode: dns.RcodeRefused, wantErr: ErrServerFailure, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.53 web.lab.test. A", "10.0.0.54 web.lab.test. A"},
		},
		{
			name: "attempts repeat the rounds", qname: "web.lab.test", qtype: dns.TypeA,
			cfg:     Config{Nameservers: []netip.Addr{nsNobody}, Attempts: 3, Timeout: time.Second},
			wantErr: ErrTimeout, wantRcode: -1, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.99 web.lab.test. A", "10.0.0.99 web.lab.test. A", "10.0.0.99 web.lab.test. A"},
			wantTime:  3 * time.Second,
		},
		{
			name: "rotate", qname: "web.lab.test", qtype: dns.TypeA,
			cfg:   Config{Nameservers: []netip.Addr{ns1, ns2}, Rotate: true},
			setup: func(w *world) {},
			// The first lookup of a resolver starts at the first server.
			wantAddrs: []string{"10.0.0.10"}, wantName: "web.lab.test.",
			wantTried: []string{"10.0.0.53 web.lab.test. A"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, labZone, ns1, ns2, ns3)
			if tc.setup != nil {
				tc.setup(w)
			}
			r := New(w.client, w.st, tc.cfg)
			res, took := w.lookup(t, r, tc.qname, tc.qtype)
			if tc.wantErr != nil {
				assert.ErrorIs(t, res.Err, tc.wantErr)
			} else {
				assert.NoError(t, res.Err)
			}
			var addrs []string
			for _, a := range res.Addrs {
				addrs = append(addrs, a.String())
			}
			assert.Equal(t, tc.wantAddrs, addrs)
			assert.Equal(t, tc.wantRcode, res.Rcode)
			assert.Equal(t, tc.wantName, res.Name)
			assert.Equal(t, tc.wantTried, res.Tried)
			if tc.wantTime != 0 {
				assert.Equal(t, tc.wantTime, took)
			}
		})
	}
}

func TestTimeoutsLikeGlibc(t *testing.T) {
	// Every server silent: glibc waits Timeout for server 0 and
	// (Timeout<<i)/n whole seconds for server i>0, each round.
	tests := []struct {
		name     string
		servers  int
		timeout  time.Duration
		attempts int
		want     time.Duration
	}{
		{"one server", 1, 0, 0, 2 * 5 * time.Second},
		{"two servers", 2, 0, 0, 2 * (5 + 5) * time.Second},
		{"three servers", 3, 0, 0, 2 * (5 + 3 + 6) * time.Second},
		{"three servers timeout 1", 3, time.Second, 1, (1 + 1 + 1) * time.Second},
		{"sub-second timeout", 2, 300 * time.Millisecond, 1, 600 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			servers := []netip.Addr{ns1, ns2, ns3}[:tc.servers]
			w := newWorld(t, labZone, servers...)
			for _, a := range servers {
				w.ns[a].silent = true
			}
			r := New(w.client, w.st, Config{Nameservers: servers, Timeout: tc.timeout, Attempts: tc.attempts})
			res, took := w.lookup(t, r, "web.lab.test.", dns.TypeA)
			assert.ErrorIs(t, res.Err, ErrTimeout)
			assert.Equal(t, -1, res.Rcode)
			assert.Equal(t, tc.want, took)
			attempts := tc.attempts
			if attempts == 0 {
				attempts = DefaultAttempts
			}
			assert.Len(t, res.Tried, tc.servers*attempts)
		})
	}
}

func TestRotate(t *testing.T) {
	w := newWorld(t, labZone, ns1, ns2)
	r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1, ns2}, Rotate: true})
	var first []string
	for range 3 {
		res, _ := w.lookup(t, r, "web.lab.test.", dns.TypeA)
		require.NoError(t, res.Err)
		first = append(first, strings.Fields(res.Tried[0])[0])
	}
	assert.Equal(t, []string{"10.0.0.53", "10.0.0.54", "10.0.0.53"}, first)
}

func bigZone() map[string][]string {
	z := map[string][]string{}
	for k, v := range labZone {
		z[k] = v
	}
	for i := range 40 {
		z["big.lab.test"] = append(z["big.lab.test"], fmt.Sprintf("10.1.0.%d", i+1))
	}
	return z
}

func TestTruncatedRetriesOverTCP(t *testing.T) {
	w := newWorld(t, bigZone(), ns1)
	r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1}})
	res, _ := w.lookup(t, r, "big.lab.test.", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Len(t, res.Addrs, 40)
	assert.False(t, res.Msg.Truncated)
	assert.Equal(t, []string{"10.0.0.53 big.lab.test. A", "10.0.0.53 big.lab.test. A tcp"}, res.Tried)
	st := r.Stats()
	assert.Equal(t, uint64(1), st.Truncated)
	assert.Equal(t, uint64(1), st.QueriesTCP)
	assert.Zero(t, w.st.NumConns(), "the TCP connection is closed")

	// Without a TCP stack the truncated answer is kept.
	r = New(w.client, nil, Config{Nameservers: []netip.Addr{ns1}})
	res, _ = w.lookup(t, r, "big.lab.test.", dns.TypeA)
	require.NoError(t, res.Err)
	assert.True(t, res.Msg.Truncated)
	assert.Less(t, len(res.Addrs), 40)

	// With EDNS0 (1200 bytes) it fits over UDP.
	r = New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1}, EDNS0: true})
	res, _ = w.lookup(t, r, "big.lab.test.", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Len(t, res.Addrs, 40)
	assert.Len(t, res.Tried, 1)
}

func TestTruncatedTCPFailsOver(t *testing.T) {
	// The first server truncates over UDP but has no TCP service: the
	// refused connection moves on to the next server.
	w := newWorld(t, bigZone(), ns2)
	h, err := app.StaticZone(bigZone())
	require.NoError(t, err)
	host := w.net.AddHost("udp-only", ns1)
	require.NoError(t, app.ServeDNS(host, tcp.NewStack(host), 5353, h)) // TCP elsewhere
	host.CloseUDP(5353)
	require.NoError(t, app.ServeDNS(host, nil, 53, h))
	r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1, ns2}})
	res, _ := w.lookup(t, r, "big.lab.test.", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Len(t, res.Addrs, 40)
	assert.Equal(t, ns2, res.Server)
	assert.Equal(t, []string{
		"10.0.0.53 big.lab.test. A", "10.0.0.53 big.lab.test. A tcp",
		"10.0.0.54 big.lab.test. A", "10.0.0.54 big.lab.test. A tcp",
	}, res.Tried)
}

func TestLookupErrors(t *testing.T) {
	w := newWorld(t, labZone, ns1)
	res, _ := w.lookup(t, New(w.client, w.st, Config{}), "web", dns.TypeA)
	assert.ErrorIs(t, res.Err, ErrNoNameservers)
	r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1}})
	for _, name := range []string{"", "a..b", strings.Repeat("x", 64) + ".com"} {
		res, _ = w.lookup(t, r, name, dns.TypeA)
		assert.ErrorIs(t, res.Err, ErrInvalidName, "name %q", name)
		assert.Empty(t, res.Tried)
	}
}

func TestIgnoresForgedAnswers(t *testing.T) {
	// A reply with the wrong ID, or from the wrong port, is not the
	// answer; the real one still is.
	w := newWorld(t, labZone)
	ns := w.net.AddHost("ns", ns1)
	require.NoError(t, ns.ListenUDP(53, func(from, to netip.AddrPort, data []byte) {
		q := new(dns.Msg)
		require.NoError(t, q.Unpack(data))
		bad := new(dns.Msg).SetReply(q)
		bad.Id++
		out, _ := bad.Pack()
		ns.SendUDP(to, from, out)
		ns.SendUDP(netip.AddrPortFrom(ns1, 5353), from, out)
		good := new(dns.Msg).SetReply(q)
		good.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 1}, A: []byte{1, 2, 3, 4}}}
		out, _ = good.Pack()
		w.loop.After(time.Millisecond, func() { ns.SendUDP(to, from, out) })
	}))
	r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1}})
	res, _ := w.lookup(t, r, "x.", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{netip.MustParseAddr("1.2.3.4")}, res.Addrs)
	assert.Equal(t, uint64(2), r.Stats().Ignored)
}

// queryIDs returns the DNS IDs of the queries the client sent.
func queryIDs(t *testing.T, seed uint64) []uint16 {
	loop := sim.NewLoop(seed)
	n := tcptest.NewNet(loop)
	client := n.AddHost("client", clientAddr)
	var ids []uint16
	n.OnSend = func(p tcptest.Packet) {
		if p.Src == clientAddr && p.Proto == frame.ProtoUDP {
			m := new(dns.Msg)
			require.NoError(t, m.Unpack(frame.UDP(p.Payload).Payload()))
			ids = append(ids, m.Id)
		}
	}
	r := New(client, nil, Config{Nameservers: []netip.Addr{nsNobody}, Search: []string{"a", "b"}, Timeout: time.Second})
	r.Lookup("x.y", dns.TypeA, func(Result) {})
	_, err := loop.RunUntil(time.Hour, func() bool { return false })
	require.NoError(t, err)
	return ids
}

func TestQueryIDsDeterministic(t *testing.T) {
	a, b, c := queryIDs(t, 7), queryIDs(t, 7), queryIDs(t, 8)
	assert.Len(t, a, 2, "stops after the first name times out everywhere")
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
	assert.NotEqual(t, a[0], a[1])
}

// musl asks every server at once, again every Timeout/Attempts, and gives
// up after Timeout in all, however many servers there are.
func TestTimeoutsLikeMusl(t *testing.T) {
	t.Run("all silent", func(t *testing.T) {
		servers := []netip.Addr{ns1, ns2, ns3}
		w := newWorld(t, labZone, servers...)
		for _, a := range servers {
			w.ns[a].silent = true
		}
		r := New(w.client, w.st, Config{Nameservers: servers, Musl: true})
		res, took := w.lookup(t, r, "web.lab.test.", dns.TypeA)
		assert.ErrorIs(t, res.Err, ErrTimeout)
		assert.Equal(t, -1, res.Rcode)
		assert.Equal(t, DefaultTimeout, took, "musl's whole budget, not glibc's 28 s")
		assert.Len(t, res.Tried, 3*DefaultAttempts, "every server at 0 s and again at 2.5 s")
		for _, a := range servers {
			assert.Len(t, w.ns[a].queries, DefaultAttempts)
		}
	})
	t.Run("a dead first server costs nothing", func(t *testing.T) {
		w := newWorld(t, labZone, ns1, ns2)
		w.ns[ns1].silent = true
		r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1, ns2}, Musl: true})
		res, took := w.lookup(t, r, "web.lab.test.", dns.TypeA)
		require.NoError(t, res.Err)
		assert.Equal(t, []netip.Addr{netip.MustParseAddr("10.0.0.10")}, res.Addrs)
		assert.Less(t, took, time.Second)
		assert.Equal(t, ns2, res.Server)
	})
	t.Run("servfail is retried, then ignored; refused is ignored", func(t *testing.T) {
		w := newWorld(t, labZone, ns1, ns2)
		w.ns[ns1].rcode["web.lab.test."] = dns.RcodeServerFailure
		w.ns[ns2].rcode["web.lab.test."] = dns.RcodeRefused
		r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1, ns2}, Musl: true})
		res, took := w.lookup(t, r, "web.lab.test.", dns.TypeA)
		assert.ErrorIs(t, res.Err, ErrTimeout, "musl gives EAI_AGAIN, not the SERVFAIL")
		assert.Equal(t, DefaultTimeout, took)
		// ns1: 2 rounds plus the 4 immediate SERVFAIL retries (2 x servers).
		assert.Len(t, w.ns[ns1].queries, DefaultAttempts+4)
		assert.Len(t, w.ns[ns2].queries, DefaultAttempts)
	})
	t.Run("nxdomain from the fastest server wins", func(t *testing.T) {
		w := newWorld(t, labZone, ns1, ns2)
		r := New(w.client, w.st, Config{Nameservers: []netip.Addr{ns1, ns2}, Musl: true})
		res, _ := w.lookup(t, r, "nope.", dns.TypeA)
		assert.Equal(t, dns.RcodeNameError, res.Rcode)
	})
}
