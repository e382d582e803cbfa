package node

import (
	"fmt"

	"github.com/vswitch/vswitch/sim/app"
)

// Service is a server to run in a container. Exactly one of HTTP,
// UDPEcho, TCPEcho and DNS is set (a port); the other fields refine it.
// What an image serves (nginx, httpd: HTTP on 80) is the caller's choice.
type Service struct {
	// HTTP serves GET on this port with Status (0: 200) and Body, or with
	// Handler when it is set.
	HTTP    uint16
	Status  int
	Body    string
	Handler app.Handler
	// UDPEcho and TCPEcho echo what they receive (RFC 862).
	UDPEcho uint16
	TCPEcho uint16
	// DNS serves Records (name to addresses, app.StaticZone) over UDP and
	// TCP.
	DNS     uint16
	Records map[string][]string
}

// kind names the service for errors.
func (s Service) kind() string {
	switch {
	case s.HTTP != 0:
		return fmt.Sprintf("http/%d", s.HTTP)
	case s.UDPEcho != 0:
		return fmt.Sprintf("echo udp/%d", s.UDPEcho)
	case s.TCPEcho != 0:
		return fmt.Sprintf("echo tcp/%d", s.TCPEcho)
	case s.DNS != 0:
		return fmt.Sprintf("dns/%d", s.DNS)
	}
	return "empty service"
}

// StartServices starts servers in a container's namespace (the node's own
// in host mode). It stops at the first service that cannot start (a port
// in use, a bad zone) and reports it, wrapping ErrService; the ones before
// it keep running.
func (n *Node) StartServices(container string, svcs ...Service) error {
	c, ok := n.Container(container)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNoContainer, container)
	}
	for _, s := range svcs {
		set := 0
		for _, p := range []uint16{s.HTTP, s.UDPEcho, s.TCPEcho, s.DNS} {
			if p != 0 {
				set++
			}
		}
		if set != 1 {
			return fmt.Errorf("%w: %s: %s: exactly one of HTTP, UDPEcho, TCPEcho and DNS must be set", ErrService, container, s.kind())
		}
		var err error
		switch {
		case s.HTTP != 0:
			h := s.Handler
			if h == nil {
				h = app.Static(s.Body)
				if s.Status != 0 && s.Status != 200 {
					status, body := s.Status, []byte(s.Body)
					h = func(*app.Request) app.Response { return app.Response{Status: status, Body: body} }
				}
			}
			err = app.ServeHTTP(c.TCP, s.HTTP, h)
		case s.UDPEcho != 0:
			err = app.ServeUDPEcho(c.Host, s.UDPEcho)
		case s.TCPEcho != 0:
			err = app.ServeTCPEcho(c.TCP, s.TCPEcho)
		default:
			var zone app.DNSHandler
			if zone, err = app.StaticZone(s.Records); err == nil {
				p := port53{c}
				err = app.ServeDNS(p, p, s.DNS, zone)
			}
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %s: %w", ErrService, container, s.kind(), err)
		}
	}
	return nil
}
