package app

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/tcp"
)

// HTTP limits.
const (
	// MaxHeaderBytes bounds a request's or response's head.
	MaxHeaderBytes = 16 << 10
	// MaxBodyBytes bounds a body.
	MaxBodyBytes = 8 << 20
)

// ErrMalformed is returned for HTTP messages that do not parse.
var ErrMalformed = errors.New("malformed HTTP message")

// errIncomplete means that more bytes are needed.
var errIncomplete = errors.New("incomplete HTTP message")

// Field is one header field.
type Field struct {
	Name, Value string
}

// Header is an ordered list of header fields: order is kept as written, so
// that output is deterministic.
type Header []Field

// Get returns the value of the first field called name (case-insensitive),
// or "".
func (h Header) Get(name string) string {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// has reports whether a field called name exists.
func (h Header) has(name string) bool {
	for _, f := range h {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// Request is an HTTP request as the server parsed it.
type Request struct {
	Method string
	Target string // the request target, e.g. "/index.html?x=1"
	Proto  string // "HTTP/1.1"
	Header Header
	Body   []byte
	Remote netip.AddrPort
}

// Path returns the target without its query.
func (r *Request) Path() string {
	p, _, _ := strings.Cut(r.Target, "?")
	return p
}

// Host returns the Host header.
func (r *Request) Host() string { return r.Header.Get("Host") }

// Response is an HTTP response: what a Handler returns, and what Get
// hands back.
type Response struct {
	Proto  string // "HTTP/1.1"; set by the parser, ignored by the server
	Status int
	Reason string // set by the parser; the server writes the standard text
	Header Header
	Body   []byte
}

// Handler answers one request. The server adds Content-Length, a
// Content-Type for non-empty bodies when missing, and Connection: close
// when it closes.
type Handler func(req *Request) Response

// Static returns a handler answering 200 with body for every path.
func Static(body string) Handler {
	b := []byte(body)
	return func(*Request) Response {
		return Response{Status: http.StatusOK, Body: b}
	}
}

// NotFound answers 404 with Go's text.
func NotFound(*Request) Response {
	return Response{Status: http.StatusNotFound, Body: []byte("404 page not found\n")}
}

// Pages returns a handler serving 200 with pages[path] for the paths it
// has (the query is ignored) and 404 for the others.
func Pages(pages map[string]string) Handler {
	return func(r *Request) Response {
		body, ok := pages[r.Path()]
		if !ok {
			return NotFound(r)
		}
		return Response{Status: http.StatusOK, Body: []byte(body)}
	}
}

// ServeHTTP serves HTTP/1.1 with h on port: persistent connections,
// several requests per connection (also pipelined), bodies by
// Content-Length. The connection closes after a request with
// "Connection: close" or HTTP/1.0, after an error response, and when the
// client closes. HEAD answers carry no body.
func ServeHTTP(st *tcp.Stack, port uint16, h Handler) error {
	return st.Listen(port, func(c *tcp.Conn) {
		sc := &serverConn{c: c, h: h}
		c.OnData(sc.data)
		c.OnClose(func(err error) {
			if err == nil {
				c.Close()
			}
		})
	})
}

type serverConn struct {
	c    *tcp.Conn
	h    Handler
	buf  []byte
	done bool
}

func (sc *serverConn) data(b []byte) {
	if sc.done {
		return
	}
	sc.buf = append(sc.buf, b...)
	for len(sc.buf) > 0 && !sc.done {
		req, n, err := parseRequest(sc.buf)
		switch {
		case errors.Is(err, errIncomplete):
			return
		case err != nil:
			sc.reply("HTTP/1.1", false, &Response{Status: statusOf(err), Body: []byte(err.Error() + "\n")}, true)
			return
		}
		sc.buf = sc.buf[n:]
		req.Remote = sc.c.RemoteAddr()
		closing := req.Proto == "HTTP/1.0" || strings.EqualFold(req.Header.Get("Connection"), "close")
		resp := sc.h(req)
		sc.reply(req.Proto, req.Method == http.MethodHead, &resp, closing)
	}
	if len(sc.buf) == 0 {
		sc.buf = sc.buf[:0]
	}
}

// statusError carries the status code a parse error maps to.
type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string { return e.msg }
func (e *statusError) Unwrap() error { return ErrMalformed }

func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.status
	}
	return http.StatusBadRequest
}

func (sc *serverConn) reply(proto string, head bool, r *Response, closing bool) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	sc.c.Write(formatResponse(r, head, closing))
	if closing {
		sc.done = true
		sc.c.Close()
	}
}

// formatResponse writes r as HTTP/1.1 bytes.
func formatResponse(r *Response, head, closing bool) []byte {
	var b bytes.Buffer
	reason := http.StatusText(r.Status)
	if reason == "" {
		reason = "Status " + strconv.Itoa(r.Status)
	}
	fmt.Fprintf(&b, "HTTP/1.1 %03d %s\r\n", r.Status, reason)
	server := "vsim" // a handler may name itself (an nginx image says nginx)
	if v := r.Header.Get("Server"); v != "" {
		server = v
	}
	fmt.Fprintf(&b, "Server: %s\r\n", server)
	if len(r.Body) > 0 && !r.Header.has("Content-Type") {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
	}
	noBody := r.Status/100 == 1 || r.Status == http.StatusNoContent || r.Status == http.StatusNotModified
	if !noBody {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(r.Body))
	}
	if closing {
		b.WriteString("Connection: close\r\n")
	}
	for _, f := range r.Header {
		switch textproto.CanonicalMIMEHeaderKey(f.Name) {
		case "Content-Length", "Connection", "Transfer-Encoding", "Server":
			continue // the server's own
		}
		b.WriteString(f.Name)
		b.WriteString(": ")
		b.WriteString(f.Value)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	if !head && !noBody {
		b.Write(r.Body)
	}
	return b.Bytes()
}

// formatRequest writes a GET request as HTTP/1.1 bytes.
func formatRequest(method, host, path, agent string) []byte {
	return []byte(method + " " + path + " HTTP/1.1\r\nHost: " + host +
		"\r\nUser-Agent: " + agent + "\r\nAccept: */*\r\nConnection: close\r\n\r\n")
}

// FetchOptions refine a Fetch: the method (GET or HEAD; "" is GET) and
// the User-Agent ("" is "vsim"), so that a simulated client can present
// itself as the program it stands for.
type FetchOptions struct {
	Method    string
	UserAgent string
}

// Get fetches path from dst over a new connection, sending host in the
// Host header and "Connection: close", and calls done once with the
// response or an error: tcp's ErrRefused, ErrUnreachable or ErrReset
// (wrapped), ErrTimeout when the whole exchange took longer than timeout
// (0 means DefaultTimeout; the connect budget is the same), or
// ErrMalformed.
func Get(st *tcp.Stack, dst netip.AddrPort, host, path string, timeout time.Duration, done func(Response, error)) {
	Fetch(st, dst, host, path, FetchOptions{}, timeout, done)
}

// Fetch is Get with a method and User-Agent. A HEAD response carries no
// body whatever its Content-Length says.
func Fetch(st *tcp.Stack, dst netip.AddrPort, host, path string, o FetchOptions, timeout time.Duration, done func(Response, error)) {
	if o.Method == "" {
		o.Method = "GET"
	}
	if o.UserAgent == "" {
		o.UserAgent = "vsim"
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if path == "" {
		path = "/"
	}
	loop := st.Loop()
	g := &getter{done: done, url: "http://" + host + path, head: o.Method == "HEAD"}
	g.timer = loop.NewTimer(func() {
		if g.c == nil {
			// Still connecting: a connect timeout, as the dial's own.
			g.finish(Response{}, fmt.Errorf("http get %s: %w (%w)", g.url, ErrTimeout, tcp.ErrTimeout))
			return
		}
		g.finish(Response{}, fmt.Errorf("http get %s: %w", g.url, ErrTimeout))
	})
	g.timer.Reset(timeout)
	st.Dial(dst, tcp.DialOptions{Timeout: timeout}, func(c *tcp.Conn, err error) {
		if g.finished {
			if c != nil {
				c.Abort()
			}
			return
		}
		if err != nil {
			if errors.Is(err, tcp.ErrTimeout) {
				err = fmt.Errorf("%w (%w)", ErrTimeout, err)
			}
			g.finish(Response{}, fmt.Errorf("http get %s: %w", g.url, err))
			return
		}
		g.c = c
		c.OnData(g.data)
		c.OnClose(g.closed)
		c.Write(formatRequest(o.Method, host, path, o.UserAgent))
	})
}

type getter struct {
	done     func(Response, error)
	url      string
	timer    *sim.Timer
	c        *tcp.Conn
	buf      []byte
	finished bool
	head     bool // a HEAD request: the response has no body
}

func (g *getter) finish(r Response, err error) {
	if g.finished {
		return
	}
	g.finished = true
	g.timer.Stop()
	if g.c != nil {
		if err != nil {
			g.c.Abort()
		} else {
			g.c.Close()
		}
	}
	g.done(r, err)
}

func (g *getter) data(b []byte) {
	if g.finished {
		return
	}
	g.buf = append(g.buf, b...)
	g.try(false)
}

func (g *getter) closed(err error) {
	if err != nil {
		g.finish(Response{}, fmt.Errorf("http get %s: %w", g.url, err))
		return
	}
	g.try(true)
}

func (g *getter) try(eof bool) {
	if g.finished {
		return
	}
	r, _, err := parseResponse(g.buf, eof, g.head)
	switch {
	case errors.Is(err, errIncomplete):
		return
	case err != nil:
		g.finish(Response{}, fmt.Errorf("http get %s: %w", g.url, err))
	default:
		g.finish(r, nil)
	}
}

// parseHead splits the start line and header fields off b. It returns the
// start line, the header, and the length of the head including the empty
// line.
func parseHead(b []byte) (string, Header, int, error) {
	end := bytes.Index(b, []byte("\r\n\r\n"))
	sep := 4
	if lf := bytes.Index(b, []byte("\n\n")); lf >= 0 && (end < 0 || lf < end) {
		end, sep = lf, 2
	}
	if end < 0 {
		if len(b) > MaxHeaderBytes {
			return "", nil, 0, &statusError{http.StatusRequestHeaderFieldsTooLarge, "header too large"}
		}
		return "", nil, 0, errIncomplete
	}
	if end > MaxHeaderBytes {
		return "", nil, 0, &statusError{http.StatusRequestHeaderFieldsTooLarge, "header too large"}
	}
	lines := strings.Split(string(b[:end]), "\n")
	for i := range lines {
		lines[i] = strings.TrimSuffix(lines[i], "\r")
	}
	var h Header
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok || !validToken(name) {
			return "", nil, 0, &statusError{http.StatusBadRequest, fmt.Sprintf("malformed header line %q", l)}
		}
		h = append(h, Field{Name: name, Value: strings.Trim(value, " \t")})
	}
	return lines[0], h, end + sep, nil
}

// validToken reports whether s is an HTTP token (RFC 9110 5.6.2); this
// also rejects obsolete line folding and spaces before the colon.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// contentLength returns the Content-Length of h, or -1 if there is none.
func contentLength(h Header) (int, error) {
	n := -1
	for _, f := range h {
		if !strings.EqualFold(f.Name, "Content-Length") {
			continue
		}
		v, err := strconv.Atoi(f.Value)
		if err != nil || v < 0 || strings.TrimLeft(f.Value, "0123456789") != "" {
			return 0, &statusError{http.StatusBadRequest, fmt.Sprintf("bad Content-Length %q", f.Value)}
		}
		if n >= 0 && v != n {
			return 0, &statusError{http.StatusBadRequest, "conflicting Content-Length"}
		}
		n = v
	}
	if n > MaxBodyBytes {
		return 0, &statusError{http.StatusRequestEntityTooLarge, "body too large"}
	}
	return n, nil
}

// parseRequest parses one request from b and returns it and the bytes it
// used, or errIncomplete.
func parseRequest(b []byte) (*Request, int, error) {
	line, h, n, err := parseHead(b)
	if err != nil {
		return nil, 0, err
	}
	parts := strings.Split(line, " ")
	if len(parts) != 3 || !validToken(parts[0]) || parts[1] == "" {
		return nil, 0, &statusError{http.StatusBadRequest, fmt.Sprintf("malformed request line %q", line)}
	}
	if parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0" {
		return nil, 0, &statusError{http.StatusHTTPVersionNotSupported, fmt.Sprintf("unsupported protocol %q", parts[2])}
	}
	if h.has("Transfer-Encoding") {
		return nil, 0, &statusError{http.StatusNotImplemented, "Transfer-Encoding not supported"}
	}
	cl, err := contentLength(h)
	if err != nil {
		return nil, 0, err
	}
	req := &Request{Method: parts[0], Target: parts[1], Proto: parts[2], Header: h}
	if cl > 0 {
		if len(b) < n+cl {
			return nil, 0, errIncomplete
		}
		req.Body = append([]byte(nil), b[n:n+cl]...)
		n += cl
	}
	return req, n, nil
}

// parseResponse parses a response from b, skipping 1xx interim
// responses. eof says that the peer closed, which ends a body without
// Content-Length; without eof an incomplete response gives errIncomplete.
// It returns the response and the bytes used.
func parseResponse(b []byte, eof, head bool) (Response, int, error) {
	used := 0
	for {
		r, n, err := parseOneResponse(b[used:], eof, head)
		if err != nil {
			if errors.Is(err, errIncomplete) && eof {
				return Response{}, 0, fmt.Errorf("%w: unexpected end of stream", ErrMalformed)
			}
			return Response{}, 0, err
		}
		used += n
		if r.Status/100 != 1 || r.Status == http.StatusSwitchingProtocols {
			return r, used, nil
		}
	}
}

func parseOneResponse(b []byte, eof, head bool) (Response, int, error) {
	line, h, n, err := parseHead(b)
	if err != nil {
		return Response{}, 0, err
	}
	proto, rest, _ := strings.Cut(line, " ")
	code, reason, _ := strings.Cut(rest, " ")
	if proto != "HTTP/1.1" && proto != "HTTP/1.0" {
		return Response{}, 0, fmt.Errorf("%w: bad status line %q", ErrMalformed, line)
	}
	status, err := strconv.Atoi(code)
	if err != nil || len(code) != 3 || status < 100 {
		return Response{}, 0, fmt.Errorf("%w: bad status code in %q", ErrMalformed, line)
	}
	r := Response{Proto: proto, Status: status, Reason: reason, Header: h}
	if status/100 == 1 || status == http.StatusNoContent || status == http.StatusNotModified || head {
		return r, n, nil
	}
	if te := h.Get("Transfer-Encoding"); te != "" {
		if !strings.EqualFold(te, "chunked") {
			return Response{}, 0, fmt.Errorf("%w: unsupported Transfer-Encoding %q", ErrMalformed, te)
		}
		body, m, err := parseChunked(b[n:])
		if err != nil {
			return Response{}, 0, err
		}
		r.Body = body
		return r, n + m, nil
	}
	cl, err := contentLength(h)
	if err != nil {
		return Response{}, 0, fmt.Errorf("%w: %s", ErrMalformed, err.Error())
	}
	switch {
	case cl >= 0:
		if len(b) < n+cl {
			return Response{}, 0, errIncomplete
		}
		r.Body = append([]byte(nil), b[n:n+cl]...)
		return r, n + cl, nil
	case !eof:
		if len(b)-n > MaxBodyBytes {
			return Response{}, 0, fmt.Errorf("%w: body too large", ErrMalformed)
		}
		return Response{}, 0, errIncomplete
	default:
		r.Body = append([]byte(nil), b[n:]...)
		return r, len(b), nil
	}
}

// parseChunked decodes a chunked body (RFC 9112 7.1), ignoring chunk
// extensions and trailer fields.
func parseChunked(b []byte) ([]byte, int, error) {
	var body []byte
	pos := 0
	for {
		i := bytes.IndexByte(b[pos:], '\n')
		if i < 0 {
			return nil, 0, errIncomplete
		}
		line := strings.TrimSuffix(string(b[pos:pos+i]), "\r")
		pos += i + 1
		sizeHex, _, _ := strings.Cut(line, ";")
		size, err := strconv.ParseUint(strings.TrimSpace(sizeHex), 16, 31)
		if err != nil {
			return nil, 0, fmt.Errorf("%w: bad chunk size %q", ErrMalformed, line)
		}
		if size == 0 {
			// Trailer fields up to an empty line.
			for {
				i := bytes.IndexByte(b[pos:], '\n')
				if i < 0 {
					return nil, 0, errIncomplete
				}
				l := strings.TrimSuffix(string(b[pos:pos+i]), "\r")
				pos += i + 1
				if l == "" {
					return body, pos, nil
				}
			}
		}
		if int(size) > MaxBodyBytes-len(body) {
			return nil, 0, fmt.Errorf("%w: body too large", ErrMalformed)
		}
		if len(b)-pos < int(size)+2 {
			return nil, 0, errIncomplete
		}
		body = append(body, b[pos:pos+int(size)]...)
		pos += int(size)
		switch {
		case b[pos] == '\r' && b[pos+1] == '\n':
			pos += 2
		case b[pos] == '\n':
			pos++
		default:
			return nil, 0, fmt.Errorf("%w: chunk not followed by CRLF", ErrMalformed)
		}
	}
}
