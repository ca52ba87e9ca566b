package cli

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/echo"
	"github.com/mtlsplay/mtlsplay/server/serve"
)

// serveCmd is `mtlsplay serve`. It runs until SIGINT or SIGTERM, then lets in-flight
// requests finish.
func (c *cli) serveCmd(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); stop() }() // a second signal stops at once
	opts, code, ok := c.serveFlags(args)
	if !ok {
		return code
	}
	tuneGC()
	return serve.Run(ctx, opts, c.stdout, c.stderr)
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

func (c *cli) serveFlags(args []string) (serve.Options, int, bool) {
	fs := c.flags("serve", "[--config FILE] [--state DIR] [--http ADDR] [--mtls ADDR] [--authz ADDR] [--demo-public] [--skip-cases] [--log-format text|json] [--log-level LEVEL] [--max-conns N] [--max-conns-per-source N]")
	opts := serve.Options{Limits: echo.DefaultLimits, Now: c.now}
	fs.StringVar(&opts.ConfigPath, "config", "", "YAML config: clients, bundles, rules, tokens, server certificate (default: the zero-config demo)")
	fs.StringVar(&opts.StateDir, "state", "", "folder for the demo's certificates, also the server certificate of a config without tls.cert (default $XDG_STATE_HOME/mtlsplay, else ~/.local/state/mtlsplay)")
	fs.StringVar(&opts.HTTPAddr, "http", "", "address of the page, API and metrics (default "+config.DefaultHTTPAddr+", or listen.http of the config)")
	fs.StringVar(&opts.MTLSAddr, "mtls", "", "address of the mTLS echo endpoint (default "+config.DefaultMTLSAddr+", or listen.mtls of the config)")
	fs.StringVar(&opts.AuthzAddr, "authz", "", "address of the authorization endpoint for proxies (default listen.authz of the config; none without either)")
	fs.StringVar(&opts.LogFormat, "log-format", "text", "log format on standard error: text or json")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	fs.BoolVar(&opts.SkipCases, "skip-cases", false, "start even when the config's cases fail (they are not run; logged)")
	fs.BoolVar(&opts.DemoPublic, "demo-public", false, "offer the demo's client keys and token on /try/ to anyone who reaches the page listener (by default only on loopback, to a loopback Host)")
	fs.IntVar(&opts.Limits.MaxConns, "max-conns", echo.DefaultLimits.MaxConns, "most connections open at once on each listener")
	fs.IntVar(&opts.Limits.MaxConnsPerSource, "max-conns-per-source", 0, "most mTLS connections open at once from one IP address (default half of --max-conns; raise it behind a TCP load balancer)")
	rest, err := c.parse(fs, args)
	if err != nil {
		return opts, parseFailed(err), false
	}
	switch {
	case len(rest) > 0:
		return opts, c.usageError(fs, "unexpected argument %q", rest[0]), false
	case opts.ConfigPath != "" && opts.DemoPublic:
		return opts, c.usageError(fs, "--demo-public is for the zero-config demo; a config's /try/ offers no keys"), false
	case opts.LogFormat != "text" && opts.LogFormat != "json":
		return opts, c.usageError(fs, "--log-format is text or json, not %q", opts.LogFormat), false
	case opts.Limits.MaxConns < 1:
		return opts, c.usageError(fs, "--max-conns must be at least 1"), false
	case opts.Limits.MaxConnsPerSource < 0:
		return opts, c.usageError(fs, "--max-conns-per-source must be at least 1 (or 0 for half of --max-conns)"), false
	}
	for _, f := range [...]struct{ flag, addr string }{{"--http", opts.HTTPAddr}, {"--mtls", opts.MTLSAddr}, {"--authz", opts.AuthzAddr}} {
		if f.addr == "" {
			continue
		}
		if err := config.CheckListenAddr(f.addr); err != nil {
			return opts, c.usageError(fs, "%s %q: %v", f.flag, f.addr, err), false
		}
	}
	if err := opts.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return opts, c.usageError(fs, "--log-level is debug, info, warn or error, not %q", *level), false
	}
	return opts, exitOK, true
}
