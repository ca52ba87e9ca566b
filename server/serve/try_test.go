package serve

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/server/httperror"
)

// TestTryLoopbackHost: the demo's /try/ and its downloads (client keys, the token)
// answer only a Host that is the listener's own loopback name or address, so a web
// page that rebinds its name to 127.0.0.1 cannot read them through a browser; with
// --demo-public they answer any Host.
func TestTryLoopbackHost(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state")
	ts := startServe(t, Options{StateDir: state, Now: time.Now})
	addr := ts.s.HTTPAddr()
	port := addr[strings.LastIndex(addr, ":")+1:]
	fetch := func(path, host string) (int, string) {
		req, err := http.NewRequest("GET", "http://"+addr+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, readAll(t, resp)
	}
	for _, path := range []string{"/try/", "/try/files/good.key"} {
		for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "localhost", "[::1]:" + port, "127.0.0.53:" + port} {
			if status, _ := fetch(path, host); status != http.StatusOK {
				t.Errorf("GET %s, Host %s: %d, want 200", path, host, status)
			}
		}
		for _, host := range []string{"attacker.example", "attacker.example:" + port, "localhost.attacker.example:" + port, "127.0.0.1:1"} {
			status, body := fetch(path, host)
			var e engine.ErrorResponse
			if err := json.Unmarshal([]byte(body), &e); err != nil || status != http.StatusForbidden || e.Error.Code != httperror.CodeForbidden {
				t.Errorf("GET %s, Host %s: %d %.200s; want 403 forbidden in the error shape", path, host, status, body)
			}
			if strings.Contains(body, "PRIVATE KEY") || strings.Contains(body, "Bearer") {
				t.Errorf("GET %s, Host %s: the answer holds a key or the token", path, host)
			}
		}
	}
	ts.stop()

	pub := startServe(t, Options{StateDir: state, Now: time.Now, DemoPublic: true})
	req, _ := http.NewRequest("GET", "http://"+pub.s.HTTPAddr()+"/try/files/good.key", nil)
	req.Host = "mtlsplay.example"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != http.StatusOK || !strings.Contains(body, "PRIVATE KEY") {
		t.Errorf("--demo-public: GET /try/files/good.key, Host mtlsplay.example: %d; want 200 with the key", resp.StatusCode)
	}
}
