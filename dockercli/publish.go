package dockercli

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// PublishSpec is one -p/--publish value:
// [ip:][hostPort[-end]:]containerPort[-end][/tcp|udp|sctp].
type PublishSpec struct {
	// HostIP is the host address to bind; the zero Addr means every
	// address, which Docker shows as 0.0.0.0 and [::].
	HostIP netip.Addr
	// HostPort..HostPortEnd is the host port or range; 0 means a random
	// port. A range with a single container port means "any free port of
	// the range"; with a container range of the same length, one to one.
	HostPort, HostPortEnd uint16
	// Port..PortEnd is the container port or range.
	Port, PortEnd uint16
	// Proto is "tcp", "udp" or "sctp".
	Proto string
}

// ParsePublish parses a -p value as the docker CLI does (its long form
// published=P,target=T,protocol=X included), with its messages:
// "no port specified: 80:<empty>", "invalid proto: x", "invalid IP
// address: x", "invalid containerPort: x", "invalid hostPort: x",
// "invalid ranges specified for container and host Ports: 80-81 and 90".
func ParsePublish(s string) (PublishSpec, error) {
	raw, err := standardNotation(s)
	if err != nil {
		return PublishSpec{}, err
	}
	var p PublishSpec
	ip, hostPort, ctr := splitPublishParts(raw)
	ctr, proto, _ := strings.Cut(ctr, "/")
	if ctr == "" {
		return p, fmt.Errorf("no port specified: %s<empty>", raw)
	}
	if proto == "" {
		proto = "tcp"
	}
	proto = strings.ToLower(proto)
	switch proto {
	case "tcp", "udp", "sctp":
	default:
		return p, errors.New("invalid proto: " + proto)
	}
	p.Proto = proto
	if ip != "" && ip[0] == '[' {
		host, _, err := net.SplitHostPort(ip + ":")
		if err != nil {
			return p, fmt.Errorf("invalid IP address %v: %w", ip, err)
		}
		ip = host
	}
	if ip != "" {
		nip := net.ParseIP(ip)
		if nip == nil {
			return p, errors.New("invalid IP address: " + ip)
		}
		a, err := netip.ParseAddr(ip)
		if err != nil {
			a, _ = netip.AddrFromSlice(nip)
		}
		p.HostIP = a.Unmap()
	}
	if p.Port, p.PortEnd, err = parsePortRange(ctr); err != nil {
		return p, errors.New("invalid containerPort: " + ctr)
	}
	if hostPort != "" {
		if p.HostPort, p.HostPortEnd, err = parsePortRange(hostPort); err != nil {
			return p, errors.New("invalid hostPort: " + hostPort)
		}
		if p.PortEnd-p.Port != p.HostPortEnd-p.HostPort && p.PortEnd != p.Port {
			return p, fmt.Errorf("invalid ranges specified for container and host Ports: %s and %s", ctr, hostPort)
		}
	}
	return p, nil
}

// standardNotation turns the long form (published=8080,target=80) into
// the short one, as the docker CLI's convertToStandardNotation does.
func standardNotation(s string) (string, error) {
	if !strings.Contains(s, "=") {
		return s, nil
	}
	params := map[string]string{"protocol": "tcp"}
	for _, param := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(param, "=")
		if !ok || k == "" {
			return "", fmt.Errorf("invalid publish opts format (should be name=value but got '%s')", param)
		}
		params[k] = v
	}
	return fmt.Sprintf("%s:%s/%s", params["published"], params["target"], params["protocol"]), nil
}

// splitPublishParts is go-connections' splitParts: more than three parts
// mean an unbracketed IPv6 address.
func splitPublishParts(raw string) (ip, hostPort, ctr string) {
	parts := strings.Split(raw, ":")
	switch n := len(parts); n {
	case 1:
		return "", "", parts[0]
	case 2:
		return "", parts[0], parts[1]
	case 3:
		return parts[0], parts[1], parts[2]
	default:
		return strings.Join(parts[:n-2], ":"), parts[n-2], parts[n-1]
	}
}

// parsePortRange parses "80" or "8000-8010" (ports 0-65535).
func parsePortRange(s string) (lo, hi uint16, err error) {
	if s == "" {
		return 0, 0, errors.New("empty string specified for ports")
	}
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parsePortNumber(a); err != nil {
		return 0, 0, err
	}
	if !isRange || a == b {
		return lo, lo, nil
	}
	if hi, err = parsePortNumber(b); err != nil {
		return 0, 0, err
	}
	if hi < lo {
		return 0, 0, errors.New("invalid port range: " + s)
	}
	return lo, hi, nil
}

func parsePortNumber(s string) (uint16, error) {
	n, err := strconv.ParseInt(s, 10, 0)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > 65535 {
		return 0, errors.New("value out of range (0–65535)")
	}
	return uint16(n), nil
}

// String formats the spec in the short -p form; ParsePublish reads it back
// to the same spec.
func (p PublishSpec) String() string {
	var b strings.Builder
	if p.HostIP.IsValid() {
		if p.HostIP.Is6() {
			b.WriteString("[" + p.HostIP.String() + "]")
		} else {
			b.WriteString(p.HostIP.String())
		}
		b.WriteByte(':')
	}
	if p.HostPort != 0 || p.HostPortEnd != 0 {
		b.WriteString(portRange(p.HostPort, p.HostPortEnd))
		b.WriteByte(':')
	} else if p.HostIP.IsValid() {
		b.WriteByte(':')
	}
	b.WriteString(portRange(p.Port, p.PortEnd))
	b.WriteString("/" + p.Proto)
	return b.String()
}

func portRange(lo, hi uint16) string {
	if lo == hi {
		return strconv.Itoa(int(lo))
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

// PortBinding is one published container port: Docker's NetworkSettings.Ports
// entry "80/tcp" -> {HostIp, HostPort}.
type PortBinding struct {
	Proto    string
	Port     uint16     // container port
	HostIP   netip.Addr // 0.0.0.0, :: or the address given
	HostPort uint16
}

// String formats the binding as docker port does: "80/tcp -> 0.0.0.0:5005".
func (b PortBinding) String() string {
	return fmt.Sprintf("%d/%s -> %s", b.Port, b.Proto, b.hostAddr())
}

func (b PortBinding) hostAddr() string {
	return net.JoinHostPort(b.HostIP.String(), strconv.Itoa(int(b.HostPort)))
}
