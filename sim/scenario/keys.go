package scenario

import "slices"

// keys lists the keys each mapping of the format accepts, by context. The
// parser rejects any other key (with a "did you mean"), docs/scenarios.md
// documents each, and a test checks that docs/scenario.schema.json names
// exactly the union of these, so the three cannot drift apart.
var keys = map[string][]string{
	"top":        {"name", "description", "seed", "limits", "switches", "hosts", "links", "nodes", "networks", "containers", "clients", "steps"},
	"limits":     {"time", "events"},
	"switch":     {"stp", "aging", "fdb_limit", "arp_suppress", "ports"},
	"switch.stp": {"priority", "hello_time", "max_age", "forward_delay"},
	"port":       {"vlan", "trunk", "native", "stp"},
	"port.stp":   {"cost", "priority"},
	"host":       {"interfaces", "gateway", "routes", "forward", "dns", "services"},
	"interface":  {"ip", "mac", "mtu"},
	"route":      {"to", "via"},
	"resolver":   {"nameservers", "search", "ndots", "timeout", "attempts"},
	"service":    {"http", "body", "status", "echo", "dns"},
	"dnsservice": {"port", "records"},
	"link":       {"name", "a", "b", "latency", "jitter", "loss", "bandwidth", "queue", "mtu", "duplicate", "reorder"},
	"loss":       {"burst"},
	"burst":      {"p", "r", "bad_loss", "good_loss"},
	"node":       {"address", "dns", "address_pools"},
	"pool":       {"base", "size"},
	"network":    {"node", "driver", "subnet", "ip_range", "gateway", "aux_addresses", "internal", "attachable", "labels", "options"},
	"container":  {"node", "image", "hostname", "networks", "dns", "dns_search", "dns_options", "publish", "services"},
	"attachment": {"aliases", "ip"},
	"client":     {"address", "gateway", "dns", "services"},

	"step": append([]string{"name", "at", "node", "expect"}, StepKinds...),

	"ping":         {"from", "to", "count", "interval", "timeout", "size", "ttl", "df"},
	"traceroute":   {"from", "to", "max_hops", "timeout"},
	"tcp":          {"from", "to", "data", "timeout"},
	"http":         {"from", "url", "timeout"},
	"udp":          {"from", "to", "data", "timeout"},
	"dns":          {"from", "name", "type", "server"},
	"link.step":    {"down", "up", "set", "for", "latency", "jitter", "loss", "bandwidth", "queue", "mtu", "duplicate", "reorder"},
	"fdb":          {"switch", "node", "network"},
	"counters":     {"switch", "port", "host", "iface"},
	"stp":          {"switch"},
	"capture":      {"start", "stop", "file"},
	"dnslog":       {"node"},
	"dnslog.entry": {"from", "name", "type", "rcode", "answer", "source"},
	"fdb.entry":    {"mac", "host", "container", "port", "vlan"},
	"int.match":    {"min", "max"},

	// Expectations: the generic keys, then each action's own.
	"expect":            {"fail", "error", "output", "output_contains"},
	"expect.ping":       {"received", "rtt_max", "rtt_min"},
	"expect.traceroute": {"hops", "reached"},
	"expect.tcp":        {"connected", "refused", "timeout", "reply", "retransmits"},
	"expect.http":       {"status", "body", "body_contains"},
	"expect.udp":        {"reply", "timeout", "unreachable"},
	"expect.dns":        {"answers", "rcode", "resolved"},
	"expect.fdb":        {"has", "lacks", "size"},
	"expect.counters":   {"rx_frames", "rx_bytes", "tx_frames", "tx_bytes", "flooded", "learned", "moves", "aged", "fdb_full", "drops"},
	"expect.stp":        {"root", "root_port", "ports"},
	"expect.dnslog":     {"has", "lacks", "size"},
}

// genericExpect lists the generic expect keys valid for a step kind:
// output and output_contains only where a step has output (docker).
func genericExpect(kind string) []string {
	if kind == "docker" {
		return keys["expect"]
	}
	return []string{"fail", "error"}
}

// expectKeys returns every key an expect mapping of kind accepts.
func expectKeys(kind string) []string {
	return append(slices.Clone(genericExpect(kind)), keys["expect."+kind]...)
}

// KnownKeys returns every key the format accepts anywhere, sorted, without
// duplicates. Free-form maps (names, labels, DNS records, drop reasons) are
// not keys.
func KnownKeys() []string {
	var all []string
	for _, ks := range keys {
		all = append(all, ks...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}
