// Command coldload compares the cold load of two builds of the playground in headless
// Chromium (started by chromium.Start, with the browser tests' flags): it exports each build's assets (as web/build writes them) as a site, serves
// both from one static file server on loopback, and loads them alternately, each time
// in a fresh browser context (an empty cache) once the browser is idle, reading the
// page's own marks: when the engine began loading and was ready, its first call, and
// the first verdict; the two engines' readiness (inspector, rule engine) and the first
// verdict shown, the inspector's. With -link each load opens a share link of a
// certificate made for that load (one the build has never seen, under the test PKI's
// intermediate, with a rule it passes), and the page's marks of that link's fields and
// verdict are read too. With -trace FILE it then records one more load of the new
// build with the browser tracing, for a look at every thread of it.
//
//	go run ./web/build -brotli=false -o /tmp/new && go run ./web/coldload -old web/site/dist -new /tmp/new -n 16
//	go run ./web/coldload -old OLDSITE -new /tmp/new -n 12 -link   # from the repository root
//
// This machine's speed drifts by 15-25% within minutes; loads of the two builds
// interleaved are what can be compared, not one build's figure against another's
// remembered from earlier.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/cdp"
	jsonv2 "github.com/chromedp/cdproto/cdp/jsonv2"
	"github.com/chromedp/cdproto/tracing"
	"github.com/chromedp/chromedp"

	"github.com/mtlsplay/mtlsplay/web/chromium"
	"github.com/mtlsplay/mtlsplay/web/site"
)

func main() {
	oldDir := flag.String("old", "", "the build to compare against: its assets (e.g. web/site/dist) or a site it exported (mtlsplay site -o DIR)")
	newDir := flag.String("new", "", "the build measured: its assets or a site it exported")
	n := flag.Int("n", 12, "loads of each build (at most 100)")
	exe := flag.String("chromium", chromium.Find(), "the browser")
	settle := flag.Bool("settle", true, "wait, before each load, until the browser has built its new window (see chromium.Settle)")
	link := flag.Bool("link", false, "open each load from a share link of a certificate made for it (run from the repository root: the test PKI's intermediate signs it)")
	trace := flag.String("trace", "", "then load the new build once more with the browser tracing, and write the trace to this file (open it in https://ui.perfetto.dev or chrome://tracing)")
	flag.Parse()
	if *oldDir == "" || *newDir == "" {
		fmt.Fprintln(os.Stderr, "coldload: -old DIR and -new DIR are needed (assets as web/build writes them, or sites as mtlsplay site exports them)")
		os.Exit(2)
	}
	var links func() (string, error)
	if *link {
		var err error
		if links, err = shareLinks("testdata/pki"); err != nil {
			fmt.Fprintln(os.Stderr, "coldload:", err)
			os.Exit(1)
		}
	}
	if err := run(os.Stdout, *oldDir, *newDir, min(max(*n, 1), 100), *exe, *settle, *trace, links); err != nil {
		fmt.Fprintln(os.Stderr, "coldload:", err)
		os.Exit(1)
	}
}

// load is one cold load's marks, in ms after navigation (durations in ms); NaN for a
// mark the build does not make.
type load struct {
	script, init, compile, goStart, ready, call, verdict             float64
	inspectorReady, ruleReady, chainVerdict, linkFields, linkVerdict float64
	firstPaint                                                       float64 // a complete verdict first on screen (design 6.4)
}

func run(out io.Writer, oldDir, newDir string, n int, exe string, settle bool, traceFile string, links func() (string, error)) error {
	tmp, err := os.MkdirTemp("", "coldload-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	builds := []string{"old", "new"}
	// Each build is served from tmp/old or tmp/new: assets are exported there as a
	// site (with this program's pages), and a site exported already (by `mtlsplay
	// site`, with its own pages) is served where it is.
	roots := map[string]string{}
	for i, dir := range []string{oldDir, newDir} {
		if _, err := os.Stat(filepath.Join(dir, "index.html")); err == nil {
			roots["/"+builds[i]+"/"] = dir
			continue
		}
		if err := site.ExportFrom(os.DirFS(dir), filepath.Join(tmp, builds[i])); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/", http.FileServer(http.Dir(tmp)))
	for prefix, dir := range roots {
		mux.Handle(prefix, http.StripPrefix(strings.TrimSuffix(prefix, "/"), http.FileServer(http.Dir(dir))))
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The browser tests' launcher and flags: a load here is a load there. Each load
	// still gets a fresh browser context of its own (freshTab).
	browser, stopBrowser, err := chromium.Start(exe, filepath.Join(tmp, "profile"))
	if err != nil {
		return err
	}
	defer stopBrowser()
	// A build whose HTML carries a verdict ([data-first-paint]) marks when a complete
	// verdict was first on screen, a frame after the engine's for a share link: wait for it.
	const marks = `performance.getEntriesByName("mtlsplay:first-verdict").length &&
		(performance.getEntriesByName("mtlsplay:first-paint-verdict").length || !document.querySelector("[data-first-paint]")) && (() => {
		const d = document.getElementById("main").dataset;
		const mark = (name) => performance.getEntriesByName("mtlsplay:" + name)[0]?.startTime ?? -1;
		return [mark("script-start"), Number(d.engineInitAt ?? -1),
			Number(d.engineCompileMs), Number(d.engineGoStartMs), Number(d.engineReadyAt), Number(d.firstCallMs),
			mark("first-verdict"), mark("inspector-ready"), mark("rule-engine-ready"), mark("chain-verdict"), mark("link-fields"), mark("link-verdict"), mark("first-paint-verdict")];
	})()`
	loads := map[string][]load{}
	for i := 0; i < n; i++ {
		for _, b := range builds {
			fragment := ""
			if links != nil {
				if fragment, err = links(); err != nil {
					return err
				}
			}
			ctx, closeTab, err := freshTab(browser, settle)
			if err == nil {
				err = chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/"+b+"/index.html"+fragment))
			}
			var m []float64
			if err == nil {
				// The page marks its own times: a slow poll disturbs the load least.
				m, err = chromedp.Run(ctx, chromedp.Poll[[]float64](marks, chromedp.WithPollingInterval(100*time.Millisecond)))
			}
			closeTab()
			if err != nil {
				return fmt.Errorf("%s build, load %d: %w", b, i+1, err)
			}
			for i, x := range m {
				if x < 0 { // JSON has no NaN: -1 is a mark the build does not make
					m[i] = math.NaN()
				}
			}
			loads[b] = append(loads[b], load{script: m[0], init: m[1], compile: m[2], goStart: m[3], ready: m[4], call: m[5], verdict: m[6],
				inspectorReady: m[7], ruleReady: m[8], chainVerdict: m[9], linkFields: m[10], linkVerdict: m[11], firstPaint: m[12]})
		}
	}
	if traceFile != "" {
		if err := traceLoad(browser, out, srv.URL+"/new/index.html", settle, traceFile); err != nil {
			return fmt.Errorf("tracing a load: %w", err)
		}
	}
	what := "cold loads"
	if links != nil {
		what = "cold loads from a share link of a new certificate"
	}
	fmt.Fprintf(out, "%d %s of each build, interleaved; ms, median [p25 p75]\n", n, what)
	median := func(b string, f func(load) float64) float64 {
		xs := values(loads[b], f)
		if len(xs) == 0 {
			return math.NaN()
		}
		return xs[len(xs)/2]
	}
	for _, b := range builds {
		pick := func(f func(load) float64) string {
			xs := values(loads[b], f)
			if len(xs) == 0 {
				return "    - [   -    -]"
			}
			return fmt.Sprintf("%5.0f [%4.0f %4.0f]", xs[len(xs)/2], xs[len(xs)/4], xs[len(xs)*3/4])
		}
		fmt.Fprintf(out, "%-3s first verdict %s after navigation\n", b, pick(func(l load) float64 { return l.verdict }))
		fmt.Fprintf(out, "    a complete verdict first on screen (the HTML's, or the engine's) %s\n", pick(func(l load) float64 { return l.firstPaint }))
		fmt.Fprintf(out, "    inspector ready %s, first verdict shown (chain) %s, rule engine ready %s\n",
			pick(func(l load) float64 { return l.inspectorReady }), pick(func(l load) float64 { return l.chainVerdict }), pick(func(l load) float64 { return l.ruleReady }))
		if links != nil {
			fmt.Fprintf(out, "    link's fields shown %s, link's verdict %s\n", pick(func(l load) float64 { return l.linkFields }), pick(func(l load) float64 { return l.linkVerdict }))
		}
		fmt.Fprintf(out, "    app.js runs %s, engine starts loading %s, ready %s\n",
			pick(func(l load) float64 { return l.script }), pick(func(l load) float64 { return l.init }), pick(func(l load) float64 { return l.ready }))
		fmt.Fprintf(out, "    fetch+compile %s, Go start %s, first call %s\n",
			pick(func(l load) float64 { return l.compile }), pick(func(l load) float64 { return l.goStart }), pick(func(l load) float64 { return l.call }))
	}
	// The ratios the targets are stated in: the new build's first verdict
	// shown (the inspector's fields and chain verdict) and complete verdict, each to
	// the old build's complete verdict. Medians of each series.
	old := median("old", func(l load) float64 { return l.verdict })
	fmt.Fprintf(out, "new/old: first verdict shown %.2f×, complete verdict %.2f×\n",
		median("new", func(l load) float64 { return firstShown(l) })/old, median("new", func(l load) float64 { return l.verdict })/old)
	return nil
}

// values are the marks f picks of loads, sorted, leaving out those a build does not make.
func values(loads []load, f func(load) float64) []float64 {
	xs := make([]float64, 0, len(loads))
	for _, l := range loads {
		if x := f(l); !math.IsNaN(x) {
			xs = append(xs, x)
		}
	}
	sort.Float64s(xs)
	return xs
}

// firstShown is when a load first showed a verdict: the inspector's (with the
// certificate's fields), or for a build without one its first verdict.
func firstShown(l load) float64 {
	if !math.IsNaN(l.chainVerdict) {
		return l.chainVerdict
	}
	return l.verdict
}

// freshTab opens a tab in a fresh browser context (an empty cache), with a minute
// for what is done in it, and waits until the browser is idle if settle is set.
// closeTab closes it, whatever the error.
func freshTab(browser context.Context, settle bool) (ctx context.Context, closeTab func(), err error) {
	ctx, closeContext := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	ctx, stop := context.WithTimeout(ctx, time.Minute)
	closeTab = func() { stop(); closeContext() }
	err = chromedp.Do(ctx)
	if err == nil && settle {
		err = chromium.Settle(ctx, 10*time.Second)
	}
	return ctx, closeTab, err
}

// traceLoad loads url once in a fresh browser context with the browser tracing
// (every process and thread: the page, its worker, V8's compiler threads, the
// browser's own), and writes the trace events to file as Chrome's JSON trace format.
func traceLoad(browser context.Context, out io.Writer, url string, settle bool, file string) error {
	ctx, closeTab, err := freshTab(browser, settle)
	defer closeTab()
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var events []jsonv2.Value // raw JSON, one event each
	done := make(chan struct{})
	err = chromedp.ListenBrowser(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *tracing.EventDataCollected:
			mu.Lock()
			events = append(events, ev.Value...)
			mu.Unlock()
		case *tracing.EventTracingComplete:
			close(done)
		}
	})
	if err != nil {
		return err
	}
	categories := []string{"devtools.timeline", "disabled-by-default-devtools.timeline", "v8", "v8.wasm", "disabled-by-default-v8.compile", "blink", "loading"}
	if _, err := chromedp.CallBrowser(ctx, tracing.Start, tracing.StartParams{
		TransferMode: tracing.StartTransferModeReportEvents,
		TraceConfig:  &tracing.TraceConfig{IncludedCategories: categories},
	}); err != nil {
		return err
	}
	err = chromedp.Do(ctx, chromedp.Navigate(url))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`performance.getEntriesByName("mtlsplay:first-verdict").length > 0`, chromedp.WithPollingInterval(100*time.Millisecond)))
	}
	if _, endErr := chromedp.CallBrowser(ctx, tracing.End, cdp.Empty{}); err == nil {
		err = endErr
	}
	if err != nil {
		return err
	}
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	mu.Lock()
	defer mu.Unlock()
	var b bytes.Buffer
	b.WriteString(`{"traceEvents":[`)
	for i, ev := range events {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(ev)
	}
	b.WriteString("]}\n")
	fmt.Fprintf(out, "wrote the trace of a load of the new build (%d events) to %s\n", len(events), file)
	return os.WriteFile(file, b.Bytes(), 0o644)
}
