package site_test

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mtlsplay/mtlsplay/web/bundle"
	"github.com/mtlsplay/mtlsplay/web/site"
)

// withSamples is fakeAssets with the real samples.json (the test PKI's), so the
// pages carry the default sample's decision.
func withSamples(t *testing.T) fstest.MapFS {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	s, err := bundle.LoadSamples(filepath.Join(root, "testdata", "pki"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	fs := fakeAssets(t)
	fs["samples.json"] = &fstest.MapFile{Data: b}
	return fs
}

// TestFirstPaintInHTML: the exported page and the served page both arrive with the
// default sample's verdict, reason, steps, explanation, findings, fields, chains and
// gateway view, each element marked data-first-paint (what a share link hides).
func TestFirstPaintInHTML(t *testing.T) {
	assets := withSamples(t)
	dir := t.TempDir()
	if err := site.ExportFrom(assets, dir); err != nil {
		t.Fatal(err)
	}
	exported, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.ServedHandler(assets))
	defer srv.Close()
	res, err := srv.Client().Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	served, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for name, page := range map[string]string{"exported": string(exported), "served": string(served)} {
		for _, want := range []string{
			`data-value="true"`,
			`<span id="verdict-badge" class="badge">Accepted</span>`,
			`data-code="0">0</span>`,
			`<p id="reason" class="reason">accepted: the chain is trusted and the rule is true</p>`,
			`The rule evaluated to <span class="val val-true">true</span>.`,
			`<li class="ok" data-check="chain">`,
			`<li class="muted none">No findings: nothing to fix in the certificate or its chain.</li>`,
			`<li class="match" title="this entry decided the rule"><code>URI:spiffe://example.com/ns/prod/sa/client</code>`,
			`<span id="cn"><span><mark>client.example.com</mark></span></span>`,
			`data-testid="validity" data-state="ok">579 days left</span>`,
			`anchored in bundle &#34;acme-root&#34;`,
			`<dd data-name="SAN[0]" data-source=`,
			`value="2026-06-01T00:00:00Z"`,
			`-----BEGIN CERTIFICATE-----`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("%s page lacks %s", name, want)
			}
		}
		if n := len(regexp.MustCompile(`<li tabindex="0" data-start="\d+" data-end="\d+"`).FindAllString(page, -1)); n < 5 {
			t.Errorf("%s page: %d rows of the explanation, want the default rule's (5 or more)", name, n)
		}
		if n := strings.Count(page, "data-first-paint"); n < 15 {
			t.Errorf("%s page: %d elements marked data-first-paint, want every one the first paint filled", name, n)
		}
		if strings.Contains(page, "style=") {
			t.Errorf("%s page has an inline style, which the CSP blocks", name)
		}
	}
}

// TestFirstPaintWithoutSamples: a build without a sample certificate has no default
// decision, and the page opens as it did before: waiting for the engine.
func TestFirstPaintWithoutSamples(t *testing.T) {
	dir := t.TempDir()
	if err := site.ExportFrom(fakeAssets(t), dir); err != nil {
		t.Fatal(err)
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	if !strings.Contains(string(index), "Loading the engine…") || strings.Contains(string(index), "data-first-paint") {
		t.Errorf("index.html without samples: want the engine's loading state and nothing marked data-first-paint")
	}
}
