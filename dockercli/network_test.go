package dockercli

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vswitch/vswitch/network"
)

// labEnv is an Env with a few networks and containers.
func labEnv(t *testing.T) (*Env, *testClock) {
	t.Helper()
	env, clk, _ := newEnv(t)
	for _, line := range []string{
		"network create -d bridge localnet",
		"network create --label tier=db --label env=lab --internal --subnet 10.30.0.0/24 --gateway 10.30.0.1 backend",
		"network create net10",
		"network create net9",
		"network create a-rather-long-network-name",
		"run -d --name c1 --network localnet alpine sleep 1d",
		"run -d --name db --network backend --network-alias database --ip 10.30.0.10 alpine sleep 1d",
		"run -d --name old alpine sleep 1d",
	} {
		clk.advance(7e9)
		mustDocker(t, env, line)
	}
	return env, clk
}

func TestNetworkLsGolden(t *testing.T) {
	env, _ := labEnv(t)
	golden(t, "network_ls.golden", mustDocker(t, env, "network ls"))
	golden(t, "network_ls_no_trunc.golden", mustDocker(t, env, "network ls --no-trunc"))
	golden(t, "network_ls_table_format.golden", mustDocker(t, env, `network ls --format 'table {{.Name}}\t{{.Internal}}\t{{.Labels}}\t{{.CreatedAt}}'`))
}

func TestNetworkLs(t *testing.T) {
	env, _ := labEnv(t)
	c := env.Controller
	id := func(name string) string { return mustFind(t, c, name).ID() }
	cases := []struct{ line, want string }{
		{"network ls -q", strings.Join([]string{id("a-rather-long-network-name")[:12], id("backend")[:12], id("bridge")[:12],
			id("host")[:12], id("localnet")[:12], id("net9")[:12], id("net10")[:12], id("none")[:12]}, "\n") + "\n"},
		{"network ls -q --no-trunc -f name=^net", id("net9") + "\n" + id("net10") + "\n"},
		{"network ls --format '{{.Name}}' -f name=net", "a-rather-long-network-name\nlocalnet\nnet9\nnet10\n"},
		{"network ls --format '{{.Name}}' --filter driver=null", "none\n"},
		{"network ls --format '{{.Name}}' -f type=builtin", "bridge\nhost\nnone\n"},
		{"network ls --format '{{.Name}}' -f type=custom -f label=tier", "backend\n"},
		{"network ls --format '{{.Name}}' -f label=tier=db", "backend\n"},
		{"network ls --format '{{.Name}}' -f dangling=true", "a-rather-long-network-name\nnet9\nnet10\n"},
		{"network ls --format '{{.Name}}' -f id=" + id("localnet")[:5], "localnet\n"},
		{"network ls --format '{{.Name}}' -f scope=swarm", ""},
		{"network ls -q --format '{{.Name}}' -f name=^b", "backend\nbridge\n"},
		{"network ls --format '{{.Name}}: {{.Label \"tier\"}}' -f name=backend", "backend: db\n"},
		{"network ls --format '{{upper .Name}} {{lower \"AbC\"}} {{title .Driver}} {{pad .Scope 1 2}}|' -f name=localnet", "LOCALNET abc Bridge  local  |\n"},
		{"network ls --format '{{join (split .Name \"-\") \"_\"}} {{truncate .ID 4}}' -f name=long", "a_rather_long_network_name " + id("a-rather-long-network-name")[:4] + "\n"},
		{"network ls --format '{{println .Name}}' -f name=net9", "net9\n\n"},
		{"network ls --format '{{.Name}}\\t{{.Driver}}' -f name=net9", "net9\tbridge\n"},
		{"network ls --format 'table {{.Name}}' -f name=net9", "NAME\nnet9\n"},
		{"network ls --format table -q -f name=net9", id("net9")[:12] + "\n"},
		{"network ls --format 'table {{.ID}}' -f name=nothing", "NETWORK ID\n"},
		{"network ls --format raw -f name=net9", "network_id: " + id("net9")[:12] + "\nname: net9\ndriver: bridge\nscope: local\n\n"},
		{"network ls --format '{{json .}}' -f name=backend", fmt.Sprintf(`{"CreatedAt":"%s","Driver":"bridge","ID":"%s","IPv4":"true","IPv6":"false","Internal":"true","Labels":"env=lab,tier=db","Name":"backend","Scope":"local"}`+"\n",
			mustFind(t, c, "backend").Created(), id("backend")[:12])},
		{"network ls --format json -f name=net9", fmt.Sprintf(`{"CreatedAt":"%s","Driver":"bridge","ID":"%s","IPv4":"true","IPv6":"false","Internal":"false","Labels":"","Name":"net9","Scope":"local"}`+"\n",
			mustFind(t, c, "net9").Created(), id("net9")[:12])},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			assert.Equal(t, tc.want, mustDocker(t, env, tc.line))
		})
	}
}

func TestNetworkInspect(t *testing.T) {
	env, _ := labEnv(t)
	c := env.Controller
	db, err := c.FindSandbox("db")
	require.NoError(t, err)
	ep := db.EndpointOn(mustFind(t, c, "backend"))
	cases := []struct{ line, want string }{
		{"network inspect backend --format '{{(index .IPAM.Config 0).Subnet}}'", "10.30.0.0/24\n"},
		{"network inspect localnet -f '{{(index .IPAM.Config 0).Subnet}} {{(index .IPAM.Config 0).Gateway}}'", "172.18.0.0/16 172.18.0.1\n"},
		{"network inspect backend --format '{{range .Containers}}{{.Name}} {{end}}'", "db \n"},
		{"network inspect backend --format '{{json .Containers}}'", fmt.Sprintf(`{"%s":{"Name":"db","EndpointID":"%s","MacAddress":"%s","IPv4Address":"10.30.0.10/24","IPv6Address":""}}`+"\n",
			db.ID(), ep.ID(), ep.MAC())},
		{"network inspect backend --format '{{json .IPAM.Config}}'", `[{"Subnet":"10.30.0.0/24","Gateway":"10.30.0.1"}]` + "\n"},
		{"network inspect backend --format '{{.Internal}} {{.Labels.tier}} {{index .Labels \"env\"}}'", "true db lab\n"},
		// Docker's templates see the Go fields (.ID) and, through the raw
		// fallback, the JSON names (.Id).
		{"network inspect backend --format '{{.ID}}'", mustFind(t, c, "backend").ID() + "\n"},
		{"network inspect backend --format '{{.Id}}'", mustFind(t, c, "backend").ID() + "\n"},
		{"network inspect backend localnet bridge -f '{{.Name}} {{.Driver}}'", "backend bridge\nlocalnet bridge\nbridge bridge\n"},
		{"network inspect net9 -f json", ""},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			got := mustDocker(t, env, tc.line)
			if tc.want == "" {
				assert.True(t, strings.HasPrefix(got, `[{"Name":"net9","Id":"`), got)
				assert.True(t, strings.HasSuffix(got, "}]\n"), got)
				return
			}
			assert.Equal(t, tc.want, got)
		})
	}
	golden(t, "network_inspect.golden", mustDocker(t, env, "network inspect backend bridge"))

	// A missing network: the others are printed, the error names it.
	out, err := docker(t, env, "network inspect nosuch net9 --format '{{.Name}}'")
	assert.Equal(t, "net9\n", out)
	assert.EqualError(t, err, "Error response from daemon: network nosuch not found")
	out, err = docker(t, env, "network inspect nosuch")
	assert.Equal(t, "[]\n", out)
	assert.EqualError(t, err, "Error response from daemon: network nosuch not found")
	// Template errors.
	_, err = docker(t, env, "network inspect net9 --format '{{.Name'")
	assert.EqualError(t, err, "template parsing error: template: :1: unclosed action")
	out, err = docker(t, env, "network inspect net9 --format '{{.Foo}}'")
	assert.Equal(t, "\n", out)
	assert.EqualError(t, err, `template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"`)
}

func TestNetworkErrorsLeaveStateUnchanged(t *testing.T) {
	env, _ := labEnv(t)
	c := env.Controller
	cases := []struct {
		line, want string
		class      error
	}{
		{"network create localnet", "Error response from daemon: network with name localnet already exists", network.ErrConflict},
		{"network create -d bridge bridge", "Error response from daemon: operation is not permitted on predefined bridge network ", network.ErrForbidden},
		{"network create --subnet 10.1.2.3/16 n", "Error response from daemon: invalid network config:\ninvalid subnet 10.1.2.3/16: it should be 10.1.0.0/16", network.ErrInvalidParameter},
		{"network create --subnet 10.30.0.0/16 n", "Error response from daemon: invalid pool request: Pool overlaps with other one on this address space", network.ErrForbidden},
		{"network create --subnet 10.40.0.0/24 --aux-address r=10.50.0.1 n", "no matching subnet for aux-address 10.50.0.1", nil},
		{"network create --ipv6 n", "Error response from daemon: IPv6 networks are not supported by vswitch yet", network.ErrNotImplemented},
		{"network create --ipv4=false n", "Error response from daemon: networks without IPv4 are not supported by vswitch yet", network.ErrNotImplemented},
		{"network create -d foo n", `Error response from daemon: plugin "foo" not found`, network.ErrNotFound},
		{"network create -o com.docker.network.driver.mtu=x n", `Error response from daemon: failed to parse com.docker.network.driver.mtu value: x (strconv.Atoi: parsing "x": invalid syntax)`, network.ErrInvalidParameter},
		{"network rm localnet", `Error response from daemon: error while removing network: network localnet has active endpoints (name:"c1" id:"` + mustSB(t, c, "c1").Endpoints()[0].ID()[:12] + `")`, network.ErrForbidden},
		{"network rm bridge", "Error response from daemon: bridge is a pre-defined network and cannot be removed", network.ErrForbidden},
		{"network rm nosuch", "Error response from daemon: network nosuch not found", network.ErrNotFound},
		{"network connect localnet nosuch", "Error response from daemon: No such container: nosuch", network.ErrNotFound},
		{"network connect nosuch c1", "Error response from daemon: network nosuch not found", network.ErrNotFound},
		{"network connect localnet c1", "Error response from daemon: endpoint with name c1 already exists in network localnet", network.ErrForbidden},
		{"network connect --alias x bridge c1", "Error response from daemon: invalid endpoint settings:\nnetwork-scoped aliases are only supported for user-defined networks", network.ErrInvalidParameter},
		{"network connect --ip 172.17.0.9 bridge c1", "Error response from daemon: invalid endpoint settings:\nuser-specified IP address is supported on user-defined networks only", network.ErrInvalidParameter},
		{"network connect --ip 172.20.0.9 net9 c1", "Error response from daemon: invalid endpoint settings:\nuser specified IP address is supported only when connecting to networks with user configured subnets", network.ErrInvalidParameter},
		{"network connect --ip 10.30.0.10 backend c1", "Error response from daemon: Address already in use", network.ErrForbidden},
		{"network disconnect net9 c1", fmt.Sprintf("Error response from daemon: container %s is not connected to network net9", mustSB(t, c, "c1").ID()), network.ErrInvalidParameter},
		{"network disconnect localnet nosuch", "Error response from daemon: No such container: nosuch", network.ErrNotFound},
		{"network prune --filter foo=bar", "Error response from daemon: invalid filter 'foo'", network.ErrInvalidParameter},
		{"network prune --filter until=yesterday", `Error response from daemon: failed to parse value as time or duration: "yesterday"`, network.ErrInvalidParameter},
		{"network ls -f foo=bar", "Error response from daemon: invalid filter 'foo'", network.ErrInvalidParameter},
		{"network ls -f type=other", "Error response from daemon: invalid filter: 'type'='other'", network.ErrInvalidParameter},
		{"network ls --format '{{.Nope}}'", `template parsing error: template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type *dockercli.networkRow`, nil},
		{"network inspect nosuch", "Error response from daemon: network nosuch not found", network.ErrNotFound},
		{"run -d --name c1 alpine", fmt.Sprintf(`docker: Error response from daemon: Conflict. The container name "/c1" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.`, mustSB(t, c, "c1").ID()), network.ErrConflict},
		{"create --name c1 alpine", fmt.Sprintf(`Error response from daemon: Conflict. The container name "/c1" is already in use by container %q. You have to remove (or rename) that container to be able to reuse that name.`, mustSB(t, c, "c1").ID()), network.ErrConflict},
		{"run -d --name 'bad name' alpine", "docker: Error response from daemon: Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed.", network.ErrInvalidParameter},
		{"run -d --network nosuch alpine", "docker: Error response from daemon: failed to set up container networking: network nosuch not found.", network.ErrNotFound},
		{"run -d --network localnet --network nosuch alpine", "docker: Error response from daemon: failed to set up container networking: network nosuch not found.", network.ErrNotFound},
		{"run -d --network localnet --network name=backend,ip=10.30.0.10 alpine", "docker: Error response from daemon: failed to set up container networking: Address already in use.", network.ErrForbidden},
		{"run -d --ip 172.17.0.9 alpine", "docker: Error response from daemon: invalid config for network bridge: invalid endpoint settings:\nuser-specified IP address is supported on user-defined networks only.", network.ErrInvalidParameter},
		{"run -d --network backend --ip 10.99.0.1 alpine", "docker: Error response from daemon: failed to set up container networking: invalid endpoint settings:\nno configured subnet or ip-range contain the IP address 10.99.0.1.", network.ErrInvalidParameter},
		{"run -d --network container:c1 -p 80:80 alpine", "docker: Error response from daemon: conflicting options: port publishing and the container type network mode.", network.ErrInvalidParameter},
		{"start nosuch", "Error response from daemon: No such container: nosuch\nError: failed to start containers: nosuch", nil},
		{"stop nosuch", "Error response from daemon: No such container: nosuch", nil},
		{"rm nosuch", "Error response from daemon: No such container: nosuch", nil},
		{"rm c1", `Error response from daemon: cannot remove container "/c1": container is running: stop the container before removing or force remove`, nil},
		{"port nosuch", "Error response from daemon: No such container: nosuch", nil},
		{"port c1 80", "no public port '80' published for c1", nil},
		{"port c1 abc/udp", `Error: invalid port (abc): strconv.ParseUint: parsing "abc": invalid syntax`, nil},
		{"inspect nosuch", "Error: No such object: nosuch", nil},
		{"container inspect nosuch", "Error response from daemon: No such container: nosuch", nil},
		{"inspect --type network c1", "Error response from daemon: network c1 not found", nil},
		{"ps -f foo=bar", "Error response from daemon: invalid filter 'foo'", nil},
		{"ps -f status=sleeping", "Error response from daemon: invalid filter 'status=sleeping'", nil},
		{"exec db ping -c 1 c1", "docker exec db runs in the simulated container; the runner executes it", nil},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			before := state(t, env)
			_, err := docker(t, env, tc.line)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
			if tc.class != nil {
				assert.ErrorIs(t, err, tc.class)
			}
			assert.Equal(t, before, state(t, env), "a failed command changed the state")
		})
	}
}

func mustSB(t testing.TB, c *network.Controller, name string) *network.Sandbox {
	t.Helper()
	sb, err := c.FindSandbox(name)
	require.NoError(t, err)
	return sb
}

func TestNetworkRmSeveral(t *testing.T) {
	env, _ := labEnv(t)
	// Docker removes what it can and reports the rest.
	out, err := docker(t, env, "network rm net9 localnet nosuch net10")
	assert.Equal(t, "net9\nnet10\n", out)
	require.Error(t, err)
	assert.Equal(t, []string{
		`Error response from daemon: error while removing network: network localnet has active endpoints (name:"c1" id:"` +
			mustSB(t, env.Controller, "c1").Endpoints()[0].ID()[:12] + `")`,
		"Error response from daemon: network nosuch not found",
	}, strings.Split(err.Error(), "\n"))
	// -f ignores networks that do not exist.
	assert.Equal(t, "a-rather-long-network-name\n", mustDocker(t, env, "network rm -f nosuch a-rather-long-network-name"))
	assert.Equal(t, "", mustDocker(t, env, "network rm -f nosuch"))
}

func TestNetworkPrune(t *testing.T) {
	env, clk := labEnv(t)
	clk.advance(time.Hour)
	mustDocker(t, env, "network create --label keep=yes fresh")
	mustDocker(t, env, "network create --label keep=yes fresh2")
	assert.Equal(t, "Deleted Networks:\nfresh\nfresh2\n\n", mustDocker(t, env, "network prune -f --filter label=keep"))
	mustDocker(t, env, "network create --label keep=yes fresh3")
	mustDocker(t, env, "network create recent")
	// until=30m spares what was created in the last half hour; label!=keep
	// spares the kept ones.
	assert.Equal(t, "Deleted Networks:\nnet10\nnet9\na-rather-long-network-name\n\n",
		mustDocker(t, env, "network prune -f --filter until=30m --filter label!=keep"))
	assert.Equal(t, pruneWarning+"y\nDeleted Networks:\nfresh3\nrecent\n\n", mustDocker(t, env, "network prune"))
	assert.Equal(t, "", mustDocker(t, env, "network prune --force"))
	assert.Equal(t, []string{"backend", "bridge", "host", "localnet", "none"},
		strings.Fields(mustDocker(t, env, "network ls --format '{{.Name}}'")))
}
