package scenario

import (
	"errors"
	"github.com/vswitch/vswitch/dockercli"
	"testing"
)

// FuzzParse feeds arbitrary bytes to Parse: it must never panic, and every
// error must carry a position. Seeds: testdata/fuzz/FuzzParse, which holds
// every sample file (TestFuzzSeedsHaveSamples keeps them in step).
func FuzzParse(f *testing.F) {
	f.Add([]byte("name: t\nsteps: [{wait: 1s}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("f.yaml", data)
		if err == nil {
			if s == nil {
				t.Fatal("no scenario and no error")
			}
			if s.Name == "" {
				t.Fatalf("valid scenario without a name: %+v", s)
			}
			for i, st := range s.Steps {
				if st.Kind() == "" || st.Index != i {
					t.Fatalf("step %d has no action or a wrong index", i)
				}
			}
			return
		}
		var list ErrorList
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error is not a non-empty ErrorList: %T %v", err, err)
		}
		for _, e := range list {
			if e.Line <= 0 || e.Col <= 0 || e.File != "f.yaml" || e.Msg == "" {
				t.Fatalf("error without position or message: %#v", e)
			}
		}
	})
}

// FuzzDockerCommand splits and parses arbitrary command lines: no panics,
// and every error is of one of the three kinds.
func FuzzDockerCommand(f *testing.F) {
	for _, s := range []string{
		"network create -d bridge localnet",
		"network inspect localnet --format '{{json .Containers}}'",
		"run -dit --rm --name c1 --net=n -p 80:80 alpine sh -c \"sleep 1d\"",
		"exec c1 ping -c1 -W 2 c2",
		"exec c1 nslookup -type=A web 127.0.0.11",
		"exec c1 wget -qO- http://web/",
		"exec c1 curl -fsS -m 2 http://web/",
		"network inspect x | jq",
		"run -d --name \\\n c1 alpine",
		"'unterminated",
		"network inspect n --format '{{json .}}' | jq .",
		"ps --format 'a|b' | jq",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		args, _, err := SplitDockerLine(line)
		if err != nil {
			if !errors.Is(err, ErrShell) {
				t.Fatalf("split error of no kind: %v", err)
			}
			return
		}
		c, err := dockercli.ParseCommand(args)
		if err != nil {
			if !errors.Is(err, dockercli.ErrUnsupported) && !errors.Is(err, dockercli.ErrUsage) {
				t.Fatalf("parse error of no kind: %v", err)
			}
			return
		}
		if c.Name() == "" || (c.Name() == "exec") != (c.Exec() != nil) {
			t.Fatalf("bad command: %#v", c)
		}
	})
}

// FuzzValues checks the scalar parsers: no panics, and what they accept
// formats back to the same value.
func FuzzValues(f *testing.F) {
	for _, s := range []string{"10Mbit", "1.5Gbit", "0.5%", "100%", "1ms", "5005:80", "[::1]:8080:80/udp", "8000-8010:80", "udp/7", "h2:80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if r, err := ParseRate(s); err == nil {
			back, err := ParseRate(r.String())
			if err != nil || back != r {
				t.Fatalf("rate %q -> %d -> %q -> %d, %v", s, r, r.String(), back, err)
			}
		}
		if p, err := ParsePercent(s); err == nil && (p < 0 || p > 1) {
			t.Fatalf("percent %q -> %v out of [0, 1]", s, p)
		}
		if d, err := ParseDuration(s); err == nil && d < 0 {
			t.Fatalf("duration %q -> %v", s, d)
		}
		_, _, _ = ParsePortSpec(s)
		_, _, _ = ParseHostPort(s)
		_ = ValidDomain(s)
		_ = suggest(s, KnownKeys())
	})
}
