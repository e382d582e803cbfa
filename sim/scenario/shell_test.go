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

func TestSplitDockerLine(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		jq   bool
		err  string
	}{
		{"network ls", []string{"network", "ls"}, false, ""},
		{"network inspect n | jq", []string{"network", "inspect", "n"}, true, ""},
		{"network inspect n|jq .", []string{"network", "inspect", "n"}, true, ""},
		{"network inspect n | jq '.'", []string{"network", "inspect", "n"}, true, ""},
		{`ps --format 'a|b' | jq`, []string{"ps", "--format", "a|b"}, true, ""},
		{`ps --format "a|b"`, []string{"ps", "--format", "a|b"}, false, ""},
		{`ps --format a\|b`, []string{"ps", "--format", "a|b"}, false, ""},
		{"network ls | wc -l", nil, false, `shell operator "|" is not supported: a docker step runs one command (no pipes, redirections or lists; only "| jq" or "| jq ." may follow it)`},
		{"network ls | jq .Name", nil, false, `shell operator "|" is not supported: a docker step runs one command (no pipes, redirections or lists; only "| jq" or "| jq ." may follow it)`},
		{"network ls | jq | jq", nil, false, `shell operator "|" is not supported: a docker step runs one command (no pipes, redirections or lists)`},
		{"network ls > f | jq", nil, false, `shell operator ">" is not supported: a docker step runs one command (no pipes, redirections or lists)`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, jq, err := SplitDockerLine(tc.in)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				assert.ErrorIs(t, err, ErrShell)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.jq, jq)
		})
	}
}

func TestJQIdentity(t *testing.T) {
	out, err := jqIdentity(`{"b":1,"a":[1.50,{}],"s":"\u003cx\u003e \u0026 \\u003c","e":[]}` + "\n" + `"two"`)
	require.NoError(t, err)
	assert.Equal(t, `{
  "b": 1,
  "a": [
    1.50,
    {}
  ],
  "s": "<x> & \\u003c",
  "e": []
}
"two"
`, out)

	out, err = jqIdentity("")
	require.NoError(t, err)
	assert.Empty(t, out)

	_, err = jqIdentity("NETWORK ID   NAME")
	assert.ErrorContains(t, err, "jq: error (at <stdin>:0): Cannot parse input")
}
