package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/web/site"
)

// pageCSP is the page listener's Content-Security-Policy: the site's own (scripts,
// styles, the worker and the engine from this origin only; WebAssembly may
// compile) plus what only a header can say (no framing).
const pageCSP = site.CSP + "; frame-ancestors 'none'"

// webHandler serves the page listener: the playground and docs, /try/, the API,
// health and metrics.
func (s *server) webHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, "ok\n")
	}))
	mux.Handle("GET /metrics", s.metrics)
	mux.HandleFunc("/api/decide", s.serveDecide)
	mux.HandleFunc("GET /try/{$}", s.serveTry)
	mux.HandleFunc("GET /try/style.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader([]byte(pageCSS)))
	})
	mux.HandleFunc("GET /try/files/{name}", s.serveDemoFile)
	mux.Handle("/", site.Handler())
	return s.pageHeaders(mux)
}

// pageHeaders sets the security headers of every response of the page listener,
// bounds request bodies and logs one line per request.
func (s *server) pageHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		r.Body = http.MaxBytesReader(w, r.Body, engine.MaxRequestBytes)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		s.metrics.inFlight[0].Add(1)
		defer s.metrics.inFlight[0].Add(-1)
		next.ServeHTTP(rec, r)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "page",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Duration("took", time.Since(start)),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// statusRecorder remembers the status for the log line.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// serveDecide is POST /api/decide: the WebAssembly bridge's "decide" over HTTP,
// same JSON in and out, the one error shape on failure (status 400).
func (s *server) serveDecide(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST a JSON decide request (the WebAssembly bridge's shape)", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	body, err := io.ReadAll(r.Body)
	if err != nil {
		status, msg := http.StatusBadRequest, "reading the request: "+err.Error()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status, msg = http.StatusRequestEntityTooLarge, "request is larger than "+strconv.Itoa(engine.MaxRequestBytes)+" bytes"
		}
		s.metrics.apiStatus(status)
		w.WriteHeader(status)
		out, _ := json.Marshal(engine.ErrorResponse{Error: engine.Error{Code: engine.CodeBadRequest, Message: msg}})
		_, _ = w.Write(out)
		return
	}
	out := engine.Call("decide", body, s.now)
	status := http.StatusOK
	if bytes.HasPrefix(out, []byte(`{"error":`)) {
		status = http.StatusBadRequest
	}
	s.metrics.apiStatus(status)
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
}

// tryPage is what /try/ shows.
type tryPage struct {
	EchoURL  string
	Mode     string
	Curl     string
	Commands []tryCommand
	Files    []tryFile
	Clients  []tryClient
}

type tryCommand struct{ Code, Label, Line string }

type tryFile struct{ Name, Label string }

type tryClient struct {
	Name    string
	Bundles []string
	Rule    string
	Token   bool
}

func (s *server) tryPage() tryPage {
	p := tryPage{EchoURL: s.echoBase + "/", Mode: s.cfg.Mode}
	for _, c := range s.cfg.Clients {
		tc := tryClient{Name: c.Name, Token: c.token != nil}
		for _, b := range c.Bundles {
			tc.Bundles = append(tc.Bundles, b.Name)
		}
		if c.Rule != nil {
			tc.Rule = c.Rule.Source()
		}
		p.Clients = append(p.Clients, tc)
	}
	if d := s.demo; d != nil {
		p.Curl = s.curl
		p.Files = append(p.Files, tryFile{"root.pem", "the demo root CA, for curl --cacert"})
		for _, c := range demoClients {
			p.Commands = append(p.Commands, tryCommand{strconv.Itoa(c.Code), c.CN + ": " + c.Shows, d.curlLine(s.echoBase, c.Client, c.Name)})
			p.Files = append(p.Files, tryFile{c.Name + ".pem", c.CN + " (" + c.Shows + ")"}, tryFile{c.Name + ".key", "its private key"})
		}
		p.Commands = append(p.Commands,
			tryCommand{"4017", "no certificate", d.curlLine(s.echoBase, "demo", "")},
			tryCommand{"4019", "the good certificate fails client demo-rule's rule", d.curlLine(s.echoBase, "demo-rule", "good")},
			tryCommand{"4016", "client demo-no-bundle has no truststore bundle", d.curlLine(s.echoBase, "demo-no-bundle", "good")},
			tryCommand{"4020", "no client is called nosuch", d.curlLine(s.echoBase, "nosuch", "good")},
		)
		if c := s.cfg.find("demo"); c != nil && c.token != nil {
			line := d.curlLine(s.echoBase, "demo", "good")
			line = line[:len(line)-len("/c/demo/")] + "/ -H " + shellQuote("Authorization: Bearer "+string(c.token))
			p.Commands = append(p.Commands, tryCommand{"0", "client demo selected by its bearer token", line})
		}
	}
	return p
}

func (s *server) serveTry(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := tryHTML(s.tryPage()).Render(r.Context(), w); err != nil {
		s.log.Debug("rendering /try/", "error", err)
	}
}

// serveDemoFile offers the demo's client certificates, their keys and the demo root
// for download. Only those: the CA keys and the server key never leave the state
// folder.
func (s *server) serveDemoFile(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if s.demo == nil {
		http.NotFound(w, r)
		return
	}
	data, ok := s.demo.Files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}
