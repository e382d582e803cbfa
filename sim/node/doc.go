// Package node is one simulated Docker host of vsim: a network.Controller
// and the data plane that follows it, built in a sim.Loop the way Docker's
// bridge driver builds it in Linux.
//
// A Node owns:
//
//   - its controller (with the predefined networks bridge, host and none),
//     which it observes through network.Observer;
//   - its own host stack, the "host" namespace: a *host.Host named after the
//     node, with forwarding on, an underlay NIC (eth0) when Config.Underlay
//     is set, and one gateway NIC per bridge network, named like Docker's
//     bridge device (docker0, br-<12 hex of the network ID>), holding the
//     gateway address and MAC, so that the node answers ARP and ICMP echo on
//     every gateway and routes between its networks and its underlay;
//   - one vswitch.Bridge per bridge network (ARP suppression off, aging
//     300 s, no FDB cap, like Linux), with a port per endpoint and a port
//     for the gateway, each connected by a sim.Link without impairments;
//   - one Container per sandbox: a *host.Host named after the container
//     with a NIC per endpoint (the endpoint's MAC, MTU and address), a TCP
//     stack and a stub resolver;
//   - the embedded DNS (a dnsd.Server), listening on 127.0.0.11 port 53 over
//     UDP and TCP in every container on at least one user-defined network.
//
// What Docker's iptables rules do is done by filters on the gateway NICs
// and switch ports: forwarding between two different bridge networks is
// dropped (Docker's DOCKER-ISOLATION chains), and so is every forwarded
// packet from or to an internal network; on a network with
// com.docker.network.bridge.enable_icc=false, unicast IPv4 between two of
// its containers is dropped at the switch port. Each drop is counted with
// its reason ("isolation", "internal", "icc") and recorded in the trace
// with Where "node NAME".
//
// Published ports are Docker's DNAT (the nat table's DOCKER chain) with
// connection tracking, through the host's prerouting and forward hooks
// (host.SetPrerouting, host.SetForwardHook), installed only while the node
// has published ports or tracked connections. Node.Publish installs a
// container's port mappings (the runner calls it when a container starts,
// with the host ports docker chose), Node.Unpublish removes them (docker
// stop), and they also go when their endpoint leaves its network or the
// container is removed. A TCP or UDP packet arriving on a NIC that is not
// a bridge gateway (the underlay), unfragmented, to host port P of a node
// address the mapping is bound to (any node address for 0.0.0.0), gets
// the container's address on its first network and the container port as
// its destination; the IPv4 header and TCP/UDP checksums are updated
// incrementally (RFC 1624). The connection is tracked by its 5-tuple, and
// the container's replies, forwarded by the node, leave with the node's
// address and host port as their source. Entries expire with Linux's
// default conntrack timeouts in virtual time (UDP 30 s, 120 s once
// answered; TCP 120 s until answered, 5 days established, 120 s after a
// FIN, 10 s after a RST), and removing a mapping forgets its connections
// at once (Docker flushes them for UDP; a TCP flow to a stopped container
// has nowhere to go either). Mappings are matched in the order they were
// installed; lookups use maps, and nothing iterates one where order could
// matter.
//
// A packet from a bridge (a container) to a published port is translated
// too (hairpin), and its source becomes the gateway address of the
// published container's network, with the client's port where it is free:
// the container sees the connection as docker-proxy's, and its replies
// come back to the node, which returns them from the published port.
//
// Traffic a container sends out of the node (from a bridge network that
// masquerades: not internal, com.docker.network.bridge.enable_ip_masquerade
// not false, to a NIC that is not a bridge) leaves with the node's address
// on that NIC as its source, as Docker's MASQUERADE rule does: TCP and UDP
// keep their source port, ICMP echoes their identifier, unless the same
// tuple is taken (another connection to the same peer and port, the
// peer's own connection to that node port) or the node's own socket holds
// the port. Answers come back through
// conntrack, and ICMP errors about masqueraded packets (a traceroute's time
// exceeded, a port unreachable) reach the container with the quoted header
// translated back.
//
// Ports are published on the container's first endpoint that is not on an
// internal network, as Docker maps them on the endpoint that gives the way
// out.
//
// The node's own packets to a published port on one of its addresses are
// translated on their way out (the host's local-output hook, Docker's
// OUTPUT rule): the container sees the node's address, and its replies,
// addressed to the node, come back from the published port.
//
// Not done: localhost:PORT from the node (docker-proxy's); fragments (Linux reassembles
// before NAT; here a fragmented datagram is not translated); ICMP errors
// about published-port connections, and those a container sends about a
// translated connection; SCTP and IPv6 bindings.
//
// The default route of a container follows libnetwork's ordering of
// gateway candidates (Endpoint.Less): endpoints on internal networks never
// give one, and among the others the network whose name sorts first wins,
// so connecting a network can move the default route, as in Docker.
//
// Upstream DNS queries of the embedded DNS are real UDP datagrams (TCP when
// an answer comes back truncated) over the simulated network, with timeouts
// in virtual time: from the container's namespace for its --dns servers,
// from the node's own host for the node's servers (Config.DNS).
//
// Determinism: the package starts no goroutines and reads no wall clock.
// Randomness comes from loop.Rand streams named "node/NAME/...", plus the
// streams the hosts, links and stacks derive from their own names. No map
// is iterated where order could reach the network, the trace or output.
//
// Concurrency: nothing here is safe for concurrent use. A Node, its
// controller and its containers run on the goroutine that runs their loop;
// the controller must be driven from that goroutine too, between events.
//
// Ownership: frames are borrowed as package sim and host define it. Slices
// returned by accessors are copies.
package node
