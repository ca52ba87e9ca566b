package serve

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestEchoNearMiss: the echo's rule explanation carries the near miss of a rule that
// failed on one character, as the page and the CLI show it.
func TestEchoNearMiss(t *testing.T) {
	cfg := fmt.Sprintf(`tls:
  cert: %[1]s/server-localhost-chain.pem
  key: %[1]s/server-localhost.key
  mode: report
clients:
  - name: typo
    bundles: [%[1]s/root.pem]
    rule: SAN.include?("DNS:client.example.co")
`, testPKIDir)
	ts := startServe(t, Options{ConfigPath: writeConfig(t, cfg)})
	c := httpClient(clientTLS(t, "client-good-chain.pem", "client-good.key"))
	defer c.CloseIdleConnections()
	status, er, body := getEcho(t, c, "https://"+ts.s.MTLSAddr()+"/c/typo/", nil)
	if status != 403 || er.Decision.Code != 4019 {
		t.Fatalf("GET /c/typo/ = %d, code %d; want 403, 4019\n%.600s", status, er.Decision.Code, body)
	}
	var out struct {
		Rule struct {
			Explanation struct {
				NearMisses []struct {
					Of, Value, Message string
					Start, End         int
				} `json:"near_misses"`
			}
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	nms := out.Rule.Explanation.NearMisses
	if len(nms) != 1 || nms[0].Of != "SAN[0]" || nms[0].Value != "DNS:client.example.com" || nms[0].Start != 13 || nms[0].End != 36 {
		t.Errorf("echo near misses = %+v; want SAN[0] DNS:client.example.com at the literal (13-36 of the formula)", nms)
	}

	// The HTML a browser gets shows it, the differing characters marked.
	_, _, page := getEcho(t, c, "https://"+ts.s.MTLSAddr()+"/c/typo/", http.Header{"Accept": {"text/html"}})
	for _, want := range []string{`data-testid="near-miss"`, `<code>DNS:client.example.co<mark class="gap" title="missing here"></mark></code>`,
		`SAN[0]: <code>DNS:client.example.co<mark>m</mark></code>`, "<h3>Certificate 1</h3>"} {
		if !strings.Contains(page, want) {
			t.Errorf("echo HTML lacks %s:\n%.3000s", want, page)
		}
	}
}
