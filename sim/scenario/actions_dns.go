package scenario

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
	"github.com/vswitch/vswitch/sim/resolv"
)

// resolverConfig maps a file's resolver settings onto resolv's.
func resolverConfig(r *Resolver) resolv.Config {
	c := resolv.Config{
		Nameservers: r.Nameservers,
		Search:      r.Search,
		Ndots:       r.NDots,
		Timeout:     r.Timeout,
		Attempts:    r.Attempts,
	}
	if r.NDots == 0 {
		c.Ndots = resolv.NdotsZero
	}
	return c
}

// newResolver returns a resolver of hn that asks server only, names as
// given (as `nslookup NAME SERVER` or `dig @SERVER NAME`).
func newResolver(hn *hostNode, server netip.Addr) *resolv.Resolver {
	return resolv.New(hn.h, hn.tcp, resolv.Config{Nameservers: []netip.Addr{server}, Ndots: resolv.NdotsZero})
}

// lookup runs one query through res and waits for its result.
func (r *runner) lookup(res *resolv.Resolver, name string, qtype uint16) (resolv.Result, error) {
	var out resolv.Result
	done := false
	res.Lookup(name, qtype, func(rs resolv.Result) { out, done = rs, true })
	if err := r.await(&done); err != nil {
		return out, err
	}
	return out, nil
}

// resolveName looks a target name up with the source host's resolver, as
// `ping NAME` on that host would.
func (r *runner) resolveName(from *hostNode, name string) (netip.Addr, error) {
	if a, ok := r.hostsLookup(from, name); ok {
		return a, nil
	}
	if from.resolver == nil {
		return netip.Addr{}, fmt.Errorf("%s: unknown host %q (not an address or an L2 host, and %s has no dns settings)", from.name, name, from.name)
	}
	res, err := r.lookup(from.resolver, name, dns.TypeA)
	if err != nil {
		return netip.Addr{}, err
	}
	if res.Err != nil {
		return netip.Addr{}, fmt.Errorf("%s: bad address '%s': %v", from.name, name, res.Err)
	}
	if len(res.Addrs) == 0 {
		return netip.Addr{}, fmt.Errorf("%s: bad address '%s' (%s)", from.name, name, dns.RcodeToString[res.Rcode])
	}
	return res.Addrs[0], nil
}

// hostsLookup answers a container's name lookup from its /etc/hosts, as
// getaddrinfo does before asking DNS (glibc's "files dns", musl alike):
// localhost, --add-host names and the container's own hostname, the first
// IPv4 entry that names it.
func (r *runner) hostsLookup(from *hostNode, name string) (netip.Addr, bool) {
	if from.kind != kindContainer {
		return netip.Addr{}, false
	}
	_, n, ok := r.w.container(from.name)
	if !ok {
		return netip.Addr{}, false
	}
	c, ok := n.Container(from.name)
	if !ok {
		return netip.Addr{}, false
	}
	key := strings.TrimSuffix(name, ".")
	for _, e := range r.etcHosts(n, c) {
		a, err := netip.ParseAddr(e.addr)
		if err != nil || !a.Is4() {
			continue
		}
		for _, h := range e.names {
			if strings.EqualFold(h, key) {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

func (r *runner) dns(d *DNSStep) (outcome, error) {
	o := outcome{desc: fmt.Sprintf("dns %s %s %s", d.From, d.Type, d.Name)}
	hn, err := r.source(d.From)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	res := hn.resolver
	if d.Server.IsValid() {
		o.desc += " @" + d.Server.String()
		res = newResolver(hn, d.Server)
	}
	if res == nil {
		o.failed = fmt.Sprintf("host %s has no dns settings and the step names no server", d.From)
		return o, nil
	}
	qtype, ok := dns.StringToType[d.Type]
	if !ok {
		o.failed = fmt.Sprintf("unknown query type %q", d.Type)
		return o, nil
	}
	out, err := r.lookup(res, queryName(d.Name, qtype), qtype)
	if err != nil {
		return o, err
	}
	answers := rrValues(out.Answers, qtype)
	rcode := "TIMEOUT"
	if out.Rcode >= 0 {
		rcode = dns.RcodeToString[out.Rcode]
	}
	o.summary = fmt.Sprintf("%s [%s]", rcode, strings.Join(answers, " "))
	resolved := out.Err == nil && len(answers) > 0
	e := d.Expect
	checked := false
	if e.Rcode != "" {
		checked = true
		if e.Rcode != rcode {
			o.mismatch("rcode: want %s, got %s", e.Rcode, rcode)
		}
	}
	if e.Resolved != nil {
		checked = true
		if resolved != *e.Resolved {
			o.mismatch("resolved: want %v, got %s", *e.Resolved, o.summary)
		}
	}
	if e.HasAnswers {
		checked = true
		want := trimDots(e.Answers)
		got := trimDots(answers)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			o.mismatch("answers: want %v, got %v (%s)", e.Answers, answers, rcode)
		}
	}
	if !checked && !resolved {
		o.failed = "did not resolve: " + o.summary
		if out.Err != nil {
			o.failed = "did not resolve: " + out.Err.Error()
		}
	}
	return o, nil
}

// rrValues returns the answer records of type qtype in canonical text:
// addresses for A/AAAA, targets for PTR/CNAME/NS, the record text otherwise.
func rrValues(rrs []dns.RR, qtype uint16) []string {
	var out []string
	for _, rr := range rrs {
		if rr.Header().Rrtype != qtype {
			continue
		}
		switch v := rr.(type) {
		case *dns.A:
			a, _ := netip.AddrFromSlice(v.A.To4())
			out = append(out, a.String())
		case *dns.AAAA:
			a, _ := netip.AddrFromSlice(v.AAAA)
			out = append(out, a.String())
		case *dns.PTR:
			out = append(out, v.Ptr)
		case *dns.CNAME:
			out = append(out, v.Target)
		case *dns.NS:
			out = append(out, v.Ns)
		default:
			h := rr.Header().String()
			out = append(out, strings.TrimSpace(strings.TrimPrefix(rr.String(), h)))
		}
	}
	return out
}

// queryName is the name to ask for: an address asked with PTR becomes its
// reverse name (1.0.18.172.in-addr.arpa), as nslookup and dig -x do.
func queryName(name string, qtype uint16) string {
	if qtype == dns.TypePTR {
		if _, err := netip.ParseAddr(name); err == nil {
			if rev, err := dns.ReverseAddr(name); err == nil {
				return rev
			}
		}
	}
	return name
}

// trimDots returns a copy of names without final dots, so that expected
// answers can be written either way.
func trimDots(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimSuffix(n, ".")
	}
	return out
}
