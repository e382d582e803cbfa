package dockercli

import (
	"encoding/json"
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/network"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// testClock is a settable clock shared by the Controller and the Env.
type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time          { return c.t }
func (c *testClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// hookLog records the Env's hook calls.
type hookLog struct{ calls []string }

func newEnv(t testing.TB) (*Env, *testClock, *hookLog) {
	t.Helper()
	clk := &testClock{t: time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)}
	c, err := network.NewController(network.ControllerConfig{
		NodeName: "host1", Rand: rand.New(rand.NewPCG(1, 2)), Clock: clk,
	})
	require.NoError(t, err)
	log := &hookLog{}
	env := &Env{
		Controller: c,
		IPv6:       true, // a dual-stack host, as Docker's defaults assume
		Now:        clk.Now,
		OnRun: func(sb *network.Sandbox, spec RunSpec) {
			log.calls = append(log.calls, "run "+sb.Name()+" "+spec.Image)
		},
		OnStop:   func(sb *network.Sandbox) { log.calls = append(log.calls, "stop "+sb.Name()) },
		OnRemove: func(sb *network.Sandbox) { log.calls = append(log.calls, "remove "+sb.Name()) },
	}
	return env, clk, log
}

// words splits a command line as a POSIX shell does, enough for tests:
// single and double quotes, backslash escapes and line continuations.
func words(line string) []string {
	var out []string
	var cur strings.Builder
	in := false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			i++
			if line[i] != '\n' {
				cur.WriteByte(line[i])
				in = true
			}
		case c == '\'':
			end := strings.IndexByte(line[i+1:], '\'')
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			in = true
		case c == '"':
			end := strings.IndexByte(line[i+1:], '"')
			cur.WriteString(line[i+1 : i+1+end])
			i += end + 1
			in = true
		case c == ' ' || c == '\n' || c == '\t':
			if in {
				out = append(out, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		out = append(out, cur.String())
	}
	return out
}

// docker parses and runs one command line.
func docker(t testing.TB, env *Env, line string) (string, error) {
	t.Helper()
	cmd, err := ParseCommand(words(line))
	if err != nil {
		return "", err
	}
	return Exec(env, cmd)
}

// mustDocker runs a command line that must succeed.
func mustDocker(t testing.TB, env *Env, line string) string {
	t.Helper()
	out, err := docker(t, env, line)
	require.NoError(t, err, "docker %s", line)
	return out
}

// state renders everything a failed command must leave alone: the inspect
// JSON of every network and container, the Env's records and its port
// allocator.
func state(t testing.TB, env *Env) string {
	t.Helper()
	type rec struct {
		Inspect    ContainerJSON
		Saved      []string
		Ports      []PortBinding
		PublishAll bool
	}
	var s struct {
		Networks   []network.Inspect
		Containers []rec
		NextPort   map[string]uint16
		Allocated  []string
	}
	for _, n := range env.Controller.Networks() {
		s.Networks = append(s.Networks, n.Inspect())
	}
	for _, c := range env.containers {
		r := rec{Inspect: c.inspectJSON(), Ports: c.spec.Ports, PublishAll: c.publishAll}
		for _, sv := range c.saved {
			r.Saved = append(r.Saved, sv.networkID+" "+sv.networkName+" "+strings.Join(sv.aliases, ",")+" "+sv.ip.String())
		}
		s.Containers = append(s.Containers, r)
	}
	s.NextPort = env.nextPort
	for _, p := range env.Controller.IPAM().Allocated() {
		s.Allocated = append(s.Allocated, p.String())
	}
	b, err := json.MarshalIndent(s, "", " ")
	require.NoError(t, err)
	return string(b)
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
