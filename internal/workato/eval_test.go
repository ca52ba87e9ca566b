package workato_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/workato"
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

// vars reads a chain of the test PKI and returns its variables at pki.TestNow.
func vars(t testing.TB, file string) rule.Vars {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", file))
	if err != nil {
		t.Fatalf("reading the test PKI: %v", err)
	}
	blocks, err := certinput.Decode(file, data)
	if err != nil {
		t.Fatalf("certinput.Decode(%s) = %v", file, err)
	}
	var chain []*certinfo.Certificate
	for _, b := range blocks {
		c, err := certinfo.Parse(b.DER)
		if err != nil {
			t.Fatalf("certinfo.Parse(%s %s) = %v", file, b.Where, err)
		}
		chain = append(chain, c)
	}
	return rule.Vars{Cert: chain[0], Chain: chain, Now: pki.TestNow}
}

// TestFormulasOnTestPKI: formula → CEL → value, on real certificates. The CEL of
// each construct is pinned in TestTranslate; here what matters is that the CEL
// means what Ruby means.
func TestFormulasOnTestPKI(t *testing.T) {
	tests := []struct {
		name, cert, formula string
		want                bool
	}{
		// client-good: CN=client.example.com; SAN DNS:client.example.com,
		// DNS:api.example.com, IP:192.0.2.10, IP:2001:db8::10,
		// Email:ops@example.com, URI:spiffe://example.com/ns/prod/sa/client.
		{"list include", "client-good-chain.pem", `SAN.include?("DNS:api.example.com")`, true},
		{"list include is exact", "client-good-chain.pem", `SAN.include?("api.example.com")`, false},
		{"list include is not a substring test", "client-good-chain.pem", `SAN.include?("test")`, false},
		{"list include email", "client-good-chain.pem", `SAN.include?("Email:ops@example.com")`, true},
		{"list include email lower-case prefix", "client-good-chain.pem", `SAN.include?("email:ops@example.com")`, false},
		{"list include IPv6", "client-good-chain.pem", `SAN.include?("IP:2001:db8::10")`, true},
		{"list include IPv6 not RFC 5952", "client-good-chain.pem", `SAN.include?("IP:2001:DB8:0:0:0:0:0:10")`, false},
		{"string include is a substring test", "client-good-chain.pem", `CN.include?("example")`, true},
		{"dn include", "client-good-chain.pem", `DN.include?("CN=client")`, true},
		{"list exclude", "client-good-chain.pem", `SAN.exclude?("DNS:evil.com")`, true},
		{"string exclude", "client-good-chain.pem", `CN.exclude?("example")`, false},
		{"array include", "client-good-chain.pem", `["a.example.com", "client.example.com"].include?(CN)`, true},
		{"in?", "client-good-chain.pem", `CN.in?(["a.example.com"])`, false},
		{"command argument", "client-good-chain.pem", `SAN.include? "DNS:api.example.com"`, true},
		{"start_with", "client-good-chain.pem", `CN.start_with?("client.")`, true},
		{"start_with several", "client-good-chain.pem", `CN.start_with?("api.", "client.")`, true},
		{"start_with regexp anchors", "client-good-chain.pem", `CN.start_with?(/example/)`, false},
		{"start_with regexp", "client-good-chain.pem", `CN.start_with?(/cl[a-z]+\./)`, true},
		{"end_with", "client-good-chain.pem", `CN.end_with?(".example.com")`, true},
		{"end_with other", "client-good-chain.pem", `CN.ends_with?(".example.org")`, false},
		{"match", "client-good-chain.pem", `CN.match?(/\Aclient\.example\.com\z/)`, true},
		{"match ignore case", "client-good-chain.pem", `CN.match?(/^CLIENT/i)`, true},
		{"match case-sensitive", "client-good-chain.pem", `CN.match?(/^CLIENT/)`, false},
		{"match string pattern", "client-good-chain.pem", `CN.match?("^client\\.")`, true},
		{"=~", "client-good-chain.pem", `CN =~ /example\.com$/`, true},
		{"=~ reversed", "client-good-chain.pem", `/^api/ =~ CN`, false},
		{"!~", "client-good-chain.pem", `CN !~ /evil/`, true},
		{"downcase", "client-good-chain.pem", `CN.upcase.downcase == CN`, true},
		{"upcase", "client-good-chain.pem", `CN.upcase == "CLIENT.EXAMPLE.COM"`, true},
		{"strip", "client-good-chain.pem", `" client ".strip == "client"`, true},
		{"casecmp?", "client-good-chain.pem", `CN.casecmp?("Client.Example.COM")`, true},
		{"present", "client-good-chain.pem", `CN.present? && SAN.present?`, true},
		{"blank", "client-good-chain.pem", `DN.blank? || SAN.blank? || "  ".blank? == false`, false},
		{"blank white space", "client-good-chain.pem", `"  ".blank?`, true},
		{"empty", "client-good-chain.pem", `CN.empty? || SAN.empty?`, false},
		{"size", "client-good-chain.pem", `SAN.size == 6 && SAN.length == 6 && SAN.count == 6`, true},
		{"string length", "client-good-chain.pem", `CN.length == 18`, true},
		{"any block", "client-good-chain.pem", `SAN.any? { |s| s.start_with?("URI:spiffe://example.com/") }`, true},
		{"any do block", "client-good-chain.pem", "SAN.any? do |s|\n  s == \"IP:192.0.2.10\"\nend", true},
		{"any it", "client-good-chain.pem", `SAN.any? { it.end_with?(".example.org") }`, false},
		{"any _1", "client-good-chain.pem", `SAN.any? { _1.end_with?("api.example.com") }`, true},
		{"all block", "client-good-chain.pem", `SAN.all? { |s| s.include?(":") }`, true},
		{"all block false", "client-good-chain.pem", `SAN.all? { |s| s.start_with?("DNS:") }`, false},
		{"none block", "client-good-chain.pem", `SAN.none? { |s| s.start_with?("DNS:evil") }`, true},
		{"one block", "client-good-chain.pem", `SAN.one? { |e| e.start_with?("Email:") }`, true},
		{"one block false", "client-good-chain.pem", `SAN.one? { |e| e.start_with?("DNS:") }`, false},
		{"count block", "client-good-chain.pem", `SAN.count { |s| s.start_with?("DNS:") } == 2`, true},
		{"any without block", "client-good-chain.pem", `SAN.any?`, true},
		{"any regexp", "client-good-chain.pem", `SAN.any?(/^IP:192\.0\.2\./)`, true},
		{"none string", "client-good-chain.pem", `SAN.none?("DNS:evil.com")`, true},
		{"nested blocks", "client-good-chain.pem", `SAN.any? { |s| SAN.all? { |t| t.size >= s.size or s != t } }`, true},
		{"join", "client-good-chain.pem", `SAN.join(",").include?("Email:ops")`, true},
		{"and/or left to right", "client-good-chain.pem", `true or true and false`, false},
		{"not binds loosely", "client-good-chain.pem", `not false && false`, true},
		{"bang binds tightly", "client-good-chain.pem", `!false && false`, false},
		{"and or not", "client-good-chain.pem", `not CN.empty? and (SAN.size > 10 or DN.start_with?("CN="))`, true},
		{"comparisons", "client-good-chain.pem", `CN != "x" && CN < "d" && CN > "a" && SAN.size <= 6 && SAN.size >= 6`, true},
		{"single quotes", "client-good-chain.pem", `CN == 'client.example.com'`, true},
		{"escapes", "client-good-chain.pem", `"\x63lient\u002E\u{65}xample.com" == CN`, true},
		{"comment", "client-good-chain.pem", "# the partner's client\nSAN.include?(\"DNS:client.example.com\") # by SAN", true},

		// Names.
		{"DN with an escaped comma, single quotes", "dn-multivalued-chain.pem", `DN == 'CN=b+OU=a,O=Acme\, Inc.,C=US'`, true},
		{"DN with an escaped comma, double quotes", "dn-multivalued-chain.pem", `DN == "CN=b+OU=a,O=Acme\\, Inc.,C=US"`, true},
		{"DN slash form never matches", "dn-multivalued-chain.pem", `DN == "/C=US/O=Acme, Inc./CN=b+OU=a"`, false},
		{"unicode DN", "dn-utf8-chain.pem", `DN.include?("CN=Zoë Ångström")`, true},
		{"other names", "client-san-othernames-chain.pem", `SAN.include?("UPN:ops@example.com") && SAN.any? { |s| s.start_with?("DirName:") }`, true},
		{"IPv4-mapped IPv6", "client-san-ipv4-mapped-chain.pem", `SAN.include?("IP:::ffff:192.0.2.1") && SAN.include?("IP:192.0.2.1")`, true},
		{"CN only", "client-cn-only-chain.pem", `SAN.empty? && CN.end_with?(".example.com")`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := workato.Translate(tt.formula)
			if err != nil {
				t.Fatalf("Translate(%q) = %v", tt.formula, err)
			}
			p, err := testEnv(t).Compile(tr.CEL)
			if err != nil {
				t.Fatalf("Compile(%s) (from %q) = %v", tr.CEL, tt.formula, err)
			}
			got, err := p.Eval(vars(t, tt.cert))
			if err != nil {
				t.Fatalf("Eval(%s) on %s = %v", tr.CEL, tt.cert, err)
			}
			if got != tt.want {
				t.Errorf("Eval(%s) (from %q) on %s = %v, want %v", tr.CEL, tt.formula, tt.cert, got, tt.want)
			}
		})
	}
}

// TestDeepestFormulaCompiles: a formula at the nesting limit still makes CEL
// within CEL's own limits.
func TestDeepestFormulaCompiles(t *testing.T) {
	depth := workato.MaxNesting - 1
	for _, f := range []string{
		strings.Repeat("(", depth) + "true" + strings.Repeat(")", depth),
		strings.Repeat("!", depth) + "true",
		strings.Repeat("not ", depth) + "true",
		strings.Repeat("SAN.any? { |s| ", depth/2) + "true" + strings.Repeat(" }", depth/2),
		strings.Repeat("(!", depth/2) + "true" + strings.Repeat(")", depth/2),
	} {
		tr, err := workato.Translate(f)
		if err != nil {
			t.Errorf("Translate(%q) = %v", f, err)
			continue
		}
		if _, err := testEnv(t).Compile(tr.CEL); err != nil {
			t.Errorf("Compile(%s) = %v", tr.CEL, err)
		}
	}
}
