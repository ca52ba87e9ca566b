package bundle_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/web/bundle"
)

func root(t *testing.T) string {
	t.Helper()
	r, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r, "node_modules", "@codemirror", "view")); err != nil {
		t.Skip("node_modules missing: run `npm ci` in the repository root")
	}
	return r
}

// TestBuildScripts bundles the TypeScript and CSS (no engine) and checks the output.
func TestBuildScripts(t *testing.T) {
	r := root(t)
	out := t.TempDir()
	m, err := bundle.Build(context.Background(), bundle.Options{Root: r, Out: out})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	for _, name := range []string{bundle.AppJS, bundle.BootJS, bundle.WorkerJS, bundle.AppCSS, bundle.Samples} {
		if m.Files[name].Bytes == 0 {
			t.Errorf("Build wrote no %s", name)
		}
	}
	worker, _ := os.ReadFile(filepath.Join(out, bundle.WorkerJS))
	if !strings.Contains(string(worker), "compileStreaming") || !strings.Contains(string(worker), "DecompressionStream") || !strings.Contains(string(worker), "Go") {
		t.Error("worker.js lacks Go's wasm_exec.js or the loader")
	}
	app, _ := os.ReadFile(filepath.Join(out, bundle.AppJS))
	for _, banned := range []string{"https://", "http://"} {
		for _, line := range strings.Split(string(app), "\n") {
			// URLs may appear in comments and strings (licences, docs); none may be fetched.
			if strings.Contains(line, "fetch("+`"`+banned) || strings.Contains(line, "import("+`"`+banned) {
				t.Errorf("app.js loads from another origin: %.120s", line)
			}
		}
	}
	if regexp.MustCompile(`!\w+\.head&&\w+\.adoptedStyleSheets`).Match(app) || !strings.Contains(string(app), "adoptedStyleSheets") {
		t.Error("style-mod was not patched for the CSP (it would inject <style> elements)")
	}
}

// TestLoadSamples checks every sample the page offers exists in the test PKI.
func TestLoadSamples(t *testing.T) {
	s, err := bundle.LoadSamples("../../testdata/pki")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Certs) < 8 || len(s.Bundles) < 2 || s.DefaultRule == "" {
		t.Errorf("LoadSamples: %d certificates, %d bundles, rule %q", len(s.Certs), len(s.Bundles), s.DefaultRule)
	}
	for _, c := range s.Certs {
		if !strings.Contains(c.PEM, "BEGIN CERTIFICATE") || strings.Contains(c.PEM, "PRIVATE KEY") {
			t.Errorf("sample %s: not a certificate-only PEM", c.ID)
		}
	}
}

// TestTypeScript type-checks web/ts with the TypeScript compiler from package-lock.json.
func TestTypeScript(t *testing.T) {
	r := root(t)
	tsc := filepath.Join(r, "node_modules", "typescript", "bin", "tsc")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found")
	}
	if _, err := os.Stat(tsc); err != nil {
		t.Skip("typescript not installed: run `npm ci`")
	}
	cmd := exec.Command(node, tsc, "--noEmit", "-p", filepath.Join("web", "ts"))
	cmd.Dir = r
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("tsc --noEmit -p web/ts: %v\n%s", err, out)
	}
}
