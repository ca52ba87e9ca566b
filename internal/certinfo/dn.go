package certinfo

import (
	"strconv"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// attr is one AttributeTypeAndValue of a name, read from the raw RDNSequence.
type attr struct {
	dotted     string
	name       string // short name, "" when the type is unknown
	text       string // decoded value; "#HEX" of the value's DER when not decoded
	rdn        int32  // index of its RDN in DER order
	start, end int32  // text is vals[start:end] while parsing
	kind       int8   // the Name field it fills, kindNone if only Attributes
	decoded    bool   // text is decoded from a string type (not the #hex form)
}

// rawName is a parsed RDNSequence. Attributes keep DER order; rdnEnd[i] is the
// index in attrs just past the last attribute of RDN i.
type rawName struct {
	attrs  []attr
	rdnEnd []int
}

// parseRDNs reads an RDNSequence (the whole SEQUENCE element, like RawSubject).
// warn, when not nil, receives what is wrong but still shown: values shown as #hex
// because they break their string type, and empty RDNs. It fails only when the
// structure is not an RDNSequence. attrs and ends are buffers to append to (the
// callers pass arrays on their stack); all texts share one string allocation.
func parseRDNs(raw []byte, warn func(string), attrs []attr, ends []int) (rawName, error) {
	n := rawName{attrs: attrs[:0], rdnEnd: ends[:0]}
	in := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) {
		return n, &SyntaxError{What: "name", Offset: 0, Reason: "not a DER SEQUENCE of RDNs"}
	}
	if !in.Empty() {
		return n, &SyntaxError{What: "name", Offset: len(raw) - len(in), Reason: "trailing data after the name"}
	}
	var valsBuf [256]byte
	vals := valsBuf[:0]
	for rdn := 0; !seq.Empty(); rdn++ {
		var set cryptobyte.String
		start := offsetIn(raw, seq)
		if !seq.ReadASN1(&set, asn1.SET) {
			return n, &SyntaxError{What: "name", Field: "RDN " + strconv.Itoa(rdn), Offset: start, Reason: "not a DER SET"}
		}
		if set.Empty() && warn != nil {
			// X.501 forbids it, but crypto/x509 accepts it; dropping the whole
			// name would hide the other attributes from rules, so it is kept as
			// an empty RDN (",," in the DN) and reported.
			warn("RDN " + strconv.Itoa(rdn) + " is empty (X.501 requires at least one attribute)")
		}
		for member := 0; !set.Empty(); member++ {
			var atv, oid, elem cryptobyte.String
			var tag asn1.Tag
			at := offsetIn(raw, set)
			if !set.ReadASN1(&atv, asn1.SEQUENCE) {
				return n, &SyntaxError{What: "name", Field: attrField(rdn, member), Offset: at, Reason: "not a DER SEQUENCE"}
			}
			if !atv.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) {
				return n, &SyntaxError{What: "name", Field: attrField(rdn, member), Offset: at, Reason: "no attribute type OID"}
			}
			kind, dotted, name, ok := kindNone, "", "", true
			if info := attributeTypes.get(oid); info != nil {
				kind, dotted, name = info.kind, info.dotted, info.name
			} else {
				dotted, ok = oidString(oid)
			}
			if !ok {
				return n, &SyntaxError{What: "name", Field: attrField(rdn, member), Offset: at, Reason: "invalid attribute type OID"}
			}
			if !atv.ReadAnyASN1Element(&elem, &tag) || !atv.Empty() {
				return n, &SyntaxError{What: "name", Field: attrField(rdn, member), Offset: at, Reason: "attribute value is not one DER element"}
			}
			a := attr{rdn: int32(rdn), kind: kind, dotted: dotted, name: name, start: int32(len(vals))}
			if name != "" {
				var isString bool
				vals, isString, a.decoded = appendDecoded(vals, tag, elem[len(elem)-contentLen(elem):])
				if isString && !a.decoded && warn != nil {
					warn(name + " (RDN " + strconv.Itoa(rdn) + ") is not a valid " + tagName(tag) + "; shown as #hex")
				}
			}
			if !a.decoded {
				vals = appendHashHex(vals, elem)
			}
			a.end = int32(len(vals))
			n.attrs = append(n.attrs, a)
		}
		n.rdnEnd = append(n.rdnEnd, len(n.attrs))
	}
	all := string(vals)
	for i := range n.attrs {
		n.attrs[i].text = all[n.attrs[i].start:n.attrs[i].end]
	}
	return n, nil
}

// attrField names an attribute's place for a SyntaxError.
func attrField(rdn, member int) string {
	return "RDN " + strconv.Itoa(rdn) + " attribute " + strconv.Itoa(member)
}

// contentLen returns the content length of a DER element that cryptobyte has
// already validated: everything after the header.
func contentLen(elem []byte) int {
	if elem[1]&0x80 == 0 {
		return int(elem[1])
	}
	return len(elem) - 2 - int(elem[1]&0x7f)
}

// FormatDN formats a raw Name (the whole RDNSequence DER, as in
// x509.Certificate.RawSubject) as the exact RFC 4514 string of docs/design.md: RDNs in
// reverse DER order joined by ",", members of a multi-valued RDN in DER order
// joined by "+", RFC 4514 and OpenSSL short names, unknown types as
// <dotted OID>=#<hex of the DER value>, control characters as \XX. It exists
// because pkix.Name.String() reorders, merges and re-encodes attributes, so a rule
// written against it would not match what the certificate says.
func FormatDN(rdnSequence []byte) (string, error) {
	var attrs [16]attr
	var ends [16]int
	n, err := parseRDNs(rdnSequence, nil, attrs[:0], ends[:0])
	if err != nil {
		return "", err
	}
	return n.dn(), nil
}

// FormatSlash formats a raw Name in OpenSSL's one-line "slash" form,
// /C=US/O=Org/CN=x: RDNs in DER order, each preceded by "/", members of a
// multi-valued RDN joined by "+". People copy this form from openssl output and
// paste it into `openssl req -subj`, so the escaping is the one -subj reads back:
// "\", "/", "+" and a leading "#" get a backslash (OpenSSL's own output escapes
// "/" and "+" but not "\" or "#", which makes it ambiguous). Control characters
// are written \xXX as OpenSSL's X509_NAME_oneline does (no tool reads them back;
// they are shown, not hidden). Other characters are raw UTF-8 where OpenSSL writes
// \xXX bytes. Unknown types and non-string values are <type>=#<hex> as in FormatDN.
func FormatSlash(rdnSequence []byte) (string, error) {
	var attrs [16]attr
	var ends [16]int
	n, err := parseRDNs(rdnSequence, nil, attrs[:0], ends[:0])
	if err != nil {
		return "", err
	}
	return n.slash(), nil
}

func (n rawName) typeName(a *attr) string {
	if a.name != "" {
		return a.name
	}
	return a.dotted
}

func (n rawName) dn() string {
	var b strings.Builder
	b.Grow(n.size())
	end := len(n.attrs)
	for i := len(n.rdnEnd) - 1; i >= 0; i-- {
		start := 0
		if i > 0 {
			start = n.rdnEnd[i-1]
		}
		if i != len(n.rdnEnd)-1 {
			b.WriteByte(',')
		}
		for j := start; j < end; j++ {
			if j != start {
				b.WriteByte('+')
			}
			a := &n.attrs[j]
			b.WriteString(n.typeName(a))
			b.WriteByte('=')
			if a.decoded {
				escapeDNValue(&b, a.text)
			} else {
				b.WriteString(a.text) // #HEX needs no escaping
			}
		}
		end = start
	}
	return b.String()
}

func (n rawName) slash() string {
	var b strings.Builder
	b.Grow(n.size())
	start := 0
	for _, end := range n.rdnEnd {
		b.WriteByte('/')
		for j := start; j < end; j++ {
			if j != start {
				b.WriteByte('+')
			}
			a := &n.attrs[j]
			b.WriteString(n.typeName(a))
			b.WriteByte('=')
			if a.decoded {
				escapeSlashValue(&b, a.text)
			} else {
				b.WriteString(a.text)
			}
		}
		start = end
	}
	return b.String()
}

// size estimates the formatted length, so each string is built in one allocation.
func (n rawName) size() int {
	s := len(n.rdnEnd)
	for i := range n.attrs {
		s += len(n.attrs[i].text) + len(n.typeName(&n.attrs[i])) + 4
	}
	return s
}

// EscapeDNValue is an attribute value as FormatDN writes it (see escapeDNValue), for
// code that builds a DN to compare with one, such as a lint's quick fix.
func EscapeDNValue(s string) string {
	var b strings.Builder
	escapeDNValue(&b, s)
	return b.String()
}

// escapeDNValue writes s with RFC 4514 section 2.4 escaping as docs/design.md fixes it:
// , + " \ < > ; with a backslash, a leading # or space, a trailing space, and
// control characters (U+0000-U+001F, U+007F) as \XX. Everything else, including
// "=" and non-ASCII text, is written raw (s is valid UTF-8).
func escapeDNValue(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			b.WriteByte('\\')
			b.WriteByte(upperHexDigits[c>>4])
			b.WriteByte(upperHexDigits[c&0x0f])
		case c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';',
			(c == '#' || c == ' ') && i == 0,
			c == ' ' && i == len(s)-1:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// escapeSlashValue is FormatSlash's escaping.
func escapeSlashValue(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c < 0x20 || c == 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(upperHexDigits[c>>4])
			b.WriteByte(upperHexDigits[c&0x0f])
		case c == '\\' || c == '/' || c == '+', c == '#' && i == 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
}

// ParseName parses a raw Name into the view's Name: DN and slash forms, every
// attribute in DER order, and the typed lists rules use.
func ParseName(rdnSequence []byte) (Name, error) {
	return parseName(rdnSequence, nil)
}

// Attribute kinds: which Name field an attribute fills besides Attributes. The
// list kinds index Name's typed lists, which parseName fills from one array.
const (
	kindO int8 = iota
	kindOU
	kindC
	kindL
	kindST
	kindStreet
	kindPostalCode
	kindEmail
	kindDC
	numLists
	kindCN
	kindSerialNumber
	kindNone int8 = -1
)

func parseName(raw []byte, warn func(string)) (Name, error) {
	var lists [numLists][]string
	for i := range lists {
		lists[i] = []string{}
	}
	name := Name{Attributes: []Attribute{}}
	var attrs [16]attr
	var ends [16]int
	n, err := parseRDNs(raw, warn, attrs[:0], ends[:0])
	if err == nil {
		name.DN = n.dn()
		name.Slash = n.slash()
		var counts [numLists]int
		total := 0
		for i := range n.attrs {
			if k := n.attrs[i].kind; k >= 0 && k < numLists {
				counts[k]++
				total++
			}
		}
		backing := make([]string, total)
		for l, c := range counts {
			if c > 0 {
				lists[l], backing = backing[:0:c], backing[c:]
			}
		}
		if len(n.attrs) > 0 {
			name.Attributes = make([]Attribute, len(n.attrs))
		}
		for i := range n.attrs {
			a := &n.attrs[i]
			name.Attributes[i] = Attribute{RDN: int(a.rdn), Type: n.typeName(a), OID: a.dotted, Value: a.text}
			switch {
			case a.kind == kindCN:
				name.CN = a.text
			case a.kind == kindSerialNumber:
				name.SerialNumber = a.text
			case a.kind >= 0 && a.kind < numLists:
				lists[a.kind] = append(lists[a.kind], a.text)
			}
		}
	}
	name.Organization, name.OrganizationalUnit, name.Country = lists[kindO], lists[kindOU], lists[kindC]
	name.Locality, name.Province, name.StreetAddress = lists[kindL], lists[kindST], lists[kindStreet]
	name.PostalCode, name.EmailAddress, name.DomainComponent = lists[kindPostalCode], lists[kindEmail], lists[kindDC]
	return name, err
}
