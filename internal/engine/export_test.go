//go:build !inspector

package engine

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestExportOp(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name, request string
		complete      bool
		errCode       string
		holds         string
	}{
		{"nginx", `{"rule": "CN == \"a\"", "gateway": "nginx", "bundles": ["my roots; v2"]}`, true, "", "ssl_client_certificate /etc/ssl/my-roots--v2.pem;"},
		{"formula, partial", `{"rule": "SAN.include?(\"DNS:x\")", "gateway": "haproxy"}`, false, "", "PARTIAL"},
		{"caddy, empty rule", `{"rule": "", "gateway": "caddy"}`, true, "", "trusted_ca_cert_file /etc/ssl/client-ca.pem"},
		{"unknown gateway", `{"rule": "true", "gateway": "traefik"}`, false, "bad_request", ""},
		{"compile error", `{"rule": "CN ==", "gateway": "nginx"}`, false, "compile_error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Call("export", []byte(tt.request), now)
			var res struct {
				Config   string   `json:"config"`
				Complete bool     `json:"complete"`
				Missing  []string `json:"missing"`
				Error    *Error   `json:"error"`
			}
			if err := json.Unmarshal(out, &res); err != nil {
				t.Fatalf("Call(export, %s) = %s: %v", tt.request, out, err)
			}
			if tt.errCode != "" {
				if res.Error == nil || res.Error.Code != tt.errCode {
					t.Fatalf("Call(export, %s) = %s, want error %s", tt.request, out, tt.errCode)
				}
				return
			}
			if res.Error != nil || res.Complete != tt.complete || !strings.Contains(res.Config, tt.holds) {
				t.Errorf("Call(export, %s) = %s; want complete %v and %q", tt.request, out, tt.complete, tt.holds)
			}
		})
	}
}
