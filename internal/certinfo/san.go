package certinfo

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// GeneralName tags (RFC 5280 section 4.2.1.6), as the single identifier byte.
const (
	gnOtherName     = 0xA0 // [0] constructed
	gnRFC822Name    = 0x81 // [1]
	gnDNSName       = 0x82 // [2]
	gnX400Address   = 0xA3 // [3] constructed
	gnDirectoryName = 0xA4 // [4] constructed, EXPLICIT Name
	gnEDIPartyName  = 0xA5 // [5] constructed
	gnURI           = 0x86 // [6]
	gnIPAddress     = 0x87 // [7]
	gnRegisteredID  = 0x88 // [8]
)

// SANPrefixes are the type prefixes of AltNames.Entries (the rule variable SAN) that
// docs/design.md names, in its order. X400:, EDIParty: and Unknown: (see ParseSAN) are
// left out, as no rule is written for them. It must not be modified.
var SANPrefixes = []string{"DNS:", "IP:", "URI:", "Email:", "UPN:", "OtherName:", "RID:", "DirName:"}

// AltNames is a parsed subjectAltName extension.
type AltNames struct {
	// Entries are every GeneralName in certificate order, each with its type
	// prefix: the rule variable SAN. A malformed value is still listed (with
	// #hex where it cannot be shown as text), so a person sees what is there.
	Entries  []string
	SAN      SAN      // the same values by type
	Problems []string // one line per malformed entry
}

// ParseSAN parses the value of a subjectAltName extension (the content of its
// extnValue OCTET STRING). crypto/x509 drops otherName, registeredID and
// directoryName and rejects some malformed URIs outright; this keeps every entry.
//
// Prefixes: DNS:, IP:, URI:, Email:, UPN: (otherName 1.3.6.1.4.1.311.20.2.3),
// OtherName:<dotted OID>:<value> (the decoded string, or # and the uppercase hex
// of the value's DER when it is not a string), RID:<dotted OID>, DirName:<DN as
// FormatDN writes it>. docs/design.md does not name the two types nobody uses; they are
// X400:#<hex> and EDIParty:#<hex>, the hex of the whole GeneralName element
// (A3…/A5…), because neither has a text form worth inventing. A GeneralName with a
// tag outside [0]..[8] is Unknown:#<hex of its element>. An IP address or RID
// whose bytes do not form one is IP:#<hex>/RID:#<hex> of the content.
//
// The error is non-nil only when value is not a SEQUENCE of DER elements; the
// entries read before the bad element are returned with it.
func ParseSAN(value []byte) (AltNames, error) {
	var p problems
	entries, san, err := parseSAN(value, &p)
	return AltNames{Entries: entries, SAN: san, Problems: p.result()}, err
}

func newSAN() SAN {
	return SAN{
		DNS: []string{}, IP: []string{}, URI: []string{}, Email: []string{},
		UPN: []string{}, OtherName: []string{}, RID: []string{}, DirName: []string{},
	}
}

// upnOIDElement is the DER of the UPN OID, for telling UPNs from other otherNames
// in parseSAN's counting pass.
var upnOIDElement = append([]byte{0x06, byte(len(oidUPN))}, oidUPN...)

func parseSAN(value []byte, p *problems) ([]string, SAN, error) {
	san := newSAN()
	entries := []string{}
	in := cryptobyte.String(value)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) {
		return entries, san, &SyntaxError{What: "subjectAltName", Offset: 0, Reason: "not a DER SEQUENCE of GeneralNames"}
	}
	if !in.Empty() {
		p.add("SAN: " + strconv.Itoa(len(in)) + " bytes of trailing data after the GeneralNames")
	}
	if seq.Empty() {
		p.add("SAN: the extension holds no names (RFC 5280 requires at least one)")
	}

	// Count first, so the entries and the typed lists each take one allocation
	// (this runs on every keystroke in the playground).
	var dns, ip, uri, email, upn, other, rid, dir, total int
	for count := seq; !count.Empty(); total++ {
		var elem cryptobyte.String
		var tag asn1.Tag
		if !count.ReadAnyASN1Element(&elem, &tag) {
			break
		}
		switch tag {
		case gnDNSName:
			dns++
		case gnIPAddress:
			ip++
		case gnURI:
			uri++
		case gnRFC822Name:
			email++
		case gnRegisteredID:
			rid++
		case gnDirectoryName:
			dir++
		case gnOtherName:
			if bytes.HasPrefix(elem[len(elem)-contentLen(elem):], upnOIDElement) {
				upn++
			} else {
				other++
			}
		}
	}
	entries = make([]string, 0, total)
	if typed := dns + ip + uri + email + upn + other + rid + dir; typed > 0 {
		backing := make([]string, typed)
		carve := func(list *[]string, n int) {
			if n > 0 {
				*list, backing = backing[:0:n], backing[n:]
			}
		}
		carve(&san.DNS, dns)
		carve(&san.IP, ip)
		carve(&san.URI, uri)
		carve(&san.Email, email)
		carve(&san.UPN, upn)
		carve(&san.OtherName, other)
		carve(&san.RID, rid)
		carve(&san.DirName, dir)
	}

	for i := 0; !seq.Empty(); i++ {
		at := offsetIn(value, seq)
		var elem cryptobyte.String
		var tag asn1.Tag
		if !seq.ReadAnyASN1Element(&elem, &tag) {
			return entries, san, &SyntaxError{What: "subjectAltName", Field: "GeneralName " + strconv.Itoa(i), Offset: at, Reason: "not a DER element"}
		}
		content := []byte(elem[len(elem)-contentLen(elem):])
		switch tag {
		case gnDNSName:
			e, ascii := ia5Entry("DNS:", content, "DNS", p)
			v := e[len("DNS:"):]
			if ascii {
				if why := checkDNSName(v); why != "" {
					p.add("SAN DNS " + quoteShort(v) + ": " + why)
				}
			}
			entries = append(entries, e)
			san.DNS = append(san.DNS, v)
		case gnRFC822Name:
			e, ascii := ia5Entry("Email:", content, "Email", p)
			v := e[len("Email:"):]
			if ascii {
				if why := checkEmail(v); why != "" {
					p.add("SAN Email " + quoteShort(v) + ": " + why)
				}
			}
			entries = append(entries, e)
			san.Email = append(san.Email, v)
		case gnURI:
			e, ascii := ia5Entry("URI:", content, "URI", p)
			v := e[len("URI:"):]
			if ascii {
				if why := checkURI(v); why != "" {
					p.add("SAN URI " + quoteShort(v) + ": " + why)
				}
			}
			entries = append(entries, e)
			san.URI = append(san.URI, v)
		case gnIPAddress:
			var e string
			var buf [48]byte
			switch len(content) {
			case 4:
				e = string(netip.AddrFrom4([4]byte(content)).AppendTo(append(buf[:0], "IP:"...)))
			case 16:
				// Not Unmap: an IPv4-mapped address stays IPv6 (::ffff:192.0.2.1),
				// as it is encoded; crypto/x509 would show it as IPv4.
				e = string(netip.AddrFrom16([16]byte(content)).AppendTo(append(buf[:0], "IP:"...)))
			default:
				e = "IP:" + hashHex(content)
				p.add("SAN IP " + e[len("IP:"):] + ": " + strconv.Itoa(len(content)) + " bytes; an IP address has 4 (IPv4) or 16 (IPv6)")
			}
			entries = append(entries, e)
			san.IP = append(san.IP, e[len("IP:"):])
		case gnRegisteredID:
			dotted, ok := oidString(content)
			if !ok {
				dotted = hashHex(content)
				p.add("SAN RID " + dotted + ": not a valid OBJECT IDENTIFIER")
			}
			entries = append(entries, "RID:"+dotted)
			san.RID = append(san.RID, dotted)
		case gnOtherName:
			entries = append(entries, otherName(elem, content, &san, p))
		case gnDirectoryName:
			var attrs [8]attr
			var ends [8]int
			n, err := parseRDNs(content, func(s string) { p.add("SAN DirName: " + s) }, attrs[:0], ends[:0])
			var dn string
			if err != nil {
				dn = hashHex(elem)
				p.add("SAN DirName " + dn + ": " + err.Error())
			} else {
				dn = n.dn()
			}
			entries = append(entries, "DirName:"+dn)
			san.DirName = append(san.DirName, dn)
		case gnX400Address:
			entries = append(entries, "X400:"+hashHex(elem))
		case gnEDIPartyName:
			entries = append(entries, "EDIParty:"+hashHex(elem))
		default:
			e := "Unknown:" + hashHex(elem)
			p.add("SAN entry " + strconv.Itoa(i) + ": tag 0x" + upperHex([]byte{byte(tag)}) +
				" is not a GeneralName type (RFC 5280 defines [0] to [8] with fixed encodings); shown as " + e)
			entries = append(entries, e)
		}
	}
	return entries, san, nil
}

// otherName formats an otherName GeneralName (SEQUENCE { type-id OID, value [0]
// EXPLICIT ANY }) and files it under UPN or OtherName.
func otherName(elem, content []byte, san *SAN, p *problems) string {
	in := cryptobyte.String(content)
	var oid, wrapped, inner cryptobyte.String
	var tag asn1.Tag
	if !in.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
		!in.ReadASN1(&wrapped, asn1.Tag(0).Constructed().ContextSpecific()) || !in.Empty() ||
		!wrapped.ReadAnyASN1Element(&inner, &tag) || !wrapped.Empty() {
		h := hashHex(elem)
		p.add("SAN otherName " + h + ": malformed (want type-id OID and one [0] value)")
		san.OtherName = append(san.OtherName, h)
		return "OtherName:" + h
	}
	dotted, ok := oidString(oid)
	if !ok {
		dotted = hashHex(oid)
		p.add("SAN otherName: type-id " + dotted + " is not a valid OBJECT IDENTIFIER")
	}
	text, isString, valid := decodeString(tag, inner[len(inner)-contentLen(inner):])
	if !valid {
		text = hashHex(inner)
	}
	if string(oid) == oidUPN {
		if !valid {
			if isString {
				p.add("SAN UPN: not a valid " + tagName(tag) + "; shown as " + text)
			} else {
				p.add("SAN UPN: the value is not a string (want UTF8String); shown as " + text)
			}
		}
		san.UPN = append(san.UPN, text)
		return "UPN:" + text
	}
	e := "OtherName:" + dotted + ":" + text
	san.OtherName = append(san.OtherName, e[len("OtherName:"):])
	return e
}

// ia5Entry returns prefix and the text of an IA5String SAN value. Non-ASCII bytes
// break the type; they are kept when they form UTF-8 (that is what the issuer
// typed) and otherwise written as \xHH, and either way reported: ascii is false
// then, and the syntax checks, which would only repeat the report, are skipped.
func ia5Entry(prefix string, b []byte, kind string, p *problems) (entry string, ascii bool) {
	ascii = true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return prefix + string(b), true // one allocation: the conversion is not materialized
	}
	if utf8.Valid(b) {
		p.add("SAN " + kind + " " + quoteShort(string(b)) + ": contains non-ASCII characters (an IA5String is ASCII)")
		return prefix + string(b), false
	}
	var sb strings.Builder
	sb.WriteString(prefix)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteString(`\x`)
			sb.WriteByte(upperHexDigits[b[0]>>4])
			sb.WriteByte(upperHexDigits[b[0]&0x0f])
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	s := sb.String()
	p.add("SAN " + kind + " " + quoteShort(s[len(prefix):]) + ": contains bytes that are neither ASCII nor UTF-8 (shown as \\xHH)")
	return s, false
}

// describeByte names a character for a problem message.
func describeByte(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c < 0x20 || c == 0x7f:
		return "the control character 0x" + upperHex([]byte{c})
	}
	return strconv.QuoteRune(rune(c))
}

// checkDNSName says what is wrong with a dNSName, or "". It checks syntax only
// (letters, digits, '-', '_', '*', '.' and label lengths): underscores and
// wildcards are common and legal in certificates, so they are not reported.
func checkDNSName(v string) string {
	if v == "" {
		return "empty"
	}
	if len(v) > 253 {
		return "longer than 253 bytes"
	}
	label := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '.':
			if label == 0 {
				return "empty label at byte " + strconv.Itoa(i)
			}
			label = 0
			continue
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '*':
		default:
			return "contains " + describeByte(c) + " at byte " + strconv.Itoa(i)
		}
		label++
		if label > 63 {
			return "label longer than 63 bytes at byte " + strconv.Itoa(i)
		}
	}
	if label == 0 {
		return "ends with an empty label (trailing dot)"
	}
	return ""
}

// checkEmail says what is wrong with an rfc822Name, or "".
func checkEmail(v string) string {
	if v == "" {
		return "empty"
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c == 0x7f {
			return "contains " + describeByte(c) + " at byte " + strconv.Itoa(i)
		}
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 {
		return "not a mailbox (want local-part@domain)"
	}
	return ""
}

// checkURI says what is wrong with a uniformResourceIdentifier, or "": RFC 5280
// wants an absolute URI in RFC 3986 syntax, so a scheme, only URI characters, and
// well-formed percent-escapes. This is what makes crypto/x509 reject
// "http://exa mple/"; here it becomes a line in Problems instead of a failure.
func checkURI(v string) string {
	if v == "" {
		return "empty"
	}
	colon := strings.IndexByte(v, ':')
	if colon <= 0 || !isSchemeStart(v[0]) {
		return "no scheme (a SAN URI must be absolute, like spiffe://… or https://…)"
	}
	for i := 1; i < colon; i++ {
		if !isSchemeChar(v[i]) {
			return "invalid scheme " + quoteShort(v[:colon])
		}
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '%':
			if i+2 >= len(v) || !isHexDigit(v[i+1]) || !isHexDigit(v[i+2]) {
				return "invalid percent-escape at byte " + strconv.Itoa(i)
			}
		case !isURIChar(c):
			return "contains " + describeByte(c) + " at byte " + strconv.Itoa(i) + " (it must be percent-encoded)"
		}
	}
	return ""
}

func isSchemeStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeChar(c byte) bool {
	return isSchemeStart(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isURIChar reports RFC 3986 unreserved and reserved characters.
func isURIChar(c byte) bool {
	if isSchemeStart(c) || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0
}

// spiffeID returns the URI SAN when exactly one URI SAN has the spiffe scheme.
// Zero or several mean the certificate is not a usable SVID, so the rule sees "".
func spiffeID(uris []string) string {
	id := ""
	n := 0
	for _, u := range uris {
		if len(u) >= len("spiffe:") && strings.EqualFold(u[:len("spiffe:")], "spiffe:") {
			id = u
			n++
		}
	}
	if n != 1 {
		return ""
	}
	return id
}
