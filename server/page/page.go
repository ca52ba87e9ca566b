// Package page serves the page listener: the playground and its docs, POST
// /api/decide, /try/, /healthz and /metrics, every response with the page's
// security headers, every error in the one JSON shape.
package page

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
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
	Decide     DecideLimits
}

// DecideLimits bound what POST /api/decide can take of the server. A decision
// cannot be interrupted once the engine runs (the engine's input limits bound its
// cost), so what is bounded is around it: how many run at once (CPU), how long a
// request waits for its turn, how long its body may take to arrive, and how many
// bytes of bodies are held at once (memory). A body is read before its request
// takes a slot, and charged as it arrives: a client that trickles its body holds
// no slot, and little memory.
type DecideLimits struct {
	Slots     int           // decisions at once; 0 is runtime.GOMAXPROCS(0), one per CPU Go runs on
	Wait      time.Duration // longest wait for a slot once the body is in, then 503 busy; 0 is DefaultDecideLimits.Wait
	Deadline  time.Duration // from the request's start, for its whole body; 0 is DefaultDecideLimits.Deadline
	BodyBytes int64         // bodies held at once, over every request; 0 is DefaultDecideLimits.BodyBytes
}

// DefaultDecideLimits are mtlsplay serve's: a queue of a few seconds absorbs a
// script's burst (an explanation-heavy decision takes tens of milliseconds), 10 s
// lets a request at the size limit arrive at about 5 Mbit/s, and four requests at
// the size limit (26 MiB; a usual request is a few KiB) may be in memory at once.
var DefaultDecideLimits = DecideLimits{Wait: 5 * time.Second, Deadline: 10 * time.Second, BodyBytes: 4 * engine.MaxRequestBytes}

// server is the page listener's handler.
type server struct {
	metrics *metrics.Metrics
	log     *slog.Logger
	reqLog  *reqlog.Log
	now     func() time.Time
	decide  DecideLimits
	slots   chan struct{} // a value held per decision being made
	bodies  atomic.Int64  // bytes of request bodies held
}

// Handler serves the page listener: the playground and docs, /try/, the API,
// health and metrics.
func Handler(o Options) http.Handler {
	lim := o.Decide
	lim.Slots = cmp.Or(lim.Slots, runtime.GOMAXPROCS(0))
	lim.Wait = cmp.Or(lim.Wait, DefaultDecideLimits.Wait)
	lim.Deadline = cmp.Or(lim.Deadline, DefaultDecideLimits.Deadline)
	lim.BodyBytes = cmp.Or(lim.BodyBytes, DefaultDecideLimits.BodyBytes)
	s := &server{metrics: o.Metrics, log: o.Log, reqLog: o.RequestLog, now: o.Now, decide: lim, slots: make(chan struct{}, lim.Slots)}
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
// same JSON in and out, the one error shape on failure (status 400). It reads the
// body within the request's deadline (408 timeout after), charging its bytes to the
// bodies' budget as they arrive (503 busy when it is spent), then waits at most
// DecideLimits.Wait for a decision slot (503 busy after). A client slow to send its
// body holds memory only for what it sent and no slot, and the slot is released
// before the answer is written, so a client slow to read it holds none either.
func (s *server) serveDecide(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		s.apiError(w, http.StatusMethodNotAllowed, httperror.CodeMethodNotAllowed, "POST a JSON decide request (the WebAssembly bridge's shape)")
		return
	}
	if r.ContentLength > engine.MaxRequestBytes {
		s.apiError(w, http.StatusRequestEntityTooLarge, engine.CodeBadRequest, tooLarge)
		return
	}
	body, charged, ok := s.readBody(w, r, time.Now().Add(s.decide.Deadline))
	defer s.bodies.Add(-charged)
	if !ok {
		return
	}
	if !s.takeSlot(r.Context()) {
		if r.Context().Err() != nil {
			return // the client is gone
		}
		w.Header().Set("Retry-After", "1")
		s.apiError(w, http.StatusServiceUnavailable, httperror.CodeBusy,
			"the server is busy deciding "+strconv.Itoa(cap(s.slots))+" requests; retry in a second")
		return
	}
	out := func() []byte {
		defer func() { <-s.slots }()
		return engine.Call("decide", body, s.now)
	}()
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

// takeSlot takes a decision slot, waiting at most DecideLimits.Wait for one (a
// free slot is taken whatever the wait); false when none came, or ctx ended.
func (s *server) takeSlot(ctx context.Context) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	wait, cancel := context.WithTimeout(ctx, s.decide.Wait)
	defer cancel()
	select {
	case s.slots <- struct{}{}:
		return true
	case <-wait.Done():
		return false
	}
}

var tooLarge = "request is larger than " + strconv.Itoa(engine.MaxRequestBytes) + " bytes, the most that a chain, five bundles and a rule at their limits take"

// readChunk is how much of a body is read at once: what a reader holds beyond
// what it has charged to the budget.
const readChunk = 8 << 10

// readBody reads the body by deadline, charging s.bodies as it arrives: what the
// body's buffer holds (append grows it up to twice what has arrived), so the
// budget bounds the memory itself. charged is what it charged (to give back once
// the body is done with, whatever ok is). On a failure it answers itself and ok
// is false.
func (s *server) readBody(w http.ResponseWriter, r *http.Request, deadline time.Time) (body []byte, charged int64, ok bool) {
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(deadline); err != nil {
		s.log.Debug("setting the read deadline of /api/decide", "error", err)
	}
	chunk := make([]byte, readChunk)
	for {
		n, err := r.Body.Read(chunk)
		if n > 0 {
			body = append(body, chunk[:n]...)
			if grown := int64(cap(body)) - charged; grown > 0 {
				charged += grown
				if s.bodies.Add(grown) > s.decide.BodyBytes {
					w.Header().Set("Connection", "close")
					w.Header().Set("Retry-After", "1")
					s.apiError(w, http.StatusServiceUnavailable, httperror.CodeBusy,
						"the server holds as many request bodies as it takes at once; retry in a second")
					return nil, charged, false
				}
			}
		}
		if err == io.EOF {
			return body, charged, true
		}
		if err != nil {
			w.Header().Set("Connection", "close")
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				s.apiError(w, http.StatusRequestEntityTooLarge, engine.CodeBadRequest, tooLarge)
			case errors.Is(err, os.ErrDeadlineExceeded):
				s.apiError(w, http.StatusRequestTimeout, httperror.CodeTimeout,
					"the request body did not arrive within "+s.decide.Deadline.String()+"; send it at once")
			default:
				s.apiError(w, http.StatusBadRequest, engine.CodeBadRequest, "reading the request: "+err.Error())
			}
			return nil, charged, false
		}
	}
}

func (s *server) apiError(w http.ResponseWriter, status int, code, msg string) {
	s.metrics.APIStatus(status)
	httperror.Write(w, status, code, msg)
}
