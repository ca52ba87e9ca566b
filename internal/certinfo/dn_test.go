package certinfo

import (
	stdasn1 "encoding/asn1"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte/asn1"
)

func TestFormatDN(t *testing.T) {
	tests := []struct {
		name      string
		raw       []byte
		dn, slash string
	}{
		{"simple", rdnSeq(one(oC, prints("US")), one(oO, utf8s("Org")), one(oCN, utf8s("RootCA"))),
			"CN=RootCA,O=Org,C=US", "/C=US/O=Org/CN=RootCA"},
		{"empty name", rdnSeq(), "", ""},
		// docs/design.md's example: OpenSSL sorts the SET, so CN (2.5.4.3) comes first in DER.
		{"design example, DER-sorted multi-valued RDN",
			rdnSeq(one(oC, prints("US")), one(oO, utf8s("Acme, Inc.")), []atv{{oCN, utf8s("b")}, {oOU, utf8s("a")}}),
			`CN=b+OU=a,O=Acme\, Inc.,C=US`, "/C=US/O=Acme, Inc./CN=b+OU=a"},
		// Members stay in DER order even when the SET is not sorted.
		{"multi-valued RDN kept in DER order",
			rdnSeq(one(oC, prints("US")), one(oO, utf8s("Acme, Inc.")), []atv{{oOU, utf8s("a")}, {oCN, utf8s("b")}}),
			`OU=a+CN=b,O=Acme\, Inc.,C=US`, "/C=US/O=Acme, Inc./OU=a+CN=b"},
		{"three members", rdnSeq([]atv{{oCN, utf8s("x")}, {oUID, utf8s("u1")}, {oEmail, ia5s("x@example.org")}}),
			"CN=x+UID=u1+emailAddress=x@example.org", "/CN=x+UID=u1+emailAddress=x@example.org"},
		{"repeated OUs stay separate RDNs",
			rdnSeq(one(oO, utf8s("Org")), one(oOU, utf8s("a")), one(oOU, utf8s("b")), one(oCN, utf8s("c"))),
			"CN=c,OU=b,OU=a,O=Org", "/O=Org/OU=a/OU=b/CN=c"},
		{"every special character", rdnSeq(one(oCN, utf8s(`a,b+c"d\e<f>g;h=i`))),
			`CN=a\,b\+c\"d\\e\<f\>g\;h=i`, `/CN=a,b\+c"d\\e<f>g;h=i`},
		{"equals sign is not escaped", rdnSeq(one(oCN, utf8s("a=b"))), "CN=a=b", "/CN=a=b"},
		{"leading hash", rdnSeq(one(oCN, utf8s("#x"))), `CN=\#x`, `/CN=\#x`},
		{"hash elsewhere", rdnSeq(one(oCN, utf8s("a#b#"))), "CN=a#b#", "/CN=a#b#"},
		{"only a hash", rdnSeq(one(oCN, utf8s("#"))), `CN=\#`, `/CN=\#`},
		{"leading and trailing space", rdnSeq(one(oCN, utf8s(" a b "))), `CN=\ a b\ `, "/CN= a b "},
		{"single space", rdnSeq(one(oCN, utf8s(" "))), `CN=\ `, "/CN= "},
		{"two spaces", rdnSeq(one(oCN, utf8s("  "))), `CN=\ \ `, "/CN=  "},
		{"empty value", rdnSeq(one(oCN, utf8s(""))), "CN=", "/CN="},
		{"UTF-8 raw", rdnSeq(one(oO, utf8s("Jürgen & Søn")), one(oCN, utf8s("日本語"))),
			"CN=日本語,O=Jürgen & Søn", "/O=Jürgen & Søn/CN=日本語"},
		{"BMPString", rdnSeq(one(oCN, bmps("Zoë 😀"))), "CN=Zoë 😀", "/CN=Zoë 😀"},
		{"TeletexString is Latin-1", rdnSeq(one(oCN, str(tagT61String, "Caf\xe9"))), "CN=Café", "/CN=Café"},
		{"UniversalString", rdnSeq(one(oCN, univs("Ωmega𝄞"))), "CN=Ωmega𝄞", "/CN=Ωmega𝄞"},
		{"NumericString and VisibleString",
			rdnSeq(one(oSer, str(tagNumericString, "0123")), one(oCN, str(tagVisibleString, "vis"))),
			"CN=vis,serialNumber=0123", "/serialNumber=0123/CN=vis"},
		{"NUL and LF", rdnSeq(one(oCN, utf8s("a\x00b\nc"))), `CN=a\00b\0Ac`, `/CN=a\x00b\x0Ac`},
		{"other controls", rdnSeq(one(oCN, utf8s("\x01\x1f\x7f\t"))), `CN=\01\1F\7F\09`, `/CN=\x01\x1F\x7F\x09`},
		{"control at the edges is hex, not space-escaped", rdnSeq(one(oCN, utf8s("\n x \r"))), `CN=\0A x \0D`, `/CN=\x0A x \x0D`},
		{"slash form escapes", rdnSeq(one(oCN, utf8s(`a/b+c\d`))), `CN=a/b\+c\\d`, `/CN=a\/b\+c\\d`},
		{"domain components", rdnSeq(one(oDC, ia5s("com")), one(oDC, ia5s("example")), one(oCN, utf8s("host"))),
			"CN=host,DC=example,DC=com", "/DC=com/DC=example/CN=host"},
		{"emailAddress and UID", rdnSeq(one(oEmail, ia5s("a@b.example")), one(oUID, utf8s("jdoe"))),
			"UID=jdoe,emailAddress=a@b.example", "/emailAddress=a@b.example/UID=jdoe"},
		{"RFC 4514 names", rdnSeq(one(oC, prints("DE")), one(oST, utf8s("Bayern")), one(oL, utf8s("München")),
			one(oSTR, utf8s("Hauptstr. 1")), one(oO, utf8s("O")), one(oOU, utf8s("OU")), one(oCN, utf8s("CN"))),
			"CN=CN,OU=OU,O=O,STREET=Hauptstr. 1,L=München,ST=Bayern,C=DE",
			"/C=DE/ST=Bayern/L=München/STREET=Hauptstr. 1/O=O/OU=OU/CN=CN"},
		{"OpenSSL short names", rdnSeq(
			one(oSN, utf8s("Doe")), one("2.5.4.42", utf8s("Jane")), one("2.5.4.12", utf8s("Dr")),
			one(oSer, prints("42")), one("2.5.4.17", utf8s("80331")), one("2.5.4.43", utf8s("J")),
			one("2.5.4.65", utf8s("jd")), one("2.5.4.97", utf8s("VATDE-123")), one("2.5.4.15", utf8s("Private Organization")),
			one("1.3.6.1.4.1.311.60.2.1.3", prints("DE")), one("1.3.6.1.4.1.311.60.2.1.2", utf8s("BY")),
			one("1.3.6.1.4.1.311.60.2.1.1", utf8s("Munich")), one("2.5.4.44", utf8s("Jr")),
			one("2.5.4.46", prints("q1")), one("2.5.4.13", utf8s("desc")), one("2.5.4.41", utf8s("nm")),
			one("2.5.4.72", utf8s("admin")), one("0.9.2342.19200300.100.1.3", ia5s("m@x.example")),
			one("1.2.840.113549.1.9.2", ia5s("un"))),
			"unstructuredName=un,mail=m@x.example,role=admin,name=nm,description=desc,dnQualifier=q1," +
				"generationQualifier=Jr,jurisdictionL=Munich,jurisdictionST=BY,jurisdictionC=DE," +
				"businessCategory=Private Organization,organizationIdentifier=VATDE-123,pseudonym=jd,initials=J," +
				"postalCode=80331,serialNumber=42,title=Dr,GN=Jane,SN=Doe",
			"/SN=Doe/GN=Jane/title=Dr/serialNumber=42/postalCode=80331/initials=J/pseudonym=jd" +
				"/organizationIdentifier=VATDE-123/businessCategory=Private Organization/jurisdictionC=DE" +
				"/jurisdictionST=BY/jurisdictionL=Munich/generationQualifier=Jr/dnQualifier=q1/description=desc" +
				"/name=nm/role=admin/mail=m@x.example/unstructuredName=un"},
		// Unknown types: the original DER, tag included (0C = UTF8String, 13 = PrintableString).
		{"unknown OID, UTF8String", rdnSeq(one("1.2.3.4", utf8s("abc"))), "1.2.3.4=#0C03616263", "/1.2.3.4=#0C03616263"},
		{"unknown OID, PrintableString", rdnSeq(one("1.2.3.4", prints("abc"))), "1.2.3.4=#1303616263", "/1.2.3.4=#1303616263"},
		{"unknown OID, big arc", rdnSeq(one("2.25.329800735698586629295641978511506172918", utf8s("x"))),
			"2.25.329800735698586629295641978511506172918=#0C0178", "/2.25.329800735698586629295641978511506172918=#0C0178"},
		{"known type, non-string value", rdnSeq(one(oCN, tlv(asn1.INTEGER, []byte{5}))), "CN=#020105", "/CN=#020105"},
		{"x500UniqueIdentifier is a BIT STRING", rdnSeq(one("2.5.4.45", tlv(asn1.BIT_STRING, []byte{0, 0xAB}))),
			"x500UniqueIdentifier=#030200AB", "/x500UniqueIdentifier=#030200AB"},
		{"invalid UTF-8", rdnSeq(one(oCN, str(tagUTF8String, "\xc3\x28"))), "CN=#0C02C328", "/CN=#0C02C328"},
		{"odd-length BMPString", rdnSeq(one(oCN, str(tagBMPString, "\x00a\x00"))), "CN=#1E03006100", "/CN=#1E03006100"},
		{"unpaired surrogate in BMPString", rdnSeq(one(oCN, str(tagBMPString, "\xd8\x00\x00a"))), "CN=#1E04D8000061", "/CN=#1E04D8000061"},
		{"UniversalString out of range", rdnSeq(one(oCN, str(tagUniversalString, "\x00\x11\x00\x00"))), "CN=#1C0400110000", "/CN=#1C0400110000"},
		{"non-ASCII PrintableString", rdnSeq(one(oCN, str(tagPrintableString, "\xe9"))), "CN=#1301E9", "/CN=#1301E9"},
		// X.501 forbids an empty RDN but crypto/x509 accepts one: it stays visible.
		{"empty RDN", rdnSeq(one(oC, prints("US")), nil, one(oCN, utf8s("x"))), "CN=x,,C=US", "/C=US//CN=x"},
		{"only an empty RDN", rdnSeq(nil), "", "/"},
		{"a value that looks like hex is escaped", rdnSeq(one(oCN, utf8s("#0C00"))), `CN=\#0C00`, `/CN=\#0C00`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dn, err := FormatDN(tt.raw)
			if err != nil || dn != tt.dn {
				t.Errorf("FormatDN(%X) = %q, %v; want %q", tt.raw, dn, err, tt.dn)
			}
			slash, err := FormatSlash(tt.raw)
			if err != nil || slash != tt.slash {
				t.Errorf("FormatSlash(%X) = %q, %v; want %q", tt.raw, slash, err, tt.slash)
			}
			n, err := ParseName(tt.raw)
			if err != nil || n.DN != tt.dn || n.Slash != tt.slash {
				t.Errorf("ParseName(%X) = %q, %q, %v; want %q, %q", tt.raw, n.DN, n.Slash, err, tt.dn, tt.slash)
			}
		})
	}
}

func TestFormatDNErrors(t *testing.T) {
	good := rdnSeq(one(oCN, utf8s("x")))
	tests := []struct {
		name string
		raw  []byte
		want string
	}{
		{"nil", nil, "malformed name at byte 0: not a DER SEQUENCE of RDNs"},
		{"not a sequence", tlv(asn1.SET, nil), "malformed name at byte 0: not a DER SEQUENCE of RDNs"},
		{"truncated", good[:len(good)-1], "malformed name at byte 0: not a DER SEQUENCE of RDNs"},
		{"trailing data", append(append([]byte{}, good...), 0), "malformed name at byte 14: trailing data after the name"},
		{"RDN not a SET", tlv(asn1.SEQUENCE, tlv(asn1.SEQUENCE, nil)), "malformed name: RDN 0 at byte 2: not a DER SET"},
		{"attribute not a SEQUENCE", tlv(asn1.SEQUENCE, tlv(asn1.SET, utf8s("x"))),
			"malformed name: RDN 0 attribute 0 at byte 4: not a DER SEQUENCE"},
		{"no OID", tlv(asn1.SEQUENCE, tlv(asn1.SET, tlv(asn1.SEQUENCE, utf8s("x")))),
			"malformed name: RDN 0 attribute 0 at byte 4: no attribute type OID"},
		{"bad OID", tlv(asn1.SEQUENCE, tlv(asn1.SET, tlv(asn1.SEQUENCE, append(tlv(asn1.OBJECT_IDENTIFIER, []byte{0x80, 1}), utf8s("x")...)))),
			"malformed name: RDN 0 attribute 0 at byte 4: invalid attribute type OID"},
		{"two values", tlv(asn1.SEQUENCE, tlv(asn1.SET, tlv(asn1.SEQUENCE, append(tlv(asn1.OBJECT_IDENTIFIER, oidContent(oCN)), append(utf8s("x"), utf8s("y")...)...)))),
			"malformed name: RDN 0 attribute 0 at byte 4: attribute value is not one DER element"},
		{"no value", tlv(asn1.SEQUENCE, tlv(asn1.SET, tlv(asn1.SEQUENCE, tlv(asn1.OBJECT_IDENTIFIER, oidContent(oCN))))),
			"malformed name: RDN 0 attribute 0 at byte 4: attribute value is not one DER element"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dn, err := FormatDN(tt.raw)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("FormatDN(%X) = %q, %v; want error %q", tt.raw, dn, err, tt.want)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.What != "name" {
				t.Errorf("FormatDN(%X) error %T is not a *SyntaxError for a name", tt.raw, err)
			}
			if _, err := FormatSlash(tt.raw); err == nil {
				t.Errorf("FormatSlash(%X) = nil error", tt.raw)
			}
		})
	}
}

func TestParseNameFields(t *testing.T) {
	raw := rdnSeq(
		one(oDC, ia5s("com")), one(oDC, ia5s("example")),
		one(oC, prints("US")), one(oST, utf8s("CA")), one(oL, utf8s("SF")),
		one(oSTR, utf8s("1 Main St")), one("2.5.4.17", utf8s("94000")),
		one(oO, utf8s("Org A")), one(oO, utf8s("Org B")),
		[]atv{{oOU, utf8s("eng")}, {oOU, utf8s("ops")}},
		one(oSer, prints("S1")), one(oSer, prints("S2")),
		one(oCN, utf8s("first")), one(oEmail, ia5s("a@example.com")), one(oCN, utf8s("last")),
		one("1.2.3.4", utf8s("z")),
	)
	var warnings []string
	n, err := parseName(raw, func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatalf("parseName: %v", err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings = %q", warnings)
	}
	check := func(field string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", field, got, want)
		}
	}
	check("CN (the last CN in DER order)", n.CN, "last")
	check("SerialNumber", n.SerialNumber, "S2")
	check("Organization", n.Organization, []string{"Org A", "Org B"})
	check("OrganizationalUnit", n.OrganizationalUnit, []string{"eng", "ops"})
	check("Country", n.Country, []string{"US"})
	check("Province", n.Province, []string{"CA"})
	check("Locality", n.Locality, []string{"SF"})
	check("StreetAddress", n.StreetAddress, []string{"1 Main St"})
	check("PostalCode", n.PostalCode, []string{"94000"})
	check("EmailAddress", n.EmailAddress, []string{"a@example.com"})
	check("DomainComponent", n.DomainComponent, []string{"com", "example"})
	check("Attributes[9]", n.Attributes[9], Attribute{RDN: 9, Type: "OU", OID: "2.5.4.11", Value: "eng"})
	check("Attributes[10]", n.Attributes[10], Attribute{RDN: 9, Type: "OU", OID: "2.5.4.11", Value: "ops"})
	check("Attributes[16] (unknown)", n.Attributes[16], Attribute{RDN: 15, Type: "1.2.3.4", OID: "1.2.3.4", Value: "#0C017A"})
	check("len(Attributes)", len(n.Attributes), 17)

	// A value shown as #hex because it breaks its type is reported.
	_, err = parseName(rdnSeq(one(oCN, str(tagBMPString, "x"))), func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatal(err)
	}
	_, err = parseName(rdnSeq(one(oCN, utf8s("x")), nil), func(s string) { warnings = append(warnings, s) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"CN (RDN 0) is not a valid BMPString; shown as #hex",
		"RDN 1 is empty (X.501 requires at least one attribute)"}; !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}

	// Empty and failed names still have non-nil lists (JSON [] and CEL lists).
	for _, raw := range [][]byte{rdnSeq(), {0xFF}} {
		n, _ := ParseName(raw)
		for _, l := range [][]string{n.Organization, n.OrganizationalUnit, n.Country, n.Locality, n.Province,
			n.StreetAddress, n.PostalCode, n.EmailAddress, n.DomainComponent} {
			if l == nil {
				t.Errorf("ParseName(%X) left a nil list", raw)
			}
		}
		if n.Attributes == nil {
			t.Errorf("ParseName(%X).Attributes is nil", raw)
		}
	}
}

func TestOIDString(t *testing.T) {
	tests := []struct {
		dotted string
		enc    []byte
		ok     bool
	}{
		{"2.5.4.3", []byte{0x55, 4, 3}, true},
		{"0.9.2342.19200300.100.1.25", oidContent("0.9.2342.19200300.100.1.25"), true},
		{"1.2.840.113549.1.9.1", oidContent("1.2.840.113549.1.9.1"), true},
		{"2.999.3", []byte{0x88, 0x37, 3}, true},
		{"2.25.329800735698586629295641978511506172918", oidContent("2.25.329800735698586629295641978511506172918"), true},
		{"2.25.340282366920938463463374607431768211455", // 2^128-1
			append([]byte{0x69, 0x83}, append([]byte(strings.Repeat("\xff", 17)), 0x7f)...), true},
		{"", nil, false},
		{"", []byte{0x80, 1}, false},    // non-minimal
		{"", []byte{0x55, 0x84}, false}, // truncated
		{"", []byte(strings.Repeat("\x01", maxOIDLen+1)), false},
	}
	for _, tt := range tests {
		got, ok := oidString(tt.enc)
		if tt.dotted == "" {
			if ok {
				t.Errorf("oidString(%X) = %q, true; want failure", tt.enc, got)
			}
			continue
		}
		if !ok || got != tt.dotted {
			t.Errorf("oidString(%X) = %q, %v; want %q", tt.enc, got, ok, tt.dotted)
		}
	}
}

// TestEncodeOID checks the table encoder against encoding/asn1, for every OID in
// the tables and a few with large arcs.
func TestEncodeOID(t *testing.T) {
	var all []string
	for _, tb := range []*oidTable{attributeTypes, extensionNames, extKeyUsageNames, signatureAlgorithms, pssHashNames, publicKeyAlgorithms, namedCurves} {
		for _, e := range tb.m {
			all = append(all, e.dotted)
		}
	}
	all = append(all, "2.25.18446744073709551", "1.3.6.1.4.1.311.20.2.3", "2.999.1", "0.9.2342.19200300.100.1.25")
	for _, dotted := range all {
		var oid stdasn1.ObjectIdentifier
		for _, p := range strings.Split(dotted, ".") {
			n, err := strconv.Atoi(p)
			if err != nil {
				n = -1 // beyond int: checked by the round trip below only
			}
			oid = append(oid, n)
		}
		got := encodeOID(dotted)
		if back, ok := oidString([]byte(got)); !ok || back != dotted {
			t.Errorf("encodeOID(%s) = %X, which reads back as %q, %v", dotted, got, back, ok)
		}
		if slices.Contains(oid, -1) {
			continue
		}
		der, err := stdasn1.Marshal(oid)
		if err != nil {
			t.Fatal(err)
		}
		if want := string(der[2:]); got != want {
			t.Errorf("encodeOID(%s) = %X, encoding/asn1 gives %X", dotted, got, want)
		}
	}
}

func TestAttributeName(t *testing.T) {
	for _, tt := range []struct {
		name, want string
		ok         bool
	}{
		{"cn", "CN", true}, {"CN", "CN", true}, {"Ou", "OU", true}, {"st", "ST", true},
		{"emailaddress", "emailAddress", true}, {"E", "emailAddress", true}, {"s", "ST", true},
		{"serialnumber", "serialNumber", true}, {"sn", "SN", true}, {"gn", "GN", true},
		{"businesscategory", "businessCategory", true}, {"title", "title", true},
		{"2.5.4.3", "", false}, {"nosuch", "", false}, {"", "", false},
	} {
		if got, ok := AttributeName(tt.name); got != tt.want || ok != tt.ok {
			t.Errorf("AttributeName(%q) = %q, %v; want %q, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
