package gateway

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// This file ports .NET's managed X500 name decoder, what X509Certificate2.Subject
// and .Issuer print (dotnet/runtime, System.Security.Cryptography:
// X500NameEncoder.X500DistinguishedNameDecode with X500DistinguishedNameFlags.
// Reversed, X500NameEncoder.ManagedDecode.cs, X500DictionaryStringHelper.
// ReadAnyAsnString, OidLookup.cs; the tests' expectations are
// X500DistinguishedNameTests.cs's). It was written to match Windows'
// CertNameToStr: RDNs last first, ", " between them, " + " between the members of
// a multi-valued RDN (in DER order), short names from Windows' table (E for
// emailAddress, S for ST, G, T, …), "OID.1.2.3" for the rest, and a value in
// double quotes, inner quotes doubled, when it is empty, starts or ends with
// whitespace or holds any of , + = " \n < > # ; — no backslash escapes at all.

var errDotnetName = errors.New("not a name .NET decodes")

// dotnetName is X500DistinguishedName.Name (and X509Certificate2.Subject). A
// value that is not one of the six string types prints as #HEX; one whose bytes
// break its string type makes .NET print the whole name as "" ("Windows
// compat"), and ok is false then.
func dotnetName(name []byte) (string, bool) { return dotnetDecode(name, true) }

// dotnetDecode is X500DistinguishedNameDecode with ", " and " + " separators and
// quoting on, RDNs reversed or not.
func dotnetDecode(name []byte, reverse bool) (string, bool) {
	in := cryptobyte.String(name)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() {
		return "", false
	}
	var rdns [][]string
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, asn1.SET) {
			return "", false
		}
		var members []string
		for !set.Empty() {
			var atv, oid, elem cryptobyte.String
			var tag asn1.Tag
			if !set.ReadASN1(&atv, asn1.SEQUENCE) || !atv.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
				!atv.ReadAnyASN1Element(&elem, &tag) || !atv.Empty() {
				return "", false
			}
			var value cryptobyte.String
			e := elem
			e.ReadAnyASN1(&value, &tag)
			text := dotnetOIDName(oid) + "="
			if !dotnetStringTag(tag) {
				// Not text: "#" and the hex of the element, an OCTET STRING's
				// wrapper stripped once.
				hexOf := []byte(elem)
				if tag == asn1.OCTET_STRING {
					hexOf = value
				}
				text += "#" + string(appendHex(nil, hexOf, upperHex))
			} else {
				s, err := dotnetString(tag, value)
				if err != nil {
					return "", false
				}
				text += dotnetQuote(s)
			}
			members = append(members, text)
		}
		rdns = append(rdns, members)
	}
	var b strings.Builder
	for i := range rdns {
		if i > 0 {
			b.WriteString(", ")
		}
		j := i
		if reverse {
			j = len(rdns) - 1 - i
		}
		b.WriteString(strings.Join(rdns[j], " + "))
	}
	return b.String(), true
}

// dotnetStringTag: the six string types ReadAnyAsnString reads as text.
func dotnetStringTag(tag asn1.Tag) bool {
	switch tag {
	case 12, 18, 19, 20, 22, 30:
		return true
	}
	return false
}

// dotnetString is ReadAnyAsnString: the value as UTF-16 text (returned as
// UTF-8), trailing U+0000 removed.
func dotnetString(tag asn1.Tag, v []byte) (string, error) {
	var s string
	switch tag {
	case 12: // UTF8String: strict UTF-8
		if !utf8.Valid(v) {
			return "", errDotnetName
		}
		s = string(v)
	case 20: // T61String: UTF-8 when it is, else ISO-8859-1 (T61Encoding)
		if utf8.Valid(v) {
			s = string(v)
		} else {
			r := make([]rune, len(v))
			for i, c := range v {
				r[i] = rune(c)
			}
			s = string(r)
		}
	case 22: // IA5String: 7-bit ASCII
		for _, c := range v {
			if c > 0x7f {
				return "", errDotnetName
			}
		}
		s = string(v)
	case 18: // NumericString
		for _, c := range v {
			if !(c >= '0' && c <= '9' || c == ' ') {
				return "", errDotnetName
			}
		}
		s = string(v)
	case 19: // PrintableString (X.680 41.4)
		for _, c := range v {
			if !strings.ContainsRune("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?", rune(c)) {
				return "", errDotnetName
			}
		}
		s = string(v)
	case 30: // BMPString: UCS-2, no surrogates
		if len(v)%2 != 0 {
			return "", errDotnetName
		}
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
			if utf16.IsSurrogate(rune(u[i])) {
				return "", errDotnetName
			}
		}
		s = string(utf16.Decode(u))
	default:
		return "", errDotnetName
	}
	return strings.TrimRight(s, "\x00"), nil
}

// dotnetQuote is NeedsQuoting and the quoting around it.
func dotnetQuote(s string) string {
	quotable := func(c byte) bool { return c == ' ' || c >= 0x09 && c <= 0x0d }
	if s != "" && !quotable(s[0]) && !quotable(s[len(s)-1]) && !strings.ContainsAny(s, ",+=\"\n<>#;") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// dotnetOIDName is Oid.FriendlyName for the attribute types of OidLookup's
// table, else "OID." and the dotted form.
func dotnetOIDName(oid []byte) string {
	if n, ok := dotnetNames[dottedOID(oid)]; ok {
		return n
	}
	return "OID." + dottedOID(oid)
}

// dotnetNames is the X.500 part of OidLookup's table (names from Windows).
var dotnetNames = map[string]string{
	"2.5.4.3": "CN", "2.5.4.4": "SN", "2.5.4.5": "SERIALNUMBER", "2.5.4.6": "C", "2.5.4.7": "L",
	"2.5.4.8": "S", "2.5.4.9": "STREET", "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "T",
	"2.5.4.13": "Description", "2.5.4.17": "PostalCode", "2.5.4.18": "POBox", "2.5.4.20": "Phone",
	"2.5.4.24": "X21Address", "2.5.4.42": "G", "2.5.4.43": "I", "2.5.4.46": "dnQualifier",
	"1.2.840.113549.1.9.1": "E", "0.9.2342.19200300.100.1.25": "DC",
}
