package cli

import (
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

func pkiText(t *testing.T, name string) string {
	t.Helper()
	return string(mustRead(t, filepath.Join("..", "..", "testdata", "pki", name)))
}

// TestKeyCertFile: a file holding the key and then the chain (HAProxy's crt file,
// keycert.pem) is read for its certificates by inspect, eval and verify: standard
// output is what the chain alone gives, and standard error names the key block that
// was ignored, without any of the key. A key alone is still refused.
func TestKeyCertFile(t *testing.T) {
	chain, key := pkiText(t, "client-good-chain.pem"), pkiText(t, "client-good.key")
	root := filepath.Join("..", "..", "testdata", "pki", "root.pem")
	at := "2026-06-01T00:00:00Z"
	keyBody := strings.Split(key, "\n")[1]
	for _, args := range [][]string{
		{"inspect", "--at", at, "-"},
		{"inspect", "--json", "--at", at, "-"},
		{"eval", "--rule", `CN == "client.example.com"`, "--at", at, "-"},
		{"verify", "--bundle", root, "--at", at, "-"},
		{"verify", "--json", "--bundle", root, "--at", at, "-"},
	} {
		name := strings.Join(args[:2], " ")
		wantCode, wantOut, wantErr := runCLI(t, chain, args...)
		code, out, errOut := runCLI(t, key+chain, args...)
		if code != wantCode || out != wantOut {
			t.Errorf("%s with key and chain: exit %d, output differs from the chain's alone (exit %d):\n%s", name, code, wantCode, out)
		}
		warning := "warning: standard input: block 1 (line 1): PRIVATE KEY: the private key was ignored; only the certificates are read (never share this file)\n"
		if errOut != warning+wantErr {
			t.Errorf("%s: standard error %q, want %q", name, errOut, warning+wantErr)
		}
		if strings.Contains(out+errOut, keyBody) {
			t.Errorf("%s: the key was printed", name)
		}
	}
	// After the chain, the key's block and line are named; the lines of a later block
	// stay the file's own.
	_, _, errOut := runCLI(t, chain+key, "inspect", "-")
	if want := fmt.Sprintf("block 3 (line %d): PRIVATE KEY", strings.Count(chain, "\n")+1); !strings.Contains(errOut, want) {
		t.Errorf("key after the chain: standard error %q, want it to name %q", errOut, want)
	}
	code, _, errOut := runCLI(t, key, "inspect", "-")
	if code != exitBadInput || !strings.Contains(errOut, "this is a private key") {
		t.Errorf("a key alone: exit %d, %q; want 2 and the refusal", code, errOut)
	}
}

// TestInspectBundle: inspect reads a CA bundle longer than a chain may be (up to a
// bundle's 512 certificates); more is refused as for any bundle.
func TestInspectBundle(t *testing.T) {
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
	var bundle strings.Builder
	for i := range 40 {
		ca, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: fmt.Sprintf("Root %d", i)}, NotBefore: from, NotAfter: to, IsCA: true})
		if err != nil {
			t.Fatal(err)
		}
		bundle.Write(ca.CertPEM())
	}
	path := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(path, []byte(bundle.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "inspect", "--at", "2026-06-01T00:00:00Z", path)
	if code != exitOK || !strings.Contains(out, path+": certificate 40 of 40\n") || !strings.Contains(out, "CN=Root 39") {
		t.Errorf("inspect of 40 roots: exit %d, stderr %q; want all 40 certificates", code, errOut)
	}
	one := pkiText(t, "root.pem")
	code, _, errOut = runCLI(t, strings.Repeat(one, 513), "inspect", "-")
	if code != exitBadInput || !strings.Contains(errOut, "more than 512 certificates") {
		t.Errorf("inspect of 513 certificates: exit %d, %q; want 2 and the bundle limit", code, errOut)
	}
}
