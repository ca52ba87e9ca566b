package site_test

import (
	"testing"
)

// TestSampleSharingACertificateStaysPicked: "SPIFFE ID" and "Email SAN" are the good
// client's certificate with a rule of their own. Picking one keeps it in the menu,
// with its own description, after the page decides again; before, the menu went
// back to the first sample with that certificate ("Good client (chain)") while the
// rule stayed the one picked.
func TestSampleSharingACertificateStaysPicked(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	for _, id := range []string{"spiffe", "email", "good"} {
		want := eval[string](tb, `document.querySelector('#sample option[value="`+id+`"]').title`)
		selectOption(tb, "#sample", id)
		v = tb.verdictAfter(v.Seq)
		if got := tb.value("#sample"); got != id {
			t.Errorf("after picking %s and its verdict, the sample menu holds %q", id, got)
		}
		if got := tb.text("#sample-help"); got != want {
			t.Errorf("after picking %s, the help says %q, want its description %q", id, got, want)
		}
	}
	tb.noErrors()
}
