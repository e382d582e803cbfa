package dockercli

import (
	"testing"
)

// A start that fails halfway leaves no endpoint behind, also on a network
// removed and created again under its name since the container stopped.
func TestStartRollbackLeavesNoEndpoint(t *testing.T) {
	env, _, _ := newEnv(t)
	do := func(line string) (string, error) {
		cmd, err := ParseCommand(words(line))
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return Exec(env, cmd)
	}
	must := func(line string) {
		if _, err := do(line); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
	}
	must("network create n1")
	must("network create --subnet 10.9.0.0/24 n2")
	must("create --name cc --network n1 alpine sleep 1d")
	must("network rm n1")
	must("network create n1")
	must("network connect --ip 10.9.0.5 n2 cc")
	must("run -d --name squatter --network n2 --ip 10.9.0.5 alpine sleep 1d")
	if _, err := do("start cc"); err == nil {
		t.Fatal("start should fail: 10.9.0.5 is taken")
	}
	n1, _ := env.Controller.FindNetwork("n1")
	if eps := n1.Endpoints(); len(eps) != 0 {
		t.Errorf("failed start left cc connected to n1 (%s)", eps[0].Address())
	}
	must("rm -f squatter")
	if _, err := do("start cc"); err != nil {
		t.Errorf("second start: %v", err)
	}
}
