package sim

import (
	"bytes"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type capturedPacket struct {
	ifc  string
	ts   time.Time
	data []byte
}

func readCapture(t *testing.T, b []byte) ([]capturedPacket, *pcapgo.NgReader) {
	t.Helper()
	r, err := pcapgo.NewNgReader(bytes.NewReader(b), pcapgo.DefaultNgReaderOptions)
	require.NoError(t, err)
	var out []capturedPacket
	for {
		data, ci, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		intf, err := r.Interface(ci.InterfaceIndex)
		require.NoError(t, err)
		require.Equal(t, len(data), ci.Length)
		out = append(out, capturedPacket{ifc: intf.Name, ts: ci.Timestamp, data: data})
	}
	return out, r
}

func TestCaptureLink(t *testing.T) {
	l := NewLoop(1)
	k := NewLink(l, "h1.eth0<->sw1.p1", LinkConfig{Latency: 1500 * time.Microsecond})
	k.B().Attach(recvFunc(func(f []byte) { k.B().Send(f[:60]) })) // reply from sw1.p1
	k.A().Attach(nopReceiver{})
	var buf bytes.Buffer
	c, err := NewCapture(&buf, layers.LinkTypeEthernet)
	require.NoError(t, err)
	k.A().Capture(c)
	f := testFrame(100, 7)
	l.At(time.Second, func() { k.A().Send(f) })
	require.NoError(t, l.Run(2*time.Second))
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "Close is idempotent")
	assert.Equal(t, uint64(2), c.Packets())

	got, r := readCapture(t, buf.Bytes())
	require.Len(t, got, 2)
	assert.Equal(t, capturedPacket{ifc: "h1.eth0", ts: Epoch.Add(time.Second), data: f}, got[0], "sent")
	assert.Equal(t, capturedPacket{ifc: "h1.eth0", ts: Epoch.Add(time.Second + 3*time.Millisecond), data: f[:60]}, got[1], "received")
	assert.Equal(t, 1, r.NInterfaces())
	intf, err := r.Interface(0)
	require.NoError(t, err)
	assert.Equal(t, layers.LinkTypeEthernet, intf.LinkType)
	si := r.SectionInfo()
	assert.Equal(t, "vsim", si.Application)
	assert.Equal(t, "vsim", si.OS)
	assert.Equal(t, "vsim", si.Hardware)
	assert.False(t, bytes.Contains(buf.Bytes(), []byte(runtime.GOOS)), "no machine-specific strings")
	assert.False(t, bytes.Contains(buf.Bytes(), []byte(runtime.GOARCH)))
}

func TestCaptureInterfaces(t *testing.T) {
	l := NewLoop(1)
	k1 := NewLink(l, "h1.eth0<->sw1.p1", LinkConfig{})
	k2 := NewLink(l, "h2.eth0<->sw1.p2", LinkConfig{Loss: 1})
	var buf bytes.Buffer
	c, err := NewCapture(&buf, layers.LinkTypeEthernet)
	require.NoError(t, err)
	k1.Capture(c)
	k2.A().Capture(c)
	k1.B().Attach(nopReceiver{})
	k2.B().Attach(nopReceiver{})
	l.At(time.Millisecond, func() { k1.A().Send(testFrame(64, 1)) })
	l.At(2*time.Millisecond, func() { k2.A().Send(testFrame(64, 2)) }) // lost on the wire: captured at the sender only
	l.At(3*time.Millisecond, func() { k2.A().Send(testFrame(3000, 3)) })
	require.NoError(t, l.Run(time.Second))
	require.NoError(t, c.Flush())
	got, r := readCapture(t, buf.Bytes())
	assert.Equal(t, 3, r.NInterfaces())
	var names []string
	for _, p := range got {
		names = append(names, p.ifc)
	}
	assert.Equal(t, []string{"h1.eth0", "sw1.p1", "h2.eth0", "h2.eth0"}, names)
	assert.Equal(t, Epoch.Add(3*time.Millisecond), got[3].ts)
	assert.Len(t, got[3].data, 3000)

	k1.Capture(nil)
	k1.A().Send(testFrame(64, 4))
	require.NoError(t, l.Run(2*time.Second))
	assert.Equal(t, uint64(4), c.Packets(), "nil stops capturing")
}

func TestCaptureEmpty(t *testing.T) {
	var buf bytes.Buffer
	c, err := NewCapture(&buf, layers.LinkTypeEthernet)
	require.NoError(t, err)
	require.NoError(t, c.Close())
	got, r := readCapture(t, buf.Bytes())
	assert.Empty(t, got)
	assert.Equal(t, 1, r.NInterfaces())
	c.WritePacket(0, 0, []byte{1, 2, 3})
	assert.Equal(t, uint64(0), c.Packets(), "nothing is written after Close")
	c.AddInterface("late")
	assert.ErrorIs(t, c.Err(), ErrCaptureClosed)
}

func TestCaptureErrors(t *testing.T) {
	_, err := NewCapture(nil, layers.LinkTypeEthernet)
	assert.Error(t, err)

	c, err := NewCapture(failWriter{}, layers.LinkTypeEthernet)
	require.NoError(t, err)
	c.AddInterface("x")
	for range 1000 { // fill pcapgo's buffer so that it writes through
		c.WritePacket(0, 0, make([]byte, 100))
	}
	assert.ErrorIs(t, c.Err(), errWrite)
	assert.ErrorIs(t, c.Flush(), errWrite)
	assert.ErrorIs(t, c.Close(), errWrite)
	assert.Less(t, c.Packets(), uint64(1000), "writing stops at the first error")
}

func TestCaptureNoAlloc(t *testing.T) {
	c, err := NewCapture(io.Discard, layers.LinkTypeEthernet)
	require.NoError(t, err)
	ifc := c.AddInterface("h1.eth0")
	f := testFrame(1500, 1)
	var now time.Duration
	assert.Zero(t, testing.AllocsPerRun(1000, func() {
		now += time.Microsecond
		c.WritePacket(ifc, now, f)
	}))
	require.NoError(t, c.Close())
}
