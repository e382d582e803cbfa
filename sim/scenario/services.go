package scenario

import (
	"fmt"
	"net/netip"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim/app"
)

// services are the servers a host runs, and the hooks its steps use.
type services struct {
	// onICMPError, when set, sees the ICMP errors the host receives: udp
	// steps use it to notice "port unreachable".
	onICMPError func(typ, code uint8, orig []byte)
}

func startServices(hn *hostNode, list []*Service) (*services, error) {
	svc := &services{}
	hn.h.HandleICMPError(func(typ, code uint8, _ uint16, orig []byte) {
		if svc.onICMPError != nil {
			svc.onICMPError(typ, code, orig)
		}
	})
	for _, s := range list {
		var err error
		switch {
		case s.HTTP != nil:
			h := app.Static(s.HTTP.Body)
			if s.HTTP.Status != 0 && s.HTTP.Status != 200 {
				status, body := s.HTTP.Status, []byte(s.HTTP.Body)
				h = func(*app.Request) app.Response { return app.Response{Status: status, Body: body} }
			}
			err = app.ServeHTTP(hn.tcp, s.HTTP.Port, h)
		case s.Echo != nil && s.Echo.Proto == "udp":
			err = app.ServeUDPEcho(hn.h, s.Echo.Port)
		case s.Echo != nil:
			err = app.ServeTCPEcho(hn.tcp, s.Echo.Port)
		case s.DNS != nil:
			records := make(map[string][]string, len(s.DNS.Records))
			for _, r := range s.DNS.Records {
				for _, a := range r.Addrs {
					records[r.Name] = append(records[r.Name], a.String())
				}
			}
			var zone app.DNSHandler
			zone, err = app.StaticZone(records)
			if err == nil {
				err = app.ServeDNS(hn.h, hn.tcp, s.DNS.Port, zone)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s service: %w", s.Kind(), err)
		}
	}
	return svc, nil
}

// quotedUDPDst returns the destination of the UDP datagram an ICMP error
// quotes.
func quotedUDPDst(orig []byte) (netip.AddrPort, bool) {
	ip := frame.IPv4(orig)
	if len(orig) < frame.IPv4MinLen || ip[0]>>4 != 4 || ip.Protocol() != frame.ProtoUDP {
		return netip.AddrPort{}, false
	}
	hl := ip.HeaderLen()
	if len(orig) < hl+4 {
		return netip.AddrPort{}, false
	}
	u := frame.UDP(orig[hl:])
	return netip.AddrPortFrom(ip.Dst(), u.DstPort()), true
}
