package dockercli

import (
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vswitch/vswitch/network"
)

// networkRow is one line of docker network ls: the fields a --format
// template sees are the docker CLI's networkContext methods.
type networkRow struct {
	n     *network.Network
	in    network.Inspect
	trunc bool
}

// ID is the network ID, 12 characters unless --no-trunc.
func (r *networkRow) ID() string {
	if r.trunc {
		return truncateID(r.n.ID())
	}
	return r.n.ID()
}

// Name is the network's name.
func (r *networkRow) Name() string { return r.n.Name() }

// Driver is the driver's name.
func (r *networkRow) Driver() string { return r.n.DriverName() }

// Scope is "local" or "swarm".
func (r *networkRow) Scope() string { return r.n.Scope() }

// IPv4 is "true" or "false".
func (r *networkRow) IPv4() string { return strconv.FormatBool(r.in.EnableIPv4) }

// IPv6 is "true" or "false".
func (r *networkRow) IPv6() string { return strconv.FormatBool(r.in.EnableIPv6) }

// Internal is "true" or "false".
func (r *networkRow) Internal() string { return strconv.FormatBool(r.n.Internal()) }

// Labels is "k=v,k2=v2" (sorted, where Docker's order is random).
func (r *networkRow) Labels() string { return joinLabels(r.n.Labels()) }

// Label is one label's value.
func (r *networkRow) Label(name string) string { return r.n.Labels()[name] }

// CreatedAt is the creation time as Go prints a time.Time.
func (r *networkRow) CreatedAt() string { return r.n.Created().String() }

// MarshalJSON gives {{json .}} and --format json the docker CLI's object:
// every field above by name.
func (r *networkRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"ID": r.ID(), "Name": r.Name(), "Driver": r.Driver(), "Scope": r.Scope(), "IPv4": r.IPv4(),
		"IPv6": r.IPv6(), "Internal": r.Internal(), "Labels": r.Labels(), "CreatedAt": r.CreatedAt(),
	})
}

func joinLabels(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// portSummary is one entry of a container's ports in docker ps: a
// published binding, or an exposed port (IP and PublicPort zero).
type portSummary struct {
	IP          netip.Addr
	PrivatePort uint16
	PublicPort  uint16
	Type        string
}

// containerRow is one line of docker ps: the fields a --format template
// sees are the docker CLI's ContainerContext methods.
type containerRow struct {
	c     *container
	now   time.Time
	trunc bool
}

// ID is the container ID, 12 characters unless --no-trunc.
func (r *containerRow) ID() string {
	if r.trunc {
		return truncateID(r.c.sb.ID())
	}
	return r.c.sb.ID()
}

// Names is the container's name.
func (r *containerRow) Names() string { return r.c.sb.Name() }

// Image is the image as given, in its familiar form when truncating.
func (r *containerRow) Image() string {
	img := r.c.spec.Image
	if img == "" {
		return "<no image>"
	}
	if !r.trunc {
		return img
	}
	img = strings.TrimPrefix(img, "docker.io/")
	return strings.TrimPrefix(img, "library/")
}

// Command is the quoted command line, cut to 20 characters when
// truncating.
func (r *containerRow) Command() string {
	cmd := r.c.commandLine()
	if r.trunc {
		cmd = ellipsis(cmd, 20)
	}
	return strconv.Quote(cmd)
}

// CreatedAt is the creation time, to the second.
func (r *containerRow) CreatedAt() string { return time.Unix(r.c.created.Unix(), 0).UTC().String() }

// RunningFor is how long ago the container was created.
func (r *containerRow) RunningFor() string {
	return humanDuration(r.now.Sub(time.Unix(r.c.created.Unix(), 0))) + " ago"
}

// Ports lists published and exposed ports as docker ps does.
func (r *containerRow) Ports() string { return displayablePorts(r.c.portSummaries()) }

// State is "created", "running" or "exited".
func (r *containerRow) State() string { return r.c.state }

// Status is "Up 2 minutes", "Created" or "Exited (137) 5 seconds ago".
func (r *containerRow) Status() string { return r.c.status(r.now) }

// Size is the container's size: nothing is written in the simulator.
func (r *containerRow) Size() string { return "0B" }

// Labels is "k=v,k2=v2", sorted.
func (r *containerRow) Labels() string { return joinLabels(r.c.spec.Labels) }

// Label is one label's value.
func (r *containerRow) Label(name string) string { return r.c.spec.Labels[name] }

// Mounts is empty: the simulator mounts nothing.
func (r *containerRow) Mounts() string { return "" }

// LocalVolumes is "0".
func (r *containerRow) LocalVolumes() string { return "0" }

// Networks is the names of the container's networks, comma-separated.
func (r *containerRow) Networks() string {
	var names []string
	for _, ep := range r.c.sb.Endpoints() {
		names = append(names, ep.Network().Name())
	}
	for _, s := range r.c.saved {
		names = append(names, s.networkName)
	}
	return strings.Join(names, ",")
}

// MarshalJSON gives {{json .}} and --format json the docker CLI's object.
func (r *containerRow) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{
		"ID": r.ID(), "Names": r.Names(), "Image": r.Image(), "Command": r.Command(), "CreatedAt": r.CreatedAt(),
		"RunningFor": r.RunningFor(), "Ports": r.Ports(), "State": r.State(), "Status": r.Status(),
		"Size": r.Size(), "Labels": r.Labels(), "Mounts": r.Mounts(), "LocalVolumes": r.LocalVolumes(),
		"Networks": r.Networks(),
	})
}

var containerHeader = headerContext{
	"ID": "CONTAINER ID", "Names": "NAMES", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
	"RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS", "Size": "SIZE",
	"Labels": "LABELS", "Mounts": "MOUNTS", "LocalVolumes": "LOCAL VOLUMES", "Networks": "NETWORKS",
}

// displayablePorts is the docker CLI's DisplayablePorts: consecutive
// exposed ports are grouped into ranges, published ones shown as
// host->container.
func displayablePorts(ports []portSummary) string {
	type group struct{ first, last uint16 }
	groups := map[string]*group{}
	var keys, result, hostMappings []string
	sort.SliceStable(ports, func(i, j int) bool {
		a, b := ports[i], ports[j]
		if a.PrivatePort != b.PrivatePort {
			return a.PrivatePort < b.PrivatePort
		}
		if a.IP != b.IP {
			// The CLI's comparePorts compares the addresses as strings:
			// "192.168.1.10" before "192.168.1.9".
			return portIP(a.IP) < portIP(b.IP)
		}
		if a.PublicPort != b.PublicPort {
			return a.PublicPort < b.PublicPort
		}
		return a.Type < b.Type
	})
	for _, p := range ports {
		cur := p.PrivatePort
		key := p.Type
		if p.IP.IsValid() {
			if p.PublicPort != cur {
				hp := net.JoinHostPort(p.IP.String(), strconv.Itoa(int(p.PublicPort)))
				hostMappings = append(hostMappings, fmt.Sprintf("%s->%d/%s", hp, p.PrivatePort, p.Type))
				continue
			}
			key = p.IP.String() + "/" + p.Type
		}
		g := groups[key]
		if g == nil {
			groups[key] = &group{cur, cur}
			keys = append(keys, key)
			continue
		}
		if cur == g.last+1 {
			g.last = cur
			continue
		}
		result = append(result, formGroup(key, g.first, g.last))
		groups[key] = &group{cur, cur}
	}
	for _, k := range keys {
		g := groups[k]
		result = append(result, formGroup(k, g.first, g.last))
	}
	result = append(result, hostMappings...)
	return strings.Join(result, ", ")
}

func formGroup(key string, start, last uint16) string {
	parts := strings.Split(key, "/")
	typ, ip := parts[0], ""
	if len(parts) > 1 {
		ip, typ = parts[0], parts[1]
	}
	g := strconv.Itoa(int(start))
	if start != last {
		g = fmt.Sprintf("%s-%d", g, last)
	}
	if ip != "" {
		g = fmt.Sprintf("%s->%s", net.JoinHostPort(ip, g), g)
	}
	return g + "/" + typ
}

// commandLine is Docker's Summary.Command: the process's path and its
// arguments joined by spaces, arguments with spaces in single quotes.
func (c *container) commandLine() string {
	argv := slices.Concat(c.spec.Entrypoint, c.spec.Cmd)
	if len(argv) == 0 {
		return ""
	}
	parts := []string{argv[0]}
	for _, a := range argv[1:] {
		if strings.Contains(a, " ") {
			a = "'" + a + "'"
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

// portSummaries are the ports of a running container as docker ps lists
// them: the published bindings and the other exposed ports.
func (c *container) portSummaries() []portSummary {
	if c.state != StateRunning {
		return nil
	}
	var out []portSummary
	published := map[string]bool{}
	for _, b := range c.spec.Ports {
		out = append(out, portSummary{IP: b.HostIP, PrivatePort: b.Port, PublicPort: b.HostPort, Type: b.Proto})
		published[fmt.Sprintf("%d/%s", b.Port, b.Proto)] = true
	}
	for _, x := range c.spec.Expose {
		if published[x] {
			continue
		}
		port, proto, _ := strings.Cut(x, "/")
		n, _ := strconv.Atoi(port)
		out = append(out, portSummary{PrivatePort: uint16(n), Type: proto})
	}
	return out
}

// status is Docker's State.String.
func (c *container) status(now time.Time) string {
	switch c.state {
	case StateRunning:
		return "Up " + humanDuration(now.Sub(c.started))
	case StateExited:
		return fmt.Sprintf("Exited (%d) %s ago", c.exitCode, humanDuration(now.Sub(c.finished)))
	}
	return "Created"
}

// portIP is a port's host address as the Engine API gives it: "" when the
// port is not published.
func portIP(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}
