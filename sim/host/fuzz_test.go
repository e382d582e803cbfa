package host

import (
	"net/netip"
	"testing"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// checkSender fails the test if the host sends a frame that is not well
// formed: every IPv4 header the stack writes must be valid with a correct
// checksum, and every ARP message must be an Ethernet/IPv4 one.
type checkSender struct {
	t testing.TB
	n int
}

func (c *checkSender) Send(f []byte) {
	c.n++
	e := frame.Ethernet(f)
	if !e.Valid() || len(f) < minFrame {
		c.t.Fatalf("sent a short frame: %x", f)
	}
	switch e.Type() {
	case frame.TypeARP:
		if !frame.ARP(e.Payload()).Valid() {
			c.t.Fatalf("sent a bad ARP: %x", f)
		}
	case frame.TypeIPv4:
		p := frame.IPv4(e.Payload())
		if !p.Valid() || !p.ChecksumValid() {
			c.t.Fatalf("sent a bad IPv4 packet: %x", f)
		}
		if len(p) > DefaultMTU+frame.EthernetLen || p.TotalLen() > DefaultMTU {
			c.t.Fatalf("sent %d bytes over an MTU of %d", p.TotalLen(), DefaultMTU)
		}
	default:
		c.t.Fatalf("sent EtherType %#x", e.Type())
	}
}

// fuzzRouter is a forwarding host with two NICs, a UDP echo socket on port
// 7 and a TCP handler, the most code a frame can reach.
func fuzzRouter(t testing.TB) (*sim.Loop, *Host, *NIC, *NIC) {
	l := sim.NewLoop(1)
	l.SetLimits(100000, 0)
	r := New(l, "r")
	a := r.AddNIC("eth0", macN(2), 0)
	b := r.AddNIC("eth1", macN(3), 0)
	a.Connect(&checkSender{t: t})
	b.Connect(&checkSender{t: t})
	if err := a.AddAddr(pfx("10.0.0.2/24")); err != nil {
		t.Fatal(err)
	}
	if err := b.AddAddr(pfx("10.0.1.1/24")); err != nil {
		t.Fatal(err)
	}
	if err := b.AddNeighbor(ip("10.0.1.5"), macN(5)); err != nil {
		t.Fatal(err)
	}
	r.SetGateway(ip("10.0.1.254"))
	r.SetForwarding(true)
	if err := r.ListenUDP(7, func(from, to netip.AddrPort, data []byte) { _ = r.SendUDP(to, from, data) }); err != nil {
		t.Fatal(err)
	}
	r.Handle(frame.ProtoTCP, func(src, dst netip.Addr, payload []byte) {})
	r.HandleICMPError(func(typ, code uint8, mtu uint16, orig []byte) { _ = frame.IPv4(orig) })
	return l, r, a, b
}

func FuzzHostReceive(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, r, a, _ := fuzzRouter(t)
		a.Receive(data)
		a.Receive(data) // again, with whatever the first one taught the host
		if err := l.Run(time.Minute); err != nil {
			t.Fatal(err)
		}
		st := r.Stats()
		if st.RxFrames+st.Filtered != 2 {
			t.Fatalf("got %d received + %d filtered frames, want 2", st.RxFrames, st.Filtered)
		}
	})
}

// fuzzSeeds are frames that reach each part of the stack; the seed corpus
// in testdata/fuzz/FuzzHostReceive holds the same frames.
func fuzzSeeds() [][]byte {
	udpTo := func(dst string, port uint16, ttl uint8, n int) []byte {
		return ipFrame(macN(2), "10.0.0.1", dst, ttl, frame.ProtoUDP, func(b []byte) int {
			return frame.PutUDP(b, netip.MustParseAddrPort("10.0.0.1:5000"), netip.AddrPortFrom(ip(dst), port), make([]byte, n))
		})
	}
	frag := func(off uint16, mf bool) []byte {
		b := udpTo("10.0.0.2", 7, 64, 64)
		w := off / 8
		if mf {
			w |= ipFlagMF
		}
		b[20], b[21] = byte(w>>8), byte(w)
		setIPChecksum(b[14:34])
		return b
	}
	portUnreach := ipFrame(macN(2), "10.0.1.5", "10.0.0.2", 64, frame.ProtoICMP, func(b []byte) int {
		orig := udpTo("10.0.1.5", 9, 64, 10)[14:]
		return frame.PutICMPError(b, frame.ICMPDestUnreach, frame.ICMPPortUnreach, 0, orig)
	})
	tagged := append(append([]byte{}, arpRequestFrame()[:12]...), 0x81, 0x00, 0x00, 0x0a)
	tagged = append(tagged, arpRequestFrame()[12:]...)
	ipv6 := make([]byte, 60)
	frame.PutEthernet(ipv6, macN(2), macN(1), frame.TypeIPv6)
	return [][]byte{
		arpRequestFrame(),
		echoRequestFrame(),
		udpFrame(7),
		udpFrame(9),
		udpTo("10.0.1.5", 53, 64, 20),   // forwarded
		udpTo("10.0.1.5", 53, 1, 20),    // TTL expires
		udpTo("10.0.1.9", 53, 64, 20),   // forwarded, ARP never answered
		udpTo("10.0.1.5", 53, 64, 1600), // too big for the next hop (not DF: fragmented)
		frag(0, true),
		frag(64, false),
		portUnreach,
		tagged,
		ipv6,
		otherMACFrame(),
		{0xff, 0xff, 0xff},
	}
}
