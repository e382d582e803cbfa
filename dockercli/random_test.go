package dockercli

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRandomCommands runs a few thousand command lines built from Docker's
// own vocabulary against one Env, so that commands meet each other's
// state: nothing may panic, and a failed command on one object leaves the
// state as it was.
func TestRandomCommands(t *testing.T) {
	heads := []string{
		"network create", "network create -d bridge", "network create --internal --subnet 10.7.0.0/24", "network create --subnet 10.8.0.0/24 --ip-range 10.8.0.128/25",
		"network ls", "network inspect", "network rm", "network rm -f", "network prune -f", "network prune -f --filter until=1h",
		"network connect", "network connect --alias db", "network connect --ip 10.7.0.20", "network disconnect", "network disconnect -f",
		"run -d", "run -d --name", "run -dit --name", "create --name", "start", "stop", "rm", "rm -f", "port", "inspect", "ps -a", "ps",
	}
	nets := []string{"n1", "n2", "localnet", "bridge", "host", "none", "nosuch"}
	ctrs := []string{"c1", "c2", "web", "db", "nosuch"}
	runOpts := []string{"", "--network n1", "--network n2", "--network localnet", "--network host", "--network none", "--network container:c1",
		"-p 5005:80", "-p 80", "-P", "--network n1 --ip 10.7.0.20", "--network n1 --network-alias web", "--network n1 --network n2", "--rm", "--dns 10.0.0.53"}
	images := []string{"alpine", "nginx", "httpd", "busybox sleep 1d"}
	r := rand.New(rand.NewPCG(7, 7))
	env, clk, _ := newEnv(t)
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	counts := map[bool]int{}
	for i := 0; i < 1200; i++ {
		clk.advance(1e9)
		head := pick(heads)
		var line string
		switch {
		case strings.HasPrefix(head, "network create"):
			line = head + " " + pick(nets)
		case head == "network inspect" || strings.HasPrefix(head, "network rm"):
			line = head + " " + pick(nets)
			if r.IntN(3) == 0 {
				line += " " + pick(nets)
			}
		case strings.HasPrefix(head, "network connect") || strings.HasPrefix(head, "network disconnect"):
			line = head + " " + pick(nets) + " " + pick(ctrs)
		case head == "run -d":
			line = head + " " + pick(runOpts) + " " + pick(images)
		case strings.HasSuffix(head, "--name"):
			line = head + " " + pick(ctrs) + " " + pick(runOpts) + " " + pick(images)
		case head == "start" || head == "stop" || strings.HasPrefix(head, "rm") || head == "port" || head == "inspect":
			line = head + " " + pick(ctrs)
			if r.IntN(4) == 0 && head != "port" {
				line += " " + pick(ctrs)
			}
		default:
			line = head
		}
		cmd, err := ParseCommand(strings.Fields(line))
		if err != nil {
			continue
		}
		before := state(t, env)
		_, err = Exec(env, cmd)
		counts[err == nil]++
		if err != nil && !severalObjects(cmd) {
			require.Equal(t, before, state(t, env), "%q failed (%v) and changed the state", line, err)
		}
	}
	// Both outcomes must be exercised for the test to mean anything.
	require.Greater(t, counts[true], 200, "successful commands")
	require.Greater(t, counts[false], 200, "failed commands")
	t.Logf("%d succeeded, %d failed", counts[true], counts[false])
}
