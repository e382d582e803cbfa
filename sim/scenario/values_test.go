package scenario

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"1ms", time.Millisecond, ""},
		{"30s", 30 * time.Second, ""},
		{"500us", 500 * time.Microsecond, ""},
		{"500µs", 500 * time.Microsecond, ""},
		{"1h30m", 90 * time.Minute, ""},
		{"1.5s", 1500 * time.Millisecond, ""},
		{"0", 0, ""},
		{"0s", 0, ""},
		{"30", 0, `duration "30" has no unit (write 30s or 30ms)`},
		{"-1s", 0, `duration "-1s" is negative`},
		{"1d", 0, `invalid duration "1d" (write e.g. 500us, 2ms, 1.5s, 10m)`},
		{"", 0, `invalid duration "" (write e.g. 500us, 2ms, 1.5s, 10m)`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDuration(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestParsePercent(t *testing.T) {
	cases := []struct {
		in   string
		want Percent
		err  string
	}{
		{"0.5%", 0.005, ""},
		{"1%", 0.01, ""},
		{"100%", 1, ""},
		{"0%", 0, ""},
		{"0", 0, ""},
		{"30%", 0.3, ""},
		{"0.005", 0, `percentage "0.005" needs a % sign (write 0.005% or, for a fraction, its value times 100)`},
		{"1", 0, `percentage "1" needs a % sign (write 1% or, for a fraction, its value times 100)`},
		{"101%", 0, `percentage "101%" is not between 0% and 100%`},
		{"-1%", 0, `invalid percentage "-1%" (write e.g. 0.5%)`},
		{"1e2%", 0, `invalid percentage "1e2%" (write e.g. 0.5%)`},
		{"%", 0, `invalid percentage "%" (write e.g. 0.5%)`},
		{"half", 0, `invalid percentage "half" (write e.g. 0.5%)`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParsePercent(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.InDelta(t, float64(tc.want), float64(got), 1e-12)
		})
	}
}

func TestPercentString(t *testing.T) {
	for _, s := range []string{"0.5%", "1%", "100%", "0%", "33.3%", "0.001%"} {
		p, err := ParsePercent(s)
		require.NoError(t, err)
		assert.Equal(t, s, p.String())
	}
}

func TestParseRate(t *testing.T) {
	cases := []struct {
		in   string
		want Rate
		err  string
	}{
		{"10Mbit", 10_000_000, ""},
		{"1Gbit", 1_000_000_000, ""},
		{"100kbit", 100_000, ""},
		{"100Kbit", 100_000, ""},
		{"1.5Gbit", 1_500_000_000, ""},
		{"2.25Mbit", 2_250_000, ""},
		{"300bit", 300, ""},
		{"10mbit", 10_000_000, ""},
		{"1Tbit", 1_000_000_000_000, ""},
		{"1.000Gbit", 1_000_000_000, ""},
		{"0.5bit", 0, `rate "0.5bit" is not a whole number of bits per second`},
		{"1.0001kbit", 0, `rate "1.0001kbit" is not a whole number of bits per second`},
		{"0Mbit", 0, `rate "0Mbit" must be positive`},
		{"10MB", 0, `rate "10MB": write bits per second with bit (10Mbit), not bytes`},
		{"10mbps", 0, `rate "10mbps": write bits per second with bit (10Mbit), not bytes`},
		{"10", 0, `invalid rate "10" (write e.g. 100kbit, 10Mbit, 1.5Gbit)`},
		{"Mbit", 0, `invalid rate "Mbit" (write e.g. 100kbit, 10Mbit, 1.5Gbit)`},
		{"1.Mbit", 0, `invalid rate "1.Mbit" (write e.g. 100kbit, 10Mbit, 1.5Gbit)`},
		{"-1Mbit", 0, `invalid rate "-1Mbit" (write e.g. 100kbit, 10Mbit, 1.5Gbit)`},
		{"99999999999Tbit", 0, `rate "99999999999Tbit" is too large`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseRate(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRateString(t *testing.T) {
	cases := map[Rate]string{
		10_000_000:    "10Mbit",
		1_500_000_000: "1.5Gbit",
		100_000:       "100kbit",
		300:           "300bit",
		1_000_001:     "1.000001Mbit",
	}
	for r, want := range cases {
		assert.Equal(t, want, r.String())
		back, err := ParseRate(r.String())
		require.NoError(t, err)
		assert.Equal(t, r, back)
	}
}

func TestParsePortSpec(t *testing.T) {
	proto, port, err := ParsePortSpec("udp/7")
	require.NoError(t, err)
	assert.Equal(t, "udp", proto)
	assert.Equal(t, uint16(7), port)
	_, _, err = ParsePortSpec("tcp/65535")
	require.NoError(t, err)
	for in, want := range map[string]string{
		"7":         `invalid port "7" (write udp/7 or tcp/7)`,
		"sctp/7":    `invalid port "sctp/7" (write udp/7 or tcp/7)`,
		"udp/0":     `invalid port "udp/0": port 0 is not between 1 and 65535`,
		"udp/70000": `invalid port "udp/70000": port 70000 is not between 1 and 65535`,
		"udp/x":     `invalid port "udp/x": "x" is not a port number`,
	} {
		_, _, err := ParsePortSpec(in)
		assert.EqualError(t, err, want, in)
	}
}

func TestParseHostPort(t *testing.T) {
	cases := []struct {
		in   string
		host string
		port uint16
		err  string
	}{
		{"h2:80", "h2", 80, ""},
		{"10.0.0.5:7", "10.0.0.5", 7, ""},
		{"web.lab.test:8080", "web.lab.test", 8080, ""},
		{"[fd00::1]:53", "fd00::1", 53, ""},
		{"h2", "", 0, `invalid target "h2" (write host:port, e.g. h2:80)`},
		{":80", "", 0, `invalid target ":80": the host is missing`},
		{"h 2:80", "", 0, `invalid target "h 2:80": "h 2" is neither an IP nor a name`},
		{"h2:http", "", 0, `invalid target "h2:http": "http" is not a port number`},
	}
	for _, tc := range cases {
		host, port, err := ParseHostPort(tc.in)
		if tc.err != "" {
			assert.EqualError(t, err, tc.err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.host, host)
		assert.Equal(t, tc.port, port)
	}
}

func TestValidName(t *testing.T) {
	for _, s := range []string{"h1", "0", "a_b.c-d", "sw1", "web.lab"} {
		assert.True(t, ValidName(s), s)
	}
	for _, s := range []string{"", "H1", "-a", "_a", ".a", "a b", "a/b", "é"} {
		assert.False(t, ValidName(s), s)
	}
}

func TestValidDomain(t *testing.T) {
	for _, s := range []string{"web", "web.lab.test", "web.lab.test.", "_sip._udp.x", "a-b.c", "WEB.Lab"} {
		assert.True(t, ValidDomain(s), s)
	}
	for _, s := range []string{"", ".", "a..b", "-a.b", "a-.b", "a b", string(make([]byte, 64))} {
		assert.False(t, ValidDomain(s), s)
	}
}

func TestSuggest(t *testing.T) {
	keys := []string{"latency", "jitter", "loss", "bandwidth", "interfaces"}
	cases := map[string]string{
		"lantency":  "latency",
		"latnecy":   "latency",
		"jiter":     "jitter",
		"los":       "loss",
		"interface": "interfaces",
		"zzz":       "",
		"bw":        "",
	}
	for in, want := range cases {
		assert.Equal(t, want, suggest(in, keys), in)
	}
	assert.Equal(t, 1, editDistance("ab", "ba"), "a transposition is one edit")
	assert.Equal(t, 3, editDistance("", "abc"))
}

func TestIntMatch(t *testing.T) {
	cases := []struct {
		m    IntMatch
		in   []int64
		out  []int64
		text string
	}{
		{Exactly(3), []int64{3}, []int64{2, 4}, "3"},
		{IntMatch{Min: 1, HasMin: true}, []int64{1, 100}, []int64{0}, ">= 1"},
		{IntMatch{Max: 4, HasMax: true}, []int64{0, 4}, []int64{5}, "<= 4"},
		{IntMatch{Min: 1, Max: 5, HasMin: true, HasMax: true}, []int64{1, 5}, []int64{0, 6}, "1..5"},
	}
	for _, tc := range cases {
		for _, v := range tc.in {
			assert.True(t, tc.m.Match(v), "%s should match %d", tc.text, v)
		}
		for _, v := range tc.out {
			assert.False(t, tc.m.Match(v), "%s should not match %d", tc.text, v)
		}
		assert.Equal(t, tc.text, tc.m.String())
	}
}
