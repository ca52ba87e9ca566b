package gateway

import (
	"crypto/sha1"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const (
	haproxyVersion    = "HAProxy 2.6.12 with OpenSSL 3.0.19 (Debian 12)"
	haproxySANVersion = "HAProxy 3.1 (ssl_c_san is new in 3.1) with OpenSSL 3"
)

// haproxy is the ssl_c_* sample fetches (src/ssl_sample.c, src/ssl_utils.c):
// ssl_c_s_dn is HAProxy's own one-line form with every value's bytes copied raw,
// the rfc2253 format is OpenSSL's X509_NAME_print_ex, the serial and SHA-1 are
// binary (compare them through the hex converter).
var haproxy = Profile{
	Name:  "haproxy",
	Title: haproxyVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Tested, version: haproxyVersion}
		var cannot []string
		for _, n := range []struct {
			name string
			der  []byte
		}{{"ssl_c_s_dn", raw.subject}, {"ssl_c_i_dn", raw.issuer}} {
			if b, err := haproxyOneline(n.der); err == nil && len(b) > 0 {
				vs.add(n.name, b)
			}
		}
		for _, n := range []struct {
			name string
			der  []byte
		}{{"ssl_c_s_dn(,0,rfc2253)", raw.subject}, {"ssl_c_i_dn(,0,rfc2253)", raw.issuer}} {
			if b, err := printName(n.der, xnRFC2253); err == nil && len(b) > 0 {
				vs.add(n.name, b)
			} else {
				cannot = append(cannot, n.name+": the fetch fails (the name is empty, or OpenSSL cannot print it)")
			}
		}
		if b, ok := haproxyDNEntry(raw.subject, "CN", 1); ok {
			vs.add("ssl_c_s_dn(CN)", b)
		} else {
			cannot = append(cannot, "ssl_c_s_dn(CN): the subject has no CN, so the fetch fails and no ACL on it matches")
		}
		serial := integerMagnitude(raw.serial)
		vs.add("ssl_c_serial", serial)
		vs.add("ssl_c_serial,hex", appendHex(nil, serial, upperHex))
		sum := sha1.Sum(c.DER())
		vs.add("ssl_c_sha1", sum[:])
		vs.add("ssl_c_sha1,hex", appendHex(nil, sum[:], upperHex))
		list := vs.list
		if raw.hasSAN {
			if b, ok := generalNamesPrint(raw.san); ok {
				list = append(list, Value{Name: "ssl_c_san", Bytes: b, Source: Documented, Version: haproxySANVersion})
			}
		}
		cannot = append(cannot, "subjectAltName before HAProxy 3.1: no fetch (ssl_c_san arrived in 3.1)")
		return View{Values: list, CannotSee: cannot, Notes: []string{
			"ssl_c_s_dn copies each value's bytes as the certificate encodes them: UTF-8 stays UTF-8, a BMPString stays UCS-2 (NUL bytes included), nothing is escaped, and a multi-valued RDN is flattened into separate /TYPE=value parts",
			"ssl_c_s_dn(,0,rfc2253) is the same string as nginx's $ssl_client_s_dn",
			"ssl_c_s_dn(CN) is the first CN in DER order; ssl_c_s_dn(CN,-1) the last",
			"ssl_c_serial and ssl_c_sha1 are binary: match them with the hex converter (ssl_c_serial,hex) or hex patterns",
			"a NUL byte inside a value is copied here (2.6); from 3.5-dev5 on, ssl_c_s_dn and ssl_c_s_dn(<entry>) fail on a value with a NUL before its end",
		}}
	},
}

// haproxyOneline is ssl_sock_get_dn_oneline: "/" short name "=" raw value bytes,
// every entry in DER order, multi-valued RDNs flattened.
func haproxyOneline(name []byte) ([]byte, error) {
	entries, err := nameEntries(name)
	if err != nil {
		return nil, err
	}
	var b []byte
	for i := range entries {
		sn, _ := opensslShortName(entries[i].oid)
		b = append(b, '/')
		b = append(b, sn...)
		b = append(b, '=')
		b = append(b, entryData(&entries[i])...)
	}
	return b, nil
}

// haproxyDNEntry is ssl_sock_get_dn_entry: the pos-th (from 1; negative from the
// end) entry whose short name matches typ case-insensitively, its bytes raw.
func haproxyDNEntry(name []byte, typ string, pos int) ([]byte, bool) {
	entries, err := nameEntries(name)
	if err != nil {
		return nil, false
	}
	cur := 0
	for i := range entries {
		j := i
		if pos < 0 {
			j = len(entries) - 1 - i
		}
		sn, _ := opensslShortName(entries[j].oid)
		if !equalFold(sn, typ) {
			continue
		}
		if pos < 0 {
			cur--
		} else {
			cur++
		}
		if cur == pos {
			return entryData(&entries[j]), true
		}
	}
	return nil, false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// generalNamesPrint is HAProxy's ssl_c_san: OpenSSL's GENERAL_NAME_print of every
// entry, joined by ", " (crypto/x509/v3_san.c).
func generalNamesPrint(san []byte) ([]byte, bool) {
	in := cryptobyte.String(san)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) {
		return nil, false
	}
	var b []byte
	for i := 0; !seq.Empty(); i++ {
		var content cryptobyte.String
		var tag asn1.Tag
		if !seq.ReadAnyASN1(&content, &tag) {
			return nil, false
		}
		if i > 0 {
			b = append(b, ", "...)
		}
		switch tag {
		case 0x81, 0x82, 0x86: // rfc822Name, dNSName, URI: ASN1_STRING_print
			b = append(b, map[asn1.Tag]string{0x81: "email:", 0x82: "DNS:", 0x86: "URI:"}[tag]...)
			for _, c := range content {
				if c > '~' || (c < ' ' && c != '\n' && c != '\r') {
					c = '.'
				}
				b = append(b, c)
			}
		case 0x87:
			b = append(b, "IP Address:"...)
			b = append(b, ipaddrToASC(content)...)
		case 0x88:
			b = append(b, "Registered ID:"...)
			b = append(b, dottedOID(content)...) // OpenSSL writes a long name for OIDs it knows
		case 0xA4:
			b = append(b, "DirName:"...)
			if n, err := printName(content, xnOneline); err == nil {
				b = append(b, n...)
			}
		case 0xA0:
			b = append(b, otherNamePrint(content)...)
		case 0xA3:
			b = append(b, "X400Name:<unsupported>"...)
		case 0xA5:
			b = append(b, "EdiPartyName:<unsupported>"...)
		default:
			return nil, false
		}
	}
	return b, true
}

// ipaddrToASC is ossl_ipaddr_to_asc: IPv6 as eight uncompressed uppercase groups.
func ipaddrToASC(p []byte) string {
	switch len(p) {
	case 4:
		return strconv.Itoa(int(p[0])) + "." + strconv.Itoa(int(p[1])) + "." + strconv.Itoa(int(p[2])) + "." + strconv.Itoa(int(p[3]))
	case 16:
		var b []byte
		for i := 0; i < 16; i += 2 {
			if i > 0 {
				b = append(b, ':')
			}
			b = strconv.AppendUint(b, uint64(p[i])<<8|uint64(p[i+1]), 16)
		}
		for i, c := range b {
			if 'a' <= c && c <= 'f' {
				b[i] = c - 'a' + 'A'
			}
		}
		return string(b)
	}
	return "<invalid length=" + strconv.Itoa(len(p)) + ">"
}

// otherNamePrint is GENERAL_NAME_print's otherName case: UPN and the few other
// types OpenSSL names, each only with the string type it expects.
func otherNamePrint(content []byte) string {
	in := cryptobyte.String(content)
	var oid, wrap, val cryptobyte.String
	var tag asn1.Tag
	if !in.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) || !in.ReadASN1(&wrap, asn1.Tag(0).Constructed().ContextSpecific()) ||
		!wrap.ReadAnyASN1(&val, &tag) {
		return "othername:<unsupported>"
	}
	names := map[string]string{
		"1.3.6.1.5.5.7.8.9": "SmtpUTF8Mailbox", "1.3.6.1.5.5.7.8.5": "XmppAddr",
		"1.3.6.1.5.5.7.8.7": "SRVName", "1.3.6.1.4.1.311.20.2.3": "UPN", "1.3.6.1.5.5.7.8.8": "NAIRealm",
	}
	name, ok := names[dottedOID(oid)]
	want := asn1.UTF8String
	if name == "SRVName" {
		want = asn1.IA5String
	}
	if !ok || tag != want {
		return "othername:<unsupported>"
	}
	return "othername:" + name + ":" + string(val)
}
