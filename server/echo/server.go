package echo

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/trust"
	"github.com/mtlsplay/mtlsplay/server/certcache"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/decisionmemo"
	"github.com/mtlsplay/mtlsplay/server/handshake"
	"github.com/mtlsplay/mtlsplay/server/httperror"
	"github.com/mtlsplay/mtlsplay/server/metrics"
	"github.com/mtlsplay/mtlsplay/server/reqlog"
)

// Limits bound what a client can make a listener hold: time, header bytes and
// connections. The page listener's net/http server takes the same.
type Limits struct {
	// Handshake bounds the TLS handshake and the request header (net/http uses
	// the smallest of its timeouts for the handshake), so a half-open connection
	// holds a slot for at most this long.
	Handshake time.Duration
	Read      time.Duration // the whole request, body included
	Write     time.Duration
	Idle      time.Duration // between requests on a keep-alive connection
	// IdleNoCert is how long the mTLS listener waits for a request on a connection
	// that presented no certificate (see conns.go).
	IdleNoCert time.Duration
	MaxHeader  int // bytes of request header
	MaxConns   int // per listener; beyond it, new connections wait in the backlog (see conns.go for the mTLS listener's)
	// MaxConnsPerSource bounds the mTLS listener's connections from one IP
	// address; 0 is half of MaxConns. Raise it behind a TCP load balancer.
	MaxConnsPerSource int
	Grace             time.Duration // how long shutdown waits for in-flight requests
}

// DefaultLimits are the limits of mtlsplay serve.
var DefaultLimits = Limits{
	Handshake:  10 * time.Second,
	Read:       60 * time.Second,
	Write:      60 * time.Second,
	Idle:       90 * time.Second,
	IdleNoCert: 5 * time.Second,
	MaxHeader:  64 << 10,
	MaxConns:   4096,
	Grace:      30 * time.Second,
}

// Server serves the mTLS listener. It runs each TLS handshake itself, so a
// failed one is counted by its real reason rather than a log line's text. HTTP/1.1
// connections it answers directly: the request parsed by net/http's own parser
// (http.ReadRequest), the response written with one write per request. HTTP/2
// connections it hands to a net/http server.
//
// Why not net/http for HTTP/1.1 too: per request it starts a goroutine that reads
// ahead to notice a client hanging up, and writes a response larger than its 4 KB
// buffer in two writes; with the echo's decision already made per connection, that
// overhead was most of the cost of a keep-alive request (about 2.5× a direct
// write, measured by make bench-echo). The echo needs no streaming, no trailers and
// no hijacking, so the direct path stays small: request in, response out.
type Server struct {
	cfg       *config.Config
	log       *slog.Logger
	reqLog    *reqlog.Log
	now       func() time.Time
	metrics   *metrics.Metrics
	certs     *certcache.Cache
	chains    *trust.Cache
	decisions decisionmemo.Memo[decisionKey, *rendered]

	tls *tls.Config
	lim Limits

	h2   *http.Server  // serves the connections that negotiated h2
	h2ln *chanListener // hands them over

	mu        sync.Mutex
	conns     map[*echoConn]struct{}
	perSource map[netip.Addr]int     // open connections by source
	h2conns   map[net.Conn]*echoConn // connections handed to HTTP/2, until net/http closes them
	slots     chan struct{}          // one token per open connection, at most Limits.MaxConns
	shutting  atomic.Bool
	wg        sync.WaitGroup

	work        chan *echoConn // idle workers take connections from here
	idleWorkers atomic.Int32
	stop        chan struct{} // closed at shutdown: idle workers end
	stopOnce    sync.Once
}

// Limits of the direct path, as net/http has them.
const (
	maxDrainBytes = 256 << 10 // an unread request body up to this is read and dropped to keep the connection
	headerSlack   = 4 << 10   // net/http allows this much beyond MaxHeaderBytes
)

// Options is what the echo endpoint takes from the server that runs it.
type Options struct {
	Config     *config.Config
	Log        *slog.Logger
	RequestLog *reqlog.Log // the line per request, in Log's format
	Metrics    *metrics.Metrics
	Now        func() time.Time // the decisions' clock
	Limits     Limits
	// Certs and Chains are the parsed-certificate and verified-chain caches, shared
	// with the authorization endpoint; nil makes the echo its own.
	Certs  *certcache.Cache
	Chains *trust.Cache
}

// Cache sizes: distinct client certificates and distinct verified chains kept.
// A parsed certificate with its JSON is a few KB: 1024 of them bound the cache at a
// few MB whatever certificates strangers present.
const (
	CertCacheSize  = 1024
	ChainCacheSize = 4096
)

// New returns the echo endpoint; Serve starts it.
func New(o Options) *Server {
	es := &Server{cfg: o.Config, log: o.Log, reqLog: o.RequestLog, now: o.Now, metrics: o.Metrics,
		certs: o.Certs, chains: o.Chains,
		lim: o.Limits, conns: map[*echoConn]struct{}{}, perSource: map[netip.Addr]int{}, h2conns: map[net.Conn]*echoConn{},
		work: make(chan *echoConn), stop: make(chan struct{})}
	if es.certs == nil {
		es.certs = certcache.New(CertCacheSize)
	}
	if es.chains == nil {
		es.chains = trust.NewCache(ChainCacheSize)
	}
	es.lim.MaxConns = max(es.lim.MaxConns, 1)
	if es.lim.MaxConnsPerSource <= 0 {
		es.lim.MaxConnsPerSource = max(es.lim.MaxConns/2, 1)
	}
	es.slots = make(chan struct{}, es.lim.MaxConns)
	es.tls = es.tlsConfig()
	lim := o.Limits
	es.h2ln = newChanListener()
	es.h2 = &http.Server{
		Handler:           http.HandlerFunc(es.serveEcho),
		TLSConfig:         &tls.Config{NextProtos: []string{"h2", "http/1.1"}}, // makes Serve set up HTTP/2
		ReadHeaderTimeout: lim.Handshake,
		ReadTimeout:       lim.Read,
		WriteTimeout:      lim.Write,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    lim.MaxHeader,
		ConnContext:       connContext,
		ConnState:         es.h2ConnState(o.Metrics.CountConns(metrics.MTLS)), // serveConn stops counting a connection it hands over
		ErrorLog:          reqlog.HTTPServerLog(o.Log, "mtls"),
	}
	return es
}

// ChainCacheStats reports the chain cache's hits and misses, for the metrics.
func (es *Server) ChainCacheStats() (hits, misses uint64) { return es.chains.Stats() }

// Serve accepts connections until ln is closed, within the connection budget
// (conns.go).
func (es *Server) Serve(ln net.Listener) error {
	go func() { _ = es.h2.Serve(es.h2ln) }()
	var backoff time.Duration
	for {
		raw, err := ln.Accept()
		if err != nil {
			if es.shutting.Load() || errors.Is(err, net.ErrClosed) {
				return http.ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				es.log.Warn("accept failed; retrying", "listener", "mtls", "error", err, "in", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		ec := &echoConn{raw: raw, source: sourceOf(raw), since: time.Now()}
		if !es.admit(ec) {
			raw.Close()
			continue
		}
		if !es.track(ec) {
			es.release(ec.source)
			raw.Close()
			continue
		}
		es.dispatch(ec)
	}
}

// Connections are served by workers that outlive them: a worker keeps the stack
// its last handshake grew, so the next handshake does not grow a fresh goroutine's
// stack again (runtime.morestack was about 3% of the server's CPU per fresh mTLS
// handshake). At most maxIdleWorkers wait, each at most workerIdle.
const (
	maxIdleWorkers = 64
	workerIdle     = 10 * time.Second
)

// dispatch hands ec to an idle worker, or to a new one.
func (es *Server) dispatch(ec *echoConn) {
	select {
	case es.work <- ec:
	default:
		go es.worker(ec)
	}
}

func (es *Server) worker(ec *echoConn) {
	var idle *time.Timer
	for {
		es.serveConn(ec)
		if es.idleWorkers.Add(1) > maxIdleWorkers {
			es.idleWorkers.Add(-1)
			return
		}
		if idle == nil {
			idle = time.NewTimer(workerIdle)
		} else {
			idle.Reset(workerIdle)
		}
		more := false
		select {
		case ec = <-es.work:
			more = true
		case <-idle.C:
		case <-es.stop:
		}
		es.idleWorkers.Add(-1)
		if !more {
			return
		}
	}
}

func (es *Server) track(ec *echoConn) bool {
	es.mu.Lock()
	defer es.mu.Unlock()
	if es.shutting.Load() {
		return false
	}
	es.conns[ec] = struct{}{}
	es.wg.Add(1)
	es.metrics.Open(metrics.MTLS).Add(1)
	return true
}

// untrack forgets a connection that has ended, or that HTTP/2 now serves (whose
// slot is given back when net/http closes it).
func (es *Server) untrack(ec *echoConn, handedOver bool) {
	es.mu.Lock()
	delete(es.conns, ec)
	es.mu.Unlock()
	if !handedOver {
		es.release(ec.source)
	}
	es.metrics.Open(metrics.MTLS).Add(-1)
	es.wg.Done()
}

// Shutdown stops accepting (the caller closes the listener), ends connections that
// are not in a request (each by its own goroutine, so a request that has arrived is
// still answered), lets requests in flight finish and answer with Connection:
// close, and after ctx ends closes what is left.
func (es *Server) Shutdown(ctx context.Context) error {
	es.mu.Lock() // after this, track adds no connection, so wg only counts down
	es.shutting.Store(true)
	es.mu.Unlock()
	es.stopOnce.Do(func() { close(es.stop) })
	h2done := make(chan error, 1)
	go func() { h2done <- es.h2.Shutdown(ctx) }()
	_ = es.h2ln.Close()
	done := make(chan struct{})
	go func() { es.wg.Wait(); close(done) }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	forced := false
wait:
	for {
		es.closeConns(true)
		select {
		case <-done:
			break wait
		case <-ctx.Done():
			es.closeConns(false)
			forced = true
			<-done
			break wait
		case <-tick.C:
		}
	}
	// HTTP/2 connections are net/http's. Its Shutdown returns when they are idle, or
	// with ctx's error at the end of the grace period, leaving those still active open.
	if err := <-h2done; err != nil {
		_ = es.h2.Close()
		return err
	}
	if forced {
		return ctx.Err()
	}
	return nil
}

// closeConns wakes the connections that are not in a request (idleOnly), or closes
// them all.
func (es *Server) closeConns(idleOnly bool) {
	es.mu.Lock()
	defer es.mu.Unlock()
	for ec := range es.conns {
		if idleOnly {
			ec.wake()
		} else {
			_ = ec.raw.Close()
		}
	}
}

// serveConn runs the handshake, then serves the connection.
func (es *Server) serveConn(ec *echoConn) {
	handedOver := false
	defer func() {
		if v := recover(); v != nil { // as net/http does: one connection fails, not the server
			es.log.Error("panic serving a connection", "remote", ec.raw.RemoteAddr().String(), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
		if !handedOver {
			_ = ec.raw.Close()
		}
		es.untrack(ec, handedOver)
	}()
	tc := tls.Server(ec.raw, es.tls)
	_ = ec.raw.SetDeadline(time.Now().Add(es.lim.Handshake))
	if err := tc.Handshake(); err != nil {
		es.handshakeFailed(ec.raw, err)
		return
	}
	st := tc.ConnectionState()
	ec.mu.Lock()
	ec.cert = len(st.PeerCertificates) > 0
	ec.mu.Unlock()
	if st.NegotiatedProtocol == "h2" {
		_ = ec.raw.SetDeadline(time.Time{})
		// From deliver on the connection is net/http's, and its Shutdown decides when
		// it is idle. Until untrack below, a Shutdown here must not close it as one of
		// ours: on a loaded machine this goroutine can be held off the CPU while
		// net/http serves a request on it (a flaky TestShutdownClosesStuckHTTP2).
		handedOver = es.handOver(ec, tc)
		return
	}
	es.serveHTTP1(ec, tc, &st)
}

// handshakeFailed counts and logs a failed handshake. Refused clients are logged
// at info; scanners, timeouts and hang-ups only at debug, so they cannot flood it.
func (es *Server) handshakeFailed(raw net.Conn, err error) {
	var re tls.RecordHeaderError
	if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader) {
		_, _ = io.WriteString(re.Conn, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")
	}
	reason := handshake.Classify(err)
	es.metrics.HandshakeFailed(reason)
	level := slog.LevelDebug
	if reason.Refused() {
		level = slog.LevelInfo
	}
	if es.log.Enabled(context.Background(), level) {
		es.log.LogAttrs(context.Background(), level, "handshake failed",
			slog.String("remote", raw.RemoteAddr().String()), slog.String("reason", string(reason)), slog.String("error", err.Error()))
	}
}

func looksLikeHTTP(hdr [5]byte) bool {
	switch string(hdr[:]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

// h1conn is one HTTP/1.x connection of the direct path and its reusable buffers.
type h1conn struct {
	es     *Server
	ec     *echoConn
	tc     *tls.Conn
	st     *tls.ConnectionState
	cs     *connState
	lr     *io.LimitedReader
	br     *bufio.Reader
	rw     *bufferedResponse
	body   *[]byte
	remote string
}

// serveHTTP1 answers the requests of one HTTP/1.x connection in order.
func (es *Server) serveHTTP1(ec *echoConn, tc *tls.Conn, st *tls.ConnectionState) {
	c := &h1conn{es: es, ec: ec, tc: tc, st: st, cs: &connState{}, lr: &io.LimitedReader{R: tc},
		rw: &bufferedResponse{header: make(http.Header, 12)}, remote: ec.raw.RemoteAddr().String()}
	c.br = readerPool.Get().(*bufio.Reader)
	c.br.Reset(c.lr)
	c.body = bufPool.Get().(*[]byte)
	defer func() {
		c.br.Reset(nil)
		readerPool.Put(c.br)
		bufPool.Put(c.body)
	}()

	// The first request is due as soon as the handshake is done; a client without a
	// certificate is kept waiting less (conns.go).
	wait, idle := es.lim.Handshake, es.lim.Idle
	if !ec.cert && es.lim.IdleNoCert > 0 {
		wait, idle = min(wait, es.lim.IdleNoCert), min(idle, es.lim.IdleNoCert)
	}
	for {
		if !ec.await(es, wait) {
			return
		}
		c.lr.N = int64(es.lim.MaxHeader) + headerSlack
		if _, err := c.br.Peek(1); err != nil {
			return // no request: idle too long, woken by shutdown or eviction, or closed
		}
		ec.setPhase(busy)
		if !c.serveRequest() {
			return
		}
		wait = idle
	}
}

// serveRequest reads one request and answers it; false means the connection ends.
func (c *h1conn) serveRequest() bool {
	es, tc := c.es, c.tc
	es.metrics.InFlight(metrics.MTLS).Add(1)
	defer es.metrics.InFlight(metrics.MTLS).Add(-1)

	_ = tc.SetReadDeadline(time.Now().Add(es.lim.Handshake))
	req, err := http.ReadRequest(c.br)
	if err != nil {
		es.badRequest(tc, c.lr, err)
		return false
	}
	if msg := checkRequest(req); msg != "" {
		writeError(tc, http.StatusBadRequest, engine.CodeBadRequest, msg)
		return false
	}
	c.lr.N = 1 << 62
	if req.Body != http.NoBody {
		_ = tc.SetReadDeadline(time.Now().Add(es.lim.Read))
	}
	req.RemoteAddr = c.remote
	req.TLS = c.st

	rw := c.rw
	clear(rw.header)
	rw.status, rw.preHead, rw.off, rw.body = 0, nil, headRoom, (*c.body)[:headRoom]
	es.echo(rw, req, c.cs)
	// A client without a certificate (report mode) gets its answer, then the
	// connection ends: it must not hold a slot (conns.go).
	keep := !req.Close && req.ProtoAtLeast(1, 1) && !es.shutting.Load() && c.ec.cert && drainBody(req)
	out := rw.response(req.Method == http.MethodHead, keep)
	*c.body = rw.body[:0] // keep what it grew to
	_ = tc.SetWriteDeadline(time.Now().Add(es.lim.Write))
	if _, err := tc.Write(out); err != nil { // one write: one TLS record up to 16 KB
		return false
	}
	if !keep {
		_ = tc.Close() // sends close_notify
		return false
	}
	return true
}

var readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4<<10) }}

func (es *Server) badRequest(tc *tls.Conn, lr *io.LimitedReader, err error) {
	switch {
	case lr.N <= 0:
		writeError(tc, http.StatusRequestHeaderFieldsTooLarge, httperror.CodeTooLarge, "request header too large")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
	default:
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return
		}
		msg := err.Error()
		if strings.Contains(msg, "unsupported transfer encoding") {
			writeError(tc, http.StatusNotImplemented, httperror.CodeNotImplemented, "unsupported transfer encoding")
			return
		}
		writeError(tc, http.StatusBadRequest, engine.CodeBadRequest, strings.TrimPrefix(msg, "net/http: "))
	}
}

// checkRequest makes net/http's server-side checks that http.ReadRequest leaves to
// the server: a valid host (ReadRequest moves the Host header to req.Host), valid
// header names and values.
func checkRequest(req *http.Request) string {
	if req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != http.MethodConnect {
		return "missing required Host header"
	}
	if req.Host != "" && !httpguts.ValidHostHeader(req.Host) {
		return "malformed Host header"
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return "invalid header name"
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return "invalid header value"
			}
		}
	}
	return ""
}

// drainBody reads and drops an unread request body so the connection can serve the
// next request; it reports false when the connection must close instead (a body
// too large, or one the client waits to be asked for).
func drainBody(req *http.Request) bool {
	if req.Body == nil || req.Body == http.NoBody {
		return true
	}
	if strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
		return false
	}
	n, err := io.CopyN(io.Discard, req.Body, maxDrainBytes+1)
	return err == io.EOF && n <= maxDrainBytes
}

// writeError answers a request the direct path refuses with the one error shape,
// and closes the connection.
func writeError(tc *tls.Conn, status int, code, msg string) {
	_ = tc.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = tc.Write(httperror.Raw(status, code, msg))
	_ = tc.Close()
}

// bufferedResponse is the http.ResponseWriter of the direct path: the handler's
// headers and body, sent in one write when it returns. The body starts off bytes
// into its buffer, leaving room to put the response head right before it.
type bufferedResponse struct {
	header  http.Header
	preHead []byte // status and header lines made beforehand; header is then unused
	status  int
	off     int
	body    []byte
}

// headRoom is the space kept for the response head in front of the body.
const headRoom = 1024

func (w *bufferedResponse) Header() http.Header { return w.header }

func (w *bufferedResponse) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *bufferedResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, p...)
	return len(p), nil
}

// response returns the whole response: the head (status line, headers, Date,
// Content-Length, and Connection: close when the connection ends) and the body,
// which a HEAD request does not get.
func (w *bufferedResponse) response(headOnly, keep bool) []byte {
	var arr [headRoom]byte
	head := w.appendHead(arr[:0], len(w.body)-w.off, keep)
	if headOnly {
		return append(w.body[:0], head...)
	}
	if len(head) <= w.off {
		start := w.off - len(head)
		copy(w.body[start:], head)
		return w.body[start:]
	}
	return append(head, w.body[w.off:]...)
}

func (w *bufferedResponse) appendHead(b []byte, length int, keep bool) []byte {
	if w.preHead != nil {
		b = append(b, w.preHead...)
	} else {
		b = w.appendHeaderLines(b)
	}
	b = append(b, "Date: "...)
	b = append(b, httpDate()...)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(length), 10)
	if !keep {
		b = append(b, "\r\nConnection: close"...)
	}
	return append(b, "\r\n\r\n"...)
}

// appendHeaderLines appends the status line and the handler's header lines.
func (w *bufferedResponse) appendHeaderLines(b []byte) []byte {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(w.status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(w.status)...)
	b = append(b, "\r\n"...)
	var keysArr [16]string
	keys := keysArr[:0]
	for k := range w.header {
		if k != "Content-Length" && k != "Connection" && k != "Date" && k != "Transfer-Encoding" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range w.header[k] {
			b = append(b, k...)
			b = append(b, ": "...)
			b = appendHeaderValue(b, v)
			b = append(b, "\r\n"...)
		}
	}
	return b
}

// httpDate is the Date header's value, formatted once a second.
func httpDate() string {
	now := time.Now()
	if d := dateCache.Load(); d != nil && d.sec == now.Unix() {
		return d.text
	}
	d := &cachedDate{sec: now.Unix(), text: now.UTC().Format(http.TimeFormat)}
	dateCache.Store(d)
	return d.text
}

type cachedDate struct {
	sec  int64
	text string
}

var dateCache atomic.Pointer[cachedDate]

// appendHeaderValue writes v with CR and LF replaced, as net/http does, so no
// value can start a header of its own.
func appendHeaderValue(b []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}

// chanListener hands connections that negotiated h2 to net/http.
type chanListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
}

func newChanListener() *chanListener {
	return &chanListener{ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// deliver passes c to the server; false if it is shutting down.
func (l *chanListener) deliver(c net.Conn) bool {
	select {
	case l.ch <- c:
		return true
	case <-l.done:
		return false
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }
