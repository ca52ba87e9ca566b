package export

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
)

// attributeOIDs are the attribute types a DN literal may name: the ones whose
// name mtlsplay's DN and OpenSSL's RFC 2253 form agree on, and CN's own.
var attributeOIDs = map[string]asn1.ObjectIdentifier{
	"CN": {2, 5, 4, 3}, "SN": {2, 5, 4, 4}, "serialNumber": {2, 5, 4, 5}, "C": {2, 5, 4, 6},
	"L": {2, 5, 4, 7}, "ST": {2, 5, 4, 8}, "STREET": {2, 5, 4, 9}, "O": {2, 5, 4, 10},
	"OU": {2, 5, 4, 11}, "title": {2, 5, 4, 12}, "businessCategory": {2, 5, 4, 15},
	"postalCode": {2, 5, 4, 17}, "GN": {2, 5, 4, 42}, "initials": {2, 5, 4, 43},
	"dnQualifier": {2, 5, 4, 46}, "pseudonym": {2, 5, 4, 65}, "organizationIdentifier": {2, 5, 4, 97},
	"UID": {0, 9, 2342, 19200300, 100, 1, 1}, "DC": {0, 9, 2342, 19200300, 100, 1, 25},
	"emailAddress": {1, 2, 840, 113549, 1, 9, 1},
}

type attrValue struct {
	typ   string
	value string
}

// parseDN reads a DN written as mtlsplay writes DNs (docs/design.md 2.3) into its
// RDNs, in DER order. A literal written any other way never equals a DN, and is
// an error here rather than a guess.
func parseDN(s string) ([][]attrValue, error) {
	if s == "" || len(s) > 4096 {
		return nil, errors.New("an empty or over-long DN")
	}
	var rdns [][]attrValue
	var rdn []attrValue
	var cur strings.Builder
	var typ string
	inValue := false
	end := func() error {
		if !inValue {
			return fmt.Errorf("%q: an attribute without \"=\"", cur.String())
		}
		rdn = append(rdn, attrValue{typ, cur.String()})
		cur.Reset()
		inValue = false
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && inValue:
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				cur.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
				i += 2
				continue
			}
			if i+1 >= len(s) {
				return nil, errors.New("a trailing backslash")
			}
			i++
			cur.WriteByte(s[i])
		case c == '=' && !inValue:
			typ, inValue = cur.String(), true
			cur.Reset()
		case c == '+' || c == ',':
			if err := end(); err != nil {
				return nil, err
			}
			if c == ',' {
				rdns = append(rdns, rdn)
				rdn = nil
			}
		default:
			cur.WriteByte(c)
		}
	}
	if err := end(); err != nil {
		return nil, err
	}
	rdns = append(rdns, rdn)
	// The string lists RDNs last first.
	for i, j := 0, len(rdns)-1; i < j; i, j = i+1, j-1 {
		rdns[i], rdns[j] = rdns[j], rdns[i]
	}
	return rdns, nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' || 'a' <= c && c <= 'f' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// marshalName is the DER Name of rdns, every value a UTF8String: OpenSSL's RFC 2253
// form converts every string type to UTF-8, so the type does not change it.
func marshalName(rdns [][]attrValue) ([]byte, error) {
	var b cryptobyte.Builder
	var bad error
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, rdn := range rdns {
			b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
				for _, av := range rdn {
					oid, ok := attributeOIDs[av.typ]
					if !ok {
						bad = fmt.Errorf("attribute type %q is not one export translates", av.typ)
						return
					}
					if !utf8.ValidString(av.value) {
						bad = fmt.Errorf("the value of %s is not UTF-8", av.typ)
						return
					}
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oid)
						b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(av.value)) })
					})
				}
			})
		}
	})
	if bad != nil {
		return nil, bad
	}
	return b.Bytes()
}

// dnAsRFC2253 is the DN literal s as nginx's $ssl_client_s_dn prints a subject
// whose mtlsplay DN is s. It refuses a literal that does not read back as
// itself (not in mtlsplay's form, so no certificate's DN equals it).
func dnAsRFC2253(s string) (string, error) {
	rdns, err := parseDN(s)
	if err != nil {
		return "", err
	}
	der, err := marshalName(rdns)
	if err != nil {
		return "", err
	}
	back, err := certinfo.FormatDN(der)
	if err != nil || back != s {
		return "", fmt.Errorf("%q is not written as mtlsplay writes DNs (it reads back as %q), so no certificate's DN equals it", s, back)
	}
	out, err := gateway.RFC2253Name(der)
	return string(out), err
}

// rfc2253Value is v as OpenSSL's RFC 2253 form writes an attribute value, and
// the parts a prefix, a suffix or an infix of a value take (the escaping of a
// leading "#" or space and a trailing space depends on the position).
func rfc2253Value(v string, pos string) (string, error) {
	pad := map[string][2]string{"whole": {"", ""}, "prefix": {"", "x"}, "suffix": {"x", ""}, "infix": {"x", "x"}}[pos]
	der, err := marshalName([][]attrValue{{{"CN", pad[0] + v + pad[1]}}})
	if err != nil {
		return "", err
	}
	out, err := gateway.RFC2253Name(der)
	if err != nil {
		return "", err
	}
	s := strings.TrimPrefix(string(out), "CN=")
	return s[len(pad[0]) : len(s)-len(pad[1])], nil
}

// goValue is v as Go's pkix.Name.String() (Caddy's subject placeholder) writes a
// value, for the same positions.
func goValue(v string, pos string) string {
	pad := map[string][2]string{"whole": {"", ""}, "prefix": {"", "x"}, "suffix": {"x", ""}, "infix": {"x", "x"}}[pos]
	s := pkix.RDNSequence{{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: pad[0] + v + pad[1]}}}.String()
	s = strings.TrimPrefix(s, "CN=")
	return s[len(pad[0]) : len(s)-len(pad[1])]
}

// positionSensitive says why a part cannot be matched where it stands: a
// leading "#" or space, or a trailing space, is escaped only at the start or end
// of a value, so a part with one matches differently inside a value.
func positionSensitive(v string, pos string) string {
	lead := strings.HasPrefix(v, "#") || strings.HasPrefix(v, " ")
	trail := strings.HasSuffix(v, " ")
	switch {
	case (pos == "suffix" || pos == "infix") && lead:
		return "it starts with \"#\" or a space, which the gateway escapes only at the start of a value"
	case (pos == "prefix" || pos == "infix") && trail:
		return "it ends with a space, which the gateway escapes only at the end of a value"
	}
	return ""
}

// Regular expressions over a subject as a gateway prints it. They use only what
// PCRE (nginx, HAProxy) and RE2 (Caddy, Envoy) read alike, and write every ASCII
// character other than a letter or digit as \xHH, so no config quoting can
// change them.
const (
	// sep ends an attribute: the next RDN, the next member, or the end.
	sep = `(?:[,+]|$)`
	// rfcUnit is one character of an RFC 2253 value: a plain character, a hex
	// escape (\C3) or an escaped special (\,). They never overlap, so a part
	// matched after whole units starts at a character.
	rfcUnit = `(?:[^,+\x5C]|\x5C[0-9A-F]{2}|\x5C[^0-9A-F])`
	// goUnit is one character of a Go pkix value: a plain character or an
	// escaped special.
	goUnit = `(?:[^,+\x5C]|\x5C[\s\S])`
	// rfcNotCN is an attribute type other than CN.
	rfcNotCN = `(?:[^C,+=\x5C][^,+=\x5C]*|C|C[^N,+=\x5C][^,+=\x5C]*|CN[^,+=\x5C]+)`
)

// literal writes s as a regular expression that matches exactly s: letters and
// digits as they are, other ASCII as \xHH, non-ASCII UTF-8 as it is (only Go's
// form has any; both engines read a raw UTF-8 character as itself).
func literal(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c >= 0x80:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\x%02X`, c)
		}
	}
	return b.String()
}

// rfcFirstCN matches an RFC 2253 subject up to the value of its first CN, which is
// the last CN in DER order (the rule's CN): RDNs come last first, and the
// members of a multi-valued RDN in reverse.
const rfcFirstCN = `^(?:` + rfcNotCN + `=` + rfcUnit + `*[,+])*CN=`

// anyAttr matches a subject up to the value of some attribute of type t.
func anyAttr(unit, t string) string {
	return `^(?:[^,+\x5C=]+=` + unit + `*[,+])*` + literal(t) + `=`
}

// valueRegex is the rest of a regex after "TYPE=": the value equals, starts
// with, ends with or contains part (already in the gateway's form).
func valueRegex(unit, part string, k kind) string {
	switch k {
	case cnPrefix:
		return literal(part) + unit + `*` + sep
	case cnSuffix:
		return unit + `*` + literal(part) + sep
	case cnContains:
		return unit + `*` + literal(part) + unit + `*` + sep
	}
	return literal(part) + sep
}

// position is where a CN condition's literal stands in the value.
func position(k kind) string {
	switch k {
	case cnPrefix:
		return "prefix"
	case cnSuffix:
		return "suffix"
	case cnContains:
		return "infix"
	}
	return "whole"
}
