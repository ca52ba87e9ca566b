package site_test

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The elements the first paint fills (web/site/firstpaint.go), and the attributes
// render.ts sets on them, compared between the HTML and the engine's render.
const firstPaintCompare = `(doc) => {
	const ids = ["verdict-badge", "decision-code", "code-name", "reason", "rule-value", "near-misses", "steps", "findings-count", "findings", "explain",
		"cn", "san", "dn", "slash", "fields-extra", "chain-presented", "chain-verified", "gateway-source", "gateway-fields", "gateway-cannot-see", "gateway-notes", "gateway-trust"];
	const attrs = {"verdict": ["data-value"], "decision-code": ["data-code"], "near-misses": ["hidden"], "gateway-trust": ["hidden", "data-gateway", "data-ok"], "findings": ["data-count"], "chain-presented": ["data-leaf"], "fields": ["data-empty"]};
	const out = {};
	for (const id of ids) out[id] = doc.getElementById(id).innerHTML;
	for (const [id, names] of Object.entries(attrs)) for (const n of names) out[id + "[" + n + "]"] = doc.getElementById(id).getAttribute(n);
	return out;
}`

// TestFirstPaintIsTheEngines: the verdict, explanation, findings and fields the
// page's HTML carries (rendered at export time by the native engine and
// web/site/firstpaint.go) are, markup for markup, what the WebAssembly engine and
// render.ts draw for the same default sample; and the verdict never shows anything
// else on the way (no flicker: every change the page makes to it keeps it Accepted).
func TestFirstPaintIsTheEngines(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	// Every state of the verdict from the moment the page is parsed.
	tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: `
			window.__verdictStates = [];
			document.addEventListener("DOMContentLoaded", () => {
				const v = document.getElementById("verdict");
				const note = () => window.__verdictStates.push(v.dataset.value + " " + document.getElementById("verdict-badge").textContent + " " + document.getElementById("reason").textContent + " " + document.getElementById("explain").children.length);
				note();
				new MutationObserver(note).observe(v.parentElement, {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-value"]});
			});`})
		return err
	}))
	v := tb.open(e, "")
	if v.Value != "true" || v.Code != "0" {
		t.Fatalf("the engine's first verdict: %+v, want the default sample accepted", v)
	}
	diff := eval[map[string][2]any](tb, `(async () => {
		const cmp = `+firstPaintCompare+`;
		const html = await (await fetch(location.href)).text();
		const before = cmp(new DOMParser().parseFromString(html, "text/html"));
		const after = cmp(document);
		const out = {};
		for (const k of Object.keys(before)) if (before[k] !== after[k]) out[k] = [before[k], after[k]];
		out["(explain rows in the HTML)"] = [before.explain.split("<li").length - 1, 0];
		return out; })()`)
	if rows, _ := diff["(explain rows in the HTML)"][0].(float64); rows < 5 {
		t.Errorf("the HTML carries %v rows of the explanation, want the default rule's", rows)
	}
	delete(diff, "(explain rows in the HTML)")
	for k, d := range diff {
		t.Errorf("%s: the HTML carries\n%v\nthe engine drew\n%v", k, d[0], d[1])
	}
	states := eval[[]string](tb, `window.__verdictStates`)
	if len(states) == 0 {
		t.Fatal("no state of the verdict was recorded")
	}
	for _, s := range states {
		if !strings.HasPrefix(s, "true Accepted accepted: the chain is trusted and the rule is true ") || strings.HasSuffix(s, " 0") {
			t.Errorf("the verdict showed %q on the way to the engine's, want the default sample's throughout", s)
		}
	}
	if n := eval[int](tb, `performance.getEntriesByName("mtlsplay:first-paint-verdict").length`); n != 1 {
		t.Errorf("%d mtlsplay:first-paint-verdict marks, want 1", n)
	}
	tb.noErrors()
}

// shareFragment is a share link's fragment (web/ts/share.ts) holding state.
func shareFragment(t *testing.T, state map[string]any) string {
	t.Helper()
	b, err := json.Marshal(state)
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(b)
	fw.Close()
	return "#s=" + base64.RawURLEncoding.EncodeToString(z.Bytes())
}

// TestFirstPaintHiddenForShareLink: without the page's script (app.js refused, so
// nothing but the HTML, the stylesheet and boot.js), the default page shows the
// carried verdict, and a share link shows none of it (boot.js hides it before the
// first paint), only that the engine is loading. With the script, the link's own
// verdict replaces it and is shown.
func TestFirstPaintHiddenForShareLink(t *testing.T) {
	e := setup(t)
	files := http.FileServer(http.Dir(e.dir))
	noScript := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/assets/app.js" {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	}))
	defer noScript.Close()
	link := shareFragment(t, map[string]any{"v": 1, "c": e.pki(t, "client-expired-chain.pem")})
	const shown = `(() => {
		const vis = (id) => getComputedStyle(document.getElementById(id)).visibility;
		const wait = document.querySelector(".first-paint-wait");
		return {verdict: vis("verdict"), explain: vis("explain"), fields: vis("fields"), findings: vis("findings"), cert: vis("cert"),
			wait: wait ? getComputedStyle(wait).display + " " + getComputedStyle(wait).visibility : "none",
			badge: document.getElementById("verdict-badge").textContent, stale: document.documentElement.dataset.firstPaint || ""};
	})()`
	type state struct{ Verdict, Explain, Fields, Findings, Cert, Wait, Badge, Stale string }
	load := func(url string) state {
		tb := e.newTab(t)
		defer tb.close()
		tb.do(chromedp.Navigate(url))
		poll[bool](tb, `document.readyState === "complete"`, 10*time.Second)
		return eval[state](tb, shown)
	}
	if got := load(noScript.URL + "/"); got.Verdict != "visible" || got.Explain != "visible" || got.Fields != "visible" || got.Cert != "visible" || got.Badge != "Accepted" || !strings.HasPrefix(got.Wait, "none") {
		t.Errorf("the default page without its script: %+v, want the carried verdict shown", got)
	}
	if got := load(noScript.URL + "/" + link); got.Stale != "stale" || got.Verdict != "hidden" || got.Explain != "hidden" || got.Fields != "hidden" || got.Findings != "hidden" || got.Cert != "hidden" || !strings.HasSuffix(got.Wait, " visible") || strings.HasPrefix(got.Wait, "none") {
		t.Errorf("a share link without the script: %+v, want the carried verdict hidden and the engine said to be loading", got)
	}
	tb := e.newTab(t)
	v := tb.open(e, link)
	if v.Code != "4018" {
		t.Errorf("the share link's verdict: %+v, want the expired certificate's 4018", v)
	}
	if got := eval[state](tb, shown); got.Stale != "" || got.Verdict != "visible" || got.Explain != "visible" || got.Fields != "visible" {
		t.Errorf("after the link's verdict: %+v, want it shown", got)
	}
	tb.do(chromedp.Sleep(200 * time.Millisecond))
	if n := eval[int](tb, `performance.getEntriesByName("mtlsplay:first-paint-verdict").length`); n != 1 {
		t.Errorf("%d mtlsplay:first-paint-verdict marks for a share link, want 1 (its engine verdict's frame)", n)
	}
	tb.noErrors()
}
