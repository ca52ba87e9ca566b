package gateway

import (
	"strconv"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const workatoVersion = "Workato: mtlsplay's rule variables (the rule reference: docs/rules.html)"

// workato is the view the playground's rules see: CN, DN in the project's RFC 4514
// form, SAN entries with their type prefixes.
var workato = Profile{
	Name:  "workato",
	Title: workatoVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Documented, version: workatoVersion}
		vs.add("CN", []byte(c.Subject.CN))
		vs.add("DN", []byte(c.Subject.DN))
		for i, e := range c.SANEntries {
			vs.add("SAN["+strconv.Itoa(i)+"]", []byte(e))
		}
		vs.add("cert.issuer.dn", []byte(c.Issuer.DN))
		vs.add("cert.serial", []byte(c.Serial))
		vs.add("cert.sha256", []byte(c.SHA256))
		return View{Values: vs.list, Notes: []string{
			"DN lists RDNs in reverse DER order, the members of a multi-valued RDN in DER order, non-ASCII text raw",
			"SAN entries carry their type: DNS:, IP:, URI:, Email:, UPN:, …",
		}}
	},
}
