package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

var testPKIDir = func() string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki"))
	if err != nil {
		panic(err)
	}
	return p
}()

func pkiPath(name string) string { return filepath.Join(testPKIDir, name) }

// configDir makes a folder with the server certificate, two bundles and a private
// key, so configs can name them by relative paths.
func configDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"server-localhost-chain.pem", "server-localhost.key", "root.pem", "root-b.pem", "root.key", "bundle-expired-ca.pem"} {
		b, err := os.ReadFile(pkiPath(f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "ca"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "ca", f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const configTLS = "tls: {cert: ca/server-localhost-chain.pem, key: ca/server-localhost.key}\n"

func TestConfigLoads(t *testing.T) {
	dir := configDir(t)
	p := filepath.Join(dir, "sub", "..", "mtlsplay.yaml")
	if err := os.WriteFile(filepath.Join(dir, "mtlsplay.yaml"), []byte(`listen: {http: 127.0.0.1:9080, mtls: 127.0.0.1:9443}
tls: {cert: ca/server-localhost-chain.pem, key: ca/server-localhost.key, mode: strict}
clients:
  - name: partner-a
    token: "0123456789abcdef"
    bundles: [ca/root.pem, ca/root-b.pem]
    rule: CN == "partner-a"
  - name: partner-b
    bundles: [ca/root.pem]     # the same file: one bundle
  - name: open
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p, pki.TestNow)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if cfg.Mode != ModeStrict || cfg.HTTPAddr != "127.0.0.1:9080" || cfg.MTLSAddr != "127.0.0.1:9443" {
		t.Errorf("loadConfig = mode %q, listen %q %q", cfg.Mode, cfg.HTTPAddr, cfg.MTLSAddr)
	}
	if len(cfg.Clients) != 3 || len(cfg.Bundles) != 2 {
		t.Fatalf("Load: %d clients, %d distinct bundles; want 3 and 2", len(cfg.Clients), len(cfg.Bundles))
	}
	a, b := cfg.Find("partner-a"), cfg.Find("partner-b")
	if a.Bundles[0] != b.Bundles[0] {
		t.Errorf("a bundle file named by two clients was loaded twice")
	}
	if a.Written == nil || a.Written.Program.Source() != `CN == "partner-a"` || b.Rule != nil {
		t.Errorf("rules: partner-a %v, partner-b %v", a.Rule, b.Rule)
	}
	if a.Token == nil || b.Token != nil {
		t.Errorf("tokens: partner-a %q, partner-b %q", a.Token, b.Token)
	}
	if len(cfg.Find("open").Bundles) != 0 {
		t.Errorf("client open has bundles")
	}
}

// TestConfigWithoutTLS: a config of clients alone (the page's "Serve it
// yourself" snippet) loads with DemoServerCert set and no server certificate of
// its own; serve lends it the demo's. tls.mode alone is still read.
func TestConfigWithoutTLS(t *testing.T) {
	dir := configDir(t)
	for _, tt := range []struct {
		name, yaml, mode string
	}{
		{"no tls section", "clients:\n  - name: my-root\n    bundles: [ca/root.pem]\n    rule: CN == \"x\"\n", ModeReport},
		{"tls without cert and key", "tls: {mode: strict}\nclients:\n  - name: my-root\n    bundles: [ca/root.pem]\n", ModeStrict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "mtlsplay.yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(p, pki.TestNow)
			if err != nil {
				t.Fatalf("Load(%s): %v", tt.name, err)
			}
			if !cfg.DemoServerCert || cfg.ServerCert.Certificate != nil || cfg.Mode != tt.mode || cfg.Find("my-root") == nil {
				t.Errorf("Load(%s) = DemoServerCert %v, %d server certificates, mode %q; want true, none, %q and client my-root", tt.name, cfg.DemoServerCert, len(cfg.ServerCert.Certificate), cfg.Mode, tt.mode)
			}
		})
	}
	cfg, err := Load(filepath.Join(dir, "with-tls.yaml"), pki.TestNow)
	if err == nil || cfg != nil {
		t.Fatalf("Load of a missing file succeeded")
	}
	if err := os.WriteFile(filepath.Join(dir, "with-tls.yaml"), []byte(configTLS+"clients: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if cfg, err = Load(filepath.Join(dir, "with-tls.yaml"), pki.TestNow); err != nil || cfg.DemoServerCert || cfg.ServerCert.Certificate == nil {
		t.Errorf("Load with tls.cert: %v, DemoServerCert %v; want its own certificate", err, cfg != nil && cfg.DemoServerCert)
	}
}

// TestConfigErrors: every broken config stops the start with one line that names
// the file, the client and the problem.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings of the one-line message
	}{
		{"unreadable bundle", configTLS + "clients:\n  - name: partner-a\n    bundles: [ca/missing.pem]\n",
			[]string{`client "partner-a"`, "bundle ca/missing.pem", "no such file"}},
		{"private key as a bundle", configTLS + "clients:\n  - name: partner-a\n    bundles: [ca/root.key]\n",
			[]string{`client "partner-a"`, "ca/root.key", "private key"}},
		{"more than five bundles", configTLS + "clients:\n  - name: partner-a\n    bundles: [ca/root.pem, ca/root.pem, ca/root.pem, ca/root.pem, ca/root.pem, ca/root.pem]\n",
			[]string{`client "partner-a"`, "6 bundles", "at most 5"}},
		{"rule that does not compile", configTLS + "clients:\n  - name: partner-a\n    bundles: [ca/root.pem]\n    rule: CNN == \"x\"\n",
			[]string{`client "partner-a"`, "rule:1:1", "CNN"}},
		{"rule that is not bool", configTLS + "clients:\n  - name: partner-a\n    bundles: [ca/root.pem]\n    rule: CN\n",
			[]string{`client "partner-a"`, "rule:1:"}},
		{"unknown mode", "tls: {cert: ca/server-localhost-chain.pem, key: ca/server-localhost.key, mode: strcit}\nclients: []\n",
			[]string{`tls.mode "strcit"`, "report", "strict"}},
		{"directory as a bundle", configTLS + "clients:\n  - name: partner-a\n    bundles: [ca]\n",
			[]string{`client "partner-a"`, "bundle ca", "directory"}},
		{"duplicate client", configTLS + "clients:\n  - name: a\n  - name: a\n", []string{`client "a"`, "twice"}},
		{"client without a name", configTLS + "clients:\n  - bundles: [ca/root.pem]\n", []string{"client 1", "no name"}},
		{"name not a path segment", configTLS + "clients:\n  - name: a/b\n", []string{`client "a/b"`, "path segment"}},
		{"short token", configTLS + "clients:\n  - name: a\n    token: abc\n", []string{`client "a"`, "token is 3 characters"}},
		{"shared token", configTLS + "clients:\n  - name: a\n    token: 0123456789abcdef\n  - name: b\n    token: 0123456789abcdef\n",
			[]string{`client "b"`, `same token as client "a"`}},
		{"unknown client field", configTLS + "clients:\n  - name: a\n    tokn: x\n", []string{"line 4", `unknown field "tokn"`, "name, token, bundles, rule"}},
		{"unknown top-level field", configTLS + "client: []\n", []string{"line 2", `unknown field "client"`}},
		{"server certificate without its key", "tls: {cert: ca/server-localhost-chain.pem}\nclients: []\n", []string{"tls.cert is given without tls.key", "or neither"}},
		{"server key without its certificate", "tls: {key: ca/server-localhost.key, mode: strict}\nclients: []\n", []string{"tls.key is given without tls.cert", "or neither"}},
		{"server key does not match", "tls: {cert: ca/server-localhost-chain.pem, key: ca/root.key}\n", []string{"tls.cert", "tls.key", "does not match"}},
		{"empty file", "", []string{"empty"}},
		{"not YAML", configTLS + "clients: [\n", []string{"line"}},
		{"listen address without a port", configTLS + "listen: {mtls: localhost}\n", []string{`listen.mtls "localhost"`, "missing port", "HOST:PORT"}},
		{"listen port out of range", configTLS + "listen: {http: 127.0.0.1:99999}\n", []string{`listen.http "127.0.0.1:99999"`, "0 to 65535"}},
		{"authz address with two colons", configTLS + "listen: {authz: \"127.0.0.1:90:00\"}\n", []string{`listen.authz "127.0.0.1:90:00"`, "too many colons"}},
		{"strict with no bundle", "tls: {cert: ca/server-localhost-chain.pem, key: ca/server-localhost.key, mode: strict}\nclients:\n  - name: a\n",
			[]string{"strict", "no client lists a bundle"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configDir(t)
			p := filepath.Join(dir, "mtlsplay.yaml")
			if err := os.WriteFile(p, []byte(tt.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p, pki.TestNow)
			if err == nil {
				t.Fatalf("Load(%s) succeeded", tt.name)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("Load(%s) error is not one line: %q", tt.name, msg)
			}
			if !strings.HasPrefix(msg, p+": ") {
				t.Errorf("Load(%s) error %q does not start with the file name", tt.name, msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Load(%s) error %q does not mention %q", tt.name, msg, w)
				}
			}
		})
	}
}

func TestConfigWarnings(t *testing.T) {
	dir := configDir(t)
	p := filepath.Join(dir, "mtlsplay.yaml")
	if err := os.WriteFile(p, []byte(configTLS+"clients:\n  - name: old\n    bundles: [ca/bundle-expired-ca.pem]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p, pki.TestNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], `client "old": bundle ca/bundle-expired-ca.pem:`) || !strings.Contains(cfg.Warnings[0], "expired") {
		t.Errorf("Warnings = %q, want one naming the client, the bundle and the expired CA", cfg.Warnings)
	}
}

// TestConfigFormula: a rule pasted from platform docs is read in the config as in
// the page and the CLI, and its lint warnings are reported at start.
func TestConfigFormula(t *testing.T) {
	cfg := fmt.Sprintf(`tls: {cert: %s, key: %s}
clients:
  - name: partner-f
    bundles: [%s]
    rule: SAN.include?("DNS:api.example.com") and CN.end_with?(".example.com")
  - name: partner-trap
    bundles: [%s]
    rule: SAN.include?("api.example.com")
`, pkiPath("server-localhost-chain.pem"), pkiPath("server-localhost.key"), pkiPath("root.pem"), pkiPath("root.pem"))
	path := filepath.Join(t.TempDir(), "mtlsplay.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(path, pki.TestNow)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if w := strings.Join(loaded.Warnings, "\n"); !strings.Contains(w, `client "partner-trap": rule:1:14: "api.example.com" has no type prefix`) {
		t.Errorf("config warnings = %q, want the partner-trap lint", w)
	}
}

// TestErrorFields: a config error carries the client and the field it is about, so
// a caller can point at them without reading the message.
func TestErrorFields(t *testing.T) {
	dir := configDir(t)
	p := filepath.Join(dir, "mtlsplay.yaml")
	for _, tc := range []struct {
		yaml          string
		client, field string
		index         int
	}{
		{configTLS + "clients:\n  - name: a\n  - name: b\n    token: abc\n", "b", "token", 2},
		{configTLS + "clients:\n  - bundles: [ca/root.pem]\n", "", "name", 1},
		{"tls: {cert: ca/server-localhost-chain.pem, key: ca/server-localhost.key, mode: x}\n", "", "tls.mode", 0},
	} {
		if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Load(p, pki.TestNow)
		var ce *Error
		if !errors.As(err, &ce) || ce.Client != tc.client || ce.Field != tc.field || ce.Index != tc.index {
			t.Errorf("Load(%q) = %#v, want client %q, index %d, field %q", tc.yaml, err, tc.client, tc.index, tc.field)
		}
	}
}
