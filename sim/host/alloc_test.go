package host

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// Frames as they arrive at h2 (10.0.0.2, macN(2)) from h1 (10.0.0.1,
// macN(1)).

func otherMACFrame() []byte {
	b := make([]byte, 98)
	frame.PutEthernet(b, macN(9), macN(1), frame.TypeIPv4)
	return b
}

func arpRequestFrame() []byte {
	b := make([]byte, 60)
	frame.PutEthernet(b, frame.Broadcast, macN(1), frame.TypeARP)
	frame.PutARP(b[14:], frame.ARPRequest, macN(1), ip("10.0.0.1"), frame.MAC{}, ip("10.0.0.2"))
	return b
}

func ipFrame(dstMAC frame.MAC, src, dst string, ttl uint8, proto frame.IPProto, l4 func(b []byte) int) []byte {
	b := make([]byte, 2048)
	frame.PutEthernet(b, dstMAC, macN(1), frame.TypeIPv4)
	n := l4(b[34:])
	frame.PutIPv4(b[14:], frame.IPv4Header{TotalLen: uint16(20 + n), ID: 1, TTL: ttl, Protocol: proto, Src: ip(src), Dst: ip(dst)})
	return b[:34+n]
}

func echoRequestFrame() []byte {
	return ipFrame(macN(2), "10.0.0.1", "10.0.0.2", 64, frame.ProtoICMP, func(b []byte) int {
		return frame.PutICMPEcho(b, frame.ICMPEchoRequest, 7, 1, make([]byte, 56))
	})
}

func udpFrame(dstPort uint16) []byte {
	return ipFrame(macN(2), "10.0.0.1", "10.0.0.2", 64, frame.ProtoUDP, func(b []byte) int {
		return frame.PutUDP(b, netip.MustParseAddrPort("10.0.0.1:5000"), netip.AddrPortFrom(ip("10.0.0.2"), dstPort), []byte("hello"))
	})
}

// receiver returns h2 with eth0 sending into a counting sink, knowing
// h1's MAC.
func receiver(t testing.TB) (*Host, *NIC, *nopSender) {
	l := sim.NewLoop(1)
	h := newHost(t, l, "h2", 2, "10.0.0.2/24")
	n := h.NIC("eth0")
	s := &nopSender{}
	n.Connect(s)
	n.Receive(arpRequestFrame()) // learn h1
	require.Equal(t, 1, s.n)
	return h, n, s
}

func TestReceiveAllocs(t *testing.T) {
	tests := []struct {
		name  string
		frame []byte
		sends int // frames answered per run
	}{
		{"other-mac", otherMACFrame(), 0},
		{"arp-request", arpRequestFrame(), 1},
		{"echo-request", echoRequestFrame(), 1},
		{"udp-to-socket", udpFrame(7), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, n, s := receiver(t)
			got := 0
			require.NoError(t, h.ListenUDP(7, func(_, _ netip.AddrPort, d []byte) { got += len(d) }))
			before := s.n
			allocs := testing.AllocsPerRun(100, func() { n.Receive(tc.frame) })
			if allocs != 0 {
				t.Errorf("got %v allocs per frame, want 0", allocs)
			}
			if want := before + 101*tc.sends; s.n != want {
				t.Errorf("got %d frames sent, want %d", s.n, want)
			}
			if len(h.Stats().Drops) != 0 {
				t.Errorf("got drops %v, want none", h.Stats().Drops)
			}
		})
	}
}

func TestForwardAllocs(t *testing.T) {
	l := sim.NewLoop(1)
	r := New(l, "r")
	a := r.AddNIC("eth0", macN(2), 0)
	b := r.AddNIC("eth1", macN(3), 0)
	require.NoError(t, a.AddAddr(pfx("10.0.0.2/24")))
	require.NoError(t, b.AddAddr(pfx("10.0.1.1/24")))
	r.SetForwarding(true)
	sa, sb := &nopSender{}, &nopSender{}
	a.Connect(sa)
	b.Connect(sb)
	require.NoError(t, b.AddNeighbor(ip("10.0.1.5"), macN(5)))
	f := ipFrame(macN(2), "10.0.0.1", "10.0.1.5", 64, frame.ProtoUDP, func(b []byte) int {
		return frame.PutUDP(b, netip.MustParseAddrPort("10.0.0.1:5000"), netip.MustParseAddrPort("10.0.1.5:53"), make([]byte, 100))
	})
	allocs := testing.AllocsPerRun(100, func() { a.Receive(f) })
	if allocs != 0 {
		t.Errorf("got %v allocs per forwarded frame, want 0", allocs)
	}
	if sb.n != 101 {
		t.Errorf("got %d frames forwarded, want 101", sb.n)
	}
}

func TestSendAllocs(t *testing.T) {
	h, _, s := receiver(t)
	dst := netip.MustParseAddrPort("10.0.0.1:53")
	src := netip.AddrPortFrom(netip.Addr{}, 5000)
	data := make([]byte, 100)
	allocs := testing.AllocsPerRun(100, func() {
		if err := h.SendUDP(src, dst, data); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("got %v allocs per SendUDP, want 0", allocs)
	}
	if s.n != 1+101 {
		t.Errorf("got %d frames, want 102", s.n)
	}
}

func BenchmarkHostReceive(b *testing.B) {
	for _, bc := range []struct {
		name  string
		frame []byte
	}{
		{"other-mac", otherMACFrame()},
		{"arp-request", arpRequestFrame()},
		{"echo-request", echoRequestFrame()},
		{"udp-to-socket", udpFrame(7)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h, n, _ := receiver(b)
			_ = h.ListenUDP(7, func(_, _ netip.AddrPort, _ []byte) {})
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.frame)))
			for b.Loop() {
				n.Receive(bc.frame)
			}
		})
	}
}
