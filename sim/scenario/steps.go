package scenario

import (
	"errors"
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/vswitch/vswitch/dockercli"
	"github.com/vswitch/vswitch/internal/frame"
	"go.yaml.in/yaml/v3"
)

// dnsTypes lists the query types a dns step can ask.
var dnsTypes = []string{"A", "AAAA", "PTR", "SRV", "MX", "TXT", "CNAME", "NS", "SOA"}

// rcodes lists the response codes a dns expectation can name.
var rcodes = []string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"}

func (p *parser) steps(n *yaml.Node) {
	items, _ := p.items(n, "steps")
	for _, it := range items {
		it = p.deref(it)
		if st := p.step(it, len(p.s.Steps)); st != nil {
			p.s.Steps = append(p.s.Steps, st)
		}
	}
}

func (p *parser) step(n *yaml.Node, index int) *Step {
	st := &Step{Pos: posOf(n), Index: index}
	var actions []entry
	var nodeE, expectE, atE *entry
	unknowns := p.unknowns
	ok := p.object(n, "steps", "step", keys["step"], func(e entry) {
		switch e.key {
		case "name":
			st.Name, _ = p.str(e.v, "name")
		case "at":
			atE = &e
		case "node":
			nodeE = &e
		case "expect":
			expectE = &e
		default:
			actions = append(actions, e)
		}
	})
	if !ok {
		return nil
	}
	switch len(actions) {
	case 0:
		if p.unknowns == unknowns { // else a misspelt action was reported
			p.errorAt(st.Pos, "step has no action; give one of %s", strings.Join(StepKinds, ", "))
		}
		return nil
	case 1:
	default:
		p.errorf(actions[1].k, "step has two actions, %s and %s: one step does one thing", actions[0].key, actions[1].key)
		return nil
	}
	act := actions[0]
	kind := act.key
	if atE != nil {
		if d, ok := p.duration(atE.v, "at"); ok {
			p.checkAt(atE.v, d)
			st.At = &d
		}
	}
	if nodeE != nil && kind != "docker" {
		p.errorf(nodeE.k, "node: only docker steps run on a node (an fdb step names its node inside: fdb: {node: ..., network: ...})")
	}

	// The expectation is decoded first, and the action's own keys are
	// handed to the action's decoder.
	var own []entry
	if expectE != nil {
		st.Expect.Pos = posOf(p.deref(expectE.v))
		generic := genericExpect(kind)
		allowed := expectKeys(kind)
		if kind == "wait" {
			p.errorf(expectE.k, "expect: a wait step has nothing to check")
		} else {
			p.object(expectE.v, "expect", kind+" expect", allowed, func(e entry) {
				if !slices.Contains(generic, e.key) {
					own = append(own, e)
					return
				}
				switch e.key {
				case "fail":
					st.Expect.Fail, _ = p.boolean(e.v, "fail")
				case "error":
					if v, ok := p.str(e.v, "error"); ok {
						st.Expect.Error = &v
					}
				case "output":
					if v, ok := p.str(e.v, "output"); ok {
						st.Expect.Output = &v
					}
				case "output_contains":
					if v, ok := p.str(e.v, "output_contains"); ok {
						st.Expect.OutputContains = &v
					}
				}
			})
		}
	}

	switch kind {
	case "ping":
		st.Ping = p.pingStep(act.v, own)
	case "traceroute":
		st.Traceroute = p.tracerouteStep(act.v, own)
	case "tcp":
		st.TCP = p.tcpStep(act.v, own)
	case "http":
		st.HTTP = p.httpStep(act.v, own)
	case "udp":
		st.UDP = p.udpStep(act.v, own)
	case "dns":
		st.DNS = p.dnsStep(act.v, own)
	case "link":
		st.Link = p.linkStep(act.v)
	case "wait":
		if d, ok := p.duration(act.v, "wait"); ok {
			if d == 0 {
				p.errorf(p.deref(act.v), "wait: must be longer than 0")
			}
			p.checkWait(act.v, d)
			st.Wait = &WaitStep{Duration: d}
		}
	case "fdb":
		st.FDB = p.fdbStep(act.v, own)
	case "counters":
		st.Counters = p.countersStep(act.v, own)
	case "stp":
		st.STP = p.stpStep(act.v, own)
	case "docker":
		st.Docker = p.dockerStep(act.v, nodeE)
		if d := st.Docker; d != nil && d.UsageErr != nil && !st.Expect.WantsFailure() {
			p.errorf(d.usagePos, "docker: %v", d.UsageErr)
		}
	case "capture":
		st.Capture = p.captureStep(act.v)
	case "dnslog":
		st.DNSLog = p.dnslogStep(act.v, own)
	}
	if st.Kind() == "" {
		return nil // the action had errors
	}
	return st
}

// required reports a missing key of an action.
// When the mapping had unknown keys, those errors stand for the missing
// ones (a misspelt key is both).
func (p *parser) required(n *yaml.Node, kind string, present map[string]bool, names ...string) bool {
	ok := true
	for _, k := range names {
		if !present[k] {
			if !present[unknownMark] {
				p.errorf(p.deref(n), "%s: missing %s", kind, k)
			}
			ok = false
		}
	}
	return ok
}

// unknownMark is set in an action's present map when it had unknown keys.
const unknownMark = "\x00unknown"

// hostPort decodes a "host:port" target.
func (p *parser) hostPort(n *yaml.Node, key, from string) (string, string, uint16, bool) {
	n, s, ok := p.scalar(n, key, "a target host:port")
	if !ok {
		return "", "", 0, false
	}
	host, port, err := ParseHostPort(s)
	if err != nil {
		p.errorf(n, "%s: %v", key, err)
		return "", "", 0, false
	}
	if !p.target(n, key, host, from) {
		return "", "", 0, false
	}
	return s, host, port, true
}

// addrOrName reads a to: that is an IP or a name the source can reach.
func (p *parser) addrOrName(n *yaml.Node, from string) (string, bool) {
	vn, s, ok := p.scalar(n, "to", "an IP or a name")
	return s, ok && p.target(vn, "to", s, from)
}

// sourcedEntries reads a traffic step's entries, checks that from: and the
// other required keys are there, and resolves from:. ok is false when the
// step cannot be built; good is false when from: names no valid source
// (the other keys are still checked, for their errors).
func (p *parser) sourcedEntries(n *yaml.Node, kind string, required ...string) (es []entry, from string, good, ok bool) {
	es, present, from, good, ok := p.actionEntries(n, kind)
	if !ok || !p.required(n, kind, present, append([]string{"from"}, required...)...) {
		return nil, "", false, false
	}
	return es, from, good, true
}

// actionEntries reads an action's entries and which keys are present; the
// from: entry's value is decoded before the others so that targets can be
// checked against it.
func (p *parser) actionEntries(n *yaml.Node, kind string) ([]entry, map[string]bool, string, bool, bool) {
	present := map[string]bool{}
	var es []entry
	unknowns := p.unknowns
	ok := p.object(n, kind, kind, keys[kind], func(e entry) {
		present[e.key] = true
		es = append(es, e)
	})
	if p.unknowns != unknowns {
		present[unknownMark] = true
	}
	from, fromOK := "", false
	for _, e := range es {
		if e.key == "from" {
			from, fromOK = p.source(e.v)
		}
	}
	return es, present, from, fromOK, ok
}

func (p *parser) pingStep(n *yaml.Node, own []entry) *PingStep {
	ps := &PingStep{Count: DefaultPingCount, Interval: DefaultPingInterval, Timeout: DefaultPingTimeout, Size: DefaultPingSize, TTL: DefaultTTL}
	es, from, good, ok := p.sourcedEntries(n, "ping", "to")
	if !ok {
		return nil
	}
	ps.From = from
	for _, e := range es {
		switch e.key {
		case "to":
			var ok bool
			if ps.To, ok = p.addrOrName(e.v, from); !ok {
				good = false
			}
		case "count":
			p.intField(e.v, "count", 1, 1_000_000, &ps.Count)
		case "interval":
			p.positiveDuration(e.v, "interval", &ps.Interval)
		case "timeout":
			p.positiveDuration(e.v, "timeout", &ps.Timeout)
		case "size":
			p.intField(e.v, "size", 0, 65507, &ps.Size)
		case "ttl":
			p.intField(e.v, "ttl", 1, 255, &ps.TTL)
		case "df":
			ps.DF, _ = p.boolean(e.v, "df")
		}
	}
	for _, e := range own {
		switch e.key {
		case "received":
			if m, ok := p.intMatch(e.v, "received", 0, 1_000_000); ok {
				if m.HasMin && m.Min > int64(ps.Count) {
					p.errorf(p.deref(e.v), "received: %s can never happen with count %d", m, ps.Count)
				}
				ps.Expect.Received = m
			}
		case "rtt_max":
			if d, ok := p.duration(e.v, "rtt_max"); ok {
				ps.Expect.RTTMax = &d
			}
		case "rtt_min":
			if d, ok := p.duration(e.v, "rtt_min"); ok {
				ps.Expect.RTTMin = &d
			}
		}
	}
	if !good {
		return nil
	}
	return ps
}

func (p *parser) tracerouteStep(n *yaml.Node, own []entry) *TracerouteStep {
	ts := &TracerouteStep{MaxHops: DefaultMaxHops, Timeout: DefaultProbeTimeout}
	es, from, good, ok := p.sourcedEntries(n, "traceroute", "to")
	if !ok {
		return nil
	}
	ts.From = from
	for _, e := range es {
		switch e.key {
		case "to":
			var ok bool
			if ts.To, ok = p.addrOrName(e.v, from); !ok {
				good = false
			}
		case "max_hops":
			p.intField(e.v, "max_hops", 1, 255, &ts.MaxHops)
		case "timeout":
			p.positiveDuration(e.v, "timeout", &ts.Timeout)
		}
	}
	for _, e := range own {
		switch e.key {
		case "hops":
			items, _ := p.items(e.v, "hops")
			ts.Expect.HasHops = true
			ts.Expect.Hops = []netip.Addr{}
			for _, it := range items {
				it, s, ok := p.scalar(it, "hops", "an IPv4 address or \"*\"")
				if !ok {
					continue
				}
				if s == "*" {
					ts.Expect.Hops = append(ts.Expect.Hops, netip.Addr{})
					continue
				}
				a, err := parseAddr4(s)
				if err != nil {
					p.errorf(it, "hops: %v (or \"*\" for a hop that does not answer)", err)
					continue
				}
				ts.Expect.Hops = append(ts.Expect.Hops, a)
			}
			if len(ts.Expect.Hops) > ts.MaxHops {
				p.errorf(p.deref(e.v), "hops: %d hops listed but max_hops is %d", len(ts.Expect.Hops), ts.MaxHops)
			}
		case "reached":
			if b, ok := p.boolean(e.v, "reached"); ok {
				ts.Expect.Reached = &b
			}
		}
	}
	if !good {
		return nil
	}
	return ts
}

// boolPtr decodes a boolean expectation.
func (p *parser) boolPtr(n *yaml.Node, key string) *bool {
	if b, ok := p.boolean(n, key); ok {
		return &b
	}
	return nil
}

func (p *parser) strPtr(n *yaml.Node, key string) *string {
	if s, ok := p.str(n, key); ok {
		return &s
	}
	return nil
}

// exclusive reports two outcomes expected true at once.
func (p *parser) exclusive(own []entry, names ...string) {
	var first string
	for _, e := range own {
		if !slices.Contains(names, e.key) {
			continue
		}
		d := p.deref(e.v)
		if d.Kind != yaml.ScalarNode || d.ShortTag() != "!!bool" || d.Value != "true" {
			continue
		}
		if first != "" {
			p.errorf(e.k, "%s: cannot expect both %s and %s", e.key, first, e.key)
			return
		}
		first = e.key
	}
}

func (p *parser) tcpStep(n *yaml.Node, own []entry) *TCPStep {
	ts := &TCPStep{Timeout: DefaultTCPTimeout}
	es, from, good, ok := p.sourcedEntries(n, "tcp", "to")
	if !ok {
		return nil
	}
	ts.From = from
	for _, e := range es {
		switch e.key {
		case "to":
			var ok bool
			ts.To, ts.Host, ts.Port, ok = p.hostPort(e.v, "to", from)
			good = good && ok
		case "data":
			ts.Data = p.strPtr(e.v, "data")
		case "timeout":
			p.positiveDuration(e.v, "timeout", &ts.Timeout)
		}
	}
	p.exclusive(own, "connected", "refused", "timeout")
	for _, e := range own {
		switch e.key {
		case "connected":
			ts.Expect.Connected = p.boolPtr(e.v, "connected")
		case "refused":
			ts.Expect.Refused = p.boolPtr(e.v, "refused")
		case "timeout":
			ts.Expect.Timeout = p.boolPtr(e.v, "timeout")
		case "reply":
			ts.Expect.Reply = p.strPtr(e.v, "reply")
			if !slices.ContainsFunc(es, func(e entry) bool { return e.key == "data" }) {
				p.errorf(e.k, "reply: the step sends no data (add data: to the tcp step)")
			}
		case "retransmits":
			ts.Expect.Retransmits, _ = p.intMatch(e.v, "retransmits", 0, math32)
		}
	}
	if !good {
		return nil
	}
	return ts
}

func (p *parser) httpStep(n *yaml.Node, own []entry) *HTTPStep {
	hs := &HTTPStep{Timeout: DefaultHTTPTimeout}
	es, from, good, ok := p.sourcedEntries(n, "http", "url")
	if !ok {
		return nil
	}
	hs.From = from
	for _, e := range es {
		switch e.key {
		case "url":
			vn, s, ok := p.scalar(e.v, "url", "a URL")
			if !ok {
				good = false
				continue
			}
			u, err := url.Parse(s)
			if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || u.Fragment != "" {
				p.errorf(vn, "url: invalid URL %q (write e.g. http://h2/ or http://host1:5005/path)", s)
				good = false
				continue
			}
			hs.URL, hs.Host, hs.Port, hs.Path = s, u.Hostname(), 80, u.RequestURI()
			if ps := u.Port(); ps != "" {
				port, err := parsePort(ps)
				if err != nil {
					p.errorf(vn, "url: %v", err)
					good = false
					continue
				}
				hs.Port = port
			}
			if !p.target(vn, "url", hs.Host, from) {
				good = false
			}
		case "timeout":
			p.positiveDuration(e.v, "timeout", &hs.Timeout)
		}
	}
	for _, e := range own {
		switch e.key {
		case "status":
			hs.Expect.Status, _ = p.intMatch(e.v, "status", 100, 599)
		case "body":
			hs.Expect.Body = p.strPtr(e.v, "body")
		case "body_contains":
			hs.Expect.BodyContains = p.strPtr(e.v, "body_contains")
		}
	}
	if !good {
		return nil
	}
	return hs
}

func (p *parser) udpStep(n *yaml.Node, own []entry) *UDPStep {
	us := &UDPStep{Data: DefaultUDPData, Timeout: DefaultUDPTimeout}
	es, from, good, ok := p.sourcedEntries(n, "udp", "to")
	if !ok {
		return nil
	}
	us.From = from
	for _, e := range es {
		switch e.key {
		case "to":
			var ok bool
			us.To, us.Host, us.Port, ok = p.hostPort(e.v, "to", from)
			good = good && ok
		case "data":
			us.Data, _ = p.str(e.v, "data")
		case "timeout":
			p.positiveDuration(e.v, "timeout", &us.Timeout)
		}
	}
	p.exclusive(own, "timeout", "unreachable")
	for _, e := range own {
		switch e.key {
		case "reply":
			us.Expect.Reply = p.strPtr(e.v, "reply")
		case "timeout":
			us.Expect.Timeout = p.boolPtr(e.v, "timeout")
		case "unreachable":
			us.Expect.Unreachable = p.boolPtr(e.v, "unreachable")
		}
	}
	if !good {
		return nil
	}
	return us
}

func (p *parser) dnsStep(n *yaml.Node, own []entry) *DNSStep {
	ds := &DNSStep{Type: DefaultDNSType}
	es, from, good, ok := p.sourcedEntries(n, "dns", "name")
	if !ok {
		return nil
	}
	ds.From = from
	var nameNode *yaml.Node
	for _, e := range es {
		switch e.key {
		case "name":
			nameNode = p.deref(e.v)
			ds.Name, _ = p.str(e.v, "name")
		case "type":
			vn, s, ok := p.scalar(e.v, "type", "a query type")
			if !ok {
				continue
			}
			t := strings.ToUpper(s)
			if !slices.Contains(dnsTypes, t) {
				p.errorf(vn, "type: unknown query type %q (one of %s)", s, strings.Join(dnsTypes, ", "))
				continue
			}
			ds.Type = t
		case "server":
			ds.Server, _ = p.addr4(e.v, "server")
		}
	}
	if nameNode != nil && ds.Name != "" {
		_, ipErr := netip.ParseAddr(ds.Name)
		switch {
		case ipErr == nil && ds.Type != "PTR":
			p.errorf(nameNode, "name: %s is an address; look addresses up with type: PTR", ds.Name)
		case ipErr != nil && !ValidDomain(ds.Name):
			p.errorf(nameNode, "name: invalid domain name %q", ds.Name)
		}
	}
	if ds.Server.IsValid() || ds.From == "" {
		// Asking a server directly needs no resolver settings.
	} else if !p.hasResolver(ds.From) {
		p.errorf(p.deref(n), "dns: %s has no dns settings; give it dns: {nameservers: [...]} or give the step a server", ds.From)
		good = false
	}
	for _, e := range own {
		switch e.key {
		case "answers":
			items, _ := p.items(e.v, "answers")
			ds.Expect.HasAnswers = true
			ds.Expect.Answers = []string{}
			for _, it := range items {
				it, s, ok := p.scalar(it, "answers", "an answer")
				if !ok {
					continue
				}
				ans, ok := p.answer(it, ds.Type, s)
				if ok {
					ds.Expect.Answers = append(ds.Expect.Answers, ans)
				}
			}
		case "rcode":
			vn, s, ok := p.scalar(e.v, "rcode", "a response code")
			if !ok {
				continue
			}
			r := strings.ToUpper(s)
			if !slices.Contains(rcodes, r) {
				p.errorf(vn, "rcode: unknown response code %q (one of %s)", s, strings.Join(rcodes, ", "))
				continue
			}
			ds.Expect.Rcode = r
		case "resolved":
			ds.Expect.Resolved = p.boolPtr(e.v, "resolved")
		}
	}
	if !good {
		return nil
	}
	return ds
}

// answer checks an expected answer against the query type and returns it
// in canonical form.
func (p *parser) answer(n *yaml.Node, qtype, s string) (string, bool) {
	switch qtype {
	case "A", "AAAA":
		a, err := netip.ParseAddr(s)
		if err != nil || (qtype == "A") != a.Is4() {
			family := "IPv4"
			if qtype == "AAAA" {
				family = "IPv6"
			}
			p.errorf(n, "answers: %q is not an %s address (the step asks for %s records)", s, family, qtype)
			return "", false
		}
		return a.String(), true
	case "PTR", "CNAME", "NS":
		if !ValidDomain(s) {
			p.errorf(n, "answers: %q is not a domain name (the step asks for %s records)", s, qtype)
			return "", false
		}
		return strings.ToLower(strings.TrimSuffix(s, ".")), true
	}
	return s, true
}

func (p *parser) linkStep(n *yaml.Node) *LinkStep {
	ls := &LinkStep{}
	var ops []entry
	var forE *entry
	var props []entry
	ok := p.object(n, "link", "link step", keys["link.step"], func(e entry) {
		switch e.key {
		case "down", "up", "set":
			ops = append(ops, e)
		case "for":
			forE = &e
		default:
			props = append(props, e)
		}
	})
	if !ok {
		return nil
	}
	switch len(ops) {
	case 0:
		p.errorf(p.deref(n), "link: give down, up or set with a link (a name or an endpoint such as h1.eth0)")
		return nil
	case 1:
	default:
		p.errorf(ops[1].k, "link: give one of down, up and set; this step already has %s", ops[0].key)
		return nil
	}
	op := ops[0]
	ls.Op = LinkOp(op.key)
	vn, ref, ok := p.scalar(op.v, op.key, "a link name or an endpoint such as h1.eth0")
	if !ok {
		return nil
	}
	ls.Ref = ref
	ls.Target = p.linkIdx[ref]
	if ls.Target == nil {
		var cands []string
		for _, l := range p.s.Links {
			if l.Name != "" {
				cands = append(cands, l.Name)
			}
			cands = append(cands, l.A.String(), l.B.String())
		}
		p.refErrorf(vn, "%s: no link is named %q or attached there%s", op.key, ref, didYouMean(ref, cands))
		return nil
	}
	if forE != nil {
		if ls.Op != LinkDown {
			p.errorf(forE.k, "for: only link down takes for (the time until it comes back up)")
		} else {
			p.positiveDuration(forE.v, "for", &ls.For)
		}
	}
	if ls.Op != LinkSet {
		if len(props) > 0 {
			p.errorf(props[0].k, "%s: impairments change with set: {set: %s, %s: ...}", props[0].key, ref, props[0].key)
		}
		return ls
	}
	if len(props) == 0 {
		p.errorf(op.k, "set: give the impairments to change, e.g. {set: %s, loss: 5%%}", ref)
		return nil
	}
	var lp LinkProps
	c := &ls.Change
	for _, e := range props {
		p.linkProp(e, &lp)
		switch e.key {
		case "latency":
			c.Latency = &lp.Latency
		case "jitter":
			c.Jitter = &lp.Jitter
		case "loss":
			c.Loss = &lp.Loss
		case "bandwidth":
			c.Bandwidth = &lp.Bandwidth
		case "queue":
			c.Queue = &lp.Queue
		case "mtu":
			c.MTU = &lp.MTU
		case "duplicate":
			c.Duplicate = &lp.Duplicate
		case "reorder":
			c.Reorder = &lp.Reorder
		}
	}
	return ls
}

func (p *parser) fdbStep(n *yaml.Node, own []entry) *FDBStep {
	fs := &FDBStep{}
	es, present, _, _, ok := p.actionEntries(n, "fdb")
	if !ok {
		return nil
	}
	var sw *Switch
	good := true
	for _, e := range es {
		switch e.key {
		case "switch":
			sw = p.switchRef(e.v, "switch")
			if sw == nil {
				good = false
			} else {
				fs.Switch = sw.Name
			}
		case "node":
			if v, ok := p.nodeRef(e.v, "node"); ok {
				fs.Node = v
			} else {
				good = false
			}
		case "network":
			if v, ok := p.networkRef(e.v, "network"); ok {
				fs.Network = v
			} else {
				good = false
			}
		}
	}
	switch {
	case present["switch"] && (present["node"] || present["network"]):
		p.errorf(p.deref(n), "fdb: give a switch, or a network (and its node), not both")
		return nil
	case !present["switch"] && !present["network"]:
		p.errorf(p.deref(n), "fdb: give switch: (an L2 lab) or network: (a Docker lab, with node:)")
		return nil
	}
	if fs.Network != "" && fs.Node == "" {
		if nw := p.networks[fs.Network]; nw != nil {
			fs.Node = nw.Node
		} else {
			fs.Node = p.firstNode()
		}
	}
	for _, e := range own {
		switch e.key {
		case "has":
			fs.Expect.Has = p.fdbEntries(e.v, "has", sw)
		case "lacks":
			fs.Expect.Lacks = p.fdbEntries(e.v, "lacks", sw)
		case "size":
			fs.Expect.Size, _ = p.intMatch(e.v, "size", 0, math32)
		}
	}
	if !good {
		return nil
	}
	return fs
}

const math32 = 1<<31 - 1

func (p *parser) fdbEntries(n *yaml.Node, key string, sw *Switch) []FDBEntry {
	items, _ := p.items(n, key)
	out := []FDBEntry{}
	for _, it := range items {
		it = p.deref(it)
		var fe FDBEntry
		var which []entry
		ok := p.object(it, key, "fdb entry", keys["fdb.entry"], func(e entry) {
			switch e.key {
			case "mac":
				which = append(which, e)
				vn, s, ok := p.scalar(e.v, "mac", "a MAC address")
				if !ok {
					return
				}
				m, err := frame.ParseMAC(s)
				if err != nil {
					p.errorf(vn, "mac: invalid MAC address %q", s)
					return
				}
				fe.MAC, fe.HasMAC = m, true
			case "host":
				which = append(which, e)
				vn, s, ok := p.scalar(e.v, "host", "a host or host.interface")
				if !ok {
					return
				}
				p.fdbHost(vn, s, &fe)
			case "container":
				which = append(which, e)
				name, ok := p.name(e.v, "container")
				if !ok {
					return
				}
				if p.devices[name].kind != "container" && !p.dockerCtr[name] {
					p.refErrorf(p.deref(e.v), "container: undefined container %q", name)
					return
				}
				fe.Container = name
			case "port":
				vn, s, ok := p.scalar(e.v, "port", "a port name")
				if !ok {
					return
				}
				if sw != nil && !p.portRef(vn, "port", sw, s) {
					return
				}
				fe.Port = s
			case "vlan":
				p.intField(e.v, "vlan", 1, 4094, &fe.VLAN)
			}
		})
		if !ok {
			continue
		}
		switch len(which) {
		case 0:
			p.errorf(it, "%s: give mac, host or container for each entry", key)
			continue
		case 1:
		default:
			p.errorf(which[1].k, "%s: give one of mac, host and container per entry", key)
			continue
		}
		out = append(out, fe)
	}
	return out
}

func (p *parser) countersStep(n *yaml.Node, own []entry) *CountersStep {
	cs := &CountersStep{}
	es, present, _, _, ok := p.actionEntries(n, "counters")
	if !ok {
		return nil
	}
	var sw *Switch
	var host *Host
	good := true
	var portE, ifaceE *entry
	for _, e := range es {
		switch e.key {
		case "switch":
			if sw = p.switchRef(e.v, "switch"); sw == nil {
				good = false
			} else {
				cs.Switch = sw.Name
			}
		case "host":
			name, ok := p.name(e.v, "host")
			if !ok {
				good = false
				continue
			}
			if host = p.hostIdx[name]; host == nil {
				var cands []string
				for _, h := range p.s.Hosts {
					cands = append(cands, h.Name)
				}
				p.refErrorf(p.deref(e.v), "host: undefined host %q%s", name, didYouMean(name, cands))
				good = false
				continue
			}
			cs.Host = name
		case "port":
			portE = &e
		case "iface":
			ifaceE = &e
		}
	}
	switch {
	case present["switch"] == present["host"]:
		p.errorf(p.deref(n), "counters: give a switch (and port) or a host (and iface)")
		return nil
	case portE != nil && !present["switch"]:
		p.errorf(portE.k, "port: ports belong to switches; for a host give iface")
		return nil
	case ifaceE != nil && !present["host"]:
		p.errorf(ifaceE.k, "iface: interfaces belong to hosts; for a switch give port")
		return nil
	}
	if portE != nil {
		vn, s, ok := p.scalar(portE.v, "port", "a port name")
		if ok && sw != nil && p.portRef(vn, "port", sw, s) {
			cs.Port = s
		} else {
			good = false
		}
	}
	if host != nil {
		if ifaceE != nil {
			vn, s, ok := p.scalar(ifaceE.v, "iface", "an interface name")
			if ok && host.Interface(s) == nil {
				p.refErrorf(vn, "iface: host %s has no interface %q", host.Name, s)
				good = false
			}
			cs.Iface = s
		} else if len(host.Interfaces) > 0 {
			cs.Iface = host.Interfaces[0].Name
		}
	}
	for _, e := range own {
		if e.key != "drops" {
			if m, ok := p.intMatch(e.v, e.key, 0, 1<<62); ok {
				cs.Expect = append(cs.Expect, CounterMatch{e.key, *m})
			}
			continue
		}
		d := p.deref(e.v)
		if d.Kind != yaml.MappingNode {
			if m, ok := p.intMatch(d, "drops", 0, 1<<62); ok {
				cs.Expect = append(cs.Expect, CounterMatch{"drops", *m})
			}
			continue
		}
		// {min:, max:} is a total; any other keys are drop reasons.
		if _, isRange := findKey(d, "min"); isRange {
			if m, ok := p.intMatch(d, "drops", 0, 1<<62); ok {
				cs.Expect = append(cs.Expect, CounterMatch{"drops", *m})
			}
			continue
		}
		if _, isRange := findKey(d, "max"); isRange {
			if m, ok := p.intMatch(d, "drops", 0, 1<<62); ok {
				cs.Expect = append(cs.Expect, CounterMatch{"drops", *m})
			}
			continue
		}
		reasons, _ := p.entries(d, "drops", "reason")
		for _, r := range reasons {
			if !validReason(r.key) {
				p.errorf(r.k, "drops: invalid drop reason %q (lower-case letters, digits, _ and -)", r.key)
				continue
			}
			if m, ok := p.intMatch(r.v, r.key, 0, 1<<62); ok {
				cs.Expect = append(cs.Expect, CounterMatch{"drops." + r.key, *m})
			}
		}
	}
	if !good {
		return nil
	}
	return cs
}

func validReason(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (p *parser) stpStep(n *yaml.Node, own []entry) *STPStep {
	ss := &STPStep{}
	es, present, _, _, ok := p.actionEntries(n, "stp")
	if !ok || !p.required(n, "stp", present, "switch") {
		return nil
	}
	var sw *Switch
	for _, e := range es {
		if sw = p.switchRef(e.v, "switch"); sw == nil {
			return nil
		}
		if sw.STP == nil {
			p.errorf(p.deref(e.v), "switch: switch %s does not run STP (give it stp: {})", sw.Name)
			return nil
		}
		ss.Switch = sw.Name
	}
	for _, e := range own {
		switch e.key {
		case "root":
			if root := p.switchRef(e.v, "root"); root != nil {
				if root.STP == nil {
					p.errorf(p.deref(e.v), "root: switch %s does not run STP and cannot be the root", root.Name)
				}
				ss.Expect.Root = root.Name
			}
		case "root_port":
			vn, s, ok := p.scalar(e.v, "root_port", "a port name")
			if ok && p.portRef(vn, "root_port", sw, s) {
				ss.Expect.RootPort = s
			}
		case "ports":
			es, _ := p.entries(e.v, "ports", "port")
			for _, pe := range es {
				if !p.portRef(pe.k, "ports", sw, pe.key) {
					continue
				}
				vn, s, ok := p.scalar(pe.v, pe.key, "a port state")
				if !ok {
					continue
				}
				if !slices.Contains(STPStates, s) {
					if hint := didYouMean(s, STPStates); hint != "" {
						p.errorf(vn, "%s: unknown port state %q%s", pe.key, s, hint)
					} else {
						p.errorf(vn, "%s: unknown port state %q (one of %s)", pe.key, s, strings.Join(STPStates, ", "))
					}
					continue
				}
				ss.Expect.Ports = append(ss.Expect.Ports, PortState{pe.key, s})
			}
		}
	}
	return ss
}

func (p *parser) dockerStep(n *yaml.Node, nodeE *entry) *DockerStep {
	ds := &DockerStep{Node: p.firstNode()}
	vn, s, ok := p.scalar(n, "docker", "a docker command line")
	if !ok {
		return nil
	}
	if nodeE != nil {
		v, ok := p.nodeRef(nodeE.v, "node")
		if !ok {
			return nil
		}
		ds.Node = v
	}
	ds.Command = s
	args, jq, err := SplitDockerLine(s)
	if err != nil {
		p.errorf(vn, "docker: %v", err)
		return nil
	}
	ds.Args, ds.JQ = args, jq
	cmd, err := dockercli.ParseCommand(args)
	switch {
	case errors.Is(err, dockercli.ErrUsage):
		// Docker itself refuses this line: a step may expect exactly that
		// ({error: ...}); otherwise the file is wrong (checked once the
		// step's expect is known).
		ds.UsageErr = err
		ds.usagePos = vn
		return ds
	case err != nil:
		p.errorf(vn, "docker: %v", err)
		return nil
	}
	ds.Cmd = cmd
	switch c := cmd.(type) {
	case *dockercli.Run:
		if c.ContainerName != "" {
			p.dockerCtr[c.ContainerName] = true
		}
	case *dockercli.NetworkCreate:
		p.dockerNet[c.Network] = true
	}
	return ds
}

func (p *parser) captureStep(n *yaml.Node) *CaptureStep {
	cs := &CaptureStep{}
	var ops []entry
	var fileE *entry
	ok := p.object(n, "capture", "capture step", keys["capture"], func(e entry) {
		if e.key == "file" {
			fileE = &e
			return
		}
		ops = append(ops, e)
	})
	if !ok {
		return nil
	}
	switch len(ops) {
	case 0:
		p.errorf(p.deref(n), "capture: give start or stop with what to capture (a host, container, link or endpoint)")
		return nil
	case 1:
	default:
		p.errorf(ops[1].k, "capture: give start or stop, not both")
		return nil
	}
	vn, target, ok := p.scalar(ops[0].v, ops[0].key, "a host, container, link or endpoint")
	if !ok || !p.captureTarget(vn, ops[0].key, target) {
		return nil
	}
	cs.Target = target
	if ops[0].key == "start" {
		cs.Start = target
	} else {
		cs.Stop = target
		if fileE != nil {
			p.errorf(fileE.k, "file: only capture start takes a file")
		}
	}
	if fileE != nil && cs.Start != "" {
		vn, f, ok := p.scalar(fileE.v, "file", "a file name")
		if !ok {
			return nil
		}
		if f == "" || path.IsAbs(f) || strings.Contains(f, "\\") || slices.Contains(strings.Split(f, "/"), "..") {
			p.errorf(vn, "file: %q must be a relative path inside the capture directory", f)
			return nil
		}
		if !strings.HasSuffix(f, ".pcapng") {
			p.errorf(vn, "file: %q should end in .pcapng (the format written)", f)
			return nil
		}
		cs.File = f
	}
	return cs
}

// dnsSources are the values a dnslog entry's source can take (dnsd.Source).
var dnsSources = []string{"internal", "ndots", "cache", "upstream", "refused", "failed", "formerr", "notimp"}

func (p *parser) dnslogStep(n *yaml.Node, own []entry) *DNSLogStep {
	ds := &DNSLogStep{Node: p.firstNode()}
	es, _, _, _, ok := p.actionEntries(n, "dnslog")
	if !ok {
		return nil
	}
	for _, e := range es {
		if e.key == "node" {
			v, ok := p.nodeRef(e.v, "node")
			if !ok {
				return nil
			}
			ds.Node = v
		}
	}
	for _, e := range own {
		switch e.key {
		case "has":
			ds.Expect.Has = p.dnslogEntries(e.v, "has")
		case "lacks":
			ds.Expect.Lacks = p.dnslogEntries(e.v, "lacks")
		case "size":
			ds.Expect.Size, _ = p.intMatch(e.v, "size", 0, math32)
		}
	}
	return ds
}

func (p *parser) dnslogEntries(n *yaml.Node, key string) []DNSLogEntry {
	items, _ := p.items(n, key)
	out := []DNSLogEntry{}
	for _, it := range items {
		var de DNSLogEntry
		ok := p.object(p.deref(it), key, "dnslog entry", keys["dnslog.entry"], func(e entry) {
			switch e.key {
			case "from":
				name, ok := p.name(e.v, "from")
				if !ok {
					return
				}
				if p.devices[name].kind != "container" && !p.dockerCtr[name] {
					p.refErrorf(p.deref(e.v), "from: undefined container %q", name)
					return
				}
				de.From = name
			case "name":
				s, _ := p.str(e.v, "name")
				de.Name = strings.ToLower(strings.TrimSuffix(s, "."))
			case "type":
				vn, s, ok := p.scalar(e.v, "type", "a query type")
				if ok && !slices.Contains(dnsTypes, strings.ToUpper(s)) {
					p.errorf(vn, "type: unknown query type %q (one of %s)", s, strings.Join(dnsTypes, ", "))
				}
				de.Type = strings.ToUpper(s)
			case "rcode":
				vn, s, ok := p.scalar(e.v, "rcode", "a response code")
				if ok && !slices.Contains(rcodes, strings.ToUpper(s)) {
					p.errorf(vn, "rcode: unknown response code %q (one of %s)", s, strings.Join(rcodes, ", "))
				}
				de.Rcode = strings.ToUpper(s)
			case "answer":
				de.Answer, _ = p.str(e.v, "answer")
			case "source":
				vn, s, ok := p.scalar(e.v, "source", "an answer source")
				if ok && !slices.Contains(dnsSources, s) {
					p.errorf(vn, "source: unknown source %q (one of %s)", s, strings.Join(dnsSources, ", "))
				}
				de.Source = s
			}
		})
		if ok {
			out = append(out, de)
		}
	}
	return out
}
