package serve

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
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
// page's console reported, after waiting a moment for late ones, except those
// listed as expected (exactly as Problems words them).
func noConsoleProblems(t *testing.T, c *chromium.Console, expected ...string) {
	t.Helper()
	time.Sleep(200 * time.Millisecond)
	for _, p := range c.Problems() {
		if !slices.Contains(expected, p) {
			t.Errorf("console: %s", p)
		}
	}
}

// statusReported is how Chromium's console reports a document that answered
// status: the echo answers each decision code with its own status (403 for a
// rejected certificate, 401 for none; design.md 5.5) on purpose, and this line
// is that status, not a problem of the page.
func statusReported(url string, status int) string {
	return fmt.Sprintf("error: Failed to load resource: the server responded with a status of %d () (%s:0)", status, url)
}
