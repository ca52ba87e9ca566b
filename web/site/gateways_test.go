package site

import (
	"bytes"
	"context"
	"html"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/gateway"
)

// TestGatewaysPage: the Gateways page has a section per profile with every
// field the profile shows for the example certificate, its value, what it
// cannot see, and the trust behaviour; the example certificate is the hard one
// the page says it is, the same on every build.
func TestGatewaysPage(t *testing.T) {
	gws, dn, err := gatewayDocs()
	if err != nil {
		t.Fatal(err)
	}
	if want := `emailAddress=zoe@example.com,CN=Zoë Müller+OU=Platform,O=Acme\, Inc.,C=DE`; dn != want {
		t.Errorf("example DN = %s, want %s", dn, want)
	}
	again, _, _ := gatewayDocs()
	var b, b2 bytes.Buffer
	if err := docGateways(page{Root: "../", Active: "gateways"}, gws, dn, "").Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	docGateways(page{Root: "../", Active: "gateways"}, again, dn, "").Render(context.Background(), &b2)
	if b.String() != b2.String() {
		t.Errorf("the Gateways page differs between two builds")
	}
	out := b.String()
	if len(gws) != len(gateway.Profiles()) {
		t.Fatalf("%d gateways on the page, %d profiles", len(gws), len(gateway.Profiles()))
	}
	c, _ := gatewayExample()
	for _, p := range gateway.Profiles() {
		if !strings.Contains(out, `id="gateway-`+p.Name+`"`) {
			t.Errorf("no section for %s", p.Name)
		}
		v := p.View(c)
		for _, x := range v.Values {
			if !strings.Contains(out, `data-name="`+html.EscapeString(x.Name)+`"`) {
				t.Errorf("%s: no row for %s", p.Name, x.Name)
			}
		}
		for _, s := range v.CannotSee {
			if !strings.Contains(out, html.EscapeString(s)) {
				t.Errorf("%s: cannot-see %q missing", p.Name, s)
			}
		}
	}
	for _, want := range []string{
		// Values computed independently of the page code, as each gateway documents them.
		`<code>/C=DE/O=Acme, Inc./CN=Zo\xC3\xAB M\xC3\xBCller+OU=Platform/emailAddress=zoe@example.com</code>`, // nginx legacy
		html.EscapeString(`E=zoe@example.com, CN=Zoë Müller + OU=Platform, O="Acme, Inc.", C=DE`),              // .NET
		`OU=Platform+CN=Zo\C3\AB M\C3\BCller`, // OpenSSL RFC 2253
		"not modelled", "OpenSSL 3.0&#39;s X509_verify_cert",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the Gateways page lacks %s", want)
		}
	}
}
