// Package echo is the mTLS echo endpoint: its listener and TLS configuration, its
// own HTTP/1.1 loop (HTTP/2 is handed to net/http), the decision per connection
// and client with its memo and certificate cache, and the JSON and HTML responses
// that say what the server saw and decided.
package echo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/dialect"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/trust"
	"github.com/mtlsplay/mtlsplay/server/certcache"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/httperror"
	"github.com/mtlsplay/mtlsplay/server/reqlog"
)

// The echo endpoint answers every request on the mTLS listener with what the
// server saw and decided. The decision is made once per TLS connection and client
// (the certificate cannot change within a connection) and its JSON rendered then;
// a request adds only the client selection and its own request line and headers.

// connState is what the server remembers about one TLS connection.
type connState struct {
	mu      sync.Mutex
	parsed  bool
	chain   []*certcache.Cert
	err     error // the presented chain could not be parsed (crypto/tls could)
	entries []*echoEntry
}

type connKey struct{}

// echoEntry is the decision for one client on one connection, rendered.
type echoEntry struct {
	client    *config.Client // nil: no configured client matched (4020)
	code      int
	resp      *codeResponse
	head      [][]byte // the compact JSON response up to the client and request members, in parts
	responses *atomic.Uint64
	view      *echoView    // for the HTML page
	lines     reqlog.Lines // its requests' log lines
}

// appendHead appends the response's JSON up to the client and request members.
func (e *echoEntry) appendHead(b []byte) []byte {
	for _, p := range e.head {
		b = append(b, p...)
	}
	return b
}

// cipherSuiteName is tls.CipherSuiteName without its allocation (it lists every
// suite on each call).
func cipherSuiteName(id uint16) string {
	if name, ok := cipherSuiteNames[id]; ok {
		return name
	}
	return tls.CipherSuiteName(id)
}

var cipherSuiteNames = func() map[uint16]string {
	m := map[uint16]string{}
	for _, cs := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		m[cs.ID] = cs.Name
	}
	return m
}()

// Header values shared by every response; net/http only reads them.
var (
	hdrJSON      = []string{"application/json; charset=utf-8"}
	hdrHTML      = []string{"text/html; charset=utf-8"}
	hdrNoStore   = []string{"no-store"}
	hdrNosniff   = []string{"nosniff"}
	hdrNoReferer = []string{"no-referrer"}
	hdrDeny      = []string{"DENY"}
	hdrCSPNone   = []string{"default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"}
)

// codeInternal is the code of a connection whose certificate crypto/tls accepted but
// the engine could not parse: a server error, not a decision.
const codeInternal = -1

// statusOf maps a decision code to the HTTP status of the echo response.
func statusOf(code int) int {
	switch code {
	case codeInternal:
		return http.StatusInternalServerError
	case policy.Accepted:
		return http.StatusOK
	case policy.NoCertificate:
		return http.StatusUnauthorized
	case policy.ClientNotConfigured:
		return http.StatusNotFound
	}
	return http.StatusForbidden // 4016, 4018, 4019
}

// selection is how a request chose its client.
type selection struct {
	client    *config.Client
	how       string // path, token or none
	requested string // the name in the path, when it matched no client
}

// selectClient picks the client from /c/{name}/… or, failing that, from an
// Authorization: Bearer token. A path that names no client is 4020 whatever the
// token says: the path is the more explicit choice.
func (s *Server) selectClient(r *http.Request) selection {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/c/"); ok {
		name, _, _ := strings.Cut(rest, "/")
		if c := s.cfg.Find(name); c != nil {
			return selection{client: c, how: "path"}
		}
		return selection{how: "path", requested: name}
	}
	if auth := r.Header.Get("Authorization"); len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		if c := s.clientByToken(strings.TrimSpace(auth[7:])); c != nil {
			return selection{client: c, how: "token"}
		}
		return selection{how: "token"}
	}
	return selection{how: "none"}
}

// clientByToken compares the token with every client's in constant time: hashes of
// equal length, compared without stopping at the first match, so neither the
// position nor the length of a token leaks through timing.
func (s *Server) clientByToken(token string) *config.Client {
	sum := sha256.Sum256([]byte(token))
	var found *config.Client
	for _, c := range s.cfg.Clients {
		if c.Token == nil {
			continue
		}
		if subtle.ConstantTimeCompare(sum[:], c.TokenSum[:]) == 1 {
			found = c
		}
	}
	return found
}

// entry returns the connection's decision for c, making it on first use.
func (s *Server) entry(cs *connState, st *tls.ConnectionState, c *config.Client, remote string) *echoEntry {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, e := range cs.entries {
		if e.client == c {
			return e
		}
	}
	if !cs.parsed {
		cs.parsed = true
		cs.chain, cs.err = s.certs.Chain(st.PeerCertificates)
	}
	var e *echoEntry
	if cs.err != nil {
		e = s.unparsable(c, cs.err)
	} else {
		e = s.decide(c, cs.chain, st)
	}
	name := ""
	if c != nil {
		name = c.Name
	}
	e.lines.Attrs = []slog.Attr{slog.String("client", name), slog.Int("code", e.code), slog.Int("status", e.resp.status),
		slog.String("tls", tls.VersionName(st.Version)), slog.String("remote", remote)}
	cs.entries = append(cs.entries, e)
	return e
}

// decide makes the decision for a connection with policy.Decide, the one decision
// function, and renders it: the JSON is made here once, not per request. The
// rendered decision is also remembered for the rest of the second (see
// server/decisionmemo), so clients that open a connection per request are decided once.
func (s *Server) decide(c *config.Client, chain []*certcache.Cert, st *tls.ConnectionState) *echoEntry {
	now := s.decisionTime()
	facts := rule.TLS{Version: tls.VersionName(st.Version), CipherSuite: cipherSuiteName(st.CipherSuite), ServerName: st.ServerName, ALPN: st.NegotiatedProtocol}
	name := ""
	if c != nil {
		name = c.Name
	}
	key := decisionKey{client: c, tls: facts, chain: certcache.ChainKey(chain)}
	r, ok := s.decisions.Get(key, now)
	if !ok {
		r = s.render(c, chain, facts, now)
		s.decisions.Put(key, now, r)
	}
	if r.trusted {
		s.certs.Keep(chain)
	}
	e := &echoEntry{client: c, code: r.code, resp: responseFor(r.code)}
	e.responses = s.metrics.Decided(name, r.code)

	tlsView := echoTLS{Version: facts.Version, CipherSuite: facts.CipherSuite, ServerName: facts.ServerName, ALPN: facts.ALPN,
		Resumed: st.DidResume, KeyExchange: keyExchangeName(st.CurveID), Mode: s.cfg.Mode}
	e.head = [][]byte{r.decision, appendMarshal(nil, tlsView), r.rest}
	head := r.head
	head.TLS = tlsView
	e.view = &echoView{Head: head, Status: e.resp.status}
	return e
}

// decisionTime is the server's clock as decisions read it (policy.DecisionTime).
func (s *Server) decisionTime() time.Time { return policy.DecisionTime(s.now()) }

// rendered is a decision made and rendered, without the connection's own TLS facts.
type rendered struct {
	code     int
	trusted  bool     // a bundle of the client trusted the chain: its certificates may be cached
	decision []byte   // {"decision":…,"tls":
	rest     []byte   // from ,"certificates" to the findings, without the closing brace
	head     echoHead // for the HTML page; its TLS is the connection's
}

func (s *Server) render(c *config.Client, chain []*certcache.Cert, facts rule.TLS, now time.Time) *rendered {
	var ec *engine.Client
	if c != nil {
		ec = &c.Client
	}
	certs := certcache.Views(chain)
	// The chain cache is shared with strict mode's handshake check, so a client that
	// reconnects is verified once.
	d, findings := engine.DecideFor(ec, certs, ruletypes.TLS(facts), now, s.chains.Verify)
	head := echoHead{
		Decision:     echoDecision{Code: d.Code, Reason: d.Reason, Steps: d.Steps, Verification: d.Verification, DecidedAt: now.UTC()},
		Certificates: certs,
		Rule:         ruleView(c, d),
		Findings:     findings,
	}
	r := &rendered{code: d.Code, head: head, trusted: d.Verification != nil && d.Verification.OK}
	r.decision = append(appendMarshal([]byte(`{"decision":`), head.Decision), `,"tls":`...)
	// The certificates' JSON comes from the certificate cache; the rest is small.
	b := append(make([]byte, 0, 4096), `,"certificates":[`...)
	for i, p := range chain {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, p.JSON...)
	}
	b = append(b, `],"rule":`...)
	b = appendMarshal(b, head.Rule)
	b = append(b, `,"findings":`...)
	b = appendMarshal(b, head.Findings)
	r.rest = b
	return r
}

// unparsable answers a connection whose certificate crypto/tls accepted but the
// engine could not parse, which its parser is built never to do: a server error,
// not a decision.
func (s *Server) unparsable(c *config.Client, err error) *echoEntry {
	name := ""
	if c != nil {
		name = c.Name
	}
	s.log.Error("parsing a client certificate that crypto/tls accepted", "client", name, "error", err)
	e := &echoEntry{client: c, code: codeInternal, resp: responseFor(codeInternal), responses: new(atomic.Uint64)}
	e.head = [][]byte{appendMarshal([]byte(`{"error":`), engine.Error{Code: httperror.CodeInternal, Message: "the client certificate could not be parsed: " + err.Error()})}
	e.view = &echoView{Status: e.resp.status, Head: echoHead{Decision: echoDecision{Code: codeInternal, Reason: err.Error()}}}
	return e
}

// appendMarshal appends v as compact JSON; the echo's types always encode.
func appendMarshal(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}

func keyExchangeName(id tls.CurveID) string {
	if id == 0 {
		return ""
	}
	return id.String()
}

// echoHead is the per-connection part of the echo response.
type echoHead struct {
	Decision     echoDecision            `json:"decision"`
	TLS          echoTLS                 `json:"tls"`
	Certificates []*certinfo.Certificate `json:"certificates"`
	Rule         *echoRule               `json:"rule"`
	Findings     []diagnose.Finding      `json:"findings"` // what to look at, whatever the code
}

type echoDecision struct {
	Code         int           `json:"code"`
	Reason       string        `json:"reason"`
	Steps        []policy.Step `json:"steps"`
	Verification *trust.Result `json:"verification,omitempty"`
	DecidedAt    time.Time     `json:"decided_at"`
}

type echoTLS struct {
	Version     string `json:"version"`
	CipherSuite string `json:"cipher_suite"`
	ServerName  string `json:"server_name"`
	ALPN        string `json:"alpn"`
	Resumed     bool   `json:"resumed"`
	KeyExchange string `json:"key_exchange"`
	Mode        string `json:"mode"` // report or strict
}

// echoRule is the client's rule and, when the decision got that far, its value and
// explanation. It is null when no client matched or the client has no rule.
type echoRule struct {
	Source      string          `json:"source"`        // as written in the config
	Dialect     string          `json:"dialect"`       // cel or workato
	CEL         string          `json:"cel,omitempty"` // a formula's CEL translation
	Evaluated   bool            `json:"evaluated"`
	Value       *bool           `json:"value"`
	Error       string          `json:"error,omitempty"`
	Explanation *explain.Result `json:"explanation,omitempty"`
}

func ruleView(c *config.Client, d policy.Decision) *echoRule {
	if c == nil || c.Written == nil {
		return nil
	}
	r := &echoRule{Source: c.Written.Source, Dialect: c.Written.Dialect}
	if c.Written.Dialect != dialect.CEL {
		r.CEL = c.Written.CEL
	}
	if d.Rule != nil {
		v := d.Rule.Value
		r.Evaluated, r.Value, r.Error, r.Explanation = true, &v, d.Rule.Error, d.Rule
	}
	return r
}

// serveEcho answers one request of an HTTP/2 connection, whose state net/http
// keeps in the request's context.
func (s *Server) serveEcho(w http.ResponseWriter, r *http.Request) {
	cs, _ := r.Context().Value(connKey{}).(*connState)
	if cs == nil || r.TLS == nil { // not through the mTLS listener: a wiring mistake
		httperror.Write(w, http.StatusInternalServerError, httperror.CodeInternal, "not a TLS connection")
		return
	}
	s.echo(w, r, cs)
}

// echo answers one request on the mTLS listener.
func (s *Server) echo(w http.ResponseWriter, r *http.Request, cs *connState) {
	sel := s.selectClient(r)
	e := s.entry(cs, r.TLS, sel.client, r.RemoteAddr)
	e.responses.Add(1)
	html, pretty := acceptsHTML(r.Header["Accept"]), wantsPretty(r)
	text := !html && acceptsText(r.Header["Accept"])
	if bw, ok := w.(*bufferedResponse); ok && !html && !pretty && !text {
		// HTTP/1.1, compact JSON: the common case, with its header lines made once
		// per connection.
		bw.status, bw.preHead = e.resp.status, e.resp.jsonHead
		bw.body = appendEchoTail(e.appendHead(bw.body), r, sel)
		s.logEcho(r, e, sel)
		return
	}
	h := w.Header()
	h["Cache-Control"] = hdrNoStore
	h["X-Content-Type-Options"] = hdrNosniff
	h["Referrer-Policy"] = hdrNoReferer
	h["X-Frame-Options"] = hdrDeny
	h["Mtlsplay-Code"] = e.resp.codeHdr
	switch {
	case html:
		s.serveEchoHTML(w, r, e, sel)
	case text:
		s.serveEchoText(w, e, sel)
	default:
		h["Content-Type"] = hdrJSON
		h["Content-Security-Policy"] = hdrCSPNone
		buf := bufPool.Get().(*[]byte)
		body := appendEchoTail(e.appendHead((*buf)[:0]), r, sel)
		if pretty {
			var b bytes.Buffer
			if json.Indent(&b, body, "", "  ") == nil {
				body = append(body[:0], b.Bytes()...)
			}
		}
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
		w.WriteHeader(e.resp.status)
		_, _ = w.Write(body)
		*buf = body
		bufPool.Put(buf)
	}
	s.logEcho(r, e, sel)
}

// codeResponse is what an echo response's head takes from its decision code, made
// once per code: the HTTP status, the Mtlsplay-Code header value, and the status
// and header lines of a compact JSON response on the direct HTTP/1.1 path.
type codeResponse struct {
	status   int
	codeHdr  []string
	jsonHead []byte
}

var codeResponses sync.Map // decision code → *codeResponse

func responseFor(code int) *codeResponse {
	if r, ok := codeResponses.Load(code); ok {
		return r.(*codeResponse)
	}
	r := &codeResponse{status: statusOf(code), codeHdr: []string{strconv.Itoa(code)}}
	r.jsonHead = jsonHeadLines(r.status, r.codeHdr)
	v, _ := codeResponses.LoadOrStore(code, r)
	return v.(*codeResponse)
}

// jsonHeadLines are the status line and header lines of a compact JSON echo
// response with this status and code, as the direct HTTP/1.1 path writes them.
func jsonHeadLines(status int, code []string) []byte {
	w := &bufferedResponse{header: http.Header{
		"Cache-Control":           hdrNoStore,
		"X-Content-Type-Options":  hdrNosniff,
		"Referrer-Policy":         hdrNoReferer,
		"X-Frame-Options":         hdrDeny,
		"Mtlsplay-Code":           code,
		"Content-Type":            hdrJSON,
		"Content-Security-Policy": hdrCSPNone,
	}, status: status}
	return w.appendHeaderLines(nil)
}

// wantsPretty: indented JSON for a person at a terminal (curl and its kin, or
// ?pretty), compact JSON for programs.
func wantsPretty(r *http.Request) bool {
	if r.URL.RawQuery != "" {
		if v, ok := r.URL.Query()["pretty"]; ok {
			return len(v) == 0 || (v[0] != "0" && v[0] != "false")
		}
	}
	ua := r.Header.Get("User-Agent")
	for _, p := range []string{"curl/", "Wget/", "HTTPie/", "xh/"} {
		if strings.HasPrefix(ua, p) {
			return true
		}
	}
	return false
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 16<<10); return &b }}

// logEcho writes the request's log line: the connection's attributes, then the
// request's method, path and the client it asked for by name, if any.
func (s *Server) logEcho(r *http.Request, e *echoEntry, sel selection) {
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		s.reqLog.Write(&e.lines, time.Now(), r.Method, r.URL.Path, sel.requested)
	}
}

// acceptsHTML reports whether the client asked for HTML (a browser does).
func acceptsHTML(accept []string) bool {
	for _, a := range accept {
		if strings.Contains(a, "text/html") {
			return true
		}
	}
	return false
}

// redacted headers carry credentials; the echo shows only their scheme.
func redact(name, value string) string {
	switch name {
	case "Authorization", "Proxy-Authorization", "Cookie":
		scheme, _, found := strings.Cut(value, " ")
		if found && scheme != "" && isToken(scheme) {
			return scheme + " [redacted]"
		}
		return "[redacted]"
	}
	return value
}

func isToken(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// appendEchoTail appends the client selection, the request and the closing brace
// to a rendered head, as compact JSON.
func appendEchoTail(b []byte, r *http.Request, sel selection) []byte {
	b = append(b, `,"client":{"name":`...)
	if sel.client != nil {
		b = appendJSONString(b, sel.client.Name)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"selected_by":`...)
	b = appendJSONString(b, sel.how)
	if sel.requested != "" {
		b = append(b, `,"requested":`...)
		b = appendJSONString(b, sel.requested)
	}
	b = append(b, `},"request":{"line":`...)
	b = appendJSONString(b, r.Method+" "+r.RequestURI+" "+r.Proto)
	b = append(b, `,"method":`...)
	b = appendJSONString(b, r.Method)
	b = append(b, `,"target":`...)
	b = appendJSONString(b, r.RequestURI)
	b = append(b, `,"proto":`...)
	b = appendJSONString(b, r.Proto)
	b = append(b, `,"host":`...)
	b = appendJSONString(b, r.Host)
	b = append(b, `,"remote_addr":`...)
	b = appendJSONString(b, r.RemoteAddr)
	b = append(b, `,"headers":{`...)
	var keysArr [32]string
	keys := keysArr[:0]
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ":["...)
		for j, v := range r.Header[k] {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, redact(k, v))
		}
		b = append(b, ']')
	}
	return append(b, "}}}\n"...)
}

// connContext gives every HTTP/2 connection of the mTLS listener its state.
func connContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{})
}
