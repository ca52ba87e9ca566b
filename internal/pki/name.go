package pki

import (
	"encoding/asn1"
	"fmt"
	"unicode/utf16"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Attribute is one attribute of a distinguished name, encoded exactly as given: Tag
// is the universal ASN.1 string tag (asn1.TagUTF8String, asn1.TagBMPString, …) and
// Value its content octets, so a test can write any string type and any bytes.
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Tag   int
	Value []byte
}

// RDN is one relative distinguished name. With more than one attribute it is a
// multi-valued RDN; its members are written in the order given, not DER-sorted, so a
// test can build either order.
type RDN []Attribute

// Attribute type OIDs by their short names (RFC 4514, then OpenSSL's).
var attributeTypes = map[string]asn1.ObjectIdentifier{
	"CN":                     {2, 5, 4, 3},
	"SN":                     {2, 5, 4, 4},
	"serialNumber":           {2, 5, 4, 5},
	"C":                      {2, 5, 4, 6},
	"L":                      {2, 5, 4, 7},
	"ST":                     {2, 5, 4, 8},
	"STREET":                 {2, 5, 4, 9},
	"O":                      {2, 5, 4, 10},
	"OU":                     {2, 5, 4, 11},
	"title":                  {2, 5, 4, 12},
	"businessCategory":       {2, 5, 4, 15},
	"postalCode":             {2, 5, 4, 17},
	"GN":                     {2, 5, 4, 42},
	"initials":               {2, 5, 4, 43},
	"dnQualifier":            {2, 5, 4, 46},
	"pseudonym":              {2, 5, 4, 65},
	"organizationIdentifier": {2, 5, 4, 97},
	"UID":                    {0, 9, 2342, 19200300, 100, 1, 1},
	"DC":                     {0, 9, 2342, 19200300, 100, 1, 25},
	"emailAddress":           {1, 2, 840, 113549, 1, 9, 1},
}

// Attr returns the attribute with short name typ (CN, O, OU, C, DC, emailAddress, …)
// in the string type a CA would use: PrintableString for C, serialNumber and
// dnQualifier, IA5String for DC and emailAddress, UTF8String otherwise. It panics on
// a name it does not know, like regexp.MustCompile: the names are literals in code.
// For any other type or encoding, write an Attribute literal.
func Attr(typ, value string) Attribute {
	oid, ok := attributeTypes[typ]
	if !ok {
		panic(fmt.Sprintf("pki.Attr: unknown attribute type %q", typ))
	}
	tag := asn1.TagUTF8String
	switch typ {
	case "C", "serialNumber", "dnQualifier":
		tag = asn1.TagPrintableString
	case "DC", "emailAddress":
		tag = asn1.TagIA5String
	}
	return Attribute{Type: oid, Tag: tag, Value: []byte(value)}
}

// BMPString encodes s as the content of a BMPString (UTF-16 big-endian), the
// encoding some older CAs still use for names.
func BMPString(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = append(b, byte(c>>8), byte(c))
	}
	return b
}

// MarshalName encodes an RDNSequence (a subject or issuer Name) with the RDNs in the
// order given, which is DER order: the first RDN is the most significant (C=…), so
// the RFC 4514 string lists them in reverse.
func MarshalName(rdns ...RDN) ([]byte, error) {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, rdn := range rdns {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, a := range rdn {
					addAttribute(b, a)
				}
			})
		}
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("pki: encoding name: %w", err)
	}
	return der, nil
}

// MustName is MarshalName for names written as literals; it panics on an error.
func MustName(rdns ...RDN) []byte {
	der, err := MarshalName(rdns...)
	if err != nil {
		panic(err)
	}
	return der
}

func addAttribute(b *cryptobyte.Builder, a Attribute) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(a.Type)
		if a.Tag <= 0 || a.Tag > 30 {
			b.SetError(fmt.Errorf("attribute %v: tag %d is not a universal string tag", a.Type, a.Tag))
			return
		}
		b.AddASN1(cbasn1.Tag(a.Tag), func(b *cryptobyte.Builder) { b.AddBytes(a.Value) })
	})
}
