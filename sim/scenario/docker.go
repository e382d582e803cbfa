package scenario

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// This file checks the command lines of `docker` steps: it splits them as
// a POSIX shell would and parses the subcommand and its flags as the
// docker CLI (cobra/pflag) does, enough to reject what the simulator does
// not support before anything runs. What the commands do is the network
// package's business.

// Errors of ParseDockerCommand, for errors.Is.
var (
	// ErrUnsupported marks a command or exec program the simulator does not
	// support.
	ErrUnsupported = errors.New("unsupported command")
	// ErrUsage marks a supported command used wrongly (unknown flag, missing
	// value, wrong number of arguments), with the docker CLI's message.
	ErrUsage = errors.New("usage error")
	// ErrShell marks a command line that cannot be split (an open quote, a
	// pipe).
	ErrShell = errors.New("shell syntax")
)

// cmdError is an error of ParseDockerCommand: its text is the message
// alone, and errors.Is finds its kind (ErrUnsupported, ErrUsage, ErrShell).
type cmdError struct {
	kind error
	msg  string
}

func (e *cmdError) Error() string { return e.msg }
func (e *cmdError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &cmdError{kind, fmt.Sprintf(format, args...)}
}

// Flag is one flag given on a command line, under its canonical long name
// without dashes ("network" for --net too). Boolean flags given without a
// value have Value "true".
type Flag struct {
	Name, Value string
}

// Flags is the flags of a command line, in the order given.
type Flags []Flag

// Has reports whether flag name was given (a boolean one: and not =false).
func (f Flags) Has(name string) bool {
	v, ok := f.Value(name)
	return ok && v != "false"
}

// Value returns the last value given for name.
func (f Flags) Value(name string) (string, bool) {
	for i := len(f) - 1; i >= 0; i-- {
		if f[i].Name == name {
			return f[i].Value, true
		}
	}
	return "", false
}

// Values returns every value given for name, in order (repeatable flags).
func (f Flags) Values(name string) []string {
	var out []string
	for _, x := range f {
		if x.Name == name {
			out = append(out, x.Value)
		}
	}
	return out
}

// DockerCommand is a parsed docker command line.
type DockerCommand struct {
	// Name is the canonical command: "network create", "network ls",
	// "network inspect", "network rm", "network prune", "network connect",
	// "network disconnect", "run", "create", "start", "stop", "rm", "exec"
	// or "port". Aliases map onto these ("container run", "network list").
	Name  string
	Flags Flags
	// Args are the positional arguments: for run and create IMAGE then the
	// container's command; for exec CONTAINER then the command.
	Args []string
	// Exec is the program run by exec, parsed.
	Exec *ExecCommand
}

// ExecCommand is the program of `docker exec NAME PROGRAM ARGS...`.
type ExecCommand struct {
	// Program is ping, nslookup, wget, curl or cat.
	Program string
	// Flags use the program's long names: ping count, timeout, deadline,
	// interval, size, ttl, quiet, ipv4; nslookup type, port, timeout, retry;
	// wget quiet, output, timeout, spider, server-response; curl silent,
	// show-error, fail, include, head, verbose, location, output,
	// max-time, connect-timeout, write-out, header, request.
	Flags Flags
	Args  []string
}

// flagSpec describes one flag.
type flagSpec struct {
	long    string
	short   byte
	aliases []string
	value   bool // takes a value (else boolean)
	check   func(string) error
}

// cmdSpec describes one command.
type cmdSpec struct {
	name          string
	flags         []flagSpec
	interspersed  bool // flags may follow positional arguments
	min, max      int  // argument counts; max -1: no limit
	singleDashOpt bool // -opt=value long options (nslookup)
}

func boolFlag(long string, short byte, aliases ...string) flagSpec {
	return flagSpec{long: long, short: short, aliases: aliases}
}

func valFlag(long string, short byte, aliases ...string) flagSpec {
	return flagSpec{long: long, short: short, aliases: aliases, value: true}
}

func withCheck(f flagSpec, check func(string) error) flagSpec {
	f.check = check
	return f
}

var runFlags = []flagSpec{
	valFlag("name", 0),
	valFlag("network", 0, "net"),
	valFlag("network-alias", 0, "net-alias"),
	valFlag("ip", 0),
	valFlag("publish", 'p'),
	valFlag("dns", 0),
	valFlag("dns-search", 0),
	valFlag("dns-option", 0),
	valFlag("hostname", 'h'),
	valFlag("env", 'e'),
	valFlag("label", 'l'),
	boolFlag("rm", 0),
	boolFlag("interactive", 'i'),
	boolFlag("tty", 't'),
}

// dockerCommands is every supported command, keyed by canonical name.
var dockerCommands = map[string]*cmdSpec{
	"network create": {flags: []flagSpec{
		valFlag("driver", 'd'), valFlag("subnet", 0), valFlag("ip-range", 0), valFlag("gateway", 0),
		valFlag("aux-address", 0), valFlag("opt", 'o'), valFlag("label", 0),
		boolFlag("internal", 0), boolFlag("attachable", 0), boolFlag("ingress", 0),
		boolFlag("ipv4", 0), boolFlag("ipv6", 0), valFlag("scope", 0),
		boolFlag("config-only", 0), valFlag("config-from", 0), valFlag("ipam-driver", 0), valFlag("ipam-opt", 0),
	}, interspersed: true, min: 1, max: 1},
	"network ls": {flags: []flagSpec{
		boolFlag("quiet", 'q'), boolFlag("no-trunc", 0), valFlag("format", 0), valFlag("filter", 'f'),
	}, interspersed: true, min: 0, max: 0},
	"network inspect": {flags: []flagSpec{
		valFlag("format", 'f'), boolFlag("verbose", 'v'),
	}, interspersed: true, min: 1, max: -1},
	"network rm": {flags: []flagSpec{boolFlag("force", 'f')}, interspersed: true, min: 1, max: -1},
	"network prune": {flags: []flagSpec{
		boolFlag("force", 'f'), valFlag("filter", 0),
	}, interspersed: true, min: 0, max: 0},
	"network connect": {flags: []flagSpec{
		valFlag("ip", 0), valFlag("ip6", 0), valFlag("alias", 0), valFlag("link", 0),
		valFlag("link-local-ip", 0), valFlag("driver-opt", 0), valFlag("gw-priority", 0),
	}, interspersed: true, min: 2, max: 2},
	"network disconnect": {flags: []flagSpec{boolFlag("force", 'f')}, interspersed: true, min: 2, max: 2},
	"run":                {flags: append([]flagSpec{boolFlag("detach", 'd')}, runFlags...), min: 1, max: -1},
	"create":             {flags: runFlags, min: 1, max: -1},
	"start":              {interspersed: true, min: 1, max: -1},
	"stop":               {flags: []flagSpec{valFlag("timeout", 't', "time")}, interspersed: true, min: 1, max: -1},
	"rm":                 {flags: []flagSpec{boolFlag("force", 'f'), boolFlag("volumes", 'v')}, interspersed: true, min: 1, max: -1},
	"exec": {flags: []flagSpec{
		boolFlag("interactive", 'i'), boolFlag("tty", 't'), valFlag("env", 'e'),
	}, min: 2, max: -1},
	"port": {interspersed: true, min: 1, max: 2},
}

// dockerAliases maps other spellings onto canonical command names.
var dockerAliases = map[string]string{
	"network list":     "network ls",
	"network remove":   "network rm",
	"container run":    "run",
	"container create": "create",
	"container start":  "start",
	"container stop":   "stop",
	"container rm":     "rm",
	"container remove": "rm",
	"container exec":   "exec",
	"container port":   "port",
}

// dockerGroups are docker's command groups, named with their subcommand
// in messages ("docker service create is not supported").
var dockerGroups = []string{"builder", "buildx", "compose", "config", "context", "image", "manifest", "node", "plugin", "secret", "service", "stack", "swarm", "system", "trust", "volume"}

// DockerSupported lists the supported commands for messages and docs.
const DockerSupported = "network create|ls|inspect|rm|prune|connect|disconnect, run -d, create, start, stop, exec, port, rm"

// ExecSupported lists the programs exec runs.
const ExecSupported = "ping, nslookup, wget, curl, cat /etc/resolv.conf, cat /etc/hosts"

func intCheck(what string, lo, hi int) func(string) error {
	return func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("invalid %s '%s'", what, s)
		}
		return nil
	}
}

func numCheck(what string) func(string) error {
	return func(s string) error {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 {
			return fmt.Errorf("invalid %s '%s'", what, s)
		}
		return nil
	}
}

// execPrograms is what `docker exec` can run, with busybox's and curl's
// flags.
var execPrograms = map[string]*cmdSpec{
	"ping": {flags: []flagSpec{
		withCheck(valFlag("count", 'c'), intCheck("count", 1, 1_000_000)),
		withCheck(valFlag("timeout", 'W'), numCheck("timeout")),
		withCheck(valFlag("deadline", 'w'), numCheck("deadline")),
		withCheck(valFlag("interval", 'i'), numCheck("interval")),
		withCheck(valFlag("size", 's'), intCheck("size", 0, 65507)),
		withCheck(valFlag("ttl", 't'), intCheck("ttl", 1, 255)),
		boolFlag("quiet", 'q'), boolFlag("ipv4", '4'),
	}, interspersed: true, min: 1, max: 1},
	"nslookup": {flags: []flagSpec{
		valFlag("type", 0, "query", "q"), valFlag("port", 0), valFlag("timeout", 0), valFlag("retry", 0), boolFlag("debug", 0),
	}, interspersed: true, min: 1, max: 2, singleDashOpt: true},
	"wget": {flags: []flagSpec{
		boolFlag("quiet", 'q'), valFlag("output", 'O', "output-document"),
		withCheck(valFlag("timeout", 'T'), numCheck("timeout")),
		boolFlag("spider", 0), boolFlag("server-response", 'S'),
	}, interspersed: true, min: 1, max: 1},
	"curl": {flags: []flagSpec{
		boolFlag("silent", 's'), boolFlag("show-error", 'S'), boolFlag("fail", 'f'),
		boolFlag("include", 'i'), boolFlag("head", 'I'), boolFlag("verbose", 'v'),
		boolFlag("location", 'L'), valFlag("output", 'o'),
		withCheck(valFlag("max-time", 'm'), numCheck("max-time")),
		withCheck(valFlag("connect-timeout", 0), numCheck("connect-timeout")),
		valFlag("write-out", 'w'), valFlag("header", 'H'),
		withCheck(valFlag("request", 'X'), func(s string) error {
			if s != "GET" && s != "HEAD" {
				return fmt.Errorf("method %s is not supported (GET, HEAD)", s)
			}
			return nil
		}),
	}, interspersed: true, min: 1, max: 1},
	"cat": {min: 1, max: 1},
}

// ParseDockerCommand parses the words of a docker command line (after
// "docker") and checks that the simulator supports it. Errors wrap
// ErrUnsupported or ErrUsage; usage messages are the docker CLI's.
func ParseDockerCommand(args []string) (DockerCommand, error) {
	var c DockerCommand
	if len(args) == 0 {
		return c, errorf(ErrUsage, "empty docker command; supported: %s", DockerSupported)
	}
	if args[0] == "docker" {
		return c, errorf(ErrUsage, "write the command without the leading \"docker\"")
	}
	if strings.HasPrefix(args[0], "-") {
		return c, errorf(ErrUnsupported, "global docker options (%s) are not supported; supported: %s", args[0], DockerSupported)
	}
	name, rest := args[0], args[1:]
	if name == "network" || name == "container" {
		if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
			return c, errorf(ErrUnsupported, "\"docker %s\" needs a subcommand; supported: %s", name, DockerSupported)
		}
		name, rest = name+" "+rest[0], rest[1:]
	}
	if canon, ok := dockerAliases[name]; ok {
		name = canon
	}
	spec, ok := dockerCommands[name]
	if !ok {
		shown := name
		if slices.Contains(dockerGroups, name) && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
			shown += " " + rest[0]
		}
		return c, errorf(ErrUnsupported, "docker %s is not supported; supported: %s", shown, DockerSupported)
	}
	c.Name = name
	flags, pos, err := parseFlags(spec, rest)
	if err != nil {
		return c, errorf(ErrUsage, "%v", err)
	}
	c.Flags, c.Args = flags, pos
	if err := checkArgs("docker "+name, spec, pos); err != nil {
		return c, errorf(ErrUsage, "%v", err)
	}
	switch name {
	case "run":
		if !c.Flags.Has("detach") {
			return c, errorf(ErrUnsupported, "docker run without -d is not supported: a scenario cannot attach to a container (use run -d, then exec)")
		}
	case "exec":
		ex, err := parseExec(c.Args[1:])
		if err != nil {
			return c, err
		}
		c.Exec = ex
	}
	return c, nil
}

func parseExec(args []string) (*ExecCommand, error) {
	prog := args[0]
	if i := strings.LastIndexByte(prog, '/'); i >= 0 && (strings.HasPrefix(prog, "/bin/") || strings.HasPrefix(prog, "/usr/bin/")) {
		prog = prog[i+1:]
	}
	spec, ok := execPrograms[prog]
	if !ok {
		return nil, errorf(ErrUnsupported, "exec %s is not supported; supported in exec: %s", prog, ExecSupported)
	}
	flags, pos, err := parseFlags(spec, args[1:])
	if err != nil {
		return nil, errorf(ErrUsage, "%s: %v", prog, err)
	}
	if err := checkArgs(prog, spec, pos); err != nil {
		return nil, errorf(ErrUsage, "%v", err)
	}
	if prog == "cat" && pos[0] != "/etc/resolv.conf" && pos[0] != "/etc/hosts" {
		return nil, errorf(ErrUnsupported, "exec cat %s is not supported; supported in exec: %s", pos[0], ExecSupported)
	}
	return &ExecCommand{Program: prog, Flags: flags, Args: pos}, nil
}

// checkArgs checks the number of positional arguments, with cobra's
// messages.
func checkArgs(cmd string, spec *cmdSpec, pos []string) error {
	n := len(pos)
	plural := func(k int) string {
		if k == 1 {
			return "argument"
		}
		return "arguments"
	}
	switch {
	case spec.max == 0 && n > 0:
		return fmt.Errorf("%q accepts no arguments", cmd)
	case spec.min == spec.max && n != spec.min:
		return fmt.Errorf("%q requires exactly %d %s", cmd, spec.min, plural(spec.min))
	case spec.max < 0 && n < spec.min:
		return fmt.Errorf("%q requires at least %d %s", cmd, spec.min, plural(spec.min))
	case spec.max > 0 && (n < spec.min || n > spec.max):
		return fmt.Errorf("%q requires at least %d and at most %d %s", cmd, spec.min, spec.max, plural(spec.max))
	}
	return nil
}

func (s *cmdSpec) byLong(name string) *flagSpec {
	for i := range s.flags {
		f := &s.flags[i]
		if f.long == name || slices.Contains(f.aliases, name) {
			return f
		}
	}
	return nil
}

func (s *cmdSpec) byShort(c byte) *flagSpec {
	for i := range s.flags {
		if s.flags[i].short == c && c != 0 {
			return &s.flags[i]
		}
	}
	return nil
}

// parseFlags splits args into flags and positional arguments the way
// pflag does: --long, --long=value, --long value, -abc clusters, -ovalue,
// -o value, and -- ending the flags. Without interspersed, the first
// positional argument ends the flags (docker run IMAGE CMD...).
func parseFlags(spec *cmdSpec, args []string) (Flags, []string, error) {
	var flags Flags
	var pos []string
	set := func(f *flagSpec, v string) error {
		if f.check != nil {
			if err := f.check(v); err != nil {
				return err
			}
		}
		flags = append(flags, Flag{f.long, v})
		return nil
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return flags, append(pos, args[i+1:]...), nil
		case strings.HasPrefix(a, "--") || (spec.singleDashOpt && strings.HasPrefix(a, "-") && len(a) > 2):
			body := strings.TrimLeft(a, "-")
			name, val, hasVal := strings.Cut(body, "=")
			f := spec.byLong(name)
			if f == nil {
				return nil, nil, fmt.Errorf("unknown flag: %s", a)
			}
			if !f.value {
				if !hasVal {
					val = "true"
				} else if _, err := strconv.ParseBool(val); err != nil {
					return nil, nil, fmt.Errorf("invalid argument %q for \"--%s\" flag: strconv.ParseBool: parsing %q: invalid syntax", val, name, val)
				}
				if err := set(f, val); err != nil {
					return nil, nil, err
				}
				continue
			}
			if !hasVal {
				if i+1 >= len(args) {
					return nil, nil, fmt.Errorf("flag needs an argument: --%s", name)
				}
				i++
				val = args[i]
			}
			if err := set(f, val); err != nil {
				return nil, nil, err
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				f := spec.byShort(a[j])
				if f == nil {
					return nil, nil, fmt.Errorf("unknown shorthand flag: %q in %s", a[j], a)
				}
				if !f.value {
					if err := set(f, "true"); err != nil {
						return nil, nil, err
					}
					continue
				}
				val := strings.TrimPrefix(a[j+1:], "=")
				if j+1 == len(a) {
					if i+1 >= len(args) {
						return nil, nil, fmt.Errorf("flag needs an argument: %q in %s", a[j], a)
					}
					i++
					val = args[i]
				}
				if err := set(f, val); err != nil {
					return nil, nil, err
				}
				break
			}
		default:
			if !spec.interspersed {
				return flags, append(pos, args[i:]...), nil
			}
			pos = append(pos, a)
		}
	}
	return flags, pos, nil
}

// SplitCommand splits a command line into words as a POSIX shell would:
// white space separates words, single quotes keep everything literal,
// double quotes keep everything but \" \\ \$ \` and a backslash escapes the
// next character; a backslash before a newline joins lines. Pipes,
// redirections, command separators, substitutions and variables are
// refused (with ErrShell): a step runs one command.
func SplitCommand(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, cur.String())
			cur.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch c {
		case ' ', '\t', '\n', '\r':
			flush()
		case '\\':
			if i+1 >= len(line) {
				return nil, errorf(ErrShell, "the command ends with a backslash")
			}
			i++
			if line[i] != '\n' {
				cur.WriteByte(line[i])
				inWord = true
			}
		case '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, errorf(ErrShell, "unterminated single quote")
			}
			cur.WriteString(line[i+1 : i+1+end])
			inWord = true
			i += end + 1
		case '"':
			inWord = true
			i++
			for ; ; i++ {
				if i >= len(line) {
					return nil, errorf(ErrShell, "unterminated double quote")
				}
				d := line[i]
				if d == '"' {
					break
				}
				if d == '$' || d == '`' {
					return nil, errorf(ErrShell, "%c expansions are not supported; quote with '...' instead", d)
				}
				if d == '\\' && i+1 < len(line) && strings.IndexByte("\"\\$`\n", line[i+1]) >= 0 {
					i++
					if line[i] != '\n' {
						cur.WriteByte(line[i])
					}
					continue
				}
				cur.WriteByte(d)
			}
		case '|', '&', ';', '<', '>', '(', ')':
			return nil, errorf(ErrShell, "shell operator %q is not supported: a docker step runs one command (no pipes, redirections or lists)", string(c))
		case '$', '`':
			return nil, errorf(ErrShell, "%c expansions are not supported; quote with '...' to pass it literally", c)
		case '#':
			if !inWord {
				return nil, errorf(ErrShell, "# starts a comment in a shell; quote it to pass it literally")
			}
			cur.WriteByte(c)
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	flush()
	return words, nil
}
