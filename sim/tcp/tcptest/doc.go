// Package tcptest provides an in-memory IP network of fake hosts for
// testing the simulator's transports (packages tcp, app and resolv) without
// the host package: packets are delivered by the event loop after a
// configurable delay, with deterministic loss drawn from the loop's random
// streams, an optional MTU that answers with ICMP "fragmentation needed", and
// ICMP errors for unreachable hosts, protocols and UDP ports.
//
// Concurrency: like the loop, nothing here is safe for concurrent use.
//
// Ownership: payloads handed to SendIP or SendUDP are copied; handlers get
// borrowed slices.
package tcptest
