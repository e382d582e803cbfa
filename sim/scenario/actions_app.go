package scenario

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vswitch/vswitch/internal/frame"
	"github.com/vswitch/vswitch/sim/app"
)

func (r *runner) http(h *HTTPStep) (outcome, error) {
	o := outcome{desc: fmt.Sprintf("http %s %s", h.From, h.URL)}
	hn, err := r.source(h.From)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	dst, err := r.target(hn, h.Host)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	var resp app.Response
	var gerr error
	done := false
	app.Get(hn.tcp, netip.AddrPortFrom(dst, h.Port), hostHeader(h.Host, h.Port), h.Path, h.Timeout, func(rs app.Response, err error) {
		resp, gerr, done = rs, err, true
	})
	if err := r.await(&done); err != nil {
		return o, err
	}
	if gerr != nil {
		o.failed = gerr.Error()
		return o, nil
	}
	body := strings.TrimSpace(string(resp.Body))
	o.summary = fmt.Sprintf("%d %s, %d bytes", resp.Status, resp.Reason, len(resp.Body))
	e := h.Expect
	if e.Status != nil {
		if !e.Status.Match(int64(resp.Status)) {
			o.mismatch("status: want %s, got %d", e.Status, resp.Status)
		}
	} else if resp.Status < 200 || resp.Status > 299 {
		o.mismatch("status: want 2xx, got %d", resp.Status)
	}
	if e.Body != nil && body != strings.TrimSpace(*e.Body) {
		o.mismatch("body: want %q, got %q", *e.Body, body)
	}
	if e.BodyContains != nil && !strings.Contains(string(resp.Body), *e.BodyContains) {
		o.mismatch("body_contains: want %q in %q", *e.BodyContains, body)
	}
	return o, nil
}

func (r *runner) udp(u *UDPStep) (outcome, error) {
	o := outcome{desc: fmt.Sprintf("udp %s -> %s %q", u.From, u.To, u.Data)}
	hn, err := r.source(u.From)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	dst, err := r.target(hn, u.Host)
	if err != nil {
		o.failed = err.Error()
		return o, nil
	}
	to := netip.AddrPortFrom(dst, u.Port)
	var reply []byte
	var xerr error
	done, unreachable := false, false
	hn.svc.onICMPError = func(typ, code uint8, orig []byte) {
		if d, ok := quotedUDPDst(orig); ok && d == to && typ == frame.ICMPDestUnreach {
			unreachable = true
		}
	}
	defer func() { hn.svc.onICMPError = nil }()
	app.UDPExchange(hn.h, to, []byte(u.Data), u.Timeout, func(b []byte, err error) {
		reply, xerr, done = b, err, true
	})
	if _, err := r.loop.RunUntil(r.loop.Now()+stepBudget, func() bool { return done || unreachable }); err != nil {
		return o, err
	}
	timedOut := errors.Is(xerr, app.ErrTimeout)
	switch {
	case unreachable:
		o.summary = "port unreachable"
	case xerr != nil:
		o.summary = xerr.Error()
	default:
		o.summary = fmt.Sprintf("reply %q", reply)
	}
	e := u.Expect
	switch {
	case e.Unreachable != nil:
		if unreachable != *e.Unreachable {
			o.mismatch("unreachable: want %v, got %s", *e.Unreachable, o.summary)
		}
	case e.Timeout != nil:
		if timedOut != *e.Timeout || unreachable {
			o.mismatch("timeout: want %v, got %s", *e.Timeout, o.summary)
		}
	default:
		if unreachable || xerr != nil {
			o.failed = o.summary
		} else if e.Reply != nil && string(reply) != *e.Reply {
			o.mismatch("reply: want %q, got %q", *e.Reply, reply)
		}
	}
	// An exchange cut short by "unreachable" closes its port when its
	// own timer fires.
	return o, nil
}

// hostHeader is the Host header for a URL's host and port: RFC 7230 wants
// the port unless it is the default.
func hostHeader(host string, port uint16) string {
	if port == 80 {
		return host
	}
	return host + ":" + strconv.Itoa(int(port))
}
