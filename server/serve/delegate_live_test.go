package serve

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"net"
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

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/server/authz"
)

// TestRecipesLive runs the delegate recipes exactly as authz.Recipe writes them
// (docs/delegate.md shows the same text) in Debian's nginx and Caddy, in front of
// a trivial upstream, with mtlsplay serve configured by the lines the recipe's
// comments give. Real client certificates over mTLS must get the upstream's 200
// when accepted, and otherwise 403 with the code `mtlsplay verify` gives for the
// same certificate, bundle and rule. A certificate header forged by whoever can
// reach the endpoint, or sent by the client through the proxy, is never believed.
// Gateways have no injectable clock: the certificates are made now.
func TestRecipesLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real gateways")
	}
	now := time.Now().UTC().Truncate(time.Second)
	dir := t.TempDir()
	pk := makeDelegatePKI(t, dir, now)
	const rule = `CN == "client.example.com" && "DNS:api.example.com" in SAN`

	// The trivial upstream: a plain HTTP server that says it was reached.
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	upSrv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "upstream reached\n")
	})}
	go func() { _ = upSrv.Serve(up) }()
	t.Cleanup(func() { upSrv.Close() })

	for _, gw := range []struct {
		name   string
		binary string
		start  func(t *testing.T, dir, recipe string) *exec.Cmd
	}{
		{"nginx", "/usr/sbin/nginx", startNginx},
		{"caddy", "/usr/bin/caddy", startCaddy},
	} {
		t.Run(gw.name, func(t *testing.T) {
			if _, err := exec.LookPath(gw.binary); err != nil {
				t.Skipf("%s is not installed", gw.name)
			}
			gdir := filepath.Join(dir, gw.name)
			if err := os.MkdirAll(gdir, 0o700); err != nil {
				t.Fatal(err)
			}
			free := gatewaytest.FreeAddrs(t, 2)
			listen, authzAddr := free[0], free[1]
			recipe, err := authz.Recipe(gw.name, authz.RecipeOptions{Client: "partner-a", AuthzAddr: authzAddr, Listen: listen,
				ServerName: "localhost", Cert: filepath.Join(dir, "server.pem"), Key: filepath.Join(dir, "server.key"), Upstream: up.Addr().String()})
			if err != nil {
				t.Fatal(err)
			}
			cfg := "tls: {cert: " + filepath.Join(dir, "server.pem") + ", key: " + filepath.Join(dir, "server.key") + "}\n" +
				"clients:\n  - name: partner-a\n    bundles: [" + filepath.Join(dir, "root.pem") + "]\n    rule: '" + rule + "'\n" +
				recipeConfig(t, recipe)
			ts := startServe(t, Options{ConfigPath: writeConfig(t, cfg), Now: time.Now})
			if ts.s.AuthzAddr() != authzAddr {
				t.Fatalf("the endpoint listens on %q, want the recipe's %s", ts.s.AuthzAddr(), authzAddr)
			}
			exited := gatewaytest.Run(t, gw.name, gw.start(t, gdir, recipe), filepath.Join(gdir, "error.log"))
			gatewaytest.WaitListening(t, listen, exited)

			for _, c := range pk.cases {
				want := verifyNow(t, c.cert, pk.rootPEM, rule, now)
				if want != c.want {
					t.Fatalf("verify %s = %d, want %d: the case is wrong", c.name, want, c.want)
				}
				status, code, body := throughGateway(t, listen, pk.root, c.cert, nil)
				switch {
				case want == 0 && (status != 200 || body != "upstream reached\n"):
					t.Errorf("%s %s: %d %q, want the upstream's 200", gw.name, c.name, status, body)
				case want != 0 && (status != 403 || code != strconv.Itoa(want) || strings.Contains(body, "upstream")):
					t.Errorf("%s %s: %d, Mtlsplay-Code %q, want 403 and %d (as verify); body %s", gw.name, c.name, status, code, want, body)
				}
				// nginx refuses only a certificate outside its dates itself (495), which
				// error_page hands to mtlsplay with GET, so mtlsplay's body comes back; every
				// other one reaches auth_request and gets nginx's own 403 page
				// (docs/delegate.md, the recipe's comment).
				if viaRefused := strings.HasPrefix(body, `{"code":`); gw.name == "nginx" && want != 0 && viaRefused != (c.name == "expired") {
					t.Errorf("nginx %s: answered through error_page 495: %v, want %v; body %s", c.name, viaRefused, c.name == "expired", body)
				}
			}
			// A client that writes the proxy's certificate header itself, or the
			// others', presenting no certificate: never believed.
			forged := http.Header{}
			for name, h := range forwardedHeaders(t, filepath.Join(dir, "good-chain.pem")) {
				if name != "rfc9440" {
					for k, v := range h {
						forged[k] = v
					}
				}
			}
			if status, code, _ := throughGateway(t, listen, pk.root, nil, forged); status != 403 || code != "4017" {
				t.Errorf("%s: a client without a certificate sending forged headers: %d, code %q; want 403 and 4017", gw.name, status, code)
			}

			// The proxy keeps its connections to mtlsplay open between requests
			// (nginx only when the answer has no body: the recipe asks with HEAD).
			if m := getText(t, "http://"+ts.s.HTTPAddr()+"/metrics"); strings.Contains(m, `mtlsplay_open_connections{listener="authz"} 0`+"\n") {
				t.Errorf("%s closed every connection to the endpoint: a new one per request", gw.name)
			}

			if gw.name == "nginx" {
				// nginx asks from 127.0.0.2 (proxy_bind), the only trusted source: a
				// request made straight to the endpoint from 127.0.0.1 is refused.
				req, _ := http.NewRequest("GET", "http://"+authzAddr+"/authz/partner-a", nil)
				req.Header = forwardedHeaders(t, filepath.Join(dir, "good-chain.pem"))["nginx"]
				d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}}
				cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DialContext: d.DialContext}}
				resp, err := cl.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != 403 || resp.Header.Get("Mtlsplay-Code") != "" || !strings.Contains(resp.Header.Get("Mtlsplay-Reason"), "untrusted source 127.0.0.1") {
					t.Errorf("a forged X-SSL-Client-Cert from 127.0.0.1: %d, code %q, reason %q; want 403, no code, the source named",
						resp.StatusCode, resp.Header.Get("Mtlsplay-Code"), resp.Header.Get("Mtlsplay-Reason"))
				}
			}
		})
	}
}

// recipeConfig reads the mtlsplay config lines a recipe's comments give, as YAML.
func recipeConfig(t *testing.T, recipe string) string {
	t.Helper()
	var b strings.Builder
	in := false
	sc := bufio.NewScanner(strings.NewReader(recipe))
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "# mtlsplay's config needs"):
			in = true
		case in && strings.HasPrefix(l, "#   "):
			b.WriteString(strings.TrimPrefix(l, "#   ") + "\n")
		case in:
			return b.String()
		}
	}
	t.Fatalf("the recipe has no config lines:\n%s", recipe)
	return ""
}

// delegatePKI is the certificates of the live test, valid now.
type delegatePKI struct {
	root    *x509.CertPool
	rootPEM []byte
	cases   []delegateCase
}

type delegateCase struct {
	name string
	cert *tls.Certificate // nil: none presented
	want int
}

// makeDelegatePKI writes root.pem, server.pem/.key and good-chain.pem into dir.
func makeDelegatePKI(t *testing.T, dir string, now time.Time) delegatePKI {
	t.Helper()
	must := func(c *pki.Cert, err error) *pki.Cert {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	root := must(pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Delegate Test Root"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true}))
	other := must(pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Another Root"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true}))
	leaf := func(ca *pki.Cert, cn string, from, to time.Time, eku x509.ExtKeyUsage) *pki.Cert {
		return must(ca.Issue(pki.Spec{Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: to,
			ExtKeyUsage: []x509.ExtKeyUsage{eku}, SAN: []pki.GeneralName{pki.DNSName(cn), pki.DNSName("api.example.com")}}))
	}
	valid := func(ca *pki.Cert, cn string, eku x509.ExtKeyUsage) *pki.Cert {
		return leaf(ca, cn, now.Add(-time.Hour), now.Add(12*time.Hour), eku)
	}
	server := must(root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "localhost"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, SAN: []pki.GeneralName{pki.DNSName("localhost"), pki.IPAddress(netip.MustParseAddr("127.0.0.1"))}}))
	good := valid(root, "client.example.com", x509.ExtKeyUsageClientAuth)
	key, err := server.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"root.pem": root.CertPEM(), "server.pem": server.CertPEM(), "server.key": key, "good-chain.pem": good.CertPEM()} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(root.X509)
	tc := func(c *pki.Cert) *tls.Certificate {
		return &tls.Certificate{Certificate: [][]byte{c.DER}, PrivateKey: c.Key}
	}
	return delegatePKI{root: pool, rootPEM: root.CertPEM(), cases: []delegateCase{
		{"accepted", tc(good), 0},
		{"rule false", tc(valid(root, "other.example.com", x509.ExtKeyUsageClientAuth)), 4019},
		{"untrusted issuer", tc(valid(other, "client.example.com", x509.ExtKeyUsageClientAuth)), 4018},
		{"expired", tc(leaf(root, "client.example.com", now.Add(-48*time.Hour), now.Add(-24*time.Hour), x509.ExtKeyUsageClientAuth)), 4018},
		{"serverAuth only", tc(valid(root, "client.example.com", x509.ExtKeyUsageServerAuth)), 4018},
		{"no certificate", nil, 4017},
	}}
}

// verifyNow is what `mtlsplay verify --bundle root.pem --rule RULE` decides now
// for the certificate (none: an empty chain).
func verifyNow(t *testing.T, cert *tls.Certificate, rootPEM []byte, rule string, now time.Time) int {
	t.Helper()
	req := engine.DecideRequest{Rule: rule, At: now.Format(time.RFC3339), Bundles: []engine.BundleInput{{Name: "root.pem", PEM: string(rootPEM)}}}
	if cert != nil {
		req.Certificates = string((&pki.Cert{DER: cert.Certificate[0]}).CertPEM())
	}
	resp, err := engine.Decide(req, nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Code
}

// throughGateway asks the gateway at addr for / on a fresh connection, presenting
// cert (none when nil) and the extra headers; it returns the status, the
// Mtlsplay-Code header and the body.
func throughGateway(t *testing.T, addr string, roots *x509.CertPool, cert *tls.Certificate, h http.Header) (int, string, string) {
	t.Helper()
	cfg := &tls.Config{RootCAs: roots, ServerName: "localhost"}
	if cert != nil {
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
	}
	cl := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
	defer cl.CloseIdleConnections()
	req, err := http.NewRequest("GET", "https://"+addr+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "localhost"
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := cl.Do(req)
	if err != nil {
		t.Fatalf("GET through the gateway: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Mtlsplay-Code"), string(body)
}

// startNginx runs the recipe inside a minimal nginx.conf.
func startNginx(t *testing.T, dir, recipe string) *exec.Cmd {
	conf := `worker_processes 1;
pid ` + dir + `/nginx.pid;
error_log ` + dir + `/error.log info;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ` + dir + `/body; proxy_temp_path ` + dir + `/proxy; fastcgi_temp_path ` + dir + `/fastcgi;
  uwsgi_temp_path ` + dir + `/uwsgi; scgi_temp_path ` + dir + `/scgi;
` + recipe + `}
`
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return exec.Command("/usr/sbin/nginx", "-p", dir, "-e", dir+"/error.log", "-c", dir+"/nginx.conf", "-g", "daemon off;")
}

// startCaddy runs the recipe as the site of a Caddyfile whose global options keep
// Caddy to itself: no admin endpoint, its data in dir, no HTTP redirect listener.
func startCaddy(t *testing.T, dir, recipe string) *exec.Cmd {
	conf := "{\n\tadmin off\n\tstorage file_system " + dir + "/data\n\tauto_https disable_redirects\n\tskip_install_trust\n}\n\n" + recipe
	if err := os.WriteFile(filepath.Join(dir, "Caddyfile"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("/usr/bin/caddy", "run", "--config", dir+"/Caddyfile", "--adapter", "caddyfile")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_DATA_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	return cmd
}
