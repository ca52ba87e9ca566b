package pki

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var (
	caFrom   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	caTo     = time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC)
	leafFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	leafTo   = time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
)

func mustChain(t *testing.T) (root, inter, leaf *Cert) {
	t.Helper()
	var err error
	root, err = SelfSign(Spec{Subject: pkix.Name{CommonName: "Test Root"}, NotBefore: caFrom, NotAfter: caTo, IsCA: true})
	if err != nil {
		t.Fatalf("SelfSign(root) error: %v", err)
	}
	inter, err = root.Issue(Spec{Subject: pkix.Name{CommonName: "Test Issuing"}, NotBefore: caFrom, NotAfter: caTo, IsCA: true, MaxPathLenZero: true})
	if err != nil {
		t.Fatalf("Issue(intermediate) error: %v", err)
	}
	leaf, err = inter.Issue(Spec{
		Subject:     pkix.Name{CommonName: "client.example.com"},
		NotBefore:   leafFrom,
		NotAfter:    leafTo,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SAN:         []GeneralName{DNSName("client.example.com"), IPAddress(netip.MustParseAddr("192.0.2.10")), URI("spiffe://example.com/x")},
	})
	if err != nil {
		t.Fatalf("Issue(leaf) error: %v", err)
	}
	return root, inter, leaf
}

func TestChainVerifies(t *testing.T) {
	root, inter, leaf := mustChain(t)
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root.X509)
	inters.AddCert(inter.X509)
	chains, err := leaf.X509.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inters, CurrentTime: TestNow, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatalf("Verify() error: %v", err)
	}
	if len(chains[0]) != 3 {
		t.Errorf("Verify() chain length = %d, want 3", len(chains[0]))
	}
	if got := leaf.X509.DNSNames; len(got) != 1 || got[0] != "client.example.com" {
		t.Errorf("leaf DNSNames = %q", got)
	}
	if !bytes.Equal(leaf.X509.AuthorityKeyId, inter.X509.SubjectKeyId) || len(leaf.X509.SubjectKeyId) != 20 {
		t.Errorf("leaf AKID %X, intermediate SKID %X, leaf SKID %X", leaf.X509.AuthorityKeyId, inter.X509.SubjectKeyId, leaf.X509.SubjectKeyId)
	}
	if leaf.X509.KeyUsage != x509.KeyUsageDigitalSignature || root.X509.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("key usage leaf %v root %v", leaf.X509.KeyUsage, root.X509.KeyUsage)
	}
	if !inter.X509.MaxPathLenZero || inter.X509.MaxPathLen != 0 {
		t.Errorf("intermediate path length = %d (zero %v), want 0", inter.X509.MaxPathLen, inter.X509.MaxPathLenZero)
	}
}

func TestDeterministic(t *testing.T) {
	for _, kt := range []KeyType{ECDSAP256, RSA, Ed25519} {
		t.Run(kt.String(), func(t *testing.T) {
			make := func() *Cert {
				k, err := SeededKey(kt, 0, "deterministic")
				if err != nil {
					t.Fatalf("SeededKey() error: %v", err)
				}
				c, err := SelfSign(Spec{Subject: pkix.Name{CommonName: "d"}, NotBefore: caFrom, NotAfter: caTo, IsCA: true, Key: k})
				if err != nil {
					t.Fatalf("SelfSign() error: %v", err)
				}
				return c
			}
			a, b := make(), make()
			if !bytes.Equal(a.DER, b.DER) {
				t.Errorf("two certificates from the same seed and spec differ")
			}
			other, err := SeededKey(kt, 0, "other seed")
			if err != nil {
				t.Fatalf("SeededKey() error: %v", err)
			}
			if other.(interface{ Equal(crypto.PrivateKey) bool }).Equal(a.Key) {
				t.Errorf("different seeds gave the same key")
			}
			switch k := a.Key.(type) {
			case *ecdsa.PrivateKey:
				if kt != ECDSAP256 || k.Curve.Params().Name != "P-256" {
					t.Errorf("key %T for %v", k, kt)
				}
			case *rsa.PrivateKey:
				if kt != RSA || k.N.BitLen() != DefaultRSABits {
					t.Errorf("RSA key of %d bits for %v", k.N.BitLen(), kt)
				}
			case ed25519.PrivateKey:
				if kt != Ed25519 {
					t.Errorf("key %T for %v", k, kt)
				}
			}
			if _, err := a.KeyPEM(); err != nil {
				t.Errorf("KeyPEM() error: %v", err)
			}
		})
	}
}

func TestFreshKeysDiffer(t *testing.T) {
	a, err := NewKey(ECDSAP256, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKey(ECDSAP256, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.(*ecdsa.PrivateKey).Equal(b) {
		t.Errorf("NewKey returned the same key twice")
	}
}

func TestMarshalName(t *testing.T) {
	got, err := MarshalName(
		RDN{Attr("C", "US")},
		RDN{Attr("OU", "a"), Attr("CN", "b")},
		RDN{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Tag: asn1.TagBMPString, Value: BMPString("Zoë")}},
	)
	if err != nil {
		t.Fatalf("MarshalName() error: %v", err)
	}
	want := "3034" +
		"310b" + "3009" + "0603550406" + "1302" + "5553" +
		"3114" + "3008" + "060355040b" + "0c01" + "61" + "3008" + "0603550403" + "0c01" + "62" +
		"310f" + "300d" + "0603550403" + "1e06" + "005a006f00eb"
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("MarshalName() = %s, want %s", h, want)
	}
	if _, err := MarshalName(RDN{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Tag: 0}}); err == nil {
		t.Errorf("MarshalName(tag 0) succeeded, want an error")
	}
}

func TestMarshalSAN(t *testing.T) {
	got, err := MarshalSAN(
		DNSName("a"),
		EmailAddress("b"),
		URI("http://exa mple/"),
		IPAddress(netip.MustParseAddr("::ffff:192.0.2.1")),
		IPAddress(netip.MustParseAddr("192.0.2.1")),
		UPN("u"),
		RegisteredID(asn1.ObjectIdentifier{1, 2, 3}),
		DirectoryName(MustName(RDN{Attr("CN", "d")})),
	)
	if err != nil {
		t.Fatalf("MarshalSAN() error: %v", err)
	}
	want := "30" + "57" +
		"8201" + "61" +
		"8101" + "62" +
		"8610" + hex.EncodeToString([]byte("http://exa mple/")) +
		"8710" + "00000000000000000000ffffc0000201" +
		"8704" + "c0000201" +
		"a011" + "060a2b060104018237140203" + "a003" + "0c0175" +
		"8802" + "2a03" +
		"a40e" + "300c" + "310a" + "3008" + "0603550403" + "0c0164"
	if h := hex.EncodeToString(got); h != want {
		t.Errorf("MarshalSAN() =\n%s, want\n%s", h, want)
	}
	if _, err := MarshalSAN(IPAddress(netip.Addr{})); err == nil {
		t.Errorf("MarshalSAN(invalid IP) succeeded, want an error")
	}
}

func TestMalformedCertificates(t *testing.T) {
	_, inter, _ := mustChain(t)
	bad, err := inter.Issue(Spec{Subject: pkix.Name{CommonName: "bad"}, NotBefore: leafFrom, NotAfter: leafTo, SAN: []GeneralName{URI("http://exa mple/")}})
	if err != nil {
		t.Fatalf("Issue(bad URI) error: %v", err)
	}
	if bad.X509 != nil {
		t.Errorf("crypto/x509 parsed a certificate with URI %q; want it rejected", "http://exa mple/")
	}
	if _, err := x509.ParseCertificate(bad.DER); err == nil || !strings.Contains(err.Error(), "URI") {
		t.Errorf("ParseCertificate(bad URI) error = %v, want one about the URI", err)
	}
	if _, err := bad.Issue(Spec{NotBefore: leafFrom, NotAfter: leafTo}); err == nil {
		t.Errorf("Issue from an unparsable certificate succeeded, want an error")
	}

	crit, err := inter.Issue(Spec{Subject: pkix.Name{CommonName: "upn"}, NotBefore: leafFrom, NotAfter: leafTo, SAN: []GeneralName{UPN("u@example.com")}, SANCritical: true})
	if err != nil {
		t.Fatalf("Issue(critical UPN) error: %v", err)
	}
	if len(crit.X509.UnhandledCriticalExtensions) != 1 || !crit.X509.UnhandledCriticalExtensions[0].Equal(OIDSubjectAltName) {
		t.Errorf("UnhandledCriticalExtensions = %v, want [%v]", crit.X509.UnhandledCriticalExtensions, OIDSubjectAltName)
	}

	raw := MustName(RDN{Attr("OU", "a"), Attr("CN", "nul\x00")})
	odd, err := inter.Issue(Spec{RawSubject: raw, NotBefore: leafFrom, NotAfter: leafTo})
	if err != nil {
		t.Fatalf("Issue(raw subject) error: %v", err)
	}
	if !bytes.Equal(odd.X509.RawSubject, raw) {
		t.Errorf("RawSubject = %X, want %X", odd.X509.RawSubject, raw)
	}
}

func TestSpecErrors(t *testing.T) {
	if _, err := SelfSign(Spec{Subject: pkix.Name{CommonName: "x"}}); err == nil {
		t.Errorf("SelfSign without validity succeeded, want an error")
	}
	var nilCA *Cert
	if _, err := nilCA.Issue(Spec{NotBefore: leafFrom, NotAfter: leafTo}); err == nil {
		t.Errorf("Issue from nil succeeded, want an error")
	}
	if _, err := SeededKey(RSA, 1000, "x"); err == nil {
		t.Errorf("SeededKey(RSA, 1000) succeeded, want an error")
	}
}

func TestPEM(t *testing.T) {
	root, inter, leaf := mustChain(t)
	chain := ChainPEM(leaf, inter, root)
	var n int
	for rest := chain; ; n++ {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			t.Errorf("block %d type %q", n, b.Type)
		}
	}
	if n != 3 {
		t.Errorf("ChainPEM gave %d blocks, want 3", n)
	}
	k, err := leaf.KeyPEM()
	if err != nil {
		t.Fatalf("KeyPEM() error: %v", err)
	}
	b, _ := pem.Decode(k)
	if b == nil || b.Type != "PRIVATE KEY" {
		t.Fatalf("KeyPEM() = %q, want a PRIVATE KEY block", k)
	}
	if _, err := x509.ParsePKCS8PrivateKey(b.Bytes); err != nil {
		t.Errorf("ParsePKCS8PrivateKey() error: %v", err)
	}
}
