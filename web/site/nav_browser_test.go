package site_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestNavigationMenus: on a docs page, which runs no script, and on the
// playground, the navigation's menus open on a click, show their links, keep
// one open at a time, and a link in a menu leads to its page.
func TestNavigationMenus(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	visible := func(sel string) bool {
		return eval[bool](tb, fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.checkVisibility(); })()`, sel))
	}
	for _, page := range []string{"docs/codes.html", "index.html"} {
		tb.do(chromedp.Navigate(e.srv.URL + "/" + page))
		docs, gateways := `details.nav-menu:has(a[href$="docs/rules.html"])`, `details.nav-menu:has(a[href$="docs/export.html"])`
		rules := docs + ` a[href$="docs/rules.html"]`
		if visible(rules) {
			t.Errorf("%s: the Docs menu is open before a click", page)
		}
		tb.do(chromedp.Click(chromedp.CSS(docs + " > summary")))
		if !visible(rules) {
			t.Errorf("%s: a click on Docs does not show its links", page)
		}
		tb.do(chromedp.Click(chromedp.CSS(gateways + " > summary")))
		if !visible(gateways+` a[href$="docs/export.html"]`) || visible(rules) {
			t.Errorf("%s: opening Gateways shows its links %v and leaves Docs open %v; want one menu open", page, visible(gateways+` a[href$="docs/export.html"]`), visible(rules))
		}
	}
	tb.do(chromedp.Click(chromedp.CSS(`details.nav-menu:has(a[href$="docs/rules.html"]) > summary`)))
	tb.do(chromedp.Click(chromedp.CSS(`details.nav-menu a[href$="docs/rules.html"]`)))
	// The click navigates: a poll that finds the old document gone asks again.
	arrived := false
	for deadline := time.Now().Add(10 * time.Second); !arrived && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		arrived = within(tb, 2*time.Second, chromedp.Poll[bool](`location.pathname === "/docs/rules.html" && document.readyState === "complete" || null`)) == nil
	}
	if !arrived {
		t.Errorf("the Rule reference link in the Docs menu did not lead to docs/rules.html")
	}
	tb.noErrors()
}
