package scenario

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/vswitch/vswitch/dockercli"
	"github.com/vswitch/vswitch/internal/frame"
	"go.yaml.in/yaml/v3"
)

// Defaults filled in by Parse where a file leaves a value out. They are part
// of the format: docs/scenarios.md lists them and tests pin them.
const (
	DefaultSeed          = 1
	DefaultTimeLimit     = 10 * time.Minute
	DefaultEventLimit    = 5_000_000
	DefaultAging         = 300 * time.Second
	DefaultFDBLimit      = 8192
	DefaultSTPPriority   = 32768
	DefaultHelloTime     = 2 * time.Second
	DefaultMaxAge        = 20 * time.Second
	DefaultForwardDelay  = 15 * time.Second
	DefaultPortPriority  = 128
	DefaultMTU           = 1500
	DefaultQueue         = 1000
	DefaultNDots         = 1
	DefaultDNSTimeout    = 5 * time.Second
	DefaultDNSAttempts   = 2
	DefaultNode          = "host1"
	DefaultDriver        = "bridge"
	DefaultImage         = "alpine"
	DefaultBridge        = "bridge"
	DefaultPingCount     = 1
	DefaultPingInterval  = time.Second
	DefaultPingTimeout   = 2 * time.Second
	DefaultPingSize      = 56
	DefaultTTL           = 64
	DefaultMaxHops       = 30
	DefaultProbeTimeout  = time.Second
	DefaultTCPTimeout    = 5 * time.Second
	DefaultHTTPTimeout   = 10 * time.Second
	DefaultUDPTimeout    = 2 * time.Second
	DefaultUDPData       = "ping"
	DefaultDNSType       = "A"
	DefaultHTTPStatus    = 200
	DefaultDNSPort       = 53
	DefaultUnderlayBits  = 24
	defaultUnderlayFirst = "192.168.50.11"
)

// Pos is a position in a scenario file: 1-based line and column. The zero
// Pos marks a value that did not come from the file (a default).
type Pos struct{ Line, Col int }

// IsValid reports whether p is a position in the file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats p as "line:col".
func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

// Scenario is one parsed and validated scenario file with every default
// filled in. Ordered sections keep the order of the file. A Scenario is a
// plain value: it is safe for concurrent reads and must not be modified
// while shared.
type Scenario struct {
	File        string // the file name given to Parse
	Name        string
	Description string
	Seed        uint64
	Limits      Limits

	// The L2-lab level.
	Switches []*Switch
	Hosts    []*Host
	Links    []*Link

	// The Docker-lab level.
	Nodes      []*Node
	Networks   []*Network
	Containers []*Container
	Clients    []*Client

	Steps []*Step

	idx *index // built by Parse
}

// Limits caps a run: hitting either fails it with a clear message.
type Limits struct {
	Time   time.Duration // virtual time
	Events uint64        // events fired by the loop
}

// Switch is an 802.1D bridge of the L2 level.
type Switch struct {
	Pos      Pos
	Name     string
	STP      *STP // nil: STP off
	Aging    time.Duration
	FDBLimit int // default 8192; 0: no limit
	// ARPSuppress makes the switch answer ARP for addresses it has seen
	// and flood gratuitous ARPs only when they move an address.
	ARPSuppress bool
	Ports       []*Port // the file's ports, then ports created for links, in link order

	portIdx map[string]int // built by Parse, like the Scenario's index
}

// Port returns the port named name, or nil.
func (s *Switch) Port(name string) *Port {
	return lookup(s.Ports, s.portIdx, name, func(p *Port, n string) bool { return p.Name == n })
}

// STP holds a switch's spanning-tree bridge parameters.
type STP struct {
	Priority     int // bridge priority, 0..65535
	HelloTime    time.Duration
	MaxAge       time.Duration
	ForwardDelay time.Duration
}

// Port is a switch port. An access port has VLAN set and Trunk nil; a trunk
// port has Trunk set, VLAN 0 and Native 0 (untagged frames dropped) or the
// VLAN untagged frames belong to.
type Port struct {
	Pos      Pos
	Name     string
	VLAN     int
	Trunk    []int
	Native   int
	Cost     int  // STP path cost; 0: derived from the link's bandwidth
	Priority int  // STP port priority
	Implicit bool // created because a link names it (access VLAN 1)
}

// IsTrunk reports whether p carries tagged VLANs.
func (p *Port) IsTrunk() bool { return p.Trunk != nil }

// Host is a simulated machine of the L2 level with its own IPv4 stack.
type Host struct {
	Pos        Pos
	Name       string
	Interfaces []*Interface
	Gateway    netip.Addr // zero: none
	Routes     []Route
	Forward    bool      // routes IPv4 between its interfaces (a router)
	DNS        *Resolver // nil: no resolver (names are not looked up)
	Services   []*Service
}

// Interface returns the interface named name, or nil.
func (h *Host) Interface(name string) *Interface {
	for _, i := range h.Interfaces {
		if i.Name == name {
			return i
		}
	}
	return nil
}

// Interface is a host NIC.
type Interface struct {
	Pos        Pos
	Name       string
	IP         netip.Prefix // zero: no address
	MAC        frame.MAC
	MACDerived bool // MAC was not given: derived from the seed (see DeriveMAC)
	MTU        int
}

// Route is a static IPv4 route.
type Route struct {
	Pos Pos
	To  netip.Prefix
	Via netip.Addr
}

// Resolver holds resolv.conf-style settings of a host or client.
type Resolver struct {
	Nameservers []netip.Addr
	Search      []string
	NDots       int
	Timeout     time.Duration
	Attempts    int
}

// Service is a server a host, client or container runs. Exactly one of the
// pointers is set.
type Service struct {
	Pos  Pos
	HTTP *HTTPService
	Echo *EchoService
	DNS  *DNSService
}

// Kind returns "http", "echo" or "dns".
func (s *Service) Kind() string {
	switch {
	case s.HTTP != nil:
		return "http"
	case s.Echo != nil:
		return "echo"
	case s.DNS != nil:
		return "dns"
	}
	return ""
}

// HTTPService answers every GET with Status and Body.
type HTTPService struct {
	Port   uint16
	Status int
	Body   string
}

// EchoService echoes what it receives on Proto ("udp" or "tcp") Port.
type EchoService struct {
	Proto string
	Port  uint16
}

// DNSService is an authoritative server for a few A records, on UDP and
// TCP Port. It answers NXDOMAIN for other names.
type DNSService struct {
	Port    uint16
	Records []DNSRecord
}

// DNSRecord is one name with its addresses, in file order.
type DNSRecord struct {
	Name  string // lower case, without the trailing dot
	Addrs []netip.Addr
}

// EndpointKind says what an Endpoint's device is.
type EndpointKind uint8

// Endpoint kinds.
const (
	EndpointHost EndpointKind = iota + 1
	EndpointSwitch
)

// Endpoint is one end of a link: a host interface or a switch port.
type Endpoint struct {
	Pos    Pos
	Kind   EndpointKind
	Device string // host or switch name
	Iface  string // interface or port name
}

// String formats e as "device.iface".
func (e Endpoint) String() string { return e.Device + "." + e.Iface }

// Link is a cable between two endpoints with its impairments.
type Link struct {
	Pos  Pos
	Name string // optional; "" when not given
	A, B Endpoint
	LinkProps
}

// String returns the link's name, or "a<->b".
func (l *Link) String() string {
	if l.Name != "" {
		return l.Name
	}
	return l.A.String() + "<->" + l.B.String()
}

// LinkProps are a link's impairments. The zero value is a perfect link.
type LinkProps struct {
	Latency   time.Duration
	Jitter    time.Duration
	Loss      Loss
	Bandwidth Rate // 0: unlimited (no serialization delay, no queue)
	Queue     int  // drop-tail queue in frames, used with Bandwidth
	MTU       int  // 0: no limit of its own
	Duplicate Percent
	Reorder   Percent
}

// LinkChange is a partial LinkProps: the values a `link: {set: ...}` step
// gives. Nil fields keep their current value.
type LinkChange struct {
	Latency   *time.Duration
	Jitter    *time.Duration
	Loss      *Loss
	Bandwidth *Rate
	Queue     *int
	MTU       *int
	Duplicate *Percent
	Reorder   *Percent
}

// Apply sets the fields of p that c gives.
func (c *LinkChange) Apply(p *LinkProps) {
	if c.Latency != nil {
		p.Latency = *c.Latency
	}
	if c.Jitter != nil {
		p.Jitter = *c.Jitter
	}
	if c.Loss != nil {
		p.Loss = *c.Loss
	}
	if c.Bandwidth != nil {
		p.Bandwidth = *c.Bandwidth
	}
	if c.Queue != nil {
		p.Queue = *c.Queue
	}
	if c.MTU != nil {
		p.MTU = *c.MTU
	}
	if c.Duplicate != nil {
		p.Duplicate = *c.Duplicate
	}
	if c.Reorder != nil {
		p.Reorder = *c.Reorder
	}
}

// Loss is a link's loss model: independent random loss, or a
// Gilbert-Elliott burst model when Burst is set (then Random is 0).
type Loss struct {
	Random Percent
	Burst  *GilbertElliott
}

// IsZero reports whether l loses nothing.
func (l Loss) IsZero() bool { return l.Random == 0 && l.Burst == nil }

// GilbertElliott is the two-state burst loss model (as netem's gemodel): P
// is the chance to go from the good state to the bad one per frame, R to go
// back; BadLoss and GoodLoss are the loss in each state.
type GilbertElliott struct {
	P, R     Percent
	BadLoss  Percent // default 100%
	GoodLoss Percent // default 0%
}

// Percent is a probability written as a percentage ("0.5%") and stored as a
// fraction in [0, 1] (0.005).
type Percent float64

// String formats p as a percentage, "0.5%".
func (p Percent) String() string {
	return strconv.FormatFloat(float64(p)*100, 'f', -1, 64) + "%"
}

// Rate is a bandwidth in bits per second.
type Rate uint64

// String formats r with the largest unit that keeps it exact: "10Mbit",
// "1.5Gbit", "100kbit", "300bit".
func (r Rate) String() string {
	units := []struct {
		div  uint64
		name string
	}{{1e12, "Tbit"}, {1e9, "Gbit"}, {1e6, "Mbit"}, {1e3, "kbit"}}
	for _, u := range units {
		if uint64(r) >= u.div {
			return strconv.FormatFloat(float64(r)/float64(u.div), 'f', -1, 64) + u.name
		}
	}
	return strconv.FormatUint(uint64(r), 10) + "bit"
}

// Node is a Docker host of the Docker level.
type Node struct {
	Pos          Pos
	Name         string
	Address      netip.Prefix  // its address on the underlay, with the underlay's length
	DNS          []netip.Addr  // the node's own resolv.conf nameservers (upstreams of the embedded DNS)
	AddressPools []AddressPool // nil: Docker's default local pools
	Implicit     bool          // the default node, added because the file declares none
}

// AddressPool is one entry of the node's default address pools, as in
// daemon.json's default-address-pools: Base split into networks of Size bits.
type AddressPool struct {
	Base netip.Prefix
	Size int
}

// Network is a Docker network created before step 1, as `docker network
// create` would.
type Network struct {
	Pos          Pos
	Name         string
	Node         string
	Driver       string
	Subnet       netip.Prefix // zero: chosen by IPAM
	IPRange      netip.Prefix // zero: the whole subnet
	Gateway      netip.Addr   // zero: chosen by IPAM
	AuxAddresses []NamedAddr
	Internal     bool
	Attachable   bool
	Labels       []KV
	Options      []KV
}

// KV is one entry of an ordered string map.
type KV struct{ Key, Value string }

// NamedAddr is one entry of an ordered map of names to addresses.
type NamedAddr struct {
	Name string
	Addr netip.Addr
}

// Container is a Docker container created before step 1, as `docker run -d`
// would.
type Container struct {
	Pos        Pos
	Name       string
	Node       string
	Image      string
	Hostname   string        // "": Docker's default (the short ID)
	Networks   []*Attachment // never empty: the default bridge when the file gives none
	DNS        []netip.Addr
	DNSSearch  []string
	DNSOptions []string
	Publish    []PortMapping
	Services   []*Service
}

// Attachment is a container's endpoint on one network.
type Attachment struct {
	Pos     Pos
	Network string
	Aliases []string
	IP      netip.Addr // zero: allocated by IPAM
}

// PortMapping is one `-p` publication,
// [HostIP:][HostPort[-HostPortEnd]:]Port[-PortEnd][/Proto], parsed by the
// docker CLI's own parser (dockercli.ParsePublish).
type PortMapping = dockercli.PublishSpec

// Client is a machine outside Docker, on the underlay with the nodes.
type Client struct {
	Pos      Pos
	Name     string
	Address  netip.Prefix
	Gateway  netip.Addr
	DNS      *Resolver
	Services []*Service
}

// Step is one timed action with its expectation. Exactly one of the action
// pointers is set; Kind names it.
type Step struct {
	Pos   Pos
	Index int            // 0-based position in Steps
	Name  string         // optional label from the file
	At    *time.Duration // nil: when the previous step has finished

	Ping       *PingStep
	Traceroute *TracerouteStep
	TCP        *TCPStep
	HTTP       *HTTPStep
	UDP        *UDPStep
	DNS        *DNSStep
	Link       *LinkStep
	Wait       *WaitStep
	FDB        *FDBStep
	Counters   *CountersStep
	STP        *STPStep
	Docker     *DockerStep
	Capture    *CaptureStep
	DNSLog     *DNSLogStep

	// Expect holds the expectations every action shares; the action's own
	// are in its Expect field.
	Expect Expect
}

// StepKinds lists the actions a step can take, in the order docs list them.
var StepKinds = []string{
	"ping", "traceroute", "tcp", "http", "udp", "dns", "link", "wait",
	"fdb", "counters", "stp", "docker", "capture", "dnslog",
}

// Kind returns the step's action key ("ping", "docker", ...).
func (s *Step) Kind() string {
	switch {
	case s.Ping != nil:
		return "ping"
	case s.Traceroute != nil:
		return "traceroute"
	case s.TCP != nil:
		return "tcp"
	case s.HTTP != nil:
		return "http"
	case s.UDP != nil:
		return "udp"
	case s.DNS != nil:
		return "dns"
	case s.Link != nil:
		return "link"
	case s.Wait != nil:
		return "wait"
	case s.FDB != nil:
		return "fdb"
	case s.Counters != nil:
		return "counters"
	case s.STP != nil:
		return "stp"
	case s.Docker != nil:
		return "docker"
	case s.Capture != nil:
		return "capture"
	case s.DNSLog != nil:
		return "dnslog"
	}
	return ""
}

// Expect holds the expectations common to every action. A step without any
// expectation must succeed.
type Expect struct {
	Pos            Pos // the expect mapping; zero when absent
	Fail           bool
	Error          *string // the failure's message contains it (implies Fail)
	Output         *string // docker steps: the whole output, white space trimmed
	OutputContains *string // docker steps: a substring of the output
}

// WantsFailure reports whether the step is expected to fail.
func (e *Expect) WantsFailure() bool { return e.Fail || e.Error != nil }

// IntMatch matches a number: exactly N, or within {min, max}.
type IntMatch struct {
	Min, Max       int64
	HasMin, HasMax bool
}

// Exactly returns an IntMatch for n.
func Exactly(n int64) IntMatch { return IntMatch{Min: n, Max: n, HasMin: true, HasMax: true} }

// Match reports whether v is within m.
func (m IntMatch) Match(v int64) bool {
	return (!m.HasMin || v >= m.Min) && (!m.HasMax || v <= m.Max)
}

// String formats m as "3", ">= 1", "<= 4" or "1..5".
func (m IntMatch) String() string {
	switch {
	case m.HasMin && m.HasMax && m.Min == m.Max:
		return strconv.FormatInt(m.Min, 10)
	case m.HasMin && m.HasMax:
		return strconv.FormatInt(m.Min, 10) + ".." + strconv.FormatInt(m.Max, 10)
	case m.HasMin:
		return ">= " + strconv.FormatInt(m.Min, 10)
	case m.HasMax:
		return "<= " + strconv.FormatInt(m.Max, 10)
	}
	return "any"
}

// PingStep sends Count ICMP echo requests.
type PingStep struct {
	From     string
	To       string // an IP or a name (see "Targets" in docs/scenarios.md)
	Count    int
	Interval time.Duration
	Timeout  time.Duration // how long to wait for each reply
	Size     int           // ICMP payload bytes
	TTL      int
	DF       bool
	Expect   PingExpect
}

// PingExpect is what a ping step checks. Without any, every reply must
// arrive.
type PingExpect struct {
	Received *IntMatch
	RTTMax   *time.Duration
	RTTMin   *time.Duration
}

// TracerouteStep probes the path with increasing TTLs.
type TracerouteStep struct {
	From    string
	To      string
	MaxHops int
	Timeout time.Duration
	Expect  TracerouteExpect
}

// TracerouteExpect is what a traceroute step checks. A zero address in
// Hops is a hop that did not answer ("*").
type TracerouteExpect struct {
	Hops    []netip.Addr
	HasHops bool
	Reached *bool
}

// TCPStep opens a connection to Host:Port and, with Data, sends it and
// reads the reply.
type TCPStep struct {
	From    string
	To      string // as written, "host:port"
	Host    string
	Port    uint16
	Data    *string
	Timeout time.Duration
	Expect  TCPExpect
}

// TCPExpect is what a tcp step checks. Without any, the connection must
// succeed.
type TCPExpect struct {
	Connected *bool
	Refused   *bool
	Timeout   *bool
	Reply     *string
	// Retransmits counts the segments the client sent again (SYN, RTO
	// and fast retransmits): proof that a lossy link was survived.
	Retransmits *IntMatch
}

// HTTPStep GETs URL.
type HTTPStep struct {
	From    string
	URL     string
	Host    string // from URL
	Port    uint16 // from URL, 80 by default
	Path    string // from URL, "/" by default, with the query
	Timeout time.Duration
	Expect  HTTPExpect
}

// HTTPExpect is what an http step checks. Without any, the status must be
// 2xx.
type HTTPExpect struct {
	Status       *IntMatch
	Body         *string // the whole body, white space trimmed
	BodyContains *string
}

// UDPStep sends Data to Host:Port and waits for one reply.
type UDPStep struct {
	From    string
	To      string
	Host    string
	Port    uint16
	Data    string
	Timeout time.Duration
	Expect  UDPExpect
}

// UDPExpect is what a udp step checks. Without any, a reply must arrive.
type UDPExpect struct {
	Reply       *string
	Timeout     *bool
	Unreachable *bool // an ICMP port unreachable came back
}

// DNSStep looks Name up through From's resolver, or asks Server directly.
type DNSStep struct {
	From   string
	Name   string
	Type   string     // A, AAAA, PTR, SRV, MX, TXT, CNAME, NS, SOA
	Server netip.Addr // zero: From's resolver settings
	Expect DNSExpect
}

// DNSExpect is what a dns step checks. Without any, the name must resolve.
type DNSExpect struct {
	Answers    []string // compared as a set; IPs in canonical form
	HasAnswers bool
	Rcode      string // NOERROR, NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP
	Resolved   *bool
}

// LinkOp is what a link step does.
type LinkOp string

// Link operations.
const (
	LinkDown LinkOp = "down"
	LinkUp   LinkOp = "up"
	LinkSet  LinkOp = "set"
)

// LinkStep takes a link down or up, or changes its impairments.
type LinkStep struct {
	Op     LinkOp
	Ref    string        // as written: a link name or one of its endpoints
	Target *Link         // the link Ref names
	For    time.Duration // LinkDown only: back up after this long; 0: stays down
	Change LinkChange    // LinkSet only
}

// WaitStep lets virtual time pass.
type WaitStep struct {
	Duration time.Duration
}

// FDBStep reads a forwarding table: an L2 switch's, or a Docker network's
// bridge on a node.
type FDBStep struct {
	Switch  string
	Node    string
	Network string
	Expect  FDBExpect
}

// FDBExpect is what an fdb step checks.
type FDBExpect struct {
	Has   []FDBEntry
	Lacks []FDBEntry
	Size  *IntMatch
}

// FDBEntry matches table entries. The MAC is given directly (HasMAC), as a
// host interface (Host, Iface: its MAC, see Scenario.MACOf) or as a
// container (its MAC on the network); Port and VLAN, when set, must match
// too.
type FDBEntry struct {
	MAC       frame.MAC
	HasMAC    bool
	Host      string
	Iface     string
	Container string
	Port      string
	VLAN      int // 0: any
}

// CountersStep reads the counters of a switch (all ports, or Port) or of a
// host interface.
type CountersStep struct {
	Switch string
	Port   string
	Host   string
	Iface  string
	Expect []CounterMatch
}

// CounterMatch checks one counter. Names are rx_frames, rx_bytes,
// tx_frames, tx_bytes, flooded, drops (all reasons) and "drops.REASON".
type CounterMatch struct {
	Name  string
	Match IntMatch
}

// STPStep reads a switch's spanning-tree state.
type STPStep struct {
	Switch string
	Expect STPExpect
}

// STPExpect is what an stp step checks.
type STPExpect struct {
	Root     string // the root bridge's switch name
	RootPort string
	Ports    []PortState
}

// PortState is the expected STP state of one port: disabled, blocking,
// listening, learning or forwarding.
type PortState struct {
	Port  string
	State string
}

// STPStates lists the port states an stp expectation can name.
var STPStates = []string{"disabled", "blocking", "listening", "learning", "forwarding"}

// DockerStep runs a docker command line on Node.
type DockerStep struct {
	Node    string
	Command string   // as written, after "docker"
	Args    []string // Command split as a POSIX shell would
	// JQ is set when the line ends in "| jq" (or "| jq ."): the output
	// is pretty-printed as jq's identity filter does.
	JQ bool
	// Cmd is the parsed command; nil when Docker refuses the line
	// (UsageErr), which only a step expecting an error may do.
	Cmd      dockercli.Command
	UsageErr error
	usagePos *yaml.Node
}

// DNSLogStep reads the query log of Node's embedded DNS.
type DNSLogStep struct {
	Node   string
	Expect DNSLogExpect
}

// DNSLogExpect is what a dnslog step checks.
type DNSLogExpect struct {
	Has   []DNSLogEntry
	Lacks []DNSLogEntry
	Size  *IntMatch
}

// DNSLogEntry matches logged queries: every field given must match; empty
// fields match anything.
type DNSLogEntry struct {
	From   string // the querying container
	Name   string // lower case, without the final dot
	Type   string // upper case
	Rcode  string // upper case
	Answer string // one of the answers
	Source string // internal, ndots, cache, upstream, refused, failed, formerr, notimp
}

// CaptureStep starts or stops a pcapng capture. Target is a host or
// client name (all its interfaces), a container name, a link name, or an
// endpoint "dev.iface" (the link attached there).
type CaptureStep struct {
	Start  string
	Stop   string
	File   string // Start only; "": "<scenario>-<target>.pcapng"
	Target string // Start or Stop, whichever is set
}

// index maps names to positions in a Scenario's slices. Parse builds it
// once, so lookups stay read-only (safe for concurrent use) and O(1); a
// lookup checks the entry it finds and falls back to a scan, so slices
// changed after Parse still answer correctly.
type index struct {
	switches, hosts, nodes, networks, containers, clients map[string]int
	links                                                 map[string]int // by name and by endpoint
}

func buildIndex(s *Scenario) *index {
	x := &index{
		switches: map[string]int{}, hosts: map[string]int{}, nodes: map[string]int{},
		networks: map[string]int{}, containers: map[string]int{}, clients: map[string]int{},
		links: map[string]int{},
	}
	for i, v := range s.Switches {
		x.switches[v.Name] = i
		v.portIdx = make(map[string]int, len(v.Ports))
		for j, p := range v.Ports {
			v.portIdx[p.Name] = j
		}
	}
	for i, v := range s.Hosts {
		x.hosts[v.Name] = i
	}
	for i, v := range s.Nodes {
		x.nodes[v.Name] = i
	}
	for i, v := range s.Networks {
		x.networks[v.Name] = i
	}
	for i, v := range s.Containers {
		x.containers[v.Name] = i
	}
	for i, v := range s.Clients {
		x.clients[v.Name] = i
	}
	// Endpoints first, then names: LinkAt prefers a name.
	for i := len(s.Links) - 1; i >= 0; i-- {
		x.links[s.Links[i].A.String()] = i
		x.links[s.Links[i].B.String()] = i
	}
	for i, l := range s.Links {
		if l.Name != "" {
			x.links[l.Name] = i
		}
	}
	return x
}

// lookup finds the item named name through the index, checking the hit,
// and scans when the index does not know it.
func lookup[T any](items []*T, idx map[string]int, name string, match func(*T, string) bool) *T {
	if i, ok := idx[name]; ok && i < len(items) && match(items[i], name) {
		return items[i]
	}
	for _, it := range items {
		if match(it, name) {
			return it
		}
	}
	return nil
}

func (x *index) get(m func(*index) map[string]int) map[string]int {
	if x == nil {
		return nil
	}
	return m(x)
}

// Lookups. They return nil when nothing has that name.

// Switch returns the switch named name.
func (s *Scenario) Switch(name string) *Switch {
	return lookup(s.Switches, s.idx.get(func(x *index) map[string]int { return x.switches }), name,
		func(v *Switch, n string) bool { return v.Name == n })
}

// Host returns the host named name.
func (s *Scenario) Host(name string) *Host {
	return lookup(s.Hosts, s.idx.get(func(x *index) map[string]int { return x.hosts }), name,
		func(v *Host, n string) bool { return v.Name == n })
}

// Node returns the node named name.
func (s *Scenario) Node(name string) *Node {
	return lookup(s.Nodes, s.idx.get(func(x *index) map[string]int { return x.nodes }), name,
		func(v *Node, n string) bool { return v.Name == n })
}

// Network returns the network named name (declared ones only, not the
// predefined bridge, host and none).
func (s *Scenario) Network(name string) *Network {
	return lookup(s.Networks, s.idx.get(func(x *index) map[string]int { return x.networks }), name,
		func(v *Network, n string) bool { return v.Name == n })
}

// Container returns the container named name (declared ones only).
func (s *Scenario) Container(name string) *Container {
	return lookup(s.Containers, s.idx.get(func(x *index) map[string]int { return x.containers }), name,
		func(v *Container, n string) bool { return v.Name == n })
}

// Client returns the client named name.
func (s *Scenario) Client(name string) *Client {
	return lookup(s.Clients, s.idx.get(func(x *index) map[string]int { return x.clients }), name,
		func(v *Client, n string) bool { return v.Name == n })
}

// LinkAt returns the link named ref, or else the link attached at the
// endpoint ref ("h1.eth0", "sw1.p1").
func (s *Scenario) LinkAt(ref string) *Link {
	// The index already ranks names above endpoints.
	links := s.idx.get(func(x *index) map[string]int { return x.links })
	if i, ok := links[ref]; ok && i < len(s.Links) {
		if l := s.Links[i]; l.Name == ref || l.A.String() == ref || l.B.String() == ref {
			return l
		}
	}
	if l := lookup(s.Links, nil, ref, func(l *Link, n string) bool { return l.Name != "" && l.Name == n }); l != nil {
		return l
	}
	return lookup(s.Links, nil, ref, func(l *Link, n string) bool { return l.A.String() == n || l.B.String() == n })
}

// MACOf returns the MAC of host's interface iface ("" means the first).
func (s *Scenario) MACOf(host, iface string) (frame.MAC, bool) {
	h := s.Host(host)
	if h == nil || len(h.Interfaces) == 0 {
		return frame.MAC{}, false
	}
	if iface == "" {
		return h.Interfaces[0].MAC, true
	}
	if i := h.Interface(iface); i != nil {
		return i.MAC, true
	}
	return frame.MAC{}, false
}

// SetSeed sets the scenario's seed (as `vsim run --seed` does) and derives
// again every MAC the file did not give, so that MACs follow the seed.
func (s *Scenario) SetSeed(seed uint64) {
	s.Seed = seed
	deriveMACs(s)
}

// DeriveMAC returns the MAC of a host interface the file gives no MAC for:
// locally administered unicast (02:xx:xx:xx:xx:xx), from SHA-256 of the
// seed, the host and the interface name, so that it is the same on every
// machine. attempt > 0 gives further candidates, used when two derived MACs
// collide.
func DeriveMAC(seed uint64, host, iface string, attempt int) frame.MAC {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	fmt.Fprintf(h, "\x00%s\x00%s\x00%d", host, iface, attempt)
	sum := h.Sum(nil)
	m := frame.MAC{0x02}
	copy(m[1:], sum[:5])
	return m
}

// deriveMACs fills in the MACs the file did not give, skipping any MAC
// already in use so that no two interfaces share one.
func deriveMACs(s *Scenario) {
	used := map[frame.MAC]bool{}
	for _, h := range s.Hosts {
		for _, i := range h.Interfaces {
			if !i.MACDerived {
				used[i.MAC] = true
			}
		}
	}
	for _, h := range s.Hosts {
		for _, i := range h.Interfaces {
			if !i.MACDerived {
				continue
			}
			for attempt := 0; ; attempt++ {
				m := DeriveMAC(s.Seed, h.Name, i.Name, attempt)
				if !used[m] {
					i.MAC = m
					used[m] = true
					break
				}
			}
		}
	}
}
