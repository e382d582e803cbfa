package dockercli

import (
	"encoding/csv"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// This file is a small pflag: the docker CLI parses its flags with
// spf13/pflag through cobra, and users see pflag's messages, so the
// parsing rules and the texts are pflag's.

// valueKind is the pflag type of a flag's value.
type valueKind uint8

const (
	kBool     valueKind = iota
	kString             // one value, the last one given wins
	kList               // repeatable (docker's ListOpts and MapOpts)
	kCSV                // repeatable, each value split as CSV (pflag's StringSlice)
	kIPs                // repeatable, each value split on commas (pflag's IPSlice)
	kIPNets             // repeatable, each value split on commas (pflag's IPNetSlice)
	kIP                 // one IP address (pflag's IP)
	kInt                // pflag's Int and Int64
	kUint16             // pflag's Uint16
	kDuration           // pflag's Duration
)

// flagUse says what the simulator does with a flag Docker has.
type flagUse uint8

const (
	used    flagUse = iota // simulated
	ignored                // accepted; it changes nothing the simulator models
	refused                // ErrUnsupported when given
)

// flagDef is one flag of a command.
type flagDef struct {
	long    string
	short   byte
	aliases []string // other long names sharing the value (--net for --network)
	kind    valueKind
	// check validates (and may normalise) each value as Docker's flag
	// Value.Set does; its error becomes pflag's "invalid argument".
	check func(string) (string, error)
	use   flagUse
	why   string // for refused flags: what to do instead
}

// argRule is cobra's positional argument check. max < 0: no limit.
type argRule struct{ min, max int }

// cmdDef describes one docker command.
type cmdDef struct {
	path         string // "docker network create", for messages
	flags        []flagDef
	interspersed bool // flags may follow positional arguments
	args         argRule
}

func boolF(long string, short byte, use flagUse) flagDef {
	return flagDef{long: long, short: short, kind: kBool, use: use}
}

func strF(long string, short byte, use flagUse) flagDef {
	return flagDef{long: long, short: short, kind: kString, use: use}
}

func listF(long string, short byte, use flagUse) flagDef {
	return flagDef{long: long, short: short, kind: kList, use: use}
}

func kindF(long string, short byte, kind valueKind, use flagUse) flagDef {
	return flagDef{long: long, short: short, kind: kind, use: use}
}

func (f flagDef) alias(names ...string) flagDef {
	f.aliases = append(f.aliases, names...)
	return f
}

func (f flagDef) checked(check func(string) (string, error)) flagDef {
	f.check = check
	return f
}

func (f flagDef) refuse(why string) flagDef {
	f.use = refused
	f.why = why
	return f
}

// displayName is how pflag names a flag in "invalid argument" errors.
func (f *flagDef) displayName(long string) string {
	if f.short != 0 && long == f.long {
		return fmt.Sprintf("-%c, --%s", f.short, f.long)
	}
	return "--" + long
}

func (d *cmdDef) byLong(name string) *flagDef {
	for i := range d.flags {
		f := &d.flags[i]
		if f.long == name {
			return f
		}
		for _, a := range f.aliases {
			if a == name {
				return f
			}
		}
	}
	return nil
}

func (d *cmdDef) byShort(c byte) *flagDef {
	for i := range d.flags {
		if d.flags[i].short == c {
			return &d.flags[i]
		}
	}
	return nil
}

// flagSet is the flags given on a command line, by canonical long name.
type flagSet struct {
	vals  map[string][]string
	order []string // canonical names in the order first given
}

func (s *flagSet) add(name string, vals ...string) {
	if s.vals == nil {
		s.vals = map[string][]string{}
	}
	if _, ok := s.vals[name]; !ok {
		s.order = append(s.order, name)
	}
	s.vals[name] = append(s.vals[name], vals...)
}

// changed reports whether the flag was given.
func (s *flagSet) changed(name string) bool {
	_, ok := s.vals[name]
	return ok
}

// str returns the last value given, or "".
func (s *flagSet) str(name string) string {
	v := s.vals[name]
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// boolean returns a bool flag's value.
func (s *flagSet) boolean(name string) bool { return s.str(name) == "true" }

// list returns every value given, in order.
func (s *flagSet) list(name string) []string { return s.vals[name] }

// parseFlags splits args into flags and positional arguments as pflag
// does, then checks the argument count as cobra does. A bare -h or --help
// (when the command has no such flag) asks for help, which the simulator
// does not print.
func parseFlags(d *cmdDef, args []string) (*flagSet, []string, error) {
	fs := &flagSet{}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case len(a) < 2 || a[0] != '-':
			if !d.interspersed {
				pos = append(pos, args[i:]...)
				return fs, pos, checkArgs(d, pos)
			}
			pos = append(pos, a)
		case a == "--":
			pos = append(pos, args[i+1:]...)
			return fs, pos, checkArgs(d, pos)
		case a[1] == '-':
			name := a[2:]
			if name == "" || name[0] == '-' || name[0] == '=' {
				return nil, nil, usagef("bad flag syntax: %s", a)
			}
			name, val, hasVal := strings.Cut(name, "=")
			if name == "help" {
				return nil, nil, unsupportedf("%s --help: the simulator does not print help", d.path)
			}
			f := d.byLong(name)
			if f == nil {
				return nil, nil, usagef("unknown flag: --%s", name)
			}
			if !hasVal {
				if f.kind == kBool {
					val = "true"
				} else if i+1 < len(args) {
					i++
					val = args[i]
				} else {
					return nil, nil, usagef("flag needs an argument: %s", a)
				}
			}
			if err := fs.set(f, name, val); err != nil {
				return nil, nil, err
			}
			if f.use == refused {
				return nil, nil, refusedErr(d, "--"+name, f)
			}
		default:
			shorts := a[1:]
			for len(shorts) > 0 {
				c := shorts[0]
				f := d.byShort(c)
				if f == nil {
					if c == 'h' {
						return nil, nil, unsupportedf("%s --help: the simulator does not print help", d.path)
					}
					return nil, nil, usagef("unknown shorthand flag: %q in -%s", c, shorts)
				}
				var val string
				switch {
				case len(shorts) > 2 && shorts[1] == '=':
					val, shorts = shorts[2:], ""
				case f.kind == kBool:
					val, shorts = "true", shorts[1:]
				case len(shorts) > 1:
					val, shorts = shorts[1:], ""
				case i+1 < len(args):
					i++
					val, shorts = args[i], ""
				default:
					return nil, nil, usagef("flag needs an argument: %q in -%s", c, shorts)
				}
				if err := fs.set(f, f.long, val); err != nil {
					return nil, nil, err
				}
				if f.use == refused {
					return nil, nil, refusedErr(d, "-"+string(c), f)
				}
			}
		}
	}
	return fs, pos, checkArgs(d, pos)
}

// set validates one value as the flag's pflag type and records it.
func (s *flagSet) set(f *flagDef, typed, val string) error {
	bad := func(err error) error {
		return usagef("invalid argument %q for %q flag: %v", val, f.displayName(typed), err)
	}
	vals := []string{val}
	switch f.kind {
	case kBool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return bad(err)
		}
		vals[0] = strconv.FormatBool(b)
	case kInt:
		if _, err := strconv.ParseInt(val, 0, 64); err != nil {
			return bad(err)
		}
	case kUint16:
		if _, err := strconv.ParseUint(val, 0, 16); err != nil {
			return bad(err)
		}
	case kDuration:
		if _, err := time.ParseDuration(val); err != nil {
			return bad(err)
		}
	case kIP:
		if val != "" && net.ParseIP(strings.TrimSpace(val)) == nil {
			return bad(fmt.Errorf("failed to parse IP: %q", val))
		}
	case kCSV:
		if val == "" {
			vals = nil
			break
		}
		rec, err := csv.NewReader(strings.NewReader(val)).Read()
		if err != nil {
			return bad(err)
		}
		vals = rec
	case kIPs, kIPNets:
		vals = strings.Split(strings.NewReplacer(`"`, "", `'`, "", "`", "").Replace(val), ",")
		for i, v := range vals {
			v = strings.TrimSpace(v)
			if f.kind == kIPs && net.ParseIP(v) == nil {
				return bad(fmt.Errorf("invalid string being converted to IP address: %s", vals[i]))
			}
			if f.kind == kIPNets {
				if _, _, err := net.ParseCIDR(v); err != nil {
					return bad(fmt.Errorf("invalid string being converted to CIDR: %s", vals[i]))
				}
			}
			vals[i] = v
		}
	}
	if f.check != nil {
		for i, v := range vals {
			nv, err := f.check(v)
			if err != nil {
				return bad(err)
			}
			vals[i] = nv
		}
	}
	switch f.kind {
	case kList, kCSV, kIPs, kIPNets:
		s.add(f.long, vals...)
	default:
		s.add(f.long, vals[0])
	}
	return nil
}

func refusedErr(d *cmdDef, typed string, f *flagDef) error {
	msg := fmt.Sprintf("%s %s is not supported by the simulator", d.path, typed)
	if f.why != "" {
		msg += ": " + f.why
	}
	return unsupportedf("%s", msg)
}

// checkArgs is cobra's argument check with the docker CLI's messages.
func checkArgs(d *cmdDef, pos []string) error {
	n := len(pos)
	min, max := d.args.min, d.args.max
	switch {
	case max == 0 && n > 0:
		return usagef("%q accepts no arguments.", d.path)
	case min == max && n != min:
		return usagef("%q requires exactly %d %s.", d.path, min, plural("argument", min))
	case max < 0 && n < min:
		return usagef("%q requires at least %d %s.", d.path, min, plural("argument", min))
	case max > 0 && min == 0 && n > max:
		return usagef("%q requires at most %d %s.", d.path, max, plural("argument", max))
	case max > 0 && (n < min || n > max):
		return usagef("%q requires at least %d and at most %d %s.", d.path, min, max, plural("argument", max))
	}
	return nil
}

func plural(word string, n int) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
