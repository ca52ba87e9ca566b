package site_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestSampleSharingACertificateStaysPicked: "SPIFFE ID" and "Email SAN" are the good
// client's certificate with a rule of their own. Picking one keeps it in the menu,
// with its own description, after the page decides again; before, the menu went
// back to the first sample with that certificate ("Good client (chain)") while the
// rule stayed the one picked.
func TestSampleSharingACertificateStaysPicked(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	for _, id := range []string{"spiffe", "email", "good"} {
		want := eval[string](tb, `document.querySelector('#sample option[value="`+id+`"]').title`)
		selectOption(tb, "#sample", id)
		v = tb.verdictAfter(v.Seq)
		if got := tb.value("#sample"); got != id {
			t.Errorf("after picking %s and its verdict, the sample menu holds %q", id, got)
		}
		if got := tb.text("#sample-help"); got != want {
			t.Errorf("after picking %s, the help says %q, want its description %q", id, got, want)
		}
	}
	tb.noErrors()
}

// TestRuleFieldsLineUp: "What the rule sees" is two lists, CN to the slash form
// (#fields) and the rest (#fields-extra); on a wide screen their values start at one
// x, and on a phone each label is above its value.
func TestRuleFieldsLineUp(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.open(e, "")
	const lefts = `[...document.querySelectorAll("#fields > dd, #fields-extra > dd")].map(d => Math.round(d.getBoundingClientRect().left))`
	const labelsAbove = `[...document.querySelectorAll("#fields > dt, #fields-extra > dt")].every(dt => dt.nextElementSibling.getBoundingClientRect().top >= dt.getBoundingClientRect().bottom - 1)`
	for _, s := range []struct {
		width  int64
		mobile bool
	}{{1280, false}, {390, true}} {
		tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: s.width, Height: 900, DeviceScaleFactor: 1, Mobile: s.mobile})
			return err
		}))
		xs := eval[[]int](tb, lefts)
		if len(xs) < 8 {
			t.Fatalf("%d px: %d values in the fields, want the default sample's (at least 8)", s.width, len(xs))
		}
		for i, x := range xs {
			if x != xs[0] {
				t.Errorf("%d px: value %d of the fields starts at x=%d, the first at x=%d: %v", s.width, i+1, x, xs[0], xs)
				break
			}
		}
		if above := eval[bool](tb, labelsAbove); above != s.mobile {
			t.Errorf("%d px: every label above its value = %v, want %v", s.width, above, s.mobile)
		}
	}
	tb.noErrors()
}

// TestBundleSummaryFollowsError: a bundle the engine cannot read (garbage, or
// emptied by a key's removal) no longer lists the CA certificates it held before
// under its box; it says it was not read, and a good bundle lists its CA again.
func TestBundleSummaryFollowsError(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	const summary = `.bundle[data-bundle-index="0"] .bundle-summary`
	if got := tb.text(summary); !strings.Contains(got, "CN=Acme Root CA") {
		t.Fatalf("the sample bundle's summary = %q, want its CA", got)
	}
	for _, text := range []string{"garbage in the bundle", e.pki(t, "root.key")} {
		tb.fill(`[data-testid="bundle-input"]`, text)
		v = tb.verdictAfter(v.Seq)
		// A key is refused and the box cleared at once: the box is then empty, no
		// bundle, and the next verdict may already be that one (4016).
		if key := strings.Contains(text, "PRIVATE KEY"); !key && (v.Value != "error" || !strings.Contains(v.Error, "acme-root")) || key && v.Value != "error" && v.Code != "4016" {
			t.Fatalf("bundle %.20q: verdict %q code %q, error %q, want an error about the bundle", text, v.Value, v.Code, v.Error)
		}
		if got := tb.text(summary); strings.Contains(got, "Acme Root CA") || !strings.Contains(got, "Not read") {
			t.Errorf("bundle %.20q: its summary says %q, want that it was not read", text, got)
		}
	}
	tb.fill(`[data-testid="bundle-input"]`, e.pki(t, "root.pem"))
	v = tb.verdictAfter(v.Seq)
	if v.Code != "0" {
		t.Fatalf("the root again: code %q (%s %s), want 0", v.Code, v.Reason, v.Error)
	}
	if got := tb.text(summary); !strings.Contains(got, "1 CA certificate: CN=Acme Root CA") {
		t.Errorf("the root again: its summary says %q, want its CA", got)
	}
	tb.noErrors()
}

// TestDocsFitAPhone: every page of the site, the playground and the docs, fits a
// 390 px phone screen: nothing makes the page scroll sideways (a table or a code
// block scrolls in its own box). The gateways page's long hex example in a note
// (Cloudflare's cert_ski) did.
func TestDocsFitAPhone(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 1, Mobile: true})
		return err
	}))
	tb.open(e, "")
	for _, page := range []string{"index.html", "docs/index.html", "docs/rules.html", "docs/names.html", "docs/gateways.html", "docs/codes.html", "docs/formulas.html", "docs/troubleshooting.html", "docs/suites.html", "docs/export.html", "docs/delegate.html", "docs/server.html"} {
		tb.do(chromedp.Navigate(e.srv.URL + "/" + page))
		widths := poll[[]int](tb, `document.readyState === "complete" && [document.documentElement.scrollWidth, document.documentElement.clientWidth]`, 10*time.Second)
		if widths[0] > widths[1] {
			t.Errorf("%s on a 390 px phone: the page is %d px wide, the screen %d", page, widths[0], widths[1])
		}
	}
	tb.noErrors()
}

// TestCasesKeepKeyboardFocus: the Cases pane is drawn again after every run, and a
// person on the keyboard keeps their place: Remove (Enter) leaves the focus on the
// next case's Remove, then on the one before it, and on "Add this as a case" when
// none is left; a code picked in a case's list keeps the focus on that list; Clear
// (disabled once it has cleared) hands it to "Add this as a case". Before, each of
// these left the focus on the page's body, the start of the Tab order.
func TestCasesKeepKeyboardFocus(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	for _, name := range []string{"client-good-chain.pem", "client-expired-chain.pem", "client-untrusted.pem"} {
		v = tb.addCase(e, v.Seq, e.pki(t, name))
	}
	const focused = `(() => { const f = document.activeElement; const li = f.closest("li.case"); return (li ? li.dataset.caseIndex + " " : "") + (f.id || f.className); })()`
	press := func(sel string, key string, cond string) {
		t.Helper()
		seq := tb.casesWhere("true").Seq
		tb.do(chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(key))
		tb.casesWhere(fmt.Sprintf("v.seq > %d && (%s)", seq, cond))
	}
	want := func(what, focus string) {
		t.Helper()
		if got := eval[string](tb, focused); got != focus {
			t.Errorf("%s: the focus is on %q, want %q", what, got, focus)
		}
	}
	press(`[data-case-index="0"] .case-remove`, "\r", "v.cases.length === 2")
	want("Remove on the first of three", "0 secondary case-remove")
	press(`[data-case-index="1"] .case-remove`, "\r", "v.cases.length === 1")
	want("Remove on the last of two", "0 secondary case-remove")
	press(`[data-case-index="0"] .case-expect`, kb.ArrowDown, `v.cases[0].passed === "false"`)
	want("a code picked with the arrow keys", "0 case-expect")
	press(`[data-case-index="0"] .case-remove`, "\r", "v.cases.length === 0")
	want("Remove on the only case", "case-add")
	v = tb.addCase(e, v.Seq, e.pki(t, "client-good-chain.pem"))
	tb.do(chromedp.Focus(chromedp.CSS("#cases-clear")), chromedp.KeyEvent("\r"))
	tb.casesWhere("v.cases.length === 0")
	want("Clear", "case-add")
	tb.noErrors()
}

// TestBundleRemoveKeepsKeyboardFocus: Remove on a bundle, pressed with the keyboard,
// leaves the focus on the next bundle's Remove, then the one before, then on "Add
// bundle" when none is left, instead of on the page's body.
func TestBundleRemoveKeepsKeyboardFocus(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.do(chromedp.Click(chromedp.CSS("#add-bundle")), chromedp.Click(chromedp.CSS("#add-bundle")))
	const focused = `(() => { const f = document.activeElement; const b = f.closest(".bundle"); return (b ? b.dataset.bundleIndex + " " : "") + (f.id || (f.tagName === "BUTTON" ? f.textContent : f.tagName)); })()`
	for _, s := range []struct{ press, want string }{
		{`.bundle[data-bundle-index="1"] .bundle-head button`, "1 Remove"},
		{`.bundle[data-bundle-index="1"] .bundle-head button`, "0 Remove"},
		{`.bundle[data-bundle-index="0"] .bundle-head button`, "add-bundle"},
	} {
		n := eval[int](tb, `document.querySelectorAll(".bundle").length`)
		tb.do(chromedp.Focus(chromedp.CSS(s.press)), chromedp.KeyEvent("\r"))
		poll[bool](tb, fmt.Sprintf(`document.querySelectorAll(".bundle").length === %d`, n-1), 5*time.Second)
		if got := eval[string](tb, focused); got != s.want {
			t.Errorf("Remove on %s of %d bundles: the focus is on %q, want %q", s.press, n, got, s.want)
		}
	}
	tb.verdictAfter(v.Seq)
	tb.noErrors()
}

// TestErrorSaysWhichInput: when the inputs cannot be decided, the verdict's reason
// names the input the engine's error is about (the rule, the certificate, a bundle)
// rather than "the inputs"; an error about the request as a whole (the time) keeps
// the general sentence.
func TestErrorSaysWhichInput(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	check := func(what, reason string) {
		t.Helper()
		v = tb.verdictAfter(v.Seq)
		if v.Value != "error" || v.Reason != reason {
			t.Errorf("%s: verdict %q, reason %q (error %q), want an error with %q", what, v.Value, v.Reason, v.Error, reason)
		}
	}
	tb.typeRule(`CN ==`)
	check("a rule that does not compile", "The rule does not compile; see the error below.")
	tb.typeRule(`CN != ""`)
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, "-----BEGIN CERTIFICATE-----\nnot base64!!\n-----END CERTIFICATE-----\n")
	check("a certificate that cannot be read", "The certificate could not be read; see the error below.")
	tb.fill(`[data-testid="cert-input"]`, e.pki(t, "client-good-chain.pem"))
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="bundle-input"]`, "garbage")
	check("a bundle that cannot be read", "A truststore bundle could not be read; see the error below.")
	tb.fill(`[data-testid="bundle-input"]`, e.pki(t, "root.pem"))
	v = tb.verdictAfter(v.Seq)
	tb.fill("#at", "yesterday")
	check("a time that cannot be read", "The inputs could not be evaluated; see the error below.")
	tb.noErrors()
}

// TestCaseLineReads: a case's line reads "NAME expects [CODE] got CODE", with no
// comma left standing alone after the list of codes (the line's gap put one there).
func TestCaseLineReads(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.addCase(e, v.Seq, e.pki(t, "client-good-chain.pem"))
	got := eval[string](tb, `document.querySelector('[data-case-index="0"] .case-expect').nextElementSibling.textContent`)
	if got != "got 0" {
		t.Errorf("after the list of codes, the case says %q, want %q", got, "got 0")
	}
	tb.noErrors()
}
