package vswitch

import (
	"encoding/binary"
	"testing"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/switch/stp"
)

// recPort records copies of the frames sent to it.
type recPort struct{ frames [][]byte }

func (p *recPort) Send(f []byte) { p.frames = append(p.frames, append([]byte(nil), f...)) }

// take returns the data frames sent since the last call; BPDUs are left
// out, since designated ports send them every hello time.
func (p *recPort) take() [][]byte {
	var out [][]byte
	for _, f := range p.frames {
		if len(f) >= 6 && frame.MAC(f[0:6]) == stpGroup {
			continue
		}
		out = append(out, f)
	}
	p.frames = nil
	return out
}

var stpGroup = frame.MAC{0x01, 0x80, 0xc2, 0, 0, 0}

// nopPort discards frames.
type nopPort struct{}

func (nopPort) Send([]byte) {}

func mac(n byte) frame.MAC { return frame.MAC{0x02, 0, 0, 0, 0, n} }

// ethFrame builds an untagged frame of total length n (at least 14).
func ethFrame(dst, src frame.MAC, n int) []byte {
	f := make([]byte, max(n, frame.EthernetLen))
	frame.PutEthernet(f, dst, src, frame.TypeIPv4)
	for i := frame.EthernetLen; i < len(f); i++ {
		f[i] = byte(i)
	}
	return f
}

// tagFrame builds a frame tagged with vid.
func tagFrame(dst, src frame.MAC, vid uint16, n int) []byte {
	u := ethFrame(dst, src, n)
	t := make([]byte, len(u)+4)
	return frame.PushTag(t, u, vid)
}

type testBridge struct {
	*Bridge
	ports []*recPort
	ids   []PortID
}

// newTestBridge makes a bridge with one recording port per config.
func newTestBridge(t testing.TB, cfg Config, pcs ...PortConfig) *testBridge {
	t.Helper()
	tb := &testBridge{Bridge: New(cfg)}
	for _, pc := range pcs {
		rp := &recPort{}
		id, err := tb.AddPort(pc, rp)
		if err != nil {
			t.Fatal(err)
		}
		tb.ports = append(tb.ports, rp)
		tb.ids = append(tb.ids, id)
	}
	return tb
}

func accessPorts(n int, vlan uint16) []PortConfig {
	pcs := make([]PortConfig, n)
	for i := range pcs {
		pcs[i] = PortConfig{PVID: vlan}
	}
	return pcs
}

// got returns, per port, how many frames it was sent since the last call.
func (tb *testBridge) got() []int {
	n := make([]int, len(tb.ports))
	for i, p := range tb.ports {
		n[i] = len(p.take())
	}
	return n
}

func vidOf(f []byte) uint16 {
	if binary.BigEndian.Uint16(f[12:14]) != uint16(frame.TypeVLAN) {
		return 0
	}
	return binary.BigEndian.Uint16(f[14:16]) & 0xfff
}

// stpConfig is the default config with STP on at its defaults.
func stpConfig() Config {
	sc := stp.DefaultConfig()
	c := DefaultConfig()
	c.MAC = frame.MAC{2, 0, 0, 0, 0xbb, 1}
	c.STP = &sc
	return c
}
