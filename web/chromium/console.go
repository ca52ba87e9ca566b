package chromium

import (
	"context"
	"fmt"
	"sync"

	"github.com/chromedp/chromedp"
)

// Start starts the headless Chromium exe with Options (its profile in
// profileDir) and extra options after them, and returns the browser's context,
// whose first tab is open, and the function that stops the browser. Every
// browser test starts Chromium this way, so all of them run it with the same
// flags.
func Start(exe, profileDir string, extra ...chromedp.ExecAllocatorOption) (context.Context, func(), error) {
	actx, acancel := chromedp.NewExecAllocator(context.Background(), append(Options(exe, profileDir), extra...)...)
	bctx, bcancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		bcancel()
		acancel()
		return nil, nil, fmt.Errorf("starting %s: %w", exe, err)
	}
	return bctx, func() { bcancel(); acancel() }, nil
}

// Console is what a tab's console reported that a page must not: errors,
// uncaught exceptions and warnings, the browser's own included (a CSP
// violation, a deprecation, a resource that failed to load).
type Console struct {
	mu       sync.Mutex
	problems []string
	done     chan struct{}
}

// Watch records the problems of the tab of ctx until ctx ends.
func Watch(ctx context.Context) *Console {
	c := &Console{done: make(chan struct{})}
	messages := chromedp.Console(ctx)
	go func() {
		defer close(c.done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				c.mu.Lock()
				c.problems = append(c.problems, fmt.Sprintf("%s (%s:%d)", m.String(), m.URL, m.Line))
				c.mu.Unlock()
			}
		}
	}()
	return c
}

// Problems returns what was reported so far, each as the message and where it
// came from.
func (c *Console) Problems() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.problems...)
}

// Done is closed once the watch has ended (after its context did).
func (c *Console) Done() <-chan struct{} { return c.done }
