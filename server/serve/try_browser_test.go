package serve

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestTryInBrowser opens the demo's /try/ in Chromium: no console error (its
// icon, stylesheet and script load under the page listener's CSP), the copy
// button copies the command it stands beside, and the page links the .p12.
func TestTryInBrowser(t *testing.T) {
	ctx, console := browserTab(t)
	ts := startServe(t, Options{StateDir: t.TempDir(), Now: time.Now})
	line := curlLineOf(t, ts.stdout.String())
	run := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	evalString := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("browser: %s: %v", expr, err)
		}
		return v
	}
	origin := "http://localhost:" + portOf(ts.s.HTTPAddr())
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "clipboard-read"}, Setting: browser.PermissionSettingGranted, Origin: origin}); err != nil {
		t.Fatalf("granting the clipboard: %v", err)
	}
	run(chromedp.Navigate(origin+"/try/"), chromedp.WaitVisible(chromedp.CSS(`#curl`)))
	if got := evalString(`fetch(document.querySelector('link[rel=icon]').href).then(r => r.status + " " + r.headers.get("content-type"))`); got != "200 image/svg+xml" {
		t.Errorf("the icon answers %q", got)
	}
	if got := evalString(`getComputedStyle(document.body).maxWidth`); got == "none" {
		t.Errorf("/try/'s stylesheet did not apply")
	}
	run(chromedp.Click(chromedp.CSS(`button[data-copy="curl"]`)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('button[data-copy="curl"]').textContent === "Copied"`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the copy button does not say Copied: %v (it says %q)", err, evalString(`document.querySelector('button[data-copy="curl"]').textContent`))
	}
	if got := evalString(`navigator.clipboard.readText()`); got != line {
		t.Errorf("the clipboard holds %q, want the command %q", got, line)
	}
	if got := evalString(`document.querySelector('[data-testid="browser-steps"] a[href$="good.p12"]') ? "yes" : "no"`); got != "yes" {
		t.Errorf("/try/ does not link good.p12 in its browser steps")
	}
	noConsoleProblems(t, console)
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }
