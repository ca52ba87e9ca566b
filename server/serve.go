package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/netutil"

	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// serveLimits bound what a client can make the server hold: time, header bytes and
// connections. Tests shorten or widen them.
type serveLimits struct {
	// handshake bounds the TLS handshake and the request header (net/http uses
	// the smallest of its timeouts for the handshake), so a half-open connection
	// holds a slot for at most this long.
	handshake time.Duration
	read      time.Duration // the whole request, body included
	write     time.Duration
	idle      time.Duration // between requests on a keep-alive connection
	maxHeader int           // bytes of request header
	maxConns  int           // per listener; beyond it, new connections wait in the backlog
	grace     time.Duration // how long shutdown waits for in-flight requests
}

var defaultLimits = serveLimits{
	handshake: 10 * time.Second,
	read:      60 * time.Second,
	write:     60 * time.Second,
	idle:      90 * time.Second,
	maxHeader: 64 << 10,
	maxConns:  4096,
	grace:     30 * time.Second,
}

// Cache sizes: distinct client certificates and distinct verified chains kept.
// A parsed certificate with its JSON is a few KB: 1024 of them bound the cache at a
// few MB whatever certificates strangers present.
const (
	certCacheSize  = 1024
	chainCacheSize = 4096
)

// serveOptions is everything serve needs; flags fill it, tests too.
type serveOptions struct {
	configPath string
	stateDir   string
	httpAddr   string
	mtlsAddr   string
	logFormat  string
	logLevel   slog.Level
	limits     serveLimits
	now        func() time.Time
	ready      func(*server) // called when both listeners accept connections
}

// server is one running `mtlsplay serve`.
type server struct {
	cfg       *config
	demo      *demoState // nil with --config
	log       *slog.Logger
	reqLog    *requestLog // the echo's line per request, in log's format
	now       func() time.Time
	metrics   *metrics
	certs     *certCache
	chains    *trust.Cache
	decisions decisionMemo

	httpLn, mtlsLn net.Listener
	pageBase       string // http://host:port
	echoBase       string // https://host:port
	curl           string // the demo's one-line curl command; "" with --config
}

// HTTPAddr and MTLSAddr are the listeners' addresses (with the port when 0 was asked).
func (s *server) HTTPAddr() string { return s.httpLn.Addr().String() }
func (s *server) MTLSAddr() string { return s.mtlsLn.Addr().String() }

// serve is `mtlsplay serve`. It runs until SIGINT or SIGTERM, then lets in-flight
// requests finish.
func (c *cli) serve(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }() // a second signal stops at once
	opts, code, ok := c.serveFlags(args)
	if !ok {
		return code
	}
	tuneGC()
	return runServe(ctx, opts, c.stdout, c.stderr)
}

// tuneGC trades memory for CPU unless GOGC or GOMEMLIMIT say otherwise: every
// handshake allocates (crypto/tls, the certificates, the decision) while little
// stays live, so at Go's default the collector took about a sixth of the CPU of
// a fresh handshake. The soft memory limit keeps the larger heap in check.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(512 << 20)
	}
}

func (c *cli) serveFlags(args []string) (serveOptions, int, bool) {
	fs := c.flags("serve", "[--config FILE | --state DIR] [--http ADDR] [--mtls ADDR]")
	opts := serveOptions{limits: defaultLimits, now: c.now}
	fs.StringVar(&opts.configPath, "config", "", "YAML config: clients, bundles, rules, tokens, server certificate (default: the zero-config demo)")
	fs.StringVar(&opts.stateDir, "state", "", "folder for the demo's certificates (default $XDG_STATE_HOME/mtlsplay, else ~/.local/state/mtlsplay)")
	fs.StringVar(&opts.httpAddr, "http", "", "address of the page, API and metrics (default "+defaultHTTPAddr+", or listen.http of the config)")
	fs.StringVar(&opts.mtlsAddr, "mtls", "", "address of the mTLS echo endpoint (default "+defaultMTLSAddr+", or listen.mtls of the config)")
	fs.StringVar(&opts.logFormat, "log-format", "text", "log format on standard error: text or json")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	fs.IntVar(&opts.limits.maxConns, "max-conns", defaultLimits.maxConns, "most connections open at once on each listener")
	rest, err := parse(fs, args)
	if err != nil {
		return opts, exitBadInput, false
	}
	switch {
	case len(rest) > 0:
		return opts, c.usageError(fs, "unexpected argument %q", rest[0]), false
	case opts.configPath != "" && opts.stateDir != "":
		return opts, c.usageError(fs, "--state is for the zero-config demo; with --config, certificates come from the config"), false
	case opts.logFormat != "text" && opts.logFormat != "json":
		return opts, c.usageError(fs, "--log-format is text or json, not %q", opts.logFormat), false
	case opts.limits.maxConns < 1:
		return opts, c.usageError(fs, "--max-conns must be at least 1"), false
	}
	if err := opts.logLevel.UnmarshalText([]byte(*level)); err != nil {
		return opts, c.usageError(fs, "--log-level is debug, info, warn or error, not %q", *level), false
	}
	return opts, exitOK, true
}

// runServe starts both listeners, prints where they are and, in the zero-config
// demo, the curl line to try; it returns when ctx ends and the servers have shut
// down (0), or when they cannot start (1, or 2 for a bad config).
func runServe(ctx context.Context, opts serveOptions, stdout, stderr io.Writer) int {
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "mtlsplay serve: %s\n", fmt.Sprintf(format, args...))
		return code
	}
	if opts.now == nil {
		opts.now = time.Now
	}
	logOut := newLineBuffer(stderr)
	defer logOut.Close()
	hopts := &slog.HandlerOptions{Level: opts.logLevel}
	var handler slog.Handler = slog.NewTextHandler(logOut, hopts)
	if opts.logFormat == "json" {
		handler = slog.NewJSONHandler(logOut, hopts)
	}
	s := &server{log: slog.New(handler), reqLog: &requestLog{w: logOut, json: opts.logFormat == "json", opts: hopts},
		now: opts.now, certs: newCertCache(certCacheSize), chains: trust.NewCache(chainCacheSize)}

	configPath := opts.configPath
	demoMade := false
	if configPath == "" {
		state := opts.stateDir
		if state == "" {
			var err error
			if state, err = defaultStateDir(); err != nil {
				return fail(exitBadInput, "%v", err)
			}
		}
		d, made, err := openDemo(state, opts.now())
		if err != nil {
			return fail(exitRejected, "the demo in %s: %v", state, err)
		}
		s.demo, demoMade, configPath = d, made, d.ConfigPath
	}
	cfg, err := loadConfig(configPath, opts.now())
	if err != nil {
		return fail(exitBadInput, "%v", err)
	}
	s.cfg = cfg
	for _, w := range cfg.Warnings {
		s.log.Warn("config", "warning", w)
	}
	s.metrics = newMetrics(cfg.Clients)
	s.metrics.cache = s.chains.Stats

	httpAddr := firstNonEmpty(opts.httpAddr, cfg.HTTPAddr, defaultHTTPAddr)
	mtlsAddr := firstNonEmpty(opts.mtlsAddr, cfg.MTLSAddr, defaultMTLSAddr)
	var lc net.ListenConfig
	if s.httpLn, err = lc.Listen(ctx, "tcp", httpAddr); err != nil {
		return fail(exitRejected, "page listener: %v", err)
	}
	defer s.httpLn.Close()
	if s.mtlsLn, err = lc.Listen(ctx, "tcp", mtlsAddr); err != nil {
		return fail(exitRejected, "mTLS listener: %v", err)
	}
	defer s.mtlsLn.Close()
	s.pageBase = "http://" + strings.TrimPrefix(echoURL(s.httpLn.Addr()), "https://")
	s.echoBase = echoURL(s.mtlsLn.Addr())
	if s.demo != nil {
		s.curl = s.demo.curlLine(s.echoBase, "demo", "good")
	}

	lim := opts.limits
	pageSrv := &http.Server{
		Handler:           s.webHandler(),
		ReadHeaderTimeout: lim.handshake,
		ReadTimeout:       lim.read,
		WriteTimeout:      lim.write,
		IdleTimeout:       lim.idle,
		MaxHeaderBytes:    lim.maxHeader,
		ErrorLog:          newServerLog(s, "http"),
		ConnState:         s.countConns(0),
	}
	echoSrv := newEchoServer(s, lim)

	s.printBanner(stdout, demoMade)
	s.log.Info("listening", "page", s.pageBase, "echo", s.echoBase, "mode", cfg.Mode, "clients", len(cfg.Clients), "config", configPath)

	errc := make(chan error, 2)
	go func() { errc <- pageSrv.Serve(netutil.LimitListener(s.httpLn, lim.maxConns)) }()
	go func() { errc <- echoSrv.Serve(netutil.LimitListener(s.mtlsLn, lim.maxConns)) }()
	if opts.ready != nil {
		opts.ready(s)
	}

	status := exitOK
	select {
	case <-ctx.Done():
		s.log.Info("shutting down: finishing requests in flight (a second interrupt stops at once)", "grace", lim.grace)
	case err := <-errc:
		s.log.Error("server stopped", "error", err)
		status = exitRejected
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), lim.grace)
	defer cancel()
	_ = s.mtlsLn.Close()
	var wg sync.WaitGroup
	for name, shutdown := range map[string]func(context.Context) error{"http": pageSrv.Shutdown, "mtls": echoSrv.Shutdown} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := shutdown(shutCtx); err != nil {
				s.log.Warn("shutdown: connections still open after the grace period were closed", "listener", name, "error", err)
			}
		}()
	}
	wg.Wait()
	_ = pageSrv.Close()
	s.log.Info("stopped")
	return status
}

// countConns keeps the open-connections gauge of listener i.
func (s *server) countConns(i int) func(net.Conn, http.ConnState) {
	return func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.metrics.open[i].Add(1)
		case http.StateClosed, http.StateHijacked:
			s.metrics.open[i].Add(-1)
		}
	}
}

func (s *server) printBanner(w io.Writer, demoMade bool) {
	names := make([]string, 0, len(s.cfg.Clients))
	for _, c := range s.cfg.Clients {
		names = append(names, c.Name)
	}
	fmt.Fprintf(w, "mtlsplay serve: the playground  %s/\n", s.pageBase)
	fmt.Fprintf(w, "mtlsplay serve: mTLS echo       %s/  (%s mode; clients: %s)\n", s.echoBase, s.cfg.Mode, strings.Join(names, ", "))
	if s.demo == nil {
		fmt.Fprintf(w, "mtlsplay serve: config         %s\n", s.cfg.Path)
		return
	}
	made := "reused"
	if demoMade {
		made = "made now"
	}
	fmt.Fprintf(w, "mtlsplay serve: demo           %s (%s; config.yaml there is a starting point for --config)\n", s.demo.Dir, made)
	fmt.Fprintf(w, "\nTry the echo endpoint with the demo client certificate (every decision code: %s/try/):\n\n%s\n\n", s.pageBase, s.curl)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
