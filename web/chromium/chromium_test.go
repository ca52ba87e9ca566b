package chromium_test

import (
	"context"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mtlsplay/mtlsplay/web/chromium"
)

// TestSettleWaitsForABusyPage keeps a tab's renderer busy for a while and checks
// that Settle returns only after that, and that it gives up with an error when the
// browser stays busy longer than it may wait.
func TestSettleWaitsForABusyPage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	exe := chromium.Find()
	if exe == "" {
		t.Skip("Chromium not found: install it (apt-get install -y chromium) or set MTLSPLAY_CHROMIUM")
	}
	browser, stopBrowser, err := chromium.Start(exe, filepath.Join(t.TempDir(), "profile"))
	if err != nil {
		t.Fatal(err)
	}
	defer stopBrowser()
	ctx, closeTab := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	defer closeTab()
	ctx, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	if err := chromium.Settle(ctx, 20*time.Second); err != nil {
		t.Fatalf("a new browser context: %v", err)
	}
	t.Logf("a new browser context settled in %v", time.Since(t0).Round(time.Millisecond))

	// busy spins the page's thread in 50 ms slices (so the page stays responsive to
	// the test) for the given milliseconds, starting now.
	busy := func(ms int) time.Time {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
			const until = performance.now() + `+strconv.Itoa(ms)+`;
			const spin = () => { const end = Math.min(until, performance.now() + 50); while (performance.now() < end) {} if (performance.now() < until) setTimeout(spin, 0); };
			setTimeout(spin, 0);
			return true;
		})()`)); err != nil {
			t.Fatal(err)
		}
		return time.Now().Add(time.Duration(ms) * time.Millisecond)
	}

	done := busy(1500)
	if err := chromium.Settle(ctx, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	if now := time.Now(); now.Before(done) {
		t.Errorf("Settle returned %v before the page stopped working", done.Sub(now))
	} else {
		t.Logf("Settle returned %v after the page stopped working", now.Sub(done).Round(time.Millisecond))
	}

	busy(3000)
	if err := chromium.Settle(ctx, 800*time.Millisecond); err == nil || !strings.Contains(err.Error(), "still busy") {
		t.Errorf("Settle with the page busy for longer than it may wait: %v, want an error saying the browser was still busy", err)
	}
}

// TestWatchReportsProblems: a warning, an error, an exception and a CSP
// violation are problems; a log line is not.
func TestWatchReportsProblems(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	exe := chromium.Find()
	if exe == "" {
		t.Skip("Chromium not found: install it (apt-get install -y chromium) or set MTLSPLAY_CHROMIUM")
	}
	browser, stop, err := chromium.Start(exe, filepath.Join(t.TempDir(), "profile"))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx, cancel := context.WithTimeout(browser, time.Minute)
	c := chromium.Watch(ctx)
	page := `<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'">` +
		`<p id=p>x</p><script>console.log("fine"); console.warn("w1"); console.error("e1"); document.getElementById("p").setAttribute("style", "color:red"); setTimeout(() => { throw new Error("x1"); });</script>`
	if err := chromedp.Do(ctx, chromedp.Navigate("data:text/html,"+url.PathEscape(page))); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(c.Problems()) < 4 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-c.Done()
	got := strings.Join(c.Problems(), "\n")
	for _, want := range []string{"warning: w1", "error: e1", "Error: x1", "Content Security Policy"} {
		if !strings.Contains(got, want) {
			t.Errorf("the problems do not mention %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "log: fine") {
		t.Errorf("a console.log counted as a problem:\n%s", got)
	}
}
