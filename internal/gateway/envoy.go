package gateway

import (
	"crypto/sha256"
	"encoding/pem"
	"strings"

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
		hash := appendHex(nil, sum[:], "0123456789abcdef")
		vs.add("connection.sha256_peer_certificate_digest", hash)
		if subject, err := printName(raw.subject, xnRFC2253); err == nil {
			vs.add("x-forwarded-client-cert", xfcc(hash, c.DER(), subject, raw))
		}
		return View{Values: vs.list, CannotSee: []string{
			"every URI and DNS SAN after the first: the CEL attributes hold one of each (an RBAC principal's authenticated.principal_name matches any)",
			"IP and email SANs: no attribute",
			"the issuer: no attribute",
		}, Notes: []string{
			"connection.subject_peer_certificate is RFC 2253 as nginx's $ssl_client_s_dn, computed here with OpenSSL 3.0's rules; BoringSSL, which Envoy uses, may differ for malformed strings",
			"x-forwarded-client-cert is the element SANITIZE_SET writes with set_current_client_cert_details {cert, subject, uri, dns} (source/common/http/conn_manager_utility.cc): Hash, Cert, Subject, URI (every URI SAN; an empty URI= when there is none), DNS (every DNS SAN), joined by \";\"; By= (Envoy's own URI SAN) comes first when Envoy's certificate has one, and Chain=\"…\" after Cert when chain is set",
			"XFCC values are not escaped: a \";\" or \",\" in a URI SAN or a quote in the subject breaks a parser that splits the header",
		}}
	},
}

// firstSAN is the first subjectAltName entry with the given GeneralName tag.
func firstSAN(raw rawCert, tag asn1.Tag) ([]byte, bool) {
	if all := allSANs(raw, tag); len(all) > 0 {
		return all[0], true
	}
	return nil, false
}

// xfcc is the x-forwarded-client-cert element Envoy writes for the peer
// (mutateXfccRequestHeader), in its order: Hash, Cert, Subject, URI, DNS.
func xfcc(hash, der, subject []byte, raw rawCert) []byte {
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	// urlEncodedPemEncodedPeerCertificate: only these five characters.
	cert := strings.NewReplacer("\n", "%0A", " ", "%20", "+", "%2B", "/", "%2F", "=", "%3D").Replace(string(pemText))
	parts := []string{"Hash=" + string(hash), `Cert="` + cert + `"`, `Subject="` + string(subject) + `"`}
	uris := allSANs(raw, 0x86)
	if len(uris) == 0 {
		parts = append(parts, "URI=")
	}
	for _, u := range uris {
		parts = append(parts, "URI="+string(u))
	}
	for _, d := range allSANs(raw, 0x82) {
		parts = append(parts, "DNS="+string(d))
	}
	return []byte(strings.Join(parts, ";"))
}

// allSANs is every subjectAltName entry with the given GeneralName tag.
func allSANs(raw rawCert, tag asn1.Tag) [][]byte {
	if !raw.hasSAN {
		return nil
	}
	in := cryptobyte.String(raw.san)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) {
		return nil
	}
	var out [][]byte
	for !seq.Empty() {
		var content cryptobyte.String
		var t asn1.Tag
		if !seq.ReadAnyASN1(&content, &t) {
			return out
		}
		if t == tag {
			out = append(out, content)
		}
	}
	return out
}
