package scenario

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update rewrites the golden .err files and the fuzz seeds of the sample
// files: go test ./sim/scenario -run Samples -update.
var updateGolden = flag.Bool("update", false, "rewrite golden files and fuzz seeds")

func sampleFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return files
}

// TestValidSamples parses every file in testdata/valid: none may have an
// error.
func TestValidSamples(t *testing.T) {
	for _, f := range sampleFiles(t, "valid") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := ParseFile(f)
			require.NoError(t, err)
			assert.NotEmpty(t, s.Name)
		})
	}
}

// TestInvalidSamples parses every file in testdata/invalid and compares
// its errors with the golden file next to it (.err).
func TestInvalidSamples(t *testing.T) {
	for _, f := range sampleFiles(t, "invalid") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := ParseFile(f)
			require.Error(t, err)
			assert.Nil(t, s)
			var list ErrorList
			require.True(t, errors.As(err, &list), "got %T, want ErrorList", err)
			for _, e := range list {
				assert.Positive(t, e.Line, "error without a line: %v", e)
				assert.Positive(t, e.Col, "error without a column: %v", e)
				assert.Equal(t, f, e.File)
			}
			got := err.Error() + "\n"
			golden := strings.TrimSuffix(f, ".yaml") + ".err"
			if *updateGolden {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create %s", golden)
			assert.Equal(t, string(want), got)
		})
	}
}

// TestFuzzSeedsHaveSamples checks that every sample file is a seed of
// FuzzParse (with -update, writes them).
func TestFuzzSeedsHaveSamples(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzParse")
	files := append(sampleFiles(t, "valid"), sampleFiles(t, "invalid")...)
	more, _ := filepath.Glob(filepath.Join("testdata", "scenarios_md", "*.yaml"))
	files = append(files, more...)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		rel, _ := filepath.Rel("testdata", f)
		seed := filepath.Join(dir, "sample-"+strings.NewReplacer("/", "-", ".yaml", "").Replace(filepath.ToSlash(rel)))
		want := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if *updateGolden {
			require.NoError(t, os.MkdirAll(dir, 0o755))
			require.NoError(t, os.WriteFile(seed, []byte(want), 0o644))
		}
		got, err := os.ReadFile(seed)
		require.NoError(t, err, "run with -update to create %s", seed)
		assert.Equal(t, want, string(got), "%s is stale: run with -update", seed)
	}
}
