package serve

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestEchoText: with Accept: text/plain the echo answers a short summary whose
// certificate text cannot drive a terminal (an escape sequence is written as \1B,
// a RIGHT-TO-LEFT OVERRIDE as <U+202E>); */* and application/json still get JSON.
func TestEchoText(t *testing.T) {
	from, to := pki.TestNow.Add(-time.Hour), pki.TestNow.Add(90*24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Text Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "evil\x1b[2J\u202Emoc.elpmaxe"}, NotBefore: from, NotAfter: to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		t.Fatal(err)
	}
	ts, c := serveClientOf(t, root, leaf, "t", `CN == "example.com"`)
	url := "https://" + ts.s.MTLSAddr() + "/c/t/"
	ask := func(c *http.Client, accept string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Accept", accept)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp, readAll(t, resp)
	}
	resp, body := ask(c, "text/plain;q=0.9, */*;q=0.1")
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 403 || ct != "text/plain; charset=utf-8" || resp.Header.Get("Mtlsplay-Code") != "4019" {
		t.Fatalf("Accept: text/plain: %d %s code %s\n%s", resp.StatusCode, ct, resp.Header.Get("Mtlsplay-Code"), body)
	}
	if !strings.HasPrefix(body, "4019 ") || !strings.Contains(body, `certificate: CN=evil\1B[2J<U+202E>moc.elpmaxe (issued by CN=Text Root`) ||
		!strings.Contains(body, `rule: CN == "example.com" → false`) {
		t.Errorf("the summary:\n%s", body)
	}
	if strings.ContainsAny(body, "\x1b\u202E") {
		t.Errorf("the summary holds a raw escape or override character:\n%q", body)
	}
	if lines := strings.Count(body, "\n"); lines > 12 {
		t.Errorf("the summary has %d lines; it is meant to be short:\n%s", lines, body)
	}
	for _, accept := range []string{"*/*", "application/json"} {
		if resp, body := ask(c, accept); !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.HasPrefix(body, `{"decision"`) {
			t.Errorf("Accept: %s: %s\n%.200s", accept, resp.Header.Get("Content-Type"), body)
		}
	}

	// Without a certificate: the summary says so and how to send one; the HTML
	// page explains how a browser and curl present one, with this address.
	bare := httpClient(clientTLS(t, "", ""))
	if _, body := ask(bare, "text/plain"); !strings.HasPrefix(body, "4017 ") || !strings.Contains(body, "certificate: none presented") || !strings.Contains(body, "curl --cert") {
		t.Errorf("the summary without a certificate:\n%s", body)
	}
	_, page := ask(bare, "text/html")
	if !strings.Contains(page, `data-testid="present-help"`) || !strings.Contains(page, "curl --cert chain.pem --key key.pem "+url) || !strings.Contains(page, "openssl pkcs12 -export") {
		t.Errorf("the HTML echo without a certificate does not explain how to present one:\n%s", page)
	}
	if _, page := ask(c, "text/html"); strings.Contains(page, `data-testid="present-help"`) || !strings.Contains(page, "<h3>Certificate 1</h3>") {
		t.Errorf("the HTML echo with a certificate: help shown, or certificates not numbered from 1")
	}
}
