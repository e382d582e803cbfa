package dnsd

import (
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// cacheKey identifies a cached answer. The upstream list is part of the
// key: sandboxes with different --dns servers may see different answers;
// answers from a sandbox's own --dns servers are keyed by the sandbox too,
// since those are asked from its namespace. Node upstreams, asked from the
// node, are shared.
type cacheKey struct {
	name   string // lower-case, fully qualified
	qtype  uint16
	qclass uint16
	do     bool
	ups    string
}

type cacheEntry struct {
	key        cacheKey
	msg        *dns.Msg // as received, never handed out
	upstream   netip.AddrPort
	stored     time.Duration
	expires    time.Duration
	prev, next *cacheEntry // LRU list, most recent at head
}

// cache is a size-bounded LRU of upstream answers. It is guarded by the
// server's mutex.
type cache struct {
	max  int
	m    map[cacheKey]*cacheEntry
	head *cacheEntry
	tail *cacheEntry
}

func newCache(max int) *cache {
	return &cache{max: max, m: make(map[cacheKey]*cacheEntry)}
}

func (c *cache) unlink(e *cacheEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

func (c *cache) pushFront(e *cacheEntry) {
	e.next = c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

// get returns a live entry, dropping it if it has expired.
func (c *cache) get(k cacheKey, now time.Duration) *cacheEntry {
	e := c.m[k]
	if e == nil {
		return nil
	}
	if now >= e.expires {
		c.unlink(e)
		delete(c.m, k)
		return nil
	}
	c.unlink(e)
	c.pushFront(e)
	return e
}

// put stores an entry, evicting the least recently used one when full. It
// reports how many entries were evicted.
func (c *cache) put(e *cacheEntry) (evicted int) {
	if old := c.m[e.key]; old != nil {
		c.unlink(old)
		delete(c.m, e.key)
	}
	for len(c.m) >= c.max && c.tail != nil {
		t := c.tail
		c.unlink(t)
		delete(c.m, t.key)
		evicted++
	}
	c.m[e.key] = e
	c.pushFront(e)
	return evicted
}

func (c *cache) len() int { return len(c.m) }

// cacheTTL returns how long an upstream answer may be cached, and false if
// it may not: positive answers for their smallest answer TTL, NXDOMAIN and
// NODATA for min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); nothing else.
func cacheTTL(m *dns.Msg) (time.Duration, bool) {
	if m.Truncated {
		return 0, false
	}
	switch {
	case m.Rcode == dns.RcodeSuccess && len(m.Answer) > 0:
		ttl := ^uint32(0)
		for _, rr := range m.Answer {
			ttl = min(ttl, rr.Header().Ttl)
		}
		return time.Duration(ttl) * time.Second, ttl > 0
	case m.Rcode == dns.RcodeSuccess || m.Rcode == dns.RcodeNameError:
		for _, rr := range m.Ns {
			if soa, ok := rr.(*dns.SOA); ok {
				ttl := min(soa.Hdr.Ttl, soa.Minttl)
				return time.Duration(ttl) * time.Second, ttl > 0
			}
		}
	}
	return 0, false
}

// agedCopy returns a copy of a cached answer whose TTLs count down by the
// whole seconds elapsed since it was stored.
func agedCopy(e *cacheEntry, now time.Duration) *dns.Msg {
	m := e.msg.Copy()
	age := uint32((now - e.stored) / time.Second)
	for _, sec := range [][]dns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range sec {
			h := rr.Header()
			if h.Rrtype == dns.TypeOPT {
				continue
			}
			if h.Ttl > age {
				h.Ttl -= age
			} else {
				h.Ttl = 0
			}
		}
	}
	return m
}
