package dialect

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
	"github.com/mtlsplay/mtlsplay/internal/rule/lint"
)

var (
	envOnce sync.Once
	env     *rule.Env
	envErr  error
)

func testEnv(t testing.TB) *rule.Env {
	t.Helper()
	envOnce.Do(func() { env, envErr = rule.NewEnv() })
	if envErr != nil {
		t.Fatalf("rule.NewEnv() = %v", envErr)
	}
	return env
}

func goodVars(t testing.TB) rule.Vars {
	t.Helper()
	data, err := os.ReadFile("../../testdata/pki/client-good-chain.pem")
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := certinput.Decode("client-good-chain.pem", data)
	if err != nil {
		t.Fatal(err)
	}
	var chain []*certinfo.Certificate
	for _, b := range blocks {
		c, err := certinfo.Parse(b.DER)
		if err != nil {
			t.Fatal(err)
		}
		chain = append(chain, c)
	}
	return rule.Vars{Cert: chain[0], Chain: chain, Now: pki.TestNow}
}

func TestCompileDialects(t *testing.T) {
	tests := []struct {
		name, src, dialect string
		want               string // dialect used; "" means an error
		errAt              string // line:column of the first issue
		errHas             string
	}{
		{"CEL as CEL", `"DNS:api.example.com" in SAN`, CEL, CEL, "", ""},
		{"formula as formula", `SAN.include?("DNS:api.example.com")`, Workato, Workato, "", ""},
		{"auto CEL", `"DNS:api.example.com" in SAN`, Auto, CEL, "", ""},
		{"auto default", `CN == "client.example.com"`, "", CEL, "", ""},
		{"auto formula", `SAN.include?("DNS:api.example.com")`, Auto, Workato, "", ""},
		{"auto formula that parses as CEL but does not check", `SAN.size > 1`, Auto, Workato, "", ""},
		{"auto upper case", `CN.present?`, "AUTO", Workato, "", ""},
		{"auto, broken formula", `SAN.include?("x") && SAN.each { |s| true }`, Auto, "", "1:26", "SAN.each"},
		{"auto, broken CEL", `CM == "x"`, Auto, "", "1:1", "did you mean 'CN'"},
		{"auto, broken CEL with a comment", "// allow\nCM == \"x\"", Auto, "", "2:1", "did you mean 'CN'"},
		{"auto, empty", ``, Auto, "", "1:1", "rule is empty"},
		{"formula in CEL", `SAN.include?("x")`, CEL, "", "1:18", "Syntax error"},
		{"CEL in formula", `SAN.exists(s, s == "x")`, Workato, "", "1:5", "`exists` is CEL"},
		{"translated CEL over a CEL limit", `CN.match?(/[a-z]{1000}[a-z]{1000}[a-z]{1000}/)`, Workato, "", "1:11", "regex program size"},
		{"formula error on line 2", "CN.present? &&\n  CN.split('.').size > 1", Workato, "", "2:6", "split"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile(testEnv(t), tt.src, tt.dialect)
			if tt.want != "" {
				if err != nil {
					t.Fatalf("Compile(%q, %q) = %v", tt.src, tt.dialect, err)
				}
				if r.Dialect != tt.want {
					t.Errorf("Compile(%q, %q).Dialect = %s, want %s", tt.src, tt.dialect, r.Dialect, tt.want)
				}
				if (r.Dialect == CEL) != (r.CEL == tt.src) || r.Program == nil {
					t.Errorf("Compile(%q, %q): CEL %q, program %v", tt.src, tt.dialect, r.CEL, r.Program)
				}
				return
			}
			var ce *rule.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%q, %q) = %v, want a *rule.CompileError", tt.src, tt.dialect, err)
			}
			is := ce.Issues[0]
			if at := strings.Join([]string{itoa(is.Line), itoa(is.Column)}, ":"); at != tt.errAt {
				t.Errorf("Compile(%q, %q) = %v at %s, want %s", tt.src, tt.dialect, ce, at, tt.errAt)
			}
			if !strings.Contains(is.Message, tt.errHas) {
				t.Errorf("Compile(%q, %q) = %q, want it to mention %q", tt.src, tt.dialect, is.Message, tt.errHas)
			}
			if is.Snippet == "" && tt.src != "" || is.Severity != "error" {
				t.Errorf("Compile(%q, %q): issue %+v, want an error with a snippet", tt.src, tt.dialect, is)
			}
		})
	}
	var ue *UnknownDialectError
	if _, err := Compile(testEnv(t), `true`, "ruby"); !errors.As(err, &ue) || !strings.Contains(err.Error(), "cel, workato or auto") {
		t.Errorf("Compile(dialect ruby) = %v, want an *UnknownDialectError", err)
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

// TestWarningsInFormula: lints run on the CEL and land on the formula, with
// quick fixes written as formula literals.
func TestWarningsInFormula(t *testing.T) {
	v := goodVars(t)
	tests := []struct {
		name, formula string
		id, at        string // the warning and the formula text it underlines
		line, col     int
		replacement   string // "" means no edit
		message       string
	}{
		{"include? without prefix", `SAN.include?("test")`, lint.SANNoPrefix, `"test"`, 1, 14, `"DNS:test"`, "exact element test"},
		{"block without prefix", `SAN.any? { |s| s == 'api.example.com' }`, lint.SANNoPrefix, `'api.example.com'`, 1, 21, `"DNS:api.example.com"`, "no type prefix"},
		{"lower-case prefix", `SAN.include?("email:ops@example.com")`, lint.SANPrefix, `"email:ops@example.com"`, 1, 14, `"Email:ops@example.com"`, "case-sensitive"},
		{"slash DN", `DN == '/C=US/O=Org/CN=x'`, lint.DNSlashForm, `'/C=US/O=Org/CN=x'`, 1, 7, `"CN=x,O=Org,C=US"`, "slash form"},
		{"IPv6", `SAN.include?("IP:2001:DB8:0:0:0:0:0:10")`, lint.IPv6Form, `"IP:2001:DB8:0:0:0:0:0:10"`, 1, 14, `"IP:2001:db8::10"`, "RFC 5952"},
		{"DNS case", `SAN.any? { |s| s.end_with?(".Example.com") }`, lint.DNSCase, `".Example.com"`, 1, 28, `".example.com"`, "case-insensitive"},
		{"unanchored regexp", `SAN.any? { |s| s.match?(/DNS:api.example.com/) }`, lint.RegexpUnanchored, `/DNS:api.example.com/`, 1, 25, `/^DNS:api\.example\.com$/`, "anywhere"},
		{"unanchored regexp, flags", `SAN.any?(/DNS:api.example.com/i)`, lint.RegexpUnanchored, `/DNS:api.example.com/i`, 1, 10, `/^dns:api\.example\.com$/i`, "anywhere"},
		{"unanchored string pattern", `SAN.present? && CN.match?("client.example.com")`, lint.RegexpUnanchored, `"client.example.com"`, 1, 27, `"^client\\.example\\.com$"`, "anywhere"},
		{"on line 2", "CN.present? and\n  SAN.include?(\"api.example.com\")", lint.SANNoPrefix, `"api.example.com"`, 2, 16, `"DNS:api.example.com"`, "no type prefix"},
		{"CN only", `CN.end_with?(".example.com")`, lint.CNOnly, `CN`, 1, 1, "", "only the subject CN"},
		{"synthetic CEL keeps the formula range", `SAN.none? { |s| s == "evil.example.com" }`, lint.SANNoPrefix, `"evil.example.com"`, 1, 22, `"DNS:evil.example.com"`, "no type prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile(testEnv(t), tt.formula, Workato)
			if err != nil {
				t.Fatalf("Compile(%q) = %v", tt.formula, err)
			}
			ws := r.Warnings(v.Cert)
			if len(ws) != 1 || ws[0].ID != tt.id {
				t.Fatalf("Warnings(%q) = %v, want one %s", tt.formula, ws, tt.id)
			}
			w := ws[0]
			if got := string([]rune(tt.formula)[w.Start:w.End]); got != tt.at || w.Line != tt.line || w.Column != tt.col {
				t.Errorf("Warnings(%q) at %d:%d %q, want %d:%d %q", tt.formula, w.Line, w.Column, got, tt.line, tt.col, tt.at)
			}
			if !strings.Contains(w.Message, tt.message) {
				t.Errorf("Warnings(%q) = %q, want it to mention %q", tt.formula, w.Message, tt.message)
			}
			if !strings.Contains(w.Snippet, strings.Split(tt.formula, "\n")[tt.line-1]) {
				t.Errorf("Warnings(%q) snippet %q does not show the formula", tt.formula, w.Snippet)
			}
			if tt.replacement == "" {
				if len(w.Edits) > 0 {
					t.Errorf("Warnings(%q) edits = %+v, want none", tt.formula, w.Edits)
				}
				return
			}
			if len(w.Edits) != 1 || w.Edits[0].Replacement != tt.replacement || w.Edits[0].Start != w.Start || w.Edits[0].End != w.End {
				t.Fatalf("Warnings(%q) edits = %+v, want %s over the literal", tt.formula, w.Edits, tt.replacement)
			}
			// Applying the fix gives a formula without that warning.
			rs := []rune(tt.formula)
			fixed := string(rs[:w.Start]) + tt.replacement + string(rs[w.End:])
			r2, err := Compile(testEnv(t), fixed, Workato)
			if err != nil {
				t.Fatalf("Compile(%q) (fixed) = %v", fixed, err)
			}
			for _, w2 := range r2.Warnings(v.Cert) {
				if w2.ID == tt.id {
					t.Errorf("Warnings(%q) (fixed) = %s: %s", fixed, w2.ID, w2.Message)
				}
			}
		})
	}
}

func TestExplainFormula(t *testing.T) {
	v := goodVars(t)
	f := `CN.present? and SAN.none? { |s| s.end_with?(".evil.com") } and SAN.include?("Email:ops@example.com")`
	r, err := Compile(testEnv(t), f, Auto)
	if err != nil {
		t.Fatal(err)
	}
	res := r.Explain(v)
	if !res.Value || res.Error != "" {
		t.Fatalf("Explain(%q) = %v, %q; want true", f, res.Value, res.Error)
	}
	rs := []rune(f)
	texts := map[string]explain.Node{}
	for _, n := range res.Nodes {
		if n.Start < 0 || n.End > len(rs) || string(rs[n.Start:n.End]) != n.Text || n.Column != n.Start+1 {
			t.Fatalf("Explain(%q): node %+v does not match the formula", f, n)
		}
		if _, dup := texts[n.Text]; dup && n.Text != "SAN" {
			t.Errorf("Explain(%q): %q twice", f, n.Text)
		}
		texts[n.Text] = n
	}
	for text, want := range map[string]string{
		f:             "true",
		"CN.present?": "true",
		`SAN.none? { |s| s.end_with?(".evil.com") }`: "true",
		`SAN.include?("Email:ops@example.com")`:      "true",
		`"Email:ops@example.com"`:                    `"Email:ops@example.com"`,
	} {
		if n, ok := texts[text]; !ok || n.Value != want {
			t.Errorf("Explain(%q): node %q = %+v, want value %s", f, text, n, want)
		}
	}
	if n := texts[`s.end_with?(".evil.com")`]; len(n.Iterations) != 6 {
		t.Errorf("Explain(%q): block body has %d iterations, want 6 (one per SAN entry)", f, len(n.Iterations))
	}
	if len(res.Matched) != 1 || res.Matched[0].Index != 4 {
		t.Fatalf("Explain(%q).Matched = %+v, want SAN entry 4", f, res.Matched)
	}
	found := false
	for _, n := range res.Nodes {
		found = found || n.ID == res.Matched[0].Node
	}
	if !found {
		t.Errorf("Explain(%q): matched node %d is not among the nodes", f, res.Matched[0].Node)
	}
}

// TestMapIssue: an issue cel-go reports on the translation (a compile error) lands
// on the formula: on the literal, the method name, or the call it belongs to.
func TestMapIssue(t *testing.T) {
	f := `CN.present? and SAN.include?("x")`
	r, err := Compile(testEnv(t), f, Workato)
	if err != nil {
		t.Fatal(err)
	}
	// CEL: CN.trim() != "" && "x" in SAN
	for _, tt := range []struct {
		start, end int
		want       string
	}{
		{19, 22, `"x"`},
		{23, 25, "include?"},
		{3, 7, "CN.present?"}, // trim: added by the translation
		{0, 33, f},
	} {
		is := r.mapIssue(rule.Issue{Severity: "error", Start: tt.start, End: tt.end, Message: "m"})
		if got := string([]rune(f)[is.Start:is.End]); got != tt.want || is.Column != is.Start+1 || is.Snippet == "" {
			t.Errorf("mapIssue([%d, %d)) = %q at column %d, want %q", tt.start, tt.end, got, is.Column, tt.want)
		}
	}
}

func TestMapMessage(t *testing.T) {
	r, err := Compile(testEnv(t), "CN.present? and\n  SAN.include?(\"x\")", Workato)
	if err != nil {
		t.Fatal(err)
	}
	// CEL: CN.trim() != "" && "x" in SAN; column 20 is the "x".
	if got, want := r.MapMessage(`the rule could not be evaluated: rule:1:20: boom`), `the rule could not be evaluated: rule:2:16: boom`; got != want {
		t.Errorf("MapMessage = %q, want %q", got, want)
	}
	cel, _ := Compile(testEnv(t), `CN != ""`, CEL)
	if got := cel.MapMessage("rule:1:4: x"); got != "rule:1:4: x" {
		t.Errorf("MapMessage on CEL = %q, want it unchanged", got)
	}
}

func TestInfoJSON(t *testing.T) {
	r, err := Compile(testEnv(t), `SAN.include?("test")`, Auto)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r.Info(nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"dialect":"workato"`, `"cel":"\"test\" in SAN"`, `"cel_map":[`, `"id":"san_no_prefix"`, `"fix":"write \"DNS:test\""`, `"edits":[{"start":13,"end":19,"replacement":"\"DNS:test\""}]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Info JSON = %s, want it to contain %s", b, want)
		}
	}
	r, _ = Compile(testEnv(t), `"DNS:api.example.com" in SAN`, Auto)
	if b, _ := json.Marshal(r.Info(nil)); string(b) != `{"dialect":"cel","warnings":[]}` {
		t.Errorf("Info JSON of a clean CEL rule = %s", b)
	}
}
