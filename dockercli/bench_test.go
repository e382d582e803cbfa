package dockercli

import "testing"

func BenchmarkParseCommand(b *testing.B) {
	args := words("run -d --name web --network localnet --publish 5005:80 -e A=1 nginx")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCommand(args); err != nil {
			b.Fatal(err)
		}
	}
}

func benchExec(b *testing.B, line string) {
	env, _, _ := newEnv(b)
	for _, l := range []string{"network create localnet", "network create backend",
		"run -d --name c1 --network localnet alpine sleep 1d", "run -d --name web -p 5005:80 nginx"} {
		mustDocker(b, env, l)
	}
	cmd, err := ParseCommand(words(line))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Exec(env, cmd); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExecNetworkLs(b *testing.B) { benchExec(b, "network ls") }

func BenchmarkExecNetworkInspectTemplate(b *testing.B) {
	benchExec(b, "network inspect localnet --format '{{json .Containers}}'")
}

func BenchmarkExecPs(b *testing.B) { benchExec(b, "ps -a") }
