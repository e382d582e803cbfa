package dnsd

import (
	"testing"

	"github.com/miekg/dns"
)

// BenchmarkResolve measures the common case end to end on the wire: an A
// query for an internal name, parsed and answered by ServeWire's fast path
// into the caller's buffer.
func BenchmarkResolve(b *testing.B) {
	f := newFixture(b, nil)
	q := pack(b, query("c2", dns.TypeA))
	out := make([]byte, 0, 512)
	c := clients["c1"]
	n := 0
	done := func(r []byte) { n = len(r) }
	b.ReportAllocs()
	b.SetBytes(int64(len(q)))
	for b.Loop() {
		f.s.ServeWire(q, c, out, done)
	}
	if n == 0 || f.s.Counters().FastPath == 0 {
		b.Fatal("not answered by the fast path")
	}
}

// BenchmarkResolveParallel is BenchmarkResolve from several goroutines, as
// the daemon's servers call it: the cost of the shared lock.
func BenchmarkResolveParallel(b *testing.B) {
	f := newFixture(b, nil)
	q := pack(b, query("c2", dns.TypeA))
	c := clients["c1"]
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		out := make([]byte, 0, 512)
		done := func([]byte) {}
		for pb.Next() {
			f.s.ServeWire(q, c, out, done)
		}
	})
}

// BenchmarkServeWireSlow is the same query through miekg/dns (unpack,
// Resolve, pack): what the fast path saves.
func BenchmarkServeWireSlow(b *testing.B) {
	f := newFixture(b, nil)
	f.s.noFast = true
	q := pack(b, query("c2", dns.TypeA))
	out := make([]byte, 0, 512)
	c := clients["c1"]
	done := func([]byte) {}
	b.ReportAllocs()
	for b.Loop() {
		f.s.ServeWire(q, c, out, done)
	}
}

// BenchmarkResolveMsg is the dns.Msg API for the same query.
func BenchmarkResolveMsg(b *testing.B) {
	f := newFixture(b, nil)
	q := query("c2", dns.TypeA)
	c := clients["c1"]
	done := func(*dns.Msg) {}
	b.ReportAllocs()
	for b.Loop() {
		f.s.Resolve(q, c, done)
	}
}

// BenchmarkResolveCached is a forwarded name answered from the cache.
func BenchmarkResolveCached(b *testing.B) {
	f := newFixture(b, nil)
	f.ex.ups[node1] = &upstream{answer: []string{answerA}}
	q := pack(b, query("example.com", dns.TypeA))
	out := make([]byte, 0, 512)
	c := clients["c1"]
	f.serve(b, q, c)
	done := func([]byte) {}
	b.ReportAllocs()
	for b.Loop() {
		f.s.ServeWire(q, c, out, done)
	}
	if f.s.Counters().CacheHits == 0 {
		b.Fatal("no cache hits")
	}
}
