package host

import "github.com/vswitch/vswitch/sim"

// reason is why a host discarded a frame or a packet. The names are the
// trace's Why and the keys of Stats.Drops.
type reason uint8

const (
	dropMalformed    reason = iota // a header too short or inconsistent
	dropBadChecksum                // IPv4 header, ICMP or UDP checksum wrong
	dropIPv6                       // the stack is IPv4 only
	dropEtherType                  // neither IPv4, ARP nor IPv6
	dropVLAN                       // hosts have no VLAN sub-interfaces
	dropCarrier                    // sent while the NIC's link is down
	dropNotConnected               // sent on a NIC with no Sender
	dropNotForHost                 // IPv4 to another host, forwarding off
	dropMartian                    // source address broadcast or multicast
	dropNoRoute                    // no route to the destination
	dropTTL                        // TTL expired while forwarding
	dropFragNeeded                 // DF set and bigger than the next MTU
	dropTooBig                     // a local packet with DF bigger than the MTU
	dropARPTimeout                 // the next hop never answered ARP
	dropARPQueue                   // too many packets waiting for one ARP answer
	dropAddrConflict               // an ARP from another MAC claims our address
	dropPortUnreach                // UDP to a port nobody listens on
	dropProtoUnreach               // an IP protocol nobody handles
	dropNoListener                 // an ICMP message nobody waits for
	dropIgnoredBcast               // echo request to a broadcast address (Linux ignores them)
	dropFragOverlap                // overlapping or inconsistent fragments
	dropReasmTimeout               // fragments of a datagram that never completed
	dropReasmLimit                 // too many datagrams being reassembled at once
	dropBroadcastTCP               // a TCP segment to a broadcast or multicast address
	numReasons
)

var reasonNames = [numReasons]string{
	dropMalformed:    "malformed",
	dropBadChecksum:  "bad-checksum",
	dropIPv6:         "ipv6-unsupported",
	dropEtherType:    "unknown-ethertype",
	dropVLAN:         "vlan-tagged",
	dropCarrier:      "carrier-down",
	dropNotConnected: "not-connected",
	dropNotForHost:   "not-for-host",
	dropMartian:      "martian",
	dropNoRoute:      "no-route",
	dropTTL:          "ttl-exceeded",
	dropFragNeeded:   "frag-needed",
	dropTooBig:       "too-big",
	dropARPTimeout:   "arp-timeout",
	dropARPQueue:     "arp-queue-full",
	dropAddrConflict: "addr-conflict",
	dropPortUnreach:  "port-unreachable",
	dropProtoUnreach: "proto-unreachable",
	dropNoListener:   "no-listener",
	dropIgnoredBcast: "ignored-broadcast",
	dropFragOverlap:  "frag-overlap",
	dropReasmTimeout: "reassembly-timeout",
	dropReasmLimit:   "reassembly-limit",
	dropBroadcastTCP: "broadcast-tcp",
}

func (r reason) String() string { return reasonNames[r] }

// drop counts a discarded frame or packet and records it in the trace. f may
// be nil; it is borrowed.
func (h *Host) drop(r reason, f []byte) {
	h.drops[r]++
	h.record("drop", reasonNames[r], f)
}

// dropPacket counts and traces the drop of an IPv4 packet that has no
// Ethernet header yet (waiting for ARP, or being sent): the trace gets its
// length, not bytes a decoder would read as a frame.
func (h *Host) dropPacket(r reason, pkt []byte) {
	h.drops[r]++
	h.loop.Trace().Record(sim.Event{Time: h.loop.Now(), Where: h.where, What: "drop", Why: reasonNames[r], Len: len(pkt)})
}

// Stats are a host's counters, summed over its NICs.
type Stats struct {
	RxFrames, RxBytes uint64 // frames accepted by the NIC address filters
	TxFrames, TxBytes uint64 // frames handed to the links
	Filtered          uint64 // frames for other MACs or unjoined groups, ignored
	Forwarded         uint64 // IPv4 packets routed on to another hop
	// Drops counts discarded frames and packets by reason ("arp-timeout",
	// "no-route", ...). Only reasons that occurred are present.
	Drops map[string]uint64
}

// Stats returns the host's counters.
func (h *Host) Stats() Stats {
	s := Stats{Forwarded: h.forwarded, Drops: map[string]uint64{}}
	for _, n := range h.nics {
		s.RxFrames += n.rxFrames
		s.RxBytes += n.rxBytes
		s.TxFrames += n.txFrames
		s.TxBytes += n.txBytes
		s.Filtered += n.filtered
	}
	for r, c := range h.drops {
		if c > 0 {
			s.Drops[reasonNames[r]] = c
		}
	}
	return s
}

// Drops returns how many frames or packets the host dropped for reason
// (one of the keys of Stats.Drops).
func (h *Host) Drops(reason string) uint64 {
	for r, name := range reasonNames {
		if name == reason {
			return h.drops[r]
		}
	}
	return 0
}

// NICStats are one NIC's counters.
type NICStats struct {
	RxFrames, RxBytes uint64
	TxFrames, TxBytes uint64
	Filtered          uint64
}

// Stats returns the NIC's counters.
func (n *NIC) Stats() NICStats {
	return NICStats{n.rxFrames, n.rxBytes, n.txFrames, n.txBytes, n.filtered}
}
