package gateway

import (
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const traefikVersion = "Traefik v3 (pkg/middlewares/passtlsclientcert at commit 088ebd1)"

// traefik is the passTLSClientCert middleware. Traefik has no rule language for
// certificates of its own: it forwards these headers and the backend's rules read
// them. The info header is built from crypto/x509's parse, chosen fields in a
// fixed order, then URL-escaped with url.QueryEscape.
var traefik = Profile{
	Name:  "traefik",
	Title: traefikVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		x := c.X509()
		if x == nil {
			return View{CannotSee: []string{"everything: Go's crypto/x509 refuses this certificate, so Traefik ends the handshake"}}
		}
		vs := values{source: Documented, version: traefikVersion}
		vs.add("X-Forwarded-Tls-Client-Cert", []byte(base64.StdEncoding.EncodeToString(x.Raw)))
		var fields []string
		if s := traefikDN(x.Subject, true); s != "" {
			fields = append(fields, `Subject="`+s+`"`)
		}
		if s := traefikDN(x.Issuer, false); s != "" {
			fields = append(fields, `Issuer="`+s+`"`)
		}
		fields = append(fields, `SerialNumber="`+strings.TrimSuffix(x.SerialNumber.String(), ",")+`"`,
			`NB="`+strconv.FormatUint(uint64(x.NotBefore.Unix()), 10)+`"`,
			`NA="`+strconv.FormatUint(uint64(x.NotAfter.Unix()), 10)+`"`)
		sans := append(append([]string{}, x.DNSNames...), x.EmailAddresses...)
		sans = append(append(sans, stringsOf(x.IPAddresses)...), stringsOf(x.URIs)...)
		if len(sans) > 0 {
			fields = append(fields, `SAN="`+strings.Join(sans, ",")+`"`)
		}
		info := strings.Join(fields, ";")
		vs.add("X-Forwarded-Tls-Client-Cert-Info", []byte(url.QueryEscape(info)))
		vs.add("X-Forwarded-Tls-Client-Cert-Info (URL-decoded)", []byte(info))
		return View{Values: vs.list, CannotSee: []string{
			"SAN types: DNS names, emails, IPs and URIs are joined by commas without their type",
			"subject attributes other than DC, C, ST, L, O, OU, serialNumber and CN (and the issuer's OU)",
			"the DN's order and escapes: values are written raw, joined by commas, in a fixed order (DC, C, ST, L, O, OU, SN, CN)",
		}, Notes: []string{
			"shown with every info field enabled (subject and issuer with all their options, serialNumber, notBefore, notAfter, sans) and pem: true; a field the middleware's config leaves out is left out of the header",
			"a chain the client sent is forwarded too, certificates joined by commas, the leaf first",
			"these headers are only as trustworthy as the hop that set them: accept them only from Traefik",
		}}
	},
}

// traefikDN is getSubjectDNInfo / getIssuerDNInfo with every option on.
func traefikDN(n pkix.Name, withOU bool) string {
	var b strings.Builder
	for _, a := range n.Names {
		if a.Type.String() == "0.9.2342.19200300.100.1.25" {
			fmt.Fprintf(&b, "DC=%s,", a.Value)
		}
	}
	parts := func(vals []string, prefix string) {
		for _, v := range vals {
			if v != "" {
				b.WriteString(prefix + "=" + v + ",")
			}
		}
	}
	parts(n.Country, "C")
	parts(n.Province, "ST")
	parts(n.Locality, "L")
	parts(n.Organization, "O")
	if withOU {
		parts(n.OrganizationalUnit, "OU")
	}
	parts([]string{n.SerialNumber}, "SN")
	parts([]string{n.CommonName}, "CN")
	return strings.TrimSuffix(b.String(), ",")
}
