package network

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/internal/frame"
)

func TestRunAndAddresses(t *testing.T) {
	c, _ := newTestController(t)
	bridge, _ := c.FindNetwork("bridge")
	local := mustCreate(t, c, "localnet", CreateOptions{})

	c1 := mustRun(t, c, "c1", RunOptions{})
	ep := c1.Endpoints()[0]
	assert.Equal(t, bridge, ep.Network())
	assert.Equal(t, "172.17.0.2/16", ep.Address().String(), "first container on docker0")
	assert.Equal(t, "172.17.0.1", ep.Gateway().String())
	assert.Empty(t, ep.DNSNames(), "no embedded DNS on the default bridge")
	assert.Len(t, c1.ID(), 64)
	assert.Equal(t, c1.ShortID(), c1.Hostname())
	assert.Equal(t, "bridge", c1.NetworkMode())

	c2 := mustRun(t, c, "c2", RunOptions{Network: "localnet", Aliases: []string{"web", "www"}})
	e2 := c2.EndpointOn(local)
	assert.Equal(t, "172.18.0.2/16", e2.Address().String())
	assert.Equal(t, []string{"c2", "web", "www", c2.ShortID()}, e2.DNSNames(), "name, aliases, short ID; the hostname is the short ID")
	assert.Equal(t, 1500, e2.MTU())
	mac := e2.MAC()
	assert.True(t, mac.IsLocal(), "Docker 28+: locally administered")
	assert.False(t, mac.IsMulticast())

	mustCreate(t, c, "fixed", CreateOptions{Subnets: []string{"10.9.0.0/16"}})
	c3 := mustRun(t, c, "c3", RunOptions{Network: "fixed", Hostname: "db.example", IP: netip.MustParseAddr("10.9.9.9")})
	assert.Equal(t, "10.9.9.9/16", c3.Endpoints()[0].Address().String())
	c4 := mustRun(t, c, "c4", RunOptions{Network: "localnet"})
	assert.Equal(t, "172.18.0.3/16", c4.Endpoints()[0].Address().String())
	assert.Equal(t, []string{"c3", c3.ShortID(), "db.example"}, c3.Endpoints()[0].DNSNames())
	assert.True(t, c3.Endpoints()[0].StaticIP())

	require.NoError(t, c.RemoveSandbox("c2"))
	c5 := mustRun(t, c, "c5", RunOptions{Network: local.ID()})
	assert.Equal(t, "172.18.0.2/16", c5.Endpoints()[0].Address().String(), "freed addresses are reused")

	host := mustRun(t, c, "hh", RunOptions{Network: "host"})
	assert.True(t, host.HostMode())
	assert.Equal(t, "host1", host.Hostname())
	assert.False(t, host.Endpoints()[0].Address().IsValid())
	assert.True(t, host.Endpoints()[0].MAC().IsZero())

	none := mustRun(t, c, "lonely", RunOptions{Network: "none"})
	assert.Equal(t, "none", none.Endpoints()[0].Network().Name())

	shared := mustRun(t, c, "side", RunOptions{Network: "container:c1"})
	assert.Equal(t, c1, shared.SharesNetnsWith())
	assert.Empty(t, shared.Endpoints())
	assert.Equal(t, c1.Hostname(), shared.Hostname())

	gen := mustRun(t, c, "", RunOptions{})
	assert.Regexp(t, `^[a-z]+_[a-z]+$`, gen.Name())
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		run  string
		opts RunOptions
		want string
	}{
		{"name in use", "c1", RunOptions{}, ""},
		{"bad name", "-x", RunOptions{}, "Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"},
		{"unknown network", "c9", RunOptions{Network: "nope"}, "failed to set up container networking: network nope not found"},
		{"alias on the default bridge", "c9", RunOptions{Aliases: []string{"web"}},
			"network-scoped aliases are only supported for user-defined networks"},
		{"ip on the default bridge", "c9", RunOptions{IP: netip.MustParseAddr("172.17.0.9")},
			"invalid config for network bridge: invalid endpoint settings:\nuser-specified IP address is supported on user-defined networks only"},
		{"ip in use", "c9", RunOptions{Network: "fixed", IP: netip.MustParseAddr("10.5.0.2")},
			"failed to set up container networking: Address already in use"},
		{"ip outside the subnet", "c9", RunOptions{Network: "fixed", IP: netip.MustParseAddr("10.6.0.2")},
			"failed to set up container networking: invalid endpoint settings:\nno configured subnet or ip-range contain the IP address 10.6.0.2"},
		{"ip on a dynamic subnet", "c9", RunOptions{Network: "localnet", IP: netip.MustParseAddr("172.18.0.50")},
			"failed to set up container networking: invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets"},
		{"exhausted", "c9", RunOptions{Network: "tiny"}, ""},
		{"joining a missing container", "c9", RunOptions{Network: "container:ghost"},
			"failed to set up container networking: joining network namespace of container: No such container: ghost"},
		{"hostname with container mode", "c9", RunOptions{Network: "container:c1", Hostname: "x"},
			"conflicting options: hostname and the network mode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestController(t)
			mustCreate(t, c, "localnet", CreateOptions{})
			mustCreate(t, c, "fixed", CreateOptions{Subnets: []string{"10.5.0.0/24"}})
			tiny := mustCreate(t, c, "tiny", CreateOptions{Subnets: []string{"10.7.0.0/30"}})
			c1 := mustRun(t, c, "c1", RunOptions{Network: "fixed"})
			mustRun(t, c, "t1", RunOptions{Network: "tiny"})
			want := tc.want
			switch tc.name {
			case "name in use":
				want = fmt.Sprintf(`Conflict. The container name "/c1" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.`, c1.ID())
			case "exhausted":
				want = fmt.Sprintf("failed to set up container networking: no available IPv4 addresses on this network's address pools: tiny (%s)", tiny.ID())
			}
			requireUnchanged(t, c, want, func() error {
				_, err := c.Run(tc.run, tc.opts)
				return err
			})
		})
	}
}

func TestConnectDisconnect(t *testing.T) {
	c, _ := newTestController(t)
	local := mustCreate(t, c, "localnet", CreateOptions{})
	back := mustCreate(t, c, "backend", CreateOptions{Subnets: []string{"10.30.0.0/24"}})
	c1 := mustRun(t, c, "c1", RunOptions{Network: "localnet"})

	ep, err := c.Connect("c1", "backend", EndpointOptions{IP: netip.MustParseAddr("10.30.0.10"), Aliases: []string{"db"}})
	require.NoError(t, err)
	assert.Equal(t, "10.30.0.10/24", ep.Address().String())
	assert.Equal(t, []string{"c1", "db", c1.ShortID()}, ep.DNSNames())
	assert.Len(t, c1.Endpoints(), 2)
	assert.Len(t, back.Endpoints(), 1)

	_, err = c.Connect(c1.ShortID(), "bridge", EndpointOptions{})
	require.NoError(t, err, "a bridge container may also join docker0")

	require.NoError(t, c.Disconnect("c1", "backend", false))
	assert.Nil(t, c1.EndpointOn(back))
	assert.False(t, back.Endpoints() != nil && len(back.Endpoints()) > 0)
	ep2, err := c.Connect("c1", "backend", EndpointOptions{})
	require.NoError(t, err)
	assert.Equal(t, "10.30.0.2/24", ep2.Address().String(), "lowest free; .10 was released")

	require.NoError(t, c.Disconnect("c1", local.ShortID(), false))
	require.NoError(t, c.Disconnect("c1", "backend", false))
	require.NoError(t, c.Disconnect("c1", "bridge", false))
	assert.Empty(t, c1.Endpoints(), "a container may be left with no network")
}

func TestConnectErrors(t *testing.T) {
	tests := []struct {
		name      string
		container string
		network   string
		opts      EndpointOptions
		want      string
	}{
		{name: "already connected", container: "c1", network: "localnet", want: "endpoint with name c1 already exists in network localnet"},
		{name: "alias on bridge", container: "c1", network: "bridge", opts: EndpointOptions{Aliases: []string{"x"}},
			want: "invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks"},
		{name: "ip on bridge", container: "c1", network: "bridge", opts: EndpointOptions{IP: netip.MustParseAddr("172.17.0.9")},
			want: "invalid endpoint settings:\nuser-specified IP address is supported on user-defined networks only"},
		{name: "ip and alias on bridge", container: "c1", network: "bridge",
			opts: EndpointOptions{IP: netip.MustParseAddr("172.17.0.9"), Aliases: []string{"x"}},
			want: "invalid endpoint settings:\nuser-specified IP address is supported on user-defined networks only\nnetwork-scoped aliases are only supported for user-defined networks"},
		{name: "ip in use", container: "c1", network: "fixed", opts: EndpointOptions{IP: netip.MustParseAddr("10.5.0.1")},
			want: "Address already in use"},
		{name: "ipv6 address", container: "c1", network: "fixed", opts: EndpointOptions{IP: netip.MustParseAddr("fd00::1")},
			want: "invalid endpoint settings:\ninvalid IPv4 address: fd00::1"},
		{name: "host-mode container", container: "hh", network: "localnet",
			want: "container sharing network namespace with another container or host cannot be connected to any other network"},
		{name: "shared namespace", container: "side", network: "localnet",
			want: "container sharing network namespace with another container or host cannot be connected to any other network"},
		{name: "to the host network", container: "c1", network: "host",
			want: "cannot connect container to host network - container must be created in host network mode"},
		{name: "none and another", container: "lonely", network: "localnet",
			want: "container cannot be connected to multiple networks with one of the networks in private (none) mode"},
		{name: "another and none", container: "c1", network: "none",
			want: "container cannot be connected to multiple networks with one of the networks in private (none) mode"},
		{name: "unknown network", container: "c1", network: "nope", want: "network nope not found"},
		{name: "unknown container", container: "ghost", network: "localnet", want: "No such container: ghost"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestController(t)
			mustCreate(t, c, "localnet", CreateOptions{})
			mustCreate(t, c, "fixed", CreateOptions{Subnets: []string{"10.5.0.0/24"}})
			mustRun(t, c, "c1", RunOptions{Network: "localnet"})
			mustRun(t, c, "hh", RunOptions{Network: "host"})
			mustRun(t, c, "side", RunOptions{Network: "container:c1"})
			mustRun(t, c, "lonely", RunOptions{Network: "none"})
			requireUnchanged(t, c, tc.want, func() error {
				_, err := c.Connect(tc.container, tc.network, tc.opts)
				return err
			})
		})
	}
}

func TestDisconnectErrors(t *testing.T) {
	c, _ := newTestController(t)
	mustCreate(t, c, "localnet", CreateOptions{})
	mustCreate(t, c, "other", CreateOptions{})
	c1 := mustRun(t, c, "c1", RunOptions{Network: "localnet"})
	mustRun(t, c, "hh", RunOptions{Network: "host"})

	requireUnchanged(t, c, fmt.Sprintf("container %s is not connected to network other", c1.ID()),
		func() error { return c.Disconnect("c1", "other", false) })
	requireUnchanged(t, c, "endpoint c1 not found", func() error { return c.Disconnect("c1", "other", true) })
	requireUnchanged(t, c, "network nope not found", func() error { return c.Disconnect("c1", "nope", false) })
	requireUnchanged(t, c, "No such container: ghost", func() error { return c.Disconnect("ghost", "localnet", false) })
	requireUnchanged(t, c, "endpoint ghost not found", func() error { return c.Disconnect("ghost", "localnet", true) })
	requireUnchanged(t, c, "container cannot be disconnected from host network or connected to host network",
		func() error { return c.Disconnect("hh", "host", false) })
	requireUnchanged(t, c, "No such container: ghost", func() error { return c.RemoveSandbox("ghost") })
}

func TestSandboxLookup(t *testing.T) {
	c, _ := newTestController(t)
	a := mustRun(t, c, "alpha", RunOptions{})
	b := mustRun(t, c, "beta", RunOptions{})
	got, err := c.FindSandbox("/alpha")
	require.NoError(t, err)
	assert.Equal(t, a, got)
	got, err = c.FindSandbox(b.ID()[:8])
	require.NoError(t, err)
	assert.Equal(t, b, got)
	_, err = c.FindSandbox("")
	assert.EqualError(t, err, "No such container: ")
	// Force an ambiguous prefix.
	b.id = a.id[:10] + b.id[10:]
	_, err = c.FindSandbox(a.id[:10])
	assert.EqualError(t, err, "multiple IDs found with provided prefix: "+a.id[:10])
}

func TestMACGenerators(t *testing.T) {
	assert.Equal(t, frame.MAC{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}, MACFromIP(netip.MustParseAddr("172.17.0.2")))
	c, _ := newTestController(t)
	seen := map[frame.MAC]bool{}
	for i := 0; i < 1000; i++ {
		m := RandomMAC(c.rng)
		assert.True(t, m.IsLocal() && !m.IsMulticast(), "%s", m)
		seen[m] = true
	}
	assert.Len(t, seen, 1000)
}

// recorder logs observer calls.
type recorder struct{ log []string }

func (r *recorder) NetworkCreated(n *Network) { r.log = append(r.log, "net+ "+n.Name()) }
func (r *recorder) NetworkRemoved(n *Network) { r.log = append(r.log, "net- "+n.Name()) }
func (r *recorder) SandboxCreated(s *Sandbox) { r.log = append(r.log, "sb+ "+s.Name()) }
func (r *recorder) SandboxRemoved(s *Sandbox) { r.log = append(r.log, "sb- "+s.Name()) }
func (r *recorder) EndpointJoined(e *Endpoint) {
	r.log = append(r.log, "ep+ "+e.Name()+"@"+e.Network().Name())
}
func (r *recorder) EndpointLeft(e *Endpoint) {
	r.log = append(r.log, "ep- "+e.Name()+"@"+e.Network().Name())
}

func TestObserver(t *testing.T) {
	c, _ := newTestController(t)
	r := &recorder{}
	c.AddObserver(r)
	mustCreate(t, c, "localnet", CreateOptions{})
	mustCreate(t, c, "gone", CreateOptions{})
	mustRun(t, c, "c1", RunOptions{Network: "localnet"})
	_, err := c.Connect("c1", "bridge", EndpointOptions{})
	require.NoError(t, err)
	_, _ = c.Connect("c1", "bridge", EndpointOptions{}) // fails: no event
	_, _ = c.Create("localnet", CreateOptions{})        // fails: no event
	require.NoError(t, c.Disconnect("c1", "bridge", false))
	pruneAll, _ := ParseFilters(nil)
	_, err = c.Prune(pruneAll)
	require.NoError(t, err)
	require.NoError(t, c.RemoveSandbox("c1"))
	require.NoError(t, c.Remove("localnet"))
	assert.Equal(t, []string{
		"net+ localnet", "net+ gone", "sb+ c1", "ep+ c1@localnet", "ep+ c1@bridge", "ep- c1@bridge",
		"net- gone", "ep- c1@localnet", "sb- c1", "net- localnet",
	}, r.log)
}

func TestDeterministic(t *testing.T) {
	script := func() string {
		c, _ := newTestController(t)
		mustCreate(t, c, "localnet", CreateOptions{})
		mustRun(t, c, "c1", RunOptions{Network: "localnet"})
		_, _ = c.Create("localnet", CreateOptions{}) // a failure must not shift later IDs
		mustRun(t, c, "c2", RunOptions{Network: "localnet"})
		return snapshot(t, c)
	}
	assert.Equal(t, script(), script())

	c, _ := newTestController(t)
	mustCreate(t, c, "localnet", CreateOptions{})
	_, _ = c.Create("localnet", CreateOptions{})
	_, _ = c.Run("bad/name", RunOptions{})
	a := mustRun(t, c, "c1", RunOptions{Network: "localnet"})
	d, _ := newTestController(t)
	mustCreate(t, d, "localnet", CreateOptions{})
	b := mustRun(t, d, "c1", RunOptions{Network: "localnet"})
	assert.Equal(t, a.ID(), b.ID(), "failed calls leave the random stream where it was")
	assert.Equal(t, a.Endpoints()[0].MAC(), b.Endpoints()[0].MAC())
}

// Without --name, names come from adjective_surname; once those run out
// the short ID is used, as Docker's daemon does, so creating many
// unnamed containers always ends and never reuses a name.
func TestGeneratedNamesNeverRunOut(t *testing.T) {
	c, err := NewController(ControllerConfig{Rand: rand.New(rand.NewPCG(1, 2))})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	shortIDs := 0
	for range 3000 {
		sb, err := c.Run("", RunOptions{Network: "none"})
		if err != nil {
			t.Fatal(err)
		}
		if seen[sb.Name()] {
			t.Fatalf("name %q given twice", sb.Name())
		}
		seen[sb.Name()] = true
		if sb.Name() == ShortID(sb.ID()) {
			shortIDs++
		}
	}
	if shortIDs == 0 {
		t.Error("3000 containers but never the short-ID fallback (16x16x10 generated names at most)")
	}
}
