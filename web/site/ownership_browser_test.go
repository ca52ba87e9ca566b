package site_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// opensslChain makes, with the openssl binary, a root CA "Partner Root CA" and a
// client certificate "partner-a" it issued: what a person brings from their own PKI.
func opensslChain(t *testing.T) (leafPEM, rootPEM string) {
	t.Helper()
	leafPEM, rootPEM, _ = opensslChainAndKey(t)
	return leafPEM, rootPEM
}

// opensslChainAndKey is opensslChain and the path of the leaf's private key (PEM),
// for a test that presents the certificate to a server.
func opensslChainAndKey(t *testing.T) (leafPEM, rootPEM, leafKey string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	ext := filepath.Join(dir, "client.ext")
	if err := os.WriteFile(ext, []byte("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:partner-a.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "root.key", "-out", "root.pem",
		"-days", "3650", "-subj", "/O=Partner Inc./CN=Partner Root CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
	run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/O=Partner Inc./CN=partner-a")
	run("x509", "-req", "-in", "leaf.csr", "-CA", "root.pem", "-CAkey", "root.key", "-CAcreateserial", "-days", "365", "-extfile", ext, "-out", "leaf.pem")
	leaf, _ := os.ReadFile(filepath.Join(dir, "leaf.pem"))
	root, _ := os.ReadFile(filepath.Join(dir, "root.pem"))
	return string(leaf), string(root), filepath.Join(dir, "leaf.key")
}

// TestOwnDataKeepsOwnLabels: after a person pastes their own certificate and CA,
// the sample menu says "Your certificate" with a description of its own, the bundle
// is named after its CA (and the decision's steps say that name), a share link
// keeps both, and a name the person types is kept when the content changes.
func TestOwnDataKeepsOwnLabels(t *testing.T) {
	e := setup(t)
	leaf, root := opensslChain(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	sampleHelp := tb.text("#sample-help")
	tb.fill(`[data-testid="cert-input"]`, leaf)
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="bundle-input"]`, root)
	v = tb.verdictAfter(v.Seq)
	// The rename makes one more decision, which quotes the new name.
	poll[bool](tb, `document.querySelector(".bundle-name").value === "Partner Root CA" && document.getElementById("verdict").dataset.pending === "false"`, 10*time.Second)
	v = tb.current()
	if v.Code != "0" && v.Code != "4019" {
		t.Errorf("own chain under own root: code %s (%s), want it trusted", v.Code, v.Reason)
	}
	if got := eval[string](tb, `document.querySelector("#sample").selectedOptions[0].textContent`); got != "Your certificate" {
		t.Errorf("the sample menu says %q after pasting an own certificate", got)
	}
	if got := tb.text("#sample-help"); got == sampleHelp || !strings.Contains(got, "Your own certificate") {
		t.Errorf("the sample description is still the sample's: %q", got)
	}
	if steps := tb.text("#steps"); !strings.Contains(steps, "Partner Root CA") || strings.Contains(steps, "acme-root") {
		t.Errorf("the verdict does not name the bundle after its CA:\n%s", steps)
	}

	tb.do(chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)
	other := e.newTab(t)
	other.open(e, link[strings.Index(link, "#"):])
	if got := other.value(".bundle-name"); got != "Partner Root CA" {
		t.Errorf("the share link's bundle is called %q", got)
	}
	if got := eval[string](other, `document.querySelector("#sample").selectedOptions[0].textContent`); got != "Your certificate" {
		t.Errorf("after opening the share link the sample menu says %q", got)
	}

	// A name the person gave stays, whatever the bundle holds next.
	tb.fill(".bundle-name", "partner-ca")
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="bundle-input"]`, e.pki(t, "root.pem"))
	v = tb.verdictAfter(v.Seq)
	if got := tb.value(".bundle-name"); got != "partner-ca" {
		t.Errorf("the person's bundle name became %q", got)
	}
	// Picking a sample again brings the sample's label back.
	selectOption(tb, "#sample", "good")
	tb.verdictAfter(v.Seq)
	if got := eval[string](tb, `document.querySelector("#sample").selectedOptions[0].textContent`); got == "Your certificate" {
		t.Errorf("a sample picked again is labelled %q", got)
	}
	tb.noErrors()
	other.noErrors()
}
