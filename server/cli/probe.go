package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/trust"
	"github.com/mtlsplay/mtlsplay/server/probe"
)

// probeCmd is mtlsplay probe: connect to a TLS server as a client and say what
// happened and why (package probe); this file reads its flags and prints it.
func (c *cli) probeCmd(args []string) int {
	fs := c.flags("probe", "HOST:PORT [--cert C --key K] [--cacert CA] [--servername N] [--path P] [--tls 1.2|1.3] [--timeout D] [--json]")
	certFile := fs.String("cert", "", "the client certificate (chain) to present, PEM")
	keyFile := fs.String("key", "", "the client certificate's private key, PEM")
	caFile := fs.String("cacert", "", "CA certificates (PEM) to check the server's certificate with (exit 1 when they do not trust it); default: the system roots, reported only")
	serverName := fs.String("servername", "", "the name to send as SNI, in Host and to check the server certificate for; default HOST")
	path := fs.String("path", "/", "the path to GET after the handshake")
	tlsVersion := fs.String("tls", "", "use only this TLS version: 1.2 or 1.3 (default: the best both accept)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	timeout := fs.Duration("timeout", probe.DefaultTimeout, "the time each connection may take (dial, handshake, request)")
	operands, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	o := probe.Options{ServerName: *serverName, Path: *path, Timeout: *timeout, Now: c.now()}
	switch {
	case len(operands) != 1:
		return c.usageError(fs, "want exactly one HOST:PORT, got %d", len(operands))
	case (*certFile == "") != (*keyFile == ""):
		return c.usageError(fs, "give --cert and --key together")
	case *caFile == "-" && (*certFile == "-" || *keyFile == "-"):
		return c.usageError(fs, stdinOnce)
	case *timeout <= 0:
		return c.usageError(fs, "--timeout must be positive, like 5s")
	}
	o.Addr = operands[0]
	host, port, err := net.SplitHostPort(o.Addr)
	if err != nil || host == "" {
		return c.usageError(fs, "%q is not HOST:PORT (for example api.example.com:443 or 127.0.0.1:8443)", o.Addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return c.usageError(fs, "%q: the port must be a number from 1 to 65535", o.Addr)
	}
	if o.ServerName == "" {
		o.ServerName = host
	}
	if u, err := url.Parse("https://" + net.JoinHostPort(o.ServerName, port) + "/"); err != nil || u.Hostname() != o.ServerName || strings.ContainsAny(o.ServerName, " /\\@?#") {
		return c.usageError(fs, "--servername %q is not a host name", o.ServerName)
	}
	switch *tlsVersion {
	case "":
	case "1.2":
		o.Version = tls.VersionTLS12
	case "1.3":
		o.Version = tls.VersionTLS13
	default:
		return c.usageError(fs, "--tls %q: use 1.2 or 1.3", *tlsVersion)
	}
	if u, err := url.ParseRequestURI(o.Path); err != nil || !strings.HasPrefix(o.Path, "/") || u.Host != "" {
		return c.usageError(fs, "--path %q: give a path that starts with /", o.Path)
	}
	if *certFile != "" {
		chain, err := c.readInput(*certFile, certinput.MaxBytes)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		key := chain // --cert - --key -: one file on standard input holds both, as curl reads one
		if *keyFile != *certFile || *keyFile != "-" {
			if key, err = c.readInput(*keyFile, certinput.MaxBytes); err != nil {
				return c.fail(*asJSON, err)
			}
		}
		if o.Client, err = probe.LoadClientCert(displayName(*certFile), chain, displayName(*keyFile), key); err != nil {
			return c.fail(*asJSON, err)
		}
	}
	if *caFile != "" {
		data, err := c.readInput(*caFile, certinput.MaxBytes)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		b, err := trust.ParseBundle(displayName(*caFile), data, o.Now)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		o.Roots, o.RootsName = b.Pool(), displayName(*caFile)
	}

	rep, err := probe.Run(context.Background(), o)
	if err != nil {
		return c.fail(*asJSON, &engine.Error{Code: "unreachable", Message: err.Error()})
	}
	if *asJSON {
		c.writeJSON(rep)
	} else {
		writeProbe(c.stdout, rep)
	}
	switch rep.Outcome {
	case probe.Accepted:
		return exitOK
	case probe.Rejected, probe.ServerUntrusted:
		return exitRejected
	}
	return exitBadInput
}

// writeProbe prints the report as sentences, the verdict last.
func writeProbe(w io.Writer, r probe.Report) {
	say := func(format string, args ...any) { fmt.Fprintln(w, terminalSafe(fmt.Sprintf(format, args...))) }
	if r.ServerName != hostOf(r.Address) {
		say("probing %s with server name %s", r.Address, r.ServerName)
	} else {
		say("probing %s", r.Address)
	}
	var yes, no []string
	for _, v := range r.Versions {
		if v.Accepted {
			yes = append(yes, v.Version)
		} else {
			no = append(no, v.Version+" ("+v.Detail+")")
		}
	}
	switch {
	case len(yes) > 0 && len(no) > 0:
		say("the server accepts %s, not %s", strings.Join(yes, " and "), strings.Join(no, " or "))
	case len(yes) > 0:
		say("the server accepts %s", strings.Join(yes, " and "))
	default:
		say("the server accepts neither %s", strings.Join(no, " nor "))
	}
	if r.CipherSuite != "" {
		say("negotiated %s with %s", r.Version, r.CipherSuite)
	}
	if n := len(r.ServerChain); n > 0 {
		say("the server sent %d certificate%s:", n, plural(n))
		for i, c := range r.ServerChain {
			say("  %d %s, issued by %s, valid until %s", i, c.Subject, c.Issuer, c.NotAfter.Format(time.RFC3339))
		}
		if r.ServerTrust.Trusted {
			say("the server's certificate is trusted by %s for the name %s", r.ServerTrust.CheckedWith, r.ServerName)
		} else if r.ServerTrust.CheckedWith == "system roots" {
			say("the server's certificate is not trusted by the system roots: %s (not an error here; give --cacert to check it with your CA)", r.ServerTrust.Detail)
		} else {
			say("the server's certificate is not trusted by %s: %s; a client that verifies the server would stop here", r.ServerTrust.CheckedWith, r.ServerTrust.Detail)
		}
	}
	switch {
	case !r.CertificateRequested:
		say("the server did not ask for a client certificate")
	case len(r.AcceptableCAs) == 0:
		say("the server asked for a client certificate and named no acceptable CAs (any issuer may be tried; some clients then send no certificate)")
	default:
		say("the server asked for a client certificate and named %d acceptable CA%s: %s", len(r.AcceptableCAs), plural(len(r.AcceptableCAs)), strings.Join(r.AcceptableCAs, "; "))
	}
	if n := len(r.ClientChain); n > 0 {
		leaf := r.ClientChain[0]
		switch {
		case r.AcceptableCAsMatch == nil:
		case *r.AcceptableCAsMatch:
			say("the given chain (%d certificate%s, leaf %s) matches the server's CA names", n, plural(n), leaf.Subject)
		default:
			say("the given chain (%d certificate%s, leaf %s) matches none of the server's CA names: a client that picks its certificate by them (Go with tls.Config.Certificates, many others) sends no certificate at all", n, plural(n), leaf.Subject)
		}
		if r.CertificateSent {
			say("sent the given chain: %d certificate%s, leaf %s", n, plural(n), leaf.Subject)
		}
	}
	for _, f := range r.Findings {
		say("%s: %s", f.Severity, f.Message)
	}
	switch {
	case r.Handshake == "ok":
		say("the handshake succeeded with %s", r.Version)
	default:
		say("the handshake %s", r.Handshake)
	}
	if r.AlertStage == "first read" {
		say("the server sent the alert %q on the first read", r.Alert)
	}
	if r.HTTPStatus != 0 {
		if r.HTTPBody != "" {
			say("GET answered %d %s: %s", r.HTTPStatus, http.StatusText(r.HTTPStatus), r.HTTPBody)
		} else {
			say("GET answered %d %s", r.HTTPStatus, http.StatusText(r.HTTPStatus))
		}
	}
	say("verdict: %s", r.Verdict)
}

func hostOf(addr string) string {
	h, _, _ := net.SplitHostPort(addr)
	return h
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
