package certinfo

import (
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte/asn1"
)

// Universal tags of the ASN.1 character string types that appear in names. The
// cryptobyte/asn1 package lacks some of them.
const (
	tagUTF8String      = asn1.UTF8String
	tagNumericString   = asn1.Tag(18)
	tagPrintableString = asn1.PrintableString
	tagT61String       = asn1.T61String
	tagIA5String       = asn1.IA5String
	tagVisibleString   = asn1.Tag(26)
	tagUniversalString = asn1.Tag(28)
	tagBMPString       = asn1.Tag(30)
)

// appendDecoded appends the UTF-8 text of the content b of a character string
// element with tag tag. isString is false for tags that are not string types;
// valid is false when the bytes break the type's encoding (invalid UTF-8, an
// odd-length BMPString, a non-ASCII byte in an ASCII type), and then dst comes
// back unchanged. Callers show such values as #hex rather than guess, because a
// rule compares the text exactly.
func appendDecoded(dst []byte, tag asn1.Tag, b []byte) (out []byte, isString, valid bool) {
	switch tag {
	case tagUTF8String:
		if !utf8.Valid(b) {
			return dst, true, false
		}
		return append(dst, b...), true, true
	case tagPrintableString, tagIA5String, tagNumericString, tagVisibleString:
		// The character sets are subsets of ASCII. We check only for ASCII:
		// certificates commonly carry '@' or '_' in a PrintableString, and the
		// text is still what the issuer meant (crypto/x509 reports the stricter
		// violations).
		for _, c := range b {
			if c >= 0x80 {
				return dst, true, false
			}
		}
		return append(dst, b...), true, true
	case tagT61String:
		// TeletexString is Latin-1 in practice (OpenSSL and Go both read it so).
		for _, c := range b {
			dst = utf8.AppendRune(dst, rune(c))
		}
		return dst, true, true
	case tagBMPString:
		if len(b)%2 != 0 {
			return dst, true, false
		}
		n := len(dst)
		for i := 0; i < len(b); i += 2 {
			r := rune(b[i])<<8 | rune(b[i+1])
			if utf16.IsSurrogate(r) {
				if r >= 0xDC00 || i+3 >= len(b) {
					return dst[:n], true, false
				}
				r = utf16.DecodeRune(r, rune(b[i+2])<<8|rune(b[i+3]))
				if r == utf8.RuneError {
					return dst[:n], true, false
				}
				i += 2
			}
			dst = utf8.AppendRune(dst, r)
		}
		return dst, true, true
	case tagUniversalString:
		if len(b)%4 != 0 {
			return dst, true, false
		}
		n := len(dst)
		for i := 0; i < len(b); i += 4 {
			r := rune(b[i])<<24 | rune(b[i+1])<<16 | rune(b[i+2])<<8 | rune(b[i+3])
			if !utf8.ValidRune(r) {
				return dst[:n], true, false
			}
			dst = utf8.AppendRune(dst, r)
		}
		return dst, true, true
	}
	return dst, false, false
}

// decodeString is appendDecoded into a new string.
func decodeString(tag asn1.Tag, b []byte) (s string, isString, valid bool) {
	var buf [64]byte
	out, isString, valid := appendDecoded(buf[:0], tag, b)
	return string(out), isString, valid
}

// appendHashHex appends "#" and the uppercase hex of b.
func appendHashHex(dst, b []byte) []byte {
	return appendUpperHex(append(dst, '#'), b)
}

// tagName names string tags in problem messages.
func tagName(tag asn1.Tag) string {
	switch tag {
	case tagUTF8String:
		return "UTF8String"
	case tagNumericString:
		return "NumericString"
	case tagPrintableString:
		return "PrintableString"
	case tagT61String:
		return "TeletexString"
	case tagIA5String:
		return "IA5String"
	case tagVisibleString:
		return "VisibleString"
	case tagUniversalString:
		return "UniversalString"
	case tagBMPString:
		return "BMPString"
	}
	return "tag 0x" + upperHex([]byte{byte(tag)})
}
