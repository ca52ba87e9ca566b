package diagnose

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/findings.txt from the current output")

const pkiDir = "../../testdata/pki"

func chainFile(t *testing.T, name string) []*certinfo.Certificate {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pkiDir, name))
	if err != nil {
		t.Fatal(err)
	}
	certs, err := parseChain(name, data)
	if err != nil {
		t.Fatalf("parseChain(%s): %v", name, err)
	}
	return certs
}

// parseChain is engine.ParseChain, which the tests cannot import: the engine
// imports this package.
func parseChain(name string, data []byte) ([]*certinfo.Certificate, error) {
	blocks, err := certinput.Decode(name, data)
	if err != nil {
		return nil, err
	}
	var certs []*certinfo.Certificate
	for _, b := range blocks {
		c, err := certinfo.Parse(b.DER)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	return certs, nil
}

func bundleFiles(t *testing.T, names ...string) []*trust.Bundle {
	t.Helper()
	var out []*trust.Bundle
	for _, n := range names {
		data, err := os.ReadFile(filepath.Join(pkiDir, n))
		if err != nil {
			t.Fatal(err)
		}
		b, err := trust.ParseBundle(n, data, pki.TestNow)
		if err != nil {
			t.Fatalf("ParseBundle(%s): %v", n, err)
		}
		out = append(out, b)
	}
	return out
}

func find(fs []Finding, id string) *Finding {
	for i := range fs {
		if fs[i].ID == id {
			return &fs[i]
		}
	}
	return nil
}

// TestFindings has, for every finding, a certificate of the test PKI that triggers
// it and one that does not.
func TestFindings(t *testing.T) {
	root := []string{"root.pem"}
	tests := []struct {
		name     string
		file     string
		bundles  []string
		id       string
		want     bool
		cert     int
		severity Severity
		contains string // in the message, when want
	}{
		{"serverAuth leaf", "server-localhost-chain.pem", root, NoClientAuthEKU, true, 0, Error, "certificate 1 (CN=localhost) does not allow clientAuth: its extended key usage is serverAuth"},
		{"clientAuth leaf", "client-good-chain.pem", root, NoClientAuthEKU, false, 0, "", ""},
		{"no-EKU leaf", "client-no-eku-chain.pem", root, NoClientAuthEKU, false, 0, "", ""},
		{"serverAuth intermediate", "client-under-serverauth-intermediate-chain.pem", root, IntermediateNoClientAuthEKU, true, 1, Error, "certificate 2 (CN=Server Intermediate) does not allow clientAuth: its extended key usage is serverAuth"},
		{"serverAuth intermediate, no bundle", "client-under-serverauth-intermediate-chain.pem", nil, IntermediateNoClientAuthEKU, true, 1, Error, "CN=Server Intermediate"},
		{"serverAuth intermediate in the bundle", "client-under-serverauth-intermediate.pem", []string{"intermediate-serverauth.pem"}, IntermediateNoClientAuthEKU, true, -1, Error, "CA certificate (CN=Server Intermediate) in bundle intermediate-serverauth.pem"},
		{"no-EKU intermediate", "client-good-chain.pem", root, IntermediateNoClientAuthEKU, false, 0, "", ""},
		{"wrong intermediate is not on the path", "client-good-wrong-intermediate.pem", root, IntermediateNoClientAuthEKU, false, 0, "", ""},
		{"expired", "client-expired-chain.pem", root, Expired, true, 0, Error, "expired at 2026-01-01T00:00:00Z, 151 days before 2026-06-01T00:00:00Z"},
		{"valid", "client-good-chain.pem", root, Expired, false, 0, "", ""},
		{"not yet valid", "client-not-yet-valid-chain.pem", root, NotYetValid, true, 0, Error, "is not yet valid: it starts at 2030-01-01T00:00:00Z, 1310 days after 2026-06-01T00:00:00Z"},
		{"started", "client-good-chain.pem", root, NotYetValid, false, 0, "", ""},
		{"expires in 19 days", "client-expiring-soon-chain.pem", root, ExpiresSoon, true, 0, Warning, "expires at 2026-06-20T00:00:00Z, in 19 days"},
		{"expires in 2027", "client-good-chain.pem", root, ExpiresSoon, false, 0, "", ""},
		{"expired is not expiring", "client-expired-chain.pem", root, ExpiresSoon, false, 0, "", ""},
		{"self-signed leaf", "client-self-signed.pem", root, SelfSignedLeaf, true, 0, Warning, "is self-signed: only a server that holds this exact certificate"},
		{"pinned self-signed leaf", "client-self-signed.pem", []string{"client-self-signed.pem"}, SelfSignedLeaf, true, 0, Info, "pinned in bundle client-self-signed.pem"},
		{"issued leaf", "client-good-chain.pem", root, SelfSignedLeaf, false, 0, "", ""},
		{"leaf only", "client-good.pem", root, MissingIntermediate, true, 0, Error, "certificate 1 (CN=client.example.com) was issued by CN=Acme Issuing CA (authority key id A4658A48B47E4C5DE4580A1F874F1DE4F4E0DFBF), which is not sent in the chain or in bundle root.pem"},
		{"leaf only, two bundles", "client-good.pem", []string{"root.pem", "root-b.pem"}, MissingIntermediate, true, 0, Error, "not sent in the chain or in bundles root.pem, root-b.pem"},
		{"wrong intermediate", "client-good-wrong-intermediate.pem", root, MissingIntermediate, true, 0, Error, "issued by CN=Acme Issuing CA"},
		{"leaf and intermediate", "client-good-chain.pem", root, MissingIntermediate, false, 0, "", ""},
		{"intermediate in the bundle", "client-good.pem", []string{"intermediate.pem"}, MissingIntermediate, false, 0, "", ""},
		{"leaf only, no bundle", "client-good.pem", nil, MissingIntermediate, false, 0, "", ""},
		{"out of order", "client-good-out-of-order.pem", root, ChainOutOfOrder, true, -1, Warning, "after certificate 1 (CN=client.example.com) should come its issuer, certificate 3 (CN=Acme Issuing CA), not certificate 2 (CN=Acme Root CA)"},
		{"in order", "client-good-fullchain.pem", root, ChainOutOfOrder, false, 0, "", ""},
		{"duplicate", "client-good-duplicate.pem", root, ChainDuplicate, true, 2, Warning, "certificate 3 (CN=Acme Issuing CA) is a duplicate of certificate 2 (same SHA-256)"},
		{"no duplicate", "client-good-fullchain.pem", root, ChainDuplicate, false, 0, "", ""},
		{"duplicate is not out of order", "client-good-duplicate.pem", root, ChainOutOfOrder, false, 0, "", ""},
		{"unrelated", "client-good-wrong-intermediate.pem", root, ChainUnrelatedCertificate, true, 1, Warning, "certificate 2 (CN=Server Intermediate) did not issue any certificate"},
		{"all related", "client-good-fullchain.pem", root, ChainUnrelatedCertificate, false, 0, "", ""},
		{"CA as leaf", "client-ca-as-leaf.pem", root, CAAsClientCert, true, 0, Warning, "certificate 1 (CN=Acme Client CA) is a CA certificate (basic constraints CA:TRUE)"},
		{"leaf is no CA", "client-good-chain.pem", root, CAAsClientCert, false, 0, "", ""},
		{"RSA 1024", "client-rsa-1024-chain.pem", root, WeakRSAKey, true, 0, Error, "has a 1024-bit RSA key"},
		{"RSA 2048", "client-rsa-chain.pem", root, WeakRSAKey, false, 0, "", ""},
		{"SHA-1", "client-sha1-chain.pem", root, WeakSignature, true, 0, Error, "is signed with ECDSA-SHA1, which crypto/x509 no longer accepts"},
		{"SHA-256", "client-good-chain.pem", root, WeakSignature, false, 0, "", ""},
		{"CN only", "client-cn-only-chain.pem", root, NoSAN, true, 0, Info, "certificate 1 (CN=cn-only.example.com) has no subjectAltName"},
		{"SAN", "client-good-chain.pem", root, NoSAN, false, 0, "", ""},
		{"critical UPN-only SAN", "client-san-critical-upn-chain.pem", root, UnhandledCriticalExtension, true, 0, Error, "has a critical extension that crypto/x509 does not handle: subjectAltName (2.5.29.17) with no DNS, email, IP or URI entry"},
		{"critical private extension", "client-critical-unknown-ext-chain.pem", root, UnhandledCriticalExtension, true, 0, Error, "does not handle: 1.3.6.1.4.1.55555.4"},
		{"critical handled extensions", "client-good-chain.pem", root, UnhandledCriticalExtension, false, 0, "", ""},
		{"URI with a space", "client-san-bad-uri-chain.pem", root, MalformedSAN, true, 0, Error, `SAN URI "http://exa mple/": contains a space at byte 10`},
		{"URI with a space is not also malformed_certificate", "client-san-bad-uri-chain.pem", root, MalformedCertificate, false, 0, "", ""},
		{"otherName SANs", "client-san-othernames-chain.pem", root, MalformedSAN, false, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bundles []*trust.Bundle
			if tt.bundles != nil {
				bundles = bundleFiles(t, tt.bundles...)
			}
			fs := Findings(chainFile(t, tt.file), bundles, pki.TestNow)
			call := fmt.Sprintf("Findings(%s, %v)", tt.file, tt.bundles)
			f := find(fs, tt.id)
			switch {
			case !tt.want && f != nil:
				t.Errorf("%s has %s: %s; want none", call, tt.id, f.Message)
			case tt.want && f == nil:
				t.Errorf("%s has no %s; got %+v", call, tt.id, fs)
			case tt.want:
				if f.Cert != tt.cert || f.Severity != tt.severity || !strings.Contains(f.Message, tt.contains) || f.Fix == "" {
					t.Errorf("%s %s = cert %d, %s, %q (fix %q); want cert %d, %s, message containing %q", call, tt.id, f.Cert, f.Severity, f.Message, f.Fix, tt.cert, tt.severity, tt.contains)
				}
			}
		})
	}
}

// TestFindingsGoodChainIsClean: the certificate everything else is compared with
// has nothing to report.
func TestFindingsGoodChainIsClean(t *testing.T) {
	for _, file := range []string{"client-good-chain.pem", "client-good-fullchain.pem", "client-rsa-chain.pem", "client-ed25519-chain.pem"} {
		if fs := Findings(chainFile(t, file), bundleFiles(t, "root.pem"), pki.TestNow); len(fs) != 0 {
			t.Errorf("Findings(%s) = %+v, want none", file, fs)
		}
	}
}

// TestFindingsSynthetic covers what the test PKI does not hold: MD5, a tiny RSA key,
// a leaf with no name at all, nil entries, an empty chain, the zero time.
func TestFindingsSynthetic(t *testing.T) {
	now := pki.TestNow
	valid := func(c *certinfo.Certificate) *certinfo.Certificate {
		c.NotBefore, c.NotAfter = now.Add(-time.Hour), now.Add(365*24*time.Hour)
		return c
	}
	md5 := valid(&certinfo.Certificate{SignatureAlgorithm: "MD5-RSA", Subject: certinfo.Name{DN: "CN=md5", CN: "md5"}, SANEntries: []string{"DNS:md5"}, Extensions: []certinfo.Extension{{OID: "2.5.29.17"}}})
	if f := find(Findings([]*certinfo.Certificate{md5}, nil, now), WeakSignature); f == nil || !strings.Contains(f.Message, "MD5-RSA") {
		t.Errorf("Findings(MD5-RSA) %s = %+v", WeakSignature, f)
	}
	tiny := valid(&certinfo.Certificate{PublicKey: certinfo.PublicKey{Algorithm: "RSA", Bits: 512}, Subject: certinfo.Name{DN: "CN=tiny"}})
	if f := find(Findings([]*certinfo.Certificate{tiny}, nil, now), WeakRSAKey); f == nil || !strings.Contains(f.Message, "below 1024 bits") {
		t.Errorf("Findings(RSA 512) %s = %+v", WeakRSAKey, f)
	}
	nameless := valid(&certinfo.Certificate{})
	if f := find(Findings([]*certinfo.Certificate{nameless}, nil, now), NoSAN); f == nil || f.Severity != Warning || !strings.Contains(f.Message, "certificate 1 (empty subject) has no subjectAltName and no CN") {
		t.Errorf("Findings(no name) %s = %+v", NoSAN, f)
	}
	critical := valid(&certinfo.Certificate{Subject: certinfo.Name{DN: "CN=x", CN: "x"}, Extensions: []certinfo.Extension{{OID: "2.5.29.19", Name: "basicConstraints", Critical: true}, {OID: "2.16.840.1.113730.1.13", Name: "nsComment", Critical: true}}})
	if f := find(Findings([]*certinfo.Certificate{critical}, nil, now), UnhandledCriticalExtension); f == nil || !strings.HasSuffix(f.Message, "does not handle: nsComment (2.16.840.1.113730.1.13)") {
		t.Errorf("Findings(critical nsComment, no crypto/x509 parse) %s = %+v", UnhandledCriticalExtension, f)
	}
	broken := valid(&certinfo.Certificate{Subject: certinfo.Name{DN: "CN=x", CN: "x"}, Problems: []string{"validity: notAfter: malformed UTCTime \"x\"", "crypto/x509 rejects it: x509: malformed validity"}})
	if f := find(Findings([]*certinfo.Certificate{broken}, nil, now), MalformedCertificate); f == nil || f.Severity != Error || !strings.Contains(f.Message, "malformed validity") {
		t.Errorf("Findings(malformed) %s = %+v", MalformedCertificate, f)
	}
	for name, in := range map[string][]*certinfo.Certificate{"nil chain": nil, "nil leaf": {nil}} {
		if fs := Findings(in, nil, now); fs == nil || len(fs) != 0 {
			t.Errorf("Findings(%s) = %#v, want an empty, non-nil list", name, fs)
		}
	}
	if fs := Findings([]*certinfo.Certificate{md5, nil}, []*trust.Bundle{nil}, time.Time{}); find(fs, WeakSignature) == nil {
		t.Errorf("Findings(leaf, nil; zero time) = %+v, want the leaf's findings", fs)
	}
}

// TestFindingsSorted: errors come before warnings, warnings before info.
func TestFindingsSorted(t *testing.T) {
	fs := Findings(chainFile(t, "ca-expired.pem"), nil, pki.TestNow)
	rank := map[Severity]int{Error: 0, Warning: 1, Info: 2}
	for i := 1; i < len(fs); i++ {
		if rank[fs[i].Severity] < rank[fs[i-1].Severity] {
			t.Fatalf("Findings(ca-expired.pem) not sorted by severity: %+v", fs)
		}
	}
	if len(fs) < 3 {
		t.Fatalf("Findings(ca-expired.pem) = %+v, want expired, ca_as_client_cert, self_signed_leaf, no_san", fs)
	}
}

// TestGolden pins every message and fix for every chain of the test PKI, verified
// against root.pem: a change of wording shows as a diff (go test -update accepts it).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(pkiDir, "*.pem"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test PKI in %s: %v", pkiDir, err)
	}
	bundles := bundleFiles(t, "root.pem")
	var b strings.Builder
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "bundle-") {
			continue
		}
		fmt.Fprintf(&b, "%s\n", name)
		for _, x := range Findings(chainFile(t, name), bundles, pki.TestNow) {
			fmt.Fprintf(&b, "  %s %s cert %d: %s\n    fix: %s\n", x.Severity, x.ID, x.Cert, x.Message, x.Fix)
		}
	}
	path := filepath.Join("testdata", "golden", "findings.txt")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./internal/diagnose -run TestGolden -update)", err)
	}
	if got := b.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range max(len(gl), len(wl)) {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("Findings output differs from %s at line %d (go test -update accepts it):\ngot  %s\nwant %s", path, i+1, g, w)
			}
		}
	}
}

// BenchmarkFindings is what every inspect and decision adds: a two-certificate
// chain against one bundle.
func BenchmarkFindings(b *testing.B) {
	data, err := os.ReadFile(filepath.Join(pkiDir, "client-good-chain.pem"))
	if err != nil {
		b.Fatal(err)
	}
	chain, err := parseChain("chain", data)
	if err != nil {
		b.Fatal(err)
	}
	rootPEM, _ := os.ReadFile(filepath.Join(pkiDir, "root.pem"))
	bundle, err := trust.ParseBundle("root.pem", rootPEM, pki.TestNow)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		Findings(chain, []*trust.Bundle{bundle}, pki.TestNow)
	}
}

// TestFindingsDeceptiveText: a real certificate whose CN reads "example.com" on
// screen but holds a RIGHT-TO-LEFT OVERRIDE, and whose subject also has a zero
// width space, gets one deceptive_text finding whose message shows the characters
// instead of obeying them.
func TestFindingsDeceptiveText(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "\u202Emoc.elpmaxe", Organization: []string{"Ac\u200Bme"}},
		NotBefore:    pki.TestNow.Add(-time.Hour),
		NotAfter:     pki.TestNow.Add(90 * 24 * time.Hour),
		DNSNames:     []string{"example.com"},
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := certinfo.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	fs := Findings([]*certinfo.Certificate{c}, nil, pki.TestNow)
	f := find(fs, DeceptiveText)
	if f == nil {
		t.Fatalf("no %s finding in %+v", DeceptiveText, fs)
	}
	if f.Severity != Warning || f.Cert != 0 {
		t.Errorf("severity %s, cert %d; want warning, 0", f.Severity, f.Cert)
	}
	for _, want := range []string{"certificate 1 (CN=<U+202E>moc.elpmaxe,O=Ac<U+200B>me)", "in its subject O, subject CN (U+200B ZERO WIDTH SPACE, U+202E RIGHT-TO-LEFT OVERRIDE)"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("message %q lacks %q", f.Message, want)
		}
	}
	for _, x := range fs {
		if strings.ContainsRune(x.Message, '\u202E') || strings.ContainsRune(x.Message, '\u200B') {
			t.Errorf("finding %s quotes a deceptive character as is: %q", x.ID, x.Message)
		}
	}
	// The characters stay in the view the rule reads: only messages show them escaped.
	if c.Subject.CN != "\u202Emoc.elpmaxe" {
		t.Errorf("CN = %q, want the certificate's exact value", c.Subject.CN)
	}
	clean := valid(t, &certinfo.Certificate{Subject: certinfo.Name{DN: "CN=Ünïcødé", CN: "Ünïcødé", Attributes: []certinfo.Attribute{{Type: "CN", Value: "Ünïcødé"}}}, SANEntries: []string{"DNS:x"}})
	if f := find(Findings([]*certinfo.Certificate{clean}, nil, pki.TestNow), DeceptiveText); f != nil {
		t.Errorf("plain non-ASCII text got %+v", f)
	}
	c1 := valid(t, &certinfo.Certificate{Subject: certinfo.Name{DN: "CN=a\u0085b", Attributes: []certinfo.Attribute{{Type: "CN", Value: "a\u0085b"}}}, SANEntries: []string{"UPN:u\u2066@x"}})
	if f := find(Findings([]*certinfo.Certificate{c1}, nil, pki.TestNow), DeceptiveText); f == nil || !strings.Contains(f.Message, "subject CN, SAN UPN") || !strings.Contains(f.Message, "U+0085 C1 CONTROL") || !strings.Contains(f.Message, "U+2066 LEFT-TO-RIGHT ISOLATE") {
		t.Errorf("C1 control and isolate: %+v", f)
	}
}

func valid(t *testing.T, c *certinfo.Certificate) *certinfo.Certificate {
	t.Helper()
	c.NotBefore, c.NotAfter = pki.TestNow.Add(-time.Hour), pki.TestNow.Add(365*24*time.Hour)
	return c
}
