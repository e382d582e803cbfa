package scenario

import (
	"fmt"
	"io"
	"strings"
)

// WriteDOT prints the topology as a Graphviz graph: switches as boxes,
// hosts as ellipses, links as edges labelled with their ports and
// impairments.
func WriteDOT(w io.Writer, s *Scenario) {
	fmt.Fprintf(w, "graph %q {\n", s.Name)
	fmt.Fprintln(w, "  node [fontname=\"Helvetica\"];")
	for _, sw := range s.Switches {
		label := sw.Name
		if sw.STP != nil {
			label += fmt.Sprintf("\\nSTP prio %d", sw.STP.Priority)
		}
		fmt.Fprintf(w, "  %q [shape=box, label=%q];\n", sw.Name, label)
	}
	for _, h := range s.Hosts {
		fmt.Fprintf(w, "  %q [shape=ellipse, label=%q];\n", h.Name, hostLabel(h, "\\n"))
	}
	for _, l := range s.Links {
		fmt.Fprintf(w, "  %q -- %q [taillabel=%q, headlabel=%q%s];\n",
			l.A.Device, l.B.Device, endLabel(s, l.A), endLabel(s, l.B), dotProps(l.LinkProps))
	}
	fmt.Fprintln(w, "}")
}

// WriteMermaid prints the topology as a Mermaid flowchart.
func WriteMermaid(w io.Writer, s *Scenario) {
	fmt.Fprintln(w, "flowchart LR")
	id := func(name string) string { return strings.NewReplacer("-", "_", ".", "_").Replace(name) }
	for _, sw := range s.Switches {
		fmt.Fprintf(w, "  %s[%q]\n", id(sw.Name), sw.Name)
	}
	for _, h := range s.Hosts {
		fmt.Fprintf(w, "  %s([%q])\n", id(h.Name), hostLabel(h, "<br/>"))
	}
	for _, l := range s.Links {
		label := endLabel(s, l.A) + " - " + endLabel(s, l.B)
		if p := props(l.LinkProps); p != "" {
			label += " " + p
		}
		fmt.Fprintf(w, "  %s ---|%q| %s\n", id(l.A.Device), label, id(l.B.Device))
	}
}

func hostLabel(h *Host, br string) string {
	label := h.Name
	for _, ifc := range h.Interfaces {
		if ifc.IP.IsValid() {
			label += br + ifc.IP.String()
		}
	}
	return label
}

// endLabel names a link end: the interface, or the port with its VLANs.
func endLabel(s *Scenario, e Endpoint) string {
	if e.Kind != EndpointSwitch {
		return e.Iface
	}
	p := s.Switch(e.Device).Port(e.Iface)
	switch {
	case p == nil:
		return e.Iface
	case p.IsTrunk():
		return fmt.Sprintf("%s trunk %v", p.Name, p.Trunk)
	case p.VLAN > 1:
		return fmt.Sprintf("%s vlan %d", p.Name, p.VLAN)
	}
	return p.Name
}

func props(p LinkProps) string {
	var parts []string
	if p.Latency > 0 {
		parts = append(parts, p.Latency.String())
	}
	if !p.Loss.IsZero() {
		if p.Loss.Burst != nil {
			parts = append(parts, "burst loss")
		} else {
			parts = append(parts, "loss "+p.Loss.Random.String())
		}
	}
	if p.Bandwidth > 0 {
		parts = append(parts, p.Bandwidth.String())
	}
	if p.MTU > 0 {
		parts = append(parts, fmt.Sprintf("mtu %d", p.MTU))
	}
	return strings.Join(parts, ", ")
}

func dotProps(p LinkProps) string {
	if s := props(p); s != "" {
		return fmt.Sprintf(", label=%q", s)
	}
	return ""
}
