package frame

import (
	"testing"

	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestICMPFromGopacket(t *testing.T) {
	tests := []struct {
		name    string
		icmp    layers.ICMPv4
		payload []byte
		id, seq uint16
		mtu     uint16
	}{
		{"echo request", layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 0x1234, Seq: 1}, []byte("abcdefgh"), 0x1234, 1, 1},
		{"echo reply", layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(0, 0), Id: 0xffff, Seq: 0xfffe}, []byte("odd"), 0xffff, 0xfffe, 0xfffe},
		{"frag needed", layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(3, 4), Seq: 1450}, make([]byte, 28), 0, 1450, 1450},
		{"time exceeded", layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(11, 0)}, make([]byte, 28), 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := serialize(t,
				&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: ipOf(ipA), DstIP: ipOf(ipB)},
				&tc.icmp, payloadLayer(tc.payload))
			p := IPv4(b)
			require.True(t, p.Valid())
			m := ICMP(p.Payload())
			require.True(t, m.Valid())
			assert.Equal(t, tc.icmp.TypeCode.Type(), m.Type())
			assert.Equal(t, tc.icmp.TypeCode.Code(), m.Code())
			assert.Equal(t, tc.id, m.ID())
			assert.Equal(t, tc.seq, m.Seq())
			assert.Equal(t, tc.mtu, m.NextHopMTU())
			assert.Equal(t, tc.payload, []byte(m.Payload()))
			assert.True(t, m.ChecksumValid())
			m[len(m)-1] ^= 0x40
			assert.False(t, m.ChecksumValid())
		})
	}
}

func TestPutICMPEchoGopacket(t *testing.T) {
	for _, tc := range []struct {
		name    string
		typ     uint8
		payload []byte
	}{
		{"request", ICMPEchoRequest, []byte("0123456789abcdef0123456789abcdef0123456789abcdef")},
		{"reply odd", ICMPEchoReply, []byte("odd")},
		{"empty", ICMPEchoRequest, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, 100)
			n := PutICMPEcho(b, tc.typ, 0xbeef, 7, tc.payload)
			require.Equal(t, ICMPLen+len(tc.payload), n)
			p := verifyWithGopacket(t, b[:n], layers.LayerTypeICMPv4)
			icmp := p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
			assert.Equal(t, tc.typ, icmp.TypeCode.Type())
			assert.Zero(t, icmp.TypeCode.Code())
			assert.Equal(t, uint16(0xbeef), icmp.Id)
			assert.Equal(t, uint16(7), icmp.Seq)
			assert.Equal(t, string(tc.payload), string(icmp.Payload))
			assert.True(t, ICMP(b[:n]).ChecksumValid())
		})
	}
}

func TestPutICMPEchoInPlace(t *testing.T) {
	b := make([]byte, 20)
	copy(b[ICMPLen:], "in place!!!!")
	n := PutICMPEcho(b, ICMPEchoRequest, 1, 2, b[ICMPLen:])
	m := ICMP(b[:n])
	assert.Equal(t, "in place!!!!", string(m.Payload()))
	assert.True(t, m.ChecksumValid())

	// Turning a request into a reply keeps the checksum right.
	m.SetTypeWithChecksum(ICMPEchoReply)
	assert.Equal(t, ICMPEchoReply, m.Type())
	assert.True(t, m.ChecksumValid())
	m.SetIDWithChecksum(0xfffe)
	assert.Equal(t, uint16(0xfffe), m.ID())
	assert.True(t, m.ChecksumValid())
}

func TestPutICMPErrorGopacket(t *testing.T) {
	// The offending packet: IPv4 with a 4-byte option, UDP, 20 bytes data.
	orig := serialize(t,
		&layers.IPv4{Version: 4, TTL: 1, Protocol: layers.IPProtocolUDP, SrcIP: ipOf(ipA), DstIP: ipOf(ipB),
			Options: []layers.IPv4Option{{OptionType: 148, OptionLength: 4, OptionData: []byte{0, 0}}}},
		&layers.UDP{SrcPort: 40000, DstPort: 33434},
		payloadLayer([]byte("traceroute probe....")))
	tests := []struct {
		name       string
		typ, code  uint8
		mtu        uint16
		orig       []byte
		wantQuoted int
	}{
		{"port unreachable", ICMPDestUnreach, ICMPPortUnreach, 0, orig, 24 + 8},
		{"frag needed", ICMPDestUnreach, ICMPFragNeeded, 1450, orig, 24 + 8},
		{"time exceeded", ICMPTimeExceeded, 0, 0, orig, 24 + 8},
		{"short original", ICMPDestUnreach, ICMPHostUnreach, 0, orig[:26], 26},
		{"no original", ICMPDestUnreach, ICMPNetUnreach, 0, nil, 0},
		{"bogus ihl counts as 5", ICMPDestUnreach, ICMPProtoUnreach, 0, append([]byte{0x41}, orig[1:]...), 20 + 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, 100)
			n := PutICMPError(b, tc.typ, tc.code, tc.mtu, tc.orig)
			require.Equal(t, ICMPLen+tc.wantQuoted, n)
			m := ICMP(b[:n])
			require.True(t, m.Valid())
			assert.True(t, m.ChecksumValid())
			assert.Equal(t, tc.typ, m.Type())
			assert.Equal(t, tc.code, m.Code())
			assert.Equal(t, tc.mtu, m.NextHopMTU())
			assert.Zero(t, m.ID(), "unused bytes must be zero")
			assert.Equal(t, string(tc.orig[:tc.wantQuoted]), string(m.Payload()))

			if tc.wantQuoted >= 28 {
				// gopacket decodes the quote as IPv4 + UDP header.
				p := decode(t, b[:n], layers.LayerTypeICMPv4)
				icmp := p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4)
				assert.Equal(t, layers.CreateICMPv4TypeCode(tc.typ, tc.code), icmp.TypeCode)
				assert.Equal(t, tc.mtu, icmp.Seq)
			}
		})
	}
}

func TestPutICMPErrorInPlace(t *testing.T) {
	orig := make([]byte, 60)
	PutIPv4(orig, IPv4Header{TotalLen: 60, TTL: 1, Protocol: ProtoUDP, Src: ipA, Dst: ipB})
	PutUDP(orig[20:], ipPort(ipA, 1), ipPort(ipB, 2), make([]byte, 32))
	want := clone(orig[:28])

	// The original sits in the buffer where the reply goes.
	b := clone(orig)
	n := PutICMPError(b, ICMPTimeExceeded, 0, 0, b)
	require.Equal(t, ICMPLen+28, n)
	assert.Equal(t, want, []byte(ICMP(b[:n]).Payload()))
	assert.True(t, ICMP(b[:n]).ChecksumValid())
}

func TestICMPInvalid(t *testing.T) {
	b := make([]byte, ICMPLen)
	PutICMPEcho(b, ICMPEchoRequest, 1, 1, nil)
	require.True(t, ICMP(b).Valid())
	for n := range ICMPLen {
		assert.False(t, ICMP(b[:n]).Valid(), "truncated to %d bytes", n)
	}
}
