package dockercli

import (
	"net/netip"
	"slices"

	"github.com/vswitch/vswitch/network"
)

// Command is a parsed docker command line. Its dynamic type is one of the
// command types of this file; switch on it for the details. Exec does not
// modify a Command, so one may be run several times, and read from
// several goroutines.
type Command interface {
	// Name is the canonical command: "network create", "network ls",
	// "network inspect", "network rm", "network prune", "network connect",
	// "network disconnect", "run", "create", "start", "stop", "rm", "port",
	// "inspect", "ps" or "exec". Aliases ("container run", "network list",
	// "container ls") map onto these.
	Name() string
	// Line returns the command line as given (after "docker").
	Line() []string
	// Exec returns the command as an ExecCommand if it is docker exec, else
	// nil: exec commands run in the simulated container, not in Exec.
	Exec() *ExecCommand
}

// base carries what every command has.
type base struct {
	name string
	line []string
}

// Name implements Command.
func (b *base) Name() string { return b.name }

// Line implements Command.
func (b *base) Line() []string { return slices.Clone(b.line) }

// Exec implements Command: only ExecCommand is an exec.
func (b *base) Exec() *ExecCommand { return nil }

// NetworkCreate is docker network create.
type NetworkCreate struct {
	base
	Network string
	// Options are the flags, already grouped and checked as the CLI does
	// (IPAM flags per subnet, labels, -o options).
	Options network.CreateOptions
}

// NetworkLs is docker network ls.
type NetworkLs struct {
	base
	Quiet, NoTrunc bool
	Format         string
	Filters        []string // "key=value", as given
}

// NetworkInspect is docker network inspect.
type NetworkInspect struct {
	base
	Networks []string
	Format   string
	Verbose  bool
}

// NetworkRm is docker network rm.
type NetworkRm struct {
	base
	Networks []string
	Force    bool
}

// NetworkPrune is docker network prune.
type NetworkPrune struct {
	base
	Force   bool
	Filters []string
}

// NetworkConnect is docker network connect.
type NetworkConnect struct {
	base
	Network, Container string
	IP                 netip.Addr
	Aliases            []string
	DriverOpts         map[string]string
	GwPriority         int
}

// NetworkDisconnect is docker network disconnect.
type NetworkDisconnect struct {
	base
	Network, Container string
	Force              bool
}

// NetworkAttachment is one network a container joins at start, with its
// endpoint settings (--network NAME or --network name=N,alias=A,ip=I; the
// first one also takes --network-alias and --ip).
type NetworkAttachment struct {
	Network string
	Aliases []string
	IP      netip.Addr
}

// Run is docker run, or docker create when Name() is "create".
type Run struct {
	base
	Detach, Interactive, TTY, AutoRemove bool
	ContainerName                        string // --name; "" means generated
	// Networks are the --network values in order, never empty: without
	// --network there is one entry with Network "" (the default bridge),
	// which carries --ip and --network-alias.
	Networks   []NetworkAttachment
	Hostname   string
	DNS        []netip.Addr
	DNSSearch  []string
	DNSOptions []string
	ExtraHosts []string // --add-host host:ip
	Publish    []PublishSpec
	PublishAll bool     // -P
	Expose     []string // --expose, "port/proto" (ranges expanded)
	Env        []string
	Labels     map[string]string
	Entrypoint []string // --entrypoint (nil: the image's)
	Image      string
	Cmd        []string // the arguments after IMAGE
}

// Logs is docker logs: the container's output so far. --follow cannot
// wait in a step, so it prints what there is, as if interrupted at once.
type Logs struct {
	base
	Container  string
	Timestamps bool
	Tail       int // -1: all lines
}

// Start is docker start.
type Start struct {
	base
	Containers []string
}

// Stop is docker stop.
type Stop struct {
	base
	Containers []string
}

// Rm is docker rm.
type Rm struct {
	base
	Containers []string
	Force      bool
}

// Port is docker port CONTAINER [PRIVATE_PORT[/PROTO]].
type Port struct {
	base
	Container string
	Private   string // as given; "" lists every mapping
}

// Inspect is docker inspect (Type "" finds a container, then a network)
// and docker container inspect (Type "container").
type Inspect struct {
	base
	Names  []string
	Format string
	Type   string
}

// Ps is docker ps (docker container ls).
type Ps struct {
	base
	All, Quiet, NoTrunc, Latest bool
	Last                        int // -n: the last N containers; -1 when not given
	Format                      string
	Filters                     []string
}

// ExecCommand is docker exec [-it] CONTAINER PROGRAM ARGS...: the runner
// runs Tool on the simulated container and prints its output.
type ExecCommand struct {
	base
	Container                string
	Interactive, TTY, Detach bool
	Env                      []string
	User, Workdir            string
	// Argv is the program and its arguments as given.
	Argv []string
	// Tool is Argv parsed: one of *Ping, *Nslookup, *Dig, *Wget, *Curl,
	// *Cat, *Getent.
	Tool Tool
}

// Exec returns c itself.
func (c *ExecCommand) Exec() *ExecCommand { return c }

var (
	_ Command = (*NetworkCreate)(nil)
	_ Command = (*NetworkLs)(nil)
	_ Command = (*NetworkInspect)(nil)
	_ Command = (*NetworkRm)(nil)
	_ Command = (*NetworkPrune)(nil)
	_ Command = (*NetworkConnect)(nil)
	_ Command = (*NetworkDisconnect)(nil)
	_ Command = (*Run)(nil)
	_ Command = (*Start)(nil)
	_ Command = (*Stop)(nil)
	_ Command = (*Rm)(nil)
	_ Command = (*Port)(nil)
	_ Command = (*Inspect)(nil)
	_ Command = (*Ps)(nil)
	_ Command = (*ExecCommand)(nil)
)
