package serve

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mtlsplay/mtlsplay/web/chromium"
)

// browserTab starts Chromium as every browser test of the project does
// (web/chromium: its flags, then extra) and returns its first tab, bounded to
// a minute, with the tab's console watched. It skips the test when there is no
// Chromium, and stops the browser at the test's end.
func browserTab(t *testing.T, extra ...chromedp.ExecAllocatorOption) (context.Context, *chromium.Console) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test")
	}
	exe := chromium.Find()
	if exe == "" {
		t.Skip("Chromium not found: install it (apt-get install -y chromium) or set MTLSPLAY_CHROMIUM")
	}
	return browserTabIn(t, exe, filepath.Join(t.TempDir(), "profile"), extra...)
}

// browserTabIn is browserTab with the browser and its profile folder named.
func browserTabIn(t *testing.T, exe, profile string, extra ...chromedp.ExecAllocatorOption) (context.Context, *chromium.Console) {
	t.Helper()
	browser, stop, err := chromium.Start(exe, profile, extra...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(browser, time.Minute)
	console := chromium.Watch(ctx)
	t.Cleanup(func() { cancel(); <-console.Done(); stop() })
	return ctx, console
}

// noConsoleProblems fails the test for each error, exception or warning the
// page's console reported, after waiting a moment for late ones.
func noConsoleProblems(t *testing.T, c *chromium.Console) {
	t.Helper()
	time.Sleep(200 * time.Millisecond)
	for _, p := range c.Problems() {
		t.Errorf("console: %s", p)
	}
}
