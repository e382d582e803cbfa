package dnsd

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// addMany puts 40 containers sharing the alias "many" (IPv4 and IPv6) on
// network big, plus the querier "bigc" at 10.50.0.1.
func addMany(t testing.TB, s *Server) Client {
	t.Helper()
	require.NoError(t, s.AddEndpoint(Endpoint{Network: "big", Name: "bigc", IPv4: ip("10.50.0.1")}))
	for i := range 40 {
		require.NoError(t, s.AddEndpoint(Endpoint{
			Network: "big",
			Name:    fmt.Sprintf("m%d", i),
			Aliases: []string{"many"},
			IPv4:    netip.AddrFrom4([4]byte{10, 50, 1, byte(i)}),
			IPv6:    netip.AddrFrom16([16]byte{0: 0xfd, 15: byte(i)}),
		}))
	}
	return Client{Network: "big", Addr: ip("10.50.0.1")}
}

func pack(t testing.TB, m *dns.Msg) []byte {
	t.Helper()
	b, err := m.Pack()
	require.NoError(t, err)
	return b
}

// serve runs ServeWire and advances virtual time until done is called.
func (f *fixture) serve(t testing.TB, q []byte, c Client) ([]byte, bool) {
	t.Helper()
	var out []byte
	called := 0
	f.s.ServeWire(q, c, make([]byte, 0, dns.MaxMsgSize), func(b []byte) { out = b; called++ })
	for i := 0; i < 200 && called == 0; i++ {
		f.clock.Advance(100 * time.Millisecond)
	}
	require.LessOrEqual(t, called, 1)
	return out, called == 1
}

type wireCase struct {
	name   string
	client string // key of clients, or "big"
	tcp    bool
	query  []byte
	fast   bool // answered by the fast path
}

func wireCases(t testing.TB) []wireCase {
	q := func(name string, qtype uint16, mod func(*dns.Msg)) []byte {
		m := query(name, qtype)
		if mod != nil {
			mod(m)
		}
		return pack(t, m)
	}
	edns := func(size uint16, do bool) func(*dns.Msg) {
		return func(m *dns.Msg) { m.SetEdns0(size, do) }
	}
	plain := q("c2", dns.TypeA, nil)
	trailing := append(append([]byte{}, plain...), 0, 0, 0)
	// A question name that is a compression pointer into itself's header.
	pointer := append(append([]byte{}, plain[:12]...), 0xC0, 12, 0, 1, 0, 1)
	// Header only, QDCOUNT 1.
	headerOnly := append([]byte{}, plain[:12]...)
	noClass := plain[:len(plain)-2]
	cookie := q("c2", dns.TypeA, func(m *dns.Msg) {
		m.SetEdns0(1232, false)
		o := m.IsEdns0()
		o.Option = append(o.Option, &dns.EDNS0_COOKIE{Code: dns.EDNS0COOKIE, Cookie: "0102030405060708"})
	})
	badOpt := q("c2", dns.TypeA, edns(1232, false))
	binary.BigEndian.PutUint16(badOpt[len(badOpt)-2:], 5) // rdlength past the end
	chaos := q("c2", dns.TypeA, func(m *dns.Msg) { m.Question[0].Qclass = dns.ClassCHAOS })
	label := []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 'c', '.', '2', 'x', 0, 0, 1, 0, 1}
	return []wireCase{
		{"A", "c1", false, plain, true},
		{"A TCP", "c1", true, plain, true},
		{"A upper case", "c1", false, q("WeB", dns.TypeA, nil), true},
		{"A name.network", "c1", false, q("c2.LOCALNET", dns.TypeA, nil), true},
		{"A alias", "c1", false, q("web", dns.TypeA, nil), true},
		{"AAAA empty", "c1", false, q("c2", dns.TypeAAAA, nil), true},
		{"AAAA", "c1", false, q("c3", dns.TypeAAAA, nil), true},
		{"A no RD, CD", "c1", false, q("c2", dns.TypeA, func(m *dns.Msg) { m.RecursionDesired = false; m.CheckingDisabled = true }), true},
		{"A EDNS0", "c1", false, q("c2", dns.TypeA, edns(4096, false)), true},
		{"A EDNS0 DO", "c1", false, q("c2", dns.TypeA, edns(1232, true)), true},
		{"A EDNS0 tiny size", "c1", false, q("c2", dns.TypeA, edns(100, false)), true},
		{"A EDNS0 with a cookie", "c1", false, cookie, false},
		{"A EDNS0 broken", "c1", false, badOpt, false},
		{"many UDP truncated", "big", false, q("many", dns.TypeA, nil), true},
		{"many TCP", "big", true, q("many", dns.TypeA, nil), true},
		{"many EDNS0 fits", "big", false, q("many", dns.TypeA, edns(4096, false)), true},
		{"many EDNS0 1232 truncated", "big", false, q("many", dns.TypeA, edns(1232, false)), true},
		{"many AAAA truncated", "big", false, q("many", dns.TypeAAAA, nil), true},
		{"many AAAA EDNS0 truncated", "big", false, q("many", dns.TypeAAAA, edns(1000, true)), true},
		{"many AAAA TCP", "big", true, q("many", dns.TypeAAAA, nil), true},
		{"unknown name", "c1", false, q("example.com", dns.TypeA, nil), false},
		{"unknown client", "stranger", false, plain, false},
		{"PTR", "c1", false, q("3.0.18.172.in-addr.arpa", dns.TypePTR, nil), false},
		{"MX", "c1", false, q("c2", dns.TypeMX, nil), false},
		{"ndots", "c8", false, q("nosuchhost", dns.TypeA, nil), false},
		{"wildcard label", "c1", false, q("*.c2", dns.TypeA, nil), false},
		{"escaped dot in a label", "c1", false, label, false},
		{"class CHAOS", "c1", false, chaos, false},
		{"two questions", "c1", false, q("c2", dns.TypeA, func(m *dns.Msg) { m.Question = append(m.Question, m.Question[0]) }), false},
		{"no question", "c1", false, q("c2", dns.TypeA, func(m *dns.Msg) { m.Question = nil }), false},
		{"header only", "c1", false, headerOnly, false},
		{"no class", "c1", false, noClass, false},
		{"trailing bytes", "c1", false, trailing, false},
		{"compression pointer", "c1", false, pointer, false},
		{"notify", "c1", false, q("c2", dns.TypeA, func(m *dns.Msg) { m.Opcode = dns.OpcodeNotify }), false},
		{"response", "c1", false, q("c2", dns.TypeA, func(m *dns.Msg) { m.Response = true }), false},
		{"short", "c1", false, plain[:11], false},
		{"garbage", "c1", false, []byte("\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3f"), false},
	}
}

// TestFastSlowIdentical proves that the fast path and the miekg path give
// byte-identical answers, logs and counters, query after query (so the RNG
// is consumed the same way too).
func TestFastSlowIdentical(t *testing.T) {
	fast, slow := newFixture(t, nil), newFixture(t, nil)
	slow.s.noFast = true
	big := addMany(t, fast.s)
	addMany(t, slow.s)
	clientOf := func(tc wireCase) Client {
		c := clients[tc.client]
		if tc.client == "big" {
			c = big
		}
		c.TCP = tc.tcp
		return c
	}
	for round := range 3 {
		for _, tc := range wireCases(t) {
			t.Run(fmt.Sprintf("%d/%s", round, tc.name), func(t *testing.T) {
				before := fast.s.Counters().FastPath
				a, aok := fast.serve(t, tc.query, clientOf(tc))
				b, bok := slow.serve(t, tc.query, clientOf(tc))
				assert.Equal(t, bok, aok)
				assert.Equal(t, b, a, "fast and slow answers differ")
				assert.Equal(t, tc.fast, fast.s.Counters().FastPath > before, "fast path taken")
			})
		}
	}
	fc, sc := fast.s.Counters(), slow.s.Counters()
	assert.NotZero(t, fc.FastPath)
	fc.FastPath = 0
	assert.Equal(t, sc, fc)
	assert.Equal(t, slow.s.Log(), fast.s.Log())
}

func TestWireTruncation(t *testing.T) {
	tests := []struct {
		name    string
		tcp     bool
		qtype   uint16
		edns    uint16
		answers int
		tc      bool
		maxLen  int
	}{
		{"UDP 512", false, dns.TypeA, 0, 30, true, 512},
		{"UDP EDNS0 4096", false, dns.TypeA, 4096, 40, false, 4096},
		{"UDP AAAA 512", false, dns.TypeAAAA, 0, 17, true, 512},
		{"TCP", true, dns.TypeA, 0, 40, false, 65535},
		{"TCP AAAA", true, dns.TypeAAAA, 0, 40, false, 65535},
	}
	for _, tc := range tests {
		for _, noFast := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/noFast=%v", tc.name, noFast), func(t *testing.T) {
				f := newFixture(t, nil)
				f.s.noFast = noFast
				c := addMany(t, f.s)
				c.TCP = tc.tcp
				q := query("many", tc.qtype)
				if tc.edns != 0 {
					q.SetEdns0(tc.edns, false)
				}
				b, ok := f.serve(t, pack(t, q), c)
				require.True(t, ok)
				assert.LessOrEqual(t, len(b), tc.maxLen)
				m := new(dns.Msg)
				require.NoError(t, m.Unpack(b))
				assert.Equal(t, tc.tc, m.Truncated, "TC")
				assert.Len(t, m.Answer, tc.answers)
				assert.Equal(t, dns.RcodeSuccess, m.Rcode)
				if tc.tc {
					assert.Equal(t, uint64(1), f.s.Counters().Truncated)
				}
			})
		}
	}
}

func TestWireForwardedTruncation(t *testing.T) {
	f := newFixture(t, nil)
	var big []string
	for i := range 60 {
		big = append(big, fmt.Sprintf("$NAME 300 IN A 10.9.0.%d", i))
	}
	f.ex.ups[node1] = &upstream{answer: big}
	q := pack(t, query("big.example", dns.TypeA))
	b, ok := f.serve(t, q, clients["c1"])
	require.True(t, ok)
	assert.LessOrEqual(t, len(b), 512)
	m := new(dns.Msg)
	require.NoError(t, m.Unpack(b))
	assert.True(t, m.Truncated)

	// The stub retries over TCP: the whole answer, from the cache.
	c := clients["c1"]
	c.TCP = true
	b, ok = f.serve(t, q, c)
	require.True(t, ok)
	require.NoError(t, m.Unpack(b))
	assert.False(t, m.Truncated)
	assert.Len(t, m.Answer, 60)
	assert.Len(t, f.ex.calls, 1)
}

func TestWireMalformed(t *testing.T) {
	tests := []struct {
		name    string
		query   []byte
		formerr bool // else dropped
	}{
		{"empty", nil, false},
		{"short", []byte{1, 2, 3}, false},
		{"11 bytes", make([]byte, 11), false},
		{"response", []byte{0xab, 0xcd, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0}, false},
		{"name runs off the end", []byte{0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a'}, true},
		{"reserved label type", []byte{0xab, 0xcd, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1}, true},
		{"answer record cut short", []byte{0xab, 0xcd, 1, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1, 1, 'a', 0, 0}, true},
		{"header only, no question", []byte{0xab, 0xcd, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			b, ok := f.serve(t, tc.query, clients["c1"])
			require.True(t, ok, "done is always called")
			if !tc.formerr {
				assert.Nil(t, b)
				ctr := f.s.Counters()
				assert.Equal(t, uint64(1), ctr.DropShort+ctr.DropResponse)
				return
			}
			require.GreaterOrEqual(t, len(b), 12)
			m := new(dns.Msg)
			require.NoError(t, m.Unpack(b))
			assert.Equal(t, uint16(0xabcd), m.Id)
			assert.True(t, m.Response)
			assert.Equal(t, dns.RcodeFormatError, m.Rcode)
			assert.Equal(t, uint64(1), f.s.Counters().FormErr)
			log := f.s.Log()
			require.Len(t, log, 1)
			assert.Equal(t, SourceFormErr, log[0].Source)
			assert.Equal(t, "FORMERR", log[0].Rcode)
			assert.Equal(t, "c1", log[0].Endpoint)
			assert.Empty(t, log[0].Type, "no question was read")
		})
	}
}

// TestWireOutBuffer checks that the answer lands in out when it fits and in
// a new buffer otherwise.
func TestWireOutBuffer(t *testing.T) {
	for _, noFast := range []bool{false, true} {
		f := newFixture(t, nil)
		f.s.noFast = noFast
		q := pack(t, query("c2", dns.TypeA))
		out := make([]byte, 0, 512)
		var got []byte
		f.s.ServeWire(q, clients["c1"], out, func(b []byte) { got = b })
		require.NotNil(t, got)
		assert.Same(t, &out[:1][0], &got[0], "noFast=%v: answer in out", noFast)

		var small []byte
		f.s.ServeWire(q, clients["c1"], make([]byte, 0, 8), func(b []byte) { small = b })
		require.NotNil(t, small)
		m := new(dns.Msg)
		require.NoError(t, m.Unpack(small))
		assert.Equal(t, []string{"c2.\t600\tIN\tA\t172.18.0.3"}, rrs(m))

		var nilOut []byte
		f.s.ServeWire(q, clients["c1"], nil, func(b []byte) { nilOut = b })
		assert.NotEmpty(t, nilOut)
	}
}

func TestFastPathAllocs(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name string
		q    *dns.Msg
		c    Client
	}{
		{"A", query("c2", dns.TypeA), clients["c1"]},
		{"A alias, two answers", query("web", dns.TypeA), clients["c1"]},
		{"AAAA EDNS0", func() *dns.Msg { m := query("c3", dns.TypeAAAA); m.SetEdns0(1232, true); return m }(), clients["c1"]},
		{"A name.network", query("c4.backend", dns.TypeA), clients["c2"]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := pack(t, tc.q)
			out := make([]byte, 0, 512)
			n := 0
			done := func(b []byte) { n = len(b) }
			// Wrap the log ring once: its slots keep their buffers after
			// first use, so the steady state allocates nothing.
			for range DefaultLogSize {
				f.s.ServeWire(q, tc.c, out, done)
			}
			before := f.s.Counters().FastPath
			allocs := testing.AllocsPerRun(200, func() { f.s.ServeWire(q, tc.c, out, done) })
			assert.Zero(t, allocs)
			assert.NotZero(t, n)
			assert.Greater(t, f.s.Counters().FastPath, before)
		})
	}
}
