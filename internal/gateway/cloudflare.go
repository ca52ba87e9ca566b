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
		if b, ok := timePrint(raw.notBefore); ok {
			vs.add(p+"cert_not_before", b)
		}
		if b, ok := timePrint(raw.notAfter); ok {
			vs.add(p+"cert_not_after", b)
		}
		cannot := []string{"subjectAltName: no field in the Rules language"}
		if raw.ski != nil {
			vs.add(p+"cert_ski", appendHex(nil, raw.ski, upperHex))
		} else {
			cannot = append(cannot, p+"cert_ski: the certificate has no subjectKeyIdentifier extension")
		}
		vs.add(p+"cert_presented", []byte("true"))
		issuerNote := p + "cert_issuer_ski and cert_issuer_serial: they describe the issuing CA's certificate, not this one"
		if raw.akid != nil {
			issuerNote += "; this certificate's authorityKeyIdentifier, which cert_issuer_ski normally equals, is " + string(appendHex(nil, raw.akid, upperHex))
		}
		cannot = append(cannot, issuerNote,
			p+"cert_verified and cert_revoked: Cloudflare's verdict on the chain against the zone's CAs and revocation lists, not a property of the certificate")
		return View{Values: vs.list, CannotSee: cannot, Notes: []string{
			"cert_presented is shown as true because a certificate is being presented; it is false (and every other field \"\") on a request without one",
			"cert_not_before and cert_not_after are the documentation's \"Dec 22 19:39:00 2018 GMT\" form (OpenSSL's ASN1_TIME_print); cert_ski is upper-case hex as its example \"27846FAE6EAC4A8DAD9101B519CF1EB460242831\"",
			"the documentation shows cert_subject_dn and cert_subject_dn_rfc2253 with the same value, RFC 2253 as nginx's $ssl_client_s_dn, and _legacy as OpenSSL's one-line form",
			"how non-ASCII text and multi-valued RDNs are written is not documented; OpenSSL's rules (bytes ≥ 0x80 as \\XX, members reversed) are assumed",
		}}
	},
}
