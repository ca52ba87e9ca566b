// Package chromium starts the headless Chromium that the browser tests and the
// cold-load tool (web/coldload) drive, and waits for it to be idle before a
// measurement.
package chromium

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/systeminfo"
	"github.com/chromedp/chromedp"
)

// Find returns the browser to run: $MTLSPLAY_CHROMIUM, else Debian's chromium or
// another Chromium on $PATH; "" when there is none.
func Find() string {
	if p := os.Getenv("MTLSPLAY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Options are the flags for a headless Chromium that does nothing on its own
// account (no network of its own, no sync, no first-run pages), with its profile
// in profileDir.
func Options(exe, profileDir string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(profileDir),
		chromedp.WindowSize(1280, 1000),
	}
}

// Settle waits until the browser is idle: until all its processes together use
// less than 10% of one core over 300 ms, for at most max. It returns an error if
// the browser was still busy then.
//
// A new browser context opens a new window, and Chromium builds that window's own
// interface (the omnibox popup and more: some 550 scripts from chrome://resources,
// in two renderer processes) in the second that follows. A page loaded in that
// second shares this machine's two cores with it, and its cold load measured 30 to
// 90% slower in a trace. A person's browser has its window open already; a
// measurement of our page waits for this.
func Settle(ctx context.Context, max time.Duration) error {
	const window = 300 * time.Millisecond
	const busy = 0.1 * 0.3 // seconds of CPU in a window: 10% of one core
	deadline := time.Now().Add(max)
	var last []float64 // total CPU seconds at each poll
	for {
		info, err := chromedp.CallBrowser(ctx, systeminfo.GetProcessInfo, cdp.Empty{})
		if err != nil {
			return fmt.Errorf("reading the browser's CPU time: %w", err)
		}
		var cpu float64
		for _, p := range info.ProcessInfo {
			cpu += p.CPUTime
		}
		last = append(last, cpu)
		const polls = int(window / (100 * time.Millisecond))
		if len(last) > polls {
			last = last[len(last)-polls-1:]
			if last[polls]-last[0] < busy {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the browser was still busy after %v", max)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
