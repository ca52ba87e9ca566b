package export_test

import (
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/export"
)

// TestFormula exports a Workato formula through its CEL translation.
func TestFormula(t *testing.T) {
	r, err := engine.CompileRule(`CN.include?("client") and SAN.include?("DNS:api.example.com")`, "auto")
	if err != nil {
		t.Fatal(err)
	}
	res, err := export.Export("caddy", r.CEL, export.Options{Rule: r.Source})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete || !strings.Contains(res.Config, `"api.example.com" in {http.request.tls.client.san.dns_names}`) ||
		!strings.Contains(res.Config, `SAN.include?("DNS:api.example.com")`) {
		t.Errorf("formula export:\n%s", res.Config)
	}
}

// FuzzExport: any rule that compiles exports to every gateway without a panic,
// and the config says "PARTIAL" exactly when the result is not complete.
func FuzzExport(f *testing.F) {
	for _, s := range []string{`CN == "a"`, `DN == "CN=a\\,b+OU=c,O=d"`, `!("DNS:x" in SAN) || CN.contains(" # ")`,
		`cert.san.dns.exists(d, d.matches("a"))`, `CN in ["a", "b"] && "x" in cert.subject.organization`, `DN in ["CN=\\00"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		r, err := engine.CompileRule(src, "cel")
		if err != nil {
			return
		}
		for _, g := range export.Gateways() {
			res, err := export.Export(g, r.CEL, export.Options{Rule: src})
			if err != nil {
				t.Fatalf("export.Export(%s, %q): %v", g, src, err)
			}
			if strings.Contains(res.Config, "# PARTIAL") == res.Complete {
				t.Fatalf("export.Export(%s, %q): complete = %v but the config says otherwise", g, src, res.Complete)
			}
		}
	})
}

// TestUnsafePaths: a file name a config would have to quote is an error.
func TestUnsafePaths(t *testing.T) {
	for _, o := range []export.Options{{Bundles: []string{"bundle 1"}}, {ServerCert: "a;b"}, {Upstream: "x}"}, {ServerName: "a#b"}} {
		if _, err := export.Export("nginx", `CN == "a"`, o); err == nil {
			t.Errorf("Export with %+v: no error", o)
		}
	}
}
