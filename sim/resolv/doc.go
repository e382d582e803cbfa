// Package resolv is the DNS stub resolver of vswitch's simulated hosts,
// with the semantics of glibc's resolver and resolv.conf(5), on miekg/dns
// messages.
//
// What it follows: at most three nameservers, tried in order (or rotated
// with "options rotate"), each attempt waiting glibc's per-server timeout
// (Timeout for the first server, Timeout<<i/len(servers) for server i > 0,
// as glibc's send_dg computes it), Attempts rounds over the servers; the
// search list and ndots (a name with at least ndots dots is tried as-is
// first, otherwise last; a trailing dot makes it absolute); NXDOMAIN and
// NODATA move on to the next candidate name, SERVFAIL and REFUSED (and
// silence) to the next server, and a name that only got SERVFAIL moves on
// to the next candidate as glibc does, while one that got no answer at all
// ends the lookup with ErrTimeout; a truncated UDP answer is asked again
// over TCP to the same server; query IDs come from the loop's seeded
// random stream. ParseResolvConf reads resolv.conf text.
//
// Config.Musl switches to musl libc's rules (Alpine): its search order and
// res_msend, which asks every server at once, again every
// Timeout/Attempts, and gives up after Timeout in all, accepting only
// NOERROR and NXDOMAIN answers.
//
// The package never imports the host package: it uses the small [UDP]
// interface, which a simulated host satisfies, and *tcp.Stack for the TCP
// retry.
//
// Concurrency: nothing here is safe for concurrent use. Lookups run on the
// sim.Loop's goroutine, several at once if wanted; done is called once,
// always from a loop event.
//
// Ownership: the Result handed to done, with its messages and records,
// belongs to the callee.
package resolv
