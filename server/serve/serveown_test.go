package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/server/demo"
)

// copyInto copies test PKI files into dir under new names.
func copyInto(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for to, from := range files {
		b, err := os.ReadFile(pkiPath(from))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, to), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// curlIn runs a printed command line through sh in dir, as a person who saved
// their files there would; it returns the status, the Mtlsplay-Code header and the
// body's decision code.
func curlIn(t *testing.T, dir, line string) (status, header string, code int) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the printed command is not run (apt-get install curl)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line+` -s -D headers.txt -w '\n%{http_code}'`)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no ~/.curlrc
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s (in %s): %v\n%s", line, dir, err, out)
	}
	i := strings.LastIndexByte(string(out), '\n')
	body := out[:i]
	status = string(out[i+1:])
	var er echoResponse
	if err := json.Unmarshal(body, &er); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", line, err, body)
	}
	h, err := os.ReadFile(filepath.Join(dir, "headers.txt"))
	if err != nil {
		t.Fatal(err)
	}
	resp := http.Header{}
	for _, l := range strings.Split(string(h), "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			resp.Add(k, strings.TrimSpace(v))
		}
	}
	return status, resp.Get("Mtlsplay-Code"), er.Decision.Code
}

// TestConfigOfClientsAlone: a config without tls.cert serves with the demo's
// server certificate from the state folder, and the banner prints, per client,
// a curl line that works as printed once the person's chain and key are saved as
// CERT.pem and KEY.pem; the demo's keys stay out of /try/.
func TestConfigOfClientsAlone(t *testing.T) {
	dir := t.TempDir()
	copyInto(t, dir, map[string]string{"my-root.pem": "root.pem", demo.OwnCertFile: "client-good-chain.pem", demo.OwnKeyFile: "client-good.key"})
	cfgPath := filepath.Join(dir, "mtlsplay.yaml")
	if err := os.WriteFile(cfgPath, []byte(`clients:
  - name: my-root
    bundles: [my-root.pem]
    rule: "CN == \"client.example.com\""
  - name: other.rule
    bundles: [my-root.pem]
    rule: CN == "someone else"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "state with space")
	ts := startServe(t, Options{ConfigPath: cfgPath, StateDir: state})
	out := ts.stdout.String()
	if !strings.Contains(out, "server cert    the demo's, for localhost ("+filepath.Join(state, "demo")+", made now") {
		t.Errorf("the banner does not say whose server certificate is served:\n%s", out)
	}
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "curl ") {
			lines = append(lines, l)
		}
	}
	root := "'" + filepath.Join(state, "demo", "ca", "root.pem") + "'"
	want := []string{
		"curl --cacert " + root + " --cert CERT.pem --key KEY.pem https://" + ts.s.MTLSAddr() + "/c/my-root/",
		"curl --cacert " + root + " --cert CERT.pem --key KEY.pem https://" + ts.s.MTLSAddr() + "/c/other.rule/",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Fatalf("banner curl lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	for i, wantCode := range []int{0, 4019} {
		status, header, code := curlIn(t, dir, lines[i])
		wantStatus := map[int]string{0: "200", 4019: "403"}[wantCode]
		if code != wantCode || header != map[int]string{0: "0", 4019: "4019"}[wantCode] || status != wantStatus {
			t.Errorf("%s: status %s, Mtlsplay-Code %q, JSON code %d; want %s, %d", lines[i], status, header, code, wantStatus, wantCode)
		}
	}

	// The demo was made as for the zero-config demo (keys private), but its client
	// keys and token are no part of this server: /try/ offers none of them.
	err := filepath.WalkDir(state, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if strings.HasSuffix(p, ".key") && info.Mode().Perm() != 0o600 || d.IsDir() && info.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v", p, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	page := "http://" + ts.s.HTTPAddr()
	for _, name := range []string{"good.key", "good.pem", "good.p12"} {
		resp, err := http.Get(page + "/try/files/" + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("/try/files/%s: 200; a config's /try/ offers no demo files", name)
		}
	}
	demoConfig, err := os.ReadFile(filepath.Join(state, "demo", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`token: "([0-9a-f]{32})"`).FindSubmatch(demoConfig)
	if token == nil {
		t.Fatalf("the demo's config has no token:\n%s", demoConfig)
	}
	try := get(t, page+"/try/")
	if strings.Contains(try, string(token[1])) || strings.Contains(try, "good.key") || strings.Contains(try, "good.p12") {
		t.Errorf("/try/ of a config offers the demo's token or keys")
	}
	// /try/ shows the banner's command for each client, and offers the demo root.
	for i, l := range lines {
		if want := fmt.Sprintf(`<code id="own-%d">%s</code>`, i, html.EscapeString(l)); !strings.Contains(try, want) {
			t.Errorf("/try/ lacks %s", want)
		}
	}
	resp, err := http.Get(page + "/try/files/root.pem")
	if err != nil {
		t.Fatal(err)
	}
	rootPEM, _ := os.ReadFile(filepath.Join(state, "demo", "ca", "root.pem"))
	if got := readAll(t, resp); resp.StatusCode != 200 || got != string(rootPEM) {
		t.Errorf("/try/files/root.pem: %d, %d bytes; want 200 and the demo root", resp.StatusCode, len(got))
	}

	// A second start reuses the demo's server certificate.
	ts.stop()
	ts2 := startServe(t, Options{ConfigPath: cfgPath, StateDir: state})
	if !strings.Contains(ts2.stdout.String(), ", reused;") {
		t.Errorf("second start did not reuse the demo:\n%s", ts2.stdout)
	}
}

// TestStateWithOwnServerCert: --state beside a config that names its own
// tls.cert is a mistake said at once (exit 2), not silently ignored; the banner of
// such a config prints no curl lines (the server's CA is the person's).
func TestStateWithOwnServerCert(t *testing.T) {
	cfg := writeConfig(t, testConfig("report"))
	code, stderr := runUntilReady(t, Options{ConfigPath: cfg, StateDir: t.TempDir()})
	if code != ExitBadInput || !strings.Contains(stderr, "names its own tls.cert and tls.key, so --state") {
		t.Errorf("--state with tls.cert: exit %d, stderr %q; want %d and why", code, stderr, ExitBadInput)
	}
	ts := startServe(t, Options{ConfigPath: cfg})
	if out := ts.stdout.String(); strings.Contains(out, "curl ") || strings.Contains(out, "server cert") {
		t.Errorf("a config with tls.cert prints a curl line or the demo's certificate:\n%s", out)
	}
}

// TestLoopbackOrAny: the demo's server certificate names loopback only, so serve
// warns when a config without tls.cert has the echo listen anywhere else.
func TestLoopbackOrAny(t *testing.T) {
	for _, tt := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8443", true},
		{"127.0.0.2:8443", true},
		{"[::1]:8443", true},
		{"0.0.0.0:8443", true},
		{"[::]:8443", true},
		{"[::ffff:127.0.0.1]:8443", true},
		{"192.168.1.5:8443", false},
		{"[2001:db8::1]:8443", false},
	} {
		if got := loopbackOrAny(net.TCPAddrFromAddrPort(netip.MustParseAddrPort(tt.addr))); got != tt.want {
			t.Errorf("loopbackOrAny(%s) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}
