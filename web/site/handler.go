package site

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

// Handler serves the site from the embedded assets, as `mtlsplay serve` does: its
// navigation also links /try/, which serve's page listener has. See NewHandler.
func Handler() http.Handler { return newHandler(Assets(), options{wasm: wasmRaw, served: true}) }

// NewHandler serves the pages and assets of the site from the given build output.
// Unlike the exported site, its pages fetch assets/engine.wasm, which it negotiates:
// brotli (Content-Encoding: br) when the browser accepts it, else gzip, else the
// plain .wasm, so the browser decodes it natively while it streams into the
// compiler. Versioned asset URLs (?v=hash) are cached for a year; pages revalidate.
// It serves a 503 page that says how to build the assets when they are missing.
// Security headers (CSP and the rest) are the server's to set; the pages also carry
// the CSP in a <meta> element.
func NewHandler(assets fs.FS) http.Handler { return newHandler(assets, options{wasm: wasmRaw}) }

func newHandler(assets fs.FS, o options) http.Handler {
	h := &handler{assets: assets, pages: map[string][]byte{}}
	if h.err = checkAssets(assets); h.err == nil {
		files, err := render(context.Background(), assets, o)
		h.err = err
		for _, f := range files {
			h.pages["/"+f.path] = f.body
		}
		h.pages["/"] = h.pages["/index.html"]
		h.pages["/docs/"] = h.pages["/docs/index.html"]
	}
	return h
}

type handler struct {
	assets fs.FS
	pages  map[string][]byte
	err    error

	raw map[string]*rawEngine // by the engine's plain name, made on first request
	mu  sync.Mutex
}

var modTime = time.Unix(0, 0)

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		pageError(w, http.StatusMethodNotAllowed, r.Method+" is not answered here: the site's pages are read with GET (POST /api/decide decides)")
		return
	}
	if h.err != nil {
		http.Error(w, h.err.Error(), http.StatusServiceUnavailable)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(r.URL.Path, "/") && p != "/" {
		p += "/"
	}
	if body, ok := h.pages[p]; ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, "", modTime, bytes.NewReader(body))
		return
	}
	name, ok := strings.CutPrefix(p, "/assets/")
	if !ok || strings.Contains(name, "/") {
		notFound(w, r)
		return
	}
	if r.URL.Query().Get("v") != "" {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	switch name {
	case wasmRaw:
		h.serveWASM(w, r, ruleEngine)
		return
	case inspRaw:
		h.serveWASM(w, r, inspector)
		return
	case appJS, bootJS, appCSS, workerJS, wasmGzip, wasmBr, inspGzip, inspBr, samples:
	default:
		notFound(w, r)
		return
	}
	b, err := fs.ReadFile(h.assets, name)
	if err != nil {
		notFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if strings.HasSuffix(name, ".gz") || strings.HasSuffix(name, ".br") {
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	http.ServeContent(w, r, "", modTime, bytes.NewReader(b))
}

// rawEngine is an engine's plain .wasm, decompressed once for a client that
// accepts neither brotli nor gzip.
type rawEngine struct {
	once sync.Once
	b    []byte
	err  error
}

// serveWASM negotiates an engine's encoding.
func (h *handler) serveWASM(w http.ResponseWriter, r *http.Request, e engineFiles) {
	w.Header().Set("Content-Type", "application/wasm")
	w.Header().Add("Vary", "Accept-Encoding")
	accept := r.Header.Get("Accept-Encoding")
	for _, enc := range []struct{ name, file string }{{"br", e.br}, {"gzip", e.gz}} {
		if !acceptsEncoding(accept, enc.name) {
			continue
		}
		b, err := fs.ReadFile(h.assets, enc.file)
		if err != nil {
			continue
		}
		w.Header().Set("Content-Encoding", enc.name)
		http.ServeContent(w, r, "", modTime, bytes.NewReader(b))
		return
	}
	h.mu.Lock()
	if h.raw == nil {
		h.raw = map[string]*rawEngine{}
	}
	re := h.raw[e.raw]
	if re == nil {
		re = &rawEngine{}
		h.raw[e.raw] = re
	}
	h.mu.Unlock()
	re.once.Do(func() { re.b, re.err = rawWASM(h.assets, e) })
	if re.err != nil {
		http.Error(w, "the engine is not available: "+re.err.Error(), http.StatusInternalServerError)
		return
	}
	http.ServeContent(w, r, "", modTime, bytes.NewReader(re.b))
}

// acceptsEncoding reports whether an Accept-Encoding header allows enc (q > 0).
func acceptsEncoding(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), enc) && strings.TrimSpace(name) != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// notFound answers a path that is neither a page nor an asset with a page that
// says so and leads back, as the site's errors are pages (docs/design.md §5.1).
func notFound(w http.ResponseWriter, r *http.Request) {
	pageError(w, http.StatusNotFound, "There is no page at "+r.URL.Path+".")
}

// pageError writes status with a short HTML page holding msg (escaped).
func pageError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%d %s · mtlsplay</title>\n<h1>%d %s</h1>\n<p>%s</p>\n<p><a href=\"/\">The playground</a> · <a href=\"/docs/\">the docs</a></p>\n</html>\n",
		status, http.StatusText(status), status, http.StatusText(status), html.EscapeString(msg))
}
