package resolv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/tcp"
)

// UDP is what the resolver needs from a host's UDP layer. *host.Host
// satisfies it; tests use tcptest.Host.
type UDP interface {
	// Loop returns the event loop that runs the host.
	Loop() *sim.Loop
	// ListenUDP registers fn for datagrams to port; data is borrowed.
	ListenUDP(port uint16, fn func(from, to netip.AddrPort, data []byte)) error
	// CloseUDP removes the listener on port.
	CloseUDP(port uint16)
	// SendUDP sends data (borrowed); an invalid from address means "by
	// route".
	SendUDP(from, to netip.AddrPort, data []byte) error
	// EphemeralPort returns a fresh local port.
	EphemeralPort() uint16
}

// Errors of a lookup (Result.Err).
var (
	// ErrTimeout: no server answered (nslookup says "connection timed out;
	// no servers could be reached").
	ErrTimeout = errors.New("connection timed out; no servers could be reached")
	// ErrNoNameservers: the configuration has no nameserver.
	ErrNoNameservers = errors.New("no nameservers configured")
	// ErrServerFailure: the servers answered SERVFAIL, REFUSED or another
	// error code and no candidate name got a usable answer.
	ErrServerFailure = errors.New("server failure")
	// ErrInvalidName: the name is not a valid domain name.
	ErrInvalidName = errors.New("invalid domain name")
)

// ednsSize is the UDP buffer size advertised with "options edns0", as
// glibc's RESOLV_EDNS_BUFFER_SIZE.
const ednsSize = 1200

// Result is the outcome of a Lookup.
type Result struct {
	// Name is the candidate name the final answer is for.
	Name string
	// Answers is the answer section of the final response.
	Answers []dns.RR
	// Addrs are the addresses of the A and AAAA records in Answers.
	Addrs []netip.Addr
	// Rcode is the final response code (dns.RcodeSuccess with no answers
	// is NODATA), or -1 if no server answered.
	Rcode int
	// Server is the server that gave the final response.
	Server netip.Addr
	// Msg is the final response, nil if none.
	Msg *dns.Msg
	// Err is nil when a server gave a definitive answer (including
	// NXDOMAIN and NODATA), else ErrTimeout, ErrServerFailure,
	// ErrNoNameservers or ErrInvalidName.
	Err error
	// Tried lists each query sent, in order, as "SERVER NAME TYPE", with
	// " tcp" appended for queries over TCP.
	Tried []string
}

// Stats counts a resolver's queries.
type Stats struct {
	Lookups    uint64
	QueriesUDP uint64
	QueriesTCP uint64
	Timeouts   uint64 // queries that got no answer in time
	Truncated  uint64 // UDP answers with TC set
	Ignored    uint64 // datagrams that did not match the query
}

// Resolver is a stub resolver. It is not safe for concurrent use.
type Resolver struct {
	u     UDP
	st    *tcp.Stack
	cfg   Config
	loop  *sim.Loop
	rng   *rand.Rand
	next  int // rotate: the next starting server
	stats Stats
}

// New returns a resolver with cfg (defaults applied) that queries over u
// and, for truncated answers, over st (nil: keep the truncated answer).
// Query IDs come from the loop's random stream "resolv", or
// "resolv/NAME" if u has a Name() string method.
func New(u UDP, st *tcp.Stack, cfg Config) *Resolver {
	name := "resolv"
	if n, ok := u.(interface{ Name() string }); ok {
		name += "/" + n.Name()
	}
	return &Resolver{u: u, st: st, cfg: cfg.normalized(), loop: u.Loop(), rng: u.Loop().Rand(name)}
}

// Config returns the configuration in use, defaults applied.
func (r *Resolver) Config() Config { return r.cfg }

// SetMusl switches between musl's and glibc's search rules (see
// Config.Musl); a container's libc follows its image.
func (r *Resolver) SetMusl(on bool) { r.cfg.Musl = on }

// Stats returns the resolver's counters.
func (r *Resolver) Stats() Stats { return r.stats }

// Candidates returns the names a lookup of name tries, in order (glibc's
// res_nsearch): a name ending in a dot only as-is; a name with at least
// ndots dots as-is first, then with each search domain; otherwise with
// each search domain first and as-is last.
func (r *Resolver) Candidates(name string) []string {
	if strings.HasSuffix(name, ".") {
		return []string{name}
	}
	var out []string
	add := func(n string) {
		n = dns.Fqdn(n)
		if _, ok := dns.IsDomainName(n); !ok || len(n) > 254 {
			return
		}
		for _, o := range out {
			if strings.EqualFold(o, n) {
				return
			}
		}
		out = append(out, n)
	}
	asIsFirst := strings.Count(name, ".") >= r.cfg.Ndots
	if asIsFirst {
		add(name)
		if r.cfg.Musl {
			return out // musl empties the search list (name_from_dns_search)
		}
	}
	for _, s := range r.cfg.Search {
		if s == "." {
			add(name)
			continue
		}
		add(name + "." + strings.TrimSuffix(s, "."))
	}
	if !asIsFirst {
		add(name)
	}
	return out
}

// timeoutFor returns the wait for server i, as glibc's send_dg computes it:
// Timeout<<i, divided by the number of servers for i > 0; in whole seconds
// (at least one) when Timeout is.
func (r *Resolver) timeoutFor(i int) time.Duration {
	d := r.cfg.Timeout << i
	if i > 0 {
		d /= time.Duration(len(r.cfg.Nameservers))
	}
	if r.cfg.Timeout%time.Second == 0 {
		d = max(d.Truncate(time.Second), time.Second)
	}
	return d
}

// Lookup resolves name for qtype and calls done once, from a loop event.
func (r *Resolver) Lookup(name string, qtype uint16, done func(Result)) {
	r.stats.Lookups++
	l := &lookup{r: r, qtype: qtype, done: done, res: Result{Rcode: -1}}
	l.asIsFirst = !strings.HasSuffix(name, ".") && strings.Count(name, ".") >= r.cfg.Ndots
	switch {
	case len(r.cfg.Nameservers) == 0:
		l.res.Err = ErrNoNameservers
	case name == "":
		l.res.Err = fmt.Errorf("%w: empty name", ErrInvalidName)
	default:
		if _, ok := dns.IsDomainName(name); !ok {
			l.res.Err = fmt.Errorf("%w: %q", ErrInvalidName, name)
		} else if l.names = r.Candidates(name); len(l.names) == 0 {
			l.res.Err = fmt.Errorf("%w: %q", ErrInvalidName, name)
		}
	}
	if l.res.Err != nil {
		r.loop.After(0, func() { done(l.res) })
		return
	}
	r.loop.After(0, l.nextName)
}

// lookup is one Lookup in progress.
type lookup struct {
	r     *Resolver
	qtype uint16
	done  func(Result)
	names []string
	ni    int // next candidate name
	res   Result

	// asIsFirst: the first candidate is the name as given, tried first
	// because it has ndots dots; glibc then reports its failure (its
	// saved_herrno) over the later ones'.
	asIsFirst bool
	saved     *Result
	nodata    *Result // the first NODATA answer (glibc's got_nodata)
	servfail  *Result // the last name that only got SERVFAIL

	// The current candidate name and its rounds over attempts × servers.
	name      string
	start     int // first server (rotate)
	try       int
	gotSF     bool     // a server answered SERVFAIL for this name
	lastError *dns.Msg // the last error answer for this name
	lastFrom  netip.Addr
}

// nextName starts the next candidate name, or ends the lookup.
func (l *lookup) nextName() {
	if l.ni == len(l.names) {
		l.finish(nil)
		return
	}
	l.name = l.names[l.ni]
	l.ni++
	l.try, l.gotSF, l.lastError = 0, false, nil
	l.start = 0
	if l.r.cfg.Musl {
		l.msend()
		return
	}
	if l.r.cfg.Rotate {
		l.start = l.r.next % len(l.r.cfg.Nameservers)
		l.r.next++
	}
	l.nextTry()
}

// msend asks for the current name as musl's res_msend does: the query
// goes to every server at once and again every Timeout/Attempts to those
// that have not answered; the first answer that is NOERROR or NXDOMAIN
// wins, a SERVFAIL is retried at once (up to twice the number of servers
// in all), other codes are ignored, and after Timeout in all the lookup
// ends without an answer (EAI_AGAIN).
func (l *lookup) msend() {
	r := l.r
	servers := r.cfg.Nameservers
	id, wire, ok := l.pack()
	if !ok {
		return
	}
	port := r.u.EphemeralPort()
	ended := false
	servfailRetry := 2 * len(servers)
	var retry, deadline *sim.Timer
	end := func() bool {
		if ended {
			return false
		}
		ended = true
		retry.Stop()
		deadline.Stop()
		r.u.CloseUDP(port)
		return true
	}
	send := func(i int) {
		r.stats.QueriesUDP++
		l.tried(servers[i], false)
		// musl ignores sendto errors: an unroutable server just never
		// answers, and the deadline ends the lookup.
		_ = r.u.SendUDP(netip.AddrPortFrom(netip.Addr{}, port), netip.AddrPortFrom(servers[i], r.cfg.Port), wire)
	}
	interval := r.cfg.Timeout / time.Duration(r.cfg.Attempts)
	retry = r.loop.NewTimer(func() {
		if ended {
			return
		}
		for i := range servers {
			send(i)
		}
		retry.Reset(interval)
	})
	deadline = r.loop.NewTimer(func() {
		if end() {
			r.stats.Timeouts++
			res := Result{Name: l.name, Rcode: -1, Err: ErrTimeout, Tried: l.res.Tried}
			l.finish(&res)
		}
	})
	err := r.u.ListenUDP(port, func(from, _ netip.AddrPort, data []byte) {
		if ended {
			return
		}
		i := slices.IndexFunc(servers, func(s netip.Addr) bool { return netip.AddrPortFrom(s, r.cfg.Port) == from })
		if i < 0 {
			r.stats.Ignored++
			return
		}
		m, ok := l.match(from, from, id, data)
		if !ok {
			return
		}
		switch m.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
			r.loop.After(0, func() {
				if end() {
					l.answer(servers[i], m, false)
				}
			})
		case dns.RcodeServerFailure:
			if servfailRetry > 0 {
				servfailRetry--
				send(i)
			}
		}
		// Other codes (REFUSED, ...) are ignored, as musl does.
	})
	if err != nil {
		res := Result{Name: l.name, Rcode: -1, Err: err, Tried: l.res.Tried}
		r.loop.After(0, func() { l.finish(&res) })
		return
	}
	for i := range servers {
		send(i)
	}
	retry.Reset(interval)
	deadline.Reset(r.cfg.Timeout)
}

// nameDone records a failed candidate (NXDOMAIN, NODATA, SERVFAIL) and
// moves on to the next one.
func (l *lookup) nameDone(res Result) {
	if l.r.cfg.Musl && res.Rcode != dns.RcodeNameError {
		// musl's name_from_dns_search goes on to the next candidate only
		// after NXDOMAIN: NODATA (EAI_NODATA) and SERVFAIL (EAI_AGAIN) end
		// the lookup there.
		l.res = res
		l.finish(&res)
		return
	}
	if l.asIsFirst && l.ni == 1 {
		l.saved = &res
	}
	switch {
	case res.Rcode == dns.RcodeSuccess:
		if l.nodata == nil {
			l.nodata = &res
		}
	case res.Rcode == dns.RcodeServerFailure:
		l.servfail = &res
	}
	l.res = res
	l.nextName()
}

// nextTry sends the query to the next server of the current round, or
// gives up on the current name.
func (l *lookup) nextTry() {
	n := len(l.r.cfg.Nameservers)
	if l.try == n*l.r.cfg.Attempts {
		l.nameFailed()
		return
	}
	idx := (l.start + l.try%n) % n
	l.try++
	l.queryUDP(idx)
}

// nameFailed ends the current name after every server failed it: SERVFAIL
// moves on to the next candidate (glibc's got_servfail); silence or other
// error codes end the lookup.
func (l *lookup) nameFailed() {
	res := Result{Name: l.name, Rcode: -1, Tried: l.res.Tried}
	if l.lastError != nil {
		res.Rcode, res.Msg, res.Server = l.lastError.Rcode, l.lastError, l.lastFrom
		res.Err = fmt.Errorf("%w: %s from %v for %s", ErrServerFailure, dns.RcodeToString[l.lastError.Rcode], l.lastFrom, l.name)
	}
	if l.gotSF {
		res.Rcode = dns.RcodeServerFailure
		l.nameDone(res)
		return
	}
	if l.lastError == nil {
		res.Err = ErrTimeout
	}
	l.finish(&res)
}

// finish reports the outcome: last is the failure that ended the search
// early (nil when every candidate was tried). As glibc, the as-is name's
// failure wins if it was tried first, then NODATA, then SERVFAIL, then the
// last outcome.
func (l *lookup) finish(last *Result) {
	var res Result
	switch {
	case l.saved != nil:
		res = *l.saved
	case l.nodata != nil:
		res = *l.nodata
	case l.servfail != nil:
		res = *l.servfail
	case last != nil:
		res = *last
	default:
		res = l.res
	}
	if res.Rcode == dns.RcodeServerFailure && res.Err == nil {
		res.Err = fmt.Errorf("%w: SERVFAIL from %v for %s", ErrServerFailure, res.Server, res.Name)
	}
	res.Tried = l.res.Tried
	l.done(res)
}

func (l *lookup) query(id uint16) *dns.Msg {
	q := new(dns.Msg)
	q.Id = id
	q.RecursionDesired = true
	q.Question = []dns.Question{{Name: l.name, Qtype: l.qtype, Qclass: dns.ClassINET}}
	if l.r.cfg.EDNS0 {
		q.SetEdns0(ednsSize, false)
	}
	return q
}

func (l *lookup) tried(server netip.Addr, tcp bool) {
	s := server.String() + " " + l.name + " " + dns.TypeToString[l.qtype]
	if tcp {
		s += " tcp"
	}
	l.res.Tried = append(l.res.Tried, s)
}

// pack builds the query for the current name with a fresh ID. When it
// cannot (only a name too long for the wire), it ends the lookup and
// reports false.
func (l *lookup) pack() (uint16, []byte, bool) {
	id := uint16(l.r.rng.Uint32())
	wire, err := l.query(id).Pack()
	if err != nil {
		l.res.Err = fmt.Errorf("%w: %v", ErrInvalidName, err)
		l.r.loop.After(0, func() { l.done(l.res) })
		return 0, nil, false
	}
	return id, wire, true
}

// queryUDP sends the query to server idx from a fresh port and waits for
// the matching answer or the server's timeout.
func (l *lookup) queryUDP(idx int) {
	r := l.r
	server := netip.AddrPortFrom(r.cfg.Nameservers[idx], r.cfg.Port)
	id, wire, ok := l.pack()
	if !ok {
		return
	}
	port := r.u.EphemeralPort()
	ended := false
	var timer *sim.Timer
	end := func() bool {
		if ended {
			return false
		}
		ended = true
		timer.Stop()
		r.u.CloseUDP(port)
		return true
	}
	timer = r.loop.NewTimer(func() {
		if end() {
			r.stats.Timeouts++
			l.nextTry()
		}
	})
	err := r.u.ListenUDP(port, func(from, _ netip.AddrPort, data []byte) {
		m, ok := l.match(from, server, id, data)
		if !ok || ended {
			return
		}
		// Go on from a fresh event, not inside the host's receive path.
		r.loop.After(0, func() {
			if end() {
				l.answer(server.Addr(), m, false)
			}
		})
	})
	if err != nil {
		r.loop.After(0, l.nextTry)
		return
	}
	r.stats.QueriesUDP++
	l.tried(server.Addr(), false)
	timer.Reset(r.timeoutFor(idx))
	if err := r.u.SendUDP(netip.AddrPortFrom(netip.Addr{}, port), server, wire); err != nil {
		r.loop.After(0, func() {
			if end() {
				l.nextTry()
			}
		})
	}
}

// match checks that data from from is the answer to query id sent to
// server.
func (l *lookup) match(from, server netip.AddrPort, id uint16, data []byte) (*dns.Msg, bool) {
	if from != server {
		l.r.stats.Ignored++
		return nil, false
	}
	m := new(dns.Msg)
	if err := m.Unpack(data); err != nil || m.Id != id || !m.Response ||
		len(m.Question) != 1 || !strings.EqualFold(m.Question[0].Name, l.name) ||
		m.Question[0].Qtype != l.qtype {
		l.r.stats.Ignored++
		return nil, false
	}
	return m, true
}

// answer handles a server's answer for the current name.
func (l *lookup) answer(server netip.Addr, m *dns.Msg, overTCP bool) {
	if m.Truncated && !overTCP && l.r.st != nil {
		l.r.stats.Truncated++
		l.queryTCP(server)
		return
	}
	res := Result{Name: l.name, Answers: m.Answer, Rcode: m.Rcode, Server: server, Msg: m, Tried: l.res.Tried}
	switch m.Rcode {
	case dns.RcodeSuccess:
		for _, rr := range m.Answer {
			switch a := rr.(type) {
			case *dns.A:
				if ip, ok := netip.AddrFromSlice(a.A); ok {
					res.Addrs = append(res.Addrs, ip.Unmap())
				}
			case *dns.AAAA:
				if ip, ok := netip.AddrFromSlice(a.AAAA); ok {
					res.Addrs = append(res.Addrs, ip)
				}
			}
		}
		if len(m.Answer) > 0 {
			l.done(res)
			return
		}
		l.nameDone(res) // NODATA
	case dns.RcodeNameError:
		l.nameDone(res)
	case dns.RcodeServerFailure:
		l.gotSF = true
		l.lastError, l.lastFrom = m, server
		l.nextTry()
	default: // REFUSED, NOTIMP, FORMERR...
		l.lastError, l.lastFrom = m, server
		l.nextTry()
	}
}

// queryTCP asks server again over TCP after a truncated UDP answer. A
// failure moves on to the next server.
func (l *lookup) queryTCP(server netip.Addr) {
	r := l.r
	dst := netip.AddrPortFrom(server, r.cfg.Port)
	id := uint16(r.rng.Uint32())
	wire, _ := l.query(id).Pack() // it packed for UDP already
	r.stats.QueriesTCP++
	l.tried(server, true)
	wait := r.cfg.Timeout
	ended := false
	var conn *tcp.Conn
	var timer *sim.Timer
	end := func() bool {
		if ended {
			return false
		}
		ended = true
		timer.Stop()
		if conn != nil {
			conn.Close()
		}
		return true
	}
	timer = r.loop.NewTimer(func() {
		if end() {
			r.stats.Timeouts++
			if conn != nil {
				conn.Abort()
			}
			l.nextTry()
		}
	})
	timer.Reset(wait)
	r.st.Dial(dst, tcp.DialOptions{Timeout: wait}, func(c *tcp.Conn, err error) {
		if ended {
			if c != nil {
				c.Abort()
			}
			return
		}
		if err != nil {
			end()
			l.nextTry()
			return
		}
		conn = c
		var buf []byte
		c.OnData(func(b []byte) {
			if ended {
				return
			}
			buf = append(buf, b...)
			if len(buf) < 2 {
				return
			}
			n := int(binary.BigEndian.Uint16(buf))
			if len(buf) < 2+n {
				return
			}
			m, ok := l.match(dst, dst, id, buf[2:2+n])
			if !ok {
				end()
				l.nextTry()
				return
			}
			end()
			l.answer(server, m, true)
		})
		c.OnClose(func(error) {
			if end() {
				l.nextTry() // closed before a whole answer
			}
		})
		frame := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(wire)), uint16(len(wire)))
		c.Write(append(frame, wire...))
	})
}
