package app

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

func testZone(t *testing.T) DNSHandler {
	t.Helper()
	big := make([]string, 40)
	for i := range big {
		big[i] = fmt.Sprintf("10.1.0.%d", i+1)
	}
	h, err := StaticZone(map[string][]string{
		"web.lab.test":  {"10.0.0.10", "10.0.0.11"},
		"V6.Lab.Test.":  {"fd00::1"},
		"both.lab.test": {"10.0.0.12", "fd00::2"},
		"big.lab.test":  big,
		"empty.lab":     nil,
	})
	require.NoError(t, err)
	return h
}

func answers(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		switch r := rr.(type) {
		case *dns.A:
			out = append(out, r.A.String())
		case *dns.AAAA:
			out = append(out, r.AAAA.String())
		}
	}
	return out
}

func TestStaticZone(t *testing.T) {
	h := testZone(t)
	tests := []struct {
		name      string
		qname     string
		qtype     uint16
		wantRcode int
		want      []string
	}{
		{"a", "web.lab.test.", dns.TypeA, dns.RcodeSuccess, []string{"10.0.0.10", "10.0.0.11"}},
		{"case insensitive", "WEB.lab.TEST.", dns.TypeA, dns.RcodeSuccess, []string{"10.0.0.10", "10.0.0.11"}},
		{"aaaa", "v6.lab.test.", dns.TypeAAAA, dns.RcodeSuccess, []string{"fd00::1"}},
		{"nodata", "v6.lab.test.", dns.TypeA, dns.RcodeSuccess, nil},
		{"any", "both.lab.test.", dns.TypeANY, dns.RcodeSuccess, []string{"10.0.0.12", "fd00::2"}},
		{"mx nodata", "web.lab.test.", dns.TypeMX, dns.RcodeSuccess, nil},
		{"empty name", "empty.lab.", dns.TypeA, dns.RcodeSuccess, nil},
		{"nxdomain", "nope.lab.test.", dns.TypeA, dns.RcodeNameError, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q := new(dns.Msg).SetQuestion(tc.qname, tc.qtype)
			m := h(q, clientAddr)
			assert.Equal(t, tc.wantRcode, m.Rcode)
			assert.True(t, m.Authoritative)
			assert.Equal(t, tc.want, answers(m))
			for _, rr := range m.Answer {
				assert.Equal(t, tc.qname, rr.Header().Name)
				assert.Equal(t, uint32(StaticTTL), rr.Header().Ttl)
			}
		})
	}
}

func TestStaticZoneErrors(t *testing.T) {
	_, err := StaticZone(map[string][]string{"ok.test": {"10.0.0.1"}, "b.test": {"not-an-ip"}, "a.test": {"1.2.3"}})
	assert.EqualError(t, err, `static zone: name "a.test": bad address "1.2.3"`)
	_, err = StaticZone(map[string][]string{"bad..name": {"10.0.0.1"}})
	assert.Error(t, err)
}

// dnsUDP sends q over UDP to the server's port 53 and returns the answer.
func (e *env) dnsUDP(t *testing.T, q *dns.Msg) *dns.Msg {
	t.Helper()
	out, err := q.Pack()
	require.NoError(t, err)
	reply, err, _ := e.exchange(t, netip.AddrPortFrom(serverAddr, 53), out, time.Second)
	require.NoError(t, err)
	m := new(dns.Msg)
	require.NoError(t, m.Unpack(reply))
	assert.LessOrEqual(t, len(reply), max(512, int(udpSize(q))))
	return m
}

func udpSize(q *dns.Msg) uint16 {
	if o := q.IsEdns0(); o != nil {
		return o.UDPSize()
	}
	return 512
}

func TestServeDNSUDP(t *testing.T) {
	tests := []struct {
		name      string
		qname     string
		edns      uint16
		wantRcode int
		wantTC    bool
		wantN     int
	}{
		{"a", "web.lab.test.", 0, dns.RcodeSuccess, false, 2},
		{"nxdomain", "x.lab.test.", 0, dns.RcodeNameError, false, 0},
		{"truncated at 512", "big.lab.test.", 0, dns.RcodeSuccess, true, -1},
		{"edns 4096 fits", "big.lab.test.", 4096, dns.RcodeSuccess, false, 40},
		{"edns 600 truncated", "big.lab.test.", 600, dns.RcodeSuccess, true, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, ServeDNS(e.sh, e.ss, 53, testZone(t)))
			q := new(dns.Msg).SetQuestion(tc.qname, dns.TypeA)
			q.Id = 4242
			if tc.edns != 0 {
				q.SetEdns0(tc.edns, false)
			}
			m := e.dnsUDP(t, q)
			assert.Equal(t, uint16(4242), m.Id)
			assert.True(t, m.Response)
			assert.Equal(t, tc.wantRcode, m.Rcode)
			assert.Equal(t, tc.wantTC, m.Truncated)
			if tc.wantN >= 0 {
				assert.Len(t, m.Answer, tc.wantN)
			} else {
				assert.Less(t, len(m.Answer), 40)
			}
		})
	}
}

func TestServeDNSFormErr(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, ServeDNS(e.sh, nil, 53, testZone(t)))
	// A header and a question that runs off the end.
	reply, err, _ := e.exchange(t, netip.AddrPortFrom(serverAddr, 53), []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'a'}, time.Second)
	require.NoError(t, err)
	m := new(dns.Msg)
	require.NoError(t, m.Unpack(reply))
	assert.Equal(t, uint16(0x1234), m.Id)
	assert.Equal(t, dns.RcodeFormatError, m.Rcode)
	// Too short for a header, and a response: no answer.
	_, err, _ = e.exchange(t, netip.AddrPortFrom(serverAddr, 53), []byte{1, 2, 3}, time.Second)
	assert.ErrorIs(t, err, ErrTimeout)
	resp := new(dns.Msg).SetQuestion("web.lab.test.", dns.TypeA)
	resp.Response = true
	out, _ := resp.Pack()
	_, err, _ = e.exchange(t, netip.AddrPortFrom(serverAddr, 53), out, time.Second)
	assert.ErrorIs(t, err, ErrTimeout)
}

func TestServeDNSTCP(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, ServeDNS(e.sh, e.ss, 53, testZone(t)))
	c, buf, closed := rawClient(t, e, 53)
	// Two queries in one write, the second one split off at its end.
	var wire []byte
	for i, name := range []string{"big.lab.test.", "web.lab.test."} {
		q := new(dns.Msg).SetQuestion(name, dns.TypeA)
		q.Id = uint16(i + 1)
		out, err := q.Pack()
		require.NoError(t, err)
		wire = binary.BigEndian.AppendUint16(wire, uint16(len(out)))
		wire = append(wire, out...)
	}
	c.Write(wire[:len(wire)-3])
	e.runUntil(t, 10*time.Millisecond, func() bool { return false })
	c.Write(wire[len(wire)-3:])
	e.runUntil(t, time.Second, func() bool { return false })
	var got []*dns.Msg
	b := buf.Bytes()
	for len(b) >= 2 {
		l := int(binary.BigEndian.Uint16(b))
		require.GreaterOrEqual(t, len(b), 2+l)
		m := new(dns.Msg)
		require.NoError(t, m.Unpack(b[2:2+l]))
		got = append(got, m)
		b = b[2+l:]
	}
	require.Len(t, got, 2)
	assert.Equal(t, uint16(1), got[0].Id)
	assert.False(t, got[0].Truncated)
	assert.Len(t, got[0].Answer, 40)
	assert.Equal(t, uint16(2), got[1].Id)
	assert.Len(t, got[1].Answer, 2)
	// The server closes when the client does.
	c.Close()
	e.runUntil(t, time.Second, func() bool { return *closed })
	assert.True(t, *closed)
}
