package pki

import (
	"encoding/asn1"
	"fmt"
	"net/netip"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// GeneralName is one subjectAltName entry, already encoded. Building the entries
// here, rather than through x509.Certificate's fields, keeps their order and lets a
// test write what crypto/x509 cannot: otherName, registeredID, directoryName, a URI
// it would reject, an IPv4-mapped IPv6 address.
type GeneralName struct {
	der []byte
	err error
}

// GeneralName tags (RFC 5280 section 4.2.1.6).
const (
	tagOtherName     = 0
	tagEmail         = 1
	tagDNS           = 2
	tagDirectoryName = 4
	tagURI           = 6
	tagIP            = 7
	tagRegisteredID  = 8
)

// OIDUPN is the Microsoft user principal name otherName (docs/design.md's UPN: prefix).
var OIDUPN = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}

// DNSName is a dNSName entry, written verbatim.
func DNSName(name string) GeneralName { return implicitString(tagDNS, name) }

// EmailAddress is an rfc822Name entry, written verbatim.
func EmailAddress(addr string) GeneralName { return implicitString(tagEmail, addr) }

// URI is a uniformResourceIdentifier entry, written verbatim even when it is not a
// valid URI (crypto/x509 then refuses the whole certificate).
func URI(uri string) GeneralName { return implicitString(tagURI, uri) }

// IPAddress is an iPAddress entry: 4 bytes for an IPv4 address, 16 for IPv6,
// including an IPv4-mapped address (which crypto/x509 would shorten to 4 bytes).
func IPAddress(addr netip.Addr) GeneralName {
	if !addr.IsValid() || addr.Zone() != "" {
		return GeneralName{err: fmt.Errorf("pki: IP SAN %q is not a plain IP address", addr)}
	}
	return GeneralName{der: tagged(cbasn1.Tag(tagIP).ContextSpecific(), addr.AsSlice())}
}

// OtherName is an otherName entry; value is the DER of what sits inside its
// [0] EXPLICIT wrapper (for example a UTF8String from [UTF8String]).
func OtherName(typ asn1.ObjectIdentifier, value []byte) GeneralName {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(tagOtherName).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(typ)
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			b.AddBytes(value)
		})
	})
	der, err := b.Bytes()
	return GeneralName{der: der, err: err}
}

// UPN is a Microsoft user principal name: an otherName of type [OIDUPN] holding a
// UTF8String, as Active Directory smart-card certificates carry it.
func UPN(upn string) GeneralName { return OtherName(OIDUPN, UTF8String(upn)) }

// RegisteredID is a registeredID entry.
func RegisteredID(oid asn1.ObjectIdentifier) GeneralName {
	var b cryptobyte.Builder
	b.AddASN1ObjectIdentifier(oid)
	der, err := b.Bytes()
	if err != nil {
		return GeneralName{err: fmt.Errorf("pki: registeredID %v: %w", oid, err)}
	}
	// Implicit tagging: replace the universal OBJECT IDENTIFIER tag, keep the rest.
	der[0] = byte(cbasn1.Tag(tagRegisteredID).ContextSpecific())
	return GeneralName{der: der}
}

// DirectoryName is a directoryName entry; name is an encoded Name (see [MarshalName]).
func DirectoryName(name []byte) GeneralName {
	return GeneralName{der: tagged(cbasn1.Tag(tagDirectoryName).ContextSpecific().Constructed(), name)}
}

// RawGeneralName is an entry given as its complete DER, for malformed cases.
func RawGeneralName(der []byte) GeneralName { return GeneralName{der: der} }

// UTF8String returns the DER of a UTF8String, the usual otherName value.
func UTF8String(s string) []byte { return tagged(cbasn1.UTF8String, []byte(s)) }

// MarshalSAN encodes entries as a subjectAltName extension value (GeneralNames), in
// the order given.
func MarshalSAN(names ...GeneralName) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, n := range names {
			if n.err != nil {
				b.SetError(n.err)
				return
			}
			b.AddBytes(n.der)
		}
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pki: encoding subjectAltName: %w", err)
	}
	return der, nil
}

func implicitString(tag uint8, s string) GeneralName {
	return GeneralName{der: tagged(cbasn1.Tag(tag).ContextSpecific(), []byte(s))}
}

func tagged(tag cbasn1.Tag, content []byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	return b.BytesOrPanic() // cannot fail: a tag and bytes
}
