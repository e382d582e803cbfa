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

func TestParseDockerCommand(t *testing.T) {
	cases := []struct {
		line  string
		name  string
		flags Flags
		args  []string
		exec  *ExecCommand
	}{
		{"network create -d bridge localnet", "network create", Flags{{"driver", "bridge"}}, []string{"localnet"}, nil},
		{"network create --driver=bridge --subnet 10.1.0.0/16 --internal --ipv6=false n", "network create",
			Flags{{"driver", "bridge"}, {"subnet", "10.1.0.0/16"}, {"internal", "true"}, {"ipv6", "false"}}, []string{"n"}, nil},
		{"network create -dbridge n", "network create", Flags{{"driver", "bridge"}}, []string{"n"}, nil},
		{"network ls", "network ls", nil, nil, nil},
		{"network list -q", "network ls", Flags{{"quiet", "true"}}, nil, nil},
		{"network inspect localnet --format '{{json .IPAM}}'", "network inspect", Flags{{"format", "{{json .IPAM}}"}}, []string{"localnet"}, nil},
		{"network rm a b", "network rm", nil, []string{"a", "b"}, nil},
		{"network remove -f a", "network rm", Flags{{"force", "true"}}, []string{"a"}, nil},
		{"network prune -f --filter until=24h", "network prune", Flags{{"force", "true"}, {"filter", "until=24h"}}, nil, nil},
		{"network connect --alias db --alias x n c", "network connect", Flags{{"alias", "db"}, {"alias", "x"}}, []string{"n", "c"}, nil},
		{"network disconnect -f n c", "network disconnect", Flags{{"force", "true"}}, []string{"n", "c"}, nil},
		{"run -d --name c1 --net localnet alpine sleep 1d", "run", Flags{{"detach", "true"}, {"name", "c1"}, {"network", "localnet"}}, []string{"alpine", "sleep", "1d"}, nil},
		{"run -dit --rm -p 8080:80 -p53:53/udp nginx -g x", "run",
			Flags{{"detach", "true"}, {"interactive", "true"}, {"tty", "true"}, {"rm", "true"}, {"publish", "8080:80"}, {"publish", "53:53/udp"}},
			[]string{"nginx", "-g", "x"}, nil},
		{"container run -d alpine", "run", Flags{{"detach", "true"}}, []string{"alpine"}, nil},
		{"create --name c --network-alias a --net-alias b alpine", "create", Flags{{"name", "c"}, {"network-alias", "a"}, {"network-alias", "b"}}, []string{"alpine"}, nil},
		{"start c1 c2", "start", nil, []string{"c1", "c2"}, nil},
		{"stop --time 1 c1", "stop", Flags{{"timeout", "1"}}, []string{"c1"}, nil},
		{"rm -f c1", "rm", Flags{{"force", "true"}}, []string{"c1"}, nil},
		{"port c2 80/tcp", "port", nil, []string{"c2", "80/tcp"}, nil},
		{"exec c3 ping -c 1 c1", "exec", nil, []string{"c3", "ping", "-c", "1", "c1"},
			&ExecCommand{Program: "ping", Flags: Flags{{"count", "1"}}, Args: []string{"c1"}}},
		{"exec -it c3 ping -c1 -W2 c1", "exec", Flags{{"interactive", "true"}, {"tty", "true"}}, []string{"c3", "ping", "-c1", "-W2", "c1"},
			&ExecCommand{Program: "ping", Flags: Flags{{"count", "1"}, {"timeout", "2"}}, Args: []string{"c1"}}},
		{"exec c3 nslookup -type=AAAA web 127.0.0.11", "exec", nil, []string{"c3", "nslookup", "-type=AAAA", "web", "127.0.0.11"},
			&ExecCommand{Program: "nslookup", Flags: Flags{{"type", "AAAA"}}, Args: []string{"web", "127.0.0.11"}}},
		{"exec c3 wget -qO- http://web/", "exec", nil, []string{"c3", "wget", "-qO-", "http://web/"},
			&ExecCommand{Program: "wget", Flags: Flags{{"quiet", "true"}, {"output", "-"}}, Args: []string{"http://web/"}}},
		{"exec c3 curl -fsS --max-time 2 http://web/", "exec", nil, []string{"c3", "curl", "-fsS", "--max-time", "2", "http://web/"},
			&ExecCommand{Program: "curl", Flags: Flags{{"fail", "true"}, {"silent", "true"}, {"show-error", "true"}, {"max-time", "2"}}, Args: []string{"http://web/"}}},
		{"exec c3 /bin/cat /etc/resolv.conf", "exec", nil, []string{"c3", "/bin/cat", "/etc/resolv.conf"},
			&ExecCommand{Program: "cat", Args: []string{"/etc/resolv.conf"}}},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			args, err := SplitCommand(tc.line)
			require.NoError(t, err)
			got, err := ParseDockerCommand(args)
			require.NoError(t, err)
			assert.Equal(t, tc.name, got.Name)
			assert.Equal(t, tc.flags, got.Flags)
			assert.Equal(t, tc.args, got.Args)
			assert.Equal(t, tc.exec, got.Exec)
		})
	}
}

func TestParseDockerCommandErrors(t *testing.T) {
	cases := []struct {
		line string
		kind error
		msg  string
	}{
		{"", ErrUsage, "empty docker command; supported: " + DockerSupported},
		{"docker ps", ErrUsage, `write the command without the leading "docker"`},
		{"-H x ps", ErrUnsupported, "global docker options (-H) are not supported; supported: " + DockerSupported},
		{"ps", ErrUnsupported, "docker ps is not supported; supported: " + DockerSupported},
		{"service create nginx", ErrUnsupported, "docker service create is not supported; supported: " + DockerSupported},
		{"network", ErrUnsupported, `"docker network" needs a subcommand; supported: ` + DockerSupported},
		{"network frob", ErrUnsupported, "docker network frob is not supported; supported: " + DockerSupported},
		{"run alpine", ErrUnsupported, "docker run without -d is not supported: a scenario cannot attach to a container (use run -d, then exec)"},
		{"run -d", ErrUsage, `"docker run" requires at least 1 argument`},
		{"network create a b", ErrUsage, `"docker network create" requires exactly 1 argument`},
		{"network ls x", ErrUsage, `"docker network ls" accepts no arguments`},
		{"network connect n", ErrUsage, `"docker network connect" requires exactly 2 arguments`},
		{"port a b c", ErrUsage, `"docker port" requires at least 1 and at most 2 arguments`},
		{"network create --foo n", ErrUsage, "unknown flag: --foo"},
		{"network create -x n", ErrUsage, "unknown shorthand flag: 'x' in -x"},
		{"network create n --driver", ErrUsage, "flag needs an argument: --driver"},
		{"network create n -d", ErrUsage, "flag needs an argument: 'd' in -d"},
		{"network create --internal=maybe n", ErrUsage, `invalid argument "maybe" for "--internal" flag: strconv.ParseBool: parsing "maybe": invalid syntax`},
		{"exec c1", ErrUsage, `"docker exec" requires at least 2 arguments`},
		{"exec c1 ls", ErrUnsupported, "exec ls is not supported; supported in exec: " + ExecSupported},
		{"exec c1 cat /etc/shadow", ErrUnsupported, "exec cat /etc/shadow is not supported; supported in exec: " + ExecSupported},
		{"exec c1 ping", ErrUsage, `"ping" requires exactly 1 argument`},
		{"exec c1 ping -c 0 x", ErrUsage, "ping: invalid count '0'"},
		{"exec c1 ping -t 300 x", ErrUsage, "ping: invalid ttl '300'"},
		{"exec c1 wget -T x http://a/", ErrUsage, "wget: invalid timeout 'x'"},
		{"exec c1 curl -X POST http://a/", ErrUsage, "curl: method POST is not supported (GET, HEAD)"},
		{"exec c1 curl --data x http://a/", ErrUsage, "curl: unknown flag: --data"},
		{"exec c1 nslookup -bogus=1 x", ErrUsage, "nslookup: unknown flag: -bogus=1"},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			args, err := SplitCommand(tc.line)
			require.NoError(t, err)
			_, err = ParseDockerCommand(args)
			require.EqualError(t, err, tc.msg)
			assert.ErrorIs(t, err, tc.kind)
		})
	}
}

func TestFlags(t *testing.T) {
	f := Flags{{"alias", "a"}, {"internal", "false"}, {"alias", "b"}, {"ip", "10.0.0.1"}}
	assert.Equal(t, []string{"a", "b"}, f.Values("alias"))
	v, ok := f.Value("alias")
	assert.True(t, ok)
	assert.Equal(t, "b", v)
	assert.False(t, f.Has("internal"), "a boolean given =false is not set")
	assert.True(t, f.Has("ip"))
	assert.False(t, f.Has("name"))
	_, ok = f.Value("name")
	assert.False(t, ok)
}
