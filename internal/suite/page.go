package suite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/dialect"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// The page's bounds: a suite pasted into the page is read like a suite file
// (at most MaxSuiteBytes), and the page keeps at most MaxPageCases cases,
// which re-run on every keystroke of the rule.
const (
	MaxSuiteBytes = 1 << 20
	MaxPageCases  = 100
)

// PageCase is a case as the page keeps it: the certificate, the bundles and
// the time it was added with, as text, and the decision it must get. The rule
// is the page's: every case is decided by the rule being edited.
type PageCase struct {
	Name    string               `json:"name"`
	Chain   string               `json:"chain"` // PEM; "" presents none (4017)
	Bundles []engine.BundleInput `json:"bundles"`
	At      string               `json:"at,omitempty"` // RFC 3339; "" is now
	Expect  Expect               `json:"expect"`
	// Rule and Dialect are, in suite_read's answer, the rule the suite gave
	// the case's client; the cases op ignores them.
	Rule    string `json:"rule,omitempty"`
	Dialect string `json:"dialect,omitempty"`
}

// CasesRequest is the cases op: the page's rule and its cases.
type CasesRequest struct {
	Rule    string     `json:"rule"`
	Dialect string     `json:"dialect,omitempty"`
	Cases   []PageCase `json:"cases"`
}

// CasesResponse is each case's outcome, in order, and the counts.
type CasesResponse struct {
	Results []CaseResult `json:"results"`
	Passed  int          `json:"passed"`
	Failed  int          `json:"failed"`
}

// CaseResult is one case decided. A failed case carries its explanation: the
// steps of the decision, the rule's near misses and the findings.
type CaseResult struct {
	Name       string        `json:"name"`
	Passed     bool          `json:"passed"`
	Code       int           `json:"code"`
	Reason     string        `json:"reason"`
	Expected   Expect        `json:"expected"`
	At         time.Time     `json:"at"`
	Mismatches []string      `json:"mismatches"`
	Steps      []policy.Step `json:"steps,omitempty"`
	NearMisses []string      `json:"near_misses,omitempty"`
	RuleError  string        `json:"rule_error,omitempty"`
	Findings   []string      `json:"findings,omitempty"`
}

// SuiteReadRequest is YAML the page was given (pasted or opened).
type SuiteReadRequest struct {
	YAML string `json:"yaml"`
}

// SuiteReadResponse is the suite's cases as the page keeps them.
type SuiteReadResponse struct {
	Cases []PageCase `json:"cases"`
}

// SuiteWriteRequest is the page's rule and cases, to write as a suite file.
type SuiteWriteRequest = CasesRequest

// SuiteWriteResponse is the suite file.
type SuiteWriteResponse struct {
	YAML string `json:"yaml"`
}

// Call runs the page's suite ops (pageOps) and hands the engine's (engine.Ops) to
// engine.Call: the WebAssembly bridge's one entry point. An op that is neither is
// refused with the list of both (Ops), the ops this caller can use.
func Call(op string, request []byte, now func() time.Time) []byte {
	i := slices.IndexFunc(pageOps, func(o pageOp) bool { return o.name == op })
	if i < 0 {
		if slices.Contains(engineOps, op) {
			return engine.Call(op, request, now)
		}
		b, _ := json.Marshal(engine.ErrorResponse{Error: *engine.UnknownOp(op, Ops())})
		return b
	}
	out, err := pageOps[i].run(request, now)
	if err != nil {
		out = engine.ErrorResponse{Error: engine.ErrorOf(err)}
	}
	b, err := json.Marshal(out)
	if err != nil {
		b, _ = json.Marshal(engine.ErrorResponse{Error: engine.Error{Code: engine.CodeBadRequest, Message: "encoding the response: " + err.Error()}})
	}
	return b
}

// engineOps are engine.Call's ops, listed once: Call hands every keystroke's
// decide to it.
var engineOps = engine.Ops()

// pageOp is one of the suite's ops that Call answers itself.
type pageOp struct {
	name string
	run  func(request []byte, now func() time.Time) (any, error)
}

// pageOps are the suite's ops, in the order Ops lists them: the one list.
var pageOps = []pageOp{
	{"cases", func(request []byte, now func() time.Time) (any, error) {
		var req CasesRequest
		if err := decodeRequest(request, &req); err != nil {
			return nil, err
		}
		return RunPage(req, now)
	}},
	{"suite_read", func(request []byte, now func() time.Time) (any, error) {
		var req SuiteReadRequest
		if err := decodeRequest(request, &req); err != nil {
			return nil, err
		}
		cases, err := ReadPage([]byte(req.YAML), now)
		return &SuiteReadResponse{Cases: cases}, err
	}},
	{"suite_write", func(request []byte, _ func() time.Time) (any, error) {
		var req SuiteWriteRequest
		if err := decodeRequest(request, &req); err != nil {
			return nil, err
		}
		y, err := WritePage(req)
		return &SuiteWriteResponse{YAML: y}, err
	}},
}

// Ops are the operations Call answers: the engine's, then the suite's.
func Ops() []string {
	ops := slices.Clone(engineOps)
	for _, o := range pageOps {
		ops = append(ops, o.name)
	}
	return ops
}

func decodeRequest(b []byte, v any) error {
	if len(b) > engine.MaxRequestBytes {
		return &engine.Error{Code: engine.CodeBadRequest, Message: fmt.Sprintf("request is %d bytes; at most %d are accepted", len(b), engine.MaxRequestBytes)}
	}
	return engine.DecodeRequest(b, v)
}

// The page's caches: a keystroke of the rule re-runs every case with the same
// certificates, bundles and times, so only the rule's evaluation is new work.
// Parsed texts are kept by their text until maxPageTexts of them or
// maxPageTextBytes of text, then all dropped (a plain map: an LRU's generic
// code costs the page's download more than a rare re-parse costs it).
var (
	pageMu      sync.Mutex
	pageChains  = map[string][]*certinfo.Certificate{}
	pageBundles = map[string]*trust.Bundle{}
	pageBytes   int
	pageVerify  = trust.NewCache(256)
)

const (
	maxPageTexts     = 6 * MaxPageCases // a chain and 5 bundles a case
	maxPageTextBytes = 16 << 20
)

// remember makes room for a text of n bytes, dropping every parsed text when
// the caches are full. pageMu is held.
func remember(n int) {
	if len(pageChains)+len(pageBundles) >= maxPageTexts || pageBytes+n > maxPageTextBytes {
		clear(pageChains)
		clear(pageBundles)
		pageBytes = 0
	}
	pageBytes += n
}

// RunPage decides every case with the page's rule.
func RunPage(req CasesRequest, now func() time.Time) (*CasesResponse, error) {
	if len(req.Cases) > MaxPageCases {
		return nil, &engine.Error{Code: engine.CodeBadRequest, Message: fmt.Sprintf("%d cases; the page runs at most %d", len(req.Cases), MaxPageCases)}
	}
	var r *dialect.Rule
	if strings.TrimSpace(req.Rule) != "" {
		var err error
		if r, err = engine.CompileRule(req.Rule, req.Dialect); err != nil {
			e := engine.ErrorOf(err)
			e.Input = "rule"
			return nil, &e
		}
	}
	resp := &CasesResponse{Results: make([]CaseResult, 0, len(req.Cases))}
	for i, pc := range req.Cases {
		res, err := runPageCase(pc, r, now)
		if err != nil {
			return nil, &engine.Error{Code: engine.CodeBadRequest, Message: fmt.Sprintf("case %d %q: %v", i+1, pc.Name, err)}
		}
		if res.Passed {
			resp.Passed++
		} else {
			resp.Failed++
		}
		resp.Results = append(resp.Results, res)
	}
	return resp, nil
}

func runPageCase(pc PageCase, r *dialect.Rule, now func() time.Time) (CaseResult, error) {
	at, err := engine.ParseTime(pc.At, now)
	if err != nil {
		return CaseResult{}, err
	}
	if len(pc.Bundles) > policy.MaxBundles {
		return CaseResult{}, fmt.Errorf("%d bundles; a client selects at most %d", len(pc.Bundles), policy.MaxBundles)
	}
	c := &Case{Name: pc.Name, Expect: pc.Expect, Client: &engine.Client{Client: policy.Client{Name: "playground"}}}
	c.Client.SetRule(r)
	for i, b := range pc.Bundles {
		name := b.Name
		if name == "" {
			name = fmt.Sprintf("bundle %d", i+1)
		}
		key := name + "\x00" + b.PEM
		pageMu.Lock()
		tb, ok := pageBundles[key]
		pageMu.Unlock()
		if !ok {
			if tb, err = trust.ParseBundle(name, []byte(b.PEM), at); err != nil {
				return CaseResult{}, err
			}
			pageMu.Lock()
			remember(len(key))
			pageBundles[key] = tb
			pageMu.Unlock()
		}
		c.Client.Bundles = append(c.Client.Bundles, tb)
	}
	if strings.TrimSpace(pc.Chain) != "" {
		pageMu.Lock()
		chain, ok := pageChains[pc.Chain]
		pageMu.Unlock()
		if !ok {
			if chain, err = ParseInlineChain(pc.Chain); err != nil {
				return CaseResult{}, err
			}
			pageMu.Lock()
			remember(len(pc.Chain))
			pageChains[pc.Chain] = chain
			pageMu.Unlock()
		}
		c.Chain = chain
	}
	res := RunCase(c, at, pageVerify.Verify)
	d := res.Decision
	out := CaseResult{Name: pc.Name, Passed: res.Passed(), Code: d.Code, Reason: d.Reason, Expected: pc.Expect, At: res.At, Mismatches: res.Mismatches}
	if out.Mismatches == nil {
		out.Mismatches = []string{}
	}
	if !out.Passed {
		out.Steps = d.Steps
		if d.Rule != nil {
			out.RuleError = d.Rule.Error
			for _, nm := range d.Rule.NearMisses {
				out.NearMisses = append(out.NearMisses, nm.Message)
			}
		}
		for _, f := range res.Findings {
			out.Findings = append(out.Findings, f.ID)
		}
	}
	return out, nil
}

// pageFile is a suite as the page reads it: clients (a serve config's token
// is allowed and ignored) and cases, every certificate written in it as PEM.
type pageFile struct {
	Clients []pageClient `yaml:"clients"`
	Cases   []FileCase   `yaml:"cases"`
}

type pageClient struct {
	Name    string        `yaml:"name"`
	Token   string        `yaml:"token"`
	Bundles []BundleEntry `yaml:"bundles"`
	Rule    string        `yaml:"rule"`
	Dialect string        `yaml:"dialect"`
}

// pageSuite names the pasted suite in errors.
const pageSuite = "suite"

var yamlUnknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type \S+`)

// ReadPage reads a suite pasted into the page with the reader the CLI uses
// (ReadCases), but no files: bundles and chains must be PEM written in the
// suite, as WritePage writes them. Every case must select a client: the page
// decides each for its own.
func ReadPage(data []byte, now func() time.Time) ([]PageCase, error) {
	fail := func(format string, args ...any) error {
		return &engine.Error{Code: engine.CodeBadRequest, Message: pageSuite + ": " + fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxSuiteBytes {
		return nil, fail("%d bytes; a suite holds at most %d (1 MiB)", len(data), MaxSuiteBytes)
	}
	var pf pageFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&pf); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fail("empty; paste a suite file (clients and cases), as Export writes it")
		}
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n"), "yaml: ")
		if m := yamlUnknownField.FindStringSubmatch(msg); m != nil {
			msg = fmt.Sprintf("line %s: unknown field %q (a suite has clients and cases; a case has name, client, bundles, rule, dialect, chain, at, expect)", m[1], m[2])
		}
		return nil, fail("%s", strings.Join(strings.Fields(msg), " "))
	}
	switch {
	case len(pf.Cases) == 0:
		return nil, fail("no cases: a suite lists cases (name, bundles or client, chain, at, expect)")
	case len(pf.Cases) > MaxPageCases:
		return nil, fail("%d cases; the page keeps at most %d (run larger suites with mtlsplay test)", len(pf.Cases), MaxPageCases)
	}
	at := policy.DecisionTime(now().UTC())
	bundle := func(who string, i int, e BundleEntry) (*trust.Bundle, error) {
		if !IsInlinePEM(e.Text) {
			return nil, fmt.Errorf("bundle %s: a file name; the page reads no files: write the bundle's PEM in the suite (Export does)", e.Text)
		}
		name := e.Name
		if name == "" {
			name = fmt.Sprintf("bundle %d", i+1)
		}
		b, err := trust.ParseBundle(name, []byte(e.Text), at)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", who, err)
		}
		return b, nil
	}
	clients := map[string]*engine.Client{}
	raw := map[string]pageClient{}
	var names []string
	for i, pc := range pf.Clients {
		who := fmt.Sprintf("client %d", i+1)
		if pc.Name != "" {
			who = fmt.Sprintf("client %q", pc.Name)
		}
		switch {
		case pc.Name == "":
			return nil, fail("%s: has no name", who)
		case clients[pc.Name] != nil:
			return nil, fail("%s: is given twice; names must be unique", who)
		case len(pc.Bundles) > policy.MaxBundles:
			return nil, fail("%s: lists %d bundles; a client selects at most %d", who, len(pc.Bundles), policy.MaxBundles)
		}
		cl := &engine.Client{Client: policy.Client{Name: pc.Name}}
		for j, e := range pc.Bundles {
			b, err := bundle("bundles", j, e)
			if err != nil {
				return nil, fail("%s: %v", who, err)
			}
			cl.Bundles = append(cl.Bundles, b)
		}
		if strings.TrimSpace(pc.Rule) != "" {
			r, err := engine.CompileRule(pc.Rule, pc.Dialect)
			if err != nil {
				return nil, fail("%s: rule: %v", who, err)
			}
			cl.SetRule(r)
		} else if err := knownDialect(pc.Dialect); err != nil {
			return nil, fail("%s: dialect: %v", who, err)
		}
		clients[pc.Name], raw[pc.Name] = cl, pc
		names = append(names, pc.Name)
	}
	cases, err := ReadCases(pf.Cases, Sources{
		File:    pageSuite,
		Client:  func(name string) *engine.Client { return clients[name] },
		Clients: names,
		Bundle: func(fc *FileCase, i int) (*trust.Bundle, error) {
			return bundle("bundles", i, fc.Bundles[i])
		},
	})
	if err != nil {
		return nil, &engine.Error{Code: engine.CodeBadRequest, Message: err.Error()}
	}
	out := make([]PageCase, len(cases))
	for i, c := range cases {
		fc := pf.Cases[i]
		if c.Client == nil {
			return nil, fail("case %q: selects no client (4020); the page decides every case for its own client: give the case bundles (bundles: [PEM]) or a client", c.Name)
		}
		pc := PageCase{Name: c.Name, Chain: fc.Chain, Expect: c.Expect, Bundles: []engine.BundleInput{}, Rule: fc.Rule, Dialect: fc.Dialect}
		texts := fc.Bundles
		if fc.Client != "" {
			texts, pc.Rule, pc.Dialect = raw[fc.Client].Bundles, raw[fc.Client].Rule, raw[fc.Client].Dialect
		}
		for j, b := range c.Client.Bundles {
			pc.Bundles = append(pc.Bundles, engine.BundleInput{Name: b.Name, PEM: texts[j].Text})
		}
		if !c.At.IsZero() {
			pc.At = c.At.Format(time.RFC3339)
		}
		out[i] = pc
	}
	return out, nil
}

// WritePage writes the page's cases as a suite file that mtlsplay test and
// ReadPage read back to the same cases: one client per distinct list of
// bundles, each with the page's rule; every certificate written as PEM.
func WritePage(req SuiteWriteRequest) (string, error) {
	if len(req.Cases) == 0 {
		return "", &engine.Error{Code: engine.CodeBadRequest, Message: "no cases to write: add a case first"}
	}
	if len(req.Cases) > MaxPageCases {
		return "", &engine.Error{Code: engine.CodeBadRequest, Message: fmt.Sprintf("%d cases; the page keeps at most %d", len(req.Cases), MaxPageCases)}
	}
	var w strings.Builder
	w.WriteString("# A rule test suite written by the mtlsplay playground.\n# Run it with: mtlsplay test FILE (docs/suites.md); paste it into the page's Cases to load it again.\n")
	clientOf := make([]string, len(req.Cases))
	var keys []string
	byKey := map[string]string{}
	for i, c := range req.Cases {
		var k strings.Builder
		for _, b := range c.Bundles {
			k.WriteString(b.PEM)
			k.WriteByte(0)
		}
		name, ok := byKey[k.String()]
		if !ok {
			name = "playground-" + strconv.Itoa(len(keys)+1)
			byKey[k.String()] = name
			keys = append(keys, k.String())
		}
		clientOf[i] = name
	}
	w.WriteString("clients:\n")
	written := map[string]bool{}
	for i, c := range req.Cases {
		name := clientOf[i]
		if written[name] {
			continue
		}
		written[name] = true
		w.WriteString("  - name: " + name + "\n")
		if len(c.Bundles) == 0 {
			w.WriteString("    bundles: []\n")
		} else {
			w.WriteString("    bundles:\n")
			for _, b := range c.Bundles {
				// Named, so the bundle comes back with its name (reasons quote it).
				if name := strings.TrimSpace(oneLine(b.Name)); name != "" && len(name) <= MaxBundleNameBytes {
					w.WriteString("      - name: ")
					writeQuoted(&w, name)
					w.WriteString("        pem: ")
					writeText(&w, b.PEM, "          ")
				} else {
					w.WriteString("      - ")
					writeText(&w, b.PEM, "        ")
				}
			}
		}
		if strings.TrimSpace(req.Rule) != "" {
			w.WriteString("    rule: ")
			writeQuoted(&w, req.Rule)
			if d := strings.ToLower(strings.TrimSpace(req.Dialect)); d != "" && d != dialect.Auto {
				w.WriteString("    dialect: ")
				writeQuoted(&w, d)
			}
		}
	}
	w.WriteString("cases:\n")
	for i, c := range req.Cases {
		w.WriteString("  - name: ")
		writeQuoted(&w, c.Name)
		w.WriteString("    client: " + clientOf[i] + "\n")
		if strings.TrimSpace(c.Chain) != "" {
			w.WriteString("    chain: ")
			writeText(&w, c.Chain, "      ")
		}
		if c.At != "" {
			w.WriteString("    at: ")
			writeQuoted(&w, c.At)
		}
		w.WriteString("    expect: ")
		if c.Expect.Reason == "" && c.Expect.Finding == "" {
			w.WriteString(strconv.Itoa(c.Expect.Code) + "\n")
		} else {
			w.WriteString("\n      code: " + strconv.Itoa(c.Expect.Code) + "\n")
			if c.Expect.Reason != "" {
				w.WriteString("      reason: ")
				writeQuoted(&w, c.Expect.Reason)
			}
			if c.Expect.Finding != "" {
				w.WriteString("      finding: ")
				writeQuoted(&w, c.Expect.Finding)
			}
		}
	}
	if w.Len() > MaxSuiteBytes {
		return "", &engine.Error{Code: engine.CodeBadRequest, Message: fmt.Sprintf("the suite would be %d bytes; a suite holds at most %d (1 MiB): remove cases", w.Len(), MaxSuiteBytes)}
	}
	return w.String(), nil
}

// writeQuoted writes s as a YAML double-quoted scalar and a line end. JSON's
// string escapes are YAML's (\", \\, \n, \uXXXX), and encoding/json escapes
// every control character and U+2028/U+2029, so the value reads back exactly
// (invalid UTF-8 aside, which becomes U+FFFD).
func writeQuoted(w *strings.Builder, s string) {
	b, _ := json.Marshal(s)
	w.Write(b)
	w.WriteByte('\n')
}

// pemLine is a line a literal block holds as it is: printable ASCII that does
// not start or end with a space (PEM's lines).
var pemLine = regexp.MustCompile(`^(?:[!-~](?:[ -~]*[!-~])?)?$`)

// writeText writes PEM as a literal block (|, or |- without a final line end),
// indented by indent, when every line can be; anything else quoted.
func writeText(w *strings.Builder, s, indent string) {
	body, chomp := strings.TrimSuffix(s, "\n"), "|"
	if body == s {
		chomp = "|-"
	}
	lines := strings.Split(body, "\n")
	ok := body != "" && lines[0] != "" && lines[len(lines)-1] != ""
	for _, l := range lines {
		ok = ok && pemLine.MatchString(l)
	}
	if !ok {
		writeQuoted(w, s)
		return
	}
	w.WriteString(chomp + "\n")
	for _, l := range lines {
		if l != "" {
			w.WriteString(indent)
		}
		w.WriteString(l)
		w.WriteByte('\n')
	}
}

// oneLine is s safe in a comment: every character that is not printable
// (line ends, controls, U+FEFF…) a space.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if !unicode.IsPrint(r) {
			return ' '
		}
		return r
	}, s)
}
