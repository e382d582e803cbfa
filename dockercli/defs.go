package dockercli

// The flags of each supported command, as the docker CLI defines them.
// Flags marked ignored are accepted and change nothing the simulator
// models (resource limits, volumes, logging); flags marked refused fail
// with ErrUnsupported because ignoring them would mislead.

const (
	noIPv6  = "IPv6 is not supported by vswitch yet"
	noLinks = "legacy links are not supported; containers on a user-defined network find each other by name"
	noMAC   = "vswitch chooses MAC addresses itself"
)

// containerFlags are the flags docker run and docker create share
// (docker/cli cli/command/container/opts.go addFlags).
var containerFlags = []flagDef{
	// General purpose.
	listF("attach", 'a', ignored).checked(validateAttach),
	listF("device-cgroup-rule", 0, ignored),
	listF("device", 0, ignored),
	strF("gpus", 0, ignored),
	listF("env", 'e', used).checked(validateEnv),
	listF("env-file", 0, refused).refuse("the simulator reads no files; use -e"),
	strF("entrypoint", 0, used),
	listF("group-add", 0, ignored),
	strF("hostname", 'h', used),
	strF("domainname", 0, ignored),
	boolF("interactive", 'i', used),
	listF("label", 'l', used).checked(validateLabel),
	listF("label-file", 0, refused).refuse("the simulator reads no files; use -l"),
	boolF("read-only", 0, ignored),
	strF("restart", 0, ignored),
	strF("stop-signal", 0, ignored),
	kindF("stop-timeout", 0, kInt, ignored),
	listF("sysctl", 0, ignored),
	boolF("tty", 't', used),
	listF("ulimit", 0, ignored),
	strF("user", 'u', ignored),
	strF("workdir", 'w', ignored),
	boolF("rm", 0, used),
	// Security.
	listF("cap-add", 0, ignored),
	listF("cap-drop", 0, ignored),
	boolF("privileged", 0, ignored),
	listF("security-opt", 0, ignored),
	strF("userns", 0, ignored),
	strF("cgroupns", 0, ignored),
	// Network and port publishing.
	listF("add-host", 0, used).checked(validateExtraHost),
	listF("dns", 0, used).checked(validateIPAddress),
	listF("dns-option", 0, used).alias("dns-opt"),
	listF("dns-search", 0, used).checked(validateDNSSearch),
	listF("expose", 0, used),
	kindF("ip", 0, kIP, used),
	kindF("ip6", 0, kIP, refused).refuse(noIPv6),
	listF("link", 0, refused).checked(validateLink).refuse(noLinks),
	listF("link-local-ip", 0, refused).refuse("link-local addresses are not modelled"),
	strF("mac-address", 0, refused).refuse(noMAC),
	listF("publish", 'p', used),
	boolF("publish-all", 'P', used),
	listF("network", 0, used).alias("net").checked(validateNetworkOpt),
	listF("network-alias", 0, used).alias("net-alias"),
	// Logging and storage.
	strF("log-driver", 0, ignored),
	strF("volume-driver", 0, ignored),
	listF("log-opt", 0, ignored),
	listF("storage-opt", 0, ignored),
	listF("tmpfs", 0, ignored),
	listF("volumes-from", 0, ignored),
	listF("volume", 'v', ignored),
	listF("mount", 0, ignored),
	// Health checks.
	strF("health-cmd", 0, ignored),
	kindF("health-interval", 0, kDuration, ignored),
	kindF("health-retries", 0, kInt, ignored),
	kindF("health-timeout", 0, kDuration, ignored),
	kindF("health-start-period", 0, kDuration, ignored),
	kindF("health-start-interval", 0, kDuration, ignored),
	boolF("no-healthcheck", 0, ignored),
	// Resources.
	kindF("blkio-weight", 0, kUint16, ignored),
	listF("blkio-weight-device", 0, ignored),
	strF("cidfile", 0, ignored),
	strF("cpuset-cpus", 0, ignored),
	strF("cpuset-mems", 0, ignored),
	kindF("cpu-count", 0, kInt, ignored),
	kindF("cpu-percent", 0, kInt, ignored),
	kindF("cpu-period", 0, kInt, ignored),
	kindF("cpu-quota", 0, kInt, ignored),
	kindF("cpu-rt-period", 0, kInt, ignored),
	kindF("cpu-rt-runtime", 0, kInt, ignored),
	kindF("cpu-shares", 'c', kInt, ignored),
	strF("cpus", 0, ignored),
	listF("device-read-bps", 0, ignored),
	listF("device-read-iops", 0, ignored),
	listF("device-write-bps", 0, ignored),
	listF("device-write-iops", 0, ignored),
	strF("io-maxbandwidth", 0, ignored),
	kindF("io-maxiops", 0, kInt, ignored),
	strF("kernel-memory", 0, ignored),
	strF("memory", 'm', ignored),
	strF("memory-reservation", 0, ignored),
	strF("memory-swap", 0, ignored),
	kindF("memory-swappiness", 0, kInt, ignored),
	boolF("oom-kill-disable", 0, ignored),
	kindF("oom-score-adj", 0, kInt, ignored),
	kindF("pids-limit", 0, kInt, ignored),
	// Low-level execution.
	strF("cgroup-parent", 0, ignored),
	strF("ipc", 0, ignored),
	strF("isolation", 0, ignored),
	strF("pid", 0, ignored),
	strF("shm-size", 0, ignored),
	strF("uts", 0, ignored),
	strF("runtime", 0, ignored),
	boolF("init", 0, ignored),
	listF("annotation", 0, ignored),
	// create and run both have these (createOptions).
	strF("name", 0, used),
	strF("pull", 0, ignored),
	boolF("quiet", 'q', ignored),
	strF("platform", 0, ignored),
	boolF("disable-content-trust", 0, ignored),
}

func withFlags(base []flagDef, more ...flagDef) []flagDef {
	out := make([]flagDef, 0, len(base)+len(more))
	out = append(out, base...)
	return append(out, more...)
}

// commandDefs are the supported commands by canonical name; the path is
// set per invocation ("docker container run" or "docker run").
var commandDefs = map[string]*cmdDef{
	"network create": {flags: []flagDef{
		strF("driver", 'd', used),
		listF("opt", 'o', used),
		listF("label", 0, used).checked(validateLabel),
		boolF("internal", 0, used),
		boolF("ipv4", 0, used),
		boolF("ipv6", 0, used),
		boolF("attachable", 0, used),
		boolF("ingress", 0, used),
		strF("scope", 0, used),
		boolF("config-only", 0, used),
		strF("config-from", 0, used),
		strF("ipam-driver", 0, used),
		kindF("subnet", 0, kCSV, used),
		kindF("ip-range", 0, kIPNets, used),
		kindF("gateway", 0, kIPs, used),
		listF("aux-address", 0, used),
		listF("ipam-opt", 0, used),
	}, interspersed: true, args: argRule{1, 1}},
	"network ls": {flags: []flagDef{
		boolF("quiet", 'q', used),
		boolF("no-trunc", 0, used),
		strF("format", 0, used),
		listF("filter", 'f', used).checked(validateFilter),
	}, interspersed: true, args: argRule{0, 0}},
	"network inspect": {flags: []flagDef{
		strF("format", 'f', used),
		boolF("verbose", 'v', ignored),
	}, interspersed: true, args: argRule{1, -1}},
	"network rm": {flags: []flagDef{
		boolF("force", 'f', used),
	}, interspersed: true, args: argRule{1, -1}},
	"network prune": {flags: []flagDef{
		boolF("force", 'f', used),
		listF("filter", 0, used).checked(validateFilter),
	}, interspersed: true, args: argRule{0, 0}},
	"network connect": {flags: []flagDef{
		kindF("ip", 0, kIP, used),
		kindF("ip6", 0, kIP, refused).refuse(noIPv6),
		listF("link", 0, refused).checked(validateLink).refuse(noLinks),
		kindF("alias", 0, kCSV, used),
		kindF("link-local-ip", 0, kIPs, refused).refuse("link-local addresses are not modelled"),
		kindF("driver-opt", 0, kCSV, used),
		kindF("gw-priority", 0, kInt, ignored),
		strF("mac-address", 0, refused).refuse(noMAC),
	}, interspersed: true, args: argRule{2, 2}},
	"network disconnect": {flags: []flagDef{
		boolF("force", 'f', used),
	}, interspersed: true, args: argRule{2, 2}},
	"run": {flags: withFlags(containerFlags,
		boolF("detach", 'd', used),
		boolF("sig-proxy", 0, ignored),
		strF("detach-keys", 0, ignored),
	), args: argRule{1, -1}},
	"create": {flags: containerFlags, args: argRule{1, -1}},
	"start": {flags: []flagDef{
		boolF("attach", 'a', ignored),
		strF("detach-keys", 0, ignored),
		boolF("interactive", 'i', ignored),
		strF("checkpoint", 0, refused).refuse("checkpoints are not modelled"),
		strF("checkpoint-dir", 0, refused).refuse("checkpoints are not modelled"),
	}, interspersed: true, args: argRule{1, -1}},
	"stop": {flags: []flagDef{
		strF("signal", 's', ignored),
		kindF("timeout", 't', kInt, ignored).alias("time"),
	}, interspersed: true, args: argRule{1, -1}},
	"rm": {flags: []flagDef{
		boolF("force", 'f', used),
		boolF("link", 'l', refused).refuse(noLinks),
		boolF("volumes", 'v', ignored),
	}, interspersed: true, args: argRule{1, -1}},
	"exec": {flags: []flagDef{
		boolF("detach", 'd', used),
		strF("detach-keys", 0, ignored),
		listF("env", 'e', used).checked(validateEnv),
		listF("env-file", 0, refused).refuse("the simulator reads no files; use -e"),
		boolF("interactive", 'i', used),
		boolF("privileged", 0, ignored),
		boolF("tty", 't', used),
		strF("user", 'u', used),
		strF("workdir", 'w', used),
	}, args: argRule{2, -1}},
	"port": {interspersed: true, args: argRule{1, 2}},
	"logs": {flags: []flagDef{
		boolF("details", 0, ignored),
		boolF("follow", 'f', ignored),
		strF("since", 0, refused).refuse("filter with --tail instead"),
		strF("until", 0, refused).refuse("filter with --tail instead"),
		boolF("timestamps", 't', used),
		strF("tail", 'n', used),
	}, interspersed: true, args: argRule{1, 1}},
	"inspect": {flags: []flagDef{
		strF("format", 'f', used),
		boolF("size", 's', ignored),
		strF("type", 0, used),
	}, interspersed: true, args: argRule{1, -1}},
	"container inspect": {flags: []flagDef{
		strF("format", 'f', used),
		boolF("size", 's', ignored),
	}, interspersed: true, args: argRule{1, -1}},
	"ps": {flags: []flagDef{
		boolF("all", 'a', used),
		listF("filter", 'f', used).checked(validateFilter),
		strF("format", 0, used),
		kindF("last", 'n', kInt, used),
		boolF("latest", 'l', used),
		boolF("no-trunc", 0, used),
		boolF("quiet", 'q', used),
		boolF("size", 's', ignored),
	}, interspersed: true, args: argRule{0, 0}},
}
