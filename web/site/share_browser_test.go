package site_test

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"strings"
	"testing"
)

// TestShareLinkBomb opens a link of some 64 KB that inflates to 64 MiB (a valid
// state: the certificate is 64 MiB of "A"): the share box says the link is too large
// and was not opened, the page keeps the sample, and a certificate pasted after is
// evaluated as usual.
func TestShareLinkBomb(t *testing.T) {
	e := setup(t)
	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write([]byte(`{"v":1,"r":"true","c":"`))
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for range 64 {
		fw.Write(chunk)
	}
	fw.Write([]byte(`"}`))
	fw.Close()
	tb := e.newTab(t)
	v := tb.open(e, "#s="+base64.RawURLEncoding.EncodeToString(z.Bytes()))
	status := poll[string](tb, `document.getElementById("share-box").hidden ? null : document.getElementById("share-status").textContent || null`, 10e9)
	if !strings.Contains(status, "more than 4 MiB") || strings.Contains(status, "cut short") {
		t.Errorf("share box says %q, want that the link inflates to more than 4 MiB and was not opened", status)
	}
	if got := tb.value(`[data-testid="cert-input"]`); len(got) > 1<<16 || !strings.Contains(got, "BEGIN CERTIFICATE") {
		t.Errorf("certificate box holds %d characters (%.40q…), want the sample", len(got), got)
	}
	tb.fill(`[data-testid="cert-input"]`, e.pki(t, "client-good-chain.pem"))
	v = tb.verdictAfter(v.Seq)
	v = tb.setAt(v.Seq)
	if v.Code != "0" {
		t.Errorf("a certificate pasted after the link: code %q (%s %s), want 0", v.Code, v.Reason, v.Error)
	}
	tb.noErrors()
}
