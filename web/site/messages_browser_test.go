package site_test

import (
	"bytes"
	"compress/flate"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// deceptiveLeaf makes, with internal/pki, a leaf whose CN is cn, issued by a root
// named issuer that the page's default bundle does not hold and that is not sent:
// the decision is 4018 and its reason quotes the issuer's DN.
func deceptiveLeaf(t *testing.T, cn, issuer string) string {
	t.Helper()
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: issuer}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: to, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, SAN: []pki.GeneralName{pki.DNSName("example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	return string(leaf.CertPEM())
}

// rawDeceptive lists the text of every text node of the page that
// holds an invisible or reordering character (the set of dom.ts and
// internal/diagnose/deceptive.go) without being the one character of a
// span.deceptive: text that displays differently from what it is. Form fields'
// values are not text nodes; the rule editor shows the rule as typed.
const rawDeceptive = `(() => {
  const re = /[\u0080-\u009F\u00AD\u061C\u200B-\u200F\u202A-\u202E\u2060\u2066-\u2069\uFEFF]/;
  const out = [];
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    const p = n.parentElement;
    if (!re.test(n.data) || p.closest("textarea, script, style, .cm-editor, .rule-standin")) continue;
    if (p.classList.contains("deceptive") && [...n.data].length === 1) continue;
    out.push((p.id || p.className || p.tagName) + ": " + n.data);
  }
  return out;
})()`

// TestDeceptiveCharactersInMessages: names holding a RIGHT-TO-LEFT OVERRIDE are quoted
// by the decision's reason (the steps and the verification point to it rather than
// repeat it; the findings write it as U+202E), shown marked with its code point and
// isolated, as the certificate's fields do, and no line anywhere holds it raw.
func TestDeceptiveCharactersInMessages(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, deceptiveLeaf(t, "\u202Emoc.elpmaxe", "\u202EAC tooR"))
	v = tb.verdictAfter(v.Seq)
	if v.Code != "4018" || !strings.Contains(v.Reason, "\u202EAC tooR") {
		t.Fatalf("verdict %s %q, want 4018 with a reason that quotes the issuer", v.Code, v.Reason)
	}
	for _, sel := range []string{"#reason"} {
		marked := eval[struct {
			N        int
			CP       string
			Isolated string
		}](tb, fmt.Sprintf(`(() => { const s = document.querySelectorAll(%q); const cs = s[0] && getComputedStyle(s[0]);
			return {n: s.length, cp: s[0] ? s[0].dataset.cp : "", isolated: cs ? cs.unicodeBidi : ""}; })()`, sel+" .deceptive"))
		if marked.N == 0 || marked.CP != "U+202E" || marked.Isolated != "isolate" {
			t.Errorf("%s: the override is not marked and isolated: %+v (text %q)", sel, marked, tb.text(sel))
		}
	}
	if got := tb.text(`[data-finding-id="deceptive_text"]`); !strings.Contains(got, "U+202E") {
		t.Errorf("finding deceptive_text shows %q, want the code point", got)
	}
	if raw := eval[[]string](tb, rawDeceptive); len(raw) > 0 {
		t.Errorf("text shown with the raw character, neither marked nor isolated: %q", raw)
	}
	tb.noErrors()
}

// TestDeceptiveCharactersInShareStatus opens a link whose rule language is unknown and
// holds a RIGHT-TO-LEFT OVERRIDE: the share box quotes it, marked and isolated.
func TestDeceptiveCharactersInShareStatus(t *testing.T) {
	e := setup(t)
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write([]byte(`{"v":1,"d":"\u202Eevil"}`))
	fw.Close()
	tb := e.newTab(t)
	tb.open(e, "#s="+base64.RawURLEncoding.EncodeToString(z.Bytes()))
	cp := poll[string](tb, `(() => { const s = document.querySelector("#share-status .deceptive"); return s && s.dataset.cp; })()`, 10*time.Second)
	if cp != "U+202E" {
		t.Errorf("share status marks %q, want U+202E", cp)
	}
	if raw := eval[[]string](tb, rawDeceptive); len(raw) > 0 {
		t.Errorf("text shown with the raw character, neither marked nor isolated: %q", raw)
	}
	tb.noErrors()
}
