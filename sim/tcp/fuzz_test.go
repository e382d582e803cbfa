package tcp_test

import (
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim/tcp"
)

// FuzzTCPSegment injects an arbitrary segment into both ends of an
// established connection (and a listener). mode selects fix-ups so that
// more inputs reach the state machine: bit 0 rewrites the ports to the
// connection's, bit 1 makes the sequence and acknowledgment numbers offsets
// from the last ones the peer sent, bit 2 keeps the checksum as given
// instead of fixing it. No input may panic, and after both ends close every
// connection must be gone within 20 virtual minutes.
func FuzzTCPSegment(f *testing.F) {
	seg := func(flags uint8, seq, ack uint32, data string) []byte {
		b := make([]byte, 24+len(data))
		n := frame.PutTCP(b, frame.TCPHeader{
			Src: netip.AddrPortFrom(addrA, 1), Dst: netip.AddrPortFrom(addrB, 80),
			Seq: seq, Ack: ack, Flags: flags, Window: 65535,
		}, []byte(data))
		return b[:n]
	}
	f.Add(seg(frame.TCPSyn, 0, 0, ""), uint8(1))
	f.Add(seg(frame.TCPAck, 0, 0, "hello"), uint8(3))
	f.Add(seg(frame.TCPAck|frame.TCPFin, 0, 0, "bye"), uint8(3))
	f.Add(seg(frame.TCPRst, 0, 0, ""), uint8(3))
	f.Add(seg(frame.TCPAck, 0, 5000, ""), uint8(3))
	f.Add(seg(frame.TCPAck, 100, 0, "ooo"), uint8(3))
	f.Add([]byte{0, 80, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x12, 0, 0, 0, 0, 0, 0}, uint8(0))
	f.Fuzz(runFuzz)
}

func runFuzz(t *testing.T, in []byte, mode uint8) {
	p := newPair(t, 1)
	p.loop.SetLimits(2_000_000, 0)
	var lastA, lastB frame.TCP
	p.net.OnSend = func(pk tcpPacket) {
		if pk.Proto != frame.ProtoTCP {
			return
		}
		if pk.Src == addrA {
			lastA = append(lastA[:0], pk.Payload...)
		} else {
			lastB = append(lastB[:0], pk.Payload...)
		}
	}
	var sc *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) {
		sc = c
		c.OnData(func(b []byte) { c.Write(b) })
		c.OnClose(func(error) { c.Close() })
	}))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	c.OnData(func([]byte) {})
	c.Write([]byte("some data in flight"))

	inject := func(to netip.Addr) {
		b := append([]byte(nil), in...)
		if len(b) < 20 {
			if to == addrB {
				p.hb.Inject(frame.ProtoTCP, addrA, b)
			} else {
				p.ha.Inject(frame.ProtoTCP, addrB, b)
			}
			return
		}
		src, dst, last := addrA, addrB, lastA
		sport, dport := c.LocalAddr().Port(), uint16(80)
		if to == addrA {
			src, dst, last = addrB, addrA, lastB
			sport, dport = dport, sport
		}
		if mode&1 != 0 {
			binary.BigEndian.PutUint16(b[0:2], sport)
			binary.BigEndian.PutUint16(b[2:4], dport)
		}
		if mode&2 != 0 && len(last) >= 20 {
			binary.BigEndian.PutUint32(b[4:8], binary.BigEndian.Uint32(b[4:8])+last.Seq())
			binary.BigEndian.PutUint32(b[8:12], binary.BigEndian.Uint32(b[8:12])+last.Ack())
		}
		if mode&4 == 0 {
			frame.TCP(b).SetChecksum(0)
			frame.TCP(b).SetChecksum(frame.Checksum(b, frame.PseudoHeaderSum(src, dst, frame.ProtoTCP, len(b))))
		}
		if to == addrB {
			p.hb.Inject(frame.ProtoTCP, src, b)
		} else {
			p.ha.Inject(frame.ProtoTCP, src, b)
		}
	}
	inject(addrB)
	inject(addrA)
	_, err = p.loop.RunUntil(p.loop.Now()+10*time.Second, func() bool { return false })
	require.NoError(t, err)
	c.Close()
	if sc != nil {
		sc.Close()
	}
	ok, err := p.loop.RunUntil(p.loop.Now()+20*time.Minute, func() bool { return p.a.NumConns() == 0 && p.b.NumConns() == 0 })
	require.NoError(t, err)
	require.True(t, ok, "connections left: client %s, server %d", c.State(), p.b.NumConns())
}
