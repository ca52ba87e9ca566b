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

	"github.com/mtlsplay/mtlsplay/web/site"
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

// TestFirstPaintRendererMatchesPage: beyond the default sample, the Go port of
// render.ts (firstpaint.go) draws what the page draws for decisions that take its
// other paths: a failed chain with findings (expired, leaf without its intermediate),
// and a rule that fails with near misses. The page's request is read from its
// inputs, decided natively, rendered in Go and compared, element by element, with
// the page's DOM, so the two renderers cannot drift apart unnoticed.
func TestFirstPaintRendererMatchesPage(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	compare := func(name string) {
		t.Helper()
		req := eval[map[string]any](tb, `(() => {
			const at = document.getElementById("at").value.trim();
			const r = {certificates: document.getElementById("cert").value,
				bundles: [...document.querySelectorAll("#bundles .bundle")].map((el, i) => ({name: el.querySelector(".bundle-name").value.trim() || "bundle " + (i + 1), pem: el.querySelector("textarea").value})),
				rule: [...document.querySelectorAll('[data-testid="rule-input"] .cm-line')].map((l) => l.textContent).join("\n"),
				gateway: document.getElementById("gateway").value};
			if (at) r.at = at;
			return r; })()`)
		body, _ := json.Marshal(req)
		want, err := site.FirstPaintOf(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantJSON, _ := json.Marshal(want)
		diff := eval[map[string][2]string](tb, `((want) => {
			const out = {};
			for (const [k, html] of Object.entries(want)) {
				const m = /^(.*)\[(.*)\]$/.exec(k);
				const el = document.getElementById(m ? m[1] : k);
				if (!el) { out[k] = [html, "(no element)"]; continue; }
				let got, exp = html;
				if (m && m[2] === "hidden") got = el.hidden ? "hidden" : "";
				else if (m) got = el.getAttribute(m[2]) ?? "";
				else { const t = document.createElement("template"); t.innerHTML = html; exp = t.innerHTML; got = el.innerHTML; }
				if (got !== exp) out[k] = [exp, got];
			}
			return out; })(`+string(wantJSON)+`)`)
		for k, d := range diff {
			t.Errorf("%s: %s: firstpaint.go draws\n%s\nthe page drew\n%s", name, k, d[0], d[1])
		}
		if len(want) < 15 {
			t.Errorf("%s: firstpaint.go drew %d parts, want the verdict's, the fields' and the rest", name, len(want))
		}
	}
	poll[bool](tb, `document.querySelector('[data-testid="rule-input"] .cm-line') !== null`, 10*time.Second)
	compare("default sample")
	for _, sample := range []string{"expired", "leaf-only"} {
		selectOption(tb, "#sample", sample)
		v = tb.verdictAfter(v.Seq)
		if v.Code != "4018" {
			t.Fatalf("sample %s: code %s, want 4018", sample, v.Code)
		}
		compare("sample " + sample)
	}
	selectOption(tb, "#sample", "good")
	v = tb.verdictAfter(v.Seq)
	tb.typeRule(`CN == "client.example.org" && "DNS:client.example.co" in SAN`)
	v = tb.verdictAfter(v.Seq)
	for v.Pending != "false" || !strings.Contains(tb.ruleText(), `example.co" in SAN`) {
		v = tb.verdictAfter(v.Seq)
	}
	if v.Code != "4019" {
		t.Fatalf("failing rule: code %s, want 4019", v.Code)
	}
	if n := eval[int](tb, `document.querySelectorAll("#near-misses li").length`); n == 0 {
		t.Errorf("failing rule: no near misses on the page, want some to compare")
	}
	compare("failing rule")
	tb.noErrors()
}
