package dnsd

import (
	"net/netip"
	"strconv"
	"time"

	"github.com/miekg/dns"
)

// Source says where an answer came from.
type Source string

// Sources of answers, as recorded in the query log.
const (
	SourceInternal Source = "internal" // registered names
	SourceNdots    Source = "ndots"    // empty NOERROR for a single-label name
	SourceCache    Source = "cache"    // a cached upstream answer
	SourceUpstream Source = "upstream" // an upstream's answer
	SourceRefused  Source = "refused"  // REFUSED: in-flight cap or unknown client
	SourceFailed   Source = "failed"   // SERVFAIL: every upstream failed, or none
	SourceFormErr  Source = "formerr"  // FORMERR: malformed query
	SourceNotImp   Source = "notimp"   // NOTIMP: opcode other than QUERY
)

// LogEntry records one answered query.
type LogEntry struct {
	Seq      uint64        // position in the stream of all entries, from 1
	Time     time.Duration // when the answer was sent
	Latency  time.Duration // time spent waiting for upstreams
	Client   Client
	Endpoint string // container name of the querying endpoint, if known
	Network  string // the client's network
	Name     string // as asked, without the trailing dot
	Type     string // "A", "AAAA", "PTR", ...; empty without a question
	Rcode    string // "NOERROR", "NXDOMAIN", ...
	Answers  []string
	Upstream string // the upstream that answered (also for cache hits)
	Attempts int    // upstream exchanges made for this query
	Source   Source
	TC       bool // the answer was truncated
}

// answer is a log slot's record of one answer RR: an address, or text.
type answer struct {
	addr netip.Addr
	text string
}

// logSlot is a reusable ring entry; its slices keep their capacity so that
// the fast path logs without allocating.
type logSlot struct {
	seq      uint64
	time     time.Duration
	latency  time.Duration
	client   Client
	endpoint string
	name     []byte
	hasQ     bool // a question was read
	qtype    uint16
	rcode    int
	answers  []answer
	upstream netip.AddrPort
	attempts int
	source   Source
	tc       bool
}

type ring struct {
	slots []logSlot
	n     uint64 // entries written so far
}

// next returns the slot for a new entry, or nil when the log is disabled.
func (r *ring) next() *logSlot {
	if len(r.slots) == 0 {
		return nil
	}
	sl := &r.slots[r.n%uint64(len(r.slots))]
	r.n++
	sl.seq = r.n
	sl.latency = 0
	sl.answers = sl.answers[:0]
	sl.upstream = netip.AddrPort{}
	sl.attempts = 0
	sl.tc = false
	return sl
}

// Log returns the retained entries of the query log, oldest first.
func (s *Server) Log() []LogEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &s.ring
	if len(r.slots) == 0 {
		return nil
	}
	size := uint64(len(r.slots))
	first := uint64(0)
	if r.n > size {
		first = r.n - size
	}
	out := make([]LogEntry, 0, r.n-first)
	for i := first; i < r.n; i++ {
		sl := &r.slots[i%size]
		e := LogEntry{
			Seq:      sl.seq,
			Time:     sl.time,
			Latency:  sl.latency,
			Client:   sl.client,
			Endpoint: sl.endpoint,
			Network:  sl.client.Network,
			Name:     string(sl.name),
			Rcode:    rcodeString(sl.rcode),
			Attempts: sl.attempts,
			Source:   sl.source,
			TC:       sl.tc,
		}
		if sl.hasQ {
			e.Type = typeString(sl.qtype)
		}
		if sl.upstream.IsValid() {
			e.Upstream = sl.upstream.String()
		}
		for _, a := range sl.answers {
			if a.text != "" {
				e.Answers = append(e.Answers, a.text)
			} else {
				e.Answers = append(e.Answers, a.addr.String())
			}
		}
		out = append(out, e)
	}
	return out
}

func typeString(t uint16) string {
	if s, ok := dns.TypeToString[t]; ok {
		return s
	}
	return "TYPE" + strconv.Itoa(int(t))
}

func rcodeString(r int) string {
	if s, ok := dns.RcodeToString[r]; ok {
		return s
	}
	return "RCODE" + strconv.Itoa(r)
}

// logMsg records an answer given as a dns.Msg. q may be nil (FORMERR).
func (s *Server) logMsg(c Client, ep *endpoint, q *dns.Msg, resp *dns.Msg, src Source, p *pending) {
	sl := s.ring.next()
	if sl == nil {
		return
	}
	now := s.now()
	sl.time = now
	sl.client = c
	sl.endpoint = ""
	if ep != nil {
		sl.endpoint = ep.Name
	}
	sl.name = sl.name[:0]
	sl.qtype = 0
	sl.hasQ = q != nil && len(q.Question) > 0
	if sl.hasQ {
		sl.name = append(sl.name, trimDot(q.Question[0].Name)...)
		sl.qtype = q.Question[0].Qtype
	}
	sl.rcode = dns.RcodeServerFailure
	if resp != nil {
		sl.rcode = resp.Rcode
		sl.tc = resp.Truncated
		for _, rr := range resp.Answer {
			sl.answers = append(sl.answers, rrAnswer(rr))
		}
	}
	sl.source = src
	if p != nil {
		sl.latency = now - p.start
		sl.attempts = p.attempts
		sl.upstream = p.answeredBy
	}
}

// rrAnswer summarises an answer RR for the log: the address of A and AAAA
// records, the target of PTR and CNAME, the record text otherwise.
func rrAnswer(rr dns.RR) answer {
	switch r := rr.(type) {
	case *dns.A:
		a, _ := netip.AddrFromSlice(r.A.To4())
		return answer{addr: a}
	case *dns.AAAA:
		a, _ := netip.AddrFromSlice(r.AAAA.To16())
		return answer{addr: a}
	case *dns.PTR:
		return answer{text: r.Ptr}
	case *dns.CNAME:
		return answer{text: r.Target}
	}
	h := rr.Header().String()
	t := rr.String()
	if len(t) >= len(h) && t[:len(h)] == h {
		t = t[len(h):]
	}
	if t == "" {
		t = typeString(rr.Header().Rrtype)
	}
	return answer{text: t}
}
