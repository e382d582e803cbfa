package app

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/sim/tcp"
)

// exchange runs UDPExchange from the client and waits for done.
func (e *env) exchange(t *testing.T, dst netip.AddrPort, data []byte, timeout time.Duration) ([]byte, error, time.Duration) {
	t.Helper()
	var (
		reply []byte
		err   error
		done  int
		at    time.Duration
	)
	start := e.loop.Now()
	UDPExchange(e.ch, dst, data, timeout, func(r []byte, er error) { reply, err, at = r, er, e.loop.Now(); done++ })
	require.Zero(t, done, "done called synchronously")
	e.runUntil(t, time.Minute, func() bool { return false })
	require.Equal(t, 1, done)
	return reply, err, at - start
}

func TestUDPEcho(t *testing.T) {
	e := newEnv(t)
	require.NoError(t, ServeUDPEcho(e.sh, 7))
	assert.Error(t, ServeUDPEcho(e.sh, 7), "port in use")

	var at time.Duration
	UDPExchange(e.ch, netip.AddrPortFrom(serverAddr, 7), []byte("hi"), time.Second, func(r []byte, err error) {
		require.NoError(t, err)
		assert.Equal(t, "hi", string(r))
		at = e.loop.Now()
	})
	e.runUntil(t, time.Minute, func() bool { return false })
	assert.Equal(t, 2*time.Millisecond, at, "one round trip")

	// The ephemeral port is released.
	reply, err, _ := e.exchange(t, netip.AddrPortFrom(serverAddr, 7), []byte("again"), time.Second)
	require.NoError(t, err)
	assert.Equal(t, "again", string(reply))
}

func TestUDPExchangeTimeout(t *testing.T) {
	tests := []struct {
		name    string
		dst     netip.AddrPort
		timeout time.Duration
		wantAt  time.Duration
	}{
		{"closed port", netip.AddrPortFrom(serverAddr, 9), time.Second, time.Second},
		{"no host", netip.AddrPortFrom(nobody, 7), 300 * time.Millisecond, 300 * time.Millisecond},
		{"default timeout", netip.AddrPortFrom(nobody, 7), 0, DefaultTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			reply, err, at := e.exchange(t, tc.dst, []byte("x"), tc.timeout)
			assert.Nil(t, reply)
			assert.ErrorIs(t, err, ErrTimeout)
			assert.Equal(t, tc.wantAt, at)
		})
	}
}

func TestUDPExchangeIgnoresOthers(t *testing.T) {
	// A datagram from another address or port is not the reply.
	e := newEnv(t)
	require.NoError(t, e.sh.ListenUDP(7, func(from, to netip.AddrPort, data []byte) {
		e.sh.SendUDP(netip.AddrPortFrom(serverAddr, 8), from, []byte("wrong port"))
		e.loop.After(time.Millisecond, func() { e.sh.SendUDP(to, from, []byte("right")) })
	}))
	reply, err, _ := e.exchange(t, netip.AddrPortFrom(serverAddr, 7), []byte("x"), time.Second)
	require.NoError(t, err)
	assert.Equal(t, "right", string(reply))
}

func TestTCPEcho(t *testing.T) {
	e := newEnv(t)
	e.net.Loss = 0.05
	require.NoError(t, ServeTCPEcho(e.ss, 7))
	var (
		got    bytes.Buffer
		closed bool
	)
	msg := bytes.Repeat([]byte("echo "), 20000)
	e.cs.Dial(netip.AddrPortFrom(serverAddr, 7), tcp.DialOptions{}, func(c *tcp.Conn, err error) {
		require.NoError(t, err)
		c.OnData(func(b []byte) {
			got.Write(b)
			if got.Len() == len(msg) {
				c.Close()
			}
		})
		c.OnClose(func(err error) { assert.NoError(t, err); closed = true })
		c.Write(msg)
	})
	require.True(t, e.runUntil(t, time.Hour, func() bool { return closed }))
	assert.Equal(t, msg, got.Bytes())
	e.runUntil(t, time.Minute, func() bool { return e.cs.NumConns()+e.ss.NumConns() == 0 })
	assert.Zero(t, e.cs.NumConns()+e.ss.NumConns())
}
