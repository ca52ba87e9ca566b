package serve

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/server/echo"
)

// hangGuard bounds any wait in these tests: long enough never to fire on a slow,
// busy machine, short enough that a hang fails the test instead of the run.
const hangGuard = 2 * time.Minute

var testPKIDir = func() string {
	p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki"))
	if err != nil {
		panic(err)
	}
	return p
}()

func pkiPath(name string) string { return filepath.Join(testPKIDir, name) }

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testServer is runServe running in-process.
type testServer struct {
	t              testing.TB
	s              *Server
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
}

// startServe runs serve with opts (listeners on 127.0.0.1:0, the test clock unless
// set) and waits until it accepts connections.
func startServe(t testing.TB, opts Options) *testServer {
	t.Helper()
	if opts.HTTPAddr == "" {
		opts.HTTPAddr = "127.0.0.1:0"
	}
	if opts.MTLSAddr == "" {
		opts.MTLSAddr = "127.0.0.1:0"
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return pki.TestNow }
	}
	if opts.Limits == (echo.Limits{}) {
		opts.Limits = echo.DefaultLimits
	}
	if opts.LogFormat == "" {
		opts.LogFormat = "text"
	}
	ts := &testServer{t: t, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan int, 1)}
	ready := make(chan *Server, 1)
	opts.Ready = func(s *Server) { ready <- s }
	ctx, cancel := context.WithCancel(context.Background())
	ts.cancel = cancel
	go func() { ts.done <- Run(ctx, opts, ts.stdout, ts.stderr) }()
	select {
	case ts.s = <-ready:
	case code := <-ts.done:
		cancel()
		t.Fatalf("runServe exited with %d before listening\nstdout:\n%s\nstderr:\n%s", code, ts.stdout, ts.stderr)
	case <-time.After(hangGuard):
		t.Fatalf("runServe did not start listening")
	}
	t.Cleanup(func() { ts.stop() })
	return ts
}

// stop shuts the server down and returns its exit status.
func (ts *testServer) stop() int {
	ts.cancel()
	select {
	case code := <-ts.done:
		ts.done <- code // later calls see it too
		return code
	case <-time.After(hangGuard):
		ts.t.Errorf("runServe did not return after its context ended")
		return -1
	}
}

// writeConfig writes a config file into a new temporary folder and returns its path.
func writeConfig(t testing.TB, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "mtlsplay.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// testConfig is a config over the test PKI with a client for each decision code.
func testConfig(mode string) string {
	return fmt.Sprintf(`tls:
  cert: %[1]s/server-localhost-chain.pem
  key: %[1]s/server-localhost.key
  mode: %[2]s
clients:
  - name: partner-a
    token: "partner-a-token-0123456789"
    bundles: [%[1]s/root.pem]
    rule: CN == "client.example.com" && "DNS:api.example.com" in SAN
  - name: partner-rule
    bundles: [%[1]s/root.pem]
    rule: CN == "someone-else.example.com"
  - name: partner-b
    bundles: [%[1]s/root-b.pem]
  - name: no-bundle
    rule: "true"
`, testPKIDir, mode)
}

// clientTLS is a client's TLS config trusting the test root, presenting chain
// (a file of the test PKI, with its .key) unless chain is "".
func clientTLS(t testing.TB, chain, key string) *tls.Config {
	t.Helper()
	roots := x509.NewCertPool()
	root, err := os.ReadFile(pkiPath("root.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots.AppendCertsFromPEM(root)
	cfg := &tls.Config{
		RootCAs:    roots,
		ServerName: "localhost",
		Time:       func() time.Time { return pki.TestNow },
		NextProtos: []string{"http/1.1"},
	}
	if chain != "" {
		cert, err := tls.LoadX509KeyPair(pkiPath(chain), pkiPath(key))
		if err != nil {
			t.Fatal(err)
		}
		// Send the certificate whatever CA names the server lists (it lists none).
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return cfg
}

func httpClient(cfg *tls.Config) *http.Client {
	return &http.Client{Timeout: hangGuard, Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: false, DisableCompression: true}}
}

// echoResponse is the part of the echo JSON the tests read.
type echoResponse struct {
	Findings []struct {
		ID string `json:"id"`
	} `json:"findings"`
	Decision struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"decision"`
	TLS struct {
		Version     string `json:"version"`
		CipherSuite string `json:"cipher_suite"`
		ServerName  string `json:"server_name"`
		ALPN        string `json:"alpn"`
		Resumed     bool   `json:"resumed"`
		Mode        string `json:"mode"`
	} `json:"tls"`
	Certificates []struct {
		Subject struct {
			CN string `json:"cn"`
		} `json:"subject"`
		SANEntries []string `json:"san_entries"`
	} `json:"certificates"`
	Rule *struct {
		Source    string `json:"source"`
		Evaluated bool   `json:"evaluated"`
		Value     *bool  `json:"value"`
	} `json:"rule"`
	Client struct {
		Name       *string `json:"name"`
		SelectedBy string  `json:"selected_by"`
	} `json:"client"`
	Request struct {
		Line    string              `json:"line"`
		Headers map[string][]string `json:"headers"`
	} `json:"request"`
}

// get fetches url with c and decodes the echo response.
func getEcho(t testing.TB, c *http.Client, url string, header http.Header) (int, echoResponse, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading: %v", url, err)
	}
	var er echoResponse
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(body, &er); err != nil {
			t.Fatalf("GET %s: response is not JSON: %v\n%s", url, err, body)
		}
		if got := resp.Header.Get("Mtlsplay-Code"); got != fmt.Sprint(er.Decision.Code) {
			t.Errorf("GET %s: Mtlsplay-Code header %q, body code %d", url, got, er.Decision.Code)
		}
	}
	return resp.StatusCode, er, string(body)
}
