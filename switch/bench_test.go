package vswitch

import (
	"runtime"
	"testing"
	"time"

	"github.com/vswitch/vswitch/internal/frame"
)

// BenchmarkForward: known unicast between two ports, learning included.
func BenchmarkForward(b *testing.B) {
	br := New(DefaultConfig())
	br.AddPort(PortConfig{}, nopPort{})
	br.AddPort(PortConfig{}, nopPort{})
	a, c := mac(1), mac(2)
	br.Input(1, ethFrame(a, c, 64))
	f := ethFrame(c, a, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		br.Input(0, f)
	}
}

// BenchmarkFlood: broadcast to 16 ports (15 copies out).
func BenchmarkFlood(b *testing.B) {
	br := New(DefaultConfig())
	for range 16 {
		br.AddPort(PortConfig{}, nopPort{})
	}
	f := ethFrame(frame.Broadcast, mac(1), 64)
	b.ReportAllocs()
	for b.Loop() {
		br.Input(0, f)
	}
}

// BenchmarkFloodTagged: flood from an access port to 8 access ports and 8
// trunks, so every frame needs a tag pushed.
func BenchmarkFloodTagged(b *testing.B) {
	br := New(DefaultConfig())
	for i := range 16 {
		pc := PortConfig{PVID: 10}
		if i >= 8 {
			pc = PortConfig{Mode: Trunk, Allowed: []uint16{10}}
		}
		br.AddPort(pc, nopPort{})
	}
	f := ethFrame(frame.Broadcast, mac(1), 64)
	b.ReportAllocs()
	for b.Loop() {
		br.Input(0, f)
	}
}

// BenchmarkForwardParallel: many flows between 8 port pairs from parallel
// goroutines, as the daemon's per-TAP readers do. Run with -cpu 1,2 for the
// speed-up.
func BenchmarkForwardParallel(b *testing.B) {
	const pairs, flowsPerPair = 8, 64
	br := New(DefaultConfig())
	for range 2 * pairs {
		br.AddPort(PortConfig{}, nopPort{})
	}
	type flow struct {
		in PortID
		f  []byte
	}
	var flows []flow
	for p := range pairs {
		for i := range flowsPerPair {
			src := frame.MAC{2, 0, byte(p), byte(i), 0, 1}
			dst := frame.MAC{2, 0, byte(p), byte(i), 0, 2}
			br.Input(PortID(2*p+1), ethFrame(src, dst, 64))
			flows = append(flows, flow{PortID(2 * p), ethFrame(dst, src, 64)})
		}
	}
	b.ReportAllocs()
	var next uint32
	b.RunParallel(func(pb *testing.PB) {
		// Each goroutine starts on its own pair, as one reader per TAP would.
		i := int(atomicAdd(&next)*flowsPerPair) % len(flows)
		for pb.Next() {
			fl := flows[i]
			br.Input(fl.in, fl.f)
			i++
			if i%flowsPerPair == 0 {
				i -= flowsPerPair
			}
		}
	})
}

// BenchmarkLearnNew measures learning a new station per frame.
func BenchmarkLearnNew(b *testing.B) {
	br := New(Config{AgingTime: DefaultAgingTime})
	br.AddPort(PortConfig{}, nopPort{})
	br.AddPort(PortConfig{}, nopPort{})
	f := ethFrame(frame.Broadcast, mac(1), 64)
	b.ReportAllocs()
	var i uint32
	for b.Loop() {
		i++
		f[8], f[9], f[10], f[11] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		br.Input(0, f)
	}
}

// TestFDBMemoryPerEntry learns 1M stations and checks the heap cost per
// entry stays within 128 bytes.
func TestFDBMemoryPerEntry(t *testing.T) {
	if testing.Short() {
		t.Skip("learns 1M entries")
	}
	const n = 1 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	br := New(Config{AgingTime: DefaultAgingTime})
	br.AddPort(PortConfig{}, nopPort{})
	br.AddPort(PortConfig{}, nopPort{})
	br.Advance(time.Second)
	f := ethFrame(frame.Broadcast, mac(1), 64)
	for i := range uint32(n) {
		f[8], f[9], f[10], f[11] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		br.Input(0, f)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if got := br.FDBSize(); got != n {
		t.Fatalf("FDB holds %d entries, want %d", got, n)
	}
	per := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("FDB memory: %.1f bytes per entry at %d entries", per, n)
	if per > 128 {
		t.Errorf("FDB uses %.1f bytes per entry, want at most 128", per)
	}
	runtime.KeepAlive(br)
}
