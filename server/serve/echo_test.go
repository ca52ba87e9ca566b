package serve

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/echo"
	"github.com/mtlsplay/mtlsplay/server/httperror"
)

// echoCase is one request to the echo endpoint over a fresh TLS connection.
type echoCase struct {
	name       string
	chain, key string // the client certificate (test PKI), "" for none
	path       string
	header     http.Header
	status     int
	code       int
	handshake  string // strict mode: the handshake fails for this reason instead
	finding    string // a finding the echo must report
}

var (
	goodCert = [2]string{"client-good-chain.pem", "client-good.key"}
	bearerA  = http.Header{"Authorization": {"Bearer partner-a-token-0123456789"}}
)

func echoCases(mode string) []echoCase {
	strict := mode == config.ModeStrict
	hs := func(reason string) string {
		if strict {
			return reason
		}
		return ""
	}
	return []echoCase{
		{name: "accepted, by path", chain: goodCert[0], key: goodCert[1], path: "/c/partner-a/", status: 200, code: 0},
		{name: "accepted, by token", chain: goodCert[0], key: goodCert[1], path: "/anything", header: bearerA, status: 200, code: 0},
		{name: "accepted, other bundle, no rule", chain: "client-root-b.pem", key: "client-root-b.key", path: "/c/partner-b/x?y=1", status: 200, code: 0},
		{name: "4020 unknown client", chain: goodCert[0], key: goodCert[1], path: "/c/nosuch/", status: 404, code: 4020},
		{name: "4020 no client selected", chain: goodCert[0], key: goodCert[1], path: "/", status: 404, code: 4020},
		{name: "4020 unknown token", chain: goodCert[0], key: goodCert[1], path: "/", header: http.Header{"Authorization": {"Bearer not-a-token-of-anyone"}}, status: 404, code: 4020},
		{name: "4016 no bundle", chain: goodCert[0], key: goodCert[1], path: "/c/no-bundle/", status: 403, code: 4016},
		{name: "4017 no certificate", path: "/c/partner-a/", status: 401, code: 4017, handshake: hs("no_certificate")},
		{name: "4018 expired", chain: "client-expired-chain.pem", key: "client-expired.key", path: "/c/partner-a/", status: 403, code: 4018, handshake: hs("untrusted_certificate"), finding: "expired"},
		{name: "4018 unknown CA", chain: "client-untrusted.pem", key: "client-untrusted.key", path: "/c/partner-a/", status: 403, code: 4018, handshake: hs("untrusted_certificate")},
		{name: "4018 serverAuth only", chain: "server-localhost-chain.pem", key: "server-localhost.key", path: "/c/partner-a/", status: 403, code: 4018, handshake: hs("untrusted_certificate"), finding: "no_client_auth_eku"},
		{name: "4018 trusted by another client's bundle", chain: "client-root-b.pem", key: "client-root-b.key", path: "/c/partner-a/", status: 403, code: 4018},
		{name: "4019 rule false", chain: goodCert[0], key: goodCert[1], path: "/c/partner-rule/", status: 403, code: 4019},
	}
}

// TestEchoCodes makes every decision code over real TLS connections, in both modes.
func TestEchoCodes(t *testing.T) {
	for _, mode := range []string{config.ModeReport, config.ModeStrict} {
		t.Run(mode, func(t *testing.T) {
			ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(mode))})
			base := "https://" + ts.s.MTLSAddr()
			failures := map[string]int{}
			for _, tc := range echoCases(mode) {
				t.Run(tc.name, func(t *testing.T) {
					c := httpClient(clientTLS(t, tc.chain, tc.key))
					defer c.CloseIdleConnections()
					if tc.handshake != "" {
						req, _ := http.NewRequest("GET", base+tc.path, nil)
						resp, err := c.Do(req)
						if err == nil {
							resp.Body.Close()
							t.Fatalf("GET %s in strict mode: status %d, want a failed handshake (%s)", tc.path, resp.StatusCode, tc.handshake)
						}
						failures[tc.handshake]++
						return
					}
					status, er, body := getEcho(t, c, base+tc.path, tc.header)
					if status != tc.status || er.Decision.Code != tc.code {
						t.Fatalf("GET %s = %d, code %d (%s); want %d, code %d\n%.600s", tc.path, status, er.Decision.Code, er.Decision.Reason, tc.status, tc.code, body)
					}
					if er.TLS.Version != "TLS 1.3" || er.TLS.CipherSuite == "" || er.TLS.ServerName != "localhost" || er.TLS.ALPN != "http/1.1" || er.TLS.Mode != mode {
						t.Errorf("GET %s: tls = %+v", tc.path, er.TLS)
					}
					if wantCerts := tc.chain != ""; wantCerts != (len(er.Certificates) > 0) {
						t.Errorf("GET %s: %d certificates echoed", tc.path, len(er.Certificates))
					}
					if tc.finding != "" && !slices.ContainsFunc(er.Findings, func(f struct {
						ID string `json:"id"`
					}) bool {
						return f.ID == tc.finding
					}) {
						t.Errorf("GET %s: findings %+v lack %s", tc.path, er.Findings, tc.finding)
					}
					if !strings.HasPrefix(er.Request.Line, "GET "+tc.path+" HTTP/1.1") {
						t.Errorf("GET %s: request line %q", tc.path, er.Request.Line)
					}
				})
			}
			// The client can see the alert before the server has counted it.
			for reason, n := range failures {
				want := fmt.Sprintf("mtlsplay_handshake_failures_total{reason=%q} %d\n", reason, n)
				waitFor(t, func() bool { return strings.Contains(get(t, "http://"+ts.s.HTTPAddr()+"/metrics"), want) }, want)
			}
		})
	}
}

// TestEchoResponse checks the members of the response beyond the code: the client
// selection, the rule, the certificates, the request, the redacted token.
func TestEchoResponse(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	c := httpClient(clientTLS(t, goodCert[0], goodCert[1]))
	_, er, body := getEcho(t, c, "https://"+ts.s.MTLSAddr()+"/hello", bearerA)
	if er.Client.Name == nil || *er.Client.Name != "partner-a" || er.Client.SelectedBy != "token" {
		t.Errorf("client = %+v, want partner-a selected by token", er.Client)
	}
	if er.Rule == nil || !er.Rule.Evaluated || er.Rule.Value == nil || !*er.Rule.Value || !strings.HasPrefix(er.Rule.Source, `CN == "client.example.com"`) {
		t.Errorf("rule = %+v", er.Rule)
	}
	if len(er.Certificates) != 2 || er.Certificates[0].Subject.CN != "client.example.com" || !contains(er.Certificates[0].SANEntries, "URI:spiffe://example.com/ns/prod/sa/client") {
		t.Errorf("certificates = %+v", er.Certificates)
	}
	if got := er.Request.Headers["Authorization"]; len(got) != 1 || got[0] != "Bearer [redacted]" {
		t.Errorf("Authorization echoed as %q, want it redacted", got)
	}
	if strings.Contains(body, "partner-a-token") {
		t.Errorf("the response carries the token")
	}
	var full map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &full); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"decision", "tls", "certificates", "rule", "findings", "client", "request"} {
		if _, ok := full[k]; !ok {
			t.Errorf("response has no %q member", k)
		}
	}
	// The log: one line per request, with client, code and TLS version; no token,
	// no certificate.
	ts.stop()
	log := ts.stderr.String()
	if n := strings.Count(log, "msg=echo"); n != 1 {
		t.Errorf("%d echo log lines, want 1:\n%s", n, log)
	}
	for _, want := range []string{"client=partner-a", "code=0", `tls="TLS 1.3"`} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %s:\n%s", want, log)
		}
	}
	for _, never := range []string{"partner-a-token", "BEGIN CERTIFICATE", "MII"} {
		if strings.Contains(log, never) {
			t.Errorf("log contains %q:\n%s", never, log)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestDecisionOncePerConnection: requests on one connection share one decision,
// over HTTP/1.1 and HTTP/2; a new connection decides again.
func TestDecisionOncePerConnection(t *testing.T) {
	for _, proto := range []string{"http/1.1", "h2"} {
		t.Run(proto, func(t *testing.T) {
			ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeStrict))})
			cfg := clientTLS(t, goodCert[0], goodCert[1])
			cfg.NextProtos = []string{proto}
			tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: proto == "h2"}
			c := &http.Client{Transport: tr, Timeout: hangGuard}
			url := "https://" + ts.s.MTLSAddr() + "/c/partner-a/"
			for i := range 3 {
				status, er, _ := getEcho(t, c, url, nil)
				if status != 200 || er.TLS.ALPN != proto {
					t.Fatalf("request %d: status %d, ALPN %q", i, status, er.TLS.ALPN)
				}
			}
			_, _, _ = getEcho(t, c, "https://"+ts.s.MTLSAddr()+"/c/partner-rule/", nil) // another client: its own decision
			m := get(t, "http://"+ts.s.HTTPAddr()+"/metrics")
			for _, want := range []string{
				`mtlsplay_decisions_total{client="partner-a",code="0"} 1`,
				`mtlsplay_echo_responses_total{client="partner-a",code="0"} 3`,
				`mtlsplay_decisions_total{client="partner-rule",code="4019"} 1`,
			} {
				if !strings.Contains(m, want+"\n") {
					t.Errorf("metrics lack %s", want)
				}
			}
			tr.CloseIdleConnections()
			if status, _, _ := getEcho(t, c, url, nil); status != 200 {
				t.Fatalf("new connection: status %d", status)
			}
			if m := get(t, "http://"+ts.s.HTTPAddr()+"/metrics"); !strings.Contains(m, `mtlsplay_decisions_total{client="partner-a",code="0"} 2`+"\n") {
				t.Errorf("a new connection did not decide again")
			}
		})
	}
}

// TestResumedSession: a resumed TLS session carries the certificate of the first
// handshake; strict mode checks it again, the echo says "resumed", the decision
// is the same.
func TestResumedSession(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeStrict))})
	cfg := clientTLS(t, goodCert[0], goodCert[1])
	cfg.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	url := "https://" + ts.s.MTLSAddr() + "/c/partner-a/"
	for i, wantResumed := range []bool{false, true} {
		c := httpClient(cfg)
		status, er, _ := getEcho(t, c, url, nil)
		c.CloseIdleConnections()
		if status != 200 || er.Decision.Code != 0 || er.TLS.Resumed != wantResumed || len(er.Certificates) != 2 {
			t.Errorf("connection %d: status %d, code %d, resumed %v (want %v), %d certificates", i, status, er.Decision.Code, er.TLS.Resumed, wantResumed, len(er.Certificates))
		}
	}
}

// TestEchoHTTP1 drives the direct HTTP/1.1 path with raw requests.
func TestEchoHTTP1(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	dial := func(t *testing.T) (*tls.Conn, *bufio.Reader) {
		c, err := tls.Dial("tcp", ts.s.MTLSAddr(), clientTLS(t, goodCert[0], goodCert[1]))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	read := func(t *testing.T, br *bufio.Reader, method string) *http.Response {
		t.Helper()
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			t.Fatalf("reading the response: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("reading the body: %v", err)
		}
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body)) // read whole, so the connection is where the next response starts
		return resp
	}

	t.Run("pipelined, HEAD, body drained", func(t *testing.T) {
		c, br := dial(t)
		io.WriteString(c, "GET /c/partner-a/ HTTP/1.1\r\nHost: x\r\n\r\n"+
			"HEAD /c/partner-a/ HTTP/1.1\r\nHost: x\r\n\r\n"+
			"POST /c/partner-rule/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"+
			"GET /c/nosuch/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		for i, want := range []struct {
			method string
			status int
		}{{"GET", 200}, {"HEAD", 200}, {"POST", 403}, {"GET", 404}} {
			resp := read(t, br, want.method)
			if resp.StatusCode != want.status {
				t.Errorf("response %d: status %d, want %d", i, resp.StatusCode, want.status)
			}
			if want.method == "HEAD" && resp.ContentLength <= 0 {
				t.Errorf("HEAD: Content-Length %d", resp.ContentLength)
			}
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Errorf("after Connection: close the server did not close: %v", err)
		}
	})
	for _, tc := range []struct{ name, req, status, code string }{
		{"missing Host", "GET / HTTP/1.1\r\n\r\n", "400", engine.CodeBadRequest},
		{"bad header name", "GET / HTTP/1.1\r\nHost: x\r\nBad Name: y\r\n\r\n", "400", engine.CodeBadRequest},
		{"bad request line", "HELLO\r\n\r\n", "400", engine.CodeBadRequest},
		{"header too large", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 80<<10) + "\r\n\r\n", "431", httperror.CodeTooLarge},
		{"unsupported transfer encoding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "501", httperror.CodeNotImplemented},
		{"HTTP/1.0 closes", "GET /c/partner-a/ HTTP/1.0\r\n\r\n", "200", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, br := dial(t)
			go io.WriteString(c, tc.req)
			resp := read(t, br, "GET")
			if fmt.Sprint(resp.StatusCode) != tc.status {
				t.Errorf("%s: status %d, want %s", tc.name, resp.StatusCode, tc.status)
			}
			if tc.code != "" {
				var e engine.ErrorResponse
				if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Error.Code != tc.code || e.Error.Message == "" {
					t.Errorf("%s: body %+v (%v), want the error shape with code %s", tc.name, e, err, tc.code)
				}
			}
			if _, err := br.ReadByte(); err != io.EOF {
				t.Errorf("%s: the connection stayed open (%v)", tc.name, err)
			}
		})
	}
}

func TestEchoPretty(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	c := httpClient(clientTLS(t, goodCert[0], goodCert[1]))
	base := "https://" + ts.s.MTLSAddr() + "/c/partner-a/"
	for _, tc := range []struct {
		url, ua string
		pretty  bool
	}{
		{base, "Go-http-client/1.1", false},
		{base, "curl/8.0.1", true},
		{base + "?pretty", "Go-http-client/1.1", true},
		{base + "?pretty=0", "curl/8.0.1", false},
	} {
		_, er, body := getEcho(t, c, tc.url, http.Header{"User-Agent": {tc.ua}})
		if er.Decision.Code != 0 {
			t.Fatalf("GET %s: code %d", tc.url, er.Decision.Code)
		}
		if got := strings.HasPrefix(body, "{\n  \"decision\": {"); got != tc.pretty {
			t.Errorf("GET %s as %s: pretty %v, want %v", tc.url, tc.ua, got, tc.pretty)
		}
	}
}

// get fetches a page-listener URL and returns the body.
func get(t testing.TB, url string) string {
	t.Helper()
	resp, err := (&http.Client{Timeout: hangGuard}).Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return string(b)
}

// TestTooManyCertificates: a chain longer than the engine accepts fails the
// handshake, in report mode too, and is counted.
func TestTooManyCertificates(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeReport))})
	cert, err := tls.LoadX509KeyPair(pkiPath("client-good-chain.pem"), pkiPath("client-good.key"))
	if err != nil {
		t.Fatal(err)
	}
	for len(cert.Certificate) <= echo.MaxPresented {
		cert.Certificate = append(cert.Certificate, cert.Certificate[1])
	}
	cfg := clientTLS(t, "", "")
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	if resp, err := httpClient(cfg).Get("https://" + ts.s.MTLSAddr() + "/c/partner-a/"); err == nil {
		resp.Body.Close()
		t.Fatalf("a %d-certificate chain got status %d, want a failed handshake", len(cert.Certificate), resp.StatusCode)
	}
	waitFor(t, func() bool {
		return strings.Contains(get(t, "http://"+ts.s.HTTPAddr()+"/metrics"), `mtlsplay_handshake_failures_total{reason="too_many_certificates"} 1`+"\n")
	}, "the failure counted")
}

// TestChainCacheUsed: clients that reconnect are verified from the chain cache.
func TestChainCacheUsed(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, testConfig(config.ModeStrict))})
	for range 3 {
		c := httpClient(clientTLS(t, goodCert[0], goodCert[1]))
		if status, _, _ := getEcho(t, c, "https://"+ts.s.MTLSAddr()+"/c/partner-a/", nil); status != 200 {
			t.Fatalf("status %d", status)
		}
		c.CloseIdleConnections()
	}
	hits, _ := ts.s.echo.ChainCacheStats()
	if hits < 2 {
		t.Errorf("chain cache hits = %d after three connections with the same chain, want at least 2", hits)
	}
}

// TestKeyExchange: X25519 by default (the hybrid post-quantum exchange costs about a
// fifth more CPU per handshake); tls.post_quantum turns the hybrid back on.
func TestKeyExchange(t *testing.T) {
	for _, pq := range []bool{false, true} {
		cfg := strings.Replace(testConfig(config.ModeReport), "  mode: report\n", fmt.Sprintf("  mode: report\n  post_quantum: %v\n", pq), 1)
		ts := startServe(t, Options{ConfigPath: writeConfig(t, cfg)})
		req, _ := http.NewRequest("GET", "https://"+ts.s.MTLSAddr()+"/c/partner-a/", nil)
		resp, err := httpClient(clientTLS(t, goodCert[0], goodCert[1])).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			TLS struct {
				KeyExchange string `json:"key_exchange"`
			} `json:"tls"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		want := "X25519"
		if pq {
			want = "X25519MLKEM768"
		}
		if err != nil || out.TLS.KeyExchange != want {
			t.Errorf("post_quantum %v: key exchange %q, want %s (%v)", pq, out.TLS.KeyExchange, want, err)
		}
	}
}
