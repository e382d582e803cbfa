package dnsd

import (
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Defaults used when the matching Config field is zero.
const (
	DefaultTTL              = 600
	DefaultMaxInFlight      = 1024
	DefaultUpstreamTimeout  = 4 * time.Second
	DefaultMaxUpstreams     = 3
	DefaultCacheSize        = 1024
	DefaultCacheMaxTTL      = time.Hour
	DefaultLogSize          = 1024
	DefaultHealthBackoff    = 10 * time.Second
	DefaultHealthMaxBackoff = 5 * time.Minute
	DefaultEDNSSize         = 1232
)

// Errors returned by the record-management methods; callers branch on them
// with errors.Is.
var (
	ErrInvalidEndpoint  = errors.New("dnsd: invalid endpoint")
	ErrEndpointExists   = errors.New("dnsd: endpoint already exists")
	ErrEndpointNotFound = errors.New("dnsd: endpoint not found")
	ErrAddressInUse     = errors.New("dnsd: address already in use on network")
	ErrNetworkInUse     = errors.New("dnsd: network has endpoints")
	ErrInvalidUpstream  = errors.New("dnsd: invalid upstream address")
)

// ErrTimeout is what an Exchanger reports when an upstream did not answer
// within the timeout it was given. Any other error is treated the same way.
var ErrTimeout = errors.New("dnsd: upstream timeout")

// Exchanger sends a query to an upstream server. It must call done exactly
// once, with the response or an error, after at most timeout (reporting
// ErrTimeout when it expires); done may be called from any goroutine,
// before or after Exchange returns. q is borrowed until done is called and
// must not be modified; the response passed to done belongs to the server.
// Retrying over TCP after a truncated UDP answer is the Exchanger's job.
type Exchanger interface {
	Exchange(q *dns.Msg, upstream netip.AddrPort, timeout time.Duration, done func(*dns.Msg, error))
}

// Config configures a Server. Zero fields take the defaults above.
type Config struct {
	// TTL of every internal record, in seconds (600).
	TTL uint32
	// MaxInFlight caps the forwarded queries waiting for an upstream; more
	// are answered REFUSED (1024).
	MaxInFlight int
	// UpstreamTimeout is passed to the Exchanger for each attempt (4 s).
	UpstreamTimeout time.Duration
	// MaxUpstreams is how many upstreams a query may try (3).
	MaxUpstreams int
	// CacheSize bounds the number of cached upstream answers (1024);
	// negative disables the cache.
	CacheSize int
	// CacheMaxTTL caps how long an answer stays cached (1 h).
	CacheMaxTTL time.Duration
	// LogSize bounds the query log ring (1024); negative disables the log.
	LogSize int
	// HealthBackoff is how long an upstream is demoted after its first
	// consecutive failure; it doubles with each further failure up to
	// HealthMaxBackoff (10 s and 5 min).
	HealthBackoff    time.Duration
	HealthMaxBackoff time.Duration
	// EDNSSize is the UDP payload size advertised in the OPT record of
	// answers to EDNS0 queries (1232).
	EDNSSize uint16
	// Rand shuffles answers. It is used under the server's lock only. Nil
	// means a fixed-seed PCG, so runs stay reproducible.
	Rand *rand.Rand
	// Now returns the current time as a duration since an arbitrary epoch
	// (virtual time in the simulator). Nil means time stands still at 0,
	// which freezes cache expiry and upstream back-off.
	Now func() time.Duration
	// Exchanger forwards queries; nil means no upstream can be reached, so
	// unknown names get SERVFAIL.
	Exchanger Exchanger
	// NodeUpstreams are the node's resolvers, used for sandboxes without
	// --dns. A zero port means 53.
	NodeUpstreams []netip.AddrPort
	// Logger receives debug messages about upstream failures. Nil discards.
	Logger *slog.Logger
}

// Client identifies the querying endpoint: the network the query arrived on
// and its source address. TCP selects the transport the answer goes back
// on: UDP answers are truncated to the client's limit, TCP ones are not.
type Client struct {
	Network string
	Addr    netip.Addr
	TCP     bool
}

// Endpoint is one container's presence on one network, as registered with
// AddEndpoint. At least one of IPv4 and IPv6 must be set.
type Endpoint struct {
	// Sandbox identifies the container the endpoint belongs to; a sandbox
	// sees the names of all its networks. Empty means Name.
	Sandbox  string
	Network  string
	Name     string
	Aliases  []string
	ShortID  string
	Hostname string
	IPv4     netip.Addr
	IPv6     netip.Addr
}

// SandboxConfig holds a sandbox's resolver settings.
type SandboxConfig struct {
	// DNS is the --dns list; when not empty it replaces the node's
	// upstreams. A zero port means 53.
	DNS []netip.AddrPort
	// NdotsSet records that the user gave an ndots option: A and AAAA
	// queries for unknown single-label names then get an empty NOERROR.
	NdotsSet bool
}

// NetworkConfig holds a network's properties that matter to DNS.
type NetworkConfig struct {
	// Internal networks have no way out; a sandbox whose networks are all
	// internal does not forward to the node's upstreams.
	Internal bool
}

// Server is the embedded DNS server. It is safe for concurrent use.
type Server struct {
	cfg     Config
	now     func() time.Duration
	log     *slog.Logger
	noFast  bool // tests: force the miekg path
	respTTL uint32

	// mu guards every field below. It is never held while calling the
	// Exchanger or a done callback.
	mu        sync.Mutex
	rand      *rand.Rand
	nets      map[string]*network
	sandboxes map[string]*sandbox
	nodeUps   []netip.AddrPort
	inFlight  int
	cache     *cache
	health    map[netip.AddrPort]*health
	ring      ring
	ctr       Counters
	addrs     []netip.Addr // scratch for the fast path
}

// New returns a Server configured by cfg. It starts nothing.
func New(cfg Config) *Server {
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.UpstreamTimeout <= 0 {
		cfg.UpstreamTimeout = DefaultUpstreamTimeout
	}
	if cfg.MaxUpstreams <= 0 {
		cfg.MaxUpstreams = DefaultMaxUpstreams
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.CacheMaxTTL <= 0 {
		cfg.CacheMaxTTL = DefaultCacheMaxTTL
	}
	if cfg.LogSize == 0 {
		cfg.LogSize = DefaultLogSize
	}
	if cfg.HealthBackoff <= 0 {
		cfg.HealthBackoff = DefaultHealthBackoff
	}
	if cfg.HealthMaxBackoff <= 0 {
		cfg.HealthMaxBackoff = DefaultHealthMaxBackoff
	}
	if cfg.HealthMaxBackoff < cfg.HealthBackoff {
		cfg.HealthMaxBackoff = cfg.HealthBackoff
	}
	if cfg.EDNSSize == 0 {
		cfg.EDNSSize = DefaultEDNSSize
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 2))
	}
	s := &Server{
		cfg:       cfg,
		now:       cfg.Now,
		log:       cfg.Logger,
		respTTL:   cfg.TTL,
		rand:      cfg.Rand,
		nets:      make(map[string]*network),
		sandboxes: make(map[string]*sandbox),
		health:    make(map[netip.AddrPort]*health),
	}
	if s.now == nil {
		s.now = func() time.Duration { return 0 }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if cfg.CacheSize > 0 {
		s.cache = newCache(cfg.CacheSize)
	}
	if cfg.LogSize > 0 {
		s.ring.slots = make([]logSlot, cfg.LogSize)
	}
	s.nodeUps = normalizeUpstreams(cfg.NodeUpstreams)
	s.cfg.NodeUpstreams = nil
	return s
}

// SetNodeUpstreams replaces the node's upstream resolvers. Addresses that
// are not valid are ignored; a zero port means 53.
func (s *Server) SetNodeUpstreams(ups []netip.AddrPort) {
	n := normalizeUpstreams(ups)
	s.mu.Lock()
	s.nodeUps = n
	s.mu.Unlock()
}

func normalizeUpstreams(ups []netip.AddrPort) []netip.AddrPort {
	out := make([]netip.AddrPort, 0, len(ups))
	for _, u := range ups {
		if !u.Addr().IsValid() {
			continue
		}
		if u.Port() == 0 {
			u = netip.AddrPortFrom(u.Addr(), 53)
		}
		out = append(out, u)
	}
	return out
}

// Counters are the server's event counts since New. Drops are split by
// reason.
type Counters struct {
	Queries       uint64 // queries received, dropped ones included
	Internal      uint64 // answered from registered names
	FastPath      uint64 // of those, answered by ServeWire's fast path
	Ndots         uint64 // empty NOERROR for a single-label name (ndots set)
	CacheHits     uint64 // answered from the cache
	Forwarded     uint64 // queries sent upstream (each counted once)
	Upstream      uint64 // answered by an upstream
	Attempts      uint64 // upstream exchanges started
	UpstreamFail  uint64 // timeouts and I/O errors from upstreams
	UpstreamRcode uint64 // SERVFAIL or REFUSED from upstreams
	LateReplies   uint64 // exchanger callbacks for finished exchanges
	ServFail      uint64 // SERVFAIL sent: every upstream failed, or none
	Refused       uint64 // REFUSED sent: in-flight cap or unknown client
	UnknownClient uint64 // of those, from an unregistered client
	FormErr       uint64 // FORMERR sent
	NotImp        uint64 // NOTIMP sent (opcode other than QUERY)
	Truncated     uint64 // UDP answers truncated with TC set
	DropShort     uint64 // dropped: shorter than a DNS header
	DropResponse  uint64 // dropped: QR set (a response, not a query)
	DropPack      uint64 // dropped: an answer that could not be packed
	CacheEvicted  uint64 // cache entries evicted for space
}

// Counters returns a snapshot of the counters.
func (s *Server) Counters() Counters {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ctr
}
