package site_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestEmptyBundleBoxIsNoBundle: a bundle box just added, or left empty, is no
// bundle yet: "Add bundle" left the verdict an error ("bundle 2: no
// certificate") before anything was pasted. The boxes after an empty one keep
// their summaries and errors, though the engine numbers only the bundles sent.
func TestEmptyBundleBoxIsNoBundle(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	summary := func(i int) string {
		return tb.text(`.bundle[data-bundle-index="` + string(rune('0'+i)) + `"] .bundle-summary`)
	}
	tb.do(chromedp.Click(chromedp.CSS("#add-bundle")))
	poll[bool](tb, `document.querySelectorAll(".bundle").length === 2 || null`, 5*time.Second)
	v = tb.verdictAfter(v.Seq)
	if v.Value != "true" || v.Code != "0" {
		t.Fatalf("after Add bundle: verdict %q code %q (%s %s), want the accepted verdict as before", v.Value, v.Code, v.Reason, v.Error)
	}
	if got := summary(1); !strings.Contains(got, "the box is empty") {
		t.Errorf("the new box's summary = %q, want that it is empty", got)
	}
	// A third box after the empty second: its bundle is the engine's second.
	tb.do(chromedp.Click(chromedp.CSS("#add-bundle")))
	poll[bool](tb, `document.querySelectorAll(".bundle").length === 3 || null`, 5*time.Second)
	v = tb.verdictAfter(v.Seq)
	tb.fill(`.bundle:nth-child(3) textarea`, e.pki(t, "root.pem"))
	v = tb.verdictAfter(v.Seq)
	if v.Code != "0" || !strings.Contains(summary(2), "CN=Acme Root CA") || !strings.Contains(summary(1), "the box is empty") || !strings.Contains(summary(0), "CN=Acme Root CA") {
		t.Errorf("a bundle in the third box: code %q, summaries %q, %q, %q; want each by its own box", v.Code, summary(0), summary(1), summary(2))
	}
	tb.fill(`.bundle:nth-child(3) textarea`, "garbage in the third box")
	v = tb.verdictAfter(v.Seq)
	name := eval[string](tb, `document.querySelector(".bundle:nth-child(3) .bundle-name").value`)
	if v.Value != "error" || !strings.Contains(v.Error, name+": no certificate found") {
		t.Errorf("garbage in the third box: verdict %q, error %q; want an error naming its bundle %q", v.Value, v.Error, name)
	}
	if !strings.Contains(summary(2), "Not read: see the error") || !strings.Contains(summary(1), "the box is empty") || !strings.Contains(summary(0), "CN=Acme Root CA") {
		t.Errorf("garbage in the third box: summaries %q, %q, %q; want the third marked, the others as they were", summary(0), summary(1), summary(2))
	}
	tb.noErrors()
}
