// Package ipam is vswitch's IP address management, modelled on Docker's
// default IPAM driver (moby daemon/libnetwork/ipams/defaultipam).
//
// An Allocator hands out subnets ("pools") and, inside each pool, addresses:
//
//   - Dynamic subnets come from a list of predefined pools, first fit over
//     the pools sorted by address, skipping subnets already allocated and a
//     caller-supplied list of reserved prefixes (the node's own LAN routes).
//     The default list is Docker's: 172.17/16, 172.18/16, 172.19/16,
//     172.20/14, 172.24/14 and 172.28/14 split into /16s, and 192.168/16
//     split into /20s, 31 subnets in all. Unlike Docker, the list is
//     configurable per allocator (see Config.Pools).
//   - Static subnets (--subnet) must not overlap an allocated one, except
//     that a subnet may be shared by networks with distinct --ip-range, as
//     Docker allows for macvlan.
//   - Inside a pool the network and broadcast addresses are reserved, the
//     gateway is the first free address (of the ip-range if there is one)
//     unless given, auxiliary addresses are reserved, and containers get the
//     lowest free address. Freed addresses are reused lowest first.
//
// Address sets are bitmaps in chunks of 65,536 addresses with a per-chunk
// summary of full words and a "lowest possibly free" hint, so allocating
// the lowest free address is O(1) amortized.
//
// Only IPv4 is implemented: IPv6 subnets are refused with ErrIPv6 (Docker's
// ULA-derived IPv6 pools are not modelled yet).
//
// Error texts are Docker's, to the letter, so that callers can show them as
// the Docker daemon would. Errors that callers branch on are the exported
// sentinels, matched with errors.Is.
//
// Concurrency: nothing in this package is safe for concurrent use; callers
// serialize. Nothing here touches the OS or the clock.
//
// Ownership: values (netip.Prefix, netip.Addr) in and out; nothing borrowed.
package ipam
