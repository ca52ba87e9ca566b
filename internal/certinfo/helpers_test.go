package certinfo

import (
	"crypto"
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// The fixed clock of every generated certificate: tests never depend on today.
var (
	testNotBefore = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	testNotAfter  = time.Date(2035, 1, 2, 3, 4, 5, 0, time.UTC)
)

// testKey returns a deterministic Ed25519 key: Ed25519 signatures are
// deterministic, so certificates built with it are byte-for-byte stable and can
// be golden files.
func testKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

// atv is one AttributeTypeAndValue for building names: a dotted OID and the
// value's whole DER element.
type atv struct {
	oid  string
	elem []byte
}

// str builds a string element with the given tag.
func str(tag asn1.Tag, s string) []byte { return tlv(tag, []byte(s)) }

func utf8s(s string) []byte  { return str(tagUTF8String, s) }
func prints(s string) []byte { return str(tagPrintableString, s) }
func ia5s(s string) []byte   { return str(tagIA5String, s) }

// bmps encodes s as a BMPString (UTF-16BE, with surrogate pairs).
func bmps(s string) []byte {
	var b []byte
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			b = append(b, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		b = append(b, byte(r>>8), byte(r))
	}
	return tlv(tagBMPString, b)
}

// univs encodes s as a UniversalString (UTF-32BE).
func univs(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return tlv(tagUniversalString, b)
}

// tlv builds one DER element.
func tlv(tag asn1.Tag, content []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return b.BytesOrPanic()
}

// oidContent is the DER content of a dotted OID, arcs of any size.
func oidContent(dotted string) []byte {
	parts := strings.Split(dotted, ".")
	arcs := make([]*big.Int, 0, len(parts))
	for _, p := range parts {
		v, ok := new(big.Int).SetString(p, 10)
		if !ok {
			panic("bad OID " + dotted)
		}
		arcs = append(arcs, v)
	}
	first := new(big.Int).Mul(arcs[0], big.NewInt(40))
	arcs = append([]*big.Int{first.Add(first, arcs[1])}, arcs[2:]...)
	var out []byte
	for _, v := range arcs {
		var rev []byte
		v = new(big.Int).Set(v)
		for {
			rev = append(rev, byte(new(big.Int).And(v, big.NewInt(0x7f)).Int64()))
			v.Rsh(v, 7)
			if v.Sign() == 0 {
				break
			}
		}
		for i := len(rev) - 1; i >= 0; i-- {
			c := rev[i]
			if i > 0 {
				c |= 0x80
			}
			out = append(out, c)
		}
	}
	return out
}

// rdnSeq builds an RDNSequence; each argument is one RDN, its members kept in
// the given order (not sorted, so tests can pin "DER order").
func rdnSeq(rdns ...[]atv) []byte {
	var b cryptobyte.Builder
	b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, rdn := range rdns {
			b.AddASN1(asn1.SET, func(b *cryptobyte.Builder) {
				for _, a := range rdn {
					b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(asn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(oidContent(a.oid)) })
						b.AddBytes(a.elem)
					})
				}
			})
		}
	})
	return b.BytesOrPanic()
}

// one is an RDN with a single member.
func one(oid string, elem []byte) []atv { return []atv{{oid, elem}} }

// GeneralName builders for SAN extension values.
func gnDNS(s string) []byte   { return tlv(asn1.Tag(2).ContextSpecific(), []byte(s)) }
func gnEmail(s string) []byte { return tlv(asn1.Tag(1).ContextSpecific(), []byte(s)) }
func gnURIs(s string) []byte  { return tlv(asn1.Tag(6).ContextSpecific(), []byte(s)) }
func gnIP(b ...byte) []byte   { return tlv(asn1.Tag(7).ContextSpecific(), b) }
func gnRID(dotted string) []byte {
	return tlv(asn1.Tag(8).ContextSpecific(), oidContent(dotted))
}
func gnOther(dotted string, value []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(asn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		b.AddASN1(asn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(oidContent(dotted)) })
		b.AddASN1(asn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(value) })
	})
	return b.BytesOrPanic()
}
func gnDir(name []byte) []byte { return tlv(asn1.Tag(4).Constructed().ContextSpecific(), name) }

// sanValue builds a subjectAltName extension value from GeneralName elements.
func sanValue(names ...[]byte) []byte {
	var content []byte
	for _, n := range names {
		content = append(content, n...)
	}
	return tlv(asn1.SEQUENCE, content)
}

var oidSAN = []int{2, 5, 29, 17}

// sanExtension wraps a SAN value for template.ExtraExtensions.
func sanExtension(critical bool, value []byte) pkix.Extension {
	return pkix.Extension{Id: oidSAN, Critical: critical, Value: value}
}

// leafTemplate is a client certificate template with the fixed clock.
func leafTemplate(subject []byte) *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(0x1234),
		RawSubject:            subject,
		NotBefore:             testNotBefore,
		NotAfter:              testNotAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
}

// selfSigned creates a certificate from tmpl signed by its own Ed25519 key.
func selfSigned(t testing.TB, tmpl *x509.Certificate) []byte {
	t.Helper()
	k := testKey(1)
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	return der
}

// issued creates a certificate from tmpl for pub, signed by parent's key.
func issued(t testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) []byte {
	t.Helper()
	der, err := x509.CreateCertificate(nil, tmpl, parent, pub, signer)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	return der
}

// mustParse is Parse that fails the test on error.
func mustParse(t testing.TB, der []byte) *Certificate {
	t.Helper()
	c, err := Parse(der)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// OIDs used in tests.
const (
	oCN    = "2.5.4.3"
	oC     = "2.5.4.6"
	oL     = "2.5.4.7"
	oST    = "2.5.4.8"
	oSTR   = "2.5.4.9"
	oO     = "2.5.4.10"
	oOU    = "2.5.4.11"
	oSN    = "2.5.4.4"
	oSer   = "2.5.4.5"
	oDC    = "0.9.2342.19200300.100.1.25"
	oUID   = "0.9.2342.19200300.100.1.1"
	oEmail = "1.2.840.113549.1.9.1"
	oUPN   = "1.3.6.1.4.1.311.20.2.3"
)
