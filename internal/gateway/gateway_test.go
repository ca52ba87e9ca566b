package gateway_test

import (
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// issueCase makes liveCases' certificate named name, at a fixed time.
func issueCase(t testing.TB, name string) *certinfo.Certificate {
	t.Helper()
	from := pki.TestNow
	ca, err := pki.SelfSign(pki.Spec{RawSubject: pki.MustName(pki.RDN{pki.Attr("CN", "CA")}), NotBefore: from, NotAfter: from.Add(time.Hour), IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range liveCases() {
		if c.name != name {
			continue
		}
		cert, err := ca.Issue(pki.Spec{RawSubject: pki.MustName(c.rdns...), NotBefore: from, NotAfter: from.Add(time.Hour),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: c.san})
		if err != nil {
			t.Fatal(err)
		}
		info, err := certinfo.Parse(cert.DER)
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	t.Fatalf("no case %q", name)
	return nil
}

func value(t *testing.T, v gateway.View, name string) string {
	t.Helper()
	for _, x := range v.Values {
		if x.Name == name {
			return string(x.Bytes)
		}
	}
	t.Fatalf("%s has no %s", v.Name, name)
	return ""
}

// TestProfiles pins values that TestGatewaysLive proved against nginx 1.22,
// HAProxy 2.6 and Caddy 2.6, so a machine without the gateways still checks them.
func TestProfiles(t *testing.T) {
	tests := []struct{ cert, gateway, name, want string }{
		{"multi-valued RDN", "nginx", "$ssl_client_s_dn", "OU=a+CN=b,O=Org,C=US"},
		{"multi-valued RDN", "nginx", "$ssl_client_s_dn_legacy", "/C=US/O=Org/CN=b+OU=a"},
		{"multi-valued RDN", "haproxy", "ssl_c_s_dn", "/C=US/O=Org/CN=b/OU=a"},
		{"multi-valued RDN", "caddy", "{http.request.tls.client.subject}", "CN=b,OU=a,O=Org,C=US"},
		{"multi-valued RDN", "caddy", "{http.request.tls.client.san.ips}", "[192.0.2.10 2001:db8::10]"},
		{"multi-valued RDN", "workato", "DN", "CN=b+OU=a,O=Org,C=US"},
		{"UTF-8", "nginx", "$ssl_client_s_dn", `CN=Zo\C3\AB \F0\9F\98\80 \E2\9C\93,O=Zo\C3\AB M\C3\BCller GmbH,C=DE`},
		{"UTF-8", "haproxy", "ssl_c_s_dn", "/C=DE/O=Zoë Müller GmbH/CN=Zoë 😀 ✓"},
		{"BMPString", "nginx", "$ssl_client_s_dn_legacy", `/C=US/CN=\x00Z\x00o\x00\xEB\x00 \x00B\x00M\x00P`},
		{"BMPString", "haproxy", "ssl_c_s_dn(CN)", "\x00Z\x00o\x00\xeb\x00 \x00B\x00M\x00P"},
		{"BMPString", "caddy", "{http.request.tls.client.subject}", "CN=Zoë BMP,C=US"},
		{"RFC 4514 escapes", "nginx", "$ssl_client_s_dn", `CN==eq,OU=x\;y\<z\>\"q\"\\ /slash,OU=a\+b=c,O=Acme\, Inc.,C=US`},
		{"RFC 4514 escapes", "nginx", "$ssl_client_s_dn_legacy", `/C=US/O=Acme, Inc./OU=a\+b=c/OU=x;y<z>"q"\ \/slash/CN==eq`},
		{"emailAddress, DC, UID", "haproxy", "ssl_c_s_dn(,0,rfc2253)", "emailAddress=alice@example.com,CN=John Doe,UID=jdoe,OU=Users,DC=example,DC=com"},
		{"unknown OID", "nginx", "$ssl_client_s_dn", "CN=x,1.3.6.1.4.1.55555.1=#0C06637573746F6D,O=Org,C=US"},
		{"unknown OID", "caddy", "{http.request.tls.client.subject}", "CN=x,O=Org,C=US,1.3.6.1.4.1.55555.1=#1306637573746f6d"},
		{"duplicate OU", "caddy", "{http.request.tls.client.subject}", "CN=dup,OU=Eng+OU=Platform,O=Org,C=US"},
		// OpenSSL checks a one-character value only as the last character, so a lone "#" is not escaped.
		{"leading # and spaces", "nginx", "$ssl_client_s_dn", `CN=\ both\ ,OU=\ ,OU=#,OU=trailing\ ,OU=\ leading,O=\#hash,C=US`},
		{"title, street, SN, GN", "nginx", "$ssl_client_s_dn_legacy", "/C=US/street=1 Main St/postalCode=12345/title=Engineer/SN=Doe/GN=Jane/serialNumber=A-42/CN=Jane Doe"},
		{"control characters", "nginx", "$ssl_client_s_dn", `CN=tab\09here,OU=del\7Fchar,OU=line\0Afeed,C=US`},
		{"IPv6 and URI SANs", "haproxy", "ssl_c_san", "IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:C000:201, IP Address:FE80:0:0:0:1:2:3:4, " +
			"URI:spiffe://example.org/ns/default/sa/x, URI:urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6, DNS:*.example.net"},
		{"IPv6 and URI SANs", "caddy", "{http.request.tls.client.san.ips}", "[2001:db8::1 192.0.2.1 fe80::1:2:3:4]"},
		{"IPv6 and URI SANs", "envoy", "connection.uri_san_peer_certificate", "spiffe://example.org/ns/default/sa/x"},
		{"multi-valued RDN", "envoy", "connection.subject_peer_certificate", "OU=a+CN=b,O=Org,C=US"},
		{"multi-valued RDN", "cloudflare", "cf.tls_client_auth.cert_subject_dn_legacy", "/C=US/O=Org/CN=b+OU=a"},
		{"emailAddress, DC, UID", "traefik", "X-Forwarded-Tls-Client-Cert-Info (URL-decoded)", `Subject="DC=com,DC=example,OU=Users,CN=John Doe";` +
			`Issuer="CN=CA";SerialNumber="SERIAL";NB="1780272000";NA="1780275600";SAN="alice@example.com"`},
	}
	for _, tt := range tests {
		p, ok := gateway.Lookup(tt.gateway)
		if !ok {
			t.Fatalf("Lookup(%q) failed", tt.gateway)
		}
		c := issueCase(t, tt.cert)
		tt.want = strings.ReplaceAll(tt.want, "SERIAL", c.X509().SerialNumber.String())
		if got := value(t, p.View(c), tt.name); got != tt.want {
			t.Errorf("%s: %s %s = %q, want %q", tt.cert, tt.gateway, tt.name, got, tt.want)
		}
	}
}

// TestValueJSON: bytes that are not UTF-8 travel as base64, the rest as text.
func TestValueJSON(t *testing.T) {
	for _, tt := range []struct {
		v    gateway.Value
		want string
	}{
		{gateway.Value{Name: "ssl_c_s_dn(CN)", Bytes: []byte("\x00Z\x00o\x00\xeb"), Source: gateway.Tested, Version: "v"},
			`{"name":"ssl_c_s_dn(CN)","value_base64":"AFoAbwDr","source":"tested","version":"v"}`},
		{gateway.Value{Name: "CN", Bytes: []byte("Zoë"), Source: gateway.Documented, Version: "v"},
			`{"name":"CN","value":"Zoë","source":"documented","version":"v"}`},
		{gateway.Value{Name: "{http.request.tls.client.san.uris}", Bytes: []byte("[https://x/?a=<b>&c]"), Source: gateway.Tested, Version: "v"},
			`{"name":"{http.request.tls.client.san.uris}","value":"[https://x/?a=<b>&c]","source":"tested","version":"v"}`},
	} {
		// As the CLI writes JSON: an encoder that leaves < > & alone.
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		err := enc.Encode(tt.v)
		if got := strings.TrimSuffix(b.String(), "\n"); err != nil || got != tt.want {
			t.Errorf("Encode(%s) = %s, %v; want %s", tt.v.Name, got, err, tt.want)
		}
	}
}

// TestViewsOfFixtures: every profile describes every certificate of the test PKI
// without failing, and lists are never nil (JSON shows []).
func TestViewsOfFixtures(t *testing.T) {
	files, err := filepath.Glob("../../testdata/pki/*.pem")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, block := range pemBlocks(b) {
			c, err := certinfo.Parse(block)
			if err != nil {
				continue
			}
			for _, p := range gateway.Profiles() {
				v := p.View(c)
				if v.Name != p.Name || v.Values == nil || v.CannotSee == nil || v.Notes == nil {
					t.Errorf("%s: %s view = %+v", f, p.Name, v)
				}
			}
		}
	}
	if got := strings.Join(gateway.Names(), ","); got != "workato,nginx,haproxy,caddy,envoy,traefik,cloudflare,aws-apigw,aws-alb,azure-apim" {
		t.Errorf("Names() = %s", got)
	}
}
