package site_test

// Real-browser tests of the formula dialect, the rule's lint warnings and their quick
// fixes, the findings, the samples' clock and the pages rendered from docs/*.md.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// pasteRule replaces the rule as a paste does: one insertion of the whole text.
func (tb *tab) pasteRule(rule string) {
	tb.t.Helper()
	tb.do(
		chromedp.Click(chromedp.CSS(`[data-testid="rule-input"]`)),
		chromedp.KeyEvent("a", chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.KeyEvent("\b"),
		insertText(rule),
		chromedp.KeyEvent("\x1b"), // close a completion popup, if any
	)
}

// within runs a browser step bounded by d and returns its error, for a step that
// may fail and be tried again.
func within[T any](tb *tab, d time.Duration, a chromedp.Action[T]) error {
	ctx, cancel := context.WithTimeout(tb.ctx, d)
	defer cancel()
	_, err := chromedp.Run(ctx, a)
	return err
}

// hover moves the mouse to the middle of the first element that sel matches.
func (tb *tab) hover(sel string) {
	tb.t.Helper()
	pt := eval[struct{ X, Y float64 }](tb, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`, sel))
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{Type: input.DispatchMouseEventTypeMouseMoved, X: pt.X, Y: pt.Y})
		return err
	}))
}

type ruleInfo struct {
	Dialect     string   `json:"dialect"`
	Translation string   `json:"translation"`
	Shown       bool     `json:"shown"`
	Warnings    []string `json:"warnings"`
	Marks       int      `json:"marks"`
	Matched     []string `json:"matched"`
}

const readRuleInfo = `(() => ({
  dialect: document.getElementById("dialect-used").dataset.dialect,
  translation: document.querySelector('[data-testid="cel-translation"]').textContent,
  shown: !document.getElementById("translation").hidden,
  warnings: [...document.querySelectorAll('[data-testid="rule-warnings"] li')].map(li => li.dataset.lintId),
  marks: document.querySelectorAll(".cm-lintRange-warning").length,
  matched: [...document.querySelectorAll('[data-testid="san"] li.match code')].map(c => c.textContent),
}))()`

func TestFormulaShowsItsCEL(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	if at := tb.value("#at"); at != testAt {
		t.Errorf("the sample opens evaluated at %q, want the sample PKI's clock %s", at, testAt)
	}
	formula := `SAN.include?("Email:ops@example.com")`
	tb.pasteRule(formula)
	v = tb.verdictAfter(v.Seq)
	if v.Value != "true" || v.Code != "0" {
		t.Fatalf("%s on the good sample: verdict %q code %q (%s %s), want true 0", formula, v.Value, v.Code, v.Reason, v.Error)
	}
	info := eval[ruleInfo](tb, readRuleInfo)
	if info.Dialect != "workato" || !info.Shown || info.Translation != `"Email:ops@example.com" in SAN` {
		t.Errorf("%s: read as %q, translation shown %v %q; want workato and \"Email:ops@example.com\" in SAN", formula, info.Dialect, info.Shown, info.Translation)
	}
	if len(info.Warnings) != 0 || info.Marks != 0 {
		t.Errorf("%s: warnings %v (%d marks), want none", formula, info.Warnings, info.Marks)
	}
	// What decided it, from the engine's "matched" list.
	if len(info.Matched) != 1 || info.Matched[0] != "Email:ops@example.com" {
		t.Errorf("SAN entries highlighted = %q, want the Email entry", info.Matched)
	}

	// Focusing a sub-expression of the explanation marks its CEL in the translation.
	eval[chromedp.Void](tb, `document.querySelector('#explain li[data-start="0"][data-end="3"]').focus()`)
	if got := poll[string](tb, `(() => { const m = document.querySelector("#cel-translation mark"); return m && m.textContent; })()`, 5*time.Second); got != "SAN" {
		t.Errorf("focusing SAN in the explanation marks %q in the CEL, want SAN", got)
	}

	// "Use the CEL" replaces the formula with its translation, which decides the same.
	tb.do(chromedp.Click(chromedp.CSS("#use-cel")))
	v = tb.verdictAfter(v.Seq)
	if got := tb.ruleText(); got != `"Email:ops@example.com" in SAN` {
		t.Errorf("after Use the CEL, the rule is %q", got)
	}
	info = eval[ruleInfo](tb, readRuleInfo)
	if v.Value != "true" || info.Dialect != "cel" || info.Shown {
		t.Errorf("after Use the CEL: verdict %q, read as %q, translation shown %v; want true, cel, hidden", v.Value, info.Dialect, info.Shown)
	}
	tb.noErrors()
}

func TestLintWarningQuickFix(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	const bad, fixed = `SAN.include?("api.example.com")`, `SAN.include?("DNS:api.example.com")`

	t.Run("editor action", func(t *testing.T) {
		tb.t = t
		tb.pasteRule(bad)
		v = tb.verdictAfter(v.Seq)
		if v.Value != "false" || v.Code != "4019" {
			t.Fatalf("%s: verdict %q code %q (%s %s), want false 4019", bad, v.Value, v.Code, v.Reason, v.Error)
		}
		poll[bool](tb, `document.querySelectorAll(".cm-lintRange-warning").length > 0 || null`, 5*time.Second)
		if info := eval[ruleInfo](tb, readRuleInfo); len(info.Warnings) != 1 || info.Warnings[0] != "san_no_prefix" {
			t.Errorf("warnings listed = %v, want [san_no_prefix]", info.Warnings)
		}
		if n := eval[int](tb, `document.querySelectorAll(".cm-lintRange-error").length`); n != 0 {
			t.Errorf("%d error marks: a warning must not be shown as an error", n)
		}
		// Hovering the marker shows the diagnostic with its quick fix. The tooltip is
		// CodeMirror's hover tooltip, which closes when the pointer leaves it or the
		// diagnostics are set again, so a click can find it gone (once in a CI run:
		// no new verdict in 30 s). Hover and click again until the rule changes, a
		// bounded number of times; each attempt checks the message.
		const attempts = 5
		applied := false
		for i := 1; i <= attempts && !applied; i++ {
			if i > 1 && tb.ruleText() == fixed {
				applied = true // the last click landed after all, later than the wait
				break
			}
			tb.hover(".cm-lintRange-warning")
			msg := poll[string](tb, `(() => { const d = document.querySelector(".cm-tooltip-lint .cm-diagnostic-warning"); return d && d.textContent; })()`, 5*time.Second)
			if !strings.Contains(msg, "no type prefix") {
				t.Fatalf("diagnostic says %q, want the lint's message", msg)
			}
			if err := within(tb, 3*time.Second, chromedp.Click(chromedp.CSS(".cm-tooltip-lint .cm-diagnosticAction"))); err != nil {
				t.Logf("attempt %d: the quick fix was gone before the click: %v", i, err)
			}
			applied = within(tb, 5*time.Second, chromedp.Poll[bool](fmt.Sprintf(`(%s) === %q || null`, readRuleText, fixed))) == nil
			if !applied {
				t.Logf("attempt %d: the click on the quick fix did not change the rule (%q)", i, tb.ruleText())
			}
		}
		if !applied {
			t.Fatalf("after %d hovers and clicks on the quick fix the rule is %q, want %q", attempts, tb.ruleText(), fixed)
		}
		v = tb.verdictAfter(v.Seq)
		if got := tb.ruleText(); got != fixed {
			t.Fatalf("after the quick fix the rule is %q, want %q", got, fixed)
		}
		if v.Value != "true" || v.Code != "0" {
			t.Errorf("%s: verdict %q code %q (%s), want true 0", fixed, v.Value, v.Code, v.Reason)
		}
		if info := eval[ruleInfo](tb, readRuleInfo); len(info.Warnings) != 0 || info.Marks != 0 {
			t.Errorf("after the fix: warnings %v, %d marks; want none", info.Warnings, info.Marks)
		}
	})
	t.Run("button under the editor", func(t *testing.T) {
		tb.t = t
		tb.pasteRule(bad)
		v = tb.verdictAfter(v.Seq)
		tb.do(chromedp.Click(chromedp.CSS(`[data-testid="rule-warnings"] li[data-lint-id="san_no_prefix"] button.fix`)))
		v = tb.verdictAfter(v.Seq)
		if got := tb.ruleText(); got != fixed || v.Value != "true" {
			t.Errorf("after Apply fix: rule %q, verdict %q; want %q, true", got, v.Value, fixed)
		}
	})
	tb.t = t
	tb.noErrors()
}

// TestDialectKeptInShareLink: a formula read as CEL (the dialect forced) is a compile
// error, and a share link restores that choice.
func TestDialectKeptInShareLink(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	formula := `CN.include?("client") and SAN.any? { |s| s.end_with?(".example.com") }`
	tb.pasteRule(formula)
	v = tb.verdictAfter(v.Seq)
	if info := eval[ruleInfo](tb, readRuleInfo); v.Value != "true" || info.Dialect != "workato" {
		t.Fatalf("auto: verdict %q, read as %q (%s); want true, workato", v.Value, info.Dialect, v.Error)
	}
	selectOption(tb, "#dialect", "cel")
	v = tb.verdictAfter(v.Seq)
	if v.Value != "error" || !strings.Contains(v.Error, "1:") {
		t.Errorf("the formula as CEL: verdict %q error %q, want a compile error with its position", v.Value, v.Error)
	}
	poll[bool](tb, `document.querySelectorAll(".cm-lintRange-error").length > 0 || null`, 5*time.Second)
	tb.do(chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)

	other := e.newTab(t)
	got := other.open(e, link[strings.Index(link, "#"):])
	if d := other.value("#dialect"); d != "cel" {
		t.Errorf("restored dialect %q, want cel", d)
	}
	if r := other.ruleText(); r != formula || got.Value != "error" {
		t.Errorf("restored rule %q verdict %q, want %q and the same compile error", r, got.Value, formula)
	}
	tb.noErrors()
	other.noErrors()
}

type finding struct {
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Cert     string `json:"cert"`
	Text     string `json:"text"`
}

func (tb *tab) findings() []finding {
	tb.t.Helper()
	return eval[[]finding](tb, `[...document.querySelectorAll('[data-testid="findings"] [data-finding-id]')].map(li => ({id: li.dataset.findingId, severity: li.dataset.severity, cert: li.dataset.cert, text: li.textContent}))`)
}

func TestFindingsShown(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	if fs := tb.findings(); len(fs) != 0 {
		t.Errorf("good sample: findings %+v, want none", fs)
	}
	cases := []struct {
		sample, code, id, severity, says string
	}{
		{"expired", "4018", "expired", "error", "the verdict's reason above"}, // the reason says "expired at 2026-01-01…": said once
		{"leaf-only", "4018", "missing_intermediate", "error", "CN=Acme Issuing CA"},
	}
	for _, c := range cases {
		t.Run(c.sample, func(t *testing.T) {
			tb.t = t
			selectOption(tb, "#sample", c.sample)
			v = tb.verdictAfter(v.Seq)
			if v.Code != c.code {
				t.Errorf("sample %s: code %q (%s), want %s", c.sample, v.Code, v.Reason, c.code)
			}
			var f *finding
			fs := tb.findings()
			for i := range fs {
				if fs[i].ID == c.id {
					f = &fs[i]
				}
			}
			if f == nil {
				t.Fatalf("sample %s: findings %+v, want %s", c.sample, fs, c.id)
			}
			if f.Severity != c.severity || f.Cert != "0" || !strings.Contains(f.Text, c.says) || !strings.Contains(f.Text, "Fix:") {
				t.Errorf("finding %+v: want severity %s, certificate 0, a message with %q and a fix", *f, c.severity, c.says)
			}
			// The certificate it concerns is marked in the chain, and the link goes there
			// without touching the URL's fragment (the share state).
			if cls := eval[string](tb, `document.getElementById("chain-cert-0").className`); !strings.Contains(cls, "sev-error") {
				t.Errorf("chain entry of certificate 0 has class %q, want it marked", cls)
			}
			if link := tb.text(fmt.Sprintf(`[data-finding-id=%q] a.cert-link`, c.id)); link != "certificate 1" {
				t.Errorf("the finding's link says %q; the messages count certificates from 1", link)
			}
			hash := eval[string](tb, `location.hash`)
			tb.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-finding-id=%q] a.cert-link`, c.id))))
			if id := poll[string](tb, `document.activeElement && document.activeElement.id || null`, 5*time.Second); id != "chain-cert-0" {
				t.Errorf("the certificate link focused #%s, want #chain-cert-0", id)
			}
			if h := eval[string](tb, `location.hash`); h != hash {
				t.Errorf("the certificate link changed the fragment to %q", h)
			}
			if href := eval[string](tb, fmt.Sprintf(`document.querySelector('[data-finding-id=%q] a[href*="troubleshooting"]').getAttribute("href")`, c.id)); href != "docs/troubleshooting.html#"+c.id {
				t.Errorf("the finding links to %q, want its entry in the troubleshooting page", href)
			}
		})
	}
	tb.t = t
	// A rule that does not compile leaves no decision, but the certificate's own
	// findings still show.
	selectOption(tb, "#sample", "expired")
	v = tb.verdictAfter(v.Seq)
	tb.pasteRule(`CN ==`)
	v = tb.verdictAfter(v.Seq)
	if fs := tb.findings(); v.Value != "error" || len(fs) == 0 || fs[0].ID != "expired" {
		t.Errorf("expired sample, rule that does not compile: verdict %q, findings %+v; want error and the expired finding", v.Value, fs)
	}
	tb.noErrors()
}

// TestSampleClock: samples are evaluated at the sample PKI's clock, a certificate of
// one's own at now, and a time the person typed stays.
func TestSampleClock(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	if at := tb.value("#at"); at != testAt || v.Value != "true" {
		t.Fatalf("opened with at %q, verdict %q; want %s and the good sample accepted", at, v.Value, testAt)
	}
	if help := tb.text("#at-help"); !strings.Contains(help, "Samples are evaluated at") {
		t.Errorf("at-help = %q, want it to say why", help)
	}
	tb.fill(`[data-testid="cert-input"]`, e.pki(t, "client-rsa-chain.pem")) // not a sample
	v = tb.verdictAfter(v.Seq)
	if at := tb.value("#at"); at != "" {
		t.Errorf("own certificate: at %q, want empty (now)", at)
	}
	selectOption(tb, "#sample", "expired")
	v = tb.verdictAfter(v.Seq)
	if at := tb.value("#at"); at != testAt || v.Code != "4018" {
		t.Errorf("expired sample: at %q code %q, want %s and 4018", at, v.Code, testAt)
	}
	const mine = "2025-06-01T00:00:00Z"
	tb.fill("#at", mine)
	v = tb.verdictAfter(v.Seq)
	if v.Code != "0" {
		t.Errorf("expired sample at %s (when it was valid): code %q (%s), want 0", mine, v.Code, v.Reason)
	}
	selectOption(tb, "#sample", "good")
	v = tb.verdictAfter(v.Seq)
	if at := tb.value("#at"); at != mine {
		t.Errorf("after picking a sample, at %q, want the typed %s kept", at, mine)
	}
	tb.noErrors()
}

func TestMarkdownPages(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	for _, p := range []struct{ path, h1, id, nav string }{
		{"docs/formulas.html", "Workato-style formulas", "san_no_prefix", "Formulas"},
		{"docs/troubleshooting.html", "Troubleshooting", "missing_intermediate", "Troubleshooting"},
	} {
		tb.do(chromedp.Navigate(e.srv.URL + "/" + p.path))
		got := eval[struct {
			H1, Current    string
			Anchor         bool
			Styled, Tables int
		}](tb, fmt.Sprintf(`({h1: document.querySelector("h1").textContent, current: document.querySelector('nav a[aria-current="page"]').textContent,
			anchor: !!document.getElementById(%q), styled: document.querySelectorAll("[style]").length, tables: document.querySelectorAll("main table").length})`, p.id))
		if !strings.HasPrefix(got.H1, p.h1) || got.Current != p.nav || !got.Anchor || got.Tables == 0 {
			t.Errorf("%s: h1 %q, current nav %q, #%s %v, %d tables; want %q, %q, the anchor and the tables", p.path, got.H1, got.Current, p.id, got.Anchor, got.Tables, p.h1, p.nav)
		}
		if got.Styled != 0 {
			t.Errorf("%s: %d elements with a style attribute, which the CSP blocks", p.path, got.Styled)
		}
		// The stylesheet applies (a CSP or path problem would leave the page unstyled).
		if font := eval[string](tb, `getComputedStyle(document.querySelector("main")).maxWidth`); font != "860px" {
			t.Errorf("%s: main's max-width %q, want the stylesheet's 860px", p.path, font)
		}
	}
	// Follow the nav from the playground to a page and on to the other, as the browser
	// resolves the links (a click's navigation would race the checks).
	tb.do(chromedp.Navigate(e.srv.URL + "/"))
	for _, step := range []struct{ link, want string }{
		{`nav a[href="docs/troubleshooting.html"]`, "/docs/troubleshooting.html"},
		{`nav a[href="../docs/formulas.html"]`, "/docs/formulas.html"},
		{`nav a[href="../index.html"]`, "/index.html"},
	} {
		href := eval[string](tb, fmt.Sprintf(`document.querySelector(%q).href`, step.link))
		if href != e.srv.URL+step.want {
			t.Errorf("%s leads to %s, want %s", step.link, href, e.srv.URL+step.want)
		}
		tb.do(chromedp.Navigate(href))
		if h1 := eval[string](tb, `(document.querySelector("h1, h2") || {}).textContent || ""`); h1 == "" {
			t.Errorf("%s: no heading", href)
		}
	}
	tb.noErrors()
}
