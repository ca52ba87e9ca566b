package certinfo

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	encasn1 "encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// testCA returns a deterministic Ed25519 CA certificate and its key.
func testCA(t testing.TB) (*x509.Certificate, ed25519.PrivateKey) {
	t.Helper()
	k := testKey(7)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		RawSubject:            rdnSeq(one(oC, prints("US")), one(oO, utf8s("mtlsplay test")), one(oCN, utf8s("Test Root CA"))),
		NotBefore:             testNotBefore,
		NotAfter:              testNotAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return ca, k
}

// clientCert is the typical client certificate: issued by testCA, SPIFFE URI,
// email, DNS and IP SANs, clientAuth.
func clientCert(t testing.TB) []byte {
	ca, caKey := testCA(t)
	tmpl := leafTemplate(rdnSeq(one(oC, prints("US")), one(oO, utf8s("Example Corp")), one(oOU, utf8s("payments")), one(oCN, utf8s("client-1"))))
	u, _ := url.Parse("spiffe://example.org/ns/prod/sa/payments")
	tmpl.URIs = []*url.URL{u}
	tmpl.EmailAddresses = []string{"client-1@example.org"}
	tmpl.DNSNames = []string{"client-1.example.org"}
	tmpl.IPAddresses = []net.IP{net.ParseIP("192.0.2.10"), net.ParseIP("2001:db8::10")}
	return issued(t, tmpl, ca, testKey(2).Public(), caKey)
}

func TestParseClientCert(t *testing.T) {
	der := clientCert(t)
	c := mustParse(t, der)
	ca, _ := testCA(t)
	check := func(field string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(client).%s = %#v, want %#v", field, got, want)
		}
	}
	check("Version", c.Version, 3)
	check("Serial", c.Serial, "1234")
	check("SignatureAlgorithm", c.SignatureAlgorithm, "Ed25519")
	check("Subject.DN", c.Subject.DN, "CN=client-1,OU=payments,O=Example Corp,C=US")
	check("Subject.Slash", c.Subject.Slash, "/C=US/O=Example Corp/OU=payments/CN=client-1")
	check("Subject.CN", c.Subject.CN, "client-1")
	check("Issuer.DN", c.Issuer.DN, "CN=Test Root CA,O=mtlsplay test,C=US")
	check("Issuer.CN", c.Issuer.CN, "Test Root CA")
	check("NotBefore", c.NotBefore, testNotBefore)
	check("NotAfter", c.NotAfter, testNotAfter)
	check("PublicKey", c.PublicKey, PublicKey{Algorithm: "Ed25519", Bits: 256})
	check("SANEntries", c.SANEntries, []string{"DNS:client-1.example.org", "Email:client-1@example.org",
		"IP:192.0.2.10", "IP:2001:db8::10", "URI:spiffe://example.org/ns/prod/sa/payments"})
	check("SAN.IP", c.SAN.IP, []string{"192.0.2.10", "2001:db8::10"})
	check("SPIFFEID", c.SPIFFEID, "spiffe://example.org/ns/prod/sa/payments")
	check("KeyUsage", c.KeyUsage, []string{"digitalSignature"})
	check("ExtKeyUsage", c.ExtKeyUsage, []string{"clientAuth"})
	check("IsCA", c.IsCA, false)
	check("MaxPathLen", c.MaxPathLen, -1)
	check("AuthorityKeyID", c.AuthorityKeyID, fmt.Sprintf("%X", ca.SubjectKeyId))
	check("SubjectKeyID", c.SubjectKeyID, "")
	check("SelfIssued", c.SelfIssued, false)
	check("Problems", c.Problems, []string{})
	check("Extensions", c.Extensions, []Extension{
		{OID: "2.5.29.15", Name: "keyUsage", Critical: true},
		{OID: "2.5.29.37", Name: "extKeyUsage"},
		{OID: "2.5.29.19", Name: "basicConstraints", Critical: true},
		{OID: "2.5.29.35", Name: "authorityKeyIdentifier"},
		{OID: "2.5.29.17", Name: "subjectAltName"},
	})
	s256, s1 := sha256.Sum256(der), sha1.Sum(der)
	check("SHA256", c.SHA256, fmt.Sprintf("%X", s256))
	check("SHA1", c.SHA1, fmt.Sprintf("%X", s1))
	check("PEM", c.PEM, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	check("DER", c.DER(), der)
	if c.X509() == nil || !bytes.Equal(c.X509().Raw, der) {
		t.Errorf("Parse(client).X509() = %v, want crypto/x509's parse", c.X509())
	}

	caView := mustParse(t, ca.Raw)
	check("CA IsCA", caView.IsCA, true)
	check("CA MaxPathLen", caView.MaxPathLen, 1)
	check("CA KeyUsage", caView.KeyUsage, []string{"keyCertSign", "cRLSign"})
	check("CA SelfIssued", caView.SelfIssued, true)
	check("CA SubjectKeyID", caView.SubjectKeyID, fmt.Sprintf("%X", ca.SubjectKeyId))
	check("CA SANEntries", caView.SANEntries, []string{})
	check("CA SPIFFEID", caView.SPIFFEID, "")
}

// TestParseJSONHasNoNull pins that every list is [] rather than null, for the
// page and for CEL.
func TestParseJSONHasNoNull(t *testing.T) {
	ca, _ := testCA(t)
	minimal := &x509.Certificate{SerialNumber: big.NewInt(5), RawSubject: rdnSeq(), NotBefore: testNotBefore, NotAfter: testNotAfter}
	for name, der := range map[string][]byte{"ca": ca.Raw, "client": clientCert(t), "minimal": selfSigned(t, minimal)} {
		c := mustParse(t, der)
		j, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("%s: json.Marshal: %v", name, err)
		}
		if bytes.Contains(j, []byte("null")) {
			t.Errorf("%s: JSON contains null: %s", name, j)
		}
	}
}

// TestParseGoRejects is the case docs/design.md names: crypto/x509 refuses a URI SAN
// with a space, and the certificate is still described, with the reasons.
func TestParseGoRejects(t *testing.T) {
	tmpl := leafTemplate(rdnSeq(one(oCN, utf8s("bad-uri"))))
	tmpl.ExtraExtensions = []pkix.Extension{sanExtension(false, sanValue(gnDNS("ok.example"), gnURIs("http://exa mple/")))}
	c := mustParse(t, selfSigned(t, tmpl))
	if c.X509() != nil {
		t.Fatal("X509() != nil for a certificate crypto/x509 should reject")
	}
	if want := []string{"DNS:ok.example", "URI:http://exa mple/"}; !reflect.DeepEqual(c.SANEntries, want) {
		t.Errorf("SANEntries = %q, want %q", c.SANEntries, want)
	}
	want := []string{
		`SAN URI "http://exa mple/": contains a space at byte 10 (it must be percent-encoded)`,
		`crypto/x509 rejects it: x509: cannot parse URI "http://exa mple/": parse "http://exa mple/": invalid character " " in host name`,
	}
	if !reflect.DeepEqual(c.Problems, want) {
		t.Errorf("Problems = %q, want %q", c.Problems, want)
	}
	if c.Subject.CN != "bad-uri" || c.SHA256 == "" || c.PEM == "" {
		t.Errorf("fields missing: CN %q, SHA256 %q", c.Subject.CN, c.SHA256)
	}
}

// TestParseCriticalUPN: a critical SAN with only a UPN otherName. crypto/x509
// parses it but leaves the extension unhandled, so Verify would fail; the view
// shows the UPN and the critical flag that explain it.
func TestParseCriticalUPN(t *testing.T) {
	tmpl := leafTemplate(rdnSeq())
	tmpl.ExtraExtensions = []pkix.Extension{sanExtension(true, sanValue(gnOther(oUPN, utf8s("alice@corp.example"))))}
	c := mustParse(t, selfSigned(t, tmpl))
	if want := []string{"UPN:alice@corp.example"}; !reflect.DeepEqual(c.SANEntries, want) {
		t.Errorf("SANEntries = %q, want %q", c.SANEntries, want)
	}
	if want := []string{"alice@corp.example"}; !reflect.DeepEqual(c.SAN.UPN, want) {
		t.Errorf("SAN.UPN = %q, want %q", c.SAN.UPN, want)
	}
	var san *Extension
	for i := range c.Extensions {
		if c.Extensions[i].Name == "subjectAltName" {
			san = &c.Extensions[i]
		}
	}
	if san == nil || !san.Critical {
		t.Errorf("Extensions = %+v, want a critical subjectAltName", c.Extensions)
	}
	if len(c.Problems) != 0 || c.X509() == nil {
		t.Fatalf("Problems = %q, X509() = %v; want crypto/x509 to accept it", c.Problems, c.X509())
	}
	if len(c.X509().UnhandledCriticalExtensions) != 1 {
		t.Errorf("crypto/x509 UnhandledCriticalExtensions = %v, want the SAN", c.X509().UnhandledCriticalExtensions)
	}
	if c.Subject.DN != "" || c.Subject.Slash != "" {
		t.Errorf("empty subject formatted as %q / %q", c.Subject.DN, c.Subject.Slash)
	}
}

func TestParseKeys(t *testing.T) {
	ecKey := func(c elliptic.Curve) any {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		key    any
		sigAlg x509.SignatureAlgorithm
		pk     PublicKey
		sig    string
	}{
		{"P-256", ecKey(elliptic.P256()), 0, PublicKey{"ECDSA", 256, "P-256"}, "ECDSA-SHA256"},
		{"P-384", ecKey(elliptic.P384()), 0, PublicKey{"ECDSA", 384, "P-384"}, "ECDSA-SHA384"},
		{"P-521", ecKey(elliptic.P521()), 0, PublicKey{"ECDSA", 521, "P-521"}, "ECDSA-SHA512"},
		{"RSA", rsaKey, 0, PublicKey{"RSA", 2048, ""}, "SHA256-RSA"},
		{"RSA-PSS", rsaKey, x509.SHA384WithRSAPSS, PublicKey{"RSA", 2048, ""}, "SHA384-RSAPSS"},
		{"RSA SHA512", rsaKey, x509.SHA512WithRSA, PublicKey{"RSA", 2048, ""}, "SHA512-RSA"},
		{"Ed25519", testKey(3), 0, PublicKey{"Ed25519", 256, ""}, "Ed25519"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := leafTemplate(rdnSeq(one(oCN, utf8s(tt.name))))
			tmpl.SignatureAlgorithm = tt.sigAlg
			signer := tt.key.(crypto.Signer)
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, signer.Public(), signer)
			if err != nil {
				t.Fatal(err)
			}
			c := mustParse(t, der)
			if c.PublicKey != tt.pk || c.SignatureAlgorithm != tt.sig {
				t.Errorf("Parse(%s) = %+v, %q; want %+v, %q", tt.name, c.PublicKey, c.SignatureAlgorithm, tt.pk, tt.sig)
			}
			if want := c.X509().SignatureAlgorithm.String(); c.SignatureAlgorithm != want {
				t.Errorf("SignatureAlgorithm = %q, crypto/x509 says %q", c.SignatureAlgorithm, want)
			}
			if len(c.Problems) != 0 {
				t.Errorf("Problems = %q", c.Problems)
			}
		})
	}
}

func TestFormatSerial(t *testing.T) {
	tests := []struct {
		content []byte
		want    string
	}{
		{[]byte{0}, "00"},
		{[]byte{1}, "01"},
		{[]byte{0x7F}, "7F"},
		{[]byte{0, 0x80}, "80"},
		{[]byte{1, 0x23}, "0123"},
		{[]byte{0, 0xFF, 0x00}, "FF00"},
		{bytes.Repeat([]byte{0x5A}, 20), strings.Repeat("5A", 20)},
		{[]byte{0xFF}, "-01"},
		{[]byte{0x80}, "-80"},
		{[]byte{0xFF, 0x7F}, "-81"},
		{[]byte{0xFF, 0x00}, "-0100"},
		{[]byte{0, 0, 1}, "01"}, // non-minimal: crypto/x509 reports it
	}
	for _, tt := range tests {
		var p problems
		if got := formatSerial(tt.content, &p); got != tt.want {
			t.Errorf("formatSerial(%X) = %q, want %q", tt.content, got, tt.want)
		}
	}
	var p problems
	if got := formatSerial(nil, &p); got != "" || len(p.list) != 1 {
		t.Errorf("formatSerial(empty) = %q, problems %q", got, p.list)
	}
}

func TestParseExtensionsDetails(t *testing.T) {
	tmpl := leafTemplate(rdnSeq(one(oCN, utf8s("x"))))
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageKeyEncipherment |
		x509.KeyUsageDataEncipherment | x509.KeyUsageKeyAgreement | x509.KeyUsageEncipherOnly | x509.KeyUsageDecipherOnly
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageCodeSigning,
		x509.ExtKeyUsageEmailProtection, x509.ExtKeyUsageTimeStamping, x509.ExtKeyUsageOCSPSigning, x509.ExtKeyUsageIPSECEndSystem,
		x509.ExtKeyUsageIPSECTunnel, x509.ExtKeyUsageIPSECUser, x509.ExtKeyUsageAny, x509.ExtKeyUsageMicrosoftServerGatedCrypto,
		x509.ExtKeyUsageNetscapeServerGatedCrypto}
	tmpl.UnknownExtKeyUsage = []encasn1.ObjectIdentifier{{1, 2, 3, 4}}
	tmpl.IsCA = true
	tmpl.MaxPathLenZero = true
	tmpl.SubjectKeyId = []byte{0xAB, 0xCD, 0x01}
	tmpl.ExtraExtensions = []pkix.Extension{{Id: []int{1, 2, 3, 99}, Critical: true, Value: []byte{5, 0}}}
	c := mustParse(t, selfSigned(t, tmpl))
	wantKU := []string{"digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment", "keyAgreement", "encipherOnly", "decipherOnly"}
	if !reflect.DeepEqual(c.KeyUsage, wantKU) {
		t.Errorf("KeyUsage = %q, want %q", c.KeyUsage, wantKU)
	}
	wantEKU := []string{"serverAuth", "clientAuth", "codeSigning", "emailProtection", "timeStamping", "OCSPSigning",
		"ipsecEndSystem", "ipsecTunnel", "ipsecUser", "anyExtendedKeyUsage", "msSGC", "nsSGC", "1.2.3.4"}
	if !reflect.DeepEqual(c.ExtKeyUsage, wantEKU) {
		t.Errorf("ExtKeyUsage = %q, want %q", c.ExtKeyUsage, wantEKU)
	}
	if !c.IsCA || c.MaxPathLen != 0 || c.SubjectKeyID != "ABCD01" {
		t.Errorf("IsCA, MaxPathLen, SubjectKeyID = %v, %d, %q; want true, 0, ABCD01", c.IsCA, c.MaxPathLen, c.SubjectKeyID)
	}
	last := c.Extensions[len(c.Extensions)-1]
	if last != (Extension{OID: "1.2.3.99", Critical: true}) {
		t.Errorf("unknown extension listed as %+v", last)
	}
}

// TestParseValidityForms: UTCTime before 2050, GeneralizedTime from 2050 on, as
// RFC 5280 requires and crypto/x509 writes them.
func TestParseValidityForms(t *testing.T) {
	tmpl := leafTemplate(rdnSeq(one(oCN, utf8s("long"))))
	tmpl.NotBefore = time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC)
	tmpl.NotAfter = time.Date(2051, 6, 1, 0, 0, 0, 0, time.UTC)
	c := mustParse(t, selfSigned(t, tmpl))
	if !c.NotBefore.Equal(tmpl.NotBefore) || !c.NotAfter.Equal(tmpl.NotAfter) || c.NotAfter.Location() != time.UTC {
		t.Errorf("validity = %v – %v, want %v – %v", c.NotBefore, c.NotAfter, tmpl.NotBefore, tmpl.NotAfter)
	}
}

// certParts are the pieces of a real certificate, for building malformed ones.
type certParts struct {
	version, serial, sigAlg, issuer, validity, subject, spki, extensions []byte
	outerSigAlg, sigValue, afterTBS                                      []byte
}

func partsOf(t *testing.T, der []byte) certParts {
	t.Helper()
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	var p certParts
	var version, serial, sigAlg, issuer, validity, subject, spki, ext, osig, sigv cryptobyte.String
	if !in.ReadASN1(&cert, asn1.SEQUENCE) || !cert.ReadASN1(&tbs, asn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&version, tagVersion) || !tbs.ReadASN1Element(&serial, asn1.INTEGER) ||
		!tbs.ReadASN1Element(&sigAlg, asn1.SEQUENCE) || !tbs.ReadASN1Element(&issuer, asn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&validity, asn1.SEQUENCE) || !tbs.ReadASN1Element(&subject, asn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&spki, asn1.SEQUENCE) || !tbs.ReadASN1Element(&ext, tagExtensions) ||
		!cert.ReadASN1Element(&osig, asn1.SEQUENCE) || !cert.ReadASN1Element(&sigv, asn1.BIT_STRING) {
		t.Fatal("partsOf: unexpected certificate shape")
	}
	p.version, p.serial, p.sigAlg, p.issuer, p.validity, p.subject, p.spki, p.extensions = version, serial, sigAlg, issuer, validity, subject, spki, ext
	p.outerSigAlg, p.sigValue = osig, sigv
	return p
}

func (p certParts) build() []byte {
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tbs := tlv(asn1.SEQUENCE, cat(p.version, p.serial, p.sigAlg, p.issuer, p.validity, p.subject, p.spki, p.extensions, p.afterTBS))
	return tlv(asn1.SEQUENCE, cat(tbs, p.outerSigAlg, p.sigValue))
}

func extensionsOf(exts ...[]byte) []byte {
	return tlv(tagExtensions, tlv(asn1.SEQUENCE, bytes.Join(exts, nil)))
}

func extension(dotted string, critical bool, value []byte) []byte {
	body := tlv(asn1.OBJECT_IDENTIFIER, oidContent(dotted))
	if critical {
		body = append(body, 1, 1, 0xFF)
	}
	return tlv(asn1.SEQUENCE, append(body, tlv(asn1.OCTET_STRING, value)...))
}

// TestParseMalformedInside: damage inside a field that is present becomes a
// Problem; the rest of the certificate is still described.
func TestParseMalformedInside(t *testing.T) {
	good := partsOf(t, clientCert(t))
	tests := []struct {
		name   string
		mutate func(p *certParts)
		want   []string // substrings expected among Problems, in order
		check  func(t *testing.T, c *Certificate)
	}{
		{"bad notBefore", func(p *certParts) {
			p.validity = tlv(asn1.SEQUENCE, append(tlv(asn1.UTCTime, []byte("99999999999999Z")), tlv(asn1.UTCTime, []byte("350101000000Z"))...))
		}, []string{"validity: notBefore: malformed UTCTime", "crypto/x509 rejects it"}, func(t *testing.T, c *Certificate) {
			if !c.NotBefore.IsZero() || c.NotAfter != time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC) {
				t.Errorf("validity = %v – %v", c.NotBefore, c.NotAfter)
			}
		}},
		{"GeneralizedTime notAfter", func(p *certParts) {
			p.validity = tlv(asn1.SEQUENCE, append(tlv(asn1.UTCTime, []byte("250101000000Z")), tlv(asn1.GeneralizedTime, []byte("20991231235959Z"))...))
		}, nil, func(t *testing.T, c *Certificate) {
			if c.NotAfter != time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC) {
				t.Errorf("NotAfter = %v", c.NotAfter)
			}
		}},
		{"malformed subject", func(p *certParts) { p.subject = tlv(asn1.SEQUENCE, tlv(asn1.SET, utf8s("x"))) },
			[]string{"subject: malformed name: RDN 0 attribute 0 at byte 4: not a DER SEQUENCE", "crypto/x509 rejects it"}, func(t *testing.T, c *Certificate) {
				if c.Subject.DN != "" || c.Issuer.DN == "" || len(c.SANEntries) != 5 {
					t.Errorf("Subject.DN %q, Issuer.DN %q, SAN %q", c.Subject.DN, c.Issuer.DN, c.SANEntries)
				}
			}},
		{"invalid string in subject", func(p *certParts) { p.subject = rdnSeq(one(oCN, str(tagUTF8String, "\xff"))) },
			[]string{"subject: CN (RDN 0) is not a valid UTF8String; shown as #hex"}, func(t *testing.T, c *Certificate) {
				if c.Subject.DN != "CN=#0C01FF" {
					t.Errorf("Subject.DN = %q", c.Subject.DN)
				}
			}},
		{"SAN not a sequence", func(p *certParts) {
			p.extensions = extensionsOf(extension("2.5.29.17", false, gnDNS("x")), extension("2.5.29.37", false, tlv(asn1.SEQUENCE, tlv(asn1.OBJECT_IDENTIFIER, oidContent("1.3.6.1.5.5.7.3.2")))))
		}, []string{"subjectAltName: malformed subjectAltName at byte 0: not a DER SEQUENCE of GeneralNames"}, func(t *testing.T, c *Certificate) {
			if len(c.SANEntries) != 0 || !reflect.DeepEqual(c.ExtKeyUsage, []string{"clientAuth"}) {
				t.Errorf("SANEntries %q, ExtKeyUsage %q", c.SANEntries, c.ExtKeyUsage)
			}
		}},
		{"duplicate extension", func(p *certParts) {
			p.extensions = extensionsOf(extension("2.5.29.17", false, sanValue(gnDNS("a"))), extension("2.5.29.17", false, sanValue(gnDNS("b"))))
		}, []string{"extensions: 2.5.29.17 appears more than once", "crypto/x509 rejects it"}, nil},
		{"malformed key usage, basic constraints, key ids", func(p *certParts) {
			p.extensions = extensionsOf(extension("2.5.29.15", true, []byte{3, 2, 7, 0x81}),
				extension("2.5.29.19", true, tlv(asn1.SEQUENCE, []byte{1, 1, 0xFF, 2, 1, 0xFF})),
				extension("2.5.29.14", false, []byte{5, 0}), extension("2.5.29.35", false, []byte{4, 0}),
				extension("2.5.29.37", false, []byte{4, 0}))
		}, []string{"keyUsage: not a DER BIT STRING", "basicConstraints: pathLenConstraint is not a small non-negative INTEGER",
			"subjectKeyIdentifier: not a DER OCTET STRING", "authorityKeyIdentifier: malformed", "extKeyUsage: not a DER SEQUENCE of OIDs"}, nil},
		{"unknown signature algorithm", func(p *certParts) {
			alg := tlv(asn1.SEQUENCE, tlv(asn1.OBJECT_IDENTIFIER, oidContent("1.2.3.4.5")))
			p.sigAlg, p.outerSigAlg = alg, alg
		}, nil, func(t *testing.T, c *Certificate) {
			if c.SignatureAlgorithm != "1.2.3.4.5" {
				t.Errorf("SignatureAlgorithm = %q", c.SignatureAlgorithm)
			}
		}},
		{"inner and outer algorithms differ", func(p *certParts) {
			p.outerSigAlg = tlv(asn1.SEQUENCE, tlv(asn1.OBJECT_IDENTIFIER, oidContent("1.2.840.10045.4.3.2")))
		}, []string{"signature algorithm: tbsCertificate.signature and signatureAlgorithm differ", "crypto/x509 rejects it"}, nil},
		{"junk after the extensions", func(p *certParts) { p.afterTBS = []byte{5, 0} },
			[]string{"tbsCertificate: 2 bytes of unexpected data after the extensions"}, nil},
		{"empty RDN in the subject", func(p *certParts) { p.subject = rdnSeq(one(oO, utf8s("blocked")), nil, one(oCN, utf8s("x"))) },
			[]string{"subject: RDN 1 is empty"}, func(t *testing.T, c *Certificate) {
				if c.Subject.DN != "CN=x,,O=blocked" || c.X509() == nil {
					t.Errorf("Subject.DN = %q, X509() = %v", c.Subject.DN, c.X509() != nil)
				}
			}},
		{"negative serial", func(p *certParts) { p.serial = tlv(asn1.INTEGER, []byte{0xFF, 0x7F}) },
			[]string{"crypto/x509 rejects it"}, func(t *testing.T, c *Certificate) {
				if c.Serial != "-81" {
					t.Errorf("Serial = %q", c.Serial)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			tt.mutate(&p)
			c := mustParse(t, p.build())
			i := 0
			for _, line := range c.Problems {
				if i < len(tt.want) && strings.Contains(line, tt.want[i]) {
					i++
				}
			}
			if i != len(tt.want) {
				t.Errorf("Problems = %q\nwant lines containing, in order, %q", c.Problems, tt.want)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestParseTrailingData(t *testing.T) {
	der := append(clientCert(t), 0, 0)
	c := mustParse(t, der)
	want := []string{"certificate: 2 bytes of trailing data after the certificate", "crypto/x509 rejects it: x509: trailing data"}
	if !reflect.DeepEqual(c.Problems, want) {
		t.Errorf("Problems = %q, want %q", c.Problems, want)
	}
	if len(c.DER()) != len(der)-2 {
		t.Errorf("DER() has %d bytes, want the certificate's %d", len(c.DER()), len(der)-2)
	}
}

// TestParseNotACertificate: only bytes that are no certificate at all are errors.
func TestParseNotACertificate(t *testing.T) {
	good := partsOf(t, clientCert(t))
	without := func(f func(p *certParts)) []byte { p := good; f(&p); return p.build() }
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(k)
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{RawSubject: rdnSeq(one(oCN, utf8s("csr")))}, k)
	der := clientCert(t)
	tests := []struct {
		name  string
		input []byte
		want  string
	}{
		{"empty", nil, "not a certificate: no bytes"},
		{"PEM text", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
			"not a certificate at byte 0: not a DER SEQUENCE (is it PEM or base64 rather than DER?)"},
		{"truncated", der[:len(der)-1], "not a certificate at byte 0: not a DER SEQUENCE (is it PEM or base64 rather than DER?)"},
		{"private key", pkcs8, "not a certificate: tbsCertificate at byte"},
		{"certificate request", csr, "not a certificate: tbsCertificate.validity at byte"},
		{"no signature", tlv(asn1.SEQUENCE, tlv(asn1.SEQUENCE, nil)), "not a certificate: signatureAlgorithm at byte 4: not a DER SEQUENCE"},
		{"no serial", without(func(p *certParts) { p.serial = nil }), "not a certificate: tbsCertificate.serialNumber at byte"},
		{"no issuer", without(func(p *certParts) { p.issuer = nil }), "not a certificate: tbsCertificate.subjectPublicKeyInfo at byte"},
		{"no validity", without(func(p *certParts) { p.validity = tlv(asn1.SET, nil) }), "not a certificate: tbsCertificate.validity at byte"},
		{"no public key", without(func(p *certParts) { p.spki, p.extensions = nil, nil }), "not a certificate: tbsCertificate.subjectPublicKeyInfo at byte"},
		{"random", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, "not a certificate: tbsCertificate at byte 2: not a DER SEQUENCE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.input)
			var se *SyntaxError
			if c != nil || err == nil || !strings.HasPrefix(err.Error(), tt.want) || !errors.As(err, &se) {
				t.Fatalf("Parse(%s) = %v, %v; want error starting %q", tt.name, c, err, tt.want)
			}
		})
	}
}

func TestParseDERTime(t *testing.T) {
	tests := []struct {
		in          string
		generalized bool
		want        time.Time
		ok          bool
	}{
		{"250102030405Z", false, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), true},
		{"491231235959Z", false, time.Date(2049, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{"500101000000Z", false, time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"20500101000000Z", true, time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"99991231235959Z", true, time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{"250231000000Z", false, time.Time{}, false}, // 31 February
		{"251301000000Z", false, time.Time{}, false},
		{"250101240000Z", false, time.Time{}, false},
		{"250101000060Z", false, time.Time{}, false},
		{"2501010000Z", false, time.Time{}, false}, // no seconds: left to cryptobyte
		{"250101000000+0100", false, time.Time{}, false},
		{"25010100000aZ", false, time.Time{}, false},
		{"20250101000000.5Z", true, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseDERTime([]byte(tt.in), tt.generalized)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseDERTime(%q, %v) = %v, %v; want %v, %v", tt.in, tt.generalized, got, ok, tt.want, tt.ok)
		}
	}
	// The lenient forms still parse through cryptobyte, with no problem reported.
	for _, in := range []string{"2501010000Z", "250101010000+0100"} {
		var p problems
		s := cryptobyte.String(tlv(asn1.UTCTime, []byte(in)))
		got := readTime(&s, "notBefore", &p)
		if want := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) || len(p.list) != 0 || got.Location() != time.UTC {
			t.Errorf("readTime(%q) = %v, problems %q; want %v", in, got, p.list, want)
		}
	}
	var p problems
	s := cryptobyte.String(tlv(asn1.UTCTime, []byte("nonsense")))
	readTime(&s, "notAfter", &p)
	if want := []string{`validity: notAfter: malformed UTCTime "nonsense"`}; !reflect.DeepEqual(p.list, want) {
		t.Errorf("readTime(nonsense) problems = %q, want %q", p.list, want)
	}
}
