// Package ruletest holds the certificates that the tests of package rule and its
// subpackages evaluate rules on. They are built by hand, mirroring the test PKI as
// certinfo describes it, so that those tests do not depend on the parser.
package ruletest

import (
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// Now is the test clock: pki.TestNow, inside the test PKI's leaf validity.
var Now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// GoodClient mirrors testdata/pki/client-good.pem.
func GoodClient() *certinfo.Certificate {
	return &certinfo.Certificate{
		Version:            3,
		Serial:             "3A1F00C2D4E5F60718293A4B5C6D7E8F",
		SignatureAlgorithm: "ECDSA-SHA256",
		Issuer: certinfo.Name{
			DN: "CN=Acme Issuing CA", Slash: "/CN=Acme Issuing CA", CN: "Acme Issuing CA",
			Attributes: []certinfo.Attribute{{RDN: 0, Type: "CN", OID: "2.5.4.3", Value: "Acme Issuing CA"}},
		},
		Subject: certinfo.Name{
			DN: "CN=client.example.com", Slash: "/CN=client.example.com", CN: "client.example.com",
			Attributes: []certinfo.Attribute{{RDN: 0, Type: "CN", OID: "2.5.4.3", Value: "client.example.com"}},
		},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:  time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC),
		PublicKey: certinfo.PublicKey{Algorithm: "ECDSA", Bits: 256, Curve: "P-256"},
		SANEntries: []string{
			"DNS:client.example.com", "DNS:api.example.com", "IP:192.0.2.10", "IP:2001:db8::10",
			"Email:ops@example.com", "URI:spiffe://example.com/ns/prod/sa/client",
		},
		SAN: certinfo.SAN{
			DNS:   []string{"client.example.com", "api.example.com"},
			IP:    []string{"192.0.2.10", "2001:db8::10"},
			Email: []string{"ops@example.com"},
			URI:   []string{"spiffe://example.com/ns/prod/sa/client"},
		},
		SPIFFEID:       "spiffe://example.com/ns/prod/sa/client",
		KeyUsage:       []string{"digitalSignature"},
		ExtKeyUsage:    []string{"clientAuth"},
		MaxPathLen:     -1,
		AuthorityKeyID: "5D0A6E0C3B7F4E1A9C2B8D7E6F5A4B3C2D1E0F9A",
		Extensions: []certinfo.Extension{
			{OID: "2.5.29.15", Name: "keyUsage", Critical: true},
			{OID: "2.5.29.37", Name: "extKeyUsage"},
			{OID: "2.5.29.35", Name: "authorityKeyIdentifier"},
			{OID: "2.5.29.17", Name: "subjectAltName"},
		},
		SHA256: "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
		SHA1:   "A94A8FE5CCB19BA61C4C0873D391E987982FBBD3",
	}
}

// IssuingCA mirrors the test PKI's issuing CA, which signed GoodClient.
func IssuingCA() *certinfo.Certificate {
	return &certinfo.Certificate{
		Version:            3,
		Serial:             "01",
		SignatureAlgorithm: "ECDSA-SHA256",
		Issuer:             certinfo.Name{DN: "CN=Acme Root CA", CN: "Acme Root CA"},
		Subject: certinfo.Name{
			DN: "CN=Acme Issuing CA", Slash: "/CN=Acme Issuing CA", CN: "Acme Issuing CA",
			Attributes: []certinfo.Attribute{{RDN: 0, Type: "CN", OID: "2.5.4.3", Value: "Acme Issuing CA"}},
		},
		NotBefore:    time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC),
		PublicKey:    certinfo.PublicKey{Algorithm: "ECDSA", Bits: 256, Curve: "P-256"},
		KeyUsage:     []string{"keyCertSign", "cRLSign"},
		IsCA:         true,
		MaxPathLen:   0,
		SubjectKeyID: "5D0A6E0C3B7F4E1A9C2B8D7E6F5A4B3C2D1E0F9A",
		SHA256:       "2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE",
	}
}
