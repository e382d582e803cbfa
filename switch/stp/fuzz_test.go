package stp

import (
	"bytes"
	"testing"
	"time"
)

// FuzzDecodeBPDU checks that whatever DecodeBPDU accepts re-encodes to the
// same bytes (the layouts have no free bits) and decodes again to the same
// BPDU. Seeds: testdata/fuzz/FuzzDecodeBPDU (a config BPDU, a TCN, RSTP,
// truncated and padded variants).
func FuzzDecodeBPDU(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := DecodeBPDU(in)
		if err != nil {
			return
		}
		buf := make([]byte, ConfigLen)
		n := b.Encode(buf)
		if n != b.Len() || !bytes.Equal(buf[:n], in[:n]) {
			t.Fatalf("re-encoding %x gave %x", in[:min(len(in), n)], buf[:n])
		}
		again, err := DecodeBPDU(buf[:n])
		if err != nil || again != b {
			t.Fatalf("round trip: got %+v, %v; want %+v", again, err, b)
		}
	})
}

// FuzzMachineInput feeds arbitrary frames, on arbitrary ports, at
// arbitrary times, to a machine with three ports, and checks that it
// neither panics nor loops, and that its view stays consistent. When wrap
// is set the bytes become a BPDU inside a valid 802.3/LLC header, so that
// the fuzzer reaches the protocol machine and not only the framing checks.
// Seeds: testdata/fuzz/FuzzMachineInput.
func FuzzMachineInput(f *testing.F) {
	f.Fuzz(func(t *testing.T, port uint8, step uint16, wrap bool, in []byte) {
		var env nopEnv
		m := New(macA, DefaultConfig(), &env)
		for p := 1; p <= 3; p++ {
			m.AddPort(p, DefaultPortPriority, uint32(p)*10)
		}
		fr := in
		if wrap {
			fr = AppendFrame(nil, macB, BPDU{Type: TypeTCN})[:bpduOffset]
			fr[12], fr[13] = byte((llcLen+len(in))>>8), byte(llcLen+len(in))
			fr = append(fr, in...)
		}
		now := time.Duration(0)
		for i := range 4 {
			m.Input(int(port%4)+i%2, fr, now) // ports 0 (unknown) to 4
			now += time.Duration(step) * time.Millisecond
			m.Advance(now)
		}
		m.Advance(now + 5*time.Minute)
		check(t, m)
	})
}

// check asserts invariants that hold after any sequence of inputs.
func check(t *testing.T, m *Machine) {
	st := m.Status()
	if st.IsRoot != (st.RootPort == -1) || st.IsRoot != (st.RootID == st.BridgeID) {
		t.Fatalf("root flags disagree: %+v", st)
	}
	if st.RootID > st.BridgeID {
		t.Fatalf("root %v worse than self %v", st.RootID, st.BridgeID)
	}
	roots := 0
	for _, p := range st.Ports {
		if p.Role == RoleRoot {
			roots++
			if p.Port != st.RootPort || p.State == Disabled {
				t.Fatalf("bad root port %+v in %+v", p, st)
			}
		}
		if p.Role == RoleAlternate && p.State != Blocking {
			t.Fatalf("alternate port not blocking: %+v", p)
		}
	}
	if roots != min(1, st.RootPort+1) {
		t.Fatalf("%d root ports with RootPort %d", roots, st.RootPort)
	}
	if _, ok := m.NextDeadline(); !ok {
		t.Fatal("no timer armed: the hello or message age timer always runs")
	}
}
