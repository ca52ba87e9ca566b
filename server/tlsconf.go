package main

import (
	"crypto/tls"
	"fmt"
	"log"
	"strings"
)

// echoTLSConfig is the mTLS listener's configuration.
//
// Report mode requests a certificate but does not require one, and checks nothing
// in the handshake, so that every decision code reaches the response. Strict mode
// requires a certificate that one of the configured bundles trusts, as a production
// gateway does; the per-client decision still runs after the handshake.
//
// No acceptable-CA list is sent: clients that filter their certificates by it (Go's
// among them) would silently send none when the issuer is not listed, and the echo
// would report 4017 where the truth is 4018.
//
// Key exchange is X25519 (P-256 as a fallback): the hybrid post-quantum exchanges
// that Go offers by default cost about a fifth more CPU per handshake; the config's
// tls.post_quantum turns them back on.
func (s *server) echoTLSConfig() *tls.Config {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{s.cfg.ServerCert},
		MinVersion:   tls.VersionTLS12,
		ClientAuth:   tls.RequestClientCert,
		NextProtos:   []string{"h2", "http/1.1", "http/1.0"},
		Time:         s.now,
		// Full-size records from the first byte: the echo's response is ~13 KB,
		// which the default slow start would split into a dozen records, each its
		// own write(2). Latency on lossy links, which slow start helps, is not this
		// endpoint's concern.
		DynamicRecordSizingDisabled: true,
	}
	if !s.cfg.PostQuantum {
		cfg.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
	}
	cfg.VerifyConnection = s.verifyReport
	if s.cfg.Mode == modeStrict {
		cfg.ClientAuth = tls.RequireAnyClientCert
		cfg.VerifyConnection = s.verifyStrict
	}
	return cfg
}

// maxPresented bounds the certificates a client may present, as the engine bounds
// a pasted chain: each is parsed and kept, so a longer chain is refused outright.
const maxPresented = 16

// verifyReport checks only what report mode cannot report: a chain too long to
// look at.
func (s *server) verifyReport(cs tls.ConnectionState) error {
	if n := len(cs.PeerCertificates); n > maxPresented {
		return &rejection{"too_many_certificates", fmt.Sprintf("the client presented %d certificates; at most %d are looked at", n, maxPresented)}
	}
	return nil
}

// rejection is why strict mode failed a handshake; its text is what the log shows.
type rejection struct {
	reason string // a handshake failure reason for the metrics
	msg    string
}

func (r *rejection) Error() string { return "mtlsplay: " + r.reason + ": " + r.msg }

// verifyStrict fails the handshake unless the client presented a chain that one of
// the configured bundles trusts for client authentication. It also runs on resumed
// sessions, with the certificates of the original handshake.
func (s *server) verifyStrict(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &rejection{"no_certificate", "the client presented no certificate"}
	}
	if err := s.verifyReport(cs); err != nil {
		return err
	}
	chain, err := s.certs.chain(cs.PeerCertificates)
	if err != nil {
		return &rejection{"unparsable_certificate", err.Error()}
	}
	res := s.chains.Verify(views(chain), s.cfg.Bundles, s.decisionTime())
	if !res.OK {
		msg := "no configured bundle trusts the chain"
		if res.Failure != nil {
			msg = res.Failure.Message
		}
		return &rejection{"untrusted_certificate", msg}
	}
	return nil
}

// classifyHandshakeError names the reason of a handshake error that has no type to
// tell it by: crypto/tls reports these only in its messages.
func classifyHandshakeError(msg string) string {
	for _, r := range []struct{ substr, reason string }{
		{"didn't provide a certificate", "no_certificate"},
		{"failed to parse client certificate", "unparsable_certificate"},
		{"invalid signature by the client certificate", "bad_signature"},
		{"remote error: tls:", "client_alert"},
		{"i/o timeout", "timeout"},
		{"EOF", "closed"},
		{"connection reset", "closed"},
		{"broken pipe", "closed"},
		{"use of closed network connection", "closed"},
		{"HTTP request to an HTTPS server", "not_tls"},
		{"does not look like a TLS handshake", "not_tls"},
		{"unsupported versions", "protocol"},
		{"protocol version", "protocol"},
		{"no cipher suite", "protocol"},
		{"no mutually supported", "protocol"},
		{"unexpected message", "protocol"},
	} {
		if strings.Contains(msg, r.substr) {
			return r.reason
		}
	}
	return "other"
}

// serverLog receives net/http's own log lines (a handler panic, a broken HTTP/2
// connection): they become warnings in the structured log.
type serverLog struct {
	s        *server
	listener string
}

func newServerLog(s *server, listener string) *log.Logger {
	return log.New(&serverLog{s: s, listener: listener}, "", 0)
}

func (l *serverLog) Write(p []byte) (int, error) {
	l.s.log.Warn("http server", "listener", l.listener, "message", strings.TrimSpace(string(p)))
	return len(p), nil
}
