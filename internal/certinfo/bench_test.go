package certinfo

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"math/big"
	"net"
	"net/url"
	"testing"
)

// benchChain is the typical mTLS client chain: an ECDSA P-256 CA and a P-256
// client certificate with 4 SANs (DNS, IP, SPIFFE URI, email).
func benchChain(tb testing.TB) (leaf, ca []byte) {
	tb.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), RawSubject: rdnSeq(one(oC, prints("US")), one(oO, utf8s("Example")), one(oCN, utf8s("Example Client CA"))),
		NotBefore: testNotBefore, NotAfter: testNotAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	ca, err = x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		tb.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(ca)
	leafKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := leafTemplate(rdnSeq(one(oC, prints("US")), one(oO, utf8s("Example")), one(oOU, utf8s("payments")), one(oCN, utf8s("client-1.example.org"))))
	tmpl.SerialNumber = new(big.Int).Lsh(big.NewInt(0x7123456789), 100)
	u, _ := url.Parse("spiffe://example.org/ns/prod/sa/payments")
	tmpl.URIs = []*url.URL{u}
	tmpl.DNSNames = []string{"client-1.example.org"}
	tmpl.IPAddresses = []net.IP{net.ParseIP("192.0.2.10")}
	tmpl.EmailAddresses = []string{"client-1@example.org"}
	leaf, err = x509.CreateCertificate(rand.Reader, tmpl, caCert, leafKey.Public(), caKey)
	if err != nil {
		tb.Fatal(err)
	}
	return leaf, ca
}

func benchClientCert(tb testing.TB) []byte {
	leaf, _ := benchChain(tb)
	return leaf
}

func BenchmarkParse(b *testing.B) {
	leaf := benchClientCert(b)
	b.SetBytes(int64(len(leaf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(leaf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseChain is the 2-certificate chain the playground parses on every
// keystroke (leaf and CA), without PEM decoding.
func BenchmarkParseChain(b *testing.B) {
	leaf, ca := benchChain(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(leaf); err != nil {
			b.Fatal(err)
		}
		if _, err := Parse(ca); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseOwn is Parse without crypto/x509's parse: this package's share.
func BenchmarkParseOwn(b *testing.B) {
	leaf := benchClientCert(b)
	xc, err := x509.ParseCertificate(leaf)
	if err != nil {
		b.Fatal(err)
	}
	defer func(f func([]byte) (*x509.Certificate, error)) { parseX509 = f }(parseX509)
	parseX509 = func([]byte) (*x509.Certificate, error) { return xc, nil }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(leaf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkX509ParseCertificate is the floor: Parse calls it too.
func BenchmarkX509ParseCertificate(b *testing.B) {
	leaf := benchClientCert(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := x509.ParseCertificate(leaf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormatDN(b *testing.B) {
	raw := rdnSeq(one(oC, prints("US")), one(oO, utf8s("Acme, Inc.")), []atv{{oOU, utf8s("a")}, {oCN, utf8s("b")}})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FormatDN(raw); err != nil {
			b.Fatal(err)
		}
	}
}
