package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/server/demo"
	"github.com/mtlsplay/mtlsplay/server/htmlpage"
)

// curlLineOf returns the one line of stdout that is a curl command.
func curlLineOf(t testing.TB, stdout string) string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "curl ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("stdout has %d curl lines, want 1:\n%s", len(lines), stdout)
	}
	return lines[0]
}

// runCurl runs a command line through sh, as a person pasting it would, adding
// -s and -w to read the status; it skips the test when curl is not installed.
func runCurl(t testing.TB, line string, extra ...string) (status string, body []byte) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed: the printed command is not run (apt-get install curl)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangGuard)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line+" -s -w '\\n%{http_code}' "+strings.Join(extra, " "))
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no ~/.curlrc
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	i := bytes.LastIndexByte(out, '\n')
	return string(out[i+1:]), out[:i]
}

// TestZeroConfig is `mtlsplay serve` with no config: the demo is made in the state
// folder, the printed curl line works as printed, the page offers the same command
// and the demo certificates, and a second start reuses the demo.
func TestZeroConfig(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state with space")
	ts := startServe(t, Options{StateDir: state, Now: time.Now})
	line := curlLineOf(t, ts.stdout.String())
	if !strings.Contains(ts.stdout.String(), "made now") {
		t.Errorf("first start does not say the demo was made:\n%s", ts.stdout)
	}
	status, body := runCurl(t, line)
	var er echoResponse
	if err := json.Unmarshal(body, &er); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", line, err, body)
	}
	if status != "200" || er.Decision.Code != 0 {
		t.Fatalf("%s: status %s, code %d (%s)", line, status, er.Decision.Code, er.Decision.Reason)
	}
	if !bytes.HasPrefix(body, []byte("{\n  \"decision\"")) {
		t.Errorf("curl gets compact JSON; a person at a terminal should get it indented")
	}

	// Keys are private to the user; so are the folders.
	err := filepath.WalkDir(state, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir() && info.Mode().Perm() != 0o700:
			t.Errorf("%s: mode %v, want 0700", p, info.Mode().Perm())
		case strings.HasSuffix(p, ".key") && info.Mode().Perm() != 0o600:
			t.Errorf("%s: mode %v, want 0600", p, info.Mode().Perm())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The page shows the same command and every code's, each of which works.
	page := "http://" + ts.s.HTTPAddr()
	try := get(t, page+"/try/")
	if !strings.Contains(try, html.EscapeString(line)) {
		t.Errorf("/try/ does not show the printed command")
	}
	cmds := regexp.MustCompile(`<tr><td>(\d+)</td><td>[^<]*</td><td><div class="cmd"><code id="cmd-\d+">([^<]*)</code>`).FindAllStringSubmatch(try, -1)
	if len(cmds) < 8 {
		t.Fatalf("/try/ lists %d commands, want one per code and demo certificate", len(cmds))
	}
	seen := map[string]bool{}
	for _, m := range cmds {
		code, cmd := m[1], html.UnescapeString(m[2])
		_, body := runCurl(t, cmd)
		if err := json.Unmarshal(body, &er); err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if got := strings.TrimSpace(jsonCode(er)); got != code {
			t.Errorf("%s: code %s, the page says %s", cmd, got, code)
		}
		seen[code] = true
	}
	for _, code := range []string{"0", "4016", "4017", "4018", "4019", "4020"} {
		if !seen[code] {
			t.Errorf("/try/ has no command for code %s", code)
		}
	}

	// Downloads: the demo client certificates and keys and the root; nothing else.
	for name, want := range map[string]string{"good.pem": "clients/good.pem", "good.key": "clients/good.key", "root.pem": "ca/root.pem", "expired.pem": "clients/expired.pem"} {
		resp, err := http.Get(page + "/try/files/" + name)
		if err != nil {
			t.Fatal(err)
		}
		got := readAll(t, resp)
		file, _ := os.ReadFile(filepath.Join(state, "demo", want))
		if resp.StatusCode != 200 || got != string(file) || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download %s: status %d, %d bytes (file %d)", name, resp.StatusCode, len(got), len(file))
		}
	}
	for _, name := range []string{"root.key", "intermediate.key", "key.pem", "config.yaml", "..%2fca%2froot.key"} {
		resp, err := http.Get(page + "/try/files/" + name)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("download %s: status %d, want 404", name, resp.StatusCode)
		}
	}

	// The .p12 works as /try/ says: curl presents it with the printed password
	// and the echo accepts it; with text/plain it answers a short summary.
	p12 := filepath.Join(t.TempDir(), "good.p12")
	resp, err := http.Get(page + "/try/files/good.p12")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p12, []byte(readAll(t, resp)), 0o600); err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/x-pkcs12" {
		t.Errorf("download good.p12: %d %s", resp.StatusCode, ct)
	}
	if !strings.Contains(try, "password <code>"+demo.P12Password+"</code>") {
		t.Errorf("/try/ does not print the .p12 password")
	}
	root := htmlpage.ShellQuote(filepath.Join(state, "demo", "ca", "root.pem"))
	p12Line := "curl --cacert " + root + " --cert-type P12 --cert " + htmlpage.ShellQuote(p12+":"+demo.P12Password) + " https://" + ts.s.MTLSAddr() + "/c/demo/"
	status, body = runCurl(t, p12Line, "-H", "'Accept: text/plain'")
	if first, _, _ := strings.Cut(string(body), "\n"); status != "200" || !strings.HasPrefix(first, "0 accepted") {
		t.Errorf("%s -H 'Accept: text/plain': %s, first line %q; want 200 and \"0 accepted\"\n%s", p12Line, status, first, body)
	}
	for _, want := range []string{"client: demo (selected by path)", "certificate: CN=demo-client,O=mtlsplay demo (issued by CN=mtlsplay Demo Issuing CA,O=mtlsplay demo", "rule: CN == \"demo-client\""} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the text summary lacks %q:\n%s", want, body)
		}
	}

	// A second start reuses the demo: same files, same command.
	before, _ := os.ReadFile(filepath.Join(state, "demo", "clients", "good.pem"))
	ts.stop()
	ts2 := startServe(t, Options{StateDir: state, Now: time.Now})
	after, _ := os.ReadFile(filepath.Join(state, "demo", "clients", "good.pem"))
	if !bytes.Equal(before, after) || !strings.Contains(ts2.stdout.String(), "reused") {
		t.Errorf("second start did not reuse the demo:\n%s", ts2.stdout)
	}
	if status, _ := runCurl(t, curlLineOf(t, ts2.stdout.String())); status != "200" {
		t.Errorf("second start: the printed command gets %s", status)
	}
}

func jsonCode(er echoResponse) string { return strconv.Itoa(er.Decision.Code) }

// TestServeBinary runs the built binary as a person would: zero config, the
// printed curl line, then SIGTERM, which must end it cleanly.
func TestServeBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool")
	}
	bin := filepath.Join(t.TempDir(), "mtlsplay")
	if out, err := exec.Command(goTool, "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--http", "127.0.0.1:0", "--mtls", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "curl ") {
				lines <- sc.Text()
			}
		}
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(hangGuard):
		t.Fatalf("no curl line printed; stderr:\n%s", stderr.String())
	}
	if status, _ := runCurl(t, line); status != "200" {
		t.Errorf("%s: status %s", line, status)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(hangGuard):
		t.Fatalf("still running after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", stderr.String())
	}
}
