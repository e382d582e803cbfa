package dockercli

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/network"
)

func b(name, line string) base { return base{name: name, line: words(line)} }

func TestParseCommand(t *testing.T) {
	tr := true
	cases := []struct {
		line string
		want Command
	}{
		// The seed guide's commands, verbatim.
		{"network create -d bridge localnet", &NetworkCreate{base: b("network create", "network create -d bridge localnet"),
			Network: "localnet", Options: network.CreateOptions{Driver: "bridge"}}},
		{"network ls", &NetworkLs{base: b("network ls", "network ls")}},
		{"network inspect bridge", &NetworkInspect{base: b("network inspect", "network inspect bridge"), Networks: []string{"bridge"}}},
		{"network inspect localnet --format '{{json .Containers}}'", &NetworkInspect{
			base:     b("network inspect", "network inspect localnet --format '{{json .Containers}}'"),
			Networks: []string{"localnet"}, Format: "{{json .Containers}}"}},
		{"network prune", &NetworkPrune{base: b("network prune", "network prune")}},
		{"network rm localnet", &NetworkRm{base: b("network rm", "network rm localnet"), Networks: []string{"localnet"}}},
		{"network connect localnet c1", &NetworkConnect{base: b("network connect", "network connect localnet c1"), Network: "localnet", Container: "c1"}},
		{"network disconnect localnet c1", &NetworkDisconnect{base: b("network disconnect", "network disconnect localnet c1"), Network: "localnet", Container: "c1"}},
		{"run -d --name c1 --network localnet alpine sleep 1d", &Run{base: b("run", "run -d --name c1 --network localnet alpine sleep 1d"),
			Detach: true, ContainerName: "c1", Networks: []NetworkAttachment{{Network: "localnet"}}, Image: "alpine", Cmd: []string{"sleep", "1d"}}},
		{"run -it --name c2 --network localnet alpine sh", &Run{base: b("run", "run -it --name c2 --network localnet alpine sh"),
			Interactive: true, TTY: true, ContainerName: "c2", Networks: []NetworkAttachment{{Network: "localnet"}}, Image: "alpine", Cmd: []string{"sh"}}},
		{"run -d --name web --network localnet --publish 5005:80 nginx", &Run{base: b("run", "run -d --name web --network localnet --publish 5005:80 nginx"),
			Detach: true, ContainerName: "web", Networks: []NetworkAttachment{{Network: "localnet"}}, Image: "nginx", Cmd: []string{},
			Publish: []PublishSpec{{HostPort: 5005, HostPortEnd: 5005, Port: 80, PortEnd: 80, Proto: "tcp"}}}},
		{"port web", &Port{base: b("port", "port web"), Container: "web"}},
		{"network create -d macvlan --subnet=10.0.0.0/24 --ip-range=10.0.0.0/25 --gateway=10.0.0.1 -o parent=eth0.100 macvlan100",
			&NetworkCreate{base: b("network create", "network create -d macvlan --subnet=10.0.0.0/24 --ip-range=10.0.0.0/25 --gateway=10.0.0.1 -o parent=eth0.100 macvlan100"),
				Network: "macvlan100", Options: network.CreateOptions{Driver: "macvlan", Subnets: []string{"10.0.0.0/24"},
					IPRanges: []string{"10.0.0.0/25"}, Gateways: []string{"10.0.0.1"}, Options: map[string]string{"parent": "eth0.100"}}}},
		{"run -it --name custom-dns --dns=8.8.8.8 --dns-search=example.com alpine sh", &Run{
			base:        b("run", "run -it --name custom-dns --dns=8.8.8.8 --dns-search=example.com alpine sh"),
			Interactive: true, TTY: true, ContainerName: "custom-dns", Networks: []NetworkAttachment{{}},
			DNS: []netip.Addr{netip.MustParseAddr("8.8.8.8")}, DNSSearch: []string{"example.com"}, Image: "alpine", Cmd: []string{"sh"}}},
		// Flags and aliases.
		{"network list -q --no-trunc -f driver=bridge --filter name=loc --format '{{.Name}}'", &NetworkLs{
			base:  b("network ls", "network list -q --no-trunc -f driver=bridge --filter name=loc --format '{{.Name}}'"),
			Quiet: true, NoTrunc: true, Format: "{{.Name}}", Filters: []string{"driver=bridge", "name=loc"}}},
		{"network create --subnet 10.1.0.0/16,10.2.0.0/16 --gateway=10.1.0.1 --aux-address r=10.1.0.2 --label tier=db --label x " +
			"-o com.docker.network.driver.mtu=1400 --internal --attachable --ipv4=true --ipam-opt a=b --scope local n",
			&NetworkCreate{base: b("network create", "network create --subnet 10.1.0.0/16,10.2.0.0/16 --gateway=10.1.0.1 --aux-address r=10.1.0.2 --label tier=db --label x "+
				"-o com.docker.network.driver.mtu=1400 --internal --attachable --ipv4=true --ipam-opt a=b --scope local n"),
				Network: "n", Options: network.CreateOptions{Driver: "bridge", Subnets: []string{"10.1.0.0/16", "10.2.0.0/16"},
					Gateways: []string{"10.1.0.1"}, AuxAddresses: []string{"r=10.1.0.2"}, Labels: map[string]string{"tier": "db", "x": ""},
					Options: map[string]string{"com.docker.network.driver.mtu": "1400"}, Internal: true, Attachable: true,
					EnableIPv4: &tr, IPAMOptions: map[string]string{"a": "b"}, Scope: "local"}}},
		{"network create -dbridge --ipv6 n", &NetworkCreate{base: b("network create", "network create -dbridge --ipv6 n"),
			Network: "n", Options: network.CreateOptions{Driver: "bridge", IPv6: true}}},
		{"network rm -f a b", &NetworkRm{base: b("network rm", "network rm -f a b"), Networks: []string{"a", "b"}, Force: true}},
		{"network remove a", &NetworkRm{base: b("network rm", "network remove a"), Networks: []string{"a"}}},
		{"network prune -f --filter until=24h --filter label=x", &NetworkPrune{base: b("network prune", "network prune -f --filter until=24h --filter label=x"),
			Force: true, Filters: []string{"until=24h", "label=x"}}},
		{"network connect --ip 172.18.0.9 --alias db,cache --alias x localnet c1", &NetworkConnect{
			base:    b("network connect", "network connect --ip 172.18.0.9 --alias db,cache --alias x localnet c1"),
			Network: "localnet", Container: "c1", IP: netip.MustParseAddr("172.18.0.9"), Aliases: []string{"db", "cache", "x"}}},
		{"network disconnect -f localnet c1", &NetworkDisconnect{base: b("network disconnect", "network disconnect -f localnet c1"),
			Network: "localnet", Container: "c1", Force: true}},
		{"container run -dit --rm -p 8080:80 -p53:53/udp --net n --net-alias a --ip 10.0.0.5 -h box --dns-option ndots:2 nginx -g x",
			&Run{base: b("run", "container run -dit --rm -p 8080:80 -p53:53/udp --net n --net-alias a --ip 10.0.0.5 -h box --dns-option ndots:2 nginx -g x"),
				Detach: true, Interactive: true, TTY: true, AutoRemove: true, Hostname: "box", DNSOptions: []string{"ndots:2"},
				Networks: []NetworkAttachment{{Network: "n", Aliases: []string{"a"}, IP: netip.MustParseAddr("10.0.0.5")}},
				Publish: []PublishSpec{
					{HostPort: 8080, HostPortEnd: 8080, Port: 80, PortEnd: 80, Proto: "tcp"},
					{HostPort: 53, HostPortEnd: 53, Port: 53, PortEnd: 53, Proto: "udp"},
				}, Image: "nginx", Cmd: []string{"-g", "x"}}},
		{"run -d --network name=a,alias=x,ip=10.1.0.9 --network b -e A=1 -l k=v --restart always -v /x:/y alpine", &Run{
			base:   b("run", "run -d --network name=a,alias=x,ip=10.1.0.9 --network b -e A=1 -l k=v --restart always -v /x:/y alpine"),
			Detach: true, Networks: []NetworkAttachment{{Network: "a", Aliases: []string{"x"}, IP: netip.MustParseAddr("10.1.0.9")}, {Network: "b"}},
			Env: []string{"A=1"}, Labels: map[string]string{"k": "v"}, Image: "alpine", Cmd: []string{}}},
		{"create --name c --net n --network-alias a --net-alias b --expose 8000-8001 -P busybox", &Run{
			base:          b("create", "create --name c --net n --network-alias a --net-alias b --expose 8000-8001 -P busybox"),
			ContainerName: "c", Networks: []NetworkAttachment{{Aliases: []string{"a", "b"}, Network: "n"}},
			Expose: []string{"8000/tcp", "8001/tcp"}, PublishAll: true, Image: "busybox", Cmd: []string{}}},
		{"run -d alpine -- ls -l", &Run{base: b("run", "run -d alpine -- ls -l"), Detach: true, Networks: []NetworkAttachment{{}},
			Image: "alpine", Cmd: []string{"--", "ls", "-l"}}},
		{"run -d -- alpine", &Run{base: b("run", "run -d -- alpine"), Detach: true, Networks: []NetworkAttachment{{}},
			Image: "alpine", Cmd: []string{}}},
		{"start c1 c2", &Start{base: b("start", "start c1 c2"), Containers: []string{"c1", "c2"}}},
		{"stop --time 1 c1", &Stop{base: b("stop", "stop --time 1 c1"), Containers: []string{"c1"}}},
		{"rm -f c1", &Rm{base: b("rm", "rm -f c1"), Containers: []string{"c1"}, Force: true}},
		{"container remove -fv c1", &Rm{base: b("rm", "container remove -fv c1"), Containers: []string{"c1"}, Force: true}},
		{"port c2 80/tcp", &Port{base: b("port", "port c2 80/tcp"), Container: "c2", Private: "80/tcp"}},
		{"inspect -f '{{.Name}}' c1 localnet", &Inspect{base: b("inspect", "inspect -f '{{.Name}}' c1 localnet"),
			Names: []string{"c1", "localnet"}, Format: "{{.Name}}"}},
		{"inspect --type network bridge", &Inspect{base: b("inspect", "inspect --type network bridge"), Names: []string{"bridge"}, Type: "network"}},
		{"container inspect c1", &Inspect{base: b("inspect", "container inspect c1"), Names: []string{"c1"}, Type: "container"}},
		{"ps -aq", &Ps{base: b("ps", "ps -aq"), All: true, Quiet: true, Last: -1}},
		{"container ls -n 2 --no-trunc --format '{{.Names}}' -f status=exited", &Ps{
			base: b("ps", "container ls -n 2 --no-trunc --format '{{.Names}}' -f status=exited"),
			Last: 2, NoTrunc: true, Format: "{{.Names}}", Filters: []string{"status=exited"}}},
		{"exec c3 ping -c 1 c1", &ExecCommand{base: b("exec", "exec c3 ping -c 1 c1"), Container: "c3",
			Argv: []string{"ping", "-c", "1", "c1"}, Tool: &Ping{Host: "c1", Count: 1, Size: -1}}},
		{"exec -it c3 ping -c1 -W2 c1", &ExecCommand{base: b("exec", "exec -it c3 ping -c1 -W2 c1"), Container: "c3",
			Interactive: true, TTY: true, Argv: []string{"ping", "-c1", "-W2", "c1"}, Tool: &Ping{Host: "c1", Count: 1, Timeout: 2 * time.Second, Size: -1}}},
		{"container exec -e A=b -u root c3 /usr/bin/wget -qO- http://web/", &ExecCommand{
			base: b("exec", "container exec -e A=b -u root c3 /usr/bin/wget -qO- http://web/"), Container: "c3",
			Env: []string{"A=b"}, User: "root", Argv: []string{"/usr/bin/wget", "-qO-", "http://web/"},
			Tool: &Wget{URL: "http://web/", Quiet: true, Output: "-"}}},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			got, err := ParseCommand(words(tc.line))
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.want.Name(), got.Name())
		})
	}
}

func TestCommandExec(t *testing.T) {
	cmd, err := ParseCommand(words("exec c1 nslookup web"))
	require.NoError(t, err)
	ex := cmd.Exec()
	require.NotNil(t, ex, "exec commands are found with Exec()")
	assert.Equal(t, "c1", ex.Container)
	assert.Equal(t, &Nslookup{Name: "web"}, ex.Tool)
	cmd, err = ParseCommand(words("network ls"))
	require.NoError(t, err)
	assert.Nil(t, cmd.Exec())
	assert.Equal(t, []string{"network", "ls"}, cmd.Line())
}

func TestParseCommandErrors(t *testing.T) {
	cases := []struct {
		line string
		kind error
		msg  string
	}{
		{"", ErrUnsupported, "empty docker command; supported: " + Supported},
		{"docker ps", ErrUsage, `write the command without the leading "docker"`},
		{"-H x ps", ErrUnsupported, "global docker options (-H) are not supported by the simulator; supported: " + Supported},
		{"swarm init", ErrUnsupported, "docker swarm init is not supported by the simulator; supported: " + Supported},
		{"service create -d --name svc1 --publish 5005:80 nginx", ErrUnsupported, "docker service create is not supported by the simulator; supported: " + Supported},
		{"attach c1", ErrUnsupported, "docker attach is not supported by the simulator; supported: " + Supported},
		{"network", ErrUnsupported, "docker network needs a subcommand; supported: " + Supported},
		{"network frob", ErrUnsupported, "docker network frob is not supported by the simulator; supported: " + Supported},
		{"container attach c1", ErrUnsupported, "docker container attach is not supported by the simulator; supported: " + Supported},
		// cobra's argument checks.
		{"network create", ErrUsage, `"docker network create" requires exactly 1 argument.`},
		{"network create a b", ErrUsage, `"docker network create" requires exactly 1 argument.`},
		{"network ls x", ErrUsage, `"docker network ls" accepts no arguments.`},
		{"network list x", ErrUsage, `"docker network ls" accepts no arguments.`},
		{"network connect n", ErrUsage, `"docker network connect" requires exactly 2 arguments.`},
		{"network inspect", ErrUsage, `"docker network inspect" requires at least 1 argument.`},
		{"network prune x", ErrUsage, `"docker network prune" accepts no arguments.`},
		{"run -d", ErrUsage, `"docker run" requires at least 1 argument.`},
		{"container run", ErrUsage, `"docker container run" requires at least 1 argument.`},
		{"port a b c", ErrUsage, `"docker port" requires at least 1 and at most 2 arguments.`},
		{"exec c1", ErrUsage, `"docker exec" requires at least 2 arguments.`},
		{"ps x", ErrUsage, `"docker ps" accepts no arguments.`},
		// pflag's messages.
		{"network create --foo n", ErrUsage, "unknown flag: --foo"},
		{"network create --foo=1 n", ErrUsage, "unknown flag: --foo"},
		{"network create -x n", ErrUsage, "unknown shorthand flag: 'x' in -x"},
		{"network ls -qx", ErrUsage, "unknown shorthand flag: 'x' in -x"},
		{"network create n --driver", ErrUsage, "flag needs an argument: --driver"},
		{"network create n -d", ErrUsage, "flag needs an argument: 'd' in -d"},
		{"run -dp", ErrUsage, "flag needs an argument: 'p' in -p"},
		{"network create ---x n", ErrUsage, "bad flag syntax: ---x"},
		{"network create --internal=maybe n", ErrUsage, `invalid argument "maybe" for "--internal" flag: strconv.ParseBool: parsing "maybe": invalid syntax`},
		{"network rm --force=2 n", ErrUsage, `invalid argument "2" for "-f, --force" flag: strconv.ParseBool: parsing "2": invalid syntax`},
		{"network create --gateway x --subnet 10.0.0.0/8 n", ErrUsage, `invalid argument "x" for "--gateway" flag: invalid string being converted to IP address: x`},
		{"network create --ip-range x n", ErrUsage, `invalid argument "x" for "--ip-range" flag: invalid string being converted to CIDR: x`},
		{"network create --label =x n", ErrUsage, `invalid argument "=x" for "--label" flag: invalid label '=x': empty name`},
		{"network create --label 'a b=c' n", ErrUsage, `invalid argument "a b=c" for "--label" flag: label 'a b' contains whitespaces`},
		{"network ls -f driver", ErrUsage, `invalid argument "driver" for "-f, --filter" flag: bad format of filter (expected name=value)`},
		{"network prune --filter until", ErrUsage, `invalid argument "until" for "--filter" flag: bad format of filter (expected name=value)`},
		{"network connect --ip x n c", ErrUsage, `invalid argument "x" for "--ip" flag: failed to parse IP: "x"`},
		{"network connect --gw-priority x n c", ErrUsage, `invalid argument "x" for "--gw-priority" flag: strconv.ParseInt: parsing "x": invalid syntax`},
		{"run --dns 8.8.8 alpine", ErrUsage, `invalid argument "8.8.8" for "--dns" flag: IP address is not correctly formatted: 8.8.8`},
		{"run --dns-search -bad- alpine", ErrUsage, `invalid argument "-bad-" for "--dns-search" flag: -bad- is not a valid domain`},
		{"run --add-host nohost alpine", ErrUsage, `invalid argument "nohost" for "--add-host" flag: bad format for add-host: "nohost"`},
		{"run -e =x alpine", ErrUsage, `invalid argument "=x" for "-e, --env" flag: invalid environment variable: =x`},
		{"run --network name=a,foo=b alpine", ErrUsage, `invalid argument "name=a,foo=b" for "--network" flag: invalid field key foo`},
		{"run --health-interval x alpine", ErrUsage, `invalid argument "x" for "--health-interval" flag: time: invalid duration "x"`},
		{"stop -t x c1", ErrUsage, `invalid argument "x" for "-t, --timeout" flag: strconv.ParseInt: parsing "x": invalid syntax`},
		// The CLI's own checks.
		{"network create --gateway 10.0.0.1 n", ErrUsage, "every ip-range or gateway must have a corresponding subnet"},
		{"network create --subnet 10.0.0.0/24 --gateway 10.9.0.1 n", ErrUsage, "no matching subnet for gateway 10.9.0.1"},
		{"network create --subnet 10.0.0.0/16 --subnet 10.0.1.0/24 n", ErrUsage, "multiple overlapping subnet configuration is not supported"},
		{"run -p 80:x nginx", ErrUsage, "docker: invalid containerPort: x."},
		{"create -p x:80 nginx", ErrUsage, "docker: invalid hostPort: x."},
		{"run -p 90:80-81 nginx", ErrUsage, "docker: invalid ranges specified for container and host Ports: 80-81 and 90."},
		{"run -p 80/icmp nginx", ErrUsage, "docker: invalid proto: icmp."},
		{"run --network-alias web alpine", ErrUsage, "docker: network-scoped aliases are only supported for user-defined networks."},
		{"run --network bridge --network-alias web alpine", ErrUsage, "docker: network-scoped aliases are only supported for user-defined networks."},
		{"run --network a --network bridge alpine", ErrUsage, "docker: conflicting options: cannot attach both user-defined and non-user-defined network-modes."},
		{"run --network a --network a alpine", ErrUsage, `docker: network "a" is specified multiple times.`},
		{"run --network name=a,alias=x --network-alias y alpine", ErrUsage, "docker: conflicting options: cannot specify both --network-alias and per-network alias."},
		{"run --rm --restart always alpine", ErrUsage, "docker: conflicting options: cannot specify both --restart and --rm."},
		{"run -d -a stdout alpine", ErrUsage, "Conflicting options: -a and -d"},
		{"run Alpine", ErrUsage, "docker: invalid reference format: repository name (library/Alpine) must be lowercase."},
		{"run -d alpine:bad:tag:x", ErrUsage, "docker: invalid reference format."},
		{"inspect --type image alpine", ErrUnsupported, "docker inspect --type image is not supported by the simulator (container, network)"},
		{"inspect --type foo alpine", ErrUsage, `unknown type: "foo": must be one of "config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"`},
		// Flags Docker has that the simulator refuses.
		{"network connect --link c2 n c1", ErrUnsupported, "docker network connect --link is not supported by the simulator: " + noLinks},
		{"network connect --ip6 ::1 n c1", ErrUnsupported, "docker network connect --ip6 is not supported by the simulator: " + noIPv6},
		{"run --link c1 alpine", ErrUnsupported, "docker run --link is not supported by the simulator: " + noLinks},
		{"run --mac-address 02:00:00:00:00:01 alpine", ErrUnsupported, "docker run --mac-address is not supported by the simulator: " + noMAC},
		{"network ls --help", ErrUnsupported, "docker network ls --help: the simulator does not print help"},
		{"network ls -h", ErrUnsupported, "docker network ls --help: the simulator does not print help"},
		// exec programs.
		{"exec c1 ls", ErrUnsupported, "exec ls is not supported; supported in exec: " + ExecSupported},
		{"exec c1 cat /etc/shadow", ErrUnsupported, "exec cat /etc/shadow is not supported; supported in exec: " + ExecSupported},
		{"exec c1 ping", ErrUsage, "ping: usage: ping [-c COUNT] [-W SEC] [-w SEC] [-i SEC] [-s SIZE] [-t TTL] [-q] [-4] HOST"},
		{"exec c1 ping -c 0 x", ErrUsage, "ping: invalid number '0'"},
		{"exec c1 ping -x c2", ErrUsage, "ping: invalid option -- 'x'"},
		{"exec c1 ping c2 -c", ErrUsage, "ping: option requires an argument -- 'c'"},
		{"exec c1 curl -X POST http://a/", ErrUnsupported, "curl -X POST is not supported by the simulator (GET, HEAD)"},
		{"exec c1 curl --data x http://a/", ErrUsage, "curl: unrecognized option '--data'"},
		{"exec c1 curl -s", ErrUsage, "curl: no URL specified"},
		{"exec c1 wget --output-document", ErrUsage, "wget: option '--output-document' requires an argument"},
		{"exec c1 nslookup -bogus=1 x", ErrUsage, "nslookup: invalid option: -bogus=1"},
		{"exec c1 nslookup -type=XYZ x", ErrUsage, "nslookup: invalid query type: XYZ"},
		{"exec c1 dig +bogus web", ErrUsage, "dig: invalid query option: +bogus"},
		{"exec c1 dig @127.0.0.11", ErrUsage, "dig: usage: dig [@SERVER] NAME [TYPE] [+short] [+tcp]"},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			_, err := ParseCommand(words(tc.line))
			require.Error(t, err)
			assert.Equal(t, tc.msg, err.Error())
			assert.ErrorIs(t, err, tc.kind)
		})
	}
}

// TestParseAcceptsValidatorCommands checks that every command line the
// scenario validator's own parser accepted (sim/scenario docker.go) is
// accepted here too, so that the validator can switch to ParseCommand.
func TestParseAcceptsValidatorCommands(t *testing.T) {
	for _, line := range []string{
		"network create -d bridge localnet",
		"network create --driver=bridge --subnet 10.1.0.0/16 --internal --ipv6=false n",
		"network create -dbridge n",
		"network ls",
		"network list -q",
		"network inspect localnet --format '{{json .IPAM}}'",
		"network inspect localnet --format '{{(index .IPAM.Config 0).Subnet}}'",
		"network rm a b",
		"network remove -f a",
		"network prune -f --filter until=24h",
		"network connect --alias db --alias x n c",
		"network disconnect -f n c",
		"run -d --name c1 --net localnet alpine sleep 1d",
		"run -d --name c3 --network localnet alpine sleep 1d",
		"run -dit --rm -p 8080:80 -p53:53/udp nginx -g x",
		"container run -d alpine",
		"create --name c --network n --network-alias a --net-alias b alpine",
		"start c1 c2",
		"stop --time 1 c1",
		"rm -f c1",
		"port c2 80/tcp",
		"port c2",
		"exec c3 ping -c 1 c1",
		"exec -it c3 ping -c1 -W2 c1",
		"exec c3 nslookup -type=AAAA web 127.0.0.11",
		"exec c3 wget -qO- http://web/",
		"exec c3 curl -fsS --max-time 2 http://web/",
		"exec c3 /bin/cat /etc/resolv.conf",
		"exec c3 cat /etc/hosts",
		"exec c3 ping -w 3 -i 0.2 -s 100 -t 64 -q -4 c1",
		"exec c3 nslookup -port=53 -timeout=2 -retry=1 -debug web",
		"exec c3 wget -T 2 --spider -S http://web/",
		"exec c3 curl -i -I -v -L -o /dev/null -w '%{http_code}' -H 'X: y' --connect-timeout 1 -X GET http://web/",
		"run -d -e A=1 -l x=y -h host alpine",
	} {
		t.Run(line, func(t *testing.T) {
			_, err := ParseCommand(words(line))
			require.NoError(t, err)
		})
	}
	// The validator accepted these, but Docker refuses them before calling
	// the daemon: they fail with Docker's message and ErrUsage.
	for _, tc := range []struct{ line, msg string }{
		{"create --name c --network-alias a --net-alias b alpine", "docker: network-scoped aliases are only supported for user-defined networks."},
	} {
		_, err := ParseCommand(words(tc.line))
		require.Error(t, err, tc.line)
		assert.Equal(t, tc.msg, err.Error())
		assert.ErrorIs(t, err, ErrUsage)
	}
}
