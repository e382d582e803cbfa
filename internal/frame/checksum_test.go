package frame

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refChecksum is RFC 1071's reference loop: 16-bit words into a 32-bit
// accumulator, folded at the end.
func refChecksum(b []byte, initial uint32) uint16 {
	sum := uint64(initial)
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint64(b[i])<<8 | uint64(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint64(b[len(b)-1]) << 8
	}
	for sum > 0xffff {
		sum = sum>>16 + sum&0xffff
	}
	return ^uint16(sum)
}

func TestChecksumRFC1071Example(t *testing.T) {
	// RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
	b := []byte{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7}
	assert.Equal(t, uint16(^uint16(0xddf2)), Checksum(b, 0))
	assert.Equal(t, uint32(0xddf2), PartialChecksum(b, 0))
}

func TestChecksumEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		b       []byte
		initial uint32
		want    uint16
	}{
		{"empty", nil, 0, 0xffff},
		{"zeros", make([]byte, 7), 0, 0xffff},
		{"one byte", []byte{0x12}, 0, ^uint16(0x1200)},
		{"all ones", []byte{0xff, 0xff, 0xff, 0xff}, 0, 0},
		{"initial only", nil, 0x1234, ^uint16(0x1234)},
		{"initial carries", []byte{0xff, 0xff}, 0xffffffff, refChecksum([]byte{0xff, 0xff}, 0xffffffff)},
		{"sum to ffff", []byte{0x12, 0x34, 0xed, 0xcb}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Checksum(tc.b, tc.initial)
			assert.Equal(t, tc.want, got, "got %#04x, want %#04x", got, tc.want)
		})
	}
}

func TestChecksumMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 2048+8)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for n := range 300 {
		for _, off := range []int{0, 1, 3, 7} { // alignment must not matter
			b := buf[off : off+n]
			initial := r.Uint32()
			want := refChecksum(b, initial)
			require.Equal(t, want, Checksum(b, initial), "len %d offset %d", n, off)
			require.Equal(t, uint32(^want), PartialChecksum(b, initial), "len %d offset %d", n, off)
		}
	}
	for _, n := range []int{1499, 1500, 2048} {
		require.Equal(t, refChecksum(buf[:n], 0), Checksum(buf[:n], 0))
	}
	// 0xff bytes maximise carries.
	ones := make([]byte, 9216)
	for i := range ones {
		ones[i] = 0xff
	}
	for _, n := range []int{31, 32, 33, 1500, 9216} {
		require.Equal(t, refChecksum(ones[:n], 0xffffffff), Checksum(ones[:n], 0xffffffff), "len %d", n)
	}
}

func TestPartialChecksumChains(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 301)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	whole := Checksum(b, 0)
	for cut := 0; cut <= len(b); cut += 2 { // every even split point
		got := Checksum(b[cut:], PartialChecksum(b[:cut], 0))
		require.Equal(t, whole, got, "split at %d", cut)
	}
}

func TestPseudoHeaderSum(t *testing.T) {
	tests := []struct {
		name     string
		src, dst netip.Addr
		proto    IPProto
		length   int
		header   []byte // the pseudo-header as bytes
	}{
		{"v4 udp", ipA, ipB, ProtoUDP, 13, []byte{172, 17, 0, 2, 10, 1, 2, 3, 0, 17, 0, 13}},
		{"v4 tcp long", ipB, ipA, ProtoTCP, 0xfffe, []byte{10, 1, 2, 3, 172, 17, 0, 2, 0, 6, 0xff, 0xfe}},
		{
			"v6 tcp jumbo", ip6A, ip6B, ProtoTCP, 0x12345,
			append(append(ip6A.AsSlice(), ip6B.AsSlice()...), 0, 1, 0x23, 0x45, 0, 0, 0, 6),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := ^refChecksum(tc.header, 0)
			assert.Equal(t, uint32(want), PseudoHeaderSum(tc.src, tc.dst, tc.proto, tc.length))
		})
	}
	// IPv4-mapped addresses sum like the plain IPv4 ones.
	assert.Equal(t,
		PseudoHeaderSum(ipA, ipB, ProtoUDP, 100),
		PseudoHeaderSum(netip.AddrFrom16(ipA.As16()), netip.AddrFrom16(ipB.As16()), ProtoUDP, 100))
}

// sameOnesComplement reports whether a and b are the same one's complement
// number (0x0000 and 0xffff are both zero).
func sameOnesComplement(a, b uint16) bool {
	return a == b || (a == 0 || a == 0xffff) && (b == 0 || b == 0xffff)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// checkUpdate16 changes the word at pos (even) of data to v and checks the
// RFC 1624 update against a full recompute: bit for bit unless the new data
// is all zeros (whose checksum, 0xffff, only a full recompute gives).
func checkUpdate16(t testing.TB, data []byte, pos int, v uint16) {
	t.Helper()
	before := Checksum(data, 0)
	old := binary.BigEndian.Uint16(data[pos:])
	binary.BigEndian.PutUint16(data[pos:], v)
	full := Checksum(data, 0)
	inc := ChecksumUpdate16(before, old, v)
	if allZero(data) {
		if !sameOnesComplement(full, inc) {
			t.Fatalf("all-zero data: got %#04x, want %#04x (or its other zero)", inc, full)
		}
		return
	}
	if inc != full {
		t.Fatalf("data %x pos %d %#04x->%#04x: got %#04x, want %#04x", data, pos, old, v, inc, full)
	}
}

func checkUpdate32(t testing.TB, data []byte, pos int, v uint32) {
	t.Helper()
	before := Checksum(data, 0)
	old := binary.BigEndian.Uint32(data[pos:])
	binary.BigEndian.PutUint32(data[pos:], v)
	full := Checksum(data, 0)
	inc := ChecksumUpdate32(before, old, v)
	if allZero(data) {
		if !sameOnesComplement(full, inc) {
			t.Fatalf("all-zero data: got %#04x, want %#04x (or its other zero)", inc, full)
		}
		return
	}
	if inc != full {
		t.Fatalf("data %x pos %d %#08x->%#08x: got %#04x, want %#04x", data, pos, old, v, inc, full)
	}
}

func TestChecksumUpdateProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	zeroHits := 0
	for range 20000 {
		data := make([]byte, 4+r.IntN(60))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		pos := 2 * r.IntN((len(data)-2)/2)
		switch r.IntN(4) {
		case 0:
			checkUpdate16(t, data, pos, uint16(r.Uint32()))
		case 1:
			// The value that makes the new checksum 0: the checksum of the
			// data with that word zeroed.
			binary.BigEndian.PutUint16(data[pos:], 0)
			v := Checksum(data, 0)
			binary.BigEndian.PutUint16(data[pos:], uint16(r.Uint32()))
			checkUpdate16(t, data, pos, v)
			if Checksum(data, 0) == 0 {
				zeroHits++
			}
		case 2:
			// From a checksum of 0 to something else.
			binary.BigEndian.PutUint16(data[pos:], 0)
			binary.BigEndian.PutUint16(data[pos:], Checksum(data, 0))
			require.Zero(t, Checksum(data, 0))
			checkUpdate16(t, data, pos, uint16(r.Uint32()))
		case 3:
			if pos+4 > len(data) {
				pos -= 2
			}
			checkUpdate32(t, data, pos, r.Uint32())
		}
	}
	assert.Greater(t, zeroHits, 1000, "the 0 corner case must be exercised")

	// Words that are both zeros of one's complement arithmetic.
	for _, tc := range []struct{ data []byte }{
		{[]byte{0xff, 0xff, 0, 0}},
		{[]byte{0, 0, 0, 0}},
		{[]byte{0xff, 0xff, 0xff, 0xff}},
		{[]byte{0x45, 0, 0, 0}},
	} {
		for _, v := range []uint16{0, 0xffff, 1, 0xfffe} {
			checkUpdate16(t, clone(tc.data), 0, v)
			checkUpdate16(t, clone(tc.data), 2, v)
		}
	}
}

func TestChecksumUpdateAddr(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		v6 := r.IntN(2) == 1
		n := 4
		if v6 {
			n = 16
		}
		data := make([]byte, n+2+r.IntN(20))
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		oldB, newB := make([]byte, n), make([]byte, n)
		for i := range newB {
			oldB[i], newB[i] = byte(r.Uint32()), byte(r.Uint32())
		}
		copy(data, oldB)
		before := Checksum(data, 0)
		copy(data, newB)
		old, _ := netip.AddrFromSlice(oldB)
		new, _ := netip.AddrFromSlice(newB)
		require.Equal(t, Checksum(data, 0), ChecksumUpdateAddr(before, old, new), "%v -> %v", old, new)
	}
}

// randIPv4 returns a random valid IPv4 header (random IHL and options) with
// a correct checksum, followed by payload bytes.
func randIPv4(r *rand.Rand) IPv4 {
	hl := 4 * (5 + r.IntN(11))
	b := make([]byte, hl+r.IntN(16))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	b[0] = 0x40 | byte(hl/4)
	binary.BigEndian.PutUint16(b[2:4], uint16(hl+r.IntN(len(b)-hl+1)))
	p := IPv4(b)
	p.SetChecksum(p.ComputeChecksum())
	return p
}

func randAddr4(r *rand.Rand) netip.Addr {
	var a [4]byte
	binary.BigEndian.PutUint32(a[:], r.Uint32())
	return netip.AddrFrom4(a)
}

// addrForZeroChecksum returns an address that, written at field (a 4-byte
// address field of p), makes the header checksum 0.
func addrForZeroChecksum(r *rand.Rand, p IPv4, field []byte) netip.Addr {
	saved := [4]byte(field)
	savedSum := p.Checksum()
	copy(field, []byte{0, 0, 0, 0})
	p.SetChecksum(0)
	need := Checksum(p[:p.HeaderLen()], 0) // the address words must add up to this
	copy(field, saved[:])
	p.SetChecksum(savedSum)
	hi := uint16(r.Uint32())
	lo := ^fold(uint64(^need) + uint64(hi)) // need - hi in one's complement
	var a [4]byte
	binary.BigEndian.PutUint16(a[0:2], hi)
	binary.BigEndian.PutUint16(a[2:4], lo)
	return netip.AddrFrom4(a)
}

func TestIPv4IncrementalProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	zeroHits := 0
	for range 5000 {
		p := randIPv4(r)
		require.True(t, p.Valid())
		require.True(t, p.ChecksumValid())
		for range 8 {
			switch r.IntN(6) {
			case 0:
				p.SetTTLWithChecksum(uint8(r.Uint32()))
			case 1:
				p.DecTTL()
			case 2:
				p.SetSrcWithChecksum(randAddr4(r))
			case 3:
				p.SetDstWithChecksum(randAddr4(r))
			case 4:
				p.SetSrcWithChecksum(addrForZeroChecksum(r, p, p[12:16]))
				require.Zero(t, p.ComputeChecksum(), "setup must reach checksum 0")
				zeroHits++
			case 5:
				p.SetDstWithChecksum(addrForZeroChecksum(r, p, p[16:20]))
				require.Zero(t, p.ComputeChecksum(), "setup must reach checksum 0")
				zeroHits++
			}
			got, want := p.Checksum(), p.ComputeChecksum()
			require.Equal(t, want, got, "header %x: got %#04x, want %#04x", []byte(p[:p.HeaderLen()]), got, want)
			require.NotEqual(t, uint16(0xffff), got, "an IPv4 header checksum is never 0xffff")
		}
	}
	assert.Greater(t, zeroHits, 1000)
}

// randBytes returns n random bytes.
func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func randAddr(r *rand.Rand, v6 bool) netip.Addr {
	if !v6 {
		return randAddr4(r)
	}
	return netip.AddrFrom16([16]byte(randBytes(r, 16)))
}

func TestUDPIncrementalProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	zeroHits, allOnesStart := 0, 0
	for range 5000 {
		v6 := r.IntN(2) == 1
		src, dst := randAddr(r, v6), randAddr(r, v6)
		b := make([]byte, UDPLen+r.IntN(40))
		PutUDP(b, netip.AddrPortFrom(src, uint16(r.Uint32())), netip.AddrPortFrom(dst, uint16(r.Uint32())), randBytes(r, len(b)-UDPLen))
		u := UDP(b)
		none := r.IntN(10) == 0
		if none {
			u.SetChecksum(0)
		}
		for range 6 {
			if u.Checksum() == 0xffff {
				allOnesStart++
			}
			switch r.IntN(5) {
			case 0:
				u.SetSrcPortWithChecksum(uint16(r.Uint32()))
			case 1:
				u.SetDstPortWithChecksum(uint16(r.Uint32()))
			case 2:
				n := randAddr(r, v6)
				u.UpdateChecksumForAddr(src, n)
				src = n
			case 3:
				n := randAddr(r, v6)
				u.UpdateChecksumForAddr(dst, n)
				dst = n
			case 4:
				// The port that makes the computed checksum 0 (sent as 0xffff).
				c := clone(b)
				UDP(c).SetSrcPort(0)
				UDP(c).SetChecksum(0)
				u.SetSrcPortWithChecksum(Checksum(c, PseudoHeaderSum(src, dst, ProtoUDP, len(c))))
				if !none {
					zeroHits++
				}
			}
			if none {
				require.Zero(t, u.Checksum(), "no checksum must stay no checksum")
				continue
			}
			got, want := u.Checksum(), udpFull(u, src, dst)
			require.Equal(t, want, got, "datagram %x: got %#04x, want %#04x", b, got, want)
			require.True(t, u.ChecksumValid(src, dst))
		}
	}
	assert.Greater(t, zeroHits, 500)
	assert.Greater(t, allOnesStart, 500, "updates starting from 0xffff must be exercised")
}

func TestTCPIncrementalProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	zeroHits := 0
	for range 5000 {
		v6 := r.IntN(2) == 1
		src, dst := randAddr(r, v6), randAddr(r, v6)
		h := TCPHeader{
			Src: netip.AddrPortFrom(src, uint16(r.Uint32())), Dst: netip.AddrPortFrom(dst, uint16(r.Uint32())),
			Seq: r.Uint32(), Ack: r.Uint32(), Flags: uint8(r.Uint32()), Window: uint16(r.Uint32()), MSS: uint16(r.Uint32()),
		}
		payload := randBytes(r, r.IntN(40))
		b := make([]byte, 24+len(payload))
		s := TCP(b[:PutTCP(b, h, payload)])
		for range 6 {
			switch r.IntN(7) {
			case 0:
				s.SetSrcPortWithChecksum(uint16(r.Uint32()))
			case 1:
				s.SetDstPortWithChecksum(uint16(r.Uint32()))
			case 2:
				s.SetSeqWithChecksum(r.Uint32())
			case 3:
				s.SetAckWithChecksum(r.Uint32())
			case 4:
				n := randAddr(r, v6)
				s.UpdateChecksumForAddr(src, n)
				src = n
			case 5:
				n := randAddr(r, v6)
				s.UpdateChecksumForAddr(dst, n)
				dst = n
			case 6:
				c := clone(s)
				TCP(c).SetDstPort(0)
				TCP(c).SetChecksum(0)
				s.SetDstPortWithChecksum(Checksum(c, PseudoHeaderSum(src, dst, ProtoTCP, len(c))))
				require.Zero(t, s.Checksum(), "a TCP checksum of 0 is sent as 0")
				zeroHits++
			}
			got, want := s.Checksum(), tcpFull(s, src, dst)
			require.Equal(t, want, got, "segment %x: got %#04x, want %#04x", []byte(s), got, want)
			require.True(t, s.ChecksumValid(src, dst))
		}
	}
	assert.Greater(t, zeroHits, 500)
}
