package trust

import (
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

func TestParseBundleTestPKI(t *testing.T) {
	tests := []struct {
		file     string
		subjects []string
		warnings []Warning
	}{
		{"root.pem", []string{"CN=Acme Root CA"}, nil},
		{"bundle-two-roots.pem", []string{"CN=Acme Root CA", "CN=Partner Root CA"}, nil},
		{"bundle-with-leaf.pem", []string{"CN=Acme Root CA", "CN=client.example.com"}, []Warning{
			{WarnNotCA, "certificate 2 (CN=client.example.com) is not a CA certificate (basic constraints CA:FALSE); a truststore should hold CA certificates", 1},
		}},
		{"bundle-expired-ca.pem", []string{"CN=Acme Root CA", "CN=Acme Expired Root CA"}, []Warning{
			{WarnExpired, "certificate 2 (CN=Acme Expired Root CA) expired at 2025-01-01T00:00:00Z, 516 days before 2026-06-01T00:00:00Z; chains through it fail", 1},
		}},
		{"bundle-not-yet-valid-ca.pem", []string{"CN=Acme Root CA", "CN=Acme Future Root CA"}, []Warning{
			{WarnNotYetValid, "certificate 2 (CN=Acme Future Root CA) is not yet valid: it starts at 2030-01-01T00:00:00Z, 1310 days after 2026-06-01T00:00:00Z; chains through it fail until then", 1},
		}},
		{"bundle-duplicate.pem", []string{"CN=Acme Root CA", "CN=Partner Root CA", "CN=Acme Root CA"}, []Warning{
			{WarnDuplicate, "certificate 3 (CN=Acme Root CA) is a duplicate of certificate 1 (same SHA-256)", 2},
		}},
		{"client-san-bad-uri.pem", []string{"CN=bad-uri.example.com"}, []Warning{
			{WarnUnparsable, "", 0}, // message carries certinfo's Problems; checked by prefix below
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := bundleFile(t, tt.file)
			if b.Name != tt.file {
				t.Errorf("Name = %q, want %q", b.Name, tt.file)
			}
			var subjects []string
			for _, c := range b.Certs {
				subjects = append(subjects, c.Subject.DN)
			}
			if strings.Join(subjects, " | ") != strings.Join(tt.subjects, " | ") {
				t.Errorf("ParseBundle(%s) certs = %q, want %q", tt.file, subjects, tt.subjects)
			}
			if len(b.Warnings) != len(tt.warnings) {
				t.Fatalf("ParseBundle(%s) warnings = %+v, want %+v", tt.file, b.Warnings, tt.warnings)
			}
			for i, w := range tt.warnings {
				got := b.Warnings[i]
				if w.Code == WarnUnparsable {
					if got.Code != w.Code || got.Cert != w.Cert || !strings.HasPrefix(got.Message, "certificate 1 (CN=bad-uri.example.com) is rejected by crypto/x509 and cannot anchor a chain: ") {
						t.Errorf("ParseBundle(%s) warning %d = %+v", tt.file, i, got)
					}
					continue
				}
				if got != w {
					t.Errorf("ParseBundle(%s) warning %d =\n%+v, want\n%+v", tt.file, i, got, w)
				}
			}
		})
	}
}

func TestBundlePool(t *testing.T) {
	b := bundleFile(t, "bundle-duplicate.pem")
	if n := len(b.Pool().Subjects()); n != 2 { //nolint:staticcheck // counting, not using, the subjects
		t.Errorf("pool of bundle-duplicate.pem has %d certificates, want 2 (the duplicate once)", n)
	}
	bad := bundleFile(t, "client-san-bad-uri.pem")
	if n := len(bad.Pool().Subjects()); n != 0 { //nolint:staticcheck
		t.Errorf("pool of an unparsable certificate has %d certificates, want 0", n)
	}
	leaf := chainFile(t, "client-good-chain.pem")
	inter := x509.NewCertPool()
	inter.AddCert(leaf[1].X509())
	if _, err := leaf[0].X509().Verify(x509.VerifyOptions{Roots: bundleFile(t, "root.pem").Pool(), Intermediates: inter, CurrentTime: pki.TestNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("Verify with Pool() of root.pem: %v", err)
	}
}

func TestParseBundleErrors(t *testing.T) {
	key := readPKI(t, "root.key")
	tests := []struct {
		name string
		data string
		kind string
	}{
		{"empty", "", certinput.KindNoCertificate},
		{"white space", " \r\n\t\n", certinput.KindNoCertificate},
		{"garbage", "hello, I am not a certificate", certinput.KindNoCertificate},
		{"private key", string(key), certinput.KindPrivateKey},
		{"certificate then key", string(readPKI(t, "root.pem")) + string(key), certinput.KindPrivateKey},
		{"not a certificate inside", "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n", certinput.KindNotCert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseBundle("ca.pem", []byte(tt.data), pki.TestNow)
			var ie *certinput.Error
			if !errors.As(err, &ie) || ie.Kind != tt.kind {
				t.Fatalf("ParseBundle(%s) = %v, %v; want a certinput.Error of kind %s", tt.name, b, err, tt.kind)
			}
			if !strings.HasPrefix(err.Error(), "ca.pem: ") {
				t.Errorf("ParseBundle(%s) error %q does not name the bundle", tt.name, err)
			}
		})
	}
}

func FuzzParseBundle(f *testing.F) {
	for _, name := range []string{"root.pem", "bundle-two-roots.pem", "bundle-with-leaf.pem", "bundle-duplicate.pem", "client-good-chain.pem", "client-san-bad-uri.pem"} {
		data, err := os.ReadFile(pkiDir + "/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(""))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ParseBundle("fuzz.pem", data, pki.TestNow)
		if err != nil {
			if b != nil {
				t.Fatalf("ParseBundle returned a bundle and error %v", err)
			}
			return
		}
		if len(b.Certs) == 0 {
			t.Fatalf("ParseBundle succeeded with no certificate")
		}
		for _, w := range b.Warnings {
			if w.Cert < 0 || w.Cert >= len(b.Certs) || w.Message == "" || w.Code == "" {
				t.Fatalf("bad warning %+v for %d certificates", w, len(b.Certs))
			}
		}
		// Whatever the bundle holds, verifying its own certificates must not panic.
		r := Verify(b.Certs, []*Bundle{b}, pki.TestNow)
		if !r.OK && (r.Failure == nil || r.Failure.Message == "") {
			t.Fatalf("Verify failed without a message: %+v", r)
		}
	})
}
