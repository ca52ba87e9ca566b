package site_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// exportState waits until the Export panel's data-state is state.
func exportState(tb *tab, state string) {
	tb.t.Helper()
	poll[string](tb, fmt.Sprintf(`(() => { const d = document.querySelector('[data-testid="export"]'); return d.dataset.state === %q ? d.dataset.state : null; })()`, state), 30*time.Second)
}

// TestExportPanel: the panel follows the selected gateway and the rule: it asks
// for a gateway export knows, shows nginx's config for a CN rule with a copy
// button, says which part nginx cannot express for a SAN rule, and shows that
// Caddy can.
func TestExportPanel(t *testing.T) {
	e := setup(t)
	tb := e.newTab(t)
	v := tb.openPatient(e, "")
	tb.do(chromedp.Click(chromedp.CSS(`[data-testid="export"] summary`)))
	exportState(tb, "unsupported")
	if got := tb.text(`[data-testid="export-status"]`); !strings.Contains(got, "nginx, HAProxy, Caddy and Envoy") {
		t.Errorf("status for Workato = %q", got)
	}

	selectOption(tb, `[data-testid="gateway"]`, "nginx")
	v = tb.verdictAfter(v.Seq)
	tb.pasteRule(`CN == "client.example.com"`)
	v = tb.verdictAfter(v.Seq)
	exportState(tb, "complete")
	cfg := tb.text(`[data-testid="export-config"]`)
	for _, want := range []string{"map $ssl_client_s_dn $mtls_c1", `CN=client\\x2Eexample\\x2Ecom`, "ssl_verify_client on;", `CN == "client.example.com"`} {
		if !strings.Contains(cfg, want) {
			t.Errorf("nginx config lacks %q:\n%s", want, cfg)
		}
	}
	if n := eval[int](tb, `document.querySelectorAll('[data-testid="export-copy"]').length`); n != 1 {
		t.Errorf("%d copy buttons, want 1", n)
	}

	tb.pasteRule(`SAN.include?("DNS:api.example.com") and CN == "client.example.com"`)
	v = tb.verdictAfter(v.Seq)
	exportState(tb, "partial")
	if got := tb.text(`[data-testid="export-notes"]`); !strings.Contains(got, `Not expressed: "DNS:api.example.com" in SAN: nginx has no variable`) {
		t.Errorf("nginx notes = %q, want the SAN condition named", got)
	}
	if got := tb.text(`[data-testid="export-status"]`); !strings.Contains(got, "never more; to decide with the whole rule, let mtlsplay decide: mtlsplay export --gateway nginx --delegate.") {
		t.Errorf("partial status = %q, want the delegate fallback", got)
	}
	// HAProxy has no delegate recipe: the page does not offer a command that fails.
	selectOption(tb, `[data-testid="gateway"]`, "haproxy")
	v = tb.verdictAfter(v.Seq)
	// The panel was partial for nginx already: wait for HAProxy's own status.
	got := poll[string](tb, `(() => { const s = document.querySelector('[data-testid="export-status"]').textContent; return s.includes("the haproxy config") ? s : null; })()`, 10*time.Second)
	if !strings.Contains(got, "never more; mtlsplay has no delegate recipe for HAProxy") || strings.Contains(got, "--gateway haproxy --delegate") {
		t.Errorf("HAProxy partial status = %q, want no --delegate command of its own", got)
	}

	selectOption(tb, `[data-testid="gateway"]`, "caddy")
	tb.verdictAfter(v.Seq)
	exportState(tb, "complete")
	if cfg := tb.text(`[data-testid="export-config"]`); !strings.Contains(cfg, `"api.example.com" in {http.request.tls.client.san.dns_names}`) {
		t.Errorf("Caddy config lacks the SAN condition:\n%s", cfg)
	}
	tb.noErrors()
}
