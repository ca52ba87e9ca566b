// Package page serves the page listener: the playground and its docs, POST
// /api/decide, /try/, /healthz and /metrics, every response with the page's
// security headers, every error in the one JSON shape.
package page

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/server/demo"
	"github.com/mtlsplay/mtlsplay/server/httperror"
	"github.com/mtlsplay/mtlsplay/server/metrics"
	"github.com/mtlsplay/mtlsplay/server/reqlog"
	"github.com/mtlsplay/mtlsplay/web/site"
)

// pageCSP is the page listener's Content-Security-Policy: the site's own (scripts,
// styles, the worker and the engine from this origin only; WebAssembly may
// compile) plus what only a header can say (no framing).
const pageCSP = site.CSP + "; frame-ancestors 'none'"

// Options is what the page listener serves besides the site.
type Options struct {
	Metrics    *metrics.Metrics
	Log        *slog.Logger
	RequestLog *reqlog.Log      // bounds the line per request (reqlog.Clip, Allow)
	Now        func() time.Time // the decisions' clock
	Try        *demo.Try
}

// server is the page listener's handler.
type server struct {
	metrics *metrics.Metrics
	log     *slog.Logger
	reqLog  *reqlog.Log
	now     func() time.Time
}

// Handler serves the page listener: the playground and docs, /try/, the API,
// health and metrics.
func Handler(o Options) http.Handler {
	s := &server{metrics: o.Metrics, log: o.Log, reqLog: o.RequestLog, now: o.Now}
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, "ok\n")
	}))
	mux.Handle("GET /metrics", s.metrics)
	mux.HandleFunc("/api/decide", s.serveDecide)
	o.Try.Routes(mux)
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
		s.metrics.InFlight(metrics.Page).Add(1)
		defer s.metrics.InFlight(metrics.Page).Add(-1)
		next.ServeHTTP(rec, r)
		if !s.log.Enabled(r.Context(), slog.LevelInfo) || !s.reqLog.Allow(time.Now()) {
			return
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "page",
			slog.String("method", reqlog.Clip(r.Method)),
			slog.String("path", reqlog.Clip(r.URL.Path)),
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
		s.metrics.APIStatus(http.StatusMethodNotAllowed)
		httperror.Write(w, http.StatusMethodNotAllowed, httperror.CodeMethodNotAllowed, "POST a JSON decide request (the WebAssembly bridge's shape)")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		status, code, msg := http.StatusBadRequest, engine.CodeBadRequest, "reading the request: "+err.Error()
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			status, msg = http.StatusRequestEntityTooLarge, "request is larger than "+strconv.Itoa(engine.MaxRequestBytes)+" bytes"
		}
		s.metrics.APIStatus(status)
		httperror.Write(w, status, code, msg)
		return
	}
	out := engine.Call("decide", body, s.now)
	status := http.StatusOK
	if bytes.HasPrefix(out, []byte(`{"error":`)) {
		status = http.StatusBadRequest
	}
	s.metrics.APIStatus(status)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
}
