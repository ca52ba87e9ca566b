package gateway

import (
	"crypto/sha1"
	"crypto/sha256"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const cloudflareVersion = "Cloudflare Rules language cf.tls_client_auth.* fields (developers.cloudflare.com, December 2026)"

// cloudflare is the cf.tls_client_auth.* fields of the Rules language (WAF custom
// rules, transform rules; request.cf.tlsClientAuth in Workers). The documentation's
// examples are OpenSSL's RFC 2253 and one-line forms and i2a_ASN1_INTEGER's
// serial, so those formatters compute them.
var cloudflare = Profile{
	Name:  "cloudflare",
	Title: cloudflareVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Documented, version: cloudflareVersion}
		const p = "cf.tls_client_auth."
		for _, n := range []struct {
			name string
			der  []byte
		}{{"cert_subject_dn", raw.subject}, {"cert_issuer_dn", raw.issuer}} {
			if b, err := printName(n.der, xnRFC2253); err == nil {
				vs.add(p+n.name, b)
				vs.add(p+n.name+"_rfc2253", b)
			}
			if b, err := oneline(n.der); err == nil {
				vs.add(p+n.name+"_legacy", b)
			}
		}
		vs.add(p+"cert_serial", i2aInteger(raw.serial))
		s1, s256 := sha1.Sum(c.DER()), sha256.Sum256(c.DER())
		vs.add(p+"cert_fingerprint_sha1", appendHex(nil, s1[:], "0123456789abcdef"))
		vs.add(p+"cert_fingerprint_sha256", appendHex(nil, s256[:], "0123456789abcdef"))
		return View{Values: vs.list, CannotSee: []string{
			"subjectAltName: no field in the Rules language",
		}, Notes: []string{
			"the documentation shows cert_subject_dn and cert_subject_dn_rfc2253 with the same value, RFC 2253 as nginx's $ssl_client_s_dn, and _legacy as OpenSSL's one-line form",
			"how non-ASCII text and multi-valued RDNs are written is not documented; OpenSSL's rules (bytes ≥ 0x80 as \\XX, members reversed) are assumed",
		}}
	},
}
