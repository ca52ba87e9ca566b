package export

import (
	"regexp"
	"strings"
	"testing"
)

// TestMissing checks what each gateway reports it cannot express, and that an
// inexpressible condition becomes "refuse" whatever its polarity.
func TestMissing(t *testing.T) {
	tests := []struct {
		name, gateway, rule string
		complete            bool
		missing             string // a part of the one missing line
	}{
		{"SAN on nginx", "nginx", `"DNS:a.example" in SAN`, false, "nginx has no variable for subjectAltName"},
		{"negated SAN on HAProxy", "haproxy", `!("DNS:a.example" in SAN)`, false, "ssl_c_san is new in 3.1"},
		{"first-only SAN on Envoy", "envoy", `"x" in cert.san.uri`, false, "only the first DNS and the first URI SAN"},
		{"IP SAN on Caddy", "caddy", `"IP:192.0.2.1" in SAN`, false, "net.IP"},
		{"DN on Caddy", "caddy", `DN == "CN=a,O=b"`, false, "reorders attributes"},
		{"DC on Caddy", "caddy", `"com" in cert.subject.domain_component`, false, "dotted OID"},
		{"DN not in mtlsplay's form", "nginx", `DN == "CN=a,O=b "`, false, "not written as mtlsplay writes DNs"},
		{"DN with an unknown type", "haproxy", `DN == "CN=a,1.2.3.4=#0C0161"`, false, "not one export translates"},
		{"prefix ending in a space", "nginx", `CN.startsWith("a ")`, false, "ends with a space"},
		{"suffix starting with #", "caddy", `CN.endsWith("#a")`, false, "starts with \"#\""},
		{"empty CN", "nginx", `CN == ""`, false, "empty string"},
		{"other variables", "nginx", `cert.is_ca == false`, false, "export translates conditions on CN"},
		{"SAN without a prefix", "caddy", `"a.example" in SAN`, false, "export translates conditions on CN"},
		{"CN matches", "caddy", `CN.matches("^a")`, false, "export translates conditions on CN"},
		{"DN equality on nginx", "nginx", `DN == "CN=b+OU=a,O=Acme\\, Inc.,C=US"`, true, ""},
		{"SAN on Caddy", "caddy", `cert.san.dns.exists(d, d.matches("^[a-z]+\\.example$")) || "ops@x" in cert.san.email`, true, ""},
		{"empty rule", "haproxy", ``, true, ""},
		{"constant", "envoy", `true && !false`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Export(tt.gateway, tt.rule, Options{})
			if err != nil {
				t.Fatalf("Export(%s, %q): %v", tt.gateway, tt.rule, err)
			}
			if res.Complete != tt.complete {
				t.Fatalf("Export(%s, %q).Complete = %v, want %v (missing %q)", tt.gateway, tt.rule, res.Complete, tt.complete, res.Missing)
			}
			if tt.complete {
				if len(res.Missing) != 0 || strings.Contains(res.Config, "PARTIAL") || res.Delegate != "" {
					t.Errorf("complete export lists missing parts: %q, delegate %q", res.Missing, res.Delegate)
				}
				return
			}
			if len(res.Missing) != 1 || !strings.Contains(res.Missing[0], tt.missing) {
				t.Errorf("Export(%s, %q).Missing = %q, want one line with %q", tt.gateway, tt.rule, res.Missing, tt.missing)
			}
			if !strings.Contains(res.Config, "PARTIAL") || !strings.Contains(res.Config, "--delegate") {
				t.Errorf("a partial config does not say so:\n%s", res.Config)
			}
			if res.Delegate != DelegateHint(tt.gateway) || !strings.Contains(res.Config, res.Delegate) {
				t.Errorf("a partial export's delegate = %q, want %q, as its config says", res.Delegate, DelegateHint(tt.gateway))
			}
		})
	}
}

// TestRefuseNotWiden: under a negation and an or, an inexpressible condition
// still makes the config refuse rather than accept.
func TestRefuseNotWiden(t *testing.T) {
	res, err := Export("nginx", `!("DNS:a" in SAN) || CN == "x"`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Only CN == "x" remains: one condition, accepted when it is 1.
	if !strings.Contains(res.Config, "$mtls_c1 {") || strings.Contains(res.Config, "$mtls_c2") ||
		!regexp.MustCompile(`(?m)^    1 1;$`).MatchString(res.Config) || regexp.MustCompile(`(?m)^    0 1;$`).MatchString(res.Config) {
		t.Errorf("config does not reduce to CN == \"x\":\n%s", res.Config)
	}
	res, err = Export("haproxy", `!("DNS:a" in SAN)`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(res.Config, "http-request deny deny_status 403 #") || strings.Contains(res.Config, "accepted") {
		t.Errorf("a rule of only an inexpressible condition must refuse everything:\n%s", res.Config)
	}
}

// TestTruthTable checks nginx's combination map and HAProxy's disjunctive form
// against the rule's boolean structure.
func TestTruthTable(t *testing.T) {
	rule := `(CN == "a" || CN == "b") && !("x" in cert.subject.organizational_unit)`
	res, err := Export("nginx", rule, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`(?m)^    ([01]{3}) 1;$`).FindAllStringSubmatch(res.Config, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1])
	}
	if want := "010 100 110"; strings.Join(got, " ") != want {
		t.Errorf("nginx truth table rows = %q, want %q\n%s", got, want, res.Config)
	}
	res, err = Export("haproxy", rule, Options{Name: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "unless r1_c1 !r1_c3 || r1_c2 !r1_c3\n"; !strings.Contains(res.Config, want) {
		t.Errorf("HAProxy condition lacks %q:\n%s", want, res.Config)
	}
	if _, err := Export("nginx", rule, Options{Name: "Bad-Name"}); err == nil {
		t.Error("Export with a name nginx cannot use: no error")
	}
	if _, err := Export("traefik", rule, Options{}); err == nil {
		t.Error("Export(traefik): no error")
	}
}

// TestTooManyConditions: nginx's truth table is bounded.
func TestTooManyConditions(t *testing.T) {
	var parts []string
	for _, c := range "abcdefghijkl" {
		parts = append(parts, `CN == "`+string(c)+`"`)
	}
	res, err := Export("nginx", strings.Join(parts, " || "), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Complete || !strings.Contains(res.Missing[0], "12 distinct conditions") {
		t.Errorf("12 conditions: complete = %v, missing %q", res.Complete, res.Missing)
	}
}

// TestLiterals checks the translation of DN literals and values into each form.
func TestLiterals(t *testing.T) {
	dn, err := dnAsRFC2253(`CN=Zoë+OU=a\+b,O=Acme\, Inc.,C=US`)
	if want := `OU=a\+b+CN=Zo\C3\AB,O=Acme\, Inc.,C=US`; err != nil || dn != want {
		t.Errorf("dnAsRFC2253 = %q, %v; want %q", dn, err, want)
	}
	for _, bad := range []string{"", "CN", `CN=a\`, "CN=a,,O=b", "X=1", "CN=a\xff"} {
		if _, err := dnAsRFC2253(bad); err == nil {
			t.Errorf("dnAsRFC2253(%q): no error", bad)
		}
	}
	for _, tt := range []struct{ v, pos, rfc, goForm string }{
		{" a#", "whole", `\ a#`, `\ a#`},
		{" a ", "prefix", `\ a `, `\ a `},
		{"a ", "suffix", `a\ `, `a\ `},
		{"ë,", "infix", `\C3\AB\,`, `ë\,`},
	} {
		if got, err := rfc2253Value(tt.v, tt.pos); err != nil || got != tt.rfc {
			t.Errorf("rfc2253Value(%q, %s) = %q, %v; want %q", tt.v, tt.pos, got, err, tt.rfc)
		}
		if got := goValue(tt.v, tt.pos); got != tt.goForm {
			t.Errorf("goValue(%q, %s) = %q, want %q", tt.v, tt.pos, got, tt.goForm)
		}
	}
	if got := literal(`a.b\é'`); got != `a\x2Eb\x5Cé\x27` {
		t.Errorf("literal = %q", got)
	}
}

// FuzzDNLiteral: any DN literal is translated or refused, never a panic; one
// that translates reads back as itself.
func FuzzDNLiteral(f *testing.F) {
	for _, s := range []string{`CN=a`, `CN=b+OU=a,O=Acme\, Inc.,C=US`, `CN=\00,O=\#x`, `CN=ë\ `, `=`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := dnAsRFC2253(s)
		if err == nil && out == "" {
			t.Fatalf("dnAsRFC2253(%q) = \"\" without an error", s)
		}
	})
}
