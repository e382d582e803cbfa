package dnsd

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"
)

// FuzzServeWire feeds arbitrary bytes to ServeWire over UDP or TCP, once
// with the fast path and once without. Invariants: no panic; both give the
// same bytes; queries without a readable header or with QR set are
// dropped; everything else gets a well-formed answer with the query's ID,
// FORMERR when miekg cannot parse the query; UDP answers fit the client's
// limit.
func FuzzServeWire(f *testing.F) {
	fast, slow := newFixture(f, nil), newFixture(f, nil)
	slow.s.noFast = true
	for _, fx := range []*fixture{fast, slow} {
		for i := range 40 {
			require.NoError(f, fx.s.AddEndpoint(Endpoint{
				Network: "localnet",
				Name:    fmt.Sprintf("m%d", i),
				Aliases: []string{"many"},
				IPv4:    netip.AddrFrom4([4]byte{172, 18, 1, byte(i)}),
				IPv6:    netip.AddrFrom16([16]byte{0: 0xfd, 14: 1, 15: byte(i)}),
			}))
		}
		fx.ex.ups[node1] = &upstream{answer: []string{answerA}}
	}
	f.Fuzz(func(t *testing.T, query []byte, tcp bool) {
		fast.ex.reset()
		slow.ex.reset()
		c := clients["c1"]
		c.TCP = tcp
		a, aok := fast.serve(t, query, c)
		b, bok := slow.serve(t, query, c)
		require.True(t, aok && bok, "done must be called")
		require.Equal(t, b, a, "fast and slow paths differ")

		if len(query) < headerLen || query[2]&0x80 != 0 {
			require.Nil(t, a, "must be dropped")
			return
		}
		require.NotNil(t, a, "must be answered")
		m := new(dns.Msg)
		require.NoError(t, m.Unpack(a), "answer must parse")
		require.Equal(t, query[0], a[0])
		require.Equal(t, query[1], a[1])
		require.True(t, m.Response)

		q := new(dns.Msg)
		limit := dns.MinMsgSize
		if err := q.Unpack(query); err != nil {
			require.Equal(t, dns.RcodeFormatError, m.Rcode, "malformed query: FORMERR")
		} else if opt := q.IsEdns0(); opt != nil {
			limit = max(limit, int(opt.UDPSize()))
		}
		if !tcp {
			require.LessOrEqual(t, len(a), limit, "UDP answer over the client's limit")
		}
	})
}
