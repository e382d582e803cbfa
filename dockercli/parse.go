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
	"github.com/vswitch/vswitch/network/ipam"
)

// Supported lists the commands the simulator runs, for messages and docs.
const Supported = "network create|ls|inspect|rm|prune|connect|disconnect, run, create, start, stop, rm, exec, port, inspect, ps, logs"

// dockerGroups are docker's management commands, named with their
// subcommand in messages ("docker service create is not supported").
var dockerGroups = []string{"builder", "buildx", "checkpoint", "compose", "config", "container", "context", "image",
	"manifest", "network", "node", "plugin", "secret", "service", "stack", "swarm", "system", "trust", "volume"}

// invocation maps what the user typed onto a canonical command and the
// command path docker shows in messages.
type invocation struct {
	canonical string // key of commandDefs
	path      string // "docker network ls", "docker container run", "docker run"
}

// resolve reads the command words off args.
func resolve(args []string) (invocation, []string, error) {
	first := args[0]
	switch first {
	case "network", "container":
		if len(args) < 2 || strings.HasPrefix(args[1], "-") {
			return invocation{}, nil, unsupportedf("docker %s needs a subcommand; supported: %s", first, Supported)
		}
		sub := args[1]
		canon, ok := groupCommands[first][sub]
		if !ok {
			return invocation{}, nil, unsupportedf("docker %s %s is not supported by the simulator; supported: %s", first, sub, Supported)
		}
		// cobra names a command by its Use, not by the alias typed.
		name := canon
		if first == "network" {
			name = strings.TrimPrefix(canon, "network ")
		} else if canon == "ps" {
			name = "ls"
		}
		return invocation{canonical: canon, path: "docker " + first + " " + name}, args[2:], nil
	case "run", "create", "start", "stop", "rm", "exec", "port", "inspect", "ps", "logs":
		return invocation{canonical: first, path: "docker " + first}, args[1:], nil
	}
	shown := first
	if slices.Contains(dockerGroups, first) && len(args) > 1 && !strings.HasPrefix(args[1], "-") {
		shown += " " + args[1]
	}
	return invocation{}, nil, unsupportedf("docker %s is not supported by the simulator; supported: %s", shown, Supported)
}

// groupCommands maps the subcommands of docker network and docker
// container (aliases included) onto canonical commands.
var groupCommands = map[string]map[string]string{
	"network": {
		"create": "network create", "ls": "network ls", "list": "network ls", "inspect": "network inspect",
		"rm": "network rm", "remove": "network rm", "prune": "network prune",
		"connect": "network connect", "disconnect": "network disconnect",
	},
	"container": {
		"run": "run", "create": "create", "start": "start", "stop": "stop", "rm": "rm", "remove": "rm",
		"exec": "exec", "port": "port", "inspect": "container inspect", "ls": "ps", "list": "ps", "ps": "ps",
		"logs": "logs",
	},
}

// ParseCommand checks a command line (the words after "docker") as the
// docker CLI does and returns a typed Command. Errors match ErrUsage (with
// the docker CLI's message, for example "unknown flag: --foo" or
// `"docker network create" requires exactly 1 argument.`) or
// ErrUnsupported (naming what the simulator supports).
func ParseCommand(args []string) (Command, error) {
	if len(args) == 0 {
		return nil, unsupportedf("empty docker command; supported: %s", Supported)
	}
	if args[0] == "docker" {
		return nil, usagef("write the command without the leading \"docker\"")
	}
	if strings.HasPrefix(args[0], "-") {
		return nil, unsupportedf("global docker options (%s) are not supported by the simulator; supported: %s", args[0], Supported)
	}
	inv, rest, err := resolve(args)
	if err != nil {
		return nil, err
	}
	def := commandDefs[inv.canonical]
	d := *def
	d.path = inv.path
	fs, pos, err := parseFlags(&d, rest)
	if err != nil {
		return nil, err
	}
	b := base{name: inv.canonical, line: slices.Clone(args)}
	switch inv.canonical {
	case "network create":
		return parseNetworkCreate(b, fs, pos)
	case "network ls":
		return &NetworkLs{base: b, Quiet: fs.boolean("quiet"), NoTrunc: fs.boolean("no-trunc"),
			Format: fs.str("format"), Filters: fs.list("filter")}, nil
	case "network inspect":
		return &NetworkInspect{base: b, Networks: pos, Format: fs.str("format"), Verbose: fs.boolean("verbose")}, nil
	case "network rm":
		return &NetworkRm{base: b, Networks: pos, Force: fs.boolean("force")}, nil
	case "network prune":
		return &NetworkPrune{base: b, Force: fs.boolean("force"), Filters: fs.list("filter")}, nil
	case "network connect":
		return parseNetworkConnect(b, fs, pos)
	case "network disconnect":
		return &NetworkDisconnect{base: b, Network: pos[0], Container: pos[1], Force: fs.boolean("force")}, nil
	case "run", "create":
		return parseRun(b, inv, fs, pos)
	case "start":
		return &Start{base: b, Containers: pos}, nil
	case "stop":
		return &Stop{base: b, Containers: pos}, nil
	case "rm":
		return &Rm{base: b, Containers: pos, Force: fs.boolean("force")}, nil
	case "port":
		p := &Port{base: b, Container: pos[0]}
		if len(pos) > 1 {
			p.Private = pos[1]
		}
		return p, nil
	case "inspect", "container inspect":
		return parseInspect(b, fs, pos)
	case "ps":
		ps := &Ps{base: b, All: fs.boolean("all"), Quiet: fs.boolean("quiet"), NoTrunc: fs.boolean("no-trunc"),
			Latest: fs.boolean("latest"), Last: -1, Format: fs.str("format"), Filters: fs.list("filter")}
		if fs.changed("last") {
			ps.Last, _ = strconv.Atoi(fs.str("last"))
		}
		return ps, nil
	case "exec":
		return parseExec(b, fs, pos)
	case "logs":
		// The daemon reads --tail with Atoi and shows everything when
		// that fails ("all" included).
		l := &Logs{base: b, Container: pos[0], Timestamps: fs.boolean("timestamps"), Tail: -1}
		if n, err := strconv.Atoi(fs.str("tail")); err == nil && n >= 0 {
			l.Tail = n
		}
		return l, nil
	}
	return nil, unsupportedf("docker %s is not supported by the simulator; supported: %s", inv.canonical, Supported)
}

func parseNetworkCreate(b base, fs *flagSet, pos []string) (Command, error) {
	o := network.CreateOptions{
		Driver:       "bridge",
		Subnets:      fs.list("subnet"),
		IPRanges:     fs.list("ip-range"),
		Gateways:     fs.list("gateway"),
		AuxAddresses: fs.list("aux-address"),
		IPAMDriver:   fs.str("ipam-driver"),
		IPAMOptions:  kvMap(fs.list("ipam-opt")),
		Options:      kvMap(fs.list("opt")),
		Labels:       kvMap(fs.list("label")),
		Internal:     fs.boolean("internal"),
		Attachable:   fs.boolean("attachable"),
		Ingress:      fs.boolean("ingress"),
		IPv6:         fs.boolean("ipv6"),
		Scope:        fs.str("scope"),
		ConfigOnly:   fs.boolean("config-only"),
		ConfigFrom:   fs.str("config-from"),
	}
	if fs.changed("driver") {
		o.Driver = fs.str("driver")
	}
	if fs.changed("ipv4") {
		v := fs.boolean("ipv4")
		o.EnableIPv4 = &v
	}
	// createIPAMConfig runs in the CLI, before the daemon is called.
	if _, err := ipam.ParseFlags(ipam.Spec{Subnets: o.Subnets, IPRanges: o.IPRanges, Gateways: o.Gateways, AuxAddresses: o.AuxAddresses}); err != nil {
		return nil, &Error{Kind: ErrUsage, Msg: err.Error(), Cause: err}
	}
	return &NetworkCreate{base: b, Network: pos[0], Options: o}, nil
}

// kvMap is the docker CLI's MapOpts: "k=v" sets k, "k" sets k to "". It
// returns nil for no values.
func kvMap(vals []string) map[string]string {
	if len(vals) == 0 {
		return nil
	}
	m := make(map[string]string, len(vals))
	for _, kv := range vals {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func parseNetworkConnect(b base, fs *flagSet, pos []string) (Command, error) {
	c := &NetworkConnect{base: b, Network: pos[0], Container: pos[1], Aliases: fs.list("alias")}
	if s := fs.str("ip"); s != "" {
		// The CLI sends the IPv4 form; an IPv6 --ip is dropped, as
		// AddrFromSlice(ip.To4()) drops it.
		if a, ok := netip.AddrFromSlice(net.ParseIP(strings.TrimSpace(s)).To4()); ok {
			c.IP = a
		}
	}
	if opts := fs.list("driver-opt"); len(opts) > 0 {
		c.DriverOpts = map[string]string{}
		for _, o := range opts {
			k, v, ok := strings.Cut(o, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return nil, usagef("invalid key/value pair format in driver options")
			}
			c.DriverOpts[k] = strings.TrimSpace(v)
		}
	}
	if fs.changed("gw-priority") {
		c.GwPriority, _ = strconv.Atoi(fs.str("gw-priority"))
	}
	return c, nil
}

func parseInspect(b base, fs *flagSet, pos []string) (Command, error) {
	in := &Inspect{base: b, Names: pos, Format: fs.str("format")}
	if b.name == "container inspect" {
		in.base.name = "inspect"
		in.Type = "container"
		return in, nil
	}
	types := []string{"config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"}
	if fs.changed("type") {
		t := fs.str("type")
		switch {
		case t == "":
			return nil, usagef(`type is empty: must be one of "%s"`, strings.Join(types, `", "`))
		case !slices.Contains(types, t):
			return nil, usagef(`unknown type: %q: must be one of "%s"`, t, strings.Join(types, `", "`))
		case t != "container" && t != "network":
			return nil, unsupportedf("docker inspect --type %s is not supported by the simulator (container, network)", t)
		}
		in.Type = t
	}
	return in, nil
}

func parseExec(b base, fs *flagSet, pos []string) (Command, error) {
	tool, err := ParseTool(pos[1:])
	if err != nil {
		return nil, err
	}
	return &ExecCommand{
		base: b, Container: pos[0], Interactive: fs.boolean("interactive"), TTY: fs.boolean("tty"),
		Detach: fs.boolean("detach"), Env: fs.list("env"), User: fs.str("user"), Workdir: fs.str("workdir"),
		Argv: slices.Clone(pos[1:]), Tool: tool,
	}, nil
}

// runErr is how docker run and docker create report an error of their
// own parsing (reportError): "docker: MESSAGE."
func runErr(err error) error {
	return usagef("docker: %s.", strings.TrimSuffix(err.Error(), "."))
}

// isUserDefined is container.NetworkMode.IsUserDefined.
func isUserDefined(mode string) bool {
	return !(mode == "default" || mode == "bridge" || mode == "host" || mode == "none" || strings.HasPrefix(mode, "container:"))
}

func parseRun(b base, inv invocation, fs *flagSet, pos []string) (Command, error) {
	r := &Run{base: b}
	if inv.canonical == "create" {
		r.base.name = "create"
	}
	r.Image, r.Cmd = pos[0], slices.Clone(pos[1:])
	r.Detach = fs.boolean("detach")
	r.Interactive = fs.boolean("interactive")
	r.TTY = fs.boolean("tty")
	r.AutoRemove = fs.boolean("rm")
	r.ContainerName = fs.str("name")
	r.Hostname = fs.str("hostname")
	r.DNSSearch = fs.list("dns-search")
	r.DNSOptions = fs.list("dns-option")
	r.ExtraHosts = fs.list("add-host")
	r.Env = fs.list("env")
	r.PublishAll = fs.boolean("publish-all")
	for _, d := range fs.list("dns") {
		r.DNS = append(r.DNS, netip.MustParseAddr(d))
	}
	if labels := fs.list("label"); len(labels) > 0 {
		r.Labels = kvMap(labels)
	}
	if fs.changed("entrypoint") {
		if e := fs.str("entrypoint"); e != "" {
			r.Entrypoint = []string{e}
		} else {
			r.Entrypoint = []string{}
		}
	}
	for _, p := range fs.list("publish") {
		spec, err := ParsePublish(p)
		if err != nil {
			return nil, runErr(err)
		}
		r.Publish = append(r.Publish, spec)
	}
	for _, e := range fs.list("expose") {
		ports, proto, _ := strings.Cut(e, "/")
		if proto == "" {
			proto = "tcp"
		}
		lo, hi, err := parsePortRange(ports)
		if err != nil {
			return nil, runErr(fmt.Errorf("invalid range format for --expose: %w", err))
		}
		for p := int(lo); p <= int(hi); p++ {
			r.Expose = append(r.Expose, fmt.Sprintf("%d/%s", p, strings.ToLower(proto)))
		}
	}
	if r.AutoRemove && fs.changed("restart") && fs.str("restart") != "no" && fs.str("restart") != "" {
		return nil, runErr(errors.New("conflicting options: cannot specify both --restart and --rm"))
	}
	if err := r.parseNetworks(fs); err != nil {
		return nil, runErr(err)
	}
	if r.Detach && fs.changed("attach") {
		return nil, usagef("Conflicting options: -a and -d")
	}
	if _, err := imageRef(r.Image); err != nil {
		return nil, runErr(err)
	}
	return r, nil
}

// parseNetworks is the docker CLI's parseNetworkOpts.
func (r *Run) parseNetworks(fs *flagSet) error {
	aliases := fs.list("network-alias")
	var ip netip.Addr
	if s := fs.str("ip"); s != "" {
		if a, ok := netip.AddrFromSlice(net.ParseIP(strings.TrimSpace(s)).To4()); ok {
			ip = a
		}
	}
	nets := fs.list("network")
	if len(nets) == 0 {
		nets = []string{"default"}
	}
	var hasUser, hasOther bool
	for i, v := range nets {
		a, err := parseNetworkOpt(v)
		if err != nil {
			return err
		}
		if isUserDefined(a.Network) {
			hasUser = true
		} else {
			hasOther = true
		}
		if i == 0 {
			if len(a.Aliases) > 0 && len(aliases) > 0 {
				return errors.New("conflicting options: cannot specify both --network-alias and per-network alias")
			}
			if a.IP.IsValid() && ip.IsValid() {
				return errors.New("conflicting options: cannot specify both --ip and per-network IPv4 address")
			}
			if len(aliases) > 0 {
				a.Aliases = slices.Clone(aliases)
			}
			if ip.IsValid() {
				a.IP = ip
			}
		}
		if strings.TrimSpace(a.Network) == "" {
			return errors.New("no name set for network")
		}
		if !isUserDefined(a.Network) && len(a.Aliases) > 0 {
			return errors.New("network-scoped aliases are only supported for user-defined networks")
		}
		for _, prev := range r.Networks {
			if prev.Network == a.Network {
				return fmt.Errorf("network %q is specified multiple times", a.Network)
			}
		}
		r.Networks = append(r.Networks, a)
	}
	if hasUser && hasOther {
		return errors.New("conflicting options: cannot attach both user-defined and non-user-defined network-modes")
	}
	if len(fs.list("network")) == 0 {
		// Without --network the daemon uses its default network; keep the
		// settings (so --ip and --network-alias reach the daemon's checks)
		// but name no network.
		r.Networks[0].Network = ""
	}
	return nil
}

// parseAddr reads an IPv4 address given in the long --network syntax.
func parseAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil || !a.Unmap().Is4() {
		return netip.Addr{}, fmt.Errorf("invalid IPv4 address: %s", s)
	}
	return a.Unmap(), nil
}
