package workato_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/lint"
	"github.com/mtlsplay/mtlsplay/internal/workato"
)

// FuzzTranslate: no formula may panic the lexer, the parser or the translation;
// an error is a *workato.Error inside the formula; a translation compiles as CEL
// or fails with a clean *rule.CompileError, and maps back inside the formula.
func FuzzTranslate(f *testing.F) {
	for _, s := range []string{
		`SAN.include?("DNS:api.example.com")`,
		`SAN.any? { |s| s.start_with?("URI:spiffe://") } and not CN.empty?`,
		`CN =~ /^client\.example\.com$/i || DN.include?('O=Acme\, Inc.')`,
		"SAN.all? do |s|\n  s.match?(/\\A(DNS|IP):/)\nend",
		`SAN.count { it.end_with?(".example.com") } >= 2 && CN.strip.downcase.present?`,
		`["a", "b"].include?(CN) or SAN.none?(/x{,3}/) or CN.start_with?("a", /b/)`,
		`"\x41\u{42 43}\s" == CN`, `CN.match?(/(?<=a)\1(?>x)a++[a&&b]/)`,
		`SAN.each { |s| }`, `((((`, `CN ==`, `"#{x}"`, `/`, `%w[a]`, `?a`, `:sym`, ``,
	} {
		f.Add(s)
	}
	v := vars(f, "client-good-chain.pem")
	e := testEnv(f)
	f.Fuzz(func(t *testing.T, src string) {
		workato.Looks(src)
		tr, err := workato.Translate(src)
		n := utf8.RuneCountInString(src)
		if err != nil {
			var we *workato.Error
			if !errors.As(err, &we) {
				t.Fatalf("Translate(%q) = %T %v, want *workato.Error", src, err, err)
			}
			if we.Start < 0 || we.End < we.Start || we.End > n || we.Line < 1 || we.Column < 1 || we.Message == "" {
				t.Fatalf("Translate(%q) = %+v: position outside the formula (%d code points)", src, we, n)
			}
			return
		}
		for _, m := range tr.Map {
			if m.Start < 0 || m.End > n || m.Start >= m.End {
				t.Fatalf("Translate(%q): mapping %+v outside the formula", src, m)
			}
		}
		p, err := e.Compile(tr.CEL)
		if err != nil {
			var ce *rule.CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("Compile(%q) (from %q) = %T %v, want *rule.CompileError", tr.CEL, src, err, err)
			}
			for _, is := range ce.Issues {
				if s, e := tr.ToFormula(is.Start, is.End); s < 0 || e > n || e < s {
					t.Fatalf("ToFormula(%d, %d) = [%d, %d) outside %q", is.Start, is.End, s, e, src)
				}
			}
			return
		}
		_, _ = p.Eval(v)
		for _, w := range lint.CheckWith(p, v.Cert) {
			if s, e := tr.ToFormula(w.Start, w.End); s < 0 || e > n || e < s {
				t.Fatalf("ToFormula(%d, %d) = [%d, %d) outside %q", w.Start, w.End, s, e, src)
			}
		}
	})
}
