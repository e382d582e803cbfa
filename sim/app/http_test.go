package app

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/sim/tcp"
)

func TestHTTPGet(t *testing.T) {
	tests := []struct {
		name       string
		handler    Handler
		path       string
		wantStatus int
		wantReason string
		wantBody   string
	}{
		{"static root", Static("hello from h1"), "/", 200, "OK", "hello from h1"},
		{"static any path", Static("it works"), "/a/b?c=d", 200, "OK", "it works"},
		{"static empty path", Static("x"), "", 200, "OK", "x"},
		{"pages hit", Pages(map[string]string{"/": "root", "/about": "about us"}), "/about?x=1", 200, "OK", "about us"},
		{"pages miss", Pages(map[string]string{"/": "root"}), "/missing", 404, "Not Found", "404 page not found\n"},
		{"not found", NotFound, "/", 404, "Not Found", "404 page not found\n"},
		{"custom", func(r *Request) Response {
			return Response{Status: 418, Header: Header{{"X-Path", r.Path()}, {"Content-Type", "text/html"}}, Body: []byte(r.Method + " " + r.Host())}
		}, "/tea", 418, "I'm a teapot", "GET server"},
		{"no content", func(*Request) Response { return Response{Status: 204} }, "/", 204, "No Content", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, ServeHTTP(e.ss, 80, tc.handler))
			resp, err, _ := e.get(t, 80, tc.path, 0)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, resp.Status)
			assert.Equal(t, tc.wantReason, resp.Reason)
			assert.Equal(t, tc.wantBody, string(resp.Body))
			assert.Equal(t, "HTTP/1.1", resp.Proto)
			assert.Equal(t, "close", resp.Header.Get("connection"))
			// Both ends close: the server after answering, the client
			// after reading; only the server's TIME_WAIT is left, then
			// nothing.
			e.runUntil(t, time.Minute, func() bool { return e.cs.NumConns() == 0 && e.ss.NumConns() == 0 })
			assert.Equal(t, 0, e.cs.NumConns())
			assert.Equal(t, 0, e.ss.NumConns())
		})
	}
}

func TestHTTPGetHeaders(t *testing.T) {
	e := newEnv(t)
	var got *Request
	require.NoError(t, ServeHTTP(e.ss, 8080, func(r *Request) Response {
		got = r
		return Response{Status: 200, Header: Header{{"X-Test", "1"}, {"Content-Length", "999"}}, Body: []byte("ok")}
	}))
	resp, err, _ := e.get(t, 8080, "/p", time.Second)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "GET", got.Method)
	assert.Equal(t, "/p", got.Target)
	assert.Equal(t, "server", got.Host())
	assert.Equal(t, "close", got.Header.Get("Connection"))
	assert.Equal(t, clientAddr, got.Remote.Addr())
	assert.Equal(t, "1", resp.Header.Get("x-test"))
	assert.Equal(t, "2", resp.Header.Get("Content-Length"), "the handler cannot override Content-Length")
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, "vsim", resp.Header.Get("Server"))
}

func TestHTTPGetErrors(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(e *env)
		dst    netip.Addr
		want   []error
		wantAt time.Duration
	}{
		{
			name: "refused", dst: serverAddr, want: []error{tcp.ErrRefused}, wantAt: 2 * time.Millisecond,
		},
		{
			name: "no host", dst: nobody, want: []error{ErrTimeout, tcp.ErrTimeout}, wantAt: 2 * time.Second,
		},
		{
			name: "server never answers", dst: serverAddr, want: []error{ErrTimeout}, wantAt: 2 * time.Second,
			setup: func(e *env) { require.NoError(t, e.ss.Listen(80, func(*tcp.Conn) {})) },
		},
		{
			name: "server resets", dst: serverAddr, want: []error{tcp.ErrReset}, wantAt: 4 * time.Millisecond,
			setup: func(e *env) {
				require.NoError(t, e.ss.Listen(80, func(c *tcp.Conn) { c.OnData(func([]byte) { c.Abort() }) }))
			},
		},
		{
			name: "garbage answer", dst: serverAddr, want: []error{ErrMalformed}, wantAt: 4 * time.Millisecond,
			setup: func(e *env) {
				require.NoError(t, e.ss.Listen(80, func(c *tcp.Conn) {
					c.OnData(func([]byte) { c.Write([]byte("SSH-2.0-OpenSSH\r\n\r\n")) })
				}))
			},
		},
		{
			name: "closed mid-body", dst: serverAddr, want: []error{ErrMalformed}, wantAt: 4 * time.Millisecond,
			setup: func(e *env) {
				require.NoError(t, e.ss.Listen(80, func(c *tcp.Conn) {
					c.OnData(func([]byte) { c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")); c.Close() })
				}))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(e)
			}
			var err error
			var at time.Duration
			done := false
			Get(e.cs, netip.AddrPortFrom(tc.dst, 80), "x", "/", 2*time.Second, func(_ Response, er error) { err, at, done = er, e.loop.Now(), true })
			e.runUntil(t, time.Minute, func() bool { return false })
			require.True(t, done)
			for _, w := range tc.want {
				assert.ErrorIs(t, err, w)
			}
			assert.Equal(t, tc.wantAt, at)
			assert.Equal(t, 0, e.cs.NumConns(), "client connections left")
		})
	}
}

func TestHTTPBodyUntilClose(t *testing.T) {
	// An HTTP/1.0-style answer without Content-Length ends at the close.
	e := newEnv(t)
	require.NoError(t, e.ss.Listen(80, func(c *tcp.Conn) {
		c.OnData(func([]byte) {
			c.Write([]byte("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\npart one, "))
			c.Write([]byte("part two"))
			c.Close()
		})
	}))
	resp, err, _ := e.get(t, 80, "/", 0)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, "part one, part two", string(resp.Body))
}

func TestHTTPLossy(t *testing.T) {
	e := newEnv(t)
	e.net.Loss = 0.05
	body := strings.Repeat("0123456789abcdef", 8192)
	require.NoError(t, ServeHTTP(e.ss, 80, Static(body)))
	resp, err, _ := e.get(t, 80, "/", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, body, string(resp.Body))
	assert.Positive(t, e.ss.Stats().Retransmits)
}

// rawClient dials the server and records everything it receives.
func rawClient(t *testing.T, e *env, port uint16) (*tcp.Conn, *bytes.Buffer, *bool) {
	t.Helper()
	var (
		conn   *tcp.Conn
		buf    bytes.Buffer
		closed bool
	)
	e.cs.Dial(netip.AddrPortFrom(serverAddr, port), tcp.DialOptions{}, func(c *tcp.Conn, err error) {
		require.NoError(t, err)
		conn = c
		c.OnData(func(b []byte) { buf.Write(b) })
		c.OnClose(func(error) { closed = true })
	})
	e.runUntil(t, time.Second, func() bool { return conn != nil })
	require.NotNil(t, conn)
	return conn, &buf, &closed
}

func TestHTTPServerKeepAlive(t *testing.T) {
	e := newEnv(t)
	n := 0
	require.NoError(t, ServeHTTP(e.ss, 80, func(r *Request) Response {
		n++
		return Response{Status: 200, Body: []byte(r.Method + r.Target + string(r.Body))}
	}))
	c, buf, closed := rawClient(t, e, 80)
	// Two pipelined requests, the second split across writes and with a
	// body, stay on one connection.
	c.Write([]byte("GET /one HTTP/1.1\r\nHost: s\r\n\r\nPOST /two HTTP/1.1\r\nHost: s\r\nContent-Len"))
	c.Write([]byte("gth: 3\r\n\r\nabc"))
	e.runUntil(t, time.Second, func() bool { return n == 2 })
	e.runUntil(t, 100*time.Millisecond, func() bool { return false })
	assert.False(t, *closed)
	r1, m, err := parseResponse(buf.Bytes(), false, false)
	require.NoError(t, err)
	r2, _, err := parseResponse(buf.Bytes()[m:], false, false)
	require.NoError(t, err)
	assert.Equal(t, "GET/one", string(r1.Body))
	assert.Equal(t, "POST/twoabc", string(r2.Body))
	assert.Equal(t, "", r1.Header.Get("Connection"))

	// HEAD: headers only.
	buf.Reset()
	c.Write([]byte("HEAD /h HTTP/1.1\r\nHost: s\r\n\r\n"))
	e.runUntil(t, time.Second, func() bool { return n == 3 })
	e.runUntil(t, 100*time.Millisecond, func() bool { return false })
	assert.True(t, strings.HasSuffix(buf.String(), "Content-Length: 6\r\n\r\n"), "got %q", buf.String())

	// HTTP/1.0 closes.
	buf.Reset()
	c.Write([]byte("GET /last HTTP/1.0\r\n\r\n"))
	e.runUntil(t, time.Second, func() bool { return *closed })
	assert.True(t, *closed)
	r3, _, err := parseResponse(buf.Bytes(), true, false)
	require.NoError(t, err)
	assert.Equal(t, "close", r3.Header.Get("Connection"))
}

func TestHTTPServerBadRequests(t *testing.T) {
	tests := []struct {
		name       string
		req        string
		wantStatus int
	}{
		{"garbage", "hello\r\n\r\n", 400},
		{"bad header", "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", 400},
		{"folded header", "GET / HTTP/1.1\r\nA: b\r\n  c\r\n\r\n", 400},
		{"bad version", "GET / HTTP/2.0\r\n\r\n", 505},
		{"chunked request", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
		{"bad length", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400},
		{"conflicting length", "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
		{"huge head", "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", MaxHeaderBytes) + "\r\n\r\n", 431},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			require.NoError(t, ServeHTTP(e.ss, 80, Static("never")))
			c, buf, closed := rawClient(t, e, 80)
			c.Write([]byte(tc.req))
			e.runUntil(t, time.Second, func() bool { return *closed })
			require.True(t, *closed, "server closes after an error")
			r, _, err := parseResponse(buf.Bytes(), true, false)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, r.Status)
			assert.NotEqual(t, "never", string(r.Body))
		})
	}
}

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		eof        bool
		wantErr    error
		wantStatus int
		wantBody   string
		wantUsed   int
	}{
		{name: "content length", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA", wantStatus: 200, wantBody: "hello", wantUsed: 43},
		{name: "incomplete head", in: "HTTP/1.1 200 OK\r\nContent-Le", wantErr: errIncomplete},
		{name: "incomplete body", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", wantErr: errIncomplete},
		{name: "eof mid body", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", eof: true, wantErr: ErrMalformed},
		{name: "until close", in: "HTTP/1.1 200 OK\r\n\r\nall of it", eof: true, wantStatus: 200, wantBody: "all of it", wantUsed: 28},
		{name: "until close, not yet", in: "HTTP/1.1 200 OK\r\n\r\nall of it", wantErr: errIncomplete},
		{name: "lf only", in: "HTTP/1.0 404 Not Found\nContent-Length: 2\n\nno", wantStatus: 404, wantBody: "no", wantUsed: 44},
		{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n", wantStatus: 200, wantBody: "hello world", wantUsed: 83},
		{name: "chunked incomplete", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", wantErr: errIncomplete},
		{name: "chunk bad size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", wantErr: ErrMalformed},
		{name: "gzip te", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", wantErr: ErrMalformed},
		{name: "interim 100", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", wantStatus: 204, wantUsed: 52},
		{name: "no reason", in: "HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", wantStatus: 200, wantUsed: 35},
		{name: "bad proto", in: "HTTP/2 200 OK\r\n\r\n", wantErr: ErrMalformed},
		{name: "bad code", in: "HTTP/1.1 2000 OK\r\n\r\n", wantErr: ErrMalformed},
		{name: "bad length", in: "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", wantErr: ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, n, err := parseResponse([]byte(tc.in), tc.eof, false)
			if tc.wantErr != nil {
				assert.True(t, errors.Is(err, tc.wantErr), "got %v, want %v", err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, r.Status)
			assert.Equal(t, tc.wantBody, string(r.Body))
			assert.Equal(t, tc.wantUsed, n)
		})
	}
}

// FuzzHTTPResponse feeds arbitrary bytes to the response parser: it never
// panics, never claims more bytes than given, and what it accepts
// survives formatting and parsing again.
func FuzzHTTPResponse(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), true)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), false)
	f.Add([]byte("HTTP/1.0 404 Not Found\n\nbody"), true)
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), false)
	f.Fuzz(func(t *testing.T, in []byte, eof bool) {
		r, n, err := parseResponse(in, eof, false)
		if err != nil {
			if eof && errors.Is(err, errIncomplete) {
				t.Fatalf("errIncomplete at eof")
			}
			return
		}
		if n < 0 || n > len(in) {
			t.Fatalf("used %d of %d bytes", n, len(in))
		}
		if r.Status < 100 || r.Status > 999 {
			t.Fatalf("status %d", r.Status)
		}
		out := formatResponse(&r, false, false)
		r2, n2, err := parseResponse(out, true, false)
		if err != nil {
			t.Fatalf("reparse of %q: %v", out, err)
		}
		if n2 != len(out) || r2.Status != r.Status || !bytes.Equal(r2.Body, r.Body) && !(r.Status == 204 || r.Status == 304 || r.Status/100 == 1) {
			t.Fatalf("round trip: %d %q -> %d %q", r.Status, r.Body, r2.Status, r2.Body)
		}
	})
}

func TestHTTPFetchHeadAndAgent(t *testing.T) {
	e := newEnv(t)
	var got *Request
	require.NoError(t, ServeHTTP(e.ss, 8080, func(r *Request) Response {
		got = r
		return Response{Status: 200, Body: []byte("a body the HEAD answer leaves out")}
	}))
	var (
		resp Response
		err  error
		done bool
	)
	Fetch(e.cs, netip.AddrPortFrom(serverAddr, 8080), "server", "/", FetchOptions{Method: "HEAD", UserAgent: "curl/8.11.1"}, time.Second,
		func(r Response, er error) { resp, err, done = r, er, true })
	require.True(t, e.runUntil(t, time.Hour, func() bool { return done }))
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "HEAD", got.Method)
	assert.Equal(t, "curl/8.11.1", got.Header.Get("User-Agent"))
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, "33", resp.Header.Get("Content-Length"))
	assert.Empty(t, resp.Body)

	// Get keeps its defaults.
	_, err, _ = e.get(t, 8080, "/", time.Second)
	require.NoError(t, err)
	assert.Equal(t, "GET", got.Method)
	assert.Equal(t, "vsim", got.Header.Get("User-Agent"))
}
