package cli

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/server/serve"
)

// TestServeBadConfig runs the command: a broken config is one line on stderr and
// exit status 2, before anything listens.
func TestServeBadConfig(t *testing.T) {
	pki := func(name string) string {
		p, err := filepath.Abs(filepath.Join("..", "..", "testdata", "pki", name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	p := filepath.Join(t.TempDir(), "mtlsplay.yaml")
	yaml := fmt.Sprintf("tls: {cert: %s, key: %s}\nclients:\n  - name: partner-a\n    bundles: [%s]\n",
		pki("server-localhost-chain.pem"), pki("server-localhost.key"), pki("root.key"))
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main([]string{"serve", "--config", p, "--http", "127.0.0.1:0", "--mtls", "127.0.0.1:0"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitBadInput {
		t.Errorf("serve with a broken config: exit %d, want %d", code, exitBadInput)
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "mtlsplay serve: ") || !strings.Contains(lines[0], `client "partner-a"`) {
		t.Errorf("stderr = %q, want one line naming the client", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}

func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "extra"},
		{"serve", "--log-format", "xml"},
		{"serve", "--log-level", "loud"},
		{"serve", "--max-conns", "0"},
		{"serve", "--max-conns-per-source", "-1"},
	} {
		var stdout, stderr bytes.Buffer
		if code := Main(args, strings.NewReader(""), &stdout, &stderr); code != exitBadInput {
			t.Errorf("run(%q) = %d, want %d; stderr %q", args, code, exitBadInput, stderr.String())
		}
	}
}

// TestServeBadListenFlag: an address flag that cannot be listened on is a usage
// error naming the flag (exit 2), before the demo is made or anything listens.
func TestServeBadListenFlag(t *testing.T) {
	for _, tt := range []struct{ flag, addr, want string }{
		{"--mtls", "localhost", "missing port"},
		{"--http", "127.0.0.1:99999", "0 to 65535"},
		{"--authz", "127.0.0.1:90:00", "too many colons"},
	} {
		state := t.TempDir()
		args := []string{"serve", "--state", state, "--http", "127.0.0.1:0", "--mtls", "127.0.0.1:0", tt.flag, tt.addr}
		var stdout, stderr bytes.Buffer
		code := Main(args, strings.NewReader(""), &stdout, &stderr)
		if code != exitBadInput || !strings.Contains(stderr.String(), tt.flag+` "`+tt.addr+`"`) || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("run(%q) = %d, stderr %q; want %d naming %s and %q", args, code, stderr.String(), exitBadInput, tt.flag, tt.want)
		}
		if entries, _ := os.ReadDir(state); len(entries) != 0 {
			t.Errorf("run(%q) made the demo before refusing the flag", args)
		}
	}
}

// TestServeSharedAddress: two listeners given one address are a usage mistake said
// before anything listens (binding the second failed with "address already in
// use", exit 1, after the config's cases).
func TestServeSharedAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0") // a free port, given back
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, flags := range [][]string{
		{"--http", addr, "--mtls", addr},
		{"--http", "127.0.0.1:0", "--mtls", addr, "--authz", addr},
	} {
		var stderr bytes.Buffer
		code := Main(append([]string{"serve", "--state", t.TempDir()}, flags...), strings.NewReader(""), io.Discard, &stderr)
		if code != exitBadInput || !strings.Contains(stderr.String(), "are both "+addr+": give each its own address") {
			t.Errorf("serve %q = %d, stderr %q; want %d and the two listeners named", flags, code, stderr.String(), exitBadInput)
		}
	}
}

// TestServeDemoPublic: --demo-public reaches serve; without it the demo's keys stay
// on loopback.
func TestServeDemoPublic(t *testing.T) {
	c := &cli{stdout: io.Discard, stderr: io.Discard, now: time.Now}
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"--http", "0.0.0.0:8080"}, false},
		{[]string{"--http", "0.0.0.0:8080", "--demo-public"}, true},
		{[]string{"-demo-public", "--state", "dir"}, true},
	} {
		opts, code, ok := c.serveFlags(tt.args)
		if !ok || opts.DemoPublic != tt.want {
			t.Errorf("serve %q: ok %v (exit %d), DemoPublic %v; want %v", tt.args, ok, code, opts.DemoPublic, tt.want)
		}
	}
	var stderr bytes.Buffer
	args := []string{"serve", "--config", "x.yaml", "--demo-public"}
	if code := Main(args, strings.NewReader(""), io.Discard, &stderr); code != exitBadInput || !strings.Contains(stderr.String(), "--demo-public is for the zero-config demo") {
		t.Errorf("run(%q) = %d, stderr %q; want a usage error about --demo-public", args, code, stderr.String())
	}
}

// TestServeBannerAligned: the banner's "mtlsplay serve: LABEL  VALUE" lines start
// their values in one column (the playground's and the echo's were one further).
func TestServeBannerAligned(t *testing.T) {
	var out bytes.Buffer
	_, stop := startServe(t, serve.Options{StateDir: t.TempDir(), AuthzAddr: "127.0.0.1:0"}, &out, io.Discard, func() string { return "" })
	stop()
	columns := map[int][]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		rest, ok := strings.CutPrefix(line, "mtlsplay serve: ")
		if !ok {
			continue
		}
		for _, label := range []string{"the playground", "mTLS echo", "authorization", "config", "server cert", "demo"} {
			if after, ok := strings.CutPrefix(rest, label+" "); ok {
				col := len(rest) - len(strings.TrimLeft(after, " "))
				columns[col] = append(columns[col], label)
			}
		}
	}
	if len(columns) != 1 {
		t.Errorf("the banner's values start in %d columns: %v\n%s", len(columns), columns, out.String())
	}
}
