package bundle

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/evanw/esbuild/pkg/api"
)

// Options says what to build and where.
type Options struct {
	Root   string    // the repository root: go.mod, package.json, node_modules, web/, wasm/, testdata/
	Out    string    // the output directory, created if missing
	WASM   bool      // compile the engine to WebAssembly (needs the Go toolchain)
	Brotli bool      // also write engine.wasm.br (quality 11; tens of seconds for the engine)
	Raw    bool      // also keep the uncompressed engine.wasm in Out
	Log    io.Writer // progress lines; nil for none
	GoCmd  string    // the go command; default "go" from PATH
}

// Manifest describes a build; it is written to Out/manifest.json and read by the
// site (for cache-busting URLs and the sizes the docs quote).
type Manifest struct {
	Files map[string]File `json:"files"`
	WASM  *WASMSizes      `json:"wasm,omitempty"` // the rule engine (engine.wasm)
	// Inspector is the small engine the page starts first (inspector.wasm, built
	// with -tags inspector: no cel-go): docs/design.md §5.4.
	Inspector *WASMSizes `json:"inspector,omitempty"`
}

// File is one output file.
type File struct {
	Bytes  int    `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// WASMSizes are the engine's sizes: raw, gzip -9 and brotli -q 11.
type WASMSizes struct {
	Raw    int    `json:"raw"`
	Gzip   int    `json:"gzip"`
	Brotli int    `json:"brotli,omitempty"`
	SHA256 string `json:"sha256"` // of the raw .wasm: a rebuild that gives the same bytes skips compression
}

// Output names.
const (
	AppJS        = "app.js"
	BootJS       = "boot.js"
	AppCSS       = "app.css"
	WorkerJS     = "worker.js"
	WASMGzip     = "engine.wasm.gz"
	WASMBr       = "engine.wasm.br"
	WASMRaw      = "engine.wasm"
	InspGzip     = "inspector.wasm.gz"
	InspBr       = "inspector.wasm.br"
	InspRaw      = "inspector.wasm"
	Samples      = "samples.json"
	DocsJSON     = "docs.json" // docs/*.md rendered to HTML fragments (RenderDocs)
	ManifestFile = "manifest.json"
)

// Build writes the assets into o.Out and returns their manifest.
func Build(ctx context.Context, o Options) (*Manifest, error) {
	if o.Root == "" {
		return nil, errors.New("bundle: Options.Root is required")
	}
	if o.GoCmd == "" {
		o.GoCmd = "go"
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	old := readManifest(o.Out)

	samples, err := LoadSamples(filepath.Join(o.Root, "testdata", "pki"))
	if err != nil {
		return nil, err
	}
	samplesJSON, err := json.MarshalIndent(samples, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.Out, Samples), samplesJSON, 0o644); err != nil {
		return nil, err
	}

	docs, err := RenderDocs(o.Root)
	if err != nil {
		return nil, err
	}
	docsJSON, err := json.MarshalIndent(docs, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(o.Out, DocsJSON), docsJSON, 0o644); err != nil {
		return nil, err
	}

	t0 := time.Now()
	wasmExec, err := goWasmExec(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := bundleTS(o, wasmExec, samplesJSON); err != nil {
		return nil, err
	}
	logf("bundle: scripts and styles in %v", time.Since(t0).Round(time.Millisecond))

	m := &Manifest{Files: map[string]File{}}
	if o.WASM {
		var oldEngine, oldInsp *WASMSizes
		if old != nil {
			oldEngine, oldInsp = old.WASM, old.Inspector
		}
		// One after the other: each go build uses both cores.
		insp, err := buildWASM(ctx, o, inspectorWASM, oldInsp, logf)
		if err != nil {
			return nil, err
		}
		sizes, err := buildWASM(ctx, o, ruleWASM, oldEngine, logf)
		if err != nil {
			return nil, err
		}
		m.WASM, m.Inspector = sizes, insp
	} else if old != nil && old.WASM != nil && exists(filepath.Join(o.Out, WASMGzip)) && exists(filepath.Join(o.Out, InspGzip)) {
		m.WASM, m.Inspector = old.WASM, old.Inspector
	}

	for _, name := range []string{AppJS, BootJS, AppCSS, WorkerJS, Samples, DocsJSON, WASMGzip, WASMBr, WASMRaw, InspGzip, InspBr, InspRaw} {
		b, err := os.ReadFile(filepath.Join(o.Out, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(b)
		m.Files[name] = File{Bytes: len(b), SHA256: hex.EncodeToString(sum[:])}
	}
	mb, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return m, os.WriteFile(filepath.Join(o.Out, ManifestFile), append(mb, '\n'), 0o644)
}

func readManifest(dir string) *Manifest {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil
	}
	var m Manifest
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return &m
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// goWasmExec reads wasm_exec.js from the toolchain that builds the engine: the two
// must come from the same Go release.
func goWasmExec(ctx context.Context, o Options) (string, error) {
	cmd := exec.CommandContext(ctx, o.GoCmd, "env", "GOROOT")
	cmd.Dir = o.Root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("bundle: go env GOROOT: %w", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "lib", "wasm", "wasm_exec.js")
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("bundle: Go's wasm_exec.js: %w", err)
	}
	return string(b), nil
}

// bundleTS runs esbuild: web/ts/main.ts → app.js, web/ts/worker.ts → worker.js,
// web/css/app.css → app.css. Two virtual modules are provided: "go:wasm_exec" (Go's
// loader, from GOROOT) and "mtlsplay:samples" (the samples, from testdata/pki).
func bundleTS(o Options, wasmExec string, samplesJSON []byte) error {
	if !exists(filepath.Join(o.Root, "node_modules", "@codemirror", "view")) {
		return errors.New("bundle: node_modules is missing: run `npm ci` in the repository root first")
	}
	virtual := api.Plugin{
		Name: "mtlsplay-virtual",
		Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: `^(go:wasm_exec|mtlsplay:samples)$`}, func(a api.OnResolveArgs) (api.OnResolveResult, error) {
				return api.OnResolveResult{Path: a.Path, Namespace: "mtlsplay-virtual"}, nil
			})
			b.OnLoad(api.OnLoadOptions{Filter: `.*`, Namespace: "mtlsplay-virtual"}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				var s string
				loader := api.LoaderJS
				switch a.Path {
				case "go:wasm_exec":
					s = wasmExec
				case "mtlsplay:samples":
					s = string(samplesJSON)
					loader = api.LoaderJSON
				}
				return api.OnLoadResult{Contents: &s, Loader: loader}, nil
			})
		},
	}
	// style-mod (CodeMirror's style injector) writes a <style> element into a
	// document, which a CSP without 'unsafe-inline' blocks; in a shadow root it uses a
	// constructed stylesheet (adoptedStyleSheets), which CSP allows. This makes it do
	// the same for the document (every current browser supports it), so the page runs
	// under style-src 'self'. The build fails if the code it patches changes.
	styleMod := api.Plugin{
		Name: "mtlsplay-style-mod-csp",
		Setup: func(b api.PluginBuild) {
			b.OnLoad(api.OnLoadOptions{Filter: `style-mod[\/]src[\/]style-mod\.js$`}, func(a api.OnLoadArgs) (api.OnLoadResult, error) {
				src, err := os.ReadFile(a.Path)
				if err != nil {
					return api.OnLoadResult{}, err
				}
				const from, to = "if (!root.head && root.adoptedStyleSheets && win.CSSStyleSheet) {", "if (root.adoptedStyleSheets && win.CSSStyleSheet) {"
				if !bytes.Contains(src, []byte(from)) {
					return api.OnLoadResult{}, fmt.Errorf("style-mod changed: %q not found; review the CSP patch in web/bundle", from)
				}
				s := strings.Replace(string(src), from, to, 1)
				return api.OnLoadResult{Contents: &s, Loader: api.LoaderJS}, nil
			})
		},
	}
	res := api.Build(api.BuildOptions{
		AbsWorkingDir: absolute(o.Root),
		EntryPointsAdvanced: []api.EntryPoint{
			{InputPath: "web/ts/main.ts", OutputPath: "app"},
			{InputPath: "web/ts/worker.ts", OutputPath: "worker"},
			{InputPath: "web/ts/boot.ts", OutputPath: "boot"},
			{InputPath: "web/css/app.css", OutputPath: "app"},
		},
		Outdir:            absolute(o.Out),
		Bundle:            true,
		Write:             true,
		Format:            api.FormatIIFE,
		Platform:          api.PlatformBrowser,
		Target:            api.ES2022,
		MinifyWhitespace:  true,
		MinifyIdentifiers: true,
		MinifySyntax:      true,
		LegalComments:     api.LegalCommentsEndOfFile,
		Charset:           api.CharsetUTF8,
		LogLevel:          api.LogLevelSilent,
		Plugins:           []api.Plugin{virtual, styleMod},
	})
	if len(res.Errors) > 0 {
		var b strings.Builder
		for _, m := range api.FormatMessages(res.Errors, api.FormatMessagesOptions{Kind: api.ErrorMessage}) {
			b.WriteString(m)
		}
		return fmt.Errorf("bundle: esbuild failed:\n%s", b.String())
	}
	return nil
}

func absolute(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// noInline turns off inlining in the engine's dependencies that run at start-up and
// in type plumbing, not per evaluation: protobuf, YAML, text/template (all pulled in
// by cel-go) and the ANTLR runtime. It keeps the engine under its 4,000,000-byte
// brotli budget (4,063,573 → 3,888,520 B measured) at no measurable cost: natively,
// Eval, Explain and an uncached Compile differ by p > 0.6 (benchstat, n=5).
// cel-go itself, the hot path, keeps its inlining.
//
// Session 6 added three, when the gateway profiles and the export brought the engine
// to 3,995,489 B: golang.org/x/text (cel-go's string formatting, which rules rarely
// reach), internal/export (only while the page's Export panel is open) and
// internal/gateway (a few hundred µs per decide; its views measured within the
// noise natively, the side-by-side table ~10% slower). Each -l measured with gzip -9
// as a proxy: x/text −32 KB, export −7 KB, gateway −13 KB.
var noInline = []string{
	"-gcflags=google.golang.org/protobuf/...=-l",
	"-gcflags=go.yaml.in/yaml/v3=-l",
	"-gcflags=text/template/...=-l",
	"-gcflags=github.com/antlr4-go/antlr/v4=-l",
	"-gcflags=golang.org/x/text/...=-l",
	"-gcflags=github.com/mtlsplay/mtlsplay/internal/export=-l",
	"-gcflags=github.com/mtlsplay/mtlsplay/internal/gateway=-l",
}

// wasmTarget is one of the two engines built from ./wasm: the same packages, the
// inspector with -tags inspector (package engine's inspector.go instead of rules.go).
type wasmTarget struct {
	tags          string
	gcflags       []string // besides noInline
	gz, br, plain string
}

var (
	ruleWASM      = wasmTarget{gz: WASMGzip, br: WASMBr, plain: WASMRaw}
	inspectorWASM = wasmTarget{tags: "inspector", gcflags: inspectorNoInline, gz: InspGzip, br: InspBr, plain: InspRaw}
)

// inspectorNoInline keeps the inspector under its 1.5 MB brotli target: no inlining
// in this module's packages and in the standard library's JSON, formatting, time,
// reflection, URL and big-number code, which a call runs once or a few times
// (crypto, the chain verification's hot path, keeps its inlining). Measured on
// inspector.wasm (Go's gzip -9 as a proxy): 2,068,194 → 1,935,634 B; brotli
// 1,508,724 B before.
var inspectorNoInline = []string{
	"-gcflags=github.com/mtlsplay/mtlsplay/...=-l",
	"-gcflags=encoding/...=-l",
	"-gcflags=fmt=-l",
	"-gcflags=time=-l",
	"-gcflags=reflect=-l",
	"-gcflags=net/...=-l",
	"-gcflags=strconv=-l",
	"-gcflags=math/big=-l",
}

// buildWASM compiles ./wasm for js/wasm with -trimpath -ldflags="-s -w" (and the
// target's tags) and writes the gzip (-9) and, if asked, brotli (-q 11)
// encodings. Compression is skipped when the raw bytes are those of the last build.
func buildWASM(ctx context.Context, o Options, target wasmTarget, old *WASMSizes, logf func(string, ...any)) (*WASMSizes, error) {
	t0 := time.Now()
	tmp, err := os.CreateTemp(o.Out, "engine-*.wasm")
	if err != nil {
		return nil, err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	args := append([]string{"build", "-trimpath", "-ldflags=-s -w"}, noInline...)
	args = append(args, target.gcflags...)
	if target.tags != "" {
		args = append(args, "-tags", target.tags)
	}
	cmd := exec.CommandContext(ctx, o.GoCmd, append(args, "-o", tmp.Name(), "./wasm")...)
	cmd.Dir = o.Root
	cmd.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("bundle: building %s (GOOS=js GOARCH=wasm go build -tags %q ./wasm): %v\n%s", target.plain, target.tags, err, out)
	}
	raw, err := os.ReadFile(tmp.Name())
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	sizes := &WASMSizes{Raw: len(raw), SHA256: hex.EncodeToString(sum[:])}
	logf("bundle: %s %s in %v", target.plain, mb(len(raw)), time.Since(t0).Round(time.Millisecond))

	if o.Raw {
		if err := os.WriteFile(filepath.Join(o.Out, target.plain), raw, 0o644); err != nil {
			return nil, err
		}
	} else {
		os.Remove(filepath.Join(o.Out, target.plain))
	}

	same := old != nil && old.SHA256 == sizes.SHA256
	gzPath, brPath := filepath.Join(o.Out, target.gz), filepath.Join(o.Out, target.br)
	var wg sync.WaitGroup
	var gzErr, brErr error
	if same && exists(gzPath) {
		sizes.Gzip = old.Gzip
	} else {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			sizes.Gzip, gzErr = compress(gzPath, raw, func(w io.Writer) (io.WriteCloser, error) {
				return gzip.NewWriterLevel(w, gzip.BestCompression)
			})
			logf("bundle: %s %s in %v", target.gz, mb(sizes.Gzip), time.Since(t).Round(time.Millisecond))
		}()
	}
	switch {
	case !o.Brotli:
		os.Remove(brPath)
	case same && exists(brPath) && old.Brotli > 0:
		sizes.Brotli = old.Brotli
	default:
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			sizes.Brotli, brErr = compress(brPath, raw, func(w io.Writer) (io.WriteCloser, error) {
				return brotli.NewWriterOptions(w, brotli.WriterOptions{Quality: brotli.BestCompression, LGWin: 24}), nil
			})
			logf("bundle: %s %s in %v", target.br, mb(sizes.Brotli), time.Since(t).Round(time.Millisecond))
		}()
	}
	wg.Wait()
	if err := errors.Join(gzErr, brErr); err != nil {
		return nil, err
	}
	return sizes, nil
}

func compress(path string, raw []byte, newWriter func(io.Writer) (io.WriteCloser, error)) (int, error) {
	var buf bytes.Buffer
	w, err := newWriter(&buf)
	if err != nil {
		return 0, err
	}
	if _, err := w.Write(raw); err != nil {
		return 0, err
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	return buf.Len(), os.WriteFile(path, buf.Bytes(), 0o644)
}

func mb(n int) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }
