package rule_test

import (
	"testing"
	"unicode/utf8"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/internal/ruletest"
	"github.com/mtlsplay/mtlsplay/internal/rule/lint"
)

// FuzzCompile: no rule source may panic the compiler, the evaluator, the
// explanation or the lints, Explain must agree with Eval and with the source, and
// warnings must point into the source.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`CN == "client.example.com"`,
		`SAN.exists(s, s.endsWith(".example.com")) && !cert.is_ca`,
		`(DN.contains("O=Acme") || cert.subject.organization.exists(o, o == "Acme")) && cert.not_after > now`,
		`SAN.exists(s, s.startsWith("IP:") && cidr("10.0.0.0/8").containsIP(ip(s.substring(3))))`,
		`chain.all(c, c.public_key.bits >= 256) && tls.version in ["", "TLS 1.3"]`,
		`has(cert.subject.cn) ? CN.matches("^[a-z.]+$") : false`,
		`SAN.map(s, s.split(":")[0]).filter(t, t == "DNS").size() == 2`,
		`"%s-%d".format([CN, size(SAN)]) != "" && r"\d" != b"x".string()`,
		"// comment\nCN == 'é😀' ||\n  SAN[0] == \"\"\"x\"\"\"",
		`[1, 2, 3].all(x, [1, 2].exists(y, x * y > 0))`,
		`{"a": 1}["a"] == 1 && dyn(CN) == CN && type(CN) == string`,
		`"test" in SAN || SAN.exists(s, s.lowerAscii() == "DNS:API.x.com") || DN == "/C=US/CN=x"`,
		`SAN.exists(s, s.matches("^api")) || CN.matches("(?i)a.example.com") || "IP:2001:DB8::1" in SAN`,
		`cert.`, `SAN.exists(`, `"unterminated`, `((((`, `1 +`, ``,
	} {
		f.Add(s)
	}
	env, err := rule.NewEnv()
	if err != nil {
		f.Fatal(err)
	}
	leaf := ruletest.GoodClient()
	v := rule.Vars{Cert: leaf, Chain: []*certinfo.Certificate{leaf, ruletest.IssuingCA()}, Now: ruletest.Now}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := env.Compile(src)
		if err != nil {
			if _, ok := err.(*rule.CompileError); !ok {
				t.Fatalf("Compile(%q) = %T %v, want a *CompileError", src, err, err)
			}
			return
		}
		val, evalErr := p.Eval(v)
		r := p.Explain(v)
		if r.Value != val || (r.Error == "") != (evalErr == nil) {
			t.Fatalf("Explain(%q) = %v, %q; Eval = %v, %v", src, r.Value, r.Error, val, evalErr)
		}
		ws := lint.CheckWith(p, v.Cert)
		if !utf8.ValidString(src) {
			return // offsets count the replacement characters cel-go sees
		}
		rs := []rune(src)
		for _, w := range ws {
			if w.Start < 0 || w.End > len(rs) || w.Start >= w.End || w.Severity != "warning" || w.ID == "" {
				t.Fatalf("CheckWith(%q): warning %+v outside the source", src, w)
			}
			for _, e := range w.Edits {
				if e.Start < 0 || e.End > len(rs) || e.Start > e.End {
					t.Fatalf("CheckWith(%q): edit %+v outside the source", src, e)
				}
			}
		}
		for _, n := range r.Nodes {
			if n.Start < 0 || n.End > len(rs) || n.Start >= n.End || string(rs[n.Start:n.End]) != n.Text {
				t.Fatalf("Explain(%q): node %d [%d,%d) %q does not match the source", src, n.ID, n.Start, n.End, n.Text)
			}
		}
	})
}
