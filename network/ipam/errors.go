package ipam

import "errors"

// Sentinel errors. Their texts are Docker's (ln/ipamapi/contract.go); the
// errors returned by this package wrap them with Docker's context where
// Docker adds some, so match them with errors.Is.
var (
	// ErrPoolOverlap: a static subnet overlaps an allocated one. RequestPool
	// returns it as "invalid pool request: Pool overlaps with other one on
	// this address space".
	ErrPoolOverlap = errors.New("Pool overlaps with other one on this address space")
	// ErrNoMoreSubnets: every predefined pool is fully subnetted.
	ErrNoMoreSubnets = errors.New("all predefined address pools have been fully subnetted")
	// ErrInvalidPool: no predefined pool can hold a subnet of the requested
	// size (for a "0.0.0.0/N" request), or the request is malformed.
	ErrInvalidPool = errors.New("invalid address pool")
	// ErrInvalidSubPool: an ip-range was given without a subnet.
	ErrInvalidSubPool = errors.New("invalid address subpool")
	// ErrIPAlreadyAllocated: the requested address is in use.
	ErrIPAlreadyAllocated = errors.New("Address already in use")
	// ErrNoAvailableIPs: the pool (or its ip-range) has no free address.
	ErrNoAvailableIPs = errors.New("no available addresses on this pool")
	// ErrIPOutOfRange: the address is not inside the pool's subnet.
	ErrIPOutOfRange = errors.New("requested address is out of range")
	// ErrPoolReleased: the pool handle was already released.
	ErrPoolReleased = errors.New("ipam: pool already released")
	// ErrIPv6 is returned for IPv6 subnets and addresses, which this
	// allocator does not implement yet.
	ErrIPv6 = errors.New("IPv6 address pools are not supported by vswitch yet")
	// ErrInvalidConfig wraps every validation error of ParseSpec, whose text
	// is Docker's own ("invalid network config:\n...", "no matching subnet
	// for gateway X", ...).
	ErrInvalidConfig = errors.New("ipam: invalid configuration")
)

// configError carries a Docker message and matches ErrInvalidConfig.
type configError struct{ msg string }

func (e *configError) Error() string        { return e.msg }
func (e *configError) Is(target error) bool { return target == ErrInvalidConfig }
