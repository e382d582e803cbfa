package frame

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
)

// FuzzViews feeds arbitrary bytes to every view, both as a whole Ethernet
// frame and as the bare header of each view, and calls every accessor after
// Valid: none may panic, and the accessors must agree with each other.
// Setters run on a copy and must keep a correct checksum correct.
func FuzzViews(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		e := Ethernet(data)
		if e.Valid() {
			_, _, _, _ = e.Dst(), e.Src(), e.RawType(), e.Type()
			_ = e.VLAN()
			if e.Tagged() {
				_ = e.TCI()
			}
			if e.HeaderLen()+len(e.Payload()) != len(data) {
				t.Fatalf("header %d + payload %d != %d bytes", e.HeaderLen(), len(e.Payload()), len(data))
			}
			fuzzL3(t, e.Type(), e.Payload())
		}
		for _, typ := range []EtherType{TypeARP, TypeIPv4, TypeIPv6} {
			fuzzL3(t, typ, data)
		}
		fuzzL4(t, ProtoICMP, data, netip.Addr{}, netip.Addr{})
		fuzzL4(t, ProtoUDP, data, ipA, ipB)
		fuzzL4(t, ProtoTCP, data, ip6A, ip6B)
	})
}

func fuzzL3(t *testing.T, typ EtherType, b []byte) {
	switch typ {
	case TypeARP:
		a := ARP(b)
		if !a.Valid() {
			return
		}
		_, _, _ = a.Op(), a.SenderMAC(), a.TargetMAC()
		if !a.SenderIP().Is4() || !a.TargetIP().Is4() {
			t.Fatal("ARP addresses must be IPv4")
		}
	case TypeIPv4:
		p := IPv4(b)
		if !p.Valid() {
			return
		}
		_, _, _, _ = p.TOS(), p.ID(), p.DF(), p.MF()
		_, _, _ = p.FragOffset(), p.TTL(), p.Checksum()
		_, _ = p.Src(), p.Dst()
		hl, tl := p.HeaderLen(), p.TotalLen()
		if hl < IPv4MinLen || hl > tl || tl > len(b) {
			t.Fatalf("Valid accepted header length %d, total length %d in %d bytes", hl, tl, len(b))
		}
		if len(p.Options()) != hl-IPv4MinLen || len(p.Payload()) != tl-hl {
			t.Fatalf("options %d, payload %d for header %d total %d", len(p.Options()), len(p.Payload()), hl, tl)
		}
		valid := p.ChecksumValid()
		if valid != (p.ComputeChecksum() == p.Checksum()) {
			t.Fatalf("ChecksumValid %v but ComputeChecksum %#04x, field %#04x", valid, p.ComputeChecksum(), p.Checksum())
		}
		q := IPv4(bytes.Clone(b))
		q.DecTTL()
		q.SetTTLWithChecksum(q.TTL() ^ 0x5a)
		q.SetSrcWithChecksum(ipB)
		q.SetDstWithChecksum(ipA)
		if valid && !q.ChecksumValid() {
			t.Fatalf("incremental updates broke a correct checksum: %x", []byte(q))
		}
		fuzzL4(t, p.Protocol(), p.Payload(), p.Src(), p.Dst())
	case TypeIPv6:
		p := IPv6(b)
		if !p.Valid() {
			return
		}
		_, _, _ = p.TrafficClass(), p.FlowLabel(), p.HopLimit()
		if len(p.Payload()) != p.PayloadLen() {
			t.Fatalf("payload %d, PayloadLen %d", len(p.Payload()), p.PayloadLen())
		}
		fuzzL4(t, p.NextHeader(), p.Payload(), p.Src(), p.Dst())
	}
}

func fuzzL4(t *testing.T, proto IPProto, b []byte, src, dst netip.Addr) {
	switch proto {
	case ProtoICMP:
		m := ICMP(b)
		if !m.Valid() {
			return
		}
		_, _, _, _ = m.Type(), m.Code(), m.ID(), m.Seq()
		_, _, _ = m.NextHopMTU(), m.Payload(), m.Checksum()
		valid := m.ChecksumValid()
		c := ICMP(bytes.Clone(b))
		c.SetTypeWithChecksum(c.Type() ^ 8)
		c.SetIDWithChecksum(^c.ID())
		if valid && !c.ChecksumValid() {
			t.Fatalf("incremental updates broke a correct ICMP checksum: %x", []byte(c))
		}
	case ProtoUDP:
		u := UDP(b)
		if !u.Valid() {
			return
		}
		_, _, _ = u.SrcPort(), u.DstPort(), u.Checksum()
		if len(u.Payload()) != u.Length()-UDPLen {
			t.Fatalf("payload %d, length %d", len(u.Payload()), u.Length())
		}
		valid := u.ChecksumValid(src, dst)
		c := UDP(bytes.Clone(b))
		c.SetSrcPortWithChecksum(^c.SrcPort())
		c.SetDstPortWithChecksum(c.DstPort() + 1)
		nsrc := netip.MustParseAddr("192.0.2.1")
		if src.Is6() {
			nsrc = netip.MustParseAddr("2001:db8::1")
		}
		c.UpdateChecksumForAddr(src, nsrc)
		if valid && !c.ChecksumValid(nsrc, dst) {
			t.Fatalf("incremental updates broke a correct UDP checksum: %x", []byte(c))
		}
		if (u.Checksum() == 0) != (c.Checksum() == 0) {
			t.Fatalf("checksum %#04x became %#04x: 0 means none and must stay alone", u.Checksum(), c.Checksum())
		}
	case ProtoTCP:
		s := TCP(b)
		if !s.Valid() {
			return
		}
		_, _, _, _ = s.SrcPort(), s.DstPort(), s.Seq(), s.Ack()
		_, _, _, _ = s.Flags(), s.Window(), s.Checksum(), s.UrgentPtr()
		_, _ = s.MSS()
		off := s.DataOffset()
		if off < TCPMinLen || len(s.Options()) != off-TCPMinLen || len(s.Payload()) != len(b)-off {
			t.Fatalf("data offset %d, options %d, payload %d of %d", off, len(s.Options()), len(s.Payload()), len(b))
		}
		valid := s.ChecksumValid(src, dst)
		c := TCP(bytes.Clone(b))
		c.SetSrcPortWithChecksum(^c.SrcPort())
		c.SetDstPortWithChecksum(c.DstPort() + 1)
		c.SetSeqWithChecksum(^c.Seq())
		c.SetAckWithChecksum(c.Ack() + 1)
		ndst := netip.MustParseAddr("2001:db8::2")
		c.UpdateChecksumForAddr(dst, ndst)
		if valid && !c.ChecksumValid(src, ndst) {
			t.Fatalf("incremental updates broke a correct TCP checksum: %x", []byte(c))
		}
	}
}

// FuzzChecksumIncremental replaces the 16-bit (or, if wide, 32-bit) field
// at an even offset of data with val and checks the RFC 1624 update against
// a full recompute.
func FuzzChecksumIncremental(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte, pos uint16, val uint32, wide bool) {
		size := 2
		if wide {
			size = 4
		}
		if len(data) < size {
			return
		}
		p := int(pos) % (len(data) - size + 1) &^ 1
		if wide {
			checkUpdate32(t, data, p, val)
		} else {
			checkUpdate16(t, data, p, uint16(val))
		}
	})
}

// FuzzPushPopTag checks that pushing a tag and popping it again gives the
// frame back, for any valid frame, and that popping a tagged frame and
// pushing its TCI gives the tagged frame back.
func FuzzPushPopTag(f *testing.F) {
	f.Fuzz(func(t *testing.T, frame []byte, tci uint16) {
		e := Ethernet(frame)
		if !e.Valid() {
			return
		}
		if e.Tagged() {
			popped := Ethernet(PopTag(make([]byte, len(frame)-VLANTagLen), e))
			if popped.Dst() != e.Dst() || popped.Src() != e.Src() || popped.RawType() != e.Type() {
				t.Fatalf("popped frame %x lost the addresses or type of %x", []byte(popped), frame)
			}
			again := PushTag(make([]byte, len(frame)), popped, e.TCI())
			if !bytes.Equal(again, frame) {
				t.Fatalf("pop+push gave %x, want %x", again, frame)
			}
			return
		}
		tagged := Ethernet(PushTag(make([]byte, len(frame)+VLANTagLen), e, tci))
		if !tagged.Valid() || !tagged.Tagged() || tagged.TCI() != tci || tagged.VLAN() != tci&0x0fff {
			t.Fatalf("pushed frame %x: tagged %v tci %#04x, want %#04x", []byte(tagged), tagged.Tagged(), tagged.TCI(), tci)
		}
		if tagged.Type() != e.RawType() || tagged.Dst() != e.Dst() || tagged.Src() != e.Src() {
			t.Fatalf("pushed frame %x changed the addresses or type of %x", []byte(tagged), frame)
		}
		if !bytes.Equal(tagged.Payload(), e.Payload()) {
			t.Fatalf("payload changed")
		}
		back := PopTag(make([]byte, len(frame)), tagged)
		if !bytes.Equal(back, frame) {
			t.Fatalf("push+pop gave %x, want %x", back, frame)
		}
		if binary.BigEndian.Uint16(tagged[12:14]) != uint16(TypeVLAN) {
			t.Fatalf("TPID %#04x", binary.BigEndian.Uint16(tagged[12:14]))
		}
	})
}
