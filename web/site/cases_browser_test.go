package site_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// caseView is one item of the Cases pane as a person sees it.
type caseView struct {
	Name    string `json:"name"`
	Passed  string `json:"passed"` // "true", "false", "" before it ran
	Code    string `json:"code"`
	Explain string `json:"explain"` // the open explanation's text; "" when none is shown
	Open    bool   `json:"open"`
}

const readCases = `(() => {
  const l = document.querySelector('[data-testid="cases-list"]');
  return { seq: Number(l.dataset.seq || 0), pending: l.dataset.pending, cases: [...l.querySelectorAll('[data-testid="case"]')].map(li => {
    const d = li.querySelector('[data-testid="case-explain"]');
    return { name: li.querySelector(".case-name").textContent, passed: li.dataset.passed, code: li.dataset.code,
             explain: d ? d.textContent : "", open: d ? d.open : false };
  }) };
})()`

type casesView struct {
	Seq     int        `json:"seq"`
	Pending string     `json:"pending"`
	Cases   []caseView `json:"cases"`
}

// casesWhere waits until the pane's cases, run and settled, satisfy cond (a JS
// expression on v, the casesView), and returns them.
func (tb *tab) casesWhere(cond string) casesView {
	tb.t.Helper()
	return poll[casesView](tb, fmt.Sprintf(`(() => { const v = %s; return v.pending === "false" && v.cases.every(c => c.passed !== "") && (%s) ? v : null; })()`, readCases, cond), 30*time.Second)
}

// addCase shows the certificate's verdict, then adds it as a case.
func (tb *tab) addCase(e *siteEnv, seq int, cert string) verdict {
	tb.t.Helper()
	tb.fill(`[data-testid="cert-input"]`, cert)
	v := tb.verdictAfter(seq)
	n := eval[int](tb, `document.querySelectorAll('[data-testid="case"]').length`)
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="case-add"]`)))
	tb.casesWhere(fmt.Sprintf("v.cases.length === %d", n+1))
	return v
}

// TestCasesPane: add two cases (a trusted certificate, 0; an expired one, 4018),
// edit the rule until the first fails and see it fail with its explanation open;
// export the suite, clear, import it back; a share link carries the cases to
// another tab, where they run with the rule the link holds.
func TestCasesPane(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.typeRule(`CN == "client.example.com"`)
	v = tb.verdictAfter(v.Seq)
	v = tb.addCase(e, v.Seq, e.pki(t, "client-good-chain.pem"))
	if v.Code != "0" {
		t.Fatalf("good chain: code %q (%s %s), want 0", v.Code, v.Reason, v.Error)
	}
	v = tb.addCase(e, v.Seq, e.pki(t, "client-expired-chain.pem"))
	if v.Code != "4018" {
		t.Fatalf("expired chain: code %q, want 4018", v.Code)
	}
	// A leaf pasted after its issuer: the case keeps the chain as the verdict
	// decided it (leaf first), so it passes as added. Then it is removed.
	v = tb.addCase(e, v.Seq, e.pki(t, "client-good-out-of-order.pem"))
	cs := tb.casesWhere(`v.cases.length === 3`)
	if v.Code != "0" || cs.Cases[2].Passed != "true" || cs.Cases[2].Name != "client.example.com → 0 (2)" {
		t.Errorf("out-of-order chain: verdict %q, case %+v; want 0 and the case passing", v.Code, cs.Cases[2])
	}
	tb.do(chromedp.Click(chromedp.CSS(`[data-case-index="2"] .case-remove`)))
	cs = tb.casesWhere(`v.cases.length === 2 && v.cases.every(c => c.passed === "true")`)
	if cs.Cases[0].Name != "client.example.com → 0" || cs.Cases[1].Code != "4018" || cs.Cases[0].Open {
		t.Errorf("cases after adding = %+v", cs.Cases)
	}

	// A misspelling of the CN the first case's certificate has: it fails.
	tb.typeRule(`CN == "client.exampel.com"`)
	// The verdict of the whole rule has been shown: the cases' run for that
	// rule is then on its way (it starts as the verdict arrives), and casesWhere
	// waits for it to settle, not for a run of a rule half typed.
	v = tb.verdictAfter(v.Seq)
	cs = tb.casesWhere(`v.cases.length === 2 && v.cases[0].passed === "false"`)
	first := cs.Cases[0]
	if first.Code != "4019" || !first.Open || !strings.Contains(first.Explain, "expected code 0, got 4019") || !strings.Contains(first.Explain, `"client.example.com"`) {
		t.Errorf("the failing case = %+v, want 4019 with its explanation open, the mismatch and the near miss", first)
	}
	if cs.Cases[1].Passed != "true" {
		t.Errorf("the expired case = %+v, want it still passing (4018 comes before the rule)", cs.Cases[1])
	}
	if s := tb.text(`[data-testid="cases-summary"]`); s != "1 passed, 1 failed" {
		t.Errorf("summary %q", s)
	}
	ms := eval[string](tb, `document.querySelector('[data-testid="cases-list"]').dataset.engineMs`)
	t.Logf("cases call for 2 cases: %s ms in the worker", ms)

	// Export, clear, import.
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="cases-export"]`)))
	yaml := poll[string](tb, `document.querySelector('[data-testid="cases-yaml-text"]').value || null`, 10*time.Second)
	for _, want := range []string{"clients:\n  - name: playground-1\n", "rule: \"CN == \\\"client.exampel.com\\\"\"\n", "  - name: \"client.example.com → 0\"\n    client: playground-1\n    chain: |\n      -----BEGIN CERTIFICATE-----\n", "    at: \"2026-06-01T00:00:00Z\"\n    expect: 4018\n"} {
		if !strings.Contains(yaml, want) {
			t.Errorf("exported YAML lacks %q:\n%s", want, yaml)
		}
	}
	if href := eval[string](tb, `document.querySelector('[data-testid="cases-download"]').href`); !strings.HasPrefix(href, "blob:") {
		t.Errorf("download link %q", href)
	}
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="cases-clear"]`)))
	tb.casesWhere(`v.cases.length === 0`)
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="cases-import"]`)))
	cs = tb.casesWhere(`v.cases.length === 2`)
	if cs.Cases[0].Name != "client.example.com → 0" || cs.Cases[0].Passed != "false" || cs.Cases[1].Passed != "true" {
		t.Errorf("imported cases = %+v, want the two cases back, the first failing", cs.Cases)
	}

	// A suite that names files cannot be read here: one line says so.
	tb.fill(`[data-testid="cases-yaml-text"]`, "cases:\n  - name: partner\n    bundles: [certs/root.pem]\n    expect: 0\n")
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="cases-import"]`)))
	status := poll[string](tb, `document.querySelector('[data-testid="cases-yaml"]').dataset.state === "error" ? document.querySelector('[data-testid="cases-status"]').textContent : null`, 10*time.Second)
	if !strings.Contains(status, `case "partner": bundle certs/root.pem: a file name; the page reads no files`) {
		t.Errorf("importing a suite of files: %q", status)
	}
	if n := len(tb.casesWhere("true").Cases); n != 2 {
		t.Errorf("a suite that was not imported replaced the cases: %d", n)
	}

	// The share link carries the cases; the other tab runs them with the link's rule.
	tb.do(chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)
	other := e.newTab(t)
	ov := other.open(e, link[strings.Index(link, "#"):])
	got := other.casesWhere(`v.cases.length === 2`)
	if got.Cases[0].Name != cs.Cases[0].Name || got.Cases[0].Passed != "false" || got.Cases[1].Passed != "true" || !got.Cases[0].Open {
		t.Errorf("cases from the share link = %+v, want %+v", got.Cases, cs.Cases)
	}
	// Fixing the rule there makes every case pass again.
	other.typeRule(`CN == "client.example.com"`)
	other.verdictAfter(ov.Seq)
	other.casesWhere(`v.cases.every(c => c.passed === "true")`)
	tb.noErrors()
	other.noErrors()
}

// TestCasesMeasure20 logs the engine's time for 20 cases on each keystroke of
// the rule (the mtlsplay:cases-call measures), set MTLSPLAY_MEASURE=1.
func TestCasesMeasure20(t *testing.T) {
	measuring(t)
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	names := []string{"client-good-chain.pem", "client-expired-chain.pem", "client-rsa-chain.pem", "client-ed25519-chain.pem",
		"client-no-eku-chain.pem", "client-untrusted.pem", "client-good-out-of-order.pem", "client-san-othernames-chain.pem",
		"client-cn-only-chain.pem", "client-not-yet-valid-chain.pem"}
	for i := range 20 {
		v = tb.addCase(e, v.Seq, e.pki(t, names[i%len(names)])+strings.Repeat("\n", i/len(names)))
	}
	tb.casesWhere(`v.cases.length === 20 && v.cases.every(c => c.passed === "true")`)
	eval[chromedp.Void](tb, `performance.clearMeasures("mtlsplay:cases-call"); performance.clearMeasures("mtlsplay:engine-call")`)
	rule := `CN == "client.example.com" && "URI:spiffe://example.com/ns/prod/sa/client" in SAN`
	tb.typeRule(rule)
	tb.verdictAfter(v.Seq)
	tb.casesWhere(`v.cases.length === 20`)
	ms := eval[[]float64](tb, `performance.getEntriesByName("mtlsplay:cases-call").map(e => e.duration)`)
	decide := eval[[]float64](tb, `performance.getEntriesByName("mtlsplay:engine-call").map(e => e.duration)`)
	t.Logf("cases call, 20 cases, in the worker, per keystroke of %d: %s", len(rule), stats(ms))
	t.Logf("beside it, the decide call of the same keystrokes: %s", stats(decide))
	tb.noErrors()
}

// caseLink is a share link's fragment holding cases (share.ts packCases): rows
// of [name, chain, bundles, at, code] over a table of texts.
func caseLink(t *testing.T, texts []string, rows [][]any) string {
	t.Helper()
	js, err := json.Marshal(map[string]any{"v": 1, "r": `CN == "client.example.com"`, "a": testAt, "k": []any{texts, rows}})
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write(js)
	fw.Close()
	return "#s=" + base64.RawURLEncoding.EncodeToString(z.Bytes())
}

// TestCasesLinkBounds: a case's name from a link is text, never markup; a link
// with more cases than a page keeps is not opened and says why.
func TestCasesLinkBounds(t *testing.T) {
	e := setup(t)
	texts := []string{e.pki(t, "client-good-chain.pem"), e.pki(t, "root.pem")}
	hostile := `<img src=x onerror="document.title='pwned'">`
	tb := e.newTab(t)
	tb.open(e, caseLink(t, texts, [][]any{{hostile, 0, []any{[]any{"root.pem", 1}}, testAt, 0}}))
	cs := tb.casesWhere(`v.cases.length === 1`)
	if cs.Cases[0].Name != hostile || cs.Cases[0].Passed != "true" {
		t.Errorf("case from the link = %+v, want its name as text, passing", cs.Cases[0])
	}
	if n := eval[int](tb, `document.querySelectorAll("#cases img").length`); n != 0 {
		t.Errorf("a case's name became %d img elements", n)
	}
	rows := make([][]any, 101)
	for i := range rows {
		rows[i] = []any{fmt.Sprint(i), 0, []any{}, testAt, 4016}
	}
	other := e.newTab(t)
	other.open(e, caseLink(t, texts, rows))
	status := poll[string](other, `document.getElementById("share-box").hidden ? null : document.getElementById("share-status").textContent || null`, 10*time.Second)
	if !strings.Contains(status, "it holds 101 cases; a page keeps at most 100") {
		t.Errorf("a link of 101 cases: share status %q", status)
	}
	tb.noErrors()
	other.noErrors()
}

// TestCaseExpectationEdited: a case's expected code is changed in the page, from
// its list of codes and with "Expect …, what it got" on a failing case; the case
// runs again against it, and the export writes it.
func TestCaseExpectationEdited(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.typeRule(`CN == "client.example.com"`)
	v = tb.verdictAfter(v.Seq)
	tb.addCase(e, v.Seq, e.pki(t, "client-good-chain.pem"))
	expects := func() string {
		return eval[string](tb, `document.querySelector('[data-case-index="0"] [data-testid="case-expect"]').value`)
	}
	if got := expects(); got != "0" {
		t.Fatalf("the case expects %q, want 0 (the verdict it was added with)", got)
	}
	// pickExpect picks code in the case's list, as a person does (a change event).
	pickExpect := func(code string) {
		eval[chromedp.Void](tb, `(() => { const s = document.querySelector('[data-case-index="0"] [data-testid="case-expect"]'); s.value = "`+code+`"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`)
	}

	// Picked from the list: the case now fails, with the way back offered.
	pickExpect("4019")
	cs := tb.casesWhere(`v.cases[0].passed === "false"`)
	if !strings.Contains(cs.Cases[0].Explain, "expected code 4019, got 0") || !strings.Contains(cs.Cases[0].Explain, "Expect 0, what it got") {
		t.Errorf("after expecting 4019: %+v, want it failing with 4019 ≠ 0 and the offer to expect 0", cs.Cases[0])
	}
	if got := expects(); got != "4019" {
		t.Errorf("the list shows %q after picking 4019", got)
	}
	if s := tb.text(`[data-testid="cases-status"]`); !strings.Contains(s, "now expects 4019") {
		t.Errorf("status %q", s)
	}

	// Taken from what it got: it passes again.
	tb.do(chromedp.Click(chromedp.CSS(`[data-case-index="0"] [data-testid="case-take"]`)))
	cs = tb.casesWhere(`v.cases[0].passed === "true"`)
	if got := expects(); got != "0" || cs.Cases[0].Open {
		t.Errorf("after taking what it got: expects %q, %+v; want 0 and passing", got, cs.Cases[0])
	}

	// The export writes the expectation the page holds.
	pickExpect("4018")
	tb.casesWhere(`v.cases[0].passed === "false"`)
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="cases-export"]`)))
	yaml := poll[string](tb, `document.querySelector('[data-testid="cases-yaml-text"]').value || null`, 10*time.Second)
	if !strings.Contains(yaml, "    expect: 4018\n") {
		t.Errorf("exported YAML does not expect 4018:\n%s", yaml)
	}
	tb.noErrors()
}
