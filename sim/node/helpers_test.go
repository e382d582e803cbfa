package node

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/dnsd"
	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/app"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/resolv"
	"github.com/vswitch/vswitch/sim/tcp"
	vswitch "github.com/vswitch/vswitch/switch"
)

var (
	nodeAddr  = netip.MustParsePrefix("192.168.50.11/24")
	nsAddr    = netip.MustParseAddr("192.168.50.53")
	deadNS    = netip.MustParseAddr("192.168.50.99")
	exampleIP = netip.MustParseAddr("93.184.216.34")
)

// lab is one node on an underlay switch, with an upstream DNS server (ns1)
// on the underlay whose default route is the node, so that it can answer
// container addresses (there is no masquerading).
type lab struct {
	t       testing.TB
	loop    *sim.Loop
	node    *Node
	lan     *vswitch.Bridge
	ns      *host.Host
	clients []netip.Addr // who asked ns1, in order
}

// lanPort delivers frames from a link into the underlay switch.
type lanPort struct {
	b    *vswitch.Bridge
	id   vswitch.PortID
	loop *sim.Loop
}

func (p *lanPort) Receive(f []byte) {
	p.b.Advance(p.loop.Now())
	p.b.Input(p.id, f)
}

func newLab(t testing.TB, seed uint64) *lab {
	t.Helper()
	loop := sim.NewLoop(seed)
	loop.SetLimits(50_000_000, 24*time.Hour)
	nd, err := New(loop, Config{Name: "host1", Underlay: nodeAddr, DNS: []netip.Addr{nsAddr}})
	require.NoError(t, err)
	l := &lab{t: t, loop: loop, node: nd, lan: vswitch.New(vswitch.DefaultConfig())}
	l.plug(nd.Underlay(), "host1")

	l.ns = host.New(loop, "ns1")
	nic := l.ns.AddNIC("eth0", frame.MAC{0x02, 0, 0, 0, 0, 0x53}, 0)
	l.plug(nic, "ns1")
	require.NoError(t, nic.AddAddr(netip.PrefixFrom(nsAddr, 24)))
	l.ns.SetGateway(nodeAddr.Addr())
	big := make([]string, 60)
	for i := range big {
		big[i] = fmt.Sprintf("10.99.0.%d", i+1)
	}
	zone, err := app.StaticZone(map[string][]string{
		"example.com":     {exampleIP.String()},
		"big.example.com": big,
	})
	require.NoError(t, err)
	require.NoError(t, app.ServeDNS(l.ns, tcp.NewStack(l.ns), 53, func(req *dns.Msg, client netip.Addr) *dns.Msg {
		l.clients = append(l.clients, client)
		return zone(req, client)
	}))
	return l
}

// plug connects a NIC to a new port of the underlay switch over a link
// with 100 µs of latency.
func (l *lab) plug(nic *host.NIC, name string) {
	link := sim.NewLink(l.loop, name+".eth0<->lan."+name, sim.LinkConfig{Latency: 100 * time.Microsecond})
	nic.ConnectLink(link.A())
	id, err := l.lan.AddPort(vswitch.PortConfig{Name: name}, link.B())
	require.NoError(l.t, err)
	link.B().Attach(&lanPort{b: l.lan, id: id, loop: l.loop})
}

func (l *lab) create(name string, o network.CreateOptions) {
	l.t.Helper()
	_, err := l.node.Controller().Create(name, o)
	require.NoError(l.t, err)
}

func (l *lab) run(name string, o network.RunOptions) *Container {
	l.t.Helper()
	_, err := l.node.Controller().Run(name, o)
	require.NoError(l.t, err)
	c, ok := l.node.Container(name)
	require.True(l.t, ok)
	return c
}

// settle lets gratuitous ARPs and other startup traffic pass.
func (l *lab) settle() {
	l.t.Helper()
	require.NoError(l.t, l.loop.Run(l.loop.Now()+time.Second))
}

func (l *lab) wait(what string, cond func() bool) {
	l.t.Helper()
	ok, err := l.loop.RunUntil(l.loop.Now()+time.Hour, cond)
	require.NoError(l.t, err)
	require.True(l.t, ok, "%s never finished", what)
}

func (l *lab) lookup(c *Container, name string, qtype uint16) resolv.Result {
	l.t.Helper()
	var (
		res  resolv.Result
		done bool
	)
	c.Resolver.Lookup(name, qtype, func(r resolv.Result) { res, done = r, true })
	l.wait("lookup "+name, func() bool { return done })
	return res
}

func (l *lab) ping(c *Container, dst netip.Addr) host.PingResult {
	l.t.Helper()
	var (
		res  host.PingResult
		done bool
	)
	c.Host.Ping(dst, host.PingOptions{}, func(r host.PingResult) { res, done = r, true })
	l.wait("ping "+dst.String(), func() bool { return done })
	return res
}

func (l *lab) pingFrom(h *host.Host, dst netip.Addr) host.PingResult {
	l.t.Helper()
	var (
		res  host.PingResult
		done bool
	)
	h.Ping(dst, host.PingOptions{}, func(r host.PingResult) { res, done = r, true })
	l.wait("ping "+dst.String(), func() bool { return done })
	return res
}

func (l *lab) ip(c *Container, nw string) netip.Addr {
	l.t.Helper()
	a, ok := c.IP(nw)
	require.True(l.t, ok, "%s has no address on %s", c.Name(), nw)
	return a
}

// lastLog returns the embedded DNS's last log entry.
func (l *lab) lastLog() dnsd.LogEntry {
	l.t.Helper()
	log := l.node.DNS().Log()
	require.NotEmpty(l.t, log)
	return log[len(log)-1]
}
