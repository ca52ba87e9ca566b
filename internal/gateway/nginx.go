package gateway

import (
	"crypto/sha1"
	"encoding/pem"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const nginxVersion = "nginx 1.22.1 with OpenSSL 3.0.19 (Debian 12)"

// nginx is ngx_http_ssl_module's variables (src/event/ngx_event_openssl.c):
// $ssl_client_s_dn is X509_NAME_print_ex(…, XN_FLAG_RFC2253), the _legacy forms
// X509_NAME_oneline, the serial i2a_ASN1_INTEGER, the fingerprint the lowercase
// hex SHA-1, the dates ASN1_TIME_print.
var nginx = Profile{
	Name:  "nginx",
	Title: nginxVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Tested, version: nginxVersion}
		var cannot []string
		for _, n := range []struct {
			name string
			der  []byte
		}{{"$ssl_client_s_dn", raw.subject}, {"$ssl_client_i_dn", raw.issuer}} {
			if b, err := printName(n.der, xnRFC2253); err == nil {
				vs.add(n.name, b)
			} else {
				cannot = append(cannot, n.name+": OpenSSL cannot print this name ("+err.Error()+"); nginx fails the request")
			}
		}
		for _, n := range []struct {
			name string
			der  []byte
		}{{"$ssl_client_s_dn_legacy", raw.subject}, {"$ssl_client_i_dn_legacy", raw.issuer}} {
			if b, err := oneline(n.der); err == nil {
				vs.add(n.name, b)
			}
		}
		vs.add("$ssl_client_serial", i2aInteger(raw.serial))
		sum := sha1.Sum(c.DER())
		vs.add("$ssl_client_fingerprint", appendHex(nil, sum[:], "0123456789abcdef"))
		vs.add("$ssl_client_escaped_cert", escapeURIComponent(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER()})))
		if b, ok := timePrint(raw.notBefore); ok {
			vs.add("$ssl_client_v_start", b)
		}
		if b, ok := timePrint(raw.notAfter); ok {
			vs.add("$ssl_client_v_end", b)
		}
		cannot = append(cannot, "subjectAltName: nginx has no variable for it (njs, or auth_request to a service that parses $ssl_client_escaped_cert)")
		return View{Values: vs.list, CannotSee: cannot, Notes: []string{
			"$ssl_client_s_dn is RFC 2253 as OpenSSL writes it: every byte of a non-ASCII character escaped as \\XX, and the members of a multi-valued RDN in reverse DER order",
			"the _legacy forms are OpenSSL's one-line form: RDNs in DER order, bytes outside ASCII as \\xXX (a BMPString's raw UCS-2 bytes, not its text)",
			"a map or if on these variables compares bytes: write the escapes, not the characters",
		}}
	},
}

// escapeURIComponent is ngx_escape_uri(…, NGX_ESCAPE_URI_COMPONENT): every byte
// but ALPHA, DIGIT, "-", ".", "_" and "~" as %XX.
func escapeURIComponent(s []byte) []byte {
	var b []byte
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b = append(b, c)
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return b
}
