package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// suiteDir is configDir with a client chain and a key beside the bundles.
func suiteDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "ca"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"root.pem", "root-b.pem", "client-good-chain.pem", "client-good.key"} {
		b, err := os.ReadFile(pkiPath(f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "ca", f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestParseSuite: a suite file's clients and cases, paths relative to it, a
// chain file shared by cases parsed once, inline clients, the expectation in
// both forms.
func TestParseSuite(t *testing.T) {
	dir := suiteDir(t)
	cfg, err := ParseSuite(filepath.Join(dir, "suite.yaml"), []byte(`clients:
  - name: partner-a
    bundles: [ca/root.pem]
    rule: CN == "client.example.com"
cases:
  - name: a
    client: partner-a
    chain: ca/client-good-chain.pem
    at: 2026-06-01T00:00:00Z
    expect: 0
  - name: b
    bundles: [ca/root.pem, ca/root-b.pem]
    chain: ca/client-good-chain.pem
    expect: {code: 4018, reason: expired, finding: expired}
  - name: c
    bundles: []
    expect: 4016
  - name: d
    expect: 4020
`), pki.TestNow)
	if err != nil {
		t.Fatalf("ParseSuite: %v", err)
	}
	if len(cfg.Cases) != 4 || len(cfg.Bundles) != 1 {
		t.Fatalf("ParseSuite: %d cases, %d bundles", len(cfg.Cases), len(cfg.Bundles))
	}
	a, b, c, d := cfg.Cases[0], cfg.Cases[1], cfg.Cases[2], cfg.Cases[3]
	if a.ClientName != "partner-a" || a.Client != &cfg.Find("partner-a").Client || !a.At.Equal(pki.TestNow) || a.ChainSource != "ca/client-good-chain.pem" {
		t.Errorf("case a = %+v", a)
	}
	if a.Chain[0] != b.Chain[0] {
		t.Errorf("a chain file named by two cases was parsed twice")
	}
	if b.ClientName != "inline" || len(b.Client.Bundles) != 2 || b.Client.Bundles[0] != a.Client.Bundles[0] || b.Client.Bundles[1].Name != "ca/root-b.pem" || b.Expect.Reason != "expired" || b.Expect.Finding != "expired" || b.Expect.Code != 4018 {
		t.Errorf("case b = %+v, expect %+v", b, b.Expect)
	}
	if c.Client == nil || len(c.Client.Bundles) != 0 || c.Chain != nil || d.Client != nil || d.ClientName != "" {
		t.Errorf("case c = %+v, d = %+v", c, d)
	}

	var ce *Error
	_, err = ParseSuite(filepath.Join(dir, "suite.yaml"), []byte("cases:\n  - name: x\n    chain: ca/client-good.key\n    expect: 0\n"), pki.TestNow)
	if !errors.As(err, &ce) || ce.Case != "x" || ce.CaseIndex != 1 || ce.Field != "chain" || !strings.Contains(err.Error(), "private key") {
		t.Errorf("a key as the chain: %#v", err)
	}
	_, err = ParseSuite("s.yaml", []byte("cases:\n  - name: ok\n    expect: 4020\n  - name: x\n    chian: a.pem\n"), pki.TestNow)
	if !errors.As(err, &ce) || ce.Case != "x" || ce.CaseIndex != 2 || ce.Field != "chian" {
		t.Errorf("an unknown field: %#v", err)
	}
}

// TestCaseBundlesAreNotTheServers: a bundle only a case names is not one the
// server trusts in strict mode's handshake.
func TestCaseBundlesAreNotTheServers(t *testing.T) {
	dir := configDir(t)
	p := filepath.Join(dir, "mtlsplay.yaml")
	cfg, err := Parse(p, []byte(`tls: {cert: ca/server-localhost-chain.pem, key: ca/server-localhost.key, mode: strict}
clients:
  - name: a
    bundles: [ca/root.pem]
cases:
  - name: other root
    bundles: [ca/root-b.pem]
    expect: 4017
`), pki.TestNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Bundles) != 1 || cfg.Bundles[0].Name != "ca/root.pem" || len(cfg.Cases[0].Client.Bundles) != 1 {
		t.Errorf("cfg.Bundles = %d (first %q); the case's own bundle became the server's", len(cfg.Bundles), cfg.Bundles[0].Name)
	}
}

// FuzzParseSuite: no suite file panics the reader, and every problem is an
// *Error in one line.
func FuzzParseSuite(f *testing.F) {
	dir := suiteDir(f)
	f.Add([]byte("cases:\n  - name: a\n    chain: ca/client-good-chain.pem\n    bundles: [ca/root.pem]\n    expect: {code: 0, reason: x}\n"))
	f.Add([]byte("clients:\n  - name: p\ncases:\n  - {name: a, client: p, expect: 4016}\n  - {name: b, expect: [1]}\n"))
	f.Add([]byte("cases:\n  - name: a\n    chain: |\n      -----BEGIN CERTIFICATE-----\n      AAAA\n      -----END CERTIFICATE-----\n    expect: 0\n"))
	f.Add([]byte("cases: &a [*a]\n"))
	path := filepath.Join(dir, "suite.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseSuite(path, data, pki.TestNow)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("ParseSuite error %T %q", err, err)
			}
			return
		}
		if len(cfg.Cases) == 0 || len(cfg.Cases) > 1000 {
			t.Fatalf("ParseSuite: %d cases", len(cfg.Cases))
		}
	})
}

// rootBlock is the suite folder's root certificate as a YAML literal block
// ("|" and its lines, each indented by indent), as the page's export writes PEM.
func rootBlock(t *testing.T, dir, indent string) string {
	t.Helper()
	root, err := os.ReadFile(filepath.Join(dir, "ca", "root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	return "|\n" + indent + strings.ReplaceAll(strings.TrimSpace(string(root)), "\n", "\n"+indent) + "\n"
}

// TestSuiteInlineBundles: a bundle written as PEM in a client's or a case's
// list (as the page's export writes it) is read like a file's, named by its
// place; the same PEM twice is one bundle.
func TestSuiteInlineBundles(t *testing.T) {
	dir := suiteDir(t)
	block := rootBlock(t, dir, "        ")
	cfg, err := ParseSuite(filepath.Join(dir, "suite.yaml"), []byte(`clients:
  - name: p
    bundles:
      - `+block+`    rule: CN == "client.example.com"
cases:
  - name: a
    client: p
    chain: ca/client-good-chain.pem
    at: 2026-06-01T00:00:00Z
    expect: 0
  - name: b
    bundles:
      - `+block+`    chain: ca/client-good-chain.pem
    at: 2026-06-01T00:00:00Z
    expect: 0
`), pki.TestNow)
	if err != nil {
		t.Fatalf("ParseSuite: %v", err)
	}
	a, b := cfg.Cases[0], cfg.Cases[1]
	if len(cfg.Bundles) != 1 || cfg.Bundles[0].Name != "inline bundle 1" || a.Client.Bundles[0] != b.Client.Bundles[0] {
		t.Errorf("inline bundles: %d configured (first %q); the same PEM twice is one bundle: %v", len(cfg.Bundles), cfg.Bundles[0].Name, a.Client.Bundles[0] == b.Client.Bundles[0])
	}
	_, err = ParseSuite(filepath.Join(dir, "suite.yaml"), []byte("cases:\n  - name: k\n    bundles:\n      - |\n        -----BEGIN CERTIFICATE-----\n        AAAA\n        -----END CERTIFICATE-----\n    expect: 4017\n"), pki.TestNow)
	var ce *Error
	if !errors.As(err, &ce) || ce.Case != "k" || ce.Field != "bundles" || !strings.Contains(err.Error(), "inline bundle 1") {
		t.Errorf("a bad inline bundle: %v", err)
	}
}

// TestSuiteNamedBundles: a bundle written as {name, pem} (the page's export
// writes each so) is named by its name, in a client's list and in a case's, in a
// suite and in the serve config; a name on anything but PEM is an error that
// says where.
func TestSuiteNamedBundles(t *testing.T) {
	dir := suiteDir(t)
	block := rootBlock(t, dir, "          ") // under "- name:" and "pem:"
	cfg, err := ParseSuite(filepath.Join(dir, "suite.yaml"), []byte(`clients:
  - name: p
    bundles:
      - name: "Partner roots"
        pem: `+block+`cases:
  - name: a
    client: p
    chain: ca/client-good-chain.pem
    at: 2026-06-01T00:00:00Z
    expect: {code: 0}
  - name: b
    bundles:
      - name: Other roots
        pem: `+block+`    chain: ca/client-good-chain.pem
    at: 2026-06-01T00:00:00Z
    expect: 0
`), pki.TestNow)
	if err != nil {
		t.Fatalf("ParseSuite: %v", err)
	}
	a, b := cfg.Cases[0], cfg.Cases[1]
	if got := a.Client.Bundles[0].Name; got != "Partner roots" {
		t.Errorf("client's named bundle is %q, want Partner roots", got)
	}
	// The same PEM is one bundle, named as where it is first written.
	if a.Client.Bundles[0] != b.Client.Bundles[0] {
		t.Errorf("the same PEM under two names: two bundles %q and %q, want one", a.Client.Bundles[0].Name, b.Client.Bundles[0].Name)
	}

	_, err = ParseSuite(filepath.Join(dir, "suite.yaml"), []byte("cases:\n  - name: k\n    bundles:\n      - {name: Roots, pem: ca/root.pem}\n    expect: 0\n"), pki.TestNow)
	var ce *Error
	if !errors.As(err, &ce) || ce.Case != "k" || !strings.Contains(err.Error(), "line 4: a bundle written as {name, pem} needs its PEM in pem") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a name on a file: %v", err)
	}
}
