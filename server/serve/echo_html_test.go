package serve

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

const hostileCN = `<img src=x onerror=alert(1)>`

// TestEchoHTMLEscapes: a certificate whose fields are HTML, and a request whose
// path and headers are, render as text in the HTML echo, under a CSP that allows
// no script at all.
func TestEchoHTMLEscapes(t *testing.T) {
	from, to := pki.TestNow.Add(-time.Hour), pki.TestNow.Add(24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: `Root "><script>alert(2)</script>`}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Issue(pki.Spec{
		Subject:     pkix.Name{CommonName: hostileCN, Organization: []string{`<b onmouseover="alert(3)">O</b>`}},
		NotBefore:   from,
		NotAfter:    to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SAN:         []pki.GeneralName{pki.DNSName(`x.example"><svg onload=alert(4)>`), pki.URI(`https://e.example/<script>alert(5)</script>`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts, c := serveClientOf(t, root, leaf, "h", `CN.startsWith("<img")`)
	base := "https://" + ts.s.MTLSAddr()

	for _, path := range []string{"/c/h/", "/c/%3Cscript%3Ealert(6)%3C%2Fscript%3E/"} {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("X-Evil", `"><script>alert(7)</script>`)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Fatalf("GET %s with Accept: text/html: Content-Type %q", path, ct)
		}
		for _, bad := range []string{"<img", "<script", "<svg", "<b ", "onerror=alert(1)>"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: the page contains %q unescaped", path, bad)
			}
		}
		if path == "/c/h/" {
			if !strings.Contains(body, `&lt;img src=x onerror=alert(1)&gt;`) {
				t.Errorf("the page does not show the CN as text")
			}
			if !strings.Contains(body, `data-code="0"`) {
				t.Errorf("the hostile certificate was not accepted by its rule")
			}
			// It expires within a day: the findings show it, with the hostile CN escaped.
			if !strings.Contains(body, `data-finding-id="expires_soon"`) {
				t.Errorf("the page lists no expires_soon finding")
			}
		}
		csp := resp.Header.Get("Content-Security-Policy")
		m := regexp.MustCompile(`<style>([^<]*)</style>`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no stylesheet in the page")
		}
		sum := sha256.Sum256([]byte(m[1]))
		if want := "style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, want) {
			t.Errorf("CSP %q does not allow exactly the page's stylesheet (%s)", csp, want)
		}
		if !strings.HasPrefix(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("CSP %q is not strict", csp)
		}
	}

	// The JSON escapes the same fields for HTML contexts too.
	_, _, body := getEcho(t, c, base+"/c/h/", nil)
	if strings.Contains(body, "<img") || !strings.Contains(body, `\u003cimg src=x onerror=alert(1)\u003e`) {
		t.Errorf("the JSON does not escape < and >:\n%.400s", body)
	}
}

func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEchoHTMLMarksDeceptiveText: a CN that displays as "example.com" but holds a
// RIGHT-TO-LEFT OVERRIDE is marked and isolated in the HTML echo, as on the page,
// while the JSON keeps the exact text a rule compares.
func TestEchoHTMLMarksDeceptiveText(t *testing.T) {
	from, to := pki.TestNow.Add(-time.Hour), pki.TestNow.Add(90*24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Deceptive Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	cn := "\u202Emoc.elpmaxe"
	leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: []pki.GeneralName{pki.DNSName("example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	ts, c := serveClientOf(t, root, leaf, "d", `CN == "example.com"`)
	url := "https://" + ts.s.MTLSAddr() + "/c/d/"

	code, er, _ := getEcho(t, c, url, nil)
	if code != http.StatusForbidden || er.Decision.Code != 4019 {
		t.Errorf("CN == \"example.com\" on a CN that only looks like it: HTTP %d, code %d; want 403, 4019", code, er.Decision.Code)
	}
	if len(er.Certificates) == 0 || er.Certificates[0].Subject.CN != cn {
		t.Fatalf("the JSON's CN is not the exact %q: %+v", cn, er.Certificates)
	}
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	want := `<td class="v" data-testid="cn"><span class="deceptive" data-cp="U+202E" title="U+202E: an invisible or text-reordering character; rules compare it, most displays hide it">` + "\u202E" + `</span>moc.elpmaxe</td>`
	if !strings.Contains(body, want) {
		t.Errorf("the CN cell is not marked; want %q in the page", want)
	}
	if !strings.Contains(body, `data-finding-id="deceptive_text"`) || !strings.Contains(body, "CN=&lt;U+202E&gt;moc.elpmaxe") {
		t.Errorf("the page lists no deceptive_text finding quoting the CN as CN=<U+202E>moc.elpmaxe")
	}
}

// serveClientOf starts serve with one client, name, that trusts root and applies
// rule, and returns an HTTPS client presenting leaf.
func serveClientOf(t *testing.T, root, leaf *pki.Cert, name, rule string) (*testServer, *http.Client) {
	t.Helper()
	bundle := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(bundle, root.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("tls: {cert: %s, key: %s}\nclients:\n  - name: %s\n    bundles: [%s]\n    rule: %s\n",
		pkiPath("server-localhost-chain.pem"), pkiPath("server-localhost.key"), name, bundle, strconv.Quote(rule))
	ts := startServe(t, Options{ConfigPath: writeConfig(t, cfg)})
	keyPEM, err := leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(leaf.CertPEM(), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tc := clientTLS(t, "", "")
	tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	return ts, httpClient(tc)
}

// TestEchoHTMLMarksDeceptiveEverywhere: wherever the HTML echo writes text that
// can quote a certificate or the request (the reason, the steps, the chain
// verification, the rule's explanation, the findings, the request), each
// invisible or reordering character is marked as in the certificate fields; none
// reaches the page bare to reorder the line around it.
func TestEchoHTMLMarksDeceptiveEverywhere(t *testing.T) {
	from, to := pki.TestNow.Add(-time.Hour), pki.TestNow.Add(90*24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Deceptive \u202ERoot"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	other, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Other Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "\u202Emoc.elpmaxe"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: []pki.GeneralName{pki.DNSName("example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, c := range map[string]*pki.Cert{"root.pem": root, "other.pem": other} {
		if err := os.WriteFile(filepath.Join(dir, name), c.CertPEM(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := fmt.Sprintf(`tls: {cert: %s, key: %s}
clients:
  - name: rule
    bundles: [%[3]s/root.pem]
    rule: CN == "example.com" || CN.startsWith("x")
  - name: untrusted
    bundles: [%[3]s/other.pem]
`, pkiPath("server-localhost-chain.pem"), pkiPath("server-localhost.key"), dir)
	ts := startServe(t, Options{ConfigPath: writeConfig(t, cfg)})
	keyPEM, err := leaf.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(pki.ChainPEM(leaf, root), keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	tc := clientTLS(t, "", "")
	tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	c := httpClient(tc)

	marked := `<span class="deceptive" data-cp="U+202E" title="U+202E: an invisible or text-reordering character; rules compare it, most displays hide it">` + "\u202E" + `</span>`
	for _, path := range []string{"/c/rule/", "/c/untrusted/", "/c/%E2%80%AEnosuch/"} {
		req, _ := http.NewRequest("GET", "https://"+ts.s.MTLSAddr()+path, nil)
		req.Header.Set("Accept", "text/html")
		req.Header.Set("X-Note", "\u202Eereh")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		all, ok := strings.Count(body, "\u202E"), strings.Count(body, marked)
		if ok == 0 || all != ok {
			var bare []string
			rest := strings.ReplaceAll(body, marked, "")
			for i := strings.Index(rest, "\u202E"); i >= 0; i = strings.Index(rest, "\u202E") {
				bare = append(bare, strconv.QuoteToASCII(rest[max(i-60, 0):min(i+20, len(rest))]))
				rest = rest[i+len("\u202E"):]
			}
			t.Errorf("GET %s as HTML: %d of %d U+202E marked; bare in:\n%s", path, ok, all, strings.Join(bare, "\n"))
		}
	}
}
