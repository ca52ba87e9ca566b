package certinfo

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: no input may panic; every certificate it returns must marshal to
// JSON with no null list.
func FuzzParse(f *testing.F) {
	for _, der := range goldenCerts(f) {
		f.Add(der)
		f.Add(der[:len(der)/2])
	}
	f.Add(benchClientCert(f))
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x05})
	f.Fuzz(func(t *testing.T, der []byte) {
		c, err := Parse(der)
		if err != nil {
			if c != nil {
				t.Fatal("Parse returned a certificate and an error")
			}
			if !strings.HasPrefix(err.Error(), "not a certificate") {
				t.Fatalf("error %q does not start with \"not a certificate\"", err)
			}
			return
		}
		j, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		if bytes.Contains(j, []byte(":null")) {
			t.Fatalf("JSON has a null: %s", j)
		}
		if c.X509() == nil && len(c.Problems) == 0 {
			t.Fatal("crypto/x509 rejected the certificate but Problems is empty")
		}
		checkDN(t, c.Subject.DN)
		checkDN(t, c.Issuer.DN)
	})
}

// checkDN asserts the properties every formatted DN has: valid UTF-8 and no raw
// control character.
func checkDN(t *testing.T, dn string) {
	t.Helper()
	if !utf8.ValidString(dn) {
		t.Fatalf("DN %q is not valid UTF-8", dn)
	}
	for _, c := range []byte(dn) {
		if c < 0x20 || c == 0x7f {
			t.Fatalf("DN %q has a raw control character", dn)
		}
	}
}

func FuzzFormatDN(f *testing.F) {
	for _, raw := range [][]byte{
		rdnSeq(one(oC, prints("US")), one(oO, utf8s("Acme, Inc.")), []atv{{oOU, utf8s("a")}, {oCN, utf8s("b")}}),
		rdnSeq(one(oCN, bmps("Zoë 😀")), one(oCN, univs("Ω")), one(oCN, str(tagT61String, "\xe9"))),
		rdnSeq(one(oCN, utf8s(" #a\x00\n,+\"\\<>;= ")), one("1.2.3.4", utf8s("x")), nil),
		rdnSeq(),
	} {
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		dn, err := FormatDN(raw)
		slash, err2 := FormatSlash(raw)
		n, err3 := ParseName(raw)
		if (err == nil) != (err2 == nil) || (err == nil) != (err3 == nil) {
			t.Fatalf("FormatDN, FormatSlash, ParseName disagree: %v, %v, %v", err, err2, err3)
		}
		if err != nil {
			return
		}
		checkDN(t, dn)
		if !utf8.ValidString(slash) || n.DN != dn || n.Slash != slash {
			t.Fatalf("inconsistent: %q %q %q %q", dn, slash, n.DN, n.Slash)
		}
	})
}

func FuzzParseSAN(f *testing.F) {
	f.Add(sanValue(gnDNS("a.example"), gnIP(192, 0, 2, 1), gnURIs("spiffe://td/x"), gnEmail("a@b"),
		gnOther(oUPN, utf8s("u@corp")), gnOther("1.2.3.4", ia5s("v")), gnRID("1.2.3"),
		gnDir(rdnSeq(one(oCN, utf8s("d")))), gnIP(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4)))
	f.Add(sanValue(gnURIs("http://exa mple/"), gnDNS(""), gnIP(1, 2, 3)))
	f.Add([]byte{0x30, 0x00})
	f.Fuzz(func(t *testing.T, value []byte) {
		a, err := ParseSAN(value)
		if a.Entries == nil || a.Problems == nil || a.SAN.DNS == nil || a.SAN.DirName == nil {
			t.Fatal("nil list")
		}
		typed := len(a.SAN.DNS) + len(a.SAN.IP) + len(a.SAN.URI) + len(a.SAN.Email) + len(a.SAN.UPN) +
			len(a.SAN.OtherName) + len(a.SAN.RID) + len(a.SAN.DirName)
		if typed > len(a.Entries) {
			t.Fatalf("%d typed entries but %d entries", typed, len(a.Entries))
		}
		if err == nil {
			for _, e := range a.Entries {
				if !strings.Contains(e, ":") {
					t.Fatalf("entry %q has no prefix", e)
				}
			}
		}
	})
}
