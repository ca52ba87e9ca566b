package site

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/a-h/templ"
)

//go:embed dist
var dist embed.FS

// Asset names, as web/bundle writes them.
const (
	appJS     = "app.js"
	bootJS    = "boot.js"
	appCSS    = "app.css"
	workerJS  = "worker.js"
	wasmGzip  = "engine.wasm.gz"
	wasmBr    = "engine.wasm.br"
	wasmRaw   = "engine.wasm"
	inspGzip  = "inspector.wasm.gz"
	inspBr    = "inspector.wasm.br"
	inspRaw   = "inspector.wasm"
	samples   = "samples.json"
	docsJSON  = "docs.json"
	manifestF = "manifest.json"
)

// Assets returns the embedded build output (web/site/dist).
func Assets() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the directory is part of this package
	}
	return sub
}

// ErrNotBuilt is returned when the front-end assets have not been built.
var ErrNotBuilt = errors.New("site: the front-end assets are not built: run `npm ci && go run ./web/build` (or `make web`) first")

// Built reports whether the embedded assets are complete.
func Built() bool { return checkAssets(Assets()) == nil }

func checkAssets(assets fs.FS) error {
	for _, name := range []string{appJS, bootJS, appCSS, workerJS, wasmGzip, inspGzip, docsJSON} {
		if _, err := fs.Stat(assets, name); err != nil {
			return ErrNotBuilt
		}
	}
	return nil
}

// page is what every template gets.
type page struct {
	Title       string
	Description string
	Root        string // the relative path to the site's root: "" or "../"
	Active      string // the nav entry of this page
	Assets      assetURLs
	Sizes       string // the engine's sizes, for the docs
	SampleName  string
	SampleClock string      // the time the page evaluates the samples at
	Served      bool        // served by mtlsplay serve, beside /try/
	Icon        string      // the page's icon; "" for none (an empty data: URL, so the browser asks for no favicon.ico)
	Script      string      // a served page's own script (ServedPage), deferred
	First       *firstPaint // the playground's: the default sample's decision, or nil
	Nav         []navItem
}

// navItem is one entry of the site's navigation.
type navItem struct {
	ID, Href, Label string // ID is the page's Active
}

// builtinNav are the pages the site's templates make, in the navigation's order;
// the Markdown documents follow in web/bundle's order.
var builtinNav = []navItem{
	{"playground", "index.html", "Playground"},
	{"start", "docs/index.html", "Getting started"},
	{"rules", "docs/rules.html", "Rule reference"},
	{"names", "docs/names.html", "SAN & DN"},
	{"gateways", "docs/gateways.html", "Fields by gateway"},
	{"codes", "docs/codes.html", "Decision codes"},
}

// navigation is every page's entry: one list, so a new document cannot be left out.
func navigation(docs []markdownDoc) []navItem {
	nav := slices.Clone(builtinNav)
	for _, d := range docs {
		nav = append(nav, navItem{d.Slug, "docs/" + d.Slug + ".html", cmp.Or(d.Nav, d.Title)})
	}
	return nav
}

// navMenu is one entry of the navigation's line: a link alone (no Label) or a menu
// of links under Label.
type navMenu struct {
	Label string
	Items []navItem
}

// has reports whether the menu holds the page whose Active is id.
func (m navMenu) has(id string) bool {
	for _, n := range m.Items {
		if n.ID == id {
			return true
		}
	}
	return false
}

// topLevel are the pages linked on the navigation's line; menuOf names the menu of
// others; every other page is under Docs, so a new document is never left out.
var (
	topLevel = map[string]bool{"playground": true, "server": true}
	menuOf   = map[string]string{"gateways": "Gateways", "export": "Gateways", "delegate": "Gateways"}
)

// navMenus groups the navigation so that it fits one line: each menu where its
// first page is in nav's order, its pages in that order.
func navMenus(nav []navItem) []navMenu {
	var out []navMenu
	at := map[string]int{}
	for _, n := range nav {
		if topLevel[n.ID] {
			out = append(out, navMenu{Items: []navItem{n}})
			continue
		}
		label := cmp.Or(menuOf[n.ID], "Docs")
		i, ok := at[label]
		if !ok {
			i = len(out)
			at[label] = i
			out = append(out, navMenu{Label: label})
		}
		out[i].Items = append(out[i].Items, n)
	}
	for i := range out {
		if len(out[i].Items) == 1 {
			out[i].Label = "" // a menu of one is its link
		}
	}
	return out
}

type assetURLs struct {
	CSS, JS, Boot, Worker, WASM string
	Inspector                   string // the inspector engine, fetched as WASM is
}

// wasmSizes are an engine's sizes as web/bundle's manifest gives them.
type wasmSizes struct {
	Raw    int `json:"raw"`
	Gzip   int `json:"gzip"`
	Brotli int `json:"brotli"`
}

// String is "R MB as WebAssembly, G MB gzip, B MB brotli" (no brotli when not built).
func (w wasmSizes) String() string {
	if w.Brotli == 0 {
		return fmt.Sprintf("%.1f MB as WebAssembly, %.1f MB gzip", float64(w.Raw)/1e6, float64(w.Gzip)/1e6)
	}
	return fmt.Sprintf("%.1f MB as WebAssembly, %.1f MB gzip, %.1f MB brotli", float64(w.Raw)/1e6, float64(w.Gzip)/1e6, float64(w.Brotli)/1e6)
}

// manifest is the part of web/bundle's manifest.json the site reads.
type manifest struct {
	Files map[string]struct {
		Bytes  int    `json:"bytes"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
	WASM      *wasmSizes `json:"wasm"`
	Inspector *wasmSizes `json:"inspector"`
}

func readManifest(assets fs.FS) manifest {
	var m manifest
	if b, err := fs.ReadFile(assets, manifestF); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

// versioned returns "assets/NAME?v=HASH" so a new build is never mixed with a cached
// old one, whatever the host's caching.
func (m manifest) versioned(name string) string {
	u := "assets/" + name
	if f, ok := m.Files[name]; ok && len(f.SHA256) >= 12 {
		u += "?v=" + f.SHA256[:12]
	}
	return u
}

// options choose how the engine is fetched.
type options struct {
	// wasm is the engine's file name under assets/: engine.wasm.gz for static hosts
	// (decompressed by the page), engine.wasm where the server negotiates
	// Content-Encoding.
	wasm string
	// served: the pages are mtlsplay serve's, whose page listener also has /try/
	// (the echo endpoint's how-to), which the navigation then links.
	served bool
}

type renderedFile struct {
	path string // slash-separated, relative to the site root
	body []byte
}

// assetURLsOf are the versioned URLs of the assets, from the site's root.
func assetURLsOf(m manifest, o options) assetURLs {
	urls := assetURLs{CSS: m.versioned(appCSS), JS: m.versioned(appJS), Boot: m.versioned(bootJS), Worker: m.versioned(workerJS), WASM: m.versioned(o.wasm), Inspector: m.versioned(inspGzip)}
	if o.wasm != wasmGzip {
		// The negotiated URLs share the gzip files' versions.
		urls.WASM = strings.Replace(m.versioned(wasmGzip), wasmGzip, o.wasm, 1)
		urls.Inspector = strings.Replace(m.versioned(inspGzip), inspGzip, inspRaw, 1)
	}
	return urls
}

// render produces every page of the site.
func render(ctx context.Context, assets fs.FS, o options) ([]renderedFile, error) {
	m := readManifest(assets)
	urls := assetURLsOf(m, o)
	sizes := ""
	if m.WASM != nil {
		sizes = m.WASM.String()
		if m.Inspector != nil {
			sizes = "the inspector, which answers first, " + m.Inspector.String() + "; the rule engine " + sizes
		}
	}
	groups, sampleName := referenceGroups(assets)
	mdDocs, err := readDocs(assets)
	if err != nil {
		return nil, err
	}
	clock := sampleClock(assets)
	gws, gwDN, gwErr := gatewayDocs()
	gwErrText := ""
	if gwErr != nil {
		gwErrText = gwErr.Error()
	}
	nav := navigation(mdDocs)
	first, err := decideFirstPaint(assets)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, errNoSample) {
		first = nil // a build without samples: the page opens as it did before
	} else if err != nil {
		return nil, err
	}
	mk := func(root, active, title, desc string) page {
		return page{Title: title, Description: desc, Root: root, Active: active, Assets: urls, Sizes: sizes, SampleName: sampleName, SampleClock: clock, Served: o.served, Nav: nav}
	}
	pages := []struct {
		path string
		c    templ.Component
	}{
		{"index.html", playground(withFirstPaint(mk("", "playground", "mtlsplay — mTLS client-certificate rule playground", "Paste a client certificate, pick CA bundles, write a rule: see what the rule sees, whether the chain is trusted, the decision code and why. Nothing is uploaded."), first))},
		{"docs/index.html", docStart(mk("../", "start", "Getting started — mtlsplay", "How to use the mtlsplay playground, CLI and server."))},
		{"docs/rules.html", docRules(mk("../", "rules", "Rule reference — mtlsplay", "Every variable, certificate field and function of mtlsplay's CEL rules, with examples."), groups)},
		{"docs/names.html", docNames(mk("../", "names", "How SAN and DN are written — mtlsplay", "SAN prefixes, RFC 4514 DN strings and the OpenSSL slash form."))},
		{"docs/gateways.html", docGateways(mk("../", "gateways", "As your gateway sees it — mtlsplay", "Every field nginx, HAProxy, Caddy, Envoy, Traefik, Cloudflare, AWS and Azure expose for a client certificate, with an example value, what each cannot see, and tested or documented."), gws, gwDN, gwErrText)},
		{"docs/codes.html", docCodes(mk("../", "codes", "Decision codes — mtlsplay", "The decision codes 0 and 4016–4020 and what to do about each."))},
	}
	for _, d := range mdDocs {
		pages = append(pages, struct {
			path string
			c    templ.Component
		}{"docs/" + d.Slug + ".html", docMarkdown(mk("../", d.Slug, d.Title+" — mtlsplay", d.Description), d.HTML)})
	}
	out := make([]renderedFile, 0, len(pages))
	for _, p := range pages {
		var b bytes.Buffer
		if err := p.c.Render(ctx, &b); err != nil {
			return nil, fmt.Errorf("site: rendering %s: %w", p.path, err)
		}
		out = append(out, renderedFile{p.path, b.Bytes()})
	}
	return out, nil
}

func withFirstPaint(p page, fp *firstPaint) page {
	p.First = fp
	return p
}

// Export writes the static site (pages, scripts, styles and the engine) into dir,
// from the assets embedded in this binary.
func Export(dir string) error { return ExportFrom(Assets(), dir) }

// ExportFrom writes the static site into dir from the given build output (a
// directory web/build wrote), for tests and tools that build the assets fresh.
func ExportFrom(assets fs.FS, dir string) error {
	if err := checkAssets(assets); err != nil {
		return err
	}
	files, err := render(context.Background(), assets, options{wasm: wasmGzip})
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := writeFile(filepath.Join(dir, filepath.FromSlash(f.path)), f.body); err != nil {
			return err
		}
	}
	for _, name := range []string{appJS, bootJS, appCSS, workerJS, wasmGzip, wasmBr, inspGzip, inspBr, samples} {
		b, err := fs.ReadFile(assets, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, "assets", name), b); err != nil {
			return err
		}
	}
	// The plain .wasm files, for the page's last-resort fallback and for hosts
	// that compress on their own.
	for _, e := range []engineFiles{ruleEngine, inspector} {
		raw, err := rawWASM(assets, e)
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, "assets", e.raw), raw); err != nil {
			return err
		}
	}
	return nil
}

// engineFiles names one engine's files: the rule engine (engine.wasm) and the
// inspector the page starts first (inspector.wasm), docs/design.md §5.4.
type engineFiles struct{ gz, br, raw string }

var (
	ruleEngine = engineFiles{wasmGzip, wasmBr, wasmRaw}
	inspector  = engineFiles{inspGzip, inspBr, inspRaw}
)

func rawWASM(assets fs.FS, e engineFiles) ([]byte, error) {
	if b, err := fs.ReadFile(assets, e.raw); err == nil {
		return b, nil
	}
	f, err := assets.Open(e.gz)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("site: %s: %w", e.gz, err)
	}
	return io.ReadAll(zr)
}

func writeFile(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, b, 0o644)
}

// markdownDoc is a document of docs/ that web/bundle rendered to HTML (docs.json).
type markdownDoc struct {
	Slug        string `json:"slug"`
	Nav         string `json:"nav"` // its entry in the navigation; the title when empty
	Title       string `json:"title"`
	Description string `json:"description"`
	HTML        string `json:"html"`
}

// readDocs reads the rendered documents. Their HTML comes from the repository's own
// Markdown, rendered without raw HTML (web/bundle), so it is trusted as markup.
func readDocs(assets fs.FS) ([]markdownDoc, error) {
	b, err := fs.ReadFile(assets, docsJSON)
	if err != nil {
		return nil, err
	}
	var docs []markdownDoc
	if err := json.Unmarshal(b, &docs); err != nil {
		return nil, fmt.Errorf("site: %s: %w", docsJSON, err)
	}
	for _, d := range docs {
		if d.Slug == "" || strings.ContainsAny(d.Slug, "/\\.") {
			return nil, fmt.Errorf("site: %s: bad page name %q", docsJSON, d.Slug)
		}
	}
	return docs, nil
}
