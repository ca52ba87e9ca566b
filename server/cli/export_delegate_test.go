package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/server/authz"
)

// TestExportDelegate: export --delegate prints authz.Recipe's text for the flags
// given (or writes it with -o), and refuses what has no recipe.
func TestExportDelegate(t *testing.T) {
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(args, strings.NewReader(""), &out, &errb)
		return code, out.String(), errb.String()
	}
	want, err := authz.Recipe("nginx", authz.RecipeOptions{Client: "partner-b", AuthzAddr: "10.0.0.5:9000", Upstream: "10.0.0.9:80"})
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errs := run("export", "--gateway", "nginx", "--delegate", "--client", "partner-b", "--authz", "10.0.0.5:9000", "--upstream", "10.0.0.9:80"); code != 0 || out != want || errs != "" {
		t.Errorf("export --delegate = %d, stderr %q, output:\n%s\nwant:\n%s", code, errs, out, want)
	}
	file := filepath.Join(t.TempDir(), "Caddyfile")
	if code, out, _ := run("export", "--gateway", "caddy", "--delegate", "-o", file); code != 0 || out != "" {
		t.Errorf("export -o = %d, %q", code, out)
	}
	want, _ = authz.Recipe("caddy", authz.RecipeOptions{})
	if b, err := os.ReadFile(file); err != nil || string(b) != want {
		t.Errorf("-o wrote %q (%v)", b, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--gateway", "haproxy", "--delegate"}, `mtlsplay export: no delegate recipe for gateway "haproxy" (have: nginx, caddy, traefik, envoy)`},
		{[]string{"export", "--gateway", "nginx"}, "mtlsplay export: give --config and --client, or at least one --bundle"}, // the rule's own export
		{[]string{"export", "--gateway", "nginx", "--delegate=false"}, "mtlsplay export: give --config and --client, or at least one --bundle"},
		{[]string{"export", "--delegate"}, "mtlsplay export: no gateway: give --gateway nginx|caddy|traefik|envoy"},
		{[]string{"export", "--gateway", "nginx", "--delegate", "--client", "a b"}, `mtlsplay export: client "a b" is not a client name`},
		{[]string{"export", "--gateway", "nginx", "--delegate", "--upstream", "x;y"}, `mtlsplay export: upstream "x;y" is not host:port`},
		{[]string{"export", "--gateway", "nginx", "--delegate", "--cert", "/a b.pem"}, `mtlsplay export: certificate file "/a b.pem": use a value without spaces`},
		// -o naming a folder: the file, as the rule's export says it, without Go's "open ".
		{[]string{"export", "--gateway", "nginx", "--delegate", "-o", os.TempDir()}, "mtlsplay export: " + os.TempDir() + ": is a directory\n"},
	} {
		code, out, errs := run(c.args...)
		if code != exitBadInput || out != "" || !strings.HasPrefix(errs, c.want) {
			t.Errorf("%v = %d, %q, stderr %q; want 2 and %q", c.args, code, out, errs, c.want)
		}
	}
}
