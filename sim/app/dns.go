package app

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"

	"github.com/vswitch/vswitch/sim/tcp"
)

// DNSHandler answers a DNS query from client. It returns nil to send no
// answer. ServeDNS may modify the returned message (ID, flags, truncation),
// so return a fresh one each time.
type DNSHandler func(req *dns.Msg, client netip.Addr) *dns.Msg

// StaticTTL is the TTL of StaticZone's records.
const StaticTTL = 60

// TCPListener is what a TCP server needs from a stack: *tcp.Stack
// satisfies it, and so does a dispatcher sharing one port.
type TCPListener interface {
	Listen(port uint16, accept func(*tcp.Conn)) error
}

// ServeDNS serves h on port over UDP (if u is not nil) and TCP (if st is
// not nil). UDP answers larger than 512 bytes, or than the EDNS buffer size
// the query advertises, are truncated with the TC bit set, so that clients
// retry over TCP, where messages carry a 2-byte length prefix (RFC 1035
// 4.2.2) and a connection serves queries until the client closes it.
// Queries that do not parse get FORMERR when their header is readable.
func ServeDNS(u UDP, st TCPListener, port uint16, h DNSHandler) error {
	if u != nil {
		err := u.ListenUDP(port, func(from, to netip.AddrPort, data []byte) {
			out := answerDNS(data, from.Addr(), h, true)
			if out != nil {
				u.SendUDP(to, from, out)
			}
		})
		if err != nil {
			return fmt.Errorf("dns server: %w", err)
		}
	}
	if st != nil {
		err := st.Listen(port, func(c *tcp.Conn) {
			var buf []byte
			c.OnData(func(b []byte) {
				buf = append(buf, b...)
				for len(buf) >= 2 {
					l := int(binary.BigEndian.Uint16(buf))
					if len(buf) < 2+l {
						return
					}
					out := answerDNS(buf[2:2+l], c.RemoteAddr().Addr(), h, false)
					buf = buf[2+l:]
					if out == nil {
						continue
					}
					frame := make([]byte, 2+len(out))
					binary.BigEndian.PutUint16(frame, uint16(len(out)))
					copy(frame[2:], out)
					c.Write(frame)
				}
			})
			c.OnClose(func(err error) {
				if err == nil {
					c.Close()
				}
			})
		})
		if err != nil {
			if u != nil {
				u.CloseUDP(port)
			}
			return fmt.Errorf("dns server: %w", err)
		}
	}
	return nil
}

// answerDNS runs h on one query and packs the answer, or returns nil for
// no answer.
func answerDNS(data []byte, client netip.Addr, h DNSHandler, udp bool) []byte {
	req := new(dns.Msg)
	if err := req.Unpack(data); err != nil {
		if len(data) < 12 || data[2]&0x80 != 0 {
			return nil // no header, or a response: never answer
		}
		m := new(dns.Msg)
		m.Id = binary.BigEndian.Uint16(data)
		m.Response = true
		m.Rcode = dns.RcodeFormatError
		out, _ := m.Pack()
		return out
	}
	if req.Response {
		return nil
	}
	resp := h(req, client)
	if resp == nil {
		return nil
	}
	resp.Id = req.Id
	resp.Response = true
	resp.Opcode = req.Opcode
	resp.RecursionDesired = req.RecursionDesired
	if len(resp.Question) == 0 {
		resp.Question = req.Question
	}
	resp.Compress = true
	size := dns.MaxMsgSize
	if udp {
		size = dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = max(int(opt.UDPSize()), dns.MinMsgSize)
		}
	}
	out, err := resp.Pack()
	if err == nil && len(out) > size {
		resp.Truncate(size)
		out, err = resp.Pack()
	}
	if err != nil {
		m := new(dns.Msg)
		m.SetRcode(req, dns.RcodeServerFailure)
		out, _ = m.Pack()
	}
	return out
}

// StaticZone returns an authoritative handler for a fixed set of names.
// records maps a name (with or without the final dot, any case) to its
// addresses: IPv4 ones answer A queries, IPv6 ones AAAA queries, in the
// order given. Unknown names get NXDOMAIN; known names without records of
// the asked type get an empty NOERROR answer (NODATA). It fails on a bad
// name or address.
func StaticZone(records map[string][]string) (DNSHandler, error) {
	type rrset struct{ a, aaaa []netip.Addr }
	zone := make(map[string]*rrset, len(records))
	names := make([]string, 0, len(records))
	for name := range records {
		names = append(names, name)
	}
	slices.Sort(names) // a deterministic first error
	for _, name := range names {
		fqdn := dns.CanonicalName(name)
		if _, ok := dns.IsDomainName(fqdn); !ok || name == "" {
			return nil, fmt.Errorf("static zone: bad name %q", name)
		}
		set := zone[fqdn]
		if set == nil {
			set = &rrset{}
			zone[fqdn] = set
		}
		for _, v := range records[name] {
			a, err := netip.ParseAddr(strings.TrimSpace(v))
			if err != nil {
				return nil, fmt.Errorf("static zone: name %q: bad address %q", name, v)
			}
			if a.Is4() || a.Is4In6() {
				set.a = append(set.a, a.Unmap())
			} else {
				set.aaaa = append(set.aaaa, a)
			}
		}
	}
	return func(req *dns.Msg, _ netip.Addr) *dns.Msg {
		m := new(dns.Msg)
		if req.Opcode != dns.OpcodeQuery {
			return m.SetRcode(req, dns.RcodeNotImplemented)
		}
		if len(req.Question) != 1 {
			return m.SetRcode(req, dns.RcodeFormatError)
		}
		m.SetReply(req)
		m.Authoritative = true
		q := req.Question[0]
		set := zone[dns.CanonicalName(q.Name)]
		if set == nil {
			m.Rcode = dns.RcodeNameError
			return m
		}
		hdr := func(t uint16) dns.RR_Header {
			return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: StaticTTL}
		}
		if q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY {
			for _, a := range set.a {
				m.Answer = append(m.Answer, &dns.A{Hdr: hdr(dns.TypeA), A: a.AsSlice()})
			}
		}
		if q.Qtype == dns.TypeAAAA || q.Qtype == dns.TypeANY {
			for _, a := range set.aaaa {
				m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: a.AsSlice()})
			}
		}
		return m
	}, nil
}
