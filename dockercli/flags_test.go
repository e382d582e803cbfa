package dockercli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/network/ipam"
)

func TestParseFlagsPflagForms(t *testing.T) {
	cases := []struct {
		line string
		want *Run
	}{
		{"run -d=false -p=80:80 alpine", &Run{Publish: []PublishSpec{{HostPort: 80, HostPortEnd: 80, Port: 80, PortEnd: 80, Proto: "tcp"}}}},
		{"run -dp80 alpine", &Run{Detach: true, Publish: []PublishSpec{{Port: 80, PortEnd: 80, Proto: "tcp"}}}},
		{"run -dp 80 alpine", &Run{Detach: true, Publish: []PublishSpec{{Port: 80, PortEnd: 80, Proto: "tcp"}}}},
		{"run --rm=true --rm=false -t alpine", &Run{TTY: true}},
		{"run --name=x1 --name x2 alpine", &Run{ContainerName: "x2"}},
		{"run -d alpine -d", &Run{Detach: true, Cmd: []string{"-d"}}},
		{"run -d -- alpine", &Run{Detach: true}},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			cmd, err := ParseCommand(words(tc.line))
			require.NoError(t, err)
			got := cmd.(*Run)
			assert.Equal(t, tc.want.Detach, got.Detach)
			assert.Equal(t, tc.want.TTY, got.TTY)
			assert.Equal(t, tc.want.ContainerName, got.ContainerName)
			assert.Equal(t, tc.want.Publish, got.Publish)
			if tc.want.Cmd == nil {
				tc.want.Cmd = []string{}
			}
			assert.Equal(t, tc.want.Cmd, got.Cmd)
			assert.Equal(t, "alpine", got.Image)
		})
	}
	// Flags may follow arguments where cobra allows it (interspersed).
	cmd, err := ParseCommand(words("network inspect localnet -f '{{.Name}}' bridge"))
	require.NoError(t, err)
	assert.Equal(t, []string{"localnet", "bridge"}, cmd.(*NetworkInspect).Networks)
	assert.Equal(t, "{{.Name}}", cmd.(*NetworkInspect).Format)
	// A lone "-" is an argument.
	cmd, err = ParseCommand(words("network rm -"))
	require.NoError(t, err)
	assert.Equal(t, []string{"-"}, cmd.(*NetworkRm).Networks)
	// IPAM errors keep their cause.
	_, err = ParseCommand(words("network create --gateway 10.0.0.1 n"))
	assert.ErrorIs(t, err, ipam.ErrInvalidConfig)
	assert.ErrorIs(t, err, ErrUsage)
}

func TestNaturalLessAndHumanDuration(t *testing.T) {
	assert.True(t, naturalLess("net9", "net10"))
	assert.False(t, naturalLess("net10", "net9"))
	assert.True(t, naturalLess("a", "b"))
	assert.True(t, naturalLess("80/tcp -> 0.0.0.0:5005", "80/tcp -> [::]:5005"))
	assert.True(t, naturalLess("x01", "x001"), "fewer leading zeros first")
	assert.True(t, naturalLess("x", "x1"))
	for d, want := range map[float64]string{0.5: "Less than a second", 1: "1 second", 59: "59 seconds", 60: "About a minute",
		150: "2 minutes", 3600: "About an hour", 5400: "2 hours", 3 * 86400: "3 days", 20 * 86400: "2 weeks",
		90 * 86400: "3 months", 800 * 86400: "2 years"} {
		assert.Equal(t, want, humanDuration(secs(d)), "%v s", d)
	}
	assert.Equal(t, "abc", ellipsis("abc", 3))
	assert.Equal(t, "ab…", ellipsis("abcd", 3))
	assert.Equal(t, "", ellipsis("abcd", 0))
}
