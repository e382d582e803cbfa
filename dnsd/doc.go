// Package dnsd is vswitch's embedded DNS server core: the resolver that
// Docker runs at 127.0.0.11 in every container on a user-defined network,
// as a pure library. The simulator calls it directly; the daemon wraps it in
// miekg/dns servers (UDP and TCP) and supplies real upstream I/O.
//
// # What it answers
//
// Endpoints are registered per network with [Server.AddEndpoint]: container
// name, network aliases, 12-character short ID and hostname, with an IPv4
// and/or IPv6 address. A query comes from a [Client], the querying endpoint,
// identified by its network and source address; the client sees the names
// on every network of its sandbox (its container) and nothing else. The
// rules are Docker's (ln/resolver.go, ln/sandbox.go):
//
//   - lookup is case-insensitive; on each of the sandbox's networks, in the
//     order the sandbox joined them, container names, short IDs, hostnames
//     and network aliases form one record set (libnetwork's service
//     records), and the first network holding the name answers with every
//     endpoint holding it there. (libnetwork's "aliases first" pass, which
//     the reference describes, reads legacy --link aliases only;
//     Sandbox.resolveName checks ep.aliases, not network aliases.);
//   - "a.b" also resolves as name "a" on network "b" (and "a.b.c" as "a.b"
//     on "c" and "a" on "b.c"); network names compare case-insensitively;
//   - every address of a name is answered, shuffled on each query by the
//     seeded *rand.Rand of [Config]; TTL 600 for every record;
//   - PTR for an endpoint's address answers "<name>.<network>." with the
//     container name;
//   - AAAA for a name that has only IPv4 addresses (and A for an IPv6-only
//     name) is an empty NOERROR, not forwarded; MX for a known name is an
//     empty NOERROR;
//   - if the sandbox set ndots ([SandboxConfig.NdotsSet]), an A or AAAA
//     query for an unknown single-label name gets an empty NOERROR so that
//     the stub moves on to its search domains;
//   - everything else is forwarded, so the server never answers NXDOMAIN
//     itself.
//
// SRV records ("_port._proto.svc") belong to swarm services, which arrive
// with the overlay and service issues; until then SRV queries are forwarded,
// which is also what Docker does for names that are not services.
//
// The default bridge network has no embedded DNS: the network layer never
// registers its endpoints here, so containers on it cannot resolve each
// other by name (Docker's serviceDiscoveryOnDefaultNetwork is false).
//
// A client whose (network, address) is not registered is refused (REFUSED):
// only containers on user-defined networks have this resolver.
//
// # Forwarding
//
// Unknown names go to the sandbox's --dns servers if it has any, else to the
// node's ([Config.NodeUpstreams]); at most [Config.MaxUpstreams] (3) of
// them, each tried once with [Config.UpstreamTimeout] (4 s). A timeout, an
// I/O error, SERVFAIL or REFUSED moves on to the next one; any other answer,
// NXDOMAIN included, is returned to the client. When every upstream failed,
// or there is none, the client gets SERVFAIL. More than
// [Config.MaxInFlight] (1024) forwarded queries waiting at once: REFUSED.
// When every network of the sandbox is internal, the node's upstreams are
// skipped (Docker forwards from the host namespace only for sandboxes with
// external access); --dns servers are still tried.
//
// The node's own resolv.conf handling (dropping loopback servers, falling
// back to 8.8.8.8 and 8.8.4.4) belongs to the caller that fills
// NodeUpstreams.
//
// Better than Docker:
//
//   - A size-bounded LRU cache of upstream answers, keyed by name, type,
//     class and the upstream list. Positive answers live for their smallest
//     answer TTL; NXDOMAIN and NODATA answers live for min(SOA TTL, SOA
//     MINIMUM) from the authority section (RFC 2308) and are not cached
//     without an SOA. SERVFAIL and truncated answers are never cached.
//     Lifetimes are capped by [Config.CacheMaxTTL]; served TTLs count down.
//   - Upstream health. A timeout or I/O error demotes an upstream for a
//     back-off period: [Config.HealthBackoff] (10 s) after its first failure,
//     doubling with each consecutive failure up to [Config.HealthMaxBackoff]
//     (5 min). Queries try upstreams that are not demoted first, in the
//     configured order, then the demoted ones, soonest-recovering first, so
//     a dead upstream no longer costs every query a 4 s timeout, yet nothing
//     is skipped entirely. When its back-off ends the upstream takes its
//     place again: the next query probes it. Any DNS answer, SERVFAIL and
//     REFUSED included (the server is alive), clears its record.
//
// # Transports
//
// [Server.Resolve] takes and returns miekg/dns messages. [Server.ServeWire]
// takes raw DNS messages (no TCP length prefix) and has a fast path for the
// common case (one question, A or AAAA, class IN, an internal name) that
// parses the question and writes the answer straight into the caller's
// buffer without building dns.Msg values; everything else goes through
// miekg. Both paths give byte-identical answers. UDP answers larger than
// the client's limit (512, or its EDNS0 size) are truncated the way
// dns.Msg.Truncate does it, with TC set; TCP clients get the whole answer.
// Malformed queries get FORMERR when an ID can be read, and are dropped
// (counted) otherwise; queries that are responses (QR set) are dropped.
//
// The [Exchanger] owns the upstream transport: it sends the query, retries
// over TCP when an upstream's UDP answer is truncated, and enforces the
// timeout it is given, reporting ErrTimeout (or any error) through done.
//
// # Time, randomness, goroutines
//
// The package never reads the wall clock, touches the OS or starts a
// goroutine. Time comes from [Config.Now], randomness from [Config.Rand].
//
// # Concurrency
//
// A [Server] is safe for concurrent use: one mutex guards its tables, cache,
// health memory, RNG, log and counters, and is never held while calling the
// Exchanger or a done callback. The Exchanger's done may be called from any
// goroutine, synchronously inside Exchange or later; a second call for the
// same exchange is ignored. Answers from internal names, the cache or the
// server itself call done synchronously, before Resolve or ServeWire
// returns; forwarded queries call it later, from the goroutine that
// delivers the upstream's reply.
//
// # Ownership
//
// Resolve borrows the query for the call (it copies what it forwards) and
// hands the response to done; the caller owns it. ServeWire borrows the
// query for the call; out is the buffer the answer is written into and
// belongs to the server until done is called, which may be after ServeWire
// returns (pass nil, or a buffer per query, when that matters). done's
// argument aliases out when the answer fits in cap(out) and is freshly
// allocated otherwise; nil means the query was dropped.
package dnsd
