package dialect

import (
	"errors"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/rule"
)

// TestPlainErrors: the hand-typing mistakes get one plain issue at the mistake with
// the edit that fixes it, in every dialect; the fixed rule compiles.
func TestPlainErrors(t *testing.T) {
	env, err := rule.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, src   string
		says        string
		column      int
		fixed       string // the source after the issue's edits
		compileOnly string // the dialect the fixed rule is checked in ("" = auto)
	}{
		{"single =", `CN = "x"`, `a single = is not a comparison: write == (CN == "x")`, 4, `CN == "x"`, ""},
		{"single = later", `CN == "x" && DN = "y"`, `a single = is not a comparison: write == (CN == "x" && DN == "y")`, 17, `CN == "x" && DN == "y"`, ""},
		{"single = in a long rule", `SAN.exists(s, s.startsWith("DNS:")) && cert.subject.organization[0] = "Acme Corporation International"`,
			`a single = is not a comparison: write == (…cert.subject.organization[0] == "Acme Corporation Internatio…)`, 69, `SAN.exists(s, s.startsWith("DNS:")) && cert.subject.organization[0] == "Acme Corporation International"`, ""},
		{"smart quotes", `CN == “x”`, "“ is a typographic quote", 7, `CN == "x"`, ""},
		{"smart closing quote", `CN == "client”`, "” is a typographic quote", 14, `CN == "client"`, ""},
		{"smart quotes in a formula", `SAN.include?(“DNS:x”)`, "typographic quote", 14, `SAN.include?("DNS:x")`, "workato"},
		{"unquoted host", `CN == client.example.com`, `client.example.com is not a name the rule knows: to compare with text, put it in double quotes: "client.example.com"`, 7, `CN == "client.example.com"`, ""},
		{"unquoted SAN entry", `SAN.include?(DNS:x.example.com)`, `DNS:x.example.com is not a name the rule knows`, 14, `SAN.include?("DNS:x.example.com")`, "workato"},
	}
	for _, tt := range tests {
		for _, d := range []string{Auto, CEL, Workato} {
			_, err := Compile(env, tt.src, d)
			var ce *rule.CompileError
			if !errors.As(err, &ce) {
				t.Errorf("Compile(%q, %s) = %v, want a CompileError", tt.src, d, err)
				continue
			}
			is := ce.Issues[0]
			if len(ce.Issues) != 1 || !strings.Contains(is.Message, tt.says) || is.Column != tt.column || is.Line != 1 {
				t.Errorf("%s: Compile(%q, %s) = %v (column %d); want one issue at column %d saying %q", tt.name, tt.src, d, err, is.Column, tt.column, tt.says)
				continue
			}
			rs := []rune(tt.src)
			for k := len(is.Edits) - 1; k >= 0; k-- {
				e := is.Edits[k]
				rs = append(append(append([]rune{}, rs[:e.Start]...), []rune(e.Replacement)...), rs[e.End:]...)
			}
			if string(rs) != tt.fixed {
				t.Errorf("%s: edits of Compile(%q, %s) give %q, want %q", tt.name, tt.src, d, string(rs), tt.fixed)
			}
		}
		if _, err := Compile(env, tt.fixed, tt.compileOnly); err != nil {
			t.Errorf("%s: the fixed rule %q does not compile: %v", tt.name, tt.fixed, err)
		}
	}
	// The comparison shown is the author's own line, edited.
	if _, err := Compile(env, "CN == \"x\" ||\n  CN = \"y\"", Auto); err == nil || !strings.Contains(err.Error(), `rule:2:6: a single = is not a comparison: write == (CN == "y")`) {
		t.Errorf("a single = on line 2: %v", err)
	}
	// Inside a string, = and typographic quotes are text.
	for _, src := range []string{`CN == "a = b"`, `CN == "“quoted”"`, `DN.matches("^CN=x")`} {
		if _, err := Compile(env, src, Auto); err != nil {
			t.Errorf("Compile(%q) = %v, want it to compile", src, err)
		}
	}
}
