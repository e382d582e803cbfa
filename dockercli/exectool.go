package dockercli

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Tool is the program of a docker exec command, parsed: one of *Ping,
// *Nslookup, *Dig, *Wget, *Curl, *Cat, *Getent.
type Tool interface {
	// ToolName is the program's name: "ping", "nslookup", "dig", "wget",
	// "curl", "cat" or "getent".
	ToolName() string
}

// Ping is busybox ping: ping [-c N] [-W SEC] [-w SEC] [-i SEC] [-s SIZE]
// [-t TTL] [-q] [-4] HOST.
type Ping struct {
	Host string
	// Count is -c; 0 means not given (ping runs until interrupted, which
	// the runner must bound).
	Count    int
	Timeout  time.Duration // -W: how long to wait for each reply (0: default)
	Deadline time.Duration // -w: total run time (0: none)
	Interval time.Duration // -i (0: the default second)
	Size     int           // -s payload bytes; -1 when not given (56)
	TTL      int           // -t; 0 when not given
	Quiet    bool          // -q
}

// Nslookup is busybox nslookup [-type=T] [-port=P] [-timeout=S] [-retry=N]
// [-debug] NAME [SERVER].
type Nslookup struct {
	Name, Server string
	Type         string // upper case; "" means A and AAAA
	Port         int    // 0: 53
	Timeout      time.Duration
	Retry        int
	Debug        bool
}

// Dig is dig [@SERVER] [-t TYPE] [-p PORT] [-x ADDR] NAME [TYPE] [+short]
// [+tcp] [+search]...
type Dig struct {
	Name, Server string
	Type         string // upper case; "" means A (PTR with -x)
	Reverse      bool   // -x: Name is an address to look up as PTR
	Port         int
	Short, TCP   bool
	Search       bool
	Timeout      time.Duration // +time=
	Tries        int           // +tries= / +retry= (tries = retry + 1)
}

// Wget is busybox wget [-q] [-O FILE] [-T SEC] [--spider] [-S] URL.
type Wget struct {
	URL            string
	Quiet          bool
	Output         string // -O; "-" is stdout, "" the URL's file name
	Timeout        time.Duration
	Spider         bool
	ServerResponse bool
}

// Curl is curl [-sSfiIvL] [-o FILE] [-m SEC] [--connect-timeout SEC]
// [-w FMT] [-H HDR] [-X GET|HEAD] URL.
type Curl struct {
	URL                              string
	Silent, ShowError, Fail, Include bool
	Head, Verbose, Location          bool
	Output                           string // -o; "" is stdout
	WriteOut                         string
	Method                           string // "GET" unless -X or -I
	MaxTime, ConnectTimeout          time.Duration
	Headers                          []string
}

// Cat is cat of /etc/resolv.conf, /etc/hosts or /etc/hostname.
type Cat struct{ Path string }

// Getent is getent hosts|ahosts|ahostsv4 NAME.
type Getent struct{ Database, Key string }

// ToolName implements Tool.
func (*Ping) ToolName() string { return "ping" }

// ToolName implements Tool.
func (*Nslookup) ToolName() string { return "nslookup" }

// ToolName implements Tool.
func (*Dig) ToolName() string { return "dig" }

// ToolName implements Tool.
func (*Wget) ToolName() string { return "wget" }

// ToolName implements Tool.
func (*Curl) ToolName() string { return "curl" }

// ToolName implements Tool.
func (*Cat) ToolName() string { return "cat" }

// ToolName implements Tool.
func (*Getent) ToolName() string { return "getent" }

// ExecSupported lists the programs docker exec runs in the simulator.
const ExecSupported = "ping, nslookup, dig, wget, curl, cat /etc/resolv.conf|/etc/hosts|/etc/hostname, getent hosts|ahosts|ahostsv4"

// catFiles are the files cat can show.
var catFiles = []string{"/etc/resolv.conf", "/etc/hosts", "/etc/hostname"}

// ParseTool parses the program of a docker exec command (argv[0] may be a
// path in /bin, /usr/bin, /sbin or /usr/sbin). Errors match ErrUnsupported
// for other programs and ErrUsage for bad arguments, with the program's
// own style of message.
func ParseTool(argv []string) (Tool, error) {
	if len(argv) == 0 {
		return nil, usagef("exec: no program given")
	}
	prog := argv[0]
	for _, dir := range []string{"/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/", "/usr/local/bin/"} {
		if rest, ok := strings.CutPrefix(prog, dir); ok && !strings.Contains(rest, "/") {
			prog = rest
		}
	}
	args := argv[1:]
	switch prog {
	case "ping":
		return parsePing(args)
	case "nslookup":
		return parseNslookup(args)
	case "dig":
		return parseDig(args)
	case "wget":
		return parseWget(args)
	case "curl":
		return parseCurl(args)
	case "cat":
		if len(args) != 1 || !slices.Contains(catFiles, args[0]) {
			return nil, unsupportedf("exec %s is not supported; supported in exec: %s", strings.Join(argv, " "), ExecSupported)
		}
		return &Cat{Path: args[0]}, nil
	case "getent":
		if len(args) != 2 || !slices.Contains([]string{"hosts", "ahosts", "ahostsv4"}, args[0]) {
			return nil, unsupportedf("exec %s is not supported; supported in exec: %s", strings.Join(argv, " "), ExecSupported)
		}
		return &Getent{Database: args[0], Key: args[1]}, nil
	}
	return nil, unsupportedf("exec %s is not supported; supported in exec: %s", prog, ExecSupported)
}

// toolOpt is one option of a tool, getopt style.
type toolOpt struct {
	short byte
	long  string
	arg   bool
}

// getopt parses args the way GNU getopt_long does (options may follow
// operands, -abc clusters, -cVALUE, --long=VALUE, -- ends options).
// It returns the options in order as (name, value) pairs, named by the
// short letter when there is one.
func getopt(prog string, opts []toolOpt, args []string) (got [][2]string, operands []string, err error) {
	name := func(o *toolOpt) string {
		if o.short != 0 {
			return string(o.short)
		}
		return o.long
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return got, append(operands, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			n, v, hasV := strings.Cut(a[2:], "=")
			var o *toolOpt
			for j := range opts {
				if opts[j].long == n && n != "" {
					o = &opts[j]
				}
			}
			if o == nil {
				return nil, nil, usagef("%s: unrecognized option '%s'", prog, a)
			}
			if !o.arg {
				if hasV {
					return nil, nil, usagef("%s: option '--%s' doesn't allow an argument", prog, n)
				}
				got = append(got, [2]string{name(o), ""})
				continue
			}
			if !hasV {
				if i+1 >= len(args) {
					return nil, nil, usagef("%s: option '--%s' requires an argument", prog, n)
				}
				i++
				v = args[i]
			}
			got = append(got, [2]string{name(o), v})
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				var o *toolOpt
				for k := range opts {
					if opts[k].short == a[j] {
						o = &opts[k]
					}
				}
				if o == nil {
					return nil, nil, usagef("%s: invalid option -- '%c'", prog, a[j])
				}
				if !o.arg {
					got = append(got, [2]string{name(o), ""})
					continue
				}
				v := a[j+1:]
				if v == "" {
					if i+1 >= len(args) {
						return nil, nil, usagef("%s: option requires an argument -- '%c'", prog, a[j])
					}
					i++
					v = args[i]
				}
				got = append(got, [2]string{name(o), v})
				break
			}
		default:
			operands = append(operands, a)
		}
	}
	return got, operands, nil
}

func toolNumber(prog, s string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, usagef("%s: invalid number '%s'", prog, s)
	}
	return n, nil
}

// toolSeconds reads a number of seconds, fractions allowed.
func toolSeconds(prog, s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f > 1e6 {
		return 0, usagef("%s: invalid number '%s'", prog, s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

func parsePing(args []string) (Tool, error) {
	opts, ops, err := getopt("ping", []toolOpt{
		{'c', "", true}, {'W', "", true}, {'w', "", true}, {'i', "", true},
		{'s', "", true}, {'t', "", true}, {'q', "", false}, {'4', "", false},
	}, args)
	if err != nil {
		return nil, err
	}
	p := &Ping{Size: -1}
	for _, o := range opts {
		switch o[0] {
		case "c":
			p.Count, err = toolNumber("ping", o[1], 1, 1<<31-1)
		case "W":
			p.Timeout, err = toolSeconds("ping", o[1])
		case "w":
			p.Deadline, err = toolSeconds("ping", o[1])
		case "i":
			p.Interval, err = toolSeconds("ping", o[1])
		case "s":
			p.Size, err = toolNumber("ping", o[1], 0, 65507)
		case "t":
			p.TTL, err = toolNumber("ping", o[1], 1, 255)
		case "q":
			p.Quiet = true
		}
		if err != nil {
			return nil, err
		}
	}
	if len(ops) != 1 {
		return nil, usagef("ping: usage: ping [-c COUNT] [-W SEC] [-w SEC] [-i SEC] [-s SIZE] [-t TTL] [-q] [-4] HOST")
	}
	p.Host = ops[0]
	return p, nil
}

// dnsTypes are the record types the lookup tools accept.
var dnsTypes = []string{"A", "AAAA", "ANY", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT"}

func parseNslookup(args []string) (Tool, error) {
	n := &Nslookup{}
	var ops []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") || a == "-" {
			ops = append(ops, a)
			continue
		}
		k, v, hasV := strings.Cut(strings.TrimLeft(a, "-"), "=")
		var err error
		switch {
		case k == "debug" && !hasV:
			n.Debug = true
		case (k == "type" || k == "query" || k == "q" || k == "querytype") && hasV:
			n.Type = strings.ToUpper(v)
			if !slices.Contains(dnsTypes, n.Type) {
				return nil, usagef("nslookup: invalid query type: %s", v)
			}
		case k == "port" && hasV:
			n.Port, err = toolNumber("nslookup", v, 1, 65535)
		case k == "timeout" && hasV:
			n.Timeout, err = toolSeconds("nslookup", v)
		case k == "retry" && hasV:
			n.Retry, err = toolNumber("nslookup", v, 0, 100)
		default:
			return nil, usagef("nslookup: invalid option: %s", a)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(ops) < 1 || len(ops) > 2 {
		return nil, usagef("nslookup: usage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]")
	}
	n.Name = ops[0]
	if len(ops) == 2 {
		n.Server = ops[1]
	}
	return n, nil
}

func parseDig(args []string) (Tool, error) {
	d := &Dig{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if len(a) > 2 {
				return a[2:], nil
			}
			if i+1 >= len(args) {
				return "", usagef("dig: option requires an argument -- '%c'", a[1])
			}
			i++
			return args[i], nil
		}
		var err error
		switch {
		case strings.HasPrefix(a, "@") && len(a) > 1:
			d.Server = a[1:]
		case strings.HasPrefix(a, "+"):
			err = d.queryOption(a)
		case strings.HasPrefix(a, "-t"):
			var v string
			if v, err = next(); err == nil {
				d.Type = strings.ToUpper(v)
				if !slices.Contains(dnsTypes, d.Type) {
					err = usagef("dig: invalid type: %s", v)
				}
			}
		case strings.HasPrefix(a, "-p"):
			var v string
			if v, err = next(); err == nil {
				d.Port, err = toolNumber("dig", v, 1, 65535)
			}
		case strings.HasPrefix(a, "-x"):
			var v string
			if v, err = next(); err == nil {
				d.Name, d.Reverse = v, true
			}
		case a == "-4":
		case strings.HasPrefix(a, "-") && len(a) > 1:
			err = usagef("dig: invalid option: %s", a)
		case slices.Contains(dnsTypes, strings.ToUpper(a)) && d.Name != "":
			d.Type = strings.ToUpper(a)
		case strings.EqualFold(a, "IN") && d.Name != "":
		default:
			if d.Name != "" {
				err = usagef("dig: only one name per query is supported: %s", a)
			}
			d.Name = a
		}
		if err != nil {
			return nil, err
		}
	}
	if d.Name == "" {
		return nil, usagef("dig: usage: dig [@SERVER] NAME [TYPE] [+short] [+tcp]")
	}
	return d, nil
}

func (d *Dig) queryOption(a string) error {
	k, v, hasV := strings.Cut(a[1:], "=")
	var err error
	switch {
	case k == "short" && !hasV:
		d.Short = true
	case k == "noshort" && !hasV:
		d.Short = false
	case k == "tcp" || k == "vc":
		d.TCP = true
	case k == "notcp" || k == "novc":
		d.TCP = false
	case k == "search":
		d.Search = true
	case k == "nosearch":
		d.Search = false
	case k == "time" && hasV:
		d.Timeout, err = toolSeconds("dig", v)
	case k == "tries" && hasV:
		d.Tries, err = toolNumber("dig", v, 1, 100)
	case k == "retry" && hasV:
		var n int
		n, err = toolNumber("dig", v, 0, 99)
		d.Tries = n + 1
	case slices.Contains([]string{"noall", "answer", "noanswer", "all", "nocmd", "cmd", "nostats", "stats",
		"noquestion", "question", "noauthority", "authority", "noadditional", "additional", "comments", "nocomments"}, k) && !hasV:
		// Display options: the runner prints dig's usual sections.
	default:
		return usagef("dig: invalid query option: %s", a)
	}
	return err
}

func parseWget(args []string) (Tool, error) {
	opts, ops, err := getopt("wget", []toolOpt{
		{'q', "quiet", false}, {'O', "output-document", true}, {'T', "timeout", true},
		{0, "spider", false}, {'S', "server-response", false},
	}, args)
	if err != nil {
		return nil, err
	}
	w := &Wget{}
	for _, o := range opts {
		switch o[0] {
		case "q":
			w.Quiet = true
		case "O":
			w.Output = o[1]
		case "T":
			w.Timeout, err = toolSeconds("wget", o[1])
		case "spider":
			w.Spider = true
		case "S":
			w.ServerResponse = true
		}
		if err != nil {
			return nil, err
		}
	}
	if len(ops) != 1 {
		return nil, usagef("wget: usage: wget [-q] [-O FILE] [-T SEC] [--spider] [-S] URL")
	}
	w.URL = ops[0]
	return w, nil
}

func parseCurl(args []string) (Tool, error) {
	opts, ops, err := getopt("curl", []toolOpt{
		{'s', "silent", false}, {'S', "show-error", false}, {'f', "fail", false},
		{'i', "include", false}, {'I', "head", false}, {'v', "verbose", false},
		{'L', "location", false}, {'o', "output", true}, {'m', "max-time", true},
		{0, "connect-timeout", true}, {'w', "write-out", true}, {'H', "header", true},
		{'X', "request", true},
	}, args)
	if err != nil {
		return nil, err
	}
	c := &Curl{Method: "GET"}
	for _, o := range opts {
		switch o[0] {
		case "s":
			c.Silent = true
		case "S":
			c.ShowError = true
		case "f":
			c.Fail = true
		case "i":
			c.Include = true
		case "I":
			c.Head, c.Method = true, "HEAD"
		case "v":
			c.Verbose = true
		case "L":
			c.Location = true
		case "o":
			c.Output = o[1]
		case "m":
			c.MaxTime, err = toolSeconds("curl", o[1])
		case "connect-timeout":
			c.ConnectTimeout, err = toolSeconds("curl", o[1])
		case "w":
			c.WriteOut = o[1]
		case "H":
			c.Headers = append(c.Headers, o[1])
		case "X":
			if o[1] != "GET" && o[1] != "HEAD" {
				return nil, unsupportedf("curl -X %s is not supported by the simulator (GET, HEAD)", o[1])
			}
			c.Method = o[1]
		}
		if err != nil {
			return nil, err
		}
	}
	if len(ops) != 1 {
		if len(ops) == 0 {
			return nil, usagef("curl: no URL specified")
		}
		return nil, unsupportedf("curl with several URLs is not supported by the simulator")
	}
	c.URL = ops[0]
	return c, nil
}
