package site_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// escapePEM is Envoy's escaping of Cert=: every byte but letters, digits and -_.~ as %XX.
func escapePEM(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, "%%%02X", c)
		}
	}
	return s.String()
}

// headerRow reads one field of the pasted header as the page shows it.
type headerRow struct {
	Match  string `json:"match"`  // data-match: "true", "false", "" (not compared)
	Header string `json:"header"` // the header's value
	Cert   string `json:"cert"`   // the certificate's, as the header's writer writes it
	Marked bool   `json:"marked"` // drawn as a mismatch
}

func headerRows(tb *tab) map[string]headerRow {
	tb.t.Helper()
	return eval[map[string]headerRow](tb, `Object.fromEntries([...document.querySelectorAll('[data-testid="header-fields"] tbody tr')].map(r => [r.dataset.name,
		{match: r.dataset.match, header: r.querySelector(".header-value code").textContent, cert: (r.querySelector(".cert-value code") || {}).textContent || "", marked: r.classList.contains("mismatch")}]))`)
}

// TestGatewayHeaderInput: an Envoy x-forwarded-client-cert pasted as the certificate
// is read (the verdict is the PEM's), the page names the format and the header, and
// lists the header's own fields beside the certificate's: Hash and Subject that are
// not the certificate's are marked, URI and DNS that are match, By is shown as is.
// Traefik's info header is compared field by field; a PEM shows no header block.
func TestGatewayHeaderInput(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.openPatient(e, "")
	v = tb.setAt(v.Seq)
	chain := e.pki(t, "client-good-chain.pem")
	block, _ := pem.Decode([]byte(chain))
	sum := sha256.Sum256(block.Bytes)
	wrongHash := strings.Repeat("ab", 32)
	xfcc := `x-forwarded-client-cert: By=spiffe://example.com/edge;Hash=` + wrongHash + `;Cert="` + escapePEM([]byte(chain[:strings.Index(chain, "-----END CERTIFICATE-----")+25]+"\n")) +
		`";Chain="` + escapePEM([]byte(chain)) + `";Subject="CN=someone.example.com";URI=spiffe://example.com/ns/prod/sa/client;DNS=client.example.com`
	tb.fill(`[data-testid="cert-input"]`, xfcc)
	v = tb.verdictAfter(v.Seq)
	if v.Code != "0" {
		t.Fatalf("the header's certificate: verdict %+v, want the PEM's (accepted)", v)
	}
	box := `document.querySelector('[data-testid="header-read"]')`
	if eval[bool](tb, box+`.hidden`) {
		t.Fatalf("no header block for a pasted x-forwarded-client-cert")
	}
	if f, s := eval[string](tb, box+`.dataset.format`), tb.text(`#header-format`); f != "Envoy x-forwarded-client-cert" || !strings.Contains(s, "header x-forwarded-client-cert") {
		t.Errorf("header block says %q (data-format %q), want the Envoy format and the header's name", s, f)
	}
	rows := headerRows(tb)
	want := map[string]headerRow{
		"Hash":    {Match: "false", Header: wrongHash, Cert: hex.EncodeToString(sum[:]), Marked: true},
		"Subject": {Match: "false", Header: "CN=someone.example.com", Cert: "CN=client.example.com", Marked: true},
		"URI":     {Match: "true", Header: "spiffe://example.com/ns/prod/sa/client", Cert: "spiffe://example.com/ns/prod/sa/client"},
		"DNS":     {Match: "true", Header: "client.example.com", Cert: "client.example.com, api.example.com"},
		"By":      {Match: "", Header: "spiffe://example.com/edge"},
	}
	for name, w := range want {
		if got, ok := rows[name]; !ok || got != w {
			t.Errorf("header field %s = %+v (present %v), want %+v", name, got, ok, w)
		}
	}
	if len(rows) != len(want) {
		t.Errorf("header fields %v, want exactly %d", rows, len(want))
	}
	if s := tb.text(`#header-summary`); !strings.Contains(s, "2 of the header's fields differ") {
		t.Errorf("header summary %q, want 2 fields said to differ", s)
	}
	if n := eval[int](tb, `document.querySelectorAll('[data-testid="header-fields"] tbody tr button.copy').length`); n < len(want) {
		t.Errorf("%d copy buttons in the header's fields, want one per value at least", n)
	}

	// Traefik: the certificate, and its info header pasted after it.
	der := strings.Join(strings.Split(strings.TrimSpace(strings.SplitN(strings.SplitN(chain, "-----BEGIN CERTIFICATE-----", 2)[1], "-----END", 2)[0]), "\n"), "")
	info := url.QueryEscape(`Subject="CN=client.example.com";Issuer="CN=Someone Else"`)
	tb.fill(`[data-testid="cert-input"]`, "X-Forwarded-Tls-Client-Cert: "+der+"\nX-Forwarded-Tls-Client-Cert-Info: "+info)
	v = tb.verdictAfter(v.Seq)
	rows = headerRows(tb)
	if f := eval[string](tb, box+`.dataset.format`); f != "Traefik X-Forwarded-Tls-Client-Cert" || rows["Subject"].Match != "true" || rows["Issuer"].Match != "false" || rows["Issuer"].Cert != "CN=Acme Issuing CA" {
		t.Errorf("Traefik header: format %q, fields %+v; want Subject matching and Issuer differing from CN=Acme Issuing CA", f, rows)
	}

	tb.fill(`[data-testid="cert-input"]`, chain)
	tb.verdictAfter(v.Seq)
	if !eval[bool](tb, box+`.hidden`) {
		t.Errorf("a PEM still shows the header block: %q", tb.text(`[data-testid="header-read"]`))
	}
	tb.noErrors()
}
