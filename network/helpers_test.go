package network

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/network/ipam"
)

// testClock is a settable clock.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestController(t testing.TB, mod ...func(*ControllerConfig)) (*Controller, *testClock) {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)}
	cfg := ControllerConfig{NodeName: "host1", Rand: rand.New(rand.NewPCG(1, 2)), Clock: clk}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := NewController(cfg)
	require.NoError(t, err)
	return c, clk
}

// snapshot renders everything a failed call must leave alone: every
// network's inspect output, every sandbox and endpoint, the IPAM state,
// the drivers' state and the position of the random stream.
func snapshot(t testing.TB, c *Controller) string {
	t.Helper()
	type epState struct {
		ID, Network, Addr, Gateway, MAC string
		Aliases, DNSNames               []string
	}
	type sbState struct {
		ID, Name, Hostname, Mode string
		Host                     bool
		Endpoints                []epState
		DNS                      []netip.Addr
		Search, Opts             []string
	}
	type poolState struct {
		Subnet string
		Used   uint64
	}
	var state struct {
		Networks  []Inspect
		Sandboxes []sbState
		Allocated []netip.Prefix
		Pools     []poolState
		Bridges   map[string]string
		Host      string
		Null      string
		RNG       string
		Observers int
	}
	for _, n := range c.networks {
		state.Networks = append(state.Networks, n.Inspect())
		for _, p := range n.pools {
			state.Pools = append(state.Pools, poolState{p.Subnet.String(), p.Used()})
		}
	}
	for _, s := range c.sandboxes {
		ss := sbState{ID: s.id, Name: s.name, Hostname: s.hostname, Mode: s.mode, Host: s.hostMode,
			DNS: s.dns, Search: s.dnsSearch, Opts: s.dnsOptions}
		for _, ep := range s.endpoints {
			ss.Endpoints = append(ss.Endpoints, epState{ep.id, ep.network.id, ep.addr.String(), ep.gateway.String(),
				ep.mac.String(), ep.aliases, ep.dnsNames})
		}
		state.Sandboxes = append(state.Sandboxes, ss)
	}
	state.Allocated = c.ipam.Allocated()
	state.Bridges = c.drivers[DriverBridge].(*bridgeDriver).names
	state.Host = c.drivers[DriverHost].(*specialDriver).network
	state.Null = c.drivers[DriverNull].(*specialDriver).network
	state.RNG = hex.EncodeToString(c.rngState())
	state.Observers = len(c.observers)
	b, err := json.MarshalIndent(state, "", " ")
	require.NoError(t, err)
	return string(b)
}

// requireUnchanged runs op, which must fail with want, and checks that the
// controller is as it was.
func requireUnchanged(t *testing.T, c *Controller, want string, op func() error) {
	t.Helper()
	before := snapshot(t, c)
	err := op()
	require.Error(t, err)
	require.Equal(t, want, err.Error())
	require.Equal(t, before, snapshot(t, c), "a failed call changed the controller")
}

func mustCreate(t testing.TB, c *Controller, name string, o CreateOptions) *Network {
	t.Helper()
	id, err := c.Create(name, o)
	require.NoError(t, err)
	n, err := c.FindNetwork(id)
	require.NoError(t, err)
	return n
}

func mustRun(t testing.TB, c *Controller, name string, o RunOptions) *Sandbox {
	t.Helper()
	sb, err := c.Run(name, o)
	require.NoError(t, err)
	return sb
}

func names(ns []*Network) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Name()
	}
	slices.Sort(out)
	return out
}

func pools(specs ...string) []ipam.PoolSpec {
	var out []ipam.PoolSpec
	for i := 0; i < len(specs); i += 2 {
		var size int
		_, _ = fmt.Sscan(specs[i+1], &size)
		out = append(out, ipam.PoolSpec{Base: netip.MustParsePrefix(specs[i]), Size: size})
	}
	return out
}
