package dockercli

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzParseCommand feeds command lines split on spaces to ParseCommand and
// runs what parses against a small lab: nothing may panic, every error has
// a text and a kind, and a command on one object that fails leaves the
// state as it was.
func FuzzParseCommand(f *testing.F) {
	f.Add("network create -d bridge localnet")
	f.Add("run -d --name c1 --network localnet alpine sleep 1d")
	f.Add("network inspect localnet --format {{json .Containers}}")
	f.Add("run -d --name web --network localnet --publish 5005:80 nginx")
	f.Add("port web 80/tcp")
	f.Add("exec -it c1 ping -c1 -W2 web")
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, " ")
		cmd, err := ParseCommand(args)
		if err != nil {
			require.NotEmpty(t, err.Error())
			require.True(t, errors.Is(err, ErrUsage) || errors.Is(err, ErrUnsupported), "error without a kind: %v", err)
			return
		}
		require.NotEmpty(t, cmd.Name())
		require.Equal(t, args, cmd.Line())
		env, _, _ := newEnv(t)
		mustDocker(t, env, "network create --subnet 10.9.0.0/24 localnet")
		mustDocker(t, env, "run -d --name c1 --network localnet alpine sleep 1d")
		mustDocker(t, env, "run -d --name web -p 5005:80 nginx")
		mustDocker(t, env, "create --name later alpine")
		before := state(t, env)
		_, err = Exec(env, cmd)
		if err == nil {
			return
		}
		require.NotEmpty(t, err.Error())
		if severalObjects(cmd) {
			return
		}
		require.Equal(t, before, state(t, env), "%q failed (%v) and changed the state", line, err)
	})
}

// severalObjects reports commands Docker runs object by object, so that a
// failure may follow successes.
func severalObjects(cmd Command) bool {
	switch c := cmd.(type) {
	case *NetworkRm:
		return len(c.Networks) > 1
	case *Rm:
		return len(c.Containers) > 1
	case *Start:
		return len(c.Containers) > 1
	case *Stop:
		return len(c.Containers) > 1
	}
	return false
}

// FuzzPublishSpec checks the -p grammar: no panics, sane ranges, and
// String reads back to the same spec.
func FuzzPublishSpec(f *testing.F) {
	f.Add("5005:80")
	f.Add("[::1]:8080:80/udp")
	f.Add("8000-8010:80")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePublish(s)
		if err != nil {
			require.NotEmpty(t, err.Error())
			return
		}
		require.GreaterOrEqual(t, p.PortEnd, p.Port)
		require.GreaterOrEqual(t, p.HostPortEnd, p.HostPort)
		require.Contains(t, []string{"tcp", "udp", "sctp"}, p.Proto)
		if p.PortEnd != p.Port && p.HostPortEnd != 0 {
			require.Equal(t, p.PortEnd-p.Port, p.HostPortEnd-p.HostPort)
		}
		back, err := ParsePublish(p.String())
		require.NoError(t, err, "String() = %q", p.String())
		require.Equal(t, p, back)
	})
}
