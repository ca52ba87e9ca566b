package authz

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/metrics"
	"github.com/mtlsplay/mtlsplay/server/reqlog"
)

// benchServer is the endpoint over the test PKI with client partner-a, and a
// request carrying client-good-chain.pem as nginx sends it.
func benchServer(b testing.TB) (*Server, *http.Request) {
	b.Helper()
	pkiDir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki"))
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "c.yaml")
	cfgText := "tls: {cert: " + pkiDir + "/server-localhost-chain.pem, key: " + pkiDir + "/server-localhost.key}\n" +
		"clients:\n  - name: partner-a\n    bundles: [" + pkiDir + "/root.pem]\n    rule: CN == \"client.example.com\" && \"DNS:api.example.com\" in SAN\n"
	if err := os.WriteFile(p, []byte(cfgText), 0o600); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(p, pki.TestNow)
	if err != nil {
		b.Fatal(err)
	}
	chain, err := os.ReadFile(filepath.Join(pkiDir, "client-good-chain.pem"))
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := New(Options{Config: cfg, Log: log, RequestLog: reqlog.New(io.Discard, false, &slog.HandlerOptions{}), Metrics: metrics.New([]string{"partner-a"}),
		Now: func() time.Time { return pki.TestNow }})
	req := httptest.NewRequest("GET", "/authz/partner-a", nil)
	req.RemoteAddr = "127.0.0.2:40000"
	req.Header.Set("X-SSL-Client-Cert", url.PathEscape(string(chain)))
	return s, req
}

// BenchmarkAuthzRemembered is a proxy's request whose answer the memo holds (the
// common case: a client's certificate asked about again within its second).
func BenchmarkAuthzRemembered(b *testing.B) {
	s, req := benchServer(b)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != 200 {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
	}
}

// BenchmarkAuthzDecide is a decision the memo does not hold: the header read, the
// certificates from the cache, the chain from the verification cache, the rule
// evaluated and both bodies rendered.
func BenchmarkAuthzDecide(b *testing.B) {
	s, req := benchServer(b)
	name, value, chain, err := certHeader(req.Header, "")
	if err != nil {
		b.Fatal(err)
	}
	key := memoKey{client: s.cfg.Find("partner-a"), header: name, value: value, chain: chain}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.decide(key, pki.TestNow); err != nil {
			b.Fatal(err)
		}
	}
}
