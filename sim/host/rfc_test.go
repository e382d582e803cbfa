package host

import (
	"encoding/binary"
	"testing"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// rawFrag builds an Ethernet frame with one IPv4 fragment to 10.0.0.2.
func rawFrag(ihl, off int, mf bool, data []byte) []byte {
	b := make([]byte, 14+ihl+len(data))
	frame.PutEthernet(b, macN(2), macN(1), frame.TypeIPv4)
	frame.PutIPv4(b[14:], frame.IPv4Header{TotalLen: uint16(ihl + len(data)), ID: 9, TTL: 64, Protocol: frame.ProtoUDP, Src: ip("10.0.0.1"), Dst: ip("10.0.0.2")})
	b[14] = 0x40 | byte(ihl/4)
	for i := 14 + 20; i < 14+ihl; i++ {
		b[i] = 1 // NOP options
	}
	w := uint16(off / 8)
	if mf {
		w |= ipFlagMF
	}
	binary.BigEndian.PutUint16(b[14+6:], w)
	binary.BigEndian.PutUint16(b[14+2:], uint16(ihl+len(data)))
	setIPChecksum(b[14 : 14+ihl])
	copy(b[14+ihl:], data)
	return b
}

// A reassembled datagram longer than 65535 bytes (the first fragment has a
// longer header than the later ones) is dropped, not a panic.
func TestReassemblyOverflowIsDropped(t *testing.T) {
	l := sim.NewLoop(1)
	h := newHost(t, l, "h2", 2, "10.0.0.2/24")
	nic := h.NIC("eth0")
	nic.Connect(&nopSender{})
	// first fragment has a 24-byte header; the others 20: 20+end fits 65535
	// but 24+end does not.
	nic.Receive(rawFrag(24, 0, true, make([]byte, 8)))
	for off := 8; off < 65504; off += 1480 {
		n := min(1480, 65504-off)
		nic.Receive(rawFrag(20, off, true, make([]byte, n)))
	}
	nic.Receive(rawFrag(20, 65504, false, make([]byte, 11)))
	if got := h.Drops("malformed"); got != 1 {
		t.Errorf("malformed drops = %d, want 1 (the oversized datagram)", got)
	}
}

func TestNoICMPErrorForDirectedBroadcast(t *testing.T) {
	lab := newRouted(t, 1, 0)
	var errs []uint8
	lab.h1.HandleICMPError(func(typ, code uint8, mtu uint16, orig []byte) { errs = append(errs, code) })
	if err := lab.h1.SendIP(99, ip("10.0.1.2"), ip("10.0.2.255"), []byte("hello")); err != nil {
		t.Fatal(err)
	}
	_ = lab.l.Run(10e9)
	if len(errs) != 0 {
		t.Fatalf("router answered a packet to the directed broadcast 10.0.2.255 with ICMP errors (codes %v); RFC 1122 3.2.2 forbids it", errs)
	}
}

func TestNoICMPErrorForLinkBroadcast(t *testing.T) {
	l := sim.NewLoop(1)
	h := newHost(t, l, "h2", 2, "10.0.0.2/24")
	nic := h.NIC("eth0")
	tp := &tap{l: l}
	nic.Connect(tp)
	_ = nic.AddNeighbor(ip("10.0.0.1"), macN(1))
	f := udpFrame(9) // UDP to 10.0.0.2:9, nobody listens
	copy(f[0:6], frame.Broadcast[:])
	nic.Receive(f)
	_ = l.Run(l.Now() + 1e9)
	for _, s := range tp.frames {
		if p := frame.IPv4(s.f[14:]); frame.Ethernet(s.f).Type() == frame.TypeIPv4 && p.Protocol() == frame.ProtoICMP {
			t.Errorf("ICMP type %d sent for a datagram received as a link-layer broadcast (RFC 1122 3.2.2)", p.Payload()[0])
		}
	}
}
