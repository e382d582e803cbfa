package vswitch

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/gopacket"
)

// Dir is the direction of a captured frame relative to the bridge.
type Dir uint8

// Directions.
const (
	DirIn  Dir = iota // received on the port
	DirOut            // sent out of the port
)

// PacketWriter is what a capture writes into; *pcapgo.NgWriter and
// *pcapgo.Writer satisfy it.
type PacketWriter interface {
	WritePacket(ci gopacket.CaptureInfo, data []byte) error
}

// capMu serializes writes of all taps: writers are not safe for concurrent
// use and several ports may share one. Capture is a diagnostic path.
var capMu sync.Mutex

// tap mirrors one port's traffic.
type tap struct {
	w      PacketWriter
	epoch  time.Time
	ifIdx  int
	errors atomic.Uint64 // writes that failed
}

func (t *tap) write(b *Bridge, p *bridgePort, _ Dir, f []byte) {
	now := b.Now()
	if b.cfg.Now != nil {
		now = b.cfg.Now()
	}
	ci := gopacket.CaptureInfo{
		Timestamp:      t.epoch.Add(now),
		CaptureLength:  len(f),
		Length:         len(f),
		InterfaceIndex: t.ifIdx,
	}
	capMu.Lock()
	if err := t.w.WritePacket(ci, f); err != nil {
		t.errors.Add(1)
	}
	capMu.Unlock()
}

// Capture mirrors every frame received or sent on port id into w, stamped
// with epoch plus the bridge's time, on pcapng interface ifIndex. A nil w
// stops the capture. Several ports may share one writer.
func (b *Bridge) Capture(id PortID, w PacketWriter, epoch time.Time, ifIndex int) error {
	bp := b.port(id)
	if bp == nil {
		return ErrNoPort
	}
	if w == nil {
		bp.tap.Store(nil)
		return nil
	}
	bp.tap.Store(&tap{w: w, epoch: epoch, ifIdx: ifIndex})
	return nil
}

// CaptureErrors returns how many frames the capture on port id failed to
// write (0 when the port has no capture).
func (b *Bridge) CaptureErrors(id PortID) uint64 {
	bp := b.port(id)
	if bp == nil {
		return 0
	}
	if t := bp.tap.Load(); t != nil {
		return t.errors.Load()
	}
	return 0
}
