package host

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim"
)

// fragments splits a UDP datagram from 10.0.0.1:5000 to 10.0.0.2:7 into
// IPv4 fragments framed for h2, with the given payload offsets (multiples
// of 8) as cut points.
func fragments(data []byte, cuts ...int) [][]byte {
	udp := make([]byte, 8+len(data))
	n := frame.PutUDP(udp, netip.MustParseAddrPort("10.0.0.1:5000"), netip.MustParseAddrPort("10.0.0.2:7"), data)
	udp = udp[:n]
	cuts = append(append([]int{0}, cuts...), len(udp))
	var out [][]byte
	for i := 0; i+1 < len(cuts); i++ {
		part := udp[cuts[i]:cuts[i+1]]
		b := make([]byte, 34+len(part))
		frame.PutEthernet(b, macN(2), macN(1), frame.TypeIPv4)
		frame.PutIPv4(b[14:], frame.IPv4Header{TotalLen: uint16(20 + len(part)), ID: 77, TTL: 64, Protocol: frame.ProtoUDP, Src: ip("10.0.0.1"), Dst: ip("10.0.0.2")})
		w := uint16(cuts[i] / 8)
		if i+2 < len(cuts) {
			w |= ipFlagMF
		}
		binary.BigEndian.PutUint16(b[20:], w)
		setIPChecksum(b[14:34])
		copy(b[34:], part)
		out = append(out, b)
	}
	return out
}

func TestReassembly(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 20) // 320 bytes
	tests := []struct {
		name    string
		order   []int // indexes into the fragments, in arrival order
		want    bool  // the datagram is delivered
		drop    string
		icmpOut int // ICMP errors sent back
	}{
		{"in order", []int{0, 1, 2}, true, "", 0},
		{"reversed", []int{2, 1, 0}, true, "", 0},
		{"last first", []int{2, 0, 1}, true, "", 0},
		{"duplicate", []int{0, 0, 1, 2}, false, "frag-overlap", 0},
		{"missing middle", []int{0, 2}, false, "reassembly-timeout", 1},
		{"missing first", []int{1, 2}, false, "reassembly-timeout", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := sim.NewLoop(1)
			h := newHost(t, l, "h2", 2, "10.0.0.2/24")
			n := h.NIC("eth0")
			tp := &tap{l: l}
			n.Connect(tp)
			require.NoError(t, n.AddNeighbor(ip("10.0.0.1"), macN(1)))
			var got []byte
			require.NoError(t, h.ListenUDP(7, func(_, _ netip.AddrPort, d []byte) { got = append([]byte(nil), d...) }))
			fr := fragments(data, 104, 208)
			for _, i := range tc.order {
				n.Receive(fr[i])
			}
			require.NoError(t, l.Run(time.Minute))
			if tc.want {
				assert.Equal(t, data, got)
			} else {
				assert.Nil(t, got)
			}
			if tc.drop != "" {
				assert.Equal(t, uint64(1), h.Drops(tc.drop))
			} else {
				assert.Empty(t, h.Stats().Drops)
			}
			require.Len(t, tp.frames, tc.icmpOut)
			if tc.icmpOut > 0 {
				m := frame.ICMP(frame.IPv4(tp.frames[0].f[14:]).Payload())
				assert.Equal(t, frame.ICMPTimeExceeded, m.Type())
				assert.Equal(t, uint8(1), m.Code(), "fragment reassembly time exceeded")
				assert.Equal(t, 30*time.Second, tp.frames[0].at)
			}
		})
	}
}

func TestReassemblyLimit(t *testing.T) {
	l := sim.NewLoop(1)
	h := newHost(t, l, "h2", 2, "10.0.0.2/24")
	n := h.NIC("eth0")
	n.Connect(&nopSender{})
	for i := range maxReassemblies + 1 {
		f := fragments(make([]byte, 100), 56)[0]
		binary.BigEndian.PutUint16(f[18:], uint16(i)) // IP ID
		setIPChecksum(f[14:34])
		n.Receive(f)
	}
	assert.Equal(t, uint64(1), h.Drops("reassembly-limit"))
	require.NoError(t, l.Run(time.Minute))
	assert.Equal(t, uint64(maxReassemblies), h.Drops("reassembly-timeout"))
	assert.Empty(t, h.reasm)
}

func TestARPConflictAndIgnoredChatter(t *testing.T) {
	l := sim.NewLoop(1)
	h := newHost(t, l, "h2", 2, "10.0.0.2/24")
	n := h.NIC("eth0")
	s := &nopSender{}
	n.Connect(s)
	garp := make([]byte, 60)
	frame.PutEthernet(garp, frame.Broadcast, macN(9), frame.TypeARP)
	frame.PutARP(garp[14:], frame.ARPRequest, macN(9), ip("10.0.0.2"), frame.MAC{}, ip("10.0.0.2"))
	n.Receive(garp)
	assert.Equal(t, uint64(1), h.Drops("addr-conflict"))
	// A request between two other hosts teaches nothing and gets no answer.
	other := make([]byte, 60)
	frame.PutEthernet(other, frame.Broadcast, macN(9), frame.TypeARP)
	frame.PutARP(other[14:], frame.ARPRequest, macN(9), ip("10.0.0.9"), frame.MAC{}, ip("10.0.0.8"))
	n.Receive(other)
	assert.Empty(t, h.Neighbors())
	assert.Zero(t, s.n)
	// An ARP probe (sender 0.0.0.0) for our address is answered, not learned.
	probe := make([]byte, 60)
	frame.PutEthernet(probe, frame.Broadcast, macN(9), frame.TypeARP)
	frame.PutARP(probe[14:], frame.ARPRequest, macN(9), netip.IPv4Unspecified(), frame.MAC{}, ip("10.0.0.2"))
	n.Receive(probe)
	assert.Empty(t, h.Neighbors())
	assert.Equal(t, 1, s.n)
}

func TestNICCapture(t *testing.T) {
	_, h1, _ := twoHosts(t)
	var buf bytes.Buffer
	c, err := sim.NewCapture(&buf, layers.LinkTypeEthernet)
	require.NoError(t, err)
	h1.NIC("eth0").Capture(c)
	runPing(t, h1, "10.0.0.2", PingOptions{})
	require.NoError(t, c.Close())
	r, err := pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	require.NoError(t, err)
	var times []time.Duration
	for {
		_, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		times = append(times, ci.Timestamp.Sub(sim.Epoch))
	}
	// ARP request, ARP reply, echo request, echo reply.
	assert.Equal(t, []time.Duration{0, 2 * lat, 2 * lat, 4 * lat}, times)
}
