package suite

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// MaxCases bounds one suite file: enough for every partner's certificates
// several times over, few enough that a suite runs in about a second.
const MaxCases = 1000

// MaxNameBytes bounds a case's name, which every report repeats.
const MaxNameBytes = 256

// Case is one certificate (or none) presented to one client at one time, and
// the decision it must get.
type Case struct {
	Name string
	// File is the suite file the case comes from, as given.
	File string
	// ClientName is the client as the case names it: a configured client's name,
	// "inline" for bundles and a rule given in the case, or "" for none.
	ClientName string
	// Client is the client to decide for; nil is a request that selects no
	// configured client (4020).
	Client *engine.Client
	// Chain is the presented chain, leaf first; empty is no certificate (4017).
	Chain []*certinfo.Certificate
	// ChainSource names the chain in reports: its file as written, "inline", or
	// "" when the case presents none.
	ChainSource string
	// At is the decision time; zero is the run's time.
	At     time.Time
	Expect Expect
}

// Expect is what a case must get: the code, and, when set, a substring of the
// reason and a finding the decision must list.
type Expect struct {
	Code    int    `json:"code"`
	Reason  string `json:"reason,omitempty"`
	Finding string `json:"finding,omitempty"`
}

func (e Expect) String() string {
	s := fmt.Sprint(e.Code)
	if e.Reason != "" {
		s += fmt.Sprintf(" with reason containing %q", e.Reason)
	}
	if e.Finding != "" {
		if e.Reason != "" {
			s += " and"
		} else {
			s += " with"
		}
		s += " finding " + e.Finding
	}
	return s
}

// Result is one case as it ran.
type Result struct {
	Case     *Case
	At       time.Time
	Decision policy.Decision
	Findings []diagnose.Finding
	// Mismatches say how the decision differs from the expectation, one line
	// each; none when the case passed.
	Mismatches []string
	Took       time.Duration
}

// Passed reports whether the decision met the expectation.
func (r Result) Passed() bool { return len(r.Mismatches) == 0 }

// Line is the case in one line: its name, what it expected and what it got.
func (r Result) Line() string {
	verdict := "passed"
	if !r.Passed() {
		verdict = "failed"
	}
	return fmt.Sprintf("case %q %s: expected %s, got %d (%s)", r.Case.Name, verdict, r.Case.Expect, r.Decision.Code, r.Decision.Reason)
}

// Options are what a run shares across its cases.
type Options struct {
	// Now is the decision time of cases without their own; zero is time.Now.
	Now time.Time
	// Verify verifies a chain; nil is a trust.Cache for the run, which gives
	// exactly trust.Verify's results. GatewayVerifier decides trust as a
	// gateway would.
	Verify engine.Verifier
}

// Run decides every case, in order.
func Run(cases []*Case, opts Options) []Result {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = policy.DecisionTime(now.UTC())
	verify := opts.Verify
	if verify == nil {
		verify = trust.NewCache(256).Verify
	}
	out := make([]Result, 0, len(cases))
	for _, c := range cases {
		out = append(out, RunCase(c, now, verify))
	}
	return out
}

// RunCase decides one case; now is the time when the case has none.
func RunCase(c *Case, now time.Time, verify engine.Verifier) Result {
	start := time.Now()
	at := now
	if !c.At.IsZero() {
		at = policy.DecisionTime(c.At.UTC())
	}
	d, findings := engine.DecideFor(c.Client, c.Chain, ruletypes.TLS{}, at, verify)
	return Result{Case: c, At: at, Decision: d, Findings: findings, Mismatches: c.Expect.Check(d, findings), Took: time.Since(start)}
}

// Check says how d and its findings miss the expectation; nil when they meet it.
func (e Expect) Check(d policy.Decision, findings []diagnose.Finding) []string {
	var out []string
	if d.Code != e.Code {
		out = append(out, fmt.Sprintf("expected code %d, got %d", e.Code, d.Code))
	}
	if e.Reason != "" && !strings.Contains(d.Reason, e.Reason) {
		out = append(out, fmt.Sprintf("expected the reason to contain %q; it is %q", e.Reason, d.Reason))
	}
	if e.Finding != "" && !slices.ContainsFunc(findings, func(f diagnose.Finding) bool { return f.ID == e.Finding }) {
		ids := make([]string, len(findings))
		for i, f := range findings {
			ids[i] = f.ID
		}
		got := "none"
		if len(ids) > 0 {
			got = strings.Join(ids, ", ")
		}
		out = append(out, fmt.Sprintf("expected finding %s; the findings are: %s", e.Finding, got))
	}
	return out
}

// Counts is how many results passed and failed.
func Counts(results []Result) (passed, failed int) {
	for _, r := range results {
		if r.Passed() {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}

// Summary is the line a run ends with: "N passed, N failed".
func Summary(results []Result) string {
	p, f := Counts(results)
	return fmt.Sprintf("%d passed, %d failed", p, f)
}
