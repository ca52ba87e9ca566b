package echo

import (
	"crypto/tls"
	"fmt"

	"github.com/mtlsplay/mtlsplay/server/certcache"
	"github.com/mtlsplay/mtlsplay/server/config"
	"github.com/mtlsplay/mtlsplay/server/handshake"
)

// echoTLSConfig is the mTLS listener's configuration.
//
// Report mode requests a certificate but does not require one, and checks nothing
// in the handshake, so that every decision code reaches the response. Strict mode
// requires a certificate that one of the configured bundles trusts, as a production
// gateway does; the per-client decision still runs after the handshake.
//
// No acceptable-CA list is sent unless tls.ca_names asks for it: clients that
// filter their certificates by it (Go's among them) silently send none when the
// issuer is not listed, and the echo reports 4017 where the truth is 4018. With
// it, the subjects of the bundles' CAs are listed (ClientCAs only names them here:
// neither mode has crypto/tls verify against them), and Chromium sends a
// certificate's issuing CAs with it, which it leaves out for a server that names none.
//
// Key exchange is X25519 (P-256 as a fallback): the hybrid post-quantum exchanges
// that Go offers by default cost about a fifth more CPU per handshake; the config's
// tls.post_quantum turns them back on.
//
// TLS 1.2 cipher suites are Mozilla's "intermediate" server profile (tls12Suites);
// TLS 1.3's are not configurable in Go, and all of them are acceptable.
func (s *Server) tlsConfig() *tls.Config {
	cfg := &tls.Config{
		Certificates: []tls.Certificate{s.cfg.ServerCert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: tls12Suites,
		ClientAuth:   tls.RequestClientCert,
		ClientCAs:    s.cfg.AcceptableCAs,
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
	if s.cfg.Mode == config.ModeStrict {
		cfg.ClientAuth = tls.RequireAnyClientCert
		cfg.VerifyConnection = s.verifyStrict
	}
	return cfg
}

// tls12Suites are Mozilla's "intermediate" TLS 1.2 suites that Go implements
// (https://wiki.mozilla.org/Security/Server_Side_TLS; its DHE suites Go has not):
// forward-secret ECDHE key exchange with an AEAD cipher, for ECDSA and RSA server
// certificates. Go's defaults also take ECDHE with CBC, which is neither AEAD nor
// free of padding-oracle history. Go picks among them by its own preference order.
var tls12Suites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// MaxPresented bounds the certificates a client may present, as the engine bounds
// a pasted chain: each is parsed and kept, so a longer chain is refused outright.
const MaxPresented = 16

// verifyReport checks only what report mode cannot report: a chain too long to
// look at.
func (s *Server) verifyReport(cs tls.ConnectionState) error {
	if n := len(cs.PeerCertificates); n > MaxPresented {
		return &handshake.Rejection{Reason: handshake.TooManyCertificates, Msg: fmt.Sprintf("the client presented %d certificates; at most %d are looked at", n, MaxPresented)}
	}
	return nil
}

// verifyStrict fails the handshake unless the client presented a chain that one of
// the configured bundles trusts for client authentication. It also runs on resumed
// sessions, with the certificates of the original handshake.
func (s *Server) verifyStrict(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return &handshake.Rejection{Reason: handshake.NoCertificate, Msg: "the client presented no certificate"}
	}
	if err := s.verifyReport(cs); err != nil {
		return err
	}
	chain, err := s.certs.Chain(cs.PeerCertificates)
	if err != nil {
		return &handshake.Rejection{Reason: handshake.UnparsableCertificate, Msg: err.Error()}
	}
	res := s.chains.Verify(certcache.Views(chain), s.cfg.Bundles, s.decisionTime())
	if !res.OK {
		msg := "no configured bundle trusts the chain"
		if res.Failure != nil {
			msg = res.Failure.Message
		}
		return &handshake.Rejection{Reason: handshake.UntrustedCertificate, Msg: msg}
	}
	s.certs.Keep(chain) // only now: a chain refused in the handshake leaves nothing behind
	return nil
}
