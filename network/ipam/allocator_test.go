package ipam

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustNew(t testing.TB, cfg Config) *Allocator {
	t.Helper()
	a, err := New(cfg)
	require.NoError(t, err)
	return a
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

// defaultOrder is Docker's documented sequence of the 31 local subnets.
func defaultOrder() []string {
	var want []string
	for i := 17; i <= 31; i++ {
		want = append(want, fmt.Sprintf("172.%d.0.0/16", i))
	}
	for i := 0; i < 16; i++ {
		want = append(want, fmt.Sprintf("192.168.%d.0/20", i*16))
	}
	return want
}

func TestDefaultPoolsDockerOrderAndExhaustion(t *testing.T) {
	a := mustNew(t, Config{})
	want := defaultOrder()
	require.Len(t, want, 31)
	for i, w := range want {
		p, err := a.RequestPool(Request{})
		require.NoError(t, err, "pool %d", i)
		assert.Equal(t, w, p.Subnet.String(), "pool %d", i)
		gw := p.Subnet.Addr().Next()
		assert.Equal(t, gw, p.Gateway, "gateway of %s", p.Subnet)
	}
	_, err := a.RequestPool(Request{})
	require.ErrorIs(t, err, ErrNoMoreSubnets)
	assert.Equal(t, "all predefined address pools have been fully subnetted", err.Error())
	assert.Len(t, a.Allocated(), 31, "a failed request allocates nothing")
}

func TestPredefinedFirstFit(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		static   []string // allocated before the dynamic requests
		want     []string
		exhausts bool
	}{
		{name: "docker0 then first user network", want: []string{"172.17.0.0/16", "172.18.0.0/16"}},
		{name: "reserved LAN route skipped", cfg: Config{Reserved: []netip.Prefix{pfx("172.18.0.0/16")}},
			want: []string{"172.17.0.0/16", "172.19.0.0/16", "172.20.0.0/16"}},
		{name: "reserved host address inside a pool", cfg: Config{Reserved: []netip.Prefix{pfx("172.17.5.9/32")}},
			want: []string{"172.18.0.0/16"}},
		{name: "reserved supernet skips every 172 pool", cfg: Config{Reserved: []netip.Prefix{pfx("172.16.0.0/12")}},
			want: []string{"192.168.0.0/20", "192.168.16.0/20"}},
		{name: "reserved /24 in 192.168", cfg: Config{Reserved: []netip.Prefix{pfx("172.16.0.0/12"), pfx("192.168.1.0/24")}},
			want: []string{"192.168.16.0/20"}},
		{name: "static subnet skipped", static: []string{"172.18.3.0/24"},
			want: []string{"172.17.0.0/16", "172.19.0.0/16"}},
		{name: "custom pool config", cfg: Config{Pools: []PoolSpec{{Base: pfx("10.10.0.0/16"), Size: 24}}},
			want: []string{"10.10.0.0/24", "10.10.1.0/24", "10.10.2.0/24"}},
		{name: "custom pools sorted by address", cfg: Config{Pools: []PoolSpec{
			{Base: pfx("10.20.0.0/23"), Size: 24}, {Base: pfx("10.10.0.0/24"), Size: 24}}},
			want: []string{"10.10.0.0/24", "10.20.0.0/24", "10.20.1.0/24"}, exhausts: true},
		{name: "overlapping custom pool dropped", cfg: Config{Pools: []PoolSpec{
			{Base: pfx("10.0.0.0/8"), Size: 9}, {Base: pfx("10.1.0.0/16"), Size: 24}}},
			want: []string{"10.0.0.0/9", "10.128.0.0/9"}, exhausts: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNew(t, tc.cfg)
			for _, s := range tc.static {
				_, err := a.RequestPool(Request{Subnet: pfx(s)})
				require.NoError(t, err)
			}
			for _, w := range tc.want {
				p, err := a.RequestPool(Request{})
				require.NoError(t, err)
				assert.Equal(t, w, p.Subnet.String())
			}
			if tc.exhausts {
				_, err := a.RequestPool(Request{})
				assert.ErrorIs(t, err, ErrNoMoreSubnets)
			}
		})
	}
}

func TestAnyBlockOfSize(t *testing.T) {
	a := mustNew(t, Config{})
	p1, err := a.RequestPool(Request{})
	require.NoError(t, err)
	assert.Equal(t, "172.17.0.0/16", p1.Subnet.String())
	p2, err := a.RequestPool(Request{Subnet: pfx("0.0.0.0/24")})
	require.NoError(t, err)
	assert.Equal(t, "172.18.0.0/24", p2.Subnet.String())
	assert.Equal(t, ip("172.18.0.1"), p2.Gateway)
	p3, err := a.RequestPool(Request{Subnet: pfx("0.0.0.0/24")})
	require.NoError(t, err)
	assert.Equal(t, "172.18.1.0/24", p3.Subnet.String())
	// The next default-size request skips the partly used 172.18/16.
	p4, err := a.RequestPool(Request{})
	require.NoError(t, err)
	assert.Equal(t, "172.19.0.0/16", p4.Subnet.String())
	_, err = a.RequestPool(Request{Subnet: pfx("0.0.0.0/8")})
	assert.ErrorIs(t, err, ErrInvalidPool)
	_, err = a.RequestPool(Request{Subnet: pfx("0.0.0.0/0")})
	assert.ErrorIs(t, err, ErrInvalidPool)
}

func TestStaticSubnets(t *testing.T) {
	const overlap = "invalid pool request: Pool overlaps with other one on this address space"
	tests := []struct {
		name    string
		first   Request
		second  Request
		wantErr string
	}{
		{name: "same subnet", first: Request{Subnet: pfx("10.1.0.0/16")}, second: Request{Subnet: pfx("10.1.0.0/16")}, wantErr: overlap},
		{name: "supernet", first: Request{Subnet: pfx("10.1.0.0/16")}, second: Request{Subnet: pfx("10.0.0.0/8")}, wantErr: overlap},
		{name: "subnet inside", first: Request{Subnet: pfx("10.1.0.0/16")}, second: Request{Subnet: pfx("10.1.2.0/24")}, wantErr: overlap},
		{name: "disjoint", first: Request{Subnet: pfx("10.1.0.0/16")}, second: Request{Subnet: pfx("10.2.0.0/16")}},
		{name: "shared with a new ip-range", first: Request{Subnet: pfx("10.1.0.0/16")},
			second: Request{Subnet: pfx("10.1.0.0/16"), IPRange: pfx("10.1.5.0/24")}},
		{name: "shared with the same ip-range", first: Request{Subnet: pfx("10.1.0.0/16"), IPRange: pfx("10.1.5.0/24")},
			second: Request{Subnet: pfx("10.1.0.0/16"), IPRange: pfx("10.1.5.0/24")}, wantErr: overlap},
		{name: "range inside another subnet is still an overlap", first: Request{Subnet: pfx("10.1.0.0/16")},
			second: Request{Subnet: pfx("10.0.0.0/8"), IPRange: pfx("10.2.0.0/16")}, wantErr: overlap},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNew(t, Config{})
			_, err := a.RequestPool(tc.first)
			require.NoError(t, err)
			before := a.Allocated()
			_, err = a.RequestPool(tc.second)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tc.wantErr, err.Error())
			assert.ErrorIs(t, err, ErrPoolOverlap)
			assert.Equal(t, before, a.Allocated())
		})
	}
}

func TestGatewayAndAux(t *testing.T) {
	tests := []struct {
		name    string
		req     Request
		wantGW  string
		wantErr string
	}{
		{name: "first free address", req: Request{Subnet: pfx("10.0.0.0/24")}, wantGW: "10.0.0.1"},
		{name: "given gateway", req: Request{Subnet: pfx("10.0.0.0/24"), Gateway: ip("10.0.0.254")}, wantGW: "10.0.0.254"},
		{name: "from the ip-range", req: Request{Subnet: pfx("10.0.0.0/16"), IPRange: pfx("10.0.5.0/24")}, wantGW: "10.0.5.0"},
		{name: "aux below the gateway", req: Request{Subnet: pfx("10.0.0.0/24"),
			AuxAddresses: []AuxAddress{{"router", ip("10.0.0.2")}}}, wantGW: "10.0.0.1"},
		{name: "gateway on the network address", req: Request{Subnet: pfx("10.0.0.0/24"), Gateway: ip("10.0.0.0")},
			wantErr: "failed to allocate gateway (10.0.0.0): Address already in use"},
		{name: "gateway outside", req: Request{Subnet: pfx("10.0.0.0/24"), Gateway: ip("10.9.0.1")},
			wantErr: "failed to allocate gateway (10.9.0.1): requested address is out of range"},
		{name: "aux outside the master pool", req: Request{Subnet: pfx("10.0.0.0/24"),
			AuxAddresses: []AuxAddress{{"a", ip("10.1.0.5")}}},
			wantErr: "auxiliary address: (a:10.1.0.5) must belong to the master pool: 10.0.0.0/24"},
		{name: "aux on the gateway", req: Request{Subnet: pfx("10.0.0.0/24"),
			AuxAddresses: []AuxAddress{{"a", ip("10.0.0.1")}}},
			wantErr: "failed to allocate secondary ip address (a:10.0.0.1): Address already in use"},
		{name: "no gateway for macvlan", req: Request{Subnet: pfx("10.0.0.0/24"), SkipGateway: true}},
		{name: "/31 has no reserved addresses", req: Request{Subnet: pfx("10.0.0.0/31")}, wantGW: "10.0.0.0"},
		{name: "/32 gateway takes the only address", req: Request{Subnet: pfx("10.0.0.7/32")}, wantGW: "10.0.0.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := mustNew(t, Config{})
			p, err := a.RequestPool(tc.req)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tc.wantErr, err.Error())
				assert.Empty(t, a.Allocated(), "a failed request leaves nothing allocated")
				return
			}
			require.NoError(t, err)
			if tc.wantGW == "" {
				assert.False(t, p.Gateway.IsValid())
			} else {
				assert.Equal(t, tc.wantGW, p.Gateway.String())
			}
			for _, aux := range tc.req.AuxAddresses {
				assert.True(t, p.InUse(aux.Addr), "aux %s reserved", aux.Addr)
			}
			require.NoError(t, a.ReleasePool(p))
			assert.Empty(t, a.Allocated())
			assert.ErrorIs(t, a.ReleasePool(p), ErrPoolReleased)
		})
	}
}

func TestRequestAddress(t *testing.T) {
	a := mustNew(t, Config{})
	p, err := a.RequestPool(Request{Subnet: pfx("10.0.0.0/16"), IPRange: pfx("10.0.5.0/30")})
	require.NoError(t, err)
	assert.Equal(t, "10.0.5.0", p.Gateway.String())

	got, err := p.RequestAddress(netip.Addr{})
	require.NoError(t, err)
	assert.Equal(t, "10.0.5.1", got.String(), "lowest free of the ip-range")

	static, err := p.RequestAddress(ip("10.0.9.9"))
	require.NoError(t, err, "a static address may be anywhere in the subnet")
	assert.Equal(t, "10.0.9.9", static.String())

	_, err = p.RequestAddress(ip("10.0.9.9"))
	assert.ErrorIs(t, err, ErrIPAlreadyAllocated)
	assert.Equal(t, "Address already in use", err.Error())

	_, err = p.RequestAddress(ip("10.1.0.1"))
	assert.ErrorIs(t, err, ErrIPOutOfRange)

	for _, want := range []string{"10.0.5.2", "10.0.5.3"} {
		got, err := p.RequestAddress(netip.Addr{})
		require.NoError(t, err)
		assert.Equal(t, want, got.String())
	}
	_, err = p.RequestAddress(netip.Addr{})
	assert.ErrorIs(t, err, ErrNoAvailableIPs, "the range is exhausted though the subnet is not")

	require.NoError(t, p.ReleaseAddress(ip("10.0.5.2")))
	got, err = p.RequestAddress(netip.Addr{})
	require.NoError(t, err)
	assert.Equal(t, "10.0.5.2", got.String(), "freed addresses are reused")
}

func TestSmallSubnetExhaustion(t *testing.T) {
	a := mustNew(t, Config{})
	p, err := a.RequestPool(Request{Subnet: pfx("192.168.50.0/30")})
	require.NoError(t, err)
	got, err := p.RequestAddress(netip.Addr{})
	require.NoError(t, err)
	assert.Equal(t, "192.168.50.2", got.String())
	_, err = p.RequestAddress(netip.Addr{})
	assert.ErrorIs(t, err, ErrNoAvailableIPs, "network, gateway, container, broadcast")
}

func TestSharedSubnetAddresses(t *testing.T) {
	a := mustNew(t, Config{})
	p1, err := a.RequestPool(Request{Subnet: pfx("10.0.0.0/24")})
	require.NoError(t, err)
	p2, err := a.RequestPool(Request{Subnet: pfx("10.0.0.0/24"), IPRange: pfx("10.0.0.0/28")})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.2", p2.Gateway.String(), "the shared bitmap already holds .0 and .1")
	x, err := p1.RequestAddress(netip.Addr{})
	require.NoError(t, err)
	assert.Equal(t, "10.0.0.3", x.String())
	require.NoError(t, a.ReleasePool(p1))
	assert.Equal(t, []netip.Prefix{pfx("10.0.0.0/24")}, a.Allocated(), "still held by the second network")
	require.NoError(t, p1Release(p2, x))
	require.NoError(t, a.ReleasePool(p2))
	assert.Empty(t, a.Allocated())
}

func p1Release(p *Pool, x netip.Addr) error { return p.ReleaseAddress(x) }

func TestReleasePoolReturnsSubnet(t *testing.T) {
	a := mustNew(t, Config{})
	p1, _ := a.RequestPool(Request{})
	p2, _ := a.RequestPool(Request{})
	_, _ = a.RequestPool(Request{})
	require.NoError(t, a.ReleasePool(p2))
	p4, err := a.RequestPool(Request{})
	require.NoError(t, err)
	assert.Equal(t, "172.18.0.0/16", p4.Subnet.String(), "first fit finds the hole")
	_ = p1
}

func TestBadPoolConfig(t *testing.T) {
	tests := []struct {
		name string
		spec PoolSpec
		want string
	}{
		{"not canonical", PoolSpec{pfx("10.0.0.1/8"), 16}, "is not in canonical form"},
		{"size smaller than base", PoolSpec{pfx("10.0.0.0/16"), 8}, "has a smaller prefix (/16) than the target size of that pool (/8)"},
		{"too long", PoolSpec{pfx("10.0.0.0/16"), 33}, "larger than /32"},
		{"ipv6", PoolSpec{pfx("fd00::/48"), 64}, "IPv6"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Pools: []PoolSpec{tc.spec}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestIPv6Refused(t *testing.T) {
	a := mustNew(t, Config{})
	_, err := a.RequestPool(Request{Subnet: pfx("fd00::/64")})
	assert.True(t, errors.Is(err, ErrIPv6))
}

func TestAllocate60000LowestFirst(t *testing.T) {
	a := mustNew(t, Config{})
	p, err := a.RequestPool(Request{Subnet: pfx("10.50.0.0/16")})
	require.NoError(t, err)
	addrs := make([]netip.Addr, 0, 60000)
	for i := 0; i < 60000; i++ {
		x, err := p.RequestAddress(netip.Addr{})
		require.NoError(t, err)
		addrs = append(addrs, x)
	}
	assert.Equal(t, "10.50.0.2", addrs[0].String())
	assert.Equal(t, addrV4(v4(ip("10.50.0.2"))+59999), addrs[59999])

	// Free a scattered set, then ask again: the freed ones come back in
	// ascending order, then the never-used ones.
	var freed []netip.Addr
	for i := 59999; i >= 0; i -= 7 {
		require.NoError(t, p.ReleaseAddress(addrs[i]))
		freed = append([]netip.Addr{addrs[i]}, freed...)
	}
	for _, want := range freed {
		x, err := p.RequestAddress(netip.Addr{})
		require.NoError(t, err)
		require.Equal(t, want, x)
	}
	x, err := p.RequestAddress(netip.Addr{})
	require.NoError(t, err)
	assert.Equal(t, addrV4(v4(addrs[59999])+1), x, "then the first never-used address")
}

// TestAllocationIsAmortizedConstant counts the allocator's inner-loop steps:
// a linear scan would take about 60000²/128 word visits; the hint keeps it
// to a handful per address.
func TestAllocationIsAmortizedConstant(t *testing.T) {
	a := mustNew(t, Config{})
	p, err := a.RequestPool(Request{Subnet: pfx("10.50.0.0/16")})
	require.NoError(t, err)
	for i := 0; i < 60000; i++ {
		_, err := p.RequestAddress(netip.Addr{})
		require.NoError(t, err)
	}
	// Free every 100th address, then reallocate them all: lowest first.
	for i := 2; i < 60000; i += 100 {
		require.NoError(t, p.ReleaseAddress(addrV4(v4(ip("10.50.0.0"))+uint64(i))))
	}
	for i := 2; i < 60000; i += 100 {
		_, err := p.RequestAddress(netip.Addr{})
		require.NoError(t, err)
	}
	scans := p.sn.addrs.scans
	allocs := uint64(60000 + 600)
	assert.LessOrEqual(t, scans, 2*allocs, "got %d scan steps for %d allocations", scans, allocs)
}

func TestRequestAddressAllocs(t *testing.T) {
	a := mustNew(t, Config{})
	p, err := a.RequestPool(Request{Subnet: pfx("10.50.0.0/16")})
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(1000, func() {
		x, err := p.RequestAddress(netip.Addr{})
		if err != nil {
			t.Fatal(err)
		}
		_ = p.ReleaseAddress(x)
	})
	assert.Zero(t, allocs)
}

// BenchmarkAllocate60000 allocates the lowest free address of a /16, one
// per op, emptying the pool every 60,000 addresses.
func BenchmarkAllocate60000(b *testing.B) {
	a := mustNew(b, Config{})
	p, err := a.RequestPool(Request{Subnet: pfx("10.50.0.0/16")})
	if err != nil {
		b.Fatal(err)
	}
	held := make([]netip.Addr, 0, 60000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(held) == 60000 {
			b.StopTimer()
			for _, x := range held {
				_ = p.ReleaseAddress(x)
			}
			held = held[:0]
			b.StartTimer()
		}
		x, err := p.RequestAddress(netip.Addr{})
		if err != nil {
			b.Fatal(err)
		}
		held = append(held, x)
	}
}
