package scenario

import (
	"flag"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

var scaleHosts = flag.Int("scale.hosts", 0, "also run TestScale with this many hosts (e.g. 100000)")

// scaleScenario generates N hosts on one switch, each pinging one target
// (h0) once. With suppress the switch answers ARP itself (see ARPSuppress
// in package vswitch), as a large broadcast domain needs.
func scaleScenario(n int, suppress bool) string {
	var b strings.Builder
	// fdb_limit 0: more stations than the default 8192-entry table.
	fmt.Fprintf(&b, "name: scale-%d\nlimits: {time: 1h, events: 2000000000}\nswitches:\n  sw1: {fdb_limit: 0, ", n)
	if suppress {
		b.WriteString("arp_suppress: true")
	}
	b.WriteString("}\nhosts:\n")
	for i := range n {
		a := i + 1
		fmt.Fprintf(&b, "  h%d: {interfaces: {eth0: {ip: 10.%d.%d.%d/8}}}\n", i, a>>16&255, a>>8&255, a&255)
	}
	b.WriteString("links:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {a: h%d.eth0, b: sw1.p%d}\n", i, i)
	}
	b.WriteString("steps:\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  - ping: {from: h%d, to: 10.0.0.1}\n", i)
	}
	return b.String()
}

type scaleRun struct {
	parse, run time.Duration
	heap       uint64 // peak-ish: heap in use after the run, before GC
	events     uint64
}

func runScale(t *testing.T, n int, suppress bool) scaleRun {
	t.Helper()
	src := scaleScenario(n, suppress)
	runtime.GC()
	start := time.Now()
	s, err := Parse("scale.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	parsed := time.Now()
	res, err := Run(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := time.Now()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if !res.OK() {
		t.Fatalf("%d hosts: %d failed, %v", n, res.Failed(), res.Err)
	}
	return scaleRun{parse: parsed.Sub(start), run: done.Sub(parsed), heap: ms.HeapInuse, events: res.Fired}
}

// TestScale runs the generated scenario at growing sizes and logs time and
// memory, so growth can be read off (go test -run TestScale -v). Sizes
// above 10,000 only run on request (-scale.hosts).
func TestScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale runs take seconds")
	}
	sizes := []int{1000, 10000}
	if *scaleHosts > 0 {
		sizes = append(sizes, *scaleHosts)
	}
	for _, n := range sizes {
		for _, suppress := range []bool{true, false} {
			if !suppress && n > 2000 {
				continue // N x N broadcast deliveries: measured at 1000 only
			}
			r := runScale(t, n, suppress)
			if suppress {
				// Linear: about ten events per host (its gratuitous ARP, the
				// proxied ARP exchanges, the echo), whatever n.
				if max := uint64(15 * n); r.events > max {
					t.Errorf("%d hosts: %d events, want at most %d (linear)", n, r.events, max)
				}
				if per := r.heap / uint64(n); per > 32<<10 {
					t.Errorf("%d hosts: %d bytes of heap per host, want at most 32 KiB", n, per)
				}
			}
			t.Logf("%6d hosts, arp_suppress=%-5v: parse %v, run %v, %d events, heap %d MiB (%.1f KiB/host)",
				n, suppress, r.parse.Round(time.Millisecond), r.run.Round(time.Millisecond), r.events,
				r.heap>>20, float64(r.heap)/1024/float64(n))
		}
	}
}
