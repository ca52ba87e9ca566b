package cli

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"

	"github.com/mtlsplay/mtlsplay/server/probe"
)

// probeGuard bounds any wait for a server process to start: long enough for a busy
// machine, short enough that a hang fails the test rather than the run.
const probeGuard = time.Minute

func probePKI(name string) string { return filepath.Join("..", "..", "testdata", "pki", name) }

// runProbe runs mtlsplay probe in-process with the test PKI's clock.
func runProbe(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := &cli{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, now: func() time.Time { return pki.TestNow }}
	code = c.run(append([]string{"probe"}, args...))
	return code, out.String(), errb.String()
}

// goServer is a Go TLS server on loopback, as people run them: a server certificate
// with its intermediate, client authentication against clientCAs (none: no client
// authentication), the test PKI's clock.
type goServer struct {
	clientCAs  string // a PEM file of the test PKI, or ""
	maxVersion uint16
	handler    http.HandlerFunc // default: 200 "ok"
}

func (s goServer) start(t *testing.T) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(probePKI("server-localhost-chain.pem"), probePKI("server-localhost.key"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: s.maxVersion, Time: func() time.Time { return pki.TestNow }}
	if s.clientCAs != "" {
		pool := x509.NewCertPool()
		data, err := os.ReadFile(probePKI(s.clientCAs))
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(data)
		cfg.ClientCAs, cfg.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	h := s.handler
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") }
	}
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = cfg
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // rejected handshakes are the point
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts.Listener.Addr().String()
}

// TestProbeGoServer reproduces each cause against a real Go TLS server.
func TestProbeGoServer(t *testing.T) {
	good := []string{"--cert", probePKI("client-good-chain.pem"), "--key", probePKI("client-good.key")}
	tests := []struct {
		name    string
		server  goServer
		args    []string
		code    int
		verdict string   // the verdict line must contain it
		lines   []string // other lines the report must hold
	}{
		{"success", goServer{clientCAs: "root.pem"}, append(good, "--cacert", probePKI("root.pem"), "--servername", "localhost"), exitOK,
			"the request succeeded: the server answered 200 OK to GET /",
			[]string{"the server accepts TLS 1.3 and TLS 1.2", "negotiated TLS 1.3 with TLS_", "the server's certificate is trusted by " + probePKI("root.pem") + " for the name localhost",
				"named 1 acceptable CA: CN=Acme Root CA", "matches the server's CA names", "sent the given chain: 2 certificates, leaf CN=client.example.com", "the handshake succeeded with TLS 1.3"}},
		{"--cacert does not trust the server", goServer{clientCAs: "root.pem"}, append(good, "--cacert", probePKI("root-b.pem")), exitRejected,
			probePKI("root-b.pem") + " does not trust the server's certificate (certificate signed by unknown authority): a client that verifies the server with it stops before sending a request, although this one (which did not verify) got 200 OK",
			[]string{"the server's certificate is not trusted by " + probePKI("root-b.pem") + ": certificate signed by unknown authority; a client that verifies the server would stop here"}},
		{"--cacert, wrong name", goServer{clientCAs: "root.pem"}, append(good, "--cacert", probePKI("root.pem"), "--servername", "api.example.com"), exitRejected,
			"does not trust the server's certificate (certificate is valid for localhost, not api.example.com)", nil},
		{"acceptable-CA mismatch, TLS 1.3", goServer{clientCAs: "root-b.pem"}, good, exitRejected,
			"the server does not accept certificates issued by CN=Acme Root CA; it accepts CN=Partner Root CA",
			[]string{"matches none of the server's CA names: a client that picks its certificate by them", `the server sent the alert "unknown certificate authority" on the first read`}},
		{"acceptable-CA mismatch, TLS 1.2", goServer{clientCAs: "root-b.pem"}, append(good, "--tls", "1.2"), exitRejected,
			"the server does not accept certificates issued by CN=Acme Root CA; it accepts CN=Partner Root CA",
			[]string{`the handshake failed: the server sent the alert "unknown certificate authority"`}},
		{"serverAuth-only client certificate", goServer{clientCAs: "root.pem"}, []string{"--cert", probePKI("server-localhost-chain.pem"), "--key", probePKI("server-localhost.key")}, exitRejected,
			`the server sent the alert "bad certificate" on the first read, after the handshake had succeeded (TLS 1.3 reports a rejected client certificate only then): certificate 1 (CN=localhost) does not allow clientAuth: its extended key usage is serverAuth`,
			[]string{"error: certificate 1 (CN=localhost) does not allow clientAuth"}},
		{"serverAuth-only intermediate", goServer{clientCAs: "root.pem"}, []string{"--cert", probePKI("client-under-serverauth-intermediate-chain.pem"), "--key", probePKI("client-under-serverauth-intermediate.key"), "--tls", "1.2"}, exitRejected,
			`the server sent the alert "bad certificate" during the handshake: certificate 2 (CN=Server Intermediate) does not allow clientAuth`, nil},
		{"missing intermediate", goServer{clientCAs: "root.pem"}, []string{"--cert", probePKI("client-good.pem"), "--key", probePKI("client-good.key")}, exitRejected,
			"only the leaf was sent, and its issuer CN=Acme Issuing CA is not a CA the server names; it accepts CN=Acme Root CA: if CN=Acme Issuing CA is an intermediate CA issued by one of those, send it after the leaf in --cert",
			[]string{"sent the given chain: 1 certificate, leaf CN=client.example.com"}},
		{"expired client certificate", goServer{clientCAs: "root.pem"}, []string{"--cert", probePKI("client-expired-chain.pem"), "--key", probePKI("client-expired.key"), "--tls", "1.2"}, exitRejected,
			`the server sent the alert "expired certificate" during the handshake: certificate 1 (CN=client.example.com) expired at 2026-01-01T00:00:00Z`, nil},
		{"TLS 1.2-only server, --tls 1.3", goServer{maxVersion: tls.VersionTLS12}, []string{"--tls", "1.3"}, exitRejected,
			"the server does not accept TLS 1.3; it accepts TLS 1.2",
			[]string{`the server accepts TLS 1.2, not TLS 1.3 (the server answered with the alert "protocol version not supported")`}},
		{"TLS 1.2-only server", goServer{maxVersion: tls.VersionTLS12}, nil, exitOK,
			"the request succeeded: the server answered 200 OK to GET /",
			[]string{"negotiated TLS 1.2 with TLS_ECDHE_ECDSA_WITH_", "the server did not ask for a client certificate"}},
		{"certificate sent but not asked for", goServer{}, good, exitOK,
			"the request succeeded: the server answered 200 OK to GET /; it did not ask for a client certificate, so none was sent", nil},
		{"403 after the handshake", goServer{clientCAs: "root.pem", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "not on the allowlist", http.StatusForbidden)
		}}, good, exitRejected,
			"the handshake succeeded; the server answered 403, an application decision, not TLS",
			[]string{"GET answered 403 Forbidden: not on the allowlist"}},
		{"403 with an mtlsplay decision", goServer{clientCAs: "root.pem", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"decision":{"code":4019,"reason":"the certificate failed the rule"}}`)
		}}, good, exitRejected,
			"the handshake succeeded; the server answered 403 with decision 4019 (the certificate failed the rule), an application decision, not TLS", nil},
		{"403 with a code and a message", goServer{clientCAs: "root.pem", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"code":4018,"message":"invalid client certificate: expired"}`)
		}}, good, exitRejected,
			"the handshake succeeded; the server answered 403 with decision 4018 (invalid client certificate: expired), an application decision, not TLS", nil},
		{"404 is not TLS", goServer{clientCAs: "root.pem", handler: http.NotFound}, append(good, "--path", "/api/v1?x=1"), exitRejected,
			"the handshake succeeded; the server answered 404, not found: TLS and the certificate were accepted; check --path (/api/v1?x=1)", nil},
		{"certificate required, TLS 1.3", goServer{clientCAs: "root.pem"}, nil, exitRejected,
			"the server requires a client certificate and none was given (use --cert and --key); it accepts CN=Acme Root CA",
			[]string{`the server sent the alert "certificate required" on the first read`}},
		{"certificate required, TLS 1.2", goServer{clientCAs: "root.pem"}, []string{"--tls", "1.2"}, exitRejected,
			"the server requires a client certificate and none was given (use --cert and --key); it accepts CN=Acme Root CA",
			[]string{`the handshake failed: the server sent the alert "handshake failure"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.server.start(t)
			code, out, errOut := runProbe(t, append([]string{addr}, tt.args...)...)
			call := fmt.Sprintf("probe %s %s", addr, strings.Join(tt.args, " "))
			if code != tt.code {
				t.Errorf("%s exit %d, want %d\n%s%s", call, code, tt.code, out, errOut)
			}
			if v := verdictLine(out); !strings.Contains(v, tt.verdict) {
				t.Errorf("%s verdict:\n  %s\nwant it to contain\n  %s\nreport:\n%s%s", call, v, tt.verdict, out, errOut)
			}
			for _, l := range tt.lines {
				if !strings.Contains(out, l) {
					t.Errorf("%s report lacks %q:\n%s", call, l, out)
				}
			}
		})
	}
}

func verdictLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "verdict: ") {
			return l
		}
	}
	return ""
}

// TestProbeJSON checks the --json report of an acceptable-CA mismatch.
func TestProbeJSON(t *testing.T) {
	addr := goServer{clientCAs: "root-b.pem"}.start(t)
	code, out, errOut := runProbe(t, addr, "--json", "--cert", probePKI("client-good-chain.pem"), "--key", probePKI("client-good.key"), "--servername", "localhost")
	if code != exitRejected {
		t.Fatalf("probe --json exit %d, want %d\n%s%s", code, exitRejected, out, errOut)
	}
	var rep probe.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("probe --json output is not JSON: %v\n%s", err, out)
	}
	if rep.Outcome != probe.Rejected || rep.Version != "TLS 1.3" || !rep.CertificateRequested || !rep.CertificateSent ||
		len(rep.AcceptableCAs) != 1 || rep.AcceptableCAs[0] != "CN=Partner Root CA" || rep.AcceptableCAsMatch == nil || *rep.AcceptableCAsMatch ||
		rep.Alert != "unknown certificate authority" || rep.AlertStage != "first read" || rep.Handshake != "ok" ||
		len(rep.ServerChain) != 2 || rep.ServerChain[0].Subject != "CN=localhost" || rep.ServerTrust.Trusted || rep.ServerTrust.CheckedWith != "system roots" ||
		len(rep.ClientChain) != 2 || len(rep.Versions) != 2 || !rep.Versions[0].Accepted || !rep.Versions[1].Accepted ||
		!strings.Contains(rep.Verdict, "does not accept certificates issued by CN=Acme Root CA") {
		t.Errorf("probe --json report = %s", out)
	}
}

// TestProbeWeirdServers: servers that are not TLS, hang up or never answer get one
// clear line and exit 2, never a panic or a hang.
func TestProbeWeirdServers(t *testing.T) {
	listen := func(t *testing.T, serve func(net.Conn)) string {
		t.Helper()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					serve(c)
				}()
			}
		}()
		return ln.Addr().String()
	}
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	refused := func() string {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		return addr
	}()
	plainHTTP := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "plain\n") }))
	t.Cleanup(plainHTTP.Close)

	tests := []struct {
		name string
		addr string
		want string
	}{
		{"closes at once", listen(t, func(net.Conn) {}), "did not complete a TLS handshake: the server "}, // closed or reset: a race,
		{"plain HTTP", plainHTTP.Listener.Addr().String(), "does not speak TLS"},
		{"garbage", listen(t, func(c net.Conn) { c.Write(bytes.Repeat([]byte{0xFF, 0x00}, 512)) }), "did not complete a TLS handshake"},
		{"never answers", listen(t, func(net.Conn) { <-hold }), "did not complete a TLS handshake within 300ms"},
		{"refused", refused, "cannot connect to " + refused + ": connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runProbe(t, tt.addr, "--timeout", "300ms", "--cert", probePKI("client-good-chain.pem"), "--key", probePKI("client-good.key"))
			if code != exitBadInput || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tt.want) {
				t.Errorf("probe %s: exit %d, stdout %q, stderr %q; want exit 2 and one line containing %q", tt.name, code, out, errOut, tt.want)
			}
		})
	}

	// After a TLS handshake: a server that answers something else than HTTP, or
	// nothing, or hangs up.
	tlsListen := func(t *testing.T, serve func(*tls.Conn)) string {
		cert, err := tls.LoadX509KeyPair(probePKI("server-localhost-chain.pem"), probePKI("server-localhost.key"))
		if err != nil {
			t.Fatal(err)
		}
		return listen(t, func(c net.Conn) {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
			if tc.Handshake() == nil {
				serve(tc)
			}
		})
	}
	after := []struct {
		name    string
		addr    string
		code    int
		verdict string
	}{
		{"not HTTP", tlsListen(t, func(c *tls.Conn) {
			bufio.NewReader(c).ReadString('\n')
			io.WriteString(c, "220 smtp.example.com ESMTP\r\n")
		}), exitOK,
			"the handshake succeeded and the server accepted the TLS session; its answer to GET / is not HTTP"},
		{"hangs up", tlsListen(t, func(c *tls.Conn) { bufio.NewReader(c).ReadString('\n') }), exitRejected,
			"the handshake succeeded, but the server closed the connection without answering GET /"},
		{"silent", tlsListen(t, func(c *tls.Conn) { <-hold }), exitBadInput,
			"the handshake succeeded, but the server did not answer GET / within 300ms"},
	}
	for _, tt := range after {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runProbe(t, tt.addr, "--timeout", "300ms")
			if code != tt.code || !strings.Contains(verdictLine(out), tt.verdict) {
				t.Errorf("probe %s: exit %d (want %d), verdict %q, want %q\n%s%s", tt.name, code, tt.code, verdictLine(out), tt.verdict, out, errOut)
			}
		})
	}
}

// TestProbeBadInput: mistakes in the command line are exit 2 with one line.
func TestProbeBadInput(t *testing.T) {
	addr := "127.0.0.1:9"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no address", nil, "want exactly one HOST:PORT, got 0"},
		{"no port", []string{"example.com"}, `"example.com" is not HOST:PORT`},
		{"bad port", []string{"example.com:https1"}, "the port must be a number from 1 to 65535"},
		{"cert without key", []string{addr, "--cert", probePKI("client-good.pem")}, "give --cert and --key together"},
		{"bad version", []string{addr, "--tls", "1.1"}, `--tls "1.1": use 1.2 or 1.3`},
		{"bad path", []string{addr, "--path", "api"}, "give a path that starts with /"},
		{"bad timeout", []string{addr, "--timeout", "0s"}, "--timeout must be positive"},
		{"bad server name", []string{addr, "--servername", "a b/c"}, `--servername "a b/c" is not a host name`},
		{"key of another certificate", []string{addr, "--cert", probePKI("client-good.pem"), "--key", probePKI("client-rsa.key")}, "mtlsplay: " + probePKI("client-rsa.key") + ": this private key does not match certificate 1 of " + probePKI("client-good.pem") + " (CN=client.example.com)"},
		{"certificate as key", []string{addr, "--cert", probePKI("client-good.pem"), "--key", probePKI("client-good.pem")}, "mtlsplay: " + probePKI("client-good.pem") + ": no private key in it (a PEM block such as -----BEGIN PRIVATE KEY-----): give --key the key of " + probePKI("client-good.pem") + "\n"},
		{"empty key", []string{addr, "--cert", probePKI("client-good.pem"), "--key", os.DevNull}, "mtlsplay: " + os.DevNull + ": no private key in it"},
		{"key as certificate", []string{addr, "--cert", probePKI("client-good.key"), "--key", probePKI("client-good.key")}, "private key"},
		{"missing file", []string{addr, "--cert", "nope.pem", "--key", "nope.key"}, "nope.pem"},
		{"bad cacert", []string{addr, "--cacert", probePKI("client-good.key")}, "private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runProbe(t, tt.args...)
			if code != exitBadInput || out != "" || !strings.Contains(errOut, tt.want) {
				t.Errorf("probe %v: exit %d, stdout %q, stderr %q; want exit 2 and %q", tt.args, code, out, errOut, tt.want)
			}
		})
	}
	// A combined file (certificate and key together), as curl --cert takes it.
	dir := t.TempDir()
	combined := filepath.Join(dir, "combined.pem")
	var data []byte
	for _, f := range []string{"client-good-chain.pem", "client-good.key"} {
		b, err := os.ReadFile(probePKI(f))
		if err != nil {
			t.Fatal(err)
		}
		data = append(data, b...)
	}
	if err := os.WriteFile(combined, data, 0o600); err != nil {
		t.Fatal(err)
	}
	srv := goServer{clientCAs: "root.pem"}.start(t)
	if code, out, errOut := runProbe(t, srv, "--cert", combined, "--key", combined); code != exitOK {
		t.Errorf("probe --cert combined.pem --key combined.pem: exit %d\n%s%s", code, out, errOut)
	}
}

// TestProbeOpenSSL runs the probe against openssl s_server, whose alerts and CA
// list come from OpenSSL rather than Go.
func TestProbeOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: the s_server tests need it")
	}
	good := []string{"--cert", probePKI("client-good-chain.pem"), "--key", probePKI("client-good.key")}
	tests := []struct {
		name    string
		server  []string
		args    []string
		code    int
		verdict string
	}{
		{"success", []string{"-CAfile", probePKI("root.pem")}, good, exitOK, "the request succeeded: the server answered 200 OK to GET /"},
		{"acceptable-CA mismatch", []string{"-CAfile", probePKI("root-b.pem")}, good, exitRejected,
			"the server does not accept certificates issued by CN=Acme Root CA; it accepts CN=Partner Root CA"},
		{"missing intermediate", []string{"-CAfile", probePKI("root.pem")}, []string{"--cert", probePKI("client-good.pem"), "--key", probePKI("client-good.key")}, exitRejected,
			"only the leaf was sent, and its issuer CN=Acme Issuing CA is not a CA the server names"},
		{"certificate required", []string{"-CAfile", probePKI("root.pem")}, nil, exitRejected,
			"the server requires a client certificate and none was given"},
		{"certificate required, TLS 1.2", []string{"-CAfile", probePKI("root.pem")}, []string{"--tls", "1.2"}, exitRejected,
			"the server requires a client certificate and none was given"},
		{"SHA-1 signature", []string{"-CAfile", probePKI("root.pem")}, []string{"--cert", probePKI("client-sha1-chain.pem"), "--key", probePKI("client-sha1.key")}, exitRejected,
			"certificate 1 (CN=sha1.example.com) is signed with ECDSA-SHA1"},
		{"TLS 1.2 only", []string{"-CAfile", probePKI("root.pem"), "-no_tls1_3"}, append(good, "--tls", "1.3"), exitRejected,
			"the server does not accept TLS 1.3; it accepts TLS 1.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := startSServer(t, tt.server...)
			code, out, errOut := runProbe(t, append([]string{addr, "--timeout", "5s"}, tt.args...)...)
			if code != tt.code || !strings.Contains(verdictLine(out), tt.verdict) {
				t.Errorf("probe (s_server %s) %v: exit %d (want %d), verdict %q, want %q\n%s%s", strings.Join(tt.server, " "), tt.args, code, tt.code, verdictLine(out), tt.verdict, out, errOut)
			}
		})
	}
}

// startSServer starts openssl s_server on a free loopback port, requiring a client
// certificate verified at the test clock, and returns its address.
func startSServer(t *testing.T, extra ...string) string {
	t.Helper()
	args := append([]string{"s_server", "-accept", "127.0.0.1:0", "-www",
		"-cert", probePKI("server-localhost.pem"), "-cert_chain", probePKI("intermediate.pem"), "-key", probePKI("server-localhost.key"),
		"-Verify", "3", "-verify_return_error", "-attime", strconv.FormatInt(pki.TestNow.Unix(), 10)}, extra...)
	cmd := exec.Command("openssl", args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "ACCEPT "); ok {
				lines <- addr
			}
		}
		close(lines)
	}()
	select {
	case addr, ok := <-lines:
		if !ok {
			t.Fatalf("openssl s_server exited before listening: %v", args)
		}
		return addr
	case <-time.After(probeGuard):
		t.Fatalf("openssl s_server did not start within %s", probeGuard)
	}
	return ""
}

// TestProbeNginx runs the probe against nginx with ssl_verify_client on, which
// completes the handshake and answers 400 itself. Skipped when nginx is not
// installed (the tests never install it) and when today's date is outside the
// test PKI's validity (nginx verifies with the real clock).
func TestProbeNginx(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		nginx = "/usr/sbin/nginx"
		if _, err := os.Stat(nginx); err != nil {
			t.Skip("nginx not installed: the nginx probe tests need it (apt-get install nginx-light)")
		}
	}
	if now := time.Now(); now.Before(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)) || now.After(time.Date(2027, 12, 30, 0, 0, 0, 0, time.UTC)) {
		t.Skip("today is outside the test PKI's leaf validity (2026-01-01 to 2028-01-01) and nginx cannot be given another clock")
	}
	addr := startNginx(t, nginx)
	tests := []struct {
		name    string
		args    []string
		code    int
		verdict string
	}{
		{"success", []string{"--cert", probePKI("client-good-chain.pem"), "--key", probePKI("client-good.key")}, exitOK, "the request succeeded: the server answered 200 OK"},
		{"no certificate", nil, exitRejected, `the server requires a client certificate and none was given (use --cert and --key); it accepts CN=Acme Root CA`},
		{"missing intermediate", []string{"--cert", probePKI("client-good.pem"), "--key", probePKI("client-good.key")}, exitRejected,
			"only the leaf was sent, and its issuer CN=Acme Issuing CA is not a CA the server names"},
		{"serverAuth-only", []string{"--cert", probePKI("server-localhost-chain.pem"), "--key", probePKI("server-localhost.key")}, exitRejected,
			`the server answered 400 "The SSL certificate error" after the handshake (nginx verifies the client certificate after TLS; its error log names the cause): certificate 1 (CN=localhost) does not allow clientAuth`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runProbe(t, append([]string{addr, "--timeout", "5s"}, tt.args...)...)
			if code != tt.code || !strings.Contains(verdictLine(out), tt.verdict) {
				t.Errorf("probe (nginx) %v: exit %d (want %d), verdict %q, want %q\n%s%s", tt.args, code, tt.code, verdictLine(out), tt.verdict, out, errOut)
			}
		})
	}
}

// startNginx runs nginx in the foreground from a temporary prefix on a free
// loopback port (nginx cannot report a port it chose, so one is picked first, and
// picked again if another process took it meanwhile).
func startNginx(t *testing.T, nginx string) string {
	t.Helper()
	for attempt := 1; attempt <= 3; attempt++ {
		if addr, ok := tryNginx(t, nginx); ok {
			return addr
		}
		t.Logf("nginx did not start (attempt %d)", attempt)
	}
	t.Fatal("nginx did not start after 3 attempts")
	return ""
}

func tryNginx(t *testing.T, nginx string) (string, bool) {
	abs := func(name string) string {
		p, err := filepath.Abs(probePKI(name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	conf := fmt.Sprintf(`daemon off;
master_process off;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  server {
    listen %[2]s ssl;
    ssl_certificate %[3]s;
    ssl_certificate_key %[4]s;
    ssl_client_certificate %[5]s;
    ssl_verify_client on;
    ssl_verify_depth 3;
    location / { return 200 "ok\n"; }
  }
}
`, dir, addr, abs("server-localhost-chain.pem"), abs("server-localhost.key"), abs("root.pem"))
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(probeGuard); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-exited:
			errLog, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Logf("nginx exited: %s", errLog)
			return "", false
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			t.Cleanup(func() { cmd.Process.Kill(); <-exited })
			return addr, true
		}
	}
	cmd.Process.Kill()
	<-exited
	return "", false
}
