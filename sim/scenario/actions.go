package scenario

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/tcp"
	vswitch "github.com/vswitch/vswitch/switch"
)

// source returns the host, client, container or node a step runs on.
func (r *runner) source(name string) (*hostNode, error) {
	if hn := r.w.hosts[name]; hn != nil {
		return hn, nil
	}
	if hn, _, ok := r.w.container(name); ok {
		return hn, nil
	}
	if hn, ok := r.w.nodeSource(name); ok {
		return hn, nil
	}
	return nil, fmt.Errorf("no host, client, node or running container %q", name)
}

// target resolves a step's destination: an IP always; for an L2 host a
// host's name; for a client a node's name; and otherwise whatever the
// source's resolver answers, as `ping NAME` there would (so container names
// do not resolve on the default bridge).
func (r *runner) target(from *hostNode, to string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(to); err == nil {
		return a, nil
	}
	switch from.kind {
	case kindL2:
		if a, ok := r.w.hostAddr(to); ok {
			return a, nil
		}
	case kindClient, kindNode:
		if a, ok := r.w.nodeAddr(to); ok {
			return a, nil
		}
	}
	return r.resolveName(from, to)
}

func fmtDur(d time.Duration) string {
	return d.Round(time.Microsecond).String()
}

func (r *runner) ping(p *PingStep) (outcome, error) {
	o := outcome{desc: fmt.Sprintf("ping %s -> %s x%d", p.From, p.To, p.Count)}
	hn, err := r.source(p.From)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	dst, err := r.target(hn, p.To)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	var res host.PingResult
	done := false
	hn.h.Ping(dst, host.PingOptions{Count: p.Count, Interval: p.Interval, Size: p.Size, Timeout: p.Timeout, TTL: p.TTL, DF: p.DF},
		func(pr host.PingResult) { res, done = pr, true })
	if err := r.await(&done); err != nil {
		return o, err
	}
	o.summary = fmt.Sprintf("%d/%d received", res.Received, res.Sent)
	if res.Sent == 0 {
		// Not even one request left the host (no route): ping fails.
		o.failed = "ping: sendto: " + strings.Join(uniq(res.Errors), ", ")
		return o, nil
	}
	if res.Received > 0 {
		o.summary += fmt.Sprintf(", rtt min/avg/max %s/%s/%s", fmtDur(res.RTTMin), fmtDur(res.RTTAvg), fmtDur(res.RTTMax))
	}
	if len(res.Errors) > 0 {
		o.summary += ", " + strings.Join(uniq(res.Errors), ", ")
	}
	want := Exactly(int64(res.Sent))
	if p.Expect.Received != nil {
		want = *p.Expect.Received
	}
	if !want.Match(int64(res.Received)) {
		o.mismatch("received: want %s, got %d (%s)", want, res.Received, o.summary)
	}
	if m := p.Expect.RTTMax; m != nil && res.Received > 0 && res.RTTMax > *m {
		o.mismatch("rtt_max: want <= %v, got %v", *m, fmtDur(res.RTTMax))
	}
	if m := p.Expect.RTTMin; m != nil && res.Received > 0 && res.RTTMin < *m {
		o.mismatch("rtt_min: want >= %v, got %v", *m, fmtDur(res.RTTMin))
	}
	return o, nil
}

func uniq(ss []string) []string {
	var out []string
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func (r *runner) traceroute(t *TracerouteStep) (outcome, error) {
	o := outcome{desc: fmt.Sprintf("traceroute %s -> %s", t.From, t.To)}
	hn, err := r.source(t.From)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	dst, err := r.target(hn, t.To)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	var res host.TraceResult
	done := false
	hn.h.Traceroute(dst, host.TraceOptions{MaxHops: t.MaxHops, Timeout: t.Timeout}, func(tr host.TraceResult) { res, done = tr, true })
	if err := r.await(&done); err != nil {
		return o, err
	}
	got := make([]string, len(res.Hops))
	for i, h := range res.Hops {
		got[i] = hopString(h.Addr)
	}
	o.summary = "hops " + strings.Join(got, " ")
	if res.Error != "" {
		o.failed = res.Error
		return o, nil
	}
	if t.Expect.HasHops {
		want := make([]string, len(t.Expect.Hops))
		for i, a := range t.Expect.Hops {
			want[i] = hopString(a)
		}
		if !slices.Equal(want, got) {
			o.mismatch("hops: want [%s], got [%s]", strings.Join(want, " "), strings.Join(got, " "))
		}
	}
	wantReached := true
	if t.Expect.Reached != nil {
		wantReached = *t.Expect.Reached
	}
	if res.Reached != wantReached {
		o.mismatch("reached: want %v, got %v", wantReached, res.Reached)
	}
	return o, nil
}

func hopString(a netip.Addr) string {
	if !a.IsValid() {
		return "*"
	}
	return a.String()
}

func (r *runner) tcp(t *TCPStep) (outcome, error) {
	o := outcome{desc: fmt.Sprintf("tcp %s -> %s", t.From, t.To)}
	hn, err := r.source(t.From)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	dst, err := r.target(hn, t.Host)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	var conn *tcp.Conn
	var derr error
	done := false
	hn.tcp.Dial(netip.AddrPortFrom(dst, t.Port), tcp.DialOptions{Timeout: t.Timeout}, func(c *tcp.Conn, err error) {
		conn, derr, done = c, err, true
	})
	if err := r.await(&done); err != nil {
		return o, err
	}
	connected := derr == nil
	refused := errors.Is(derr, tcp.ErrRefused)
	timedOut := errors.Is(derr, tcp.ErrTimeout)
	switch {
	case connected:
		o.summary = "connected"
	default:
		o.summary = derr.Error()
	}
	var reply string
	if connected && t.Data != nil {
		var got []byte
		closed := false
		conn.OnData(func(b []byte) { got = append(got, b...) })
		conn.OnClose(func(error) { closed = true })
		if _, err := conn.Write([]byte(*t.Data)); err != nil {
			o.failed = "write: " + err.Error()
			return o, nil
		}
		_, err := r.loop.RunUntil(r.loop.Now()+t.Timeout, func() bool { return closed || len(got) >= len(*t.Data) })
		if err != nil {
			return o, err
		}
		reply = string(got)
		o.summary += fmt.Sprintf(", reply %q", shorten(reply, 60))
	}
	var retrans uint64
	if conn != nil {
		retrans = conn.Stats().Retransmits
		conn.Close()
		if retrans > 0 {
			o.summary += fmt.Sprintf(", %d retransmits", retrans)
		}
	}
	e := t.Expect
	switch {
	case e.Refused != nil:
		if refused != *e.Refused {
			o.mismatch("refused: want %v, got %s", *e.Refused, o.summary)
		}
	case e.Timeout != nil:
		if timedOut != *e.Timeout {
			o.mismatch("timeout: want %v, got %s", *e.Timeout, o.summary)
		}
	case e.Connected != nil:
		if connected != *e.Connected {
			o.mismatch("connected: want %v, got %s", *e.Connected, o.summary)
		}
	default:
		if !connected {
			o.failed = o.summary
		}
	}
	if e.Reply != nil && reply != *e.Reply {
		o.mismatch("reply: want %q, got %q", *e.Reply, reply)
	}
	if m := e.Retransmits; m != nil && !m.Match(int64(retrans)) {
		o.mismatch("retransmits: want %s, got %d", m, retrans)
	}
	return o, nil
}

func (r *runner) link(l *LinkStep) (outcome, error) {
	o := outcome{desc: fmt.Sprintf("link %s %s", l.Op, l.Ref)}
	k := r.w.links[l.Target]
	if k == nil {
		o.failed = fmt.Sprintf("no link %q", l.Ref)
		return o, nil
	}
	// A pending "back up" follows the latest command on the link: a new
	// down (with or without for) or an up replaces it.
	if t := r.w.upTimers[l.Target]; t != nil && l.Op != LinkSet {
		t.Stop()
	}
	switch l.Op {
	case LinkDown:
		k.SetUp(false)
		if l.For > 0 {
			o.desc += " for " + l.For.String()
			t := r.w.upTimers[l.Target]
			if t == nil {
				t = r.loop.NewTimer(func() { k.SetUp(true) })
				r.w.upTimers[l.Target] = t
			}
			t.Reset(l.For)
		}
	case LinkUp:
		k.SetUp(true)
	case LinkSet:
		props := r.w.props[l.Target] // as the last set left it
		l.Change.Apply(&props)
		cfg := linkConfig(props)
		if err := cfg.Validate(); err != nil {
			o.failed = err.Error()
			return o, nil
		}
		k.SetConfig(cfg)
		r.w.props[l.Target] = props
	}
	return o, nil
}

func (r *runner) bridge(name string) (*swNode, string) {
	sw := r.w.switches[name]
	if sw == nil {
		return nil, fmt.Sprintf("no switch %q", name)
	}
	sw.b.Advance(r.loop.Now())
	return sw, ""
}

func (r *runner) fdb(f *FDBStep) outcome {
	o := outcome{desc: "fdb " + f.Switch}
	var br *vswitch.Bridge
	if f.Switch == "" {
		o.desc = fmt.Sprintf("fdb %s/%s", f.Node, f.Network)
		n := r.w.docker.byName[f.Node]
		b, ok := n.Bridge(f.Network)
		if !ok {
			o.failed = fmt.Sprintf("node %s has no bridge network %q", f.Node, f.Network)
			return o
		}
		b.Advance(r.loop.Now())
		br = b
	} else {
		sw, fail := r.bridge(f.Switch)
		if sw == nil {
			o.failed = fail
			return o
		}
		br = sw.b
	}
	entries := br.FDB()
	o.summary = fmt.Sprintf("%d entries", len(entries))
	match := func(want FDBEntry) (bool, string, error) {
		m, err := r.w.macOf(want, f.Network)
		if err != nil {
			return false, "", err
		}
		desc := m.String()
		if want.Port != "" {
			desc += " port " + want.Port
		}
		if want.VLAN != 0 {
			desc += fmt.Sprintf(" vlan %d", want.VLAN)
		}
		for _, e := range entries {
			if e.MAC == m && (want.Port == "" || want.Port == e.PortName) && (want.VLAN == 0 || uint16(want.VLAN) == e.VLAN) {
				return true, desc, nil
			}
		}
		return false, desc, nil
	}
	where := func(m string) string {
		var at []string
		for _, e := range entries {
			if strings.HasPrefix(m, e.MAC.String()) {
				at = append(at, fmt.Sprintf("port %s vlan %d", e.PortName, e.VLAN))
			}
		}
		if len(at) == 0 {
			return "absent"
		}
		return strings.Join(at, ", ")
	}
	for _, want := range f.Expect.Has {
		ok, desc, err := match(want)
		if err != nil {
			o.failed = err.Error()
			return o
		}
		if !ok {
			o.mismatch("has %s: got %s", desc, where(desc))
		}
	}
	for _, want := range f.Expect.Lacks {
		ok, desc, err := match(want)
		if err != nil {
			o.failed = err.Error()
			return o
		}
		if ok {
			o.mismatch("lacks %s: present (%s)", desc, where(desc))
		}
	}
	if s := f.Expect.Size; s != nil && !s.Match(int64(len(entries))) {
		o.mismatch("size: want %s, got %d", s, len(entries))
	}
	return o
}

func (r *runner) counters(c *CountersStep) outcome {
	o := outcome{desc: "counters " + c.Switch + c.Host}
	var get func(name string) (uint64, bool)
	switch {
	case c.Switch != "":
		sw, fail := r.bridge(c.Switch)
		if sw == nil {
			o.failed = fail
			return o
		}
		var pc vswitch.Counters
		var bc vswitch.BridgeCounters
		if c.Port != "" {
			o.desc += " port " + c.Port
			id, ok := sw.ports[c.Port]
			if !ok {
				o.failed = fmt.Sprintf("switch %s has no port %s", c.Switch, c.Port)
				return o
			}
			pc, _ = sw.b.PortCounters(id)
		} else {
			bc = sw.b.Counters()
			pc = bc.Counters
		}
		get = func(name string) (uint64, bool) {
			switch name {
			case "rx_frames":
				return pc.RxFrames, true
			case "rx_bytes":
				return pc.RxBytes, true
			case "tx_frames":
				return pc.TxFrames, true
			case "tx_bytes":
				return pc.TxBytes, true
			case "drops":
				return pc.TotalDrops(), true
			case "flooded":
				return bc.Flooded, c.Port == ""
			case "learned":
				return bc.Learned, c.Port == ""
			case "moves":
				return bc.Moves, c.Port == ""
			case "fdb_full":
				return bc.FDBFull, c.Port == ""
			case "aged":
				return bc.Aged, c.Port == ""
			}
			if reason, ok := strings.CutPrefix(name, "drops."); ok {
				if dr, ok := vswitch.ParseDropReason(reason); ok {
					return pc.Drop(dr), true
				}
			}
			return 0, false
		}
	default:
		hn := r.w.hosts[c.Host]
		if hn == nil {
			o.failed = fmt.Sprintf("no host %q", c.Host)
			return o
		}
		var ns struct{ rxf, rxb, txf, txb uint64 }
		if c.Iface != "" {
			o.desc += "." + c.Iface
			nic := hn.h.NIC(c.Iface)
			if nic == nil {
				o.failed = fmt.Sprintf("host %s has no interface %s", c.Host, c.Iface)
				return o
			}
			s := nic.Stats()
			ns.rxf, ns.rxb, ns.txf, ns.txb = s.RxFrames, s.RxBytes, s.TxFrames, s.TxBytes
		} else {
			s := hn.h.Stats()
			ns.rxf, ns.rxb, ns.txf, ns.txb = s.RxFrames, s.RxBytes, s.TxFrames, s.TxBytes
		}
		hs := hn.h.Stats()
		get = func(name string) (uint64, bool) {
			switch name {
			case "rx_frames":
				return ns.rxf, true
			case "rx_bytes":
				return ns.rxb, true
			case "tx_frames":
				return ns.txf, true
			case "tx_bytes":
				return ns.txb, true
			case "drops":
				var n uint64
				for _, d := range hs.Drops {
					n += d
				}
				return n, true
			}
			if reason, ok := strings.CutPrefix(name, "drops."); ok {
				return hn.h.Drops(reason), true
			}
			return 0, false
		}
	}
	var parts []string
	for _, m := range c.Expect {
		v, ok := get(m.Name)
		if !ok {
			o.failed = fmt.Sprintf("unknown counter %q here", m.Name)
			return o
		}
		parts = append(parts, fmt.Sprintf("%s=%d", m.Name, v))
		if !m.Match.Match(int64(v)) {
			o.mismatch("%s: want %s, got %d", m.Name, m.Match, v)
		}
	}
	o.summary = strings.Join(parts, " ")
	return o
}

func (r *runner) stp(s *STPStep) outcome {
	o := outcome{desc: "stp " + s.Switch}
	sw, fail := r.bridge(s.Switch)
	if sw == nil {
		o.failed = fail
		return o
	}
	st, on := sw.b.STPStatus()
	if !on {
		o.failed = fmt.Sprintf("switch %s does not run STP", s.Switch)
		return o
	}
	root := "?"
	for name, other := range r.w.switches {
		if other.b.MAC() == st.RootID.MAC() {
			root = name
		}
	}
	rootPort := ""
	if st.RootPort >= 0 {
		rootPort = sw.b.PortName(vswitch.PortID(st.RootPort))
	}
	var states []string
	for _, p := range sw.b.Ports() {
		states = append(states, fmt.Sprintf("%s=%s", p.Config.Name, p.State))
	}
	o.summary = fmt.Sprintf("root %s, %s", root, strings.Join(states, " "))
	if s.Expect.Root != "" && s.Expect.Root != root {
		o.mismatch("root: want %s, got %s", s.Expect.Root, root)
	}
	if s.Expect.RootPort != "" && s.Expect.RootPort != rootPort {
		o.mismatch("root_port: want %s, got %q", s.Expect.RootPort, rootPort)
	}
	for _, want := range s.Expect.Ports {
		id, ok := sw.ports[want.Port]
		if !ok {
			o.failed = fmt.Sprintf("switch %s has no port %s", s.Switch, want.Port)
			return o
		}
		_, state, _ := sw.b.PortState(id)
		if state.String() != want.State {
			o.mismatch("port %s: want %s, got %s", want.Port, want.State, state)
		}
	}
	return o
}

// shorten keeps report lines readable: long values are cut with their
// length noted.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s... (%d bytes)", s[:n], len(s))
}
