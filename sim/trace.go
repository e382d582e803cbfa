package sim

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math/bits"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/vswitch/vswitch/internal/frame"
)

// Event is one entry of a trace: something that happened to a frame (or to
// a link) at a virtual time.
type Event struct {
	Time  time.Duration // virtual time
	Where string        // e.g. "link h1.eth0<->sw1.p1", "host h1", "switch sw1 port p1"
	What  string        // "deliver", "drop", "send", "state", ...
	Why   string        // drop reason ("loss", "queue", "mtu", "down", ...) or new state; "" otherwise
	Len   int           // frame length, 0 if none
	// Frame is the frame, if any, borrowed for the call. Its first
	// traceFrameBytes bytes and its length are folded into the hash; it is
	// never stored.
	Frame []byte
}

// traceFrameBytes is how much of a frame the hash covers: enough for every
// header the simulator writes, cheap enough for every delivery.
const traceFrameBytes = 128

// Trace records every delivery and drop of a simulation as structured
// events and folds them into a deterministic 128-bit hash, so that two runs
// can be compared by one string. Events can also be written out as JSON
// lines (SetWriter) and as a human-readable packet log (SetVerbose).
//
// The hash covers a canonical little-endian encoding of each event (time,
// where, what, why, length, and the first 128 bytes and length of the
// frame), 64-bit word by word, in two multiply-mix lanes; it does not depend
// on the machine, GOMAXPROCS or anything but the sequence of events.
//
// A Trace is not safe for concurrent use; the loop that owns it records into
// it from its single goroutine.
type Trace struct {
	n       uint64
	a, b    uint64
	scratch []byte

	w    io.Writer
	wbuf []byte
	err  error

	v    io.Writer
	vbuf []byte
	dec  *frameDecoder
}

// Seeds and multipliers of the hash lanes (odd 64-bit constants from
// wyhash).
const (
	traceK0 = 0xa0761d6478bd642f
	traceK1 = 0xe7037ed1a0b428db
	traceK2 = 0x8ebc6af09c88c6e3
	traceK3 = 0x589965cc75374cc3
)

// NewTrace returns an empty trace without writers.
func NewTrace() *Trace {
	return &Trace{a: traceK2, b: traceK3, scratch: make([]byte, 0, 256)}
}

// SetWriter makes the trace write each event to w as one JSON object per
// line: {"t":ns,"where":..,"what":..,"why":..,"len":..}. w is written once
// per event and should be buffered. nil stops writing. The first write error
// stops writing and is returned by Err.
func (t *Trace) SetWriter(w io.Writer) { t.w = w }

// SetVerbose makes the trace write a human-readable packet log to w: per
// event the virtual time in seconds, where, what (and why), and a one-line
// decode of the frame. nil stops it.
func (t *Trace) SetVerbose(w io.Writer) {
	t.v = w
	if w != nil && t.dec == nil {
		t.dec = newFrameDecoder()
	}
}

// Err returns the first error of a writer set with SetWriter or SetVerbose.
func (t *Trace) Err() error { return t.err }

// Count returns the number of events recorded.
func (t *Trace) Count() uint64 { return t.n }

// Hash returns the hash of all events recorded so far as 32 hex digits.
// Identical runs give identical hashes.
func (t *Trace) Hash() string {
	x := traceMix(t.a^traceK0, t.b^t.n^traceK1)
	y := traceMix(t.b^traceK2, x^t.a^traceK3)
	var sum [16]byte
	binary.BigEndian.PutUint64(sum[0:8], x)
	binary.BigEndian.PutUint64(sum[8:16], y)
	return hex.EncodeToString(sum[:])
}

// Record adds e to the trace. It does not allocate unless a writer is set.
func (t *Trace) Record(e Event) {
	t.n++
	t.fold(&e)
	if t.err != nil {
		return
	}
	if t.w != nil {
		t.writeJSON(&e)
	}
	if t.v != nil {
		t.writeVerbose(&e)
	}
}

func traceMix(x, y uint64) uint64 {
	hi, lo := bits.Mul64(x, y)
	return hi ^ lo
}

// fold encodes e canonically into the scratch buffer and mixes it into the
// hash lanes.
func (t *Trace) fold(e *Event) {
	b := t.scratch[:0]
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Time))
	b = appendLenString(b, e.Where)
	b = appendLenString(b, e.What)
	b = appendLenString(b, e.Why)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.Len))
	f := e.Frame
	b = binary.LittleEndian.AppendUint32(b, uint32(len(f)))
	if len(f) > traceFrameBytes {
		f = f[:traceFrameBytes]
	}
	b = append(b, f...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	a, c := t.a, t.b
	for i := 0; i < len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		a = traceMix(a^w, traceK0)
		c = traceMix(c^bits.RotateLeft64(w, 32)^traceK2, traceK1)
	}
	t.a, t.b = a, c
	t.scratch = b
}

func appendLenString(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

func (t *Trace) writeJSON(e *Event) {
	b := t.wbuf[:0]
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, int64(e.Time), 10)
	b = append(b, `,"where":`...)
	b = appendJSONString(b, e.Where)
	b = append(b, `,"what":`...)
	b = appendJSONString(b, e.What)
	b = append(b, `,"why":`...)
	b = appendJSONString(b, e.Why)
	b = append(b, `,"len":`...)
	b = strconv.AppendInt(b, int64(e.Len), 10)
	b = append(b, "}\n"...)
	t.wbuf = b
	if _, err := t.w.Write(b); err != nil {
		t.err = fmt.Errorf("sim: writing trace: %w", err)
	}
}

// appendJSONString appends s as a JSON string literal. Invalid UTF-8 is
// replaced by U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hexd = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexd[c>>4], hexd[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// appendVirtualTime formats d as seconds with nanosecond digits, e.g.
// "1.200000000".
func appendVirtualTime(b []byte, d time.Duration) []byte {
	if d < 0 {
		b = append(b, '-')
		d = -d
	}
	b = strconv.AppendInt(b, int64(d/time.Second), 10)
	b = append(b, '.')
	ns := int64(d % time.Second)
	for div := int64(100000000); div > 0; div /= 10 {
		b = append(b, byte('0'+ns/div%10))
	}
	return b
}

func (t *Trace) writeVerbose(e *Event) {
	b := t.vbuf[:0]
	b = appendVirtualTime(b, e.Time)
	b = append(b, ' ')
	b = append(b, e.Where...)
	b = append(b, ' ')
	b = append(b, e.What...)
	if e.Why != "" {
		b = append(b, ' ')
		b = append(b, e.Why...)
	}
	if e.Len > 0 || e.Frame != nil {
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(e.Len), 10)
		b = append(b, 'B')
	}
	if len(e.Frame) > 0 {
		b = append(b, ' ')
		b = t.dec.appendSummary(b, e.Frame)
	}
	b = append(b, '\n')
	t.vbuf = b
	if _, err := t.v.Write(b); err != nil {
		t.err = fmt.Errorf("sim: writing packet log: %w", err)
	}
}

// frameDecoder turns a frame into a one-line summary for the packet log,
// with gopacket's DecodingLayerParser over preallocated layers.
type frameDecoder struct {
	eth   layers.Ethernet
	dot1q layers.Dot1Q
	arp   layers.ARP
	ip4   layers.IPv4
	ip6   layers.IPv6
	icmp4 layers.ICMPv4
	icmp6 layers.ICMPv6
	udp   layers.UDP
	tcp   layers.TCP
	llc   layers.LLC
	pl    gopacket.Payload
	p     *gopacket.DecodingLayerParser
	got   []gopacket.LayerType
}

func newFrameDecoder() *frameDecoder {
	d := &frameDecoder{}
	d.p = gopacket.NewDecodingLayerParser(layers.LayerTypeEthernet,
		&d.eth, &d.dot1q, &d.arp, &d.ip4, &d.ip6, &d.icmp4, &d.icmp6,
		&d.udp, &d.tcp, &d.llc, &d.pl)
	d.p.IgnoreUnsupported = true
	return d
}

// appendSummary appends a one-line description of frame: the MAC addresses,
// the VLAN if tagged, then ARP, IPv4/IPv6 with ICMP, UDP or TCP details.
// Truncated or unknown parts are described as far as they decode.
func (d *frameDecoder) appendSummary(b []byte, frame []byte) []byte {
	d.got = d.got[:0]
	_ = d.p.DecodeLayers(frame, &d.got) // errors: describe what decoded
	if len(d.got) == 0 {
		return append(b, "malformed"...)
	}
	has := func(t gopacket.LayerType) bool {
		for _, g := range d.got {
			if g == t {
				return true
			}
		}
		return false
	}
	b = fmt.Appendf(b, "%v > %v", d.eth.SrcMAC, d.eth.DstMAC)
	if has(layers.LayerTypeDot1Q) {
		b = fmt.Appendf(b, " vlan %d", d.dot1q.VLANIdentifier)
	}
	switch {
	case has(layers.LayerTypeARP):
		a := &d.arp
		switch a.Operation {
		case layers.ARPRequest:
			b = fmt.Appendf(b, " ARP who-has %v tell %v", ipString(a.DstProtAddress), ipString(a.SourceProtAddress))
		case layers.ARPReply:
			b = fmt.Appendf(b, " ARP %v is-at %v", ipString(a.SourceProtAddress), macString(a.SourceHwAddress))
		default:
			b = fmt.Appendf(b, " ARP op %d", a.Operation)
		}
	case has(layers.LayerTypeIPv4):
		b = d.appendIP(b, "IPv4", d.ip4.SrcIP.String(), d.ip4.DstIP.String(), uint8(d.ip4.Protocol), has)
		b = fmt.Appendf(b, " ttl %d", d.ip4.TTL)
		if d.ip4.Flags&layers.IPv4MoreFragments != 0 || d.ip4.FragOffset != 0 {
			b = fmt.Appendf(b, " frag off %d", int(d.ip4.FragOffset)*8)
		}
	case has(layers.LayerTypeIPv6):
		b = d.appendIP(b, "IPv6", d.ip6.SrcIP.String(), d.ip6.DstIP.String(), uint8(d.ip6.NextHeader), has)
		b = fmt.Appendf(b, " hlim %d", d.ip6.HopLimit)
	case has(layers.LayerTypeLLC):
		if d.llc.DSAP == 0x42 && d.llc.SSAP == 0x42 {
			b = append(b, " STP BPDU"...)
		} else {
			b = fmt.Appendf(b, " LLC dsap 0x%02x ssap 0x%02x", d.llc.DSAP, d.llc.SSAP)
		}
	default:
		t := d.eth.EthernetType
		if has(layers.LayerTypeDot1Q) {
			t = d.dot1q.Type
		}
		b = fmt.Appendf(b, " ethertype 0x%04x", uint16(t))
	}
	return b
}

func (d *frameDecoder) appendIP(b []byte, family, src, dst string, proto uint8, has func(gopacket.LayerType) bool) []byte {
	switch {
	case has(layers.LayerTypeUDP):
		return fmt.Appendf(b, " %s %s:%d > %s:%d UDP len %d", family, src, d.udp.SrcPort, dst, d.udp.DstPort, len(d.udp.Payload))
	case has(layers.LayerTypeTCP):
		t := &d.tcp
		b = fmt.Appendf(b, " %s %s:%d > %s:%d TCP [", family, src, t.SrcPort, dst, t.DstPort)
		for _, f := range []struct {
			on bool
			c  byte
		}{{t.SYN, 'S'}, {t.FIN, 'F'}, {t.PSH, 'P'}, {t.RST, 'R'}, {t.URG, 'U'}, {t.ACK, '.'}} {
			if f.on {
				b = append(b, f.c)
			}
		}
		b = fmt.Appendf(b, "] seq %d", t.Seq)
		if t.ACK {
			b = fmt.Appendf(b, " ack %d", t.Ack)
		}
		return fmt.Appendf(b, " win %d len %d", t.Window, len(t.Payload))
	case has(layers.LayerTypeICMPv4):
		c := &d.icmp4
		b = fmt.Appendf(b, " %s %s > %s ICMP", family, src, dst)
		switch c.TypeCode.Type() {
		case layers.ICMPv4TypeEchoRequest:
			return fmt.Appendf(b, " echo request id %d seq %d", c.Id, c.Seq)
		case layers.ICMPv4TypeEchoReply:
			return fmt.Appendf(b, " echo reply id %d seq %d", c.Id, c.Seq)
		case layers.ICMPv4TypeDestinationUnreachable:
			b = fmt.Appendf(b, " unreachable code %d", c.TypeCode.Code())
			if c.TypeCode.Code() == layers.ICMPv4CodeFragmentationNeeded {
				b = fmt.Appendf(b, " mtu %d", c.Seq) // next-hop MTU sits where echo has seq
			}
			return b
		case layers.ICMPv4TypeTimeExceeded:
			return fmt.Appendf(b, " time exceeded code %d", c.TypeCode.Code())
		default:
			return fmt.Appendf(b, " type %d code %d", c.TypeCode.Type(), c.TypeCode.Code())
		}
	case has(layers.LayerTypeICMPv6):
		return fmt.Appendf(b, " %s %s > %s ICMPv6 type %d code %d", family, src, dst, d.icmp6.TypeCode.Type(), d.icmp6.TypeCode.Code())
	default:
		return fmt.Appendf(b, " %s %s > %s proto %d", family, src, dst, proto)
	}
}

func ipString(b []byte) string {
	if a, ok := netip.AddrFromSlice(b); ok {
		return a.String()
	}
	return fmt.Sprintf("%x", b)
}

func macString(b []byte) string {
	if len(b) != 6 {
		return fmt.Sprintf("%x", b)
	}
	return frame.MAC(b).String()
}
