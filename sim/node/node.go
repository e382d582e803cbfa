package node

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/vswitch/vswitch/dnsd"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/network/ipam"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/tcp"
	vswitch "github.com/vswitch/vswitch/switch"
)

// Errors callers branch on with errors.Is.
var (
	// ErrConfig marks an invalid Config.
	ErrConfig = errors.New("node: invalid config")
	// ErrNoContainer means no container has the given name or ID.
	ErrNoContainer = errors.New("node: no such container")
	// ErrService marks a Service that cannot start.
	ErrService = errors.New("node: service")
)

// UnderlayNIC is the name of the node's underlay interface.
const UnderlayNIC = "eth0"

// Config configures a Node. It is separate from the runtime Node.
type Config struct {
	// Name is the node's hostname; its host stack and random streams are
	// named after it. Required.
	Name string
	// Underlay is the node's address and prefix on the underlay (e.g.
	// 192.168.50.11/24); the zero Prefix means the node has no underlay.
	Underlay netip.Prefix
	// Gateway is the node's default router on the underlay, if any.
	Gateway netip.Addr
	// DNS are the nameservers of the node's own resolv.conf: the embedded
	// DNS's upstreams for containers without --dns, and (loopback ones
	// removed) the nameservers of containers on the default bridge. Empty
	// means Docker's fallback, 8.8.8.8 and 8.8.4.4.
	DNS []netip.Addr
	// Search is the search list of the node's resolv.conf, which
	// containers inherit unless they set --dns-search.
	Search []string
	// Pools are the IPAM default pools; nil means Docker's defaults.
	Pools []ipam.PoolSpec
	// MTU is the default bridge's MTU, as dockerd --mtu (0: 1500).
	MTU int
}

// fallbackDNS is what Docker uses when the host has no usable nameserver.
var fallbackDNS = []netip.Addr{netip.AddrFrom4([4]byte{8, 8, 8, 8}), netip.AddrFrom4([4]byte{8, 8, 4, 4})}

// Node is a simulated Docker host. It is not safe for concurrent use.
type Node struct {
	loop  *sim.Loop
	cfg   Config
	name  string
	where string // "node NAME", the trace's Where

	ctl      *network.Controller
	host     *host.Host
	tcp      *tcp.Stack
	underlay *host.NIC
	dns      *dnsd.Server
	upstream []netip.Addr // the embedded DNS's node upstreams

	planes     []*plane // bridge networks in creation order
	planeByID  map[string]*plane
	containers []*Container // creation order, live ones
	bySandbox  map[*network.Sandbox]*Container

	// exchCtx is the container on whose behalf the embedded DNS is running
	// right now; the exchanger reads it to pick the namespace a forwarded
	// query leaves from. Everything runs on the loop, so a field suffices.
	exchCtx *Container
	bufs    [][]byte // free answer buffers of the DNS listeners

	nat nat // published ports and their connections

	drops [numReasons]uint64
}

// New returns a node with Docker's predefined networks (bridge, host,
// none) built in loop: the controller, the node's host stack with its
// underlay NIC and the docker0 bridge, and the embedded DNS server. The
// caller connects Underlay() to the underlay link.
func New(loop *sim.Loop, cfg Config) (*Node, error) {
	if cfg.Name == "" {
		return nil, fmt.Errorf("%w: a node needs a name", ErrConfig)
	}
	if cfg.Underlay.IsValid() && !cfg.Underlay.Addr().Is4() {
		return nil, fmt.Errorf("%w: underlay %s is not IPv4", ErrConfig, cfg.Underlay)
	}
	if cfg.Gateway.IsValid() && (!cfg.Underlay.IsValid() || !cfg.Underlay.Contains(cfg.Gateway)) {
		return nil, fmt.Errorf("%w: gateway %s is not on the underlay %s", ErrConfig, cfg.Gateway, cfg.Underlay)
	}
	for _, a := range cfg.DNS {
		if !a.IsValid() {
			return nil, fmt.Errorf("%w: invalid nameserver", ErrConfig)
		}
	}
	cfg.DNS = slices.Clone(cfg.DNS)
	cfg.Search = slices.Clone(cfg.Search)
	n := &Node{
		loop:      loop,
		cfg:       cfg,
		name:      cfg.Name,
		where:     "node " + cfg.Name,
		planeByID: map[string]*plane{},
		bySandbox: map[*network.Sandbox]*Container{},
	}
	prefix := "node/" + cfg.Name + "/"

	// IPAM skips the node's on-link networks and nameservers, as
	// libnetwork's InferReservedNetworks does.
	var reserved []netip.Prefix
	if cfg.Underlay.IsValid() {
		reserved = append(reserved, cfg.Underlay.Masked())
	}
	for _, a := range cfg.DNS {
		if a.Is4() {
			reserved = append(reserved, netip.PrefixFrom(a, 32))
		}
	}
	ctl, err := network.NewController(network.ControllerConfig{
		NodeName: cfg.Name,
		Pools:    cfg.Pools,
		Reserved: reserved,
		Rand:     loop.Rand(prefix + "controller"),
		Clock:    network.ClockFunc(loop.Time),
		MTU:      cfg.MTU,
	})
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", cfg.Name, err)
	}
	n.ctl = ctl

	n.host = host.New(loop, cfg.Name)
	n.host.SetForwarding(true)
	n.tcp = tcp.NewStack(n.host)
	// The node's own sockets keep off the ports masqueraded connections use,
	// or their answers would be taken for the containers'.
	n.host.ReservePorts(func(p uint16) bool { return !n.nat.selecting && n.nat.viaPorts[p] > 0 })
	if cfg.Underlay.IsValid() {
		mac := network.RandomMAC(loop.Rand(prefix + "mac"))
		n.underlay = n.host.AddNIC(UnderlayNIC, mac, 0)
		if err := n.underlay.AddAddr(cfg.Underlay); err != nil {
			return nil, fmt.Errorf("node %s: %w", cfg.Name, err)
		}
		if cfg.Gateway.IsValid() {
			n.host.SetGateway(cfg.Gateway)
		}
	}

	n.upstream = cfg.DNS
	if len(n.upstream) == 0 {
		n.upstream = fallbackDNS
	}
	ups := make([]netip.AddrPort, len(n.upstream))
	for i, a := range n.upstream {
		ups[i] = netip.AddrPortFrom(a, 53)
	}
	n.dns = dnsd.New(dnsd.Config{
		Rand:          loop.Rand(prefix + "dns"),
		Now:           loop.Now,
		Exchanger:     &exchanger{n: n},
		NodeUpstreams: ups,
	})

	obs := &observer{n: n}
	ctl.AddObserver(obs)
	// The predefined networks were created before anyone could observe.
	for _, nw := range ctl.Networks() {
		obs.NetworkCreated(nw)
	}
	return n, nil
}

// Name returns the node's name.
func (n *Node) Name() string { return n.name }

// Loop returns the loop the node runs on.
func (n *Node) Loop() *sim.Loop { return n.loop }

// Controller returns the node's network model. Changes made through it
// (network create and rm, run, connect, disconnect, rm -f) are built into
// the data plane synchronously.
func (n *Node) Controller() *network.Controller { return n.ctl }

// Host returns the node's own stack: the host network namespace.
func (n *Node) Host() *host.Host { return n.host }

// TCP returns the TCP stack of the node's own host.
func (n *Node) TCP() *tcp.Stack { return n.tcp }

// Underlay returns the node's underlay NIC, for the caller to connect to
// the underlay link (nic.ConnectLink(end)), or nil if the node has none.
func (n *Node) Underlay() *host.NIC { return n.underlay }

// DNS returns the embedded DNS server: its query log and counters are what
// scenarios assert on.
func (n *Node) DNS() *dnsd.Server { return n.dns }

// Upstreams returns the node's upstream nameservers of the embedded DNS:
// Config.DNS, or 8.8.8.8 and 8.8.4.4 when it is empty.
func (n *Node) Upstreams() []netip.Addr { return slices.Clone(n.upstream) }

// Container returns the container with this name (or ID, or unique ID
// prefix, as docker does).
func (n *Node) Container(name string) (*Container, bool) {
	sb, err := n.ctl.FindSandbox(name)
	if err != nil {
		return nil, false
	}
	c, ok := n.bySandbox[sb]
	return c, ok
}

// Containers returns the live containers in creation order.
func (n *Node) Containers() []*Container { return slices.Clone(n.containers) }

// Bridge returns the switch of a bridge network, by name or ID.
func (n *Node) Bridge(network string) (*vswitch.Bridge, bool) {
	p := n.planeFor(network)
	if p == nil {
		return nil, false
	}
	return p.br, true
}

// GatewayNIC returns the node's NIC on a bridge network (docker0,
// br-<id>), which holds the network's gateway address.
func (n *Node) GatewayNIC(network string) (*host.NIC, bool) {
	p := n.planeFor(network)
	if p == nil {
		return nil, false
	}
	return p.gw, true
}

func (n *Node) planeFor(term string) *plane {
	nw, err := n.ctl.FindNetwork(term)
	if err != nil {
		return nil
	}
	return n.planeByID[nw.ID()]
}

// reason is why the node dropped a packet it was asked to forward.
type reason uint8

const (
	dropIsolation reason = iota // between two bridge networks (DOCKER-ISOLATION)
	dropInternal                // from or to an internal network
	dropDNSAddr                 // port 53 of a container, not 127.0.0.11
	dropICC                     // container to container with enable_icc=false
	numReasons
)

var reasonNames = [numReasons]string{
	dropIsolation: "isolation",
	dropInternal:  "internal",
	dropDNSAddr:   "dns-not-listening",
	dropICC:       "icc",
}

// Drop reasons, as counted by Drops and recorded in the trace's Why.
const (
	DropIsolation = "isolation"
	DropInternal  = "internal"
	DropDNSAddr   = "dns-not-listening"
	DropICC       = "icc"
)

// Drops returns how many packets the node dropped for reason (one of the
// Drop* names).
func (n *Node) Drops(reason string) uint64 {
	for r, name := range reasonNames {
		if name == reason {
			return n.drops[r]
		}
	}
	return 0
}

// Stats returns the node's drop counters by reason; only reasons that
// occurred are present.
func (n *Node) Stats() map[string]uint64 {
	out := map[string]uint64{}
	for r, c := range n.drops {
		if c > 0 {
			out[reasonNames[r]] = c
		}
	}
	return out
}

func (n *Node) drop(r reason, f []byte) {
	n.drops[r]++
	n.loop.Trace().Record(sim.Event{Time: n.loop.Now(), Where: n.where, What: "drop", Why: reasonNames[r], Len: len(f), Frame: f})
}

// uniqueNIC returns name, or name with a suffix when h already has a NIC of
// that name (a bridge name reused after its network was removed, or a
// custom bridge name equal to eth0).
func uniqueNIC(h *host.Host, name string) string {
	if h.NIC(name) == nil {
		return name
	}
	for i := 2; ; i++ {
		s := fmt.Sprintf("%s~%d", name, i)
		if h.NIC(s) == nil {
			return s
		}
	}
}

// maxFreeBufs bounds the free list of DNS answer buffers.
const maxFreeBufs = 64

// getBuf returns an answer buffer for the DNS listeners.
func (n *Node) getBuf() []byte {
	if k := len(n.bufs); k > 0 {
		b := n.bufs[k-1]
		n.bufs = n.bufs[:k-1]
		return b[:0]
	}
	return make([]byte, 0, 1500)
}

func (n *Node) putBuf(b []byte) {
	if cap(b) == 1500 && len(n.bufs) < maxFreeBufs {
		n.bufs = append(n.bufs, b)
	}
}
