package site_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/pki/opensslpki"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

const readTranslation = `(() => { const p = document.getElementById("translation");
  return {shown: !p.hidden, stale: p.classList.contains("stale"), cel: document.getElementById("cel-translation").textContent,
    note: document.getElementById("translation-note").textContent}; })()`

type translation struct {
	Shown bool   `json:"shown"`
	Stale bool   `json:"stale"`
	CEL   string `json:"cel"`
	Note  string `json:"note"`
}

// TestCompileErrorsPlainNoStaleCEL: a formula being edited that stops compiling keeps
// its last translation marked stale; a rule typed over it that does not compile
// (`CN = "x"`, typographic quotes) shows no translation at all, the engine's plain
// message, and its quick fix both as the editor's lint action and as a button under
// the editor, which fixes the rule.
func TestCompileErrorsPlainNoStaleCEL(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	formula := `SAN.include?("DNS:client.example.com")`
	tb.pasteRule(formula)
	v = tb.verdictAfter(v.Seq)
	if tr := eval[translation](tb, readTranslation); !tr.Shown || tr.Stale || tr.CEL != `"DNS:client.example.com" in SAN` {
		t.Fatalf("%s: translation %+v, want its CEL shown, not stale", formula, tr)
	}
	// An edit of the formula that breaks it: the last translation stays, marked stale.
	tb.pasteRule(strings.TrimSuffix(formula, ")"))
	v = tb.verdictAfter(v.Seq)
	if tr := eval[translation](tb, readTranslation); v.Value != "error" || !tr.Shown || !tr.Stale || !strings.Contains(tr.Note, "does not compile now") {
		t.Errorf("formula being edited: verdict %q, translation %+v; want an error and the last CEL marked stale", v.Value, tr)
	}

	for _, c := range []struct{ rule, says, fixed string }{
		{`CN = "client.example.com"`, "a single = is not a comparison: write ==", `CN == "client.example.com"`},
		{`CN == “client.example.com”`, "“ is a typographic quote", `CN == "client.example.com"`},
	} {
		tb.pasteRule(formula)
		v = tb.verdictAfter(v.Seq)
		tb.pasteRule(c.rule)
		v = tb.verdictAfter(v.Seq)
		if v.Value != "error" || !strings.Contains(v.Error, c.says) || strings.Contains(v.Error, "token recognition") || strings.Contains(v.Error, "unexpected character") {
			t.Errorf("%s: verdict %q, error %q; want the plain message %q", c.rule, v.Value, v.Error, c.says)
		}
		if tr := eval[translation](tb, readTranslation); tr.Shown {
			t.Errorf("%s: the translation box still shows the earlier formula's CEL: %+v", c.rule, tr)
		}
		// The editor offers the fix as a lint action.
		poll[bool](tb, `document.querySelectorAll(".cm-lintRange-error").length > 0 || null`, 5*time.Second)
		tb.hover(".cm-lintRange-error")
		action := poll[string](tb, `(() => { const a = document.querySelector(".cm-tooltip-lint .cm-diagnosticAction"); return a && a.textContent; })()`, 5*time.Second)
		if action != "Apply fix" {
			t.Errorf("%s: the editor's diagnostic offers %q, want Apply fix", c.rule, action)
		}
		// The list under the editor holds the fix alone: the message is the error's.
		item := tb.text(`[data-testid="rule-warnings"] li[data-error-fix]`)
		if strings.Contains(item, c.says) || !strings.Contains(item, "Fix for the error at 1:") {
			t.Errorf("%s: the fix under the editor reads %q; want the fix, not the message again", c.rule, item)
		}
		tb.do(chromedp.Click(chromedp.CSS(`[data-testid="rule-warnings"] li[data-error-fix] button.fix`)))
		v = tb.verdictAfter(v.Seq)
		if got := tb.ruleText(); got != c.fixed || v.Value != "true" {
			t.Errorf("%s: after Apply fix the rule is %q, verdict %q (%s); want %q, true", c.rule, got, v.Value, v.Error, c.fixed)
		}
		if n := eval[int](tb, `document.querySelectorAll('[data-testid="rule-warnings"] li[data-error-fix]').length`); n != 0 {
			t.Errorf("%s: %d error fixes listed after the fix", c.rule, n)
		}
	}
	tb.pasteRule(`CN = "client.example.com"`)
	tb.verdictAfter(v.Seq)
	screenshot(t, tb, "compile-error") // last: a full-page capture moves what the mouse points at
	tb.noErrors()
}

// TestValidityAsEngineSaysIt: the fields' "N days left" is trust.FormatSpan of the
// decision's time (the page's "Evaluate at", not the browser's clock), as `inspect`
// prints and the expires_soon finding says: whole days truncated, hours under a day.
func TestValidityAsEngineSaysIt(t *testing.T) {
	e := setup(t)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Span Root"}, NotBefore: at.AddDate(-1, 0, 0), NotAfter: at.AddDate(5, 0, 0), IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.fill("#at", at.Format(time.RFC3339))
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="bundle-input"]`, string(root.CertPEM()))
	v = tb.verdictAfter(v.Seq)
	for _, left := range []time.Duration{9*24*time.Hour + 20*time.Hour, 20*time.Hour + 30*time.Minute, 400*24*time.Hour + 23*time.Hour} {
		leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "span.example.com"}, NotBefore: at.Add(-time.Hour), NotAfter: at.Add(left),
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: []pki.GeneralName{pki.DNSName("span.example.com")}})
		if err != nil {
			t.Fatal(err)
		}
		tb.fill(`[data-testid="cert-input"]`, string(leaf.CertPEM()))
		v = tb.verdictAfter(v.Seq)
		span := trust.FormatSpan(left)
		if got := tb.text(`[data-testid="validity"]`); got != span+" left" {
			t.Errorf("%v before expiry: the page says %q, the engine %q", left, got, span+" left")
		}
		var soon string
		for _, f := range tb.findings() {
			if f.ID == "expires_soon" {
				soon = f.Text
			}
		}
		if left < 30*24*time.Hour && !strings.Contains(soon, "in "+span) {
			t.Errorf("%v before expiry: expires_soon says %q, want \"in %s\" as the fields", left, soon, span)
		}
	}
	tb.noErrors()
}

// TestDateOnlyEvaluateAt: "2026-06-01" in the Evaluate at field is midnight UTC, as
// the engine reads it: no error, the same verdict and "days left" as the full time.
func TestDateOnlyEvaluateAt(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.fill("#at", "2026-06-01T00:00:00Z")
	full := tb.verdictAfter(v.Seq)
	days := tb.text(`[data-testid="validity"]`)
	tb.fill("#at", "2026-06-01")
	v = tb.verdictAfter(full.Seq)
	if v.Error != "" || v.Code != full.Code || v.Value != full.Value {
		t.Errorf("date-only: verdict %q code %q error %q; want %q %q as at 2026-06-01T00:00:00Z", v.Value, v.Code, v.Error, full.Value, full.Code)
	}
	if got := tb.text(`[data-testid="validity"]`); got != days {
		t.Errorf("date-only: validity %q, want %q", got, days)
	}
	// The date decides: a day after the sample's expiry it is expired.
	tb.fill("#at", "2030-01-01")
	v = tb.verdictAfter(v.Seq)
	if v.Code != "4018" || !strings.Contains(v.Reason, "expired") {
		t.Errorf("date-only 2030-01-01: code %q (%s), want 4018 expired", v.Code, v.Reason)
	}
	tb.noErrors()
}

// TestLeafDecidedOnShown: an OpenSSL chain pasted intermediate first is decided on
// its leaf (certificate 2): the chain view marks that one "the leaf decided on", and
// "What the rule sees" shows its fields, also while the rule does not compile.
func TestLeafDecidedOnShown(t *testing.T) {
	e := setup(t)
	p := opensslpki.New(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.fill("#at", p.At().Format(time.RFC3339))
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="bundle-input"]`, string(opensslpki.Read(t, p.Root)))
	v = tb.verdictAfter(v.Seq)
	tb.pasteRule(`"DNS:client.example.com" in SAN`)
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, string(opensslpki.Read(t, p.Reversed)))
	v = tb.verdictAfter(v.Seq)
	if v.Code != "0" {
		t.Fatalf("reversed chain: code %s (%s), want 0", v.Code, v.Reason)
	}
	type shown struct {
		Tags  []string `json:"tags"`
		CN    string   `json:"cn"`
		DN    string   `json:"dn"`
		Match []string `json:"match"`
		Note  string   `json:"note"`
	}
	const read = `(() => ({
	  tags: [...document.querySelectorAll("#chain-presented li")].map(li => { const t = li.querySelector(".leaf-tag"); return t ? t.textContent : ""; }),
	  cn: document.getElementById("cn").textContent, dn: document.getElementById("dn").textContent,
	  match: [...document.querySelectorAll('[data-testid="san"] li.match code')].map(c => c.textContent),
	  note: (() => { const n = document.getElementById("fields-leaf"); return n && !n.hidden ? n.textContent : ""; })(),
	}))()`
	s := eval[shown](tb, read)
	if len(s.Tags) != 2 || s.Tags[0] != "" || s.Tags[1] != "the leaf decided on" {
		t.Errorf("chain as presented tags %q, want certificate 2 marked the leaf decided on", s.Tags)
	}
	if s.CN != "client.example.com" || s.DN != opensslpki.LeafDN || len(s.Match) != 1 || s.Match[0] != "DNS:client.example.com" {
		t.Errorf("the fields show CN %q DN %q (matched %q); want the leaf's", s.CN, s.DN, s.Match)
	}
	if !strings.Contains(s.Note, "certificate 2") {
		t.Errorf("the fields do not say whose they are: %q", s.Note)
	}
	// While the rule does not compile, the fields still show the leaf.
	tb.pasteRule(`CN = "client.example.com"`)
	v = tb.verdictAfter(v.Seq)
	if s := eval[shown](tb, read); v.Value != "error" || s.CN != "client.example.com" || s.Tags[1] != "the leaf decided on" {
		t.Errorf("rule not compiling: verdict %q, fields %+v; want the leaf's fields", v.Value, s)
	}
	// The right order again: no note, certificate 1 is the leaf.
	tb.pasteRule(`"DNS:client.example.com" in SAN`)
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, string(opensslpki.Read(t, p.Chain)))
	v = tb.verdictAfter(v.Seq)
	if s := eval[shown](tb, read); s.Note != "" || s.Tags[0] != "leaf" || s.CN != "client.example.com" {
		t.Errorf("chain in order: %+v, want certificate 1 the leaf and no note", s)
	}
	tb.fill(`[data-testid="cert-input"]`, string(opensslpki.Read(t, p.Reversed)))
	tb.verdictAfter(v.Seq)
	screenshot(t, tb, "leaf-decided-on")
	tb.noErrors()
}

// TestInvalidReasonSaidOnce: a 4018's reason (an expired chain, an unknown issuer) is
// said in full once, in the verdict's reason: the failing step and the chain as
// verified point there (the latter says what each bundle tried, in other words), and
// a finding that would say the same (expired) points there with its fix. Said once,
// it is read once; three or four copies made the pane a wall of one sentence.
// MTLSPLAY_SCREENSHOTS=DIR keeps a screenshot of each.
func TestInvalidReasonSaidOnce(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	for _, c := range []struct{ name, pem string }{
		{"expired", e.pki(t, "client-expired-chain.pem")},
		{"unknown-issuer", deceptiveLeaf(t, "client.example.com", "Unknown Root CA")},
	} {
		tb.fill(`[data-testid="cert-input"]`, c.pem)
		v = tb.verdictAfter(v.Seq)
		const prefix = "invalid client certificate: "
		if v.Code != "4018" || !strings.HasPrefix(v.Reason, prefix) {
			t.Fatalf("%s: code %s reason %q, want 4018", c.name, v.Code, v.Reason)
		}
		why := strings.TrimPrefix(v.Reason, prefix)
		if n := eval[int](tb, `document.getElementById("main").innerText.split(`+jsString(why)+`).length - 1`); n != 1 {
			t.Errorf("%s: the reason %q is on the page %d times, want once", c.name, why, n)
		}
		for _, sel := range []string{"#steps", "#chain-verified"} {
			if got := tb.text(sel); strings.Contains(got, why) {
				t.Errorf("%s: %s repeats the reason: %q", c.name, sel, got)
			}
		}
		if got := tb.text(`#steps li[data-check="chain"]`); !strings.Contains(got, "the reason above") {
			t.Errorf("%s: the chain step says %q, want it to point to the reason", c.name, got)
		}
		if got := tb.text("#chain-verified"); !strings.Contains(got, "see the verdict's reason") || c.name == "unknown-issuer" && !strings.Contains(got, `bundle "acme-root": no certificate of this bundle issued the chain`) {
			t.Errorf("%s: the chain as verified says %q, want a pointer to the reason (and what the bundle tried gave)", c.name, got)
		}
		screenshot(t, tb, "reason-"+c.name)
	}
	tb.noErrors()
}

// jsString is s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// screenshot writes the tab's page as DIR/name.png when MTLSPLAY_SCREENSHOTS=DIR.
func screenshot(t *testing.T, tb *tab, name string) {
	t.Helper()
	dir := os.Getenv("MTLSPLAY_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
