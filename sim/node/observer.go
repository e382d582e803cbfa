package node

import (
	"slices"

	"github.com/vswitch/vswitch/dnsd"
	"github.com/vswitch/vswitch/network"
)

// observer builds the data plane from the controller's changes. It is a
// separate type so that the Observer methods stay out of Node's API.
type observer struct{ n *Node }

var _ network.Observer = (*observer)(nil)

func (o *observer) NetworkCreated(nw *network.Network) {
	n := o.n
	if nw.DriverName() == network.DriverBridge {
		p := n.newPlane(nw)
		n.planes = append(n.planes, p)
		n.planeByID[nw.ID()] = p
		n.setNATHooks()
	}
	if nw.EmbeddedDNS() {
		n.dns.SetNetwork(nw.Name(), dnsd.NetworkConfig{Internal: nw.Internal()})
	}
}

func (o *observer) NetworkRemoved(nw *network.Network) {
	n := o.n
	if p := n.planeByID[nw.ID()]; p != nil {
		p.destroy()
		delete(n.planeByID, nw.ID())
		n.planes = slices.DeleteFunc(n.planes, func(x *plane) bool { return x == p })
		n.setNATHooks()
	}
	if nw.EmbeddedDNS() {
		_ = n.dns.RemoveNetwork(nw.Name())
	}
}

func (o *observer) SandboxCreated(sb *network.Sandbox) {
	n := o.n
	c := n.newContainer(sb)
	n.containers = append(n.containers, c)
	n.bySandbox[sb] = c
}

func (o *observer) SandboxRemoved(sb *network.Sandbox) {
	n := o.n
	c := n.bySandbox[sb]
	if c == nil {
		return
	}
	n.unpublish(c)
	c.removed = true
	delete(n.bySandbox, sb)
	n.containers = slices.DeleteFunc(n.containers, func(x *Container) bool { return x == c })
	if c.owner == nil && !sb.HostMode() {
		n.dns.RemoveSandbox(sb.ID())
	}
}

func (o *observer) EndpointJoined(ep *network.Endpoint) {
	if c := o.n.bySandbox[ep.Sandbox()]; c != nil {
		c.join(ep)
	}
}

func (o *observer) EndpointLeft(ep *network.Endpoint) {
	if c := o.n.bySandbox[ep.Sandbox()]; c != nil {
		c.leave(ep)
	}
}
