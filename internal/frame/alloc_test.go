package frame

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// Sinks keep the compiler from optimising the measured calls away.
var (
	sinkInt   int
	sinkU16   uint16
	sinkU32   uint32
	sinkAddr  netip.Addr
	sinkMAC   MAC
	sinkBool  bool
	sinkBytes []byte
)

// ethIPv4UDP returns an Ethernet/IPv4/UDP frame built with our builders.
func ethIPv4UDP(payload int) []byte {
	b := make([]byte, EthernetLen+IPv4MinLen+UDPLen+payload)
	PutEthernet(b, macB, macA, TypeIPv4)
	PutIPv4(b[EthernetLen:], IPv4Header{TotalLen: uint16(len(b) - EthernetLen), TTL: 64, Protocol: ProtoUDP, Src: ipA, Dst: ipB})
	PutUDP(b[EthernetLen+IPv4MinLen:], ipPort(ipA, 40000), ipPort(ipB, 4789), make([]byte, payload))
	return b
}

// parseEthIPv4UDP is the parse path of a forwarding or NAT decision.
func parseEthIPv4UDP(b []byte) bool {
	e := Ethernet(b)
	if !e.Valid() || e.Type() != TypeIPv4 {
		return false
	}
	sinkMAC = e.Dst()
	sinkMAC = e.Src()
	p := IPv4(e.Payload())
	if !p.Valid() || p.Protocol() != ProtoUDP {
		return false
	}
	sinkAddr = p.Src()
	sinkAddr = p.Dst()
	sinkInt = int(p.TTL())
	u := UDP(p.Payload())
	if !u.Valid() {
		return false
	}
	sinkU16 = u.SrcPort() ^ u.DstPort()
	sinkBytes = u.Payload()
	return true
}

func requireNoAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	if raceEnabled {
		t.Skip("allocation counts are meaningless under -race")
	}
	require.Zero(t, testing.AllocsPerRun(100, f), "%s allocates", name)
}

func TestAllocsParsing(t *testing.T) {
	frame := ethIPv4UDP(100)
	require.True(t, parseEthIPv4UDP(frame))
	arp := make([]byte, ARPLen)
	PutARP(arp, ARPRequest, macA, ipA, MAC{}, ipB)
	tcp := make([]byte, 64)
	n := PutTCP(tcp, TCPHeader{Src: ipPort(ipA, 1), Dst: ipPort(ipB, 2), Flags: TCPSyn, MSS: 1460}, nil)
	tcp = tcp[:n]
	v6 := make([]byte, IPv6Len+8)
	PutIPv6(v6, IPv6Header{PayloadLen: 8, NextHeader: ProtoUDP, HopLimit: 1, Src: ip6A, Dst: ip6B})
	icmp := make([]byte, 16)
	PutICMPEcho(icmp, ICMPEchoRequest, 1, 2, make([]byte, 8))

	requireNoAllocs(t, "Ethernet/IPv4/UDP", func() { sinkBool = parseEthIPv4UDP(frame) })
	requireNoAllocs(t, "ARP", func() {
		a := ARP(arp)
		sinkBool = a.Valid()
		sinkU16 = a.Op()
		sinkMAC, sinkAddr = a.SenderMAC(), a.SenderIP()
		sinkMAC, sinkAddr = a.TargetMAC(), a.TargetIP()
	})
	requireNoAllocs(t, "TCP", func() {
		s := TCP(tcp)
		sinkBool = s.Valid()
		sinkU32 = s.Seq() + s.Ack()
		sinkU16, sinkBool = s.MSS()
		sinkBytes = s.Options()
		sinkBool = s.ChecksumValid(ipA, ipB)
	})
	requireNoAllocs(t, "IPv6", func() {
		p := IPv6(v6)
		sinkBool = p.Valid()
		sinkAddr = p.Src()
		sinkAddr = p.Dst()
		sinkBytes = p.Payload()
	})
	requireNoAllocs(t, "ICMP", func() {
		m := ICMP(icmp)
		sinkBool = m.Valid() && m.ChecksumValid()
		sinkU16 = m.ID() + m.Seq()
	})
}

func TestAllocsBuilders(t *testing.T) {
	b := make([]byte, 256)
	payload := make([]byte, 32)
	orig := ethIPv4UDP(32)[EthernetLen:]
	requireNoAllocs(t, "PutEthernet", func() { sinkInt = PutEthernet(b, macA, macB, TypeIPv4) })
	requireNoAllocs(t, "PutARP", func() { sinkInt = PutARP(b, ARPReply, macA, ipA, macB, ipB) })
	requireNoAllocs(t, "PutIPv4", func() {
		sinkInt = PutIPv4(b, IPv4Header{TotalLen: 60, TTL: 64, Protocol: ProtoTCP, Src: ipA, Dst: ipB})
	})
	requireNoAllocs(t, "PutIPv6", func() {
		sinkInt = PutIPv6(b, IPv6Header{PayloadLen: 8, NextHeader: ProtoUDP, HopLimit: 64, Src: ip6A, Dst: ip6B})
	})
	requireNoAllocs(t, "PutUDP", func() { sinkInt = PutUDP(b, ipPort(ipA, 1), ipPort(ipB, 2), payload) })
	requireNoAllocs(t, "PutTCP", func() {
		sinkInt = PutTCP(b, TCPHeader{Src: ipPort(ip6A, 1), Dst: ipPort(ip6B, 2), Flags: TCPSyn, MSS: 1460}, payload)
	})
	requireNoAllocs(t, "PutICMPEcho", func() { sinkInt = PutICMPEcho(b, ICMPEchoReply, 1, 2, payload) })
	requireNoAllocs(t, "PutICMPError", func() { sinkInt = PutICMPError(b, ICMPDestUnreach, ICMPPortUnreach, 0, orig) })
	tag := make([]byte, len(orig)+EthernetLen+VLANTagLen)
	frame := ethIPv4UDP(32)
	requireNoAllocs(t, "PushTag/PopTag", func() { sinkBytes = PopTag(b, Ethernet(PushTag(tag, frame, 100))) })
}

func TestAllocsChecksumAndSetters(t *testing.T) {
	data := make([]byte, 1500)
	frame := ethIPv4UDP(64)
	p := IPv4(frame[EthernetLen:])
	u := UDP(p.Payload())
	tcp := make([]byte, 64)
	s := TCP(tcp[:PutTCP(tcp, TCPHeader{Src: ipPort(ipA, 1), Dst: ipPort(ipB, 2)}, nil)])
	nat := netip.MustParseAddr("192.168.0.1")
	requireNoAllocs(t, "Checksum", func() { sinkU16 = Checksum(data, PseudoHeaderSum(ipA, ipB, ProtoUDP, len(data))) })
	requireNoAllocs(t, "PartialChecksum", func() { sinkU32 = PartialChecksum(data, 0) })
	requireNoAllocs(t, "ChecksumUpdate", func() {
		sinkU16 = ChecksumUpdate16(ChecksumUpdate32(ChecksumUpdateAddr(1, ipA, ip6B), 1, 2), 3, 4)
	})
	requireNoAllocs(t, "IPv4 setters", func() {
		p.SetTTLWithChecksum(64)
		sinkU16 = uint16(p.DecTTL())
		p.SetSrcWithChecksum(nat)
		p.SetDstWithChecksum(ipB)
		sinkBool = p.ChecksumValid()
	})
	requireNoAllocs(t, "UDP setters", func() {
		u.SetSrcPortWithChecksum(1)
		u.SetDstPortWithChecksum(2)
		u.UpdateChecksumForAddr(ipA, nat)
		sinkBool = u.ChecksumValid(nat, ipB)
	})
	requireNoAllocs(t, "TCP setters", func() {
		s.SetSrcPortWithChecksum(1)
		s.SetSeqWithChecksum(5)
		s.UpdateChecksumForAddr(ipA, nat)
	})
}

func TestAllocsPool(t *testing.T) {
	PutBuf(GetBuf()) // warm the pool
	requireNoAllocs(t, "GetBuf/PutBuf", func() {
		b := GetBuf()
		sinkBytes = b.Frame(60)
		PutBuf(b)
	})
}
