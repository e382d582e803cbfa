package network

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

// inspectJSON renders networks as docker network inspect prints them: an
// array indented by four spaces.
func inspectJSON(t *testing.T, c *Controller, terms ...string) []byte {
	t.Helper()
	var out []Inspect
	for _, term := range terms {
		in, err := c.Inspect(term)
		require.NoError(t, err)
		out = append(out, in)
	}
	b, err := json.MarshalIndent(out, "", "    ")
	require.NoError(t, err)
	return append(b, '\n')
}

func TestInspectGoldenDefaultNetworks(t *testing.T) {
	c, _ := newTestController(t)
	golden(t, "inspect_predefined.json", inspectJSON(t, c, "bridge", "host", "none"))
}

func TestInspectGoldenCustomNetwork(t *testing.T) {
	c, clk := newTestController(t)
	clk.advance(42e9)
	mustCreate(t, c, "localnet", CreateOptions{Driver: "bridge", Labels: map[string]string{"tier": "web"}})
	mustRun(t, c, "c1", RunOptions{Network: "localnet", Aliases: []string{"web"}})
	mustCreate(t, c, "backend", CreateOptions{
		Subnets: []string{"10.30.0.0/24"}, IPRanges: []string{"10.30.0.128/25"}, Gateways: []string{"10.30.0.1"},
		AuxAddresses: []string{"router=10.30.0.2"}, Internal: true, Options: map[string]string{OptionMTU: "1400"},
	})
	golden(t, "inspect_custom.json", inspectJSON(t, c, "localnet", "backend"))
}
