package site_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestStaleVerdictFades: a verdict that no longer answers the inputs fades. The
// HTML's verdict, which answers the default inputs, is drawn whole while the rule
// engine is held back; an edit of the rule leaves it on screen (design 6.4) with
// data-stale="true", drawn faded after 400 ms; the rule edited back, it answers
// the inputs again and is drawn whole. (The rule engine is held back for the whole
// test: under load it answered within the test's waits.)
func TestStaleVerdictFades(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	tb.do(chromedp.Navigate(e.srv.URL + "/?rule-delay-ms=120000"))
	poll[bool](tb, `performance.getEntriesByName("mtlsplay:inspector-ready").length > 0 || null`, 30*time.Second)
	opacity := `Number(getComputedStyle(document.getElementById("verdict")).opacity)`
	if o := eval[float64](tb, opacity); o != 1 {
		t.Fatalf("the first paint's verdict has opacity %v, want 1", o)
	}
	rule := tb.ruleText()
	tb.pasteRule(`CN == "someone-else.example.com"`)
	start := time.Now()
	// Not at once (a keystroke's decision is drawn long before 400 ms)...
	if o := eval[float64](tb, opacity); o != 1 && time.Since(start) < 300*time.Millisecond {
		t.Errorf("the verdict faded %v after the edit, want not before 400 ms", time.Since(start))
	}
	// ...but while it stays stale.
	poll[bool](tb, `document.getElementById("verdict").dataset.stale === "true" && `+opacity+` < 0.7 || null`, 5*time.Second)
	// The default rule again: the HTML's verdict answers the inputs, drawn whole.
	tb.pasteRule(rule)
	poll[bool](tb, `document.getElementById("verdict").dataset.stale === "false" && `+opacity+` === 1 || null`, 5*time.Second)
	if m := marks(tb); m["mtlsplay:rule-engine-ready"] != 0 {
		t.Errorf("the rule engine answered during the test (%v): the verdicts seen may be its own", m)
	}
	tb.noErrors()
}
