package ipam

import (
	"fmt"
	"net/netip"
	"slices"
)

// Config configures an Allocator. The zero value gives Docker's defaults.
type Config struct {
	// Pools are the predefined pools dynamic subnets come from. Nil means
	// DefaultPools. They are used sorted by address, whatever their order.
	Pools []PoolSpec
	// Reserved prefixes are never handed out dynamically: the node's own
	// on-link routes and nameservers, as Docker's InferReservedNetworks
	// finds them. Static requests may still use them.
	Reserved []netip.Prefix
}

// AuxAddress is one --aux-address name=address pair.
type AuxAddress struct {
	Name string
	Addr netip.Addr
}

// Request asks for a pool, like one --subnet/--ip-range/--gateway/
// --aux-address group of docker network create.
type Request struct {
	// Subnet is the wanted subnet. The zero Prefix asks for the next free
	// predefined subnet; an unspecified address with a length (0.0.0.0/24)
	// asks for any free predefined block of that length (Docker v29).
	Subnet netip.Prefix
	// IPRange limits dynamic address allocation to a sub-range of Subnet.
	IPRange netip.Prefix
	// Gateway is the wanted gateway. If unset, the first free address (of
	// IPRange, if set) is taken, unless SkipGateway is set.
	Gateway netip.Addr
	// AuxAddresses are reserved in the pool; each must be in Subnet.
	AuxAddresses []AuxAddress
	// SkipGateway allocates no gateway unless one is given (macvlan and
	// ipvlan do so since Docker v29).
	SkipGateway bool
}

// subnet is the shared state of one allocated subnet: several networks may
// hold it when each has its own ip-range.
type subnet struct {
	prefix   netip.Prefix
	first    uint64 // number of the subnet's first address
	addrs    addrSet
	children map[netip.Prefix]bool // ip-ranges of the networks sharing it
	refs     int
}

// Allocator hands out subnets and addresses. It is not safe for concurrent
// use.
type Allocator struct {
	pools     []PoolSpec
	reserved  []netip.Prefix
	allocated []netip.Prefix // sorted by comparePrefix
	subnets   map[netip.Prefix]*subnet
}

// New returns an allocator over cfg's pools.
func New(cfg Config) (*Allocator, error) {
	specs := cfg.Pools
	if specs == nil {
		specs = DefaultPools()
	}
	pools, err := normalizePools(specs)
	if err != nil {
		return nil, fmt.Errorf("ipam: invalid pool configuration: %w", err)
	}
	var reserved []netip.Prefix
	for _, r := range cfg.Reserved {
		if r.IsValid() && r.Addr().Is4() {
			reserved = append(reserved, r.Masked())
		}
	}
	return &Allocator{pools: pools, reserved: reserved, subnets: map[netip.Prefix]*subnet{}}, nil
}

// Pools returns the allocator's predefined pools, sorted.
func (a *Allocator) Pools() []PoolSpec { return slices.Clone(a.pools) }

// Allocated returns the allocated subnets, sorted by address.
func (a *Allocator) Allocated() []netip.Prefix { return slices.Clone(a.allocated) }

// Pool is a network's hold on a subnet, returned by RequestPool. Its
// fields describe what was allocated; they must not be changed.
type Pool struct {
	Subnet  netip.Prefix
	IPRange netip.Prefix // zero when addresses come from the whole subnet
	Gateway netip.Addr   // zero when no gateway was allocated
	Aux     []AuxAddress // the reserved auxiliary addresses

	sn       *subnet
	a        *Allocator
	released bool
}

// RequestPool allocates a pool for req. On error nothing is allocated.
//
// Errors are Docker's: "invalid pool request: Pool overlaps with other one
// on this address space" (ErrPoolOverlap), "all predefined address pools
// have been fully subnetted" (ErrNoMoreSubnets), "failed to allocate
// gateway (X): Address already in use", "auxiliary address: (k:v) must
// belong to the master pool: P".
func (a *Allocator) RequestPool(req Request) (*Pool, error) {
	if (req.Subnet.IsValid() && !req.Subnet.Addr().Is4()) || (req.IPRange.IsValid() && !req.IPRange.Addr().Is4()) ||
		(req.Gateway.IsValid() && !req.Gateway.Is4()) {
		return nil, ErrIPv6
	}
	dynamic := !req.Subnet.IsValid() || req.Subnet.Addr().IsUnspecified()
	if dynamic && req.IPRange.IsValid() {
		return nil, fmt.Errorf("failed to parse pool request for address space %q pool %q subpool %q: %w", "LocalDefault", "", req.IPRange, ErrInvalidSubPool)
	}
	var (
		sn  *subnet
		err error
		ipr netip.Prefix
	)
	if dynamic {
		size := -1
		if req.Subnet.IsValid() {
			size = req.Subnet.Bits()
		}
		var p netip.Prefix
		if p, err = a.allocatePredefined(size); err != nil {
			return nil, err
		}
		sn = a.newSubnet(p)
	} else {
		p := req.Subnet.Masked()
		if req.IPRange.IsValid() {
			ipr = req.IPRange.Masked()
			if ipr.Bits() < p.Bits() {
				ipr = p // Docker keeps pre-v24 networks working this way
			}
		}
		if sn, err = a.allocateStatic(p, ipr); err != nil {
			return nil, fmt.Errorf("invalid pool request: %w", err)
		}
	}
	sn.refs++
	if ipr.IsValid() {
		sn.children[ipr] = true
	}
	pool := &Pool{Subnet: sn.prefix, IPRange: ipr, sn: sn, a: a}
	if err := pool.reserve(req); err != nil {
		pool.release()
		return nil, err
	}
	return pool, nil
}

// reserve takes the gateway and the auxiliary addresses.
func (p *Pool) reserve(req Request) error {
	if req.Gateway.IsValid() || !req.SkipGateway {
		gw, err := p.RequestAddress(req.Gateway)
		if err != nil {
			pref := ""
			if req.Gateway.IsValid() {
				pref = req.Gateway.String()
			}
			return fmt.Errorf("failed to allocate gateway (%s): %w", pref, err)
		}
		p.Gateway = gw
	}
	for _, aux := range req.AuxAddresses {
		if !aux.Addr.Is4() || !p.Subnet.Contains(aux.Addr) {
			return &configError{fmt.Sprintf("auxiliary address: (%s:%s) must belong to the master pool: %s", aux.Name, aux.Addr, p.Subnet)}
		}
		if _, err := p.RequestAddress(aux.Addr); err != nil {
			return fmt.Errorf("failed to allocate secondary ip address (%s:%s): %w", aux.Name, aux.Addr, err)
		}
		p.Aux = append(p.Aux, aux)
	}
	return nil
}

// ReleasePool gives back the pool's gateway, auxiliary addresses and, when
// no other network shares it, the subnet. Addresses handed out by
// RequestAddress must have been released first.
func (a *Allocator) ReleasePool(p *Pool) error {
	if p == nil || p.released || p.a != a {
		return ErrPoolReleased
	}
	p.release()
	return nil
}

func (p *Pool) release() {
	if p.Gateway.IsValid() {
		_ = p.ReleaseAddress(p.Gateway)
	}
	for _, aux := range p.Aux {
		_ = p.ReleaseAddress(aux.Addr)
	}
	sn, a := p.sn, p.a
	if p.IPRange.IsValid() {
		delete(sn.children, p.IPRange)
	}
	sn.refs--
	if sn.refs == 0 {
		a.deallocate(sn.prefix)
	}
	p.released = true
}

// RequestAddress allocates an address of the pool: pref if it is valid
// (anywhere in the subnet), otherwise the lowest free address of the
// ip-range (or of the subnet).
func (p *Pool) RequestAddress(pref netip.Addr) (netip.Addr, error) {
	if p.released {
		return netip.Addr{}, ErrPoolReleased
	}
	sn := p.sn
	if pref.IsValid() {
		if !pref.Is4() || !sn.prefix.Contains(pref) {
			return netip.Addr{}, ErrIPOutOfRange
		}
		if !sn.addrs.add(v4(pref) - sn.first) {
			return netip.Addr{}, ErrIPAlreadyAllocated
		}
		return pref, nil
	}
	from, to := uint64(0), sn.addrs.size-1
	if p.IPRange.IsValid() && p.IPRange != sn.prefix {
		f, l := span(p.IPRange)
		from, to = f-sn.first, l-sn.first
	}
	off, ok := sn.addrs.addLowest(from, to)
	if !ok {
		return netip.Addr{}, ErrNoAvailableIPs
	}
	return addrV4(sn.first + off), nil
}

// ReleaseAddress frees addr. Freeing an address that is not in use is not
// an error, as in Docker.
func (p *Pool) ReleaseAddress(addr netip.Addr) error {
	if p.released {
		return ErrPoolReleased
	}
	if !addr.Is4() || !p.sn.prefix.Contains(addr) {
		return ErrIPOutOfRange
	}
	p.sn.addrs.remove(v4(addr) - p.sn.first)
	return nil
}

// InUse reports whether addr is allocated in the pool's subnet.
func (p *Pool) InUse(addr netip.Addr) bool {
	if !addr.Is4() || !p.sn.prefix.Contains(addr) {
		return false
	}
	return p.sn.addrs.has(v4(addr) - p.sn.first)
}

// Used returns how many addresses of the subnet are in use, reserved ones
// (network, broadcast, gateway, auxiliary) included.
func (p *Pool) Used() uint64 { return p.sn.addrs.used }

// Released reports whether the pool was released.
func (p *Pool) Released() bool { return p.released }

// newSubnet registers p as allocated and pre-reserves its network and
// broadcast addresses (except in /31 and /32, RFC 3021).
func (a *Allocator) newSubnet(p netip.Prefix) *subnet {
	first, last := span(p)
	sn := &subnet{prefix: p, first: first, addrs: newAddrSet(last - first + 1), children: map[netip.Prefix]bool{}}
	if 32-p.Bits() > 1 {
		sn.addrs.add(0)
		sn.addrs.add(last - first)
	}
	i, _ := slices.BinarySearchFunc(a.allocated, p, comparePrefix)
	a.allocated = slices.Insert(a.allocated, i, p)
	a.subnets[p] = sn
	return sn
}

func (a *Allocator) deallocate(p netip.Prefix) {
	if i, ok := slices.BinarySearchFunc(a.allocated, p, comparePrefix); ok {
		a.allocated = slices.Delete(a.allocated, i, i+1)
	}
	delete(a.subnets, p)
}

// allocateStatic takes the user's subnet p. An already allocated p may be
// shared by a network with a new ip-range (Docker's macvlan idiom); any
// other overlap is refused. Unlike Docker, a subnet with an ip-range is
// also checked for overlap (moby/moby#46756).
func (a *Allocator) allocateStatic(p, ipr netip.Prefix) (*subnet, error) {
	if sn, ok := a.subnets[p]; ok {
		if !ipr.IsValid() || sn.children[ipr] {
			return nil, ErrPoolOverlap
		}
		return sn, nil
	}
	for _, q := range a.allocated {
		if q.Overlaps(p) {
			return nil, ErrPoolOverlap
		}
	}
	return a.newSubnet(p), nil
}

// allocatePredefined finds the first free subnet: over the pools sorted by
// address, the first block of the pool's size (or of size, if not -1) that
// overlaps no allocated subnet and no reserved prefix.
func (a *Allocator) allocatePredefined(size int) (netip.Prefix, error) {
	blockers := make([]netip.Prefix, 0, len(a.allocated)+len(a.reserved))
	blockers = append(blockers, a.allocated...)
	blockers = append(blockers, a.reserved...)
	usable := 0
	for _, spec := range a.pools {
		sz := spec.Size
		if size >= 0 {
			if spec.Base.Bits() > size || size > 32 {
				continue
			}
			sz = size
		}
		usable++
		_, baseLast := span(spec.Base)
		block := uint64(1) << (32 - sz)
		for cand, _ := span(spec.Base); cand+block-1 <= baseLast; {
			c := netip.PrefixFrom(addrV4(cand), sz)
			var hit netip.Prefix
			for _, b := range blockers {
				if b.Overlaps(c) {
					hit = b
					break
				}
			}
			if !hit.IsValid() {
				return c, nil
			}
			// Jump past the blocker, aligned to the block size.
			_, hitLast := span(hit)
			cand = (hitLast + block) &^ (block - 1)
		}
	}
	if usable == 0 {
		return netip.Prefix{}, ErrInvalidPool
	}
	return netip.Prefix{}, ErrNoMoreSubnets
}
