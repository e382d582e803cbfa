package dockercli

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/network"
)

func TestCreateStartStopRm(t *testing.T) {
	env, clk, hooks := newEnv(t)
	c := env.Controller
	mustDocker(t, env, "network create --subnet 172.18.0.0/16 localnet")

	// create: the container exists but has no endpoint until it starts.
	out := mustDocker(t, env, "create --name c1 --network localnet --network-alias db --ip 172.18.0.50 alpine sleep 1d")
	c1 := mustSB(t, c, "c1")
	assert.Equal(t, c1.ID()+"\n", out)
	assert.Empty(t, c1.Endpoints())
	assert.Equal(t, "{}\n", mustDocker(t, env, "network inspect localnet -f '{{json .Containers}}'"))
	assert.Equal(t, "", mustDocker(t, env, "ps -q"))
	assert.Equal(t, truncateID(c1.ID())+"\n", mustDocker(t, env, "ps -aq"))
	assert.Equal(t, "c1 Created created\n", mustDocker(t, env, "ps -a --format '{{.Names}} {{.Status}} {{.State}}'"))
	assert.Empty(t, hooks.calls)
	_, err := env.ExecTarget(&ExecCommand{Container: "c1"})
	assert.EqualError(t, err, fmt.Sprintf("Error response from daemon: container %s is not running", c1.ID()))
	// A network connected before start is joined at start.
	mustDocker(t, env, "network create other")
	assert.Equal(t, "", mustDocker(t, env, "network connect --alias o other c1"))
	assert.Empty(t, c1.Endpoints())
	_, err = docker(t, env, "network connect other c1")
	assert.EqualError(t, err, "Error response from daemon: endpoint with name c1 already exists in network other")
	assert.Equal(t, "172.18.0.50 db\n", mustDocker(t, env, "inspect -f '{{.NetworkSettings.Networks.localnet.IPAMConfig.IPv4Address}} {{index .NetworkSettings.Networks.localnet.Aliases 0}}' c1"))

	clk.advance(90 * time.Second)
	assert.Equal(t, "c1\n", mustDocker(t, env, "start c1"))
	require.Len(t, c1.Endpoints(), 2)
	assert.Equal(t, "172.18.0.50", c1.Endpoints()[0].IP().String(), "the static --ip comes back")
	assert.Equal(t, []string{"db"}, c1.Endpoints()[0].Aliases())
	assert.Equal(t, []string{"o"}, c1.Endpoints()[1].Aliases())
	assert.Equal(t, []string{"run c1 alpine"}, hooks.calls)
	sb, err := env.ExecTarget(&ExecCommand{Container: "c1"})
	require.NoError(t, err)
	assert.Same(t, c1, sb)
	assert.Equal(t, "c1\n", mustDocker(t, env, "start c1"), "starting a running container does nothing")
	assert.Len(t, hooks.calls, 1)

	clk.advance(3 * time.Minute)
	assert.Equal(t, fmt.Sprintf("%s alpine \"sleep 1d\" 4 minutes ago Up 3 minutes c1 localnet,other\n", truncateID(c1.ID())),
		mustDocker(t, env, "ps --format '{{.ID}} {{.Image}} {{.Command}} {{.RunningFor}} {{.Status}} {{.Names}} {{.Networks}}'"))

	// stop: the endpoints leave, the addresses are free, the settings kept.
	clk.advance(10 * time.Second)
	assert.Equal(t, "c1\n", mustDocker(t, env, "stop c1"))
	assert.Empty(t, c1.Endpoints())
	assert.Equal(t, []string{"run c1 alpine", "stop c1"}, hooks.calls)
	assert.Equal(t, "Exited (137) Less than a second ago exited\n", mustDocker(t, env, "ps -a --format '{{.Status}} {{.State}}'"))
	assert.Equal(t, "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n", mustDocker(t, env, "ps"))
	assert.Equal(t, "{}\n", mustDocker(t, env, "network inspect localnet -f '{{json .Containers}}'"))
	assert.Equal(t, "other\n", mustDocker(t, env, "network rm other"), "a stopped container does not keep a network in use")
	_, err = docker(t, env, "start c1")
	assert.EqualError(t, err, "Error response from daemon: failed to set up container networking: network other not found\nError: failed to start containers: c1")
	assert.Empty(t, c1.Endpoints(), "a failed start leaves the container stopped")
	assert.Equal(t, "Exited (137) Less than a second ago\n", mustDocker(t, env, "ps -a --format '{{.Status}}'"))
	mustDocker(t, env, "network create other")
	assert.Equal(t, "c1\n", mustDocker(t, env, "start c1"), "the network is found again by name")
	assert.Equal(t, "172.18.0.50", c1.Endpoints()[0].IP().String())
	assert.Equal(t, "other", c1.Endpoints()[1].Network().Name())
	assert.Equal(t, "c1\n", mustDocker(t, env, "rm -f c1"))
	assert.True(t, c1.Removed())
	assert.Equal(t, []string{"run c1 alpine", "stop c1", "run c1 alpine", "stop c1", "remove c1"}, hooks.calls)
	assert.Equal(t, "Deleted Networks:\nlocalnet\nother\n\n", mustDocker(t, env, "network prune -f"))
	assert.Equal(t, "", mustDocker(t, env, "ps -aq"))
	// rm -f of something missing is not an error.
	assert.Equal(t, "", mustDocker(t, env, "rm -f c1"))
	// --rm: stopping removes.
	mustDocker(t, env, "run -d --rm --name tmp alpine sleep 1d")
	assert.Equal(t, "tmp\n", mustDocker(t, env, "stop tmp"))
	_, err = c.FindSandbox("tmp")
	assert.Error(t, err)
	// rm of a stopped container needs no -f.
	mustDocker(t, env, "run -d --name st alpine sleep 1d")
	mustDocker(t, env, "stop st")
	assert.Equal(t, "st\n", mustDocker(t, env, "rm st"))
}

func TestPublishedPorts(t *testing.T) {
	env, _, _ := newEnv(t)
	mustDocker(t, env, "network create localnet")
	mustDocker(t, env, "run -d --name web --network localnet -p 5005:80 -p 127.0.0.1:8053:53/udp -p 9000 nginx")
	assert.Equal(t, ""+
		"53/udp -> 127.0.0.1:8053\n"+
		"80/tcp -> 0.0.0.0:5005\n"+
		"80/tcp -> [::]:5005\n"+
		"9000/tcp -> 0.0.0.0:32768\n"+
		"9000/tcp -> [::]:32768\n", mustDocker(t, env, "port web"))
	assert.Equal(t, "0.0.0.0:5005\n[::]:5005\n", mustDocker(t, env, "port web 80"))
	assert.Equal(t, "0.0.0.0:5005\n[::]:5005\n", mustDocker(t, env, "port web 80/tcp"))
	assert.Equal(t, "127.0.0.1:8053\n", mustDocker(t, env, "port web 53/udp"))
	_, err := docker(t, env, "port web 53")
	assert.EqualError(t, err, "no public port '53' published for web")
	assert.Equal(t, "127.0.0.1:8053->53/udp, 0.0.0.0:5005->80/tcp, [::]:5005->80/tcp, 0.0.0.0:32768->9000/tcp, [::]:32768->9000/tcp\n",
		mustDocker(t, env, "ps --format '{{.Ports}}'"))

	// Taken ports fail with Docker's message and change nothing.
	before := state(t, env)
	_, err = docker(t, env, "run -d --name web2 --network localnet -p 5005:80 nginx")
	require.Error(t, err)
	assert.Regexp(t, `^docker: Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint web2 \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:5005 failed: port is already allocated\.$`, err.Error())
	assert.ErrorIs(t, err, network.ErrForbidden)
	_, err = docker(t, env, "run -d --name web2 -p 127.0.0.1:5005:80 nginx")
	assert.ErrorContains(t, err, "Bind for 127.0.0.1:5005 failed: port is already allocated")
	assert.Equal(t, before, state(t, env))
	_, err = c(env).FindSandbox("web2")
	assert.Error(t, err)

	// Another address or protocol is free.
	mustDocker(t, env, "run -d --name dns -p 127.0.0.2:8053:53/udp -p 5005:5005/udp alpine")
	// Random ports go round the ephemeral range; -P publishes what the
	// image exposes.
	mustDocker(t, env, "run -d --name r1 -P nginx")
	assert.Equal(t, "80/tcp -> 0.0.0.0:32769\n80/tcp -> [::]:32769\n", mustDocker(t, env, "port r1"))
	mustDocker(t, env, "run -d --name r2 -p 127.0.0.1::80 --expose 81 -P nginx")
	assert.Equal(t, "80/tcp -> 127.0.0.1:32770\n81/tcp -> 0.0.0.0:32771\n81/tcp -> [::]:32771\n", mustDocker(t, env, "port r2"))
	// A host port range takes the first free port.
	mustDocker(t, env, "run -d --name g1 -p 8000-8001:80 nginx")
	mustDocker(t, env, "run -d --name g2 -p 8000-8001:80 nginx")
	assert.Equal(t, "0.0.0.0:8001\n[::]:8001\n", mustDocker(t, env, "port g2 80"))
	_, err = docker(t, env, "run -d --name g3 -p 8000-8001:80 nginx")
	assert.ErrorContains(t, err, "Bind for 0.0.0.0:8000-8001 failed: port is already allocated")
	// One to one ranges.
	mustDocker(t, env, "run -d --name rr -p 7000-7001:7000-7001/udp alpine")
	assert.Equal(t, "7000/udp -> 0.0.0.0:7000\n7000/udp -> [::]:7000\n7001/udp -> 0.0.0.0:7001\n7001/udp -> [::]:7001\n", mustDocker(t, env, "port rr"))
	assert.Equal(t, "0.0.0.0:7000-7001->7000-7001/udp, [::]:7000-7001->7000-7001/udp\n", mustDocker(t, env, "ps -f name=rr --format '{{.Ports}}'"))
	// Stopping frees the ports.
	mustDocker(t, env, "stop g1")
	assert.Equal(t, "", mustDocker(t, env, "port g1"))
	mustDocker(t, env, "run -d --name g3 -p 8000-8001:80 nginx")
	assert.Equal(t, "0.0.0.0:8000\n[::]:8000\n", mustDocker(t, env, "port g3 80"))
	_, err = docker(t, env, "start g1")
	assert.ErrorContains(t, err, "Bind for 0.0.0.0:8000-8001 failed: port is already allocated")
	assert.Equal(t, "Exited (0) Less than a second ago\n", mustDocker(t, env, "ps -a -f name=g1 --format '{{.Status}}'"), "nginx stops on SIGTERM")

	// Host mode and no network: published ports are discarded.
	mustDocker(t, env, "run -d --name hm --network host -p 80:80 nginx")
	assert.Equal(t, "", mustDocker(t, env, "port hm"))
	mustDocker(t, env, "run -d --name nn --network none -p 80:80 nginx")
	assert.Equal(t, "", mustDocker(t, env, "port nn"))
}

func c(env *Env) *network.Controller { return env.Controller }

func TestRunSpecAndHooks(t *testing.T) {
	env, _, _ := newEnv(t)
	var specs []RunSpec
	env.OnRun = func(sb *network.Sandbox, spec RunSpec) { specs = append(specs, spec) }
	mustDocker(t, env, "network create localnet")
	mustDocker(t, env, "run -d --name web --network localnet nginx")
	mustDocker(t, env, "run -d --name notweb nginx sleep 1d")
	mustDocker(t, env, "run -d --name hb -h box --dns 10.0.0.53 --dns-search lab.test --dns-option ndots:2 --add-host gw:10.0.0.1 -e X=1 -l a=b httpd")
	mustDocker(t, env, "run -d --name ep --entrypoint /bin/true nginx")
	require.Len(t, specs, 4)
	assert.Equal(t, RunSpec{
		Image: "nginx", Entrypoint: []string{"/docker-entrypoint.sh"}, Cmd: []string{"nginx", "-g", "daemon off;"},
		Expose: []string{"80/tcp"}, Env: []string{pathEnv}, Detach: true,
		Services: []Service{{Proto: "tcp", Port: 80, HTTP: true, Body: nginxIndex}},
	}, specs[0])
	assert.Empty(t, specs[1].Services, "nginx does not serve when the command is replaced")
	assert.Equal(t, []string{"/docker-entrypoint.sh"}, specs[1].Entrypoint)
	assert.Equal(t, []string{"sleep", "1d"}, specs[1].Cmd)
	assert.Equal(t, RunSpec{
		Image: "httpd", Cmd: []string{"httpd-foreground"}, Hostname: "box",
		DNS: []netip.Addr{netip.MustParseAddr("10.0.0.53")}, DNSSearch: []string{"lab.test"}, DNSOptions: []string{"ndots:2"},
		ExtraHosts: []string{"gw:10.0.0.1"}, Expose: []string{"80/tcp"}, Env: []string{"X=1", pathEnv},
		Labels: map[string]string{"a": "b"}, Detach: true,
		Services: []Service{{Proto: "tcp", Port: 80, HTTP: true, Body: httpdIndex}},
	}, specs[2])
	assert.Equal(t, "box", mustSB(t, env.Controller, "hb").Hostname())
	assert.Equal(t, []string{"/bin/true"}, specs[3].Entrypoint)
	assert.Nil(t, specs[3].Cmd)
	assert.Empty(t, specs[3].Services)
	spec, running := env.Spec(mustSB(t, env.Controller, "web"))
	assert.True(t, running)
	assert.Equal(t, "nginx", spec.Image)
}

func TestRunNetworks(t *testing.T) {
	env, _, _ := newEnv(t)
	ctl := env.Controller
	mustDocker(t, env, "network create --subnet 10.1.0.0/24 a")
	mustDocker(t, env, "network create b")
	mustDocker(t, env, "run -d --name m1 --network name=a,alias=x,ip=10.1.0.9 --network b alpine")
	m := mustSB(t, ctl, "m1")
	require.Len(t, m.Endpoints(), 2)
	assert.Equal(t, "10.1.0.9", m.Endpoints()[0].IP().String())
	assert.Equal(t, []string{"x"}, m.Endpoints()[0].Aliases())
	assert.Equal(t, "b", m.Endpoints()[1].Network().Name())
	// --network-alias and --ip go to the first network only.
	mustDocker(t, env, "run -d --name m2 --network b --network a --network-alias y alpine")
	m2 := mustSB(t, ctl, "m2")
	assert.Equal(t, []string{"y"}, m2.Endpoints()[0].Aliases())
	assert.Empty(t, m2.Endpoints()[1].Aliases())
	// Sharing a namespace.
	mustDocker(t, env, "run -d --name side --network container:m1 alpine")
	assert.Same(t, m, mustSB(t, ctl, "side").SharesNetnsWith())
	assert.Equal(t, "container:m1\n", mustDocker(t, env, "inspect -f '{{.HostConfig.NetworkMode}}' side"))
	// Adopted containers: created through the Controller directly.
	sb, err := ctl.Run("direct", network.RunOptions{Network: "b"})
	require.NoError(t, err)
	assert.Equal(t, "direct Up Less than a second <no image>\n", mustDocker(t, env, "ps -f name=direct --format '{{.Names}} {{.Status}} {{.Image}}'"))
	assert.Equal(t, "", mustDocker(t, env, "network disconnect b direct"))
	assert.Empty(t, sb.Endpoints())
	require.NoError(t, ctl.RemoveSandbox("direct"))
	assert.NotContains(t, mustDocker(t, env, "ps -a --format '{{.Names}}'"), "direct")
}

func TestPsAndContainerInspect(t *testing.T) {
	env, clk, _ := newEnv(t)
	mustDocker(t, env, "network create localnet")
	clk.advance(time.Hour)
	mustDocker(t, env, "run -d --name c1 --network localnet --network-alias one -l team=a alpine sleep 1d")
	clk.advance(2 * time.Minute)
	mustDocker(t, env, "run -d --name web --network localnet -p 5005:80 nginx")
	clk.advance(30 * time.Second)
	mustDocker(t, env, "run -d --name old --label team=b busybox")
	mustDocker(t, env, "create --name later alpine")
	clk.advance(3 * time.Second)
	golden(t, "ps.golden", mustDocker(t, env, "ps"))
	golden(t, "ps_all_no_trunc.golden", mustDocker(t, env, "ps -a --no-trunc"))
	cases := []struct{ line, want string }{
		{"ps --format '{{.Names}}'", "old\nweb\nc1\n"},
		{"ps -n 2 --format '{{.Names}}'", "later\nold\n"},
		{"ps -l --format '{{.Names}}'", "later\n"},
		{"ps -q --format '{{.Names}}' -f name=c1", truncateID(mustSB(t, env.Controller, "c1").ID()) + "\n"},
		{"ps --format '{{.Names}}' -f label=team", "old\nc1\n"},
		{"ps --format '{{.Names}}' -f label=team=a", "c1\n"},
		{"ps --format '{{.Names}}' -f network=localnet", "web\nc1\n"},
		{"ps --format '{{.Names}}' -f status=created", "later\n"},
		{"ps --format '{{.Names}}' -f ancestor=nginx", "web\n"},
		{"ps --format '{{.Names}}' -f publish=80", "web\n"},
		{"ps --format '{{.Names}}' -f expose=80/tcp", "web\n"},
		{"ps --format '{{.Names}}' -f name=^/o", "old\n"},
		{"ps --format 'table {{.Names}}\\t{{.Label \"team\"}}' -f label=team", "NAMES     team\nold       b\nc1        a\n"},
		{"ps --format '{{.Command}} {{.Mounts}}{{.LocalVolumes}} {{.Size}} {{.Labels}}' -f name=web", `"/docker-entrypoint.…" 0 0B ` + "\n"},
		{"ps --format '{{.CreatedAt}}' -f name=web", "2026-03-14 16:11:26 +0000 UTC\n"},
		{"inspect -f '{{.Name}} {{.Config.Hostname}} {{.State.Status}}' c1 later", "/c1 " + truncateID(mustSB(t, env.Controller, "c1").ID()) + " running\n/later " + truncateID(mustSB(t, env.Controller, "later").ID()) + " created\n"},
		{"inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}}/{{$v.IPPrefixLen}} gw {{$v.Gateway}} {{$v.DNSNames}} {{$v.Aliases}}{{end}}' c1",
			"localnet=172.18.0.2/16 gw 172.18.0.1 [c1 one " + truncateID(mustSB(t, env.Controller, "c1").ID()) + "] [one]\n"},
		{"inspect -f '{{.NetworkSettings.IPAddress}}' old", "172.17.0.2\n"},
		{"inspect -f '{{.Id}}' c1", mustSB(t, env.Controller, "c1").ID() + "\n"},
		{"inspect -f '{{json .NetworkSettings.Ports}}' web", `{"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"5005"},{"HostIp":"::","HostPort":"5005"}]}` + "\n"},
		{"inspect -f '{{json .HostConfig.PortBindings}}' web", `{"80/tcp":[{"HostIp":"","HostPort":"5005"}]}` + "\n"},
		{"inspect -f '{{.Name}}' localnet", "localnet\n"},
		{"inspect -f '{{.Name}}' --type container c1", "/c1\n"},
		{"container inspect -f '{{.Path}} {{.Args}}' c1", "sleep [1d]\n"},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			assert.Equal(t, tc.want, mustDocker(t, env, tc.line))
		})
	}
	golden(t, "container_inspect.golden", mustDocker(t, env, "inspect web"))
	out, err := docker(t, env, "inspect nosuch c1 -f '{{.Name}}'")
	assert.Equal(t, "/c1\n", out)
	assert.EqualError(t, err, "Error: No such object: nosuch")
	assert.True(t, strings.HasPrefix(mustDocker(t, env, "inspect -f json c1"), `[{"Id":"`))
}

// On an IPv4-only host (the simulator's nodes), publishing on every
// address binds 0.0.0.0 only, and docker port shows one line.
func TestPublishIPv4OnlyHost(t *testing.T) {
	env, _, _ := newEnv(t)
	env.IPv6 = false
	mustDocker(t, env, "run -d --name web -p 5005:80 nginx")
	out := mustDocker(t, env, "port web")
	assert.Equal(t, "80/tcp -> 0.0.0.0:5005", strings.TrimSpace(out))
}

// docker ps lists published ports as the CLI's comparePorts sorts them:
// host addresses compared as strings.
func TestPsPortsSortLikeTheCLI(t *testing.T) {
	got := displayablePorts([]portSummary{
		{IP: netip.MustParseAddr("192.168.1.9"), PrivatePort: 80, PublicPort: 8001, Type: "tcp"},
		{IP: netip.MustParseAddr("192.168.1.10"), PrivatePort: 80, PublicPort: 8002, Type: "tcp"},
	})
	assert.Equal(t, "192.168.1.10:8002->80/tcp, 192.168.1.9:8001->80/tcp", got)
}

func TestLogs(t *testing.T) {
	env, clock, _ := newEnv(t)
	mustDocker(t, env, "run -d --name web nginx")
	assert.Empty(t, mustDocker(t, env, "logs web"))
	env.AppendLog("web", clock.Now(), "line 1\nline 2\n")
	clock.advance(1500 * time.Millisecond)
	env.AppendLog("web", clock.Now(), "line 3")
	env.AppendLog("nosuch", clock.Now(), "ignored")
	assert.Equal(t, "line 1\nline 2\nline 3\n", mustDocker(t, env, "logs web"))
	assert.Equal(t, "line 1\nline 2\nline 3\n", mustDocker(t, env, "container logs --tail all -f web"))
	assert.Equal(t, "line 2\nline 3\n", mustDocker(t, env, "logs -n 2 web"))
	assert.Empty(t, mustDocker(t, env, "logs --tail 0 web"))
	assert.Equal(t, "line 1\nline 2\nline 3\n", mustDocker(t, env, "logs --tail=-3 web"), "a negative tail is all")
	at := clock.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	assert.Equal(t, at+" line 3\n", mustDocker(t, env, "logs -t --tail 1 web"))

	// A stopped container keeps its logs; a removed one has none.
	mustDocker(t, env, "stop web")
	assert.Equal(t, "line 3\n", mustDocker(t, env, "logs -n1 web"))
	mustDocker(t, env, "rm web")
	_, err := docker(t, env, "logs web")
	assert.EqualError(t, err, "Error response from daemon: No such container: web")

	for line, want := range map[string]string{
		"logs":              `"docker logs" requires exactly 1 argument.`,
		"logs a b":          `"docker logs" requires exactly 1 argument.`,
		"logs --since 1m a": "docker logs --since is not supported by the simulator: filter with --tail instead",
	} {
		_, err := ParseCommand(words(line))
		assert.EqualError(t, err, want, line)
	}
}
