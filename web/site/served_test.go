package site_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/a-h/templ"

	"github.com/mtlsplay/mtlsplay/web/site"
)

// TestServedPage: a page of serve's own (/try/) is in the site's layout, as the
// served site's pages are: the same navigation (every page, /try/ current), the
// site's versioned stylesheet from one folder up, its own icon and deferred
// script, the content inside; and nothing inline that the CSP would block. Without
// built assets it links no stylesheet, which would answer 503.
func TestServedPage(t *testing.T) {
	try := site.ServedPage{Path: "try/", Title: "Try — mtlsplay", Description: "d", Icon: "try/favicon.svg", Script: "try/try.js"}
	main := templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		_, err := io.WriteString(w, `<main id="main">the content</main>`)
		return err
	})
	render := func(assets fstest.MapFS) string {
		var b bytes.Buffer
		if err := site.ServedPageOver(assets, try, main).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	got := render(fakeAssets(t))
	for _, want := range []string{
		`<title>Try — mtlsplay</title>`,
		`<meta http-equiv="Content-Security-Policy" content="` + html.EscapeString(site.CSP) + `">`,
		`<link rel="icon" href="../try/favicon.svg">`,
		`<link rel="stylesheet" href="../assets/app.css">`,
		`<script defer src="../try/try.js"></script>`,
		`<a href="../try/" data-testid="try-link" aria-current="page">Try over mTLS</a>`,
		`<a href="../index.html">Playground</a>`,
		`<a href="../docs/troubleshooting.html">Troubleshooting</a>`,
		`<main id="main">the content</main>`,
		`<footer class="site">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the served page lacks %s", want)
		}
	}
	// The site's own page has the same navigation, from the same folder depth.
	served := site.ServedHandler(fakeAssets(t))
	nav := regexp.MustCompile(`(?s)<nav aria-label="Site">(.*?)</nav>`)
	rules := nav.FindStringSubmatch(page(t, served, "/docs/rules.html"))
	mine := nav.FindStringSubmatch(got)
	if rules == nil || mine == nil {
		t.Fatal("no navigation")
	}
	normal := strings.NewReplacer(` aria-current="page"`, "", `"nav-menu current"`, `"nav-menu"`).Replace
	if normal(rules[1]) != normal(mine[1]) {
		t.Errorf("the served page's navigation differs from the site's:\n%s\nwant\n%s", mine[1], rules[1])
	}
	if m := inlineCode.FindString(got); m != "" {
		t.Errorf("the served page has inline code the CSP blocks: %q", m)
	}
	if strings.Contains(got, "app.js") || strings.Contains(got, "boot.js") {
		t.Errorf("the served page loads the playground's scripts")
	}

	unbuilt := fakeAssets(t)
	delete(unbuilt, "app.css")
	if got := render(unbuilt); strings.Contains(got, `rel="stylesheet"`) || !strings.Contains(got, "the content") {
		t.Errorf("without built assets: the page links a stylesheet, or lost its content")
	}
}

// page is what h answers GET path with.
func page(t *testing.T, h http.Handler, path string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Body.String()
}
