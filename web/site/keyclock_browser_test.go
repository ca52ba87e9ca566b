package site_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestKeyClockStartsAtItsKey types a rule key by key, with a pause between keys as
// a person's typing has, and checks that each change's clock (the mtlsplay:scheduled
// mark, where mtlsplay:change-to-verdict starts) starts at that change's own key,
// never at an earlier one. CodeMirror reports some keys' changes during their
// beforeinput, before the input event: that input event once started the next
// key's clock, and inflated key → verdict by the pause between keys.
func TestKeyClockStartsAtItsKey(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="rule-input"]`)), chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	eval[chromedp.Void](tb, `window.__keydowns = []; document.addEventListener("keydown", (e) => window.__keydowns.push(e.timeStamp), true)`)
	for i, k := range ` && cert.subject.cn != "x"` {
		seen := eval[int](tb, `performance.getEntriesByName("mtlsplay:scheduled").length`)
		tb.do(chromedp.KeyEvent(string(k)))
		v = tb.verdictAwait(v.Seq)
		// Every change this key made was scheduled after its keydown.
		got := eval[[]float64](tb, fmt.Sprintf(`performance.getEntriesByName("mtlsplay:scheduled").slice(%d).map((m) => m.startTime)`, seen))
		key := eval[float64](tb, `window.__keydowns[window.__keydowns.length - 1]`)
		if len(got) == 0 {
			t.Fatalf("key %d (%q): no change scheduled", i, k)
		}
		for _, start := range got {
			if start < key-0.5 {
				t.Errorf("key %d (%q): its change's clock starts %.1f ms before the key was pressed (at an earlier key's input event)", i, k, key-start)
			}
		}
		tb.do(chromedp.Sleep(60 * time.Millisecond))
	}
	tb.noErrors()
}
