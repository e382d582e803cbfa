package tcp_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim/tcp"
)

// establishedSink returns a pair with an established connection whose
// server side counts received bytes, and a function that injects the next
// in-order 1460-byte data segment into the server. The network drops
// everything afterwards, so only the stack's own work is measured.
func establishedSink(t testing.TB) (inject func(), received *int) {
	p := newPair(t, 1)
	n := 0
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { c.OnData(func(b []byte) { n += len(b) }) }))
	var last frame.TCP
	p.net.OnSend = func(pk tcpPacket) {
		if pk.Src == addrA {
			last = append(last[:0], pk.Payload...)
		}
	}
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	p.run(t, time.Second, func() bool { return false })
	p.net.OnSend = nil
	p.net.Filter = func(tcpPacket) bool { return false }
	seq, ack := last.Seq(), last.Ack()
	seg := make([]byte, 20+1460)
	src, dst := c.LocalAddr(), netip.AddrPortFrom(addrB, 80)
	frame.PutTCP(seg, frame.TCPHeader{Src: src, Dst: dst, Seq: seq, Ack: ack, Flags: frame.TCPAck, Window: 65535}, pattern(1460))
	return func() {
		p.hb.Inject(frame.ProtoTCP, addrA, seg)
		seq += 1460
		frame.TCP(seg).SetSeqWithChecksum(seq)
	}, &n
}

func TestSegmentInAllocs(t *testing.T) {
	inject, n := establishedSink(t)
	inject() // warm up the scratch and the ACK path
	allocs := testing.AllocsPerRun(1000, inject)
	if allocs != 0 {
		t.Errorf("got %v allocations per in-order segment, want 0", allocs)
	}
	require.Equal(t, 1002*1460, *n)
}

func BenchmarkSegmentIn(b *testing.B) {
	inject, n := establishedSink(b)
	b.ReportAllocs()
	b.SetBytes(1460)
	b.ResetTimer()
	for b.Loop() {
		inject()
	}
	b.StopTimer()
	if *n == 0 {
		b.Fatal("nothing received")
	}
}

// BenchmarkTransfer moves 1 MiB across the fake network (1 ms delay, no
// loss) through handshake, data, ACKs and close: the cost of simulated TCP
// per byte, fake network included.
func BenchmarkTransfer(b *testing.B) {
	const size = 1 << 20
	b.ReportAllocs()
	b.SetBytes(size)
	for b.Loop() {
		r := lossyTransfer(b, 1, 0, 0, size, 1)
		if r.server.buf.Len() != size {
			b.Fatal("short transfer")
		}
	}
}
