package site_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// recordCodes is run in a tab before the page's scripts: it records every decision
// code the verdict shows, after every task that changed the page (a
// MutationObserver's callback runs before the next paint), so a test sees any
// intermediate state a person could have seen (a share link's page hides the
// default sample's verdict its HTML carries until the engine's first: design 6.4).
const recordCodes = `window.mtlsplayCodes = [];
new MutationObserver(() => {
  if (document.documentElement.dataset.firstPaint === "stale") return;
  const c = document.getElementById("decision-code");
  const code = c && c.dataset.code;
  if (code && window.mtlsplayCodes[window.mtlsplayCodes.length - 1] !== code) window.mtlsplayCodes.push(code);
}).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });`

func (tb *tab) recordCodes() {
	tb.t.Helper()
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: recordCodes})
		return err
	}))
}

// shareLink makes, in its own tab, the share link of a certificate and a rule.
func shareLink(t *testing.T, e *siteEnv, cert, rule string) string {
	t.Helper()
	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.fill(`[data-testid="cert-input"]`, cert)
	v = tb.verdictAfter(v.Seq)
	tb.typeRule(rule)
	tb.verdictAfter(v.Seq)
	tb.do(chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)
	tb.noErrors()
	tb.close()
	return link[strings.Index(link, "#"):]
}

func marks(tb *tab) map[string]float64 {
	tb.t.Helper()
	return eval[map[string]float64](tb, `Object.fromEntries(performance.getEntriesByType("mark").filter(m => m.name.startsWith("mtlsplay:")).map(m => [m.name, m.startTime]))`)
}

// TestInspectorAnswersBeforeRuleEngine opens a share link of a certificate the
// build has never seen, with the rule engine held back (?rule-delay-ms): the
// inspector shows the certificate's fields and the chain's verdict with the rule
// pending, never accepted or rejected, and the rule engine then completes it.
func TestInspectorAnswersBeforeRuleEngine(t *testing.T) {
	e := setup(t)
	cert := hostileChain(t, e, "fresh.example.com", "fresh.example.com")
	fragment := shareLink(t, e, cert, `CN == "other.example.com"`)

	tb := e.newTab(t)
	tb.recordCodes()
	tb.do(chromedp.Navigate(e.srv.URL + "/?rule-delay-ms=4000" + fragment))
	got := poll[verdict](tb, `(() => { const v = `+readVerdict+`; return document.getElementById("verdict").dataset.rule === "pending" ? v : null; })()`, 30*time.Second)
	if got.Code != "pending" || got.Value != "pending" || got.Pending != "true" {
		t.Errorf("inspector's verdict: %+v, want the rule pending", got)
	}
	if badge := tb.text("#verdict-badge"); badge != "Chain trusted" {
		t.Errorf("badge %q while the rule is pending", badge)
	}
	if rv := tb.text("#rule-value"); !strings.Contains(rv, "as soon as the rule engine has loaded") {
		t.Errorf("rule value %q while the rule is pending", rv)
	}
	if dn := tb.text(`[data-testid="dn"]`); !strings.Contains(dn, "CN=fresh.example.com") {
		t.Errorf("fields while the rule is pending: dn %q", dn)
	}
	if step := eval[string](tb, `document.querySelector('#steps li[data-check="chain"]').className`); step != "ok" {
		t.Errorf("chain step %q while the rule is pending, want ok", step)
	}
	m := marks(tb)
	if _, ok := m["mtlsplay:rule-engine-ready"]; ok {
		t.Fatalf("the rule engine was ready before the inspector's verdict was read: the delay did not hold it back (%v)", m)
	}
	for _, name := range []string{"mtlsplay:inspector-ready", "mtlsplay:chain-verdict", "mtlsplay:link-fields"} {
		if _, ok := m[name]; !ok {
			t.Errorf("mark %s missing with the inspector's verdict (%v)", name, m)
		}
	}
	if _, ok := m["mtlsplay:first-verdict"]; ok {
		t.Errorf("mtlsplay:first-verdict marked for a verdict with its rule pending")
	}

	final := tb.verdictAfter(0)
	if final.Code != "4019" || final.Value != "false" {
		t.Errorf("complete verdict %+v, want 4019 false", final)
	}
	codes := eval[[]string](tb, `window.mtlsplayCodes`)
	if !slices.Equal(codes, []string{"pending", "4019"}) {
		t.Errorf("the verdict showed the codes %q, want the rule pending and then 4019 only", codes)
	}
	m = marks(tb)
	order := []string{"mtlsplay:inspector-ready", "mtlsplay:link-fields", "mtlsplay:rule-engine-ready", "mtlsplay:link-verdict"}
	for i := 1; i < len(order); i++ {
		a, okA := m[order[i-1]]
		b, okB := m[order[i]]
		if !okA || !okB || a > b {
			t.Errorf("marks %s (%v) and %s (%v) missing or out of order", order[i-1], a, order[i], b)
		}
	}
	if m["mtlsplay:first-verdict"] < m["mtlsplay:rule-engine-ready"] {
		t.Errorf("first-verdict at %v, before the rule engine was ready at %v", m["mtlsplay:first-verdict"], m["mtlsplay:rule-engine-ready"])
	}
	tb.noErrors()
}

// TestInspectorCompleteVerdicts: a decision the rule does not take part in is
// complete from the inspector alone: an untrusted chain is 4018 while the rule
// engine is still held back, and stays 4018.
func TestInspectorCompleteVerdicts(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.recordCodes()
	// The sample opens at its own clock; a certificate of one's own is decided now,
	// when the test PKI's leaf may have expired, and the self-signed one below is
	// trusted by no bundle either way.
	fragment := shareLink(t, e, e.pki(t, "client-untrusted.pem"), `CN == "client.example.com"`)
	tb.do(chromedp.Navigate(e.srv.URL + "/?rule-delay-ms=4000" + fragment))
	v := poll[verdict](tb, `(() => { const v = `+readVerdict+`; return v.seq > 0 ? v : null; })()`, 30*time.Second)
	if v.Code != "4018" || v.Pending != "false" {
		t.Errorf("inspector's verdict on an untrusted chain %+v, want a complete 4018", v)
	}
	m := marks(tb)
	if _, ok := m["mtlsplay:rule-engine-ready"]; ok {
		t.Fatalf("the rule engine was ready already (%v)", m)
	}
	if _, ok := m["mtlsplay:first-verdict"]; !ok {
		t.Errorf("a complete verdict from the inspector did not mark mtlsplay:first-verdict")
	}
	poll[bool](tb, `performance.getEntriesByName("mtlsplay:rule-engine-ready").length > 0`, 30*time.Second)
	final := tb.verdictAfter(v.Seq)
	if final.Code != "4018" {
		t.Errorf("after the rule engine: %+v", final)
	}
	if codes := eval[[]string](tb, `window.mtlsplayCodes`); !slices.Equal(codes, []string{"4018"}) {
		t.Errorf("the verdict showed the codes %q, want 4018 only", codes)
	}
	tb.noErrors()
}

// TestRuleEngineFirstAnswersTheVerdict: once the rule engine runs, the first thing
// the page asks of it is the decision the person waits for; what is for later (the
// editor's declarations, for completion) is asked after that verdict is on screen.
// Asked first, the declarations held the verdict back by the time the rule engine
// took to answer them (some 200 ms of a cold load here).
func TestRuleEngineFirstAnswersTheVerdict(t *testing.T) {
	e := setup(t)
	cert := hostileChain(t, e, "first.example.com", "first.example.com")
	tb := e.newTab(t)
	tb.do(chromedp.Navigate(e.srv.URL + "/?rule-delay-ms=1500" + shareLink(t, e, cert, `CN == "first.example.com"`)))
	final := tb.verdictAfter(0)
	if final.Code != "0" {
		t.Fatalf("complete verdict %+v, want 0", final)
	}
	// The page's calls in order (mtlsplay:call:OP marks) from the rule engine's start.
	calls := poll[[]string](tb, `(() => {
		const ready = performance.getEntriesByName("mtlsplay:rule-engine-ready")[0];
		const done = performance.getEntriesByName("mtlsplay:first-verdict")[0];
		if (!ready || !done || !performance.getEntriesByName("mtlsplay:call:declarations").length) return null;
		return performance.getEntriesByType("mark").filter((m) => m.name.startsWith("mtlsplay:call:") && m.startTime >= ready.startTime)
			.map((m) => m.name.slice("mtlsplay:call:".length) + (m.startTime < done.startTime ? "" : " (after the verdict)"));
	})()`, 30*time.Second)
	if len(calls) == 0 || calls[0] != "decide" {
		t.Errorf("calls once the rule engine ran: %v; want decide first", calls)
	}
	for _, c := range calls {
		if c == "declarations" {
			t.Errorf("declarations asked before the first complete verdict was shown: %v", calls)
		}
	}
	tb.noErrors()
}
