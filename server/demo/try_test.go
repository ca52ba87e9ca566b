package demo

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/httperror"
)

// TestExposureOf: the demo's keys and token are offered on a loopback page
// listener (to a loopback Host), withheld with a reason on any other, and offered
// everywhere with --demo-public.
func TestExposureOf(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
		want   Exposure
	}{
		{"127.0.0.1:8080", false, Loopback},
		{"127.0.0.2:8080", false, Loopback},
		{"[::1]:8080", false, Loopback},
		{"0.0.0.0:8080", false, Withheld},
		{"[::]:8080", false, Withheld},
		{"192.0.2.10:8080", false, Withheld},
		{"[2001:db8::1]:8080", false, Withheld},
		{"0.0.0.0:8080", true, Public},
		{"127.0.0.1:8080", true, Public},
	}
	for _, tt := range tests {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		if err != nil {
			t.Fatal(err)
		}
		got, why := ExposureOf(addr, tt.public)
		if got != tt.want {
			t.Errorf("ExposureOf(%s, public %v) = %v, want %v", tt.addr, tt.public, got, tt.want)
		}
		if (got == Withheld) != (why != "") || (why != "" && !strings.Contains(why, "--demo-public")) {
			t.Errorf("ExposureOf(%s, public %v): reason %q; want one naming --demo-public exactly when withheld", tt.addr, tt.public, why)
		}
	}
}

// TestLoopbackHost: the names and addresses /try/ accepts as the listener's own.
func TestLoopbackHost(t *testing.T) {
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	for host, want := range map[string]bool{
		"localhost": true, "localhost:8080": true, "LOCALHOST:8080": true, "127.0.0.1": true, "127.0.0.1:8080": true,
		"127.1.2.3:8080": true, "[::1]:8080": true, "[::1]": true,
		"localhost:8081": false, "127.0.0.1:80": false, "attacker.example": false, "attacker.example:8080": false,
		"localhost.attacker.example:8080": false, "127.0.0.1.nip.io:8080": false, "[::ffff:127.0.0.1]:8080": false,
		"10.0.0.1:8080": false, "0.0.0.0:8080": false, "": false, "[fe80::1%25lo]:8080": false,
	} {
		r := httptest.NewRequest("GET", "/try/", nil)
		r.Host = host
		r = r.WithContext(context.WithValue(r.Context(), http.LocalAddrContextKey, local))
		if got := loopbackHost(r); got != want {
			t.Errorf("loopbackHost(Host %q) = %v, want %v", host, got, want)
		}
	}
}

// TestTryWithheld: on a listener other machines reach, /try/ shows the commands
// and says why it offers no keys; it shows no token, links no download, and the
// downloads answer 403 in the error shape.
func TestTryWithheld(t *testing.T) {
	now := time.Now()
	d, _, err := Open(t.TempDir(), now)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(d.ConfigPath, now)
	if err != nil {
		t.Fatal(err)
	}
	wild, _ := net.ResolveTCPAddr("tcp", "0.0.0.0:8080")
	e, why := ExposureOf(wild, false)
	mux := http.NewServeMux()
	NewTry(cfg, d, "https://127.0.0.1:8443", slog.New(slog.DiscardHandler), e, why).Routes(mux)
	get := func(path string) (int, string) {
		r := httptest.NewRequest("GET", path, nil)
		r.Host = "mtlsplay.example:8080"
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		b, _ := io.ReadAll(w.Result().Body)
		return w.Code, string(b)
	}
	status, page := get("/try/")
	if status != http.StatusOK || !strings.Contains(page, `data-testid="withheld"`) || !strings.Contains(page, `data-testid="curl"`) {
		t.Errorf("GET /try/ on a wildcard listener: %d; want 200 with the commands and the withheld note", status)
	}
	if token := string(cfg.Find("demo").Token); strings.Contains(page, token) {
		t.Errorf("GET /try/ on a wildcard listener shows the token")
	}
	for _, f := range []string{"good.key", "good.pem", "good.p12"} {
		if strings.Contains(page, "/try/files/"+f) {
			t.Errorf("GET /try/ on a wildcard listener links %s", f)
		}
	}
	// The root is no secret: a client needs it for --cacert wherever it runs.
	if status, body := get("/try/files/root.pem"); status != http.StatusOK || !strings.Contains(page, "/try/files/root.pem") || body != string(d.RootPEM) {
		t.Errorf("GET /try/files/root.pem on a wildcard listener: %d; want 200 with the root, linked from /try/", status)
	}
	for _, name := range []string{"good.key", "good.pem", "good.p12"} {
		status, body := get("/try/files/" + name)
		var e engine.ErrorResponse
		if err := json.Unmarshal([]byte(body), &e); err != nil || status != http.StatusForbidden || e.Error.Code != httperror.CodeForbidden {
			t.Errorf("GET /try/files/%s on a wildcard listener: %d %s; want 403 forbidden", name, status, body)
		}
	}
}
