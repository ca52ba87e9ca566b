package authz

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/trust"
	"github.com/mtlsplay/mtlsplay/server/certcache"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/decisionmemo"
	"github.com/mtlsplay/mtlsplay/server/httperror"
	"github.com/mtlsplay/mtlsplay/server/metrics"
	"github.com/mtlsplay/mtlsplay/server/reqlog"
)

// Options is what the endpoint takes from the server that runs it.
type Options struct {
	Config     *config.Config
	Log        *slog.Logger
	RequestLog *reqlog.Log // bounds the line per request
	Metrics    *metrics.Metrics
	Now        func() time.Time // the decisions' clock
	// Certs and Chains are the echo's caches, shared; nil makes the endpoint its own.
	Certs  *certcache.Cache
	Chains *trust.Cache
	// Slots is how many decisions run at once (0: GOMAXPROCS); a request whose
	// answer is not remembered waits at most Wait (0: 5 s) for one, then is 503 busy.
	Slots int
	Wait  time.Duration
}

// Server is the authorization endpoint's handler.
type Server struct {
	cfg     *config.Config
	log     *slog.Logger
	reqLog  *reqlog.Log
	metrics *metrics.Metrics
	now     func() time.Time
	certs   *certcache.Cache
	chains  *trust.Cache
	slots   chan struct{}
	wait    time.Duration
	answers decisionmemo.Memo[memoKey, *answer]
	mux     *http.ServeMux
}

// New returns the endpoint.
func New(o Options) *Server {
	s := &Server{cfg: o.Config, log: o.Log, reqLog: o.RequestLog, metrics: o.Metrics, now: o.Now, certs: o.Certs, chains: o.Chains,
		slots: make(chan struct{}, cmp.Or(o.Slots, runtime.GOMAXPROCS(0))), wait: cmp.Or(o.Wait, 5*time.Second)}
	if s.certs == nil {
		s.certs = certcache.New(1024)
	}
	if s.chains == nil {
		s.chains = trust.NewCache(4096)
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/authz/{client}", s.serveAuthz)
	s.mux.HandleFunc("/authz/{client}/{rest...}", s.serveAuthz) // Envoy's ext_authz appends the request's path
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte("ok\n"))
		s.logLine(r, nil, noCode, http.StatusOK, "")
	})
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.metrics.AuthzRefused("not_found")
		httperror.Write(w, http.StatusNotFound, httperror.CodeNotFound, "the authorization endpoint answers /authz/CLIENT (and /healthz)")
		s.logLine(r, nil, noCode, http.StatusNotFound, "")
	})
	return s
}

// ServeHTTP counts the request in flight and serves it. A request with a body is
// answered at once and its connection closed: the body is never read, and on a
// connection kept open net/http would first read it (up to 256 KiB), so a
// body that trickles in would hold the answer, and the connection, for the
// listener's 60 s.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.metrics.InFlight(metrics.Authz).Add(1)
	defer s.metrics.InFlight(metrics.Authz).Add(-1)
	if r.ContentLength != 0 {
		w.Header()["Connection"] = hdrClose
	}
	s.mux.ServeHTTP(w, r)
}

// memoKey is what an answer depends on besides the time: the client and the
// certificate header exactly as the proxy sent it, so that a remembered answer
// costs no decoding at all.
type memoKey struct {
	client *config.Client // nil: no such client (4020)
	header string         // the header's name
	value  string         // its value
	chain  string         // Client-Cert-Chain's values, for Client-Cert
}

// answer is a decision as the endpoint sends it, made once per key and second.
type answer struct {
	code       int
	status     int
	codeHdr    []string
	reasonHdr  []string
	body       []byte   // {"code":…,"reason":…}
	bodyLength []string // its Content-Length
	counter    *atomic.Uint64
	header     string // the header read, for the log
	keyBytes   int    // the memo key's header value, which the memo holds too

	// ?explain's body is made on its first use: a proxy never asks for it, and
	// rendering it was most of a decision's cost.
	explainOnce sync.Once
	explain     []byte
	explained   explained
}

// Size counts an answer for the memo: its body, the certificates' JSON and the
// decision ?explain renders (its steps and explanation: a few KB), and the key's
// header value (up to the listener's 64 KiB of header).
func (a *answer) Size() int {
	n := len(a.body) + a.keyBytes + 4<<10 + 256
	for _, c := range a.explained.Certificates {
		n += 2 * len(c)
	}
	return n
}

// explainBody is the body of ?explain, rendered once.
func (a *answer) explainBody() []byte {
	a.explainOnce.Do(func() {
		b, err := json.Marshal(a.explained)
		if err != nil {
			b = httperror.Body(httperror.CodeInternal, "rendering the decision: "+err.Error())
		} else {
			b = append(b, '\n')
		}
		a.explain = b
	})
	return a.explain
}

// Header values every answer shares; net/http only reads them.
var (
	hdrJSON    = []string{"application/json; charset=utf-8"}
	hdrNoStore = []string{"no-store"}
	hdrNosniff = []string{"nosniff"}
	hdrClose   = []string{"close"}
)

// serveAuthz decides for the client the path names, with the certificate a trusted
// proxy forwarded.
func (s *Server) serveAuthz(w http.ResponseWriter, r *http.Request) {
	source, _ := netip.ParseAddrPort(r.RemoteAddr)
	if !s.cfg.Authz.Trusted(source.Addr()) {
		// Never decided: anyone who can reach the listener could otherwise present
		// any certificate by writing its header.
		s.refuse(w, r, "untrusted_source", http.StatusForbidden, httperror.CodeForbidden,
			"untrusted source "+source.Addr().Unmap().String()+": only authz.trusted_proxies may ask (a certificate header is only as true as the proxy that set it)")
		return
	}
	name := r.PathValue("client")
	c := s.cfg.Find(name)
	key := memoKey{client: c}
	if c != nil {
		var err error
		if key.header, key.value, key.chain, err = certHeader(r.Header, s.cfg.Authz.HeaderFor(source.Addr())); err != nil {
			s.refuse(w, r, "bad_header", http.StatusBadRequest, engine.CodeBadRequest, err.Error())
			return
		}
	}
	now := policy.DecisionTime(s.now())
	a, ok := s.answers.Get(key, now)
	if !ok {
		var err error
		if a, err = s.decideWithSlot(r.Context(), key, now); err != nil {
			var he *headerError
			switch {
			case errors.As(err, &he):
				s.refuse(w, r, "bad_header", http.StatusBadRequest, engine.CodeBadRequest, err.Error())
			case errors.Is(err, errBusy):
				w.Header().Set("Retry-After", "1")
				s.refuse(w, r, "busy", http.StatusServiceUnavailable, httperror.CodeBusy,
					"the endpoint is busy deciding "+strconv.Itoa(cap(s.slots))+" requests; retry in a second")
			}
			return // or the proxy is gone
		}
		s.answers.Put(key, now, a)
	}
	a.counter.Add(1)
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Cache-Control"] = hdrNoStore
	h["X-Content-Type-Options"] = hdrNosniff
	h["Mtlsplay-Code"] = a.codeHdr
	h["Mtlsplay-Reason"] = a.reasonHdr
	body, length := a.body, a.bodyLength
	if r.URL.RawQuery != "" && r.URL.Query().Has("explain") {
		body = a.explainBody()
		length = []string{strconv.Itoa(len(body))}
	}
	h["Content-Length"] = length
	w.WriteHeader(a.status)
	_, _ = w.Write(body)
	s.logLine(r, c, a.code, a.status, a.header)
}

var errBusy = errors.New("busy")

// decideWithSlot makes the decision within the endpoint's concurrency: the engine
// cannot be interrupted once it runs, so what is bounded is how many run at once.
func (s *Server) decideWithSlot(ctx context.Context, key memoKey, now time.Time) (*answer, error) {
	wait, cancel := context.WithTimeout(ctx, s.wait)
	defer cancel()
	select {
	case s.slots <- struct{}{}:
	case <-wait.Done():
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, errBusy
	}
	defer func() { <-s.slots }()
	return s.decide(key, now)
}

// decide reads the certificates of the header and makes the decision with
// engine.DecideFor, the one decision composition, as the echo does; the rule's tls
// fields are "", since the proxy, not mtlsplay, terminated TLS.
func (s *Server) decide(key memoKey, now time.Time) (*answer, error) {
	var chain []*certcache.Cert
	if key.header != "" {
		blocks, err := certinput.DecodeHeaders("request", headerLines(key.header, key.value, key.chain))
		if err != nil {
			return nil, &headerError{err.Error()}
		}
		for _, b := range blocks {
			p, err := s.certs.Get(b.DER)
			if err != nil {
				return nil, &headerError{"request: " + b.Where + ": not a certificate mtlsplay can read: " + err.Error()}
			}
			chain = append(chain, p)
		}
	}
	var ec *engine.Client
	name := ""
	if key.client != nil {
		ec, name = &key.client.Client, key.client.Name
	}
	d, findings := engine.DecideFor(ec, certcache.Views(chain), ruletypes.TLS{}, now, s.chains.Verify)
	if d.Verification != nil && d.Verification.OK {
		s.certs.Keep(chain)
	}
	a := &answer{code: d.Code, status: http.StatusForbidden, codeHdr: []string{strconv.Itoa(d.Code)},
		reasonHdr: []string{headerSafe(d.Reason)}, counter: s.metrics.AuthzDecision(name, d.Code), header: key.header, keyBytes: len(key.value) + len(key.chain)}
	if d.Code == policy.Accepted {
		a.status = http.StatusOK
	}
	short, err := json.Marshal(struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	}{d.Code, d.Reason})
	if err != nil {
		return nil, err
	}
	a.body = append(short, '\n')
	a.bodyLength = []string{strconv.Itoa(len(a.body))}
	certs := make([]json.RawMessage, len(chain))
	for i, p := range chain {
		certs[i] = p.JSON
	}
	var client *string
	if key.client != nil {
		client = &name
	}
	if findings == nil {
		findings = []diagnose.Finding{}
	}
	a.explained = explained{Decision: d, DecidedAt: now.UTC(), Client: client, Header: key.header, Certificates: certs, Findings: findings}
	return a, nil
}

// explained is the answer to ?explain: the decision as /api/decide gives it, the
// client, the header read and the certificates in it, and the findings.
type explained struct {
	policy.Decision
	DecidedAt    time.Time          `json:"decided_at"`
	Client       *string            `json:"client"` // null: no such client
	Header       string             `json:"header"` // the header read; "" when none carried a certificate
	Certificates []json.RawMessage  `json:"certificates"`
	Findings     []diagnose.Finding `json:"findings"`
}

// refuse answers without a decision, in the error shape, with the reason also in
// Mtlsplay-Reason for a proxy that passes only headers on.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, reason string, status int, code, msg string) {
	s.metrics.AuthzRefused(reason)
	w.Header().Set("Mtlsplay-Reason", headerSafe(msg))
	httperror.Write(w, status, code, msg)
	s.logLine(r, nil, noCode, status, "")
}

// noCode marks a log line of a request answered without a decision.
const noCode = -1

// logLine writes the request's line, within the request log's limits: the
// client ("" when none matched), the code (none when refused), the status, the
// header read, the source, method and path, and the name asked for when it is no
// client's.
func (s *Server) logLine(r *http.Request, c *config.Client, code, status int, header string) {
	if !s.log.Enabled(r.Context(), slog.LevelInfo) || !s.reqLog.Allow(time.Now()) {
		return
	}
	attrs := make([]slog.Attr, 0, 9)
	name := ""
	if c != nil {
		name = c.Name
	}
	attrs = append(attrs, slog.String("client", name))
	if code != noCode {
		attrs = append(attrs, slog.Int("code", code))
	}
	attrs = append(attrs, slog.Int("status", status), slog.String("header", header), slog.String("remote", r.RemoteAddr),
		slog.String("method", reqlog.Clip(r.Method)), slog.String("path", reqlog.Clip(r.URL.Path)))
	if requested := r.PathValue("client"); c == nil && requested != "" {
		attrs = append(attrs, slog.String("requested", reqlog.Clip(requested)))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "authz", attrs...)
}
