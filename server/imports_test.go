package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/mtlsplay/mtlsplay"

// importRules are the boundaries between the project's packages, as
// docs/design.md ("Layout") states them. A package matching from may not import,
// directly or through another package, any package matching forbidden. Patterns
// are paths in this module, or std:PATH in the standard library; one ending in /...
// matches the package and everything under it.
var importRules = []struct {
	from, forbidden, why string
}{
	{"internal/...", "server/...", "the engine is shared by the browser, the CLI and the server"},
	{"internal/...", "web/...", "the engine is shared by the browser, the CLI and the server"},
	{"internal/...", "std:net/http", "the engine runs in the browser; it does not speak HTTP"},
	{"wasm", "server/...", "the WebAssembly bridge is the engine's, not the server's"},
	{"web/...", "server/...", "the page and the site are built without the server"},
	{"server/echo", "server/probe", "the echo endpoint never connects anywhere"},
	{"server/echo", "server/demo", "the echo endpoint serves any config, not only the demo's"},
	{"server/echo", "server/page", "the two listeners are independent"},
	{"server/page", "server/echo", "the two listeners are independent"},
	{"server/authz", "server/echo", "the listeners are independent (they share server/certcache and server/decisionmemo)"},
	{"server/authz", "server/page", "the listeners are independent"},
	{"server/echo", "server/authz", "the listeners are independent"},
	{"server/authz", "server/probe", "a running server can never be made to probe: only the CLI does"},
	{"server/serve", "server/probe", "a running server can never be made to probe: only the CLI does"},
	{"server/page", "server/probe", "a running server can never be made to probe: only the CLI does"},
	{"server/demo", "server/probe", "a running server can never be made to probe: only the CLI does"},
}

// TestImportRules lists every package of the module with its dependencies (go
// list, tests excluded), built for this machine and for the browser (js/wasm,
// where the wasm bridge lives), and checks each rule.
func TestImportRules(t *testing.T) {
	deps := map[string][]string{}
	for _, env := range [][]string{nil, {"GOOS=js", "GOARCH=wasm"}} {
		cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, module+"/...")
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%v go list: %v", env, err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			f := strings.Fields(line)
			deps[f[0]] = append(deps[f[0]], f[1:]...)
		}
	}
	for _, want := range []string{"internal/engine", "server/echo", "server/page", "web/site", "wasm"} {
		if _, ok := deps[module+"/"+want]; !ok {
			t.Fatalf("go list did not list %s: the rules would check nothing", want)
		}
	}
	for _, r := range importRules {
		for pkg, ds := range deps {
			if !matches(pkg, r.from) {
				continue
			}
			for _, d := range ds {
				if matches(d, r.forbidden) {
					t.Errorf("%s imports %s (directly or not): %s must not import %s, because %s", pkg, d, r.from, r.forbidden, r.why)
				}
			}
		}
	}
}

// matches reports whether the import path p matches pattern, a path in the module
// (internal/...) or std:PATH in the standard library.
func matches(p, pattern string) bool {
	if std, ok := strings.CutPrefix(pattern, "std:"); ok {
		return p == std
	}
	full := module + "/" + pattern
	if base, ok := strings.CutSuffix(full, "/..."); ok {
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == full
}

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		p, pattern string
		want       bool
	}{
		{module + "/internal/rule", "internal/...", true},
		{module + "/internal", "internal/...", true},
		{module + "/internalx", "internal/...", false},
		{module + "/server/echo", "server/echo", true},
		{module + "/server/echo/sub", "server/echo", false},
		{"net/http", "std:net/http", true},
		{"net/http/httptrace", "std:net/http", false},
		{module + "/wasm", "wasm", true},
		{"wasm", "wasm", false},
	} {
		if got := matches(tc.p, tc.pattern); got != tc.want {
			t.Errorf("matches(%q, %q) = %v, want %v", tc.p, tc.pattern, got, tc.want)
		}
	}
}

// TestInspectorWithoutCEL: the page's inspector engine (./wasm built with -tags
// inspector) links no cel-go, protobuf or rule compiler (docs/design.md §5.4):
// that is what makes it small enough to answer first.
func TestInspectorWithoutCEL(t *testing.T) {
	cmd := exec.Command("go", "list", "-tags", "inspector", "-deps", module+"/wasm")
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -tags inspector: %v", err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/internal/engine") {
		t.Fatalf("the inspector does not link internal/engine: %v", deps)
	}
	for _, d := range deps {
		cel := strings.HasPrefix(d, "cel.dev/") || strings.HasPrefix(d, "google.golang.org/protobuf/") || strings.HasPrefix(d, "github.com/antlr4-go/")
		rule := matches(d, "internal/rule/...") && !matches(d, "internal/rule/ruletypes") || matches(d, "internal/dialect") || matches(d, "internal/export")
		if cel || rule {
			t.Errorf("the inspector links %s", d)
		}
	}
}
