package lint

import (
	"encoding/pem"
	"os"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

func fixtureLeaf(t *testing.T, name string) *certinfo.Certificate {
	t.Helper()
	b, err := os.ReadFile("../../../testdata/pki/" + name)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	c, err := certinfo.Parse(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestLintGatewayForm: a DN literal that is the certificate's subject as another
// gateway writes it is named after that gateway and fixed to DN's string; the
// expected literals are the gateways' outputs for these fixtures
// (docs/design.md 5.7).
func TestLintGatewayForm(t *testing.T) {
	multi := fixtureLeaf(t, "dn-multivalued.pem") // DN: CN=b+OU=a,O=Acme\, Inc.,C=US
	email := fixtureLeaf(t, "dn-email.pem")       // DN: emailAddress=ops@example.com,CN=Jane Ops,O=Acme,C=US
	tests := []struct {
		name, lit string
		cert      *certinfo.Certificate
		gateway   string // a gateway the message must name; "" for no warning
	}{
		{"HAProxy's flattened slash form", `/C=US/O=Acme, Inc./CN=b/OU=a`, multi, "haproxy (ssl_c_s_dn)"},
		{"nginx's legacy slash form", `/C=US/O=Acme, Inc./CN=b+OU=a`, multi, "nginx ($ssl_client_s_dn_legacy)"},
		{"Caddy's Go form", `CN=b,OU=a,O=Acme\\, Inc.,C=US`, multi, "caddy ({http.request.tls.client.subject})"},
		{"OpenSSL RFC 2253 member order", `OU=a+CN=b,O=Acme\\, Inc.,C=US`, multi, "nginx ($ssl_client_s_dn)"},
		{"Traefik's fixed order", `C=US,O=Acme, Inc.,OU=a,CN=b`, multi, "traefik"},
		{".NET's form", `CN=b + OU=a, O=\"Acme, Inc.\", C=US`, multi, "azure-apim (context.Request.Certificate.Subject)"},
		{"API Gateway's DER order", `C=US,O=Acme\\, Inc.,CN=b+OU=a`, multi, "aws-apigw"},
		{"Caddy's hex emailAddress", `CN=Jane Ops,O=Acme,C=US,1.2.840.113549.1.9.1=#0c0f6f7073406578616d706c652e636f6d`, email, "caddy"},
		{".NET's E=", `E=ops@example.com, CN=Jane Ops, O=Acme, C=US`, email, "azure-apim"},
		{"DN itself", `CN=b+OU=a,O=Acme\\, Inc.,C=US`, multi, ""},
		{"another certificate's subject", `CN=c,O=Other,C=US`, multi, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := `DN == "` + tt.lit + `"`
			ws := CheckWith(mustCompile(t, src), tt.cert)
			var found []string
			for _, w := range ws {
				if w.ID == DNGatewayForm {
					found = append(found, w.Message)
					if len(w.Edits) != 1 || w.Edits[0].Value == nil || *w.Edits[0].Value != tt.cert.Subject.DN {
						t.Errorf("CheckWith(%s): fix %+v, want the literal replaced by %q", src, w.Edits, tt.cert.Subject.DN)
					}
				} else if w.Start == strings.Index(src, `"`) {
					t.Errorf("CheckWith(%s): also %s on the same literal", src, w.ID)
				}
			}
			if tt.gateway == "" {
				if len(found) > 0 {
					t.Fatalf("CheckWith(%s) = %v, want no %s", src, found, DNGatewayForm)
				}
				return
			}
			if len(found) != 1 || !strings.Contains(found[0], tt.gateway) {
				t.Fatalf("CheckWith(%s) = %v, want one %s naming %s", src, found, DNGatewayForm, tt.gateway)
			}
		})
	}
	// Without a certificate the gateway is not known: the lint needs the certificate.
	for _, w := range Check(mustCompile(t, `DN == "/C=US/O=Acme, Inc./CN=b/OU=a"`)) {
		if w.ID == DNGatewayForm {
			t.Errorf("Check without a certificate: %s", w.Message)
		}
	}
}
