package scenario

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSplitCommand(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  string
	}{
		{"network ls", []string{"network", "ls"}, ""},
		{"  network   ls  ", []string{"network", "ls"}, ""},
		{"network inspect localnet --format '{{json .Containers}}'", []string{"network", "inspect", "localnet", "--format", "{{json .Containers}}"}, ""},
		{`a "b c" d`, []string{"a", "b c", "d"}, ""},
		{`a "x \"y\" \\ \z"`, []string{"a", `x "y" \ \z`}, ""},
		{`a 'it''s'`, []string{"a", "its"}, ""},
		{`a b\ c`, []string{"a", "b c"}, ""},
		{"run -d \\\n  --name c1 \\\n  alpine", []string{"run", "-d", "--name", "c1", "alpine"}, ""},
		{"a\nb", []string{"a", "b"}, ""},
		{`a ""`, []string{"a", ""}, ""},
		{`a x#y`, []string{"a", "x#y"}, ""},
		{`a '$HOME|x'`, []string{"a", "$HOME|x"}, ""},
		{"", nil, ""},
		{`a 'b`, nil, "unterminated single quote"},
		{`a "b`, nil, "unterminated double quote"},
		{`a \`, nil, "the command ends with a backslash"},
		{"a | jq", nil, `shell operator "|" is not supported: a docker step runs one command (no pipes, redirections or lists)`},
		{"a > f", nil, `shell operator ">" is not supported: a docker step runs one command (no pipes, redirections or lists)`},
		{"a; b", nil, `shell operator ";" is not supported: a docker step runs one command (no pipes, redirections or lists)`},
		{"a && b", nil, `shell operator "&" is not supported: a docker step runs one command (no pipes, redirections or lists)`},
		{"a $X", nil, "$ expansions are not supported; quote with '...' to pass it literally"},
		{"a `x`", nil, "` expansions are not supported; quote with '...' to pass it literally"},
		{`a "$X"`, nil, "$ expansions are not supported; quote with '...' instead"},
		{"a # comment", nil, "# starts a comment in a shell; quote it to pass it literally"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := SplitCommand(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				assert.ErrorIs(t, err, ErrShell)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
