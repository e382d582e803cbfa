// Package scenarios holds the library of scenario files that CI runs and
// teachers hand out. The Go code here is only the test that runs every
// file: `go test ./scenarios/` runs them all, checks that every step
// passes, and that each run is deterministic (the same trace hash and
// byte-identical pcapng twice, and at GOMAXPROCS 1 and 4).
package scenarios
