package gateway_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/forwarded"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
)

// TestDocumentedProfiles pins the documented profiles' names for the hard
// subjects; the expectations follow each gateway's documented form, written
// out by hand.
func TestDocumentedProfiles(t *testing.T) {
	tests := []struct{ cert, gateway, name, want string }{
		{"multi-valued RDN", "aws-apigw", "requestContext.identity.clientCert.subjectDN", "C=US,O=Org,CN=b+OU=a"},
		{"UTF-8", "aws-apigw", "requestContext.identity.clientCert.subjectDN", `C=DE,O=Zo\C3\AB M\C3\BCller GmbH,CN=Zo\C3\AB \F0\9F\98\80 \E2\9C\93`},
		{"multi-valued RDN", "aws-apigw", "requestContext.identity.clientCert.validity.notBefore", "Jun  1 00:00:00 2026 GMT"},
		{"multi-valued RDN", "aws-alb", "X-Amzn-Mtls-Clientcert-Subject", "OU=a+CN=b,O=Org,C=US"},
		{"multi-valued RDN", "aws-alb", "X-Amzn-Mtls-Clientcert-Validity", "NotBefore=2026-06-01T00:00:00Z;NotAfter=2026-06-01T01:00:00Z"},
		{"multi-valued RDN", "azure-apim", "context.Request.Certificate.Subject", "CN=b + OU=a, O=Org, C=US"},
		{"UTF-8", "azure-apim", "context.Request.Certificate.Subject", "CN=Zoë 😀 ✓, O=Zoë Müller GmbH, C=DE"},
		{"BMPString", "azure-apim", "context.Request.Certificate.Subject", "CN=Zoë BMP, C=US"},
		{"RFC 4514 escapes", "azure-apim", "context.Request.Certificate.Subject", `CN="=eq", OU="x;y<z>""q""\ /slash", OU="a+b=c", O="Acme, Inc.", C=US`},
		{"emailAddress, DC, UID", "azure-apim", "context.Request.Certificate.Subject", "E=alice@example.com, CN=John Doe, OID.0.9.2342.19200300.100.1.1=jdoe, OU=Users, DC=example, DC=com"},
		{"leading # and spaces", "azure-apim", "context.Request.Certificate.Subject", `CN=" both ", OU=" ", OU="#", OU="trailing ", OU=" leading", O="#hash", C=US`},
		{"title, street, SN, GN", "azure-apim", "context.Request.Certificate.Subject", "CN=Jane Doe, SERIALNUMBER=A-42, G=Jane, SN=Doe, T=Engineer, PostalCode=12345, STREET=1 Main St, C=US"},
		{"unknown OID", "azure-apim", "context.Request.Certificate.Subject", "CN=x, OID.1.3.6.1.4.1.55555.1=custom, O=Org, C=US"},
		{"NUL byte", "azure-apim", "context.Request.Certificate.Subject", "CN=trailing nul, O=nul\x00inside, C=US"},
		{"multi-valued RDN", "azure-apim", "context.Request.Certificate.NotAfter", "06/01/2026 01:00:00"},
		{"multi-valued RDN", "azure-apim", "validate-client-certificate identity@common-name", "b"},
		{"multi-valued RDN", "azure-apim", "validate-client-certificate identity@dns-name", "api.example.com"},
		{"multi-valued RDN", "cloudflare", "cf.tls_client_auth.cert_not_after", "Jun  1 01:00:00 2026 GMT"},
		{"multi-valued RDN", "cloudflare", "cf.tls_client_auth.cert_presented", "true"},
	}
	for _, tt := range tests {
		p, ok := gateway.Lookup(tt.gateway)
		if !ok {
			t.Fatalf("Lookup(%q) failed", tt.gateway)
		}
		if got := value(t, p.View(issueCase(t, tt.cert)), tt.name); got != tt.want {
			t.Errorf("%s: %s %s = %q, want %q", tt.cert, tt.gateway, tt.name, got, tt.want)
		}
	}
}

// TestDocumentedSerialsAndCerts: serials, fingerprints and encoded
// certificates, computed here from crypto/x509's parse and net/url, not by the
// profiles' own code.
func TestDocumentedSerialsAndCerts(t *testing.T) {
	c := issueCase(t, "IPv6 and URI SANs")
	x := c.X509()
	mag := x.SerialNumber.Bytes()
	der := x.Raw
	view := func(name string) gateway.View {
		p, _ := gateway.Lookup(name)
		return p.View(c)
	}
	upper := strings.ToUpper(hex.EncodeToString(mag))
	if got := value(t, view("aws-alb"), "X-Amzn-Mtls-Clientcert-Serial-Number"); got != upper {
		t.Errorf("aws-alb serial = %s, want %s", got, upper)
	}
	// pki serials are 16 bytes: past a long, so X509_print's colon hex.
	var colon []string
	for _, b := range mag {
		colon = append(colon, fmt.Sprintf("%02x", b))
	}
	if len(mag) <= 8 {
		t.Fatalf("serial of %d bytes: the test wants one past a long", len(mag))
	}
	if got := value(t, view("aws-apigw"), "requestContext.identity.clientCert.serialNumber"); got != strings.Join(colon, ":") {
		t.Errorf("aws-apigw serial = %s, want %s", got, strings.Join(colon, ":"))
	}
	// .NET keeps the DER sign byte: 00 before a magnitude with its top bit set.
	dotnet := upper
	if mag[0]&0x80 != 0 {
		dotnet = "00" + upper
	}
	if got := value(t, view("azure-apim"), "context.Request.Certificate.SerialNumber"); got != dotnet {
		t.Errorf("azure-apim SerialNumber = %s, want %s", got, dotnet)
	}
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	leaf := value(t, view("aws-alb"), "X-Amzn-Mtls-Clientcert-Leaf")
	if back, err := url.PathUnescape(leaf); err != nil || back != pemText || strings.ContainsAny(leaf, " \n") {
		t.Errorf("aws-alb Leaf %q does not decode to the PEM (%v)", leaf, err)
	}
	sum := sha256.Sum256(der)
	// Envoy escapes \n, space, +, / and = only: what QueryEscape does to a PEM,
	// but with %20 for the space.
	cert := strings.ReplaceAll(url.QueryEscape(pemText), "+", "%20")
	want := "Hash=" + hex.EncodeToString(sum[:]) + `;Cert="` + cert + `";Subject="CN=sans"` +
		";URI=spiffe://example.org/ns/default/sa/x;URI=urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6;DNS=*.example.net"
	if got := value(t, view("envoy"), "x-forwarded-client-cert"); got != want {
		t.Errorf("envoy XFCC = %q, want %q", got, want)
	}
	// A certificate without URI SANs still gets "URI=".
	if got := value(t, gateway.Profiles()[4].View(issueCase(t, "UTF-8")), "x-forwarded-client-cert"); !strings.HasSuffix(got, ";URI=") {
		t.Errorf("envoy XFCC without URI SANs = %q, want it to end in ;URI=", got)
	}
	ski := strings.ToUpper(hex.EncodeToString(x.SubjectKeyId))
	if got := value(t, view("cloudflare"), "cf.tls_client_auth.cert_ski"); got != ski {
		t.Errorf("cloudflare cert_ski = %s, want %s", got, ski)
	}
}

// TestForwardedRoundTrip: the header values the envoy and aws-alb profiles show
// are read back by internal/forwarded, the parser the header input uses (written
// from Envoy's and AWS's documentation separately), as the same certificate and
// the same fields.
func TestForwardedRoundTrip(t *testing.T) {
	c := issueCase(t, "IPv6 and URI SANs")
	pemText := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER()})
	for _, tt := range []struct{ gateway, header string }{
		{"envoy", "x-forwarded-client-cert"},
		{"aws-alb", "X-Amzn-Mtls-Clientcert-Leaf"},
	} {
		p, _ := gateway.Lookup(tt.gateway)
		h, err := forwarded.Parse([]byte(tt.header + ": " + value(t, p.View(c), tt.header) + "\n"))
		if err != nil {
			t.Fatalf("%s: forwarded.Parse: %v", tt.gateway, err)
		}
		if len(h.Certs) != 1 || string(h.Certs[0].PEM) != string(pemText) {
			t.Errorf("%s: read back %+v, want the certificate's PEM", tt.gateway, h.Certs)
		}
		if tt.gateway != "envoy" {
			continue
		}
		got := map[string][]string{}
		for _, f := range h.Fields {
			got[f.Name] = append(got[f.Name], f.Value)
		}
		sum := sha256.Sum256(c.DER())
		if strings.Join(got["Hash"], ",") != hex.EncodeToString(sum[:]) || strings.Join(got["Subject"], ",") != "CN=sans" ||
			len(got["URI"]) != 2 || strings.Join(got["DNS"], ",") != "*.example.net" {
			t.Errorf("envoy XFCC fields read back as %v", got)
		}
	}
}
