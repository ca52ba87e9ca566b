package serve

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/server/config"
)

// TestDecisionMemo runs real connections against a server whose clock the test
// moves: within a second, a second connection reuses the decision, byte for byte;
// when the second turns, the decision is made again, so a certificate that has
// just expired is refused at once.
func TestDecisionMemo(t *testing.T) {
	notAfter := time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC) // client-good.pem's
	var clock atomic.Pointer[time.Time]
	set := func(t time.Time) { clock.Store(&t) }
	set(notAfter.Add(-time.Second + 100*time.Millisecond))
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport)), Now: func() time.Time { return *clock.Load() }})
	cfg := clientTLS(t, "client-good-chain.pem", "client-good.key")

	// decision fetches the echo on a new connection and returns its code and the
	// decision's JSON.
	decision := func(path string) (int, string) {
		t.Helper()
		c := httpClient(cfg.Clone())
		defer c.CloseIdleConnections()
		_, er, body := getEcho(t, c, "https://"+ts.s.MTLSAddr()+path, nil)
		var raw struct {
			Decision json.RawMessage `json:"decision"`
		}
		if err := json.Unmarshal([]byte(body), &raw); err != nil {
			t.Fatal(err)
		}
		return er.Decision.Code, string(raw.Decision)
	}
	memoSize := ts.s.echo.RememberedDecisions

	code1, d1 := decision("/c/partner-a/")
	set(notAfter.Add(-time.Second + 900*time.Millisecond)) // the same second
	code2, d2 := decision("/c/partner-a/")
	if code1 != 0 || code2 != 0 {
		t.Fatalf("codes %d and %d, want 0 and 0", code1, code2)
	}
	if d1 != d2 {
		t.Errorf("the same second gave different decisions:\n%s\n%s", d1, d2)
	}
	if n := memoSize(); n != 1 {
		t.Errorf("%d decisions remembered after two connections of one client in one second, want 1", n)
	}
	var at struct {
		DecidedAt time.Time `json:"decided_at"`
	}
	if err := json.Unmarshal([]byte(d1), &at); err != nil || !at.DecidedAt.Equal(notAfter.Add(-time.Second)) {
		t.Errorf("decided_at = %v (%v), want the second it was decided in, %v", at.DecidedAt, err, notAfter.Add(-time.Second))
	}

	// Another client of the same connection's certificate is its own decision.
	if code, _ := decision("/c/partner-rule/"); code != 4019 {
		t.Errorf("partner-rule: code %d, want 4019", code)
	}
	if n := memoSize(); n != 2 {
		t.Errorf("%d decisions remembered for two clients, want 2", n)
	}

	// notAfter's own second is still inside the validity period, which is
	// inclusive and written in whole seconds (OpenSSL, and so nginx, compares
	// time_t seconds too); a new second is decided anew.
	set(notAfter.Add(500 * time.Millisecond))
	if code, d := decision("/c/partner-a/"); code != 0 {
		t.Errorf("in notAfter's second: code %d, want 0\n%s", code, d)
	}
	// The next second the certificate has expired: nothing remembered is used.
	set(notAfter.Add(time.Second))
	if code, d := decision("/c/partner-a/"); code != 4018 {
		t.Errorf("after notAfter: code %d, want 4018 (expired)\n%s", code, d)
	}
	if n := memoSize(); n != 1 {
		t.Errorf("%d decisions remembered in the new second, want 1", n)
	}
}
