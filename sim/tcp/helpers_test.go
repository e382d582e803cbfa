package tcp_test

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/tcp"
	"github.com/vswitch/vswitch/sim/tcp/tcptest"
)

var (
	addrA = netip.MustParseAddr("10.0.0.1")
	addrB = netip.MustParseAddr("10.0.0.2")
	addrC = netip.MustParseAddr("10.0.0.3") // nobody
)

type tcpPacket = tcptest.Packet

// pair is a client stack (a) and a server stack (b) on a fake network.
type pair struct {
	loop   *sim.Loop
	net    *tcptest.Net
	ha, hb *tcptest.Host
	a, b   *tcp.Stack
}

func newPair(t testing.TB, seed uint64) *pair {
	t.Helper()
	loop := sim.NewLoop(seed)
	loop.SetLimits(50_000_000, time.Hour)
	n := tcptest.NewNet(loop)
	p := &pair{loop: loop, net: n, ha: n.AddHost("a", addrA), hb: n.AddHost("b", addrB)}
	p.a, p.b = tcp.NewStack(p.ha), tcp.NewStack(p.hb)
	return p
}

// run runs the loop until cond holds or virtual time passes limit.
func (p *pair) run(t testing.TB, limit time.Duration, cond func() bool) bool {
	t.Helper()
	ok, err := p.loop.RunUntil(p.loop.Now()+limit, cond)
	require.NoError(t, err)
	return ok
}

// dial dials b:port from a and runs until done.
func (p *pair) dial(t testing.TB, port uint16, opt tcp.DialOptions) (*tcp.Conn, error) {
	t.Helper()
	var (
		conn *tcp.Conn
		err  error
		done bool
	)
	p.a.Dial(netip.AddrPortFrom(addrB, port), opt, func(c *tcp.Conn, e error) { conn, err, done = c, e, true })
	require.True(t, p.run(t, 10*time.Minute, func() bool { return done }), "dial never finished")
	return conn, err
}

// sink collects a connection's data and end of stream.
type sink struct {
	buf    bytes.Buffer
	closed bool
	err    error
	at     time.Duration
}

func (s *sink) attach(loop *sim.Loop, c *tcp.Conn) {
	c.OnData(func(b []byte) { s.buf.Write(b) })
	c.OnClose(func(err error) { s.closed, s.err, s.at = true, err, loop.Now() })
}

// segmentsFrom returns the TCP segments src sent, as the network saw them.
type capture struct {
	at   []time.Duration
	segs []frame.TCP
	srcs []netip.Addr
}

func (c *capture) hook(n *tcptest.Net) {
	n.OnSend = func(p tcptest.Packet) {
		if p.Proto != frame.ProtoTCP {
			return
		}
		c.at = append(c.at, p.At)
		c.segs = append(c.segs, append(frame.TCP(nil), p.Payload...))
		c.srcs = append(c.srcs, p.Src)
	}
}

// filter returns the send times of the segments from src matching pred.
func (c *capture) filter(src netip.Addr, pred func(frame.TCP) bool) []time.Duration {
	var out []time.Duration
	for i, s := range c.segs {
		if c.srcs[i] == src && pred(s) {
			out = append(out, c.at[i])
		}
	}
	return out
}

func isSyn(s frame.TCP) bool   { return s.Flags()&frame.TCPSyn != 0 }
func hasData(s frame.TCP) bool { return len(s.Payload()) > 0 }
func isRst(s frame.TCP) bool   { return s.Flags()&frame.TCPRst != 0 }
func isFin(s frame.TCP) bool   { return s.Flags()&frame.TCPFin != 0 }
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}
