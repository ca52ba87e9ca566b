package site_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestNavigationGrouped: with the real documents, every page's navigation is one
// short line (the playground, menus, links: at most 6 entries), each menu a
// <details> that works without script, one open at a time (a shared name),
// and every page linked exactly once.
func TestNavigationGrouped(t *testing.T) {
	dir := exportWithDocs(t)
	html, err := os.ReadFile(filepath.Join(dir, "docs", "rules.html"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<nav aria-label="Site">(.*?)</nav>`).FindSubmatch(html)
	if m == nil {
		t.Fatal("no site navigation")
	}
	nav := string(m[1])
	menus := regexp.MustCompile(`(?s)<details class="nav-menu( current)?" name="site-nav"><summary>([^<]+)</summary><div class="nav-menu-items">(.*?)</div></details>`)
	line := menus.ReplaceAllString(nav, "<menu/>")
	entries := len(regexp.MustCompile(`<a |<menu/>`).FindAllString(line, -1))
	if entries > 6 || strings.Contains(line, "<details") {
		t.Errorf("the navigation's line has %d entries (want at most 6), or a menu of another shape:\n%s", entries, line)
	}
	var labels []string
	for _, mm := range menus.FindAllStringSubmatch(nav, -1) {
		labels = append(labels, mm[2])
		if n := strings.Count(mm[3], "<a "); n < 2 {
			t.Errorf("menu %s holds %d links; a menu of one should be its link", mm[2], n)
		}
		if (mm[2] == "Docs") != (mm[1] == " current") {
			t.Errorf("menu %s: current %q; the rule reference is under Docs only", mm[2], mm[1])
		}
	}
	if strings.Join(labels, ",") != "Docs,Gateways" {
		t.Errorf("menus %v, want Docs, Gateways", labels)
	}
	for _, page := range []string{"index.html", "docs/index.html", "docs/rules.html", "docs/names.html", "docs/gateways.html", "docs/codes.html", "docs/server.html", "docs/export.html", "docs/delegate.html", "docs/formulas.html", "docs/troubleshooting.html", "docs/suites.html"} {
		if n := strings.Count(nav, `href="../`+page+`"`); n != 1 {
			t.Errorf("the navigation links %s %d times, want once", page, n)
		}
	}
}
