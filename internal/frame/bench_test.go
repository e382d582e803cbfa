package frame

import "testing"

func BenchmarkChecksum1500(b *testing.B) {
	data := make([]byte, 1500)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sinkU16 = Checksum(data, 0)
	}
}

func BenchmarkIPv4DecTTL(b *testing.B) {
	frame := ethIPv4UDP(64)
	p := IPv4(frame[EthernetLen:])
	b.ReportAllocs()
	for b.Loop() {
		if p.DecTTL() == 0 {
			p.SetTTLWithChecksum(255)
		}
	}
}

func BenchmarkParseEthIPv4UDP(b *testing.B) {
	frame := ethIPv4UDP(64)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if !parseEthIPv4UDP(frame) {
			b.Fatal("parse failed")
		}
	}
}

func BenchmarkNATRewriteUDP(b *testing.B) {
	frame := ethIPv4UDP(64)
	p := IPv4(frame[EthernetLen:])
	u := UDP(p.Payload())
	from, to := p.Src(), ipB
	b.ReportAllocs()
	for b.Loop() {
		p.SetSrcWithChecksum(to)
		u.UpdateChecksumForAddr(from, to)
		u.SetSrcPortWithChecksum(u.SrcPort() + 1)
		from, to = to, from
	}
}

func BenchmarkGetPutBuf(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		PutBuf(GetBuf())
	}
}
