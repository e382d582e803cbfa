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

// stepCapture is a pcapng stream: a file, or (f nil) frames counted but not
// written, for capture steps of a run without --pcap.
type stepCapture struct {
	path string
	f    *os.File
	c    *sim.Capture
}

// createCapture opens a pcapng file at path.
func createCapture(path string) (*stepCapture, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("pcap: %w", err)
	}
	c, err := sim.NewCapture(f, layers.LinkTypeEthernet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("pcap: %w", err)
	}
	return &stepCapture{path: path, f: f, c: c}, nil
}

func (c *stepCapture) close() error {
	if c.f == nil {
		return c.c.Close()
	}
	return errors.Join(c.c.Close(), c.f.Close())
}

// closeAll closes captures in name order, so that errors come out in a
// stable order.
func closeAll(caps map[string]*stepCapture) error {
	names := make([]string, 0, len(caps))
	for n := range caps {
		names = append(names, n)
	}
	slices.Sort(names)
	var errs []error
	for _, n := range names {
		errs = append(errs, caps[n].close())
	}
	return errors.Join(errs...)
}

// capturePcaps opens, for --pcap, one pcapng file per link of the file and
// per underlay link, each written at the link's first end (both directions
// as seen on that side of the wire).
func (w *world) capturePcaps(dir string) (map[string]*stepCapture, error) {
	caps := map[string]*stepCapture{}
	if dir == "" {
		return caps, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pcap: %w", err)
	}
	links := make([]*sim.Link, 0, len(w.s.Links)+len(w.underlayLinks))
	for _, l := range w.s.Links {
		links = append(links, w.links[l])
	}
	links = append(links, w.underlayLinks...)
	for _, k := range links {
		c, err := createCapture(filepath.Join(dir, fmt.Sprintf("%s.%s.pcapng", w.s.Name, fileSafe(k.Name()))))
		if err != nil {
			return nil, errors.Join(err, closeAll(caps))
		}
		k.A().Capture(c.c)
		caps[k.Name()] = c
	}
	return caps, nil
}

// capture starts or stops a pcapng capture of a host or a container (all
// its NICs), a link (as seen at its first end) or one link end. Files go
// into the --pcap directory; without one the frames are counted but
// nothing is written, so that running the bundled scenarios leaves no
// files behind.
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
	var nics []*host.NIC
	var end *sim.LinkEnd
	if hn := r.w.hosts[cs.Start]; hn != nil {
		nics = hn.h.NICs()
	} else if hn, _, ok := r.w.container(cs.Start); ok {
		nics = hn.h.NICs()
	} else if e := r.w.endOf[cs.Start]; e != nil {
		end = e
	} else if k := r.w.linkOf[cs.Start]; k != nil {
		end = k.A()
	} else {
		o.failed = fmt.Sprintf("nothing to capture named %q (a host, a running container, a link or an endpoint)", cs.Start)
		return o
	}
	name := cs.File
	if name == "" {
		name = fmt.Sprintf("%s-%s.pcapng", r.w.s.Name, fileSafe(cs.Start))
	}
	var sc *stepCapture
	if r.pcapDir == "" {
		c, err := sim.NewCapture(io.Discard, layers.LinkTypeEthernet)
		if err != nil {
			o.failed = err.Error()
			return o
		}
		sc = &stepCapture{path: name, c: c}
	} else {
		path := filepath.Join(r.pcapDir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			o.failed = err.Error()
			return o
		}
		var err error
		if sc, err = createCapture(path); err != nil {
			o.failed = err.Error()
			return o
		}
	}
	for _, nic := range nics {
		nic.Capture(sc.c)
	}
	if end != nil {
		end.Capture(sc.c)
	}
	r.caps[cs.Start] = sc
	o.summary = "to " + sc.path
	return o
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
			for _, nic := range c.Host.NICs() {
				if cp.seen[nic] {
					continue
				}
				sc := cp.caps[c.Name()]
				if sc == nil {
					var err error
					sc, err = createCapture(filepath.Join(cp.dir, fmt.Sprintf("%s.%s.pcapng", cp.name, fileSafe(c.Name()))))
					if err != nil {
						return err
					}
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
	return closeAll(cp.caps)
}
