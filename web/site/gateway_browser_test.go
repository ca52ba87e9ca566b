package site_test

import (
	"bytes"
	"compress/flate"
	"encoding/asn1"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// gatewayCert makes a certificate whose subject gateways print differently:
// O=Zoë Müller GmbH in UTF-8 (nginx escapes its bytes) and CN=Zoë as a BMPString
// (HAProxy copies the raw UCS-2 bytes, which are not UTF-8).
func gatewayCert(t *testing.T) string {
	t.Helper()
	from := pki.TestNow.Add(-24 * time.Hour)
	cn := pki.Attribute{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Tag: asn1.TagBMPString, Value: pki.BMPString("Zoë")}
	c, err := pki.SelfSign(pki.Spec{RawSubject: pki.MustName(pki.RDN{pki.Attr("O", "Zoë Müller GmbH")}, pki.RDN{cn}), NotBefore: from, NotAfter: from.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	return string(c.CertPEM())
}

// gatewayField is the text of the selected gateway's field name ("" when absent).
func gatewayField(tb *tab, name string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(() => { const d = document.querySelector('[data-testid="gateway-fields"] dd[data-name=%q] code'); return d ? d.textContent : ""; })()`, name))
}

// openPatient opens the playground as tab.open does, and decides again with a longer
// limit when the first decision ran out of the page's 2 s (on a loaded machine the
// first call, which builds the rule environment, can): these tests are about what
// the page shows, not about how fast.
func (tb *tab) openPatient(e *siteEnv, fragment string) verdict {
	tb.t.Helper()
	v := tb.open(e, fragment)
	eval[chromedp.Void](tb, `document.getElementById("main").dataset.timeoutMs = "20000"`)
	if strings.Contains(v.Error, "took longer") {
		eval[chromedp.Void](tb, `document.getElementById("gateway").dispatchEvent(new Event("change", {bubbles: true}))`)
		v = tb.verdictAfter(v.Seq)
	}
	return v
}

// TestGatewaySelector: Workato's view by default; choosing nginx shows its variables
// by their real names with its escapes, what it cannot see, and where the values come
// from; HAProxy's raw BMPString bytes are shown escaped and said not to be UTF-8.
func TestGatewaySelector(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.openPatient(e, "")
	v = tb.setAt(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, gatewayCert(t))
	v = tb.verdictAfter(v.Seq)
	if got := tb.value(`[data-testid="gateway"]`); got != "workato" {
		t.Errorf("gateway selector = %q, want workato by default", got)
	}
	if got := gatewayField(tb, "DN"); got != "CN=Zoë,O=Zoë Müller GmbH" {
		t.Errorf("Workato DN = %q, want CN=Zoë,O=Zoë Müller GmbH", got)
	}

	selectOption(tb, `[data-testid="gateway"]`, "nginx")
	v = tb.verdictAfter(v.Seq)
	if got, want := gatewayField(tb, "$ssl_client_s_dn"), `CN=Zo\C3\AB,O=Zo\C3\AB M\C3\BCller GmbH`; got != want {
		t.Errorf("nginx $ssl_client_s_dn = %q, want %q", got, want)
	}
	if got := gatewayField(tb, "DN"); got != "" {
		t.Errorf("nginx still shows Workato's DN %q", got)
	}
	if got := tb.text(`[data-testid="gateway-cannot-see"]`); !strings.Contains(got, "subjectAltName") {
		t.Errorf("nginx cannot see %q, want the SAN named", got)
	}
	if got := tb.text(`[data-testid="gateway-source"]`); !strings.Contains(got, "tested: nginx 1.22.1") {
		t.Errorf("nginx source %q, want tested: nginx 1.22.1 …", got)
	}
	if n := eval[int](tb, `document.querySelectorAll('[data-testid="gateway-fields"] dd button.copy').length`); n == 0 {
		t.Errorf("nginx fields have no copy buttons")
	}

	selectOption(tb, `[data-testid="gateway"]`, "haproxy")
	tb.verdictAfter(v.Seq)
	if got, want := gatewayField(tb, "ssl_c_s_dn"), `/O=Zo\xC3\xAB M\xC3\xBCller GmbH/CN=\x00Z\x00o\x00\xEB`; got != want {
		t.Errorf("HAProxy ssl_c_s_dn = %q, want %q", got, want)
	}
	enc := eval[string](tb, `document.querySelector('[data-testid="gateway-fields"] dd[data-name="ssl_c_s_dn"]').dataset.encoding || ""`)
	note := tb.text(`[data-testid="gateway-fields"] dd[data-name="ssl_c_s_dn"]`)
	if enc != "base64" || !strings.Contains(note, "not UTF-8") {
		t.Errorf("HAProxy ssl_c_s_dn: data-encoding %q, text %q; want base64 and said not UTF-8", enc, note)
	}
	tb.noErrors()
}

// TestGatewayTable: the side-by-side table is closed at first and, opened, lists
// every gateway with its fields.
func TestGatewayTable(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.openPatient(e, "")
	if open := eval[bool](tb, `document.querySelector('[data-testid="gateway-all"]').open`); open {
		t.Errorf("the side-by-side table is open at first")
	}
	if n := eval[int](tb, `document.querySelectorAll('[data-testid="gateway-table"] tbody tr').length`); n != 0 {
		t.Errorf("closed table has %d rows, want none computed", n)
	}
	eval[chromedp.Void](tb, `(() => { const d = document.querySelector('[data-testid="gateway-all"]'); d.open = true; })()`)
	tb.verdictAfter(v.Seq)
	got := poll[[]string](tb, `(() => { const s = [...new Set([...document.querySelectorAll('[data-testid="gateway-table"] tbody tr')].map(r => r.dataset.gateway))]; return s.length ? s : null; })()`, 10*time.Second)
	if want := gateway.Names(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("table lists %v, want every gateway %v", got, want)
	}
	if s := tb.text(`[data-testid="gateway-table"] tr[data-gateway="nginx"][data-name="$ssl_client_s_dn"]`); !strings.Contains(s, "client.example.com") {
		t.Errorf("table's nginx $ssl_client_s_dn row = %q, want the sample's subject", s)
	}
	tb.noErrors()
}

// TestGatewayShareLink: a share link keeps the gateway; an old link without one opens
// with Workato's view.
func TestGatewayShareLink(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.openPatient(e, "")
	selectOption(tb, `[data-testid="gateway"]`, "nginx")
	tb.verdictAfter(v.Seq)
	tb.do(chromedp.Click(chromedp.CSS("#share")))
	link := poll[string](tb, `document.getElementById("share-url").value || null`, 5*time.Second)

	other := e.newTab(t)
	ov := other.openPatient(e, link[strings.Index(link, "#"):])
	if got := other.value(`[data-testid="gateway"]`); got != "nginx" {
		t.Errorf("restored gateway %q, want nginx", got)
	}
	if got := gatewayField(other, "$ssl_client_s_dn"); !strings.Contains(got, "client.example.com") {
		t.Errorf("restored page's $ssl_client_s_dn = %q (verdict %+v), want the sample's subject", got, ov)
	}

	var z bytes.Buffer
	fw, _ := flate.NewWriter(&z, flate.BestCompression)
	fw.Write([]byte(`{"v":1,"r":"true"}`))
	fw.Close()
	old := e.newTab(t)
	lv := old.openPatient(e, "#s="+base64.RawURLEncoding.EncodeToString(z.Bytes()))
	if got := old.value(`[data-testid="gateway"]`); got != "workato" {
		t.Errorf("a link without a gateway opens with %q, want workato", got)
	}
	if got := gatewayField(old, "DN"); !strings.Contains(got, "client.example.com") {
		t.Errorf("old link's Workato DN = %q (verdict %+v), want the sample's subject", got, lv)
	}
	tb.noErrors()
	other.noErrors()
	old.noErrors()
}

// TestGatewayLint: a rule that compares DN with nginx's $ssl_client_s_dn for this
// certificate, byte escapes and all, gets the dn_gateway_form warning naming nginx's
// variable (in place of the certificate-free dn_gateway_escapes), and its fix makes
// the rule true for that certificate.
func TestGatewayLint(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.openPatient(e, "")
	v = tb.setAt(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, gatewayCert(t))
	v = tb.verdictAfter(v.Seq)
	tb.pasteRule(`DN == "CN=Zo\\C3\\AB,O=Zo\\C3\\AB M\\C3\\BCller GmbH"`)
	v = tb.verdictAfter(v.Seq)
	sel := `[data-testid="rule-warnings"] li[data-lint-id="dn_gateway_form"]`
	if msg := eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {}).textContent || ""`, sel)); !strings.Contains(msg, "$ssl_client_s_dn") {
		t.Fatalf("warning %q, want dn_gateway_form naming nginx's $ssl_client_s_dn", msg)
	}
	if n := eval[int](tb, `document.querySelectorAll('[data-testid="rule-warnings"] li[data-lint-id="dn_gateway_escapes"]').length`); n != 0 {
		t.Errorf("%d dn_gateway_escapes warnings beside dn_gateway_form on the same literal, want none", n)
	}
	tb.do(chromedp.Click(chromedp.CSS(sel + ` button.fix`)))
	tb.verdictAfter(v.Seq)
	if got, want := tb.ruleText(), `DN == "CN=Zoë,O=Zoë Müller GmbH"`; got != want {
		t.Errorf("after the fix the rule is %q, want %q", got, want)
	}
	if n := eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)); n != 0 {
		t.Errorf("after the fix %d dn_gateway_form warnings remain, want none", n)
	}
	tb.noErrors()
}

// TestGatewayDeceptive: a gateway's value with a text-reordering character is marked
// as every other certificate text is, in the fields and in the table.
func TestGatewayDeceptive(t *testing.T) {
	e := setup(t)
	from := pki.TestNow.Add(-24 * time.Hour)
	c, err := pki.SelfSign(pki.Spec{RawSubject: pki.MustName(pki.RDN{pki.Attr("CN", "moc.elpmaxe\u202e")}), NotBefore: from, NotAfter: from.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	tb := e.newTab(t)
	v := tb.openPatient(e, "")
	v = tb.setAt(v.Seq)
	tb.fill(`[data-testid="cert-input"]`, string(c.CertPEM()))
	v = tb.verdictAfter(v.Seq)
	selectOption(tb, `[data-testid="gateway"]`, "caddy")
	v = tb.verdictAfter(v.Seq)
	field := `[data-testid="gateway-fields"] dd[data-name="{http.request.tls.client.subject}"] span.deceptive[data-cp="U+202E"]`
	if n := eval[int](tb, fmt.Sprintf(`document.querySelectorAll(%q).length`, field)); n != 1 {
		t.Errorf("Caddy's subject has %d marked U+202E, want 1", n)
	}
	eval[chromedp.Void](tb, `document.querySelector('[data-testid="gateway-all"]').open = true`)
	tb.verdictAfter(v.Seq)
	row := `[data-testid="gateway-table"] tr[data-gateway="caddy"][data-name="{http.request.tls.client.subject}"] span.deceptive[data-cp="U+202E"]`
	if n := poll[int](tb, fmt.Sprintf(`document.querySelectorAll(%q).length || null`, row), 10*time.Second); n != 1 {
		t.Errorf("the table's Caddy subject has %d marked U+202E, want 1", n)
	}
	tb.noErrors()
}
