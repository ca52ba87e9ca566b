package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/httperror"
)

func TestPageListener(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	base := "http://" + ts.s.HTTPAddr()

	t.Run("healthz", func(t *testing.T) {
		if got := get(t, base+"/healthz"); got != "ok\n" {
			t.Errorf("/healthz = %q", got)
		}
	})

	t.Run("security headers", func(t *testing.T) {
		for _, path := range []string{"/", "/try/", "/healthz", "/nosuch"} {
			resp, err := http.Get(base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "'wasm-unsafe-eval'", "object-src 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("GET %s: CSP %q lacks %s", path, csp, want)
				}
			}
			for _, bad := range []string{"unsafe-inline", "unsafe-eval'", "http:", "https:", "*"} {
				if strings.Contains(strings.ReplaceAll(csp, "'wasm-unsafe-eval'", ""), bad) {
					t.Errorf("GET %s: CSP %q allows %s", path, csp, bad)
				}
			}
			for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin"} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("GET %s: %s = %q, want %q", path, h, got, want)
				}
			}
		}
	})

	t.Run("try page names clients, not tokens", func(t *testing.T) {
		page := get(t, base+"/try/")
		for _, want := range []string{"partner-a", "partner-rule", "no-bundle", ts.s.EchoBase() + "/"} {
			if !strings.Contains(page, want) {
				t.Errorf("/try/ lacks %q", want)
			}
		}
		if strings.Contains(page, "partner-a-token") {
			t.Errorf("/try/ shows a configured token")
		}
		if status, e := getError(t, base+"/try/files/good.pem"); status != 404 || e.Code != httperror.CodeNotFound {
			t.Errorf("with --config there are no demo downloads: GET /try/files/good.pem = %d %+v, want 404 not_found", status, e)
		}
	})

	t.Run("api decide", func(t *testing.T) {
		post := func(body []byte) (int, []byte) {
			resp, err := http.Post(base+"/api/decide", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, b
		}
		status, body := post(decideRequest(t))
		var ok engine.DecideResponse
		if err := json.Unmarshal(body, &ok); err != nil || status != 200 || ok.Code != 0 || len(ok.Certificates) != 2 {
			t.Errorf("POST /api/decide = %d, code %d, %v\n%.300s", status, ok.Code, err, body)
		}
		status, body = post([]byte(`{"rule": "CN ==", "certificates": ""}`))
		var bad engine.ErrorResponse
		if err := json.Unmarshal(body, &bad); err != nil || status != 400 || bad.Error.Code != engine.CodeCompileError || bad.Error.Line != 1 {
			t.Errorf("POST /api/decide with a bad rule = %d, %+v, %v", status, bad, err)
		}
		status, body = post([]byte(`not json`))
		if err := json.Unmarshal(body, &bad); err != nil || status != 400 || bad.Error.Code != engine.CodeBadRequest {
			t.Errorf("POST /api/decide with bad JSON = %d, %s", status, body)
		}
		// A misspelt member is refused, not a decision without bundles (4016).
		status, body = post([]byte(`{"certificates": "", "bundle": []}`))
		if err := json.Unmarshal(body, &bad); err != nil || status != 400 || bad.Error.Code != engine.CodeBadRequest || !strings.Contains(bad.Error.Message, `unknown member "bundle"`) {
			t.Errorf("POST /api/decide with a misspelt member = %d, %s", status, body)
		}
		status, body = post(nil)
		if err := json.Unmarshal(body, &bad); err != nil || status != 400 || !strings.Contains(bad.Error.Message, "the request is empty") {
			t.Errorf("POST /api/decide with no body = %d, %s", status, body)
		}
		status, _ = post(bytes.Repeat([]byte(" "), engine.MaxRequestBytes+1))
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("POST /api/decide too large = %d, want 413", status)
		}
		if status, e := getError(t, base+"/api/decide"); status != http.StatusMethodNotAllowed || e.Code != httperror.CodeMethodNotAllowed {
			t.Errorf("GET /api/decide = %d %+v, want 405 method_not_allowed", status, e)
		}
		m := get(t, base+"/metrics")
		for _, want := range []string{`mtlsplay_api_decide_requests_total{status="200"} 1`, `mtlsplay_api_decide_requests_total{status="400"} 4`,
			`mtlsplay_api_decide_requests_total{status="405"} 1`, `mtlsplay_api_decide_requests_total{status="413"} 1`} {
			if !strings.Contains(m, want+"\n") {
				t.Errorf("metrics lack %s", want)
			}
		}
	})

	t.Run("metrics format", func(t *testing.T) {
		resp, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("Content-Type %q", ct)
		}
		for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
			if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
				continue
			}
			name, value, ok := strings.Cut(line, " ")
			if !ok || !strings.HasPrefix(name, "mtlsplay_") || strings.ContainsAny(value, " {}") {
				t.Errorf("malformed sample %q", line)
			}
		}
		for _, family := range []string{"mtlsplay_decisions_total", "mtlsplay_echo_responses_total", "mtlsplay_handshake_failures_total", "mtlsplay_open_connections", "mtlsplay_chain_cache_lookups_total"} {
			if !strings.Contains(body, "# TYPE "+family+" ") {
				t.Errorf("no %s family", family)
			}
		}
		if !strings.Contains(body, `mtlsplay_decisions_total{client="partner-a",code="4018"} 0`) {
			t.Errorf("configured clients' series do not start at zero")
		}
	})
}

// getError fetches url and decodes the one JSON error shape it must answer with.
func getError(t *testing.T, url string) (int, engine.Error) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e engine.ErrorResponse
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: Content-Type %q, want JSON", url, ct)
	}
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Message == "" {
		t.Errorf("GET %s: body is not the error shape (%v): %s", url, err, b)
	}
	return resp.StatusCode, e.Error
}
