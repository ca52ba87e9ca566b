package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		{"serve", "--config", "x.yaml", "--state", "dir"},
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
