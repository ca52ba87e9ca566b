package gateway

import (
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// SubjectForm is a certificate's subject as one gateway writes it in one field.
type SubjectForm struct {
	Gateway, Variable string
	Value             string
}

// subjectVariables are the fields that hold a whole subject DN, per gateway.
var subjectVariables = map[string]bool{
	"$ssl_client_s_dn": true, "$ssl_client_s_dn_legacy": true,
	"ssl_c_s_dn": true, "ssl_c_s_dn(,0,rfc2253)": true,
	"{http.request.tls.client.subject}":            true,
	"connection.subject_peer_certificate":          true,
	"cf.tls_client_auth.cert_subject_dn":           true,
	"cf.tls_client_auth.cert_subject_dn_legacy":    true,
	"requestContext.identity.clientCert.subjectDN": true,
	"X-Amzn-Mtls-Clientcert-Subject":               true,
	"context.Request.Certificate.Subject":          true,
}

// SubjectForms lists c's subject as every gateway but Workato writes it, so a
// rule's DN literal copied from a gateway can be recognised and named.
// Traefik's form is the Subject="…" part of its info header.
func SubjectForms(c *certinfo.Certificate) []SubjectForm {
	var out []SubjectForm
	for _, p := range Profiles() {
		if p.Name == workato.Name {
			continue
		}
		for _, v := range p.View(c).Values {
			switch {
			case subjectVariables[v.Name]:
				out = append(out, SubjectForm{p.Name, v.Name, string(v.Bytes)})
			case v.Name == "X-Forwarded-Tls-Client-Cert-Info (URL-decoded)":
				if s, ok := strings.CutPrefix(string(v.Bytes), `Subject="`); ok {
					if end := strings.Index(s, `"`); end >= 0 {
						out = append(out, SubjectForm{p.Name, `X-Forwarded-Tls-Client-Cert-Info Subject="…"`, s[:end]})
					}
				}
			}
		}
	}
	return out
}
