package pki

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Spec describes a certificate to create. Zero values give a sensible certificate:
// an ECDSA P-256 key, the usual key usage for its role, a serial derived from its
// content. Only the validity window must be set, so that no certificate silently
// depends on the clock of the machine that made it.
type Spec struct {
	// Subject is the subject name; RawSubject, when set, replaces it with an
	// encoded Name written verbatim (see MarshalName), for the hard DN cases.
	Subject    pkix.Name
	RawSubject []byte

	NotBefore, NotAfter time.Time

	// Serial defaults to 16 bytes derived from the certificate's subject, key,
	// issuer and validity, so the same inputs give the same certificate.
	Serial *big.Int

	// Key is the subject's key. When nil, a fresh random key of KeyType is made
	// (RSABits applies to RSA; 0 means DefaultRSABits).
	Key     crypto.Signer
	KeyType KeyType
	RSABits int

	// IsCA makes a CA certificate (basicConstraints CA:TRUE). MaxPathLen and
	// MaxPathLenZero mean what they mean in x509.Certificate.
	IsCA           bool
	MaxPathLen     int
	MaxPathLenZero bool

	// KeyUsage defaults to keyCertSign|cRLSign for a CA and digitalSignature for
	// a leaf (plus keyEncipherment for RSA). NoKeyUsage omits the extension.
	KeyUsage   x509.KeyUsage
	NoKeyUsage bool

	// ExtKeyUsage is written as given; none means no EKU extension, which
	// crypto/x509 treats as "any usage".
	ExtKeyUsage        []x509.ExtKeyUsage
	UnknownExtKeyUsage []asn1.ObjectIdentifier

	// SAN entries in certificate order. RawSAN, when set, is the complete
	// extension value, written verbatim instead. SANCritical marks the
	// extension critical.
	SAN         []GeneralName
	RawSAN      []byte
	SANCritical bool

	// Name constraints for a CA, as in x509.Certificate.
	PermittedDNSDomains         []string
	ExcludedDNSDomains          []string
	PermittedDNSDomainsCritical bool

	// ExtraExtensions are added as given; one with the OID of an extension set
	// above replaces it.
	ExtraExtensions []pkix.Extension

	// SignatureAlgorithm defaults to the issuer key's usual algorithm.
	SignatureAlgorithm x509.SignatureAlgorithm
}

// Cert is a created certificate and its private key.
type Cert struct {
	DER  []byte
	X509 *x509.Certificate // nil when crypto/x509 rejects the certificate (a deliberately malformed one)
	Key  crypto.Signer
}

// OIDSubjectAltName is the subjectAltName extension's OID.
var OIDSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// SelfSign creates a self-signed certificate: a root CA when spec.IsCA is set, a
// self-signed leaf otherwise.
func SelfSign(spec Spec) (*Cert, error) { return create(spec, nil) }

// Issue creates a certificate signed by ca. ca need not be a CA (a test may want a
// leaf signed by a leaf), but crypto/x509 must be able to parse it.
func (ca *Cert) Issue(spec Spec) (*Cert, error) {
	if ca == nil || ca.X509 == nil || ca.Key == nil {
		return nil, errors.New("pki: issuer has no parsed certificate or no key")
	}
	return create(spec, ca)
}

func create(spec Spec, issuer *Cert) (*Cert, error) {
	if spec.NotBefore.IsZero() || spec.NotAfter.IsZero() {
		return nil, errors.New("pki: spec has no validity window (NotBefore and NotAfter must be set)")
	}
	key := spec.Key
	if key == nil {
		var err error
		if key, err = NewKey(spec.KeyType, spec.RSABits); err != nil {
			return nil, err
		}
	}
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	rawSubject := spec.RawSubject
	if rawSubject == nil {
		if rawSubject, err = asn1.Marshal(spec.Subject.ToRDNSequence()); err != nil {
			return nil, fmt.Errorf("pki: encoding subject: %w", err)
		}
	}

	t := &x509.Certificate{
		RawSubject:                  rawSubject,
		NotBefore:                   spec.NotBefore,
		NotAfter:                    spec.NotAfter,
		SerialNumber:                spec.Serial,
		BasicConstraintsValid:       true,
		IsCA:                        spec.IsCA,
		MaxPathLen:                  spec.MaxPathLen,
		MaxPathLenZero:              spec.MaxPathLenZero,
		ExtKeyUsage:                 spec.ExtKeyUsage,
		UnknownExtKeyUsage:          spec.UnknownExtKeyUsage,
		PermittedDNSDomains:         spec.PermittedDNSDomains,
		ExcludedDNSDomains:          spec.ExcludedDNSDomains,
		PermittedDNSDomainsCritical: spec.PermittedDNSDomainsCritical,
		SubjectKeyId:                keyID(spki),
		SignatureAlgorithm:          spec.SignatureAlgorithm,
	}
	if !spec.NoKeyUsage {
		t.KeyUsage = spec.KeyUsage
		if t.KeyUsage == 0 {
			t.KeyUsage = defaultKeyUsage(spec.IsCA, key)
		}
	}

	var ext []pkix.Extension
	san := spec.RawSAN
	if san == nil && len(spec.SAN) > 0 {
		if san, err = MarshalSAN(spec.SAN...); err != nil {
			return nil, err
		}
	}
	if san != nil && !hasExtension(spec.ExtraExtensions, OIDSubjectAltName) {
		ext = append(ext, pkix.Extension{Id: OIDSubjectAltName, Critical: spec.SANCritical, Value: san})
	}
	t.ExtraExtensions = append(ext, spec.ExtraExtensions...)

	parent, signer := t, key
	issuerName := rawSubject
	if issuer != nil {
		parent, signer = issuer.X509, issuer.Key
		issuerName = issuer.X509.RawSubject
	}
	if t.SerialNumber == nil {
		t.SerialNumber = deriveSerial(rawSubject, issuerName, spki, spec.NotBefore, spec.NotAfter)
	}

	// A nil reader makes ECDSA signatures deterministic (RFC 6979); RSA PKCS #1
	// v1.5 and Ed25519 are deterministic anyway. The serial is always set, so
	// CreateCertificate needs no randomness.
	der, err := x509.CreateCertificate(nil, t, parent, key.Public(), signer)
	if err != nil {
		return nil, fmt.Errorf("pki: %w", err)
	}
	c := &Cert{DER: der, Key: key}
	c.X509, _ = x509.ParseCertificate(der) // nil for deliberately malformed certificates
	return c, nil
}

func defaultKeyUsage(isCA bool, key crypto.Signer) x509.KeyUsage {
	if isCA {
		return x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	if _, ok := key.Public().(*rsa.PublicKey); ok {
		return x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
	}
	return x509.KeyUsageDigitalSignature
}

func hasExtension(exts []pkix.Extension, oid asn1.ObjectIdentifier) bool {
	for _, e := range exts {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}

// keyID is the subject key identifier of RFC 7093 method 1: the leftmost 160 bits
// of the SHA-256 of the subjectPublicKey bits. Every certificate gets one, so every
// issued certificate names its issuer's key in authorityKeyIdentifier, as real CAs do.
func keyID(spki []byte) []byte {
	s := cryptobyte.String(spki)
	var inner, algo cryptobyte.String
	var bits asn1.BitString
	if !s.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.ReadASN1(&algo, cbasn1.SEQUENCE) || !inner.ReadASN1BitString(&bits) {
		bits.Bytes = spki // unreachable for keys crypto/x509 marshalled
	}
	sum := sha256.Sum256(bits.Bytes)
	return sum[:20]
}

func deriveSerial(subject, issuer, spki []byte, notBefore, notAfter time.Time) *big.Int {
	h := sha256.New()
	for _, part := range [][]byte{subject, issuer, spki} {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(part))))
		h.Write(part)
	}
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(notBefore.Unix())))
	h.Write(binary.BigEndian.AppendUint64(nil, uint64(notAfter.Unix())))
	b := h.Sum(nil)[:16]
	b[0] = b[0]&0x7F | 0x40 // positive, and always 16 bytes long
	return new(big.Int).SetBytes(b)
}
