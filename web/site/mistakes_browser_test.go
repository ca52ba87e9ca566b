package site_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki/opensslpki"
)

// TestChainMistakesShown: with a PKI made by OpenSSL, the page shows the engine's
// findings for the two usual chain mistakes: the right chain against another PKI's
// root (wrong_bundle, not missing_intermediate), and the intermediate pasted first
// (leaf_not_first; the decision is made on the leaf, and the steps say so).
func TestChainMistakesShown(t *testing.T) {
	e := setup(t)
	p := opensslpki.New(t)
	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.fill("#at", p.At().Format(time.RFC3339))
	v = tb.verdictAfter(v.Seq)
	tb.fill(`.bundle:nth-child(1) textarea`, string(opensslpki.Read(t, p.Other)))
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, string(opensslpki.Read(t, p.Chain)))
	v = tb.verdictAfter(v.Seq)
	ids := func() map[string]finding {
		m := map[string]finding{}
		for _, f := range tb.findings() {
			m[f.ID] = f
		}
		return m
	}
	fs := ids()
	if f, ok := fs["wrong_bundle"]; v.Code != "4018" || !ok || f.Cert != "1" || !strings.Contains(f.Text, opensslpki.OtherDN) {
		t.Errorf("wrong bundle: code %s, findings %+v; want 4018 and wrong_bundle on certificate index 1 naming %s", v.Code, fs, opensslpki.OtherDN)
	}
	if _, ok := fs["missing_intermediate"]; ok {
		t.Errorf("wrong bundle: findings %+v still say missing_intermediate", fs)
	}

	tb.fill(`.bundle:nth-child(1) textarea`, string(opensslpki.Read(t, p.Root)))
	v = tb.verdictAfter(v.Seq)
	tb.pasteRule(`"DNS:client.example.com" in SAN`)
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, string(opensslpki.Read(t, p.Reversed)))
	v = tb.verdictAfter(v.Seq)
	fs = ids()
	if f, ok := fs["leaf_not_first"]; v.Code != "0" || !ok || f.Cert != "1" || !strings.Contains(f.Text, "the leaf is certificate 2") {
		t.Errorf("reversed chain: code %s (%s), findings %+v; want 0 and leaf_not_first on index 1", v.Code, v.Reason, fs)
	}
	if _, ok := fs["chain_unrelated_certificate"]; ok {
		t.Errorf("reversed chain: findings %+v tell the person to remove a certificate", fs)
	}
	if steps := tb.text("#steps"); !strings.Contains(steps, "certificate 2 is the leaf, pasted after its issuer") {
		t.Errorf("reversed chain: steps %q do not say which certificate was decided on", steps)
	}
	tb.noErrors()
}
