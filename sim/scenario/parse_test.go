package scenario

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/dockercli"
	"go.yaml.in/yaml/v3"

	"github.com/vswitch/vswitch/internal/frame"
)

// l2Lab is a small L2 topology that step cases build on.
const l2Lab = `name: t
switches:
  sw1: {stp: {}}
hosts:
  h1:
    interfaces: {eth0: {ip: 10.0.0.1/24, mac: "02:00:00:00:00:01"}}
    dns: {nameservers: [10.0.0.53]}
  h2: {interfaces: {eth0: {ip: 10.0.0.2/24}, eth1: {ip: 10.1.0.2/24}}}
links:
  - {a: h1.eth0, b: sw1.p1, name: l1}
  - {a: h2.eth0, b: sw1.p2}
`

// withSteps appends steps to l2Lab.
func withSteps(steps string) string { return l2Lab + "steps:\n" + steps }

func mustParse(t *testing.T, src string) *Scenario {
	t.Helper()
	s, err := Parse("t.yaml", []byte(src))
	require.NoError(t, err)
	return s
}

func durp(d time.Duration) *time.Duration { return &d }
func strp(s string) *string               { return &s }
func truep() *bool                        { b := true; return &b }
func falsep() *bool                       { b := false; return &b }
func exactp(n int64) *IntMatch            { m := Exactly(n); return &m }

// keyCases exercises every key of the format with a valid value and
// checks where it lands. TestKeyCasesCoverEveryKey checks that together
// they use every key.
var keyCases = []struct {
	name  string
	src   string
	check func(t *testing.T, s *Scenario)
}{
	{"top", "name: top-1\ndescription: d\nseed: 18446744073709551615\nlimits: {time: 1m, events: 10}\n", func(t *testing.T, s *Scenario) {
		assert.Equal(t, "top-1", s.Name)
		assert.Equal(t, "d", s.Description)
		assert.Equal(t, uint64(18446744073709551615), s.Seed)
		assert.Equal(t, Limits{Time: time.Minute, Events: 10}, s.Limits)
	}},
	{"switch", "name: t\nswitches:\n  sw1:\n    stp: {priority: 4096, hello_time: 1s, max_age: 6s, forward_delay: 4s}\n    aging: 30s\n    fdb_limit: 8\n    arp_suppress: true\n    ports:\n      p1: {vlan: 10, stp: {cost: 4, priority: 16}}\n      p9: {trunk: [10, 20], native: 1}\n", func(t *testing.T, s *Scenario) {
		sw := s.Switches[0]
		assert.Equal(t, &STP{Priority: 4096, HelloTime: time.Second, MaxAge: 6 * time.Second, ForwardDelay: 4 * time.Second}, sw.STP)
		assert.Equal(t, 30*time.Second, sw.Aging)
		assert.Equal(t, 8, sw.FDBLimit)
		assert.True(t, sw.ARPSuppress)
		assert.Equal(t, &Port{Pos: Pos{9, 7}, Name: "p1", VLAN: 10, Cost: 4, Priority: 16}, sw.Ports[0])
		assert.Equal(t, &Port{Pos: Pos{10, 7}, Name: "p9", Trunk: []int{10, 20}, Native: 1, Priority: 128}, sw.Ports[1])
		assert.True(t, sw.Ports[1].IsTrunk())
	}},
	{"host", "name: t\nhosts:\n  h1:\n    interfaces: {eth0: {ip: 10.0.0.1/24, mac: \"02:00:00:00:00:01\", mtu: 9000}}\n    gateway: 10.0.0.254\n    forward: true\n    routes: [{to: 10.9.0.0/16, via: 10.0.0.253}]\n    dns: {nameservers: [10.0.0.53, 10.0.0.54], search: [lab.test, Corp.Test.], ndots: 2, timeout: 1s, attempts: 3}\n", func(t *testing.T, s *Scenario) {
		h := s.Hosts[0]
		assert.Equal(t, &Interface{Pos: Pos{4, 18}, Name: "eth0", IP: netip.MustParsePrefix("10.0.0.1/24"), MAC: frame.MAC{2, 0, 0, 0, 0, 1}, MTU: 9000}, h.Interfaces[0])
		assert.Equal(t, netip.MustParseAddr("10.0.0.254"), h.Gateway)
		assert.True(t, h.Forward)
		assert.Equal(t, []Route{{Pos: Pos{7, 14}, To: netip.MustParsePrefix("10.9.0.0/16"), Via: netip.MustParseAddr("10.0.0.253")}}, h.Routes)
		assert.Equal(t, &Resolver{Nameservers: []netip.Addr{netip.MustParseAddr("10.0.0.53"), netip.MustParseAddr("10.0.0.54")}, Search: []string{"lab.test", "Corp.Test"}, NDots: 2, Timeout: time.Second, Attempts: 3}, h.DNS)
	}},
	{"services", "name: t\nhosts:\n  h1:\n    services:\n      - {http: 80, body: hi, status: 404}\n      - {echo: udp/7}\n      - dns: {port: 5353, records: {web.lab.test: [10.0.0.5, 10.0.0.6], DB.lab.test.: 10.0.0.7}}\n", func(t *testing.T, s *Scenario) {
		sv := s.Hosts[0].Services
		require.Len(t, sv, 3)
		assert.Equal(t, &HTTPService{Port: 80, Status: 404, Body: "hi"}, sv[0].HTTP)
		assert.Equal(t, "http", sv[0].Kind())
		assert.Equal(t, &EchoService{Proto: "udp", Port: 7}, sv[1].Echo)
		assert.Equal(t, &DNSService{Port: 5353, Records: []DNSRecord{
			{Name: "web.lab.test", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.0.0.6")}},
			{Name: "db.lab.test", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.7")}},
		}}, sv[2].DNS)
		assert.Equal(t, "dns", sv[2].Kind())
	}},
	{"link", "name: t\nswitches: {sw1: {}, sw2: {}}\nlinks:\n  - {name: up, a: sw1.p1, b: sw2.p1, latency: 2ms, jitter: 500us, loss: 1%, bandwidth: 100Mbit, queue: 50, mtu: 1400, duplicate: 0.5%, reorder: 2%}\n  - {a: sw1.p2, b: sw2.p2, loss: {burst: {p: 1%, r: 30%, bad_loss: 90%, good_loss: 0.1%}}}\n", func(t *testing.T, s *Scenario) {
		l := s.Links[0]
		assert.Equal(t, "up", l.Name)
		assert.Equal(t, Endpoint{Pos: Pos{4, 19}, Kind: EndpointSwitch, Device: "sw1", Iface: "p1"}, l.A)
		assert.Equal(t, LinkProps{Latency: 2 * time.Millisecond, Jitter: 500 * time.Microsecond, Loss: Loss{Random: 0.01}, Bandwidth: 100e6, Queue: 50, MTU: 1400, Duplicate: 0.005, Reorder: 0.02}, l.LinkProps)
		ge := s.Links[1].Loss.Burst
		require.NotNil(t, ge)
		assert.InDelta(t, 0.01, float64(ge.P), 1e-12)
		assert.InDelta(t, 0.3, float64(ge.R), 1e-12)
		assert.InDelta(t, 0.9, float64(ge.BadLoss), 1e-12)
		assert.InDelta(t, 0.001, float64(ge.GoodLoss), 1e-12)
	}},
	{"docker", `name: t
nodes:
  n1: {address: 10.1.1.1/16, dns: [8.8.8.8], address_pools: [{base: 10.10.0.0/16, size: 24}]}
networks:
  net1: {node: n1, driver: bridge, subnet: 10.30.0.0/24, ip_range: 10.30.0.128/25, gateway: 10.30.0.1, aux_addresses: {r: 10.30.0.2}, internal: true, attachable: true, labels: {tier: db, a: "1"}, options: {o: v}}
containers:
  c1:
    node: n1
    image: nginx
    hostname: web
    networks: {net1: {aliases: [web, api], ip: 10.30.0.10}}
    dns: [10.0.0.53]
    dns_search: [example.com]
    dns_options: [ndots:2]
    publish: ["8080:80"]
    services: [{http: 80}]
clients:
  laptop: {address: 10.1.1.99, gateway: 10.1.1.1, dns: {nameservers: [10.1.1.53]}, services: [{echo: tcp/7}]}
`, func(t *testing.T, s *Scenario) {
		assert.Equal(t, &Node{Pos: Pos{3, 3}, Name: "n1", Address: netip.MustParsePrefix("10.1.1.1/16"), DNS: []netip.Addr{netip.MustParseAddr("8.8.8.8")}, AddressPools: []AddressPool{{Base: netip.MustParsePrefix("10.10.0.0/16"), Size: 24}}}, s.Nodes[0])
		assert.Equal(t, &Network{Pos: Pos{5, 3}, Name: "net1", Node: "n1", Driver: "bridge", Subnet: netip.MustParsePrefix("10.30.0.0/24"), IPRange: netip.MustParsePrefix("10.30.0.128/25"), Gateway: netip.MustParseAddr("10.30.0.1"),
			AuxAddresses: []NamedAddr{{"r", netip.MustParseAddr("10.30.0.2")}}, Internal: true, Attachable: true, Labels: []KV{{"tier", "db"}, {"a", "1"}}, Options: []KV{{"o", "v"}}}, s.Networks[0])
		c := s.Containers[0]
		assert.Equal(t, "n1", c.Node)
		assert.Equal(t, "nginx", c.Image)
		assert.Equal(t, "web", c.Hostname)
		assert.Equal(t, []*Attachment{{Pos: Pos{11, 16}, Network: "net1", Aliases: []string{"web", "api"}, IP: netip.MustParseAddr("10.30.0.10")}}, c.Networks)
		assert.Equal(t, []netip.Addr{netip.MustParseAddr("10.0.0.53")}, c.DNS)
		assert.Equal(t, []string{"example.com"}, c.DNSSearch)
		assert.Equal(t, []string{"ndots:2"}, c.DNSOptions)
		assert.Equal(t, []PortMapping{{HostPort: 8080, HostPortEnd: 8080, Port: 80, PortEnd: 80, Proto: "tcp"}}, c.Publish)
		assert.Equal(t, uint16(80), c.Services[0].HTTP.Port)
		cl := s.Clients[0]
		assert.Equal(t, netip.MustParsePrefix("10.1.1.99/24"), cl.Address)
		assert.Equal(t, netip.MustParseAddr("10.1.1.1"), cl.Gateway)
		assert.Equal(t, []netip.Addr{netip.MustParseAddr("10.1.1.53")}, cl.DNS.Nameservers)
		assert.Equal(t, "tcp", cl.Services[0].Echo.Proto)
	}},
	{"ping", withSteps("  - name: first\n    at: 1s\n    ping: {from: h1, to: h2, count: 3, interval: 10ms, timeout: 1s, size: 100, ttl: 5, df: true}\n    expect: {received: {min: 2}, rtt_max: 10ms, rtt_min: 1us}\n"), func(t *testing.T, s *Scenario) {
		st := s.Steps[0]
		assert.Equal(t, "first", st.Name)
		assert.Equal(t, durp(time.Second), st.At)
		assert.Equal(t, "ping", st.Kind())
		assert.Equal(t, &PingStep{From: "h1", To: "h2", Count: 3, Interval: 10 * time.Millisecond, Timeout: time.Second, Size: 100, TTL: 5, DF: true,
			Expect: PingExpect{Received: &IntMatch{Min: 2, HasMin: true}, RTTMax: durp(10 * time.Millisecond), RTTMin: durp(time.Microsecond)}}, st.Ping)
	}},
	{"traceroute", withSteps("  - traceroute: {from: h1, to: 10.9.0.5, max_hops: 5, timeout: 2s}\n    expect: {hops: [10.0.0.253, \"*\", 10.9.0.5], reached: true}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &TracerouteStep{From: "h1", To: "10.9.0.5", MaxHops: 5, Timeout: 2 * time.Second, Expect: TracerouteExpect{
			Hops: []netip.Addr{netip.MustParseAddr("10.0.0.253"), {}, netip.MustParseAddr("10.9.0.5")}, HasHops: true, Reached: truep()}}, s.Steps[0].Traceroute)
	}},
	{"tcp", withSteps("  - tcp: {from: h1, to: \"h2:7\", data: hi, timeout: 3s}\n    expect: {connected: true, refused: false, timeout: false, reply: hi, retransmits: {min: 1}}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &TCPStep{From: "h1", To: "h2:7", Host: "h2", Port: 7, Data: strp("hi"), Timeout: 3 * time.Second,
			Expect: TCPExpect{Connected: truep(), Refused: falsep(), Timeout: falsep(), Reply: strp("hi"), Retransmits: &IntMatch{Min: 1, HasMin: true}}}, s.Steps[0].TCP)
	}},
	{"http", withSteps("  - http: {from: h1, url: \"http://h2:8080/a?b=c\", timeout: 1s}\n    expect: {status: 200, body: ok, body_contains: o}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &HTTPStep{From: "h1", URL: "http://h2:8080/a?b=c", Host: "h2", Port: 8080, Path: "/a?b=c", Timeout: time.Second,
			Expect: HTTPExpect{Status: exactp(200), Body: strp("ok"), BodyContains: strp("o")}}, s.Steps[0].HTTP)
	}},
	{"udp", withSteps("  - udp: {from: h1, to: 10.0.0.2:7, data: hi, timeout: 1s}\n    expect: {reply: hi, timeout: false, unreachable: false}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &UDPStep{From: "h1", To: "10.0.0.2:7", Host: "10.0.0.2", Port: 7, Data: "hi", Timeout: time.Second,
			Expect: UDPExpect{Reply: strp("hi"), Timeout: falsep(), Unreachable: falsep()}}, s.Steps[0].UDP)
	}},
	{"dns", withSteps("  - dns: {from: h2, name: web.lab.test, type: aaaa, server: 10.0.0.53}\n    expect: {answers: [\"fd00::0:1\"], rcode: noerror, resolved: true}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &DNSStep{From: "h2", Name: "web.lab.test", Type: "AAAA", Server: netip.MustParseAddr("10.0.0.53"),
			Expect: DNSExpect{Answers: []string{"fd00::1"}, HasAnswers: true, Rcode: "NOERROR", Resolved: truep()}}, s.Steps[0].DNS)
	}},
	{"link down", withSteps("  - link: {down: l1, for: 2s}\n  - link: {up: h2.eth0}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &LinkStep{Op: LinkDown, Ref: "l1", Target: s.Links[0], For: 2 * time.Second}, s.Steps[0].Link)
		assert.Equal(t, &LinkStep{Op: LinkUp, Ref: "h2.eth0", Target: s.Links[1]}, s.Steps[1].Link)
	}},
	{"link set", withSteps("  - link: {set: sw1.p2, latency: 1ms, jitter: 1us, loss: 5%, bandwidth: 1Gbit, queue: 5, mtu: 1000, duplicate: 1%, reorder: 2%}\n"), func(t *testing.T, s *Scenario) {
		ls := s.Steps[0].Link
		assert.Equal(t, LinkSet, ls.Op)
		assert.Same(t, s.Links[1], ls.Target)
		var p LinkProps
		ls.Change.Apply(&p)
		assert.Equal(t, LinkProps{Latency: time.Millisecond, Jitter: time.Microsecond, Loss: Loss{Random: 0.05}, Bandwidth: 1e9, Queue: 5, MTU: 1000, Duplicate: 0.01, Reorder: 0.02}, p)
	}},
	{"wait", withSteps("  - wait: 30s\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &WaitStep{Duration: 30 * time.Second}, s.Steps[0].Wait)
	}},
	{"fdb", withSteps("  - fdb: {switch: sw1}\n    expect:\n      has: [{mac: \"02:00:00:00:00:01\", port: p1, vlan: 1}, {host: h2.eth0}]\n      lacks: [{host: h2}]\n      size: {max: 2}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &FDBStep{Switch: "sw1", Expect: FDBExpect{
			Has:   []FDBEntry{{MAC: frame.MAC{2, 0, 0, 0, 0, 1}, HasMAC: true, Port: "p1", VLAN: 1}, {Host: "h2", Iface: "eth0"}},
			Lacks: []FDBEntry{{Host: "h2", Iface: "eth0"}},
			Size:  &IntMatch{Max: 2, HasMax: true}}}, s.Steps[0].FDB)
	}},
	{"fdb docker", "name: t\nnetworks: {n1: {}}\ncontainers: {c1: {networks: [n1]}}\nsteps:\n  - fdb: {node: host1, network: n1}\n    expect: {has: [{container: c1}]}\n", func(t *testing.T, s *Scenario) {
		assert.Equal(t, &FDBStep{Node: "host1", Network: "n1", Expect: FDBExpect{Has: []FDBEntry{{Container: "c1"}}}}, s.Steps[0].FDB)
	}},
	{"counters", withSteps("  - counters: {switch: sw1, port: p2}\n    expect: {rx_frames: 1, rx_bytes: {min: 64}, tx_frames: 2, tx_bytes: 3, flooded: 0, drops: {vlan: 0, stp: {max: 1}}}\n  - counters: {host: h2, iface: eth1}\n    expect: {drops: {min: 1}}\n  - counters: {switch: sw1}\n    expect: {learned: 2, moves: 0, aged: 0, fdb_full: 0}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &CountersStep{Switch: "sw1", Port: "p2", Expect: []CounterMatch{
			{"rx_frames", Exactly(1)}, {"rx_bytes", IntMatch{Min: 64, HasMin: true}}, {"tx_frames", Exactly(2)}, {"tx_bytes", Exactly(3)},
			{"flooded", Exactly(0)}, {"drops.vlan", Exactly(0)}, {"drops.stp", IntMatch{Max: 1, HasMax: true}}}}, s.Steps[0].Counters)
		assert.Equal(t, &CountersStep{Host: "h2", Iface: "eth1", Expect: []CounterMatch{{"drops", IntMatch{Min: 1, HasMin: true}}}}, s.Steps[1].Counters)
		assert.Equal(t, &CountersStep{Switch: "sw1", Expect: []CounterMatch{{"learned", Exactly(2)}, {"moves", Exactly(0)}, {"aged", Exactly(0)}, {"fdb_full", Exactly(0)}}}, s.Steps[2].Counters)
	}},
	{"stp", withSteps("  - stp: {switch: sw1}\n    expect: {root: sw1, root_port: p1, ports: {p2: forwarding, p1: blocking}}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &STPStep{Switch: "sw1", Expect: STPExpect{Root: "sw1", RootPort: "p1", Ports: []PortState{{"p2", "forwarding"}, {"p1", "blocking"}}}}, s.Steps[0].STP)
	}},
	{"docker", "name: t\nnodes: {a: {}, b: {}}\nsteps:\n  - docker: network inspect x --format '{{json .}}'\n    node: b\n    expect: {fail: true, error: boom, output: \"[]\", output_contains: \"[\"}\n", func(t *testing.T, s *Scenario) {
		st := s.Steps[0]
		assert.Equal(t, "b", st.Docker.Node)
		assert.Equal(t, "network inspect x --format '{{json .}}'", st.Docker.Command)
		assert.Equal(t, []string{"network", "inspect", "x", "--format", "{{json .}}"}, st.Docker.Args)
		assert.Equal(t, "network inspect", st.Docker.Cmd.Name())
		assert.Equal(t, Expect{Pos: Pos{6, 13}, Fail: true, Error: strp("boom"), Output: strp("[]"), OutputContains: strp("[")}, st.Expect)
		assert.True(t, st.Expect.WantsFailure())
	}},
	{"dnslog", "name: t\nnodes: {a: {}, b: {}}\ncontainers: {c1: {}}\nsteps:\n  - dnslog: {node: b}\n    expect:\n      has: [{from: c1, name: Web.Lab., type: a, rcode: noerror, answer: 172.18.0.2, source: internal}]\n      lacks: [{name: x}]\n      size: {min: 1}\n", func(t *testing.T, s *Scenario) {
		want := &DNSLogStep{Node: "b", Expect: DNSLogExpect{
			Has:   []DNSLogEntry{{From: "c1", Name: "web.lab", Type: "A", Rcode: "NOERROR", Answer: "172.18.0.2", Source: "internal"}},
			Lacks: []DNSLogEntry{{Name: "x"}},
			Size:  &IntMatch{Min: 1, HasMin: true},
		}}
		assert.Equal(t, want, s.Steps[0].DNSLog)
	}},
	{"capture", withSteps("  - capture: {start: l1, file: a/b.pcapng}\n  - capture: {stop: l1}\n"), func(t *testing.T, s *Scenario) {
		assert.Equal(t, &CaptureStep{Start: "l1", Target: "l1", File: "a/b.pcapng"}, s.Steps[0].Capture)
		assert.Equal(t, &CaptureStep{Stop: "l1", Target: "l1"}, s.Steps[1].Capture)
	}},
}

func TestKeys(t *testing.T) {
	for _, tc := range keyCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, mustParse(t, tc.src))
		})
	}
}

// TestKeyCasesCoverEveryKey checks that keyCases use every key the parser
// knows, so that adding a key without a test fails.
func TestKeyCasesCoverEveryKey(t *testing.T) {
	used := map[string]bool{}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				used[n.Content[i].Value] = true
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	for _, tc := range keyCases {
		var n yaml.Node
		require.NoError(t, yaml.Unmarshal([]byte(tc.src), &n), tc.name)
		walk(&n)
	}
	var missing []string
	for _, k := range KnownKeys() {
		if !used[k] {
			missing = append(missing, k)
		}
	}
	assert.Empty(t, missing, "keys without a case in keyCases")
}

// errorCases pin the message and position of each kind of error.
var errorCases = []struct {
	name string
	src  string
	want string
}{
	{"empty", "", "1:1: the file is empty: a scenario needs at least a name"},
	{"comment only", "# nothing\n", "1:1: the file is empty: a scenario needs at least a name"},
	{"not a mapping", "[a]\n", "1:1: a scenario is a mapping (name:, hosts:, steps: ...), got a list"},
	{"yaml syntax", "name: t\nhosts: {h1: [}\n", "2:1: invalid YAML: did not find expected node content"},
	{"yaml tab", "name: t\n\tx: 1\n", "2:1: invalid YAML: found a tab character that violates indentation"},
	{"two documents", "name: t\n---\nname: u\n", "2:1: a scenario file holds one YAML document; this is a second one"},
	{"unknown anchor", "name: *x\n", "1:1: invalid YAML: unknown anchor 'x' referenced"},
	{"missing name", "seed: 1\n", `1:1: missing key "name": every scenario has a name`},
	{"bad name", "name: My Lab\n", `1:7: name: invalid name "My Lab": names are lower-case letters, digits and _ . - and start with a letter or digit`},
	{"unknown key suggestion", "name: t\nswiches: {}\n", `2:1: unknown key "swiches" in the scenario (did you mean "switches"?)`},
	{"unknown key list", "name: t\nlimits: {cpu: 1}\n", `2:10: unknown key "cpu" in limits; valid keys: time, events`},
	{"duplicate key", "name: t\nname: u\n", `2:1: duplicate key "name" (first at 1:1)`},
	{"complex key", "name: t\n? [a]\n: 1\n", `2:3: scenario: keys must be plain strings, got a list`},
	{"seed type", "name: t\nseed: one\n", `2:7: seed: expected an unsigned integer, got "one"`},
	{"seed float", "name: t\nseed: 1.5\n", `2:7: seed: expected an unsigned integer, got the number 1.5`},
	{"events float", "name: t\nlimits: {events: 1.5}\n", `2:18: events: expected an integer, got the number 1.5`},
	{"events range", "name: t\nlimits: {events: -1}\n", `2:18: events: -1 is not between 0 and 9223372036854775807`},
	{"events no cap", "name: t\nlimits: {events: 0}\n", ""},
	{"time unit", "name: t\nlimits: {time: 10}\n", `2:16: time: duration "10" has no unit (write 10s or 10ms)`},
	{"time no cap", "name: t\nlimits: {time: 0s}\n", ""},
	{"at without a time cap", "name: t\nlimits: {time: 0}\nsteps:\n  - at: 1h\n    wait: 1s\n", ""},
	{"no cap at all", "name: t\nlimits: {time: 0, events: 0}\n", `2:9: limits: time and events cannot both be 0 (no cap): a run must stop`},
	{"mapping expected", "name: t\nhosts: [h1]\n", `2:8: hosts: expected a mapping, got a list`},
	{"list expected", "name: t\nsteps: {a: 1}\n", `2:8: steps: expected a list, got a mapping`},
	{"string expected", "name: t\ndescription: [a]\n", `2:14: description: expected a string, got a list`},
	{"bool expected", "name: t\nnetworks: {n: {internal: yes}}\n", `2:26: internal: expected true or false, got "yes"`},
	{"null value", "name: t\ndescription:\n", `2:13: description: expected a string, got nothing (null)`},
	{"duplicate name across sections", "name: t\nswitches: {a: {}}\nhosts: {a: {}}\n", `3:9: duplicate name "a": already a switch at 2:12`},
	{"duplicate host", "name: t\nhosts: {a: {}, a: {}}\n", `2:16: duplicate host "a" (first at 2:9)`},
	{"default node clash", "name: t\nhosts: {host1: {}}\nnetworks: {n: {}}\n", `2:9: duplicate name "host1": the file uses Docker features, whose default node is host1; rename this host or declare nodes:`},
	{"trunk and vlan", "name: t\nswitches: {s: {ports: {p: {vlan: 2, trunk: [3]}}}}\n", `2:28: vlan: a port is an access port (vlan) or a trunk (trunk, native), not both`},
	{"native without trunk", "name: t\nswitches: {s: {ports: {p: {native: 2}}}}\n", `2:28: native: only trunk ports have a native VLAN (add trunk: [...])`},
	{"vlan range", "name: t\nswitches: {s: {ports: {p: {vlan: 0}}}}\n", `2:34: vlan: 0 is not between 1 and 4094`},
	{"interface network address", "name: t\nhosts: {h: {interfaces: {e: {ip: 10.0.0.0/24}}}}\n", `2:34: ip: address "10.0.0.0/24" is the network address of 10.0.0.0/24`},
	{"interface /31", "name: t\nhosts: {h: {interfaces: {e: {ip: 10.0.0.0/31}}}}\n", ""},
	{"mac multicast", "name: t\nhosts: {h: {interfaces: {e: {mac: \"03:00:00:00:00:01\"}}}}\n", `2:35: mac: 03:00:00:00:00:01 is a multicast address; a NIC needs a unicast one`},
	{"mac zero", "name: t\nhosts: {h: {interfaces: {e: {mac: \"00:00:00:00:00:00\"}}}}\n", `2:35: mac: 00:00:00:00:00:00 is not a usable address`},
	{"mac twice", "name: t\nhosts:\n  a: {interfaces: {e: {mac: \"02:00:00:00:00:09\"}}}\n  b: {interfaces: {e: {mac: \"02:00:00:00:00:09\"}}}\n", `4:20: mac 02:00:00:00:00:09 of b.e is already used by a.e`},
	{"gateway off-link", "name: t\nhosts: {h: {interfaces: {e: {ip: 10.0.0.1/24}}, gateway: 10.0.1.1}}\n", `2:58: gateway: 10.0.1.1 is not on any subnet of host h's interfaces`},
	{"route not canonical", "name: t\nhosts: {h: {interfaces: {e: {ip: 10.0.0.1/24}}, routes: [{to: 10.9.0.1/16, via: 10.0.0.2}]}}\n", `2:63: to: 10.9.0.1/16 is not a network address (did you mean 10.9.0.0/16?)`},
	{"route via off-link", "name: t\nhosts: {h: {interfaces: {e: {ip: 10.0.0.1/24}}, routes: [{to: 10.9.0.0/16, via: 10.1.0.2}]}}\n", `2:58: routes: via 10.1.0.2 is not on any subnet of host h's interfaces`},
	{"resolver without nameservers", "name: t\nhosts: {h: {dns: {ndots: 1}}}\n", `2:18: dns: nameservers: at least one is needed`},
	{"container name of 1 char", "name: t\ncontainers: {a: {}}\n", `2:14: containers: Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed (Docker needs at least 2 characters)`},
	{"container name of 2 chars", "name: t\ncontainers: {ab: {}}\n", ""},
	{"client names container without dns", "name: t\nclients: {laptop: {address: 192.168.50.99}}\ncontainers: {c1: {}}\nsteps:\n  - ping: {from: laptop, to: c1}\n", `5:30: to: client laptop cannot name container c1 without dns settings to look it up; give laptop dns: {nameservers: [...]}, or use an address`},
	{"client names node without dns", "name: t\nclients: {laptop: {address: 192.168.50.99}}\ncontainers: {c1: {}}\nsteps:\n  - ping: {from: laptop, to: host1}\n", ""},
	{"host names client without dns", "name: t\nhosts: {h1: {interfaces: {e: {ip: 10.0.0.1/24}}}}\nclients: {laptop: {address: 192.168.50.99}}\nsteps:\n  - tcp: {from: h1, to: \"laptop:80\"}\n", `5:25: to: host h1 cannot name client laptop without dns settings to look it up; give h1 dns: {nameservers: [...]}, or use an address`},
	{"node names container without dns", "name: t\ncontainers: {c1: {}}\nsteps:\n  - ping: {from: host1, to: c1}\n", `4:29: to: node host1 cannot name container c1 without dns settings to look it up; give node host1 dns: [...] under nodes:, or use an address`},
	{"node names container with dns", "name: t\nnodes: {host1: {dns: [192.168.50.99]}}\ncontainers: {c1: {}}\nsteps:\n  - ping: {from: host1, to: c1}\n", ""},
	{"resolver empty nameservers", "name: t\nhosts: {h: {dns: {nameservers: []}}}\n", `2:32: nameservers: at least one is needed (an empty list leaves the resolver nothing to ask)`},
	{"resolver null nameservers", "name: t\nclients: {c: {address: 192.168.50.99, dns: {nameservers: ~}}}\n", `2:58: nameservers: at least one is needed (an empty list leaves the resolver nothing to ask)`},
	{"resolver too many", "name: t\nhosts: {h: {dns: {nameservers: [1.1.1.1, 1.1.1.2, 1.1.1.3, 1.1.1.4]}}}\n", `2:32: nameservers: at most 3, as in resolv.conf`},
	{"service none", "name: t\nhosts: {h: {services: [{body: x}]}}\n", `2:24: service: give one of http, echo or dns`},
	{"service two", "name: t\nhosts: {h: {services: [{http: 80, echo: udp/7}]}}\n", `2:35: service: one service per entry; this one is already http`},
	{"service port twice", "name: t\nhosts: {h: {services: [{echo: tcp/80}, {http: 80}]}}\n", `2:47: services: port tcp/80 is already served (at 2:31)`},
	{"status without http", "name: t\nhosts: {h: {services: [{echo: udp/7, status: 200}]}}\n", `2:46: status: only http services have a status`},
	{"link missing b", "name: t\nswitches: {s: {}}\nlinks: [{a: s.p1}]\n", `3:9: link: missing b (the endpoints, e.g. a: h1.eth0, b: sw1.p1)`},
	{"link undefined device", "name: t\nswitches: {sw1: {}}\nlinks: [{a: sw2.p1, b: sw1.p1}]\n", `3:13: a: undefined host or switch "sw2" (did you mean "sw1"?)`},
	{"link undefined interface", "name: t\nswitches: {s: {}}\nhosts: {h: {interfaces: {eth0: {}}}}\nlinks: [{a: h.eth1, b: s.p1}]\n", `4:13: a: host h has no interface "eth1" (did you mean "eth0"?)`},
	{"link no dot", "name: t\nswitches: {s: {}}\nlinks: [{a: s, b: s.p1}]\n", `3:13: a: endpoint "s": write device.interface, e.g. h1.eth0 or sw1.p1`},
	{"link to a node", "name: t\nnodes: {n: {}}\nswitches: {s: {}}\nlinks: [{a: n.eth0, b: s.p1}]\n", `4:13: a: n is a node; links join host interfaces and switch ports`},
	{"linked twice", "name: t\nswitches: {s: {}}\nlinks: [{a: s.p1, b: s.p2}, {a: s.p3, b: s.p1}]\n", `3:42: b: s.p1 is already linked (at 3:13); an interface or port takes one link`},
	{"loss bare number", "name: t\nswitches: {s: {}}\nlinks: [{a: s.p1, b: s.p2, loss: 0.01}]\n", `3:34: loss: percentage "0.01" needs a % sign (write 0.01% or, for a fraction, its value times 100)`},
	{"burst incomplete", "name: t\nswitches: {s: {}}\nlinks: [{a: s.p1, b: s.p2, loss: {burst: {r: 1%}}}]\n", `3:42: burst: give p (good to bad) and r (bad to good), e.g. {p: 1%, r: 30%}`},
	{"rate bytes", "name: t\nswitches: {s: {}}\nlinks: [{a: s.p1, b: s.p2, bandwidth: 1MB}]\n", `3:39: bandwidth: rate "1MB": write bits per second with bit (10Mbit), not bytes`},
	{"predefined network", "name: t\nnetworks: {host: {}}\n", `2:12: network with name host already exists (bridge, host and none are predefined)`},
	{"driver", "name: t\nnetworks: {n: {driver: macvlan}}\n", `2:24: driver: "macvlan" is not supported (supported: bridge)`},
	{"subnet not canonical", "name: t\nnetworks: {n: {subnet: 10.1.2.3/16}}\n", `2:24: subnet: invalid subnet 10.1.2.3/16: it should be 10.1.0.0/16`},
	{"gateway without subnet", "name: t\nnetworks: {n: {gateway: 10.1.0.1}}\n", `2:25: every ip-range or gateway must have a corresponding subnet`},
	{"gateway outside", "name: t\nnetworks: {n: {subnet: 10.1.0.0/16, gateway: 10.2.0.1}}\n", `2:46: no matching subnet for gateway 10.2.0.1`},
	{"aux outside", "name: t\nnetworks: {n: {subnet: 10.1.0.0/16, aux_addresses: {r: 10.2.0.1}}}\n", `2:56: auxiliary address: (r:10.2.0.1) must belong to the master pool: 10.1.0.0/16`},
	{"pool overlap", "name: t\nnetworks: {a: {subnet: 10.1.0.0/16}, b: {subnet: 10.1.2.0/24}}\n", `2:38: invalid pool request: Pool overlaps with other one on this address space (10.1.0.0/16 of network a)`},
	{"undefined network", "name: t\nnetworks: {front: {}}\ncontainers: {c1: {networks: [frnt]}}\n", `3:30: networks: undefined network "frnt" (did you mean "front"?)`},
	{"alias on bridge", "name: t\ncontainers: {c1: {networks: {bridge: {aliases: [x]}}}}\n", `2:48: network-scoped aliases are only supported for user-defined networks`},
	{"ip on bridge", "name: t\ncontainers: {c1: {networks: {bridge: {ip: 172.17.0.9}}}}\n", `2:43: user-specified IP address is supported on user-defined networks only`},
	{"ip outside subnet", "name: t\nnetworks: {n: {subnet: 10.1.0.0/16}}\ncontainers: {c1: {networks: {n: {ip: 10.2.0.9}}}}\n", `3:38: ip: 10.2.0.9 is not in network n's subnet 10.1.0.0/16`},
	{"ip twice", "name: t\nnetworks: {n: {subnet: 10.1.0.0/16}}\ncontainers:\n  ca: {networks: {n: {ip: 10.1.0.9}}}\n  cb: {networks: {n: {ip: 10.1.0.9}}}\n", `5:27: Address already in use (10.1.0.9 is container ca's on network n)`},
	{"host and other", "name: t\nnetworks: {n: {}}\ncontainers: {c1: {networks: [host, n]}}\n", `3:29: container sharing network namespace with another container or host cannot be connected to any other network (c1 is on host)`},
	{"network on other node", "name: t\nnodes: {a: {}, b: {}}\nnetworks: {n: {node: b}}\ncontainers: {c1: {node: a, networks: [n]}}\n", `4:39: networks: network n is on node b, container c1 on node a`},
	{"publish twice", "name: t\ncontainers:\n  ca: {publish: [\"80:80\"]}\n  cb: {publish: [\"80:81\"]}\n", `4:18: Bind for 0.0.0.0:80 failed: port is already allocated (by container ca)`},
	{"publish syntax", "name: t\ncontainers: {ca: {publish: [\"80:x\"]}}\n", `2:29: publish: invalid containerPort: x`},
	{"node address twice", "name: t\nnodes: {a: {address: 10.0.0.1}, b: {address: 10.0.0.1}}\n", `2:33: address 10.0.0.1 of b is already used by a`},
	{"client without address", "name: t\nclients: {c: {}}\n", `2:11: client c: missing address (its IPv4 address on the underlay, e.g. 192.168.50.99)`},
	{"pool size", "name: t\nnodes: {a: {address_pools: [{base: 10.0.0.0/16, size: 8}]}}\n", `2:55: size: /8 is larger than the base 10.0.0.0/16`},
	{"no action", withSteps("  - name: x\n"), `13:5: step has no action; give one of ping, traceroute, tcp, http, udp, dns, link, wait, fdb, counters, stp, docker, capture, dnslog`},
	{"two actions", withSteps("  - wait: 1s\n    ping: {from: h1, to: h2}\n"), `14:5: step has two actions, wait and ping: one step does one thing`},
	{"misspelt action", withSteps("  - pign: {from: h1, to: h2}\n"), `13:5: unknown key "pign" in step (did you mean "ping"?)`},
	{"undefined source", withSteps("  - ping: {from: h3, to: h2}\n"), `13:18: from: undefined host, client, container or node "h3" (did you mean "h1"?)`},
	{"undefined target without dns", withSteps("  - ping: {from: h2, to: web}\n"), `13:26: to: "web" is not a host, client, node or container, and h2 has no dns settings to look it up`},
	{"name target with dns", withSteps("  - ping: {from: h1, to: web.lab.test}\n"), ""},
	{"missing key", withSteps("  - ping: {to: h2}\n"), `13:11: ping: missing from`},
	{"misspelt key is not also missing", withSteps("  - ping: {form: h1, to: h2}\n"), `13:12: unknown key "form" in ping (did you mean "from"?)`},
	{"expect key of another action", withSteps("  - ping: {from: h1, to: h2}\n    expect: {reply: x}\n"), `14:14: unknown key "reply" in ping expect; valid keys: fail, error, received, rtt_max, rtt_min`},
	{"received above count", withSteps("  - ping: {from: h1, to: h2, count: 2}\n    expect: {received: 3}\n"), `14:24: received: 3 can never happen with count 2`},
	{"int match empty", withSteps("  - ping: {from: h1, to: h2}\n    expect: {received: {}}\n"), `14:24: received: give min, max or both`},
	{"int match order", withSteps("  - ping: {from: h1, to: h2}\n    expect: {received: {min: 2, max: 1}}\n"), `14:24: received: min 2 is above max 1`},
	{"at backwards", withSteps("  - at: 2s\n    wait: 1s\n  - at: 1s\n    wait: 1s\n"), `15:9: at: 1s is earlier than 2s, the at of the step at 13:9; steps run in order`},
	{"at beyond limit", "name: t\nlimits: {time: 1m}\nsteps:\n  - at: 2m\n    wait: 1s\n", `4:9: at: 2m0s is beyond the time limit 1m0s (raise limits.time)`},
	{"node on non-docker", withSteps("  - wait: 1s\n    node: host1\n"), `14:5: node: only docker steps run on a node (an fdb step names its node inside: fdb: {node: ..., network: ...})`},
	{"expect on wait", withSteps("  - wait: 1s\n    expect: {fail: true}\n"), `14:5: expect: a wait step has nothing to check`},
	{"tcp exclusive", withSteps("  - tcp: {from: h1, to: h2:80}\n    expect: {refused: true, timeout: true}\n"), `14:29: timeout: cannot expect both refused and timeout`},
	{"tcp reply without data", withSteps("  - tcp: {from: h1, to: h2:80}\n    expect: {reply: x}\n"), `14:14: reply: the step sends no data (add data: to the tcp step)`},
	{"http scheme", withSteps("  - http: {from: h1, url: \"ftp://h2/\"}\n"), `13:27: url: invalid URL "ftp://h2/" (write e.g. http://h2/ or http://host1:5005/path)`},
	{"dns without resolver", withSteps("  - dns: {from: h2, name: web}\n"), `13:10: dns: h2 has no dns settings; give it dns: {nameservers: [...]} or give the step a server`},
	{"dns answer family", withSteps("  - dns: {from: h1, name: web}\n    expect: {answers: [\"fd00::1\"]}\n"), `14:24: answers: "fd00::1" is not an IPv4 address (the step asks for A records)`},
	{"link undefined", withSteps("  - link: {down: l2}\n"), `13:18: down: no link is named "l2" or attached there (did you mean "l1"?)`},
	{"link for on up", withSteps("  - link: {up: l1, for: 1s}\n"), `13:20: for: only link down takes for (the time until it comes back up)`},
	{"link set nothing", withSteps("  - link: {set: l1}\n"), `13:12: set: give the impairments to change, e.g. {set: l1, loss: 5%}`},
	{"fdb undefined port", withSteps("  - fdb: {switch: sw1}\n    expect: {has: [{mac: \"02:00:00:00:00:01\", port: p3}]}\n"), `14:53: port: switch sw1 has no port "p3" (did you mean "p1"?)`},
	{"fdb undefined host", withSteps("  - fdb: {switch: sw1}\n    expect: {has: [{host: h3}]}\n"), `14:27: host: undefined host "h3" (did you mean "h1"?)`},
	{"fdb both", withSteps("  - fdb: {switch: sw1, network: bridge}\n"), `13:10: fdb: give a switch, or a network (and its node), not both`},
	{"counters both", withSteps("  - counters: {switch: sw1, host: h1}\n"), `13:15: counters: give a switch (and port) or a host (and iface)`},
	{"counters reason", withSteps("  - counters: {switch: sw1}\n    expect: {drops: {Too-Big: 0}}\n"), `14:22: drops: invalid drop reason "Too-Big" (lower-case letters, digits, _ and -)`},
	{"stp off", "name: t\nswitches: {s: {}}\nsteps:\n  - stp: {switch: s}\n", `4:19: switch: switch s does not run STP (give it stp: {})`},
	{"stp state", withSteps("  - stp: {switch: sw1}\n    expect: {ports: {p1: blocked}}\n"), `14:26: p1: unknown port state "blocked" (one of disabled, blocking, listening, learning, forwarding)`},
	{"docker unsupported", "name: t\nsteps:\n  - docker: swarm init\n", `3:13: docker: docker swarm init is not supported by the simulator; supported: ` + dockercli.Supported},
	{"docker usage without expected error", "name: t\nsteps:\n  - docker: network create\n", `3:13: docker: "docker network create" requires exactly 1 argument.`},
	{"docker usage with expected error", "name: t\nsteps:\n  - docker: network create\n    expect: {error: requires exactly 1 argument}\n", ""},
	{"docker pipe", "name: t\nsteps:\n  - docker: network ls | wc -l\n", `3:13: docker: shell operator "|" is not supported: a docker step runs one command (no pipes, redirections or lists; only "| jq" or "| jq ." may follow it)`},
	{"docker undefined node", "name: t\nsteps:\n  - docker: network ls\n    node: host2\n", `4:11: node: undefined node "host2" (did you mean "host1"?)`},
	{"docker output on ping", withSteps("  - ping: {from: h1, to: h2}\n    expect: {output_contains: x}\n"), `14:14: unknown key "output_contains" in ping expect; valid keys: fail, error, received, rtt_max, rtt_min`},
	{"container made by a docker step", "name: t\nsteps:\n  - docker: run -d --name c9 alpine sleep 1d\n  - ping: {from: c9, to: 10.0.0.1}\n", ""},
	{"container used before its docker step", "name: t\nsteps:\n  - ping: {from: c9, to: 10.0.0.1}\n  - docker: run -d --name c9 alpine sleep 1d\n", `3:18: from: undefined host, client, container or node "c9"`},
	{"capture file", withSteps("  - capture: {start: h1, file: ../x.pcapng}\n"), `13:32: file: "../x.pcapng" must be a relative path inside the capture directory`},
	{"capture switch", withSteps("  - capture: {start: sw1}\n"), `13:22: start: capture on a switch port (sw1.PORT) or a link, not a whole switch`},
	{"alias bomb", "name: t\nx-a: &a {k: 1}\nx-b: &b {<<: [*a, *a, *a, *a, *a, *a, *a, *a]}\nx-c: &c {<<: [*b, *b, *b, *b, *b, *b, *b, *b]}\nx-d: &d {<<: [*c, *c, *c, *c, *c, *c, *c, *c]}\nx-e: &e {<<: [*d, *d, *d, *d, *d, *d, *d, *d]}\nlimits: {<<: [*e, *e, *e, *e, *e, *e, *e, *e]}\n",
		`2:6: the document is too complex: its aliases expand beyond 14128 nodes`},
	{"merge of a scalar", "name: t\nlimits: {<<: 1}\n", `2:14: limits: << merges mappings only, got the number 1`},
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("t.yaml", []byte(tc.src))
			if tc.want == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var list ErrorList
			require.True(t, errors.As(err, &list))
			var got []string
			for _, e := range list {
				assert.Equal(t, "t.yaml", e.File)
				got = append(got, strings.TrimPrefix(e.Error(), "t.yaml:"))
			}
			assert.Equal(t, []string{tc.want}, got)
		})
	}
}

// TestErrorsAreCollectedAndSorted checks that every error of a file comes
// back, in position order, whatever order the parser found them in.
func TestErrorsAreCollectedAndSorted(t *testing.T) {
	src := "name: t\nsteps:\n  - ping: {from: h9, to: x}\nhosts:\n  h1: {interfaces: {eth0: {ip: 10.0.0.0/24}}}\nseed: x\n"
	_, err := Parse("f.yaml", []byte(src))
	require.Error(t, err)
	assert.Equal(t, `f.yaml:3:18: from: undefined host, client, container or node "h9" (did you mean "h1"?)
f.yaml:5:32: ip: address "10.0.0.0/24" is the network address of 10.0.0.0/24
f.yaml:6:7: seed: expected an unsigned integer, got "x"`, err.Error())
	var list ErrorList
	require.True(t, errors.As(err, &list))
	assert.Equal(t, Pos{3, 18}, list[0].Pos())
}

func TestParseFile(t *testing.T) {
	s, err := ParseFile("testdata/valid/minimal.yaml")
	require.NoError(t, err)
	assert.Equal(t, "testdata/valid/minimal.yaml", s.File)
	_, err = ParseFile("testdata/does-not-exist.yaml")
	require.Error(t, err)
	var list ErrorList
	assert.False(t, errors.As(err, &list), "an unreadable file is not a scenario error")
}

func TestDefaults(t *testing.T) {
	s := mustParse(t, "name: d\nswitches: {sw1: {stp: {}}}\nhosts: {h1: {interfaces: {eth0: {ip: 10.0.0.1/24}}, dns: {nameservers: [10.0.0.53]}}}\nlinks: [{a: h1.eth0, b: sw1.p7}]\n"+
		"steps:\n  - ping: {from: h1, to: 10.0.0.2}\n  - traceroute: {from: h1, to: 10.0.0.2}\n  - tcp: {from: h1, to: 10.0.0.2:80}\n  - http: {from: h1, url: \"http://10.0.0.2\"}\n  - udp: {from: h1, to: 10.0.0.2:7}\n  - dns: {from: h1, name: x}\n")
	assert.Equal(t, uint64(1), s.Seed)
	assert.Equal(t, Limits{Time: 10 * time.Minute, Events: 5_000_000}, s.Limits)
	assert.Empty(t, s.Nodes, "an L2 lab has no Docker node")
	sw := s.Switches[0]
	assert.Equal(t, 300*time.Second, sw.Aging)
	assert.Equal(t, 8192, sw.FDBLimit, "the bridge's default table size")
	assert.Equal(t, &STP{Priority: 32768, HelloTime: 2 * time.Second, MaxAge: 20 * time.Second, ForwardDelay: 15 * time.Second}, sw.STP)
	assert.Equal(t, []*Port{{Pos: Pos{4, 25}, Name: "p7", VLAN: 1, Priority: 128, Implicit: true}}, sw.Ports, "a port a link names is created as access VLAN 1")
	i := s.Hosts[0].Interfaces[0]
	assert.Equal(t, 1500, i.MTU)
	assert.True(t, i.MACDerived)
	assert.Equal(t, DeriveMAC(1, "h1", "eth0", 0), i.MAC)
	assert.True(t, i.MAC.IsLocal())
	assert.False(t, i.MAC.IsMulticast())
	assert.Equal(t, &Resolver{Nameservers: []netip.Addr{netip.MustParseAddr("10.0.0.53")}, NDots: 1, Timeout: 5 * time.Second, Attempts: 2}, s.Hosts[0].DNS)
	l := s.Links[0]
	assert.Equal(t, LinkProps{Queue: 1000}, l.LinkProps)
	assert.True(t, l.Loss.IsZero())
	assert.False(t, Loss{Burst: &GilbertElliott{}}.IsZero())
	assert.Equal(t, &PingStep{From: "h1", To: "10.0.0.2", Count: 1, Interval: time.Second, Timeout: 2 * time.Second, Size: 56, TTL: 64}, s.Steps[0].Ping)
	assert.Equal(t, &TracerouteStep{From: "h1", To: "10.0.0.2", MaxHops: 30, Timeout: time.Second}, s.Steps[1].Traceroute)
	assert.Equal(t, 5*time.Second, s.Steps[2].TCP.Timeout)
	assert.Equal(t, &HTTPStep{From: "h1", URL: "http://10.0.0.2", Host: "10.0.0.2", Port: 80, Path: "/", Timeout: 10 * time.Second}, s.Steps[3].HTTP)
	assert.Equal(t, &UDPStep{From: "h1", To: "10.0.0.2:7", Host: "10.0.0.2", Port: 7, Data: "ping", Timeout: 2 * time.Second}, s.Steps[4].UDP)
	assert.Equal(t, &DNSStep{From: "h1", Name: "x", Type: "A"}, s.Steps[5].DNS)
	for i, st := range s.Steps {
		assert.Equal(t, i, st.Index)
		assert.Nil(t, st.At)
		assert.Equal(t, Expect{}, st.Expect)
	}
}

func TestDockerDefaults(t *testing.T) {
	s := mustParse(t, "name: d\nnetworks: {n1: {}}\ncontainers: {c1: {}, c2: {networks: [n1]}}\nsteps:\n  - docker: network ls\n")
	require.Len(t, s.Nodes, 1)
	assert.Equal(t, &Node{Name: "host1", Address: netip.MustParsePrefix("192.168.50.11/24"), Implicit: true}, s.Nodes[0])
	assert.Equal(t, &Network{Pos: Pos{2, 12}, Name: "n1", Node: "host1", Driver: "bridge"}, s.Networks[0])
	assert.Equal(t, &Container{Pos: Pos{3, 14}, Name: "c1", Node: "host1", Image: "alpine", Networks: []*Attachment{{Pos: Pos{3, 14}, Network: "bridge"}}}, s.Containers[0])
	assert.Equal(t, "n1", s.Containers[1].Networks[0].Network)
	assert.Equal(t, "host1", s.Steps[0].Docker.Node)

	// Nodes without an address get the next free one; a container goes to
	// its first network's node.
	s = mustParse(t, "name: d\nnodes: {a: {address: 192.168.50.12}, b: {}, c: {}}\nnetworks: {n: {node: c}}\ncontainers: {cx: {networks: [n]}}\n")
	assert.Equal(t, netip.MustParsePrefix("192.168.50.11/24"), s.Nodes[1].Address)
	assert.Equal(t, netip.MustParsePrefix("192.168.50.13/24"), s.Nodes[2].Address)
	assert.Equal(t, "c", s.Containers[0].Node)
	assert.Equal(t, "c", s.Node("c").Name)
}

func TestMACs(t *testing.T) {
	src := "name: m\nhosts:\n  h1: {interfaces: {eth0: {}, eth1: {mac: \"02:00:00:00:00:01\"}}}\n  h2: {interfaces: {eth0: {}}}\n"
	s := mustParse(t, src)
	again := mustParse(t, src)
	m10, _ := s.MACOf("h1", "eth0")
	m20, _ := s.MACOf("h2", "")
	m11, _ := s.MACOf("h1", "eth1")
	assert.Equal(t, frame.MAC{2, 0, 0, 0, 0, 1}, m11)
	assert.NotEqual(t, m10, m20)
	a10, _ := again.MACOf("h1", "eth0")
	assert.Equal(t, m10, a10, "derived MACs are deterministic")
	// The derivation is pinned: a change would change every trace.
	assert.Equal(t, "02:3e:56:07:bf:f7", DeriveMAC(1, "h1", "eth0", 0).String())

	s.SetSeed(2)
	n10, _ := s.MACOf("h1", "eth0")
	n11, _ := s.MACOf("h1", "eth1")
	assert.NotEqual(t, m10, n10, "derived MACs follow the seed")
	assert.Equal(t, m11, n11, "given MACs do not")
	assert.Equal(t, uint64(2), s.Seed)
	_, ok := s.MACOf("h9", "")
	assert.False(t, ok)
}

func TestLookups(t *testing.T) {
	s := mustParse(t, withSteps("  - wait: 1s\n"))
	assert.Equal(t, "sw1", s.Switch("sw1").Name)
	assert.Nil(t, s.Switch("x"))
	assert.Equal(t, "h2", s.Host("h2").Name)
	assert.Equal(t, "eth1", s.Host("h2").Interface("eth1").Name)
	assert.Nil(t, s.Host("h2").Interface("eth9"))
	assert.Same(t, s.Links[0], s.LinkAt("l1"))
	assert.Same(t, s.Links[0], s.LinkAt("sw1.p1"))
	assert.Same(t, s.Links[1], s.LinkAt("h2.eth0"))
	assert.Nil(t, s.LinkAt("h2.eth1"))
	assert.Equal(t, "l1", s.Links[0].String())
	assert.Equal(t, "h2.eth0<->sw1.p2", s.Links[1].String())
	assert.Nil(t, s.Node("host1"))
	assert.Nil(t, s.Network("n"))
	assert.Nil(t, s.Container("c"))
	assert.Nil(t, s.Client("c"))
}

// TestNamesWithDots checks that endpoints split at the dot that names an
// existing device, since names may contain dots.
func TestNamesWithDots(t *testing.T) {
	s := mustParse(t, "name: t\nswitches: {core.sw1: {}}\nhosts: {web.1: {interfaces: {eth.0: {}}}}\nlinks: [{a: web.1.eth.0, b: core.sw1.p1}]\n")
	assert.Equal(t, Endpoint{Pos: Pos{4, 13}, Kind: EndpointHost, Device: "web.1", Iface: "eth.0"}, s.Links[0].A)
	assert.Equal(t, Endpoint{Pos: Pos{4, 29}, Kind: EndpointSwitch, Device: "core.sw1", Iface: "p1"}, s.Links[0].B)
}

// TestAnchorsAndMerge checks that aliases and merge keys are followed and
// that a mapping's own keys win over merged ones.
func TestAnchorsAndMerge(t *testing.T) {
	s := mustParse(t, "name: t\nx-wan: &wan {latency: 20ms, loss: 1%}\nswitches: {a: {}, b: {}}\nlinks:\n  - {<<: *wan, a: a.p1, b: b.p1, latency: 5ms}\nsteps:\n  - &w {wait: 1s}\n  - *w\n")
	assert.Equal(t, 5*time.Millisecond, s.Links[0].Latency)
	assert.Equal(t, Percent(0.01), s.Links[0].Loss.Random)
	require.Len(t, s.Steps, 2)
	assert.Equal(t, 1, s.Steps[1].Index)
}

// provenance lists the fields that say where a value came from rather
// than what it is; the defaults round trip ignores them.
var provenance = []string{"Pos", "File", "Implicit", "MACDerived"}

// clearProvenance zeroes provenance fields everywhere in v (a pointer).
func clearProvenance(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearProvenance(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			clearProvenance(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			if slices.Contains(provenance, f.Name) {
				v.Field(i).SetZero()
				continue
			}
			clearProvenance(v.Field(i))
		}
	}
}

// TestDefaultsRoundTrip parses a file that leaves everything out and one
// that spells every default out: they must give the same scenario.
func TestDefaultsRoundTrip(t *testing.T) {
	implicit, err := ParseFile("testdata/valid/defaults-implicit.yaml")
	require.NoError(t, err)
	explicit, err := ParseFile("testdata/valid/defaults-explicit.yaml")
	require.NoError(t, err)
	clearProvenance(reflect.ValueOf(implicit))
	clearProvenance(reflect.ValueOf(explicit))
	// Field by field, for readable failures.
	v1, v2 := reflect.ValueOf(*implicit), reflect.ValueOf(*explicit)
	for i := range v1.NumField() {
		if !v1.Type().Field(i).IsExported() {
			continue
		}
		name := v1.Type().Field(i).Name
		assert.Equal(t, v1.Field(i).Interface(), v2.Field(i).Interface(), name)
	}
}

// TestKnownKeys checks KnownKeys against the key tables.
func TestKnownKeys(t *testing.T) {
	all := KnownKeys()
	assert.True(t, slices.IsSorted(all))
	assert.Equal(t, len(all), len(slices.Compact(slices.Clone(all))))
	for ctx, ks := range keys {
		for _, k := range ks {
			assert.Contains(t, all, k, ctx)
		}
	}
}

// An STP switch numbers at most 255 ports; one more is refused before the
// run, and the same switch without STP takes it.
func TestSTPPortLimit(t *testing.T) {
	gen := func(stp string, ports int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "name: t\nswitches:\n  sw1: {%s}\nhosts:\n", stp)
		for i := range ports {
			fmt.Fprintf(&b, "  h%d: {interfaces: {eth0: {ip: 10.0.%d.%d/16}}}\n", i, i/250, i%250+1)
		}
		b.WriteString("links:\n")
		for i := range ports {
			fmt.Fprintf(&b, "  - {a: h%d.eth0, b: sw1.p%d}\n", i, i)
		}
		return b.String()
	}
	_, err := Parse("t.yaml", []byte(gen("stp: {}", 255)))
	require.NoError(t, err)
	_, err = Parse("t.yaml", []byte(gen("stp: {}", 256)))
	require.EqualError(t, err, "t.yaml:517:23: port p255: switch sw1 runs STP and has 256 ports; STP numbers at most 255 (8-bit port numbers, 0 reserved)")
	_, err = Parse("t.yaml", []byte(gen("", 300)))
	require.NoError(t, err)
}
