package dockercli

import (
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vswitch/vswitch/network"
)

// Env is one node's docker daemon as the CLI sees it: the network model
// plus what Docker knows of containers and the model does not (image,
// command, state, published ports). Set the exported fields (Controller
// is required); the zero value of the rest is ready. Not safe for
// concurrent use.
type Env struct {
	Controller *network.Controller
	// IPv6 says the host has IPv6: ports published on every address then
	// bind [::] as well as 0.0.0.0, and docker port shows both, as Docker
	// does on such a host. The simulator's nodes are IPv4-only.
	IPv6 bool
	// Hooks to the data plane and the runner, called synchronously after
	// the model changed; nil hooks are skipped.
	//
	// OnRun is called when a container starts (docker run, docker start),
	// with its settings. OnStop when it stops (docker stop), after its
	// endpoints left their networks. OnRemove when it is removed (docker
	// rm), after the model removed it.
	OnRun    func(sb *network.Sandbox, spec RunSpec)
	OnStop   func(sb *network.Sandbox)
	OnRemove func(sb *network.Sandbox)
	// Now is the time containers are created, started and stopped at, and
	// the time docker ps measures from; nil means network.Epoch. Give the
	// Controller the same clock (network prune --filter until= uses the
	// Controller's).
	Now func() time.Time

	containers []*container // creation order
	nextPort   map[string]uint16
}

// logLine is one line of a container's output, as docker logs shows it.
type logLine struct {
	at   time.Time
	text string // without the newline
}

// AppendLog adds output of the container name at time at to what docker
// logs shows: the runner calls it with a foreground command's output and
// a web server's access log. Text is split into lines; a missing final
// newline is implied. Unknown containers are ignored.
func (e *Env) AppendLog(name string, at time.Time, text string) {
	c, err := e.find(name)
	if err != nil || text == "" {
		return
	}
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		c.logs = append(c.logs, logLine{at, l})
	}
}

// RunSpec is what a started container runs: the image's configuration
// with docker run's flags applied.
type RunSpec struct {
	Image      string
	Entrypoint []string // the effective entrypoint (the image's or --entrypoint)
	Cmd        []string // the effective command (the arguments, or the image's)
	Hostname   string   // as given with --hostname ("" : the model's default)
	DNS        []netip.Addr
	DNSSearch  []string
	DNSOptions []string
	ExtraHosts []string      // --add-host, "host:ip"
	Publish    []PublishSpec // -p as given
	// Ports are the bindings of Publish (and -P) with host ports chosen, one
	// per container port and host address; docker port prints them. The
	// data plane (NAT) programs them.
	Ports       []PortBinding
	Expose      []string // exposed ports, "80/tcp": the image's and --expose
	Env         []string
	Labels      map[string]string
	Services    []Service // servers the image runs with this command
	Interactive bool
	TTY         bool
	Detach      bool
	AutoRemove  bool
}

// Container states, as docker inspect and docker ps show them.
const (
	StateCreated = "created"
	StateRunning = "running"
	StateExited  = "exited"
)

// container is the Env's record of one container.
type container struct {
	sb       *network.Sandbox
	spec     RunSpec
	imageID  string
	state    string
	created  time.Time
	started  time.Time
	finished time.Time
	exitCode int
	stopCode int // exit code docker stop gives it
	// publishAll is -P: every exposed port gets a random host port.
	publishAll bool
	// saved are the endpoints a stopped or created container gets back at
	// start, in join order.
	saved []savedEndpoint
	logs  []logLine
}

// savedEndpoint is a network a container joins when it starts.
type savedEndpoint struct {
	networkID, networkName string
	aliases                []string
	ip                     netip.Addr // static --ip, or zero
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return network.Epoch
}

// sync drops records of containers the model no longer has and adopts
// the ones it has that the Env did not create (the runner may use the
// Controller directly).
func (e *Env) sync() {
	e.containers = slices.DeleteFunc(e.containers, func(c *container) bool { return c.sb.Removed() })
	if len(e.containers) == len(e.Controller.Sandboxes()) {
		return
	}
	for _, sb := range e.Controller.Sandboxes() {
		e.record(sb)
	}
}

// record returns the Env's record of sb, adopting sandboxes created
// directly through the Controller as running containers.
func (e *Env) record(sb *network.Sandbox) *container {
	for _, c := range e.containers {
		if c.sb == sb {
			return c
		}
	}
	now := e.now()
	c := &container{sb: sb, state: StateRunning, created: now, started: now, stopCode: 137}
	e.containers = append(e.containers, c)
	return c
}

// find looks a container up as the daemon does. Error: "No such
// container: X".
func (e *Env) find(term string) (*container, error) {
	e.sync()
	sb, err := e.Controller.FindSandbox(term)
	if err != nil {
		return nil, err
	}
	return e.record(sb), nil
}

// Spec returns the settings of the container sb, and whether it is
// running.
func (e *Env) Spec(sb *network.Sandbox) (RunSpec, bool) {
	e.sync()
	c := e.record(sb)
	return c.spec, c.state == StateRunning
}

// Newest returns the name of the container created last, "" if none.
func (e *Env) Newest() string {
	e.sync()
	if len(e.containers) == 0 {
		return ""
	}
	return e.containers[len(e.containers)-1].sb.Name()
}

// Exited records that the main process of the running container name
// ended with code, as a foreground docker run's command does: the
// container leaves its networks and shows "Exited (code)", or is removed
// if it was run with --rm.
func (e *Env) Exited(name string, code int) error {
	c, err := e.find(name)
	if err != nil {
		return daemonErr(err)
	}
	if c.state != StateRunning {
		return nil
	}
	e.stopContainer(c)
	c.exitCode = code
	if c.spec.AutoRemove {
		e.remove(c)
	}
	return nil
}

// ExecTarget returns the container a docker exec command runs in, or the
// error docker exec prints: "Error response from daemon: No such
// container: c9", "Error response from daemon: container ID is not
// running".
func (e *Env) ExecTarget(cmd *ExecCommand) (*network.Sandbox, error) {
	c, err := e.find(cmd.Container)
	if err != nil {
		return nil, daemonErr(err)
	}
	if c.state != StateRunning {
		return nil, daemonErrf("container %s is not running", c.sb.ID())
	}
	return c.sb, nil
}
