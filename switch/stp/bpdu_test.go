package stp

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/internal/frame"
)

var (
	macA = frame.MAC{0x02, 0, 0, 0, 0, 0x01}
	macB = frame.MAC{0x02, 0, 0, 0, 0, 0x02}
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	require.NoError(t, err)
	return b
}

var goldenConfig = BPDU{
	Type:         TypeConfig,
	Flags:        FlagTC | FlagTCA,
	RootID:       MakeBridgeID(0x8000, macA),
	RootPathCost: 4,
	BridgeID:     MakeBridgeID(0x8000, macB),
	PortID:       0x8001,
	MessageAge:   1 * time.Second,
	MaxAge:       20 * time.Second,
	HelloTime:    2 * time.Second,
	ForwardDelay: 15 * time.Second,
}

const goldenConfigHex = `
	0000 00 00 81
	8000 020000000001
	00000004
	8000 020000000002
	8001
	0100 1400 0200 0f00`

func TestEncodeGolden(t *testing.T) {
	tests := []struct {
		name string
		bpdu BPDU
		want string
	}{
		{"config", goldenConfig, goldenConfigHex},
		{"tcn", BPDU{Type: TypeTCN}, "0000 00 80"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := unhex(t, tc.want)
			buf := make([]byte, 64)
			n := tc.bpdu.Encode(buf)
			assert.Equal(t, want, buf[:n])
			assert.Equal(t, tc.bpdu.Len(), n)
			assert.Zero(t, tc.bpdu.Encode(buf[:n-1]), "too short a buffer")

			got, err := DecodeBPDU(want)
			require.NoError(t, err)
			assert.Equal(t, tc.bpdu, got)
		})
	}
}

func TestAppendFrameGolden(t *testing.T) {
	tests := []struct {
		name string
		bpdu BPDU
		want string
	}{
		{"config", goldenConfig, "0180c2000000 020000000002 0026 424203" + goldenConfigHex + "0000000000000000"},
		{"tcn", BPDU{Type: TypeTCN}, "0180c2000000 020000000002 0007 424203 00000080" + strings.Repeat("00", 39)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prefix := []byte{0xee}
			got := AppendFrame(prefix, macB, tc.bpdu)
			assert.Equal(t, append([]byte{0xee}, unhex(t, tc.want)...), got)
			assert.Len(t, got, 1+MinFrameLen)
		})
	}
}

// TestAppendFrameGopacket checks our framing against an independent
// decoder: gopacket sees an 802.3 frame, LLC 42/42/03, then STP, whose
// contents (the BPDU without padding) decode back to what was sent.
// gopacket v1.1.19 does not parse the STP fields themselves.
func TestAppendFrameGopacket(t *testing.T) {
	for _, b := range []BPDU{goldenConfig, {Type: TypeTCN}} {
		f := AppendFrame(nil, macB, b)
		pkt := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
		require.Nil(t, pkt.ErrorLayer(), "%v", pkt)
		eth := pkt.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		assert.Equal(t, []byte(GroupAddr[:]), []byte(eth.DstMAC))
		assert.Equal(t, []byte(macB[:]), []byte(eth.SrcMAC))
		assert.Equal(t, uint16(llcLen+b.Len()), eth.Length)
		llc := pkt.Layer(layers.LayerTypeLLC).(*layers.LLC)
		assert.Equal(t, uint8(LLCSAP), llc.DSAP)
		assert.Equal(t, uint8(LLCSAP), llc.SSAP)
		assert.Equal(t, uint16(LLCControl), llc.Control)
		stpLayer := pkt.Layer(layers.LayerTypeSTP)
		require.NotNil(t, stpLayer, "%v", pkt)
		got, err := DecodeBPDU(stpLayer.LayerContents())
		require.NoError(t, err)
		assert.Equal(t, b, got)
	}
}

func TestBPDURoundTrip(t *testing.T) {
	tests := []BPDU{
		{Type: TypeTCN},
		{Type: TypeConfig},
		goldenConfig,
		{
			Type: TypeConfig, Flags: 0xff, RootID: ^BridgeID(0), RootPathCost: ^uint32(0),
			BridgeID: 1, PortID: 0xffff, MessageAge: 0xffff * TimeUnit, MaxAge: TimeUnit,
			HelloTime: 3 * TimeUnit, ForwardDelay: 255 * time.Second,
		},
	}
	for _, b := range tests {
		buf := make([]byte, ConfigLen)
		n := b.Encode(buf)
		got, err := DecodeBPDU(buf[:n])
		require.NoError(t, err)
		assert.Equal(t, b, got)
	}
}

func TestEncodeTimes(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want time.Duration
	}{
		{0, 0},
		{TimeUnit - 1, 0}, // truncated
		{time.Second + 1, time.Second},
		{-time.Second, 0}, // clamped
		{300 * time.Second, 0xffff * TimeUnit},
	}
	for _, tc := range tests {
		buf := make([]byte, ConfigLen)
		BPDU{MaxAge: tc.in}.Encode(buf)
		got, err := DecodeBPDU(buf)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got.MaxAge, "encode %v", tc.in)
	}
}

func TestDecodeErrors(t *testing.T) {
	config := unhex(t, goldenConfigHex)
	with := func(i int, v byte) []byte {
		b := append([]byte(nil), config...)
		b[i] = v
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"three bytes", []byte{0, 0, 0}, ErrTruncated},
		{"config cut short", config[:ConfigLen-1], ErrTruncated},
		{"protocol 1", with(1, 1), ErrProtocol},
		{"protocol 0x0100", with(0, 1), ErrProtocol},
		{"version 2 (RSTP)", with(2, 2), ErrVersion},
		{"type 2 (RST BPDU)", with(3, 2), ErrUnknownType},
		{"type 0x81", with(3, 0x81), ErrUnknownType},
		{"tcn with trailing bytes", []byte{0, 0, 0, 0x80, 1, 2}, nil},
		{"config with padding", append(config, 0, 0, 0), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeBPDU(tc.in)
			assert.ErrorIs(t, err, tc.want)
			if tc.want == nil {
				assert.NoError(t, err)
			}
		})
	}
}

func TestBridgeID(t *testing.T) {
	id := MakeBridgeID(0x8000, frame.MAC{0x02, 0x42, 0xac, 0x11, 0x00, 0x02})
	assert.Equal(t, "8000.0242ac110002", id.String())
	assert.Equal(t, uint16(0x8000), id.Priority())
	assert.Equal(t, frame.MAC{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}, id.MAC())
	assert.Equal(t, "0000.000000000000", BridgeID(0).String())
	assert.Equal(t, "ffff.ffffffffffff", (^BridgeID(0)).String())
	assert.Less(t, MakeBridgeID(4096, macB), MakeBridgeID(8192, macA), "priority first")
	assert.Less(t, MakeBridgeID(4096, macA), MakeBridgeID(4096, macB), "then address")
	assert.Equal(t, uint16(0x8003), MakePortID(0x80, 3))
	assert.Equal(t, uint16(0x1001), MakePortID(0x10, 0x101), "only the low 8 bits of the number")
}

func TestStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{Disabled.String(), "disabled"},
		{Blocking.String(), "blocking"},
		{Listening.String(), "listening"},
		{Learning.String(), "learning"},
		{Forwarding.String(), "forwarding"},
		{State(9).String(), "state(9)"},
		{RoleDisabled.String(), "disabled"},
		{RoleRoot.String(), "root"},
		{RoleDesignated.String(), "designated"},
		{RoleAlternate.String(), "alternate"},
		{Role(7).String(), "role(7)"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.got)
	}
}

func TestDefaultPathCost(t *testing.T) {
	const m = 1_000_000
	tests := []struct {
		bps  int64
		want uint32
	}{
		{0, 19}, {-1, 19},
		{1 * m, 250}, {4 * m, 250}, {10 * m, 100}, {16 * m, 62},
		{100 * m, 19}, {1000 * m, 4}, {2500 * m, 4}, {10_000 * m, 2}, {100_000 * m, 2},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, DefaultPathCost(tc.bps), "%d b/s", tc.bps)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"default", DefaultConfig(), true},
		{"zero means default", Config{}, true},
		{"hello too short", Config{HelloTime: 500 * time.Millisecond}, false},
		{"max age too long", Config{MaxAge: 41 * time.Second, ForwardDelay: 30 * time.Second}, false},
		{"forward delay too short for max age", Config{ForwardDelay: 4 * time.Second}, false},
		{"fast but legal", Config{HelloTime: time.Second, MaxAge: 6 * time.Second, ForwardDelay: 4 * time.Second}, true},
		{"max age below 2*(hello+1)", Config{HelloTime: 10 * time.Second, MaxAge: 20 * time.Second}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, ErrBadConfig)
			}
		})
	}
}
