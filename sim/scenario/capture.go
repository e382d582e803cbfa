package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/google/gopacket/layers"
	"github.com/vswitch/vswitch/sim"
)

// stepCapture is a pcapng file a capture step opened.
type stepCapture struct {
	path string
	f    *os.File
	c    *sim.Capture
}

func (c *stepCapture) close() error {
	return errors.Join(c.c.Close(), c.f.Close())
}

// capture starts or stops a pcapng capture of a host (all its NICs), a
// link (as seen at its first end) or one link end.
func (r *runner) capture(cs *CaptureStep) outcome {
	if cs.Stop != "" {
		o := outcome{desc: "capture stop " + cs.Stop}
		c, ok := r.caps[cs.Stop]
		if !ok {
			o.failed = fmt.Sprintf("no capture of %q is running", cs.Stop)
			return o
		}
		delete(r.caps, cs.Stop)
		o.summary = fmt.Sprintf("%d frames in %s", c.c.Packets(), c.path)
		if err := c.close(); err != nil {
			o.failed = err.Error()
		}
		return o
	}
	o := outcome{desc: "capture start " + cs.Start}
	if _, ok := r.caps[cs.Start]; ok {
		o.failed = fmt.Sprintf("a capture of %q is already running", cs.Start)
		return o
	}
	name := cs.File
	if name == "" {
		name = fmt.Sprintf("%s-%s.pcapng", r.w.s.Name, fileSafe(cs.Start))
	}
	if !filepath.IsAbs(name) && r.pcapDir != "" {
		name = filepath.Join(r.pcapDir, name)
	}
	if dir := filepath.Dir(name); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			o.failed = err.Error()
			return o
		}
	}
	f, err := os.Create(name)
	if err != nil {
		o.failed = err.Error()
		return o
	}
	c, err := sim.NewCapture(f, layers.LinkTypeEthernet)
	if err != nil {
		f.Close()
		o.failed = err.Error()
		return o
	}
	switch {
	case r.w.hosts[cs.Start] != nil:
		for _, nic := range r.w.hosts[cs.Start].h.NICs() {
			nic.Capture(c)
		}
	case r.w.endOf[cs.Start] != nil:
		r.w.endOf[cs.Start].Capture(c)
	case r.w.linkOf[cs.Start] != nil:
		r.w.linkOf[cs.Start].A().Capture(c)
	default:
		c.Close()
		f.Close()
		os.Remove(name)
		o.failed = fmt.Sprintf("nothing to capture named %q (a host, a link or an endpoint)", cs.Start)
		return o
	}
	r.caps[cs.Start] = &stepCapture{path: name, f: f, c: c}
	o.summary = "to " + name
	return o
}

// closeCaptures closes the captures steps left running, in name order.
func (r *runner) closeCaptures() error {
	names := make([]string, 0, len(r.caps))
	for n := range r.caps {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []error
	for _, n := range names {
		errs = append(errs, r.caps[n].close())
	}
	return errors.Join(errs...)
}
