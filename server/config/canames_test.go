package config

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestCANames: tls.ca_names lists each subject the clients' bundles trust once, in
// config order, and nothing from a case's own bundle; off, there is no list.
func TestCANames(t *testing.T) {
	dir := configDir(t)
	p := filepath.Join(dir, "mtlsplay.yaml")
	body := `clients:
  - name: a
    bundles: [ca/root.pem, ca/bundle-expired-ca.pem]
  - name: b
    bundles: [ca/root-b.pem, ca/root.pem]
cases:
  - name: own bundle
    bundles: [ca/untrusted-root.pem]
    expect: 4017
`
	if err := os.WriteFile(filepath.Join(dir, "ca", "untrusted-root.pem"), mustRead(t, pkiPath("untrusted-root.pem")), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		tls  string
		want []string
	}{
		{"", nil},
		{"tls: {ca_names: false}\n", nil},
		{"tls: {ca_names: true}\n", []string{"CN=Acme Root CA", "CN=Acme Expired Root CA", "CN=Partner Root CA"}},
	} {
		if err := os.WriteFile(p, []byte(tt.tls+body), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := Load(p, pki.TestNow)
		if err != nil {
			t.Fatalf("Load(%q): %v", tt.tls, err)
		}
		if tt.want == nil {
			if cfg.AcceptableCAs != nil {
				t.Errorf("Load(%q): AcceptableCAs is set; want nil", tt.tls)
			}
			continue
		}
		if cfg.AcceptableCAs == nil {
			t.Fatalf("Load(%q): AcceptableCAs is nil", tt.tls)
		}
		var got []string
		// Subjects is what crypto/tls sends (its deprecation is about system pools).
		for _, raw := range cfg.AcceptableCAs.Subjects() {
			got = append(got, dnOf(t, raw))
		}
		if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
			t.Errorf("Load(%q): acceptable CAs %q; want %q", tt.tls, got, tt.want)
		}
	}
}

// TestCANamesBound: a list over MaxCANames names, or over MaxCANameBytes bytes,
// fails the start with one line on tls.ca_names; MaxCANames names pass. Without
// ca_names, the same bundle loads.
func TestCANamesBound(t *testing.T) {
	dir := t.TempDir()
	from, to := pki.TestNow.Add(-time.Hour), pki.TestNow.Add(time.Hour)
	var bundle bytes.Buffer
	for i := range MaxCANames + 1 {
		ca, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: fmt.Sprintf("Root %d", i)}, NotBefore: from, NotAfter: to, IsCA: true})
		if err != nil {
			t.Fatal(err)
		}
		bundle.Write(ca.CertPEM())
		if i == MaxCANames-1 {
			if err := os.WriteFile(filepath.Join(dir, "at-bound.pem"), bundle.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "over.pem"), bundle.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	load := func(caNames bool, file string) (*Config, error) {
		p := filepath.Join(dir, "mtlsplay.yaml")
		yaml := fmt.Sprintf("tls: {ca_names: %t}\nclients:\n  - name: a\n    bundles: [%s]\n", caNames, file)
		if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		return Load(p, pki.TestNow)
	}
	if cfg, err := load(true, "at-bound.pem"); err != nil || len(cfg.AcceptableCAs.Subjects()) != MaxCANames {
		t.Errorf("Load(%d names) = %v; want them all listed", MaxCANames, err)
	}
	if _, err := load(false, "over.pem"); err != nil {
		t.Errorf("Load(%d names, ca_names off) = %v; want no error", MaxCANames+1, err)
	}
	_, err := load(true, "over.pem")
	var ce *Error
	if !errors.As(err, &ce) || ce.Field != "tls.ca_names" || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), fmt.Sprintf("would list %d CA names", MaxCANames+1)) || !strings.Contains(err.Error(), "leave ca_names out") {
		t.Errorf("Load(%d names) = %v; want one line on tls.ca_names saying how many and what to do", MaxCANames+1, err)
	}

	// Fewer names, each long: the byte bound.
	bundle.Reset()
	long := strings.Repeat("x", 400)
	n := MaxCANameBytes/len(long) + 1
	for i := range n {
		ca, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: fmt.Sprintf("Long %d", i), Organization: []string{long}}, NotBefore: from, NotAfter: to, IsCA: true})
		if err != nil {
			t.Fatal(err)
		}
		bundle.Write(ca.CertPEM())
	}
	if err := os.WriteFile(filepath.Join(dir, "long.pem"), bundle.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := load(true, "long.pem"); !errors.As(err, &ce) || ce.Field != "tls.ca_names" || !strings.Contains(err.Error(), fmt.Sprintf("would list %d CA names", n)) {
		t.Errorf("Load(%d names of over 400 bytes) = %v; want the byte bound on tls.ca_names", n, err)
	}
}

// TestCANamesErrors: a value that is not a bool names the field; no bundle at
// all is a warning, not an error.
func TestCANamesErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mtlsplay.yaml")
	if err := os.WriteFile(p, []byte("tls: {ca_names: maybe}\nclients: [{name: a}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, pki.TestNow); err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "maybe") {
		t.Errorf("Load(ca_names: maybe) = %v; want the line and the value", err)
	}
	if err := os.WriteFile(p, []byte("tls: {ca_names: true}\nclients: [{name: a}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(p, pki.TestNow)
	if err != nil {
		t.Fatalf("Load(ca_names, no bundles): %v", err)
	}
	if !strings.Contains(strings.Join(cfg.Warnings, "\n"), "tls.ca_names is on, but no client lists a bundle") {
		t.Errorf("Load(ca_names, no bundles): warnings %q lack the empty list", cfg.Warnings)
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dnOf formats a DER name as pkix.Name does.
func dnOf(t *testing.T, raw []byte) string {
	t.Helper()
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdn); err != nil || len(rest) != 0 {
		t.Fatalf("%x is not a DER name: %v", raw, err)
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdn)
	return n.String()
}
