package serve

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/mtlsplay/mtlsplay/web/chromium"
)

// TestTryInBrowser opens the demo's /try/ in Chromium: no console error (its
// icon, stylesheet and script load under the page listener's CSP), the copy
// button copies the command it stands beside, and the page links the .p12.
func TestTryInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	exe := chromium.Find()
	if exe == "" {
		t.Skip("Chromium not found: install it (apt-get install -y chromium) or set MTLSPLAY_CHROMIUM")
	}
	ts := startServe(t, Options{StateDir: t.TempDir(), Now: time.Now})
	line := curlLineOf(t, ts.stdout.String())

	actx, acancel := chromedp.NewExecAllocator(context.Background(), chromium.Options(exe, filepath.Join(t.TempDir(), "profile"))...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(bctx, time.Minute)
	defer cancel()
	var mu sync.Mutex
	var problems []string
	go func() {
		for m, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s (%s)", m.String(), m.URL))
				mu.Unlock()
			}
		}
	}()
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
	time.Sleep(200 * time.Millisecond) // late console messages
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("the console reports:\n%s", strings.Join(problems, "\n"))
	}
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }
