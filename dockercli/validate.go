package dockercli

import (
	"encoding/csv"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
)

// The docker CLI's flag value validators (docker/cli opts), with their
// messages.

const whiteSpaces = " \t"

var (
	alphaRegexp  = regexp.MustCompile(`[a-zA-Z]`)
	domainRegexp = regexp.MustCompile(`^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9\-]*[a-zA-Z0-9])))*)\.?\s*$`)
	// longNetworkSyntax is NetworkOpt's test for name=...,alias=... values.
	longNetworkSyntax = regexp.MustCompile(`\w+=\w+(,\w+=\w+)*`)
)

// validateLabel is opts.ValidateLabel.
func validateLabel(value string) (string, error) {
	key, _, _ := strings.Cut(value, "=")
	key = strings.TrimLeft(key, whiteSpaces)
	if key == "" {
		return "", fmt.Errorf("invalid label '%s': empty name", value)
	}
	if strings.ContainsAny(key, whiteSpaces) {
		return "", fmt.Errorf("label '%s' contains whitespaces", key)
	}
	return value, nil
}

// validateEnv is opts.ValidateEnv, without the host's environment.
func validateEnv(val string) (string, error) {
	k, _, _ := strings.Cut(val, "=")
	if k == "" {
		return "", errors.New("invalid environment variable: " + val)
	}
	return val, nil
}

// validateIPAddress is opts.ValidateIPAddress: it normalises the address.
func validateIPAddress(val string) (string, error) {
	if ip := net.ParseIP(strings.TrimSpace(val)); ip != nil {
		return ip.String(), nil
	}
	return "", fmt.Errorf("IP address is not correctly formatted: %s", val)
}

// validateDNSSearch is opts.ValidateDNSSearch.
func validateDNSSearch(val string) (string, error) {
	if val = strings.Trim(val, " "); val == "." {
		return val, nil
	}
	if alphaRegexp.FindString(val) == "" {
		return "", fmt.Errorf("%s is not a valid domain", val)
	}
	ns := domainRegexp.FindSubmatch([]byte(val))
	if len(ns) > 0 && len(ns[1]) < 255 {
		return string(ns[1]), nil
	}
	return "", fmt.Errorf("%s is not a valid domain", val)
}

// validateFilter is FilterOpt.Set's check.
func validateFilter(val string) (string, error) {
	if val != "" && !strings.Contains(val, "=") {
		return "", errors.New("bad format of filter (expected name=value)")
	}
	return val, nil
}

// validateAttach is the check of docker run -a.
func validateAttach(val string) (string, error) {
	s := strings.ToLower(val)
	switch s {
	case "stdin", "stdout", "stderr":
		return s, nil
	}
	return val, errors.New("valid streams are STDIN, STDOUT and STDERR")
}

// validateExtraHost is opts.ValidateExtraHost: "host:ip" or "host=ip",
// the address possibly in brackets, or the special "host-gateway".
func validateExtraHost(val string) (string, error) {
	k, v, ok := strings.Cut(val, "=")
	if !ok {
		k, v, ok = strings.Cut(val, ":")
	}
	if !ok || k == "" {
		return "", fmt.Errorf("bad format for add-host: %q", val)
	}
	if v == "host-gateway" {
		return k + ":" + v, nil
	}
	if len(v) > 1 && v[0] == '[' && v[len(v)-1] == ']' {
		v = v[1 : len(v)-1]
	}
	if net.ParseIP(v) == nil {
		return "", fmt.Errorf("invalid IP address in add-host: %q", v)
	}
	return k + ":" + v, nil
}

// validateNetworkOpt is NetworkOpt.Set's check; parseNetworkOpt does the
// parsing.
func validateNetworkOpt(val string) (string, error) {
	_, err := parseNetworkOpt(val)
	return val, err
}

// parseNetworkOpt reads one --network value: a name, or the long syntax
// name=N,alias=A,ip=I,ip6=I6,driver-opt=K=V.
func parseNetworkOpt(val string) (NetworkAttachment, error) {
	var a NetworkAttachment
	if !longNetworkSyntax.MatchString(val) {
		a.Network = val
		return a, nil
	}
	fields, err := csv.NewReader(strings.NewReader(val)).Read()
	if err != nil {
		return a, err
	}
	for _, field := range fields {
		key, v, ok := strings.Cut(field, "=")
		if !ok || key == "" {
			return a, fmt.Errorf("invalid field %s", field)
		}
		key, v = strings.TrimSpace(key), strings.TrimSpace(v)
		switch key {
		case "name":
			a.Network = v
		case "alias":
			a.Aliases = append(a.Aliases, v)
		case "ip":
			ip, err := parseAddr(v)
			if err != nil {
				return a, err
			}
			a.IP = ip
		case "ip6":
			return a, errors.New("IPv6 addresses (ip6=) are not supported by vswitch yet")
		case "driver-opt":
			if k, _, ok := strings.Cut(v, "="); !ok || strings.TrimSpace(k) == "" {
				return a, errors.New("invalid key value pair format in driver options")
			}
		case "mac-address", "link-local-ip", "gw-priority":
			// Accepted by newer CLIs; nothing the simulator models.
		default:
			return a, fmt.Errorf("invalid field key %s", key)
		}
	}
	if a.Network == "" {
		return a, errors.New("network name/id is not specified")
	}
	return a, nil
}

// validateLink is opts.ValidateLink.
func validateLink(val string) (string, error) {
	if val == "" {
		return "", errors.New("empty string specified for links")
	}
	if strings.Count(val, ":") > 1 {
		return "", errors.New("bad format for links: " + val)
	}
	return val, nil
}

// imageRef checks an image reference as the docker CLI does before it
// creates a container, and returns its repository's short name ("nginx"
// for docker.io/library/nginx:1.27).
func imageRef(ref string) (string, error) {
	name := ref
	if i := strings.IndexByte(name, '@'); i >= 0 {
		if !digestRegexp.MatchString(name[i+1:]) {
			return "", errors.New("invalid reference format")
		}
		name = name[:i]
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 && !strings.Contains(name[i:], "/") {
		if !tagRegexp.MatchString(name[i+1:]) {
			return "", errors.New("invalid reference format")
		}
		name = name[:i]
	}
	parts := strings.Split(name, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost" || strings.ToLower(parts[0]) != parts[0]) {
		if !domainPart.MatchString(parts[0]) {
			return "", errors.New("invalid reference format")
		}
		parts = parts[1:]
	}
	path := strings.Join(parts, "/")
	if strings.ToLower(path) != path {
		full := path
		if len(parts) == 1 {
			full = "library/" + path
		}
		return "", fmt.Errorf("invalid reference format: repository name (%s) must be lowercase", full)
	}
	for _, p := range parts {
		if !pathComponent.MatchString(p) {
			return "", errors.New("invalid reference format")
		}
	}
	if len(path) > 255 {
		return "", errors.New("invalid reference format")
	}
	path = strings.TrimPrefix(path, "library/")
	return path, nil
}

var (
	pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$`)
	domainPart    = regexp.MustCompile(`^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$`)
	tagRegexp     = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	digestRegexp  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$`)
)
