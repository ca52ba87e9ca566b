package site

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// gatewayOption is one entry of the playground's gateway selector.
type gatewayOption struct {
	Name, Label, Title string
}

// gatewayLabels spells each gateway as its makers do; a profile missing here shows its name.
var gatewayLabels = map[string]string{
	"workato": "Workato", "nginx": "nginx", "haproxy": "HAProxy", "caddy": "Caddy",
	"envoy": "Envoy", "traefik": "Traefik", "cloudflare": "Cloudflare",
	"aws-apigw": "AWS API Gateway", "aws-alb": "AWS ALB", "azure-apim": "Azure API Management",
}

// gatewayOptions lists gateway.Profiles in their order, Workato (the default) first.
func gatewayOptions() []gatewayOption {
	ps := gateway.Profiles()
	out := make([]gatewayOption, len(ps))
	for i, p := range ps {
		label := gatewayLabels[p.Name]
		if label == "" {
			label = p.Name
		}
		out[i] = gatewayOption{Name: p.Name, Label: label, Title: p.Title}
	}
	return out
}

// gatewayDoc is one gateway of the Gateways page.
type gatewayDoc struct {
	ID, Label, Title string
	Values           []gatewayDocValue
	CannotSee, Notes []string
	Trust            string // which trust behaviour applies
}

type gatewayDocValue struct {
	Name, Value, Source, Version string
	Binary                       bool // Value is the \xHH form of bytes that are not UTF-8
}

// gatewayExample is the Gateways page's certificate: a multi-valued RDN, UTF-8,
// a comma, emailAddress, and DNS, URI and IP SANs. Its keys are seeded and
// Ed25519 signs deterministically, so every build shows the same bytes.
func gatewayExample() (*certinfo.Certificate, error) {
	caKey, err := pki.SeededKey(pki.Ed25519, 0, "gateways page CA")
	if err != nil {
		return nil, err
	}
	key, err := pki.SeededKey(pki.Ed25519, 0, "gateways page client")
	if err != nil {
		return nil, err
	}
	from := ReferenceTime
	ca, err := pki.SelfSign(pki.Spec{RawSubject: pki.MustName(pki.RDN{pki.Attr("CN", "Acme Issuing CA")}), Key: caKey,
		NotBefore: from, NotAfter: from.AddDate(2, 0, 0), IsCA: true})
	if err != nil {
		return nil, err
	}
	utf8Attr := func(typ, v string) pki.Attribute {
		a := pki.Attr(typ, v)
		a.Tag = asn1.TagUTF8String
		return a
	}
	leaf, err := ca.Issue(pki.Spec{
		RawSubject: pki.MustName(pki.RDN{pki.Attr("C", "DE")}, pki.RDN{utf8Attr("O", "Acme, Inc.")},
			pki.RDN{utf8Attr("CN", "Zoë Müller"), utf8Attr("OU", "Platform")}, pki.RDN{pki.Attr("emailAddress", "zoe@example.com")}),
		Key: key, NotBefore: from, NotAfter: from.AddDate(1, 0, 0),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SAN: []pki.GeneralName{pki.DNSName("api.example.com"), pki.URI("spiffe://example.com/ns/prod/sa/client"),
			pki.IPAddress(netip.MustParseAddr("2001:db8::10"))},
	})
	if err != nil {
		return nil, err
	}
	return certinfo.Parse(leaf.DER)
}

// trustBehaviour says which trust decision the page's verdict models for a gateway.
func trustBehaviour(name string) string {
	for _, m := range gateway.TrustModels() {
		if m == name {
			switch name {
			case "nginx", "haproxy":
				return "modelled (verify --gateway): OpenSSL 3.0's X509_verify_cert builds one chain, trusted certificates first, with the ssl_client purpose; an intermediate or a leaf in the CA file is not an anchor without partial chains, where crypto/x509 accepts it"
			case "caddy":
				return "modelled (verify --gateway): crypto/x509, as mtlsplay decides, except where Caddy 2.6.2's Go 1.19 differs (a critical extension Go 1.19 does not handle)"
			default:
				return "modelled (verify --gateway): crypto/x509, mtlsplay's own decision"
			}
		}
	}
	return "not modelled: the verdict shown is crypto/x509's; this gateway's own chain building was not checked"
}

// gatewayDocs is every profile's view of the example certificate, and its DN.
func gatewayDocs() ([]gatewayDoc, string, error) {
	c, err := gatewayExample()
	if err != nil {
		return nil, "", err
	}
	var out []gatewayDoc
	for _, o := range gatewayOptions() {
		p, _ := gateway.Lookup(o.Name)
		v := p.View(c)
		d := gatewayDoc{ID: "gateway-" + o.Name, Label: o.Label, Title: o.Title, CannotSee: v.CannotSee, Notes: v.Notes, Trust: trustBehaviour(o.Name)}
		for _, x := range v.Values {
			dv := gatewayDocValue{Name: x.Name, Value: string(x.Bytes), Source: string(x.Source), Version: x.Version}
			if !utf8.Valid(x.Bytes) {
				dv.Value, dv.Binary = hexEscape(x.Bytes), true
			}
			if dv.Version == p.Title {
				dv.Version = ""
			}
			d.Values = append(d.Values, dv)
		}
		out = append(out, d)
	}
	return out, c.Subject.DN, nil
}

// hexEscape writes printable ASCII as itself and every other byte as \xHH.
func hexEscape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f && c != '\\' {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, `\x%02X`, c)
		}
	}
	return s.String()
}
