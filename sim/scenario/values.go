package scenario

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// This file parses the scalar value types of the format. Each parser takes
// the text as written and returns a message without position; the YAML
// layer adds the position.

// ValidName reports whether s is a name: [a-z0-9][a-z0-9_.-]*.
func ValidName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// ParseDuration parses a Go duration ("1ms", "1m30s"). Negative durations
// are rejected, and so is a bare number other than 0, whose unit would be a
// guess.
func ParseDuration(s string) (time.Duration, error) {
	if s == "0" {
		return 0, nil
	}
	if isDigits(s) {
		return 0, fmt.Errorf("duration %q has no unit (write %ss or %sms)", s, s, s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (write e.g. 500us, 2ms, 1.5s, 10m)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return d, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParsePercent parses a percentage between 0% and 100% ("0.5%") into a
// fraction (0.005). A bare number is rejected, because 0.5 could mean 0.5%
// or 50%; only 0 is accepted without the sign.
func ParsePercent(s string) (Percent, error) {
	if s == "0" {
		return 0, nil
	}
	num, ok := strings.CutSuffix(s, "%")
	if !ok {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return 0, fmt.Errorf("percentage %q needs a %% sign (write %s%% or, for a fraction, its value times 100)", s, s)
		}
		return 0, fmt.Errorf("invalid percentage %q (write e.g. 0.5%%)", s)
	}
	if !isDecimal(num) {
		return 0, fmt.Errorf("invalid percentage %q (write e.g. 0.5%%)", s)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v > 100 {
		return 0, fmt.Errorf("percentage %q is not between 0%% and 100%%", s)
	}
	return Percent(v / 100), nil
}

// isDecimal reports whether s is digits with an optional fraction: "1",
// "0.5", "12.25".
func isDecimal(s string) bool {
	intPart, frac, hasDot := strings.Cut(s, ".")
	return isDigits(intPart) && (!hasDot || isDigits(frac))
}

// ParseRate parses a bandwidth in bits per second: a decimal number and a
// unit bit, kbit, Mbit, Gbit or Tbit (SI multiples of 1000; the prefix is
// case-insensitive). "10Mbit", "1.5Gbit", "100kbit". The result must be a
// whole, positive number of bits per second.
func ParseRate(s string) (Rate, error) {
	bad := fmt.Errorf("invalid rate %q (write e.g. 100kbit, 10Mbit, 1.5Gbit)", s)
	num, ok := strings.CutSuffix(s, "bit")
	if !ok {
		if strings.HasSuffix(strings.ToLower(s), "bps") || strings.HasSuffix(s, "B") {
			return 0, fmt.Errorf("rate %q: write bits per second with bit (10Mbit), not bytes", s)
		}
		return 0, bad
	}
	var mult uint64 = 1
	if n := len(num); n > 0 {
		switch num[n-1] {
		case 'k', 'K':
			mult = 1e3
		case 'm', 'M':
			mult = 1e6
		case 'g', 'G':
			mult = 1e9
		case 't', 'T':
			mult = 1e12
		}
		if mult != 1 {
			num = num[:n-1]
		}
	}
	if !isDecimal(num) {
		return 0, bad
	}
	intPart, frac, _ := strings.Cut(num, ".")
	whole, err := strconv.ParseUint(intPart, 10, 64)
	if err != nil || whole > math.MaxUint64/mult {
		return 0, fmt.Errorf("rate %q is too large", s)
	}
	v := whole * mult
	// The fraction in exact integer arithmetic: 1.5Gbit is 1500000000.
	frac = strings.TrimRight(frac, "0")
	if frac != "" {
		var scale uint64 = 1
		for range len(frac) {
			if scale > math.MaxUint64/10 {
				return 0, fmt.Errorf("rate %q is not a whole number of bits per second", s)
			}
			scale *= 10
		}
		f, err := strconv.ParseUint(frac, 10, 64)
		if err != nil || mult%scale != 0 {
			return 0, fmt.Errorf("rate %q is not a whole number of bits per second", s)
		}
		add := f * (mult / scale)
		if v > math.MaxUint64-add {
			return 0, fmt.Errorf("rate %q is too large", s)
		}
		v += add
	}
	if v == 0 {
		return 0, fmt.Errorf("rate %q must be positive", s)
	}
	return Rate(v), nil
}

// ParsePortSpec parses "proto/port" as in `echo: udp/7`.
func ParsePortSpec(s string) (proto string, port uint16, err error) {
	proto, num, ok := strings.Cut(s, "/")
	if !ok || (proto != "udp" && proto != "tcp") {
		return "", 0, fmt.Errorf("invalid port %q (write udp/7 or tcp/7)", s)
	}
	port, err = parsePort(num)
	if err != nil {
		return "", 0, fmt.Errorf("invalid port %q: %w", s, err)
	}
	return proto, port, nil
}

func parsePort(s string) (uint16, error) {
	if !isDigits(s) {
		return 0, fmt.Errorf("%q is not a port number", s)
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("port %s is not between 1 and 65535", s)
	}
	return uint16(n), nil
}

// ParseHostPort splits a target "host:port" ("h2:80", "10.0.0.5:7",
// "[fd00::1]:53"). The host is an IP or a name; the port is 1-65535.
func ParseHostPort(s string) (host string, port uint16, err error) {
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return "", 0, fmt.Errorf("invalid target %q (write host:port, e.g. h2:80)", s)
	}
	if h == "" {
		return "", 0, fmt.Errorf("invalid target %q: the host is missing", s)
	}
	if !isTargetHost(h) {
		return "", 0, fmt.Errorf("invalid target %q: %q is neither an IP nor a name", s, h)
	}
	port, err = parsePort(p)
	if err != nil {
		return "", 0, fmt.Errorf("invalid target %q: %w", s, err)
	}
	return h, port, nil
}

// isTargetHost reports whether s can be a target: an IP address or a DNS
// name (which includes every scenario name).
func isTargetHost(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	return ValidDomain(s)
}

// ValidDomain reports whether s is a DNS name: labels of letters, digits,
// '-' and '_', 1 to 63 bytes each, 253 bytes at most, an optional trailing
// dot.
func ValidDomain(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_':
			case c == '-' && i > 0 && i < len(label)-1:
			default:
				return false
			}
		}
	}
	return true
}

// parseHostPrefix parses an IPv4 interface address with its prefix length
// ("10.0.0.1/24"). The network and broadcast addresses of subnets larger
// than /31 are refused: they are almost always a typo.
func parseHostPrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		if _, aerr := netip.ParseAddr(s); aerr == nil {
			return p, fmt.Errorf("address %q needs a prefix length (e.g. %s/24)", s, s)
		}
		return p, fmt.Errorf("invalid address %q (write e.g. 10.0.0.1/24)", s)
	}
	if !p.Addr().Is4() {
		return p, fmt.Errorf("address %q is not IPv4 (the simulator's hosts are IPv4)", s)
	}
	if p.Bits() <= 30 {
		if p.Addr() == p.Masked().Addr() {
			return p, fmt.Errorf("address %q is the network address of %s", s, p.Masked())
		}
		if p.Addr() == lastAddr(p) {
			return p, fmt.Errorf("address %q is the broadcast address of %s", s, p.Masked())
		}
	}
	return p, nil
}

// parseNetPrefix parses an IPv4 network prefix that must be canonical
// (host bits zero). what words the error ("subnet", "route").
func parseNetPrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return p, fmt.Errorf("invalid prefix %q (write e.g. 10.9.0.0/16)", s)
	}
	if !p.Addr().Is4() {
		return p, fmt.Errorf("prefix %q is not IPv4", s)
	}
	if p.Masked() != p {
		return p, fmt.Errorf("invalid subnet %s: it should be %s", s, p.Masked())
	}
	return p, nil
}

// parseAddr4 parses an IPv4 address.
func parseAddr4(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		if _, perr := netip.ParsePrefix(s); perr == nil {
			return a, fmt.Errorf("%q is a prefix; write the address without /length", s)
		}
		return a, fmt.Errorf("invalid IPv4 address %q", s)
	}
	if !a.Is4() {
		return a, fmt.Errorf("address %q is not IPv4", s)
	}
	return a, nil
}

// lastAddr returns the last address of p (the broadcast address).
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	bits := p.Bits()
	for i := range 4 {
		for b := range 8 {
			if i*8+b >= bits {
				a[i] |= 0x80 >> b
			}
		}
	}
	return netip.AddrFrom4(a)
}

// suggest returns the candidate closest to s in edit distance, if it is
// close enough to be a plausible typo.
func suggest(s string, candidates []string) string {
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		d := editDistance(s, c)
		if d < bestD {
			best, bestD = c, d
		}
	}
	limit := max(1, min(len(s), len(best))/3)
	if bestD <= limit || (bestD <= 2 && len(s) > 3) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance counting an adjacent
// transposition as one edit.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return math.MaxInt / 2
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// didYouMean formats the suggestion for s among candidates: ` (did you
// mean "x"?)` or "".
func didYouMean(s string, candidates []string) string {
	if m := suggest(s, candidates); m != "" {
		return fmt.Sprintf(" (did you mean %q?)", m)
	}
	return ""
}
