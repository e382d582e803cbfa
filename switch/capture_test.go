package vswitch

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/internal/frame"
)

func TestCaptureToPcapng(t *testing.T) {
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
	require.NoError(t, err)
	tb := newTestBridge(t, DefaultConfig(), accessPorts(2, 1)...)
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, tb.Capture(1, w, epoch, 0))

	tb.Advance(1500 * time.Millisecond)
	in := ethFrame(frame.Broadcast, mac(1), 80)
	tb.Input(0, in) // sent out of port 1: captured
	tb.Advance(2 * time.Second)
	tb.Input(1, ethFrame(mac(1), mac(2), 90)) // received on port 1: captured
	require.NoError(t, tb.Capture(1, nil, epoch, 0))
	tb.Input(1, ethFrame(mac(1), mac(2), 90)) // not captured
	require.NoError(t, w.Flush())

	r, err := pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	require.NoError(t, err)
	d1, ci1, err := r.ReadPacketData()
	require.NoError(t, err)
	assert.Equal(t, in, d1)
	assert.Equal(t, epoch.Add(1500*time.Millisecond), ci1.Timestamp.UTC())
	d2, ci2, err := r.ReadPacketData()
	require.NoError(t, err)
	assert.Len(t, d2, 90)
	assert.Equal(t, epoch.Add(2*time.Second), ci2.Timestamp.UTC())
	_, _, err = r.ReadPacketData()
	assert.Error(t, err, "only two frames")
	assert.ErrorIs(t, tb.Capture(7, w, epoch, 0), ErrNoPort)
}
