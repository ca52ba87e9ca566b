package cli

import (
	"bytes"
	"cmp"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/server/echo"
	"github.com/mtlsplay/mtlsplay/server/serve"
)

// runCLI runs a command in-process, as main would.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// opensslPKI is a PKI made by OpenSSL at test time, so the CLI is checked on
// certificates that no code of ours produced.
type opensslPKI struct {
	dir                             string
	root, hard, serverOnly, foreign string // file paths
	rootKey                         string
	notBefore, notAfter             time.Time // of hard
}

func newOpenSSLPKI(t *testing.T) *opensslPKI {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: the cross-tool tests need it (apt-get install openssl)")
	}
	dir := t.TempDir()
	p := &opensslPKI{dir: dir}
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ossl := func(args ...string) {
		t.Helper()
		cmd := exec.Command("openssl", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	ec := []string{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"}
	ca := func(name, subj string) {
		ossl(append(append([]string{"req", "-x509"}, ec...), "-keyout", name+".key", "-out", name+".pem", "-days", "30",
			"-subj", subj, "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign")...)
	}
	leaf := func(name, ca, subj, section string) {
		ossl(append(append([]string{"req", "-new"}, ec...), "-keyout", name+".key", "-out", name+".csr", "-subj", subj, "-multivalue-rdn")...)
		ossl("x509", "-req", "-in", name+".csr", "-CA", ca+".pem", "-CAkey", ca+".key", "-CAcreateserial",
			"-out", name+".pem", "-days", "2", "-extfile", "ext.cnf", "-extensions", section)
	}
	file("ext.cnf", `[client]
basicConstraints=CA:false
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
subjectAltName=@alt
[server]
basicConstraints=CA:false
extendedKeyUsage=serverAuth
subjectAltName=DNS:server.example.com
[alt]
DNS.1=a.example.com
IP.1=2001:db8:0:0:0:0:0:1
IP.2=192.0.2.1
email.1=ops@example.com
URI.1=spiffe://example.com/ns/x
otherName.1=1.3.6.1.4.1.311.20.2.3;UTF8:user@corp.example
otherName.2=1.2.3.4.5;UTF8:hello
RID.1=1.2.3.4
dirName.1=dir_sect
[dir_sect]
O=Example
CN=Dir
`)
	ca("root", "/C=US/O=Test Org/CN=Test Root")
	ca("other", "/CN=Other Root")
	leaf("hard", "root", "/C=US/O=Acme, Inc./OU=a+CN=b", "client")
	leaf("server", "root", "/CN=server.example.com", "server")
	leaf("foreign", "other", "/CN=foreign", "client")
	p.root, p.rootKey = filepath.Join(dir, "root.pem"), filepath.Join(dir, "root.key")
	p.hard, p.serverOnly, p.foreign = filepath.Join(dir, "hard.pem"), filepath.Join(dir, "server.pem"), filepath.Join(dir, "foreign.pem")
	b, _ := pem.Decode(mustRead(t, p.hard))
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p.notBefore, p.notAfter = c.NotBefore, c.NotAfter
	return p
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// valid is a time inside the OpenSSL leaves' validity, derived from the certificate
// so the test does not depend on today's date beyond the day OpenSSL made it.
func (p *opensslPKI) valid() string { return p.notBefore.Add(time.Hour).Format(time.RFC3339) }

func TestInspectOpenSSLNames(t *testing.T) {
	p := newOpenSSLPKI(t)
	code, stdout, stderr := runCLI(t, "", "inspect", "--json", p.hard)
	if code != 0 {
		t.Fatalf("inspect --json = %d, stderr %s", code, stderr)
	}
	var out struct {
		Files []struct {
			Certificates []struct {
				Subject struct {
					DN, Slash, CN string
				}
				SANEntries []string `json:"san_entries"`
				SPIFFEID   string   `json:"spiffe_id"`
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("inspect --json output is not JSON: %v\n%s", err, stdout)
	}
	cert := out.Files[0].Certificates[0]
	if want := `CN=b+OU=a,O=Acme\, Inc.,C=US`; cert.Subject.DN != want {
		t.Errorf("DN = %q, want %q", cert.Subject.DN, want)
	}
	if cert.Subject.CN != "b" {
		t.Errorf("CN = %q, want b", cert.Subject.CN)
	}
	wantSAN := []string{
		"DNS:a.example.com", "IP:2001:db8::1", "IP:192.0.2.1", "Email:ops@example.com",
		"URI:spiffe://example.com/ns/x", "UPN:user@corp.example", "OtherName:1.2.3.4.5:hello",
		"RID:1.2.3.4", "DirName:CN=Dir,O=Example",
	}
	if strings.Join(cert.SANEntries, "\n") != strings.Join(wantSAN, "\n") {
		t.Errorf("SAN = %q,\nwant %q", cert.SANEntries, wantSAN)
	}
	if cert.SPIFFEID != "spiffe://example.com/ns/x" {
		t.Errorf("spiffe_id = %q", cert.SPIFFEID)
	}

	// The text form shows the same strings.
	code, stdout, _ = runCLI(t, "", "inspect", "--at", p.valid(), p.hard)
	for _, want := range append(wantSAN, `CN=b+OU=a,O=Acme\, Inc.,C=US`, "clientAuth", "1 day") {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("inspect text output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestEvalOpenSSL(t *testing.T) {
	p := newOpenSSLPKI(t)
	tests := []struct {
		rule     string
		wantCode int
		wantOut  string
	}{
		{`SAN.exists(s, s == "UPN:user@corp.example")`, 0, "true"},
		{`"Email:ops@example.com" in SAN && DN.startsWith("CN=b+OU=a")`, 0, "true"},
		{`cert.san.ip.exists(a, cidr("192.0.2.0/24").containsIP(a))`, 0, "true"},
		{`CN == "x"`, 1, "false"},
		{`SAN.exists(s, s == "email:ops@example.com")`, 1, "false"},
		{"cert.not_after > now", 0, "true"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "", "eval", "--rule", tt.rule, "--at", p.valid(), p.hard)
			if code != tt.wantCode || !strings.HasPrefix(stdout, tt.wantOut+"\n") {
				t.Errorf("eval --rule %s = %d, stdout %q, stderr %q; want %d, %q", tt.rule, code, stdout, stderr, tt.wantCode, tt.wantOut)
			}
		})
	}
}

func TestVerifyCodesOpenSSL(t *testing.T) {
	p := newOpenSSLPKI(t)
	empty := filepath.Join(p.dir, "empty.pem")
	if err := os.WriteFile(empty, []byte(" \n\t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	expired := p.notAfter.Add(24 * time.Hour).Format(time.RFC3339)
	early := p.notBefore.Add(-24 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name       string
		args       []string
		wantExit   int
		wantCode   int
		wantReason string
	}{
		{"accepted", []string{"--bundle", p.root, "--at", p.valid(), p.hard}, 0, 0, "accepted"},
		{"accepted with rule", []string{"--bundle", p.root, "--rule", `CN == "b"`, "--at", p.valid(), p.hard}, 0, 0, "accepted"},
		{"flags after the chain", []string{p.hard, "--bundle", p.root, "--at", p.valid()}, 0, 0, "accepted"},
		{"no bundle", []string{"--at", p.valid(), p.hard}, 1, 4016, "truststore"},
		{"no bundle checked before no certificate", []string{empty}, 1, 4016, "truststore"},
		{"no certificate", []string{"--bundle", p.root, "--at", p.valid(), empty}, 1, 4017, "no client certificate"},
		{"untrusted", []string{"--bundle", p.root, "--at", p.valid(), p.foreign}, 1, 4018, "CN=Other Root"},
		{"expired", []string{"--bundle", p.root, "--at", expired, p.hard}, 1, 4018, "expired"},
		{"not yet valid", []string{"--bundle", p.root, "--at", early, p.hard}, 1, 4018, "not yet valid"},
		{"serverAuth only", []string{"--bundle", p.root, "--at", p.valid(), p.serverOnly}, 1, 4018, "clientAuth"},
		{"rule false", []string{"--bundle", p.root, "--rule", `CN == "x"`, "--at", p.valid(), p.hard}, 1, 4019, "false"},
		{"rule error", []string{"--bundle", p.root, "--rule", `SAN[20] == "x"`, "--at", p.valid(), p.hard}, 1, 4019, "index"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"verify", "--json"}, tt.args...)
			exit, stdout, stderr := runCLI(t, "", args...)
			var got struct {
				Code   *int
				Reason string
			}
			if err := json.Unmarshal([]byte(stdout), &got); err != nil || got.Code == nil {
				t.Fatalf("verify %v: output is not a decision (%v):\n%s\nstderr: %s", tt.args, err, stdout, stderr)
			}
			if exit != tt.wantExit || *got.Code != tt.wantCode || !strings.Contains(got.Reason, tt.wantReason) {
				t.Errorf("verify %v = exit %d, code %d, reason %q; want exit %d, code %d, reason containing %q",
					tt.args, exit, *got.Code, got.Reason, tt.wantExit, tt.wantCode, tt.wantReason)
			}
			// The text form starts with the same code.
			exit2, text, _ := runCLI(t, "", append([]string{"verify"}, tt.args...)...)
			if exit2 != exit || !strings.HasPrefix(text, fmt.Sprintf("%d ", *got.Code)) {
				t.Errorf("verify text = exit %d, %q; want exit %d and code %d first", exit2, text, exit, *got.Code)
			}
		})
	}
}

func TestStdin(t *testing.T) {
	p := newOpenSSLPKI(t)
	code, stdout, stderr := runCLI(t, string(mustRead(t, p.hard)), "eval", "--rule", `CN == "b"`, "--at", p.valid(), "-")
	if code != 0 || !strings.HasPrefix(stdout, "true") {
		t.Fatalf("eval - = %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "", "verify", "--bundle", p.root, "-")
	if code != 1 || !strings.HasPrefix(stdout, "4017 ") {
		t.Fatalf("verify with empty stdin = %d %q, want 4017", code, stdout)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "usage: mtlsplay"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"eval without rule", []string{"eval", "x.pem"}, "no rule"},
		{"eval without cert", []string{"eval", "--rule", "true"}, "want exactly one CERT"},
		{"inspect without file", []string{"inspect"}, "no FILE given"},
		{"unknown flag", []string{"verify", "--bundel", "x"}, "flag provided but not defined: --bundel"},
		{"six bundles", []string{"verify", "--bundle", "a", "--bundle", "b", "--bundle", "c", "--bundle", "d", "--bundle", "e", "--bundle", "f", "x"}, "at most 5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "", tt.args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("run(%q) = %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
			}
		})
	}
}

func TestTerminalSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain Zoë", "plain Zoë"},
		{"\x1b[2Jcleared", `\1B[2Jcleared`},
		{"nul\x00lf\nc1\u009b", `nul\00lf\0Ac1\9B`},
		{"CN=\u202emoc.elpmaxe", "CN=<U+202E>moc.elpmaxe"},
		{"zero\u200bwidth\ufeff", "zero<U+200B>width<U+FEFF>"},
	}
	for _, tt := range tests {
		if got := terminalSafe(tt.in); got != tt.want {
			t.Errorf("terminalSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDialects(t *testing.T) {
	cert := filepath.Join("..", "..", "testdata", "pki", "client-good.pem")
	at := "2026-06-01T00:00:00Z"
	tests := []struct {
		name       string
		args       []string
		wantExit   int
		wantStdout string
		wantStderr string
	}{
		{"formula", []string{"--rule", `SAN.include?("Email:ops@example.com") and CN.end_with?(".example.com")`}, 0, "true\n", `note: read as a Workato formula; as CEL: "Email:ops@example.com" in SAN && CN.endsWith(".example.com")`},
		{"formula without prefix warns", []string{"--rule", `SAN.include?("api.example.com")`}, 1, "false\n", `warning: rule:1:14: "api.example.com" has no type prefix`},
		{"lowercase prefix warns", []string{"--rule", `"email:ops@example.com" in SAN`}, 1, "false\n", "warning: rule:1:1:"},
		{"CEL only", []string{"--dialect", "cel", "--rule", `SAN.include?("x")`}, 2, "", "mtlsplay: rule:1:"},
		{"formula only", []string{"--dialect", "workato", "--rule", `CN == "client.example.com"`}, 0, "true\n", "note: read as a Workato formula"},
		{"unsupported construct", []string{"--rule", `SAN.each { |s| s }`}, 2, "", "mtlsplay: rule:1:5: `SAN.each` is not supported"},
		{"unknown dialect", []string{"--dialect", "ruby", "--rule", "true"}, 2, "", "ruby"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(append([]string{"eval", "--at", at}, tt.args...), cert)
			code, stdout, stderr := runCLI(t, "", args...)
			if code != tt.wantExit || !strings.HasPrefix(stdout, tt.wantStdout) || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("eval %q = %d, stdout %q, stderr %q; want %d, %q, stderr with %q", tt.args, code, clip(stdout), stderr, tt.wantExit, tt.wantStdout, tt.wantStderr)
			}
		})
	}

	// --json carries the dialect, the translation and the warnings with their fix.
	code, stdout, _ := runCLI(t, "", "verify", "--json", "--bundle", filepath.Join("..", "..", "testdata", "pki", "root.pem"),
		"--rule", `SAN.include?("api.example.com")`, "--at", at, filepath.Join("..", "..", "testdata", "pki", "client-good-chain.pem"))
	var got struct {
		Code     int
		Dialect  string
		CEL      string
		Warnings []struct{ ID, Fix string }
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil || code != 1 || got.Code != 4019 || got.Dialect != "workato" ||
		got.CEL != `"api.example.com" in SAN` || len(got.Warnings) == 0 || got.Warnings[0].ID != "san_no_prefix" || got.Warnings[0].Fix == "" {
		t.Errorf("verify --json with a formula = %d %+v (%v)", code, got, err)
	}
}

// TestErrorLinesTerminalSafe: an error message quotes its input (a rule, a file
// name), so it is written terminal-safe like the rest of the text output.
func TestErrorLinesTerminalSafe(t *testing.T) {
	cert := filepath.Join("..", "..", "testdata", "pki", "client-good.pem")
	for _, args := range [][]string{
		{"inspect", "missing-\x1b[2J.pem"},                           // a file that cannot be read
		{"verify", "--bundle", "ca-\x1b]0;title\x07.pem", cert},      // a bundle that cannot be read
		{"eval", "--rule-file", "rule-\x1b[31m.cel", "--json", cert}, // a rule file, with --json
	} {
		code, _, stderr := runCLI(t, "", args...)
		if code != exitBadInput || strings.ContainsAny(stderr, "\x1b\x07") || !strings.Contains(stderr, `\1B`) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the control characters escaped", args, code, stderr)
		}
	}
}

// TestCommandHelp: a command's -h (or --help) prints its usage to standard output
// and exits 0, as a person asking for help expects; a bad flag is still exit 2.
func TestCommandHelp(t *testing.T) {
	for _, cmd := range []string{"inspect", "eval", "verify", "probe", "test", "site", "serve", "export"} {
		for _, h := range []string{"-h", "--help"} {
			code, out, errs := runCLI(t, "", cmd, h)
			if code != exitOK || !strings.HasPrefix(out, "usage: mtlsplay "+cmd) || errs != "" {
				t.Errorf("mtlsplay %s %s = %d, stdout %.60q, stderr %.60q; want 0 and the usage on stdout", cmd, h, code, out, errs)
			}
		}
		if code, _, errs := runCLI(t, "", cmd, "--no-such-flag"); code != exitBadInput || !strings.Contains(errs, "no-such-flag") {
			t.Errorf("mtlsplay %s --no-such-flag = %d, stderr %.80q; want 2 naming the flag", cmd, code, errs)
		}
	}
}

// startServe runs serve.Run with opts on loopback ports (its own addresses and
// log format unless opts has them) until the test ends or stop is called, and
// returns once it is ready. stop waits for Run to return.
func startServe(t *testing.T, opts serve.Options, stdout, stderr io.Writer, errOut func() string) (s *serve.Server, stop func()) {
	t.Helper()
	opts.HTTPAddr = cmp.Or(opts.HTTPAddr, "127.0.0.1:0")
	opts.MTLSAddr = cmp.Or(opts.MTLSAddr, "127.0.0.1:0")
	opts.LogFormat = cmp.Or(opts.LogFormat, "text")
	opts.Limits = echo.DefaultLimits
	if opts.Now == nil {
		opts.Now = time.Now
	}
	ready := make(chan *serve.Server, 1)
	opts.Ready = func(s *serve.Server) { ready <- s }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- serve.Run(ctx, opts, stdout, stderr) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(probeGuard):
				t.Error("serve did not stop")
			}
		})
	}
	t.Cleanup(stop)
	select {
	case s = <-ready:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, errOut())
	case <-time.After(probeGuard):
		t.Fatal("serve did not start")
	}
	return s, stop
}
