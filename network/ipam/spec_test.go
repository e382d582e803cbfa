package ipam

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		name    string
		spec    Spec
		want    []Request
		wantErr string
	}{
		{name: "empty", spec: Spec{}, want: []Request{}},
		{name: "subnet range gateway aux", spec: Spec{
			Subnets: []string{"10.0.0.0/24"}, IPRanges: []string{"10.0.0.128/25"}, Gateways: []string{"10.0.0.254"},
			AuxAddresses: []string{"router=10.0.0.2", "nas=10.0.0.3"}},
			want: []Request{{Subnet: pfx("10.0.0.0/24"), IPRange: pfx("10.0.0.128/25"), Gateway: ip("10.0.0.254"),
				AuxAddresses: []AuxAddress{{"router", ip("10.0.0.2")}, {"nas", ip("10.0.0.3")}}}}},
		{name: "flags matched to their subnets", spec: Spec{
			Subnets: []string{"10.1.0.0/16", "10.2.0.0/16"}, Gateways: []string{"10.2.0.9", "10.1.0.9"}},
			want: []Request{{Subnet: pfx("10.1.0.0/16"), Gateway: ip("10.1.0.9")}, {Subnet: pfx("10.2.0.0/16"), Gateway: ip("10.2.0.9")}}},
		{name: "ip-range masked like pflag", spec: Spec{Subnets: []string{"10.0.0.0/16"}, IPRanges: []string{"10.0.5.7/24"}},
			want: []Request{{Subnet: pfx("10.0.0.0/16"), IPRange: pfx("10.0.5.0/24")}}},
		{name: "bare address subnet", spec: Spec{Subnets: []string{"10.0.0.7"}},
			want: []Request{{Subnet: pfx("10.0.0.7/32")}}},
		{name: "any /24", spec: Spec{Subnets: []string{"0.0.0.0/24"}}, want: []Request{{Subnet: pfx("0.0.0.0/24")}}},
		{name: "aux key repeated keeps the last", spec: Spec{Subnets: []string{"10.0.0.0/24"},
			AuxAddresses: []string{"a=10.0.0.2", "a=10.0.0.3"}},
			want: []Request{{Subnet: pfx("10.0.0.0/24"), AuxAddresses: []AuxAddress{{"a", ip("10.0.0.3")}}}}},

		{name: "gateway without subnet", spec: Spec{Gateways: []string{"10.0.0.1"}},
			wantErr: "every ip-range or gateway must have a corresponding subnet"},
		{name: "range without subnet", spec: Spec{IPRanges: []string{"10.0.0.0/24"}},
			wantErr: "every ip-range or gateway must have a corresponding subnet"},
		{name: "gateway in no subnet", spec: Spec{Subnets: []string{"10.0.0.0/24"}, Gateways: []string{"10.9.0.1"}},
			wantErr: "no matching subnet for gateway 10.9.0.1"},
		{name: "range in no subnet", spec: Spec{Subnets: []string{"10.0.0.0/24"}, IPRanges: []string{"10.9.0.0/24"}},
			wantErr: "no matching subnet for range 10.9.0.0/24"},
		{name: "aux in no subnet", spec: Spec{Subnets: []string{"10.0.0.0/24"}, AuxAddresses: []string{"a=10.9.0.1"}},
			wantErr: "no matching subnet for aux-address 10.9.0.1"},
		{name: "aux without address", spec: Spec{Subnets: []string{"10.0.0.0/24"}, AuxAddresses: []string{"a"}},
			wantErr: `ParseAddr(""): unable to parse IP`},
		{name: "two ranges on one subnet", spec: Spec{Subnets: []string{"10.0.0.0/16"}, Gateways: []string{},
			IPRanges: []string{"10.0.1.0/24", "10.0.2.0/24"}}, wantErr: "every ip-range or gateway must have a corresponding subnet"},
		{name: "two gateways on one subnet", spec: Spec{Subnets: []string{"10.0.0.0/16", "10.1.0.0/16"},
			Gateways: []string{"10.0.0.1", "10.0.0.2"}},
			wantErr: "cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/16)"},
		{name: "two ranges, two subnets, one taken twice", spec: Spec{Subnets: []string{"10.0.0.0/16", "10.1.0.0/16"},
			IPRanges: []string{"10.0.1.0/24", "10.0.2.0/24"}},
			wantErr: "cannot configure multiple ranges (10.0.2.0/24, 10.0.1.0/24) on the same subnet (10.0.0.0/16)"},
		{name: "overlapping subnets", spec: Spec{Subnets: []string{"10.0.0.0/16", "10.0.1.0/24"}},
			wantErr: "multiple overlapping subnet configuration is not supported"},
		{name: "bad subnet", spec: Spec{Subnets: []string{"nonsense"}},
			wantErr: `invalid address: ParseAddr("nonsense"): unable to parse IP`},
		{name: "bad second subnet", spec: Spec{Subnets: []string{"10.0.0.0/24", "10.1.0.0/99"}},
			wantErr: "invalid subnet: invalid CIDR address: 10.1.0.0/99"},
		{name: "bad ip-range flag", spec: Spec{Subnets: []string{"10.0.0.0/24"}, IPRanges: []string{"x"}},
			wantErr: `invalid argument "x" for "--ip-range" flag: invalid CIDR address: x`},
		{name: "bad gateway flag", spec: Spec{Subnets: []string{"10.0.0.0/24"}, Gateways: []string{"x"}},
			wantErr: `invalid argument "x" for "--gateway" flag: invalid string being converted to IP address: x`},
		{name: "non-canonical subnet", spec: Spec{Subnets: []string{"10.1.2.3/16"}},
			wantErr: "invalid network config:\ninvalid subnet 10.1.2.3/16: it should be 10.1.0.0/16"},
		{name: "range bigger than subnet", spec: Spec{Subnets: []string{"10.1.0.0/24"}, IPRanges: []string{"10.1.0.0/16"}},
			wantErr: "invalid network config:\ninvalid ip-range 10.1.0.0/16: CIDR block is bigger than its parent subnet 10.1.0.0/24"},
		{name: "ipv6 subnet", spec: Spec{Subnets: []string{"fd00::/64"}}, wantErr: ErrIPv6.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseSpec(tc.spec)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tc.wantErr, err.Error())
				assert.True(t, errors.Is(err, ErrInvalidConfig) || errors.Is(err, ErrIPv6))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// FuzzIPAMRequest drives ParseSpec and RequestPool with arbitrary flag
// values: no panics, failed requests allocate nothing, successful ones give
// a gateway inside the subnet and addresses that can be requested and
// released.
func FuzzIPAMRequest(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzIPAMRequest.
	f.Fuzz(func(t *testing.T, subnet, ipRange, gateway, aux string) {
		a, err := New(Config{Reserved: []netip.Prefix{pfx("192.168.0.0/24")}})
		if err != nil {
			t.Fatal(err)
		}
		docker0, err := a.RequestPool(Request{})
		if err != nil {
			t.Fatal(err)
		}
		var spec Spec
		for _, s := range []struct {
			v   string
			dst *[]string
		}{{subnet, &spec.Subnets}, {ipRange, &spec.IPRanges}, {gateway, &spec.Gateways}, {aux, &spec.AuxAddresses}} {
			if s.v != "" {
				*s.dst = append(*s.dst, s.v)
			}
		}
		reqs, err := ParseSpec(spec)
		if err != nil {
			return
		}
		if len(reqs) == 0 {
			reqs = []Request{{}}
		}
		before := a.Allocated()
		p, err := a.RequestPool(reqs[0])
		if err != nil {
			if after := a.Allocated(); len(after) != len(before) {
				t.Fatalf("failed request changed allocations: %v -> %v", before, after)
			}
			return
		}
		if p.Gateway.IsValid() && !p.Subnet.Contains(p.Gateway) {
			t.Fatalf("gateway %s outside %s", p.Gateway, p.Subnet)
		}
		if p.Subnet.Overlaps(docker0.Subnet) && p.Subnet != docker0.Subnet {
			t.Fatalf("%s overlaps docker0", p.Subnet)
		}
		x, err := p.RequestAddress(netip.Addr{})
		if err == nil {
			if !p.Subnet.Contains(x) || x == p.Gateway {
				t.Fatalf("bad address %s in %s (gateway %s)", x, p.Subnet, p.Gateway)
			}
			if err := p.ReleaseAddress(x); err != nil {
				t.Fatal(err)
			}
		} else if !errors.Is(err, ErrNoAvailableIPs) {
			t.Fatalf("unexpected error %v", err)
		}
		if err := a.ReleasePool(p); err != nil {
			t.Fatal(err)
		}
		if after := a.Allocated(); len(after) != len(before) {
			t.Fatalf("release left %v, had %v", after, before)
		}
	})
}
