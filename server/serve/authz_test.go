package serve

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// authzConfig is testConfig with the authorization endpoint's section.
func authzConfig(authz string) string {
	return testConfig("report") + authz
}

// escapeAll escapes every byte but letters and digits as %XX, as the strictest
// of the proxies do (nginx's $ssl_client_escaped_cert, Envoy's XFCC).
func escapeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// pemBlocks returns the PEM file's certificates, each as PEM and as DER.
func pemBlocks(t testing.TB, file string) (pems []string, ders [][]byte) {
	t.Helper()
	if !filepath.IsAbs(file) {
		file = pkiPath(file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			return pems, ders
		}
		pems, ders = append(pems, string(pem.EncodeToMemory(b))), append(ders, b.Bytes)
	}
}

// forwardedHeaders is the chain in file as each proxy forwards it.
func forwardedHeaders(t testing.TB, file string) map[string]http.Header {
	pems, ders := pemBlocks(t, file)
	b64 := make([]string, len(ders))
	for i, d := range ders {
		b64[i] = base64.StdEncoding.EncodeToString(d)
	}
	chainSF := make([]string, len(ders)-1)
	for i := range chainSF {
		chainSF[i] = ":" + b64[i+1] + ":"
	}
	all := strings.Join(pems, "")
	return map[string]http.Header{
		"nginx":   {"X-Ssl-Client-Cert": {escapeAll(all)}},
		"envoy":   {"X-Forwarded-Client-Cert": {`By=spiffe://proxy;Hash=00;Cert="` + escapeAll(pems[0]) + `";Chain="` + escapeAll(all) + `"`}},
		"rfc9440": {"Client-Cert": {":" + b64[0] + ":"}, "Client-Cert-Chain": {strings.Join(chainSF, ", ")}},
		"traefik": {"X-Forwarded-Tls-Client-Cert": {strings.Join(b64, ",")}},
		"alb":     {"X-Amzn-Mtls-Clientcert": {strings.ReplaceAll(escapeAll(all), "%2B", "+")}},
	}
}

// authzAnswer is one answer of the endpoint.
type authzAnswer struct {
	status       int
	code, reason string // the headers
	body         string
}

func askAuthz(t testing.TB, c *http.Client, method, url string, h http.Header) authzAnswer {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return authzAnswer{resp.StatusCode, resp.Header.Get("Mtlsplay-Code"), resp.Header.Get("Mtlsplay-Reason"), string(body)}
}

// verifyCode is what `mtlsplay verify` decides for the same inputs: the engine's
// decide with the client's bundle and rule.
func verifyCode(t testing.TB, chainFile, bundleFile, rule string) int {
	t.Helper()
	req := engine.DecideRequest{Rule: rule, At: pki.TestNowRFC3339}
	if chainFile != "" {
		b, err := os.ReadFile(pkiPath(chainFile))
		if err != nil {
			t.Fatal(err)
		}
		req.Certificates = string(b)
	}
	if bundleFile != "" {
		b, err := os.ReadFile(pkiPath(bundleFile))
		if err != nil {
			t.Fatal(err)
		}
		req.Bundles = []engine.BundleInput{{Name: bundleFile, PEM: string(b)}}
	}
	resp, err := engine.Decide(req, nil)
	if err != nil {
		t.Fatalf("engine.Decide(%s): %v", chainFile, err)
	}
	return resp.Code
}

// TestAuthzDecides: every header format of every proxy gives the decision verify
// gives for the same chain, bundles and rule; 200 only for 0; the code and a
// one-line reason in headers; ?explain has the whole decision.
func TestAuthzDecides(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, authzConfig("")), AuthzAddr: "127.0.0.1:0"})
	base := "http://" + ts.s.AuthzAddr()
	if want := "mtlsplay serve: authorization  " + base + "/authz/CLIENT  (for proxies at 127.0.0.0/8, ::1/128)\n"; !strings.Contains(ts.stdout.String(), want) {
		t.Errorf("the banner lacks %q:\n%s", want, ts.stdout)
	}
	c := &http.Client{Timeout: hangGuard}
	const ruleA = `CN == "client.example.com" && "DNS:api.example.com" in SAN`
	cases := []struct {
		client, chain, bundle, rule string
		want                        int
	}{
		{"partner-a", "client-good-chain.pem", "root.pem", ruleA, 0},
		{"partner-rule", "client-good-chain.pem", "root.pem", `CN == "someone-else.example.com"`, 4019},
		{"partner-a", "client-expired-chain.pem", "root.pem", ruleA, 4018},
		{"partner-a", "client-under-serverauth-intermediate-chain.pem", "root.pem", ruleA, 4018},
		{"partner-b", "client-good-chain.pem", "root-b.pem", "", 4018},
		{"no-bundle", "client-good-chain.pem", "", "true", 4016},
	}
	for _, cs := range cases {
		want := verifyCode(t, cs.chain, cs.bundle, cs.rule)
		if want != cs.want {
			t.Fatalf("verify %s for %s = %d, want %d: the case is wrong", cs.chain, cs.client, want, cs.want)
		}
		for proxy, h := range forwardedHeaders(t, cs.chain) {
			got := askAuthz(t, c, "GET", base+"/authz/"+cs.client, h)
			wantStatus := http.StatusForbidden
			if want == 0 {
				wantStatus = http.StatusOK
			}
			if got.status != wantStatus || got.code != fmt.Sprint(want) || got.reason == "" || strings.ContainsAny(got.reason, "\r\n") {
				t.Errorf("%s, %s as %s: %d, code %q, reason %q; want %d, code %d", cs.client, cs.chain, proxy, got.status, got.code, got.reason, wantStatus, want)
			}
			var body struct {
				Code   *int   `json:"code"`
				Reason string `json:"reason"`
			}
			if err := json.Unmarshal([]byte(got.body), &body); err != nil || body.Code == nil || *body.Code != want || body.Reason == "" {
				t.Errorf("%s, %s as %s: body %s", cs.client, cs.chain, proxy, got.body)
			}
		}
	}

	// No header: 4017, as verify with an empty chain; any method.
	if want := verifyCode(t, "", "root.pem", ruleA); want != 4017 {
		t.Fatalf("verify without a chain = %d", want)
	}
	for _, m := range []string{"GET", "POST", "HEAD"} {
		if got := askAuthz(t, c, m, base+"/authz/partner-a", nil); got.status != 403 || got.code != "4017" {
			t.Errorf("%s without a header: %d, code %q", m, got.status, got.code)
		}
	}
	// An empty header is no certificate (a proxy writes an empty variable), and so
	// are RFC 9440's empty byte sequence and the placeholder Caddy leaves as written.
	for _, h := range []http.Header{{"X-Ssl-Client-Cert": {""}}, {"Client-Cert": {"::"}}, {"Client-Cert": {":{http.request.tls.client.certificate_der_base64}:"}}} {
		if got := askAuthz(t, c, "GET", base+"/authz/partner-a", h); got.code != "4017" {
			t.Errorf("%v: code %q, want 4017", h, got.code)
		}
	}
	// A client that is not configured: 4020, whatever the header.
	if got := askAuthz(t, c, "GET", base+"/authz/nosuch", forwardedHeaders(t, "client-good-chain.pem")["nginx"]); got.status != 403 || got.code != "4020" {
		t.Errorf("unknown client: %d, code %q", got.status, got.code)
	}

	// ?explain: the whole decision.
	got := askAuthz(t, c, "GET", base+"/authz/partner-rule?explain", forwardedHeaders(t, "client-good-chain.pem")["envoy"])
	var ex struct {
		Code         int                   `json:"code"`
		Steps        []json.RawMessage     `json:"steps"`
		Rule         *struct{ Value bool } `json:"rule"`
		Client       *string               `json:"client"`
		Header       string                `json:"header"`
		Certificates []struct {
			Subject struct{ CN string } `json:"subject"`
		} `json:"certificates"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(got.body), &ex); err != nil {
		t.Fatalf("?explain: %v\n%s", err, got.body)
	}
	if got.status != 403 || ex.Code != 4019 || len(ex.Steps) != 5 || ex.Rule == nil || ex.Client == nil || *ex.Client != "partner-rule" ||
		ex.Header != "x-forwarded-client-cert" || len(ex.Certificates) != 2 || ex.Certificates[0].Subject.CN != "client.example.com" || ex.Findings == nil {
		t.Errorf("?explain = %d %s", got.status, got.body)
	}

	metrics := getText(t, "http://"+ts.s.HTTPAddr()+"/metrics")
	for _, want := range []string{`mtlsplay_authz_decisions_total{client="partner-a",code="0"} 5`, `mtlsplay_authz_decisions_total{client="",code="4020"} 1`} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	ts.stop()
	if log := ts.stderr.String(); !strings.Contains(log, `msg=authz client=partner-a code=0 status=200 header=x-ssl-client-cert remote=127.0.0.1:`) ||
		!strings.Contains(log, "authz="+base+" ") ||
		!strings.Contains(log, `msg=authz client="" code=4020 status=403 header="" remote=`) || !strings.Contains(log, "requested=nosuch") {
		t.Errorf("the log lacks the authz lines:\n%s", log)
	}
}

// getText GETs url and returns the body.
func getText(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAuthzHeaders: a pinned header is the only one read; without a pin, two
// carriers or one sent twice are refused, never guessed between; a malformed
// header is 400.
func TestAuthzHeaders(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, authzConfig("")), AuthzAddr: "127.0.0.1:0"})
	pinned := startServe(t, Options{ConfigPath: writeConfig(t, authzConfig("authz: {header: client-cert}\n")), AuthzAddr: "127.0.0.1:0"})
	c := &http.Client{Timeout: hangGuard}
	good := forwardedHeaders(t, "client-good-chain.pem")
	bad := forwardedHeaders(t, "client-expired-chain.pem")

	both := http.Header{}
	for k, v := range good["rfc9440"] {
		both[k] = v
	}
	for k, v := range bad["nginx"] {
		both[k] = v
	}
	if got := askAuthz(t, c, "GET", "http://"+ts.s.AuthzAddr()+"/authz/partner-a", both); got.status != 400 || got.code != "" ||
		!strings.Contains(got.body, `"code":"bad_request"`) || !strings.Contains(got.reason, "both X-Ssl-Client-Cert and Client-Cert") {
		t.Errorf("two headers without a pin: %+v", got)
	}
	// The pin reads Client-Cert only: the forged X-SSL-Client-Cert beside it is not looked at.
	if got := askAuthz(t, c, "GET", "http://"+pinned.s.AuthzAddr()+"/authz/partner-a", both); got.status != 200 || got.code != "0" {
		t.Errorf("pinned client-cert: %+v", got)
	}
	if got := askAuthz(t, c, "GET", "http://"+pinned.s.AuthzAddr()+"/authz/partner-a", good["nginx"]); got.code != "4017" {
		t.Errorf("pinned client-cert, only X-SSL-Client-Cert sent: %+v, want 4017", got)
	}
	twice := http.Header{"X-Ssl-Client-Cert": {good["nginx"].Get("X-Ssl-Client-Cert"), bad["nginx"].Get("X-Ssl-Client-Cert")}}
	if got := askAuthz(t, c, "GET", "http://"+ts.s.AuthzAddr()+"/authz/partner-a", twice); got.status != 400 || !strings.Contains(got.reason, "sent 2 times") {
		t.Errorf("a header sent twice: %+v", got)
	}
	for name, h := range map[string]http.Header{
		"bad escape":  {"X-Ssl-Client-Cert": {"-----BEGIN%20CERTIFICATE-----%0AMII%ZZ"}},
		"not base64":  {"Client-Cert": {":not base64!:"}},
		"private key": {"X-Ssl-Client-Cert": {escapeAll(string(mustRead(t, "client-good.key")))}},
	} {
		if got := askAuthz(t, c, "GET", "http://"+ts.s.AuthzAddr()+"/authz/partner-a", h); got.status != 400 || got.code != "" || strings.ContainsAny(got.reason, "\r\n") {
			t.Errorf("%s: %+v", name, got)
		}
	}
	if got := askAuthz(t, c, "GET", "http://"+ts.s.AuthzAddr()+"/other", nil); got.status != 404 {
		t.Errorf("another path: %+v", got)
	}
	if got := askAuthz(t, c, "GET", "http://"+ts.s.AuthzAddr()+"/healthz", nil); got.status != 200 || got.body != "ok\n" {
		t.Errorf("/healthz: %+v", got)
	}
}

func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(pkiPath(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestAuthzUntrustedSource: a request from a source outside trusted_proxies is
// refused with its source named, and never decided, whatever it carries.
func TestAuthzUntrustedSource(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, authzConfig("authz: {trusted_proxies: [127.0.0.2/32]}\n")), AuthzAddr: "127.0.0.1:0"})
	url := "http://" + ts.s.AuthzAddr() + "/authz/partner-a"
	from := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
		return &http.Client{Timeout: hangGuard, Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}}}
	}
	forged := forwardedHeaders(t, "client-good-chain.pem")["nginx"]
	got := askAuthz(t, from("127.0.0.1"), "GET", url, forged)
	if got.status != 403 || got.code != "" || !strings.Contains(got.reason, "untrusted source 127.0.0.1") || !strings.Contains(got.body, `"code":"forbidden"`) {
		t.Errorf("from 127.0.0.1: %+v", got)
	}
	if got := askAuthz(t, from("127.0.0.2"), "GET", url, forged); got.status != 200 || got.code != "0" {
		t.Errorf("from the trusted 127.0.0.2: %+v", got)
	}
	metrics := getText(t, "http://"+ts.s.HTTPAddr()+"/metrics")
	for _, want := range []string{`mtlsplay_authz_refused_total{reason="untrusted_source"} 1`, `mtlsplay_authz_decisions_total{client="partner-a",code="0"} 1`} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestAuthzBodyNotAwaited: the body of a request is never read, so its answer
// does not wait for it (net/http would read a small one before answering on a
// connection it keeps): a request that announces a body and sends none, from a
// trusted source or not, is answered at once, and its connection closed.
func TestAuthzBodyNotAwaited(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, authzConfig("authz: {trusted_proxies: [127.0.0.2/32]}\n")), AuthzAddr: "127.0.0.1:0"})
	for _, tt := range []struct{ from, path, status string }{
		{"127.0.0.2", "/authz/partner-a", "403"}, // decided: 4017
		{"127.0.0.1", "/authz/partner-a", "403"}, // untrusted source
		{"127.0.0.2", "/other", "404"},
	} {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(tt.from)}}
		conn, err := d.Dial("tcp", ts.s.AuthzAddr())
		if err != nil {
			t.Fatal(err)
		}
		// The listener reads a request for 60 s (echo.DefaultLimits.Read); the
		// answer must come well before, with the body still unsent.
		_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := io.WriteString(conn, "POST "+tt.path+" HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("from %s, %s with a body not sent: no answer: %v", tt.from, tt.path, err)
		}
		resp.Body.Close()
		conn.Close()
		if got := strconv.Itoa(resp.StatusCode); got != tt.status || !resp.Close {
			t.Errorf("from %s, %s with a body not sent: %d, close %v; want %s and the connection closed", tt.from, tt.path, resp.StatusCode, resp.Close, tt.status)
		}
	}
}

// TestAuthzLogsEveryRequest: every request to the authorization endpoint is one
// log line (design 7.7), also /healthz and a path it does not answer.
func TestAuthzLogsEveryRequest(t *testing.T) {
	ts := startServe(t, Options{ConfigPath: writeConfig(t, authzConfig("")), AuthzAddr: "127.0.0.1:0"})
	c := &http.Client{Timeout: hangGuard}
	base := "http://" + ts.s.AuthzAddr()
	if got := askAuthz(t, c, "GET", base+"/other", nil); got.status != 404 {
		t.Errorf("/other: %+v", got)
	}
	if got := askAuthz(t, c, "GET", base+"/healthz", nil); got.status != 200 {
		t.Errorf("/healthz: %+v", got)
	}
	ts.stop()
	log := ts.stderr.String()
	for _, want := range []string{
		`msg=authz client="" status=404 header="" remote=127.0.0.1:`,
		` method=GET path=/other` + "\n",
		`msg=authz client="" status=200 header="" remote=127.0.0.1:`,
		` method=GET path=/healthz` + "\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

// TestAuthzSectionWithoutAddress: an authz section with nothing that turns the
// endpoint on (no listen.authz, no --authz) is a warning at start, since the
// endpoint is then off; with an address there is none.
func TestAuthzSectionWithoutAddress(t *testing.T) {
	path := writeConfig(t, authzConfig("authz: {trusted_proxies: [127.0.0.2/32]}\n"))
	const warning = "the authz section is set, but neither listen.authz nor --authz names an address"
	off := startServe(t, Options{ConfigPath: path})
	off.stop()
	if log := off.stderr.String(); !strings.Contains(log, "level=WARN msg=config") || !strings.Contains(log, warning) {
		t.Errorf("an authz section without an address: the log lacks the warning:\n%s", log)
	}
	on := startServe(t, Options{ConfigPath: path, AuthzAddr: "127.0.0.1:0"})
	on.stop()
	if log := on.stderr.String(); strings.Contains(log, warning) {
		t.Errorf("with --authz: warned all the same:\n%s", log)
	}
}
