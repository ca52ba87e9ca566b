package suite_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/suite"
)

func pkiText(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func fixedNow() time.Time { return pki.TestNow }

const goodRule = `CN == "client.example.com"`

// pageCases are three cases as the page adds them: a trusted chain (0), an
// expired one (4018) and none (4017), all under the test root.
func pageCases(t testing.TB) []suite.PageCase {
	root := []engine.BundleInput{{Name: "root.pem", PEM: pkiText(t, "root.pem")}}
	at := pki.TestNow.Format(time.RFC3339)
	return []suite.PageCase{
		{Name: "good", Chain: pkiText(t, "client-good-chain.pem"), Bundles: root, At: at, Expect: suite.Expect{Code: 0}},
		{Name: "expired", Chain: pkiText(t, "client-expired-chain.pem"), Bundles: root, At: at, Expect: suite.Expect{Code: 4018, Reason: "expired", Finding: "expired"}},
		{Name: "none \"quoted\"\u2028", Bundles: root, At: at, Expect: suite.Expect{Code: 4017}},
	}
}

func call[T any](t *testing.T, op string, req any) (T, *engine.Error) {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	out := suite.Call(op, b, fixedNow)
	var e engine.ErrorResponse
	if json.Unmarshal(out, &e) == nil && e.Error.Code != "" {
		var zero T
		return zero, &e.Error
	}
	var v T
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("Call(%s) = %s: %v", op, out, err)
	}
	return v, nil
}

// TestPageCasesRule: every case passes with the rule they were added with; an
// edit of the rule that the good certificate fails fails that case alone, with
// its explanation (steps, near miss); a rule that does not compile is the
// compile error on the rule.
func TestPageCasesRule(t *testing.T) {
	cases := pageCases(t)
	res, e := call[suite.CasesResponse](t, "cases", suite.CasesRequest{Rule: goodRule, Cases: cases})
	if e != nil {
		t.Fatalf("cases: %+v", e)
	}
	if res.Passed != 3 || res.Failed != 0 {
		t.Fatalf("cases(%s) = %d passed, %d failed: %+v", goodRule, res.Passed, res.Failed, res.Results)
	}
	res, e = call[suite.CasesResponse](t, "cases", suite.CasesRequest{Rule: `CN == "client.exampel.com"`, Cases: cases})
	if e != nil {
		t.Fatalf("cases: %+v", e)
	}
	if res.Passed != 2 || res.Failed != 1 || res.Results[0].Passed || res.Results[0].Code != 4019 {
		t.Fatalf("cases(misspelt) = %+v", res)
	}
	r := res.Results[0]
	if len(r.Mismatches) != 1 || r.Mismatches[0] != "expected code 0, got 4019" || len(r.Steps) == 0 || len(r.NearMisses) != 1 || !strings.Contains(r.NearMisses[0], "client.example.com") {
		t.Errorf("failed case = %+v, want its mismatch, steps and the near miss", r)
	}
	if res.Results[1].Steps != nil {
		t.Errorf("a passed case carries steps: %+v", res.Results[1])
	}
	_, e = call[suite.CasesResponse](t, "cases", suite.CasesRequest{Rule: `CN ==`, Cases: cases})
	if e == nil || e.Code != engine.CodeCompileError || e.Input != "rule" {
		t.Errorf("cases(CN ==) error = %+v, want compile_error on the rule", e)
	}
	_, e = call[suite.CasesResponse](t, "cases", suite.CasesRequest{Rule: goodRule, Cases: make([]suite.PageCase, suite.MaxPageCases+1)})
	if e == nil || !strings.Contains(e.Message, "at most 100") {
		t.Errorf("cases(101) error = %+v", e)
	}
}

// TestPageSuiteRoundTrip: suite_write's YAML reads back, through suite_read,
// to the same cases, and mtlsplay test's reader (ReadCases via ReadPage)
// accepts it: bundles and chains written as PEM, names quoted, bundles with
// their names.
func TestPageSuiteRoundTrip(t *testing.T) {
	cases := pageCases(t)
	// A second bundle list: a second client.
	cases = append(cases, suite.PageCase{Name: "no bundles", Chain: cases[0].Chain, Bundles: []engine.BundleInput{}, Expect: suite.Expect{Code: 4016}})
	w, e := call[suite.SuiteWriteResponse](t, "suite_write", suite.SuiteWriteRequest{Rule: goodRule + "\n// \"two\" lines", Dialect: "cel", Cases: cases})
	if e != nil {
		t.Fatalf("suite_write: %+v", e)
	}
	if !strings.Contains(w.YAML, "chain: |\n      -----BEGIN CERTIFICATE-----\n") || strings.Count(w.YAML, "- name: playground-") != 2 || !strings.Contains(w.YAML, "      - name: \"root.pem\"\n        pem: |\n          -----BEGIN CERTIFICATE-----\n") {
		t.Errorf("suite_write YAML does not write PEM as blocks or one client per bundle list:\n%s", w.YAML)
	}
	r, e := call[suite.SuiteReadResponse](t, "suite_read", suite.SuiteReadRequest{YAML: w.YAML})
	if e != nil {
		t.Fatalf("suite_read(suite_write's YAML): %+v\n%s", e, w.YAML)
	}
	if len(r.Cases) != len(cases) {
		t.Fatalf("suite_read: %d cases, want %d", len(r.Cases), len(cases))
	}
	for i, got := range r.Cases {
		want := cases[i]
		if got.Rule != goodRule+"\n// \"two\" lines" || got.Dialect != "cel" {
			t.Errorf("case %d: rule %q dialect %q", i, got.Rule, got.Dialect)
		}
		got.Rule, got.Dialect = "", ""
		if !reflect.DeepEqual(got, want) { // the bundles' names too: {name, pem}
			t.Errorf("case %d read back as\n%+v\nwant\n%+v", i, got, want)
		}
	}
	// What was written decides as it did.
	res, e := call[suite.CasesResponse](t, "cases", suite.CasesRequest{Rule: goodRule, Cases: r.Cases})
	if e != nil || res.Failed != 0 {
		t.Errorf("cases(read back) = %+v, %+v", res, e)
	}
}

// TestPageWriteQuoting: text that a literal block cannot hold as it is (a
// carriage return, a leading space, trailing blank lines) is quoted and reads
// back exactly.
func TestPageWriteQuoting(t *testing.T) {
	root := pkiText(t, "root.pem")
	for _, chain := range []string{
		strings.ReplaceAll(pkiText(t, "client-good-chain.pem"), "\n", "\r\n"),
		" " + pkiText(t, "client-good-chain.pem"),
		pkiText(t, "client-good-chain.pem") + "\n\n",
		strings.TrimSuffix(pkiText(t, "client-good-chain.pem"), "\n"),
	} {
		c := suite.PageCase{Name: "x", Chain: chain, Bundles: []engine.BundleInput{{Name: "bundle 1", PEM: root}}, Expect: suite.Expect{Code: 0}}
		w, e := call[suite.SuiteWriteResponse](t, "suite_write", suite.SuiteWriteRequest{Cases: []suite.PageCase{c}})
		if e != nil {
			t.Fatal(e)
		}
		r, e := call[suite.SuiteReadResponse](t, "suite_read", suite.SuiteReadRequest{YAML: w.YAML})
		if e != nil {
			t.Fatalf("suite_read: %+v\n%s", e, w.YAML)
		}
		if r.Cases[0].Chain != chain {
			t.Errorf("chain %q read back as %q", chain[:8], r.Cases[0].Chain[:8])
		}
	}
}

// TestPageReadErrors: what the page cannot read is one line naming the suite,
// the case and the field.
func TestPageReadErrors(t *testing.T) {
	root := pkiText(t, "root.pem")
	indent := func(s, by string) string {
		return strings.TrimRight(by+strings.ReplaceAll(s, "\n", "\n"+by), " ")
	}
	block := "|\n" + indent(root, "        ")
	pemBlock := "|\n" + indent(root, "          ") // under "- name:" and "pem:"
	many := "cases:\n" + strings.Repeat("  - {name: x, expect: 0}\n", suite.MaxPageCases+1)
	tests := []struct{ name, yaml, want string }{
		{"empty", "", "suite: empty"},
		{"unknown field", "cases:\n  - name: a\n    expcet: 0\n", `suite: line 3: unknown field "expcet"`},
		{"serve config", "tls: {cert: a}\ncases: []\n", `unknown field "tls"`},
		{"no cases", "clients: []\n", "suite: no cases"},
		{"file bundle", "cases:\n  - name: a\n    bundles: [certs/root.pem]\n    expect: 0\n", `suite: case "a": bundle certs/root.pem: a file name; the page reads no files`},
		{"file chain", "cases:\n  - name: a\n    bundles:\n      - " + block + "    chain: certs/a.pem\n    expect: 0\n", `suite: case "a": chain certs/a.pem: a file name`},
		{"no client", "cases:\n  - name: a\n    expect: 4020\n", `suite: case "a": selects no client (4020)`},
		{"unknown client", "cases:\n  - name: a\n    client: b\n    expect: 0\n", `suite: case "a": client "b" is not in clients (none are configured)`},
		{"bad code", "cases:\n  - name: a\n    bundles: []\n    expect: 200\n", `suite: case "a": expect: line 4: "200" is not a decision code`},
		{"private key chain", "cases:\n  - name: a\n    bundles: []\n    chain: |\n      " + strings.ReplaceAll(strings.TrimSpace(pkiText(t, "client-good.key")), "\n", "\n      ") + "\n    expect: 0\n", `suite: case "a": chain`},
		{"named bundle without pem", "cases:\n  - name: a\n    bundles:\n      - {name: Root}\n    expect: 0\n", `line 4: a bundle written as {name, pem} needs its PEM in pem`},
		{"named bundle, a file", "cases:\n  - name: a\n    bundles:\n      - {name: Root, pem: root.pem}\n    expect: 0\n", `needs its PEM in pem`},
		{"named bundle, no name", "cases:\n  - name: a\n    bundles:\n      - name: \" \"\n        pem: " + pemBlock + "    expect: 0\n", `line 4: a bundle written as {name, pem} needs a name`},
		{"named bundle, long name", "cases:\n  - name: a\n    bundles:\n      - name: " + strings.Repeat("n", suite.MaxBundleNameBytes+1) + "\n        pem: " + pemBlock + "    expect: 0\n", `a bundle's name is 201 bytes; at most 200`},
		{"named bundle, unknown field", "cases:\n  - name: a\n    bundles:\n      - {name: Root, file: root.pem}\n    expect: 0\n", `line 4: unknown field "file" in a bundle`},
		{"named bundle, a list", "cases:\n  - name: a\n    bundles:\n      - {name: [Root]}\n    expect: 0\n", `line 4: a bundle's name is text`},
		{"bundle, a list", "cases:\n  - name: a\n    bundles:\n      - [root.pem]\n    expect: 0\n", `line 4: a bundle is a file, PEM, or {name, pem}`},
		{"too many", many, "101 cases; the page keeps at most 100"},
		{"too large", "# " + strings.Repeat("x", suite.MaxSuiteBytes), "bytes; a suite holds at most 1048576"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, e := call[suite.SuiteReadResponse](t, "suite_read", suite.SuiteReadRequest{YAML: tt.yaml})
			if e == nil {
				t.Fatalf("suite_read(%s) read it", tt.name)
			}
			if !strings.Contains(e.Message, tt.want) || strings.Contains(e.Message, "\n") {
				t.Errorf("suite_read(%s) = %q, want one line containing %q", tt.name, e.Message, tt.want)
			}
		})
	}
}

// TestPageBundleNames: a bundle's name goes out and comes back with it, as one
// line; one that cannot (empty, or longer than a name may be) comes back named
// by its place, and its reason quotes what the case's bundles are called.
func TestPageBundleNames(t *testing.T) {
	root, other := pkiText(t, "root.pem"), pkiText(t, "untrusted-root.pem")
	chain := pkiText(t, "client-good-chain.pem")
	long := strings.Repeat("n", suite.MaxBundleNameBytes+1)
	in := []suite.PageCase{{
		Name:  "named",
		Chain: chain,
		Bundles: []engine.BundleInput{
			{Name: "Partner \"A\" roots\nline two", PEM: other},
			{Name: "", PEM: root},
			{Name: long, PEM: root},
		},
		At:     pki.TestNowRFC3339,
		Expect: suite.Expect{Code: 4016}, // it fails, so its result carries the steps
	}}
	w, e := call[suite.SuiteWriteResponse](t, "suite_write", suite.SuiteWriteRequest{Cases: in})
	if e != nil {
		t.Fatalf("suite_write: %+v", e)
	}
	r, e := call[suite.SuiteReadResponse](t, "suite_read", suite.SuiteReadRequest{YAML: w.YAML})
	if e != nil {
		t.Fatalf("suite_read: %+v\n%s", e, w.YAML)
	}
	var names []string
	for _, b := range r.Cases[0].Bundles {
		names = append(names, b.Name)
	}
	if want := []string{`Partner "A" roots line two`, "bundle 2", "bundle 3"}; !reflect.DeepEqual(names, want) {
		t.Errorf("bundle names read back = %q, want %q\n%s", names, want, w.YAML)
	}
	res, e := call[suite.CasesResponse](t, "cases", suite.CasesRequest{Cases: r.Cases})
	if e != nil || len(res.Results) != 1 {
		t.Fatalf("cases = %+v, %+v", res, e)
	}
	if steps := fmt.Sprint(res.Results[0].Steps); !strings.Contains(steps, `"Partner \"A\" roots line two"`) {
		t.Errorf("the decision's steps do not quote the bundle by its name: %s", steps)
	}
}

// TestCallHandsOtherOps: ops that are not the suite's are engine.Call's.
func TestCallHandsOtherOps(t *testing.T) {
	r, e := call[engine.CompileResponse](t, "compile", engine.CompileRequest{Rule: goodRule})
	if e != nil || !r.OK {
		t.Errorf("compile through suite.Call = %+v, %+v", r, e)
	}
	_, e = call[struct{}](t, "nope", struct{}{})
	if e == nil || e.Code != engine.CodeUnknownOp {
		t.Errorf("unknown op = %+v", e)
	}
}

// BenchmarkPageKeystroke20 is the Cases pane's work on a keystroke of the
// rule: the cases op, from JSON to JSON, on 20 cases (ten chains of the test
// PKI, cached after the first call) with a rule it has not compiled before.
func BenchmarkPageKeystroke20(b *testing.B) {
	root := []engine.BundleInput{{Name: "root.pem", PEM: pkiText(b, "root.pem")}}
	names := []string{"client-good-chain.pem", "client-expired-chain.pem", "client-rsa-chain.pem", "client-ed25519-chain.pem",
		"client-no-eku-chain.pem", "client-untrusted.pem", "client-good-out-of-order.pem", "client-san-othernames-chain.pem",
		"client-cn-only-chain.pem", "client-not-yet-valid-chain.pem"}
	cases := make([]suite.PageCase, 20)
	for i := range cases {
		cases[i] = suite.PageCase{Name: fmt.Sprint(i), Chain: pkiText(b, names[i%len(names)]), Bundles: root, At: pki.TestNow.AddDate(0, 0, i%28).Format(time.RFC3339), Expect: suite.Expect{Code: 0}}
	}
	i := 0
	for b.Loop() {
		i++
		req, _ := json.Marshal(suite.CasesRequest{Rule: fmt.Sprintf(`CN == "client.example.com" && "URI:spiffe://example.com/ns/prod/sa/client" in SAN && %d > 0`, i), Cases: cases})
		out := suite.Call("cases", req, fixedNow)
		if !strings.Contains(string(out), `"results"`) {
			b.Fatalf("cases: %s", out)
		}
	}
}

// FuzzReadPage: no input panics the page's suite reader, and whatever it
// reads, WritePage writes back to the same cases.
func FuzzReadPage(f *testing.F) {
	f.Add("cases:\n  - name: a\n    bundles: []\n    expect: 4016\n")
	f.Add("clients:\n  - name: c\n    bundles: []\ncases:\n  - {name: a, client: c, at: 2026-01-01, expect: {code: 4017, reason: x}}\n")
	f.Add("cases: [{name: a, expect: 0, chain: \"-----BEGIN CERTIFICATE-----\\nAA==\\n-----END CERTIFICATE-----\\n\", bundles: []}]")
	f.Fuzz(func(t *testing.T, y string) {
		cases, err := suite.ReadPage([]byte(y), fixedNow)
		if err != nil {
			return
		}
		w, err := suite.WritePage(suite.SuiteWriteRequest{Cases: cases})
		if err != nil {
			return // too large once written
		}
		again, err := suite.ReadPage([]byte(w), fixedNow)
		if err != nil {
			t.Fatalf("ReadPage(WritePage(%q)) = %v\n%s", y, err, w)
		}
		for i := range cases {
			cases[i].Rule, cases[i].Dialect, again[i].Rule, again[i].Dialect = "", "", "", ""
		}
		if !reflect.DeepEqual(again, cases) {
			t.Fatalf("read back as %+v, want %+v", again, cases)
		}
	})
}
