package scenario

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/vswitch/vswitch/sim/app"
)

func TestImagePageAndAccessLog(t *testing.T) {
	at := time.Date(2026, 11, 27, 9, 5, 3, 0, time.UTC)
	var logged []string
	logTo := func(_ time.Time, line string) { logged = append(logged, line) }
	req := func(method, target, ua string) *app.Request {
		r := &app.Request{Method: method, Target: target, Proto: "HTTP/1.1", Remote: netip.MustParseAddrPort("172.18.0.3:40000")}
		if ua != "" {
			r.Header = app.Header{{Name: "User-Agent", Value: ua}}
		}
		return r
	}

	nginx := accessLog("docker.io/library/nginx:1.27", imagePage("nginx:1.27", "index"), func() time.Time { return at }, logTo)
	r := nginx(req("GET", "/", "Wget"))
	assert.Equal(t, 200, r.Status)
	assert.Equal(t, "nginx", r.Header.Get("Server"))
	assert.Equal(t, "index", string(r.Body))
	r = nginx(req("GET", "/index.html?v=1", ""))
	assert.Equal(t, 200, r.Status)
	r = nginx(req("GET", "/missing", ""))
	assert.Equal(t, 404, r.Status)
	assert.Contains(t, string(r.Body), "<center><h1>404 Not Found</h1></center>")
	nginx(req("HEAD", "/", "curl/8.11.1"))

	httpd := accessLog("httpd", imagePage("httpd", "<html><body><h1>It works!</h1></body></html>\n"), func() time.Time { return at }, logTo)
	r = httpd(req("GET", "/nope", ""))
	assert.Equal(t, 404, r.Status)
	assert.Equal(t, "Apache", r.Header.Get("Server"))
	assert.Contains(t, string(r.Body), "<p>The requested URL was not found on this server.</p>")

	require.Len(t, logged, 5)
	assert.Equal(t, []string{
		`172.18.0.3 - - [27/Nov/2026:09:05:03 +0000] "GET / HTTP/1.1" 200 5 "-" "Wget" "-"`,
		`172.18.0.3 - - [27/Nov/2026:09:05:03 +0000] "GET /index.html?v=1 HTTP/1.1" 200 5 "-" "-" "-"`,
		`172.18.0.3 - - [27/Nov/2026:09:05:03 +0000] "GET /missing HTTP/1.1" 404 146 "-" "-" "-"`,
		`172.18.0.3 - - [27/Nov/2026:09:05:03 +0000] "HEAD / HTTP/1.1" 200 0 "-" "curl/8.11.1" "-"`,
		`172.18.0.3 - - [27/Nov/2026:09:05:03 +0000] "GET /nope HTTP/1.1" 404 196`,
	}, logged)
}
