// Package sim is the deterministic discrete-event kernel of vswitch's
// simulator: one event loop owning virtual time, seeded random streams per
// component, links with impairments between NICs and switch ports, packet
// capture with virtual timestamps and a hashed trace of every delivery and
// drop.
//
// Determinism: the same seed and the same inputs give the same sequence of
// events, byte for byte, on any machine and at any GOMAXPROCS. Events are
// ordered by (virtual time, sequence number); every random draw comes from a
// stream returned by Loop.Rand for a named component; nothing reads the wall
// clock or iterates a map where order could reach the output.
//
// Concurrency: nothing in this package is safe for concurrent use. A Loop
// and everything attached to it run on the goroutine that calls Run.
//
// Ownership: frames passed to Deliver or to a link are borrowed for the call
// and copied into loop-owned buffers; receivers get them borrowed for the
// duration of Receive.
package sim
