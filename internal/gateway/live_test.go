package gateway_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/gateway/gatewaytest"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// liveCase is a client certificate with a subject or SAN that gateways print
// differently.
type liveCase struct {
	name string
	rdns []pki.RDN
	san  []pki.GeneralName
}

func utf8Attr(oid asn1.ObjectIdentifier, v string) pki.Attribute {
	return pki.Attribute{Type: oid, Tag: asn1.TagUTF8String, Value: []byte(v)}
}

func liveCases() []liveCase {
	a := pki.Attr
	ip := func(s string) pki.GeneralName { return pki.IPAddress(netip.MustParseAddr(s)) }
	return []liveCase{
		{"multi-valued RDN", []pki.RDN{{a("C", "US")}, {a("O", "Org")}, {a("CN", "b"), a("OU", "a")}},
			[]pki.GeneralName{pki.DNSName("api.example.com"), pki.EmailAddress("ops@example.com"), ip("192.0.2.10"), ip("2001:db8::10"),
				pki.URI("spiffe://example.com/ns/prod/sa/client"), pki.URI("https://example.com/a?b=c&d=e")}},
		{"UTF-8", []pki.RDN{{a("C", "DE")}, {a("O", "Zoë Müller GmbH")}, {a("CN", "Zoë 😀 ✓")}}, nil},
		{"BMPString", []pki.RDN{{a("C", "US")}, {{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Tag: asn1.TagBMPString, Value: pki.BMPString("Zoë BMP")}}}, nil},
		{"RFC 4514 escapes", []pki.RDN{{a("C", "US")}, {a("O", "Acme, Inc.")}, {a("OU", "a+b=c")}, {a("OU", `x;y<z>"q"\ /slash`)}, {a("CN", "=eq")}}, nil},
		{"emailAddress, DC, UID", []pki.RDN{{a("DC", "com")}, {a("DC", "example")}, {a("OU", "Users")}, {a("UID", "jdoe")}, {a("CN", "John Doe")},
			{a("emailAddress", "alice@example.com")}}, []pki.GeneralName{pki.EmailAddress("alice@example.com")}},
		{"unknown OID", []pki.RDN{{a("C", "US")}, {a("O", "Org")}, {utf8Attr(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, "custom")}, {a("CN", "x")}}, nil},
		{"duplicate OU", []pki.RDN{{a("C", "US")}, {a("O", "Org")}, {a("OU", "Eng")}, {a("OU", "Platform")}, {a("CN", "dup")}}, nil},
		{"leading # and spaces", []pki.RDN{{a("C", "US")}, {a("O", "#hash")}, {a("OU", " leading")}, {a("OU", "trailing ")}, {a("OU", "#")}, {a("OU", " ")}, {a("CN", " both ")}}, nil},
		{"title, street, SN, GN", []pki.RDN{{a("C", "US")}, {a("STREET", "1 Main St")}, {a("postalCode", "12345")}, {a("title", "Engineer")},
			{a("SN", "Doe")}, {a("GN", "Jane")}, {a("serialNumber", "A-42")}, {a("CN", "Jane Doe")}}, nil},
		{"control characters", []pki.RDN{{a("C", "US")}, {a("OU", "line\nfeed")}, {a("OU", "del\x7fchar")}, {a("CN", "tab\there")}}, nil},
		{"NUL byte", []pki.RDN{{a("C", "US")}, {a("O", "nul\x00inside")}, {a("CN", "trailing nul\x00")}}, nil},
		{"IPv6 and URI SANs", []pki.RDN{{a("CN", "sans")}}, []pki.GeneralName{ip("2001:db8::1"), ip("::ffff:192.0.2.1"), ip("fe80::1:2:3:4"),
			pki.URI("spiffe://example.org/ns/default/sa/x"), pki.URI("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), pki.DNSName("*.example.net")}},
	}
}

// liveGateway starts one gateway that requires a client certificate and echoes
// the named variables, each framed by a marker.
type liveGateway struct {
	name     string
	binaries []string
	// echo is how the gateway's config writes a value's bytes; decode turns
	// what it wrote back into them.
	echo   func(name string) string
	decode func(s string) ([]byte, error)
	start  func(t *testing.T, dir, addr, body string) *exec.Cmd
}

// marker frames the i-th value in an echo body; no test value contains "~~~".
func marker(i int) string { return "~~~" + strconv.Itoa(i) + "~~~" }

var liveGateways = []liveGateway{
	{
		name:     "nginx",
		binaries: []string{"nginx", "/usr/sbin/nginx"},
		echo:     func(name string) string { return "${" + name[1:] + "}" },
		decode:   func(s string) ([]byte, error) { return []byte(s), nil },
		start: func(t *testing.T, dir, addr, body string) *exec.Cmd {
			conf := fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
  server {
    listen %[2]s ssl;
    ssl_certificate %[1]s/server.pem;
    ssl_certificate_key %[1]s/server.key;
    ssl_client_certificate %[1]s/ca.pem;
    ssl_verify_client on;
    location / { default_type text/plain; return 200 "%[3]s"; }
  }
}
`, dir, addr, body)
			write(t, dir, "nginx.conf", conf)
			return exec.Command(gatewaytest.Binary("nginx", "/usr/sbin/nginx"), "-p", dir, "-e", dir+"/error.log", "-c", dir+"/nginx.conf", "-g", "daemon off;")
		},
	},
	{
		name:     "haproxy",
		binaries: []string{"haproxy", "/usr/sbin/haproxy"},
		// ,hex shows the exact bytes, NULs of a BMPString included.
		echo:   func(name string) string { return "%[" + name + ",hex]" },
		decode: func(s string) ([]byte, error) { return hex.DecodeString(s) },
		start: func(t *testing.T, dir, addr, body string) *exec.Cmd {
			conf := fmt.Sprintf(`global
  nbthread 1
  maxconn 64
defaults
  mode http
  timeout connect 5s
  timeout client 5s
  timeout server 5s
frontend fe
  bind %[2]s ssl crt %[1]s/server-and-key.pem ca-file %[1]s/ca.pem verify required
  http-request return status 200 content-type text/plain lf-string "%[3]s"
`, dir, addr, body)
			write(t, dir, "haproxy.cfg", conf)
			return exec.Command(gatewaytest.Binary("haproxy", "/usr/sbin/haproxy"), "-db", "-f", dir+"/haproxy.cfg")
		},
	},
	{
		name:     "caddy",
		binaries: []string{"caddy", "/usr/bin/caddy"},
		echo:     func(name string) string { return name },
		decode:   func(s string) ([]byte, error) { return []byte(s), nil },
		start: func(t *testing.T, dir, addr, body string) *exec.Cmd {
			ca, err := os.ReadFile(filepath.Join(dir, "ca.der"))
			if err != nil {
				t.Fatal(err)
			}
			// JSON rather than a Caddyfile: a policy without matchers applies
			// whatever the SNI, and no site address decides anything.
			return caddyCommand(t, dir, map[string]any{"echo": caddyServer(addr, body, []string{base64.StdEncoding.EncodeToString(ca)})})
		},
	},
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestGatewaysLive proves the tested profiles against the real gateways: each
// gateway (Debian's nginx, HAProxy and Caddy, when installed) requires a client
// certificate and echoes its variables; every certificate of liveCases is
// presented, and every variable compared byte for byte with the profile's value.
// The gateways have no injectable clock, so the certificates are valid now.
func TestGatewaysLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real gateways")
	}
	now := time.Now().Truncate(time.Second)
	from, to := now.Add(-time.Hour), now.Add(time.Hour)
	ca, err := pki.SelfSign(pki.Spec{RawSubject: pki.MustName(pki.RDN{pki.Attr("C", "US")}, pki.RDN{pki.Attr("O", "mtlsplay, test")},
		pki.RDN{pki.Attr("CN", "Gateway Test CA ✓")}), NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.Issue(pki.Spec{Subject: pkix.Name{CommonName: "localhost"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SAN:         []pki.GeneralName{pki.DNSName("localhost"), pki.IPAddress(netip.MustParseAddr("127.0.0.1"))}})
	if err != nil {
		t.Fatal(err)
	}
	type client struct {
		name string
		cert *pki.Cert
		info *certinfo.Certificate
	}
	var clients []client
	for _, c := range liveCases() {
		name, err := pki.MarshalName(c.rdns...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		cert, err := ca.Issue(pki.Spec{RawSubject: name, NotBefore: from, NotAfter: to,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: c.san})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		info, err := certinfo.Parse(cert.DER)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		clients = append(clients, client{c.name, cert, info})
	}

	dir := t.TempDir()
	serverKey, err := server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "ca.pem", string(ca.CertPEM()))
	write(t, dir, "ca.der", string(ca.DER))
	write(t, dir, "server.pem", string(server.CertPEM()))
	write(t, dir, "server.key", string(serverKey))
	write(t, dir, "server-and-key.pem", string(server.CertPEM())+string(serverKey))
	roots := x509.NewCertPool()
	roots.AddCert(ca.X509)

	for _, g := range liveGateways {
		t.Run(g.name, func(t *testing.T) {
			if gatewaytest.Binary(g.binaries...) == "" {
				t.Skipf("%s is not installed (apt-get install %s)", g.name, g.name)
			}
			profile, ok := gateway.Lookup(g.name)
			if !ok {
				t.Fatalf("no profile %q", g.name)
			}
			// The echo asks for every tested variable any case has, and, for
			// Caddy, list indexes past the end, which must print nothing.
			var names []string
			seen := map[string]bool{}
			for _, c := range clients {
				for _, v := range profile.View(c.info).Values {
					if v.Source == gateway.Tested && !seen[v.Name] {
						seen[v.Name] = true
						names = append(names, v.Name)
					}
				}
			}
			var body strings.Builder
			for i, n := range names {
				body.WriteString(marker(i))
				body.WriteString(g.echo(n))
			}
			body.WriteString(marker(len(names)))

			gdir := filepath.Join(dir, g.name)
			if err := os.Mkdir(gdir, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"ca.pem", "ca.der", "server.pem", "server.key", "server-and-key.pem"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				write(t, gdir, f, string(b))
			}
			addr := gatewaytest.FreeAddrs(t, 1)[0]
			done := gatewaytest.Run(t, g.name, g.start(t, gdir, addr, body.String()), filepath.Join(gdir, "error.log"))
			gatewaytest.WaitListening(t, addr, done)

			equal, total := 0, 0
			for _, c := range clients {
				got, err := ask(addr, roots, c.cert, len(names))
				if err != nil {
					t.Errorf("%s: %v", c.name, err)
					continue
				}
				want := map[string]gateway.Value{}
				for _, v := range profile.View(c.info).Values {
					want[v.Name] = v
				}
				for i, n := range names {
					b, err := g.decode(got[i])
					if err != nil {
						t.Errorf("%s: %s %s: cannot decode %q: %v", c.name, g.name, n, got[i], err)
						continue
					}
					w, ok := want[n]
					if !ok {
						if len(b) != 0 {
							t.Errorf("%s: %s %s = %q, the profile has no value", c.name, g.name, n, b)
						}
						continue
					}
					total++
					if !bytes.Equal(b, w.Bytes) {
						t.Errorf("%s: %s %s\n gateway: %q\n profile: %q", c.name, g.name, n, b, w.Bytes)
						continue
					}
					equal++
				}
			}
			t.Logf("%s: %d of %d values equal, %d certificates, %d variables", g.name, equal, total, len(clients), len(names))
		})
	}
}

// caddyServer is one server of a Caddy JSON config: on addr, requiring a client
// certificate that one of cas (base64 DER) issued, answering body.
func caddyServer(addr, body string, cas []string) map[string]any {
	return map[string]any{
		"listen":          []string{addr},
		"automatic_https": map[string]any{"disable": true},
		"routes":          []any{map[string]any{"handle": []any{map[string]any{"handler": "static_response", "body": body}}}},
		"tls_connection_policies": []any{map[string]any{
			"certificate_selection": map[string]any{"any_tag": []string{"mtlsplay"}},
			"client_authentication": map[string]any{"trusted_ca_certs": cas, "mode": "require_and_verify"},
		}},
	}
}

// caddyCommand writes a Caddy JSON config with servers, the server certificate
// dir/server.pem and no admin endpoint, and returns the command that runs it.
func caddyCommand(t *testing.T, dir string, servers map[string]any) *exec.Cmd {
	t.Helper()
	cfg := map[string]any{
		"admin":   map[string]any{"disabled": true},
		"storage": map[string]any{"module": "file_system", "root": dir + "/caddy-data"},
		"apps": map[string]any{
			"http": map[string]any{"servers": servers},
			"tls": map[string]any{"certificates": map[string]any{"load_files": []any{map[string]any{
				"certificate": dir + "/server.pem", "key": dir + "/server.key", "tags": []string{"mtlsplay"},
			}}}},
		},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "caddy.json", string(b))
	cmd := exec.Command(gatewaytest.Binary("caddy", "/usr/bin/caddy"), "run", "--config", dir+"/caddy.json")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	return cmd
}

// ask presents cert on a fresh connection and splits the echo into n values.
func ask(addr string, roots *x509.CertPool, cert *pki.Cert, n int) ([]string, error) {
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{{Certificate: [][]byte{cert.DER}, PrivateKey: cert.Key}}},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "https://"+addr+"/", nil)
	if err != nil {
		return nil, err
	}
	req.Host = "localhost"
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("status %d: %q", resp.StatusCode, body)
	}
	s := string(body)
	vals := make([]string, n)
	for i := 0; i < n; i++ {
		start := strings.Index(s, marker(i))
		end := strings.Index(s, marker(i+1))
		if start < 0 || end < start {
			return nil, fmt.Errorf("the echo lacks value %d: %q", i, s)
		}
		vals[i] = s[start+len(marker(i)) : end]
	}
	return vals, nil
}
