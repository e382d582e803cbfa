// Command vsim runs network scenarios in a deterministic simulator: a
// topology of switches, hosts and links (and, later, Docker nodes and
// networks), then timed steps with expectations, in virtual time.
//
//	vsim run [flags] PATH...       run scenario files or folders of them
//	vsim validate PATH...          check files without running them
//	vsim graph [-format dot|mermaid] FILE
//
// Exit status: 0 all steps passed, 1 a step failed, 2 invalid input.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vswitch/vswitch/sim/scenario"
)

const usage = `usage:
  vsim run [--seed N] [--junit FILE] [--pcap DIR] [--trace FILE] [-v] PATH...
  vsim validate PATH...
  vsim graph [--format dot|mermaid] FILE

PATH is a scenario file (.yaml, .yml) or a folder searched for them.
Exit status: 0 all passed, 1 a step failed, 2 invalid input.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "validate":
		return cmdValidate(args[1:], stdout, stderr)
	case "graph":
		return cmdGraph(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "vsim: unknown command %q\n%s", args[0], usage)
	return 2
}

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, as users type them.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// findFiles expands folders into the scenario files below them, sorted.
func findFiles(paths []string) ([]string, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(found)
		files = append(files, found...)
	}
	if len(files) == 0 {
		return nil, errors.New("no scenario files found")
	}
	return files, nil
}

// loadAll parses every file; any error means none is run.
func loadAll(paths []string, stderr io.Writer) ([]*scenario.Scenario, bool) {
	files, err := findFiles(paths)
	if err != nil {
		fmt.Fprintf(stderr, "vsim: %v\n", err)
		return nil, false
	}
	var out []*scenario.Scenario
	ok := true
	for _, f := range files {
		s, err := scenario.ParseFile(f)
		if err != nil {
			fmt.Fprintln(stderr, err)
			ok = false
			continue
		}
		out = append(out, s)
	}
	return out, ok
}

func cmdRun(args []string, stdout, stderr io.Writer) (code int) {
	fs := flag.NewFlagSet("vsim run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Uint64("seed", 0, "seed for every scenario (default: the file's, else 1)")
	junit := fs.String("junit", "", "write JUnit XML to `FILE`")
	pcap := fs.String("pcap", "", "write a pcapng per link into `DIR`")
	tracePath := fs.String("trace", "", "write every delivery and drop as JSON lines to `FILE`")
	verbose := fs.Bool("v", false, "print a packet-level log")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(paths) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	scenarios, ok := loadAll(paths, stderr)
	if !ok {
		return 2
	}
	opt := scenario.Options{PcapDir: *pcap}
	seedSet := false
	fs.Visit(func(f *flag.Flag) { seedSet = seedSet || f.Name == "seed" })
	if seedSet {
		opt.Seed = seed
	}
	if *verbose {
		opt.Verbose = stdout
	}
	if *tracePath != "" {
		f, err := os.Create(*tracePath)
		if err != nil {
			fmt.Fprintf(stderr, "vsim: %v\n", err)
			return 2
		}
		bw := bufio.NewWriterSize(f, 1<<16)
		opt.Trace = bw
		defer func() {
			if err := errors.Join(bw.Flush(), f.Close()); err != nil {
				fmt.Fprintf(stderr, "vsim: trace: %v\n", err)
				code = 2
			}
		}()
	}
	opt.OnStep = func(sr scenario.StepResult) { scenario.WriteStep(stdout, sr) }

	var results []*scenario.Result
	passed, failed, broken := 0, 0, 0
	for _, s := range scenarios {
		sd := s.Seed
		if opt.Seed != nil {
			sd = *opt.Seed
		}
		scenario.WriteHeader(stdout, s, sd)
		if opt.Trace != nil {
			// Several scenarios share one trace file: each starts with a
			// line naming it, and its events' times restart at 0.
			fmt.Fprintf(opt.Trace, "{\"scenario\":%q,\"file\":%q,\"seed\":%d}\n", s.Name, s.File, sd)
		}
		res, err := scenario.Run(s, opt)
		if err != nil {
			fmt.Fprintf(stderr, "vsim: %s: %v\n", s.File, err)
			return 2
		}
		scenario.WriteFooter(stdout, res)
		results = append(results, res)
		passed += res.Passed()
		failed += res.Failed()
		if res.Err != nil {
			broken++ // stopped early or never built: fails even without steps
		}
	}
	if *junit != "" {
		f, err := os.Create(*junit)
		if err == nil {
			err = scenario.WriteJUnit(f, results)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "vsim: junit: %v\n", err)
			return 2
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 || broken > 0 {
		return 1
	}
	return 0
}

func cmdValidate(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	scenarios, ok := loadAll(args, stderr)
	for _, s := range scenarios {
		fmt.Fprintf(stdout, "ok  %s (%s, %d steps)\n", s.File, s.Name, len(s.Steps))
	}
	if !ok {
		return 2
	}
	return 0
}

func cmdGraph(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("vsim graph", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "dot", "output `format`: dot or mermaid")
	paths, err := parseInterleaved(fs, args)
	if err != nil {
		return 2
	}
	if len(paths) != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	s, err := scenario.ParseFile(paths[0])
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	switch *format {
	case "dot":
		scenario.WriteDOT(stdout, s)
	case "mermaid":
		scenario.WriteMermaid(stdout, s)
	default:
		fmt.Fprintf(stderr, "vsim: unknown format %q (dot or mermaid)\n", *format)
		return 2
	}
	return 0
}
