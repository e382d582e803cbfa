package scenario

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// FormatTime prints virtual time as seconds with millisecond precision, the
// width stable for alignment: "  12.345s".
func FormatTime(d time.Duration) string {
	return fmt.Sprintf("%9.3fs", d.Seconds())
}

// WriteHeader prints the line that opens a scenario's report.
func WriteHeader(w io.Writer, s *Scenario, seed uint64) {
	fmt.Fprintf(w, "=== %s (seed %d) %s\n", s.Name, seed, s.File)
}

// WriteStep prints one step's line: PASS/FAIL, virtual time, the step, and
// the detail (expected vs got on failure).
func WriteStep(w io.Writer, sr StepResult) {
	verdict := "PASS"
	if !sr.Pass {
		verdict = "FAIL"
	}
	line := fmt.Sprintf("%s %s  %-40s", verdict, FormatTime(sr.Start), oneLine(sr.Desc))
	if sr.Detail != "" {
		line += "  " + oneLine(sr.Detail)
	}
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

// WriteFooter prints the steps that did not run, the run's error and the
// trace hash.
func WriteFooter(w io.Writer, r *Result) {
	for _, st := range r.Scenario.Steps[len(r.Steps):] {
		fmt.Fprintf(w, "FAIL %s  %-40s  not run\n", FormatTime(r.Duration), st.Kind())
	}
	if r.Err != nil {
		fmt.Fprintf(w, "ERROR %s\n", r.Err)
	}
	fmt.Fprintf(w, "trace %s (%d events, %s virtual)\n", r.TraceHash, r.Events, strings.TrimSpace(FormatTime(r.Duration)))
}

// WriteResult prints a whole scenario's report.
func WriteResult(w io.Writer, r *Result) {
	WriteHeader(w, r.Scenario, r.Seed)
	for _, sr := range r.Steps {
		WriteStep(w, sr)
	}
	WriteFooter(w, r)
}

// JUnit XML, the subset CI systems read.
type junitSuites struct {
	XMLName xml.Name     `xml:"testsuites"`
	Tests   int          `xml:"tests,attr"`
	Fails   int          `xml:"failures,attr"`
	Suites  []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Fails      int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemErr  string          `xml:"system-err,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the results as JUnit XML: one test suite per scenario,
// one test case per step; times are virtual seconds.
func WriteJUnit(w io.Writer, results []*Result) error {
	var all junitSuites
	for _, r := range results {
		s := junitSuite{
			Name: r.Scenario.Name,
			Time: fmt.Sprintf("%.3f", r.Duration.Seconds()),
			Properties: []junitProperty{
				{"file", r.Scenario.File}, {"seed", fmt.Sprint(r.Seed)}, {"trace", r.TraceHash},
			},
		}
		for i, st := range r.Scenario.Steps {
			c := junitCase{Name: fmt.Sprintf("%02d %s", i+1, st.Kind()), Classname: r.Scenario.Name}
			if i < len(r.Steps) {
				sr := r.Steps[i]
				c.Name = fmt.Sprintf("%02d %s", i+1, sr.Desc)
				c.Time = fmt.Sprintf("%.3f", (sr.End - sr.Start).Seconds())
				if !sr.Pass {
					c.Failure = &junitFailure{Message: sr.Detail, Text: fmt.Sprintf("%s:%d:%d: %s", r.Scenario.File, st.Pos.Line, st.Pos.Col, sr.Detail)}
				}
			} else {
				c.Failure = &junitFailure{Message: "not run"}
			}
			if c.Failure != nil {
				s.Fails++
			}
			s.Cases = append(s.Cases, c)
		}
		if r.Err != nil {
			s.Errors = 1
			s.SystemErr = r.Err.Error()
		}
		s.Tests = len(s.Cases)
		all.Tests += s.Tests
		all.Fails += s.Fails
		all.Suites = append(all.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// oneLine keeps a report line on one line: multi-line commands and error
// texts (Docker's "invalid network config:\n...") are joined with " | ".
func oneLine(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", " | ")
}
