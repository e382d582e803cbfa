package dockercli

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/vswitch/vswitch/network"
)

// Exec runs a parsed command against env and returns what docker prints
// on stdout, and an error whose text is what it prints on stderr. A
// failed command leaves env and its Controller as they were, except for
// commands over several objects, which act on each in turn as Docker
// does and then return the output of the ones that succeeded together
// with the error. docker exec is refused with ErrRunnerExec: see
// Command.Exec.
func Exec(env *Env, cmd Command) (stdout string, err error) {
	if env == nil || env.Controller == nil {
		return "", errors.New("dockercli: Exec needs an Env with a Controller")
	}
	env.sync()
	switch c := cmd.(type) {
	case *NetworkCreate:
		return env.networkCreate(c)
	case *NetworkLs:
		return env.networkLs(c)
	case *NetworkInspect:
		return env.networkInspect(c)
	case *NetworkRm:
		return env.networkRm(c)
	case *NetworkPrune:
		return env.networkPrune(c)
	case *NetworkConnect:
		return "", env.networkConnect(c)
	case *NetworkDisconnect:
		return "", env.networkDisconnect(c)
	case *Run:
		return env.run(c)
	case *Start:
		return env.start(c)
	case *Stop:
		return env.stop(c)
	case *Rm:
		return env.rm(c)
	case *Port:
		return env.port(c)
	case *Inspect:
		return env.inspect(c)
	case *Ps:
		return env.ps(c)
	case *Logs:
		return env.logs(c)
	case *ExecCommand:
		return "", &Error{Kind: ErrRunnerExec, Msg: fmt.Sprintf("docker exec %s runs in the simulated container; the runner executes it", c.Container)}
	}
	return "", unsupportedf("dockercli: unknown command type %T", cmd)
}

func (e *Env) networkCreate(c *NetworkCreate) (string, error) {
	id, err := e.Controller.Create(c.Network, c.Options)
	if err != nil {
		return "", daemonErr(err)
	}
	return id + "\n", nil
}

// filters parses --filter values (already checked for "=").
func filters(vals []string) (network.Filters, error) {
	var kept []string
	for _, v := range vals {
		if v != "" {
			kept = append(kept, v)
		}
	}
	return network.ParseFilters(kept)
}

const defaultNetworkTableFormat = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}"

var networkHeader = headerContext{
	"ID": "NETWORK ID", "Name": "NAME", "Driver": "DRIVER", "Scope": "SCOPE", "IPv4": "IPV4",
	"IPv6": "IPV6", "Internal": "INTERNAL", "Labels": "LABELS", "CreatedAt": "CREATED AT",
}

func (e *Env) networkLs(c *NetworkLs) (string, error) {
	f, err := filters(c.Filters)
	if err != nil {
		return "", daemonErr(err)
	}
	nets, err := e.Controller.List(f)
	if err != nil {
		return "", daemonErr(err)
	}
	sort.SliceStable(nets, func(i, j int) bool { return naturalLess(nets[i].Name(), nets[j].Name()) })
	format := c.Format
	switch format {
	case "", "table":
		format = defaultNetworkTableFormat
		if c.Quiet {
			format = "{{.ID}}"
		}
	case "raw":
		format = "network_id: {{.ID}}\nname: {{.Name}}\ndriver: {{.Driver}}\nscope: {{.Scope}}\n"
		if c.Quiet {
			format = "network_id: {{.ID}}"
		}
	}
	rows := make([]any, len(nets))
	for i, n := range nets {
		rows[i] = &networkRow{n: n, in: n.Inspect(), trunc: !c.NoTrunc}
	}
	return renderList(format, networkHeader, rows)
}

func (e *Env) networkInspect(c *NetworkInspect) (string, error) {
	var elems []any
	var errs []error
	for _, name := range c.Networks {
		in, err := e.Controller.Inspect(name)
		if err != nil {
			errs = append(errs, daemonErr(err))
			continue
		}
		elems = append(elems, in)
	}
	return finishInspect(c.Format, elems, errs)
}

// finishInspect renders the elements found and joins the errors, as
// docker's inspect.Inspect does.
func finishInspect(format string, elems []any, errs []error) (string, error) {
	out, tmplErrs, err := renderInspect(format, elems)
	if err != nil {
		return "", err
	}
	for _, msg := range tmplErrs {
		errs = append(errs, usagef("%s", msg))
	}
	return out, joinErrors(errs)
}

// joinErrors reports several errors as docker prints them, one per line;
// the first one's kind and cause are the result's.
func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, err := range errs {
		msgs[i] = err.Error()
	}
	first := &Error{Kind: ErrDaemon, Msg: strings.Join(msgs, "\n"), Cause: errs[0]}
	var e *Error
	if errors.As(errs[0], &e) {
		first.Kind, first.Cause = e.Kind, e.Cause
	}
	return first
}

func (e *Env) networkRm(c *NetworkRm) (string, error) {
	var out strings.Builder
	var errs []error
	for _, name := range c.Networks {
		if err := e.Controller.Remove(name); err != nil {
			if c.Force && errors.Is(err, network.ErrNotFound) {
				continue
			}
			errs = append(errs, daemonErr(err))
			continue
		}
		out.WriteString(name + "\n")
	}
	return out.String(), joinErrors(errs)
}

// pruneWarning is the confirmation docker network prune asks for; the
// simulator answers "y", as the user at a terminal would to go on.
const pruneWarning = "WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] "

func (e *Env) networkPrune(c *NetworkPrune) (string, error) {
	f, err := filters(c.Filters)
	if err != nil {
		return "", daemonErr(err)
	}
	var out strings.Builder
	if !c.Force {
		out.WriteString(pruneWarning + "y\n")
	}
	deleted, err := e.Controller.Prune(f)
	if err != nil {
		return "", daemonErr(err)
	}
	if len(deleted) > 0 {
		out.WriteString("Deleted Networks:\n")
		for _, n := range deleted {
			out.WriteString(n + "\n")
		}
		out.WriteString("\n")
	}
	return out.String(), nil
}

func (e *Env) networkConnect(c *NetworkConnect) error {
	ctr, err := e.find(c.Container)
	if err != nil {
		return daemonErr(err)
	}
	opts := network.EndpointOptions{IP: c.IP, Aliases: slices.Clone(c.Aliases)}
	if ctr.state == StateRunning {
		if _, err := e.Controller.Connect(ctr.sb.ID(), c.Network, opts); err != nil {
			return daemonErr(err)
		}
		return nil
	}
	// A container that is not running gets the endpoint when it starts,
	// as Docker records the settings and connects at start.
	n, err := e.Controller.FindNetwork(c.Network)
	if err != nil {
		return daemonErr(err)
	}
	for _, s := range ctr.saved {
		if s.networkID == n.ID() {
			return daemonErrf("endpoint with name %s already exists in network %s", ctr.sb.Name(), n.Name())
		}
	}
	if n.Predefined() && (opts.IP.IsValid() || len(opts.Aliases) > 0) {
		if len(opts.Aliases) > 0 {
			return daemonErrf("invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks")
		}
		return daemonErrf("invalid endpoint settings:\nuser-specified IP address is supported on user-defined networks only")
	}
	ctr.saved = append(ctr.saved, savedEndpoint{networkID: n.ID(), networkName: n.Name(), aliases: opts.Aliases, ip: opts.IP})
	return nil
}

func (e *Env) networkDisconnect(c *NetworkDisconnect) error {
	ctr, err := e.find(c.Container)
	if err != nil && !c.Force {
		return daemonErr(err)
	}
	if err != nil || ctr.state == StateRunning {
		if err := e.Controller.Disconnect(c.Container, c.Network, c.Force); err != nil {
			return daemonErr(err)
		}
		return nil
	}
	n, err := e.Controller.FindNetwork(c.Network)
	if err != nil {
		return daemonErr(err)
	}
	for i, s := range ctr.saved {
		if s.networkID == n.ID() {
			ctr.saved = slices.Delete(ctr.saved, i, i+1)
			return nil
		}
	}
	return daemonErrf("container %s is not connected to network %s", ctr.sb.ID(), n.Name())
}
