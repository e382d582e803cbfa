package tcp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// IP is what the stack needs from the host's IP layer. *host.Host satisfies
// it; tests use tcptest.Host.
type IP interface {
	// Loop returns the event loop that runs the host.
	Loop() *sim.Loop
	// Handle registers fn for incoming packets of proto; payload is
	// borrowed for the call.
	Handle(proto frame.IPProto, fn func(src, dst netip.Addr, payload []byte))
	// HandleICMPError registers fn for ICMP errors received by the host;
	// orig is the quoted IP header and at least 8 bytes of its payload.
	HandleICMPError(fn func(typ, code uint8, mtu uint16, orig []byte))
	// SendIP sends payload (borrowed) in an IP packet.
	SendIP(proto frame.IPProto, src, dst netip.Addr, payload []byte) error
	// SourceFor returns the source address the host would use towards dst.
	SourceFor(dst netip.Addr) (netip.Addr, bool)
	// EphemeralPort returns a fresh local port.
	EphemeralPort() uint16
}

// Errors reported by Dial, Listen, Write and OnClose callbacks.
var (
	// ErrRefused: the peer answered the SYN with a RST (no listener).
	ErrRefused = errors.New("connection refused")
	// ErrTimeout: the dial budget ran out, or retransmissions gave up.
	ErrTimeout = errors.New("connection timed out")
	// ErrReset: the peer reset an established connection.
	ErrReset = errors.New("connection reset by peer")
	// ErrUnreachable: no route, or an ICMP destination unreachable answered
	// the SYN.
	ErrUnreachable = errors.New("no route to host")
	// ErrPortInUse: Listen on a port that already has a listener.
	ErrPortInUse = errors.New("address already in use")
	// ErrInvalidPort: port 0 given to Listen or Dial.
	ErrInvalidPort = errors.New("invalid port 0")
	// ErrClosed: Write after Close or after the connection ended.
	ErrClosed = errors.New("use of closed connection")
)

// Protocol constants.
const (
	// DefaultMTU is the MTU assumed until SetMTU is called.
	DefaultMTU = 1500
	// RecvWindow is the fixed receive window advertised (64 KiB, the most
	// a window field without scaling can say).
	RecvWindow = 65535
	// InitialRTO is the retransmission timeout before any RTT sample
	// (RFC 6298 2.1).
	InitialRTO = time.Second
	// MinRTO is the lower bound of the RTO, as Linux's TCP_RTO_MIN.
	MinRTO = 200 * time.Millisecond
	// MaxRTO is the upper bound of the backed-off RTO, as Linux's
	// TCP_RTO_MAX.
	MaxRTO = 120 * time.Second
	// MaxRetries is how many retransmissions of the same data are sent
	// before the connection fails with ErrTimeout.
	MaxRetries = 8
	// TimeWait is how long a connection stays in TIME_WAIT (2 MSL,
	// shortened for the simulator).
	TimeWait = 2 * time.Second
	// FinTimeout is how long a connection waits in FIN_WAIT_2 for the
	// peer's FIN, as Linux's tcp_fin_timeout.
	FinTimeout = 60 * time.Second
	// InvalidAckInterval is the least time between two ACKs answering
	// invalid segments without data, as Linux's tcp_invalid_ratelimit.
	InvalidAckInterval = 500 * time.Millisecond
	// DefaultDialTimeout is Dial's overall connect budget by default.
	DefaultDialTimeout = 3 * time.Second

	headerLen      = frame.TCPMinLen
	defaultPeerMSS = 536 // RFC 879: the MSS of a SYN without the option
	minMSS         = 64  // floor for path-MTU reductions
	ipHeaderLen    = 20
	maxMTU         = sim.MaxFrame
)

// DialOptions tunes Dial.
type DialOptions struct {
	// Timeout is the overall connect budget (SYN retransmissions
	// included); 0 means DefaultDialTimeout.
	Timeout time.Duration
}

// StackStats counts the stack's segments and drops. Drops are by reason.
type StackStats struct {
	SegmentsIn   uint64
	SegmentsOut  uint64
	Retransmits  uint64 // segments sent again, all connections
	ResetsIn     uint64 // RSTs accepted by a connection
	ResetsOut    uint64 // RSTs sent
	ActiveOpens  uint64 // Dial calls that sent a SYN
	PassiveOpens uint64 // connections accepted
	FailedOpens  uint64 // dials that failed
	SendErrors   uint64 // SendIP returned an error (counted as loss)
	RateLimited  uint64 // answers to invalid segments not sent (InvalidAckInterval)
	Drops        DropStats
}

// DropStats counts dropped incoming segments by reason.
type DropStats struct {
	Malformed   uint64 // too short or a bad data offset
	BadChecksum uint64
	NoListener  uint64 // closed port; answered with RST unless it was one
	OutOfWindow uint64 // not acceptable; answered with an ACK
	OutOfOrder  uint64 // beyond the next expected byte; duplicate ACK sent
	BadAck      uint64 // ACK for data never sent, or a wrong handshake ACK
	NoAck       uint64 // synchronized state, ACK bit off
	Other       uint64 // e.g. a stray segment to a listener
}

type connKey struct {
	local, remote netip.AddrPort
}

// Stack is one host's TCP: its listeners and connections. Create it with
// NewStack. It is not safe for concurrent use.
type Stack struct {
	ip        IP
	loop      *sim.Loop
	rng       *rand.Rand
	mtu       int
	mtuSet    bool
	listeners map[uint16]func(*Conn)
	conns     map[connKey]*Conn
	ports     map[uint16]int // connections per local port
	scratch   []byte
	stats     StackStats
}

// NewStack returns a stack on ip and registers it for TCP segments and ICMP
// errors. If ip also has a Name() string method (a simulated host does),
// the ISN stream is named after it, so that hosts draw different ISNs.
func NewStack(ip IP) *Stack {
	name := "tcp"
	if n, ok := ip.(interface{ Name() string }); ok {
		name = "tcp/" + n.Name()
	}
	s := &Stack{
		ip:        ip,
		loop:      ip.Loop(),
		mtu:       DefaultMTU,
		listeners: make(map[uint16]func(*Conn)),
		conns:     make(map[connKey]*Conn),
		ports:     make(map[uint16]int),
	}
	s.rng = s.loop.Rand(name)
	ip.Handle(frame.ProtoTCP, s.input)
	ip.HandleICMPError(s.icmpError)
	if r, ok := ip.(interface{ ReservePorts(func(uint16) bool) }); ok {
		r.ReservePorts(s.PortInUse)
	}
	return s
}

// PortInUse reports whether port has a listener or a connection. A host
// that offers ReservePorts (as a simulated host does) is handed this
// method at NewStack, so that its EphemeralPort skips TCP's ports.
func (s *Stack) PortInUse(port uint16) bool {
	_, ok := s.listeners[port]
	return ok || s.ports[port] > 0
}

func (s *Stack) addConn(c *Conn) {
	s.conns[c.key] = c
	s.ports[c.key.local.Port()]++
}

func (s *Stack) removeConn(c *Conn) {
	if s.conns[c.key] != c {
		return
	}
	delete(s.conns, c.key)
	p := c.key.local.Port()
	if s.ports[p]--; s.ports[p] <= 0 {
		delete(s.ports, p)
	}
}

// Loop returns the event loop the stack runs on.
func (s *Stack) Loop() *sim.Loop { return s.loop }

// SetMTU sets the MTU the stack derives its advertised MSS from (MTU-40)
// for every destination, overriding the IP layer's MTUFor if it has one.
// Values outside 68..sim.MaxFrame are clamped.
func (s *Stack) SetMTU(mtu int) { s.mtu, s.mtuSet = min(max(mtu, 68), maxMTU), true }

// MSS returns the segment size the stack advertises without a
// per-destination MTU: its MTU minus 40.
func (s *Stack) MSS() int { return s.mtu - ipHeaderLen - headerLen }

// mssFor returns the MSS towards dst: from SetMTU if it was called, else
// from the IP layer's MTUFor(dst) if it has one, else DefaultMTU.
func (s *Stack) mssFor(dst netip.Addr) int {
	mtu := s.mtu
	if !s.mtuSet {
		if m, ok := s.ip.(interface{ MTUFor(netip.Addr) int }); ok {
			if v := m.MTUFor(dst); v > 0 {
				mtu = min(max(v, 68), maxMTU)
			}
		}
	}
	return mtu - ipHeaderLen - headerLen
}

// Stats returns the stack's counters.
func (s *Stack) Stats() StackStats { return s.stats }

// NumConns returns the number of connections the stack tracks, including
// half-open and TIME_WAIT ones.
func (s *Stack) NumConns() int { return len(s.conns) }

// Listen accepts connections on port, on every local address. accept runs
// for each connection once its handshake completes.
func (s *Stack) Listen(port uint16, accept func(*Conn)) error {
	if port == 0 {
		return fmt.Errorf("tcp listen: %w", ErrInvalidPort)
	}
	if _, ok := s.listeners[port]; ok {
		return fmt.Errorf("tcp listen on port %d: %w", port, ErrPortInUse)
	}
	s.listeners[port] = accept
	return nil
}

// Unlisten stops accepting connections on port. Established connections
// stay; half-open ones finish their handshake unaccepted and are reset.
func (s *Stack) Unlisten(port uint16) { delete(s.listeners, port) }

// Dial opens a connection to dst and calls done once, from a loop event,
// with the established connection or with an error: ErrRefused, ErrTimeout
// (the budget of opt.Timeout ran out), ErrUnreachable (no route, or an ICMP
// destination unreachable came back). SYNs are retransmitted with the
// backed-off RTO while the budget lasts.
func (s *Stack) Dial(dst netip.AddrPort, opt DialOptions, done func(*Conn, error)) {
	fail := func(err error) {
		s.stats.FailedOpens++
		s.loop.After(0, func() { done(nil, err) })
	}
	if dst.Port() == 0 {
		fail(fmt.Errorf("tcp dial %v: %w", dst, ErrInvalidPort))
		return
	}
	src, ok := s.ip.SourceFor(dst.Addr())
	if !ok {
		fail(fmt.Errorf("tcp dial %v: %w", dst, ErrUnreachable))
		return
	}
	var key connKey
	for range 64 {
		key = connKey{local: netip.AddrPortFrom(src, s.ip.EphemeralPort()), remote: dst}
		if key.local.Port() != 0 && s.conns[key] == nil {
			break
		}
	}
	if key.local.Port() == 0 || s.conns[key] != nil {
		fail(fmt.Errorf("tcp dial %v: no free local port: %w", dst, ErrPortInUse))
		return
	}
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultDialTimeout
	}
	c := s.newConn(key, stateSynSent)
	c.dialDone = done
	c.dialTimer = s.loop.NewTimer(func() { c.dialFailed(fmt.Errorf("tcp dial %v: %w", dst, ErrTimeout)) })
	c.dialTimer.Reset(timeout)
	s.addConn(c)
	s.stats.ActiveOpens++
	if err := c.sendFlags(c.iss, frame.TCPSyn); err != nil {
		c.dialDone = nil
		c.destroy(nil, false)
		fail(fmt.Errorf("tcp dial %v: %w: %w", dst, ErrUnreachable, err))
		return
	}
	c.sndNxt, c.sndMax = c.iss+1, c.iss+1
	c.startRTT(c.sndNxt)
	c.rtx.Reset(c.rto)
}

func (s *Stack) newConn(key connKey, st state) *Conn {
	c := &Conn{
		s:        s,
		key:      key,
		state:    st,
		iss:      s.rng.Uint32(),
		rto:      InitialRTO,
		mss:      s.mssFor(key.remote.Addr()),
		ssthresh: 1 << 30,
		sndWnd:   1, // until the peer tells its window (room for the SYN)
	}
	c.ownMSS = c.mss
	c.sndUna, c.sndNxt, c.sndMax, c.recover = c.iss, c.iss, c.iss, c.iss
	c.rtx = s.loop.NewTimer(c.onTimer)
	return c
}

// segment is a parsed incoming segment.
type segment struct {
	seq, ack uint32
	flags    uint8
	wnd      uint32
	data     []byte
	mss      uint16
	hasMSS   bool
}

// len returns the sequence space the segment occupies (data, SYN, FIN).
func (g *segment) len() uint32 {
	n := uint32(len(g.data))
	if g.flags&frame.TCPSyn != 0 {
		n++
	}
	if g.flags&frame.TCPFin != 0 {
		n++
	}
	return n
}

func (g *segment) has(f uint8) bool { return g.flags&f != 0 }

// input is the IP layer's handler for TCP segments.
func (s *Stack) input(src, dst netip.Addr, payload []byte) {
	s.stats.SegmentsIn++
	t := frame.TCP(payload)
	if !t.Valid() {
		s.stats.Drops.Malformed++
		return
	}
	if !t.ChecksumValid(src, dst) {
		s.stats.Drops.BadChecksum++
		return
	}
	if !src.IsValid() || !dst.IsValid() || t.SrcPort() == 0 || t.DstPort() == 0 {
		s.stats.Drops.Malformed++
		return
	}
	g := segment{
		seq:   t.Seq(),
		ack:   t.Ack(),
		flags: t.Flags(),
		wnd:   uint32(t.Window()),
		data:  t.Payload(),
	}
	if g.has(frame.TCPSyn) {
		g.mss, g.hasMSS = t.MSS()
	}
	key := connKey{local: netip.AddrPortFrom(dst, t.DstPort()), remote: netip.AddrPortFrom(src, t.SrcPort())}
	if c := s.conns[key]; c != nil {
		c.input(&g)
		return
	}
	if accept, ok := s.listeners[key.local.Port()]; ok {
		s.listenInput(key, &g, accept)
		return
	}
	s.stats.Drops.NoListener++
	s.resetFor(key, &g)
}

// listenInput handles a segment for a listening port with no connection
// (RFC 793, LISTEN state).
func (s *Stack) listenInput(key connKey, g *segment, accept func(*Conn)) {
	switch {
	case g.has(frame.TCPRst):
		s.stats.Drops.Other++
	case g.has(frame.TCPAck):
		s.stats.Drops.BadAck++
		s.resetFor(key, g)
	case g.has(frame.TCPSyn):
		c := s.newConn(key, stateSynRcvd)
		c.accept = accept
		c.irs = g.seq
		c.rcvNxt = g.seq + 1
		c.setPeerMSS(g)
		c.sndWnd = g.wnd
		c.sndWL1, c.sndWL2 = g.seq, c.iss
		s.addConn(c)
		c.sendFlags(c.iss, frame.TCPSyn|frame.TCPAck)
		c.sndNxt, c.sndMax = c.iss+1, c.iss+1
		c.startRTT(c.sndNxt)
		c.rtx.Reset(c.rto)
	default:
		s.stats.Drops.Other++
	}
}

// resetFor answers a segment that has no connection with a RST, by RFC 793
// ("If the connection does not exist (CLOSED) then a reset is sent in
// response to any incoming segment except another reset").
func (s *Stack) resetFor(key connKey, g *segment) {
	if g.has(frame.TCPRst) {
		return
	}
	if g.has(frame.TCPAck) {
		s.send(key, g.ack, 0, frame.TCPRst, 0, nil)
		return
	}
	s.send(key, 0, g.seq+g.len(), frame.TCPRst|frame.TCPAck, 0, nil)
}

// send builds and sends one segment from key.local to key.remote.
func (s *Stack) send(key connKey, seq, ack uint32, flags uint8, mss uint16, data []byte) error {
	if s.scratch == nil { // first segment: idle stacks (most hosts of a big lab) keep none
		s.scratch = make([]byte, headerLen+4+maxMTU)
	}
	n := frame.PutTCP(s.scratch, frame.TCPHeader{
		Src:    key.local,
		Dst:    key.remote,
		Seq:    seq,
		Ack:    ack,
		Flags:  flags,
		Window: RecvWindow,
		MSS:    mss,
	}, data)
	s.stats.SegmentsOut++
	if flags&frame.TCPRst != 0 {
		s.stats.ResetsOut++
	}
	err := s.ip.SendIP(frame.ProtoTCP, key.local.Addr(), key.remote.Addr(), s.scratch[:n])
	if err != nil {
		s.stats.SendErrors++
	}
	return err
}

// icmpError handles an ICMP error quoting one of our segments: destination
// unreachable fails a connection still in SYN_SENT, and "fragmentation
// needed" lowers a connection's MSS (path MTU discovery, RFC 1191).
func (s *Stack) icmpError(typ, code uint8, mtu uint16, orig []byte) {
	if len(orig) < ipHeaderLen || orig[0]>>4 != 4 {
		return
	}
	hl := int(orig[0]&0x0f) * 4
	if hl < ipHeaderLen || len(orig) < hl+8 || frame.IPProto(orig[9]) != frame.ProtoTCP {
		return
	}
	src := netip.AddrFrom4([4]byte(orig[12:16]))
	dst := netip.AddrFrom4([4]byte(orig[16:20]))
	th := orig[hl:]
	key := connKey{
		local:  netip.AddrPortFrom(src, binary.BigEndian.Uint16(th[0:2])),
		remote: netip.AddrPortFrom(dst, binary.BigEndian.Uint16(th[2:4])),
	}
	c := s.conns[key]
	if c == nil {
		return
	}
	// RFC 5927: only believe errors quoting data in flight.
	seq := binary.BigEndian.Uint32(th[4:8])
	if seqLT(seq, c.sndUna) || seqGEQ(seq, c.sndMax) {
		return
	}
	if typ != frame.ICMPDestUnreach {
		return // time exceeded and the rest are soft errors
	}
	if code == frame.ICMPFragNeeded {
		c.pathMTU(int(mtu))
		return
	}
	if c.state == stateSynSent {
		c.dialFailed(fmt.Errorf("tcp dial %v: %w (icmp code %d)", key.remote, ErrUnreachable, code))
	}
}
