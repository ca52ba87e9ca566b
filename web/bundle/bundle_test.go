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

// Size budgets for the two engines, in gzip -9 bytes: brotli -q 11 takes minutes
// for the rule engine, gzip seconds, and their ratio is stable (brotli/gzip 0.73
// for the inspector, 0.68 for the rule engine, measured with `go run ./web/build`).
//   - inspector ≤ 2,050,000 B gzip: issue 18's 1.5 MB brotli (1,429,090 B brotli,
//     1,951,687 B gzip on 2026-12-06).
//   - rule engine ≤ 5,400,000 B gzip (≈ 3.65 MB brotli): the size it reached when
//     method dead-code elimination came back (protobuf v1.36.12: 3,578,251 B brotli,
//     5,292,558 B gzip), so it cannot grow back unnoticed. Issue 18's 4 MB for both
//     engines together is not met: see docs/design.md §5.4.
const (
	inspectorGzipBudget  = 2_050_000
	ruleEngineGzipBudget = 5_400_000
)

// TestWASMBudget builds both engines as the site ships them and checks their sizes.
func TestWASMBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds both engines (about a minute)")
	}
	r := root(t)
	m, err := bundle.Build(context.Background(), bundle.Options{Root: r, Out: t.TempDir(), WASM: true})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	for _, c := range []struct {
		name   string
		sizes  *bundle.WASMSizes
		budget int
	}{
		{"inspector.wasm", m.Inspector, inspectorGzipBudget},
		{"engine.wasm (the rule engine)", m.WASM, ruleEngineGzipBudget},
	} {
		if c.sizes == nil {
			t.Fatalf("Build reported no sizes for %s", c.name)
		}
		t.Logf("%s: raw %d B, gzip %d B (budget %d)", c.name, c.sizes.Raw, c.sizes.Gzip, c.budget)
		if c.sizes.Gzip > c.budget {
			t.Errorf("%s is %d B gzip, over its budget of %d B by %d: find what grew (go build -ldflags=-dumpdep, web/README.md \"Sizes\") before raising it", c.name, c.sizes.Gzip, c.budget, c.sizes.Gzip-c.budget)
		}
	}
}
