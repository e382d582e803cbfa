// Package host is the simulated host stack of vsim: Ethernet NICs with a MAC
// and an MTU, ARP with a cache, timeouts and gratuitous announcements, IPv4
// with connected and static routes, a default gateway, TTL, DF,
// fragmentation and reassembly, optional forwarding between NICs (a host
// with several NICs and SetForwarding(true) is a router), ICMP (echo,
// destination and port unreachable, time exceeded, fragmentation needed),
// UDP sockets, and the ping and traceroute tools.
//
// Transports built on top (package sim/tcp, the DNS resolver, the HTTP
// client and server) register for their IP protocol with Host.Handle and
// send with Host.SendIP; they learn about ICMP errors through
// Host.HandleICMPError.
//
// Determinism: a Host is driven only by its sim.Loop. It starts no
// goroutines, never reads the wall clock, and draws randomness (ephemeral
// ports, ping identifiers) only from loop.Rand("host/"+name). Nothing that
// reaches the network or the trace depends on map iteration order.
//
// Scale: an idle host costs well under 10 KiB. Maps and buffers are created
// on first use, and the receive path for a frame addressed to another MAC
// (or to a multicast group the NIC did not join) does not allocate.
//
// Concurrency: nothing in this package is safe for concurrent use. A Host
// and its NICs run on the goroutine that runs their Loop, like everything
// else attached to it.
//
// Ownership: frames passed to NIC.Receive and payloads passed to SendIP,
// SendUDP and the other send calls are borrowed for the call. Payloads
// handed to callbacks registered with Handle, HandleICMPError and ListenUDP
// are borrowed for the callback; a callback that keeps them must copy them.
// Frames are built in a per-host scratch buffer that is reused for the next
// frame, so a Sender must copy what it keeps (a *sim.LinkEnd does) and must
// not call back into the same host synchronously.
//
// NAT hooks: Host.SetPrerouting installs a function that sees every
// IPv4 packet received on a NIC before the host decides to deliver or
// forward it and may replace it with a rewritten copy (netfilter's
// PREROUTING, where DNAT happens); Host.SetForwardHook one that sees each
// forwarded packet after routing, before it is framed, and may rewrite it
// in place (netfilter's POSTROUTING for forwarded packets, where replies
// are translated back); Host.SetLocalOutput one that sees the packets the
// host sends to its own addresses and may move them elsewhere, after
// which they are routed anew (netfilter's OUTPUT). They know nothing of
// what they rewrite: package sim/node builds Docker's published ports and
// masquerade on them. Unset (the default), they cost one nil check per
// packet.
//
// Drops: every frame or packet the host discards is counted by reason (see
// Host.Stats) and recorded in the loop's trace as a "drop" event with Where
// "host NAME". Frames the NIC address filter ignores (unicast for another
// MAC, multicast groups not joined) are not drops: real NICs never see
// them; they are counted as Filtered only.
package host
