package site_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/andybalholm/brotli"

	"github.com/mtlsplay/mtlsplay/web/site"
)

// fakeAssets is a tiny build output: enough to render and serve the site without
// running the real build.
func fakeAssets(t *testing.T) fstest.MapFS {
	t.Helper()
	compressed := func(wasm []byte) (gzipped, brotlied []byte) {
		var gz, br bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(wasm)
		zw.Close()
		bw := brotli.NewWriter(&br)
		bw.Write(wasm)
		bw.Close()
		return gz.Bytes(), br.Bytes()
	}
	gz, br := compressed([]byte("\x00asm\x01\x00\x00\x00 fake engine"))
	igz, ibr := compressed([]byte("\x00asm\x01\x00\x00\x00 fake inspector"))
	return fstest.MapFS{
		"app.js":            {Data: []byte("/*app*/")},
		"boot.js":           {Data: []byte("/*boot*/")},
		"app.css":           {Data: []byte("/*css*/")},
		"worker.js":         {Data: []byte("/*worker*/")},
		"engine.wasm.gz":    {Data: gz},
		"engine.wasm.br":    {Data: br},
		"inspector.wasm.gz": {Data: igz},
		"inspector.wasm.br": {Data: ibr},
		"samples.json":      {Data: []byte(`{"certs": [], "at": "2026-06-01T00:00:00Z"}`)},
		"docs.json":         {Data: []byte(`[{"slug": "formulas", "title": "Formulas", "description": "d", "html": "<h1 id=\"formulas\">Formulas</h1>"}, {"slug": "troubleshooting", "title": "Troubleshooting", "html": "<h1>Troubleshooting</h1>"}]`)},
		"manifest.json":     {Data: []byte(`{"files": {"app.js": {"bytes": 7, "sha256": "0123456789abcdef0123"}}, "wasm": {"raw": 25, "gzip": 40, "brotli": 30}}`)},
	}
}

func TestExportFrom(t *testing.T) {
	dir := t.TempDir()
	if err := site.ExportFrom(fakeAssets(t), dir); err != nil {
		t.Fatalf("ExportFrom: %v", err)
	}
	for _, f := range []string{"index.html", "docs/index.html", "docs/rules.html", "docs/names.html", "docs/gateways.html", "docs/codes.html", "docs/formulas.html", "docs/troubleshooting.html",
		"assets/app.js", "assets/app.css", "assets/worker.js", "assets/engine.wasm.gz", "assets/engine.wasm.br", "assets/engine.wasm",
		"assets/inspector.wasm.gz", "assets/inspector.wasm.br", "assets/inspector.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("ExportFrom did not write %s: %v", f, err)
		}
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, want := range []string{`data-testid="cert-input"`, `data-testid="verdict"`, `data-testid="decision-code"`, `data-testid="dn"`, `data-testid="san"`, `data-testid="error"`,
		`data-wasm="assets/engine.wasm.gz`, `data-inspector="assets/inspector.wasm.gz`, `src="assets/app.js?v=0123456789ab"`, "Content-Security-Policy", "wasm-unsafe-eval"} {
		if !bytes.Contains(index, []byte(want)) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "assets/engine.wasm"))
	if !bytes.HasPrefix(raw, []byte("\x00asm")) {
		t.Errorf("assets/engine.wasm = %q, want the decompressed engine", raw)
	}
	if raw, _ := os.ReadFile(filepath.Join(dir, "assets/inspector.wasm")); !bytes.HasSuffix(raw, []byte("fake inspector")) {
		t.Errorf("assets/inspector.wasm = %q, want the decompressed inspector", raw)
	}
	for _, f := range []string{"docs/index.html", "docs/rules.html"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if !bytes.Contains(b, []byte(`href="../assets/app.css`)) || !bytes.Contains(b, []byte(`href="../index.html"`)) {
			t.Errorf("%s: links are not relative to the docs folder", f)
		}
	}
}

func TestExportWithoutAssets(t *testing.T) {
	err := site.ExportFrom(fstest.MapFS{"README.md": {Data: []byte("x")}}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "go run ./web/build") {
		t.Errorf("ExportFrom(no assets) = %v, want an error that says how to build them", err)
	}
}

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(site.NewHandler(fakeAssets(t)))
	defer srv.Close()
	get := func(path, accept string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		if accept != "" {
			req.Header.Set("Accept-Encoding", accept)
		}
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	tests := []struct {
		name, path, accept    string
		status                int
		encoding, typ, inBody string
	}{
		{"page", "/", "", 200, "", "text/html; charset=utf-8", `data-wasm="assets/engine.wasm`},
		{"page's inspector", "/", "", 200, "", "text/html; charset=utf-8", `data-inspector="assets/inspector.wasm"`},
		{"docs", "/docs/", "", 200, "", "text/html; charset=utf-8", "Getting started"},
		{"rules", "/docs/rules.html", "", 200, "", "text/html; charset=utf-8", "Rule reference"},
		{"engine brotli", "/assets/engine.wasm", "gzip, deflate, br", 200, "br", "application/wasm", ""},
		{"engine gzip", "/assets/engine.wasm", "gzip", 200, "gzip", "application/wasm", ""},
		{"engine br refused", "/assets/engine.wasm", "br;q=0, gzip", 200, "gzip", "application/wasm", ""},
		{"engine plain", "/assets/engine.wasm", "identity", 200, "", "application/wasm", "fake engine"},
		{"gzip file as is", "/assets/engine.wasm.gz", "gzip, br", 200, "", "application/octet-stream", ""},
		{"inspector brotli", "/assets/inspector.wasm", "gzip, deflate, br", 200, "br", "application/wasm", ""},
		{"inspector gzip", "/assets/inspector.wasm", "gzip", 200, "gzip", "application/wasm", ""},
		{"inspector plain", "/assets/inspector.wasm", "identity", 200, "", "application/wasm", "fake inspector"},
		{"engine plain after the inspector's", "/assets/engine.wasm", "identity", 200, "", "application/wasm", "fake engine"},
		{"inspector gzip file as is", "/assets/inspector.wasm.gz", "gzip, br", 200, "", "application/octet-stream", ""},
		{"script", "/assets/app.js?v=1", "", 200, "", "text/javascript; charset=utf-8", "/*app*/"},
		{"unknown asset", "/assets/manifest.json", "", 404, "", "text/html; charset=utf-8", "There is no page at /assets/manifest.json."},
		{"traversal", "/assets/../go.mod", "", 404, "", "text/html; charset=utf-8", "<h1>404 Not Found</h1>"},
		{"unknown page", "/nope", "", 404, "", "text/html; charset=utf-8", `<a href="/">The playground</a>`},
		{"unknown page, escaped", "/%3Cb%3E", "", 404, "", "text/html; charset=utf-8", "There is no page at /&lt;b&gt;."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := get(tc.path, tc.accept)
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status {
				t.Fatalf("GET %s: status %d, want %d", tc.path, res.StatusCode, tc.status)
			}
			if got := res.Header.Get("Content-Encoding"); got != tc.encoding {
				t.Errorf("GET %s (Accept-Encoding %q): Content-Encoding %q, want %q", tc.path, tc.accept, got, tc.encoding)
			}
			if tc.typ != "" && res.Header.Get("Content-Type") != tc.typ {
				t.Errorf("GET %s: Content-Type %q, want %q", tc.path, res.Header.Get("Content-Type"), tc.typ)
			}
			if tc.inBody != "" && !bytes.Contains(body, []byte(tc.inBody)) {
				t.Errorf("GET %s: body lacks %q", tc.path, tc.inBody)
			}
		})
	}
	if res := get("/", ""); res.Request == nil {
		t.Fatal("no response")
	}
	post, _ := http.Post(srv.URL+"/", "text/plain", nil)
	body, _ := io.ReadAll(post.Body)
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed || post.Header.Get("Allow") != "GET, HEAD" || !bytes.Contains(body, []byte("POST is not answered here")) {
		t.Errorf("POST /: status %d, Allow %q, %s; want 405 as a page", post.StatusCode, post.Header.Get("Allow"), body)
	}
}

func TestHandlerNotBuilt(t *testing.T) {
	rec := httptest.NewRecorder()
	site.NewHandler(fstest.MapFS{}).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "web/build") {
		t.Errorf("unbuilt handler: %d %q, want 503 saying how to build", rec.Code, rec.Body.String())
	}
}

// TestReferenceExamples evaluates every example of the rule reference (the engine's
// declarations) on the sample certificate, as the docs page shows them.
func TestReferenceExamples(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	chain, err := os.ReadFile(filepath.Join(root, "testdata", "pki", "client-good-chain.pem"))
	if err != nil {
		t.Fatal(err)
	}
	decls, err := site.Declarations()
	if err != nil {
		t.Fatalf("Declarations: %v", err)
	}
	if len(decls) == 0 {
		t.Fatal("the engine declares nothing")
	}
	for _, d := range decls {
		if d.Kind == "operator" {
			continue
		}
		if d.Example == "" {
			t.Errorf("%s %s has no example", d.Kind, d.Name)
			continue
		}
		if got := site.ExampleResult(d.Example, string(chain)); strings.HasPrefix(got, "error") {
			t.Errorf("example of %s %s: %s = %s", d.Kind, d.Name, d.Example, got)
		}
	}
}

// TestServedLinksTry: the pages mtlsplay serve hosts link its /try/ (relative to
// each page), the exported static site and NewHandler's do not: a static host has
// no echo endpoint.
func TestServedLinksTry(t *testing.T) {
	page := func(h http.Handler, path string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Body.String()
	}
	served := site.ServedHandler(fakeAssets(t))
	for path, want := range map[string]string{"/": `href="try/" data-testid="try-link"`, "/docs/rules.html": `href="../try/" data-testid="try-link"`} {
		if got := page(served, path); !strings.Contains(got, want) {
			t.Errorf("served %s lacks %s", path, want)
		}
	}
	if got := page(site.NewHandler(fakeAssets(t)), "/"); strings.Contains(got, "try-link") {
		t.Errorf("NewHandler's playground links /try/")
	}
	dir := t.TempDir()
	if err := site.ExportFrom(fakeAssets(t), dir); err != nil {
		t.Fatal(err)
	}
	if index, _ := os.ReadFile(filepath.Join(dir, "index.html")); bytes.Contains(index, []byte("try-link")) {
		t.Errorf("the exported site links /try/")
	}
}
