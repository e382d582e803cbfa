package scenarios

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/vswitch/vswitch/sim/scenario"
)

func scenarioFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no scenario files")
	}
	sort.Strings(files)
	return files
}

// run executes a scenario with pcaps into a fresh directory and returns the
// result and the pcap files' contents by name.
func run(t *testing.T, s *scenario.Scenario) (*scenario.Result, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	res, err := scenario.Run(s, scenario.Options{PcapDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	pcaps := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		pcaps[e.Name()] = b
	}
	return res, pcaps
}

func TestScenarios(t *testing.T) {
	for _, file := range scenarioFiles(t) {
		t.Run(strings.TrimSuffix(file, filepath.Ext(file)), func(t *testing.T) {
			s, err := scenario.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			res, pcaps := run(t, s)
			if !res.OK() {
				var buf bytes.Buffer
				scenario.WriteResult(&buf, res)
				t.Fatalf("scenario failed:\n%s", buf.String())
			}
			// One file per link, plus those capture steps wrote.
			if len(pcaps) < len(s.Links) {
				t.Errorf("%d pcap files for %d links", len(pcaps), len(s.Links))
			}

			// Determinism: again, and at another GOMAXPROCS.
			for _, procs := range []int{1, 4} {
				old := runtime.GOMAXPROCS(procs)
				again, pcaps2 := run(t, s)
				runtime.GOMAXPROCS(old)
				if again.TraceHash != res.TraceHash {
					t.Errorf("GOMAXPROCS=%d: trace hash %s, first run %s", procs, again.TraceHash, res.TraceHash)
				}
				for name, b := range pcaps {
					if !bytes.Equal(b, pcaps2[name]) {
						t.Errorf("GOMAXPROCS=%d: %s differs from the first run", procs, name)
					}
				}
			}
		})
	}
}

// TestREADMEExamples keeps the README true: every scenario it shows runs
// and passes, and the output it shows for vlan-isolation is what a run
// prints.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	blocks := strings.Split(text, "```yaml\n")[1:]
	ran := 0
	for i, b := range blocks {
		src, _, _ := strings.Cut(b, "```")
		if !strings.HasPrefix(src, "name: ") {
			continue
		}
		s, err := scenario.Parse(fmt.Sprintf("README.md block %d", i+1), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		res, err := scenario.Run(s, scenario.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK() {
			var buf bytes.Buffer
			scenario.WriteResult(&buf, res)
			t.Errorf("README example %q fails:\n%s", s.Name, buf.String())
		}
		ran++
	}
	if ran < 2 {
		t.Errorf("found %d runnable examples in the README, want at least 2", ran)
	}

	const cmd = "$ go run ./cmd/vsim run scenarios/l2/vlan-isolation.yaml\n"
	i := strings.Index(text, cmd)
	if i < 0 {
		t.Fatal("README lost its vlan-isolation run")
	}
	shown, _, _ := strings.Cut(text[i+len(cmd):], "```")
	s, err := scenario.ParseFile("l2/vlan-isolation.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := scenario.Run(s, scenario.Options{OnStep: func(sr scenario.StepResult) { scenario.WriteStep(&out, sr) }})
	if err != nil {
		t.Fatal(err)
	}
	var full bytes.Buffer
	scenario.WriteHeader(&full, s, res.Seed)
	full.Write(out.Bytes())
	scenario.WriteFooter(&full, res)
	fmt.Fprintf(&full, "%d passed, %d failed\n", res.Passed(), res.Failed())
	want := strings.ReplaceAll(full.String(), "=== vlan-isolation (seed 1) l2/vlan-isolation.yaml", "=== vlan-isolation (seed 1) scenarios/l2/vlan-isolation.yaml")
	if strings.TrimSpace(shown) != strings.TrimSpace(want) {
		t.Errorf("README shows:\n%s\na run prints:\n%s", shown, want)
	}
}
