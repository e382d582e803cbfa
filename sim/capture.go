package sim

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/google/gopacket/pcapgo"
)

// ErrCaptureClosed is reported by Err when an interface is added after
// Close.
var ErrCaptureClosed = errors.New("sim: capture closed")

// captureApp names the writer in the section header and the interfaces. It
// replaces pcapgo's defaults, which carry runtime.GOOS and GOARCH and would
// make captures differ between machines.
const captureApp = "vsim"

// Capture writes frames into a pcapng stream with virtual timestamps
// (Epoch plus virtual time), one interface per capture point. The output
// depends only on what is written, so the same run gives a byte-identical
// file on any machine.
//
// The section header and the first interface are written when the first
// interface is added (pcapgo writes both together); a capture closed without
// interfaces gets one named "vsim". Frame direction is not recorded:
// pcapgo's NgWriter has no epb_flags.
//
// A Capture is not safe for concurrent use. Write errors are sticky: the
// first stops the capture and is returned by Flush, Close and Err.
type Capture struct {
	w      io.Writer
	lt     layers.LinkType
	ng     *pcapgo.NgWriter
	ifcs   int
	n      uint64
	err    error
	closed bool
}

// NewCapture returns a capture writing pcapng to w with link type lt
// (layers.LinkTypeEthernet for links). Close flushes it but does not close
// w.
func NewCapture(w io.Writer, lt layers.LinkType) (*Capture, error) {
	if w == nil {
		return nil, errors.New("sim: new capture: nil writer")
	}
	return &Capture{w: w, lt: lt}, nil
}

// AddInterface adds a capture point named name and returns its index for
// WritePacket.
func (c *Capture) AddInterface(name string) int {
	id := c.ifcs
	c.ifcs++
	if c.err != nil {
		return id
	}
	if c.closed {
		c.err = ErrCaptureClosed
		return id
	}
	intf := pcapgo.NgInterface{
		Name:                name,
		OS:                  captureApp,
		LinkType:            c.lt,
		TimestampResolution: 9,
	}
	var err error
	if c.ng == nil {
		c.ng, err = pcapgo.NewNgWriterInterface(c.w, intf, pcapgo.NgWriterOptions{
			SectionInfo: pcapgo.NgSectionInfo{Hardware: captureApp, OS: captureApp, Application: captureApp},
		})
	} else {
		_, err = c.ng.AddInterface(intf)
	}
	if err != nil {
		c.err = fmt.Errorf("sim: capture interface %q: %w", name, err)
	}
	return id
}

// WritePacket records frame on interface ifc at virtual time t. frame is
// borrowed for the call. It does not allocate.
func (c *Capture) WritePacket(ifc int, t time.Duration, frame []byte) {
	if c.err != nil || c.closed || c.ng == nil {
		return
	}
	ci := gopacket.CaptureInfo{
		Timestamp:      Epoch.Add(t),
		CaptureLength:  len(frame),
		Length:         len(frame),
		InterfaceIndex: ifc,
	}
	if err := c.ng.WritePacket(ci, frame); err != nil {
		c.err = fmt.Errorf("sim: capture: %w", err)
		return
	}
	c.n++
}

// Packets returns the number of frames written.
func (c *Capture) Packets() uint64 { return c.n }

// Err returns the first write error, if any.
func (c *Capture) Err() error { return c.err }

// Flush writes buffered data to the underlying writer.
func (c *Capture) Flush() error {
	if c.err != nil || c.ng == nil {
		return c.err
	}
	if err := c.ng.Flush(); err != nil {
		c.err = fmt.Errorf("sim: capture flush: %w", err)
	}
	return c.err
}

// Close flushes the capture and stops it; later frames are ignored. It does
// not close the underlying writer. Close is idempotent.
func (c *Capture) Close() error {
	if c.closed {
		return c.err
	}
	if c.ng == nil && c.err == nil {
		c.AddInterface(captureApp) // a valid file needs an interface
	}
	err := c.Flush()
	c.closed = true
	return err
}
