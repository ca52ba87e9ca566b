// Package serve runs `mtlsplay serve`: it wires the config (or the zero-config
// demo), the page listener, the mTLS echo endpoint, the metrics and the logs, and
// shuts them down gracefully.
package serve

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"

	"github.com/mtlsplay/mtlsplay/internal/suite"
	"github.com/mtlsplay/mtlsplay/internal/trust"
	"github.com/mtlsplay/mtlsplay/server/authz"
	"github.com/mtlsplay/mtlsplay/server/certcache"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/demo"
	"github.com/mtlsplay/mtlsplay/server/echo"
	"github.com/mtlsplay/mtlsplay/server/metrics"
	"github.com/mtlsplay/mtlsplay/server/page"
	"github.com/mtlsplay/mtlsplay/server/reqlog"
)

// Options is everything serve needs; flags fill it, tests too.
type Options struct {
	ConfigPath string // "" runs the zero-config demo
	StateDir   string // the demo's state folder; "" is demo.DefaultStateDir
	HTTPAddr   string // "" is listen.http of the config, else config.DefaultHTTPAddr
	MTLSAddr   string // likewise listen.mtls, else config.DefaultMTLSAddr
	AuthzAddr  string // the authorization endpoint; "" is listen.authz of the config, else none
	LogFormat  string // text or json
	LogLevel   slog.Level
	Limits     echo.Limits
	Decide     page.DecideLimits // POST /api/decide; zero values are page.DefaultDecideLimits
	DemoPublic bool              // offer the demo's keys and token on /try/ to any Host, on any listener
	SkipCases  bool              // start without running the config's cases (logged)
	Now        func() time.Time  // nil is time.Now
	Ready      func(*Server)     // called when both listeners accept connections
}

// Server is one running `mtlsplay serve`.
type Server struct {
	cfg  *config.Config
	demo *demo.State // nil with --config
	// lent is the demo whose server certificate a config without tls.cert serves
	// with; only its server certificate and root are used. nil otherwise.
	lent    *demo.State
	log     *slog.Logger
	echo    *echo.Server
	metrics *metrics.Metrics

	httpLn, mtlsLn net.Listener
	authzLn        net.Listener // nil: no authorization endpoint
	pageBase       string       // http://host:port
	echoBase       string       // https://host:port
	curl           string       // the demo's one-line curl command; "" with --config
}

// HTTPAddr and MTLSAddr are the listeners' addresses (with the port when 0 was asked).
func (s *Server) HTTPAddr() string { return s.httpLn.Addr().String() }
func (s *Server) MTLSAddr() string { return s.mtlsLn.Addr().String() }

// AuthzAddr is the authorization endpoint's address; "" when it is off.
func (s *Server) AuthzAddr() string {
	if s.authzLn == nil {
		return ""
	}
	return s.authzLn.Addr().String()
}

// EchoBase is the echo endpoint's base URL, https://host:port.
func (s *Server) EchoBase() string { return s.echoBase }

// Exit statuses of Run.
const (
	ExitOK       = 0 // shut down gracefully
	ExitFailed   = 1 // could not start (the demo, a listener) or stopped on an error
	ExitBadInput = 2 // a bad config or state folder
)

// Run starts both listeners, prints where they are and, in the zero-config demo,
// the curl line to try; it returns when ctx ends and the servers have shut down
// (ExitOK), or when they cannot start.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) int {
	fail := func(code int, format string, args ...any) int {
		fmt.Fprintf(stderr, "mtlsplay serve: %s\n", fmt.Sprintf(format, args...))
		return code
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	logOut := reqlog.NewLineBuffer(stderr)
	defer logOut.Close()
	hopts := &slog.HandlerOptions{Level: opts.LogLevel}
	var handler slog.Handler = slog.NewTextHandler(logOut, hopts)
	if opts.LogFormat == "json" {
		handler = slog.NewJSONHandler(logOut, hopts)
	}
	s := &Server{log: slog.New(handler)}

	configPath := opts.ConfigPath
	demoMade := false
	// openDemo opens (or makes) the demo in the state folder.
	openDemo := func() (*demo.State, bool, int) {
		state := opts.StateDir
		if state == "" {
			var err error
			if state, err = demo.DefaultStateDir(); err != nil {
				return nil, false, fail(ExitBadInput, "%v", err)
			}
		}
		d, made, err := demo.Open(state, opts.Now())
		if err != nil {
			return nil, false, fail(ExitFailed, "the demo in %s: %v", state, err)
		}
		return d, made, ExitOK
	}
	if configPath == "" {
		d, made, code := openDemo()
		if d == nil {
			return code
		}
		s.demo, demoMade, configPath = d, made, d.ConfigPath
	}
	cfg, err := config.Load(configPath, opts.Now())
	if err != nil {
		return fail(ExitBadInput, "%v", err)
	}
	s.cfg = cfg
	if msg := sharedAddress(opts, cfg); msg != "" {
		return fail(ExitBadInput, "%s", msg)
	}
	if s.demo != nil && !cfg.CANamesSet {
		// A demo folder made before tls.ca_names: its browser steps need the CAs
		// named all the same (design 7.5), and its small bundle cannot fail the bound.
		// A ca_names the person wrote, even false, is theirs.
		if err := cfg.NameCAs(); err != nil {
			return fail(ExitFailed, "the demo in %s: %v", s.demo.Dir, err)
		}
	}
	switch {
	case cfg.DemoServerCert:
		// A config of clients alone borrows the demo's server certificate; the
		// demo's clients, keys and token stay out of it (s.demo stays nil).
		d, made, code := openDemo()
		if d == nil {
			return code
		}
		if cfg.ServerCert, err = d.ServerCert(); err != nil {
			return fail(ExitFailed, "the demo's server certificate in %s: %v", d.Dir, err)
		}
		s.lent, demoMade = d, made
	case opts.ConfigPath != "" && opts.StateDir != "":
		return fail(ExitBadInput, "%s names its own tls.cert and tls.key, so --state (the demo's folder, whose server certificate a config without them uses) is not used; leave it out", cfg.Path)
	}
	for _, w := range cfg.Warnings {
		s.log.Warn("config", "warning", w)
	}
	if cfg.Authz.Written && opts.AuthzAddr == "" && cfg.AuthzAddr == "" {
		s.log.Warn("config", "warning", cfg.Path+": the authz section is set, but neither listen.authz nor --authz names an address, so the authorization endpoint is off")
	}
	if ok := s.runCases(opts, stderr); !ok {
		return fail(ExitFailed, "%s: the config's cases failed, so the server did not start (fix the rule or the cases; mtlsplay test %s explains each case; --skip-cases starts anyway)", cfg.Path, cfg.Path)
	}
	names := make([]string, len(cfg.Clients))
	for i, c := range cfg.Clients {
		names[i] = c.Name
	}
	m := metrics.New(names)

	httpAddr := cmp.Or(opts.HTTPAddr, cfg.HTTPAddr, config.DefaultHTTPAddr)
	mtlsAddr := cmp.Or(opts.MTLSAddr, cfg.MTLSAddr, config.DefaultMTLSAddr)
	var lc net.ListenConfig
	if s.httpLn, err = lc.Listen(ctx, "tcp", httpAddr); err != nil {
		return fail(ExitFailed, "page listener: %v", err)
	}
	defer s.httpLn.Close()
	if s.mtlsLn, err = lc.Listen(ctx, "tcp", mtlsAddr); err != nil {
		return fail(ExitFailed, "mTLS listener: %v", err)
	}
	defer s.mtlsLn.Close()
	if authzAddr := cmp.Or(opts.AuthzAddr, cfg.AuthzAddr); authzAddr != "" {
		if s.authzLn, err = lc.Listen(ctx, "tcp", authzAddr); err != nil {
			return fail(ExitFailed, "authorization listener: %v", err)
		}
		defer s.authzLn.Close()
	}
	s.pageBase = "http://" + strings.TrimPrefix(demo.EchoURL(s.httpLn.Addr()), "https://")
	s.echoBase = demo.EchoURL(s.mtlsLn.Addr())
	if s.demo != nil {
		s.curl = s.demo.CurlLine(s.echoBase, "demo", "good")
	}

	exposure, why := demo.ExposureOf(s.httpLn.Addr(), opts.DemoPublic)
	if s.demo != nil && why != "" {
		s.log.Warn("demo", "warning", why)
	}
	if s.lent != nil && !loopbackOrAny(s.mtlsLn.Addr()) {
		s.log.Warn("config", "warning", "the config names no tls.cert, so the echo serves the demo's server certificate, which names only localhost, 127.0.0.1 and ::1: clients that reach "+s.echoBase+" will refuse it; give tls.cert and tls.key for this address")
	}

	lim := opts.Limits
	reqLog := reqlog.New(logOut, opts.LogFormat == "json", hopts)
	// The echo and the authorization endpoint share the parsed certificates and the
	// verified chains: the same clients reach both.
	certs, chains := certcache.New(echo.CertCacheSize), trust.NewCache(echo.ChainCacheSize)
	s.echo = echo.New(echo.Options{Config: cfg, Log: s.log, RequestLog: reqLog, Metrics: m, Now: opts.Now, Limits: lim, Certs: certs, Chains: chains})
	echoSrv := s.echo
	m.ChainCache, m.LogDropped = echoSrv.ChainCacheStats, reqLog.Dropped
	s.metrics = m
	pageSrv := &http.Server{
		Handler: page.Handler(page.Options{Metrics: m, Log: s.log, RequestLog: reqLog, Now: opts.Now,
			Try: demo.NewTry(cfg, s.demo, s.echoBase, s.log, exposure, why).Lend(s.lent), Decide: opts.Decide}),
		ReadHeaderTimeout: lim.Handshake,
		ReadTimeout:       lim.Read,
		WriteTimeout:      lim.Write,
		IdleTimeout:       lim.Idle,
		MaxHeaderBytes:    lim.MaxHeader,
		ErrorLog:          reqlog.HTTPServerLog(s.log, "http"),
		ConnState:         m.CountConns(metrics.Page),
	}

	servers := map[string]func(context.Context) error{"http": pageSrv.Shutdown, "mtls": echoSrv.Shutdown}
	var authzSrv *http.Server
	authzBase := ""
	if s.authzLn != nil {
		authzSrv = &http.Server{
			Handler:           authz.New(authz.Options{Config: cfg, Log: s.log, RequestLog: reqLog, Metrics: m, Now: opts.Now, Certs: certs, Chains: chains, Slots: opts.Decide.Slots, Wait: opts.Decide.Wait}),
			ReadHeaderTimeout: lim.Handshake,
			ReadTimeout:       lim.Read,
			WriteTimeout:      lim.Write,
			IdleTimeout:       lim.Idle,
			MaxHeaderBytes:    lim.MaxHeader,
			ErrorLog:          reqlog.HTTPServerLog(s.log, "authz"),
			ConnState:         m.CountConns(metrics.Authz),
		}
		servers["authz"] = authzSrv.Shutdown
		authzBase = "http://" + strings.TrimPrefix(demo.EchoURL(s.authzLn.Addr()), "https://")
	}

	s.printBanner(stdout, demoMade, authzBase)
	s.log.Info("listening", "page", s.pageBase, "echo", s.echoBase, "authz", authzBase, "mode", cfg.Mode, "clients", len(cfg.Clients), "config", configPath)

	errc := make(chan error, 3)
	go func() { errc <- pageSrv.Serve(netutil.LimitListener(s.httpLn, lim.MaxConns)) }()
	go func() { errc <- echoSrv.Serve(s.mtlsLn) }() // the echo keeps its own connection budget
	if authzSrv != nil {
		go func() { errc <- authzSrv.Serve(netutil.LimitListener(s.authzLn, lim.MaxConns)) }()
	}
	if opts.Ready != nil {
		opts.Ready(s)
	}

	status := ExitOK
	select {
	case <-ctx.Done():
		s.log.Info("shutting down: finishing requests in flight (a second interrupt stops at once)", "grace", lim.Grace)
	case err := <-errc:
		s.log.Error("server stopped", "error", err)
		status = ExitFailed
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), lim.Grace)
	defer cancel()
	_ = s.mtlsLn.Close()
	var wg sync.WaitGroup
	for name, shutdown := range servers {
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
	if authzSrv != nil {
		_ = authzSrv.Close()
	}
	s.log.Info("stopped")
	return status
}

func (s *Server) printBanner(w io.Writer, demoMade bool, authzBase string) {
	names := make([]string, 0, len(s.cfg.Clients))
	for _, c := range s.cfg.Clients {
		names = append(names, c.Name)
	}
	fmt.Fprintf(w, "mtlsplay serve: the playground %s/\n", s.pageBase)
	fmt.Fprintf(w, "mtlsplay serve: mTLS echo      %s/  (%s mode; clients: %s)\n", s.echoBase, s.cfg.Mode, strings.Join(names, ", "))
	if authzBase != "" {
		fmt.Fprintf(w, "mtlsplay serve: authorization  %s/authz/CLIENT  (for proxies at %s)\n", authzBase, prefixes(s.cfg.Authz.TrustedProxies))
	}
	if s.demo == nil {
		fmt.Fprintf(w, "mtlsplay serve: config         %s\n", s.cfg.Path)
		if s.lent == nil {
			return
		}
		fmt.Fprintf(w, "mtlsplay serve: server cert    the demo's, for localhost (%s, %s; the config names no tls.cert)\n", s.lent.Dir, madeOrReused(demoMade))
		if len(s.cfg.Clients) == 0 {
			return
		}
		fmt.Fprintf(w, "\nTry each client with your certificate chain (leaf first) in %s and its private key in %s, in the folder where you run curl:\n\n", demo.OwnCertFile, demo.OwnKeyFile)
		for _, c := range s.cfg.Clients {
			fmt.Fprintln(w, s.lent.OwnCurlLine(s.echoBase, c.Name))
		}
		fmt.Fprintln(w)
		return
	}
	fmt.Fprintf(w, "mtlsplay serve: demo           %s (%s; config.yaml there is a starting point for --config)\n", s.demo.Dir, madeOrReused(demoMade))
	fmt.Fprintf(w, "\nTry the echo endpoint with the demo client certificate (every decision code: %s/try/):\n\n%s\n\n", s.pageBase, s.curl)
}

// runCases runs the config's own cases before the server listens, as the
// suite file's reader (mtlsplay test) would: a config whose rule no longer
// decides what its cases say does not start. Each failed case is one line on
// stderr. ok is true when every case passed, or there were none, or opts says
// to skip them.
func (s *Server) runCases(opts Options, stderr io.Writer) (ok bool) {
	n := len(s.cfg.Cases)
	switch {
	case n == 0:
		return true
	case opts.SkipCases:
		s.log.Warn("cases skipped", "count", n, "why", "--skip-cases: the config's cases were not run")
		return true
	}
	start := time.Now()
	results := suite.Run(s.cfg.Cases, suite.Options{Now: opts.Now()})
	passed, failed := suite.Counts(results)
	if failed == 0 {
		s.log.Info("cases passed", "count", passed, "took", time.Since(start).Round(time.Millisecond))
		return true
	}
	for _, r := range results {
		if !r.Passed() {
			fmt.Fprintf(stderr, "mtlsplay serve: %s: %s\n", s.cfg.Path, r.Line())
		}
	}
	fmt.Fprintf(stderr, "mtlsplay serve: %s: %s\n", s.cfg.Path, suite.Summary(results))
	return false
}

// prefixes writes CIDRs for the banner.
func prefixes(ps []netip.Prefix) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return strings.Join(out, ", ")
}

func madeOrReused(made bool) string {
	if made {
		return "made now"
	}
	return "reused"
}

// loopbackOrAny reports whether a listener's address is one the demo's server
// certificate names (loopback), or a wildcard, which curl reaches as 127.0.0.1.
func loopbackOrAny(a net.Addr) bool {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	return ip.IsLoopback() || ip.IsUnspecified()
}

// sharedAddress says which two listeners were given one address (a listener's
// port 0 is any free port, never shared); "" when none were. Binding the second
// would fail only after the demo and the config's cases.
func sharedAddress(opts Options, cfg *config.Config) string {
	listeners := []struct{ name, addr string }{
		{"the page listener (listen.http, --http)", cmp.Or(opts.HTTPAddr, cfg.HTTPAddr, config.DefaultHTTPAddr)},
		{"the mTLS listener (listen.mtls, --mtls)", cmp.Or(opts.MTLSAddr, cfg.MTLSAddr, config.DefaultMTLSAddr)},
		{"the authorization listener (listen.authz, --authz)", cmp.Or(opts.AuthzAddr, cfg.AuthzAddr)},
	}
	for i, a := range listeners {
		for _, b := range listeners[i+1:] {
			if a.addr != "" && a.addr == b.addr && !strings.HasSuffix(a.addr, ":0") {
				return fmt.Sprintf("%s and %s are both %s: give each its own address", a.name, b.name, a.addr)
			}
		}
	}
	return ""
}
