package scenario

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteDOT prints the topology as a Graphviz graph: switches as boxes,
// hosts as ellipses, links as edges labelled with their ports and
// impairments. Labels hold real newlines: %q writes them as \n, the
// line break DOT expects (a literal "\\n" would print as backslash-n).
func WriteDOT(w io.Writer, s *Scenario) {
	fmt.Fprintf(w, "graph %q {\n", s.Name)
	fmt.Fprintln(w, "  node [fontname=\"Helvetica\"];")
	for _, sw := range s.Switches {
		label := sw.Name
		if sw.STP != nil {
			label += fmt.Sprintf("\nSTP prio %d", sw.STP.Priority)
		}
		fmt.Fprintf(w, "  %q [shape=box, label=%q];\n", sw.Name, label)
	}
	for _, h := range s.Hosts {
		fmt.Fprintf(w, "  %q [shape=ellipse, label=%q];\n", h.Name, hostLabel(h, "\n"))
	}
	for _, l := range s.Links {
		fmt.Fprintf(w, "  %q -- %q [taillabel=%q, headlabel=%q%s];\n",
			l.A.Device, l.B.Device, endLabel(s, l.A), endLabel(s, l.B), dotProps(l.LinkProps))
	}
	writeDockerDOT(w, s)
	fmt.Fprintln(w, "}")
}

// writeDockerDOT draws the Docker level: the underlay with its nodes and
// clients, each node a cluster of its networks, and containers attached to
// networks.
func writeDockerDOT(w io.Writer, s *Scenario) {
	if len(s.Nodes) == 0 && len(s.Clients) == 0 {
		return
	}
	fmt.Fprintf(w, "  %q [shape=box, style=dashed, label=\"underlay\"];\n", underlayName)
	for _, c := range s.Clients {
		fmt.Fprintf(w, "  %q [shape=ellipse, label=%q];\n", c.Name, c.Name+"\n"+c.Address.String())
		fmt.Fprintf(w, "  %q -- %q;\n", c.Name, underlayName)
	}
	for _, n := range s.Nodes {
		fmt.Fprintf(w, "  subgraph %q {\n    label=%q;\n", "cluster_"+n.Name, n.Name+" "+n.Address.String())
		fmt.Fprintf(w, "    %q [shape=box3d, label=%q];\n", n.Name, n.Name)
		for _, nw := range networksOf(s, n.Name) {
			fmt.Fprintf(w, "    %q [shape=box, label=%q];\n", n.Name+"/"+nw, nw)
			fmt.Fprintf(w, "    %q -- %q;\n", n.Name, n.Name+"/"+nw)
		}
		for _, c := range s.Containers {
			if c.Node != n.Name {
				continue
			}
			fmt.Fprintf(w, "    %q [shape=ellipse, label=%q];\n", c.Name, c.Name)
			for _, a := range c.Networks {
				label := ""
				if len(a.Aliases) > 0 {
					label = "alias " + strings.Join(a.Aliases, ",")
				}
				fmt.Fprintf(w, "    %q -- %q [label=%q];\n", c.Name, n.Name+"/"+a.Network, label)
			}
		}
		fmt.Fprintln(w, "  }")
		fmt.Fprintf(w, "  %q -- %q;\n", n.Name, underlayName)
	}
}

// networksOf lists the networks a node has in the file: the default bridge
// when a container uses it, then the declared ones.
func networksOf(s *Scenario, node string) []string {
	var out []string
	for _, c := range s.Containers {
		for _, a := range c.Networks {
			if c.Node == node && a.Network == DefaultBridge && !slices.Contains(out, DefaultBridge) {
				out = append(out, DefaultBridge)
			}
		}
	}
	for _, nw := range s.Networks {
		if nw.Node == node {
			out = append(out, nw.Name)
		}
	}
	return out
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
	if len(s.Nodes) == 0 && len(s.Clients) == 0 {
		return
	}
	fmt.Fprintf(w, "  %s{{%q}}\n", underlayName, underlayName)
	for _, c := range s.Clients {
		fmt.Fprintf(w, "  %s([%q]) --- %s\n", id(c.Name), c.Name+"<br/>"+c.Address.String(), underlayName)
	}
	for _, n := range s.Nodes {
		fmt.Fprintf(w, "  subgraph %s [%q]\n", id("node_"+n.Name), n.Name+" "+n.Address.String())
		for _, nw := range networksOf(s, n.Name) {
			fmt.Fprintf(w, "    %s[%q]\n", id(n.Name+"_"+nw), nw)
		}
		for _, c := range s.Containers {
			if c.Node != n.Name {
				continue
			}
			for _, a := range c.Networks {
				fmt.Fprintf(w, "    %s([%q]) --- %s\n", id(c.Name), c.Name, id(n.Name+"_"+a.Network))
			}
		}
		fmt.Fprintln(w, "  end")
		fmt.Fprintf(w, "  %s --- %s\n", id("node_"+n.Name), underlayName)
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
