package dnsd

import (
	"net/netip"
	"slices"
	"time"
)

// health is the failure memory of one upstream. Healthy upstreams have no
// entry, so the map holds only upstreams that failed recently.
type health struct {
	failures  int           // consecutive timeouts or I/O errors
	downUntil time.Duration // demoted until then
}

// order returns the upstreams in the order a query tries them: those not
// demoted at now in configured order, then the demoted ones, soonest
// recovering first (configured order breaks ties).
func (s *Server) order(ups []netip.AddrPort, now time.Duration) []netip.AddrPort {
	out := make([]netip.AddrPort, 0, len(ups))
	var down []netip.AddrPort
	for _, u := range ups {
		if h := s.health[u]; h != nil && h.downUntil > now {
			down = append(down, u)
			continue
		}
		out = append(out, u)
	}
	slices.SortStableFunc(down, func(a, b netip.AddrPort) int {
		return int(s.health[a].downUntil - s.health[b].downUntil)
	})
	return append(out, down...)
}

// failed demotes u after a timeout or I/O error: the back-off doubles with
// each consecutive failure, from HealthBackoff up to HealthMaxBackoff.
func (s *Server) failed(u netip.AddrPort, now time.Duration) {
	h := s.health[u]
	if h == nil {
		h = &health{}
		s.health[u] = h
	}
	h.failures++
	d := s.cfg.HealthBackoff
	for i := 1; i < h.failures && d < s.cfg.HealthMaxBackoff; i++ {
		d *= 2
	}
	d = min(d, s.cfg.HealthMaxBackoff)
	h.downUntil = now + d
	s.log.Debug("[resolver] upstream demoted", "upstream", u, "failures", h.failures, "for", d)
}

// alive clears u's failure memory: it answered.
func (s *Server) alive(u netip.AddrPort) {
	delete(s.health, u)
}

// UpstreamHealth describes a demoted upstream.
type UpstreamHealth struct {
	Upstream  netip.AddrPort
	Failures  int
	DownUntil time.Duration
}

// Health returns the upstreams with a failure record, sorted by address.
func (s *Server) Health() []UpstreamHealth {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]UpstreamHealth, 0, len(s.health))
	for u, h := range s.health {
		out = append(out, UpstreamHealth{Upstream: u, Failures: h.failures, DownUntil: h.downUntil})
	}
	slices.SortFunc(out, func(a, b UpstreamHealth) int { return a.Upstream.Compare(b.Upstream) })
	return out
}
