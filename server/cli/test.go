package cli

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/suite"
	"github.com/mtlsplay/mtlsplay/internal/trust"
	"github.com/mtlsplay/mtlsplay/server/config"
)

// test: run rule test suites (docs/suites.md).

// maxSuiteFiles bounds one run; each file is bounded on its own.
const maxSuiteFiles = 100

// suiteRun is one suite file and its cases' results.
type suiteRun struct {
	file    string
	results []suite.Result
	took    time.Duration
}

func (c *cli) test(args []string) int {
	fs := c.flags("test", "[--format text|json|junit|tap] [--at TIME] [--gateway NAME] FILE…")
	format := fs.String("format", "text", "output: text, json, junit (JUnit XML for CI) or tap (TAP version 13)")
	at := fs.String("at", "", "the decision time of cases without their own at (RFC 3339, or a date for midnight UTC; default now)")
	gw := fs.String("gateway", "", "decide trust as this gateway would, where it differs from Go's crypto/x509: "+strings.Join(gateway.TrustModels(), ", "))
	operands, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	switch {
	case len(operands) == 0:
		return c.usageError(fs, "want at least one suite FILE (YAML; a serve config runs its cases)")
	case stdinTwice(operands...):
		return c.usageError(fs, stdinOnce)
	case len(operands) > maxSuiteFiles:
		return c.usageError(fs, "%d files; at most %d at once", len(operands), maxSuiteFiles)
	case *format != "text" && *format != "json" && *format != "junit" && *format != "tap":
		return c.usageError(fs, "--format is text, json, junit or tap, not %q", *format)
	case *gw != "" && !known(gateway.TrustModels(), *gw):
		return c.usageError(fs, "no trust model for gateway %q (known: %s)", *gw, strings.Join(gateway.TrustModels(), ", "))
	}
	now, err := engine.ParseTime(*at, c.now)
	if err != nil {
		return c.fail(false, err)
	}
	// Every file is read before any case runs: bad input is exit 2, never a
	// half-printed report.
	cfgs := make([]*config.Config, 0, len(operands))
	for _, name := range operands {
		cfg, err := c.loadSuite(name, now)
		var ce *config.Error
		switch {
		case errors.As(err, &ce):
			// One line naming the file, the case and the field, a compile error's
			// issues included ("and N more errors").
			fmt.Fprintf(c.stderr, "mtlsplay: %s\n", terminalSafe(ce.Error()))
			return exitBadInput
		case err != nil:
			return c.fail(false, err)
		}
		for _, w := range cfg.Warnings {
			fmt.Fprintln(c.stderr, "warning: "+terminalSafe(w))
		}
		cfgs = append(cfgs, cfg)
	}
	verify := trust.NewCache(256).Verify
	if *gw != "" {
		verify, _ = suite.GatewayVerifier(*gw, verify)
	}
	runs := make([]suiteRun, 0, len(cfgs))
	var all []suite.Result
	for _, cfg := range cfgs {
		start := time.Now()
		res := suite.Run(cfg.Cases, suite.Options{Now: now, Verify: verify})
		runs = append(runs, suiteRun{file: displayName(cfg.Path), results: res, took: time.Since(start)})
		all = append(all, res...)
	}
	switch *format {
	case "json":
		c.writeJSON(testJSON(runs))
	case "junit":
		writeJUnit(c.stdout, runs)
	case "tap":
		writeTAP(c.stdout, runs)
	default:
		writeTestText(c.stdout, runs)
	}
	if *format != "text" && *format != "tap" {
		fmt.Fprintln(c.stderr, suite.Summary(all)) // standard output holds only the document
	}
	if _, failed := suite.Counts(all); failed > 0 {
		return exitRejected
	}
	return exitOK
}

// loadSuite reads a suite file, or standard input for "-" (its paths are then
// relative to the current folder).
func (c *cli) loadSuite(name string, now time.Time) (*config.Config, error) {
	if name != "-" {
		return config.LoadSuite(name, now)
	}
	data, err := c.readInput(name, 1<<20)
	if err != nil {
		return nil, err
	}
	return config.ParseSuite(displayName(name), data, now)
}

// writeTestText is the text report: a line per case, the explanation under a
// case that failed, and the summary last.
func writeTestText(w io.Writer, runs []suiteRun) {
	var all []suite.Result
	for _, run := range runs {
		if len(runs) > 1 {
			noun := "cases"
			if len(run.results) == 1 {
				noun = "case"
			}
			fmt.Fprintf(w, "%s: %d %s\n", terminalSafe(run.file), len(run.results), noun)
		}
		for _, r := range run.results {
			all = append(all, r)
			d := r.Decision
			if r.Passed() {
				fmt.Fprintf(w, "PASS %s: expected %s, got %d (%s)\n", terminalSafe(r.Case.Name), terminalSafe(r.Case.Expect.String()), d.Code, terminalSafe(d.Reason))
				continue
			}
			fmt.Fprintf(w, "FAIL %s: expected %s, got %d (%s)\n", terminalSafe(r.Case.Name), terminalSafe(r.Case.Expect.String()), d.Code, terminalSafe(d.Reason))
			writeCaseDetail(w, r, "     ")
		}
	}
	fmt.Fprintln(w, suite.Summary(all))
}

// writeCaseDetail is what a failed case shows under its line: how it missed,
// its inputs, and the decision as verify prints it (steps, findings, the
// rule's explanation), each line after indent.
func writeCaseDetail(w io.Writer, r suite.Result, indent string) {
	var b bytes.Buffer
	for _, m := range r.Mismatches {
		fmt.Fprintf(&b, "%s\n", terminalSafe(m))
	}
	fmt.Fprintf(&b, "%s\n", caseInputs(r))
	writeDecision(&b, &engine.DecideResponse{Decision: r.Decision, Findings: r.Findings})
	for _, line := range strings.SplitAfter(strings.TrimRight(b.String(), "\n"), "\n") {
		fmt.Fprint(w, indent+line)
	}
	fmt.Fprintln(w)
}

// caseInputs says what a case decided on: client, chain and time.
func caseInputs(r suite.Result) string {
	client, chain := "no client", "no certificate"
	if r.Case.ClientName != "" {
		client = fmt.Sprintf("client %q", r.Case.ClientName)
	}
	if r.Case.ChainSource != "" {
		chain = "chain " + r.Case.ChainSource
	}
	return terminalSafe(fmt.Sprintf("%s, %s, at %s", client, chain, r.At.Format(time.RFC3339)))
}

// The JSON report (--format json).
type (
	testReport struct {
		Suites []suiteReport `json:"suites"`
		Passed int           `json:"passed"`
		Failed int           `json:"failed"`
	}
	suiteReport struct {
		File   string       `json:"file"`
		Passed int          `json:"passed"`
		Failed int          `json:"failed"`
		Cases  []caseReport `json:"cases"`
	}
	caseReport struct {
		Name       string         `json:"name"`
		Client     string         `json:"client"` // "" for none
		Chain      string         `json:"chain"`  // "" for none
		At         time.Time      `json:"at"`
		Expected   expectedReport `json:"expected"`
		Code       int            `json:"code"`
		Reason     string         `json:"reason"`
		Kind       trust.Kind     `json:"kind,omitempty"` // for 4018: the verification failure's kind
		FindingIDs []string       `json:"finding_ids"`
		Passed     bool           `json:"passed"`
		Mismatches []string       `json:"mismatches"`
		// Decision and Findings explain a case that failed.
		Decision *policy.Decision   `json:"decision,omitempty"`
		Findings []diagnose.Finding `json:"findings,omitempty"`
	}
	expectedReport struct {
		Code    int    `json:"code"`
		Reason  string `json:"reason,omitempty"`
		Finding string `json:"finding,omitempty"`
	}
)

func testJSON(runs []suiteRun) testReport {
	out := testReport{Suites: []suiteReport{}}
	for _, run := range runs {
		sr := suiteReport{File: run.file, Cases: []caseReport{}}
		sr.Passed, sr.Failed = suite.Counts(run.results)
		out.Passed += sr.Passed
		out.Failed += sr.Failed
		for _, r := range run.results {
			e := r.Case.Expect
			cr := caseReport{Name: r.Case.Name, Client: r.Case.ClientName, Chain: r.Case.ChainSource, At: r.At,
				Expected: expectedReport{e.Code, e.Reason, e.Finding}, Code: r.Decision.Code, Reason: r.Decision.Reason,
				FindingIDs: findingIDs(r.Findings), Passed: r.Passed(), Mismatches: r.Mismatches}
			if v := r.Decision.Verification; v != nil && v.Failure != nil {
				cr.Kind = v.Failure.Kind
			}
			if cr.Mismatches == nil {
				cr.Mismatches = []string{}
			}
			if !r.Passed() {
				d := r.Decision
				cr.Decision, cr.Findings = &d, r.Findings
			}
			sr.Cases = append(sr.Cases, cr)
		}
		out.Suites = append(out.Suites, sr)
	}
	return out
}

func findingIDs(fs []diagnose.Finding) []string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return ids
}

// JUnit XML (--format junit), as Jenkins, GitLab and the GitHub Actions
// reporters read it: one testsuite per file, one testcase per case, a failure
// element with the mismatch and the explanation.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name      string      `xml:"name,attr"`
		Tests     int         `xml:"tests,attr"`
		Failures  int         `xml:"failures,attr"`
		Errors    int         `xml:"errors,attr"`
		Skipped   int         `xml:"skipped,attr"`
		Time      string      `xml:"time,attr"`
		Timestamp string      `xml:"timestamp,attr"`
		Cases     []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		ClassName string        `xml:"classname,attr"`
		Time      string        `xml:"time,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
		SystemOut string        `xml:"system-out,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func writeJUnit(w io.Writer, runs []suiteRun) {
	doc := junitSuites{Name: "mtlsplay test"}
	var total time.Duration
	for _, run := range runs {
		js := junitSuite{Name: run.file, Time: seconds(run.took), Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05")}
		_, js.Failures = suite.Counts(run.results)
		js.Tests = len(run.results)
		for _, r := range run.results {
			jc := junitCase{Name: r.Case.Name, ClassName: run.file, Time: seconds(r.Took),
				SystemOut: fmt.Sprintf("%s\ngot %d: %s\n", caseInputs(r), r.Decision.Code, r.Decision.Reason)}
			if !r.Passed() {
				var b bytes.Buffer
				writeCaseDetail(&b, r, "")
				jc.Failure = &junitFailure{Message: strings.Join(r.Mismatches, "; "), Type: "mismatch", Text: b.String()}
			}
			js.Cases = append(js.Cases, jc)
		}
		doc.Tests += js.Tests
		doc.Failures += js.Failures
		total += run.took
		doc.Suites = append(doc.Suites, js)
	}
	doc.Time = seconds(total)
	fmt.Fprint(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	_ = enc.Encode(doc)
	fmt.Fprintln(w)
}

// writeTAP is TAP version 13 (--format tap): a test point per case, a YAML
// block under each failure, the summary as the last comment.
func writeTAP(w io.Writer, runs []suiteRun) {
	var all []suite.Result
	for _, run := range runs {
		all = append(all, run.results...)
	}
	fmt.Fprintf(w, "TAP version 13\n1..%d\n", len(all))
	n := 0
	for _, run := range runs {
		for _, r := range run.results {
			n++
			desc := tapText(r.Case.Name)
			if len(runs) > 1 {
				desc = tapText(run.file) + ": " + desc
			}
			if r.Passed() {
				fmt.Fprintf(w, "ok %d - %s\n", n, desc)
				continue
			}
			fmt.Fprintf(w, "not ok %d - %s\n", n, desc)
			var detail bytes.Buffer
			writeDecision(&detail, &engine.DecideResponse{Decision: r.Decision, Findings: r.Findings})
			block := struct {
				Message  string   `yaml:"message"`
				Severity string   `yaml:"severity"`
				Expected string   `yaml:"expected"`
				Got      int      `yaml:"got"`
				Reason   string   `yaml:"reason"`
				Inputs   string   `yaml:"inputs"`
				Findings []string `yaml:"findings"`
				Decision string   `yaml:"decision"`
			}{strings.Join(r.Mismatches, "; "), "fail", r.Case.Expect.String(), r.Decision.Code, r.Decision.Reason, caseInputs(r), findingIDs(r.Findings), detail.String()}
			y, err := yaml.Marshal(block)
			if err != nil {
				y = []byte("message: " + err.Error() + "\n")
			}
			fmt.Fprintln(w, "  ---")
			for _, line := range strings.SplitAfter(strings.TrimRight(string(y), "\n"), "\n") {
				fmt.Fprint(w, "  "+line)
			}
			fmt.Fprintln(w, "\n  ...")
		}
	}
	fmt.Fprintf(w, "# %s\n", suite.Summary(all))
}

// tapText is a test point's description: one line, terminal-safe, with "#"
// (which starts a directive) escaped.
func tapText(s string) string {
	return strings.ReplaceAll(terminalSafe(strings.Join(strings.Fields(s), " ")), "#", `\#`)
}
