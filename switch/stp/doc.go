// Package stp implements the classic spanning tree protocol of IEEE
// 802.1D-1998 clause 8 and 9: bridge and port identifiers, the
// configuration and topology change notification BPDUs (codec in
// [DecodeBPDU], [BPDU.Encode] and [AppendFrame]), and the per-bridge
// protocol machine ([Machine]) that elects a root, assigns port roles,
// walks ports through blocking, listening, learning and forwarding, ages
// received information, and runs the topology change procedures.
//
// The machine is a transcription of the procedures of 802.1D-1998 8.6 to
// 8.8 (received_config_bpdu, configuration_update, port_state_selection,
// topology_change_detection and the timer expiries). Where this package
// goes beyond or has to choose within the standard, the choice is written
// next to the code:
//
//   - Received configuration BPDUs whose MessageAge is not below their
//     MaxAge are discarded and counted (as 802.1D-2004 9.3.4 and Linux do).
//   - The message age timer of a port runs for the MaxAge carried in the
//     BPDU that set it, minus its MessageAge (8.6.2.3.2 step 2).
//   - The Message Age Increment is one second, the usual overestimate of a
//     hop's delay, which bounds the diameter of the tree by MaxAge.
//   - Ports can be marked as edge ports ([Machine.SetEdge]), which clears
//     their change_detection_enabled parameter (8.5.5.10).
//
// Time: the machine never reads a clock. Every call that can make time pass
// takes the current time as a duration since an arbitrary origin; timers
// are deadlines on that scale and are fired, in order of their deadlines,
// by [Machine.Advance] or by the first call that passes a later time.
// [Machine.NextDeadline] tells a scheduler when the next timer is due.
//
// Concurrency: a Machine is not safe for concurrent use. The bridge that
// owns it serializes all calls. The [Env] callbacks run synchronously
// inside Machine calls and must not call back into the Machine.
//
// Buffer ownership: frames passed to [Machine.Input] are borrowed for the
// call and never retained. The frame passed to [Env.SendBPDU] belongs to
// the Machine and is only valid during that call; a sender that queues it
// copies it. BPDU encoding and decoding are pure functions over caller
// buffers.
package stp
