package gateway

import (
	"crypto/sha256"
	"encoding/pem"
	"fmt"
	"strconv"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const caddyVersion = "Caddy 2.6.2 built with Go 1.19.8 (Debian 12)"

// caddy is the {http.request.tls.client.*} placeholders
// (modules/caddyhttp/replacer.go): values from crypto/x509's parse, turned into
// text by caddy.ToString, so a pkix.Name prints through Name.String(), a
// *big.Int in decimal and a list as fmt's %+v.
var caddy = Profile{
	Name:  "caddy",
	Title: caddyVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		x := c.X509()
		if x == nil {
			return View{CannotSee: []string{"everything: Go's crypto/x509 refuses this certificate, so Caddy ends the handshake"}}
		}
		vs := values{source: Tested, version: caddyVersion}
		const p = "{http.request.tls.client."
		vs.add(p+"subject}", []byte(x.Subject.String()))
		vs.add(p+"issuer}", []byte(x.Issuer.String()))
		lists := []struct {
			name  string
			items []string
		}{
			{"san.dns_names", x.DNSNames},
			{"san.emails", x.EmailAddresses},
			{"san.ips", stringsOf(x.IPAddresses)},
			{"san.uris", stringsOf(x.URIs)},
		}
		for _, l := range lists {
			vs.add(p+l.name+"}", []byte(fmt.Sprintf("%+v", l.items)))
			for i, item := range l.items {
				vs.add(p+l.name+"."+strconv.Itoa(i)+"}", []byte(item))
			}
		}
		vs.add(p+"serial}", []byte(x.SerialNumber.String()))
		sum := sha256.Sum256(x.Raw)
		vs.add(p+"fingerprint}", appendHex(nil, sum[:], "0123456789abcdef"))
		vs.add(p+"certificate_pem}", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: x.Raw}))
		return View{Values: vs.list, CannotSee: []string{
			"otherName (UPN), registeredID and directoryName SANs: crypto/x509 drops them",
			"the subject's attribute order, multi-valued RDNs and repeated attributes: pkix.Name.String() rebuilds the name (C, O, OU, L, ST, STREET, POSTALCODE, SERIALNUMBER, CN, others first) and merges repeated types into one RDN",
		}, Notes: []string{
			"{http.request.tls.client.subject} is Go's pkix.Name.String(): only C, O, OU, L, ST, STREET, POSTALCODE, SERIALNUMBER and CN have names; emailAddress, DC, UID, title and the rest are OID=#hex of Go's re-encoding (PrintableString or UTF8String), not of the certificate's bytes",
			"a san.* list placeholder prints Go's %+v: [a b]; index it ({http.request.tls.client.san.dns_names.0}) to compare one entry",
			"{http.request.tls.client.serial} is decimal, not hex",
		}}
	},
}

// stringsOf is what fmt prints for each element of a list of Stringers.
func stringsOf[T fmt.Stringer](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}
