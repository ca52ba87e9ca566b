package site_test

import (
	"strings"
	"testing"
)

// TestFindingsSayWhenNothingChecked: "nothing to fix" is said only of a certificate
// that was read and checked; an empty box and unreadable text each say why there
// are no findings.
func TestFindingsSayWhenNothingChecked(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	for _, c := range []struct{ name, text, want string }{
		{"unreadable", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n", "Nothing checked: the certificate could not be read"},
		{"empty", "", "No certificate to check."},
		{"a good certificate", e.pki(t, "client-good-chain.pem"), ""},
	} {
		tb.fill(`[data-testid="cert-input"]`, c.text)
		v = tb.verdictAfter(v.Seq)
		got := tb.text("#findings")
		switch {
		case c.want != "" && (!strings.Contains(got, c.want) || strings.Contains(got, "nothing to fix")):
			t.Errorf("%s: the findings say %q, want %q", c.name, got, c.want)
		case c.want == "" && (strings.Contains(got, "Nothing checked") || strings.Contains(got, "No certificate")):
			t.Errorf("%s: the findings say %q of a certificate that was read", c.name, got)
		}
	}
	tb.noErrors()
}

// TestNearMissShown: a rule that fails on a literal one space away from a SAN entry
// shows that entry beside the literal, the extra space marked; a rule that holds
// shows none.
func TestNearMissShown(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	v = tb.setAt(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, e.pki(t, "client-good-chain.pem"))
	v = tb.verdictAfter(v.Seq)
	tb.typeRule(`"Email: ops@example.com" in SAN`)
	v = tb.verdictAfter(v.Seq)
	if v.Code != "4019" {
		t.Fatalf("code %s (%s), want 4019", v.Code, v.Reason)
	}
	if hidden := eval[bool](tb, `document.getElementById("near-misses").hidden`); hidden {
		t.Fatalf("no near miss shown for a literal one space from a SAN entry")
	}
	text := tb.text(`[data-testid="near-misses"]`)
	if !strings.Contains(text, "Email:ops@example.com") || !strings.Contains(text, "Email: ops@example.com") {
		t.Errorf("the near miss does not show the literal beside the SAN entry: %q", text)
	}
	if marks := eval[[]string](tb, `[...document.querySelectorAll("#near-misses li:first-child mark")].map(m => m.textContent)`); len(marks) == 0 || strings.TrimSpace(strings.Join(marks, "")) != "" && !strings.Contains(strings.Join(marks, ""), "‸") {
		t.Errorf("the differing space is not marked: marks %q", marks)
	}
	tb.typeRule(`"Email:ops@example.com" in SAN`)
	v = tb.verdictAfter(v.Seq)
	if hidden := eval[bool](tb, `document.getElementById("near-misses").hidden`); v.Code != "0" || !hidden {
		t.Errorf("a rule that holds: code %s, near misses hidden %v", v.Code, hidden)
	}
	tb.noErrors()
}
