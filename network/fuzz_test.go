package network

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// FuzzCreateOptions throws arbitrary flag values at Create and then at Run
// and Connect on the result: nothing panics, every failure leaves the
// controller as it was, and every success can be inspected, used and
// removed again.
func FuzzCreateOptions(f *testing.F) {
	// Seeds: testdata/fuzz/FuzzCreateOptions.
	f.Fuzz(func(t *testing.T, name, driver, subnet, ipRange, gateway, aux, optKey, optVal, label string, flags byte, ip, alias string) {
		c, _ := newTestController(t)
		mustCreate(t, c, "taken", CreateOptions{Subnets: []string{"10.0.0.0/16"}})
		mustRun(t, c, "c1", RunOptions{})
		o := CreateOptions{
			Driver:     driver,
			Internal:   flags&1 != 0,
			Attachable: flags&2 != 0,
			IPv6:       flags&4 != 0,
			Ingress:    flags&8 != 0,
		}
		add := func(dst *[]string, v string) {
			if v != "" {
				*dst = append(*dst, v)
			}
		}
		add(&o.Subnets, subnet)
		add(&o.IPRanges, ipRange)
		add(&o.Gateways, gateway)
		add(&o.AuxAddresses, aux)
		if optKey != "" {
			o.Options = map[string]string{optKey: optVal}
		}
		if label != "" {
			k, v, _ := strings.Cut(label, "=")
			o.Labels = map[string]string{k: v}
		}
		start := snapshot(t, c)
		id, err := c.Create(name, o)
		if err != nil {
			if got := snapshot(t, c); got != start {
				t.Fatalf("failed create (%v) changed the controller", err)
			}
			return
		}
		n, err := c.FindNetwork(id)
		if err != nil || n.Name() != name {
			t.Fatalf("created network %q not found by ID: %v", name, err)
		}
		if _, err := json.Marshal(n.Inspect()); err != nil {
			t.Fatal(err)
		}
		for _, s := range n.Subnets() {
			if g := n.Gateway(); g.IsValid() && !slices.ContainsFunc(n.Subnets(), func(p netip.Prefix) bool { return p.Contains(g) }) {
				t.Fatalf("gateway %s outside %v", g, s)
			}
		}

		// Use it: connect with an arbitrary --ip and --alias.
		want, _ := netip.ParseAddr(ip)
		var aliases []string
		if alias != "" {
			aliases = []string{alias}
		}
		before := snapshot(t, c)
		ep, err := c.Connect("c1", id, EndpointOptions{IP: want, Aliases: aliases})
		if err != nil {
			if got := snapshot(t, c); got != before {
				t.Fatalf("failed connect (%v) changed the controller", err)
			}
		} else {
			if want.IsValid() && ep.IP() != want.Unmap() {
				t.Fatalf("asked for %s, got %s", want, ep.IP())
			}
			if err := c.Remove(id); err == nil {
				t.Fatal("removed a network with an endpoint")
			}
			if err := c.Disconnect("c1", id, false); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Remove(id); err != nil {
			t.Fatalf("remove: %v", err)
		}
		if _, err := c.FindNetwork(id); err == nil {
			t.Fatal("removed network still found")
		}
		if got := c.ipam.Allocated(); len(got) != 2 {
			t.Fatalf("allocations left behind: %v", got)
		}
	})
}
