package scenario

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/dockercli"
)

// The examples of ../shared/SCENARIOS.md, the page that fixes the format's
// shape, are copied verbatim into testdata/scenarios_md/: top.yaml,
// l2.yaml, docker.yaml and steps.yaml, one per code block. Every form shown
// there must parse as written.

var mdFragments = []string{"top", "l2", "docker", "steps"}

// TestScenariosMDFragments parses each example on its own. The fragments
// refer to things other fragments define (steps name h1, sw1, c1...), so
// undefined references are the only errors allowed.
func TestScenariosMDFragments(t *testing.T) {
	for _, f := range mdFragments {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile("testdata/scenarios_md/" + f + ".yaml")
			require.NoError(t, err)
			if !strings.HasPrefix(string(data), "name:") {
				// The name line goes last so that positions stay those
				// of the page.
				data = append(data, "\nname: fragment\n"...)
			}
			_, errs := parse(f+".yaml", data)
			for _, e := range errs {
				assert.True(t, e.ref, "not a reference error: %v", e)
			}
		})
	}
}

// TestScenariosMDFull parses the examples in one file, completed with the
// definitions they refer to, and checks that the file holds every line of
// every fragment in order, so that nothing was adapted.
func TestScenariosMDFull(t *testing.T) {
	full, err := os.ReadFile("testdata/scenarios_md/full.yaml")
	require.NoError(t, err)
	lines := strings.Split(string(full), "\n")
	i := 0
	for _, f := range mdFragments {
		data, err := os.ReadFile("testdata/scenarios_md/" + f + ".yaml")
		require.NoError(t, err)
		for _, want := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			for i < len(lines) && lines[i] != want {
				i++
			}
			require.Less(t, i, len(lines), "full.yaml lacks %q (from %s.yaml) in order", want, f)
			i++
		}
	}

	s, err := Parse("full.yaml", full)
	require.NoError(t, err)
	// A few of the forms, checked for their meaning.
	assert.Equal(t, "stp-triangle", s.Name)
	assert.Equal(t, 4096, s.Switch("sw1").STP.Priority)
	assert.Equal(t, []int{10, 20}, s.Switch("sw1").Port("p9").Trunk)
	assert.NotNil(t, s.Links[2].Loss.Burst, "Gilbert-Elliott loss")
	assert.Equal(t, []string{"web"}, s.Container("c2").Networks[0].Aliases)
	assert.Equal(t, "backend", s.Container("c2").Networks[1].Network)
	assert.Equal(t, "localnet", s.Container("c1").Networks[0].Network)
	var kinds []string
	for _, st := range s.Steps {
		kinds = append(kinds, st.Kind())
	}
	assert.Equal(t, []string{"ping", "traceroute", "tcp", "http", "udp", "dns", "link", "wait", "fdb", "counters", "stp",
		"docker", "docker", "docker", "docker", "docker"}, kinds)
	last := s.Steps[len(s.Steps)-1]
	assert.Equal(t, "port", last.Docker.Cmd.Name())
	assert.Equal(t, "80/tcp -> 0.0.0.0:5005", *last.Expect.Output)
	exec := s.Steps[len(s.Steps)-2].Docker.Cmd.Exec()
	require.NotNil(t, exec)
	assert.Equal(t, []string{"ping", "-c", "1", "c1"}, exec.Argv)
	assert.Equal(t, &dockercli.Ping{Host: "c1", Count: 1, Size: -1}, exec.Tool)
}

// TestDocsExamples parses every YAML example of docs/scenarios.md, so that
// the reference cannot show a form the parser refuses. Examples that are
// lists of steps are put under steps:, and fragments may refer to what
// they do not define.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scenarios.md")
	require.NoError(t, err)
	blocks := strings.Split(string(doc), "```yaml\n")[1:]
	require.NotEmpty(t, blocks)
	for i, b := range blocks {
		src, _, _ := strings.Cut(b, "```")
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			var body []string
			for _, l := range strings.Split(src, "\n") {
				if !strings.HasPrefix(strings.TrimSpace(l), "#") {
					body = append(body, l)
				}
			}
			if strings.TrimSpace(strings.Join(body, "")) == "" {
				return // a comment, such as the editor's modeline
			}
			if strings.HasPrefix(strings.TrimSpace(src), "- ") {
				src = "steps:\n" + indentYAML(src)
			}
			if !strings.Contains(src, "\nname:") && !strings.HasPrefix(src, "name:") {
				src += "\nname: example\n"
			}
			_, errs := parse("example.yaml", []byte(src))
			for _, e := range errs {
				assert.True(t, e.ref, "example %d: %v\n%s", i, e, src)
			}
		})
	}
}

func indentYAML(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}
