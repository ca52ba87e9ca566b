package export_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/gateway/gatewaytest"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/export"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// liveRule is a rule of the differential test and the gateways that cannot
// express all of it (their export must say "partial").
type liveRule struct {
	src     string
	partial []string
}

var noSAN = []string{"nginx", "haproxy"}

func liveRules() []liveRule {
	return []liveRule{
		{``, nil},
		{`CN == "b"`, nil},
		{`CN == "Zoë 😀 ✓"`, nil},
		{`CN == "Zoë BMP"`, nil},
		{`cert.subject.cn != "b"`, nil},
		{`CN in ["b", "John Doe", "dup", "=eq"]`, nil},
		{`CN.startsWith("Jo")`, nil},
		{`CN.endsWith("Doe")`, nil},
		{`CN.contains("oe")`, nil},
		{`CN.contains("ë")`, nil},
		{`CN == " both "`, nil},
		{`CN == "second"`, nil},
		{`DN == "CN=b+OU=a,O=Org,C=US"`, []string{"caddy"}},
		{`DN == "CN=Zoë 😀 ✓,O=Zoë Müller GmbH,C=DE"`, []string{"caddy"}},
		{`DN == r'CN==eq,OU=x\;y\<z\>\"q\"\\ /slash,OU=a\+b=c,O=Acme\, Inc.,C=US'`, []string{"caddy"}},
		{`cert.subject.dn == "CN=dup,OU=Platform,OU=Eng,O=Org,C=US"`, []string{"caddy"}},
		{`"Eng" in cert.subject.organizational_unit`, nil},
		{`"Platform" in cert.subject.organizational_unit`, nil},
		{`"Acme, Inc." in cert.subject.organization`, nil},
		{`"Zoë Müller GmbH" in cert.subject.organization`, nil},
		{`"DE" in cert.subject.country`, nil},
		{`"example" in cert.subject.domain_component`, []string{"caddy"}},
		{`"alice@example.com" in cert.subject.email_address`, []string{"caddy"}},
		{`"DNS:api.example.com" in SAN`, noSAN},
		{`"a.example.net" in cert.san.dns`, noSAN},
		{`cert.san.dns.exists(d, d.endsWith(".example.com"))`, noSAN},
		{`SAN.exists(s, s == "Email:ops@example.com")`, noSAN},
		{`SAN.exists(s, s.startsWith("DNS:api."))`, noSAN},
		{`SAN.exists(s, s.startsWith("URI:spiffe://example.com/"))`, []string{"nginx", "haproxy", "caddy"}},
		{`"alice@example.com" in cert.san.email`, noSAN},
		{`"IP:192.0.2.10" in SAN`, []string{"nginx", "haproxy", "caddy"}},
		{`"URI:spiffe://example.com/ns/prod/sa/client" in SAN`, []string{"nginx", "haproxy", "caddy"}},
		{`CN == "b" || "Eng" in cert.subject.organizational_unit`, nil},
		{`!(CN == "b") && "US" in cert.subject.country`, nil},
		{`(CN.startsWith("J") || CN == "b") && !("Users" in cert.subject.organizational_unit)`, nil},
		{`"DNS:api.example.com" in SAN && CN == "b"`, noSAN},
		{`!("DNS:api.example.com" in SAN) || CN == "dup"`, noSAN},
		{`CN == "b" || "DNS:api.example.com" in SAN`, noSAN},
		{`chain.size() == 1`, []string{"nginx", "haproxy", "caddy"}},
	}
}

func utf8Attr(oid asn1.ObjectIdentifier, v string) pki.Attribute {
	return pki.Attribute{Type: oid, Tag: asn1.TagUTF8String, Value: []byte(v)}
}

// liveCerts are the subjects and SANs gateways print differently.
func liveCerts() []struct {
	name string
	rdns []pki.RDN
	san  []pki.GeneralName
} {
	a := pki.Attr
	ip := func(s string) pki.GeneralName { return pki.IPAddress(netip.MustParseAddr(s)) }
	return []struct {
		name string
		rdns []pki.RDN
		san  []pki.GeneralName
	}{
		{"multi-valued RDN", []pki.RDN{{a("C", "US")}, {a("O", "Org")}, {a("CN", "b"), a("OU", "a")}},
			[]pki.GeneralName{pki.DNSName("api.example.com"), pki.EmailAddress("ops@example.com"), ip("192.0.2.10"), ip("2001:db8::10"),
				pki.URI("spiffe://example.com/ns/prod/sa/client")}},
		{"UTF-8", []pki.RDN{{a("C", "DE")}, {a("O", "Zoë Müller GmbH")}, {a("CN", "Zoë 😀 ✓")}}, []pki.GeneralName{pki.DNSName("a.example.net")}},
		{"BMPString", []pki.RDN{{a("C", "US")}, {{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Tag: asn1.TagBMPString, Value: pki.BMPString("Zoë BMP")}}}, nil},
		{"RFC 4514 escapes", []pki.RDN{{a("C", "US")}, {a("O", "Acme, Inc.")}, {a("OU", "a+b=c")}, {a("OU", `x;y<z>"q"\ /slash`)}, {a("CN", "=eq")}}, nil},
		{"emailAddress, DC, UID", []pki.RDN{{a("DC", "com")}, {a("DC", "example")}, {a("OU", "Users")}, {a("UID", "jdoe")}, {a("CN", "John Doe")},
			{a("emailAddress", "alice@example.com")}}, []pki.GeneralName{pki.EmailAddress("alice@example.com"), pki.DNSName("www.example.com")}},
		{"unknown OID", []pki.RDN{{a("C", "US")}, {a("O", "Org")}, {utf8Attr(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 55555, 1}, "custom")}, {a("CN", "x")}}, nil},
		{"duplicate OU", []pki.RDN{{a("C", "US")}, {a("O", "Org")}, {a("OU", "Eng")}, {a("OU", "Platform")}, {a("CN", "dup")}}, nil},
		{"two CNs", []pki.RDN{{a("C", "US")}, {a("CN", "b")}, {a("CN", "second")}}, []pki.GeneralName{pki.DNSName("api.example.com")}},
		{"CN in an OU", []pki.RDN{{a("C", "US")}, {a("OU", "x,CN=b")}, {a("CN", "Joe")}}, nil},
		{"leading # and spaces", []pki.RDN{{a("C", "US")}, {a("O", "#hash")}, {a("OU", " leading")}, {a("CN", " both ")}}, nil},
		{"control characters", []pki.RDN{{a("C", "US")}, {a("OU", "line\nfeed")}, {a("CN", "tab\there")}}, nil},
		{"no CN", []pki.RDN{{a("C", "US")}, {a("O", "Org")}, {a("OU", "Eng")}}, []pki.GeneralName{pki.DNSName("api.example.com")}},
		{"SANs of each type", []pki.RDN{{a("CN", "sans")}}, []pki.GeneralName{ip("2001:db8::1"), ip("192.0.2.10"), pki.UPN("u@example.com"),
			pki.URI("spiffe://example.com/ns/prod/sa/client"), pki.EmailAddress("ops@example.com"), pki.DNSName("*.example.net"), pki.DNSName("x.example.com")}},
	}
}

type liveClient struct {
	name    string
	cert    *pki.Cert
	chain   []*certinfo.Certificate
	trusted bool
}

// TestExportLive is the differential test of docs/design.md (export): every rule
// of liveRules is exported for nginx, HAProxy and Caddy, all exports of one
// gateway run in one real gateway process (Debian's packages, on 127.0.0.1),
// and every certificate of liveCerts, and one from a CA the bundle does not
// hold, is presented over mTLS to each. A fully expressed export must accept
// exactly when mtlsplay's decision (engine.DecideFor) is 0; a partial one must
// never accept a certificate mtlsplay refuses, and must be partial for the
// gateways the rule lists.
func TestExportLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real gateways")
	}
	now := time.Now().Truncate(time.Second)
	from, to := now.Add(-time.Hour), now.Add(time.Hour)
	ca, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Export Test CA"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Other CA"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	server, err := ca.Issue(pki.Spec{Subject: pkix.Name{CommonName: "localhost"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		SAN:         []pki.GeneralName{pki.DNSName("localhost"), pki.IPAddress(netip.MustParseAddr("127.0.0.1"))}})
	if err != nil {
		t.Fatal(err)
	}
	var clients []liveClient
	add := func(name string, issuer *pki.Cert, rdns []pki.RDN, san []pki.GeneralName) {
		raw, err := pki.MarshalName(rdns...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c, err := issuer.Issue(pki.Spec{RawSubject: raw, NotBefore: from, NotAfter: to, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: san})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		info, err := certinfo.Parse(c.DER)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		clients = append(clients, liveClient{name: name, cert: c, chain: []*certinfo.Certificate{info}, trusted: issuer == ca})
	}
	for _, c := range liveCerts() {
		add(c.name, ca, c.rdns, c.san)
	}
	add("untrusted issuer", other, []pki.RDN{{pki.Attr("CN", "b")}}, nil)

	dir := t.TempDir()
	serverKey, err := server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "ca.pem", ca.CertPEM())
	write(t, dir, "server.pem", server.CertPEM())
	write(t, dir, "server.key", serverKey)
	write(t, dir, "server-and-key.pem", append(server.CertPEM(), serverKey...))
	bundle, err := trust.ParseBundle("ca.pem", ca.CertPEM(), now)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.X509)

	rules := liveRules()
	// want[i][j]: mtlsplay accepts client j under rule i.
	want := make([][]bool, len(rules))
	for i, r := range rules {
		c := &engine.Client{Client: policy.Client{Name: "export", Bundles: []*trust.Bundle{bundle}}}
		if r.src != "" {
			compiled, err := engine.CompileRule(r.src, "cel")
			if err != nil {
				t.Fatalf("rule %q: %v", r.src, err)
			}
			c.SetRule(compiled)
		}
		want[i] = make([]bool, len(clients))
		for j, cl := range clients {
			d, _ := engine.DecideFor(c, cl.chain, ruletypes.TLS{}, now, nil)
			want[i][j] = d.Code == 0
		}
	}

	for _, g := range []string{"nginx", "haproxy", "caddy"} {
		t.Run(g, func(t *testing.T) {
			bin := gatewaytest.Binary(g, "/usr/sbin/"+g, "/usr/bin/"+g)
			if bin == "" {
				t.Skipf("%s is not installed", g)
			}
			gdir := filepath.Join(dir, g)
			if err := os.Mkdir(gdir, 0o755); err != nil {
				t.Fatal(err)
			}
			var configs []string
			addrs := gatewaytest.FreeAddrs(t, len(rules))
			results := make([]*export.Result, len(rules))
			for i, r := range rules {
				cert := filepath.Join(dir, "server.pem")
				if g == "haproxy" {
					cert = filepath.Join(dir, "server-and-key.pem")
				}
				res, err := export.Export(g, r.src, export.Options{
					Bundles: []string{filepath.Join(dir, "ca.pem")}, ServerCert: cert, ServerKey: filepath.Join(dir, "server.key"),
					Listen: addrs[i], ServerName: "localhost", Rule: r.src, Name: fmt.Sprintf("r%d", i),
				})
				if err != nil {
					t.Fatalf("Export(%s, %q): %v", g, r.src, err)
				}
				results[i] = res
				wantPartial := contains(r.partial, g)
				if res.Complete == wantPartial {
					t.Errorf("Export(%s, %q).Complete = %v, want %v (missing: %q)", g, r.src, res.Complete, !wantPartial, res.Missing)
				}
				if !res.Complete && (len(res.Missing) == 0 || !strings.Contains(res.Config, "PARTIAL")) {
					t.Errorf("Export(%s, %q) is partial but does not say what is missing", g, r.src)
				}
				configs = append(configs, res.Config)
			}
			cmd := startGateway(t, g, bin, gdir, configs)
			done := gatewaytest.Run(t, g, cmd, filepath.Join(gdir, "error.log"))
			for _, a := range addrs {
				gatewaytest.WaitListening(t, a, done)
			}
			checked := 0
			for i, r := range rules {
				for j, cl := range clients {
					got, status, err := ask(addrs[i], roots, cl.cert)
					if err != nil && cl.trusted {
						t.Errorf("%s rule %q, %s: %v", g, r.src, cl.name, err)
						continue
					}
					checked++
					w := want[i][j]
					switch {
					case results[i].Complete && got != w:
						t.Errorf("%s rule %q, %s: gateway accepts = %v (status %d), mtlsplay accepts = %v\n%s", g, r.src, cl.name, got, status, w, results[i].Config)
					case !results[i].Complete && got && !w:
						t.Errorf("%s partial rule %q, %s: the gateway accepts what mtlsplay refuses", g, r.src, cl.name)
					}
				}
			}
			t.Logf("%s: %d rules × %d certificates compared", g, len(rules), len(clients))
			if checked == 0 {
				t.Fatal("nothing was compared")
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// startGateway writes one config holding every export and returns its command.
func startGateway(t *testing.T, g, bin, dir string, configs []string) *exec.Cmd {
	switch g {
	case "nginx":
		conf := fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
%[2]s
}
`, dir, strings.Join(configs, "\n"))
		write(t, dir, "nginx.conf", []byte(conf))
		return exec.Command(bin, "-p", dir, "-e", dir+"/error.log", "-c", dir+"/nginx.conf", "-g", "daemon off;")
	case "haproxy":
		// HAProxy binds with SO_REUSEPORT: a port another process holds would be
		// shared with it, and answers mixed. The exported configs stay as they are.
		write(t, dir, "haproxy.cfg", []byte("global\n    noreuseport\n\n"+strings.Join(configs, "\n")))
		return exec.Command(bin, "-db", "-f", dir+"/haproxy.cfg")
	}
	conf := fmt.Sprintf("{\n\tadmin off\n\tauto_https off\n\tstorage file_system %s/caddy-data\n}\n\n%s", dir, strings.Join(configs, "\n"))
	write(t, dir, "Caddyfile", []byte(conf))
	cmd := exec.Command(bin, "run", "--adapter", "caddyfile", "--config", dir+"/Caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	return cmd
}

// ask presents cert on a fresh connection: accepted is a 200; a 403, a 400 or a
// refused handshake is not. err is anything else.
func ask(addr string, roots *x509.CertPool, cert *pki.Cert) (accepted bool, status int, err error) {
	tr := &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: roots, ServerName: "localhost", Certificates: []tls.Certificate{{Certificate: [][]byte{cert.DER}, PrivateKey: cert.Key}}},
		DisableKeepAlives: true,
	}
	defer tr.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, port, _ := net.SplitHostPort(addr)
	req, err := http.NewRequestWithContext(ctx, "GET", "https://localhost:"+port+"/", nil)
	if err != nil {
		return false, 0, err
	}
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return false, 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	switch resp.StatusCode {
	case 200:
		if !bytes.Contains(body, []byte("accepted")) {
			return false, 200, fmt.Errorf("200 without the exported answer: %q", body)
		}
		return true, 200, nil
	case 400, 403:
		return false, resp.StatusCode, nil
	}
	return false, resp.StatusCode, fmt.Errorf("status %d: %q", resp.StatusCode, body)
}

func write(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
		t.Fatal(err)
	}
}
