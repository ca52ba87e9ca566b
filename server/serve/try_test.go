package serve

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/server/httperror"
	"github.com/mtlsplay/mtlsplay/web/site"
)

// TestTryLoopbackHost: the demo's /try/ and its downloads (client keys, the token)
// answer only a Host that is the listener's own loopback name or address, so a web
// page that rebinds its name to 127.0.0.1 cannot read them through a browser; with
// --demo-public they answer any Host.
func TestTryLoopbackHost(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	ts := startServe(t, Options{StateDir: state, Now: time.Now})
	addr := ts.s.HTTPAddr()
	port := addr[strings.LastIndex(addr, ":")+1:]
	fetch := func(path, host string) (int, string) {
		req, err := http.NewRequest("GET", "http://"+addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	for _, path := range []string{"/try/", "/try/files/good.key"} {
		for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "localhost", "[::1]:" + port, "127.0.0.53:" + port} {
			if status, _ := fetch(path, host); status != http.StatusOK {
				t.Errorf("GET %s, Host %s: %d, want 200", path, host, status)
			}
		}
		for _, host := range []string{"attacker.example", "attacker.example:" + port, "localhost.attacker.example:" + port, "127.0.0.1:1"} {
			status, body := fetch(path, host)
			var e engine.ErrorResponse
			if err := json.Unmarshal([]byte(body), &e); err != nil || status != http.StatusForbidden || e.Error.Code != httperror.CodeForbidden {
				t.Errorf("GET %s, Host %s: %d %.200s; want 403 forbidden in the error shape", path, host, status, body)
			}
			if strings.Contains(body, "PRIVATE KEY") || strings.Contains(body, "Bearer") {
				t.Errorf("GET %s, Host %s: the answer holds a key or the token", path, host)
			}
		}
	}
	ts.stop()

	pub := startServe(t, Options{StateDir: state, Now: time.Now, DemoPublic: true})
	req, _ := http.NewRequest("GET", "http://"+pub.s.HTTPAddr()+"/try/files/good.key", nil)
	req.Host = "mtlsplay.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "PRIVATE KEY") {
		t.Errorf("--demo-public: GET /try/files/good.key, Host mtlsplay.example: %d; want 200 with the key", resp.StatusCode)
	}
}

// TestTryInSiteLayout: /try/ is a page of the site as served (its navigation with
// /try/ current, the site's stylesheet when the assets are built, its own icon
// and copy script as files), under the page listener's CSP, with nothing inline
// that the CSP would block; its "Your own certificate" links the playground's
// Serve it yourself panel. The test hooks of design.md 6.2 are all there.
func TestTryInSiteLayout(t *testing.T) {
	ts := startServe(t, Options{StateDir: t.TempDir(), Now: time.Now})
	page := "http://" + ts.s.HTTPAddr()
	resp, err := http.Get(page + "/try/")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self' 'wasm-unsafe-eval';") || !strings.Contains(csp, "style-src 'self';") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("/try/'s CSP is %q; want the site's, with no inline script or style", csp)
	}
	for _, want := range []string{
		`<nav aria-label="Site">`,
		`<a href="../try/" data-testid="try-link" aria-current="page">`,
		`<a href="../index.html">Playground</a>`,
		`<link rel="icon" href="../try/favicon.svg">`,
		`<script defer src="../try/try.js"></script>`,
		`<main id="main" class="doc try">`,
		`<a href="/#serve-own" data-testid="serve-own-link">`,
		`data-testid="echo-url"`, `data-testid="curl"`, `id="cmd-0"`, `data-copy="cmd-0"`, `data-testid="downloads"`,
		`data-testid="browser-steps"`, `data-testid="browser-url"`, `data-testid="browser-chain"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/try/ lacks %s", want)
		}
	}
	if got := strings.Contains(body, `rel="stylesheet" href="../assets/app.css`); got != site.Built() {
		t.Errorf("/try/ links the site's stylesheet: %v; the assets are built: %v", got, site.Built())
	}
	if m := regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`).FindString(body); m != "" {
		t.Errorf("/try/ has inline code the CSP blocks: %q", m)
	}
	for path, want := range map[string]string{"/try/try.js": "text/javascript; charset=utf-8", "/try/favicon.svg": "image/svg+xml"} {
		resp, err := http.Get(page + path)
		if err != nil {
			t.Fatal(err)
		}
		readAll(t, resp)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != want {
			t.Errorf("GET %s: %d %s; want 200 %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
}
