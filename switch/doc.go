// Package vswitch is an IEEE 802.1D learning bridge with 802.1Q VLANs and
// (optionally) the classic spanning tree of 802.1D-1998. The directory is
// named switch/, but switch is a Go keyword, so the package is vswitch.
//
// A Bridge has ports. Each port wraps a Port (anything that can send a
// frame: a TAP device, a simulated link, a VXLAN tunnel endpoint) and a
// PortConfig (access or trunk VLANs, MTU, STP cost). Frames enter with
// Bridge.Input; the bridge learns the source address per (VLAN, MAC), then
// forwards known unicast to one port and floods unknown unicast, broadcast
// and multicast to every forwarding member port of the VLAN. The reserved
// group addresses 01:80:c2:00:00:00-0f are never forwarded; BPDUs among them
// go to STP when it is on.
//
// Time: the bridge never reads a clock. Bridge.Advance(now) sets the current
// time (any monotonic time.Duration: the simulator's virtual time, or time
// since start in the daemon) and runs the aging sweep and STP timers. Input
// stamps FDB entries with the last advanced time, so the daemon calls
// Advance from a ticker (100 ms is plenty), as the kernel bridge works in
// jiffies.
//
// Concurrency: Input may be called from many goroutines at once (the daemon
// reads several TAPs in parallel). The FDB is a sharded hash table whose
// readers take no lock (writers of a shard serialize on its mutex), the
// port table is copy-on-write, and counters are atomic, so forwarding known
// traffic takes no lock at all. The FDB limit is checked without a global
// lock, so concurrent learners may overshoot it by a few entries. STP
// state changes are serialized by one mutex. The simulator calls everything
// from one goroutine and pays only uncontended costs. Port.Send may be called
// concurrently for different ports, and for the same port from several
// Input calls at once; a Port that is not safe for that must serialize
// itself.
//
// Ownership: a frame passed to Input is borrowed for the call. A frame passed
// to Port.Send is borrowed for that call too; a port that queues it must copy
// it. Flooding writes to each port in turn.
package vswitch
