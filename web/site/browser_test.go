package site_test

// Tests in a real browser: Debian's headless Chromium, driven by chromedp, against the
// exported static site served by net/http/httptest on 127.0.0.1 (a plain file
// server, like `python3 -m http.server`: no Content-Encoding for the .gz engine).
// The assets are built fresh (web/bundle) for the run, so the tests always see the
// current TypeScript and engine. They skip, saying why, when Chromium or
// node_modules is missing.

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/performance"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/mtlsplay/mtlsplay/web/bundle"
	"github.com/mtlsplay/mtlsplay/web/chromium"
	"github.com/mtlsplay/mtlsplay/web/site"
)

// testAt is the test PKI's clock (testdata/pki/README.md): the good samples are valid.
const testAt = "2026-06-01T00:00:00Z"

var (
	env     *siteEnv
	envErr  error
	envOnce sync.Once
)

type siteEnv struct {
	root   string // repository root
	assets string // built assets
	dir    string // exported site
	srv    *httptest.Server

	browser context.Context
	cancel  func()
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// setup builds the assets, exports the site, serves it and starts Chromium, once
// per test binary; every browser test calls it.
func setup(t testing.TB) *siteEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	exe := chromium.Find()
	if exe == "" {
		t.Skip("Chromium not found: install it (apt-get install -y chromium) or set MTLSPLAY_CHROMIUM to run the browser tests")
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", "@codemirror", "view")); err != nil {
		t.Skip("node_modules missing: run `npm ci` in the repository root to run the browser tests")
	}
	envOnce.Do(func() { env, envErr = newSiteEnv(root, exe) })
	if envErr != nil {
		t.Fatal(envErr)
	}
	return env
}

func newSiteEnv(root, exe string) (*siteEnv, error) {
	tmp, err := os.MkdirTemp("", "mtlsplay-browser-")
	if err != nil {
		return nil, err
	}
	e := &siteEnv{root: root, assets: filepath.Join(tmp, "assets"), dir: filepath.Join(tmp, "site")}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// $MTLSPLAY_ASSETS names a build to test instead (e.g. web/site/dist, with the
	// brotli file the quick test build leaves out).
	if dir := os.Getenv("MTLSPLAY_ASSETS"); dir != "" {
		e.assets = dir
	} else if _, err := bundle.Build(ctx, bundle.Options{Root: root, Out: e.assets, WASM: true}); err != nil {
		return nil, err
	}
	if err := site.ExportFrom(os.DirFS(e.assets), e.dir); err != nil {
		return nil, err
	}
	e.srv = httptest.NewServer(http.FileServer(http.Dir(e.dir)))

	bctx, stop, err := chromium.Start(exe, filepath.Join(tmp, "chromium-profile"))
	if err != nil {
		return nil, err
	}
	e.browser = bctx
	e.cancel = func() { stop(); e.srv.Close(); os.RemoveAll(tmp) }
	return e, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		env.cancel()
	}
	os.Exit(code)
}

// tab is one browser tab with its console watched.
type tab struct {
	ctx     context.Context
	t       testing.TB
	console *chromium.Console
	// close closes the tab and its browser context (also at the test's end).
	close func()
}

// newTab opens a tab in a fresh browser context (its own cache and storage).
func (e *siteEnv) newTab(t testing.TB) *tab {
	return e.openTab(t, false)
}

// newSettledTab opens a tab as newTab does, then waits until the browser has built
// the new context's window (chromium.Settle), so that a measurement of a load counts
// the page's work and not the browser's.
func (e *siteEnv) newSettledTab(t testing.TB) *tab {
	return e.openTab(t, true)
}

func (e *siteEnv) openTab(t testing.TB, settle bool) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(e.browser, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	if settle {
		if err := chromium.Settle(ctx, 10*time.Second); err != nil {
			cancel()
			t.Fatal(err)
		}
	}
	tctx, cancel2 := context.WithTimeout(ctx, 2*time.Minute)
	tb := &tab{ctx: tctx, t: t, console: chromium.Watch(tctx)}
	tb.close = sync.OnceFunc(func() { cancel2(); cancel(); <-tb.console.Done() })
	t.Cleanup(tb.close)
	return tb
}

func (tb *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, steps...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("browser: evaluating %.80s: %v", expr, err)
	}
	return v
}

// poll waits until expr (a JavaScript expression; a promise is awaited) is truthy
// and returns its value, or fails the test after timeout saying what it last was.
// The page checks it itself, on its DOM's changes and every 50 ms (see pollEvery).
func poll[T any](tb *tab, expr string, timeout time.Duration) T {
	tb.t.Helper()
	return pollEvery[T](tb, expr, 50*time.Millisecond, timeout)
}

// pollResult is what waitInPage resolves with.
type pollResult[T any] struct {
	Value    T      `json:"value"`
	TimedOut bool   `json:"timedOut"`
	Last     string `json:"last"` // the last value seen, as JSON, when timed out
}

// waitInPage is one evaluation that resolves when the expression %[1]s is truthy:
// checked at once, after each batch of DOM changes (a MutationObserver on the whole
// document) and every %[2]d ms for what changes no DOM (a value typed, a mark, the
// clipboard), one check at a time; after %[3]d ms it resolves with the last value
// seen. Polling from Go every few ms ran on the page's main thread while it worked,
// and slowed the very steps timing-sensitive tests wait for.
const waitInPage = `new Promise((resolve, reject) => {
	const check = () => (%[1]s);
	let busy = false, again = false, last;
	let observer, backstop, deadline;
	const stop = (result) => { observer.disconnect(); clearInterval(backstop); clearTimeout(deadline); resolve(result); };
	const run = async () => {
		if (busy) { again = true; return; }
		busy = true;
		try {
			do {
				again = false;
				last = await check();
				if (last) return stop({value: last});
			} while (again);
		} catch (e) {
			observer.disconnect(); clearInterval(backstop); clearTimeout(deadline);
			reject(e);
		} finally {
			busy = false;
		}
	};
	observer = new MutationObserver(run);
	observer.observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
	backstop = setInterval(run, %[2]d);
	deadline = setTimeout(() => {
		let seen;
		try { seen = JSON.stringify(last); } catch (e) { seen = String(last); }
		stop({timedOut: true, last: seen === undefined ? "undefined" : seen});
	}, %[3]d);
	run();
})`

// pollEvery is poll with the page's own check of expr every `every` besides on
// each change of its DOM. The wait is bounded in the page (it resolves at timeout)
// and, should the page hang, in Go too.
func pollEvery[T any](tb *tab, expr string, every, timeout time.Duration) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, timeout+10*time.Second)
	defer cancel()
	js := fmt.Sprintf(waitInPage, expr, max(every.Milliseconds(), 1), timeout.Milliseconds())
	r, err := chromedp.Run(ctx, chromedp.Evaluate[pollResult[T]](js, chromedp.EvalAwaitPromise))
	switch {
	case err != nil:
		tb.t.Fatalf("browser: waiting for %.80s: %v", expr, err)
	case r.TimedOut:
		tb.t.Fatalf("browser: waiting for %.80s: not true after %v; last seen: %.300s", expr, timeout, r.Last)
	}
	return r.Value
}

// coldOpen loads the playground for a measurement of its cold load: the page marks
// its own times, and the test's wait for the first verdict checks its mark in the
// page only on DOM changes and every 100 ms, since each check runs on the page's main
// thread (asking every 5 ms cost a cold load ~100 ms here). Close the tab after it: with the tabs of earlier loads left open,
// each with its engine, loads after the first few measured 30 to 60% slower.
func (tb *tab) coldOpen(url string) timings {
	tb.t.Helper()
	tb.do(chromedp.Navigate(url))
	pollEvery[bool](tb, `performance.getEntriesByName("mtlsplay:first-verdict").length > 0`, 100*time.Millisecond, 30*time.Second)
	return eval[timings](tb, coldTimings)
}

// enter presses Enter without the char event that SendKeys adds (which an editor
// would take for a second line break).
var enter = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
		if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: 13, NativeVirtualKeyCode: 13}); err != nil {
			return err
		}
	}
	return nil
})

func insertText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// noErrors fails the test if the page logged an error or a warning (the browser's
// own too: a CSP violation, a deprecation), or threw.
func (tb *tab) noErrors() {
	tb.t.Helper()
	for _, e := range tb.console.Problems() {
		tb.t.Errorf("page error: %s", e)
	}
}

type verdict struct {
	Value   string `json:"value"`
	Code    string `json:"code"`
	Seq     int    `json:"seq"`
	Reason  string `json:"reason"`
	Error   string `json:"error"`
	Pending string `json:"pending"`
}

const readVerdict = `(() => {
  const v = document.querySelector('[data-testid="verdict"]');
  if (!v) return null;
  const c = document.querySelector('[data-testid="decision-code"]');
  const e = document.querySelector('[data-testid="error"]');
  return { value: v.dataset.value || "", code: c.dataset.code || "", seq: Number(v.dataset.seq || 0),
           reason: document.getElementById("reason").textContent, error: e.hidden ? "" : e.textContent,
           pending: v.dataset.pending || "" };
})()`

// verdictAfter waits for a verdict newer than seq with nothing left to evaluate.
func (tb *tab) verdictAfter(seq int) verdict {
	tb.t.Helper()
	expr := fmt.Sprintf(`(() => { const v = %s; return v && v.seq > %d && v.pending === "false" ? v : null; })()`, readVerdict, seq)
	return poll[verdict](tb, expr, 30*time.Second)
}

// verdictAwait is verdictAfter without polling: one evaluation that resolves when
// the page's verdict changes, so a measurement does not run the question on the
// page's main thread every 5 ms while it works.
func (tb *tab) verdictAwait(seq int) verdict {
	tb.t.Helper()
	return eval[verdict](tb, fmt.Sprintf(`new Promise((resolve) => {
		const v = document.getElementById("verdict");
		const done = () => Number(v.dataset.seq || 0) > %d && v.dataset.pending === "false";
		if (done()) return resolve(%s);
		const mo = new MutationObserver(() => { if (done()) { mo.disconnect(); resolve(%s); } });
		mo.observe(v, {attributes: true});
	})`, seq, readVerdict, readVerdict))
}

func (tb *tab) current() verdict {
	tb.t.Helper()
	return eval[verdict](tb, readVerdict)
}

// open loads the playground (with an optional fragment) and waits for its first verdict.
func (tb *tab) open(e *siteEnv, fragment string) verdict {
	tb.t.Helper()
	tb.do(chromedp.Navigate(e.srv.URL + "/" + fragment))
	return tb.verdictAfter(0)
}

// fill replaces a text field's content as a paste would (one insertText).
func (tb *tab) fill(sel, text string) {
	tb.t.Helper()
	tb.do(
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("\b"),
	)
	if text != "" {
		tb.do(insertText(text))
	}
}

// typeRule replaces the rule by typing it key by key into the editor.
func (tb *tab) typeRule(rule string) {
	tb.t.Helper()
	tb.do(
		chromedp.Click(chromedp.CSS(`[data-testid="rule-input"]`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("\b"),
	)
	for i, line := range strings.Split(rule, "\n") {
		if i > 0 {
			tb.do(chromedp.KeyEvent("\x1b"), enter) // close a completion popup, then a new line
		}
		tb.do(chromedp.SendKeys(chromedp.CSS(`[data-testid="rule-input"]`), line))
	}
	tb.do(chromedp.KeyEvent("\x1b")) // close a completion popup, if any
}

// readRuleText is the rule as the editor holds it, as a JavaScript expression.
const readRuleText = `[...document.querySelectorAll('[data-testid="rule-input"] .cm-line')].map(l => l.textContent).join("\n")`

func (tb *tab) ruleText() string {
	tb.t.Helper()
	return eval[string](tb, readRuleText)
}

func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`document.querySelector(%q).textContent`, sel))
}

func (tb *tab) value(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`document.querySelector(%q).value`, sel))
}

func (e *siteEnv) pki(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.root, "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// setAt fixes the evaluation time to the test clock.
func (tb *tab) setAt(seq int) verdict {
	tb.t.Helper()
	tb.fill("#at", testAt)
	return tb.verdictAfter(seq)
}

func TestEveryTestIDPresent(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	if v.Value == "" || v.Code == "" {
		t.Errorf("first verdict = %+v, want a value and a code", v)
	}
	for _, id := range []string{"cert-input", "rule-input", "bundle-input", "verdict", "decision-code", "dn", "san", "error"} {
		if n := eval[int](tb, fmt.Sprintf(`document.querySelectorAll('[data-testid=%q]').length`, id)); n == 0 {
			t.Errorf("no element with data-testid=%q", id)
		}
	}
	tb.noErrors()
}

func TestOpensWithSampleAccepted(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	if v.Value != "true" || v.Code != "0" {
		t.Fatalf("sample at %s: verdict %q code %q (%s %s), want true 0", testAt, v.Value, v.Code, v.Reason, v.Error)
	}
	if got := tb.text(`[data-testid="dn"]`); !strings.Contains(got, "CN=client.example.com") {
		t.Errorf("dn = %q, want the sample's DN", got)
	}
	san := tb.text(`[data-testid="san"]`)
	for _, want := range []string{"DNS:client.example.com", "IP:2001:db8::10", "Email:ops@example.com", "URI:spiffe://example.com/ns/prod/sa/client"} {
		if !strings.Contains(san, want) {
			t.Errorf("san = %q, want it to list %q", san, want)
		}
	}
	// The entries' text is the entries: their copy buttons' labels are drawn by CSS.
	if entries := eval[[]string](tb, `[...document.querySelectorAll('[data-testid="san"] li')].map(li => li.textContent)`); len(entries) < 4 || entries[0] != "DNS:client.example.com" {
		t.Errorf("san entries' text = %q, want each entry alone", entries)
	}
	// Each still has a button that shows "Copy", copies the entry and says so.
	label := `getComputedStyle(document.querySelector('[data-testid="san"] li button.copy'), "::after").content`
	if got := eval[string](tb, label); got != `"Copy"` {
		t.Errorf("a SAN entry's copy button shows %s, want \"Copy\"", got)
	}
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="san"] li button.copy`)))
	if got := poll[string](tb, label+` === '"Copied"' && "ok"`, 5*time.Second); got != "ok" {
		t.Errorf("after a click the copy button shows %s", got)
	}
	if rows := eval[int](tb, `document.querySelectorAll("#explain li[data-start]").length`); rows < 3 {
		t.Errorf("explanation has %d rows, want every sub-expression", rows)
	}
	tb.noErrors()
}

func TestPasteCertificateAndTypeRule(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)

	cases := []struct {
		name, cert, rule string
		value, code      string
	}{
		{"good chain, CN rule", "client-good-chain.pem", `CN == "client.example.com"`, "true", "0"},
		{"good chain, rule false", "client-good-chain.pem", `"DNS:nope.example.com" in SAN`, "false", "4019"},
		{"expired", "client-expired-chain.pem", `CN == "client.example.com"`, "false", "4018"},
		{"untrusted", "client-untrusted.pem", `true`, "false", "4018"},
		{"serverAuth only", "server-localhost-chain.pem", `true`, "false", "4018"},
		{"rule error at run time", "client-good-chain.pem", `SAN[100] == "x"`, "error", "4019"},
		{"no certificate", "", `true`, "false", "4017"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pemText := ""
			if c.cert != "" {
				pemText = e.pki(t, c.cert)
			}
			tb.t = t
			tb.fill(`[data-testid="cert-input"]`, pemText)
			v = tb.verdictAfter(v.Seq)
			tb.typeRule(c.rule)
			v = tb.verdictAfter(v.Seq)
			if got := tb.ruleText(); got != c.rule {
				t.Fatalf("editor holds %q, want %q", got, c.rule)
			}
			if v.Value != c.value || v.Code != c.code {
				t.Errorf("%s with %s: verdict %q code %q (%s %s), want %q %q", c.cert, c.rule, v.Value, v.Code, v.Reason, v.Error, c.value, c.code)
			}
		})
	}
	tb.t = t
	tb.noErrors()
}

func TestCompileErrorShowsLineColumn(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.typeRule("CN == \"a\" &&\n  cert.subjct.cn == \"b\"")
	v = tb.verdictAfter(v.Seq)
	if v.Value != "error" {
		t.Fatalf("verdict = %q, want error", v.Value)
	}
	if !strings.Contains(v.Error, "2:") || !strings.Contains(v.Error, "subjct") {
		t.Errorf("error = %q, want the line:column (2:…) and the bad field", v.Error)
	}
	// The editor underlines it.
	if marks := poll[int](tb, `document.querySelectorAll(".cm-lintRange-error").length || null`, 5*time.Second); marks == 0 {
		t.Error("no lint mark in the editor")
	}
	tb.noErrors()
}

func TestShareLinkRoundTrips(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	cert := e.pki(t, "dn-utf8-chain.pem")
	tb.fill(`[data-testid="cert-input"]`, cert)
	v = tb.verdictAfter(v.Seq)
	rule := `cert.subject.organization == ["Café ☕"]`
	tb.typeRule(rule)
	v = tb.verdictAfter(v.Seq)
	want := v
	tb.do(chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)
	if !strings.Contains(link, "#s=") {
		t.Fatalf("share link %q has no state fragment", link)
	}
	if strings.Contains(link, "BEGIN") || strings.Contains(link, "Caf") {
		t.Errorf("share link %q is not compressed", link)
	}

	other := e.newTab(t)
	got := other.open(e, link[strings.Index(link, "#"):])
	if got.Value != want.Value || got.Code != want.Code {
		t.Errorf("restored verdict %q %q, want %q %q", got.Value, got.Code, want.Value, want.Code)
	}
	if r := other.ruleText(); r != rule {
		t.Errorf("restored rule %q, want %q", r, rule)
	}
	if c := other.value(`[data-testid="cert-input"]`); c != cert {
		t.Errorf("restored certificate differs (%d bytes, want %d)", len(c), len(cert))
	}
	if a := other.value("#at"); a != testAt {
		t.Errorf("restored time %q, want %q", a, testAt)
	}
	if b := other.value(`[data-testid="bundle-input"]`); b != e.pki(t, "root.pem") {
		t.Errorf("restored bundle differs")
	}
	tb.noErrors()
	other.noErrors()
}

// hostileChain issues, under the test PKI's intermediate, a leaf whose CN and SAN
// are HTML.
func hostileChain(t *testing.T, e *siteEnv, cn, dns string) string {
	t.Helper()
	caPEM, _ := pem.Decode([]byte(e.pki(t, "intermediate.pem")))
	keyPEM, _ := pem.Decode([]byte(e.pki(t, "intermediate.key")))
	ca, err := x509.ParseCertificate(caPEM.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	caKey, err := x509.ParsePKCS8PrivateKey(keyPEM.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{`"><script>alert(1)</script>`}},
		DNSNames:     []string{dns},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) + e.pki(t, "intermediate.pem")
}

func TestHostileCertificateRendersAsText(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	cn := `<img src=x onerror="document.title='pwned';window.pwned=1">`
	dns := `<b id=bold>x</b>.example.com`
	tb.fill(`[data-testid="cert-input"]`, hostileChain(t, e, cn, dns))
	v = tb.verdictAfter(v.Seq)
	tb.typeRule(`CN.startsWith("<img")`)
	v = tb.verdictAfter(v.Seq)
	if v.Value != "true" {
		t.Errorf("verdict %q (%s %s), want true: the rule sees the CN verbatim", v.Value, v.Reason, v.Error)
	}
	if got := tb.text("#cn"); got != cn {
		t.Errorf("CN shown as %q, want %q as text", got, cn)
	}
	if got := tb.text(`[data-testid="san"]`); !strings.Contains(got, "DNS:"+dns) {
		t.Errorf("SAN shown as %q, want DNS:%s as text", got, dns)
	}
	tb.do(chromedp.Sleep(200 * time.Millisecond))
	injected := eval[struct {
		Img, Bold, Script int
		Pwned             bool
		Title             string
	}](tb, `({img: document.querySelectorAll("main img").length, bold: document.querySelectorAll("#bold").length,
		script: document.querySelectorAll("main script").length, pwned: !!window.pwned, title: document.title})`)
	if injected.Img != 0 || injected.Bold != 0 || injected.Script != 0 || injected.Pwned || strings.Contains(injected.Title, "pwned") {
		t.Errorf("certificate text became markup: %+v", injected)
	}
	tb.noErrors()
}

func TestPrivateKeyRefused(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, e.pki(t, "client-good-chain.pem")+e.pki(t, "client-good.key"))
	v = tb.verdictAfter(v.Seq)
	if got := tb.value(`[data-testid="cert-input"]`); strings.Contains(got, "PRIVATE KEY") {
		t.Error("the private key is still in the certificate box")
	}
	if n := tb.text("#cert-notice"); !strings.Contains(n, "private key") {
		t.Errorf("notice = %q, want an explanation", n)
	}
	if v.Code != "0" {
		t.Errorf("with the key removed, code %q (%s), want 0 for the certificate", v.Code, v.Reason)
	}
	tb.do(chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)
	decoded := eval[string](tb, fmt.Sprintf(`(async () => {
		const b = Uint8Array.fromBase64(%q, {alphabet: "base64url"});
		const s = new Blob([b]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
		return await new Response(s).text(); })()`, link[strings.Index(link, "#s=")+3:]))
	if strings.Contains(decoded, "PRIVATE KEY") || !strings.Contains(decoded, "BEGIN CERTIFICATE") {
		t.Errorf("share state = %.200q…, want the certificate and no key", decoded)
	}
	tb.noErrors()
}

func TestSamplesAndBundles(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	samples := eval[[]string](tb, `[...document.querySelectorAll("#sample option")].map(o => o.value)`)
	for _, id := range []string{"good", "expired", "serverauth", "untrusted", "spiffe", "email", "ip", "dn-escapes"} {
		found := false
		for _, s := range samples {
			found = found || s == id
		}
		if !found {
			t.Errorf("no sample %q among %v", id, samples)
		}
	}
	selectOption(tb, "#sample", "expired")
	v = tb.verdictAfter(v.Seq)
	if v.Code != "4018" {
		t.Errorf("expired sample: code %q (%s), want 4018", v.Code, v.Reason)
	}
	// Remove the only bundle: a client without a truststore.
	tb.do(chromedp.Click(chromedp.CSS(".bundle button")))
	v = tb.verdictAfter(v.Seq)
	if v.Code != "4016" {
		t.Errorf("no bundle: code %q (%s), want 4016", v.Code, v.Reason)
	}
	selectOption(tb, "#bundle-sample", "acme-root")
	v = tb.verdictAfter(v.Seq)
	if v.Code != "4018" {
		t.Errorf("bundle back: code %q (%s), want 4018", v.Code, v.Reason)
	}
	tb.noErrors()
}

func TestCompletionFromDeclarations(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.open(e, "")
	tb.do(
		chromedp.Click(chromedp.CSS(`[data-testid="rule-input"]`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("\b"),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="rule-input"]`), "cert.subject."),
	)
	// Keys arrive at the editor after SendKeys returns, and a list shown for an earlier
	// text can stay on screen while the next is computed: wait for the editor to hold
	// exactly cert.subject. and for a list that belongs to it. Its prefix (after the
	// last dot) is empty, so none of its labels has matched text; a list left from
	// "cert.subject" marks "subject", and one from "cert." was dropped when "subject"
	// was typed after it.
	labels := poll[[]string](tb, `(() => {
		if (`+readRuleText+` !== "cert.subject.") return null;
		const items = [...document.querySelectorAll(".cm-tooltip-autocomplete li")];
		if (!items.length || items.some(li => li.querySelector(".cm-completionMatchedText"))) return null;
		return items.map(li => li.querySelector(".cm-completionLabel").textContent);
	})()`, 10*time.Second)
	if !contains(labels, "dn") || !contains(labels, "cn") || contains(labels, "startsWith") {
		t.Errorf("completions after cert.subject. = %v, want the Name fields (dn, cn, …)", labels)
	}
	tb.noErrors()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDocsPages(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	for _, p := range []string{"docs/index.html", "docs/rules.html", "docs/names.html", "docs/codes.html"} {
		tb.do(chromedp.Navigate(e.srv.URL + "/" + p))
		if h1 := eval[string](tb, `document.querySelector("h1").textContent`); h1 == "" {
			t.Errorf("%s: no title", p)
		}
	}
	tb.do(chromedp.Navigate(e.srv.URL + "/docs/rules.html"))
	if decls := eval[int](tb, `document.querySelectorAll(".decl").length`); decls < 20 {
		t.Errorf("rule reference lists %d declarations, want every variable, field and function", decls)
	}
	tb.noErrors()
}

// --- measurements ------------------------------------------------------------------

type timings struct {
	FirstVerdict float64   `json:"first"`
	EngineStart  float64   `json:"engine"`
	Script       float64   `json:"script"`
	Compile      float64   `json:"compile"`
	GoStart      float64   `json:"gostart"`
	FirstCall    float64   `json:"firstcall"`
	EngineInit   float64   `json:"initat"`  // when the worker began loading the engine
	EngineReady  float64   `json:"readyat"` // when the engine was ready
	Changes      []float64 `json:"changes"`
	Paints       []float64 `json:"paints"`
	Engine       []float64 `json:"calls"`
	Render       []float64 `json:"render"`
}

const coldTimings = `(() => { const d = document.getElementById("main").dataset; return {
	first: performance.getEntriesByName("mtlsplay:first-verdict")[0].startTime,
	script: performance.getEntriesByName("mtlsplay:script-start")[0].startTime,
	engine: Number(d.engineStartMs), compile: Number(d.engineCompileMs), gostart: Number(d.engineGoStartMs), firstcall: Number(d.firstCallMs),
	initat: Number(d.engineInitAt), readyat: Number(d.engineReadyAt)}; })()`

// BenchmarkColdLoad measures a cold load (a fresh browser context: empty cache) of
// the exported site from a static file server on loopback, to the first verdict,
// once the browser is idle (see chromium.Settle).
// It reports the milliseconds after navigation, with the parts: the page's script
// start, the engine's fetch and compile, the Go program's start and the first call.
//
//	go test ./web/site -run '^$' -bench ColdLoad -benchtime 5x
func BenchmarkColdLoad(b *testing.B) {
	e := setup(b)
	var all []timings
	for i := 0; i < b.N; i++ {
		tb := e.newSettledTab(b)
		all = append(all, tb.coldOpen(e.srv.URL+"/"))
		tb.noErrors()
		tb.close() // see coldOpen
	}
	pick := func(f func(timings) float64) float64 {
		xs := make([]float64, len(all))
		for i, t := range all {
			xs[i] = f(t)
		}
		return median(xs)
	}
	b.ReportMetric(pick(func(t timings) float64 { return t.FirstVerdict }), "ms/first-verdict")
	b.ReportMetric(pick(func(t timings) float64 { return t.Script }), "ms/script-start")
	b.ReportMetric(pick(func(t timings) float64 { return t.Compile }), "ms/engine-fetch+compile")
	b.ReportMetric(pick(func(t timings) float64 { return t.GoStart }), "ms/go-start")
	b.ReportMetric(pick(func(t timings) float64 { return t.FirstCall }), "ms/first-call")
	b.ReportMetric(pick(func(t timings) float64 { return t.EngineInit }), "ms/engine-init-at")
	b.ReportMetric(pick(func(t timings) float64 { return t.EngineReady }), "ms/engine-ready-at")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkKeystroke types a rule one key at a time, waiting for each verdict, and
// reports the median and 95th percentile of the time from the key's input event to
// the verdict in the DOM and to the next painted frame, the median engine call inside
// the worker, and the page's rendering of the response (mtlsplay:render); and, for
// the page load it types into, the load's marks (ms/load-*, see loadMarks).
// MTLSPLAY_PROFILE=1 also logs the page's "prof:" measures, when a build adds them.
//
//	go test ./web/site -run '^$' -bench Keystroke -benchtime 40x
func BenchmarkKeystroke(b *testing.B) {
	e := setup(b)
	tb := e.newTab(b)
	v := tb.open(e, "")
	marks := tb.loadMarks() // reported at the end: ResetTimer drops metrics
	v = tb.setAt(v.Seq)
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="rule-input"]`)), chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.Sleep(500*time.Millisecond))
	eval[chromedp.Void](tb, `performance.clearMeasures()`)
	// Nodes the page adds or removes, counted; the main thread's CPU time in its
	// tasks, scripts, style and layout (threadTicks: what the page did, whatever else
	// runs on the machine).
	eval[chromedp.Void](tb, `window.__nodes = 0; new MutationObserver((rs) => { for (const r of rs) window.__nodes += r.addedNodes.length + r.removedNodes.length; }).observe(document.body, {subtree: true, childList: true})`)
	cpu := func() map[string]float64 {
		b.Helper()
		out := map[string]float64{}
		tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			m, err := chromedp.Call(ctx, performance.GetMetrics, cdp.Empty{})
			for _, x := range m.Metrics {
				out[x.Name] = x.Value
			}
			return err
		}))
		return out
	}
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, performance.Enable, performance.EnableParams{TimeDomain: performance.EnableTimeDomainThreadTicks})
		return err
	}))
	cpu0 := cpu()
	keys := ` && cert.subject.cn != "x"`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := string(keys[i%len(keys)])
		if i%len(keys) == 0 && i > 0 {
			k = "\n" // a fresh line, so the rule stays valid more often than not
		}
		if k == "\n" {
			tb.do(chromedp.KeyEvent("\x1b"), enter)
		} else {
			tb.do(chromedp.KeyEvent(k))
		}
		v = tb.verdictAwait(v.Seq)
	}
	b.StopTimer()
	cpu1 := cpu()
	tb.do(chromedp.Sleep(100 * time.Millisecond))
	perKey := func(name string) float64 { return (cpu1[name] - cpu0[name]) * 1000 / float64(b.N) }
	b.ReportMetric(perKey("TaskDuration"), "ms-cpu/key-main-thread")
	b.ReportMetric(perKey("ScriptDuration"), "ms-cpu/key-script")
	b.ReportMetric(perKey("RecalcStyleDuration")+perKey("LayoutDuration"), "ms-cpu/key-style+layout")
	b.ReportMetric(eval[float64](tb, `window.__nodes`)/float64(b.N), "nodes-changed/key")
	tm := eval[timings](tb, `({changes: performance.getEntriesByName("mtlsplay:change-to-verdict").map(m => m.duration), paints: performance.getEntriesByName("mtlsplay:change-to-paint").map(m => m.duration), calls: performance.getEntriesByName("mtlsplay:engine-call").map(m => m.duration), render: performance.getEntriesByName("mtlsplay:render").map(m => m.duration)})`)
	b.ReportMetric(median(tm.Changes), "ms/key-to-verdict")
	b.ReportMetric(percentile(tm.Changes, 90), "ms/key-to-verdict-p90")
	b.ReportMetric(percentile(tm.Changes, 95), "ms/key-to-verdict-p95")
	b.ReportMetric(median(tm.Paints), "ms/key-to-paint")
	b.ReportMetric(percentile(tm.Paints, 95), "ms/key-to-paint-p95")
	b.ReportMetric(median(tm.Engine), "ms/engine-call")
	b.ReportMetric(median(tm.Render), "ms/render")
	b.ReportMetric(percentile(tm.Render, 95), "ms/render-p95")
	b.ReportMetric(float64(len(tm.Changes)), "keys")
	for _, m := range marks {
		b.ReportMetric(m.ms, "ms/load-"+m.name)
	}
	if os.Getenv("MTLSPLAY_PROFILE") != "" {
		// The page's own measures of its steps (performance.measure names starting
		// "prof:"), when a build adds them for a profile.
		prof := eval[map[string][]float64](tb, `(() => { const o = {}; for (const m of performance.getEntriesByType("measure")) if (m.name.startsWith("prof:") || m.name === "mtlsplay:round-trip" || m.name === "mtlsplay:input-to-call") (o[m.name] ??= []).push(m.duration); return o; })()`)
		var line []string
		for k, xs := range prof {
			line = append(line, fmt.Sprintf("%s %.2f/%.2f", k, median(xs), percentile(xs, 95)))
		}
		sort.Strings(line)
		b.Logf("median/p95 of %d keys: %s", len(tm.Changes), strings.Join(line, "; "))
	}
	tb.noErrors()
}

// loadMarkNames are the marks of the default page's load that BenchmarkKeystroke
// reports (web/README.md "Timings"): the share link's (mtlsplay:link-fields,
// mtlsplay:link-verdict) are not made for the default page.
var loadMarkNames = []string{"first-paint-verdict", "inspector-ready", "chain-verdict", "first-verdict", "rule-engine-ready"}

type loadMark struct {
	name string
	ms   float64
}

// loadMarks waits until the page has made the marks of its load that every build
// makes (the rule engine ready, the first verdict, a complete verdict on screen) and
// returns those of loadMarkNames it made, in ms after navigation on the page's own
// clock (performance.now()).
func (tb *tab) loadMarks() []loadMark {
	tb.t.Helper()
	names, _ := json.Marshal(loadMarkNames)
	at := poll[map[string]float64](tb, fmt.Sprintf(`(() => {
		const at = (n) => performance.getEntriesByName("mtlsplay:" + n)[0]?.startTime;
		if (at("rule-engine-ready") === undefined || at("first-verdict") === undefined || at("first-paint-verdict") === undefined) return null;
		const o = {};
		for (const n of %s) if (at(n) !== undefined) o[n] = at(n);
		return o;
	})()`, names), 30*time.Second)
	var out []loadMark
	for _, n := range loadMarkNames {
		if ms, ok := at[n]; ok {
			out = append(out, loadMark{n, ms})
		}
	}
	return out
}

// TestLoadMarks checks the marks BenchmarkKeystroke reports of a load: all made, on
// the page's clock after navigation, and in the order of the page's design (the HTML's
// verdict painted before the engine's first verdict, which follows the inspector).
func TestLoadMarks(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.open(e, "")
	at := map[string]float64{}
	for _, m := range tb.loadMarks() {
		at[m.name] = m.ms
	}
	for _, n := range loadMarkNames {
		if ms, ok := at[n]; !ok || ms <= 0 || ms > 60000 {
			t.Errorf("mark mtlsplay:%s at %v ms (made: %v), want a time after navigation", n, ms, ok)
		}
	}
	if at["first-paint-verdict"] >= at["first-verdict"] {
		t.Errorf("first paint with a verdict at %.1f ms, not before the engine's first verdict at %.1f ms: the HTML carries it", at["first-paint-verdict"], at["first-verdict"])
	}
	if at["inspector-ready"] > at["chain-verdict"] {
		t.Errorf("inspector ready at %.1f ms, after the first verdict it drew at %.1f ms", at["inspector-ready"], at["chain-verdict"])
	}
	tb.noErrors()
}

func median(xs []float64) float64 { return percentile(xs, 50) }

func percentile(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return s[min(len(s)*p/100, len(s)-1)]
}

func stats(xs []float64) string {
	if len(xs) == 0 {
		return "no samples"
	}
	return fmt.Sprintf("median %.1f ms, p90 %.1f ms, max %.1f ms (%d)", median(xs), percentile(xs, 90), percentile(xs, 100), len(xs))
}

// measuring skips the comparative measurements unless MTLSPLAY_MEASURE is set: they
// assert nothing and take a minute.
func measuring(t *testing.T) {
	if os.Getenv("MTLSPLAY_MEASURE") == "" {
		t.Skip("set MTLSPLAY_MEASURE=1 to log the measurements")
	}
}

// selectOption picks an option of a <select> as a person would, by value.
func selectOption(tb *tab, sel, value string) {
	tb.t.Helper()
	eval[chromedp.Void](tb, fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.focus(); s.value = %q; s.dispatchEvent(new Event("change", {bubbles: true})); })()`, sel, value))
}

// TestMeasureEngineOps logs how long each engine operation takes inside the worker
// (median of repeated calls, each with a different rule so nothing is cached).
func TestMeasureEngineOps(t *testing.T) {
	measuring(t)
	e := setup(t)
	tb := e.newTab(t)
	tb.open(e, "")
	cert, _ := json.Marshal(e.pki(t, "client-good-chain.pem"))
	root, _ := json.Marshal(e.pki(t, "root.pem"))
	res := eval[map[string][]float64](tb, fmt.Sprintf(`(async () => {
		const main = document.getElementById("main");
		const w = new Worker(main.dataset.worker);
		const wasm = new URL(main.dataset.wasm, document.baseURI).href;
		let next = 0; const waiting = new Map();
		const ready = new Promise(r => { w.onmessage = ev => { const m = ev.data;
			if (m.type === "ready") r(); else if (m.type === "result") { waiting.get(m.id)(m); waiting.delete(m.id); } }; });
		w.postMessage({type: "init", url: wasm});
		await ready;
		const call = (op, req) => new Promise(r => { const id = ++next; waiting.set(id, r); w.postMessage({type: "call", id, op, request: JSON.stringify(req)}); });
		const cert = %s, root = %s, out = {};
		// The first call of each kind on a fresh engine: compile builds the CEL environment.
		for (const op of ["compile", "inspect", "eval", "decide"]) {
			const m = await call(op, {certificates: cert, bundles: [{name: "root", pem: root}], rule: 'CN == "first"', at: %q});
			out["first " + op] = [m.ms];
		}
		for (const op of ["inspect", "compile", "eval", "decide"]) {
			out[op] = [];
			for (let i = 0; i < 25; i++) {
				const rule = 'CN == "client.example.com" && SAN.exists(s, s.startsWith("URI:spiffe://example.com/' + op + i + '"))';
				const m = await call(op, {certificates: cert, bundles: [{name: "root", pem: root}], rule, at: %q});
				out[op].push(m.ms);
			}
		}
		w.terminate();
		return out; })()`, cert, root, testAt, testAt))
	for _, op := range []string{"compile", "inspect", "eval", "decide"} {
		t.Logf("engine %-7s in the worker: first call %.1f ms; then %s", op, res["first "+op][0], stats(res[op][1:]))
	}
	tb.noErrors()
}

// TestScreenshots writes screenshots of the playground (light, dark, phone) into
// $MTLSPLAY_SCREENSHOTS, for a person to look at; it is skipped without it.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("MTLSPLAY_SCREENSHOTS")
	if dir == "" {
		t.Skip("set MTLSPLAY_SCREENSHOTS=DIR to write screenshots")
	}
	e := setup(t)
	for _, s := range []struct {
		name          string
		width, height int64
		dark, mobile  bool
	}{{"light", 1280, 1500, false, false}, {"dark", 1280, 1500, true, false}, {"phone", 390, 2400, false, true}} {
		tb := e.newTab(t)
		scheme := "light"
		if s.dark {
			scheme = "dark"
		}
		tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: s.width, Height: s.height, DeviceScaleFactor: 1, Mobile: s.mobile})
			return err
		}))
		v := tb.open(e, "")
		v = tb.setAt(v.Seq)
		shot := func(name string) {
			tb.do(chromedp.Sleep(300 * time.Millisecond))
			png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		shot(s.name)
		// A formula with a warning, on a sample with findings.
		selectOption(tb, "#sample", "leaf-only")
		v = tb.verdictAfter(v.Seq)
		tb.pasteRule(`SAN.include?("api.example.com") or CN.include?("client")`)
		tb.verdictAfter(v.Seq)
		shot(s.name + "-formula")
	}
}

// TestMeasureLoad compares ways to ship the engine, cold (a fresh browser context
// each time, once the browser is idle): the exported site as any static host serves it (engine.wasm.gz,
// decompressed by the page with DecompressionStream), and engine.wasm served with
// Content-Encoding br or gzip (as site.Handler does) or uncompressed.
func TestMeasureLoad(t *testing.T) {
	measuring(t)
	e := setup(t)
	br, err := os.ReadFile(filepath.Join(e.dir, "assets", "engine.wasm.br"))
	brNote := "(the build's brotli -q 11)"
	if err != nil {
		raw, err := os.ReadFile(filepath.Join(e.dir, "assets", "engine.wasm"))
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		w := brotli.NewWriterLevel(&b, 6)
		w.Write(raw)
		w.Close()
		br, brNote = b.Bytes(), "(brotli -q 6 made by the test: the test build skips -q 11)"
	}
	variants := []struct {
		name, encoding string
	}{
		{"static host, engine.wasm.gz + DecompressionStream", "static"},
		{"engine.wasm, Content-Encoding: br " + brNote, "br"},
		{"engine.wasm, Content-Encoding: gzip", "gzip"},
		{"engine.wasm, uncompressed", "identity"},
	}
	first := make([][]float64, len(variants))
	start := make([][]float64, len(variants))
	servers := make([]*httptest.Server, len(variants))
	for i, v := range variants {
		h := http.Handler(http.FileServer(http.Dir(e.dir)))
		if v.encoding != "static" {
			h = wasmVariant(t, e.dir, v.encoding, br)
		}
		servers[i] = httptest.NewServer(h)
		defer servers[i].Close()
	}
	// Interleaved rounds, so a busy moment of the machine hits every variant alike.
	for round := 0; round < 5; round++ {
		for i := range variants {
			tb := e.newSettledTab(t)
			tm := tb.coldOpen(servers[i].URL + "/")
			first[i] = append(first[i], tm.FirstVerdict)
			start[i] = append(start[i], tm.Compile)
			tb.noErrors()
			tb.close() // see coldOpen
		}
	}
	for i, v := range variants {
		t.Logf("%s: first verdict %s; engine fetch+compile %s", v.name, stats(first[i]), stats(start[i]))
	}
}

// wasmVariant serves the exported site with the page pointed at assets/engine.wasm,
// sent with the given Content-Encoding.
func wasmVariant(t *testing.T, dir, encoding string, br []byte) http.Handler {
	index, err := os.ReadFile(filepath.Join(dir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	index = regexp.MustCompile(`data-wasm="assets/engine\.wasm\.gz[^"]*"`).ReplaceAll(index, []byte(`data-wasm="assets/engine.wasm"`))
	var body []byte
	switch encoding {
	case "br":
		body = br
	case "gzip":
		body, err = os.ReadFile(filepath.Join(dir, "assets", "engine.wasm.gz"))
	default:
		body, err = os.ReadFile(filepath.Join(dir, "assets", "engine.wasm"))
	}
	if err != nil {
		t.Fatal(err)
	}
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/", "/index.html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(index)
		case "/assets/engine.wasm":
			w.Header().Set("Content-Type", "application/wasm")
			if encoding != "identity" {
				w.Header().Set("Content-Encoding", encoding)
			}
			w.Write(body)
		default:
			files.ServeHTTP(w, r)
		}
	})
}

// TestTimeoutRestartsEngine gives the engine 1 ms per call: the call is stopped, the
// page says so, and a new worker answers once the limit is back to normal.
func TestTimeoutRestartsEngine(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.typeRule(`CN == "client.example.com"`)
	v = tb.verdictAfter(v.Seq)
	eval[chromedp.Void](tb, `document.getElementById("main").dataset.timeoutMs = "1"`)
	// One change, one call that takes long enough (a rule with a thousand-element
	// list) that the 1 ms timer surely fires first.
	var list []string
	for i := 0; i < 1000; i++ {
		list = append(list, fmt.Sprintf(`"n%d"`, i))
	}
	tb.do(chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"))
	v = tb.verdictAfter(v.Seq)
	tb.do(insertText("CN in [" + strings.Join(list, ",") + "]"))
	v = tb.verdictAfter(v.Seq)
	if v.Value != "error" || !strings.Contains(v.Error, "longer than") {
		t.Errorf("with a 1 ms limit: verdict %q, error %q; want an error saying the engine was stopped", v.Value, v.Error)
	}
	eval[chromedp.Void](tb, `document.getElementById("main").dataset.timeoutMs = "5000"`)
	tb.do(chromedp.KeyEvent("\x1b"), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"))
	v = tb.verdictAfter(v.Seq)
	tb.do(chromedp.SendKeys(chromedp.CSS(`[data-testid="rule-input"]`), `CN == "client.example.com"`))
	v = tb.verdictAfter(v.Seq)
	if v.Value != "true" || v.Code != "0" {
		t.Errorf("after the restart: verdict %q code %q (%s), want true 0", v.Value, v.Code, v.Error)
	}
	if n := eval[string](tb, `document.getElementById("verdict").dataset.restarts || "0"`); n == "0" {
		t.Error("the engine was not restarted")
	}
	tb.noErrors()
}

// TestEngineStopRestarts ends the engine's Go program, as a bug or running out of
// memory would, in the two ways a test can from inside the worker: the engine's
// function answers undefined (what wasm_exec's wrapper answers once the program has
// ended) in the middle of a call, and the worker's own "exit" message between calls.
// The page starts a new engine that evaluates again; an engine that stops four
// times within a minute is left stopped, and the page says to reload it.
func TestEngineStopRestarts(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	workers := make(chan target.ID, 8)
	attached := chromedp.Events(tb.ctx, target.AttachedToTarget)
	go func() {
		for ev, err := range attached {
			if err != nil {
				return
			}
			if ev.TargetInfo.Type == "worker" {
				workers <- ev.TargetInfo.TargetID
			}
		}
	}()
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	// nextWorker attaches to the next engine worker the page starts and waits until
	// its engine runs; inWorker runs js there.
	nextWorker := func() context.Context {
		t.Helper()
		var id target.ID
		select {
		case id = <-workers:
		case <-time.After(30 * time.Second):
			t.Fatal("no engine worker started")
		}
		wctx, cancel := chromedp.NewContext(tb.ctx, chromedp.WithTargetID(id), chromedp.WithDetachOnCancel())
		t.Cleanup(cancel)
		// Polled from here: chromedp.Poll needs a page.
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			running, err := chromedp.Run(wctx, chromedp.Evaluate[bool](`typeof mtlsplay === "object"`))
			if err != nil {
				t.Fatalf("in the worker: %v", err)
			}
			if running {
				return wctx
			}
			if time.Now().After(deadline) {
				t.Fatal("the engine did not start in the new worker")
			}
		}
	}
	inWorker := func(wctx context.Context, js string) {
		t.Helper()
		if _, err := chromedp.Run(wctx, chromedp.Evaluate[bool](js+`, true`)); err != nil {
			t.Fatalf("in the worker: %v", err)
		}
	}
	restarts := func() string {
		return eval[string](tb, `document.getElementById("verdict").dataset.restarts || "0"`)
	}
	clearRule := func() {
		tb.do(chromedp.Click(chromedp.CSS(`[data-testid="rule-input"]`)), chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent("\b"))
	}

	// The program ends in a call: that change gets an error that says what happened.
	inWorker(nextWorker(), `mtlsplay.call = () => undefined`)
	clearRule()
	v = tb.verdictAfter(v.Seq)
	if v.Value != "error" || !strings.Contains(v.Error, "stopped unexpectedly and was started again") {
		t.Errorf("a call whose engine ended: verdict %q, error %q; want an error saying the engine was started again", v.Value, v.Error)
	}
	if n := restarts(); n != "1" {
		t.Errorf("restarts = %s, want 1", n)
	}
	w := nextWorker() // the new engine, running
	tb.do(insertText(`CN == "client.example.com"`))
	v = tb.verdictAfter(v.Seq)
	if v.Value != "true" || v.Code != "0" {
		t.Errorf("after a restart: verdict %q code %q (%s), want true 0", v.Value, v.Code, v.Error)
	}

	// The program ends between calls, three more times.
	for i := 2; i <= 4; i++ {
		if i > 2 {
			w = nextWorker()
		}
		inWorker(w, `postMessage({ type: "exit" })`)
		if i < 4 {
			poll[bool](tb, fmt.Sprintf(`document.getElementById("verdict").dataset.restarts === "%d"`, i), 10*time.Second)
		}
	}
	clearRule()
	v = tb.verdictAfter(v.Seq)
	if v.Value != "error" || !strings.Contains(v.Error, "4 times within a minute") || !strings.Contains(v.Error, "reload the page") {
		t.Errorf("after the fourth stop: verdict %q, error %q; want an error saying to reload the page", v.Value, v.Error)
	}
	if n := restarts(); n != "3" {
		t.Errorf("restarts = %s, want 3 (none after the fourth stop)", n)
	}
	tb.noErrors()
}

// TestTryItLink follows a "try it" link of the rule reference: the playground opens
// with the example as its rule and the default sample.
func TestTryItLink(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.do(chromedp.Navigate(e.srv.URL + "/docs/rules.html"))
	href := eval[string](tb, `document.querySelector(".decl a[href*='#s=']").getAttribute("href")`)
	example := eval[string](tb, `document.querySelector(".decl a[href*='#s=']").closest(".decl").querySelector("pre").textContent`)
	// Follow it as the browser resolves it (a click's navigation would race the poll).
	tb.do(chromedp.Navigate(eval[string](tb, `document.querySelector(".decl a[href*='#s=']").href`)))
	v := tb.verdictAfter(0)
	if got := tb.ruleText(); got != example {
		t.Errorf("try it (%s): rule %q, want %q", href, got, example)
	}
	if v.Value == "" || !strings.Contains(tb.text(`[data-testid="dn"]`), "client.example.com") {
		t.Errorf("try it: verdict %+v, dn %q; want the default sample evaluated", v, tb.text(`[data-testid="dn"]`))
	}
	tb.noErrors()
}

// TestBareKeyRefusedByEngine pastes a private key as bare base64 (no PEM armour, so
// only the engine recognises it): the box is cleared and the page says why.
func TestBareKeyRefusedByEngine(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	block, _ := pem.Decode([]byte(e.pki(t, "client-good.key")))
	bare := base64.StdEncoding.EncodeToString(block.Bytes)
	tb.fill(`[data-testid="cert-input"]`, bare)
	v = tb.verdictAfter(v.Seq)
	got := poll[string](tb, `document.getElementById("cert-notice").textContent || null`, 10*time.Second)
	if !strings.Contains(got, "private key") {
		t.Errorf("notice = %q, want the engine's refusal", got)
	}
	if val := tb.value(`[data-testid="cert-input"]`); val != "" {
		t.Errorf("the certificate box still holds %d characters of the key", len(val))
	}
	tb.noErrors()
}

// TestDeceptiveCharactersShown: a CN that displays as "example.com" but holds a
// RIGHT-TO-LEFT OVERRIDE is shown with the character marked and isolated, the DN
// keeps its exact text for rules and copying, and the finding names the character.
func TestDeceptiveCharactersShown(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	cn := "\u202Emoc.elpmaxe"
	tb.fill(`[data-testid="cert-input"]`, hostileChain(t, e, cn, "example.com"))
	v = tb.verdictAfter(v.Seq)
	if got := tb.text("#cn"); got != cn {
		t.Errorf("CN text %q, want the exact %q", got, cn)
	}
	if got := tb.text(`[data-testid="dn"]`); !strings.HasPrefix(got, "CN="+cn+",") {
		t.Errorf("DN text %q, want it to start with CN=%q", got, cn)
	}
	marked := eval[struct {
		CN, DN  int
		CP      string
		Isolate string
		Label   string
	}](tb, `(() => { const s = document.querySelector("#cn .deceptive"); const cs = s && getComputedStyle(s);
		return {cn: document.querySelectorAll("#cn .deceptive").length, dn: document.querySelectorAll('[data-testid="dn"] .deceptive').length,
			cp: s ? s.dataset.cp : "", isolate: cs ? cs.unicodeBidi : "", label: s ? getComputedStyle(s, "::before").content : ""}; })()`)
	if marked.CN != 1 || marked.DN != 1 || marked.CP != "U+202E" || marked.Isolate != "isolate" || !strings.Contains(marked.Label, "U+202E") {
		t.Errorf("the override is not marked and isolated: %+v", marked)
	}
	if got := tb.text(`[data-finding-id="deceptive_text"]`); !strings.Contains(got, "CN=<U+202E>moc.elpmaxe") {
		t.Errorf("finding deceptive_text shows %q, want the CN with <U+202E>", got)
	}
	tb.noErrors()
}

// TestRuleEditableBeforeEngine holds the engine's download back: until the engine is
// up the rule shows as plain text (the editor is made after, so that making it does not
// take the CPU from the download and compile), and a person who clicks it gets the
// editor at once, with the cursor at the end; what they type is the rule evaluated
// once the engine is up.
func TestRuleEditableBeforeEngine(t *testing.T) {
	e := setup(t)
	release := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(release) }) }
	files := http.FileServer(http.Dir(e.dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "engine.wasm") {
			select {
			case <-release:
			case <-r.Context().Done():
				return
			}
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer open() // before Close, which waits for the held request

	tb := e.newTab(t)
	tb.do(chromedp.Navigate(srv.URL + "/"))
	stand := poll[string](tb, `(() => { const s = document.querySelector('.rule-standin[data-testid="rule-input"]'); return s && s.textContent; })()`, 10*time.Second)
	if !strings.HasPrefix(stand, `CN == "client.example.com"`) {
		t.Errorf("before the engine is up the rule reads %q, want the sample rule", stand)
	}
	if eval[bool](tb, `!!document.querySelector(".cm-editor")`) {
		t.Error("the editor was made while the engine was still loading")
	}
	standH := eval[float64](tb, `document.querySelector(".rule-standin").getBoundingClientRect().height`)
	tb.do(chromedp.Click(chromedp.CSS(".rule-standin")))
	poll[bool](tb, `!!document.activeElement && !!document.activeElement.closest(".cm-editor") && !document.querySelector(".rule-standin")`, 5*time.Second)
	if editorH := eval[float64](tb, `document.querySelector(".cm-editor").getBoundingClientRect().height`); math.Abs(editorH-standH) > 0.5 {
		t.Errorf("the rule's box is %.1f px high as plain text and %.1f px as the editor: the page jumps", standH, editorH)
	}
	tb.do(chromedp.KeyEvent(` && CN == "x"`), chromedp.KeyEvent("\x1b"))
	open()
	v := tb.verdictAfter(0)
	if got := tb.ruleText(); !strings.HasSuffix(got, `.startsWith("URI:spiffe://example.com/")) && CN == "x"`) {
		t.Errorf("the rule after typing before the engine was up: %q", got)
	}
	if v.Value != "false" || v.Code != "4019" { // the sample rule alone is true
		t.Errorf("verdict %q code %q (%s), want false 4019: the rule typed", v.Value, v.Code, v.Error)
	}
	tb.noErrors()
}

// TestUnreadableShareLink opens a link whose state is damaged (cut short, as chat
// programs do): the page opens with the sample, evaluated, and says why in the share
// box, where the verdict that follows does not hide it.
func TestUnreadableShareLink(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "#s=H4sIAAAAAAAA")
	if v.Value != "true" || v.Code != "0" {
		t.Errorf("with an unreadable link: verdict %q code %q (%s), want the sample's true 0", v.Value, v.Code, v.Error)
	}
	status := eval[string](tb, `document.getElementById("share-box").hidden ? "" : document.getElementById("share-status").textContent`)
	if !strings.Contains(status, "could not be read") || !strings.Contains(status, "sample instead") {
		t.Errorf("share box says %q, want why the link was not read", status)
	}
	if v.Error != "" {
		t.Errorf("error slot says %q, want it empty: the verdict is the sample's", v.Error)
	}
	tb.noErrors()

	// A whole link from a newer playground is not blamed on being cut short.
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write([]byte(`{"v":2,"r":"true"}`))
	fw.Close()
	newer := e.newTab(t)
	newer.open(e, "#s="+base64.RawURLEncoding.EncodeToString(z.Bytes()))
	status = eval[string](newer, `document.getElementById("share-box").hidden ? "" : document.getElementById("share-status").textContent`)
	if !strings.Contains(status, "newer version") || strings.Contains(status, "cut short") {
		t.Errorf("share box says %q for a newer link, want that it is newer and no advice about cut links", status)
	}
	newer.noErrors()
}

// TestEngineScriptMissing serves the site without the engine's worker script, and
// app.js late: the worker fails before the page's script adopts it, and the page says
// so instead of waiting for the engine for ever.
func TestEngineScriptMissing(t *testing.T) {
	e := setup(t)
	files := http.FileServer(http.Dir(e.dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/worker.js"):
			http.NotFound(w, r)
			return
		case strings.HasSuffix(r.URL.Path, "/app.js"):
			time.Sleep(time.Second)
		}
		files.ServeHTTP(w, r)
	}))
	defer srv.Close()
	tb := e.newTab(t)
	tb.do(chromedp.Navigate(srv.URL + "/"))
	msg := poll[string](tb, `(() => { const e = document.querySelector('[data-testid="error"]'); return e && !e.hidden && e.textContent; })()`, 15*time.Second)
	if !strings.Contains(msg, "failed to start") {
		t.Errorf("error %q, want one saying the engine failed to start", msg)
	}
	if v := tb.current(); v.Value != "error" {
		t.Errorf("verdict %q, want error", v.Value)
	}
}

// TestRuleErrorKeepsFields types a rule that does not compile yet after a verdict: the
// certificate's fields and findings stay as the verdict showed them, without a call to
// parse the certificate again (it cost a call and made the fields flicker).
func TestRuleErrorKeepsFields(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	cn, findings := tb.text("#cn"), tb.text(`[data-testid="findings"]`)
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="rule-input"]`)), chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)), chromedp.KeyEvent(" &&"), chromedp.KeyEvent("\x1b"))
	for v.Value != "error" && v.Seq < 10 { // a verdict for each key, or fewer
		v = tb.verdictAfter(v.Seq)
	}
	if v.Value != "error" || !strings.Contains(v.Error, ":") {
		t.Fatalf("after typing an incomplete rule (%q): verdict %q error %q, want a compile error", tb.ruleText(), v.Value, v.Error)
	}
	if n := eval[int](tb, `performance.getEntriesByName("mtlsplay:call:inspect").length`); n != 0 {
		t.Errorf("%d inspect calls for a rule error, want none: the verdict's fields serve", n)
	}
	if got := tb.text("#cn"); got != cn {
		t.Errorf("CN shows %q after the rule error, want %q as before", got, cn)
	}
	if got := tb.text(`[data-testid="findings"]`); got != findings {
		t.Errorf("findings show %q after the rule error, want %q as before", got, findings)
	}
	tb.noErrors()
}

// TestBareKeyInSecondBundle: a private key in bare base64 (no PEM lines, so only the
// engine can tell) pasted as the second of two bundles with the same name clears
// that bundle and no other.
func TestBareKeyInSecondBundle(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	root := tb.value(`[data-testid="bundle-input"]`)
	tb.do(chromedp.Click(chromedp.CSS("#add-bundle")))
	poll[bool](tb, `document.querySelectorAll(".bundle").length === 2`, 5*time.Second)
	name := eval[string](tb, `document.querySelector(".bundle .bundle-name").value`)
	block, _ := pem.Decode([]byte(e.pki(t, "client-good.key")))
	tb.fill(`.bundle:nth-child(2) .bundle-name`, name)
	tb.fill(`.bundle:nth-child(2) textarea`, base64.StdEncoding.EncodeToString(block.Bytes))
	v = tb.verdictAfter(v.Seq)
	got := poll[string](tb, `document.getElementById("cert-notice").textContent || null`, 10*time.Second)
	if !strings.Contains(got, "private key") || !strings.Contains(got, "has been cleared") {
		t.Errorf("notice = %q, want the engine's refusal and the bundle cleared", got)
	}
	boxes := eval[[]string](tb, `[...document.querySelectorAll(".bundle textarea")].map(t => t.value)`)
	if len(boxes) != 2 || boxes[0] != root || boxes[1] != "" {
		t.Errorf("bundles after the refusal: %d, first kept %v, second %d characters; want the first kept and the second cleared", len(boxes), len(boxes) > 0 && boxes[0] == root, len(boxes[len(boxes)-1]))
	}
	tb.noErrors()
}

// fatalRecorder is a testing.TB whose Fatalf records its message and stops the
// call (a panic the caller recovers), for a test of a helper's failure.
type fatalRecorder struct {
	testing.TB
	msg string
}

type stopped struct{}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(stopped{})
}

// TestPollWaitsInPage checks poll's in-page wait: it sees a DOM change at once, a
// change that is no DOM change (a property) by its backstop, a promise's value, and on
// timeout fails saying what it saw last.
func TestPollWaitsInPage(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.do(chromedp.Navigate(e.srv.URL + "/docs/index.html"))
	eval[chromedp.Void](tb, `setTimeout(() => document.body.dataset.pollTest = "dom", 300)`)
	if got := poll[string](tb, `document.body.dataset.pollTest`, 5*time.Second); got != "dom" {
		t.Errorf("poll for a DOM attribute = %q, want dom", got)
	}
	eval[chromedp.Void](tb, `window.pollTest = 0; setTimeout(() => window.pollTest = 7, 300)`)
	if got := poll[int](tb, `window.pollTest`, 5*time.Second); got != 7 {
		t.Errorf("poll for a property = %d, want 7", got)
	}
	if got := poll[string](tb, `new Promise(r => setTimeout(() => r("later"), 100))`, 5*time.Second); got != "later" {
		t.Errorf("poll for a promise = %q, want later", got)
	}
	rec := &fatalRecorder{TB: t}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(stopped); !ok {
					panic(r)
				}
			}
		}()
		start := time.Now()
		poll[bool](&tab{ctx: tb.ctx, t: rec, console: tb.console}, `window.pollTest === 8 || (window.pollTest === 7 ? "" : null)`, 500*time.Millisecond)
		t.Errorf("poll returned after %v for an expression never true", time.Since(start))
	}()
	if !strings.Contains(rec.msg, `not true after 500ms; last seen: ""`) {
		t.Errorf("poll's timeout says %q, want what it saw last", rec.msg)
	}
	tb.noErrors()
}
