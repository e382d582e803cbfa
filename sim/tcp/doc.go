// Package tcp is the TCP subset of vswitch's simulated hosts: enough TCP for
// request/response traffic over lossy simulated links, run entirely by the
// simulator's event loop.
//
// What it does: the three-way handshake with the MSS option (the segment
// size is min(own MTU-40, peer MSS)); RST for segments to closed ports by the
// rules of RFC 793 ("connection refused"); in-order delivery only (an
// out-of-order segment is dropped and answered with a duplicate ACK);
// cumulative ACKs sent at once for every segment (no delayed ACK); a fixed
// 64 KiB receive window (the application consumes data as it arrives);
// a sliding send window limited by the peer's window and by a congestion
// window (slow start, congestion avoidance, fast retransmit on the third
// duplicate ACK followed by a go-back-N resend, since receivers drop
// out-of-order segments); retransmission with the RTO of RFC 6298 (SRTT and
// RTTVAR, Karn's rule, 200 ms minimum as Linux, 1 s initial, doubling back-off
// up to 120 s, giving up after 8 retries); SYN retransmission within the dial
// budget; FIN close in both directions with a short (2 s virtual) TIME_WAIT;
// path-MTU reaction to ICMP "fragmentation needed" (and smaller segments
// when the IP layer refuses a big one); RFC 5961 challenge ACKs, with
// answers to invalid segments rate-limited as Linux's
// tcp_invalid_ratelimit, and ACKs of unsent data dropped silently, so that
// desynchronized ends cannot trade ACKs forever; ISNs from a seeded stream
// of the loop. Not done: window scaling, SACK, timestamps, urgent data,
// out-of-order queueing, Nagle, delayed ACKs, keepalives.
//
// The stack sits on an [IP] interface (a simulated host satisfies it) and
// never imports the host package, so it is tested over in-memory fakes
// (package tcptest).
//
// Concurrency: nothing here is safe for concurrent use. A Stack, its Conns
// and every callback run on the goroutine that runs the sim.Loop. Callbacks
// (accept, dial done, OnData, OnClose) are called from loop events; Dial
// never calls done synchronously.
//
// Ownership: segments handed in by the IP layer are borrowed for the call.
// Conn.Write copies its argument. The slice passed to an OnData callback is
// borrowed for the call; keep a copy if needed.
package tcp
