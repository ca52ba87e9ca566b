package serve

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"software.sslmate.com/src/go-pkcs12"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/server/demo"
	"github.com/mtlsplay/mtlsplay/web/chromium"
)

// echoInBrowser is what the HTML echo shows a browser.
type echoInBrowser struct {
	Code      string `json:"code"`
	Presented int    `json:"presented"` // certificate tables
	Help      bool   `json:"help"`      // present-help is there
	NearMiss  int    `json:"nearMiss"`
	Styled    bool   `json:"styled"` // the inline stylesheet applied (the CSP allows it by hash)
}

const readEchoInBrowser = `(() => ({
  code: document.querySelector('[data-testid="decision-code"]')?.dataset.code ?? "",
  presented: document.querySelectorAll('[data-testid="certificate"]').length,
  help: !!document.querySelector('[data-testid="present-help"]'),
  nearMiss: document.querySelectorAll('[data-testid="near-miss"]').length,
  styled: getComputedStyle(document.body).maxWidth !== "none",
}))()`

// TestEchoHTMLInBrowser opens the echo's HTML in Chromium, as a person does: with
// a client certificate that Chromium itself presents (from an NSS database in the
// browser's $HOME, picked by the auto-select setting, as an imported .p12 is), and
// without one. Each page must show its decision, apply its stylesheet under the
// echo's CSP and put nothing on the console (errors, warnings, CSP violations).
// The demo's good.p12, imported the same way, gets 0: the demo's echo names its
// root (tls.ca_names), and only then does Chromium send the issuing CA with it.
func TestEchoHTMLInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	exe := chromium.Find()
	if exe == "" {
		t.Skip("Chromium not found: install it (apt-get install -y chromium) or set MTLSPLAY_CHROMIUM")
	}
	for _, tool := range []string{"certutil", "pk12util"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: Chromium reads client certificates from an NSS database (apt-get install -y libnss3-tools)", tool)
		}
	}
	// Chromium offers only certificates valid now; the echo decides at the test clock.
	from, to := pki.TestNow.Add(-time.Hour), time.Now().Add(365*24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Browser Test Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "browser-client"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: []pki.GeneralName{pki.DNSName("browser-client.example")}})
	if err != nil {
		t.Fatal(err)
	}
	bundle := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(bundle, root.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	own := startServe(t, Options{ConfigPath: writeConfig(t, fmt.Sprintf(`tls: {cert: %s, key: %s}
clients:
  - name: ok
    bundles: [%[3]s]
    rule: CN == "browser-client"
  - name: miss
    bundles: [%[3]s]
    rule: '"DNS:browser-client.example.org" in SAN'
`, pkiPath("server-localhost-chain.pem"), pkiPath("server-localhost.key"), bundle))})
	state := t.TempDir()
	demoServer := startServe(t, Options{StateDir: state, Now: time.Now})
	// The demo's own config with ca_names off: what a config that names no CAs does.
	demoYAML, err := os.ReadFile(filepath.Join(state, "demo", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	noNamesYAML := bytes.Replace(demoYAML, []byte("ca_names: true"), []byte("ca_names: false"), 1)
	if bytes.Equal(noNamesYAML, demoYAML) {
		t.Fatalf("the demo's config.yaml has no ca_names: true:\n%s", demoYAML)
	}
	noNamesConfig := filepath.Join(state, "demo", "no-ca-names.yaml")
	if err := os.WriteFile(noNamesConfig, noNamesYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	noNames := startServe(t, Options{ConfigPath: noNamesConfig, Now: time.Now})
	ownOrigin, demoOrigin, noNamesOrigin := "https://"+own.s.MTLSAddr(), "https://"+demoServer.s.MTLSAddr(), "https://"+noNames.s.MTLSAddr()

	// The browser's certificate store: the test's client and the demo's good.p12.
	home := t.TempDir()
	nss := filepath.Join(home, ".pki", "nssdb")
	if err := os.MkdirAll(nss, 0o700); err != nil {
		t.Fatal(err)
	}
	p12, err := pkcs12.Modern2023.Encode(leaf.Key, leaf.X509, nil, "test")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + demoServer.s.HTTPAddr() + "/try/files/good.p12")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"own.p12": p12, "good.p12": []byte(readAll(t, resp))}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(home, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"certutil", "-N", "-d", "sql:" + nss, "--empty-password"},
		{"pk12util", "-i", filepath.Join(home, "own.p12"), "-d", "sql:" + nss, "-W", "test"},
		{"pk12util", "-i", filepath.Join(home, "good.p12"), "-d", "sql:" + nss, "-W", demo.P12Password},
	} {
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	// Chromium's AutoSelectCertificateForUrls, per origin, as a profile setting:
	// the certificate is presented without the selection dialog.
	filter := func(issuerCN string) map[string]any {
		return map[string]any{"setting": map[string]any{"filters": []any{map[string]any{"ISSUER": map[string]any{"CN": issuerCN}}}}}
	}
	prefs, _ := json.Marshal(map[string]any{"profile": map[string]any{"content_settings": map[string]any{"exceptions": map[string]any{"auto_select_certificate": map[string]any{
		ownOrigin + ",*":     filter("Browser Test Root"),
		demoOrigin + ",*":    filter("mtlsplay Demo Issuing CA"),
		noNamesOrigin + ",*": filter("mtlsplay Demo Issuing CA"),
	}}}}})
	profile := filepath.Join(home, "profile")
	if err := os.MkdirAll(filepath.Join(profile, "Default"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(profile, "Default", "Preferences"), prefs, 0o600); err != nil {
		t.Fatal(err)
	}

	open := func(ctx context.Context, url string) echoInBrowser {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
			t.Fatalf("opening %s: %v", url, err)
		}
		v, err := chromedp.Run(ctx, chromedp.Evaluate[echoInBrowser](readEchoInBrowser))
		if err != nil {
			t.Fatalf("reading %s: %v", url, err)
		}
		if !v.Styled {
			t.Errorf("%s: the stylesheet did not apply", url)
		}
		return v
	}
	// The echo's server certificate is the test PKI's, which this browser does not
	// trust: a person accepts the warning once.
	withCert, console := browserTabIn(t, exe, profile, chromedp.Env("HOME="+home), chromedp.IgnoreCertErrors)
	if v := open(withCert, ownOrigin+"/c/ok/"); v.Code != "0" || v.Presented != 1 || v.Help {
		t.Errorf("with a certificate: %+v; want code 0, one certificate, no help to present one", v)
		if v.Presented == 0 {
			t.Fatalf("Chromium presented no certificate: it did not read the NSS database in $HOME/.pki/nssdb or the profile's auto_select_certificate setting")
		}
	}
	if v := open(withCert, ownOrigin+"/c/miss/"); v.Code != "4019" || v.NearMiss == 0 {
		t.Errorf("with a certificate, a rule one label off: %+v; want 4019 with a near miss", v)
	}
	if v := open(withCert, demoOrigin+"/c/demo/"); v.Code != "0" || v.Presented != 2 {
		t.Errorf("the demo's good.p12 in Chromium: %+v; want 0 with the certificate and its issuing CA, which Chromium sends because the demo's echo names its root (tls.ca_names; /try/'s browser-chain note says so)", v)
	}
	if v := open(withCert, noNamesOrigin+"/c/demo/"); v.Code != "4018" || v.Presented != 1 {
		t.Errorf("good.p12 in Chromium, echo without ca_names: %+v; want 4018 with the certificate alone (/try/'s browser-chain note says so)", v)
	}
	noConsoleProblems(t, console, statusReported(ownOrigin+"/c/miss/", http.StatusForbidden), statusReported(noNamesOrigin+"/c/demo/", http.StatusForbidden))

	without, console := browserTabIn(t, exe, filepath.Join(t.TempDir(), "profile"), chromedp.Env("HOME="+t.TempDir()), chromedp.IgnoreCertErrors)
	if v := open(without, ownOrigin+"/c/ok/"); v.Code != "4017" || v.Presented != 0 || !v.Help {
		t.Errorf("without a certificate: %+v; want code 4017 and the help to present one", v)
	}
	noConsoleProblems(t, console, statusReported(ownOrigin+"/c/ok/", http.StatusUnauthorized))
}
