package gateway

import (
	"crypto/sha256"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const envoyVersion = "Envoy 1.3x with BoringSSL (source/common/tls/utility.cc; RBAC/CEL attributes documentation)"

// envoy is the connection attributes that RBAC policies and CEL conditions read.
// The subject is X509_NAME_print_ex with XN_FLAG_RFC2253, as nginx's, but from
// BoringSSL; the URI and DNS SAN attributes hold only the first entry of each.
var envoy = Profile{
	Name:  "envoy",
	Title: envoyVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Documented, version: envoyVersion}
		if b, err := printName(raw.subject, xnRFC2253); err == nil {
			vs.add("connection.subject_peer_certificate", b)
		}
		if uri, ok := firstSAN(raw, 0x86); ok {
			vs.add("connection.uri_san_peer_certificate", uri)
		}
		if dns, ok := firstSAN(raw, 0x82); ok {
			vs.add("connection.dns_san_peer_certificate", dns)
		}
		sum := sha256.Sum256(c.DER())
		vs.add("connection.sha256_peer_certificate_digest", appendHex(nil, sum[:], "0123456789abcdef"))
		return View{Values: vs.list, CannotSee: []string{
			"every URI and DNS SAN after the first: the CEL attributes hold one of each (an RBAC principal's authenticated.principal_name matches any)",
			"IP and email SANs: no attribute",
			"the issuer: no attribute",
		}, Notes: []string{
			"connection.subject_peer_certificate is RFC 2253 as nginx's $ssl_client_s_dn, computed here with OpenSSL 3.0's rules; BoringSSL, which Envoy uses, may differ for malformed strings",
			"x-forwarded-client-cert (forward_client_cert_details: SANITIZE_SET) carries the same subject as Subject=\"…\", Hash= the SHA-256 above, URI= and DNS= entries, and Cert= the URL-encoded PEM",
		}}
	},
}

// firstSAN is the first subjectAltName entry with the given GeneralName tag.
func firstSAN(raw rawCert, tag asn1.Tag) ([]byte, bool) {
	if !raw.hasSAN {
		return nil, false
	}
	in := cryptobyte.String(raw.san)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) {
		return nil, false
	}
	for !seq.Empty() {
		var content cryptobyte.String
		var t asn1.Tag
		if !seq.ReadAnyASN1(&content, &t) {
			return nil, false
		}
		if t == tag {
			return content, true
		}
	}
	return nil, false
}
