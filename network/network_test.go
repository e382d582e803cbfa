package network

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/network/ipam"
)

func TestPredefinedNetworks(t *testing.T) {
	c, _ := newTestController(t)
	ns := c.Networks()
	require.Len(t, ns, 3)
	tests := []struct {
		name, driver, subnet, gateway string
		mtu                           int
	}{
		{"bridge", "bridge", "172.17.0.0/16", "172.17.0.1", 1500},
		{"host", "host", "", "", 0},
		{"none", "null", "", "", 0},
	}
	for i, tc := range tests {
		n := ns[i]
		assert.Equal(t, tc.name, n.Name())
		assert.Equal(t, tc.driver, n.DriverName())
		assert.Len(t, n.ID(), 64)
		assert.Equal(t, n.ID()[:12], n.ShortID())
		assert.True(t, n.Predefined())
		assert.False(t, n.EmbeddedDNS(), "%s has no embedded DNS", tc.name)
		assert.Equal(t, tc.mtu, n.MTU())
		if tc.subnet != "" {
			assert.Equal(t, []netip.Prefix{netip.MustParsePrefix(tc.subnet)}, n.Subnets())
			assert.Equal(t, tc.gateway, n.Gateway().String())
		} else {
			assert.Empty(t, n.Subnets())
		}
	}
	assert.Equal(t, "docker0", ns[0].BridgeName())
	assert.Equal(t, map[string]string{
		"com.docker.network.bridge.default_bridge":       "true",
		"com.docker.network.bridge.enable_icc":           "true",
		"com.docker.network.bridge.enable_ip_masquerade": "true",
		"com.docker.network.bridge.host_binding_ipv4":    "0.0.0.0",
		"com.docker.network.bridge.name":                 "docker0",
		"com.docker.network.driver.mtu":                  "1500",
	}, ns[0].Options())
}

func TestDaemonSettings(t *testing.T) {
	c, _ := newTestController(t, func(cfg *ControllerConfig) {
		cfg.MTU = 9000
		cfg.BIP = netip.MustParsePrefix("10.99.0.1/24")
	})
	b, err := c.FindNetwork("bridge")
	require.NoError(t, err)
	assert.Equal(t, 9000, b.MTU())
	assert.Equal(t, "9000", b.Option(OptionMTU))
	assert.Equal(t, "10.99.0.1", b.Gateway().String())
	assert.Equal(t, []IPAMConfig{{Subnet: "10.99.0.0/24", Gateway: "10.99.0.1"}}, b.Inspect().IPAM.Config)
	n := mustCreate(t, c, "n1", CreateOptions{})
	assert.Equal(t, "172.17.0.0/16", n.Subnets()[0].String(), "172.17/16 is free when docker0 is elsewhere")
	assert.Equal(t, 1500, n.MTU(), "dockerd --mtu applies to docker0 only")
}

func TestCreateAllocatesLikeDocker(t *testing.T) {
	c, _ := newTestController(t)
	n := mustCreate(t, c, "localnet", CreateOptions{Driver: "bridge"})
	assert.Equal(t, "172.18.0.0/16", n.Subnets()[0].String(), "docker0 holds 172.17")
	assert.Equal(t, "172.18.0.1", n.Gateway().String())
	assert.Equal(t, "br-"+n.ShortID(), n.BridgeName())
	assert.True(t, n.EmbeddedDNS())
	assert.True(t, n.GatewayMAC().IsLocal() && !n.GatewayMAC().IsMulticast())
	assert.Equal(t, []IPAMConfig{{Subnet: "172.18.0.0/16", Gateway: "172.18.0.1"}}, n.Inspect().IPAM.Config)

	want := ipamDefaultOrder()
	for i := 1; i < 30; i++ {
		n := mustCreate(t, c, fmt.Sprintf("net%d", i), CreateOptions{})
		assert.Equal(t, want[i+1], n.Subnets()[0].String())
	}
	requireUnchanged(t, c, "all predefined address pools have been fully subnetted", func() error {
		_, err := c.Create("one-too-many", CreateOptions{})
		return err
	})
}

func ipamDefaultOrder() []string {
	var want []string
	for i := 17; i <= 31; i++ {
		want = append(want, fmt.Sprintf("172.%d.0.0/16", i))
	}
	for i := 0; i < 16; i++ {
		want = append(want, fmt.Sprintf("192.168.%d.0/20", i*16))
	}
	return want
}

func TestCustomPoolsAndReservedPrefixes(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*ControllerConfig)
		want []string // docker0, then user networks
	}{
		{"custom pools", func(cfg *ControllerConfig) { cfg.Pools = pools("10.200.0.0/16", "24") },
			[]string{"10.200.0.0/24", "10.200.1.0/24", "10.200.2.0/24"}},
		{"LAN route reserved", func(cfg *ControllerConfig) {
			cfg.Reserved = []netip.Prefix{netip.MustParsePrefix("172.18.0.0/16"), netip.MustParsePrefix("172.19.0.0/16")}
		}, []string{"172.17.0.0/16", "172.20.0.0/16", "172.21.0.0/16"}},
		{"docker0 moves off the LAN", func(cfg *ControllerConfig) {
			cfg.Reserved = []netip.Prefix{netip.MustParsePrefix("172.16.0.0/12")}
		}, []string{"192.168.0.0/20", "192.168.16.0/20"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestController(t, tc.cfg)
			b, _ := c.FindNetwork("bridge")
			got := []string{b.Subnets()[0].String()}
			for i := 1; i < len(tc.want); i++ {
				got = append(got, mustCreate(t, c, fmt.Sprintf("n%d", i), CreateOptions{}).Subnets()[0].String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
	_, err := NewController(ControllerConfig{Pools: pools("10.0.0.1/8", "16")})
	assert.ErrorContains(t, err, "is not in canonical form")
}

func TestCreateErrors(t *testing.T) {
	f := false
	tests := []struct {
		name  string
		setup func(c *Controller)
		net   string
		opts  CreateOptions
		want  string
		class error
	}{
		{name: "duplicate name", setup: func(c *Controller) { mustCreate(t, c, "localnet", CreateOptions{}) },
			net: "localnet", want: "network with name localnet already exists", class: ErrConflict},
		{name: "predefined bridge", net: "bridge", want: "operation is not permitted on predefined bridge network ", class: ErrForbidden},
		{name: "predefined host", net: "host", want: "operation is not permitted on predefined host network ", class: ErrForbidden},
		{name: "predefined none", net: "none", want: "operation is not permitted on predefined none network ", class: ErrForbidden},
		{name: "subnet overlaps docker0", net: "n", opts: CreateOptions{Subnets: []string{"172.17.0.0/16"}},
			want: "invalid pool request: Pool overlaps with other one on this address space", class: ErrForbidden},
		{name: "subnet overlaps a user network", net: "n", opts: CreateOptions{Subnets: []string{"172.18.5.0/24"}},
			setup: func(c *Controller) { mustCreate(t, c, "first", CreateOptions{}) },
			want:  "invalid pool request: Pool overlaps with other one on this address space", class: ErrForbidden},
		{name: "non-canonical subnet", net: "n", opts: CreateOptions{Subnets: []string{"10.1.2.3/16"}},
			want: "invalid network config:\ninvalid subnet 10.1.2.3/16: it should be 10.1.0.0/16", class: ErrInvalidParameter},
		{name: "aux outside the pool", net: "n", opts: CreateOptions{Subnets: []string{"10.1.0.0/24", "10.2.0.0/24"},
			AuxAddresses: []string{"a=10.2.0.5"}}, want: "", class: nil},
		{name: "gateway in no subnet", net: "n", opts: CreateOptions{Subnets: []string{"10.1.0.0/24"}, Gateways: []string{"10.9.0.1"}},
			want: "no matching subnet for gateway 10.9.0.1", class: ErrInvalidParameter},
		{name: "gateway without subnet", net: "n", opts: CreateOptions{Gateways: []string{"10.9.0.1"}},
			want: "every ip-range or gateway must have a corresponding subnet", class: ErrInvalidParameter},
		{name: "aux on the gateway", net: "n", opts: CreateOptions{Subnets: []string{"10.1.0.0/24"}, AuxAddresses: []string{"r=10.1.0.1"}},
			want: "failed to allocate secondary ip address (r:10.1.0.1): Address already in use", class: ErrForbidden},
		{name: "unknown driver", net: "n", opts: CreateOptions{Driver: "weave"}, want: `plugin "weave" not found`, class: ErrNotFound},
		{name: "overlay without swarm", net: "n", opts: CreateOptions{Driver: "overlay"},
			want:  `This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.`,
			class: ErrForbidden},
		{name: "second host network", net: "n", opts: CreateOptions{Driver: "host"},
			want: `only one instance of "host" network is allowed`, class: ErrForbidden},
		{name: "second null network", net: "n", opts: CreateOptions{Driver: "null"},
			want: `only one instance of "null" network is allowed`, class: ErrForbidden},
		{name: "bad MTU", net: "n", opts: CreateOptions{Options: map[string]string{OptionMTU: "big"}},
			want:  `failed to parse com.docker.network.driver.mtu value: big (strconv.Atoi: parsing "big": invalid syntax)`,
			class: ErrInvalidParameter},
		{name: "negative MTU", net: "n", opts: CreateOptions{Options: map[string]string{OptionMTU: "-1"}},
			want: "invalid MTU number: -1", class: ErrInvalidParameter},
		{name: "bad bool option", net: "n", opts: CreateOptions{Options: map[string]string{OptionEnableICC: "maybe"}},
			want:  `failed to parse com.docker.network.bridge.enable_icc value: maybe (strconv.ParseBool: parsing "maybe": invalid syntax)`,
			class: ErrInvalidParameter},
		{name: "bridge name taken", net: "n", opts: CreateOptions{Options: map[string]string{OptionBridgeName: "docker0"}},
			class: ErrForbidden},
		{name: "ipv6", net: "n", opts: CreateOptions{IPv6: true}, want: "IPv6 networks are not supported by vswitch yet", class: ErrNotImplemented},
		{name: "ipv4 off", net: "n", opts: CreateOptions{EnableIPv4: &f}, want: "networks without IPv4 are not supported by vswitch yet", class: ErrNotImplemented},
		{name: "bad enable_ipv6 option", net: "n", opts: CreateOptions{Options: map[string]string{OptionEnableIPv6: "yes please"}},
			want: `driver-opt "com.docker.network.enable_ipv6" is not a valid bool`, class: ErrInvalidParameter},
		{name: "unknown IPAM driver", net: "n", opts: CreateOptions{IPAMDriver: "infoblox"}, want: `plugin "infoblox" not found`, class: ErrNotFound},
		{name: "empty name", net: "", want: "network name is required", class: ErrInvalidParameter},
		{name: "no subnet left of that size", net: "n", opts: CreateOptions{Subnets: []string{"0.0.0.0/8"}},
			want: "invalid address pool", class: ErrInvalidParameter},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestController(t)
			if tc.setup != nil {
				tc.setup(c)
			}
			before := snapshot(t, c)
			_, err := c.Create(tc.net, tc.opts)
			if tc.class == nil {
				require.NoError(t, err, "Docker accepts it: the CLI matched the aux address to its own subnet")
				return
			}
			require.Error(t, err)
			if tc.want != "" {
				assert.Equal(t, tc.want, err.Error())
			}
			assert.ErrorIs(t, err, tc.class)
			assert.Equal(t, before, snapshot(t, c), "a failed create changed the controller")
		})
	}
}

func TestBridgeNameConflictText(t *testing.T) {
	c, _ := newTestController(t)
	b, _ := c.FindNetwork("bridge")
	_, err := c.Create("n", CreateOptions{Options: map[string]string{OptionBridgeName: "docker0"}})
	require.Error(t, err)
	assert.Regexp(t, `^cannot create network [0-9a-f]{64} \(docker0\): conflicts with network `+b.ID()+` \(docker0\): networks have same bridge name$`, err.Error())
}

func TestSharedSubnetNeedsMacvlan(t *testing.T) {
	c, _ := newTestController(t)
	b, _ := c.FindNetwork("bridge")
	before := snapshot(t, c)
	_, err := c.Create("n", CreateOptions{Subnets: []string{"172.17.0.0/16"}, IPRanges: []string{"172.17.5.0/24"}})
	require.Error(t, err)
	assert.Regexp(t, `^cannot create network [0-9a-f]{64} \(br-[0-9a-f]{12}\): conflicts with network `+b.ID()+` \(docker0\): networks have overlapping IPv4$`, err.Error())
	assert.Equal(t, before, snapshot(t, c))
}

func TestCreateWithIPAMFlags(t *testing.T) {
	c, _ := newTestController(t)
	n := mustCreate(t, c, "macnet", CreateOptions{
		Subnets: []string{"10.0.0.0/24"}, IPRanges: []string{"10.0.0.128/25"}, Gateways: []string{"10.0.0.1"},
		AuxAddresses: []string{"router=10.0.0.2"}, Labels: map[string]string{"tier": "db"}, Internal: true, Attachable: true,
		Options: map[string]string{OptionMTU: "9000"},
	})
	in := n.Inspect()
	assert.Equal(t, []IPAMConfig{{Subnet: "10.0.0.0/24", IPRange: "10.0.0.128/25", Gateway: "10.0.0.1",
		AuxAddress: map[string]string{"router": "10.0.0.2"}}}, in.IPAM.Config)
	assert.True(t, in.Internal)
	assert.True(t, n.Internal())
	assert.True(t, in.Attachable)
	assert.Equal(t, 9000, n.MTU())
	assert.Equal(t, map[string]string{"tier": "db"}, in.Labels)
	assert.Equal(t, map[string]string{}, in.IPAM.Options)

	// A subnet without --gateway shows no Gateway, as in Docker, though the
	// network has one.
	m := mustCreate(t, c, "plain", CreateOptions{Subnets: []string{"10.1.0.0/16"}})
	assert.Equal(t, []IPAMConfig{{Subnet: "10.1.0.0/16"}}, m.Inspect().IPAM.Config)
	assert.Equal(t, "10.1.0.1", m.Gateway().String())

	// Gateway from the ip-range.
	r := mustCreate(t, c, "ranged", CreateOptions{Subnets: []string{"10.2.0.0/16"}, IPRanges: []string{"10.2.5.0/24"}})
	assert.Equal(t, "10.2.5.0", r.Gateway().String())

	// Any free /24.
	a := mustCreate(t, c, "small", CreateOptions{Subnets: []string{"0.0.0.0/24"}})
	assert.Equal(t, []IPAMConfig{{Subnet: "172.18.0.0/24", Gateway: "172.18.0.1"}}, a.Inspect().IPAM.Config)

	// Two subnets.
	two := mustCreate(t, c, "two", CreateOptions{Subnets: []string{"10.3.0.0/24", "10.4.0.0/24"}})
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.3.0.0/24"), netip.MustParsePrefix("10.4.0.0/24")}, two.Subnets())
}

func TestLookup(t *testing.T) {
	c, _ := newTestController(t)
	n := mustCreate(t, c, "localnet", CreateOptions{})
	tests := []struct {
		term, want, err string
	}{
		{term: "localnet", want: "localnet"},
		{term: n.ID(), want: "localnet"},
		{term: n.ID()[:5], want: "localnet"},
		{term: "nope", err: "network nope not found"},
		{term: "", err: "network  is ambiguous (4 matches found based on ID prefix)"},
	}
	for _, tc := range tests {
		got, err := c.FindNetwork(tc.term)
		if tc.err != "" {
			require.Error(t, err)
			assert.Equal(t, tc.err, err.Error())
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.Name())
	}
	// Two networks with one name can only come from a store written by an
	// older daemon; lookups then refuse to guess.
	dup := *n
	dup.id = "f" + n.id[1:]
	c.networks = append(c.networks, &dup)
	_, err := c.FindNetwork("localnet")
	assert.EqualError(t, err, "network localnet is ambiguous (2 matches found on name)")
	_, err = c.Inspect("nope")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestRemove(t *testing.T) {
	c, _ := newTestController(t)
	n := mustCreate(t, c, "localnet", CreateOptions{})
	sb := mustRun(t, c, "c1", RunOptions{Network: "localnet"})
	ep := sb.EndpointOn(n)

	for _, name := range []string{"bridge", "host", "none"} {
		requireUnchanged(t, c, name+" is a pre-defined network and cannot be removed", func() error { return c.Remove(name) })
	}
	requireUnchanged(t, c, "network nope not found", func() error { return c.Remove("nope") })
	requireUnchanged(t, c, fmt.Sprintf(`error while removing network: network localnet has active endpoints (name:"c1" id:%q)`, ep.ID()[:12]),
		func() error { return c.Remove("localnet") })
	mustRun(t, c, "c2", RunOptions{Network: "localnet"})
	err := c.Remove(n.ShortID())
	require.Error(t, err)
	assert.Regexp(t, `^error while removing network: network localnet has active endpoints \(name:"c1" id:"[0-9a-f]{12}", name:"c2" id:"[0-9a-f]{12}"\)$`, err.Error())
	assert.ErrorIs(t, err, ErrForbidden)

	require.NoError(t, c.RemoveSandbox("c1"))
	require.NoError(t, c.RemoveSandbox("c2"))
	require.NoError(t, c.Remove(n.ShortID()))
	_, err = c.FindNetwork("localnet")
	assert.ErrorIs(t, err, ErrNotFound)
	// The subnet and the bridge name are free again.
	m := mustCreate(t, c, "again", CreateOptions{Options: map[string]string{OptionBridgeName: n.BridgeName()}})
	assert.Equal(t, "172.18.0.0/16", m.Subnets()[0].String())
}

func TestList(t *testing.T) {
	c, _ := newTestController(t)
	mustCreate(t, c, "localnet", CreateOptions{Labels: map[string]string{"tier": "web", "env": "prod"}})
	mustCreate(t, c, "backend", CreateOptions{Labels: map[string]string{"tier": "db"}})
	mustCreate(t, c, "lonely", CreateOptions{})
	mustRun(t, c, "c1", RunOptions{Network: "localnet"})
	local, _ := c.FindNetwork("localnet")

	tests := []struct {
		filters []string
		want    []string
		err     string
	}{
		{nil, []string{"backend", "bridge", "host", "localnet", "lonely", "none"}, ""},
		{[]string{"driver=bridge"}, []string{"backend", "bridge", "localnet", "lonely"}, ""},
		{[]string{"driver=null"}, []string{"none"}, ""},
		{[]string{"driver=null", "driver=host"}, []string{"host", "none"}, ""},
		{[]string{"name=local"}, []string{"localnet"}, ""},
		{[]string{"name=^b"}, []string{"backend", "bridge"}, ""},
		{[]string{"name=o"}, []string{"host", "localnet", "lonely", "none"}, ""},
		{[]string{"id=" + local.ShortID()}, []string{"localnet"}, ""},
		{[]string{"label=tier"}, []string{"backend", "localnet"}, ""},
		{[]string{"label=tier=db"}, []string{"backend"}, ""},
		{[]string{"label=tier", "label=env=prod"}, []string{"localnet"}, ""},
		{[]string{"type=builtin"}, []string{"bridge", "host", "none"}, ""},
		{[]string{"type=custom"}, []string{"backend", "localnet", "lonely"}, ""},
		{[]string{"type=custom", "driver=bridge", "name=l"}, []string{"localnet", "lonely"}, ""},
		{[]string{"scope=local"}, []string{"backend", "bridge", "host", "localnet", "lonely", "none"}, ""},
		{[]string{"scope=swarm"}, []string{}, ""},
		{[]string{"dangling=true"}, []string{"backend", "lonely"}, ""},
		{[]string{"dangling=0"}, []string{"bridge", "host", "localnet", "none"}, ""},
		{[]string{"dangling=perhaps"}, nil, `invalid value for filter 'dangling', must be "true" (or "1"), or "false" (or "0")`},
		{[]string{"dangling=true", "dangling=false"}, nil, `got more than one value for filter key "dangling"`},
		{[]string{"type=weird"}, nil, "invalid filter: 'type'='weird'"},
		{[]string{"colour=red"}, nil, "invalid filter 'colour'"},
		{[]string{"nonsense"}, nil, "bad format of filter (expected name=value)"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.filters), func(t *testing.T) {
			f, err := ParseFilters(tc.filters)
			if err == nil {
				var got []*Network
				got, err = c.List(f)
				if tc.err == "" {
					require.NoError(t, err)
					assert.Equal(t, tc.want, names(got))
					return
				}
			}
			require.Error(t, err)
			assert.Equal(t, tc.err, err.Error())
			assert.ErrorIs(t, err, ErrInvalidParameter)
		})
	}
}

func TestPrune(t *testing.T) {
	c, clk := newTestController(t)
	mustCreate(t, c, "old", CreateOptions{Labels: map[string]string{"keep": "no"}})
	clk.advance(2 * time.Hour)
	mustCreate(t, c, "used", CreateOptions{})
	mustRun(t, c, "c1", RunOptions{Network: "used"})
	mustCreate(t, c, "kept", CreateOptions{Labels: map[string]string{"keep": "yes"}})
	mustCreate(t, c, "young", CreateOptions{})
	clk.advance(10 * time.Minute)

	f, _ := ParseFilters([]string{"until=1h"})
	got, err := c.Prune(f)
	require.NoError(t, err)
	assert.Equal(t, []string{"old"}, got, "only networks created more than an hour ago")

	f, _ = ParseFilters([]string{"label!=keep=yes"})
	got, err = c.Prune(f)
	require.NoError(t, err)
	assert.Equal(t, []string{"young"}, got)

	f, _ = ParseFilters([]string{"label=keep"})
	got, err = c.Prune(f)
	require.NoError(t, err)
	assert.Equal(t, []string{"kept"}, got)

	got, err = c.Prune(nil)
	require.NoError(t, err)
	assert.Empty(t, got, "used networks and predefined ones stay")
	assert.Equal(t, []string{"bridge", "host", "none", "used"}, names(c.Networks()))

	for _, tc := range []struct{ filters []string }{{[]string{"driver=bridge"}}, {[]string{"until=soon"}}, {[]string{"until=1h", "until=2h"}}} {
		f, _ := ParseFilters(tc.filters)
		before := snapshot(t, c)
		_, err := c.Prune(f)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrInvalidParameter)
		assert.Equal(t, before, snapshot(t, c))
	}
	f, _ = ParseFilters([]string{"driver=bridge"})
	_, err = c.Prune(f)
	assert.EqualError(t, err, "invalid filter 'driver'")
}

func TestParseTimestamp(t *testing.T) {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in, want string
	}{
		{"1h", "2026-03-14T11:00:00Z"},
		{"90m", "2026-03-14T10:30:00Z"},
		{"2026-03-01T10:00:00Z", "2026-03-01T10:00:00Z"},
		{"2026-03-01T10:00:00.5+01:00", "2026-03-01T09:00:00.5Z"},
		{"2026-03-01T10:00:00", "2026-03-01T10:00:00Z"},
		{"2026-03-01", "2026-03-01T00:00:00Z"},
		{"1700000000", "2023-11-14T22:13:20Z"},
		{"1700000000.25", "2023-11-14T22:13:20.25Z"},
	}
	for _, tc := range tests {
		got, err := ParseTimestamp(tc.in, now)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got.UTC().Format(time.RFC3339Nano), tc.in)
	}
	_, err := ParseTimestamp("yesterday", now)
	assert.EqualError(t, err, `failed to parse value as time or duration: "yesterday"`)
}

func TestErrorsUnwrapToIPAM(t *testing.T) {
	c, _ := newTestController(t)
	_, err := c.Create("n", CreateOptions{Subnets: []string{"172.17.0.0/24"}})
	assert.True(t, errors.Is(err, ipam.ErrPoolOverlap))
	assert.True(t, errors.Is(err, ErrForbidden))
}

func TestMTUConstants(t *testing.T) {
	assert.Equal(t, 1450, OverlayMTU)
	assert.Equal(t, 1424, OverlayEncryptedMTU)
}
