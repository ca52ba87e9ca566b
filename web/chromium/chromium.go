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

// Options are the flags for a headless Chromium with as little work of its own as
// flags can turn off (no network of its own, no sync, no first-run pages, no
// component updates), with its profile in profileDir. What is left, a new
// window's interface, Settle waits out.
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

// Settle waits until the browser is idle: until all its processes together have
// used less than 10% of one core over the last 300 ms or more, for at most limit.
// It returns an error if the browser was still busy then.
//
// A new browser context opens a new window, and Chromium builds that window's own
// interface (the omnibox popup and more: some 550 scripts from chrome://resources,
// in two renderer processes) in the second that follows. A page loaded in that
// second shares this machine's two cores with it, and its cold load measured 30 to
// 90% slower in a trace. A person's browser has its window open already; a
// measurement of our page waits for this.
func Settle(ctx context.Context, limit time.Duration) error {
	const window = 300 * time.Millisecond
	const share = 0.1 // of one core
	type sample struct {
		at  time.Time
		cpu float64 // seconds used since the sample before
	}
	deadline := time.Now().Add(limit)
	var samples []sample
	var last map[int64]float64 // CPU seconds of each process at the last poll
	for {
		info, err := chromedp.CallBrowser(ctx, systeminfo.GetProcessInfo, cdp.Empty{})
		if err != nil {
			return fmt.Errorf("reading the browser's CPU time: %w", err)
		}
		now := time.Now()
		// Each process's own count: a process that ended takes its CPU time out of
		// any total, and one that started brings all of its own in.
		cur := make(map[int64]float64, len(info.ProcessInfo))
		var used float64
		for _, p := range info.ProcessInfo {
			cur[p.ID] = p.CPUTime
			used += p.CPUTime - last[p.ID]
		}
		if last != nil {
			samples = append(samples, sample{now, used})
		}
		last = cur
		// The newest samples that span the window: idle if they add up to little.
		var sum float64
		for i := len(samples) - 1; i >= 0; i-- {
			sum += samples[i].cpu
			if i > 0 && now.Sub(samples[i-1].at) >= window {
				if sum < share*now.Sub(samples[i-1].at).Seconds() {
					return nil
				}
				samples = samples[i-1:]
				break
			}
		}
		if now.After(deadline) {
			return fmt.Errorf("the browser was still busy after %v", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
