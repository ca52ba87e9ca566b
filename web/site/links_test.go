package site_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/web/bundle"
	"github.com/mtlsplay/mtlsplay/web/site"
)

var (
	linkAttr = regexp.MustCompile(`(?:href|src|data-worker|data-wasm)="([^"]*)"`)
	idAttr   = regexp.MustCompile(`\sid="([^"]*)"`)
	// Markup that the CSP (script-src 'self'; style-src 'self') would block.
	inlineCode = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<style|\sstyle=|\son[a-z]+=|javascript:`)
)

// TestExportedLinks exports the site with the real documents of docs/ and checks,
// as a plain static host would serve it, that every relative link, script, style and
// fragment leads to something that exists, that no page has inline scripts, styles
// or event handlers, and that no page has an id twice.
func TestExportedLinks(t *testing.T) {
	dir := exportWithDocs(t)
	pages := map[string]string{} // slash path → HTML
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		pages[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"docs/formulas.html", "docs/troubleshooting.html", "docs/suites.html", "docs/gateways.html", "docs/server.html"} {
		if _, ok := pages[want]; !ok {
			t.Errorf("the export has no %s", want)
		}
	}
	// Every page is in every page's navigation.
	nav := regexp.MustCompile(`(?s)<nav aria-label="Site">(.*?)</nav>`)
	for name, html := range pages {
		m := nav.FindStringSubmatch(html)
		if m == nil {
			t.Errorf("%s: no site navigation", name)
			continue
		}
		for page := range pages {
			href := page // links are written from the site's root (the page's Root)
			if strings.HasPrefix(name, "docs/") {
				href = "../" + page
			}
			if !strings.Contains(m[1], `href="`+href+`"`) {
				t.Errorf("%s: the navigation has no link to %s (%s)", name, page, href)
			}
		}
	}
	for name, html := range pages {
		if m := inlineCode.FindString(html); m != "" {
			t.Errorf("%s: inline code or style %q, which the CSP blocks", name, m)
		}
		seen := map[string]bool{}
		for _, m := range idAttr.FindAllStringSubmatch(html, -1) {
			if seen[m[1]] {
				t.Errorf("%s: id %q twice", name, m[1])
			}
			seen[m[1]] = true
		}
		for _, m := range linkAttr.FindAllStringSubmatch(html, -1) {
			u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
			if err != nil {
				t.Errorf("%s: link %q: %v", name, m[1], err)
				continue
			}
			if u.Scheme != "" || u.Host != "" {
				continue // data: URLs, other sites
			}
			target := name
			if u.Path != "" {
				target = path.Join(path.Dir(name), u.Path)
			}
			if strings.HasPrefix(target, "../") {
				t.Errorf("%s: link %q leaves the site", name, m[1])
				continue
			}
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(target))); err != nil {
				t.Errorf("%s: link %q: %s does not exist", name, m[1], target)
				continue
			}
			if f := u.Fragment; f != "" && !strings.HasPrefix(f, "s=") && strings.HasSuffix(target, ".html") {
				if !strings.Contains(pages[target], ` id="`+f+`"`) {
					t.Errorf("%s: link %q: %s has no id %q", name, m[1], target, f)
				}
			}
		}
	}
}

// exportWithDocs exports the site, with the repository's real documents and fake
// assets, to a new directory.
func exportWithDocs(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	docs, err := bundle.RenderDocs(root)
	if err != nil {
		t.Fatalf("RenderDocs: %v", err)
	}
	assets := fakeAssets(t)
	b, _ := json.Marshal(docs)
	assets["docs.json"].Data = b
	dir := t.TempDir()
	if err := site.ExportFrom(assets, dir); err != nil {
		t.Fatalf("ExportFrom: %v", err)
	}
	return dir
}
