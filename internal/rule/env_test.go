package rule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestVariables evaluates rules over every variable and the field kinds of the
// certificate view: nested structs, lists of strings and of structs, timestamps.
func TestVariables(t *testing.T) {
	tests := []struct {
		name, rule string
		want       bool
	}{
		{"CN", `CN == "client.example.com"`, true},
		{"CN other", `CN == "x"`, false},
		{"SAN exists endsWith", `SAN.exists(s, s.endsWith(".example.com"))`, true},
		{"SAN exact member", `"Email:ops@example.com" in SAN`, true},
		{"SAN without prefix never matches", `SAN.exists(s, s == "client.example.com")`, false},
		{"SAN order", `SAN[0] == "DNS:client.example.com" && SAN[5].startsWith("URI:")`, true},
		{"DN", `DN == "CN=client.example.com"`, true},
		{"cert nested struct", `cert.subject.cn == CN && cert.issuer.cn == "Acme Issuing CA"`, true},
		{"cert list of strings", `cert.san.dns == ["client.example.com", "api.example.com"]`, true},
		{"cert list of structs", `cert.subject.attributes[0].type == "CN" && cert.subject.attributes[0].rdn == 0`, true},
		{"cert int", `cert.public_key.bits == 256 && cert.version == 3 && cert.max_path_len == -1`, true},
		{"cert bool", `!cert.is_ca && !cert.self_issued`, true},
		{"cert timestamps", `cert.not_after > now && cert.not_before <= now`, true},
		{"timestamp arithmetic", `cert.not_after - now > duration("8760h")`, true},
		{"timestamp literal", `cert.not_after == timestamp("2028-01-01T00:00:00Z")`, true},
		{"cert san_entries is SAN", `cert.san_entries == SAN`, true},
		{"spiffe", `cert.spiffe_id == "spiffe://example.com/ns/prod/sa/client"`, true},
		{"eku", `"clientAuth" in cert.ext_key_usage && !("serverAuth" in cert.ext_key_usage)`, true},
		{"empty lists", `size(cert.san.upn) == 0 && cert.subject.organization == []`, true},
		{"extensions", `cert.extensions.exists(e, e.name == "keyUsage" && e.critical)`, true},
		{"chain leaf", `chain[0].sha256 == cert.sha256`, true},
		{"chain issuer", `size(chain) == 2 && chain[1].is_ca && chain[1].subject.dn == cert.issuer.dn`, true},
		{"chain key ids", `cert.authority_key_id == chain[1].subject_key_id`, true},
		{"now", `now == timestamp("2026-06-01T00:00:00Z")`, true},
		{"tls empty in the playground", `tls.version == "" && tls.alpn == "" && tls.server_name == "" && tls.cipher_suite == ""`, true},
		{"cidr and ip", `SAN.exists(s, s.startsWith("IP:") && cidr("192.0.2.0/24").containsIP(ip(s.substring(3))))`, true},
		{"cidr no match", `SAN.exists(s, s.startsWith("IP:") && cidr("10.0.0.0/8").containsIP(ip(s.substring(3))))`, false},
		{"ip family", `cert.san.ip.exists(i, ip(i).family() == 6)`, true},
		{"ip canonical", `cert.san.ip.all(i, ip.isCanonical(i))`, true},
		{"strings ext", `CN.split(".")[0] == "client" && SAN.map(s, s.lowerAscii()).exists(s, s.startsWith("email:")) && CN.upperAscii() == "CLIENT.EXAMPLE.COM"`, true},
		{"strings join and replace", `cert.san.dns.join(",") == "client.example.com,api.example.com" && DN.replace("CN=", "") == CN`, true},
		{"strings indexOf substring", `SAN.exists(s, s.substring(0, s.indexOf(":")) == "URI")`, true},
		{"format", `"%s/%d".format([cert.public_key.algorithm, cert.public_key.bits]) == "ECDSA/256"`, true},
		{"matches", `SAN.exists(s, s.matches("^DNS:[a-z]+\\.example\\.com$"))`, true},
		{"has", `has(cert.subject.cn) && !has(cert.subject.serial_number)`, true},
		{"exists_one", `SAN.exists_one(s, s.startsWith("URI:"))`, true},
		{"filter map", `SAN.filter(s, s.startsWith("DNS:")).map(s, s.substring(4)) == cert.san.dns`, true},
		{"multi-line with comment", "// a partner's client\nCN == \"client.example.com\" &&\n  // and its SPIFFE ID\n  cert.spiffe_id.startsWith(\"spiffe://example.com/\")", true},
		{"dyn rule", `dyn(CN == "client.example.com")`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustCompile(t, tt.rule)
			got, err := p.Eval(goodVars())
			if err != nil || got != tt.want {
				t.Errorf("Eval(%s) = %v, %v; want %v, nil", tt.rule, got, err, tt.want)
			}
			// Both evaluation programs must agree, whichever Eval picked.
			if p.bounded != nil {
				out, _, err := p.tracked.Eval(&activation{vars: goodVars()})
				if err != nil || out.Value() != tt.want {
					t.Errorf("tracked Eval(%s) = %v, %v; want %v", tt.rule, out, err, tt.want)
				}
			}
		})
	}
}

// TestTLS evaluates the connection facts the server fills in.
func TestTLS(t *testing.T) {
	v := goodVars()
	v.TLS = TLS{Version: "TLS 1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ServerName: "api.example.com", ALPN: "h2"}
	rule := `tls.version == "TLS 1.3" && tls.cipher_suite.startsWith("TLS_AES") && tls.server_name == "api.example.com" && tls.alpn == "h2"`
	if got, err := mustCompile(t, rule).Eval(v); err != nil || !got {
		t.Errorf("Eval(%s) = %v, %v; want true", rule, got, err)
	}
}

// TestChainDefault: with no chain given, chain is the leaf alone.
func TestChainDefault(t *testing.T) {
	v := goodVars()
	v.Chain = nil
	rule := `size(chain) == 1 && chain[0].subject.cn == CN`
	if got, err := mustCompile(t, rule).Eval(v); err != nil || !got {
		t.Errorf("Eval(%s) = %v, %v; want true", rule, got, err)
	}
}

// TestHiddenFields: fields that are not exported are not part of the language.
func TestHiddenFields(t *testing.T) {
	for _, rule := range []string{`size(cert.der) > 0`, `cert.x509 != null`, `cert.subject.DN == ""`} {
		_, err := testEnv(t).Compile(rule)
		var ce *CompileError
		if !errors.As(err, &ce) || !strings.Contains(ce.Issues[0].Message, "undefined field") {
			t.Errorf("Compile(%s) = %v, want an undefined field error", rule, err)
		}
	}
}

// TestFieldTypes checks the CEL type of representative fields, so a change of the
// view's Go types shows up as a change of the rule language.
func TestFieldTypes(t *testing.T) {
	want := map[string]string{
		"certinfo.Certificate.not_after":   "timestamp",
		"certinfo.Certificate.san_entries": "list(string)",
		"certinfo.Certificate.subject":     "certinfo.Name",
		"certinfo.Certificate.extensions":  "list(certinfo.Extension)",
		"certinfo.Certificate.is_ca":       "bool",
		"certinfo.Name.attributes":         "list(certinfo.Attribute)",
		"certinfo.PublicKey.bits":          "int",
		"rule.TLS.alpn":                    "string",
	}
	got := map[string]string{}
	for _, d := range testEnv(t).Declarations() {
		if d.Kind == "field" {
			got[d.Owner+"."+d.Name] = d.Type
		}
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("Declarations(): field %s has type %q, want %q", k, got[k], w)
		}
	}
}

// TestConcurrent compiles and evaluates from many goroutines; run with -race.
func TestConcurrent(t *testing.T) {
	env := testEnv(t)
	rules := []string{`CN == "client.example.com"`, `SAN.exists(s, s.endsWith(".example.com"))`, `cert.not_after > now`, `chain.exists(c, c.is_ca)`}
	done := make(chan error)
	for g := range 8 {
		go func() {
			var err error
			for i := range 50 {
				p, cerr := env.Compile(rules[(g+i)%len(rules)])
				if cerr != nil {
					err = cerr
					break
				}
				if ok, eerr := p.Eval(goodVars()); eerr != nil || !ok {
					err = errors.Join(eerr, errors.New("rule was false"))
					break
				}
				if r := p.Explain(goodVars()); !r.Value {
					err = errors.New("explained false")
					break
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestNoCertificate: Eval without a certificate is an error, not a panic.
func TestNoCertificate(t *testing.T) {
	p := mustCompile(t, `CN == ""`)
	if _, err := p.Eval(Vars{Now: time.Now()}); err == nil {
		t.Error("Eval(Vars{}) = nil error, want one")
	}
	if r := p.Explain(Vars{}); r.Error == "" || r.Value {
		t.Errorf("Explain(Vars{}) = %+v, want an error", r)
	}
}
