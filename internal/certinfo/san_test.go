package certinfo

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte/asn1"
)

func TestParseSAN(t *testing.T) {
	ip6 := func(s ...byte) []byte { return gnIP(s...) }
	dirName := rdnSeq(one(oC, prints("US")), []atv{{oOU, utf8s("a")}, {oCN, utf8s("b, c")}})
	tests := []struct {
		name     string
		gns      [][]byte
		entries  []string
		problems []string
	}{
		{"DNS", [][]byte{gnDNS("a.example.com"), gnDNS("*.example.com"), gnDNS("_srv.example.com")},
			[]string{"DNS:a.example.com", "DNS:*.example.com", "DNS:_srv.example.com"}, nil},
		{"IPv4", [][]byte{gnIP(192, 0, 2, 1)}, []string{"IP:192.0.2.1"}, nil},
		{"IPv6 compressed", [][]byte{ip6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)}, []string{"IP:2001:db8::1"}, nil},
		{"IPv4-mapped IPv6 stays IPv6", [][]byte{ip6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1)},
			[]string{"IP:::ffff:192.0.2.1"}, nil},
		{"IPv6 unspecified and loopback", [][]byte{ip6(make([]byte, 16)...), ip6(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)},
			[]string{"IP:::", "IP:::1"}, nil},
		// RFC 5952: the longest run of zero groups is compressed, the first on a tie,
		// a single zero group is not, hex is lower case.
		{"IPv6 longest run", [][]byte{ip6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1)},
			[]string{"IP:2001:db8:0:1::1"}, nil},
		{"IPv6 first of equal runs", [][]byte{ip6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1)},
			[]string{"IP:2001:db8::1:0:0:1"}, nil},
		{"IPv6 single zero group", [][]byte{ip6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1)},
			[]string{"IP:2001:db8:0:1:1:1:1:1"}, nil},
		{"IPv6 lower-case hex", [][]byte{ip6(0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD)},
			[]string{"IP:2001:db8::abcd"}, nil},
		{"IP of wrong length", [][]byte{gnIP(10, 0, 0, 1, 24)}, []string{"IP:#0A00000118"},
			[]string{"SAN IP #0A00000118: 5 bytes; an IP address has 4 (IPv4) or 16 (IPv6)"}},
		{"empty IP", [][]byte{gnIP()}, []string{"IP:#"},
			[]string{"SAN IP #: 0 bytes; an IP address has 4 (IPv4) or 16 (IPv6)"}},
		{"URI and email", [][]byte{gnURIs("spiffe://example.org/ns/prod/sa/api"), gnEmail("alice@example.com")},
			[]string{"URI:spiffe://example.org/ns/prod/sa/api", "Email:alice@example.com"}, nil},
		{"URI with a space", [][]byte{gnURIs("http://exa mple/")}, []string{"URI:http://exa mple/"},
			[]string{`SAN URI "http://exa mple/": contains a space at byte 10 (it must be percent-encoded)`}},
		{"URI without scheme", [][]byte{gnURIs("example.org/x")}, []string{"URI:example.org/x"},
			[]string{`SAN URI "example.org/x": no scheme (a SAN URI must be absolute, like spiffe://… or https://…)`}},
		{"URI bad percent-escape", [][]byte{gnURIs("https://a/%2")}, []string{"URI:https://a/%2"},
			[]string{`SAN URI "https://a/%2": invalid percent-escape at byte 10`}},
		{"URI with percent-escape", [][]byte{gnURIs("https://a/b%20c?x=1#f")}, []string{"URI:https://a/b%20c?x=1#f"}, nil},
		{"empty DNS name", [][]byte{gnDNS("")}, []string{"DNS:"}, []string{`SAN DNS "": empty`}},
		{"DNS with space", [][]byte{gnDNS("a b.example")}, []string{"DNS:a b.example"},
			[]string{`SAN DNS "a b.example": contains a space at byte 1`}},
		{"DNS with empty label", [][]byte{gnDNS("a..example")}, []string{"DNS:a..example"},
			[]string{`SAN DNS "a..example": empty label at byte 2`}},
		{"DNS with trailing dot", [][]byte{gnDNS("example.com.")}, []string{"DNS:example.com."},
			[]string{`SAN DNS "example.com.": ends with an empty label (trailing dot)`}},
		{"DNS with NUL", [][]byte{gnDNS("a\x00.example")}, []string{"DNS:a\x00.example"},
			[]string{`SAN DNS "a\x00.example": contains the control character 0x00 at byte 1`}},
		{"DNS with UTF-8", [][]byte{gnDNS("bücher.example")}, []string{"DNS:bücher.example"},
			[]string{`SAN DNS "bücher.example": contains non-ASCII characters (an IA5String is ASCII)`}},
		{"DNS with invalid bytes", [][]byte{gnDNS("a\xff.example")}, []string{`DNS:a\xFF.example`},
			[]string{`SAN DNS "a\\xFF.example": contains bytes that are neither ASCII nor UTF-8 (shown as \xHH)`}},
		{"email without @", [][]byte{gnEmail("alice")}, []string{"Email:alice"},
			[]string{`SAN Email "alice": not a mailbox (want local-part@domain)`}},
		{"UPN", [][]byte{gnOther(oUPN, utf8s("user@corp.example"))}, []string{"UPN:user@corp.example"}, nil},
		{"UPN not a string", [][]byte{gnOther(oUPN, tlv(asn1.INTEGER, []byte{1}))}, []string{"UPN:#020101"},
			[]string{"SAN UPN: the value is not a string (want UTF8String); shown as #020101"}},
		{"otherName string", [][]byte{gnOther("1.3.6.1.5.5.7.8.9", utf8s("üser@example.com")), gnOther("1.2.3.4", ia5s("v"))},
			[]string{"OtherName:1.3.6.1.5.5.7.8.9:üser@example.com", "OtherName:1.2.3.4:v"}, nil},
		{"otherName non-string", [][]byte{gnOther("1.3.6.1.5.5.7.8.4", tlv(asn1.SEQUENCE, ia5s("x")))},
			[]string{"OtherName:1.3.6.1.5.5.7.8.4:#30031601" + "78"}, nil},
		{"otherName malformed", [][]byte{tlv(asn1.Tag(0).Constructed().ContextSpecific(), utf8s("x"))},
			[]string{"OtherName:#A0030C0178"},
			[]string{"SAN otherName #A0030C0178: malformed (want type-id OID and one [0] value)"}},
		{"registeredID", [][]byte{gnRID("1.2.3.4.5")}, []string{"RID:1.2.3.4.5"}, nil},
		{"registeredID invalid", [][]byte{tlv(asn1.Tag(8).ContextSpecific(), []byte{0x80})}, []string{"RID:#80"},
			[]string{"SAN RID #80: not a valid OBJECT IDENTIFIER"}},
		{"directoryName", [][]byte{gnDir(dirName)}, []string{`DirName:OU=a+CN=b\, c,C=US`}, nil},
		{"directoryName malformed", [][]byte{gnDir(utf8s("x"))}, []string{"DirName:#A4030C0178"},
			[]string{"SAN DirName #A4030C0178: malformed name at byte 0: not a DER SEQUENCE of RDNs"}},
		{"x400Address and ediPartyName", [][]byte{
			tlv(asn1.Tag(3).Constructed().ContextSpecific(), tlv(asn1.SEQUENCE, nil)),
			tlv(asn1.Tag(5).Constructed().ContextSpecific(), tlv(asn1.Tag(1).Constructed().ContextSpecific(), utf8s("p")))},
			[]string{"X400:#A3023000", "EDIParty:#A505A1030C0170"}, nil},
		{"tag outside the CHOICE", [][]byte{tlv(asn1.Tag(9).ContextSpecific(), []byte("x"))}, []string{"Unknown:#890178"},
			[]string{"SAN entry 0: tag 0x89 is not a GeneralName type (RFC 5280 defines [0] to [8] with fixed encodings); shown as Unknown:#890178"}},
		{"constructed dNSName", [][]byte{tlv(asn1.Tag(2).Constructed().ContextSpecific(), ia5s("x"))}, []string{"Unknown:#A203160178"},
			[]string{"SAN entry 0: tag 0xA2 is not a GeneralName type (RFC 5280 defines [0] to [8] with fixed encodings); shown as Unknown:#A203160178"}},
		{"empty extension", nil, []string{}, []string{"SAN: the extension holds no names (RFC 5280 requires at least one)"}},
		{"every type in order", [][]byte{gnEmail("a@b.example"), gnDNS("d.example"), gnOther(oUPN, utf8s("u@corp")),
			gnURIs("spiffe://td/x"), gnIP(10, 0, 0, 1), gnRID("1.2.3"), gnDir(rdnSeq(one(oCN, utf8s("dir")))), gnOther("1.2.3.4", utf8s("o"))},
			[]string{"Email:a@b.example", "DNS:d.example", "UPN:u@corp", "URI:spiffe://td/x", "IP:10.0.0.1", "RID:1.2.3", "DirName:CN=dir", "OtherName:1.2.3.4:o"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			value := sanValue(tt.gns...)
			got, err := ParseSAN(value)
			if err != nil {
				t.Fatalf("ParseSAN(%X) error: %v", value, err)
			}
			if !reflect.DeepEqual(got.Entries, tt.entries) {
				t.Errorf("ParseSAN(%X).Entries = %q, want %q", value, got.Entries, tt.entries)
			}
			if tt.problems == nil {
				tt.problems = []string{}
			}
			if !reflect.DeepEqual(got.Problems, tt.problems) {
				t.Errorf("ParseSAN(%X).Problems = %q, want %q", value, got.Problems, tt.problems)
			}
		})
	}
}

func TestParseSANTypedLists(t *testing.T) {
	value := sanValue(gnDNS("a.example"), gnIP(192, 0, 2, 1), gnURIs("spiffe://td/w"), gnEmail("e@x.example"),
		gnOther(oUPN, utf8s("u@corp")), gnOther("1.2.3.4", utf8s("v")), gnRID("1.2.3"),
		gnDir(rdnSeq(one(oCN, utf8s("d")))), gnDNS("b.example"),
		tlv(asn1.Tag(3).Constructed().ContextSpecific(), tlv(asn1.SEQUENCE, nil)))
	got, err := ParseSAN(value)
	if err != nil {
		t.Fatal(err)
	}
	want := SAN{
		DNS: []string{"a.example", "b.example"}, IP: []string{"192.0.2.1"}, URI: []string{"spiffe://td/w"},
		Email: []string{"e@x.example"}, UPN: []string{"u@corp"}, OtherName: []string{"1.2.3.4:v"},
		RID: []string{"1.2.3"}, DirName: []string{"CN=d"},
	}
	if !reflect.DeepEqual(got.SAN, want) {
		t.Errorf("ParseSAN(…).SAN = %+v, want %+v", got.SAN, want)
	}
	if len(got.Entries) != 10 {
		t.Errorf("ParseSAN(…).Entries has %d entries, want 10: %q", len(got.Entries), got.Entries)
	}
	empty, _ := ParseSAN(sanValue())
	for name, l := range map[string][]string{"Entries": empty.Entries, "DNS": empty.SAN.DNS, "IP": empty.SAN.IP,
		"URI": empty.SAN.URI, "Email": empty.SAN.Email, "UPN": empty.SAN.UPN, "OtherName": empty.SAN.OtherName,
		"RID": empty.SAN.RID, "DirName": empty.SAN.DirName, "Problems": empty.Problems} {
		if l == nil {
			t.Errorf("ParseSAN(empty).%s is nil, want an empty list", name)
		}
	}
}

func TestParseSANErrors(t *testing.T) {
	good := gnDNS("a.example")
	tests := []struct {
		name    string
		value   []byte
		want    string
		entries []string
	}{
		{"not a sequence", good, "malformed subjectAltName at byte 0: not a DER SEQUENCE of GeneralNames", []string{}},
		{"nil", nil, "malformed subjectAltName at byte 0: not a DER SEQUENCE of GeneralNames", []string{}},
		{"truncated element keeps earlier entries", tlv(asn1.SEQUENCE, append(append([]byte{}, good...), 0x82, 0x05, 'x')),
			"malformed subjectAltName: GeneralName 1 at byte 13: not a DER element", []string{"DNS:a.example"}},
		{"high tag number", tlv(asn1.SEQUENCE, []byte{0x9F, 0x20, 0x00}),
			"malformed subjectAltName: GeneralName 0 at byte 2: not a DER element", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSAN(tt.value)
			var se *SyntaxError
			if err == nil || err.Error() != tt.want || !errors.As(err, &se) {
				t.Fatalf("ParseSAN(%X) error = %v, want %q", tt.value, err, tt.want)
			}
			if !reflect.DeepEqual(got.Entries, tt.entries) {
				t.Errorf("ParseSAN(%X).Entries = %q, want %q", tt.value, got.Entries, tt.entries)
			}
		})
	}
	// Trailing bytes after the SEQUENCE are a problem, not a failure.
	got, err := ParseSAN(append(sanValue(good), 0))
	if err != nil || len(got.Problems) != 1 || !strings.Contains(got.Problems[0], "trailing data") {
		t.Errorf("ParseSAN(trailing) = %q, %v", got.Problems, err)
	}
}

func TestProblemsAreBounded(t *testing.T) {
	var gns [][]byte
	for range 1000 {
		gns = append(gns, gnDNS(""))
	}
	got, err := ParseSAN(sanValue(gns...))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != 1000 {
		t.Errorf("len(Entries) = %d, want 1000", len(got.Entries))
	}
	if len(got.Problems) != maxProblems+1 || got.Problems[maxProblems] != "… and 950 more problems" {
		t.Errorf("Problems has %d lines, last %q", len(got.Problems), got.Problems[len(got.Problems)-1])
	}
}

func TestSPIFFEID(t *testing.T) {
	tests := []struct {
		name string
		uris []string
		want string
	}{
		{"one", []string{"spiffe://example.org/svc"}, "spiffe://example.org/svc"},
		{"one among other URIs", []string{"https://example.org/", "spiffe://example.org/svc"}, "spiffe://example.org/svc"},
		{"scheme is case-insensitive", []string{"SPIFFE://example.org/svc"}, "SPIFFE://example.org/svc"},
		{"two", []string{"spiffe://a/x", "spiffe://b/y"}, ""},
		{"none", []string{"https://example.org/"}, ""},
		{"empty", nil, ""},
		{"prefix only in the path", []string{"https://x/spiffe:"}, ""},
	}
	for _, tt := range tests {
		if got := spiffeID(tt.uris); got != tt.want {
			t.Errorf("%s: spiffeID(%q) = %q, want %q", tt.name, tt.uris, got, tt.want)
		}
	}
}

// TestSANPrefixes: SANPrefixes are the prefixes ParseSAN writes, in docs/design.md's
// order, so code that checks rules against them (lints) agrees with the parser.
func TestSANPrefixes(t *testing.T) {
	got, err := ParseSAN(sanValue(
		gnDNS("a.example.com"), gnIP(192, 0, 2, 1), gnURIs("https://a/"), gnEmail("a@example.com"),
		gnOther(oUPN, utf8s("u@example.com")), gnOther("1.2.3.4", utf8s("x")), gnRID("1.2.3"),
		gnDir(rdnSeq(one(oCN, utf8s("x")))),
	))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Entries) != len(SANPrefixes) {
		t.Fatalf("ParseSAN = %q, want one entry per prefix %q", got.Entries, SANPrefixes)
	}
	for i, e := range got.Entries {
		if !strings.HasPrefix(e, SANPrefixes[i]) {
			t.Errorf("entry %d = %q, want prefix %q", i, e, SANPrefixes[i])
		}
	}
}
