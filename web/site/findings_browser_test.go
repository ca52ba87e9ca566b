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
