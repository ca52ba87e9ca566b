package site_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestGatewayScreenshots writes screenshots of "What the rule sees" with every
// gateway side by side (desktop and phone) into $MTLSPLAY_SCREENSHOTS, for a
// person to look at the table's layout; it is skipped without it.
func TestGatewayScreenshots(t *testing.T) {
	dir := os.Getenv("MTLSPLAY_SCREENSHOTS")
	if dir == "" {
		t.Skip("set MTLSPLAY_SCREENSHOTS=DIR to write screenshots")
	}
	e := setup(t)
	for _, s := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"gateways-desktop", 1280, 900, false}, {"gateways-phone", 390, 900, true}} {
		tb := e.newTab(t)
		tb.do(chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: s.width, Height: s.height, DeviceScaleFactor: 1, Mobile: s.mobile})
			return err
		}))
		v := tb.openPatient(e, "")
		v = tb.setAt(v.Seq)
		tb.fill(`[data-testid="bundle-input"]`, e.pki(t, "intermediate.pem"))
		v = tb.verdictAfter(v.Seq)
		selectOption(tb, `[data-testid="gateway"]`, "nginx")
		v = tb.verdictAfter(v.Seq)
		eval[chromedp.Void](tb, `document.querySelector('[data-testid="gateway-all"]').open = true`)
		v = tb.verdictAfter(v.Seq)
		shot := func(name, sel string) {
			tb.do(chromedp.Sleep(300 * time.Millisecond))
			png, err := chromedp.Run(tb.ctx, chromedp.Screenshot(chromedp.CSS(sel)))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, s.name+name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		shot("", `section[aria-labelledby="h-fields"]`)
		shot("-verdict", `section[aria-labelledby="h-verdict"]`)
		chain := e.pki(t, "client-good-chain.pem")
		leaf := chain[:strings.Index(chain, "-----END CERTIFICATE-----")+26]
		tb.fill(`[data-testid="cert-input"]`, `x-forwarded-client-cert: By=spiffe://example.com/edge;Hash=`+strings.Repeat("ab", 32)+`;Cert="`+escapePEM([]byte(leaf))+`";Chain="`+escapePEM([]byte(chain))+`";Subject="CN=someone.example.com";URI=spiffe://example.com/ns/prod/sa/client;DNS=client.example.com`)
		tb.verdictAfter(v.Seq)
		shot("-header", `section[aria-labelledby="h-cert"]`)
		tb.close()
	}
}
