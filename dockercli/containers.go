package dockercli

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vswitch/vswitch/network"
)

// Random host ports come from the host's ip_local_port_range, as Docker
// reads it: the simulated nodes are Linux hosts with its default,
// 32768-60999 (49153-65535 is only Docker's fallback when the file cannot
// be read).
const (
	ephemeralFirst = 32768
	ephemeralLast  = 60999
)

// runFail formats an error of docker run (reportError: "docker: " and a
// final period) or docker create (the daemon's error as is).
func runFail(c *Run, err error) error {
	msg := "Error response from daemon: " + err.Error()
	if c.Name() == "run" {
		msg = "docker: " + strings.TrimSuffix(msg, ".") + "."
	}
	return &Error{Kind: ErrDaemon, Msg: msg, Cause: err}
}

// netErr is an error of the daemon's networking at container start.
func netErr(err error) error {
	var ne *network.Error
	if errors.As(err, &ne) {
		return &network.Error{Class: ne.Class, Msg: "failed to set up container networking: " + ne.Msg, Cause: ne.Cause}
	}
	return fmt.Errorf("failed to set up container networking: %w", err)
}

func (e *Env) run(c *Run) (string, error) {
	im := lookupImage(c.Image)
	ep, cmd := im.command(c.Entrypoint, c.Cmd)
	spec := RunSpec{
		Image: c.Image, Entrypoint: ep, Cmd: cmd, Hostname: c.Hostname,
		DNS: slices.Clone(c.DNS), DNSSearch: slices.Clone(c.DNSSearch), DNSOptions: slices.Clone(c.DNSOptions),
		ExtraHosts: slices.Clone(c.ExtraHosts), Publish: slices.Clone(c.Publish),
		Env: slices.Concat(c.Env, im.env), Labels: c.Labels, Services: im.servicesFor(c.Entrypoint, c.Cmd),
		Interactive: c.Interactive, TTY: c.TTY, Detach: c.Detach, AutoRemove: c.AutoRemove,
	}
	for _, x := range slices.Concat(im.expose, c.Expose) {
		if !slices.Contains(spec.Expose, x) {
			spec.Expose = append(spec.Expose, x)
		}
	}
	first := c.Networks[0]
	if strings.HasPrefix(first.Network, "container:") && (len(c.Publish) > 0 || c.PublishAll) {
		return "", runFail(c, &network.Error{Class: network.ErrInvalidParameter, Msg: "conflicting options: port publishing and the container type network mode"})
	}
	// Check the other networks first, so that a missing one costs no
	// sandbox.
	for _, a := range c.Networks[1:] {
		if _, err := e.Controller.FindNetwork(a.Network); err != nil {
			return "", runFail(c, netErr(err))
		}
	}
	sb, err := e.Controller.Run(c.ContainerName, network.RunOptions{
		Network: first.Network, Aliases: first.Aliases, IP: first.IP, Hostname: c.Hostname,
		DNS: c.DNS, DNSSearch: c.DNSSearch, DNSOptions: c.DNSOptions,
	})
	if err != nil {
		return "", runFail(c, err)
	}
	for _, a := range c.Networks[1:] {
		if _, err := e.Controller.Connect(sb.ID(), a.Network, network.EndpointOptions{IP: a.IP, Aliases: a.Aliases}); err != nil {
			_ = e.Controller.RemoveSandbox(sb.ID())
			return "", runFail(c, netErr(err))
		}
	}
	now := e.now()
	rec := &container{sb: sb, spec: spec, imageID: imageID(c.Image), state: StateCreated, created: now, stopCode: 137}
	if im.handlesTerm && len(spec.Services) > 0 {
		rec.stopCode = 0
	}
	rec.publishAll = c.PublishAll
	if c.Name() == "create" {
		e.containers = append(e.containers, rec)
		e.detach(rec)
		return sb.ID() + "\n", nil
	}
	ports, err := e.allocatePorts(rec)
	if err != nil {
		_ = e.Controller.RemoveSandbox(sb.ID())
		return "", runFail(c, err)
	}
	e.containers = append(e.containers, rec)
	e.markRunning(rec, ports)
	if c.Detach {
		return sb.ID() + "\n", nil
	}
	return "", nil
}

// markRunning records a started container and tells the runner.
func (e *Env) markRunning(c *container, ports []PortBinding) {
	c.spec.Ports = ports
	c.saved = nil
	c.state = StateRunning
	c.started = e.now()
	c.exitCode = 0
	if e.OnRun != nil {
		e.OnRun(c.sb, c.spec)
	}
}

// detach takes a container off its networks, remembering them for start:
// a created or stopped container has no endpoints in Docker. Host-mode
// endpoints stay (they hold nothing).
func (e *Env) detach(c *container) {
	for _, ep := range c.sb.Endpoints() {
		n := ep.Network()
		if n.DriverName() == network.DriverHost {
			continue
		}
		s := savedEndpoint{networkID: n.ID(), networkName: n.Name(), aliases: ep.Aliases()}
		if ep.StaticIP() {
			s.ip = ep.IP()
		}
		if err := e.Controller.Disconnect(c.sb.ID(), n.ID(), false); err != nil {
			continue
		}
		c.saved = append(c.saved, s)
	}
}

// attach gives a starting container its saved endpoints back. On error it
// undoes what it did.
func (e *Env) attach(c *container) error {
	var joined []string
	for _, s := range c.saved {
		term := s.networkID
		if _, err := e.Controller.FindNetwork(term); err != nil {
			term = s.networkName
		}
		ep, err := e.Controller.Connect(c.sb.ID(), term, network.EndpointOptions{IP: s.ip, Aliases: s.aliases})
		if err != nil {
			var errs []error
			for _, id := range joined {
				if derr := e.Controller.Disconnect(c.sb.ID(), id, false); derr != nil {
					errs = append(errs, derr)
				}
			}
			if len(errs) > 0 {
				// Undoing failed: say so rather than leave an endpoint
				// behind silently.
				return netErr(errors.Join(append([]error{err}, errs...)...))
			}
			return netErr(err)
		}
		// The network actually joined: the saved ID may be gone (the
		// network was removed and created again under its name).
		joined = append(joined, ep.Network().ID())
	}
	return nil
}

// startContainer starts a created or stopped container.
func (e *Env) startContainer(c *container) error {
	saved := slices.Clone(c.saved)
	if err := e.attach(c); err != nil {
		return err
	}
	ports, err := e.allocatePorts(c)
	if err != nil {
		c.saved = nil
		e.detach(c)
		c.saved = saved
		return err
	}
	e.markRunning(c, ports)
	return nil
}

func (e *Env) start(c *Start) (string, error) {
	var out strings.Builder
	var errs []error
	var failed []string
	for _, name := range c.Containers {
		rec, err := e.find(name)
		if err == nil && rec.state != StateRunning {
			err = e.startContainer(rec)
		}
		if err != nil {
			errs = append(errs, daemonErr(err))
			failed = append(failed, name)
			continue
		}
		out.WriteString(name + "\n")
	}
	if len(errs) > 0 {
		errs = append(errs, errors.New("Error: failed to start containers: "+strings.Join(failed, ", ")))
	}
	return out.String(), joinErrors(errs)
}

// stopContainer stops a running container: it leaves its networks and
// its ports are released.
func (e *Env) stopContainer(c *container) {
	e.detach(c)
	c.spec.Ports = nil
	c.state = StateExited
	c.finished = e.now()
	c.exitCode = c.stopCode
	if e.OnStop != nil {
		e.OnStop(c.sb)
	}
}

func (e *Env) stop(c *Stop) (string, error) {
	var out strings.Builder
	var errs []error
	for _, name := range c.Containers {
		rec, err := e.find(name)
		if err != nil {
			errs = append(errs, daemonErr(err))
			continue
		}
		if rec.state == StateRunning {
			e.stopContainer(rec)
			if rec.spec.AutoRemove {
				e.remove(rec)
			}
		}
		out.WriteString(name + "\n")
	}
	return out.String(), joinErrors(errs)
}

// logs prints a container's output, the last Tail lines of it, each with
// its time in Docker's fixed-width RFC 3339 form when asked.
func (e *Env) logs(c *Logs) (string, error) {
	rec, err := e.find(c.Container)
	if err != nil {
		return "", daemonErr(err)
	}
	lines := rec.logs
	if c.Tail >= 0 && c.Tail < len(lines) {
		lines = lines[len(lines)-c.Tail:]
	}
	var b strings.Builder
	for _, l := range lines {
		if c.Timestamps {
			b.WriteString(l.at.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") + " ")
		}
		b.WriteString(l.text + "\n")
	}
	return b.String(), nil
}

// remove deletes a container from the model and the Env.
func (e *Env) remove(c *container) {
	_ = e.Controller.RemoveSandbox(c.sb.ID())
	e.containers = slices.DeleteFunc(e.containers, func(x *container) bool { return x == c })
	if e.OnRemove != nil {
		e.OnRemove(c.sb)
	}
}

func (e *Env) rm(c *Rm) (string, error) {
	var out strings.Builder
	var errs []error
	for _, name := range c.Containers {
		term := strings.Trim(name, "/")
		if term == "" {
			errs = append(errs, usagef("Container name cannot be empty"))
			continue
		}
		rec, err := e.find(term)
		if err != nil {
			if c.Force && errors.Is(err, network.ErrNotFound) {
				continue
			}
			errs = append(errs, daemonErr(err))
			continue
		}
		if rec.state == StateRunning && !c.Force {
			errs = append(errs, &Error{Kind: ErrDaemon, Cause: &network.Error{Class: network.ErrConflict},
				Msg: fmt.Sprintf("Error response from daemon: cannot remove container \"/%s\": container is running: stop the container before removing or force remove", rec.sb.Name())})
			continue
		}
		if rec.state == StateRunning {
			e.stopContainer(rec)
		}
		e.remove(rec)
		out.WriteString(name + "\n")
	}
	return out.String(), joinErrors(errs)
}

func (e *Env) port(c *Port) (string, error) {
	rec, err := e.find(c.Container)
	if err != nil {
		return "", daemonErr(err)
	}
	var out []string
	if c.Private != "" {
		port, proto, _ := strings.Cut(c.Private, "/")
		if proto == "" {
			proto = "tcp"
		}
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return "", usagef("Error: invalid port (%s): %v", port, err)
		}
		for _, b := range rec.spec.Ports {
			if strconv.Itoa(int(b.Port)) == port && b.Proto == proto {
				out = append(out, b.hostAddr())
			}
		}
		if len(out) == 0 {
			return "", usagef("no public port '%s' published for %s", c.Private, c.Container)
		}
	} else {
		for _, b := range rec.spec.Ports {
			out = append(out, b.String())
		}
	}
	if len(out) == 0 {
		return "", nil
	}
	slices.SortFunc(out, func(a, b string) int {
		switch {
		case naturalLess(a, b):
			return -1
		case naturalLess(b, a):
			return 1
		}
		return 0
	})
	return strings.Join(out, "\n") + "\n", nil
}

// allocatePorts binds the container's published ports: fixed host ports
// must be free, random ones come from the ephemeral range, round robin.
// Published ports are discarded in host mode and without an interface.
func (e *Env) allocatePorts(c *container) ([]PortBinding, error) {
	var epID string
	for _, ep := range c.sb.Endpoints() {
		if ep.IP().IsValid() {
			epID = ep.ID()
			break
		}
	}
	if epID == "" || c.sb.HostMode() {
		return nil, nil
	}
	var taken []PortBinding
	for _, o := range e.containers {
		if o != c && o.state == StateRunning {
			taken = append(taken, o.spec.Ports...)
		}
	}
	var out []PortBinding
	fail := func(bind string) error {
		return netErr(&network.Error{Class: network.ErrForbidden, Msg: fmt.Sprintf(
			"driver failed programming external connectivity on endpoint %s (%s): Bind for %s failed: port is already allocated",
			c.sb.Name(), epID, bind)})
	}
	hosts := func(ip netip.Addr) []netip.Addr {
		if ip.IsValid() {
			return []netip.Addr{ip}
		}
		if !e.IPv6 {
			return []netip.Addr{netip.IPv4Unspecified()}
		}
		return []netip.Addr{netip.IPv4Unspecified(), netip.IPv6Unspecified()}
	}
	free := func(proto string, port uint16, ips []netip.Addr) bool {
		for _, ip := range ips {
			b := PortBinding{Proto: proto, HostIP: ip, HostPort: port}
			if portConflict(b, taken) || portConflict(b, out) {
				return false
			}
		}
		return true
	}
	add := func(proto string, cport, hport uint16, ips []netip.Addr) {
		for _, ip := range ips {
			out = append(out, PortBinding{Proto: proto, Port: cport, HostIP: ip, HostPort: hport})
		}
	}
	random := func(proto string, ips []netip.Addr) (uint16, bool) {
		if e.nextPort == nil {
			e.nextPort = map[string]uint16{}
		}
		next := e.nextPort[proto]
		if next < ephemeralFirst {
			next = ephemeralFirst
		}
		for i := 0; i <= ephemeralLast-ephemeralFirst; i++ {
			p := next
			if next == ephemeralLast {
				next = ephemeralFirst
			} else {
				next++
			}
			if free(proto, p, ips) {
				e.nextPort[proto] = next
				return p, true
			}
		}
		return 0, false
	}
	for _, p := range c.spec.Publish {
		ips := hosts(p.HostIP)
		for i := 0; i <= int(p.PortEnd-p.Port); i++ {
			cport := p.Port + uint16(i)
			switch {
			case p.HostPort == 0 && p.HostPortEnd == 0:
				hp, ok := random(p.Proto, ips)
				if !ok {
					return nil, fail(net.JoinHostPort(ips[0].String(), "0"))
				}
				add(p.Proto, cport, hp, ips)
			case p.PortEnd == p.Port && p.HostPortEnd > p.HostPort:
				found := false
				for hp := int(p.HostPort); hp <= int(p.HostPortEnd); hp++ {
					if free(p.Proto, uint16(hp), ips) {
						add(p.Proto, cport, uint16(hp), ips)
						found = true
						break
					}
				}
				if !found {
					return nil, fail(net.JoinHostPort(ips[0].String(), portRange(p.HostPort, p.HostPortEnd)))
				}
			default:
				hp := p.HostPort + uint16(i)
				for _, ip := range ips {
					if !free(p.Proto, hp, []netip.Addr{ip}) {
						return nil, fail(net.JoinHostPort(ip.String(), strconv.Itoa(int(hp))))
					}
				}
				add(p.Proto, cport, hp, ips)
			}
		}
	}
	if c.publishAll {
		for _, x := range c.spec.Expose {
			port, proto, _ := strings.Cut(x, "/")
			n, _ := strconv.Atoi(port)
			if slices.ContainsFunc(out, func(b PortBinding) bool { return int(b.Port) == n && b.Proto == proto }) {
				continue
			}
			ips := hosts(netip.Addr{})
			hp, ok := random(proto, ips)
			if !ok {
				return nil, fail(net.JoinHostPort(ips[0].String(), "0"))
			}
			add(proto, uint16(n), hp, ips)
		}
	}
	return out, nil
}

// portConflict reports whether b's host address and port are taken: a
// port on 0.0.0.0 (or ::) takes it on every address of that family.
func portConflict(b PortBinding, taken []PortBinding) bool {
	for _, t := range taken {
		if t.Proto != b.Proto || t.HostPort != b.HostPort || t.HostIP.Is4() != b.HostIP.Is4() {
			continue
		}
		if t.HostIP == b.HostIP || t.HostIP.IsUnspecified() || b.HostIP.IsUnspecified() {
			return true
		}
	}
	return false
}
