package host_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
	"github.com/vswitch/vswitch/sim/tcp"
)

type rec struct{ frames [][]byte }

func (r *rec) Send(f []byte) { r.frames = append(r.frames, append([]byte(nil), f...)) }

// A TCP SYN to the subnet broadcast address is silently discarded (RFC
// 1122 4.2.3.10): no RST, and certainly none from the broadcast address.
func TestTCPToBroadcastIsDiscarded(t *testing.T) {
	l := sim.NewLoop(1)
	h := host.New(l, "b")
	nic := h.AddNIC("eth0", frame.MAC{2, 0, 0, 0, 0, 2}, 0)
	_ = nic.AddAddr(netip.MustParsePrefix("10.0.0.2/24"))
	tcp.NewStack(h)
	r := &rec{}
	nic.Connect(r)
	_ = nic.AddNeighbor(netip.MustParseAddr("10.0.0.1"), frame.MAC{2, 0, 0, 0, 0, 1})

	seg := make([]byte, 20)
	src, dst := netip.MustParseAddrPort("10.0.0.1:40000"), netip.MustParseAddrPort("10.0.0.255:80")
	n := frame.PutTCP(seg, frame.TCPHeader{Src: src, Dst: dst, Seq: 1000, Flags: frame.TCPSyn, Window: 1000}, nil)
	f := make([]byte, 14+20+n)
	frame.PutEthernet(f, frame.Broadcast, frame.MAC{2, 0, 0, 0, 0, 1}, frame.TypeIPv4)
	frame.PutIPv4(f[14:], frame.IPv4Header{TotalLen: uint16(20 + n), ID: 1, TTL: 64, Protocol: frame.ProtoTCP, Src: src.Addr(), Dst: dst.Addr()})
	copy(f[34:], seg[:n])
	r.frames = nil
	nic.Receive(f)
	_ = l.Run(l.Now() + time.Second)
	if h.Drops("broadcast-tcp") != 1 {
		t.Errorf("broadcast-tcp drops = %d, want 1", h.Drops("broadcast-tcp"))
	}
	for _, fr := range r.frames {
		ipp := frame.IPv4(fr[14:])
		if ipp.Protocol() == frame.ProtoTCP {
			t.Errorf("sent TCP %s -> %s flags %#x in answer to a SYN to a broadcast address", ipp.Src(), ipp.Dst(), frame.TCP(ipp.Payload()).Flags())
		}
	}
}
