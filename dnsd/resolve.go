package dnsd

import (
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// pending is a query waiting for upstreams. Its fields are guarded by the
// server's mutex.
type pending struct {
	q          *dns.Msg // the client's query, as forwarded; never modified
	c          Client
	ep         *endpoint
	done       func(*dns.Msg)
	ups        []netip.AddrPort // in the order they are tried
	next       int              // index in ups of the next attempt
	attempt    int              // number of the current attempt; older callbacks are late
	attempts   int
	start      time.Duration
	key        cacheKey
	cacheable  bool
	answeredBy netip.AddrPort
	finished   bool
}

// Resolve answers q for client c and calls done with the response, which
// the caller then owns. Answers the server knows (internal names, the
// cache, errors) call done before Resolve returns; forwarded queries call
// it later, from the goroutine that delivers the upstream's reply. A query
// that must be dropped (nil, or a response) gets done(nil). UDP answers are
// truncated to the client's limit (dns.Msg.Truncate); TCP ones are not.
// q is borrowed for the call.
func (s *Server) Resolve(q *dns.Msg, c Client, done func(*dns.Msg)) {
	s.resolve(q, c, done, true)
}

func (s *Server) resolve(q *dns.Msg, c Client, done func(*dns.Msg), copyQ bool) {
	s.mu.Lock()
	resp, p := s.resolveLocked(q, c, copyQ)
	if p == nil {
		s.mu.Unlock()
		done(resp)
		return
	}
	p.done = done
	s.mu.Unlock()
	s.attempt(p)
}

// resolveLocked answers q from what the server knows, or returns a pending
// forward. It is called with s.mu held.
func (s *Server) resolveLocked(q *dns.Msg, c Client, copyQ bool) (*dns.Msg, *pending) {
	s.ctr.Queries++
	if q == nil || q.Response {
		s.ctr.DropResponse++
		return nil, nil
	}
	ep := s.clientEndpoint(c)
	if q.Opcode != dns.OpcodeQuery {
		s.ctr.NotImp++
		resp := new(dns.Msg).SetRcode(q, dns.RcodeNotImplemented)
		return s.finish(q, c, ep, resp, SourceNotImp, nil, true), nil
	}
	if len(q.Question) != 1 {
		s.ctr.FormErr++
		resp := new(dns.Msg).SetRcode(q, dns.RcodeFormatError)
		return s.finish(q, c, ep, resp, SourceFormErr, nil, true), nil
	}
	if ep == nil {
		s.ctr.UnknownClient++
		s.ctr.Refused++
		resp := s.reply(q)
		resp.Rcode = dns.RcodeRefused
		return s.finish(q, c, ep, resp, SourceRefused, nil, true), nil
	}
	if resp := s.internal(q, ep); resp != nil {
		s.ctr.Internal++
		return s.finish(q, c, ep, resp, SourceInternal, nil, true), nil
	}
	qq := q.Question[0]
	if (qq.Qtype == dns.TypeA || qq.Qtype == dns.TypeAAAA) && ep.sb.ndots {
		if name := trimDot(qq.Name); name != "" && !strings.Contains(name, ".") {
			s.ctr.Ndots++
			return s.finish(q, c, ep, s.reply(q), SourceNdots, nil, true), nil
		}
	}

	ups := s.upstreams(ep.sb)
	if len(ups) == 0 || s.cfg.Exchanger == nil {
		return s.servfail(q, c, ep, nil), nil
	}
	now := s.now()
	opt := q.IsEdns0()
	key := cacheKey{
		name:   lowerString(qq.Name),
		qtype:  qq.Qtype,
		qclass: qq.Qclass,
		ups:    upstreamKey(ups),
	}
	if len(ep.sb.dns) > 0 {
		// A sandbox's own --dns servers are asked from its namespace, where
		// they may be unreachable (an internal network) or answer
		// differently: its answers are its own.
		key.ups += "@" + ep.sb.id
	}
	if opt != nil {
		key.do = opt.Do()
		key.ups += "+edns"
	}
	if s.cache != nil {
		if e := s.cache.get(key, now); e != nil {
			s.ctr.CacheHits++
			resp := agedCopy(e, now)
			resp.Id = q.Id
			resp.Question = []dns.Question{qq}
			p := &pending{answeredBy: e.upstream, start: now}
			return s.finish(q, c, ep, resp, SourceCache, p, false), nil
		}
	}
	if s.inFlight >= s.cfg.MaxInFlight {
		s.ctr.Refused++
		resp := s.reply(q)
		resp.Rcode = dns.RcodeRefused
		return s.finish(q, c, ep, resp, SourceRefused, nil, true), nil
	}
	fq := q
	if copyQ {
		fq = q.Copy()
	}
	p := &pending{
		q:         fq,
		c:         c,
		ep:        ep,
		ups:       s.order(ups, now),
		start:     now,
		key:       key,
		cacheable: s.cache != nil,
	}
	s.inFlight++
	s.ctr.Forwarded++
	return nil, p
}

func upstreamKey(ups []netip.AddrPort) string {
	var b strings.Builder
	for i, u := range ups {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(u.String())
	}
	return b.String()
}

// attempt sends p's query to its next upstream. It is called without the
// lock.
func (s *Server) attempt(p *pending) {
	s.mu.Lock()
	u, n := s.nextAttempt(p)
	s.mu.Unlock()
	s.exchange(p, u, n)
}

// nextAttempt reserves p's next upstream and attempt number; called with
// the lock held, so that a late or duplicate reply to the attempt before
// it is recognised as such from now on.
func (s *Server) nextAttempt(p *pending) (netip.AddrPort, int) {
	u := p.ups[p.next]
	p.next++
	p.attempt++
	p.attempts++
	s.ctr.Attempts++
	return u, p.attempt
}

// exchange sends attempt n of p to u; called without the lock.
func (s *Server) exchange(p *pending, u netip.AddrPort, n int) {
	s.cfg.Exchanger.Exchange(p.q, u, s.cfg.UpstreamTimeout, func(resp *dns.Msg, err error) {
		s.upstreamReply(p, n, u, resp, err)
	})
}

// upstreamReply handles the outcome of attempt n of p, sent to u.
func (s *Server) upstreamReply(p *pending, n int, u netip.AddrPort, resp *dns.Msg, err error) {
	s.mu.Lock()
	if p.finished || n != p.attempt {
		s.ctr.LateReplies++
		s.mu.Unlock()
		return
	}
	now := s.now()
	qq := p.q.Question[0]
	switch {
	case err != nil || resp == nil || !sameQuestion(resp, qq):
		s.ctr.UpstreamFail++
		s.failed(u, now)
		s.log.Debug("[resolver] upstream failed", "upstream", u, "name", qq.Name, "err", err)
	case resp.Rcode == dns.RcodeServerFailure || resp.Rcode == dns.RcodeRefused:
		s.ctr.UpstreamRcode++
		s.alive(u)
	default:
		s.alive(u)
		if ttl, ok := cacheTTL(resp); ok && p.cacheable && s.cache != nil {
			ttl = min(ttl, s.cfg.CacheMaxTTL)
			s.ctr.CacheEvicted += uint64(s.cache.put(&cacheEntry{
				key:      p.key,
				msg:      resp.Copy(),
				upstream: u,
				stored:   now,
				expires:  now + ttl,
			}))
		}
		resp.Id = p.q.Id
		p.answeredBy = u
		s.ctr.Upstream++
		out := s.finish(p.q, p.c, p.ep, resp, SourceUpstream, p, false)
		s.done(p)
		s.mu.Unlock()
		p.done(out)
		return
	}
	if p.next < len(p.ups) {
		u, n := s.nextAttempt(p)
		s.mu.Unlock()
		s.exchange(p, u, n)
		return
	}
	out := s.servfail(p.q, p.c, p.ep, p)
	s.done(p)
	s.mu.Unlock()
	p.done(out)
}

func (s *Server) done(p *pending) {
	p.finished = true
	s.inFlight--
}

// sameQuestion reports whether an upstream's response answers question q
// (a response without a question section is accepted).
func sameQuestion(resp *dns.Msg, q dns.Question) bool {
	if len(resp.Question) == 0 {
		return true
	}
	r := resp.Question[0]
	return r.Qtype == q.Qtype && r.Qclass == q.Qclass && strings.EqualFold(r.Name, q.Name)
}

func (s *Server) servfail(q *dns.Msg, c Client, ep *endpoint, p *pending) *dns.Msg {
	s.ctr.ServFail++
	resp := s.reply(q)
	resp.Rcode = dns.RcodeServerFailure
	return s.finish(q, c, ep, resp, SourceFailed, p, true)
}

// reply starts a response to q the way Docker's resolver does: the
// question, RD and CD copied, RA set, compression on.
func (s *Server) reply(q *dns.Msg) *dns.Msg {
	resp := new(dns.Msg)
	resp.SetReply(q)
	resp.RecursionAvailable = true
	resp.Compress = true
	return resp
}

// finish completes a response: it adds an OPT record to the server's own
// answers to EDNS0 queries, truncates UDP answers to the client's limit,
// counts and logs. It is called with s.mu held.
func (s *Server) finish(q *dns.Msg, c Client, ep *endpoint, resp *dns.Msg, src Source, p *pending, own bool) *dns.Msg {
	resp.Compress = true // as Docker does, also for upstream answers
	opt := q.IsEdns0()
	if own && opt != nil {
		resp.SetEdns0(s.cfg.EDNSSize, opt.Do())
	}
	tc := resp.Truncated
	if !c.TCP {
		resp.Truncate(udpLimit(opt))
	} else if resp.Len() > dns.MaxMsgSize {
		resp.Truncate(dns.MaxMsgSize)
	}
	if resp.Truncated && !tc {
		s.ctr.Truncated++
	}
	s.logMsg(c, ep, q, resp, src, p)
	return resp
}

// udpLimit is the largest UDP answer a client accepts: 512 bytes, or its
// EDNS0 payload size if larger.
func udpLimit(opt *dns.OPT) int {
	if opt != nil && int(opt.UDPSize()) > dns.MinMsgSize {
		return int(opt.UDPSize())
	}
	return dns.MinMsgSize
}

// internal answers q from the registered names, or returns nil when the
// query must go on (forwarded, or the ndots rule).
func (s *Server) internal(q *dns.Msg, ep *endpoint) *dns.Msg {
	qq := q.Question[0]
	if qq.Qclass != dns.ClassINET {
		return nil
	}
	var buf [256]byte
	switch qq.Qtype {
	case dns.TypeA, dns.TypeAAAA:
		eps := lookup(ep.sb, nameKey(buf[:0], qq.Name))
		if eps == nil {
			return nil
		}
		v6 := qq.Qtype == dns.TypeAAAA
		addrs := collect(s.addrs[:0], eps, v6)
		s.addrs = addrs[:0]
		s.rand.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })
		resp := s.reply(q)
		for _, a := range addrs {
			h := dns.RR_Header{Name: qq.Name, Rrtype: qq.Qtype, Class: dns.ClassINET, Ttl: s.respTTL}
			if v6 {
				resp.Answer = append(resp.Answer, &dns.AAAA{Hdr: h, AAAA: net.IP(a.AsSlice())})
			} else {
				resp.Answer = append(resp.Answer, &dns.A{Hdr: h, A: net.IP(a.AsSlice())})
			}
		}
		return resp
	case dns.TypePTR:
		a, ok := parsePTR(nameKey(buf[:0], qq.Name))
		if !ok {
			return nil
		}
		target := lookupPTR(ep.sb, a)
		if target == "" {
			return nil
		}
		resp := s.reply(q)
		resp.Answer = append(resp.Answer, &dns.PTR{
			Hdr: dns.RR_Header{Name: qq.Name, Rrtype: dns.TypePTR, Class: dns.ClassINET, Ttl: s.respTTL},
			Ptr: target,
		})
		return resp
	case dns.TypeMX:
		// A known name has no MX: an empty NOERROR lets mail clients fall
		// back to its address (RFC 5321 §5.1).
		if lookup(ep.sb, nameKey(buf[:0], qq.Name)) == nil {
			return nil
		}
		return s.reply(q)
	}
	return nil
}

// nameKey appends the lookup key of a presentation-format name to dst:
// lower case, without the trailing dot.
func nameKey(dst []byte, name string) []byte {
	dst = append(dst, trimDot(name)...)
	lowerBytes(dst)
	return dst
}

// parsePTR parses a lower-case reverse name without the trailing dot
// ("4.3.2.1.in-addr.arpa", or 32 nibbles then "ip6.arpa").
func parsePTR(key []byte) (netip.Addr, bool) {
	const v4, v6 = ".in-addr.arpa", ".ip6.arpa"
	k := string(key)
	if rest, ok := strings.CutSuffix(k, v4); ok {
		var b [4]byte
		for i := 3; i >= 0; i-- {
			label := rest
			if i > 0 {
				j := strings.IndexByte(rest, '.')
				if j < 0 {
					return netip.Addr{}, false
				}
				label, rest = rest[:j], rest[j+1:]
			} else if strings.IndexByte(rest, '.') >= 0 {
				return netip.Addr{}, false
			}
			v, ok := decOctet(label)
			if !ok {
				return netip.Addr{}, false
			}
			b[i] = v
		}
		return netip.AddrFrom4(b), true
	}
	if rest, ok := strings.CutSuffix(k, v6); ok {
		if len(rest) != 63 {
			return netip.Addr{}, false
		}
		var b [16]byte
		for i := 0; i < 32; i++ {
			c := rest[2*i]
			if i < 31 && rest[2*i+1] != '.' {
				return netip.Addr{}, false
			}
			var v byte
			switch {
			case '0' <= c && c <= '9':
				v = c - '0'
			case 'a' <= c && c <= 'f':
				v = c - 'a' + 10
			default:
				return netip.Addr{}, false
			}
			n := 31 - i // nibbles come least significant first
			if n%2 == 0 {
				b[n/2] |= v << 4
			} else {
				b[n/2] |= v
			}
		}
		return netip.AddrFrom16(b), true
	}
	return netip.Addr{}, false
}

func decOctet(s string) (byte, bool) {
	if len(s) == 0 || len(s) > 3 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	if v > 255 {
		return 0, false
	}
	return byte(v), true
}
