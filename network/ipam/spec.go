package ipam

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Spec is the IPAM part of a docker network create command line, flag
// values as typed: --subnet, --ip-range, --gateway and --aux-address
// (name=address), each in command-line order.
type Spec struct {
	Subnets      []string
	IPRanges     []string
	Gateways     []string
	AuxAddresses []string
}

// ParseSpec groups the flags per subnet and validates them the way the
// docker CLI (createIPAMConfig) and then the daemon (ValidateIPAM) do, with
// their messages:
//
//   - "every ip-range or gateway must have a corresponding subnet"
//   - "no matching subnet for gateway X", "no matching subnet for range X",
//     "no matching subnet for aux-address X"
//   - "multiple overlapping subnet configuration is not supported"
//   - "invalid network config:\ninvalid subnet 10.1.2.3/16: it should be
//     10.1.0.0/16" (and the other ValidateIPAM checks)
//
// It returns one Request per subnet, in command-line order. Every error
// matches ErrInvalidConfig, except for IPv6 subnets (ErrIPv6). ParseSpec is
// ParseFlags followed by Validate.
func ParseSpec(s Spec) ([]Request, error) {
	reqs, err := ParseFlags(s)
	if err != nil {
		return nil, err
	}
	if err := Validate(reqs); err != nil {
		return nil, err
	}
	return reqs, nil
}

// ParseFlags is the docker CLI's part of ParseSpec: it parses the flag
// values and groups them per subnet (createIPAMConfig), with the CLI's
// messages. It does not check the groups themselves; Validate does.
func ParseFlags(s Spec) ([]Request, error) {
	ranges := make([]netip.Prefix, len(s.IPRanges))
	for i, r := range s.IPRanges {
		// pflag's IPNet flag masks the range: 10.0.0.5/24 becomes 10.0.0.0/24.
		_, n, err := net.ParseCIDR(r)
		if err != nil {
			return nil, cfgErr("invalid argument %q for %q flag: %v", r, "--ip-range", err)
		}
		ranges[i] = ipNetPrefix(n)
	}
	gws := make([]netip.Addr, len(s.Gateways))
	for i, g := range s.Gateways {
		ip := net.ParseIP(strings.TrimSpace(g))
		if ip == nil {
			return nil, cfgErr("invalid argument %q for %q flag: invalid string being converted to IP address: %s", g, "--gateway", g)
		}
		a, _ := netip.AddrFromSlice(ip)
		gws[i] = a.Unmap()
	}
	if len(s.Subnets) < len(ranges) || len(s.Subnets) < len(gws) {
		return nil, cfgErr("every ip-range or gateway must have a corresponding subnet")
	}

	reqs := make([]Request, len(s.Subnets))
	for i, sub := range s.Subnets {
		for _, prev := range s.Subnets[:i] {
			ok1, err := subnetMatches(sub, prev)
			if err != nil {
				return nil, err
			}
			ok2, err := subnetMatches(prev, sub)
			if err != nil {
				return nil, err
			}
			if ok1 || ok2 {
				return nil, cfgErr("multiple overlapping subnet configuration is not supported")
			}
		}
		p, err := netip.ParsePrefix(sub)
		if err != nil {
			a, aerr := netip.ParseAddr(sub)
			if aerr != nil {
				return nil, cfgErr("invalid address: %v", aerr)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		reqs[i].Subnet = p
	}

	for _, r := range ranges {
		match := false
		for i, sub := range s.Subnets {
			ok, err := subnetMatches(sub, r.String())
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if reqs[i].IPRange.IsValid() {
				return nil, cfgErr("cannot configure multiple ranges (%s, %s) on the same subnet (%s)", r, reqs[i].IPRange, sub)
			}
			reqs[i].IPRange = r
			match = true
		}
		if !match {
			return nil, cfgErr("no matching subnet for range %s", r)
		}
	}

	for _, g := range gws {
		match := false
		for i, sub := range s.Subnets {
			ok, err := subnetMatches(sub, g.String())
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			if reqs[i].Gateway.IsValid() {
				return nil, cfgErr("cannot configure multiple gateways (%s, %s) for the same subnet (%s)", g, reqs[i].Gateway, sub)
			}
			reqs[i].Gateway = g
			match = true
		}
		if !match {
			return nil, cfgErr("no matching subnet for gateway %s", g)
		}
	}

	for _, kv := range s.AuxAddresses {
		key, val, _ := strings.Cut(kv, "=")
		addr, err := netip.ParseAddr(val)
		if err != nil {
			return nil, cfgErr("%v", err)
		}
		match := false
		for i, sub := range s.Subnets {
			ok, err := subnetMatches(sub, addr.String())
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			reqs[i].AuxAddresses = setAux(reqs[i].AuxAddresses, AuxAddress{Name: key, Addr: addr})
			match = true
		}
		if !match {
			return nil, cfgErr("no matching subnet for aux-address %s", val)
		}
	}

	return reqs, nil
}

// setAux sets name to a, replacing an earlier value as a map would.
func setAux(list []AuxAddress, a AuxAddress) []AuxAddress {
	for i := range list {
		if list[i].Name == a.Name {
			list[i] = a
			return list
		}
	}
	return append(list, a)
}

// Validate is the daemon's ValidateIPAM: "invalid network config:\n" and one
// line per problem, such as "invalid subnet 10.1.2.3/16: it should be
// 10.1.0.0/16". IPv6 subnets are refused with ErrIPv6.
func Validate(reqs []Request) error {
	var errs []string
	for _, r := range reqs {
		sub := r.Subnet
		if !sub.Addr().Is4() {
			return ErrIPv6
		}
		if sub != sub.Masked() {
			errs = append(errs, fmt.Sprintf("invalid subnet %s: it should be %s", sub, sub.Masked()))
		}
		if ipr := r.IPRange; ipr.IsValid() {
			switch {
			case !ipr.Addr().Is4():
				errs = append(errs, fmt.Sprintf("invalid ip-range %s: parent subnet is an IPv4 block", ipr))
			default:
				if ipr.Bits() < sub.Bits() {
					errs = append(errs, fmt.Sprintf("invalid ip-range %s: CIDR block is bigger than its parent subnet %s", ipr, sub))
				}
				if ipr != ipr.Masked() {
					errs = append(errs, fmt.Sprintf("invalid ip-range %s: it should be %s", ipr, ipr.Masked()))
				}
				if !sub.Overlaps(ipr) {
					errs = append(errs, fmt.Sprintf("invalid ip-range %s: parent subnet %s doesn't contain ip-range", ipr, sub))
				}
			}
		}
		if gw := r.Gateway; gw.IsValid() {
			if msg := addrProblem(gw, sub); msg != "" {
				errs = append(errs, fmt.Sprintf("invalid gateway %s: %s", gw, msg))
			}
		}
		for _, aux := range r.AuxAddresses {
			if msg := addrProblem(aux.Addr, sub); msg != "" {
				errs = append(errs, fmt.Sprintf("invalid auxiliary address %s: %s", aux.Name, msg))
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return cfgErr("invalid network config:\n%s", strings.Join(errs, "\n"))
}

func addrProblem(a netip.Addr, sub netip.Prefix) string {
	if !a.Is4() {
		return "parent subnet is an IPv4 block"
	}
	if !sub.Contains(a) {
		return fmt.Sprintf("parent subnet %s doesn't contain this address", sub)
	}
	return ""
}

// subnetMatches is the docker CLI's helper: whether data (an address or a
// CIDR, whose address counts) lies in subnet.
func subnetMatches(subnet, data string) (bool, error) {
	_, s, err := net.ParseCIDR(subnet)
	if err != nil {
		return false, cfgErr("invalid subnet: %v", err)
	}
	var ip net.IP
	if strings.Contains(data, "/") {
		if ip, _, err = net.ParseCIDR(data); err != nil {
			return false, cfgErr("%v", err)
		}
	} else {
		ip = net.ParseIP(data)
	}
	return s.Contains(ip), nil
}

func ipNetPrefix(n *net.IPNet) netip.Prefix {
	a, _ := netip.AddrFromSlice(n.IP)
	ones, _ := n.Mask.Size()
	a = a.Unmap()
	if a.Is4() && ones > 32 {
		ones -= 96
	}
	return netip.PrefixFrom(a, ones)
}

func cfgErr(format string, args ...any) error {
	return &configError{fmt.Sprintf(format, args...)}
}
