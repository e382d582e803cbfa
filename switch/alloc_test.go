package vswitch

import (
	"testing"

	"github.com/vswitch/vswitch/internal/frame"
)

// The forwarding path must not allocate: known unicast, flooding, and tag
// push/pop on the way.
func TestForwardingDoesNotAllocate(t *testing.T) {
	b := New(DefaultConfig())
	for _, pc := range []PortConfig{{PVID: 10}, {PVID: 10}, {Mode: Trunk, Allowed: []uint16{10}}} {
		if _, err := b.AddPort(pc, nopPort{}); err != nil {
			t.Fatal(err)
		}
	}
	a, c := mac(1), mac(2)
	b.Input(0, ethFrame(frame.Broadcast, a, 64))
	b.Input(1, ethFrame(a, c, 64))
	known := ethFrame(c, a, 64)
	flood := ethFrame(frame.Broadcast, a, 64)
	tagged := tagFrame(frame.Broadcast, mac(3), 10, 64)
	cases := map[string]func(){
		"known unicast":   func() { b.Input(0, known) },
		"flood with push": func() { b.Input(0, flood) },
		"flood with pop":  func() { b.Input(2, tagged) },
		"drop":            func() { b.Input(0, known[:10]) },
	}
	for name, fn := range cases {
		if n := testing.AllocsPerRun(1000, fn); n != 0 {
			t.Errorf("%s: %v allocs per frame, want 0", name, n)
		}
	}
}
