package app

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/tcp"
)

// UDP is what the services need from a host's UDP layer. *host.Host
// satisfies it; tests use tcptest.Host.
type UDP interface {
	// Loop returns the event loop that runs the host.
	Loop() *sim.Loop
	// ListenUDP registers fn for datagrams to port; data is borrowed.
	ListenUDP(port uint16, fn func(from, to netip.AddrPort, data []byte)) error
	// CloseUDP removes the listener on port.
	CloseUDP(port uint16)
	// SendUDP sends data (borrowed); an invalid from address means "by
	// route".
	SendUDP(from, to netip.AddrPort, data []byte) error
	// EphemeralPort returns a fresh local port.
	EphemeralPort() uint16
}

// ErrTimeout is returned when no answer came in time. Where a TCP connect
// timed out, the error also matches tcp.ErrTimeout.
var ErrTimeout = errors.New("timed out")

// DefaultTimeout is used where a timeout of 0 is given.
const DefaultTimeout = 5 * time.Second

// ServeUDPEcho answers every datagram to port with the same bytes (RFC
// 862).
func ServeUDPEcho(u UDP, port uint16) error {
	return u.ListenUDP(port, func(from, to netip.AddrPort, data []byte) {
		u.SendUDP(to, from, data)
	})
}

// ServeTCPEcho sends back everything received on connections to port
// (RFC 862) and closes each connection when its client does.
func ServeTCPEcho(st *tcp.Stack, port uint16) error {
	return st.Listen(port, func(c *tcp.Conn) {
		c.OnData(func(b []byte) { c.Write(b) })
		c.OnClose(func(err error) {
			if err == nil {
				c.Close()
			}
		})
	})
}

// UDPExchange sends data from a fresh ephemeral port to dst and calls done
// with the first datagram that comes back from dst (a copy), or with
// ErrTimeout after timeout (0 means DefaultTimeout). done runs once, from
// a loop event.
func UDPExchange(u UDP, dst netip.AddrPort, data []byte, timeout time.Duration, done func(reply []byte, err error)) {
	loop := u.Loop()
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	port := u.EphemeralPort()
	finished := false
	var timer *sim.Timer
	finish := func(reply []byte, err error) {
		if finished {
			return
		}
		finished = true
		timer.Stop()
		u.CloseUDP(port)
		done(reply, err)
	}
	timer = loop.NewTimer(func() { finish(nil, fmt.Errorf("udp %v: %w", dst, ErrTimeout)) })
	err := u.ListenUDP(port, func(from, _ netip.AddrPort, b []byte) {
		if from != dst {
			return
		}
		reply := append([]byte(nil), b...)
		// Finish from a fresh event so that done never runs inside the
		// host's receive path.
		loop.After(0, func() { finish(reply, nil) })
	})
	if err != nil {
		loop.After(0, func() { done(nil, fmt.Errorf("udp %v: %w", dst, err)) })
		return
	}
	timer.Reset(timeout)
	if err := u.SendUDP(netip.AddrPortFrom(netip.Addr{}, port), dst, data); err != nil {
		loop.After(0, func() { finish(nil, fmt.Errorf("udp %v: %w", dst, err)) })
	}
}
