package rule

import (
	"errors"
	"strings"
	"testing"
)

func compileErr(t *testing.T, src string) *CompileError {
	t.Helper()
	_, err := testEnv(t).Compile(src)
	var ce *CompileError
	if !errors.As(err, &ce) {
		t.Fatalf("Compile(%.80q) = %v, want a *CompileError", src, err)
	}
	if len(ce.Issues) == 0 {
		t.Fatalf("Compile(%.80q): CompileError without issues", src)
	}
	return ce
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, src    string
		line, column int
		message      string // a substring of the first issue's message
	}{
		{"field typo", `cert.subjct.dn == "x"`, 1, 5, "undefined field 'subjct' (did you mean 'subject'?)"},
		{"nested field typo", `cert.subject.organisation == []`, 1, 13, "did you mean 'organization'?"},
		{"variable typo", `CM == "x"`, 1, 1, "undeclared reference to 'CM' (did you mean 'CN'?)"},
		{"function typo", `SAN.exists(s, s.endswith(".example.com"))`, 1, 25, "(did you mean 'endsWith'?)"},
		{"multi-line", "CN == \"client.example.com\" &&\n  SAN.exists(s,\n    s.ends(\".example.com\"))", 3, 11, "undeclared reference to 'ends' (did you mean 'endsWith'?)"},
		{"line:column counts characters", "DN == \"CN=Zoë\" &&\n  \"é\" + SNA == \"x\"", 2, 9, "undeclared reference to 'SNA' (did you mean 'SAN'?)"},
		{"type mismatch", `CN == 1`, 1, 4, "found no matching overload for '_==_' applied to '(string, int)'"},
		{"syntax", `CN == "x" &&`, 1, 13, "Syntax error"},
		// ANTLR's token sets, said as what they stand for.
		{"a value missing", `CN == )`, 1, 7, "Syntax error: unexpected ')' where a value (a name, a string, a number, a list or an expression in parentheses) was expected"},
		{"the rule ends early", `CN == "x" &&`, 1, 13, "Syntax error: the rule ends where a value (a name, a string, a number, a list or an expression in parentheses) was expected"},
		{"a list not closed", `"a" in [1, 2`, 1, 13, "Syntax error: the rule ends where ']' or ',' was expected"},
		{"text after the expression", `CN == "a" "b"`, 1, 11, `Syntax error: unexpected '"b"' after the end of an expression`},
		{"a call not closed", `CN.startsWith("a"`, 1, 18, "Syntax error: missing ')' at the end of the rule"},
		{"a comma missing", `SAN.exists(s s == "x")`, 1, 14, "Syntax error: unexpected 's' where ')' was expected"},
		{"non-bool string", `CN`, 1, 1, "rule must evaluate to bool, got string"},
		{"non-bool int", `1 + 1`, 1, 1, "rule must evaluate to bool, got int"},
		{"non-bool list", "\n  SAN.map(s, s.size())", 2, 3, "rule must evaluate to bool, got list(int)"},
		{"bad regex literal", `CN == "x" || DN.matches("(")`, 1, 14, "error parsing regexp"},
		{"bad timestamp literal", `now > timestamp("yesterday")`, 1, 7, "timestamp"},
		{"bad cidr literal", `cidr("10/8").containsIP("10.0.0.1")`, 1, 6, "invalid cidr argument"},
		{"empty", "   \n ", 1, 1, "rule is empty"},
		{"only a comment", "// TODO", 1, 1, "rule is empty"},
		{"unavailable feature", `optional.of(CN).hasValue()`, 1, 12, "not available in mtlsplay rules"},
		{"accumulator is hidden", `SAN.exists(s, __result__)`, 1, 15, "undeclared reference to '__result__'"},
		{"string function on SAN", `SAN.startsWith("DNS:")`, 1, 15, "test the entries with SAN.exists(s, s.startsWith(…))"},
		{"contains on SAN", `SAN.contains("example.com")`, 1, 13, `for an exact entry write "DNS:api.example.com" in SAN`},
		{"contains on another list", `cert.subject.organization.contains("Acme")`, 1, 35, `for an exact element write "…" in cert.subject.organization, for part of an element cert.subject.organization.exists(x, x.contains("…"))`},
		{"string function on an indexed list", "true &&\n  chain[0].san.dns.endsWith(\".example.com\")", 2, 28, "test the elements with chain[0].san.dns.exists(x, x.endsWith(…))"},
		{"string function on a list expression", `SAN.filter(s, s.startsWith("DNS:")).endsWith("x")`, 1, 45, "test the elements with .exists(x, x.endsWith(…))"},
		{"a list named x", `[["a"]].exists(x, x.contains("a"))`, 1, 29, `x.exists(e, e.contains("…"))`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ce := compileErr(t, tt.src)
			is := ce.Issues[0]
			if is.Line != tt.line || is.Column != tt.column || !strings.Contains(is.Message, tt.message) {
				t.Errorf("Compile(%q) = %d:%d %q; want %d:%d containing %q", tt.src, is.Line, is.Column, is.Message, tt.line, tt.column, tt.message)
			}
			if is.Severity != "error" {
				t.Errorf("Compile(%q): severity %q, want error", tt.src, is.Severity)
			}
			if !strings.HasPrefix(ce.Error(), "rule:") {
				t.Errorf("Compile(%q).Error() = %q, want a rule:LINE:COL: prefix", tt.src, ce.Error())
			}
		})
	}
}

// TestCompileErrorShape checks the caret snippet and the one-line Error text.
func TestCompileErrorShape(t *testing.T) {
	ce := compileErr(t, "CN == \"x\" &&\n  cert.subjct.cn == \"y\"")
	is := ce.Issues[0]
	if want := "rule:2:7: undefined field 'subjct' (did you mean 'subject'?)"; ce.Error() != want {
		t.Errorf("Error() = %q, want %q", ce.Error(), want)
	}
	if want := " |   cert.subjct.cn == \"y\"\n | ......^"; is.Snippet != want {
		t.Errorf("Snippet = %q, want %q", is.Snippet, want)
	}
	if is.Start != 19 || is.End != 26 {
		t.Errorf("Start, End = %d, %d; want 19, 26 (.subjct)", is.Start, is.End)
	}
	if !strings.Contains(ce.Report(), is.Snippet) {
		t.Errorf("Report() = %q, want the snippet in it", ce.Report())
	}

	ce = compileErr(t, "CN == 'x' && SNA == [] && DM == ''")
	if len(ce.Issues) != 2 || !strings.HasSuffix(ce.Error(), "(and 1 more error)") {
		t.Errorf("Compile(two errors) = %q with %d issues, want 2", ce.Error(), len(ce.Issues))
	}
}

// TestHostileInput: limits answer with one clean error, never a crash.
func TestHostileInput(t *testing.T) {
	tests := []struct {
		name, src, message string
	}{
		{"5,000 nested parentheses", strings.Repeat("(", 5000) + "true" + strings.Repeat(")", 5000), "recursion"},
		{"5,000 nested negations", strings.Repeat("!", 5000) + "true", ""},
		{"5,000 nested lists", strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + " == []", "recursion"},
		{"deep member chain", "cert" + strings.Repeat(".subject", 3000) + " == 1", ""},
		{"long + chain", strings.Repeat("CN + ", 3000) + "CN == ''", ""},
		{"too long", `CN == "` + strings.Repeat("x", MaxSourceBytes) + `"`, "rule is too long"},
		{"20 MB", strings.Repeat("a", 20<<20), "rule is too long"},
		{"many macros", strings.Repeat("SAN.exists(s, true) && ", 700) + "true", "expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := testEnv(t).Compile(tt.src)
			if tt.message == "" {
				return // compiling or failing cleanly are both fine; it must not crash
			}
			var ce *CompileError
			if !errors.As(err, &ce) || !strings.Contains(ce.Error(), tt.message) {
				t.Errorf("Compile(%s) = %v, want an error containing %q", tt.name, err, tt.message)
			}
			if len(ce.Issues[0].Snippet) > 400 {
				t.Errorf("Compile(%s): snippet of %d bytes, want a short window", tt.name, len(ce.Issues[0].Snippet))
			}
		})
	}
}

// TestCache: the same source gives the same program; errors are cached too.
func TestCache(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	a, _ := env.Compile(`CN == "a"`)
	b, _ := env.Compile(`CN == "a"`)
	if a == nil || a != b {
		t.Errorf("Compile twice = %p, %p; want the same program", a, b)
	}
	if a.Source() != `CN == "a"` || a.Checked() == nil {
		t.Errorf("Source() = %q, Checked() = %v", a.Source(), a.Checked())
	}
	_, e1 := env.Compile(`CN ==`)
	_, e2 := env.Compile(`CN ==`)
	if e1 == nil || e1 != e2 {
		t.Errorf("Compile(bad) twice = %v, %v; want the same error", e1, e2)
	}
	for i := range cacheEntries + 10 {
		env.Compile(strings.Repeat(" ", i) + "true")
	}
	if n := env.cache.entries.Len(); n > cacheEntries {
		t.Errorf("cache holds %d entries, want at most %d", n, cacheEntries)
	}
	if c, _ := env.Compile(`CN == "a"`); c == a {
		t.Error("the oldest entry survived a full cache")
	}
}

func TestReceiverBefore(t *testing.T) {
	for _, tt := range []struct {
		src  string
		want string
	}{
		{`SAN.contains(`, "SAN"},
		{`x || cert.subject.organization.startsWith(`, "cert.subject.organization"},
		{`chain[1].san.uri.endsWith(`, "chain[1].san.uri"},
		{`f(x).contains(`, ""},
		{`[1, 2].contains(`, ""},
		{`contains(`, ""},
		{`]].contains(`, ""},
		{`[[0]].exists(l, chain[l[0]].san.dns.contains(`, "chain[l[0]].san.dns"},
		{"a[\r].contains(", ""},
		{``, ""},
	} {
		rs := []rune(tt.src)
		if got := receiverBefore(rs, max(len(rs)-1, 0)); got != tt.want { // at the "("
			t.Errorf("receiverBefore(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
	if got := receiverBefore([]rune("SAN.x("), 99); got != "" {
		t.Errorf("receiverBefore past the end = %q, want empty", got)
	}
}

func TestIssueMoved(t *testing.T) {
	is := Issue{Severity: "warning", Message: "m"}.Moved("a &&\n  SAN.x", 7, 10)
	if is.Line != 2 || is.Column != 3 || is.Start != 7 || is.End != 10 {
		t.Errorf("Moved = %d:%d [%d, %d), want 2:3 [7, 10)", is.Line, is.Column, is.Start, is.End)
	}
	if want := " |   SAN.x\n | ..^"; is.Snippet != want {
		t.Errorf("Moved snippet = %q, want %q", is.Snippet, want)
	}
}

func TestListContainsHint(t *testing.T) {
	_, err := testEnv(t).Compile(`SAN.contains("x")`)
	if err == nil || !strings.Contains(err.Error(), `"DNS:api.example.com" in SAN`) {
		t.Errorf("Compile(SAN.contains) = %v, want a hint at in", err)
	}
	_, err = testEnv(t).Compile(`SAN.startsWith("DNS:")`)
	if err == nil || !strings.Contains(err.Error(), "SAN.exists(s, s.startsWith(…))") {
		t.Errorf("Compile(SAN.startsWith) = %v, want a hint at exists", err)
	}
}
