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

// With ARP suppression on, answering a request for a known address and
// snooping a known sender do not allocate either; only learning a new
// binding grows the table.
func TestARPSuppressionDoesNotAllocate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ARPSuppress = true
	b := New(cfg)
	for range 2 {
		if _, err := b.AddPort(PortConfig{}, nopPort{}); err != nil {
			t.Fatal(err)
		}
	}
	b.Input(1, arpFrame(frame.ARPRequest, mac(2), "10.0.0.2", frame.MAC{}, "10.0.0.2"))
	req := arpFrame(frame.ARPRequest, mac(1), "10.0.0.1", frame.MAC{}, "10.0.0.2")
	b.Input(0, req)
	if n := testing.AllocsPerRun(1000, func() { b.Input(0, req) }); n != 0 {
		t.Errorf("%v allocs per proxied ARP request, want 0", n)
	}
	if b.Counters().ARPProxied < 1000 {
		t.Errorf("requests were not answered by the bridge")
	}
}
