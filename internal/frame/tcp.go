package frame

import (
	"encoding/binary"
	"net/netip"
)

// TCPMinLen is the length of a TCP header without options.
const TCPMinLen = 20

// TCP flags (the low byte of the flags field).
const (
	TCPFin uint8 = 1
	TCPSyn uint8 = 2
	TCPRst uint8 = 4
	TCPPsh uint8 = 8
	TCPAck uint8 = 16
	TCPUrg uint8 = 32
)

// TCP option kinds used here.
const (
	tcpOptEnd = 0
	tcpOptNOP = 1
	tcpOptMSS = 2
)

// TCP is a view over a TCP segment, starting at the header and ending where
// the segment ends (the IP payload): the checksum and Payload cover all of
// it. Call Valid before any accessor. Like every view, it is as safe for
// concurrent use as the bytes it aliases.
type TCP []byte

// Valid reports whether t holds a TCP header whose data offset is at least 5
// words and fits in t.
func (t TCP) Valid() bool {
	if len(t) < TCPMinLen {
		return false
	}
	off := int(t[12]>>4) * 4
	return off >= TCPMinLen && off <= len(t)
}

// SrcPort returns the source port.
func (t TCP) SrcPort() uint16 { return binary.BigEndian.Uint16(t[0:2]) }

// DstPort returns the destination port.
func (t TCP) DstPort() uint16 { return binary.BigEndian.Uint16(t[2:4]) }

// Seq returns the sequence number.
func (t TCP) Seq() uint32 { return binary.BigEndian.Uint32(t[4:8]) }

// Ack returns the acknowledgment number.
func (t TCP) Ack() uint32 { return binary.BigEndian.Uint32(t[8:12]) }

// DataOffset returns the header length in bytes (the field is in 32-bit
// words).
func (t TCP) DataOffset() int { return int(t[12]>>4) * 4 }

// Flags returns the flags byte (TCPFin, TCPSyn, ...).
func (t TCP) Flags() uint8 { return t[13] }

// Window returns the window field.
func (t TCP) Window() uint16 { return binary.BigEndian.Uint16(t[14:16]) }

// Checksum returns the checksum field.
func (t TCP) Checksum() uint16 { return binary.BigEndian.Uint16(t[16:18]) }

// UrgentPtr returns the urgent pointer.
func (t TCP) UrgentPtr() uint16 { return binary.BigEndian.Uint16(t[18:20]) }

// Options returns the option bytes between the fixed header and the data.
func (t TCP) Options() []byte { return t[TCPMinLen:t.DataOffset()] }

// Payload returns the bytes after the header.
func (t TCP) Payload() []byte { return t[t.DataOffset():] }

// MSS returns the value of the maximum segment size option and whether the
// header carries one. Malformed options end the search.
func (t TCP) MSS() (uint16, bool) {
	o := t.Options()
	for len(o) > 0 {
		switch o[0] {
		case tcpOptEnd:
			return 0, false
		case tcpOptNOP:
			o = o[1:]
			continue
		}
		if len(o) < 2 || int(o[1]) < 2 || int(o[1]) > len(o) {
			return 0, false
		}
		if o[0] == tcpOptMSS && o[1] == 4 {
			return binary.BigEndian.Uint16(o[2:4]), true
		}
		o = o[o[1]:]
	}
	return 0, false
}

// ChecksumValid reports whether the checksum is correct for a segment
// between src and dst.
func (t TCP) ChecksumValid(src, dst netip.Addr) bool {
	return Checksum(t, PseudoHeaderSum(src, dst, ProtoTCP, len(t))) == 0
}

// SetChecksum sets the checksum field.
func (t TCP) SetChecksum(c uint16) { binary.BigEndian.PutUint16(t[16:18], c) }

// SetSrcPort sets the source port without touching the checksum.
func (t TCP) SetSrcPort(port uint16) { binary.BigEndian.PutUint16(t[0:2], port) }

// SetDstPort sets the destination port without touching the checksum.
func (t TCP) SetDstPort(port uint16) { binary.BigEndian.PutUint16(t[2:4], port) }

// SetSrcPortWithChecksum sets the source port and updates the checksum
// incrementally.
func (t TCP) SetSrcPortWithChecksum(port uint16) {
	old := t.SrcPort()
	t.SetSrcPort(port)
	t.SetChecksum(ChecksumUpdate16(t.Checksum(), old, port))
}

// SetDstPortWithChecksum sets the destination port and updates the checksum
// incrementally.
func (t TCP) SetDstPortWithChecksum(port uint16) {
	old := t.DstPort()
	t.SetDstPort(port)
	t.SetChecksum(ChecksumUpdate16(t.Checksum(), old, port))
}

// SetSeqWithChecksum sets the sequence number and updates the checksum
// incrementally.
func (t TCP) SetSeqWithChecksum(seq uint32) {
	old := t.Seq()
	binary.BigEndian.PutUint32(t[4:8], seq)
	t.SetChecksum(ChecksumUpdate32(t.Checksum(), old, seq))
}

// SetAckWithChecksum sets the acknowledgment number and updates the
// checksum incrementally.
func (t TCP) SetAckWithChecksum(ack uint32) {
	old := t.Ack()
	binary.BigEndian.PutUint32(t[8:12], ack)
	t.SetChecksum(ChecksumUpdate32(t.Checksum(), old, ack))
}

// UpdateChecksumForAddr updates the checksum for an address of the
// pseudo-header changing from old to new, as NAT does after rewriting the
// IP header (IPv4.SetSrcWithChecksum).
func (t TCP) UpdateChecksumForAddr(old, new netip.Addr) {
	t.SetChecksum(ChecksumUpdateAddr(t.Checksum(), old, new))
}

// TCPHeader holds the fields PutTCP writes.
type TCPHeader struct {
	Src, Dst netip.AddrPort
	Seq, Ack uint32
	Flags    uint8
	Window   uint16
	MSS      uint16 // 0 = no MSS option
}

// PutTCP writes a TCP header (20 bytes, 24 with the MSS option) and
// payload, with the checksum over the pseudo-header of h.Src and h.Dst, at
// the start of b and returns the number of bytes written. b must have room
// for it. payload may already be in place after the header (at b[20:], or
// b[24:] with the MSS option).
func PutTCP(b []byte, h TCPHeader, payload []byte) int {
	hl := TCPMinLen
	if h.MSS != 0 {
		hl += 4
	}
	n := hl + len(payload)
	_ = b[n-1]
	copy(b[hl:n], payload) // first, in case payload overlaps the header
	binary.BigEndian.PutUint16(b[0:2], h.Src.Port())
	binary.BigEndian.PutUint16(b[2:4], h.Dst.Port())
	binary.BigEndian.PutUint32(b[4:8], h.Seq)
	binary.BigEndian.PutUint32(b[8:12], h.Ack)
	b[12] = uint8(hl/4) << 4
	b[13] = h.Flags
	binary.BigEndian.PutUint16(b[14:16], h.Window)
	b[16], b[17], b[18], b[19] = 0, 0, 0, 0
	if h.MSS != 0 {
		b[20], b[21] = tcpOptMSS, 4
		binary.BigEndian.PutUint16(b[22:24], h.MSS)
	}
	binary.BigEndian.PutUint16(b[16:18], Checksum(b[:n], PseudoHeaderSum(h.Src.Addr(), h.Dst.Addr(), ProtoTCP, n)))
	return n
}
