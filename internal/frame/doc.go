// Package frame holds the wire-level vocabulary shared by every layer of
// vswitch: the MAC address type, EtherTypes, header views over byte slices
// (Ethernet, 802.1Q, ARP, IPv4, IPv6, ICMP, UDP, TCP), Internet checksums
// including the incremental update of RFC 1624, and a pool of frame buffers
// with headroom for encapsulation.
//
// Views are slices (`type Ethernet []byte`) that alias the caller's buffer:
// they never copy and never allocate. Each view has one length check (its
// Valid method, for example [Ethernet.Valid]); accessors
// assume that check passed and do no bounds checking of their own beyond
// what Go does, so always validate first.
//
// Concurrency: views are as safe as the bytes under them. The buffer pool
// is safe for concurrent use.
//
// Ownership: a view borrows its bytes; it dies with the buffer. Buffers from
// the pool belong to whoever called GetBuf until they call PutBuf.
package frame
