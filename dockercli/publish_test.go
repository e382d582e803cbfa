package dockercli

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePublish(t *testing.T) {
	v4 := netip.MustParseAddr("127.0.0.1")
	v6 := netip.MustParseAddr("::1")
	cases := []struct {
		in   string
		want PublishSpec
		str  string
	}{
		{"80", PublishSpec{Port: 80, PortEnd: 80, Proto: "tcp"}, "80/tcp"},
		{"5005:80", PublishSpec{HostPort: 5005, HostPortEnd: 5005, Port: 80, PortEnd: 80, Proto: "tcp"}, "5005:80/tcp"},
		{"53:53/udp", PublishSpec{HostPort: 53, HostPortEnd: 53, Port: 53, PortEnd: 53, Proto: "udp"}, "53:53/udp"},
		{"53:53/UDP", PublishSpec{HostPort: 53, HostPortEnd: 53, Port: 53, PortEnd: 53, Proto: "udp"}, "53:53/udp"},
		{"127.0.0.1:8080:80", PublishSpec{HostIP: v4, HostPort: 8080, HostPortEnd: 8080, Port: 80, PortEnd: 80, Proto: "tcp"}, "127.0.0.1:8080:80/tcp"},
		{"127.0.0.1::80", PublishSpec{HostIP: v4, Port: 80, PortEnd: 80, Proto: "tcp"}, "127.0.0.1::80/tcp"},
		{"[::1]:8080:80", PublishSpec{HostIP: v6, HostPort: 8080, HostPortEnd: 8080, Port: 80, PortEnd: 80, Proto: "tcp"}, "[::1]:8080:80/tcp"},
		{"::1:8080:80", PublishSpec{HostIP: v6, HostPort: 8080, HostPortEnd: 8080, Port: 80, PortEnd: 80, Proto: "tcp"}, "[::1]:8080:80/tcp"},
		{"8000-8010:80", PublishSpec{HostPort: 8000, HostPortEnd: 8010, Port: 80, PortEnd: 80, Proto: "tcp"}, "8000-8010:80/tcp"},
		{"8000-8010:8000-8010", PublishSpec{HostPort: 8000, HostPortEnd: 8010, Port: 8000, PortEnd: 8010, Proto: "tcp"}, "8000-8010:8000-8010/tcp"},
		{"80-80:90", PublishSpec{HostPort: 80, HostPortEnd: 80, Port: 90, PortEnd: 90, Proto: "tcp"}, "80:90/tcp"},
		{"80/", PublishSpec{Port: 80, PortEnd: 80, Proto: "tcp"}, "80/tcp"},
		{":80", PublishSpec{Port: 80, PortEnd: 80, Proto: "tcp"}, "80/tcp"},
		{"published=8080,target=80", PublishSpec{HostPort: 8080, HostPortEnd: 8080, Port: 80, PortEnd: 80, Proto: "tcp"}, "8080:80/tcp"},
		{"published=53,target=53,protocol=udp,mode=host", PublishSpec{HostPort: 53, HostPortEnd: 53, Port: 53, PortEnd: 53, Proto: "udp"}, "53:53/udp"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePublish(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.str, got.String())
			back, err := ParsePublish(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, back, "String must read back to the same spec")
		})
	}
}

func TestParsePublishErrors(t *testing.T) {
	cases := []struct{ in, msg string }{
		{"", "no port specified: <empty>"},
		{"80:", "no port specified: 80:<empty>"},
		{"80/icmp", "invalid proto: icmp"},
		{"x:80:80", "invalid IP address: x"},
		{"[::1:80:80", "invalid IP address [::1: address [::1:: missing ']' in address"},
		{"80:x", "invalid containerPort: x"},
		{"80:70000", "invalid containerPort: 70000"},
		{"80:90-80", "invalid containerPort: 90-80"},
		{"x:80", "invalid hostPort: x"},
		{"90:80-81", "invalid ranges specified for container and host Ports: 80-81 and 90"},
		{"8000-8001:80-82", "invalid ranges specified for container and host Ports: 80-82 and 8000-8001"},
		{"published=8080,bad", "invalid publish opts format (should be name=value but got 'bad')"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParsePublish(tc.in)
			require.Error(t, err)
			assert.Equal(t, tc.msg, err.Error())
		})
	}
}

func TestPortBindingString(t *testing.T) {
	b := PortBinding{Proto: "tcp", Port: 80, HostIP: netip.IPv6Unspecified(), HostPort: 5005}
	assert.Equal(t, "80/tcp -> [::]:5005", b.String())
	b.HostIP = netip.IPv4Unspecified()
	assert.Equal(t, "80/tcp -> 0.0.0.0:5005", b.String())
}

func TestParseTool(t *testing.T) {
	cases := []struct {
		argv string
		want Tool
	}{
		{"ping c1", &Ping{Host: "c1", Size: -1}},
		{"ping -c 3 -W 1 -i 0.5 c1", &Ping{Host: "c1", Count: 3, Timeout: 1e9, Interval: 5e8, Size: -1}},
		{"ping c1 -c2", &Ping{Host: "c1", Count: 2, Size: -1}},
		{"ping -qc1 -s 100 -t 64 -w 5 c1", &Ping{Host: "c1", Count: 1, Quiet: true, Size: 100, TTL: 64, Deadline: 5e9}},
		{"nslookup web", &Nslookup{Name: "web"}},
		{"nslookup web 127.0.0.11", &Nslookup{Name: "web", Server: "127.0.0.11"}},
		{"nslookup -type=aaaa -debug web", &Nslookup{Name: "web", Type: "AAAA", Debug: true}},
		{"dig web", &Dig{Name: "web"}},
		{"dig @127.0.0.11 web A +short", &Dig{Name: "web", Server: "127.0.0.11", Type: "A", Short: true}},
		{"dig +short web mx", &Dig{Name: "web", Type: "MX", Short: true}},
		{"dig -x 172.18.0.2 +tcp", &Dig{Name: "172.18.0.2", Reverse: true, TCP: true}},
		{"dig -t SRV -p 5353 _http._tcp.web +time=2 +tries=1 +noall +answer", &Dig{Name: "_http._tcp.web", Type: "SRV", Port: 5353, Timeout: 2e9, Tries: 1}},
		{"wget -qO- http://web", &Wget{URL: "http://web", Quiet: true, Output: "-"}},
		{"wget -O - http://web", &Wget{URL: "http://web", Output: "-"}},
		{"wget -q -O - http://web", &Wget{URL: "http://web", Quiet: true, Output: "-"}},
		{"wget --spider -T 3 http://web", &Wget{URL: "http://web", Spider: true, Timeout: 3e9}},
		{"curl http://web", &Curl{URL: "http://web", Method: "GET"}},
		{"curl -s http://web:8080/x", &Curl{URL: "http://web:8080/x", Silent: true, Method: "GET"}},
		{"curl -sSf -o /dev/null -w %{http_code} http://web", &Curl{URL: "http://web", Silent: true, ShowError: true, Fail: true,
			Output: "/dev/null", WriteOut: "%{http_code}", Method: "GET"}},
		{"curl -I --max-time 2 http://web", &Curl{URL: "http://web", Head: true, Method: "HEAD", MaxTime: 2e9}},
		{"cat /etc/resolv.conf", &Cat{Path: "/etc/resolv.conf"}},
		{"/bin/cat /etc/hosts", &Cat{Path: "/etc/hosts"}},
		{"getent hosts web", &Getent{Database: "hosts", Key: "web"}},
	}
	for _, tc := range cases {
		t.Run(tc.argv, func(t *testing.T) {
			got, err := ParseTool(words(tc.argv))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, words(tc.argv)[0][len(words(tc.argv)[0])-len(got.ToolName()):], got.ToolName())
		})
	}
}
