// Package app holds the application services of vswitch's simulated hosts:
// an HTTP/1.1 server and client over the sim/tcp stack, UDP and TCP echo
// servers, a one-shot UDP exchange (the scenario's udp step), and a small
// authoritative DNS server over UDP and TCP for L2 labs with a static-zone
// handler.
//
// Everything speaks real wire formats (HTTP/1.1 bytes, DNS messages packed
// by miekg/dns with 2-byte framing over TCP), so captures decode in
// Wireshark.
//
// The package never imports the host package: it uses the small [UDP]
// interface, which a simulated host satisfies, and *tcp.Stack.
//
// Concurrency: nothing here is safe for concurrent use; servers, clients
// and callbacks run on the goroutine that runs the sim.Loop. Completion
// callbacks (done) are always called from a loop event, never from inside
// the call that started the operation, and exactly once.
//
// Ownership: datagrams and stream data handed in by the transports are
// borrowed and copied where kept. Values passed to done callbacks (replies,
// response bodies) belong to the callee.
package app
