package dockercli

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vswitch/vswitch/network"
)

// ContainerJSON is the part of docker inspect's container object the
// simulator fills, in Docker's field order (moby api/types/container
// InspectResponse). Templates see these fields by their Go names, and by
// their JSON names through the raw fallback, as with Docker.
type ContainerJSON struct {
	ID              string          `json:"Id"`
	Created         string          `json:"Created"`
	Path            string          `json:"Path"`
	Args            []string        `json:"Args"`
	State           ContainerState  `json:"State"`
	Image           string          `json:"Image"`
	Name            string          `json:"Name"`
	RestartCount    int             `json:"RestartCount"`
	HostConfig      HostConfig      `json:"HostConfig"`
	Config          ContainerConfig `json:"Config"`
	NetworkSettings NetworkSettings `json:"NetworkSettings"`
}

// ContainerState is State in docker inspect.
type ContainerState struct {
	Status     string `json:"Status"`
	Running    bool   `json:"Running"`
	Paused     bool   `json:"Paused"`
	Restarting bool   `json:"Restarting"`
	OOMKilled  bool   `json:"OOMKilled"`
	Dead       bool   `json:"Dead"`
	ExitCode   int    `json:"ExitCode"`
	Error      string `json:"Error"`
	StartedAt  string `json:"StartedAt"`
	FinishedAt string `json:"FinishedAt"`
}

// PortBindingJSON is one host binding of a port in docker inspect.
type PortBindingJSON struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

// HostConfig is the network part of HostConfig in docker inspect.
type HostConfig struct {
	NetworkMode  string                       `json:"NetworkMode"`
	PortBindings map[string][]PortBindingJSON `json:"PortBindings"`
	AutoRemove   bool                         `json:"AutoRemove"`
	DNS          []string                     `json:"Dns"`
	DNSOptions   []string                     `json:"DnsOptions"`
	DNSSearch    []string                     `json:"DnsSearch"`
	ExtraHosts   []string                     `json:"ExtraHosts"`
	PublishAll   bool                         `json:"PublishAllPorts"`
}

// ContainerConfig is Config in docker inspect.
type ContainerConfig struct {
	Hostname     string              `json:"Hostname"`
	Domainname   string              `json:"Domainname"`
	User         string              `json:"User"`
	AttachStdin  bool                `json:"AttachStdin"`
	AttachStdout bool                `json:"AttachStdout"`
	AttachStderr bool                `json:"AttachStderr"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Tty          bool                `json:"Tty"`
	OpenStdin    bool                `json:"OpenStdin"`
	StdinOnce    bool                `json:"StdinOnce"`
	Env          []string            `json:"Env"`
	Cmd          []string            `json:"Cmd"`
	Image        string              `json:"Image"`
	WorkingDir   string              `json:"WorkingDir"`
	Entrypoint   []string            `json:"Entrypoint"`
	Labels       map[string]string   `json:"Labels"`
}

// NetworkSettings is NetworkSettings in docker inspect: the published
// ports, the legacy default-bridge fields and one entry per network.
type NetworkSettings struct {
	Ports       map[string][]PortBindingJSON `json:"Ports"`
	EndpointID  string                       `json:"EndpointID"`
	Gateway     string                       `json:"Gateway"`
	IPAddress   string                       `json:"IPAddress"`
	IPPrefixLen int                          `json:"IPPrefixLen"`
	MacAddress  string                       `json:"MacAddress"`
	Networks    map[string]*EndpointSettings `json:"Networks"`
}

// EndpointIPAMConfig is the static address of an endpoint.
type EndpointIPAMConfig struct {
	IPv4Address string `json:"IPv4Address,omitempty"`
}

// EndpointSettings is one network of a container in docker inspect.
type EndpointSettings struct {
	IPAMConfig          *EndpointIPAMConfig `json:"IPAMConfig"`
	Links               []string            `json:"Links"`
	Aliases             []string            `json:"Aliases"`
	MacAddress          string              `json:"MacAddress"`
	DriverOpts          map[string]string   `json:"DriverOpts"`
	GwPriority          int                 `json:"GwPriority"`
	NetworkID           string              `json:"NetworkID"`
	EndpointID          string              `json:"EndpointID"`
	Gateway             string              `json:"Gateway"`
	IPAddress           string              `json:"IPAddress"`
	IPPrefixLen         int                 `json:"IPPrefixLen"`
	IPv6Gateway         string              `json:"IPv6Gateway"`
	GlobalIPv6Address   string              `json:"GlobalIPv6Address"`
	GlobalIPv6PrefixLen int                 `json:"GlobalIPv6PrefixLen"`
	DNSNames            []string            `json:"DNSNames"`
}

// zeroTime is how Docker shows a time that has not happened.
const zeroTime = "0001-01-01T00:00:00Z"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return zeroTime
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// inspectJSON describes the container as docker inspect does.
func (c *container) inspectJSON() ContainerJSON {
	sb := c.sb
	j := ContainerJSON{
		ID:      sb.ID(),
		Created: formatTime(c.created),
		Args:    []string{},
		State: ContainerState{
			Status: c.state, Running: c.state == StateRunning, ExitCode: c.exitCode,
			StartedAt: formatTime(c.started), FinishedAt: formatTime(c.finished),
		},
		Image: c.imageID,
		Name:  "/" + sb.Name(),
		HostConfig: HostConfig{
			NetworkMode: sb.NetworkMode(), PortBindings: map[string][]PortBindingJSON{}, AutoRemove: c.spec.AutoRemove,
			DNS: []string{}, DNSOptions: orEmpty(c.spec.DNSOptions), DNSSearch: orEmpty(c.spec.DNSSearch),
			ExtraHosts: c.spec.ExtraHosts, PublishAll: c.publishAll,
		},
		Config: ContainerConfig{
			Hostname: sb.Hostname(), AttachStdin: c.spec.Interactive && !c.spec.Detach,
			AttachStdout: !c.spec.Detach, AttachStderr: !c.spec.Detach, Tty: c.spec.TTY,
			OpenStdin: c.spec.Interactive, StdinOnce: c.spec.Interactive && !c.spec.Detach,
			Env: c.spec.Env, Cmd: c.spec.Cmd, Image: c.spec.Image, Entrypoint: c.spec.Entrypoint,
			Labels: c.spec.Labels,
		},
		NetworkSettings: NetworkSettings{Ports: map[string][]PortBindingJSON{}, Networks: map[string]*EndpointSettings{}},
	}
	if j.Config.Labels == nil {
		j.Config.Labels = map[string]string{}
	}
	if argv := slices.Concat(c.spec.Entrypoint, c.spec.Cmd); len(argv) > 0 {
		j.Path, j.Args = argv[0], argv[1:]
	}
	for _, d := range c.spec.DNS {
		j.HostConfig.DNS = append(j.HostConfig.DNS, d.String())
	}
	for _, p := range c.spec.Publish {
		for i := 0; i <= int(p.PortEnd-p.Port); i++ {
			key := fmt.Sprintf("%d/%s", int(p.Port)+i, p.Proto)
			b := PortBindingJSON{}
			if p.HostIP.IsValid() {
				b.HostIP = p.HostIP.String()
			}
			switch {
			case p.HostPort == 0 && p.HostPortEnd == 0:
			case p.PortEnd == p.Port:
				b.HostPort = portRange(p.HostPort, p.HostPortEnd)
			default:
				b.HostPort = strconv.Itoa(int(p.HostPort) + i)
			}
			j.HostConfig.PortBindings[key] = append(j.HostConfig.PortBindings[key], b)
		}
	}
	if len(c.spec.Expose) > 0 {
		j.Config.ExposedPorts = map[string]struct{}{}
		for _, x := range c.spec.Expose {
			j.Config.ExposedPorts[x] = struct{}{}
		}
	}
	for _, p := range c.spec.Publish {
		if j.Config.ExposedPorts == nil {
			j.Config.ExposedPorts = map[string]struct{}{}
		}
		for i := 0; i <= int(p.PortEnd-p.Port); i++ {
			j.Config.ExposedPorts[fmt.Sprintf("%d/%s", int(p.Port)+i, p.Proto)] = struct{}{}
		}
	}
	if c.state == StateRunning {
		for x := range j.Config.ExposedPorts {
			j.NetworkSettings.Ports[x] = nil
		}
		for _, b := range c.spec.Ports {
			key := fmt.Sprintf("%d/%s", b.Port, b.Proto)
			j.NetworkSettings.Ports[key] = append(j.NetworkSettings.Ports[key],
				PortBindingJSON{HostIP: b.HostIP.String(), HostPort: strconv.Itoa(int(b.HostPort))})
		}
	}
	for _, ep := range sb.Endpoints() {
		n := ep.Network()
		es := &EndpointSettings{
			Aliases: nilIfEmpty(ep.Aliases()), NetworkID: n.ID(), EndpointID: ep.ID(),
			DNSNames: nilIfEmpty(ep.DNSNames()),
		}
		if ep.StaticIP() {
			es.IPAMConfig = &EndpointIPAMConfig{IPv4Address: ep.IP().String()}
		}
		if !ep.MAC().IsZero() {
			es.MacAddress = ep.MAC().String()
		}
		if ep.Address().IsValid() {
			es.IPAddress = ep.IP().String()
			es.IPPrefixLen = ep.Address().Bits()
		}
		if ep.Gateway().IsValid() {
			es.Gateway = ep.Gateway().String()
		}
		j.NetworkSettings.Networks[n.Name()] = es
		if n.Name() == "bridge" && n.Predefined() {
			ns := &j.NetworkSettings
			ns.EndpointID, ns.Gateway, ns.IPAddress, ns.IPPrefixLen, ns.MacAddress =
				es.EndpointID, es.Gateway, es.IPAddress, es.IPPrefixLen, es.MacAddress
		}
	}
	for _, s := range c.saved {
		es := &EndpointSettings{Aliases: nilIfEmpty(s.aliases), NetworkID: s.networkID}
		if s.ip.IsValid() {
			es.IPAMConfig = &EndpointIPAMConfig{IPv4Address: s.ip.String()}
		}
		j.NetworkSettings.Networks[s.networkName] = es
	}
	return j
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func (e *Env) inspect(c *Inspect) (string, error) {
	var elems []any
	var errs []error
	for _, name := range c.Names {
		if c.Type == "" || c.Type == "container" {
			rec, err := e.find(name)
			if err == nil {
				elems = append(elems, rec.inspectJSON())
				continue
			}
			if c.Type == "container" || !errors.Is(err, network.ErrNotFound) {
				errs = append(errs, daemonErr(err))
				continue
			}
		}
		in, err := e.Controller.Inspect(name)
		if err == nil {
			elems = append(elems, in)
			continue
		}
		if c.Type == "network" || !errors.Is(err, network.ErrNotFound) {
			errs = append(errs, daemonErr(err))
			continue
		}
		errs = append(errs, &Error{Kind: ErrDaemon, Msg: "Error: No such object: " + name, Cause: err})
	}
	return finishInspect(c.Format, elems, errs)
}

func (e *Env) ps(c *Ps) (string, error) {
	f, err := filters(c.Filters)
	if err != nil {
		return "", daemonErr(err)
	}
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first bad filter reported must not depend on map order
	for _, k := range keys {
		switch k {
		case "name", "id", "status", "network", "label", "ancestor", "publish", "expose":
		default:
			return "", daemonErrf("invalid filter '%s'", k)
		}
	}
	for _, s := range f["status"] {
		switch s {
		case "created", "restarting", "running", "removing", "paused", "exited", "dead":
		default:
			return "", daemonErrf("invalid filter 'status=%s'", s)
		}
	}
	all := c.All || c.Latest || c.Last > 0 || len(f["status"]) > 0
	now := e.now()
	var rows []any
	for i := len(e.containers) - 1; i >= 0; i-- {
		rec := e.containers[i]
		if !all && rec.state != StateRunning {
			continue
		}
		if !rec.matches(f) {
			continue
		}
		rows = append(rows, &containerRow{c: rec, now: now, trunc: !c.NoTrunc})
	}
	switch {
	case c.Latest && len(rows) > 1:
		rows = rows[:1]
	case c.Last > 0 && len(rows) > c.Last:
		rows = rows[:c.Last]
	}
	format := c.Format
	switch {
	case c.Quiet:
		format = "{{.ID}}"
	case format == "" || format == "table":
		format = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
	case format == "raw":
		format = "container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n" +
			"state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n"
	}
	return renderList(format, containerHeader, rows)
}

// matches applies docker ps filters: name (a regular expression, as
// Docker's), id (prefix), status, network (name or ID), label, ancestor
// (image), publish and expose (container port or port/proto).
func (c *container) matches(f network.Filters) bool {
	anyOf := func(key string, pred func(v string) bool) bool {
		vals, ok := f[key]
		if !ok {
			return true
		}
		return slices.ContainsFunc(vals, pred)
	}
	ok := anyOf("name", func(v string) bool {
		m, err := regexp.MatchString(v, "/"+c.sb.Name())
		return v == c.sb.Name() || (err == nil && m)
	}) && anyOf("id", func(v string) bool { return strings.HasPrefix(c.sb.ID(), v) }) &&
		anyOf("status", func(v string) bool { return v == c.state }) &&
		anyOf("ancestor", func(v string) bool { return v == c.spec.Image || strings.HasPrefix(c.spec.Image, v+":") }) &&
		anyOf("network", func(v string) bool {
			for _, ep := range c.sb.Endpoints() {
				if n := ep.Network(); n.Name() == v || strings.HasPrefix(n.ID(), v) {
					return true
				}
			}
			return false
		}) &&
		anyOf("publish", func(v string) bool {
			return slices.ContainsFunc(c.spec.Ports, func(b PortBinding) bool { return portMatch(v, b.Port, b.Proto) })
		}) &&
		anyOf("expose", func(v string) bool {
			return slices.ContainsFunc(c.spec.Expose, func(x string) bool {
				port, proto, _ := strings.Cut(x, "/")
				n, _ := strconv.Atoi(port)
				return portMatch(v, uint16(n), proto)
			})
		})
	if !ok {
		return false
	}
	for _, l := range f["label"] {
		k, v, hasV := strings.Cut(l, "=")
		got, present := c.spec.Labels[k]
		if !present || (hasV && got != v) {
			return false
		}
	}
	return true
}

func portMatch(filter string, port uint16, proto string) bool {
	p, pr, hasProto := strings.Cut(filter, "/")
	if hasProto && pr != proto {
		return false
	}
	return p == strconv.Itoa(int(port))
}
