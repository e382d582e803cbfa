package node

import (
	"errors"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/dnsd"
	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/network"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/app"
	"github.com/vswitch/vswitch/sim/resolv"
)

func TestNewConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no name", Config{}},
		{"ipv6 underlay", Config{Name: "n", Underlay: netip.MustParsePrefix("fd00::1/64")}},
		{"gateway without underlay", Config{Name: "n", Gateway: netip.MustParseAddr("10.0.0.1")}},
		{"gateway off the underlay", Config{Name: "n", Underlay: nodeAddr, Gateway: netip.MustParseAddr("10.0.0.1")}},
		{"invalid nameserver", Config{Name: "n", DNS: []netip.Addr{{}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(sim.NewLoop(1), tc.cfg)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
}

func TestPredefinedNetworks(t *testing.T) {
	l := newLab(t, 1)
	br, ok := l.node.Bridge("bridge")
	require.True(t, ok)
	assert.Equal(t, "docker0", br.Name())
	gw, ok := l.node.GatewayNIC("bridge")
	require.True(t, ok)
	assert.Equal(t, "docker0", gw.Name())
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("172.17.0.1/16")}, gw.Addrs())
	for _, name := range []string{"host", "none", "nosuch"} {
		_, ok := l.node.Bridge(name)
		assert.False(t, ok, "network %s has no switch", name)
	}
	assert.Equal(t, []string{"eth0", "docker0"}, nicNames(l.node))
	assert.True(t, l.node.Host().Forwarding())
}

func nicNames(n *Node) []string {
	var out []string
	for _, nic := range n.Host().NICs() {
		out = append(out, nic.Name())
	}
	return out
}

// The seed's first exercise: a user-defined bridge, two containers that
// find each other by name through the embedded DNS.
func TestPingByName(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c1 := l.run("c1", network.RunOptions{Network: "localnet"})
	c2 := l.run("c2", network.RunOptions{Network: "localnet"})
	l.settle()

	assert.Equal(t, netip.MustParseAddr("172.18.0.2"), l.ip(c1, "localnet"))
	assert.Equal(t, netip.MustParseAddr("172.18.0.3"), l.ip(c2, "localnet"))
	assert.Equal(t, "nameserver 127.0.0.11\noptions ndots:0\n", c2.ResolvConf())
	assert.True(t, c2.EmbeddedDNS())
	gw, ok := c2.Host.Gateway()
	require.True(t, ok)
	assert.Equal(t, netip.MustParseAddr("172.18.0.1"), gw)

	res := l.lookup(c2, "c1", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{l.ip(c1, "localnet")}, res.Addrs)
	assert.Equal(t, netip.MustParseAddr("127.0.0.11"), res.Server)
	e := l.lastLog()
	assert.Equal(t, "c2", e.Endpoint)
	assert.Equal(t, "localnet", e.Network)
	assert.Equal(t, "c1", e.Name)
	assert.Equal(t, dnsd.SourceInternal, e.Source)

	p := l.ping(c2, res.Addrs[0])
	assert.Equal(t, 1, p.Received)
	// Only the veths delay it: the ARP exchange, then the echo, each
	// crossing two veths each way.
	assert.Equal(t, 8*VethLatency, p.RTTMax)

	// The switch learned both containers on their own ports.
	br, _ := l.node.Bridge("localnet")
	ports := map[string]string{}
	for _, f := range br.FDB() {
		ports[f.MAC.String()] = f.PortName
	}
	m1, _ := c1.NIC("localnet")
	m2, _ := c2.NIC("localnet")
	assert.Equal(t, "c1", ports[m1.MAC().String()])
	assert.Equal(t, "c2", ports[m2.MAC().String()])
	assert.Equal(t, []Interface{{Name: "eth0", Network: "localnet", MAC: m2.MAC(), Addr: netip.MustParsePrefix("172.18.0.3/16"), MTU: 1500}}, c2.Interfaces())
}

func TestNamesCaseAndIDs(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c1 := l.run("c1", network.RunOptions{Network: "localnet", Hostname: "db"})
	c2 := l.run("c2", network.RunOptions{Network: "localnet"})
	l.settle()
	want := l.ip(c1, "localnet")
	for _, name := range []string{"C1", "db", c1.Sandbox().ShortID(), "c1.localnet"} {
		res := l.lookup(c2, name, dns.TypeA)
		require.NoError(t, res.Err, name)
		assert.Equal(t, []netip.Addr{want}, res.Addrs, name)
	}
}

func TestGatewayAnswersPing(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c1 := l.run("c1", network.RunOptions{Network: "localnet"})
	l.settle()
	gw := netip.MustParseAddr("172.18.0.1")
	p := l.ping(c1, gw)
	require.Equal(t, 1, p.Received)
	nw, _ := l.node.Controller().FindNetwork("localnet")
	var gwMAC string
	for _, nb := range c1.Host.Neighbors() {
		if nb.IP == gw {
			gwMAC = nb.MAC.String()
		}
	}
	assert.Equal(t, nw.GatewayMAC().String(), gwMAC)
	// The node routes to its underlay: the upstream server answers too.
	assert.Equal(t, 1, l.ping(c1, nsAddr).Received)
	assert.Equal(t, 1, l.ping(c1, nodeAddr.Addr()).Received)
}

func TestDefaultBridgeHasNoEmbeddedDNS(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	l.run("c1", network.RunOptions{Network: "localnet"})
	c3 := l.run("c3", network.RunOptions{})
	l.settle()
	assert.Equal(t, netip.MustParseAddr("172.17.0.2"), l.ip(c3, "bridge"))
	assert.False(t, c3.EmbeddedDNS())
	assert.Equal(t, "nameserver 192.168.50.53\n", c3.ResolvConf())

	before := len(l.node.DNS().Log())
	res := l.lookup(c3, "c1", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, dns.RcodeNameError, res.Rcode, "ns1 does not know c1")
	assert.Empty(t, res.Addrs)
	assert.Len(t, l.node.DNS().Log(), before, "the embedded DNS was not asked")
	// The query left from the container, routed and masqueraded by the
	// node: the nameserver sees the node's address.
	assert.Contains(t, l.clients, nodeAddr.Addr())
	// External names work through the node's nameserver.
	res = l.lookup(c3, "example.com", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{exampleIP}, res.Addrs)
}

func TestDefaultBridgeNameservers(t *testing.T) {
	tests := []struct {
		name string
		dns  []string
		run  network.RunOptions
		want string
	}{
		{"node servers", []string{"10.0.0.53", "10.0.0.54"}, network.RunOptions{}, "nameserver 10.0.0.53\nnameserver 10.0.0.54\n"},
		{"loopback removed", []string{"127.0.0.53", "10.0.0.53"}, network.RunOptions{}, "nameserver 10.0.0.53\n"},
		{"only loopback", []string{"127.0.0.53"}, network.RunOptions{}, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
		{"none", nil, network.RunOptions{}, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n"},
		{"--dns", []string{"10.0.0.53"}, network.RunOptions{DNS: []netip.Addr{netip.MustParseAddr("1.1.1.1")}, DNSSearch: []string{"example.com"}, DNSOptions: []string{"ndots:2", "rotate"}},
			"nameserver 1.1.1.1\nsearch example.com\noptions ndots:2 rotate\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var servers []netip.Addr
			for _, s := range tc.dns {
				servers = append(servers, netip.MustParseAddr(s))
			}
			n, err := New(sim.NewLoop(1), Config{Name: "n", DNS: servers})
			require.NoError(t, err)
			_, err = n.Controller().Run("ct", tc.run)
			require.NoError(t, err)
			c, _ := n.Container("ct")
			assert.Equal(t, tc.want, c.ResolvConf())
			assert.False(t, c.EmbeddedDNS())
		})
	}
}

func TestEmbeddedResolvConf(t *testing.T) {
	tests := []struct {
		name   string
		run    network.RunOptions
		want   string
		ndots  int
		search []string
	}{
		{"default", network.RunOptions{}, "nameserver 127.0.0.11\noptions ndots:0\n", 0, nil},
		{"search", network.RunOptions{DNSSearch: []string{"example.com", "lab.test"}},
			"nameserver 127.0.0.11\nsearch example.com lab.test\noptions ndots:0\n", 0, []string{"example.com", "lab.test"}},
		{"user ndots", network.RunOptions{DNSOptions: []string{"ndots:2"}}, "nameserver 127.0.0.11\noptions ndots:2\n", 2, nil},
		{"bad option kept in the file", network.RunOptions{DNSOptions: []string{"ndots:x", "edns0"}}, "nameserver 127.0.0.11\noptions ndots:x edns0\n", 1, nil},
		{"dot clears the search list", network.RunOptions{DNSSearch: []string{"."}}, "nameserver 127.0.0.11\noptions ndots:0\n", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := New(sim.NewLoop(1), Config{Name: "n", Search: []string{"corp.example"}})
			require.NoError(t, err)
			_, err = n.Controller().Create("localnet", network.CreateOptions{})
			require.NoError(t, err)
			tc.run.Network = "localnet"
			_, err = n.Controller().Run("ct", tc.run)
			require.NoError(t, err)
			c, _ := n.Container("ct")
			want := tc.want
			if len(tc.run.DNSSearch) == 0 {
				// The node's search list is inherited.
				want = "nameserver 127.0.0.11\nsearch corp.example\n" + want[len("nameserver 127.0.0.11\n"):]
				tc.search = []string{"corp.example"}
			}
			assert.Equal(t, want, c.ResolvConf())
			cfg := c.Resolver.Config()
			assert.Equal(t, []netip.Addr{EmbeddedDNSAddr}, cfg.Nameservers)
			assert.Equal(t, tc.ndots, cfg.Ndots)
			assert.Equal(t, tc.search, cfg.Search)
		})
	}
}

// With an ndots option of its own, a sandbox's single-label unknown names
// get an empty NOERROR instead of being forwarded (libnetwork's ndotsSet).
func TestUserNdotsStopsSingleLabelForwarding(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	plain := l.run("plain", network.RunOptions{Network: "localnet"})
	nd := l.run("nd", network.RunOptions{Network: "localnet", DNSOptions: []string{"ndots:2"}})
	l.settle()
	res := l.lookup(plain, "nosuchname", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, dns.RcodeNameError, res.Rcode)
	assert.Equal(t, dnsd.SourceUpstream, l.lastLog().Source)
	res = l.lookup(nd, "nosuchname", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, dns.RcodeSuccess, res.Rcode)
	assert.Empty(t, res.Addrs)
	assert.Equal(t, dnsd.SourceNdots, l.lastLog().Source)
}

// Docker's DOCKER-ISOLATION chains: no forwarding between two bridges.
func TestBridgesAreIsolated(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c1 := l.run("c1", network.RunOptions{Network: "localnet"})
	c3 := l.run("c3", network.RunOptions{})
	l.settle()

	p := l.ping(c3, l.ip(c1, "localnet"))
	assert.Equal(t, 0, p.Received)
	assert.Equal(t, uint64(1), l.node.Drops(DropIsolation))
	p = l.ping(c1, l.ip(c3, "bridge"))
	assert.Equal(t, 0, p.Received)
	assert.Equal(t, uint64(2), l.node.Drops(DropIsolation))
	assert.Equal(t, map[string]uint64{DropIsolation: 2}, l.node.Stats())

	// The node's own addresses on other bridges stay reachable (INPUT).
	assert.Equal(t, 1, l.ping(c3, netip.MustParseAddr("172.18.0.1")).Received)
	// And both reach the underlay.
	assert.Equal(t, 1, l.ping(c3, nsAddr).Received)
	assert.Equal(t, 1, l.ping(c1, nsAddr).Received)
	assert.Equal(t, uint64(2), l.node.Drops(DropIsolation))
}

func TestAliasesRoundRobin(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	w1 := l.run("web1", network.RunOptions{Network: "localnet", Aliases: []string{"web"}})
	w2 := l.run("web2", network.RunOptions{Network: "localnet", Aliases: []string{"web"}})
	c := l.run("client", network.RunOptions{Network: "localnet"})
	l.settle()
	want := []netip.Addr{l.ip(w1, "localnet"), l.ip(w2, "localnet")}
	firsts := map[netip.Addr]int{}
	for range 16 {
		res := l.lookup(c, "web", dns.TypeA)
		require.NoError(t, res.Err)
		assert.ElementsMatch(t, want, res.Addrs)
		firsts[res.Addrs[0]]++
	}
	assert.Len(t, firsts, 2, "both containers came first in some answer: %v", firsts)
	// Pinging the alias reaches one of them.
	res := l.lookup(c, "web", dns.TypeA)
	assert.Equal(t, 1, l.ping(c, res.Addrs[0]).Received)
}

func TestConnectDisconnectAtRunTime(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c1 := l.run("c1", network.RunOptions{Network: "localnet"})
	c3 := l.run("c3", network.RunOptions{})
	l.settle()
	c1IP := l.ip(c1, "localnet")

	_, err := l.node.Controller().Connect("c3", "localnet", network.EndpointOptions{})
	require.NoError(t, err)
	assert.True(t, c3.EmbeddedDNS())
	assert.Equal(t, "nameserver 127.0.0.11\noptions ndots:0\n", c3.ResolvConf())
	nic, ok := c3.NIC("localnet")
	require.True(t, ok)
	assert.Equal(t, "eth1", nic.Name())
	// libnetwork's gateway order: "bridge" sorts before "localnet".
	gw, _ := c3.Host.Gateway()
	assert.Equal(t, netip.MustParseAddr("172.17.0.1"), gw)

	res := l.lookup(c3, "c1", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{c1IP}, res.Addrs)
	assert.Equal(t, 1, l.ping(c3, c1IP).Received)
	// c1 sees c3 by name too.
	res = l.lookup(c1, "c3", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{l.ip(c3, "localnet")}, res.Addrs)

	require.NoError(t, l.node.Controller().Disconnect("c3", "localnet", false))
	_, ok = c3.NIC("localnet")
	assert.False(t, ok)
	assert.Empty(t, nic.Addrs())
	assert.False(t, nic.Carrier())
	br, _ := l.node.Bridge("localnet")
	_, ok = br.PortByName("c3")
	assert.False(t, ok, "the switch port went away")

	res = l.lookup(c3, "c1", dns.TypeA)
	assert.ErrorIs(t, res.Err, resolv.ErrServerFailure)
	assert.Equal(t, dnsd.SourceRefused, l.lastLog().Source)
	res = l.lookup(c1, "c3", dns.TypeA)
	assert.Empty(t, res.Addrs, "c3 is no longer on localnet")
	assert.Equal(t, 0, l.ping(c3, c1IP).Received)

	// Connecting again gives a new interface, and names work again.
	_, err = l.node.Controller().Connect("c3", "localnet", network.EndpointOptions{})
	require.NoError(t, err)
	nic2, ok := c3.NIC("localnet")
	require.True(t, ok)
	assert.Equal(t, "eth2", nic2.Name())
	res = l.lookup(c3, "c1", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{c1IP}, res.Addrs)
	assert.Equal(t, 1, l.ping(c3, c1IP).Received)
}

func TestDefaultRouteFollowsLibnetworkOrder(t *testing.T) {
	l := newLab(t, 1)
	l.create("zeta", network.CreateOptions{Subnets: []string{"10.30.0.0/24"}})
	l.create("alpha", network.CreateOptions{Subnets: []string{"10.20.0.0/24"}})
	l.create("aaa-internal", network.CreateOptions{Subnets: []string{"10.10.0.0/24"}, Internal: true})
	c := l.run("ct", network.RunOptions{Network: "aaa-internal"})
	_, ok := c.Host.Gateway()
	assert.False(t, ok, "internal networks give no default route")
	_, err := l.node.Controller().Connect("ct", "zeta", network.EndpointOptions{})
	require.NoError(t, err)
	gw, _ := c.Host.Gateway()
	assert.Equal(t, netip.MustParseAddr("10.30.0.1"), gw)
	_, err = l.node.Controller().Connect("ct", "alpha", network.EndpointOptions{})
	require.NoError(t, err)
	gw, _ = c.Host.Gateway()
	assert.Equal(t, netip.MustParseAddr("10.20.0.1"), gw, "alpha sorts first")
	require.NoError(t, l.node.Controller().Disconnect("ct", "alpha", false))
	gw, _ = c.Host.Gateway()
	assert.Equal(t, netip.MustParseAddr("10.30.0.1"), gw)
	require.NoError(t, l.node.Controller().Disconnect("ct", "zeta", false))
	_, ok = c.Host.Gateway()
	assert.False(t, ok)
}

func TestInternalNetworkHasNoWayOut(t *testing.T) {
	l := newLab(t, 1)
	l.create("backend", network.CreateOptions{Subnets: []string{"10.30.0.0/24"}, Internal: true})
	l.create("localnet", network.CreateOptions{})
	db := l.run("db", network.RunOptions{Network: "backend"})
	app1 := l.run("app1", network.RunOptions{Network: "backend"})
	_, err := l.node.Controller().Connect("app1", "localnet", network.EndpointOptions{})
	require.NoError(t, err)
	web := l.run("web", network.RunOptions{Network: "localnet"})
	l.settle()
	dbIP := l.ip(db, "backend")

	_, ok := db.Host.Gateway()
	assert.False(t, ok)
	gw, _ := app1.Host.Gateway()
	assert.Equal(t, netip.MustParseAddr("172.18.0.1"), gw, "only localnet gives a gateway")

	// No route out of the internal network.
	p := l.ping(db, nsAddr)
	assert.Equal(t, 0, p.Received)
	// Inside it, and to its gateway, all is well.
	assert.Equal(t, 1, l.ping(db, l.ip(app1, "backend")).Received)
	assert.Equal(t, 1, l.ping(db, netip.MustParseAddr("10.30.0.1")).Received)

	// The node forwards nothing into it, from the underlay or a bridge.
	p = l.pingFrom(l.ns, dbIP)
	assert.Equal(t, 0, p.Received)
	assert.Equal(t, uint64(1), l.node.Drops(DropInternal))
	p = l.ping(web, dbIP)
	assert.Equal(t, 0, p.Received)
	assert.Equal(t, uint64(2), l.node.Drops(DropInternal))
	// Even a container that routes through the gateway by hand gets out
	// no further than the node.
	require.NoError(t, db.Host.AddRoute(netip.MustParsePrefix("192.168.50.0/24"), netip.MustParseAddr("10.30.0.1")))
	p = l.ping(db, nsAddr)
	assert.Equal(t, 0, p.Received)
	assert.Equal(t, uint64(3), l.node.Drops(DropInternal))
	assert.Equal(t, uint64(0), l.node.Drops(DropIsolation))

	// Names on the network resolve; the outside world does not (the
	// node's upstreams are skipped for internal-only sandboxes).
	res := l.lookup(db, "app1", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{l.ip(app1, "backend")}, res.Addrs)
	res = l.lookup(db, "example.com", dns.TypeA)
	assert.ErrorIs(t, res.Err, resolv.ErrServerFailure)
	assert.Equal(t, dnsd.SourceFailed, l.lastLog().Source)
	// app1 has a way out, so its upstream query is forwarded.
	res = l.lookup(app1, "example.com", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{exampleIP}, res.Addrs)
}

func TestUpstreamFailover(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c := l.run("ct", network.RunOptions{Network: "localnet", DNS: []netip.Addr{deadNS, nsAddr}})
	plain := l.run("plain", network.RunOptions{Network: "localnet"})
	l.settle()
	assert.Equal(t, "nameserver 127.0.0.11\noptions ndots:0\n", c.ResolvConf())

	start := l.loop.Now()
	res := l.lookup(c, "example.com", dns.TypeA)
	took := l.loop.Now() - start
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{exampleIP}, res.Addrs)
	e := l.lastLog()
	assert.Equal(t, dnsd.SourceUpstream, e.Source)
	assert.Equal(t, 2, e.Attempts)
	assert.Equal(t, "192.168.50.53:53", e.Upstream)
	assert.GreaterOrEqual(t, took, dnsd.DefaultUpstreamTimeout, "the dead server cost one timeout")
	assert.Less(t, took, resolv.DefaultTimeout, "the stub did not have to retry")
	// --dns servers are asked from the container's namespace, masqueraded
	// to the node's address on the way out.
	assert.Equal(t, []netip.Addr{nodeAddr.Addr()}, l.clients)

	// The dead upstream is remembered: the next query goes to ns1 first.
	res = l.lookup(c, "big.example.com", dns.TypeAAAA)
	require.NoError(t, res.Err)
	assert.Equal(t, 1, l.lastLog().Attempts)

	// Without --dns, the node's servers are asked from the node itself.
	l.clients = nil
	res = l.lookup(plain, "example.com", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{exampleIP}, res.Addrs)
	assert.Equal(t, []netip.Addr{nodeAddr.Addr()}, l.clients)

	// Every upstream dead: SERVFAIL, and the stub reports a failure.
	d := l.run("dd", network.RunOptions{Network: "localnet", DNS: []netip.Addr{deadNS}})
	res = l.lookup(d, "example.com", dns.TypeA)
	assert.ErrorIs(t, res.Err, resolv.ErrServerFailure)
}

// An upstream answer too large for UDP is asked again over TCP by the
// exchanger, and the stub's own retry over TCP reaches 127.0.0.11:53.
func TestTruncatedAnswersGoOverTCP(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c := l.run("ct", network.RunOptions{Network: "localnet"})
	l.settle()
	res := l.lookup(c, "big.example.com", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Len(t, res.Addrs, 60)
	assert.Equal(t, []string{"127.0.0.11 big.example.com. A", "127.0.0.11 big.example.com. A tcp"}, res.Tried)
	log := l.node.DNS().Log()
	require.Len(t, log, 2)
	assert.Equal(t, dnsd.SourceUpstream, log[0].Source)
	assert.True(t, log[0].TC)
	assert.Less(t, len(log[0].Answers), 60, "truncated for the stub's UDP")
	// Truncated answers are never cached: the exchanger got the whole
	// answer over TCP.
	assert.Equal(t, dnsd.SourceCache, log[1].Source)
	assert.Len(t, log[1].Answers, 60)
	assert.True(t, log[1].Client.TCP)
	assert.False(t, log[1].TC)
}

func TestEmbeddedDNSListensOnlyOn127_0_0_11(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	c1 := l.run("c1", network.RunOptions{Network: "localnet"})
	c2 := l.run("c2", network.RunOptions{Network: "localnet"})
	l.settle()
	q := new(dns.Msg).SetQuestion("c1.", dns.TypeA)
	wire, err := q.Pack()
	require.NoError(t, err)
	var (
		got  error
		done bool
	)
	app.UDPExchange(c2.Host, netip.AddrPortFrom(l.ip(c1, "localnet"), 53), wire, time.Second, func(_ []byte, err error) { got, done = err, true })
	l.wait("exchange", func() bool { return done })
	assert.ErrorIs(t, got, app.ErrTimeout)
	assert.Equal(t, uint64(1), l.node.Drops(DropDNSAddr))
}

func TestNetworkRemoveTakesTheGatewayAway(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	gw, ok := l.node.GatewayNIC("localnet")
	require.True(t, ok)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("172.18.0.1/16")}, gw.Addrs())
	require.NoError(t, l.node.Controller().Remove("localnet"))
	_, ok = l.node.Bridge("localnet")
	assert.False(t, ok)
	assert.Empty(t, gw.Addrs())
	assert.False(t, l.node.Host().HasAddr(netip.MustParseAddr("172.18.0.1")))
	// The subnet is free again and a new network gets it, on a new NIC.
	l.create("other", network.CreateOptions{})
	gw2, ok := l.node.GatewayNIC("other")
	require.True(t, ok)
	assert.NotSame(t, gw, gw2)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("172.18.0.1/16")}, gw2.Addrs())
	c := l.run("ct", network.RunOptions{Network: "other"})
	l.settle()
	assert.Equal(t, 1, l.ping(c, netip.MustParseAddr("172.18.0.1")).Received)
}

func TestCustomBridgeNameReused(t *testing.T) {
	l := newLab(t, 1)
	opts := network.CreateOptions{Options: map[string]string{network.OptionBridgeName: "mybr"}}
	l.create("a", opts)
	require.NoError(t, l.node.Controller().Remove("a"))
	l.create("b", opts)
	br, ok := l.node.Bridge("b")
	require.True(t, ok)
	assert.Equal(t, "mybr", br.Name())
	gw, _ := l.node.GatewayNIC("b")
	assert.Equal(t, "mybr~2", gw.Name(), "the host keeps the old NIC")
	c := l.run("ct", network.RunOptions{Network: "b"})
	l.settle()
	assert.Equal(t, 1, l.ping(c, netip.MustParseAddr("172.18.0.1")).Received)
}

func TestHostNoneAndContainerModes(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	h := l.run("hc", network.RunOptions{Network: "host"})
	assert.Same(t, l.node.Host(), h.Host)
	assert.Same(t, l.node.TCP(), h.TCP)
	assert.Equal(t, "nameserver 192.168.50.53\n", h.ResolvConf())
	assert.Empty(t, h.Interfaces())

	none := l.run("none", network.RunOptions{Network: "none"})
	assert.NotSame(t, l.node.Host(), none.Host)
	assert.Empty(t, none.Host.NICs())
	assert.Equal(t, 0, l.ping(none, nsAddr).Received)

	c1 := l.run("c1", network.RunOptions{Network: "localnet"})
	side := l.run("side", network.RunOptions{Network: "container:c1"})
	assert.Same(t, c1.Host, side.Host)
	assert.Same(t, c1.Resolver, side.Resolver)
	assert.Equal(t, c1.ResolvConf(), side.ResolvConf())
	assert.Equal(t, c1.Interfaces(), side.Interfaces())
	l.settle()
	res := l.lookup(side, "c1", dns.TypeA)
	require.NoError(t, res.Err)

	// Removing containers leaves the others working.
	require.NoError(t, l.node.Controller().RemoveSandbox("side"))
	assert.True(t, side.Removed())
	_, ok := l.node.Container("side")
	assert.False(t, ok)
	require.NoError(t, l.node.Controller().RemoveSandbox("c1"))
	assert.Len(t, l.node.Containers(), 2)
}

func TestStartServices(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	l.run("web", network.RunOptions{Network: "localnet"})
	c := l.run("ct", network.RunOptions{Network: "localnet"})
	require.NoError(t, l.node.StartServices("web",
		Service{HTTP: 80, Body: "Welcome to nginx!"},
		Service{UDPEcho: 7},
		Service{DNS: 5353, Records: map[string][]string{"x.test": {"10.1.2.3"}}},
	))
	l.settle()
	res := l.lookup(c, "web", dns.TypeA)
	require.NoError(t, res.Err)
	var (
		resp app.Response
		err  error
		done bool
	)
	app.Get(c.TCP, netip.AddrPortFrom(res.Addrs[0], 80), "web", "/", 0, func(r app.Response, e error) { resp, err, done = r, e, true })
	l.wait("http get", func() bool { return done })
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, "Welcome to nginx!", string(resp.Body))

	tests := []struct {
		name      string
		container string
		svc       Service
		want      error
	}{
		{"unknown container", "nosuch", Service{HTTP: 80}, ErrNoContainer},
		{"port in use", "web", Service{HTTP: 80}, ErrService},
		{"two kinds", "web", Service{HTTP: 81, UDPEcho: 8}, ErrService},
		{"nothing", "web", Service{}, ErrService},
		{"bad zone", "web", Service{DNS: 53, Records: map[string][]string{"x.test": {"nope"}}}, ErrService},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := l.node.StartServices(tc.container, tc.svc)
			assert.ErrorIs(t, err, tc.want)
		})
	}
}

// scenario runs a fixed lab and returns the trace hash and event count.
func scenario(t *testing.T, seed uint64) (string, uint64) {
	l := newLab(t, seed)
	l.create("localnet", network.CreateOptions{})
	l.create("backend", network.CreateOptions{Internal: true})
	c1 := l.run("c1", network.RunOptions{Network: "localnet", Aliases: []string{"web"}})
	c2 := l.run("c2", network.RunOptions{Network: "localnet", Aliases: []string{"web"}, DNS: []netip.Addr{deadNS, nsAddr}})
	c3 := l.run("c3", network.RunOptions{})
	l.run("db", network.RunOptions{Network: "backend"})
	l.settle()
	for _, name := range []string{"c1", "web", "example.com", "db"} {
		l.lookup(c2, name, dns.TypeA)
	}
	l.ping(c2, l.ip(c1, "localnet"))
	l.ping(c3, l.ip(c1, "localnet"))
	_, err := l.node.Controller().Connect("c3", "localnet", network.EndpointOptions{})
	require.NoError(t, err)
	l.lookup(c3, "web", dns.TypeA)
	require.NoError(t, l.node.Controller().Disconnect("c3", "localnet", false))
	l.lookup(c3, "c1", dns.TypeA)
	require.NoError(t, l.loop.Run(l.loop.Now()+time.Minute))
	return l.loop.Trace().Hash(), l.loop.Trace().Count()
}

func TestTraceIsDeterministic(t *testing.T) {
	h1, n1 := scenario(t, 7)
	h2, n2 := scenario(t, 7)
	assert.Equal(t, h1, h2)
	assert.Equal(t, n1, n2)
	assert.Greater(t, n1, uint64(100))
	h3, _ := scenario(t, 8)
	assert.NotEqual(t, h1, h3, "another seed draws other MACs and IDs")
}

func TestScaleThousandContainers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 1000 containers")
	}
	var before, after runtimeMem
	before.read()
	l, cs := buildMany(t, 1000)
	after.read()
	perContainer := (after.total - before.total) / 1000
	t.Logf("%d bytes allocated per container", perContainer)
	// A budget, not a measurement of speed: a container (host, TCP stack,
	// resolver, link, switch port, DNS records) stays small.
	assert.Less(t, perContainer, uint64(64<<10))
	br, _ := l.node.Bridge("localnet")
	assert.Len(t, br.Ports(), 1001)
	last := cs[len(cs)-1]
	assert.Equal(t, netip.MustParseAddr("172.18.3.233"), l.ip(last, "localnet"))
	res := l.lookup(cs[0], last.Name(), dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, []netip.Addr{l.ip(last, "localnet")}, res.Addrs)
	assert.Equal(t, 1, l.ping(cs[0], res.Addrs[0]).Received)
}

func buildMany(t testing.TB, n int) (*lab, []*Container) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	cs := make([]*Container, 0, n)
	for i := range n {
		cs = append(cs, l.run("c"+itoa(i), network.RunOptions{Network: "localnet"}))
	}
	return l, cs
}

func BenchmarkBuild1000(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		buildMany(b, 1000)
	}
}

func TestErrorsAreSentinels(t *testing.T) {
	l := newLab(t, 1)
	_, ok := l.node.Container("nosuch")
	assert.False(t, ok)
	err := l.node.StartServices("nosuch")
	assert.True(t, errors.Is(err, ErrNoContainer))
	assert.True(t, slices.Equal([]netip.Addr{nsAddr}, l.node.Upstreams()))
}

func TestICCOff(t *testing.T) {
	l := newLab(t, 1)
	l.create("quiet", network.CreateOptions{Options: map[string]string{network.OptionEnableICC: "false"}})
	a := l.run("aa", network.RunOptions{Network: "quiet"})
	b := l.run("bb", network.RunOptions{Network: "quiet"})
	l.settle()
	// Names still resolve (127.0.0.11 is inside the container).
	res := l.lookup(a, "bb", dns.TypeA)
	require.NoError(t, res.Err)
	assert.Equal(t, 0, l.ping(a, l.ip(b, "quiet")).Received)
	assert.Equal(t, uint64(1), l.node.Drops(DropICC))
	// The gateway and the world beyond it stay reachable.
	assert.Equal(t, 1, l.ping(a, netip.MustParseAddr("172.18.0.1")).Received)
	assert.Equal(t, 1, l.ping(b, nsAddr).Received)
	assert.Equal(t, uint64(1), l.node.Drops(DropICC))
}

// The filters on the forwarding path do not allocate.
func TestFiltersDoNotAllocate(t *testing.T) {
	l := newLab(t, 1)
	l.create("localnet", network.CreateOptions{})
	in := l.node.planeFor("localnet")
	out := l.node.planeFor("bridge")
	f := testFrame(in.gw.MAC(), netip.MustParseAddr("172.18.0.2"), netip.MustParseAddr("172.17.0.2"))
	allocs := testing.AllocsPerRun(100, func() {
		if _, drop := l.node.ingressVerdict(in, in.gw, f); !drop {
			t.Fatal("not dropped")
		}
		if l.node.forwarded(f) != true {
			t.Fatal("not forwarded")
		}
		if containerToContainer(f, out.gw.MAC()) != true {
			t.Fatal("not container to container")
		}
	})
	assert.Equal(t, 0.0, allocs)
}

// testFrame returns an ICMP echo request frame from src to dst, sent to
// the MAC dstMAC.
func testFrame(dstMAC frame.MAC, src, dst netip.Addr) []byte {
	b := make([]byte, 128)
	n := frame.PutEthernet(b, dstMAC, frame.MAC{0x02, 0, 0, 0, 0, 2}, frame.TypeIPv4)
	icmp := frame.PutICMPEcho(b[n+frame.IPv4MinLen:], frame.ICMPEchoRequest, 1, 1, nil)
	n += frame.PutIPv4(b[n:], frame.IPv4Header{TotalLen: uint16(frame.IPv4MinLen + icmp), TTL: 64, Protocol: frame.ProtoICMP, Src: src, Dst: dst})
	return b[:n+icmp]
}

func BenchmarkIngressVerdict(b *testing.B) {
	l := newLab(b, 1)
	l.create("localnet", network.CreateOptions{})
	in := l.node.planeFor("localnet")
	f := testFrame(in.gw.MAC(), netip.MustParseAddr("172.18.0.2"), netip.MustParseAddr("192.168.50.53"))
	b.ReportAllocs()
	for b.Loop() {
		l.node.ingressVerdict(in, in.gw, f)
	}
}

// Two nodes on one loop and one underlay keep apart: their docker0
// networks share a subnet, their containers may share names.
func TestTwoNodesOnOneUnderlay(t *testing.T) {
	l := newLab(t, 1)
	n2, err := New(l.loop, Config{Name: "host2", Underlay: netip.MustParsePrefix("192.168.50.12/24"), Gateway: nsAddr, DNS: []netip.Addr{nsAddr}})
	require.NoError(t, err)
	l.plug(n2.Underlay(), "host2")
	gw, ok := n2.Host().Gateway()
	require.True(t, ok)
	assert.Equal(t, nsAddr, gw)

	a := l.run("c1", network.RunOptions{})
	_, err = n2.Controller().Run("c1", network.RunOptions{})
	require.NoError(t, err)
	b, _ := n2.Container("c1")
	l.settle()
	assert.Equal(t, l.ip(a, "bridge"), l.ip(b, "bridge"), "each node has its own 172.17.0.0/16")
	assert.Equal(t, 1, l.pingFrom(l.node.Host(), netip.MustParseAddr("192.168.50.12")).Received)
	assert.Equal(t, 1, l.ping(b, netip.MustParseAddr("192.168.50.12")).Received)
	// host1 masquerades c1's ping: host2 answers host1's address, not
	// 172.17.0.2 (which it has on its own docker0).
	assert.Equal(t, 1, l.ping(a, netip.MustParseAddr("192.168.50.12")).Received)
	// Each reaches its own gateway, not the other node's.
	assert.Equal(t, 1, l.ping(b, netip.MustParseAddr("172.17.0.1")).Received)
	var gwMAC string
	for _, nb := range b.Host.Neighbors() {
		if nb.IP == netip.MustParseAddr("172.17.0.1") {
			gwMAC = nb.MAC.String()
		}
	}
	nw, _ := n2.Controller().FindNetwork("bridge")
	assert.Equal(t, nw.GatewayMAC().String(), gwMAC)
}
