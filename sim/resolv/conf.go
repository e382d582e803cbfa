package resolv

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Limits and defaults of glibc's resolver.
const (
	MaxNameservers  = 3 // MAXNS
	DefaultNdots    = 1
	MaxNdots        = 15 // RES_MAXNDOTS
	DefaultTimeout  = 5 * time.Second
	MaxTimeout      = 30 * time.Second // RES_MAXRETRANS
	DefaultAttempts = 2
	MaxAttempts     = 5 // RES_MAXRETRY
	// NdotsZero in Config.Ndots means ndots:0 (0 means the default, 1).
	NdotsZero = -1
)

// ErrSyntax is wrapped by ParseResolvConf's errors.
var ErrSyntax = errors.New("resolv.conf syntax error")

// Config is a resolver configuration with resolv.conf's settings. Zero
// values mean the defaults.
type Config struct {
	// Nameservers are queried in order; only the first three are used.
	Nameservers []netip.Addr
	// Search is the search list, tried for names with fewer than Ndots
	// dots before the name itself, and after it otherwise.
	Search []string
	// Ndots is the ndots option: 0 means the default (1), NdotsZero
	// means ndots:0.
	Ndots int
	// Timeout is the wait for each server's answer (0: 5 s).
	Timeout time.Duration
	// Attempts is the number of rounds over the servers (0: 2).
	Attempts int
	// Rotate starts each query at the next server in turn.
	Rotate bool
	// EDNS0 adds an OPT record advertising a 1200-byte UDP buffer, as
	// glibc's "options edns0" does.
	EDNS0 bool
	// Port is the servers' port (0: 53).
	Port uint16
	// Musl follows musl libc (Alpine) instead of glibc: a name with at
	// least ndots dots is asked as it is and never with the search list
	// (so with Docker's ndots:0 the search list is never used); a name
	// with fewer dots tries the search list first, then itself, and only
	// NXDOMAIN moves on to the next candidate: NODATA or SERVFAIL ends the
	// lookup (musl's name_from_dns_search). Each candidate is asked of
	// every server at once, again every Timeout/Attempts, for Timeout in
	// all; SERVFAIL and REFUSED answers are not accepted, so servers that
	// only give those end in a timeout (musl's res_msend).
	Musl bool
}

// normalized returns c with defaults applied and limits enforced.
func (c Config) normalized() Config {
	if len(c.Nameservers) > MaxNameservers {
		c.Nameservers = c.Nameservers[:MaxNameservers]
	}
	switch {
	case c.Ndots == 0:
		c.Ndots = DefaultNdots
	case c.Ndots < 0:
		c.Ndots = 0
	case c.Ndots > MaxNdots:
		c.Ndots = MaxNdots
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Attempts <= 0 {
		c.Attempts = DefaultAttempts
	}
	c.Attempts = min(c.Attempts, MaxAttempts)
	if c.Port == 0 {
		c.Port = 53
	}
	return c
}

// ParseResolvConf reads resolv.conf text as glibc does: "nameserver ADDR"
// (up to three, more are ignored), "search DOMAIN..." and "domain DOMAIN"
// (the last of them wins), "options" with ndots:N (at most 15), timeout:N
// (seconds, at most 30), attempts:N (1 to 5), rotate and edns0; other
// options and keywords are ignored, and lines starting with '#' or ';' are
// comments. Unlike glibc, a bad address, domain or option value is an
// error naming the line, rather than silently dropped. Defaults are filled
// in: ndots 1, timeout 5 s, attempts 2.
func ParseResolvConf(text string) (Config, error) {
	var c Config
	ndots, timeout, attempts := DefaultNdots, DefaultTimeout, DefaultAttempts
	for i, line := range strings.Split(text, "\n") {
		if j := strings.IndexAny(line, "#;"); j >= 0 {
			line = line[:j]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: line %d: %s", ErrSyntax, i+1, fmt.Sprintf(format, args...))
		}
		switch f[0] {
		case "nameserver":
			if len(f) < 2 {
				return Config{}, bad("nameserver needs an address")
			}
			a, err := netip.ParseAddr(f[1])
			if err != nil {
				return Config{}, bad("bad nameserver address %q", f[1])
			}
			if len(c.Nameservers) < MaxNameservers {
				c.Nameservers = append(c.Nameservers, a)
			}
		case "domain", "search":
			if len(f) < 2 {
				return Config{}, bad("%s needs a domain", f[0])
			}
			args := f[1:]
			if f[0] == "domain" {
				args = f[1:2]
			}
			c.Search = c.Search[:0]
			for _, d := range args {
				if _, ok := dns.IsDomainName(d); !ok {
					return Config{}, bad("bad domain %q", d)
				}
				c.Search = append(c.Search, d)
			}
		case "options":
			for _, o := range f[1:] {
				name, val, hasVal := strings.Cut(o, ":")
				num := func(lo, hi int) (int, error) {
					n, err := strconv.Atoi(val)
					if !hasVal || err != nil || n < 0 {
						return 0, bad("bad value in option %q", o)
					}
					return min(max(n, lo), hi), nil
				}
				var err error
				switch name {
				case "ndots":
					ndots, err = num(0, MaxNdots)
				case "timeout":
					var s int
					s, err = num(0, int(MaxTimeout/time.Second))
					// glibc waits at least a second (send_dg).
					timeout = time.Duration(max(s, 1)) * time.Second
				case "attempts":
					attempts, err = num(1, MaxAttempts)
				case "rotate":
					c.Rotate = true
				case "edns0":
					c.EDNS0 = true
				}
				if err != nil {
					return Config{}, err
				}
			}
		}
	}
	if len(c.Search) == 0 {
		c.Search = nil
	}
	c.Ndots, c.Timeout, c.Attempts = ndots, timeout, attempts
	if ndots == 0 {
		c.Ndots = NdotsZero
	}
	return c, nil
}

// ResolvConf returns c as resolv.conf text (with defaults applied), which
// ParseResolvConf reads back into the same configuration.
func (c Config) ResolvConf() string {
	n := c.normalized()
	var b strings.Builder
	for _, a := range n.Nameservers {
		fmt.Fprintf(&b, "nameserver %s\n", a)
	}
	if len(n.Search) > 0 {
		fmt.Fprintf(&b, "search %s\n", strings.Join(n.Search, " "))
	}
	fmt.Fprintf(&b, "options ndots:%d timeout:%d attempts:%d", n.Ndots, int(max(n.Timeout/time.Second, 1)), n.Attempts)
	if n.Rotate {
		b.WriteString(" rotate")
	}
	if n.EDNS0 {
		b.WriteString(" edns0")
	}
	b.WriteString("\n")
	return b.String()
}
