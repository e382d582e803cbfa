package scenario

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/google/gopacket/layers"
	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
)

// stepCapture is a pcapng file a capture step opened; f is nil when the
// run has no --pcap directory (the frames are counted, not written).
type stepCapture struct {
	path string
	f    *os.File
	c    *sim.Capture
}

func (c *stepCapture) close() error {
	if c.f == nil {
		return c.c.Close()
	}
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
		if c.f == nil {
			o.summary = fmt.Sprintf("%d frames (not written: run with --pcap DIR to keep %s)", c.c.Packets(), c.path)
		}
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
	// Files go into the --pcap directory; without one the frames are
	// captured and counted but nothing is written, so that running the
	// bundled scenarios leaves no files behind.
	var f *os.File
	var w io.Writer = io.Discard
	if r.pcapDir != "" {
		name = filepath.Join(r.pcapDir, name)
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			o.failed = err.Error()
			return o
		}
		var err error
		if f, err = os.Create(name); err != nil {
			o.failed = err.Error()
			return o
		}
		w = f
	}
	c, err := sim.NewCapture(w, layers.LinkTypeEthernet)
	if err != nil {
		if f != nil {
			f.Close()
		}
		o.failed = err.Error()
		return o
	}
	var ctr *hostNode
	if r.w.hosts[cs.Start] == nil {
		ctr, _, _ = r.w.container(cs.Start)
	}
	switch {
	case r.w.hosts[cs.Start] != nil:
		for _, nic := range r.w.hosts[cs.Start].h.NICs() {
			nic.Capture(c)
		}
	case ctr != nil:
		for _, nic := range ctr.h.NICs() {
			nic.Capture(c)
		}
	case r.w.endOf[cs.Start] != nil:
		r.w.endOf[cs.Start].Capture(c)
	case r.w.linkOf[cs.Start] != nil:
		r.w.linkOf[cs.Start].A().Capture(c)
	default:
		c.Close()
		if f != nil {
			f.Close()
			os.Remove(name)
		}
		o.failed = fmt.Sprintf("nothing to capture named %q (a host, a running container, a link or an endpoint)", cs.Start)
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

// containerPcaps gives, with --pcap, every container its own pcapng file
// (<scenario>.<container>.pcapng) with one interface per NIC, attaching
// NICs that appeared since the last call (docker run, network connect).
type containerPcaps struct {
	dir  string
	name string
	caps map[string]*stepCapture
	seen map[*host.NIC]bool
}

func (cp *containerPcaps) attach(w *world) error {
	if cp == nil || w.docker == nil {
		return nil
	}
	for _, n := range w.docker.nodes {
		for _, c := range n.Containers() {
			sc := cp.caps[c.Name()]
			for _, nic := range c.Host.NICs() {
				if cp.seen[nic] {
					continue
				}
				if sc == nil {
					path := filepath.Join(cp.dir, fmt.Sprintf("%s.%s.pcapng", cp.name, fileSafe(c.Name())))
					f, err := os.Create(path)
					if err != nil {
						return fmt.Errorf("pcap: %w", err)
					}
					capt, err := sim.NewCapture(f, layers.LinkTypeEthernet)
					if err != nil {
						f.Close()
						return fmt.Errorf("pcap: %w", err)
					}
					sc = &stepCapture{path: path, f: f, c: capt}
					cp.caps[c.Name()] = sc
				}
				nic.Capture(sc.c)
				cp.seen[nic] = true
			}
		}
	}
	return nil
}

func (cp *containerPcaps) close() error {
	if cp == nil {
		return nil
	}
	names := make([]string, 0, len(cp.caps))
	for n := range cp.caps {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []error
	for _, n := range names {
		errs = append(errs, cp.caps[n].close())
	}
	return errors.Join(errs...)
}
