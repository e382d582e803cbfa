package dnsd

import (
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestResolve is the CoreDNS-style table: {Qname, Qtype, client} against a
// recording callback, checking the rcode, the answer section and which
// upstreams were asked.
func TestResolve(t *testing.T) {
	nx := []netip.AddrPort{node1}
	tests := []struct {
		name   string
		client string
		qname  string
		qtype  uint16
		rcode  int
		answer []string // sorted
		calls  []netip.AddrPort
	}{
		{"container name", "c1", "c2", dns.TypeA, dns.RcodeSuccess,
			[]string{"c2.\t600\tIN\tA\t172.18.0.3"}, nil},
		{"case insensitive, case kept", "c1", "C2", dns.TypeA, dns.RcodeSuccess,
			[]string{"C2.\t600\tIN\tA\t172.18.0.3"}, nil},
		{"own name", "c1", "c1", dns.TypeA, dns.RcodeSuccess,
			[]string{"c1.\t600\tIN\tA\t172.18.0.2"}, nil},
		{"alias shared by two", "c1", "web", dns.TypeA, dns.RcodeSuccess,
			[]string{"web.\t600\tIN\tA\t172.18.0.3", "web.\t600\tIN\tA\t172.18.0.4"}, nil},
		// A container name and another container's network alias on the
		// same network are one record set (libnetwork's svcRecords; its
		// "alias first" pass is for legacy --link aliases only): both.
		{"name and alias on one network", "c1", "api", dns.TypeA, dns.RcodeSuccess,
			[]string{"api.\t600\tIN\tA\t172.18.0.4", "api.\t600\tIN\tA\t172.18.0.5"}, nil},
		{"short ID", "c1", "bbbbbbbbbbbb", dns.TypeA, dns.RcodeSuccess,
			[]string{"bbbbbbbbbbbb.\t600\tIN\tA\t172.18.0.3"}, nil},
		{"hostname", "c2", "H-C1", dns.TypeA, dns.RcodeSuccess,
			[]string{"H-C1.\t600\tIN\tA\t172.18.0.2"}, nil},
		{"name.network", "c1", "c2.localnet", dns.TypeA, dns.RcodeSuccess,
			[]string{"c2.localnet.\t600\tIN\tA\t172.18.0.3"}, nil},
		{"name.NETWORK", "c1", "c2.LocalNet", dns.TypeA, dns.RcodeSuccess,
			[]string{"c2.LocalNet.\t600\tIN\tA\t172.18.0.3"}, nil},
		{"alias.network", "c1", "web.localnet", dns.TypeA, dns.RcodeSuccess,
			[]string{"web.localnet.\t600\tIN\tA\t172.18.0.3", "web.localnet.\t600\tIN\tA\t172.18.0.4"}, nil},
		{"other network is out of scope", "c1", "c4", dns.TypeA, dns.RcodeNameError, nil, nx},
		{"other network by name.network", "c1", "c4.backend", dns.TypeA, dns.RcodeNameError, nil, nx},
		{"scope works both ways", "c5", "c1", dns.TypeA, dns.RcodeNameError, nil, nx},
		{"sandbox on two networks sees both", "c2", "c4", dns.TypeA, dns.RcodeSuccess,
			[]string{"c4.\t600\tIN\tA\t172.19.0.2"}, nil},
		{"asking from its second network", "c2@backend", "c1", dns.TypeA, dns.RcodeSuccess,
			[]string{"c1.\t600\tIN\tA\t172.18.0.2"}, nil},
		{"first joined network answers", "c4", "c2", dns.TypeA, dns.RcodeSuccess,
			[]string{"c2.\t600\tIN\tA\t172.19.0.3"}, nil},
		{"c2's own name: first network", "c2", "c2", dns.TypeA, dns.RcodeSuccess,
			[]string{"c2.\t600\tIN\tA\t172.18.0.3"}, nil},
		{"c2's own name on backend", "c2", "c2.backend", dns.TypeA, dns.RcodeSuccess,
			[]string{"c2.backend.\t600\tIN\tA\t172.19.0.3"}, nil},
		{"AAAA for IPv4-only name is empty", "c1", "c2", dns.TypeAAAA, dns.RcodeSuccess, nil, nil},
		{"AAAA", "c1", "c3", dns.TypeAAAA, dns.RcodeSuccess,
			[]string{"c3.\t600\tIN\tAAAA\tfd00::4"}, nil},
		{"AAAA for an alias", "c1", "web", dns.TypeAAAA, dns.RcodeSuccess,
			[]string{"web.\t600\tIN\tAAAA\tfd00::4"}, nil},
		{"PTR IPv4", "c1", "3.0.18.172.in-addr.arpa", dns.TypePTR, dns.RcodeSuccess,
			[]string{"3.0.18.172.in-addr.arpa.\t600\tIN\tPTR\tc2.localnet."}, nil},
		{"PTR IPv4 upper case", "c1", "4.0.18.172.IN-ADDR.ARPA", dns.TypePTR, dns.RcodeSuccess,
			[]string{"4.0.18.172.IN-ADDR.ARPA.\t600\tIN\tPTR\tc3.localnet."}, nil},
		{"PTR on the other network of the sandbox", "c2", "2.0.19.172.in-addr.arpa", dns.TypePTR, dns.RcodeSuccess,
			[]string{"2.0.19.172.in-addr.arpa.\t600\tIN\tPTR\tc4.backend."}, nil},
		{"PTR IPv6", "c1", "4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", dns.TypePTR, dns.RcodeSuccess,
			[]string{"4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.\t600\tIN\tPTR\tc3.localnet."}, nil},
		{"PTR out of scope is forwarded", "c1", "2.0.19.172.in-addr.arpa", dns.TypePTR, dns.RcodeNameError, nil, nx},
		{"PTR malformed is forwarded", "c1", "300.0.18.172.in-addr.arpa", dns.TypePTR, dns.RcodeNameError, nil, nx},
		{"MX for a known name is empty", "c1", "c2", dns.TypeMX, dns.RcodeSuccess, nil, nil},
		{"MX for an unknown name is forwarded", "c1", "example.com", dns.TypeMX, dns.RcodeNameError, nil, nx},
		{"SRV is forwarded", "c1", "_http._tcp.web", dns.TypeSRV, dns.RcodeNameError, nil, nx},
		{"TXT for a known name is forwarded", "c1", "c2", dns.TypeTXT, dns.RcodeNameError, nil, nx},
		{"unknown name is forwarded", "c1", "example.com", dns.TypeA, dns.RcodeNameError, nil, nx},
		{"unknown client is refused", "stranger", "c2", dns.TypeA, dns.RcodeRefused, nil, nil},
		{"ndots: single label gets empty NOERROR", "c8", "nosuchhost", dns.TypeA, dns.RcodeSuccess, nil, nil},
		{"ndots: AAAA too", "c8", "nosuchhost", dns.TypeAAAA, dns.RcodeSuccess, nil, nil},
		{"ndots: known names still answer", "c8", "c2", dns.TypeA, dns.RcodeSuccess,
			[]string{"c2.\t600\tIN\tA\t172.18.0.3"}, nil},
		{"ndots: dotted names are forwarded to --dns", "c8", "example.com", dns.TypeA, dns.RcodeNameError, nil,
			[]netip.AddrPort{dns53}},
		{"no ndots: single label is forwarded", "c1", "nosuchhost", dns.TypeA, dns.RcodeNameError, nil, nx},
		{"internal network skips node upstreams", "c7", "example.com", dns.TypeA, dns.RcodeServerFailure, nil, nil},
		{"internal network still answers names", "c7", "c9", dns.TypeA, dns.RcodeSuccess,
			[]string{"c9.\t600\tIN\tA\t172.21.0.3"}, nil},
		{"internal network uses --dns", "c9", "example.com", dns.TypeA, dns.RcodeNameError, nil,
			[]netip.AddrPort{dns53}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			got := f.ask(t, clients[tc.client], query(tc.qname, tc.qtype))
			assert.Equal(t, dns.RcodeToString[tc.rcode], dns.RcodeToString[got.Rcode], "rcode")
			assert.Equal(t, tc.answer, nilIfEmpty(rrs(got)), "answer")
			assert.Equal(t, tc.calls, nilIfEmptyAP(upstreamsCalled(f.ex.calls)), "upstreams asked")
			assert.Equal(t, uint16(0x1234), got.Id)
			assert.True(t, got.Response)
			require.Len(t, got.Question, 1)
			assert.Equal(t, dns.Fqdn(tc.qname), got.Question[0].Name)
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func nilIfEmptyAP(s []netip.AddrPort) []netip.AddrPort {
	if len(s) == 0 {
		return nil
	}
	return s
}

// TestResolveInternalFlags checks the header of an internal answer against
// Docker's: RD copied, RA set, not authoritative, synchronous.
func TestResolveInternalFlags(t *testing.T) {
	f := newFixture(t, nil)
	q := query("c2", dns.TypeA)
	q.CheckingDisabled = true
	var got *dns.Msg
	f.s.Resolve(q, clients["c1"], func(m *dns.Msg) { got = m })
	require.NotNil(t, got, "internal answers are synchronous")
	assert.True(t, got.RecursionDesired)
	assert.True(t, got.RecursionAvailable)
	assert.True(t, got.CheckingDisabled)
	assert.False(t, got.Authoritative)
	assert.Nil(t, got.IsEdns0(), "no OPT without EDNS0 in the query")

	q.SetEdns0(4096, true)
	f.s.Resolve(q, clients["c1"], func(m *dns.Msg) { got = m })
	opt := got.IsEdns0()
	require.NotNil(t, opt, "EDNS0 queries get an OPT")
	assert.Equal(t, uint16(DefaultEDNSSize), opt.UDPSize())
	assert.True(t, opt.Do())
}

func TestResolveMalformedMsg(t *testing.T) {
	f := newFixture(t, nil)
	c := clients["c1"]

	var got []*dns.Msg
	rec := func(m *dns.Msg) { got = append(got, m) }
	f.s.Resolve(nil, c, rec)
	resp := query("c2", dns.TypeA)
	resp.Response = true
	f.s.Resolve(resp, c, rec)
	require.Equal(t, []*dns.Msg{nil, nil}, got, "nil and responses are dropped")

	noq := query("c2", dns.TypeA)
	noq.Question = nil
	two := query("c2", dns.TypeA)
	two.Question = append(two.Question, two.Question[0])
	notify := query("c2", dns.TypeA)
	notify.Opcode = dns.OpcodeNotify
	got = nil
	for _, q := range []*dns.Msg{noq, two, notify} {
		f.s.Resolve(q, c, rec)
	}
	require.Len(t, got, 3)
	assert.Equal(t, dns.RcodeFormatError, got[0].Rcode)
	assert.Equal(t, dns.RcodeFormatError, got[1].Rcode)
	assert.Equal(t, dns.RcodeNotImplemented, got[2].Rcode)
	ctr := f.s.Counters()
	assert.Equal(t, uint64(2), ctr.DropResponse)
	assert.Equal(t, uint64(2), ctr.FormErr)
	assert.Equal(t, uint64(1), ctr.NotImp)
	assert.Empty(t, f.ex.calls)
}

// TestShuffle checks that several addresses come back in an order drawn
// from the seeded RNG: every order shows up, and the same seed gives the
// same sequence.
func TestShuffle(t *testing.T) {
	orders := func() []string {
		f := newFixture(t, nil)
		var out []string
		for range 40 {
			got := f.ask(t, clients["c1"], query("web", dns.TypeA))
			require.Len(t, got.Answer, 2)
			out = append(out, got.Answer[0].(*dns.A).A.String())
		}
		return out
	}
	a, b := orders(), orders()
	assert.Equal(t, a, b, "same seed, same orders")
	assert.Contains(t, a, "172.18.0.3")
	assert.Contains(t, a, "172.18.0.4")
}

func TestRecordsLifecycle(t *testing.T) {
	f := newFixture(t, nil)
	c1 := clients["c1"]
	// Disconnect c2 from localnet: c1 no longer sees it; the alias web is
	// left with c3 only.
	require.NoError(t, f.s.RemoveEndpoint("c2", "localnet"))
	got := f.ask(t, c1, query("web", dns.TypeA))
	assert.Equal(t, []string{"web.\t600\tIN\tA\t172.18.0.4"}, rrs(got))
	got = f.ask(t, c1, query("c2", dns.TypeA))
	assert.Equal(t, dns.RcodeNameError, got.Rcode, "forwarded now")
	// c2 still sees backend only.
	got = f.ask(t, clients["c2@backend"], query("c1", dns.TypeA))
	assert.Equal(t, dns.RcodeNameError, got.Rcode)
	got = f.ask(t, clients["c2@backend"], query("c4", dns.TypeA))
	assert.Equal(t, []string{"c4.\t600\tIN\tA\t172.19.0.2"}, rrs(got))

	// Reconnect with another address.
	require.NoError(t, f.s.AddEndpoint(Endpoint{Sandbox: "c2", Network: "localnet", Name: "c2", IPv4: ip("172.18.0.30")}))
	got = f.ask(t, c1, query("c2", dns.TypeA))
	assert.Equal(t, []string{"c2.\t600\tIN\tA\t172.18.0.30"}, rrs(got))

	// Removing the sandbox removes all its endpoints.
	f.s.RemoveSandbox("c2")
	got = f.ask(t, clients["c4"], query("c2", dns.TypeA))
	assert.Equal(t, dns.RcodeNameError, got.Rcode)
	assert.ErrorIs(t, f.s.RemoveEndpoint("c2", "backend"), ErrEndpointNotFound)
}

func TestAddEndpointErrors(t *testing.T) {
	f := newFixture(t, nil)
	before := f.ask(t, clients["c1"], query("web", dns.TypeA))
	tests := []struct {
		name string
		ep   Endpoint
		err  error
	}{
		{"no network", Endpoint{Name: "x", IPv4: ip("10.0.0.1")}, ErrInvalidEndpoint},
		{"no name", Endpoint{Network: "localnet", IPv4: ip("10.0.0.1")}, ErrInvalidEndpoint},
		{"no address", Endpoint{Network: "localnet", Name: "x"}, ErrInvalidEndpoint},
		{"IPv6 as IPv4", Endpoint{Network: "localnet", Name: "x", IPv4: ip("fd00::9")}, ErrInvalidEndpoint},
		{"IPv4 as IPv6", Endpoint{Network: "localnet", Name: "x", IPv6: ip("10.0.0.9")}, ErrInvalidEndpoint},
		{"address in use", Endpoint{Network: "localnet", Name: "x", Aliases: []string{"web"}, IPv4: ip("172.18.0.3")}, ErrAddressInUse},
		{"second endpoint on a network", Endpoint{Sandbox: "c1", Network: "localnet", Name: "c1", Aliases: []string{"web"}, IPv4: ip("172.18.0.77")}, ErrEndpointExists},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.ErrorIs(t, f.s.AddEndpoint(tc.ep), tc.err)
		})
	}
	after := f.ask(t, clients["c1"], query("web", dns.TypeA))
	assert.Equal(t, rrs(before), rrs(after), "failed calls change nothing")
	assert.ErrorIs(t, f.s.SetSandbox("c1", SandboxConfig{DNS: []netip.AddrPort{{}}}), ErrInvalidUpstream)
	assert.ErrorIs(t, f.s.RemoveNetwork("localnet"), ErrNetworkInUse)
}

func TestResolveLog(t *testing.T) {
	f := newFixture(t, nil)
	f.ex.ups[node1] = &upstream{delay: 30 * time.Millisecond, answer: []string{"$NAME 300 IN A 93.184.215.14"}}
	f.clock.Advance(time.Second)
	f.ask(t, clients["c1"], query("Web", dns.TypeA))
	f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	f.ask(t, clients["c1"], query("example.com", dns.TypeA))
	f.ask(t, clients["stranger"], query("c1", dns.TypeA))

	log := f.s.Log()
	require.Len(t, log, 4)
	e := log[0]
	assert.Equal(t, uint64(1), e.Seq)
	assert.Equal(t, time.Second, e.Time)
	assert.Equal(t, "c1", e.Endpoint)
	assert.Equal(t, "localnet", e.Network)
	assert.Equal(t, "Web", e.Name)
	assert.Equal(t, "A", e.Type)
	assert.Equal(t, "NOERROR", e.Rcode)
	assert.ElementsMatch(t, []string{"172.18.0.3", "172.18.0.4"}, e.Answers)
	assert.Equal(t, SourceInternal, e.Source)

	e = log[1]
	assert.Equal(t, SourceUpstream, e.Source)
	assert.Equal(t, "192.168.1.1:53", e.Upstream)
	assert.Equal(t, []string{"93.184.215.14"}, e.Answers)
	assert.Equal(t, 30*time.Millisecond, e.Latency)
	assert.Equal(t, 1, e.Attempts)

	e = log[2]
	assert.Equal(t, SourceCache, e.Source)
	assert.Equal(t, "192.168.1.1:53", e.Upstream)
	assert.Equal(t, []string{"93.184.215.14"}, e.Answers)

	e = log[3]
	assert.Equal(t, SourceRefused, e.Source)
	assert.Equal(t, "REFUSED", e.Rcode)
	assert.Equal(t, "", e.Endpoint)
}

func TestLogRingBounded(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.LogSize = 3 })
	for _, n := range []string{"c1", "c2", "c3", "c1", "api"} {
		f.ask(t, clients["c1"], query(n, dns.TypeA))
	}
	log := f.s.Log()
	require.Len(t, log, 3)
	assert.Equal(t, []uint64{3, 4, 5}, []uint64{log[0].Seq, log[1].Seq, log[2].Seq})
	assert.Equal(t, []string{"c3", "c1", "api"}, []string{log[0].Name, log[1].Name, log[2].Name})

	off := newFixture(t, func(c *Config) { c.LogSize = -1 })
	off.ask(t, clients["c1"], query("c2", dns.TypeA))
	assert.Empty(t, off.s.Log())
}

func TestParsePTR(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means not a reverse name
	}{
		{"1.0.0.127.in-addr.arpa", "127.0.0.1"},
		{"255.255.255.255.in-addr.arpa", "255.255.255.255"},
		{"1.0.0.in-addr.arpa", ""},
		{"1.0.0.0.127.in-addr.arpa", ""},
		{"01.0.0.127.in-addr.arpa", ""},
		{"256.0.0.127.in-addr.arpa", ""},
		{"a.0.0.127.in-addr.arpa", ""},
		{".0.0.127.in-addr.arpa", ""},
		{"in-addr.arpa", ""},
		{"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", "fd00::1"},
		{"b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa", "4321:0:1:2:3:4:567:89ab"},
		{"1.0.0.ip6.arpa", ""},
		{"g.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa", ""},
		{"10.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.ip6.arpa", ""},
		{"example.com", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			a, ok := parsePTR([]byte(tc.in))
			if tc.want == "" {
				assert.False(t, ok, "got %v", a)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.want, a.String())
		})
	}
}
