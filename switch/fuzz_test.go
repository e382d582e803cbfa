package vswitch

import (
	"testing"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/switch/stp"
)

// FuzzInput feeds arbitrary frames into arbitrary ports of a bridge with
// access ports, trunks and STP: nothing may panic, every frame is counted
// as received (or as for an unknown port), nothing sent out is a runt or
// grows by more than one tag, and no frame is copied to more ports than
// the bridge has.
func FuzzInput(f *testing.F) {
	f.Add(uint8(0), ethFrame(frame.Broadcast, mac(1), 64))
	f.Add(uint8(2), tagFrame(frame.Broadcast, mac(1), 10, 64))
	f.Add(uint8(1), []byte{})
	f.Fuzz(func(t *testing.T, port uint8, data []byte) {
		for _, withSTP := range []bool{false, true} {
			cfg := DefaultConfig()
			cfg.FDBLimit = 16
			if withSTP {
				c := stp.DefaultConfig()
				cfg.STP = &c
			}
			b := New(cfg)
			chk := &checkPort{t: t, max: len(data) + frame.VLANTagLen}
			for _, pc := range []PortConfig{{PVID: 10}, {PVID: 20}, {Mode: Trunk, Allowed: []uint16{10, 20}, Native: 1}, {Mode: Trunk}} {
				if _, err := b.AddPort(pc, chk); err != nil {
					t.Fatal(err)
				}
			}
			id := PortID(int(port)%6 - 1) // includes -1 and 4: unknown ports
			b.Input(id, data)
			b.Input(id, data) // again, now with the source learned
			if chk.sent > 2*3 {
				t.Fatalf("%d frames sent for 2 inputs on 4 ports", chk.sent)
			}
			bc := b.Counters()
			if bc.RxFrames+bc.Drops[DropUnknownPort] != 2 {
				t.Fatalf("rx %d + unknown-port %d, want 2 frames accounted", bc.RxFrames, bc.Drops[DropUnknownPort])
			}
		}
	})
}

// checkPort checks what the bridge sends. The bridge reads only the outer
// header, so a frame that was valid on input may carry garbage after its
// outer tag is popped; what it must never do is send a runt or grow a frame
// by more than one tag.
type checkPort struct {
	t    *testing.T
	max  int
	sent int
}

func (c *checkPort) Send(f []byte) {
	c.sent++
	if len(f) < frame.EthernetLen || len(f) > c.max {
		c.t.Fatalf("sent a %d-byte frame (input allows up to %d): % x", len(f), c.max, f)
	}
}
