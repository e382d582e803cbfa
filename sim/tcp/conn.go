package tcp

import (
	"net/netip"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// state is a connection state of RFC 793 (LISTEN lives in Stack.listeners).
type state uint8

const (
	stateClosed state = iota
	stateSynSent
	stateSynRcvd
	stateEstablished
	stateFinWait1
	stateFinWait2
	stateCloseWait
	stateClosing
	stateLastAck
	stateTimeWait
)

var stateNames = [...]string{
	stateClosed:      "CLOSED",
	stateSynSent:     "SYN_SENT",
	stateSynRcvd:     "SYN_RCVD",
	stateEstablished: "ESTABLISHED",
	stateFinWait1:    "FIN_WAIT_1",
	stateFinWait2:    "FIN_WAIT_2",
	stateCloseWait:   "CLOSE_WAIT",
	stateClosing:     "CLOSING",
	stateLastAck:     "LAST_ACK",
	stateTimeWait:    "TIME_WAIT",
}

func (s state) String() string { return stateNames[s] }

// Sequence-number comparisons modulo 2^32 (RFC 793 section 3.3).
func seqLT(a, b uint32) bool  { return int32(a-b) < 0 }
func seqLEQ(a, b uint32) bool { return int32(a-b) <= 0 }
func seqGT(a, b uint32) bool  { return int32(a-b) > 0 }
func seqGEQ(a, b uint32) bool { return int32(a-b) >= 0 }

// initialWindow is the initial congestion window in segments (RFC 6928).
const initialWindow = 10

// clockGranularity is G of RFC 6298.
const clockGranularity = time.Millisecond

// Stats describes one connection.
type Stats struct {
	State              string
	SegmentsSent       uint64
	SegmentsReceived   uint64
	BytesSent          uint64 // application bytes sent for the first time
	BytesRetransmitted uint64
	BytesAcked         uint64
	BytesReceived      uint64 // application bytes delivered in order
	Retransmits        uint64 // segments sent again (SYN, RTO, fast retransmit)
	Timeouts           uint64 // RTO expirations on data or FIN
	FastRetransmits    uint64
	DupAcks            uint64 // duplicate ACKs received
	OutOfOrder         uint64 // early segments dropped
	RTO                time.Duration
	SRTT               time.Duration
	RTTVar             time.Duration
	MSS                int
	Cwnd               int
}

// Conn is one TCP connection. It is handed out established, by Dial's done
// callback or a listener's accept callback. It is not safe for concurrent
// use.
type Conn struct {
	s     *Stack
	key   connKey
	state state

	// Send side. sbuf[soff:] holds the data from sndUna on: first the
	// unacknowledged bytes, then the unsent ones. sndNxt can be moved back
	// to sndUna by a timeout (go-back-N); sndMax is the highest ever sent.
	iss, sndUna, sndNxt, sndMax uint32
	sndWnd                      uint32
	sndWL1, sndWL2              uint32
	sbuf                        []byte
	soff                        int
	finQueued                   bool
	mss                         int // segment size in use
	ownMSS                      int // advertised: own MTU-40
	cwnd, ssthresh              int
	dupAcks                     int
	inRecovery                  bool
	recover                     uint32

	// Receive side.
	irs, rcvNxt uint32
	ackPending  bool
	oowSent     bool
	lastOOW     time.Duration

	// Retransmission (and TIME_WAIT) timer and RFC 6298 state.
	rtx         *sim.Timer
	rto         time.Duration
	srtt        time.Duration
	rttvar      time.Duration
	hasRTT      bool
	retries     int
	synLost     bool // our SYN or SYN-ACK was sent again: see establish
	rttTiming   bool
	rttSeq      uint32
	rttStart    time.Duration
	dialDone    func(*Conn, error)
	dialTimer   *sim.Timer
	accept      func(*Conn)
	onData      func([]byte)
	onClose     func(error)
	pending     []byte
	eof         bool
	closeErr    error
	reported    bool
	flushQueued bool

	stats Stats
}

// LocalAddr returns the local address and port.
func (c *Conn) LocalAddr() netip.AddrPort { return c.key.local }

// RemoteAddr returns the peer's address and port.
func (c *Conn) RemoteAddr() netip.AddrPort { return c.key.remote }

// State returns the RFC 793 name of the connection's state.
func (c *Conn) State() string { return c.state.String() }

// Stats returns the connection's counters and timer values.
func (c *Conn) Stats() Stats {
	st := c.stats
	st.State = c.state.String()
	st.RTO, st.SRTT, st.RTTVar = c.rto, c.srtt, c.rttvar
	st.MSS, st.Cwnd = c.mss, c.cwnd
	return st
}

// OnData sets the function that receives the connection's data, in order.
// The slice is borrowed for the call. Data that arrived before OnData was
// set is delivered from a loop event right after.
func (c *Conn) OnData(fn func([]byte)) {
	c.onData = fn
	c.queueFlush()
}

// OnClose sets the function called once when the incoming stream ends: with
// nil when the peer closed its side (FIN; the connection can still send
// until Close), or with ErrReset, ErrTimeout or ErrUnreachable when the
// connection died first. It is not called after Abort.
func (c *Conn) OnClose(fn func(error)) {
	c.onClose = fn
	c.queueFlush()
}

// Write queues a copy of b for sending and sends what the windows allow. It
// fails with ErrClosed after Close, Abort or the end of the connection.
func (c *Conn) Write(b []byte) (int, error) {
	if c.state != stateEstablished && c.state != stateCloseWait {
		return 0, ErrClosed
	}
	if c.soff > 0 && c.soff == len(c.sbuf) {
		c.sbuf, c.soff = c.sbuf[:0], 0
	}
	c.sbuf = append(c.sbuf, b...)
	c.output()
	return len(b), nil
}

// Close sends a FIN after the queued data (half-close: data from the peer is
// still delivered until its FIN). It is idempotent.
func (c *Conn) Close() {
	switch c.state {
	case stateEstablished:
		c.state = stateFinWait1
	case stateCloseWait:
		c.state = stateLastAck
	default:
		return
	}
	c.finQueued = true
	c.output()
}

// Abort resets the connection: it sends a RST and forgets the connection at
// once. OnClose is not called.
func (c *Conn) Abort() {
	switch c.state {
	case stateClosed:
		return
	case stateSynSent, stateTimeWait:
	default:
		c.send(c.sndMax, c.rcvNxt, frame.TCPRst|frame.TCPAck, nil)
	}
	c.destroy(nil, false)
}

// data returns the bytes from sndUna on.
func (c *Conn) data() []byte { return c.sbuf[c.soff:] }

// send sends one segment of this connection.
func (c *Conn) send(seq, ack uint32, flags uint8, data []byte) error {
	c.stats.SegmentsSent++
	if flags&frame.TCPAck != 0 {
		c.ackPending = false
	}
	return c.s.send(c.key, seq, ack, flags, 0, data)
}

// sendFlags sends a SYN or SYN-ACK with the MSS option.
func (c *Conn) sendFlags(seq uint32, flags uint8) error {
	c.stats.SegmentsSent++
	var ack uint32
	if flags&frame.TCPAck != 0 {
		ack = c.rcvNxt
	}
	return c.s.send(c.key, seq, ack, flags, uint16(c.ownMSS), nil)
}

func (c *Conn) sendAck() { c.send(c.sndMax, c.rcvNxt, frame.TCPAck, nil) }

// oowAck answers an invalid segment (out of window, or needing a challenge
// ACK). Answers to segments without data or FIN, or with SYN, are limited
// to one per InvalidAckInterval, as Linux's tcp_invalid_ratelimit: such
// segments are what two desynchronized ends would otherwise trade forever.
func (c *Conn) oowAck(g *segment) {
	if len(g.data) == 0 && !g.has(frame.TCPFin) || g.has(frame.TCPSyn) {
		now := c.s.loop.Now()
		if c.oowSent && now-c.lastOOW < InvalidAckInterval {
			c.s.stats.RateLimited++
			return
		}
		c.oowSent, c.lastOOW = true, now
	}
	c.sendAck()
}

// setPeerMSS applies the MSS option of a SYN: min(own MTU-40, peer MSS).
func (c *Conn) setPeerMSS(g *segment) {
	peer := defaultPeerMSS
	if g.hasMSS && g.mss > 0 {
		peer = int(g.mss)
	}
	c.mss = max(min(c.ownMSS, peer), minMSS)
}

// sendData sends the segment starting at seq with at most maxLen data
// bytes, adding the FIN if it reaches the end of a closed stream. It
// returns the sequence space used (0 if there was nothing to send).
func (c *Conn) sendData(seq uint32, maxLen int) uint32 {
	data := c.data()
	off := int(seq - c.sndUna)
	n := max(min(maxLen, len(data)-off), 0)
	flags := frame.TCPAck
	fin := c.finQueued && off+n == len(data)
	if fin {
		flags |= frame.TCPFin
	}
	if n > 0 && off+n == len(data) {
		flags |= frame.TCPPsh
	}
	if n == 0 && !fin {
		return 0
	}
	used := uint32(n)
	if fin {
		used++
	}
	end := seq + used
	if seqLT(seq, c.sndMax) {
		c.stats.Retransmits++
		c.s.stats.Retransmits++
		c.stats.BytesRetransmitted += uint64(n)
	} else {
		c.stats.BytesSent += uint64(n)
		if !c.rttTiming {
			c.startRTT(end)
		}
	}
	if err := c.send(seq, c.rcvNxt, flags, data[off:off+n]); err != nil && n > defaultPeerMSS {
		// The IP layer refused the segment, perhaps too big for the
		// egress MTU (DF is set, and the stack may not know the MTU):
		// retransmissions use smaller segments, down to RFC 879's 536.
		c.mss = max(defaultPeerMSS, c.mss/2)
	}
	if seqGT(end, c.sndMax) {
		c.sndMax = end
	}
	if armed, _ := c.rtx.Armed(); !armed {
		c.rtx.Reset(c.rto)
	}
	return used
}

func (c *Conn) startRTT(end uint32) {
	c.rttTiming, c.rttSeq, c.rttStart = true, end, c.s.loop.Now()
}

// output sends new (or, after a timeout, re-sent) data as far as the peer's
// window and the congestion window allow, then the FIN.
func (c *Conn) output() {
	switch c.state {
	case stateEstablished, stateCloseWait, stateFinWait1, stateClosing, stateLastAck:
	default:
		return
	}
	for c.state != stateClosed {
		data := c.data()
		off := int(c.sndNxt - c.sndUna)
		if off > len(data) {
			return // the FIN is out
		}
		remaining := len(data) - off
		if remaining == 0 {
			if c.finQueued {
				c.sndNxt += c.sendData(c.sndNxt, 0)
			}
			return
		}
		room := min(int(c.sndWnd), c.cwnd) - off
		if room <= 0 {
			if c.sndWnd == 0 && c.sndUna == c.sndMax {
				// Zero window and nothing in flight: the retransmission
				// timer doubles as the persist timer.
				if armed, _ := c.rtx.Armed(); !armed {
					c.rtx.Reset(c.rto)
				}
			}
			return
		}
		c.sndNxt += c.sendData(c.sndNxt, min(c.mss, remaining, room))
	}
}

// input processes a segment for this connection (RFC 793 "SEGMENT
// ARRIVES", with RFC 5961's stricter RST and SYN handling).
func (c *Conn) input(g *segment) {
	c.stats.SegmentsReceived++
	if c.state == stateFinWait2 {
		// We only closed our side: while the peer is still sending, the
		// connection lives (Linux times out only orphaned sockets).
		c.rtx.Reset(FinTimeout)
	}
	if c.state == stateSynSent {
		c.synSentInput(g)
		return
	}
	if c.state == stateSynRcvd && g.has(frame.TCPSyn) && !g.has(frame.TCPAck) && g.seq == c.irs {
		// The peer did not get our SYN-ACK.
		c.synLost = true
		c.stats.Retransmits++
		c.s.stats.Retransmits++
		c.sendFlags(c.iss, frame.TCPSyn|frame.TCPAck)
		return
	}
	if !c.acceptable(g) {
		c.s.stats.Drops.OutOfWindow++
		if !g.has(frame.TCPRst) {
			c.oowAck(g)
		}
		if c.state == stateTimeWait && g.has(frame.TCPFin) {
			c.rtx.Reset(TimeWait)
		}
		return
	}
	if g.has(frame.TCPRst) {
		c.resetInput(g)
		return
	}
	if g.has(frame.TCPSyn) {
		c.s.stats.Drops.Other++
		c.oowAck(g) // challenge ACK (RFC 5961 4.2)
		return
	}
	if !g.has(frame.TCPAck) {
		c.s.stats.Drops.NoAck++
		return
	}
	if !c.ackInput(g) || c.state == stateClosed {
		return
	}
	c.dataInput(g)
	if c.state == stateClosed {
		return
	}
	c.output()
	if c.ackPending {
		c.sendAck()
	}
}

// acceptable is RFC 793's segment acceptability test with the fixed
// receive window.
func (c *Conn) acceptable(g *segment) bool {
	in := func(s uint32) bool { return s-c.rcvNxt < RecvWindow }
	l := g.len()
	if l == 0 {
		return in(g.seq)
	}
	return in(g.seq) || in(g.seq+l-1)
}

func (c *Conn) synSentInput(g *segment) {
	ackOK := false
	if g.has(frame.TCPAck) {
		if seqLEQ(g.ack, c.iss) || seqGT(g.ack, c.sndMax) {
			c.s.stats.Drops.BadAck++
			if !g.has(frame.TCPRst) {
				c.send(g.ack, 0, frame.TCPRst, nil)
			}
			return
		}
		ackOK = true
	}
	if g.has(frame.TCPRst) {
		if !ackOK {
			c.s.stats.Drops.Other++
			return
		}
		c.s.stats.ResetsIn++
		c.dialFailed(ErrRefused)
		return
	}
	if !g.has(frame.TCPSyn) {
		c.s.stats.Drops.Other++
		return
	}
	c.irs, c.rcvNxt = g.seq, g.seq+1
	c.setPeerMSS(g)
	c.sndWnd, c.sndWL1, c.sndWL2 = g.wnd, g.seq, g.ack
	if !ackOK {
		// Simultaneous open.
		c.state = stateSynRcvd
		c.stats.Retransmits++
		c.s.stats.Retransmits++
		c.sendFlags(c.iss, frame.TCPSyn|frame.TCPAck)
		return
	}
	c.newAck(g.ack)
	c.sendAck()
	c.establish()
}

// resetInput handles an acceptable RST.
func (c *Conn) resetInput(g *segment) {
	if g.seq != c.rcvNxt {
		c.s.stats.Drops.Other++
		c.oowAck(g) // challenge ACK (RFC 5961 3.2)
		return
	}
	c.s.stats.ResetsIn++
	switch c.state {
	case stateSynRcvd:
		if c.dialDone != nil {
			c.dialFailed(ErrRefused)
			return
		}
		c.destroy(nil, false)
	case stateEstablished, stateFinWait1, stateFinWait2, stateCloseWait:
		c.destroy(ErrReset, true)
	default:
		c.destroy(nil, false)
	}
}

// ackInput processes the ACK field; it reports whether to go on with the
// segment's data.
func (c *Conn) ackInput(g *segment) bool {
	if c.state == stateSynRcvd {
		if seqLEQ(g.ack, c.sndUna) || seqGT(g.ack, c.sndMax) {
			c.s.stats.Drops.BadAck++
			c.send(g.ack, 0, frame.TCPRst, nil)
			return false
		}
		c.newAck(g.ack)
		c.sndWnd, c.sndWL1, c.sndWL2 = g.wnd, g.seq, g.ack
		c.establish()
		return c.state != stateClosed
	}
	if seqGT(g.ack, c.sndMax) {
		// An ACK for data never sent: dropped without an answer, as
		// Linux does, since two ends that disagree would otherwise trade
		// ACKs forever.
		c.s.stats.Drops.BadAck++
		return false
	}
	oldWnd := c.sndWnd
	if seqLT(c.sndWL1, g.seq) || (c.sndWL1 == g.seq && seqLEQ(c.sndWL2, g.ack)) {
		c.sndWnd, c.sndWL1, c.sndWL2 = g.wnd, g.seq, g.ack
	}
	switch {
	case seqGT(g.ack, c.sndUna):
		c.newAck(g.ack)
	case g.ack == c.sndUna && len(g.data) == 0 && !g.has(frame.TCPFin) &&
		g.wnd == oldWnd && c.sndMax != c.sndUna:
		c.dupAck()
	}
	return c.state != stateClosed
}

// newAck handles an ACK that advances sndUna.
func (c *Conn) newAck(ack uint32) {
	acked := int(ack - c.sndUna)
	if c.sndUna == c.iss {
		acked-- // the SYN
		c.sndUna++
	}
	data := c.data()
	dataAcked := min(acked, len(data))
	finAcked := acked > len(data)
	c.soff += dataAcked
	if c.soff == len(c.sbuf) {
		c.sbuf, c.soff = c.sbuf[:0], 0
	} else if c.soff >= 4096 && 2*c.soff >= len(c.sbuf) {
		n := copy(c.sbuf, c.sbuf[c.soff:])
		c.sbuf, c.soff = c.sbuf[:n], 0
	}
	c.sndUna = ack
	if seqLT(c.sndNxt, ack) {
		c.sndNxt = ack
	}
	c.stats.BytesAcked += uint64(dataAcked)
	if c.rttTiming && seqGEQ(ack, c.rttSeq) {
		c.rttTiming = false
		c.rttSample(c.s.loop.Now() - c.rttStart)
	}
	c.retries = 0
	if c.hasRTT {
		c.rto = c.computeRTO()
	} else {
		c.rto = InitialRTO
	}
	switch {
	case c.inRecovery:
		// Partial ACKs go on with the go-back-N resend (output after this
		// segment); the full ACK ends recovery.
		if seqGEQ(ack, c.recover) {
			c.inRecovery = false
			c.cwnd = c.ssthresh
		}
	case c.cwnd < c.ssthresh:
		c.cwnd += min(dataAcked, c.mss) // slow start
	case c.cwnd > 0:
		c.cwnd += max(c.mss*c.mss/c.cwnd, 1) // congestion avoidance
	}
	c.dupAcks = 0
	if c.sndUna == c.sndMax {
		c.rtx.Stop()
	} else {
		c.rtx.Reset(c.rto)
	}
	if finAcked {
		switch c.state {
		case stateFinWait1:
			c.state = stateFinWait2
			c.rtx.Reset(FinTimeout)
		case stateClosing:
			c.state = stateTimeWait
			c.rtx.Reset(TimeWait)
		case stateLastAck:
			c.destroy(nil, false)
		}
	}
}

func (c *Conn) dupAck() {
	c.dupAcks++
	c.stats.DupAcks++
	if c.dupAcks != 3 || c.inRecovery || !seqGT(c.sndUna, c.recover) {
		return
	}
	// Fast retransmit. Receivers of this stack drop out-of-order segments,
	// so everything after the hole is lost as well: go back to sndUna and
	// send again as far as the halved window allows, rather than one
	// segment per round trip as NewReno would.
	flight := int(c.sndMax - c.sndUna)
	c.ssthresh = max(flight/2, 2*c.mss)
	c.cwnd = c.ssthresh
	c.stats.FastRetransmits++
	c.rttTiming = false
	c.recover, c.inRecovery = c.sndMax, true
	c.sndNxt = c.sndUna
	c.retransmitHead()
	c.output()
}

// retransmitHead sends the first unacknowledged segment again.
func (c *Conn) retransmitHead() {
	end := c.sndUna + c.sendData(c.sndUna, c.mss)
	if seqLT(c.sndNxt, end) {
		c.sndNxt = end
	}
}

// dataInput processes the segment's text and FIN (RFC 793, steps six to
// eight).
func (c *Conn) dataInput(g *segment) {
	if len(g.data) == 0 && !g.has(frame.TCPFin) {
		return
	}
	switch c.state {
	case stateEstablished, stateFinWait1, stateFinWait2:
	default:
		return // the peer's FIN is in: nothing more may come
	}
	if seqGT(g.seq, c.rcvNxt) {
		c.s.stats.Drops.OutOfOrder++
		c.stats.OutOfOrder++
		c.ackPending = true // duplicate ACK
		return
	}
	data, fin := g.data, g.has(frame.TCPFin)
	if skip := int(c.rcvNxt - g.seq); skip > 0 {
		if skip > len(data) {
			data, fin = nil, false
		} else {
			data = data[skip:]
		}
	}
	if len(data) > RecvWindow {
		data, fin = data[:RecvWindow], false
	}
	if len(data) > 0 {
		c.rcvNxt += uint32(len(data))
		c.stats.BytesReceived += uint64(len(data))
		c.ackPending = true
		c.deliver(data)
		if c.state == stateClosed {
			return
		}
	}
	if !fin {
		return
	}
	c.rcvNxt++
	switch c.state {
	case stateEstablished:
		c.state = stateCloseWait
	case stateFinWait1:
		c.state = stateClosing
	case stateFinWait2:
		c.state = stateTimeWait
		c.rtx.Reset(TimeWait)
	}
	c.sendAck()
	c.reportClose(nil)
}

// establish completes the handshake and hands the connection out.
func (c *Conn) establish() {
	c.state = stateEstablished
	c.cwnd = initialWindow * c.mss
	if c.synLost {
		// The SYN or SYN-ACK was lost: start with one segment (RFC 5681
		// 3.1) and, without an RTT sample, an RTO of 3 s (RFC 6298 5.7).
		c.cwnd = c.mss
		if !c.hasRTT {
			c.rto = synLossRTO
		}
	}
	c.retries = 0
	if done := c.dialDone; done != nil {
		c.dialDone = nil
		c.dialTimer.Stop()
		done(c, nil)
		return
	}
	if _, ok := c.s.listeners[c.key.local.Port()]; !ok || c.accept == nil {
		c.Abort() // the listener went away during the handshake
		return
	}
	c.s.stats.PassiveOpens++
	c.accept(c)
}

// onTimer runs when the retransmission timer fires; in TIME_WAIT it ends
// the connection.
func (c *Conn) onTimer() {
	switch c.state {
	case stateClosed:
		return
	case stateTimeWait:
		c.destroy(nil, false)
		return
	case stateFinWait2:
		c.destroy(ErrTimeout, true) // the peer never sent its FIN
		return
	case stateSynSent, stateSynRcvd:
		c.retries++
		if c.retries > MaxRetries {
			if c.dialDone != nil {
				c.dialFailed(ErrTimeout)
			} else {
				c.destroy(nil, false)
			}
			return
		}
		c.backoff()
		c.synLost = true
		c.stats.Retransmits++
		c.s.stats.Retransmits++
		flags := frame.TCPSyn
		if c.state == stateSynRcvd {
			flags |= frame.TCPAck
		}
		c.sendFlags(c.iss, flags)
		c.rtx.Reset(c.rto)
		return
	}
	if c.sndUna == c.sndMax && (len(c.data()) == 0 || c.sndWnd != 0) {
		return // nothing outstanding
	}
	c.retries++
	if c.retries > MaxRetries {
		c.destroy(ErrTimeout, true)
		return
	}
	c.stats.Timeouts++
	flight := int(c.sndMax - c.sndUna)
	c.ssthresh = max(flight/2, 2*c.mss)
	c.cwnd = c.mss
	c.inRecovery, c.dupAcks, c.recover = false, 0, c.sndMax
	c.backoff()
	// Go back N: everything after sndUna is sent again as ACKs come. One
	// segment goes now, ignoring the window, which also probes a zero
	// window.
	c.sndNxt = c.sndUna
	c.retransmitHead()
	c.rtx.Reset(c.rto)
}

func (c *Conn) backoff() {
	c.rttTiming = false // Karn: no samples from retransmitted segments
	c.rto = min(2*c.rto, MaxRTO)
}

// rttSample updates SRTT and RTTVAR (RFC 6298 2.2 and 2.3).
func (c *Conn) rttSample(r time.Duration) {
	if !c.hasRTT {
		c.srtt, c.rttvar, c.hasRTT = r, r/2, true
		return
	}
	delta := c.srtt - r
	if delta < 0 {
		delta = -delta
	}
	c.rttvar = (3*c.rttvar + delta) / 4
	c.srtt = (7*c.srtt + r) / 8
}

func (c *Conn) computeRTO() time.Duration {
	return min(max(c.srtt+max(clockGranularity, 4*c.rttvar), MinRTO), MaxRTO)
}

// pathMTU lowers the MSS after ICMP "fragmentation needed" and re-sends
// what the too-big segments carried.
func (c *Conn) pathMTU(mtu int) {
	mss := mtu - ipHeaderLen - headerLen
	if mtu == 0 || mss >= c.mss {
		return
	}
	c.mss = max(mss, minMSS)
	switch c.state {
	case stateEstablished, stateCloseWait, stateFinWait1, stateClosing, stateLastAck:
		c.sndNxt = c.sndUna
		c.rttTiming = false // Karn: what follows is a resend
		c.output()
	}
}

// dialFailed ends a connection that was never handed out.
func (c *Conn) dialFailed(err error) {
	done := c.dialDone
	if done == nil {
		return
	}
	c.dialDone = nil
	c.s.stats.FailedOpens++
	c.destroy(nil, false)
	done(nil, err)
}

// destroy forgets the connection; with report, the end of the stream is
// reported to OnClose (once).
func (c *Conn) destroy(err error, report bool) {
	c.rtx.Stop()
	if c.dialTimer != nil {
		c.dialTimer.Stop()
	}
	c.s.removeConn(c)
	c.state = stateClosed
	if report {
		c.reportClose(err)
	}
}

// deliver hands in-order data to OnData, or keeps it until OnData is set.
func (c *Conn) deliver(b []byte) {
	if c.onData != nil && len(c.pending) == 0 {
		c.onData(b)
		return
	}
	c.pending = append(c.pending, b...)
	c.queueFlush()
}

func (c *Conn) reportClose(err error) {
	if c.eof {
		return
	}
	c.eof, c.closeErr = true, err
	if c.onClose != nil && len(c.pending) == 0 {
		c.reported = true
		c.onClose(err)
		return
	}
	c.queueFlush()
}

// queueFlush schedules delivery of held data and end of stream once
// their callbacks are set.
func (c *Conn) queueFlush() {
	if c.flushQueued {
		return
	}
	if (len(c.pending) > 0 && c.onData != nil) || (c.eof && !c.reported && c.onClose != nil) {
		c.flushQueued = true
		c.s.loop.After(0, c.flush)
	}
}

func (c *Conn) flush() {
	c.flushQueued = false
	if len(c.pending) > 0 && c.onData != nil {
		p := c.pending
		c.pending = nil
		c.onData(p)
	}
	if c.eof && !c.reported && len(c.pending) == 0 && c.onClose != nil {
		c.reported = true
		c.onClose(c.closeErr)
	}
}

// synLossRTO is the RTO a connection starts with after its SYN or SYN-ACK
// was retransmitted and no RTT was measured (RFC 6298 5.7).
const synLossRTO = 3 * time.Second
