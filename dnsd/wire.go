package dnsd

import (
	"encoding/binary"

	"github.com/miekg/dns"
)

// Header flag bits (RFC 1035 §4.1.1).
const (
	flagQR     = 0x8000
	flagOpcode = 0x7800
	flagTC     = 0x0200
	flagRD     = 0x0100
	flagRA     = 0x0080
	flagCD     = 0x0010
	headerLen  = 12
	optLen     = 11 // an OPT RR without options: root name, type, class, TTL, rdlength
	maxWire    = 255
)

// ServeWire answers a raw DNS message (without the TCP length prefix) from
// client c and calls done with the raw answer, or with nil when the query
// is dropped. The answer is written into out when it fits in cap(out);
// out belongs to the server until done is called, which happens before
// ServeWire returns unless the query is forwarded. query is borrowed for
// the call.
//
// Queries with one A or AAAA question of class IN for an internal name take
// a fast path that builds the answer in out without miekg/dns values; the
// rest is unpacked and answered by Resolve. Both give the same bytes.
func (s *Server) ServeWire(query []byte, c Client, out []byte, done func([]byte)) {
	if !s.noFast && s.serveFast(query, c, out, done) {
		return
	}
	s.serveSlow(query, c, out, done)
}

func (s *Server) serveSlow(query []byte, c Client, out []byte, done func([]byte)) {
	if len(query) < headerLen {
		s.mu.Lock()
		s.ctr.Queries++
		s.ctr.DropShort++
		s.mu.Unlock()
		done(nil)
		return
	}
	if binary.BigEndian.Uint16(query[2:])&flagQR != 0 {
		s.mu.Lock()
		s.ctr.Queries++
		s.ctr.DropResponse++
		s.mu.Unlock()
		done(nil)
		return
	}
	m := new(dns.Msg)
	if err := m.Unpack(query); err != nil {
		s.mu.Lock()
		s.ctr.Queries++
		s.ctr.FormErr++
		s.logMsg(c, s.clientEndpoint(c), nil, &dns.Msg{MsgHdr: dns.MsgHdr{Rcode: dns.RcodeFormatError}}, SourceFormErr, nil)
		s.mu.Unlock()
		done(formErr(query, out))
		return
	}
	s.resolve(m, c, func(resp *dns.Msg) { done(s.pack(resp, out)) }, false)
}

// formErr writes a bare FORMERR answer for a query whose header is
// readable: its ID, opcode and RD bit, no sections.
func formErr(query, out []byte) []byte {
	if cap(out) < headerLen {
		out = make([]byte, headerLen)
	}
	out = out[:headerLen]
	clear(out)
	copy(out[:2], query[:2])
	flags := binary.BigEndian.Uint16(query[2:])
	binary.BigEndian.PutUint16(out[2:], flagQR|flags&(flagOpcode|flagRD)|dns.RcodeFormatError)
	return out
}

// pack writes resp into out (or a new buffer if it does not fit).
func (s *Server) pack(resp *dns.Msg, out []byte) []byte {
	if resp == nil {
		return nil
	}
	b, err := resp.PackBuffer(out[:cap(out)])
	if err != nil {
		s.mu.Lock()
		s.ctr.DropPack++
		s.mu.Unlock()
		s.log.Debug("[resolver] cannot pack answer", "err", err)
		return nil
	}
	return b
}

// fastQuery is what the fast path reads from a query.
type fastQuery struct {
	nameEnd int    // offset just past the question name
	qtype   uint16 // A or AAAA
	rd, cd  uint16 // flag bits to copy
	opt     bool
	do      bool
	limit   int // largest answer the client accepts (UDP)
}

// parseFast reads a query the fast path can answer: a standard query with
// one question of class IN and type A or AAAA, a name made of letters,
// digits, '-' and '_' without compression, and at most an OPT record
// without options; nothing after it. It writes the lookup key (lower case,
// dot-separated) into key and returns its length, or 0 if the query is not
// for the fast path.
func parseFast(q []byte, key *[maxWire]byte, fq *fastQuery) int {
	if len(q) < headerLen+5 {
		return 0
	}
	flags := binary.BigEndian.Uint16(q[2:])
	if flags&(flagQR|flagOpcode) != 0 {
		return 0
	}
	if binary.BigEndian.Uint16(q[4:]) != 1 || binary.BigEndian.Uint16(q[6:]) != 0 ||
		binary.BigEndian.Uint16(q[8:]) != 0 || binary.BigEndian.Uint16(q[10:]) > 1 {
		return 0
	}
	hasOpt := q[11] == 1
	off, k := headerLen, 0
	for {
		if off >= len(q) {
			return 0
		}
		l := int(q[off])
		off++
		if l == 0 {
			break
		}
		if l > 63 || off+l > len(q) || off+l-headerLen >= maxWire {
			return 0
		}
		if k > 0 {
			key[k] = '.'
			k++
		}
		for _, c := range q[off : off+l] {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '-', c == '_':
			case 'A' <= c && c <= 'Z':
				c += 'a' - 'A'
			default:
				return 0
			}
			key[k] = c
			k++
		}
		off += l
	}
	if k == 0 || off+4 > len(q) {
		return 0
	}
	fq.nameEnd = off
	fq.qtype = binary.BigEndian.Uint16(q[off:])
	if (fq.qtype != dns.TypeA && fq.qtype != dns.TypeAAAA) || binary.BigEndian.Uint16(q[off+2:]) != dns.ClassINET {
		return 0
	}
	off += 4
	fq.rd, fq.cd = flags&flagRD, flags&flagCD
	fq.opt, fq.do, fq.limit = false, false, dns.MinMsgSize
	if hasOpt {
		if off+optLen != len(q) || q[off] != 0 || binary.BigEndian.Uint16(q[off+1:]) != dns.TypeOPT ||
			binary.BigEndian.Uint16(q[off+9:]) != 0 {
			return 0
		}
		fq.opt = true
		fq.limit = max(int(binary.BigEndian.Uint16(q[off+3:])), dns.MinMsgSize)
		fq.do = binary.BigEndian.Uint16(q[off+7:])&0x8000 != 0
		off += optLen
	}
	if off != len(q) {
		return 0
	}
	return k
}

// serveFast answers an internal A or AAAA query straight into out. It
// reports false, having changed nothing, when the query needs the slow
// path.
func (s *Server) serveFast(q []byte, c Client, out []byte, done func([]byte)) bool {
	var key [maxWire]byte
	var fq fastQuery
	k := parseFast(q, &key, &fq)
	if k == 0 {
		return false
	}

	s.mu.Lock()
	ep := s.clientEndpoint(c)
	if ep == nil {
		s.mu.Unlock()
		return false
	}
	eps := lookup(ep.sb, key[:k])
	if eps == nil {
		s.mu.Unlock()
		return false
	}
	v6 := fq.qtype == dns.TypeAAAA
	addrs := collect(s.addrs[:0], eps, v6)
	s.addrs = addrs[:0]

	// Size the answer the way dns.Msg.Truncate does: uncompressed if it
	// fits, else compressed with as many records as fit.
	nameLen := fq.nameEnd - headerLen
	rdLen := 4
	if v6 {
		rdLen = 16
	}
	extra := 0
	if fq.opt {
		extra = optLen
	}
	qEnd := fq.nameEnd + 4
	n := len(addrs)
	compress := true
	size := qEnd + n*(2+10+rdLen) + extra
	if c.TCP {
		if size > dns.MaxMsgSize {
			s.mu.Unlock()
			return false
		}
	} else {
		if full := qEnd + n*(nameLen+10+rdLen) + extra; full <= fq.limit {
			compress, size = false, full
		} else {
			budget := fq.limit - extra
			l, fit := qEnd, 0
			if l < budget {
				for fit < n {
					l += 2 + 10 + rdLen
					if l > budget {
						break
					}
					fit++
					if l == budget {
						break
					}
				}
			}
			n = fit
			size = qEnd + n*(2+10+rdLen) + extra
		}
	}
	if cap(out) < size {
		s.mu.Unlock()
		return false
	}
	out = out[:size]

	s.rand.Shuffle(len(addrs), func(i, j int) { addrs[i], addrs[j] = addrs[j], addrs[i] })

	tc := n < len(addrs)
	copy(out[:2], q[:2])
	flags := uint16(flagQR|flagRA) | fq.rd | fq.cd
	if tc {
		flags |= flagTC
	}
	binary.BigEndian.PutUint16(out[2:], flags)
	binary.BigEndian.PutUint16(out[4:], 1)
	binary.BigEndian.PutUint16(out[6:], uint16(n))
	binary.BigEndian.PutUint16(out[8:], 0)
	binary.BigEndian.PutUint16(out[10:], 0)
	if fq.opt {
		out[11] = 1
	}
	off := headerLen + copy(out[headerLen:], q[headerLen:qEnd])
	for _, a := range addrs[:n] {
		if compress {
			out[off], out[off+1] = 0xC0, headerLen
			off += 2
		} else {
			off += copy(out[off:], q[headerLen:fq.nameEnd])
		}
		binary.BigEndian.PutUint16(out[off:], fq.qtype)
		binary.BigEndian.PutUint16(out[off+2:], dns.ClassINET)
		binary.BigEndian.PutUint32(out[off+4:], s.respTTL)
		binary.BigEndian.PutUint16(out[off+8:], uint16(rdLen))
		off += 10
		if v6 {
			b := a.As16()
			off += copy(out[off:], b[:])
		} else {
			b := a.As4()
			off += copy(out[off:], b[:])
		}
	}
	if fq.opt {
		out[off] = 0
		binary.BigEndian.PutUint16(out[off+1:], dns.TypeOPT)
		binary.BigEndian.PutUint16(out[off+3:], s.cfg.EDNSSize)
		var ttl uint32
		if fq.do {
			ttl = 0x8000
		}
		binary.BigEndian.PutUint32(out[off+5:], ttl)
		binary.BigEndian.PutUint16(out[off+9:], 0)
	}

	s.ctr.Queries++
	s.ctr.Internal++
	s.ctr.FastPath++
	if tc {
		s.ctr.Truncated++
	}
	if sl := s.ring.next(); sl != nil {
		sl.time = s.now()
		sl.client = c
		sl.endpoint = ep.Name
		sl.name = appendWireName(sl.name[:0], q[headerLen:fq.nameEnd])
		sl.hasQ = true
		sl.qtype = fq.qtype
		sl.rcode = dns.RcodeSuccess
		sl.tc = tc
		sl.source = SourceInternal
		for _, a := range addrs[:n] {
			sl.answers = append(sl.answers, answer{addr: a})
		}
	}
	s.mu.Unlock()
	done(out)
	return true
}

// appendWireName appends a validated uncompressed wire name in dotted form,
// case preserved, without the trailing dot.
func appendWireName(dst, name []byte) []byte {
	for i := 0; i < len(name) && name[i] != 0; {
		l := int(name[i])
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = append(dst, name[i+1:i+1+l]...)
		i += 1 + l
	}
	return dst
}
