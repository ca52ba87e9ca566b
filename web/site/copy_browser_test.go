package site_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestFirstPaintCopyButtonsCopy clicks the copy buttons the page's HTML carries
// (web/site/firstpaint.go, playground.templ) while the rule engine is held back, so
// that nothing has drawn them again, and reads the clipboard: each copies the value
// it stands by, through the document's one listener that boot.js adds (copy.ts).
func TestFirstPaintCopyButtonsCopy(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.grantClipboard()
	tb.do(chromedp.Navigate(e.srv.URL + "/?rule-delay-ms=30000"))
	// The page's script runs, the inspector is ready, and the verdict on screen is
	// still the HTML's (the default page keeps it over the inspector's rule pending).
	poll[bool](tb, `performance.getEntriesByName("mtlsplay:inspector-ready").length > 0 || null`, 30*time.Second)
	cases := []struct {
		name, button, want string
	}{
		{"SAN entry", `[data-testid="san"] li button.copy`, "DNS:client.example.com"},
		{"issuer DN", `button.copy[aria-label="Copy issuer DN"]`, ""},
		{"SHA-256", `button.copy[aria-label="Copy SHA-256 fingerprint"]`, ""},
		{"extension", `#fields-extra dd button.copy`, ""},
		{"DN (data-copy)", `button.copy[data-copy="dn"]`, "CN=client.example.com"},
	}
	for i, c := range cases {
		sel := fmt.Sprintf("%q", c.button)
		// The button is the HTML's: no renderer gave it its text (dom.ts copyButton).
		if drawn := eval[bool](tb, `"copyText" in document.querySelector(`+sel+`)`); drawn {
			t.Fatalf("%s: the button was drawn by the page's renderer, not the HTML's", c.name)
		}
		want := eval[string](tb, `(() => { const b = document.querySelector(`+sel+`); return b.dataset.copy ? document.getElementById(b.dataset.copy).textContent : b.previousElementSibling.textContent; })()`)
		if want == "" || c.want != "" && !strings.Contains(want, c.want) {
			t.Fatalf("%s: the value by the button is %q, want %q", c.name, want, c.want)
		}
		marker := fmt.Sprintf("not copied %d", i)
		eval[chromedp.Void](tb, fmt.Sprintf(`navigator.clipboard.writeText(%q)`, marker))
		tb.do(chromedp.Click(chromedp.CSS(c.button)))
		got := poll[string](tb, fmt.Sprintf(`navigator.clipboard.readText().then(s => s === %q ? null : s)`, marker), 5*time.Second)
		if got != want {
			t.Errorf("%s: copied %q, want %q", c.name, got, want)
		}
	}
	if m := marks(tb); m["mtlsplay:rule-engine-ready"] != 0 || m["mtlsplay:first-verdict"] != 0 {
		t.Errorf("the rule engine answered during the test (%v): the buttons clicked may have been drawn again", m)
	}
	tb.noErrors()
}

// grantClipboard lets the tab's page read and write the clipboard without asking.
func (tb *tab) grantClipboard() {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		id := chromedp.FromContext(ctx).BrowserContextID
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted, BrowserContextID: id,
			}); err != nil {
				return fmt.Errorf("granting %s: %w", name, err)
			}
		}
		return nil
	}))
}
