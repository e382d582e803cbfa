package ipam

import (
	"fmt"
	"net/netip"
	"slices"
)

// PoolSpec is one predefined pool: a base prefix split into subnets of Size
// bits, as in dockerd's --default-address-pool base=172.17.0.0/16,size=16.
type PoolSpec struct {
	Base netip.Prefix
	Size int
}

// String formats the spec as dockerd's flag does.
func (p PoolSpec) String() string { return fmt.Sprintf("base=%s,size=%d", p.Base, p.Size) }

// DefaultPools returns Docker's local-scope default pools, in Docker's order
// (ln/ipamutils/utils.go): 31 subnets, the first of which the default bridge
// (docker0) takes.
func DefaultPools() []PoolSpec {
	return []PoolSpec{
		{Base: netip.MustParsePrefix("172.17.0.0/16"), Size: 16},
		{Base: netip.MustParsePrefix("172.18.0.0/16"), Size: 16},
		{Base: netip.MustParsePrefix("172.19.0.0/16"), Size: 16},
		{Base: netip.MustParsePrefix("172.20.0.0/14"), Size: 16},
		{Base: netip.MustParsePrefix("172.24.0.0/14"), Size: 16},
		{Base: netip.MustParsePrefix("172.28.0.0/14"), Size: 16},
		{Base: netip.MustParsePrefix("192.168.0.0/16"), Size: 20},
	}
}

// normalizePools validates specs and returns them sorted by address with
// any spec overlapping an earlier one dropped, as Docker's newAddrSpace
// does (a longer prefix inside a shorter one would otherwise be handed out
// twice).
func normalizePools(specs []PoolSpec) ([]PoolSpec, error) {
	out := make([]PoolSpec, 0, len(specs))
	for i, p := range specs {
		switch {
		case !p.Base.IsValid() || p.Size <= 0 || p.Base != p.Base.Masked():
			return nil, fmt.Errorf("network at index %d (%v) is not in canonical form", i, p)
		case !p.Base.Addr().Is4():
			return nil, fmt.Errorf("network at index %d (%v): %w", i, p, ErrIPv6)
		case p.Base.Bits() > p.Size:
			return nil, fmt.Errorf("network at index %d (%v) has a smaller prefix (/%d) than the target size of that pool (/%d)", i, p, p.Base.Bits(), p.Size)
		case p.Size > 32:
			return nil, fmt.Errorf("network at index %d (%v) has a target size larger than /32", i, p)
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b PoolSpec) int { return comparePrefix(a.Base, b.Base) })
	j := 0
	for i := range out {
		if j > 0 && out[j-1].Base.Overlaps(out[i].Base) {
			continue
		}
		out[j] = out[i]
		j++
	}
	return out[:j], nil
}

// comparePrefix orders prefixes by address, then by length (shorter first).
func comparePrefix(a, b netip.Prefix) int {
	if c := a.Addr().Compare(b.Addr()); c != 0 {
		return c
	}
	return a.Bits() - b.Bits()
}

// v4 returns a as a number. a must be IPv4.
func v4(a netip.Addr) uint64 {
	b := a.As4()
	return uint64(b[0])<<24 | uint64(b[1])<<16 | uint64(b[2])<<8 | uint64(b[3])
}

// addrV4 returns the IPv4 address with number n.
func addrV4(n uint64) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// span returns the first and last address numbers of an IPv4 prefix.
func span(p netip.Prefix) (first, last uint64) {
	first = v4(p.Masked().Addr())
	return first, first + (uint64(1) << (32 - p.Bits())) - 1
}
