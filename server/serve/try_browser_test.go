package serve

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/mtlsplay/mtlsplay/web/site"
)

// TestTryInBrowser opens the demo's /try/ in Chromium: it is in the site's
// layout (the site's navigation with /try/ current, the site's stylesheet when
// the assets are built), its icon, stylesheet and script load under the page
// listener's CSP with nothing on the console, the copy button copies the command
// it stands beside, the page links the .p12, and its "Your own certificate"
// link opens the playground's Serve it yourself panel.
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
	if got := evalString(`document.querySelector('header.site nav a[aria-current="page"]')?.dataset.testid ?? ""`); got != "try-link" {
		t.Errorf("the site's navigation does not mark /try/ current (it marks %q)", got)
	}
	if site.Built() {
		if got := evalString(`getComputedStyle(document.querySelector("header.site")).display`); got != "flex" {
			t.Errorf("the site's stylesheet did not apply to /try/ (header.site is display %q)", got)
		}
	} else {
		t.Log("the site's assets are not built (go run ./web/build): /try/ links no stylesheet, and the playground is not served")
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
	if !site.Built() {
		noConsoleProblems(t, console)
		return
	}
	run(chromedp.Click(chromedp.CSS(`[data-testid="serve-own-link"]`)))
	// The click navigates: until the playground's document is there, a poll may
	// find its context gone, so it is asked again.
	opened := `location.pathname === "/" && document.getElementById("serve-own")?.dataset.state === "ready" && document.getElementById("serve-own").open`
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ok bool
		if ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](opened)); err == nil && ok {
			break
		} else if err == nil {
			err = fmt.Errorf("not open after 30s")
		}
	}
	if err != nil {
		t.Errorf("the Your own certificate link did not open the playground's Serve it yourself panel: %v (at %s)", err, evalString(`location.href`))
	}
	noConsoleProblems(t, console)
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// TestTryOwnInBrowser: with a config of clients alone, /try/ (in the site's
// layout) shows each client's command with a copy button that copies the line
// the banner printed, offers the demo root, and puts nothing on the console.
func TestTryOwnInBrowser(t *testing.T) {
	ctx, console := browserTab(t)
	dir := t.TempDir()
	copyInto(t, dir, map[string]string{"my-root.pem": "root.pem"})
	cfgPath := filepath.Join(dir, "mtlsplay.yaml")
	if err := os.WriteFile(cfgPath, []byte("clients:\n  - name: my-root\n    bundles: [my-root.pem]\n    rule: CN == \"client.example.com\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := startServe(t, Options{ConfigPath: cfgPath, StateDir: t.TempDir()})
	line := curlLineOf(t, ts.stdout.String())
	origin := "http://localhost:" + portOf(ts.s.HTTPAddr())
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "clipboard-read"}, Setting: browser.PermissionSettingGranted, Origin: origin}); err != nil {
		t.Fatalf("granting the clipboard: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/try/"), chromedp.WaitVisible(chromedp.CSS(`#own-0`)), chromedp.Click(chromedp.CSS(`button[data-copy="own-0"]`))); err != nil {
		t.Fatalf("browser: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('button[data-copy="own-0"]').textContent === "Copied"`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("the client's copy button does not say Copied: %v", err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil || got != line {
		t.Errorf("after a click on the client's copy button the clipboard holds %q (%v), want the banner's %q", got, err, line)
	}
	root, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector('[data-testid="own-root"]').href).then(r => r.status + " " + r.headers.get("content-type"))`, chromedp.EvalAwaitPromise))
	if err != nil || root != "200 application/x-pem-file" {
		t.Errorf("the demo root offered beside the commands answers %q (%v)", root, err)
	}
	noConsoleProblems(t, console)
}
