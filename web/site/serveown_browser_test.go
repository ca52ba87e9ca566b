package site_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.yaml.in/yaml/v3"
)

// ownFile is a file the "Serve it yourself" panel says to save.
type ownFile struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// ownPanel is what the panel shows.
type ownPanel struct {
	Client string    `json:"client"`
	Files  []ownFile `json:"files"`
	Serve  string    `json:"serve"`
	Curl   string    `json:"curl"`
}

// serveOwn opens the panel (once) and reads it once it shows the page's
// latest verdict.
func (tb *tab) serveOwn() ownPanel {
	tb.t.Helper()
	if !eval[bool](tb, `document.getElementById("serve-own").open`) {
		tb.do(chromedp.Click(chromedp.CSS(`#serve-own > summary`)))
	}
	return poll[ownPanel](tb, `(() => {
  const p = document.getElementById("serve-own");
  if (p.dataset.state !== "ready" || document.getElementById("verdict").dataset.pending !== "false") return null;
  return { client: p.dataset.client,
           files: [...p.querySelectorAll('[data-testid="serve-own-file"]')].map(f => ({ name: f.dataset.file, text: f.querySelector("pre code").textContent })),
           serve: document.getElementById("serve-own-serve").textContent,
           curl: document.getElementById("serve-own-curl").textContent };
})()`, 10*time.Second)
}

// ownConfig is the config the panel writes, read with the config's own YAML
// library and strictness.
type ownConfig struct {
	TLS struct {
		CANames bool `yaml:"ca_names"`
	} `yaml:"tls"`
	Clients []struct {
		Name    string   `yaml:"name"`
		Bundles []string `yaml:"bundles"`
		Rule    string   `yaml:"rule"`
		Dialect string   `yaml:"dialect"`
	} `yaml:"clients"`
}

func parseOwnConfig(t *testing.T, text string) ownConfig {
	t.Helper()
	var c ownConfig
	dec := yaml.NewDecoder(strings.NewReader(text))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("the panel's mtlsplay.yaml does not parse: %v\n%s", err, text)
	}
	if len(c.Clients) != 1 {
		t.Fatalf("the panel's mtlsplay.yaml has %d clients, want 1:\n%s", len(c.Clients), text)
	}
	return c
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// mtlsplayBinary builds the mtlsplay command once per test binary: the walk runs
// `mtlsplay serve` as a person would (web/… imports nothing of server/…).
func mtlsplayBinary(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool to build mtlsplay")
	}
	binOnce.Do(func() {
		root, err := repoRoot()
		if err != nil {
			binErr = err
			return
		}
		dir, err := os.MkdirTemp("", "mtlsplay-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "mtlsplay")
		cmd := exec.Command(goTool, "build", "-o", binPath, "./server")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// serveFrom runs `mtlsplay serve --config mtlsplay.yaml` in dir, as the panel
// says, and returns the curl lines its banner prints; it stops at the test's end.
func serveFrom(t *testing.T, bin, dir, state string) []string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--config", "mtlsplay.yaml", "--state", state, "--http", "127.0.0.1:0", "--mtls", "127.0.0.1:0")
	cmd.Dir = dir
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan []string, 1)
	go func() {
		// The banner's curl lines follow a blank line and end at the next one.
		var curls []string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			switch l := sc.Text(); {
			case strings.HasPrefix(l, "curl "):
				curls = append(curls, l)
			case l == "" && len(curls) > 0:
				lines <- curls
				curls = nil
			}
		}
		if curls != nil {
			lines <- curls
		}
	}()
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("mtlsplay serve still running 30 s after SIGTERM")
		}
	})
	select {
	case l := <-lines:
		return l
	case err := <-done:
		t.Fatalf("mtlsplay serve exited (%v) before printing a curl line; stderr:\n%s", err, stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("mtlsplay serve printed no curl line; stderr:\n%s", stderr.String())
	}
	return nil
}

// curlCode runs a printed command line through sh in dir and returns the
// Mtlsplay-Code header and the JSON's decision code.
func curlCode(t *testing.T, dir, line string) (header string, code int) {
	t.Helper()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line+" -s -D headers.txt")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir()) // no ~/.curlrc
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", line, err, out)
	}
	var er struct {
		Decision struct {
			Code int `json:"code"`
		} `json:"decision"`
	}
	if err := json.Unmarshal(out, &er); err != nil {
		t.Fatalf("%s: not JSON: %v\n%.400s", line, err, out)
	}
	h, err := os.ReadFile(filepath.Join(dir, "headers.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?im)^mtlsplay-code:\s*(\S+)`).FindSubmatch(h)
	if m == nil {
		t.Fatalf("%s: no Mtlsplay-Code header:\n%s", line, h)
	}
	return string(m[1]), er.Decision.Code
}

var ownCurlRE = regexp.MustCompile(`^curl --cacert (\S+) --cert (\S+) --key (\S+) https://(\S+?)/c/(\S+)/$`)

// TestServeYourOwnWalk walks a new user's path (issue 16): paste an OpenSSL-made
// chain and its CA, the labels become theirs, type a rule, open "Serve it
// yourself", save its files exactly as shown (and the key under the name it says),
// run `mtlsplay serve` as it says, and run the curl line serve prints: the echo
// answers the page's code, accepted and 4019.
func TestServeYourOwnWalk(t *testing.T) {
	e := setup(t)
	bin := mtlsplayBinary(t)
	leaf, root, key := opensslChainAndKey(t)
	state := t.TempDir()

	tb := e.newTab(t)
	v := tb.open(e, "")
	tb.fill(`[data-testid="cert-input"]`, leaf)
	v = tb.verdictAfter(v.Seq)
	tb.fill(`[data-testid="bundle-input"]`, root)
	tb.verdictAfter(v.Seq)
	poll[bool](tb, `document.querySelector(".bundle-name").value === "Partner Root CA" && document.getElementById("verdict").dataset.pending === "false"`, 10*time.Second)
	if got := eval[string](tb, `document.querySelector("#sample").selectedOptions[0].textContent`); got != "Your certificate" {
		t.Errorf("the sample menu says %q after pasting an own certificate", got)
	}

	for _, tt := range []struct {
		rule string
		code string
	}{
		{`CN == "partner-a" && "DNS:partner-a.example" in SAN`, "0"},
		{`CN == "partner-b"`, "4019"},
	} {
		v = tb.current()
		tb.typeRule(tt.rule)
		v = tb.verdictAfter(v.Seq)
		if v.Code != tt.code {
			t.Fatalf("rule %s: the page decides %q (%s %s), want %s", tt.rule, v.Code, v.Reason, v.Error, tt.code)
		}
		p := tb.serveOwn()
		if p.Client != "partner-root-ca" {
			t.Errorf("client name %q, want partner-root-ca (from the bundle's name)", p.Client)
		}
		// The panel's files, written exactly as shown.
		dir := t.TempDir()
		names := map[string]bool{}
		for _, f := range p.Files {
			if f.Name != filepath.Base(f.Name) || names[f.Name] {
				t.Fatalf("file name %q: not a plain, unique file name", f.Name)
			}
			names[f.Name] = true
			if err := os.WriteFile(filepath.Join(dir, f.Name), []byte(f.Text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		cfg := parseOwnConfig(t, p.Files[0].Text)
		if p.Files[0].Name != "mtlsplay.yaml" || cfg.Clients[0].Rule != tt.rule || cfg.Clients[0].Name != p.Client {
			t.Errorf("config %s: client %q, rule %q; want %q, %q", p.Files[0].Name, cfg.Clients[0].Name, cfg.Clients[0].Rule, p.Client, tt.rule)
		}
		if !cfg.TLS.CANames {
			t.Errorf("config %s: tls.ca_names is not true, so a browser would send the leaf without its intermediate", p.Files[0].Name)
		}
		if p.Serve != "mtlsplay serve --config mtlsplay.yaml" {
			t.Errorf("the panel's serve command is %q", p.Serve)
		}
		// The page's curl line names the chain and key files: the chain is among
		// the files shown, the key the person saves.
		pm := ownCurlRE.FindStringSubmatch(p.Curl)
		if pm == nil {
			t.Fatalf("the panel's curl line %q is not of the expected shape", p.Curl)
		}
		certName, keyName := pm[2], pm[3]
		if !names[certName] || names[keyName] {
			t.Fatalf("the panel shows files %v; want the chain %s among them and the key %s not", names, certName, keyName)
		}
		keyPEM, err := os.ReadFile(key)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, keyName), keyPEM, 0o600); err != nil {
			t.Fatal(err)
		}

		lines := serveFrom(t, bin, dir, state)
		if len(lines) != 1 {
			t.Fatalf("serve printed %d curl lines, want 1: %q", len(lines), lines)
		}
		sm := ownCurlRE.FindStringSubmatch(lines[0])
		if sm == nil || sm[2] != certName || sm[3] != keyName || sm[5] != p.Client || strings.Trim(sm[1], "'") != filepath.Join(state, "demo", "ca", "root.pem") {
			t.Fatalf("serve printed %q; want the page's %q with the demo root of %s and its own port", lines[0], p.Curl, state)
		}
		header, code := curlCode(t, dir, lines[0])
		if header != v.Code || fmt.Sprint(code) != v.Code {
			t.Errorf("rule %s: %s gets Mtlsplay-Code %s and code %d; the page said %s", tt.rule, lines[0], header, code, v.Code)
		}
	}
	tb.noErrors()
}

// TestServeOwnConfigQuoting: whatever the rule and the bundles' names, the
// panel's config reads back (with the config's YAML library) as exactly the rule,
// a client name the config accepts, and file names that are plain, unique and
// clear of the chain's and key's (case aside).
func TestServeOwnConfigQuoting(t *testing.T) {
	e := setup(t)
	root := e.pki(t, "root.pem")
	nameRE := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	for _, tt := range []struct {
		name    string
		rule    string
		dialect string
		bundles []string
		client  string
	}{
		{"quotes and comment", `CN == "a\"b" && SAN.exists(s, s == "x: y # z") || CN == 'it''s'`, "", []string{`Partner "Root" CA: #1`}, "partner-root-ca-1"},
		{"line breaks and tabs", "CN == \"x\"\n\t&& true\n# not a comment\n- also not a list", "cel", []string{"CERT", "cert"}, "cert"},
		{"yaml indicators", `&anchor *alias !tag %dir @at ` + "`" + ` | > { } [ ] ---` + "\n...", "", []string{"---", "KEY"}, "my-client"},
		{"invisible characters", "CN == \"\u00fc\u2028\u2029\u0085\ufeff\u0001\u007f\u200b\u202e\"", "workato", []string{"\u00c9cole Root CA \u2014 2026"}, "ecole-root-ca-2026"},
		{"backslashes", `DN == "CN=a\\,b" && "\\" != "\u0041"`, "", []string{strings.Repeat("x", 100)}, strings.Repeat("x", 64)},
		{"empty rule", "", "", nil, "my-client"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bundles := [][2]string{}
			for _, b := range tt.bundles {
				bundles = append(bundles, [2]string{b, root})
			}
			state := map[string]any{"v": 1, "c": "", "b": bundles, "r": tt.rule}
			if tt.dialect != "" {
				state["d"] = tt.dialect
			}
			js, _ := json.Marshal(state)
			var z bytes.Buffer
			fw, _ := flate.NewWriter(&z, flate.BestCompression)
			fw.Write(js)
			fw.Close()
			tb := e.newTab(t)
			tb.open(e, "#s="+base64.RawURLEncoding.EncodeToString(z.Bytes()))
			p := tb.serveOwn()
			cfg := parseOwnConfig(t, p.Files[0].Text)
			c := cfg.Clients[0]
			if c.Rule != tt.rule {
				t.Errorf("the config's rule reads back as %q, want %q\n%s", c.Rule, tt.rule, p.Files[0].Text)
			}
			if c.Dialect != tt.dialect {
				t.Errorf("dialect %q, want %q", c.Dialect, tt.dialect)
			}
			if c.Name != tt.client || !nameRE.MatchString(c.Name) || p.Client != c.Name {
				t.Errorf("client name %q (panel %q), want %q matching the config's rule", c.Name, p.Client, tt.client)
			}
			seen := map[string]bool{"mtlsplay.yaml": true, "cert.pem": true, "key.pem": true}
			if len(c.Bundles) != len(tt.bundles) {
				t.Fatalf("bundles %q, want %d", c.Bundles, len(tt.bundles))
			}
			for i, f := range c.Bundles {
				if !nameRE.MatchString(f) || !strings.HasSuffix(f, ".pem") || seen[strings.ToLower(f)] {
					t.Errorf("bundle file %q: not a plain file name, or taken", f)
				}
				seen[strings.ToLower(f)] = true
				if p.Files[i+1].Name != f || p.Files[i+1].Text != root {
					t.Errorf("file %d is %q (%d bytes), want bundle %q with its PEM", i+1, p.Files[i+1].Name, len(p.Files[i+1].Text), f)
				}
			}
			if strings.Contains(p.Files[0].Text, "rule:") != (tt.rule != "") {
				t.Errorf("an empty rule is written, or a rule is not:\n%s", p.Files[0].Text)
			}
			tb.noErrors()
		})
	}
}
