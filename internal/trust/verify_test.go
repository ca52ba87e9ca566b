package trust

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// The generated test PKI (go generate ./internal/pki), evaluated at pki.TestNow.
const pkiDir = "../../testdata/pki"

func readPKI(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pkiDir, name))
	if err != nil {
		t.Fatalf("reading test PKI: %v (run go generate ./internal/pki)", err)
	}
	return b
}

func parseChain(t testing.TB, name string, data []byte) []*certinfo.Certificate {
	t.Helper()
	blocks, err := certinput.Decode(name, data)
	if err != nil {
		t.Fatalf("certinput.Decode(%s) error: %v", name, err)
	}
	var certs []*certinfo.Certificate
	for _, b := range blocks {
		c, err := certinfo.Parse(b.DER)
		if err != nil {
			t.Fatalf("certinfo.Parse(%s %s) error: %v", name, b.Where, err)
		}
		certs = append(certs, c)
	}
	return certs
}

func chainFile(t testing.TB, name string) []*certinfo.Certificate {
	t.Helper()
	return parseChain(t, name, readPKI(t, name))
}

func bundleFile(t testing.TB, name string) *Bundle {
	t.Helper()
	b, err := ParseBundle(name, readPKI(t, name), pki.TestNow)
	if err != nil {
		t.Fatalf("ParseBundle(%s) error: %v", name, err)
	}
	return b
}

// keyIDOf is the subject key id of the (first) certificate in a file, as messages
// print it.
func keyIDOf(t testing.TB, name string) string {
	t.Helper()
	return keyID(chainFile(t, name)[0].X509().SubjectKeyId)
}

type want struct {
	ok       bool
	bundle   string // that verified
	chain    []string
	tried    string // "bundle:kind,bundle:ok"
	kind     Kind
	cert     int
	subject  string
	message  string // exact, when set
	prefix   string // else the message starts with this
	issuer   string
	keyID    string
	noBundle bool // the failure came before any bundle was tried
}

func check(t *testing.T, call string, got Result, w want) {
	t.Helper()
	if got.OK != w.ok {
		t.Fatalf("%s OK = %v, want %v; result %s", call, got.OK, w.ok, js(got))
	}
	var tried []string
	for _, a := range got.Tried {
		if a.OK {
			tried = append(tried, a.Bundle+":ok")
		} else {
			tried = append(tried, a.Bundle+":"+string(a.Kind))
		}
	}
	if s := strings.Join(tried, ","); s != w.tried {
		t.Errorf("%s tried = %q, want %q", call, s, w.tried)
	}
	if w.ok {
		if got.Bundle != w.bundle || got.Failure != nil {
			t.Errorf("%s = bundle %q, failure %v; want bundle %q, no failure", call, got.Bundle, got.Failure, w.bundle)
		}
		var subjects []string
		for _, c := range got.Chain {
			subjects = append(subjects, c.Subject)
			if len(c.SHA256) != 64 {
				t.Errorf("%s chain fingerprint %q is not 64 hex digits", call, c.SHA256)
			}
		}
		if strings.Join(subjects, " | ") != strings.Join(w.chain, " | ") {
			t.Errorf("%s chain = %q, want %q", call, subjects, w.chain)
		}
		return
	}
	f := got.Failure
	if f == nil {
		t.Fatalf("%s failed without a Failure", call)
	}
	if got.Bundle != "" || got.Chain != nil {
		t.Errorf("%s failed but names bundle %q and chain %v", call, got.Bundle, got.Chain)
	}
	if f.Kind != w.kind || f.Cert != w.cert || f.Subject != w.subject {
		t.Errorf("%s failure = {%s, cert %d, %q}, want {%s, cert %d, %q}", call, f.Kind, f.Cert, f.Subject, w.kind, w.cert, w.subject)
	}
	if w.message != "" && f.Message != w.message {
		t.Errorf("%s message =\n%q, want\n%q", call, f.Message, w.message)
	}
	if w.prefix != "" && !strings.HasPrefix(f.Message, w.prefix) {
		t.Errorf("%s message = %q, want prefix %q", call, f.Message, w.prefix)
	}
	if f.MissingIssuer != w.issuer || f.MissingKeyID != w.keyID {
		t.Errorf("%s missing issuer, key id = %q, %q; want %q, %q", call, f.MissingIssuer, f.MissingKeyID, w.issuer, w.keyID)
	}
	if strings.ContainsAny(f.Message, "\n") || f.Message == "" || f.Message[0] < 'a' || f.Message[0] > 'z' {
		if !strings.HasPrefix(f.Message, "CA certificate") {
			t.Errorf("%s message %q is not one lower-case line", call, f.Message)
		}
	}
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestVerifyTestPKI(t *testing.T) {
	const (
		leafDN  = "CN=client.example.com"
		interDN = "CN=Acme Issuing CA"
		rootDN  = "CN=Acme Root CA"
	)
	interKID, rootKID := keyIDOf(t, "intermediate.pem"), keyIDOf(t, "root.pem")
	good := []string{leafDN, interDN, rootDN}
	tests := []struct {
		name    string
		chain   string
		bundles []string
		want    want
	}{
		{"root and intermediate chain", "client-good-chain.pem", []string{"root.pem"},
			want{ok: true, bundle: "root.pem", chain: good, tried: "root.pem:ok"}},
		{"chain carrying its root", "client-good-fullchain.pem", []string{"root.pem"},
			want{ok: true, bundle: "root.pem", chain: good, tried: "root.pem:ok"}},
		{"no EKU passes", "client-no-eku-chain.pem", []string{"root.pem"},
			want{ok: true, bundle: "root.pem", chain: []string{"CN=no-eku.example.com", interDN, rootDN}, tried: "root.pem:ok"}},
		{"RSA leaf", "client-rsa-chain.pem", []string{"root.pem"},
			want{ok: true, bundle: "root.pem", chain: []string{"CN=rsa.example.com", interDN, rootDN}, tried: "root.pem:ok"}},
		{"Ed25519 leaf", "client-ed25519-chain.pem", []string{"root.pem"},
			want{ok: true, bundle: "root.pem", chain: []string{"CN=ed25519.example.com", interDN, rootDN}, tried: "root.pem:ok"}},
		{"otherName SANs do not matter to Go", "client-san-othernames-chain.pem", []string{"root.pem"},
			want{ok: true, bundle: "root.pem", chain: []string{"CN=othernames.example.com", interDN, rootDN}, tried: "root.pem:ok"}},
		{"hard DN verifies", "dn-control-chain.pem", []string{"root.pem"},
			want{ok: true, bundle: "root.pem", chain: []string{`CN=nul\00byte,OU=del\7Fchar,OU=line\0Afeed,O=Acme,C=US`, interDN, rootDN}, tried: "root.pem:ok"}},
		{"second bundle verifies", "client-root-b.pem", []string{"root.pem", "root-b.pem"},
			want{ok: true, bundle: "root-b.pem", chain: []string{"CN=partner-b.example.com", "CN=Partner Root CA"}, tried: "root.pem:unknown_issuer,root-b.pem:ok"}},
		{"second bundle verifies a chain", "client-good-chain.pem", []string{"untrusted-root.pem", "bundle-two-roots.pem"},
			want{ok: true, bundle: "bundle-two-roots.pem", chain: good, tried: "untrusted-root.pem:unknown_issuer,bundle-two-roots.pem:ok"}},
		{"first bundle wins", "client-good-chain.pem", []string{"root.pem", "bundle-two-roots.pem"},
			want{ok: true, bundle: "root.pem", chain: good, tried: "root.pem:ok"}},
		{"bundle with a warning still verifies", "client-good-chain.pem", []string{"bundle-duplicate.pem"},
			want{ok: true, bundle: "bundle-duplicate.pem", chain: good, tried: "bundle-duplicate.pem:ok"}},

		{"leaf only, intermediate not sent", "client-good.pem", []string{"root.pem"},
			want{tried: "root.pem:unknown_issuer", kind: UnknownIssuer, cert: 0, subject: leafDN, issuer: interDN, keyID: interKID,
				message: "unknown issuer: CN=Acme Issuing CA (authority key id " + interKID + ") is not in bundle root.pem or sent in the chain"}},
		{"leaf only, two bundles", "client-good.pem", []string{"root.pem", "root-b.pem"},
			want{tried: "root.pem:unknown_issuer,root-b.pem:unknown_issuer", kind: UnknownIssuer, cert: 0, subject: leafDN, issuer: interDN, keyID: interKID,
				message: "unknown issuer: CN=Acme Issuing CA (authority key id " + interKID + ") is not in bundles root.pem, root-b.pem or sent in the chain"}},
		{"root missing from bundle", "client-good-chain.pem", []string{"untrusted-root.pem"},
			want{tried: "untrusted-root.pem:unknown_issuer", kind: UnknownIssuer, cert: 1, subject: interDN, issuer: rootDN, keyID: rootKID,
				message: "unknown issuer: CN=Acme Root CA (authority key id " + rootKID + ") is not in bundle untrusted-root.pem or sent in the chain"}},
		{"root sent but not trusted", "client-good-fullchain.pem", []string{"untrusted-root.pem"},
			want{tried: "untrusted-root.pem:unknown_issuer", kind: UnknownIssuer, cert: 2, subject: rootDN, issuer: rootDN, keyID: rootKID,
				message: "unknown issuer: certificate 3 (CN=Acme Root CA) is self-signed and is not in bundle untrusted-root.pem"}},
		{"untrusted CA", "client-untrusted.pem", []string{"root.pem"},
			want{tried: "root.pem:unknown_issuer", kind: UnknownIssuer, cert: 0, subject: "CN=untrusted.example.com", issuer: "CN=Untrusted Root CA", keyID: keyIDOf(t, "untrusted-root.pem"),
				message: "unknown issuer: CN=Untrusted Root CA (authority key id " + keyIDOf(t, "untrusted-root.pem") + ") is not in bundle root.pem or sent in the chain"}},
		{"self-signed leaf", "client-self-signed.pem", []string{"root.pem"},
			want{tried: "root.pem:unknown_issuer", kind: UnknownIssuer, cert: 0, subject: "CN=self-signed.example.com", issuer: "CN=self-signed.example.com", keyID: keyIDOf(t, "client-self-signed.pem"),
				message: "unknown issuer: certificate 1 (CN=self-signed.example.com) is self-signed and is not in bundle root.pem"}},

		{"expired leaf", "client-expired-chain.pem", []string{"root.pem"},
			want{noBundle: true, kind: Expired, cert: 0, subject: leafDN,
				message: "certificate 1 (CN=client.example.com) expired at 2026-01-01T00:00:00Z, 151 days before 2026-06-01T00:00:00Z"}},
		{"expired leaf, untrusted too: expiry first, as Go", "client-expired.pem", []string{"untrusted-root.pem"},
			want{noBundle: true, kind: Expired, cert: 0, subject: leafDN,
				message: "certificate 1 (CN=client.example.com) expired at 2026-01-01T00:00:00Z, 151 days before 2026-06-01T00:00:00Z"}},
		{"not yet valid leaf", "client-not-yet-valid-chain.pem", []string{"root.pem"},
			want{noBundle: true, kind: NotYetValid, cert: 0, subject: leafDN,
				message: "certificate 1 (CN=client.example.com) is not yet valid: it starts at 2030-01-01T00:00:00Z, 1310 days after 2026-06-01T00:00:00Z"}},
		{"expired CA in the bundle", "client-under-expired-ca.pem", []string{"bundle-expired-ca.pem"},
			want{tried: "bundle-expired-ca.pem:expired", kind: Expired, cert: -1, subject: "CN=Acme Expired Root CA",
				message: "CA certificate (CN=Acme Expired Root CA) in bundle bundle-expired-ca.pem expired at 2025-01-01T00:00:00Z, 516 days before 2026-06-01T00:00:00Z"}},

		{"serverAuth-only leaf", "server-localhost-chain.pem", []string{"root.pem"},
			want{tried: "root.pem:ext_key_usage", kind: ExtKeyUsage, cert: 0, subject: "CN=localhost",
				message: "certificate 1 (CN=localhost) does not allow clientAuth: its extended key usage is serverAuth"}},
		{"serverAuth-only intermediate", "client-under-serverauth-intermediate-chain.pem", []string{"root.pem"},
			want{tried: "root.pem:ext_key_usage", kind: ExtKeyUsage, cert: 1, subject: "CN=Server Intermediate",
				message: "certificate 2 (CN=Server Intermediate) does not allow clientAuth: its extended key usage is serverAuth"}},
		{"EKU failure beats unknown issuer of another bundle", "client-under-serverauth-intermediate-chain.pem", []string{"root-b.pem", "root.pem"},
			want{tried: "root-b.pem:unknown_issuer,root.pem:ext_key_usage", kind: ExtKeyUsage, cert: 1, subject: "CN=Server Intermediate",
				message: "certificate 2 (CN=Server Intermediate) does not allow clientAuth: its extended key usage is serverAuth"}},

		{"critical SAN with only a UPN", "client-san-critical-upn-chain.pem", []string{"root.pem"},
			want{noBundle: true, kind: CriticalExtension, cert: 0, subject: "CN=upn-only",
				message: "certificate 1 (CN=upn-only) has a critical extension that crypto/x509 does not handle: subjectAltName (2.5.29.17) with no DNS, email, IP or URI entry"}},
		{"URI SAN Go rejects", "client-san-bad-uri-chain.pem", []string{"root.pem"},
			want{noBundle: true, kind: Unparsable, cert: 0, subject: "CN=bad-uri.example.com",
				prefix: "certificate 1 (CN=bad-uri.example.com) cannot be verified: "}},
		{"bad signature", "client-bad-signature-chain.pem", []string{"root.pem"},
			want{tried: "root.pem:signature", kind: Signature, cert: 0, subject: "CN=bad-signature.example.com",
				message: "certificate 1 (CN=bad-signature.example.com) has a signature that does not verify with the key of its issuer, certificate 2 (CN=Acme Issuing CA): ECDSA verification failure"}},
		{"name constraints", "client-name-constrained-chain.pem", []string{"root.pem"},
			want{tried: "root.pem:name_constraints", kind: NameConstraints, cert: 0, subject: leafDN,
				message: `certificate 1 (CN=client.example.com) is outside the name constraints of certificate 2 (CN=Acme Constrained CA): DNS name "client.example.com" is not permitted by any constraint`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var bundles []*Bundle
			for _, n := range tt.bundles {
				bundles = append(bundles, bundleFile(t, n))
			}
			got := Verify(chainFile(t, tt.chain), bundles, pki.TestNow)
			check(t, "Verify("+tt.chain+", "+strings.Join(tt.bundles, " ")+")", got, tt.want)
			if tt.want.noBundle && len(got.Tried) != 0 {
				t.Errorf("tried %v, want no bundle tried", got.Tried)
			}
			if _, err := json.Marshal(got); err != nil {
				t.Errorf("json.Marshal(result) error: %v", err)
			}
		})
	}
}

// TestVerifyBuilt covers causes the file fixtures do not: chains made on the spot.
func TestVerifyBuilt(t *testing.T) {
	at := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	mk := func(issuer *pki.Cert, spec pki.Spec) *pki.Cert {
		t.Helper()
		if spec.NotBefore.IsZero() {
			spec.NotBefore, spec.NotAfter = at(2025), at(2030)
		}
		var c *pki.Cert
		var err error
		if issuer == nil {
			c, err = pki.SelfSign(spec)
		} else {
			c, err = issuer.Issue(spec)
		}
		if err != nil {
			t.Fatalf("creating %v: %v", spec.Subject, err)
		}
		return c
	}
	name := func(cn string) pkix.Name { return pkix.Name{CommonName: cn} }
	clientAuth := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	root := mk(nil, pki.Spec{Subject: name("Root"), IsCA: true})
	inter := mk(root, pki.Spec{Subject: name("Inter"), IsCA: true})
	bundle := func(certs ...*pki.Cert) []*Bundle {
		b, err := ParseBundle("b.pem", pki.ChainPEM(certs...), pki.TestNow)
		if err != nil {
			t.Fatalf("ParseBundle() error: %v", err)
		}
		return []*Bundle{b}
	}
	certs := func(cs ...*pki.Cert) []*certinfo.Certificate {
		return parseChain(t, "chain", pki.ChainPEM(cs...))
	}

	expiredInter := mk(root, pki.Spec{Subject: name("Old Inter"), IsCA: true, NotBefore: at(2020), NotAfter: at(2026)})
	leafOfExpired := mk(expiredInter, pki.Spec{Subject: name("leaf"), ExtKeyUsage: clientAuth})
	notCA := mk(inter, pki.Spec{Subject: name("not a CA"), ExtKeyUsage: clientAuth})
	leafOfLeaf := mk(notCA, pki.Spec{Subject: name("leaf of leaf"), ExtKeyUsage: clientAuth})
	impostor := mk(root, pki.Spec{Subject: name("Inter"), IsCA: true}) // same name as inter, another key
	leaf := mk(inter, pki.Spec{Subject: name("leaf"), ExtKeyUsage: clientAuth})
	critInter := mk(root, pki.Spec{Subject: name("Crit Inter"), IsCA: true, ExtraExtensions: []pkix.Extension{{Id: []int{1, 3, 6, 1, 4, 1, 55555, 9}, Critical: true, Value: []byte{0x05, 0x00}}}})
	leafOfCrit := mk(critInter, pki.Spec{Subject: name("leaf"), ExtKeyUsage: clientAuth})
	serverRoot := mk(nil, pki.Spec{Subject: name("Server Root"), IsCA: true, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	leafOfServerRoot := mk(serverRoot, pki.Spec{Subject: name("leaf"), ExtKeyUsage: clientAuth})
	pinned := mk(nil, pki.Spec{Subject: name("pinned"), ExtKeyUsage: clientAuth})

	tests := []struct {
		name      string
		presented []*certinfo.Certificate
		bundles   []*Bundle
		want      want
	}{
		{"expired intermediate", certs(leafOfExpired, expiredInter), bundle(root),
			want{tried: "b.pem:expired", kind: Expired, cert: 1, subject: "CN=Old Inter",
				message: "certificate 2 (CN=Old Inter) expired at 2026-01-01T00:00:00Z, 151 days before 2026-06-01T00:00:00Z"}},
		{"intermediate that is not a CA", certs(leafOfLeaf, notCA), bundle(root, inter),
			want{tried: "b.pem:other", kind: Other, cert: 1, subject: "CN=not a CA",
				message: "certificate 2 (CN=not a CA) issued certificate 1 (CN=leaf of leaf) but is not a CA certificate (basic constraints CA:FALSE or absent)"}},
		{"issuer with the right name but another key", certs(leaf, impostor), bundle(root),
			want{tried: "b.pem:unknown_issuer", kind: UnknownIssuer, cert: 0, subject: "CN=leaf", issuer: "CN=Inter", keyID: keyID(inter.X509.SubjectKeyId),
				message: "unknown issuer: CN=Inter (authority key id " + keyID(inter.X509.SubjectKeyId) + ") is not in bundle b.pem or sent in the chain; certificate 2 (CN=Inter) has that name but key id " + keyID(impostor.X509.SubjectKeyId)}},
		{"intermediate with an unhandled critical extension", certs(leafOfCrit, critInter), bundle(root),
			want{tried: "b.pem:critical_extension", kind: CriticalExtension, cert: 1, subject: "CN=Crit Inter",
				message: "certificate 2 (CN=Crit Inter) has a critical extension that crypto/x509 does not handle: 1.3.6.1.4.1.55555.9"}},
		{"root in the bundle restricts EKU", certs(leafOfServerRoot), bundle(serverRoot),
			want{tried: "b.pem:ext_key_usage", kind: ExtKeyUsage, cert: -1, subject: "CN=Server Root",
				message: "CA certificate (CN=Server Root) in bundle b.pem does not allow clientAuth: its extended key usage is serverAuth"}},
		{"pinned self-signed leaf", certs(pinned), bundle(pinned),
			want{ok: true, bundle: "b.pem", chain: []string{"CN=pinned"}, tried: "b.pem:ok"}},
		{"extra unrelated certificate sent", certs(leaf, inter, serverRoot), bundle(root),
			want{ok: true, bundle: "b.pem", chain: []string{"CN=leaf", "CN=Inter", "CN=Root"}, tried: "b.pem:ok"}},
		{"no certificate", nil, bundle(root),
			want{kind: Other, cert: -1, message: "no certificate was presented"}},
		{"no bundle", certs(leaf, inter), nil,
			want{kind: Other, cert: -1, message: "no truststore bundle is selected, so no chain can be trusted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, "Verify("+tt.name+")", Verify(tt.presented, tt.bundles, pki.TestNow), tt.want)
		})
	}
}

// TestVerifyAgreesWithGo makes sure the explanation never changes the verdict:
// Verify is OK exactly when crypto/x509 verifies with the same inputs.
func TestVerifyAgreesWithGo(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(pkiDir, "*.pem"))
	if err != nil {
		t.Fatal(err)
	}
	bundleNames := []string{"root.pem", "root-b.pem", "bundle-two-roots.pem", "bundle-expired-ca.pem", "bundle-not-yet-valid-ca.pem", "bundle-with-leaf.pem", "untrusted-root.pem"}
	for _, f := range files {
		name := filepath.Base(f)
		if strings.HasPrefix(name, "bundle-") {
			continue
		}
		chain := chainFile(t, name)
		for _, bn := range bundleNames {
			b := bundleFile(t, bn)
			got := Verify(chain, []*Bundle{b}, pki.TestNow)
			goOK := false
			if leaf := chain[0].X509(); leaf != nil {
				inter := x509.NewCertPool()
				parsable := true
				for _, c := range chain[1:] {
					if c.X509() == nil {
						parsable = false
						continue
					}
					inter.AddCert(c.X509())
				}
				_, err := leaf.Verify(x509.VerifyOptions{Roots: b.Pool(), Intermediates: inter, CurrentTime: pki.TestNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
				goOK = err == nil && parsable
			}
			if got.OK != goOK {
				t.Errorf("Verify(%s, %s).OK = %v, crypto/x509 says %v (%s)", name, bn, got.OK, goOK, js(got.Failure))
			}
			if !got.OK && (got.Failure == nil || got.Failure.Kind == Other) {
				t.Errorf("Verify(%s, %s) failure %s: want a specific kind", name, bn, js(got.Failure))
			}
		}
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                         "less than an hour",
		59 * time.Minute:          "less than an hour",
		time.Hour:                 "1 hour",
		23 * time.Hour:            "23 hours",
		24 * time.Hour:            "1 day",
		49 * time.Hour:            "2 days",
		516 * 24 * time.Hour:      "516 days",
		516*24*time.Hour + 3*3600: "516 days",
	} {
		if got := FormatSpan(d); got != want {
			t.Errorf("FormatSpan(%v) = %q, want %q", d, got, want)
		}
	}
}

// BenchmarkVerify is the verification part of the decision on a fresh ECDSA P-256
// chain (leaf + intermediate, root in the bundle): parse both certificates, verify.
func BenchmarkVerify(b *testing.B) {
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Bench Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		b.Fatal(err)
	}
	inter, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "Bench Issuing"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		b.Fatal(err)
	}
	leaf, err := inter.Issue(pki.Spec{Subject: pkix.Name{CommonName: "client.example.com"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: []pki.GeneralName{pki.DNSName("client.example.com")}})
	if err != nil {
		b.Fatal(err)
	}
	bundle, err := ParseBundle("root.pem", root.CertPEM(), pki.TestNow)
	if err != nil {
		b.Fatal(err)
	}
	bundles := []*Bundle{bundle}
	ders := [][]byte{leaf.DER, inter.DER}

	b.Run("parse+verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			presented := make([]*certinfo.Certificate, len(ders))
			for i, der := range ders {
				if presented[i], err = certinfo.Parse(der); err != nil {
					b.Fatal(err)
				}
			}
			if r := Verify(presented, bundles, pki.TestNow); !r.OK {
				b.Fatalf("Verify() failed: %s", r.Failure.Message)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		presented := parseChain(b, "bench", pki.ChainPEM(leaf, inter))
		b.ReportAllocs()
		for b.Loop() {
			if r := Verify(presented, bundles, pki.TestNow); !r.OK {
				b.Fatalf("Verify() failed: %s", r.Failure.Message)
			}
		}
	})
}
