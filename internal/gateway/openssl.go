package gateway

import (
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte/asn1"
)

// This file ports the OpenSSL 3.0 functions nginx and HAProxy call to print a
// certificate (crypto/asn1/a_strex.c, crypto/x509/x509_obj.c, crypto/asn1/f_int.c,
// crypto/asn1/a_time.c), byte for byte, quirks included: a one-character value is
// only checked as the last character, BMPString units are converted one by one
// (no surrogate pairing), and unknown attribute types are dumped as DER.

// ASN1_STRFLGS_* and XN_FLAG_* values that the two formats nginx and HAProxy use
// need (openssl/asn1.h, openssl/x509.h).
const (
	escRFC2253  = 0x01
	escCtrl     = 0x02
	escMSB      = 0x04
	escQuote    = 0x08
	utf8Convert = 0x10
	dumpAll     = 0x80
	dumpUnknown = 0x100
	dumpDER     = 0x200
	escFlags    = escRFC2253 | escCtrl | escMSB | escQuote | 0x400

	firstEsc = 0x20 // CHARTYPE_FIRST_ESC_2253
	lastEsc  = 0x40 // CHARTYPE_LAST_ESC_2253
	bsEsc    = escRFC2253 | firstEsc | lastEsc

	strflgsRFC2253 = escRFC2253 | escCtrl | escMSB | utf8Convert | dumpUnknown | dumpDER
)

// nameFormat is the part of an XN_FLAG_* combination that do_name_ex reads.
type nameFormat struct {
	strflags            int
	sepDN, sepMV, sepEq string
	reverse             bool // XN_FLAG_DN_REV
	dumpUnknownFields   bool // XN_FLAG_DUMP_UNKNOWN_FIELDS
}

// xnRFC2253 is XN_FLAG_RFC2253, what nginx's $ssl_client_s_dn and HAProxy's
// ssl_c_s_dn(,0,rfc2253) pass to X509_NAME_print_ex.
var xnRFC2253 = nameFormat{strflags: strflgsRFC2253, sepDN: ",", sepMV: "+", sepEq: "=", reverse: true, dumpUnknownFields: true}

// xnOneline is XN_FLAG_ONELINE, GENERAL_NAME_print's format for a directoryName.
var xnOneline = nameFormat{strflags: strflgsRFC2253 | escQuote, sepDN: ", ", sepMV: " + ", sepEq: " = "}

// charType is OpenSSL's char_type table (crypto/asn1/charmap.h) for the bits the
// RFC 2253 flags read.
func charType(c byte) int {
	t := 0
	if c < 0x20 || c == 0x7f {
		t |= escCtrl
	}
	switch c {
	case ' ':
		t |= escQuote | firstEsc | lastEsc
	case '#':
		t |= escQuote | firstEsc
	case ',', '+', '<', '>', ';':
		t |= escQuote | escRFC2253
	case '"', '\\':
		t |= escRFC2253
	}
	return t
}

// escChar is do_esc_char for one byte (every caller here passes bytes).
func escChar(b []byte, c byte, flags int, quotes *bool) []byte {
	var ch int
	if c > 0x7f {
		ch = flags & escMSB
	} else {
		ch = charType(c) & flags
	}
	switch {
	case ch&bsEsc != 0:
		if ch&escQuote != 0 {
			*quotes = true
			return append(b, c)
		}
		return append(b, '\\', c)
	case ch&(escCtrl|escMSB|0x400) != 0:
		return append(b, '\\', upperHex[c>>4], upperHex[c&0xf])
	case c == '\\' && flags&escFlags != 0:
		return append(b, '\\', '\\')
	}
	return append(b, c)
}

const upperHex = "0123456789ABCDEF"

// tag2nbyte is OpenSSL's character width per universal tag: 0 UTF-8, 1, 2 or 4
// bytes per character, -1 not a string (dumped).
func tag2nbyte(tag asn1.Tag) int {
	switch tag {
	case 12:
		return 0
	case 18, 19, 20, 22, 23, 24, 26:
		return 1
	case 28:
		return 4
	case 30:
		return 2
	}
	return -1
}

// errPrint is what X509_NAME_print_ex's failure becomes: the gateway has no value.
type errPrint string

func (e errPrint) Error() string { return string(e) }

// printValue is do_print_ex without SHOW_TYPE.
func printValue(b []byte, e *entry, lflags int) ([]byte, error) {
	width := -1
	if lflags&dumpAll == 0 {
		width = tag2nbyte(e.tag)
		if width == -1 && lflags&dumpUnknown == 0 {
			width = 1
		}
	}
	if width == -1 {
		b = append(b, '#')
		if lflags&dumpDER == 0 {
			return appendHex(b, e.content, upperHex), nil
		}
		return appendHex(b, e.elem, upperHex), nil
	}
	conv := false
	if lflags&utf8Convert != 0 {
		if width == 0 {
			width = 1
		} else {
			conv = true
		}
	}
	data := e.content
	switch width {
	case 4:
		if len(data)%4 != 0 {
			return nil, errPrint("invalid UniversalString length")
		}
	case 2:
		if len(data)%2 != 0 {
			return nil, errPrint("invalid BMPString length")
		}
	}
	flags := lflags & escFlags
	var quotes bool
	var out []byte
	for i := 0; i < len(data); {
		or := 0
		if i == 0 && flags&escRFC2253 != 0 {
			or = firstEsc
		}
		var c uint32
		switch width {
		case 4:
			c = uint32(data[i])<<24 | uint32(data[i+1])<<16 | uint32(data[i+2])<<8 | uint32(data[i+3])
			i += 4
		case 2:
			c = uint32(data[i])<<8 | uint32(data[i+1])
			i += 2
		case 1:
			c = uint32(data[i])
			i++
		case 0:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				return nil, errPrint("invalid UTF8String")
			}
			c = uint32(r)
			i += n
		}
		if i == len(data) && flags&escRFC2253 != 0 {
			or = lastEsc // replaces firstEsc: a one-character value is only "last"
		}
		if conv {
			var u [6]byte
			for _, ub := range u[:utf8Put(u[:], c)] {
				out = escChar(out, ub, flags|or, &quotes)
			}
		} else if c > 0xffff {
			out = append(out, `\W`...)
			out = append(out, strings.ToUpper(strconv.FormatUint(uint64(c)|1<<32, 16)[1:])...)
		} else if c > 0xff {
			out = append(out, `\U`...)
			out = append(out, strings.ToUpper(strconv.FormatUint(uint64(c)|1<<16, 16)[1:])...)
		} else {
			out = escChar(out, byte(c), flags|or, &quotes)
		}
	}
	if quotes {
		b = append(b, '"')
	}
	b = append(b, out...)
	if quotes {
		b = append(b, '"')
	}
	return b, nil
}

// utf8Put is OpenSSL's UTF8_putc: it encodes surrogates like any other value and
// writes nothing for values past U+10FFFF (the character is then dropped).
func utf8Put(u []byte, c uint32) int {
	switch {
	case c < 0x80:
		u[0] = byte(c)
		return 1
	case c < 0x800:
		u[0], u[1] = byte(0xc0|c>>6), byte(0x80|c&0x3f)
		return 2
	case c < 0x10000:
		u[0], u[1], u[2] = byte(0xe0|c>>12), byte(0x80|c>>6&0x3f), byte(0x80|c&0x3f)
		return 3
	case c < 0x110000:
		u[0], u[1], u[2], u[3] = byte(0xf0|c>>18), byte(0x80|c>>12&0x3f), byte(0x80|c>>6&0x3f), byte(0x80|c&0x3f)
		return 4
	}
	return 0
}

// printName is X509_NAME_print_ex(bio, name, 0, flags) (do_name_ex).
func printName(name []byte, f nameFormat) ([]byte, error) {
	entries, err := nameEntries(name)
	if err != nil {
		return nil, err
	}
	var b []byte
	prev := -1
	for i := range entries {
		e := &entries[i]
		if f.reverse {
			e = &entries[len(entries)-1-i]
		}
		if prev != -1 {
			if prev == e.set {
				b = append(b, f.sepMV...)
			} else {
				b = append(b, f.sepDN...)
			}
		}
		prev = e.set
		sn, known := opensslShortName(e.oid)
		b = append(b, sn...)
		b = append(b, f.sepEq...)
		flags := f.strflags
		if !known && f.dumpUnknownFields {
			flags |= dumpAll
		}
		if b, err = printValue(b, e, flags); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// oneline is X509_NAME_oneline: RDNs in DER order, "/" before each and "+"
// between members, values byte by byte with bytes outside ' '..'~' as \xXX and
// "/" and "+" escaped (OpenSSL 3.0).
func oneline(name []byte) ([]byte, error) {
	entries, err := nameEntries(name)
	if err != nil {
		return nil, err
	}
	var b []byte
	prev := -1
	for i := range entries {
		e := &entries[i]
		if prev == e.set {
			b = append(b, '+')
		} else {
			b = append(b, '/')
		}
		prev = e.set
		sn, _ := opensslShortName(e.oid)
		b = append(b, sn...)
		b = append(b, '=')
		q := entryData(e)
		doit := [4]bool{true, true, true, true}
		if e.tag == 27 && len(q)%4 == 0 { // GeneralString that looks like UCS-4
			var nz [4]bool
			for j, c := range q {
				if c != 0 {
					nz[j&3] = true
				}
			}
			if !(nz[0] || nz[1] || nz[2]) {
				doit = [4]bool{false, false, false, true}
			}
		}
		for j, c := range q {
			if !doit[j&3] {
				continue
			}
			switch {
			case c < ' ' || c > '~':
				b = append(b, '\\', 'x', upperHex[c>>4], upperHex[c&0xf])
			case c == '/' || c == '+':
				b = append(b, '\\', c)
			default:
				b = append(b, c)
			}
		}
	}
	return b, nil
}

// entryData is the ASN1_STRING data OpenSSL keeps for a name value: the content
// octets of the string types a Name may hold, the whole element otherwise.
func entryData(e *entry) []byte {
	switch e.tag {
	case 3, 12, 18, 19, 20, 22, 28, 30:
		return e.content
	}
	return e.elem
}

// i2aInteger is i2a_ASN1_INTEGER: uppercase hex of the magnitude, "-" for a
// negative number, "00" for zero, a backslash-newline every 35 bytes.
func i2aInteger(content []byte) []byte {
	neg := len(content) > 0 && content[0]&0x80 != 0
	mag := new(big.Int).SetBytes(content)
	if neg {
		mag.Sub(mag, new(big.Int).Lsh(big.NewInt(1), uint(8*len(content))))
		mag.Neg(mag)
	}
	m := mag.Bytes()
	var b []byte
	if neg {
		b = append(b, '-')
	}
	if len(m) == 0 {
		return append(b, "00"...)
	}
	for i, c := range m {
		if i != 0 && i%35 == 0 {
			b = append(b, '\\', '\n')
		}
		b = append(b, upperHex[c>>4], upperHex[c&0xf])
	}
	return b
}

// integerMagnitude is the ASN1_INTEGER data OpenSSL holds: the magnitude,
// big-endian, without sign padding.
func integerMagnitude(content []byte) []byte {
	v := new(big.Int).SetBytes(content)
	if len(content) > 0 && content[0]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*len(content))))
		v.Neg(v)
	}
	return v.Bytes()
}

// timePrint is ASN1_TIME_print (RFC 822 style): "Dec  5 19:23:19 2026 GMT",
// with a GeneralizedTime's fractional seconds kept as written.
func timePrint(t rawTime) ([]byte, bool) {
	s := string(t.bytes)
	var layout string
	frac := ""
	switch t.tag {
	case asn1.UTCTime:
		layout = "060102150405Z"
	case asn1.GeneralizedTime:
		layout = "20060102150405Z"
		if len(s) > 15 && s[14] == '.' {
			n := 1
			for 14+n < len(s) && s[14+n] >= '0' && s[14+n] <= '9' {
				n++
			}
			frac = s[14 : 14+n]
			s = s[:14] + s[14+n:]
		}
	default:
		return nil, false
	}
	tm, err := time.Parse(layout, s)
	if err != nil {
		return nil, false
	}
	if t.tag == asn1.UTCTime && tm.Year() >= 2050 {
		tm = tm.AddDate(-100, 0, 0)
	}
	out := tm.Format("Jan _2 15:04:05") + frac + tm.Format(" 2006 GMT")
	return []byte(out), true
}

// dottedOID is OBJ_obj2txt(..., 1) for an OID's content octets.
func dottedOID(b []byte) string {
	var out []byte
	v := new(big.Int)
	first := true
	for i, c := range b {
		v.Lsh(v, 7)
		v.Or(v, big.NewInt(int64(c&0x7f)))
		if c&0x80 != 0 && i != len(b)-1 {
			continue
		}
		if first {
			switch {
			case v.Cmp(big.NewInt(40)) < 0:
				out = append(out, "0."...)
			case v.Cmp(big.NewInt(80)) < 0:
				out = append(out, "1."...)
				v.Sub(v, big.NewInt(40))
			default:
				out = append(out, "2."...)
				v.Sub(v, big.NewInt(80))
			}
			first = false
		} else {
			out = append(out, '.')
		}
		out = v.Append(out, 10)
		v.SetInt64(0)
	}
	return string(out)
}

// opensslShortName is OBJ_nid2sn for the attribute types OpenSSL 3.0 knows
// (crypto/objects/objects.txt), and the dotted OID for the others; known is false
// for those, which XN_FLAG_DUMP_UNKNOWN_FIELDS then dumps as #DER.
func opensslShortName(oid []byte) (name string, known bool) {
	if sn, ok := opensslNames()[string(oid)]; ok {
		return sn, true
	}
	return dottedOID(oid), false
}

// opensslNames is built on first use: in the browser, work at init delays start-up.
var opensslNames = sync.OnceValue(func() map[string]string {
	pairs := []string{
		"2.5.4.0", "objectClass", "2.5.4.1", "aliasedEntryName", "2.5.4.2", "knowledgeInformation",
		"2.5.4.3", "CN", "2.5.4.4", "SN", "2.5.4.5", "serialNumber", "2.5.4.6", "C", "2.5.4.7", "L",
		"2.5.4.8", "ST", "2.5.4.9", "street", "2.5.4.10", "O", "2.5.4.11", "OU", "2.5.4.12", "title",
		"2.5.4.13", "description", "2.5.4.14", "searchGuide", "2.5.4.15", "businessCategory",
		"2.5.4.16", "postalAddress", "2.5.4.17", "postalCode", "2.5.4.18", "postOfficeBox",
		"2.5.4.19", "physicalDeliveryOfficeName", "2.5.4.20", "telephoneNumber", "2.5.4.21", "telexNumber",
		"2.5.4.22", "teletexTerminalIdentifier", "2.5.4.23", "facsimileTelephoneNumber",
		"2.5.4.24", "x121Address", "2.5.4.25", "internationaliSDNNumber", "2.5.4.26", "registeredAddress",
		"2.5.4.27", "destinationIndicator", "2.5.4.28", "preferredDeliveryMethod",
		"2.5.4.29", "presentationAddress", "2.5.4.30", "supportedApplicationContext", "2.5.4.31", "member",
		"2.5.4.32", "owner", "2.5.4.33", "roleOccupant", "2.5.4.34", "seeAlso", "2.5.4.35", "userPassword",
		"2.5.4.36", "userCertificate", "2.5.4.37", "cACertificate", "2.5.4.38", "authorityRevocationList",
		"2.5.4.39", "certificateRevocationList", "2.5.4.40", "crossCertificatePair", "2.5.4.41", "name",
		"2.5.4.42", "GN", "2.5.4.43", "initials", "2.5.4.44", "generationQualifier",
		"2.5.4.45", "x500UniqueIdentifier", "2.5.4.46", "dnQualifier", "2.5.4.47", "enhancedSearchGuide",
		"2.5.4.48", "protocolInformation", "2.5.4.49", "distinguishedName", "2.5.4.50", "uniqueMember",
		"2.5.4.51", "houseIdentifier", "2.5.4.52", "supportedAlgorithms", "2.5.4.53", "deltaRevocationList",
		"2.5.4.54", "dmdName", "2.5.4.65", "pseudonym", "2.5.4.72", "role", "2.5.4.97", "organizationIdentifier",
		"2.5.4.98", "c3", "2.5.4.99", "n3", "2.5.4.100", "dnsName",
		"1.2.840.113549.1.9.1", "emailAddress", "1.2.840.113549.1.9.2", "unstructuredName",
		"1.2.840.113549.1.9.3", "contentType", "1.2.840.113549.1.9.7", "challengePassword",
		"1.2.840.113549.1.9.8", "unstructuredAddress",
		"0.9.2342.19200300.100.1.1", "UID", "0.9.2342.19200300.100.1.3", "mail",
		"0.9.2342.19200300.100.1.25", "DC",
		"1.3.6.1.4.1.311.60.2.1.1", "jurisdictionL", "1.3.6.1.4.1.311.60.2.1.2", "jurisdictionST",
		"1.3.6.1.4.1.311.60.2.1.3", "jurisdictionC",
	}
	m := make(map[string]string, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		m[string(encodeOID(pairs[i]))] = pairs[i+1]
	}
	return m
})

// encodeOID is the DER content of a dotted OID from the table above.
func encodeOID(dotted string) []byte {
	parts := strings.Split(dotted, ".")
	arcs := make([]uint64, len(parts))
	for i, p := range parts {
		arcs[i], _ = strconv.ParseUint(p, 10, 64)
	}
	arcs = append([]uint64{arcs[0]*40 + arcs[1]}, arcs[2:]...)
	var out []byte
	for _, v := range arcs {
		var tmp [10]byte
		i := len(tmp) - 1
		tmp[i] = byte(v & 0x7f)
		for v >>= 7; v > 0; v >>= 7 {
			i--
			tmp[i] = byte(v&0x7f) | 0x80
		}
		out = append(out, tmp[i:]...)
	}
	return out
}

func appendHex(b, data []byte, digits string) []byte {
	for _, c := range data {
		b = append(b, digits[c>>4], digits[c&0xf])
	}
	return b
}
