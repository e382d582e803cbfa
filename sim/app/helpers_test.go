package app

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/tcp"
	"github.com/vswitch/vswitch/sim/tcp/tcptest"
)

var (
	clientAddr = netip.MustParseAddr("10.0.0.1")
	serverAddr = netip.MustParseAddr("10.0.0.2")
	nobody     = netip.MustParseAddr("10.0.0.99")
)

// env is a client host and a server host, each with a TCP stack, on a fake
// network with a 1 ms delay.
type env struct {
	loop   *sim.Loop
	net    *tcptest.Net
	ch, sh *tcptest.Host
	cs, ss *tcp.Stack
}

func newEnv(t testing.TB) *env {
	t.Helper()
	loop := sim.NewLoop(1)
	loop.SetLimits(10_000_000, time.Hour)
	n := tcptest.NewNet(loop)
	e := &env{loop: loop, net: n, ch: n.AddHost("client", clientAddr), sh: n.AddHost("server", serverAddr)}
	e.cs, e.ss = tcp.NewStack(e.ch), tcp.NewStack(e.sh)
	return e
}

// runUntil runs the loop until cond holds, at most limit of virtual time.
func (e *env) runUntil(t testing.TB, limit time.Duration, cond func() bool) bool {
	t.Helper()
	ok, err := e.loop.RunUntil(e.loop.Now()+limit, cond)
	require.NoError(t, err)
	return ok
}

// get runs Get to the server and waits for done.
func (e *env) get(t testing.TB, port uint16, path string, timeout time.Duration) (Response, error, time.Duration) {
	t.Helper()
	var (
		resp Response
		err  error
		done bool
	)
	start := e.loop.Now()
	Get(e.cs, netip.AddrPortFrom(serverAddr, port), "server", path, timeout, func(r Response, er error) {
		require.False(t, done, "done called twice")
		resp, err, done = r, er, true
	})
	require.False(t, done, "done called synchronously")
	require.True(t, e.runUntil(t, time.Hour, func() bool { return done }))
	return resp, err, e.loop.Now() - start
}
