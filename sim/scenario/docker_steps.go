package scenario

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
	"github.com/vswitch/vswitch/dockercli"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim/app"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/node"
	"github.com/vswitch/vswitch/sim/tcp"
)

// defaultPingCount bounds `docker exec C ping HOST` without -c, which
// would run until interrupted.
const defaultPingCount = 4

// env returns the docker CLI environment of a node: the commands of docker
// steps and the file's containers go through it.
func (w *world) env(n *node.Node) *dockercli.Env {
	d := w.docker
	if e := d.envs[n]; e != nil {
		return e
	}
	e := &dockercli.Env{
		Controller: n.Controller(),
		Now:        w.loop.Time,
		OnRun: func(sb *network.Sandbox, spec dockercli.RunSpec) {
			var svcs []node.Service
			if file, ok := d.fileServices[sb.Name()]; ok {
				svcs = file // the file's services replace the image's
			} else {
				for _, s := range spec.Services {
					if s.HTTP {
						name := sb.Name()
						h := accessLog(spec.Image, imagePage(spec.Image, s.Body), w.loop.Time, func(at time.Time, line string) {
							d.envs[n].AppendLog(name, at, line)
						})
						svcs = append(svcs, node.Service{HTTP: s.Port, Handler: h})
					}
				}
			}
			if !d.served[sb] {
				d.served[sb] = true
				if err := n.StartServices(sb.Name(), svcs...); err != nil {
					d.serviceErr = err
				}
			}
			if c, ok := n.Container(sb.Name()); ok && c.Resolver != nil {
				c.Resolver.SetMusl(muslImage(spec.Image))
			}
			_ = n.Publish(sb.ID(), nodePorts(spec.Ports))
		},
		OnStop: func(sb *network.Sandbox) {
			_ = n.Unpublish(sb.ID())
		},
		OnRemove: func(sb *network.Sandbox) {
			delete(d.served, sb)
		},
	}
	d.envs[n] = e
	return e
}

// nodePorts converts the bindings docker chose into the node's DNAT
// mappings.
func nodePorts(bs []dockercli.PortBinding) []node.PortMapping {
	out := make([]node.PortMapping, 0, len(bs))
	for _, b := range bs {
		out = append(out, node.PortMapping{Proto: b.Proto, HostIP: b.HostIP, HostPort: b.HostPort, Port: b.Port})
	}
	return out
}

// runContainer starts a container of the file through the docker CLI, as
// `docker run -d` for its first network and `docker network connect` for
// each further one.
func (w *world) runContainer(cs *Container) error {
	n := w.docker.byName[cs.Node]
	if len(cs.Services) > 0 {
		svcs := make([]node.Service, len(cs.Services))
		for i, s := range cs.Services {
			svcs[i] = nodeService(s)
		}
		w.docker.fileServices[cs.Name] = svcs
	}
	first := cs.Networks[0]
	args := []string{"run", "-d", "--name", cs.Name, "--network", first.Network}
	for _, a := range first.Aliases {
		args = append(args, "--network-alias", a)
	}
	if first.IP.IsValid() {
		args = append(args, "--ip", first.IP.String())
	}
	if cs.Hostname != "" {
		args = append(args, "--hostname", cs.Hostname)
	}
	for _, d := range cs.DNS {
		args = append(args, "--dns", d.String())
	}
	for _, s := range cs.DNSSearch {
		args = append(args, "--dns-search", s)
	}
	for _, o := range cs.DNSOptions {
		args = append(args, "--dns-option", o)
	}
	for _, p := range cs.Publish {
		args = append(args, "-p", p.String())
	}
	args = append(args, cs.Image)
	cmds := [][]string{args}
	for _, a := range cs.Networks[1:] {
		c := []string{"network", "connect"}
		for _, al := range a.Aliases {
			c = append(c, "--alias", al)
		}
		if a.IP.IsValid() {
			c = append(c, "--ip", a.IP.String())
		}
		cmds = append(cmds, append(c, a.Network, cs.Name))
	}
	for _, c := range cmds {
		cmd, err := dockercli.ParseCommand(c)
		if err == nil {
			_, err = dockercli.Exec(w.env(n), cmd)
		}
		if err != nil {
			return fmt.Errorf("container %s: docker %s: %w", cs.Name, strings.Join(c, " "), err)
		}
		if err := w.docker.serviceErr; err != nil {
			return fmt.Errorf("container %s: %w", cs.Name, err)
		}
	}
	return nil
}

func (r *runner) docker(st *Step) (outcome, error) {
	ds := st.Docker
	o := outcome{desc: "docker " + ds.Command}
	if ds.UsageErr != nil {
		o.failed = ds.UsageErr.Error()
		return o, nil
	}
	n := r.w.docker.byName[ds.Node]
	var out string
	if ex := ds.Cmd.Exec(); ex != nil {
		var err error
		out, err = r.exec(n, ex, &o)
		if err != nil {
			return o, err
		}
	} else {
		var err error
		out, err = dockercli.Exec(r.w.env(n), ds.Cmd)
		if err != nil {
			o.failed = err.Error()
		}
		if e := r.w.docker.serviceErr; e != nil {
			o.failed = e.Error()
			r.w.docker.serviceErr = nil
		}
		switch ds.Cmd.(type) {
		case *dockercli.Run, *dockercli.Start, *dockercli.NetworkConnect:
			// Starting a container or attaching it takes the real command
			// far longer than this; the settle lets its gratuitous ARP
			// reach the node and its neighbours before the next step, as
			// it would have.
			if o.failed == "" {
				if err := r.loop.Run(r.loop.Now() + attachSettle); err != nil {
					return o, err
				}
			}
		}
		if run, ok := ds.Cmd.(*dockercli.Run); ok && o.failed == "" {
			if out, err = r.foreground(n, run, &o); err != nil {
				return o, err
			}
		}
	}
	if ds.JQ && o.failed == "" {
		var err error
		if out, err = jqIdentity(out); err != nil {
			o.failed = err.Error()
		}
	}
	trimmed := strings.TrimSpace(out)
	o.summary = firstLine(trimmed)
	if e := st.Expect.Output; e != nil && trimmed != strings.TrimSpace(*e) {
		o.mismatch("output: want %q, got %q", strings.TrimSpace(*e), trimmed)
	}
	if e := st.Expect.OutputContains; e != nil && !strings.Contains(out, *e) {
		o.mismatch("output_contains: want %q in %q", *e, trimmed)
	}
	return o, nil
}

// foreground runs the command of a docker run without -d when it is one
// docker exec could run (ping, nslookup, wget, ...): its output is the
// step's, and when it ends the container exits with its status (0, or 1
// when it failed) and goes if --rm was given. Other commands (a shell,
// sleep, an image's own server) keep the container running with no
// output, as if detached.
func (r *runner) foreground(n *node.Node, run *dockercli.Run, o *outcome) (string, error) {
	if run.Name() != "run" || run.Detach || len(run.Cmd) == 0 || run.Entrypoint != nil {
		return "", nil
	}
	env := r.w.env(n)
	name := env.Newest()
	cmd, err := dockercli.ParseCommand(append([]string{"exec", name}, run.Cmd...))
	if err != nil {
		return "", nil
	}
	ex := cmd.Exec()
	if ex == nil || ex.Detach {
		return "", nil
	}
	out, err := r.exec(n, ex, o)
	if err != nil {
		return out, err
	}
	code := 0
	if o.failed != "" {
		code = 1
	}
	env.AppendLog(name, r.w.loop.Time(), out)
	if err := env.Exited(name, code); err != nil && o.failed == "" {
		o.failed = err.Error()
	}
	return out, nil
}

func firstLine(s string) string {
	line, rest, more := strings.Cut(s, "\n")
	if more && rest != "" {
		return line + " ..."
	}
	return line
}

// exec runs a program inside a container on the simulated network and
// returns what it prints; a failing program (non-zero exit) sets o.failed
// to what it prints on stderr.
func (r *runner) exec(n *node.Node, ex *dockercli.ExecCommand, o *outcome) (string, error) {
	if _, err := r.w.env(n).ExecTarget(ex); err != nil {
		o.failed = err.Error()
		return "", nil
	}
	hn, _, ok := r.w.container(ex.Container)
	if !ok {
		o.failed = fmt.Sprintf("Error response from daemon: container %s is not running", ex.Container)
		return "", nil
	}
	c, _ := n.Container(ex.Container)
	switch t := ex.Tool.(type) {
	case *dockercli.Ping:
		return r.execPing(hn, t, o)
	case *dockercli.Nslookup:
		return r.execNslookup(hn, t, o)
	case *dockercli.Dig:
		typ := t.Type
		if t.Reverse {
			typ = "PTR"
		}
		return r.execLookup(hn, t.Name, strings.TrimPrefix(t.Server, "@"), typ, o, func(server, name string, res lookupResult) string {
			return digOutput(server, name, res, t.Short)
		})
	case *dockercli.Wget:
		return r.execWget(hn, t, o)
	case *dockercli.Curl:
		return r.execCurl(hn, t, o)
	case *dockercli.Cat:
		switch t.Path {
		case "/etc/resolv.conf":
			return c.ResolvConf(), nil
		case "/etc/hostname":
			return c.Sandbox().Hostname() + "\n", nil
		default:
			var b strings.Builder
			for _, e := range r.etcHosts(n, c) {
				fmt.Fprintf(&b, "%s\t%s\n", e.addr, strings.Join(e.names, " "))
			}
			return b.String(), nil
		}
	case *dockercli.Getent:
		a, err := r.resolveName(hn, t.Key)
		if err != nil {
			// getent prints nothing and exits 2.
			o.failed = fmt.Sprintf("getent %s %s: exit status 2", t.Database, t.Key)
			return "", nil
		}
		if t.Database == "hosts" {
			return fmt.Sprintf("%-15s %s\n", a, t.Key), nil
		}
		// ahosts and ahostsv4 list each socket type, as glibc's getent.
		return fmt.Sprintf("%-15s STREAM %s\n%-15s DGRAM  \n%-15s RAW    \n", a, t.Key, a, a), nil
	}
	o.failed = fmt.Sprintf("exec %s is not supported", strings.Join(ex.Argv, " "))
	return "", nil
}

// hostsEntry is a line of a container's /etc/hosts.
type hostsEntry struct {
	addr  string
	names []string
}

// etcHosts is the /etc/hosts Docker writes for a container: the defaults,
// the --add-host entries (host-gateway is the default bridge's gateway),
// then the container's addresses with its hostname.
func (r *runner) etcHosts(n *node.Node, c *node.Container) []hostsEntry {
	out := []hostsEntry{
		{"127.0.0.1", []string{"localhost"}},
		{"::1", []string{"localhost", "ip6-localhost", "ip6-loopback"}},
		{"fe00::0", []string{"ip6-localnet"}},
		{"ff00::0", []string{"ip6-mcastprefix"}},
		{"ff02::1", []string{"ip6-allnodes"}},
		{"ff02::2", []string{"ip6-allrouters"}},
	}
	spec, _ := r.w.env(n).Spec(c.Sandbox())
	for _, x := range spec.ExtraHosts {
		name, addr, _ := strings.Cut(x, ":")
		if addr == "host-gateway" {
			if nw, err := n.Controller().FindNetwork("bridge"); err == nil && nw.Gateway().IsValid() {
				addr = nw.Gateway().String()
			}
		}
		out = append(out, hostsEntry{addr, []string{name}})
	}
	for _, ifc := range c.Interfaces() {
		out = append(out, hostsEntry{ifc.Addr.Addr().String(), []string{c.Sandbox().Hostname()}})
	}
	return out
}

// execPing prints as busybox ping (alpine's) does.
func (r *runner) execPing(hn *hostNode, p *dockercli.Ping, o *outcome) (string, error) {
	dst, err := netip.ParseAddr(p.Host)
	if err != nil {
		a, rerr := r.resolveName(hn, p.Host)
		if rerr != nil {
			o.failed = fmt.Sprintf("ping: bad address '%s'", p.Host)
			return "", nil
		}
		dst = a
	}
	count := p.Count
	if count == 0 {
		count = defaultPingCount
	}
	timeout := p.Timeout
	if p.Deadline > 0 {
		// -w: ping sends until the deadline and exits at it.
		iv := p.Interval
		if iv <= 0 {
			iv = time.Second
		}
		n := int((p.Deadline + iv - 1) / iv)
		if p.Count == 0 || n < count {
			count = n
		}
		left := p.Deadline - time.Duration(count-1)*iv
		if timeout <= 0 || timeout > left {
			timeout = left
		}
	}
	size := p.Size
	if size < 0 {
		size = 56
	}
	var res host.PingResult
	done := false
	hn.h.Ping(dst, host.PingOptions{Count: count, Interval: p.Interval, Size: size, Timeout: timeout, TTL: p.TTL},
		func(pr host.PingResult) { res, done = pr, true })
	if err := r.await(&done); err != nil {
		return "", err
	}
	if res.Sent == 0 {
		o.failed = "ping: sendto: Network unreachable"
		return "", nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "PING %s (%s): %d data bytes\n", p.Host, dst, size)
	if !p.Quiet {
		for _, rp := range res.Replies {
			if rp.Error != "" {
				fmt.Fprintf(&b, "From %s icmp_seq=%d %s\n", rp.From, rp.Seq-1, rp.Error)
				continue
			}
			fmt.Fprintf(&b, "%d bytes from %s: seq=%d ttl=%d time=%.3f ms\n", size+8, rp.From, rp.Seq-1, rp.TTL, ms(rp.RTT))
		}
	}
	loss := 100 * (res.Sent - res.Received) / max(res.Sent, 1)
	fmt.Fprintf(&b, "\n--- %s ping statistics ---\n%d packets transmitted, %d packets received, %d%% packet loss\n", p.Host, res.Sent, res.Received, loss)
	if res.Received > 0 {
		fmt.Fprintf(&b, "round-trip min/avg/max = %.3f/%.3f/%.3f ms\n", ms(res.RTTMin), ms(res.RTTAvg), ms(res.RTTMax))
	} else {
		o.failed = fmt.Sprintf("ping %s: %d packets transmitted, 0 packets received, 100%% packet loss", p.Host, res.Sent)
	}
	return b.String(), nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

type lookupResult struct {
	rcode   string
	answers []string // canonical values of the records of the asked type
	err     error
}

// execLookup runs a DNS query from a container: through its resolver
// settings, or to server when given.
func (r *runner) execLookup(hn *hostNode, name, server, typ string, o *outcome, format func(server, name string, res lookupResult) string) (string, error) {
	res := hn.resolver
	srv := "127.0.0.11"
	if server != "" {
		a, err := netip.ParseAddr(server)
		if err != nil {
			if a, err = r.resolveName(hn, server); err != nil {
				o.failed = fmt.Sprintf("can't resolve '%s'", server)
				return "", nil
			}
		}
		srv = a.String()
		res = newResolver(hn, a)
	} else if cfg := hn.resolver.Config(); len(cfg.Nameservers) > 0 {
		srv = cfg.Nameservers[0].String()
	}
	types := []string{typ}
	if typ == "" {
		types = []string{"A", "AAAA"}
		if _, err := netip.ParseAddr(name); err == nil {
			types = []string{"PTR"} // nslookup ADDRESS asks for its name
		}
	}
	var all lookupResult
	for _, t := range types {
		out, err := r.lookup(res, queryName(name, dns.StringToType[t]), dns.StringToType[t])
		if err != nil {
			return "", err
		}
		rcode := "TIMEOUT"
		if out.Rcode >= 0 {
			rcode = dns.RcodeToString[out.Rcode]
		}
		if all.rcode == "" || all.rcode == "NOERROR" && len(all.answers) == 0 {
			all.rcode = rcode
		}
		all.answers = append(all.answers, rrValues(out.Answers, dns.StringToType[t])...)
		if out.Err != nil && all.err == nil {
			all.err = out.Err
		}
	}
	if len(all.answers) == 0 {
		switch {
		case all.err != nil:
			o.failed = fmt.Sprintf(";; %v", all.err)
		default:
			o.failed = fmt.Sprintf("** server can't find %s: %s", name, all.rcode)
		}
	}
	return format(srv, name, all), nil
}

// nslookupOutput prints as busybox nslookup does.
func nslookupOutput(server, name string, res lookupResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Server:\t\t%s\nAddress:\t%s:53\n\n", server, server)
	if len(res.answers) == 0 {
		fmt.Fprintf(&b, "** server can't find %s: %s\n", name, res.rcode)
		return b.String()
	}
	if !strings.Contains(name, ".") {
		b.WriteString("Non-authoritative answer:\n")
	}
	for _, a := range res.answers {
		if _, err := netip.ParseAddr(a); err != nil { // a PTR answer
			rev, _ := dns.ReverseAddr(name)
			fmt.Fprintf(&b, "%s\tname = %s\n", strings.TrimSuffix(rev, "."), a)
			continue
		}
		fmt.Fprintf(&b, "Name:\t%s\nAddress: %s\n\n", name, a)
	}
	return b.String()
}

// digOutput prints the answers one per line with +short, else a short
// version of dig's sections.
func digOutput(server, name string, res lookupResult, short bool) string {
	if short {
		if len(res.answers) == 0 {
			return ""
		}
		return strings.Join(res.answers, "\n") + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, ";; ->>HEADER<<- opcode: QUERY, status: %s\n;; ANSWER SECTION:\n", res.rcode)
	for _, a := range res.answers {
		fmt.Fprintf(&b, "%s.\t600\tIN\t%s\t%s\n", strings.TrimSuffix(name, "."), rrTypeOf(a), a)
	}
	fmt.Fprintf(&b, "\n;; SERVER: %s#53(%s)\n", server, server)
	return b.String()
}

func rrTypeOf(v string) string {
	a, err := netip.ParseAddr(v)
	switch {
	case err != nil:
		return "PTR"
	case a.Is4():
		return "A"
	}
	return "AAAA"
}

// fetch is the outcome of an HTTP GET from a container.
type fetch struct {
	dst    netip.Addr
	port   uint16
	host   string
	resp   app.Response
	refuse bool   // a RST came back
	err    error  // any other failure
	badURL string // the URL could not be used
	noHost bool   // the name did not resolve
}

// get fetches rawURL from a container.
func (r *runner) get(hn *hostNode, rawURL string, opt app.FetchOptions, timeout time.Duration) (fetch, error) {
	var f fetch
	hostPort, path, err := splitURL(rawURL)
	if err != nil {
		f.badURL = err.Error()
		return f, nil
	}
	f.host, f.port = hostPort, 80
	if h, p, ok := strings.Cut(hostPort, ":"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			f.badURL = "bad port in " + rawURL
			return f, nil
		}
		f.host, f.port = h, uint16(n)
	}
	dst, err := r.target(hn, f.host)
	if err != nil {
		f.noHost = true
		return f, nil
	}
	f.dst = dst
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	done := false
	app.Fetch(hn.tcp, netip.AddrPortFrom(dst, f.port), hostHeader(f.host, f.port), path, opt, timeout, func(rs app.Response, err error) {
		f.resp, f.err, done = rs, err, true
	})
	if err := r.await(&done); err != nil {
		return f, err
	}
	if errors.Is(f.err, tcp.ErrRefused) {
		f.refuse = true
	}
	return f, nil
}

// connectError is the reason a connection failed, in the words of errno.
func connectError(f fetch) string {
	switch {
	case f.refuse:
		return "Connection refused"
	case errors.Is(f.err, tcp.ErrTimeout), errors.Is(f.err, app.ErrTimeout):
		return "Connection timed out"
	case errors.Is(f.err, tcp.ErrUnreachable), errors.Is(f.err, host.ErrUnreachable):
		return "No route to host"
	case errors.Is(f.err, host.ErrNoRoute):
		return "Network is unreachable"
	}
	return f.err.Error()
}

// headers formats a response's status line and headers as they came.
func headers(rs app.Response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %s\r\n", rs.Proto, rs.Status, rs.Reason)
	for _, h := range rs.Header {
		fmt.Fprintf(&b, "%s: %s\r\n", h.Name, h.Value)
	}
	b.WriteString("\r\n")
	return b.String()
}

// attachSettle is the virtual time a docker step that starts a container
// or connects it to a network takes.
const attachSettle = time.Millisecond

// The User-Agent strings of the simulated clients: busybox wget's, and
// curl's as alpine 3.21 packages it.
const (
	wgetAgent = "Wget"
	curlAgent = "curl/8.11.1"
)

// execWget runs busybox wget: the body goes to stdout only with -O -
// (-qO-); otherwise it is saved to a file and stdout stays empty.
func (r *runner) execWget(hn *hostNode, w *dockercli.Wget, o *outcome) (string, error) {
	f, err := r.get(hn, w.URL, app.FetchOptions{UserAgent: wgetAgent}, w.Timeout)
	if err != nil {
		return "", err
	}
	switch {
	case f.badURL != "":
		o.failed = "wget: " + f.badURL
	case f.noHost:
		o.failed = fmt.Sprintf("wget: bad address '%s'", f.host)
	case f.err != nil:
		o.failed = fmt.Sprintf("wget: can't connect to remote host (%s): %s", f.dst, connectError(f))
	case f.resp.Status >= 400:
		o.failed = fmt.Sprintf("wget: server returned error: %s %d %s", f.resp.Proto, f.resp.Status, f.resp.Reason)
	}
	if o.failed != "" || w.Spider || w.Output != "-" {
		return "", nil
	}
	return string(f.resp.Body), nil
}

// execCurl runs curl: -I and -i show the headers, -o discards the body
// from stdout, -w prints its variables, -f fails on HTTP errors; errors
// carry curl's exit codes and texts.
func (r *runner) execCurl(hn *hostNode, c *dockercli.Curl, o *outcome) (string, error) {
	opt := app.FetchOptions{UserAgent: curlAgent}
	if c.Head || c.Method == "HEAD" {
		opt.Method = "HEAD"
	}
	f, err := r.get(hn, c.URL, opt, c.MaxTime)
	if err != nil {
		return "", err
	}
	switch {
	case f.badURL != "":
		o.failed = "curl: (3) URL rejected: " + f.badURL
		return "", nil
	case f.noHost:
		o.failed = fmt.Sprintf("curl: (6) Could not resolve host: %s", f.host)
		return "", nil
	case f.err != nil && (f.refuse || errors.Is(f.err, tcp.ErrUnreachable) || errors.Is(f.err, host.ErrNoRoute)):
		o.failed = fmt.Sprintf("curl: (7) Failed to connect to %s port %d after 0 ms: %s", f.host, f.port, connectError(f))
		return "", nil
	case f.err != nil:
		o.failed = fmt.Sprintf("curl: (28) Failed to connect to %s port %d: %s", f.host, f.port, connectError(f))
		return "", nil
	case c.Fail && f.resp.Status >= 400:
		o.failed = fmt.Sprintf("curl: (22) The requested URL returned error: %d", f.resp.Status)
		return "", nil
	}
	var out strings.Builder
	switch {
	case c.Head || c.Method == "HEAD":
		out.WriteString(headers(f.resp))
	case c.Output == "" || c.Output == "-":
		if c.Include {
			out.WriteString(headers(f.resp))
		}
		out.Write(f.resp.Body)
	}
	if c.WriteOut != "" {
		out.WriteString(curlWriteOut(c.WriteOut, c.URL, f))
	}
	return out.String(), nil
}

// curlWriteOut expands curl's -w variables that make sense here.
func curlWriteOut(format, url string, f fetch) string {
	r := strings.NewReplacer(
		"%{http_code}", strconv.Itoa(f.resp.Status),
		"%{response_code}", strconv.Itoa(f.resp.Status),
		"%{size_download}", strconv.Itoa(len(f.resp.Body)),
		"%{content_type}", f.resp.Header.Get("Content-Type"),
		"%{url_effective}", url,
		"%{remote_ip}", f.dst.String(),
		"%{remote_port}", strconv.Itoa(int(f.port)),
		`\n`, "\n", `\t`, "\t",
	)
	return r.Replace(format)
}

// splitURL takes "http://host[:port]/path" apart.
func splitURL(u string) (hostPort, path string, err error) {
	rest, ok := strings.CutPrefix(u, "http://")
	if !ok {
		if strings.Contains(u, "://") {
			return "", "", fmt.Errorf("not an http URL: %s", u)
		}
		rest = u
	}
	hostPort, path, _ = strings.Cut(rest, "/")
	return hostPort, "/" + path, nil
}

// dnslog checks the query log of a node's embedded DNS.
func (r *runner) dnslog(d *DNSLogStep) outcome {
	o := outcome{desc: "dnslog " + d.Node}
	n := r.w.docker.byName[d.Node]
	log := n.DNS().Log()
	o.summary = fmt.Sprintf("%d queries", len(log))
	match := func(want DNSLogEntry) bool {
		for _, e := range log {
			if (want.From == "" || want.From == e.Endpoint) &&
				(want.Name == "" || strings.EqualFold(want.Name, strings.TrimSuffix(e.Name, "."))) &&
				(want.Type == "" || want.Type == e.Type) &&
				(want.Rcode == "" || want.Rcode == e.Rcode) &&
				(want.Answer == "" || slices.Contains(e.Answers, want.Answer)) &&
				(want.Source == "" || want.Source == string(e.Source)) {
				return true
			}
		}
		return false
	}
	describe := func(e DNSLogEntry) string {
		var parts []string
		for _, kv := range [][2]string{{"from", e.From}, {"name", e.Name}, {"type", e.Type}, {"rcode", e.Rcode}, {"answer", e.Answer}, {"source", e.Source}} {
			if kv[1] != "" {
				parts = append(parts, kv[0]+"="+kv[1])
			}
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	for _, want := range d.Expect.Has {
		if !match(want) {
			o.mismatch("has %s: no such query in the log", describe(want))
		}
	}
	for _, want := range d.Expect.Lacks {
		if match(want) {
			o.mismatch("lacks %s: present in the log", describe(want))
		}
	}
	if s := d.Expect.Size; s != nil && !s.Match(int64(len(log))) {
		o.mismatch("size: want %s, got %d", s, len(log))
	}
	return o
}

// muslImage reports whether an image's libc is musl (Alpine and BusyBox),
// whose resolver never applies the search list to a name with at least
// ndots dots: with Docker's ndots:0, `ping www` with --dns-search
// example.com fails on alpine and works on debian.
func muslImage(image string) bool {
	name := image[strings.LastIndexByte(image, '/')+1:]
	repo, tag, _ := strings.Cut(name, ":")
	return repo == "alpine" || repo == "busybox" || strings.Contains(tag, "alpine")
}

// execNslookup runs busybox nslookup, which resolves with its own code,
// whatever the libc: a dotless name is asked with each search domain
// appended (add_query_with_search), never bare; other names as given.
func (r *runner) execNslookup(hn *hostNode, t *dockercli.Nslookup, o *outcome) (string, error) {
	search := hn.resolver.Config().Search
	if t.Server != "" || len(search) == 0 || strings.Contains(t.Name, ".") {
		return r.execLookup(hn, t.Name, t.Server, t.Type, o, nslookupOutput)
	}
	var out string
	for _, d := range search {
		full := t.Name + "." + strings.TrimSuffix(d, ".")
		var try outcome
		s, err := r.execLookup(hn, full+".", "", t.Type, &try, func(server, _ string, res lookupResult) string {
			return nslookupOutput(server, full, res)
		})
		if err != nil {
			return "", err
		}
		out = s
		if try.failed == "" {
			return out, nil
		}
		o.failed = strings.Replace(try.failed, full+".", full, 1)
	}
	return out, nil
}

// accessLog wraps an image's web server with its access log on stdout,
// which docker logs shows: nginx's "combined" format as the official
// image configures it, httpd's common log format.
func accessLog(image string, h app.Handler, now func() time.Time, log func(time.Time, string)) app.Handler {
	nginx := imageRepo(image) != "httpd"
	return func(req *app.Request) app.Response {
		resp := h(req)
		at := now()
		size := len(resp.Body)
		if req.Method == "HEAD" {
			size = 0
		}
		line := fmt.Sprintf("%s - - [%s] \"%s %s %s\" %d %d", req.Remote.Addr(), at.Format("02/Jan/2006:15:04:05 -0700"),
			req.Method, req.Target, req.Proto, resp.Status, size)
		if nginx {
			ref, ua := req.Header.Get("Referer"), req.Header.Get("User-Agent")
			line += fmt.Sprintf(" \"%s\" \"%s\" \"-\"", orDash(ref), orDash(ua))
		}
		log(at, line)
		return resp
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// imageRepo is an image reference's repository name without registry,
// path or tag: "nginx" for "docker.io/library/nginx:1.27".
func imageRepo(image string) string {
	name := image[strings.LastIndexByte(image, '/')+1:]
	repo, _, _ := strings.Cut(name, ":")
	return repo
}

// imagePage serves an image's default page as its server does: HTML at /
// and /index.html, the server's own 404 page elsewhere, with the server's
// name in the Server header.
func imagePage(image, body string) app.Handler {
	repo := imageRepo(image)
	server, notFound := repo, nginxNotFound
	if repo == "httpd" {
		server, notFound = "Apache", httpdNotFound
	}
	page, missing := []byte(body), []byte(notFound)
	return func(req *app.Request) app.Response {
		h := app.Header{{Name: "Server", Value: server}, {Name: "Content-Type", Value: "text/html"}}
		if p := req.Path(); p != "/" && p != "/index.html" {
			return app.Response{Status: 404, Header: h, Body: missing}
		}
		return app.Response{Status: 200, Header: h, Body: page}
	}
}

// The servers' 404 pages (nginx with server_tokens off, as the Server
// header names no version).
const (
	nginxNotFound = "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	httpdNotFound = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
)
