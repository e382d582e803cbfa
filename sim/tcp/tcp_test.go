package tcp_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim/tcp"
)

func TestHandshakeMSS(t *testing.T) {
	tests := []struct {
		name             string
		mtuA, mtuB       int
		wantMSS          int
		wantSynA, wantSB uint16
	}{
		{"default", 0, 0, 1460, 1460, 1460},
		{"server smaller", 1500, 1000, 960, 1460, 960},
		{"client smaller", 576, 9000, 536, 536, 8960},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, 1)
			if tc.mtuA != 0 {
				p.a.SetMTU(tc.mtuA)
			}
			if tc.mtuB != 0 {
				p.b.SetMTU(tc.mtuB)
			}
			var cap capture
			cap.hook(p.net)
			var accepted *tcp.Conn
			require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { accepted = c }))
			c, err := p.dial(t, 80, tcp.DialOptions{})
			require.NoError(t, err)
			p.run(t, time.Second, func() bool { return accepted != nil })
			require.NotNil(t, accepted)

			assert.Equal(t, "ESTABLISHED", c.State())
			assert.Equal(t, "ESTABLISHED", accepted.State())
			assert.Equal(t, netip.AddrPortFrom(addrB, 80), c.RemoteAddr())
			assert.Equal(t, c.LocalAddr(), accepted.RemoteAddr())
			assert.Equal(t, c.RemoteAddr(), accepted.LocalAddr())
			assert.Equal(t, tc.wantMSS, c.Stats().MSS, "client MSS")
			assert.Equal(t, tc.wantMSS, accepted.Stats().MSS, "server MSS")

			// SYN, SYN-ACK, ACK with the MSS option on the first two.
			require.GreaterOrEqual(t, len(cap.segs), 3)
			syn, synack, ack := cap.segs[0], cap.segs[1], cap.segs[2]
			assert.Equal(t, frame.TCPSyn, syn.Flags())
			assert.Equal(t, frame.TCPSyn|frame.TCPAck, synack.Flags())
			assert.Equal(t, frame.TCPAck, ack.Flags())
			mss, ok := syn.MSS()
			assert.True(t, ok)
			assert.Equal(t, tc.wantSynA, mss)
			mss, _ = synack.MSS()
			assert.Equal(t, tc.wantSB, mss)
			assert.Equal(t, syn.Seq()+1, synack.Ack())
			assert.Equal(t, synack.Seq()+1, ack.Ack())
			assert.Equal(t, uint16(tcp.RecvWindow), syn.Window())
			assert.Equal(t, uint64(1), p.b.Stats().PassiveOpens)
		})
	}
}

func TestDialErrors(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(p *pair)
		dst      netip.Addr
		timeout  time.Duration
		want     error
		wantAt   time.Duration
		wantSyns []time.Duration
	}{
		{
			name: "refused", dst: addrB, want: tcp.ErrRefused,
			wantAt: 2 * time.Millisecond, wantSyns: []time.Duration{0},
		},
		{
			name: "timeout default budget", dst: addrC, want: tcp.ErrTimeout,
			wantAt: 3 * time.Second, wantSyns: []time.Duration{0, time.Second},
		},
		{
			name: "timeout longer budget", dst: addrC, timeout: 20 * time.Second, want: tcp.ErrTimeout,
			wantAt: 20 * time.Second, wantSyns: []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second},
		},
		{
			name: "icmp host unreachable", dst: addrC, want: tcp.ErrUnreachable,
			setup:  func(p *pair) { p.net.SetUnreachable(addrC) },
			wantAt: 2 * time.Millisecond, wantSyns: []time.Duration{0},
		},
		{
			name: "no route", dst: addrC, want: tcp.ErrUnreachable,
			setup: func(p *pair) { p.net.SetNoRoute(addrC) },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, 1)
			if tc.setup != nil {
				tc.setup(p)
			}
			var cap capture
			cap.hook(p.net)
			var (
				err  error
				at   time.Duration
				done int
			)
			p.a.Dial(netip.AddrPortFrom(tc.dst, 80), tcp.DialOptions{Timeout: tc.timeout}, func(c *tcp.Conn, e error) {
				assert.Nil(t, c)
				err, at = e, p.loop.Now()
				done++
			})
			assert.Equal(t, 0, done, "done called synchronously")
			p.run(t, time.Minute, func() bool { return false })
			assert.Equal(t, 1, done)
			assert.ErrorIs(t, err, tc.want)
			assert.Equal(t, tc.wantAt, at)
			assert.Equal(t, tc.wantSyns, cap.filter(addrA, isSyn))
			assert.Equal(t, 0, p.a.NumConns())
			assert.Equal(t, uint64(1), p.a.Stats().FailedOpens)
		})
	}
}

func TestRSTForClosedPort(t *testing.T) {
	// A raw peer sends segments to a stack with no listener and checks the
	// answer against RFC 793's rules for the CLOSED state.
	tests := []struct {
		name      string
		flags     uint8
		seq, ack  uint32
		data      int
		wantReply bool
		wantFlags uint8
		wantSeq   uint32
		wantAck   uint32
	}{
		{"syn", frame.TCPSyn, 1000, 0, 0, true, frame.TCPRst | frame.TCPAck, 0, 1001},
		{"syn with data and fin", frame.TCPSyn | frame.TCPFin, 1000, 0, 10, true, frame.TCPRst | frame.TCPAck, 0, 1012},
		{"ack", frame.TCPAck, 5, 777, 0, true, frame.TCPRst, 777, 0},
		{"data ack", frame.TCPAck | frame.TCPPsh, 5, 777, 100, true, frame.TCPRst, 777, 0},
		{"rst", frame.TCPRst, 5, 0, 0, false, 0, 0, 0},
		{"rst ack", frame.TCPRst | frame.TCPAck, 5, 9, 0, false, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, 1)
			var replies []frame.TCP
			p.ha.Handle(frame.ProtoTCP, func(src, dst netip.Addr, b []byte) {
				replies = append(replies, append(frame.TCP(nil), b...))
			})
			seg := make([]byte, 20+tc.data)
			n := frame.PutTCP(seg, frame.TCPHeader{
				Src: netip.AddrPortFrom(addrA, 4000), Dst: netip.AddrPortFrom(addrB, 81),
				Seq: tc.seq, Ack: tc.ack, Flags: tc.flags, Window: 1000,
			}, make([]byte, tc.data))
			require.NoError(t, p.ha.SendIP(frame.ProtoTCP, addrA, addrB, seg[:n]))
			p.run(t, time.Second, func() bool { return false })
			if !tc.wantReply {
				assert.Empty(t, replies)
				return
			}
			require.Len(t, replies, 1)
			r := replies[0]
			assert.Equal(t, tc.wantFlags, r.Flags())
			assert.Equal(t, tc.wantSeq, r.Seq())
			assert.Equal(t, tc.wantAck, r.Ack())
			assert.Equal(t, uint16(81), r.SrcPort())
			assert.Equal(t, uint16(4000), r.DstPort())
			assert.Equal(t, uint64(1), p.b.Stats().ResetsOut)
		})
	}
}

func TestTransfer(t *testing.T) {
	tests := []struct {
		name      string
		loss      float64
		jitter    time.Duration
		up, down  int
		wantRetx  bool
		wantOOO   bool
		wantNoRtx bool
	}{
		{name: "clean", up: 100_000, down: 300_000, wantNoRtx: true},
		{name: "5% loss", loss: 0.05, up: 200_000, down: 200_000, wantRetx: true},
		{name: "20% loss", loss: 0.20, up: 30_000, down: 30_000, wantRetx: true},
		{name: "reordering", jitter: 3 * time.Millisecond, up: 200_000, down: 10, wantOOO: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := lossyTransfer(t, 7, tc.loss, tc.jitter, tc.up, tc.down)
			assert.Equal(t, pattern(tc.up), r.server.buf.Bytes(), "server got the client's bytes")
			assert.Equal(t, pattern(tc.down), r.client.buf.Bytes(), "client got the server's bytes")
			assert.True(t, r.client.closed)
			assert.NoError(t, r.client.err)
			assert.True(t, r.server.closed)
			assert.NoError(t, r.server.err)
			retx := r.clientStats.Retransmits + r.serverStats.Retransmits
			if tc.wantRetx {
				assert.Positive(t, retx)
			}
			if tc.wantNoRtx {
				assert.Zero(t, retx)
			}
			if tc.wantOOO {
				assert.Positive(t, r.clientStats.FastRetransmits+r.serverStats.OutOfOrder)
			}
			assert.Equal(t, uint64(tc.up), r.clientStats.BytesAcked)
			assert.Equal(t, uint64(tc.down), r.serverStats.BytesAcked)
			assert.Equal(t, 0, r.connsA, "client connections left after TIME_WAIT")
			assert.Equal(t, 0, r.connsB, "server connections left")
		})
	}
}

type transferResult struct {
	client, server           sink
	clientStats, serverStats tcp.Stats
	doneAt                   time.Duration
	connsA, connsB           int
	trace                    []time.Duration
}

// lossyTransfer sends up bytes from a to b, then b answers with down bytes
// and both close. It runs until everything is closed and TIME_WAIT is over.
func lossyTransfer(t testing.TB, seed uint64, loss float64, jitter time.Duration, up, down int) *transferResult {
	t.Helper()
	p := newPair(t, seed)
	p.net.Loss = loss
	p.net.Jitter = jitter
	p.net.Delay = 5 * time.Millisecond
	r := &transferResult{}
	var cap capture
	cap.hook(p.net)
	var sc *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) {
		sc = c
		c.OnData(func(b []byte) {
			r.server.buf.Write(b)
			if r.server.buf.Len() == up {
				_, err := c.Write(pattern(down))
				assert.NoError(t, err)
				c.Close()
			}
		})
		c.OnClose(func(err error) { r.server.closed, r.server.err = true, err })
	}))
	var cc *tcp.Conn
	p.a.Dial(netip.AddrPortFrom(addrB, 80), tcp.DialOptions{Timeout: time.Minute}, func(c *tcp.Conn, err error) {
		require.NoError(t, err)
		cc = c
		r.client.attach(p.loop, c)
		c.OnClose(func(err error) {
			r.client.closed, r.client.err = true, err
			c.Close()
		})
		_, err = c.Write(pattern(up))
		assert.NoError(t, err)
	})
	ok := p.run(t, 30*time.Minute, func() bool { return r.client.closed && r.server.closed && p.a.NumConns() == 0 && p.b.NumConns() == 0 })
	require.True(t, ok, "transfer did not finish: client %d/%d bytes, server %d/%d bytes", r.client.buf.Len(), down, r.server.buf.Len(), up)
	r.clientStats, r.serverStats = cc.Stats(), sc.Stats()
	r.doneAt = p.loop.Now()
	r.connsA, r.connsB = p.a.NumConns(), p.b.NumConns()
	r.trace = cap.at
	return r
}

func TestDeterminism(t *testing.T) {
	a := lossyTransfer(t, 42, 0.05, time.Millisecond, 150_000, 50_000)
	b := lossyTransfer(t, 42, 0.05, time.Millisecond, 150_000, 50_000)
	assert.Equal(t, a.clientStats, b.clientStats)
	assert.Equal(t, a.serverStats, b.serverStats)
	assert.Equal(t, a.doneAt, b.doneAt)
	assert.Equal(t, a.trace, b.trace)
	assert.Positive(t, a.clientStats.Retransmits)

	c := lossyTransfer(t, 43, 0.05, time.Millisecond, 150_000, 50_000)
	assert.NotEqual(t, a.trace, c.trace, "a different seed gives a different run")
}

func TestFINBothWays(t *testing.T) {
	p := newPair(t, 1)
	var server, client sink
	var sc *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) {
		sc = c
		server.attach(p.loop, c)
	}))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	client.attach(p.loop, c)
	p.run(t, time.Second, func() bool { return sc != nil })

	// The client half-closes; the server still sends.
	_, err = c.Write([]byte("request"))
	require.NoError(t, err)
	c.Close()
	_, err = c.Write([]byte("more"))
	assert.ErrorIs(t, err, tcp.ErrClosed)
	assert.Equal(t, "FIN_WAIT_1", c.State())
	p.run(t, time.Second, func() bool { return server.closed })
	assert.Equal(t, "request", server.buf.String())
	assert.NoError(t, server.err)
	assert.Equal(t, "CLOSE_WAIT", sc.State())
	p.run(t, time.Second, func() bool { return c.State() == "FIN_WAIT_2" })
	assert.Equal(t, "FIN_WAIT_2", c.State())

	_, err = sc.Write([]byte("response"))
	require.NoError(t, err)
	sc.Close()
	assert.Equal(t, "LAST_ACK", sc.State())
	p.run(t, time.Second, func() bool { return client.closed && sc.State() == "CLOSED" })
	assert.Equal(t, "response", client.buf.String())
	assert.NoError(t, client.err)
	assert.Equal(t, "CLOSED", sc.State())
	assert.Equal(t, "TIME_WAIT", c.State())
	assert.Equal(t, 1, p.a.NumConns())

	closedAt := p.loop.Now()
	p.run(t, time.Minute, func() bool { return p.a.NumConns() == 0 })
	assert.Equal(t, "CLOSED", c.State())
	// TIME_WAIT started when the server's FIN arrived, 1 ms before.
	assert.Equal(t, tcp.TimeWait-time.Millisecond, p.loop.Now()-closedAt)
	assert.Equal(t, 0, p.b.NumConns())
}

func TestSimultaneousClose(t *testing.T) {
	p := newPair(t, 1)
	var server, client sink
	var sc *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { sc = c; server.attach(p.loop, c) }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	client.attach(p.loop, c)
	p.run(t, time.Second, func() bool { return sc != nil })
	c.Close()
	sc.Close()
	p.run(t, time.Second, func() bool { return client.closed && server.closed })
	assert.Equal(t, "CLOSING", c.State())
	p.run(t, time.Second, func() bool { return c.State() == "TIME_WAIT" && sc.State() == "TIME_WAIT" })
	p.run(t, time.Minute, func() bool { return p.a.NumConns() == 0 && p.b.NumConns() == 0 })
	assert.Equal(t, 0, p.a.NumConns()+p.b.NumConns())
}

func TestAbortResetsPeer(t *testing.T) {
	p := newPair(t, 1)
	var server sink
	var sc *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { sc = c; server.attach(p.loop, c) }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	p.run(t, time.Second, func() bool { return sc != nil })
	c.Abort()
	assert.Equal(t, "CLOSED", c.State())
	_, err = c.Write([]byte("x"))
	assert.ErrorIs(t, err, tcp.ErrClosed)
	p.run(t, time.Second, func() bool { return server.closed })
	assert.ErrorIs(t, server.err, tcp.ErrReset)
	assert.Equal(t, 0, p.b.NumConns())
	assert.Equal(t, uint64(1), p.b.Stats().ResetsIn)
}

func TestRTOBackoff(t *testing.T) {
	p := newPair(t, 1)
	var cap capture
	cap.hook(p.net)
	var sc *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { sc = c }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	var client sink
	client.attach(p.loop, c)
	p.run(t, time.Second, func() bool { return sc != nil })
	// RTT 2 ms: SRTT 2 ms, RTTVAR 1 ms, RTO = max(2+4, 200) ms.
	assert.Equal(t, tcp.MinRTO, c.Stats().RTO)
	assert.Equal(t, 2*time.Millisecond, c.Stats().SRTT)

	p.net.Filter = func(tp tcpPacket) bool { return tp.Src != addrA } // the client's packets vanish
	start := p.loop.Now()
	_, err = c.Write([]byte("lost"))
	require.NoError(t, err)
	p.run(t, 10*time.Minute, func() bool { return client.closed })
	assert.ErrorIs(t, client.err, tcp.ErrTimeout)

	sends := cap.filter(addrA, hasData)
	var gaps []time.Duration
	for i := 1; i < len(sends); i++ {
		gaps = append(gaps, sends[i]-sends[i-1])
	}
	want := []time.Duration{200, 400, 800, 1600, 3200, 6400, 12800, 25600}
	for i := range want {
		want[i] *= time.Millisecond
	}
	assert.Equal(t, want, gaps, "retransmission intervals")
	assert.Equal(t, start, sends[0])
	// Given up one backed-off RTO after the 8th retransmission.
	assert.Equal(t, 102200*time.Millisecond, client.at-start)
	st := c.Stats()
	assert.Equal(t, uint64(8), st.Retransmits)
	assert.Equal(t, uint64(8), st.Timeouts)
	assert.Equal(t, 51200*time.Millisecond, st.RTO)
	assert.Equal(t, 0, p.a.NumConns())
}

func TestRTOFromRTT(t *testing.T) {
	// RFC 6298 with a 300 ms RTT: first sample SRTT=300, RTTVAR=150,
	// RTO=300+4*150=900 ms; a second equal sample gives RTTVAR=112.5 ms and
	// RTO=750 ms.
	p := newPair(t, 1)
	p.net.Delay = 150 * time.Millisecond
	var server sink
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { server.attach(p.loop, c) }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	st := c.Stats()
	assert.Equal(t, 300*time.Millisecond, st.SRTT)
	assert.Equal(t, 150*time.Millisecond, st.RTTVar)
	assert.Equal(t, 900*time.Millisecond, st.RTO)
	_, err = c.Write([]byte("x"))
	require.NoError(t, err)
	p.run(t, time.Second, func() bool { return c.Stats().BytesAcked == 1 })
	st = c.Stats()
	assert.Equal(t, 300*time.Millisecond, st.SRTT)
	assert.Equal(t, 112500*time.Microsecond, st.RTTVar)
	assert.Equal(t, 750*time.Millisecond, st.RTO)
}

func TestFastRetransmit(t *testing.T) {
	// Dropping one data segment once makes the following segments produce
	// duplicate ACKs; the third triggers a fast retransmit, no timeout. The
	// receiver dropped the 7 segments after the hole, so they are sent
	// again too.
	p := newPair(t, 1)
	var server sink
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { server.attach(p.loop, c) }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	dataSegs := 0
	p.net.Filter = func(tp tcpPacket) bool {
		if tp.Src == addrA && len(frame.TCP(tp.Payload).Payload()) > 0 {
			dataSegs++
			return dataSegs != 3
		}
		return true
	}
	_, err = c.Write(pattern(10 * 1460))
	require.NoError(t, err)
	p.run(t, time.Minute, func() bool { return server.buf.Len() == 10*1460 })
	assert.Equal(t, pattern(10*1460), server.buf.Bytes())
	st := c.Stats()
	assert.Equal(t, uint64(1), st.FastRetransmits)
	assert.Equal(t, uint64(8), st.Retransmits)
	assert.Equal(t, uint64(0), st.Timeouts)
	assert.GreaterOrEqual(t, st.DupAcks, uint64(3))
}

func TestPathMTU(t *testing.T) {
	p := newPair(t, 1)
	p.net.MTU = 1000
	var server sink
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { server.attach(p.loop, c) }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1460, c.Stats().MSS)
	_, err = c.Write(pattern(20000))
	require.NoError(t, err)
	p.run(t, time.Minute, func() bool { return server.buf.Len() == 20000 })
	assert.Equal(t, pattern(20000), server.buf.Bytes())
	assert.Equal(t, 960, c.Stats().MSS)
	assert.Zero(t, c.Stats().Timeouts)
}

func TestSynAckLost(t *testing.T) {
	p := newPair(t, 1)
	first := true
	p.net.Filter = func(tp tcpPacket) bool {
		s := frame.TCP(tp.Payload)
		if first && s.Flags() == frame.TCPSyn|frame.TCPAck {
			first = false
			return false
		}
		return true
	}
	var accepted *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { accepted = c }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	assert.Equal(t, "ESTABLISHED", c.State())
	p.run(t, time.Second, func() bool { return accepted != nil })
	assert.NotNil(t, accepted)
	// Established about one initial RTO later. With the handshake
	// retransmitted and no RTT sample (Karn), data starts with an RTO of
	// 3 s (RFC 6298 5.7) and a one-segment window (RFC 5681 3.1).
	st := c.Stats()
	assert.Equal(t, 3*time.Second, st.RTO)
	assert.Equal(t, st.MSS, st.Cwnd)
	assert.Equal(t, uint64(1), st.Retransmits)
}

func TestListenErrors(t *testing.T) {
	p := newPair(t, 1)
	require.NoError(t, p.b.Listen(80, func(*tcp.Conn) {}))
	assert.ErrorIs(t, p.b.Listen(80, func(*tcp.Conn) {}), tcp.ErrPortInUse)
	assert.ErrorIs(t, p.b.Listen(0, func(*tcp.Conn) {}), tcp.ErrInvalidPort)
	p.b.Unlisten(80)
	_, err := p.dial(t, 80, tcp.DialOptions{})
	assert.ErrorIs(t, err, tcp.ErrRefused)
}

func TestDataBeforeCallbacks(t *testing.T) {
	// The server sets OnData only later: data and EOF are kept and
	// delivered in order.
	p := newPair(t, 1)
	var sc *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { sc = c }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	_, err = c.Write([]byte("early"))
	require.NoError(t, err)
	c.Close()
	p.run(t, time.Second, func() bool { return false })
	require.NotNil(t, sc)
	var server sink
	server.attach(p.loop, sc)
	assert.Empty(t, server.buf.String(), "delivery is from a loop event, not the setter")
	p.run(t, time.Second, func() bool { return server.closed })
	assert.Equal(t, "early", server.buf.String())
	assert.NoError(t, server.err)
}

func TestICMPErrorIgnoredForOldData(t *testing.T) {
	// An ICMP error quoting a sequence number outside the flight is ignored
	// (RFC 5927), and a quoted segment for no connection is harmless.
	p := newPair(t, 1)
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) {}))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	orig := make([]byte, 28)
	frame.PutIPv4(orig, frame.IPv4Header{TotalLen: 1500, TTL: 64, Protocol: frame.ProtoTCP, Src: addrA, Dst: addrB})
	copy(orig[20:], []byte{byte(c.LocalAddr().Port() >> 8), byte(c.LocalAddr().Port()), 0, 80, 1, 2, 3, 4})
	p.ha.InjectICMPError(frame.ICMPDestUnreach, frame.ICMPFragNeeded, 600, orig)
	p.ha.InjectICMPError(frame.ICMPDestUnreach, frame.ICMPHostUnreach, 0, orig)
	p.ha.InjectICMPError(frame.ICMPDestUnreach, frame.ICMPHostUnreach, 0, orig[:10])
	assert.Equal(t, 1460, c.Stats().MSS)
	assert.Equal(t, "ESTABLISHED", c.State())
}

func TestPortInUse(t *testing.T) {
	p := newPair(t, 1)
	require.NoError(t, p.b.Listen(80, func(*tcp.Conn) {}))
	assert.True(t, p.b.PortInUse(80))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	port := c.LocalAddr().Port()
	assert.True(t, p.a.PortInUse(port))
	assert.False(t, p.a.PortInUse(80))
	c.Abort()
	assert.False(t, p.a.PortInUse(port))
	p.b.Unlisten(80)
	p.run(t, time.Second, func() bool { return false })
	assert.False(t, p.b.PortInUse(80))
	assert.Zero(t, p.b.NumConns())
}

func TestMTUFromIPLayer(t *testing.T) {
	// The IP layer's MTUFor sets the advertised MSS unless SetMTU is
	// called.
	p := newPair(t, 1)
	p.ha.MTU, p.hb.MTU = 9000, 4000
	var accepted *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { accepted = c }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	assert.Equal(t, 3960, c.Stats().MSS)
	p.run(t, time.Second, func() bool { return accepted != nil })
	assert.Equal(t, 3960, accepted.Stats().MSS)

	p.a.SetMTU(1500)
	c, err = p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	assert.Equal(t, 1460, c.Stats().MSS)
}

func TestSendErrorShrinksSegments(t *testing.T) {
	// The host refuses packets over 1000 bytes (its NIC MTU) and the stack
	// was not told: segments shrink until they pass.
	p := newPair(t, 1)
	p.ha.EgressMTU = 1000
	var server sink
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { server.attach(p.loop, c) }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	_, err = c.Write(pattern(10000))
	require.NoError(t, err)
	p.run(t, time.Minute, func() bool { return server.buf.Len() == 10000 })
	assert.Equal(t, pattern(10000), server.buf.Bytes())
	assert.Equal(t, 730, c.Stats().MSS)
	assert.Positive(t, p.a.Stats().SendErrors)
}

func TestZeroWindowProbe(t *testing.T) {
	// A peer that advertises a zero window stops the sender; the
	// retransmission timer doubles as the persist timer and probes, and the
	// peer's real window opens the flow again.
	p := newPair(t, 1)
	var cap capture
	cap.hook(p.net)
	var server sink
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { server.attach(p.loop, c) }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	p.run(t, 10*time.Millisecond, func() bool { return false })
	synack := cap.segs[1]
	require.Equal(t, frame.TCPSyn|frame.TCPAck, synack.Flags())
	seg := make([]byte, 20)
	frame.PutTCP(seg, frame.TCPHeader{Src: netip.AddrPortFrom(addrB, 80), Dst: c.LocalAddr(), Seq: synack.Seq() + 1, Ack: synack.Ack(), Flags: frame.TCPAck, Window: 0}, nil)
	p.ha.Inject(frame.ProtoTCP, addrB, seg)

	start := p.loop.Now()
	_, err = c.Write(pattern(5000))
	require.NoError(t, err)
	assert.Empty(t, cap.filter(addrA, hasData), "nothing sent into a zero window")
	p.run(t, time.Minute, func() bool { return server.buf.Len() == 5000 })
	assert.Equal(t, pattern(5000), server.buf.Bytes())
	sends := cap.filter(addrA, hasData)
	require.NotEmpty(t, sends)
	assert.Equal(t, start+tcp.MinRTO, sends[0], "the first probe goes one RTO later")
}
