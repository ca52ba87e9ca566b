package export

import (
	"fmt"
	"strings"
)

// caddyTranslator writes the rule as Caddy's CEL expression matcher. Caddy 2.6
// hands a placeholder to CEL as its Go value: the SAN lists are lists of strings
// (DNS names and emails; IPs and URIs are values CEL cannot compare), the
// subject a pkix.Name on which only == works. So the config first copies the
// subject's text (pkix.Name.String()) into a variable, whose value is a string.
type caddyTranslator struct{}

const (
	caddySubject = "dyn({http.vars.mtls_subject})"
	caddyDNS     = "{http.request.tls.client.san.dns_names}"
	caddyEmails  = "{http.request.tls.client.san.emails}"
)

// goNames are Go's pkix names of the subject lists' attributes; the others it
// writes as a dotted OID and the hex of its own re-encoding.
var goNames = map[string]string{"O": "O", "OU": "OU", "C": "C", "L": "L", "ST": "ST", "street": "STREET", "postalCode": "POSTALCODE"}

func (caddyTranslator) condition(a *atom) (string, string) {
	goForm := func(v, pos string) (string, error) { return goValue(v, pos), nil }
	switch a.kind {
	case cnEq, cnPrefix, cnSuffix, cnContains:
		// Go's form has one CN (the last in DER order, the rule's CN).
		re, cannot := cnCondition(a, goForm, anyAttr(goUnit, "CN"), goUnit)
		if cannot != "" {
			return "", cannot
		}
		return caddySubject + ".matches(" + quote(re) + ")", ""
	case attrHas:
		name, ok := goNames[a.field]
		if !ok {
			return "", "Caddy's subject placeholder (Go's pkix.Name.String()) writes " + a.field + " as a dotted OID and the hex of Go's re-encoding"
		}
		re := anyAttr(goUnit, name) + literal(goValue(a.value, "whole")) + sep
		return caddySubject + ".matches(" + quote(re) + ")", ""
	case dnEq:
		return "", "Caddy's subject placeholder is Go's pkix.Name.String(), which reorders attributes and flattens multi-valued RDNs: a comparison there would accept other DNs"
	case sanHas, sanPrefix, sanSuffix, sanContains, sanMatches:
		list := map[string]string{"dns": caddyDNS, "email": caddyEmails}[a.field]
		if list == "" {
			return "", map[string]string{
				"ip":  "Caddy 2.6 gives CEL the IP SANs as Go net.IP values, which no CEL value equals",
				"uri": "Caddy 2.6 gives CEL the URI SANs as Go *url.URL values, which CEL cannot convert (the expression fails)",
				"upn": "Go's crypto/x509, which Caddy uses, drops otherName SANs such as UPN",
			}[a.field]
		}
		if a.kind == sanHas {
			return quote(a.value) + " in " + list, ""
		}
		fn := map[kind]string{sanPrefix: "startsWith", sanSuffix: "endsWith", sanContains: "contains", sanMatches: "matches"}[a.kind]
		return fmt.Sprintf("dyn(%s).exists(s, s.%s(%s))", list, fn, quote(a.value)), ""
	}
	return "", unsupported
}

func (caddyTranslator) render(tree *node, opt Options, res *Result) string {
	var b strings.Builder
	b.WriteString(header("# ", res, opt, "Caddy 2.6.2, Debian 12; tested"))
	b.WriteString("# A Caddyfile site. The subject is copied into {http.vars.mtls_subject} as\n")
	b.WriteString("# Go's pkix.Name.String() writes it (C, O, OU … reordered, emailAddress and DC\n")
	b.WriteString("# as OIDs); the expression matches that text.\n\n")
	fmt.Fprintf(&b, "%s {\n", siteAddress(opt))
	if host, _, ok := strings.Cut(opt.Listen, ":"); ok && host != "" && host != "0.0.0.0" {
		fmt.Fprintf(&b, "\tbind %s\n", host)
	}
	fmt.Fprintf(&b, "\ttls %s %s {\n\t\tclient_auth {\n\t\t\tmode require_and_verify\n", opt.ServerCert, opt.ServerKey)
	for _, f := range opt.Bundles {
		fmt.Fprintf(&b, "\t\t\ttrusted_ca_cert_file %s\n", f)
	}
	b.WriteString("\t\t}\n\t}\n")
	switch {
	case tree.op == "const" && tree.val:
	case tree.op == "const":
		b.WriteString("\t# no certificate can satisfy the exported part of the rule\n\trespond 403\n")
	default:
		src := map[string][]string{}
		sources(tree, src)
		var conds []string
		collect(tree, &conds)
		for _, c := range conds {
			for _, s := range src[c] {
				fmt.Fprintf(&b, "\t# %s\n\t#   is %s\n", oneLine(s), c)
			}
		}
		b.WriteString("\tvars mtls_subject \"{http.request.tls.client.subject}\"\n")
		fmt.Fprintf(&b, "\t@%s_refused not expression `%s`\n", opt.Name, celText(tree, func(c string) string { return c }))
		fmt.Fprintf(&b, "\trespond @%s_refused 403\n", opt.Name)
	}
	if tree.op == "const" && !tree.val {
		// nothing is accepted, so nothing is forwarded
	} else if opt.Upstream == "" {
		b.WriteString("\trespond \"accepted\" 200\n")
	} else {
		fmt.Fprintf(&b, "\treverse_proxy %s\n", opt.Upstream)
	}
	b.WriteString("}\n")
	res.Notes = append(res.Notes,
		"Caddy matches the site by the name the client sends (SNI): clients must connect by that name",
		"Caddy reads a TeletexString value's bytes as they are, mtlsplay as Latin-1: a rule literal with non-ASCII text does not match such a value in Caddy")
	return b.String()
}

func siteAddress(opt Options) string {
	_, port, _ := strings.Cut(opt.Listen, ":")
	if port == "" {
		port = "443"
	}
	return opt.ServerName + ":" + port
}
