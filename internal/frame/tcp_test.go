package frame

import (
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTCPFromGopacket(t *testing.T) {
	tests := []struct {
		name    string
		tcp     layers.TCP
		v6      bool
		payload []byte
		flags   uint8
		mss     uint16
		hasMSS  bool
		hl      int
	}{
		{
			name: "syn with options",
			tcp: layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 0xdeadbeef, SYN: true, Window: 64240, Options: []layers.TCPOption{
				{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
				{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
				{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
			}},
			flags: TCPSyn, mss: 1460, hasMSS: true, hl: 40,
		},
		{
			name: "mss after timestamps and nops",
			tcp: layers.TCP{SrcPort: 80, DstPort: 40000, Seq: 1, Ack: 0xdeadbef0, SYN: true, ACK: true, Window: 65160, Options: []layers.TCPOption{
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: make([]byte, 8)},
				{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x23, 0x28}},
			}},
			flags: TCPSyn | TCPAck, mss: 9000, hasMSS: true, hl: 36,
		},
		{
			name:    "data",
			tcp:     layers.TCP{SrcPort: 40000, DstPort: 80, Seq: 100, Ack: 200, PSH: true, ACK: true, Window: 502},
			payload: []byte("GET / HTTP/1.1\r\n\r\n"),
			flags:   TCPPsh | TCPAck, hl: 20,
		},
		{
			name:  "fin rst urg over v6",
			tcp:   layers.TCP{SrcPort: 1, DstPort: 2, FIN: true, RST: true, URG: true, Urgent: 9},
			v6:    true,
			flags: TCPFin | TCPRst | TCPUrg, hl: 20,
		},
		{
			name: "end of options before mss",
			tcp: layers.TCP{SrcPort: 1, DstPort: 2, SYN: true, Options: []layers.TCPOption{
				{OptionType: layers.TCPOptionKindEndList},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindNop},
				{OptionType: layers.TCPOptionKindNop},
			}},
			flags: TCPSyn, hl: 24,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ip gopacket.SerializableLayer = &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: ipOf(ipA), DstIP: ipOf(ipB)}
			if tc.v6 {
				ip = &layers.IPv6{Version: 6, NextHeader: layers.IPProtocolTCP, HopLimit: 64, SrcIP: ipOf(ip6A), DstIP: ipOf(ip6B)}
			}
			tcp := tc.tcp
			b := serialize(t, ip, &tcp, payloadLayer(tc.payload))
			var l4 []byte
			var src, dst netip.Addr
			if tc.v6 {
				p := IPv6(b)
				require.True(t, p.Valid())
				l4, src, dst = p.Payload(), p.Src(), p.Dst()
			} else {
				p := IPv4(b)
				require.True(t, p.Valid())
				l4, src, dst = p.Payload(), p.Src(), p.Dst()
			}
			s := TCP(l4)
			require.True(t, s.Valid())
			assert.Equal(t, uint16(tc.tcp.SrcPort), s.SrcPort())
			assert.Equal(t, uint16(tc.tcp.DstPort), s.DstPort())
			assert.Equal(t, tc.tcp.Seq, s.Seq())
			assert.Equal(t, tc.tcp.Ack, s.Ack())
			assert.Equal(t, tc.hl, s.DataOffset())
			assert.Equal(t, tc.flags, s.Flags(), "got flags %#x, want %#x", s.Flags(), tc.flags)
			assert.Equal(t, tc.tcp.Window, s.Window())
			assert.Equal(t, tc.tcp.Urgent, s.UrgentPtr())
			assert.Len(t, s.Options(), tc.hl-TCPMinLen)
			assert.Equal(t, string(tc.payload), string(s.Payload()))
			mss, ok := s.MSS()
			assert.Equal(t, tc.hasMSS, ok)
			assert.Equal(t, tc.mss, mss)
			assert.True(t, s.ChecksumValid(src, dst))
			s[len(s)-1] ^= 1
			assert.False(t, s.ChecksumValid(src, dst))
		})
	}
}

func TestPutTCPGopacket(t *testing.T) {
	tests := []struct {
		name    string
		h       TCPHeader
		payload []byte
	}{
		{"syn mss", TCPHeader{Src: ipPort(ipA, 40000), Dst: ipPort(ipB, 8080), Seq: 0x01020304, Flags: TCPSyn, Window: 65535, MSS: 1410}, nil},
		{"ack data", TCPHeader{Src: ipPort(ipB, 8080), Dst: ipPort(ipA, 40000), Seq: 0xffffffff, Ack: 0x01020305, Flags: TCPAck | TCPPsh, Window: 512}, []byte("HTTP/1.1 200 OK\r\n\r\n")},
		{"rst", TCPHeader{Src: ipPort(ipB, 8080), Dst: ipPort(ipA, 40000), Flags: TCPRst | TCPAck}, nil},
		{"v6 odd payload", TCPHeader{Src: ipPort(ip6A, 40000), Dst: ipPort(ip6B, 8080), Seq: 7, Ack: 9, Flags: TCPAck | TCPFin, Window: 1, MSS: 1}, []byte("odd")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hl := TCPMinLen
			if tc.h.MSS != 0 {
				hl += 4
			}
			n := hl + len(tc.payload)
			var b []byte
			first := layers.LayerTypeIPv4
			if tc.h.Src.Addr().Is4() {
				b = make([]byte, IPv4MinLen+n)
				PutIPv4(b, IPv4Header{TotalLen: uint16(len(b)), TTL: 64, Protocol: ProtoTCP, Src: tc.h.Src.Addr(), Dst: tc.h.Dst.Addr()})
				require.Equal(t, n, PutTCP(b[IPv4MinLen:], tc.h, tc.payload))
			} else {
				first = layers.LayerTypeIPv6
				b = make([]byte, IPv6Len+n)
				PutIPv6(b, IPv6Header{PayloadLen: uint16(n), NextHeader: ProtoTCP, HopLimit: 64, Src: tc.h.Src.Addr(), Dst: tc.h.Dst.Addr()})
				require.Equal(t, n, PutTCP(b[IPv6Len:], tc.h, tc.payload))
			}
			p := verifyWithGopacket(t, b, first)
			s := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
			assert.Equal(t, layers.TCPPort(tc.h.Src.Port()), s.SrcPort)
			assert.Equal(t, layers.TCPPort(tc.h.Dst.Port()), s.DstPort)
			assert.Equal(t, tc.h.Seq, s.Seq)
			assert.Equal(t, tc.h.Ack, s.Ack)
			assert.Equal(t, uint8(hl/4), s.DataOffset)
			assert.Equal(t, tc.h.Flags&TCPFin != 0, s.FIN)
			assert.Equal(t, tc.h.Flags&TCPSyn != 0, s.SYN)
			assert.Equal(t, tc.h.Flags&TCPRst != 0, s.RST)
			assert.Equal(t, tc.h.Flags&TCPPsh != 0, s.PSH)
			assert.Equal(t, tc.h.Flags&TCPAck != 0, s.ACK)
			assert.Equal(t, tc.h.Flags&TCPUrg != 0, s.URG)
			assert.Equal(t, tc.h.Window, s.Window)
			if tc.h.MSS != 0 {
				require.Len(t, s.Options, 1)
				assert.Equal(t, layers.TCPOptionKind(layers.TCPOptionKindMSS), s.Options[0].OptionType)
				assert.Equal(t, []byte{byte(tc.h.MSS >> 8), byte(tc.h.MSS)}, s.Options[0].OptionData)
			} else {
				assert.Empty(t, s.Options)
			}
			assert.Equal(t, string(tc.payload), string(s.Payload))
		})
	}
}

func TestPutTCPInPlace(t *testing.T) {
	b := make([]byte, 64)
	copy(b[24:], "payload in place")
	h := TCPHeader{Src: ipPort(ipA, 1), Dst: ipPort(ipB, 2), Flags: TCPSyn, MSS: 1460}
	n := PutTCP(b, h, b[24:24+16])
	s := TCP(b[:n])
	require.True(t, s.Valid())
	assert.Equal(t, "payload in place", string(s.Payload()))
	assert.True(t, s.ChecksumValid(ipA, ipB))
}

func TestTCPInvalid(t *testing.T) {
	good := make([]byte, 24)
	PutTCP(good, TCPHeader{Src: ipPort(ipA, 1), Dst: ipPort(ipB, 2), Flags: TCPSyn, MSS: 1460}, nil)
	require.True(t, TCP(good).Valid())
	for n := range len(good) {
		assert.False(t, TCP(good[:n]).Valid(), "truncated to %d bytes", n)
	}
	for off := range 16 {
		b := clone(good)
		b[12] = byte(off) << 4
		want := off >= 5 && off*4 <= len(b)
		assert.Equal(t, want, TCP(b).Valid(), "data offset %d", off)
	}
}

func TestTCPMSSMalformed(t *testing.T) {
	tests := []struct {
		name string
		opts []byte
		mss  uint16
		ok   bool
	}{
		{"none", nil, 0, false},
		{"plain", []byte{2, 4, 0x05, 0xb4}, 1460, true},
		{"after nops", []byte{1, 1, 1, 1, 2, 4, 0x05, 0xb4, 0, 0, 0, 0}, 1460, true},
		{"after sack-permitted", []byte{4, 2, 2, 4, 0x05, 0xb4, 1, 1}, 1460, true},
		{"mss with bad length skipped", []byte{2, 6, 0, 0, 0, 0, 2, 4, 0x01, 0x00}, 0x100, true},
		{"zero length", []byte{8, 0, 2, 4, 0x05, 0xb4, 0, 0}, 0, false},
		{"length 1", []byte{8, 1, 2, 4, 0x05, 0xb4, 0, 0}, 0, false},
		{"length past end", []byte{8, 10, 2, 4, 0x05, 0xb4, 0, 0}, 0, false},
		{"kind without length", []byte{1, 1, 1, 8}, 0, false},
		{"truncated mss", []byte{1, 1, 2, 4}, 0, false},
		{"end before mss", []byte{0, 1, 1, 1, 2, 4, 0x05, 0xb4}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Options padded with NOPs to a multiple of 4, as on the wire.
			opts := append(clone(tc.opts), make([]byte, (4-len(tc.opts)%4)%4)...)
			for i := len(tc.opts); i < len(opts); i++ {
				opts[i] = 1
			}
			b := make([]byte, TCPMinLen+len(opts))
			b[12] = byte(len(b)/4) << 4
			copy(b[TCPMinLen:], opts)
			s := TCP(b)
			require.True(t, s.Valid())
			mss, ok := s.MSS()
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.mss, mss)
		})
	}
}

func TestTCPSetters(t *testing.T) {
	for _, tc := range []struct {
		name       string
		h          TCPHeader
		nsrc, ndst netip.Addr
	}{
		{"v4", TCPHeader{Src: ipPort(ipA, 40000), Dst: ipPort(ipB, 80), Seq: 1, Ack: 2, Flags: TCPAck}, netip.MustParseAddr("192.168.1.10"), netip.MustParseAddr("172.18.0.5")},
		{"v6", TCPHeader{Src: ipPort(ip6A, 40000), Dst: ipPort(ip6B, 80), Seq: 1, Ack: 2, Flags: TCPAck}, netip.MustParseAddr("fd00::99"), netip.MustParseAddr("2001:db8::80")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, TCPMinLen+5)
			PutTCP(b, tc.h, []byte("hello"))
			s := TCP(b)
			s.SetSrcPortWithChecksum(61000)
			s.SetDstPortWithChecksum(8080)
			s.SetSeqWithChecksum(0xfffffff0)
			s.SetAckWithChecksum(0x80000000)
			s.UpdateChecksumForAddr(tc.h.Src.Addr(), tc.nsrc)
			s.UpdateChecksumForAddr(tc.h.Dst.Addr(), tc.ndst)
			assert.Equal(t, uint16(61000), s.SrcPort())
			assert.Equal(t, uint16(8080), s.DstPort())
			assert.Equal(t, uint32(0xfffffff0), s.Seq())
			assert.Equal(t, uint32(0x80000000), s.Ack())
			assert.True(t, s.ChecksumValid(tc.nsrc, tc.ndst))
			assert.Equal(t, tcpFull(s, tc.nsrc, tc.ndst), s.Checksum())
		})
	}
}

// tcpFull recomputes s's checksum from scratch, as a sender would.
func tcpFull(s TCP, src, dst netip.Addr) uint16 {
	c := clone(s)
	TCP(c).SetChecksum(0)
	return Checksum(c, PseudoHeaderSum(src, dst, ProtoTCP, len(c)))
}
