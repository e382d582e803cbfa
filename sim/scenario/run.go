package scenario

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vswitch/vswitch/sim"
	"github.com/vswitch/vswitch/sim/host"
)

// Options change how a scenario runs; the zero value runs it as written.
type Options struct {
	// Seed, when set, overrides the file's seed.
	Seed *uint64
	// PcapDir, when set, receives one pcapng file per link, named
	// "<scenario>.<link>.pcapng", with virtual timestamps.
	PcapDir string
	// Trace, when set, receives every trace event as a JSON line.
	Trace io.Writer
	// Verbose, when set, receives a packet-level log (vsim run -v).
	Verbose io.Writer
	// OnStep, when set, is called after each step, so that reports can
	// stream (and interleave with the Verbose log).
	OnStep func(StepResult)
}

// StepResult is the outcome of one step.
type StepResult struct {
	Step   *Step
	Start  time.Duration // virtual time the step began
	End    time.Duration // virtual time it was judged
	Pass   bool
	Desc   string // what the step did, e.g. "ping h1 -> 10.0.0.2 x3"
	Detail string // on failure: expected vs got; on success: a short summary
}

// Result is the outcome of a run.
type Result struct {
	Scenario  *Scenario
	Seed      uint64
	Steps     []StepResult
	TraceHash string
	Events    uint64 // trace events recorded
	Fired     uint64 // loop events fired
	Duration  time.Duration
	// Err is set when the run stopped early: a limit was hit or the
	// topology could not be built. The steps not run count as failed.
	Err error
}

// Passed and Failed count the steps.
func (r *Result) Passed() int {
	n := 0
	for _, s := range r.Steps {
		if s.Pass {
			n++
		}
	}
	return n
}

// Failed counts failed steps, including those not run.
func (r *Result) Failed() int { return len(r.Scenario.Steps) - r.Passed() }

// OK reports whether every step passed.
func (r *Result) OK() bool { return r.Err == nil && r.Failed() == 0 }

// stepBudget caps the virtual time one step may take before the runner
// gives up on it; real steps finish through their own timeouts long before.
const stepBudget = time.Hour

// Run executes s in a fresh simulator loop and returns the result. It
// returns an error only for problems outside the scenario (a pcap
// directory that cannot be written); failures of the scenario are in the
// Result.
func Run(s *Scenario, opt Options) (*Result, error) {
	seed := s.Seed
	if opt.Seed != nil {
		seed = *opt.Seed
		s = s.withSeed(seed)
	}
	loop := sim.NewLoop(seed)
	loop.SetLimits(s.Limits.Events, s.Limits.Time)
	tr := loop.Trace()
	if opt.Trace != nil {
		tr.SetWriter(opt.Trace)
	}
	if opt.Verbose != nil {
		tr.SetVerbose(opt.Verbose)
	}
	res := &Result{Scenario: s, Seed: seed}
	w, err := buildWorld(s, loop)
	if err != nil {
		res.Err = err
		return res, nil
	}
	linkCaps, err := w.capturePcaps(opt.PcapDir)
	if err != nil {
		return nil, err
	}
	var ctrCaps *containerPcaps
	if opt.PcapDir != "" {
		ctrCaps = &containerPcaps{dir: opt.PcapDir, name: s.Name, caps: map[string]*stepCapture{}, seen: map[*host.NIC]bool{}}
	}
	closeFiles := func() error { return errors.Join(closeAll(linkCaps), ctrCaps.close()) }
	if err := w.configure(); err != nil {
		res.Err = err
		res.TraceHash, res.Events = tr.Hash(), tr.Count()
		return res, closeFiles()
	}
	if err := ctrCaps.attach(w); err != nil {
		return nil, errors.Join(err, closeFiles())
	}
	r := &runner{w: w, loop: loop, pcapDir: opt.PcapDir, caps: map[string]*stepCapture{}}
	for _, st := range s.Steps {
		// A step starts at its time (or when the previous one ended) once
		// everything already due at that instant has happened: the first
		// step sees the gratuitous ARPs of time 0.
		start := loop.Now()
		late := st.At != nil && *st.At < start
		if st.At != nil && *st.At > start {
			start = *st.At
		}
		if err := loop.Run(start); err != nil {
			res.Err = err
			break
		}
		sr, err := r.step(st)
		if late {
			// Steps never overlap: say so when at: came before the end of
			// the previous step.
			sr.Detail = strings.TrimSpace(sr.Detail + fmt.Sprintf(" [late: at %v, but the previous step ended at %v]", *st.At, sr.Start))
		}
		res.Steps = append(res.Steps, sr)
		if cerr := ctrCaps.attach(w); cerr != nil {
			return nil, errors.Join(cerr, closeFiles())
		}
		if opt.OnStep != nil {
			opt.OnStep(sr)
		}
		if err != nil {
			res.Err = err
			break
		}
	}
	if cerr := errors.Join(closeFiles(), closeAll(r.caps)); cerr != nil {
		return nil, cerr
	}
	if terr := tr.Err(); terr != nil {
		return nil, fmt.Errorf("trace: %w", terr)
	}
	res.TraceHash = tr.Hash()
	res.Events = tr.Count()
	res.Fired = loop.Fired()
	res.Duration = loop.Now()
	return res, nil
}

// withSeed returns a copy of s run with another seed: MACs the file did not
// give are derived again.
func (s *Scenario) withSeed(seed uint64) *Scenario {
	c := *s
	c.Hosts = make([]*Host, len(s.Hosts))
	for i, h := range s.Hosts {
		hc := *h
		hc.Interfaces = make([]*Interface, len(h.Interfaces))
		for j, ifc := range h.Interfaces {
			ic := *ifc
			hc.Interfaces[j] = &ic
		}
		c.Hosts[i] = &hc
	}
	c.SetSeed(seed)
	return &c
}

func fileSafe(s string) string {
	return strings.NewReplacer("<->", "--", "/", "_", " ", "_").Replace(s)
}

// runner executes steps against a world.
type runner struct {
	w       *world
	loop    *sim.Loop
	pcapDir string
	caps    map[string]*stepCapture // captures started by steps, by target
}

// errNotDone marks a step whose action never completed within its budget.
var errNotDone = errors.New("did not complete")

// await runs the loop until *done is set or the step's budget is spent. A
// limit error stops the whole run.
func (r *runner) await(done *bool) error {
	ok, err := r.loop.RunUntil(r.loop.Now()+stepBudget, func() bool { return *done })
	if err != nil {
		return err
	}
	if !ok {
		return errNotDone
	}
	return nil
}

// step runs one step. The error is a run-stopping one (a limit).
func (r *runner) step(st *Step) (StepResult, error) {
	sr := StepResult{Step: st, Start: r.loop.Now()}
	var out outcome
	var err error
	switch {
	case st.Ping != nil:
		out, err = r.ping(st.Ping)
	case st.Traceroute != nil:
		out, err = r.traceroute(st.Traceroute)
	case st.TCP != nil:
		out, err = r.tcp(st.TCP)
	case st.HTTP != nil:
		out, err = r.http(st.HTTP)
	case st.UDP != nil:
		out, err = r.udp(st.UDP)
	case st.DNS != nil:
		out, err = r.dns(st.DNS)
	case st.Link != nil:
		out, err = r.link(st.Link)
	case st.Wait != nil:
		out = outcome{desc: "wait " + st.Wait.Duration.String()}
		err = r.loop.Run(r.loop.Now() + st.Wait.Duration)
	case st.FDB != nil:
		out = r.fdb(st.FDB)
	case st.Counters != nil:
		out = r.counters(st.Counters)
	case st.STP != nil:
		out = r.stp(st.STP)
	case st.Capture != nil:
		out = r.capture(st.Capture)
	case st.Docker != nil:
		out, err = r.docker(st)
	case st.DNSLog != nil:
		out = r.dnslog(st.DNSLog)
	default:
		out = outcome{failed: "empty step"}
	}
	sr.End = r.loop.Now()
	sr.Desc = out.desc
	if st.Name != "" {
		sr.Desc = st.Name + ": " + out.desc
	}
	if err != nil && !errors.Is(err, errNotDone) {
		sr.Detail = "stopped: " + err.Error()
		return sr, err
	}
	if errors.Is(err, errNotDone) {
		out.failed = fmt.Sprintf("no result within %v of virtual time", stepBudget)
	}
	sr.Pass, sr.Detail = judge(st, out)
	return sr, nil
}

// outcome is what a step's action produced: failed is the reason the action
// itself failed ("" if it succeeded), mismatches are the expectations it
// did not meet.
type outcome struct {
	desc       string
	summary    string
	failed     string
	mismatches []string
}

func (o *outcome) mismatch(format string, args ...any) {
	o.mismatches = append(o.mismatches, fmt.Sprintf(format, args...))
}

// judge applies the generic expectations: a step passes when its action
// succeeded and met its expectations, or, with expect {fail: true} or
// {error: ...}, when it failed (as described).
func judge(st *Step, o outcome) (bool, string) {
	if st.Expect.WantsFailure() {
		if o.failed == "" && len(o.mismatches) == 0 {
			return false, "expected failure, got success" + suffix(o.summary)
		}
		reason := o.failed
		if reason == "" {
			reason = strings.Join(o.mismatches, "; ")
		}
		if e := st.Expect.Error; e != nil && !strings.Contains(reason, *e) {
			return false, fmt.Sprintf("expected error containing %q, got %q", *e, reason)
		}
		return true, reason
	}
	if o.failed != "" {
		return false, o.failed
	}
	if len(o.mismatches) > 0 {
		return false, strings.Join(o.mismatches, "; ")
	}
	return true, o.summary
}

func suffix(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
