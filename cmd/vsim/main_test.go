package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const lab = `
name: lab
switches: {sw1: {}}
hosts:
  h1: {interfaces: {eth0: {ip: 10.0.0.1/24}}}
  h2: {interfaces: {eth0: {ip: 10.0.0.2/24}}}
links:
  - {a: h1.eth0, b: sw1.p1}
  - {a: h2.eth0, b: sw1.p2}
steps:
`

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	pass := write(t, dir, "pass.yaml", lab+"  - ping: {from: h1, to: h2}\n")
	fail := write(t, dir, "fail.yaml", lab+"  - ping: {from: h1, to: 10.0.0.9}\n")
	bad := write(t, dir, "bad.yaml", lab+"  - ping: {from: h1, to: h2, cnt: 3}\n")
	// A /30 has one address left after the gateway: the second container
	// exhausts it, which only the run can find out.
	broken := write(t, dir, "broken.yaml", "name: broken\nnetworks: {n: {subnet: 10.5.0.0/30}}\ncontainers:\n  c1: {networks: [n]}\n  c2: {networks: [n]}\n")
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"pass", []string{"run", pass}, 0, "1 passed, 0 failed"},
		{"fail", []string{"run", fail}, 1, "0 passed, 1 failed"},
		{"invalid", []string{"run", pass, bad}, 2, "bad.yaml:"},
		{"setup error without steps", []string{"run", broken}, 1, "ERROR container c2"},
		{"validate", []string{"validate", pass}, 0, "ok  "},
		{"validate invalid", []string{"validate", bad}, 2, `unknown key "cnt"`},
		{"seed flag after path", []string{"run", pass, "--seed", "7"}, 0, "(seed 7)"},
		{"graph", []string{"graph", "--format", "mermaid", pass}, 0, "flowchart LR"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(tc.args, &out, &errb)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out.String(), errb.String())
			}
			if all := out.String() + errb.String(); !strings.Contains(all, tc.out) {
				t.Errorf("output lacks %q:\n%s", tc.out, all)
			}
		})
	}
}

func TestJUnitAndTraceFiles(t *testing.T) {
	dir := t.TempDir()
	pass := write(t, dir, "pass.yaml", lab+"  - ping: {from: h1, to: h2}\n")
	junit, trace := filepath.Join(dir, "j.xml"), filepath.Join(dir, "t.jsonl")
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--junit", junit, "--trace", trace, pass}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	j, _ := os.ReadFile(junit)
	if !strings.Contains(string(j), `<testsuite name="lab" tests="1" failures="0"`) {
		t.Errorf("junit:\n%s", j)
	}
	tr, _ := os.ReadFile(trace)
	if n := strings.Count(string(tr), "\n"); n < 5 || !strings.Contains(string(tr), `"what":"deliver"`) {
		t.Errorf("trace has %d lines:\n%s", n, tr)
	}
	if !strings.HasPrefix(string(tr), `{"scenario":"lab",`) {
		t.Errorf("trace does not start with the scenario's line:\n%.200s", tr)
	}
}
