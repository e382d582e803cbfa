package tcp_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/sim/tcp"
)

// A half-closed connection (we sent FIN) stays up while the peer keeps
// sending, past FinTimeout.
func TestHalfCloseOutlivesFinTimeoutWhilePeerTalks(t *testing.T) {
	p := newPair(t, 1)
	var srv *tcp.Conn
	require.NoError(t, p.b.Listen(80, func(c *tcp.Conn) { srv = c }))
	c, err := p.dial(t, 80, tcp.DialOptions{})
	require.NoError(t, err)
	var s sink
	s.attach(p.loop, c)
	c.Close() // half-close: "data from the peer is still delivered until its FIN"
	p.run(t, time.Second, func() bool { return false })
	for i := 0; i < 10; i++ {
		srv.Write([]byte("tick\n"))
		p.run(t, 10*time.Second, func() bool { return false })
	}
	require.False(t, s.closed, "connection ended while the peer was still sending (state %s, err %v)", c.State(), s.err)
	require.Equal(t, 10*len("tick\n"), s.buf.Len(), "every tick delivered")
}
