// Package handshake names why a TLS handshake on the mTLS listener failed. The
// reasons are a fixed set, so that the metrics label every failure with one of
// them and an operator can alert on each; crypto/tls reports most failures only in
// its messages, so Classify reads types first and messages last.
package handshake

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// Reason is why a handshake failed: one of the constants below, never anything else.
type Reason string

// The reasons. The first five are clients the server refused (logged at info); the
// rest are scanners, timeouts and hang-ups (logged at debug, so they cannot flood
// the log).
const (
	NoCertificate         Reason = "no_certificate"
	UntrustedCertificate  Reason = "untrusted_certificate"
	UnparsableCertificate Reason = "unparsable_certificate"
	TooManyCertificates   Reason = "too_many_certificates"
	BadSignature          Reason = "bad_signature"
	ClientAlert           Reason = "client_alert"
	Timeout               Reason = "timeout"
	Closed                Reason = "closed"
	NotTLS                Reason = "not_tls"
	Protocol              Reason = "protocol"
	Other                 Reason = "other"
)

// Reasons lists every reason, in the order the metrics have always listed them.
var Reasons = []Reason{
	NoCertificate, UntrustedCertificate, UnparsableCertificate, TooManyCertificates, BadSignature,
	ClientAlert, Timeout, Closed, NotTLS, Protocol, Other,
}

// Refused reports whether the reason is the server refusing a client's
// certificate, which an operator wants to see, rather than noise.
func (r Reason) Refused() bool {
	switch r {
	case NoCertificate, UntrustedCertificate, UnparsableCertificate, TooManyCertificates, BadSignature:
		return true
	}
	return false
}

// Rejection is the server refusing a handshake (from tls.Config.VerifyConnection);
// its text is what the log shows.
type Rejection struct {
	Reason Reason
	Msg    string
}

func (r *Rejection) Error() string { return "mtlsplay: " + string(r.Reason) + ": " + r.Msg }

// Classify names the reason of a failed handshake's error.
func Classify(err error) Reason {
	var rej *Rejection
	var re tls.RecordHeaderError
	var oe *net.OpError
	var ne net.Error
	switch {
	case errors.As(err, &rej):
		return rej.Reason
	case errors.As(err, &re):
		return NotTLS
	case errors.As(err, &oe) && oe.Op == "remote error":
		return ClientAlert
	case errors.As(err, &ne) && ne.Timeout():
		return Timeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return Closed
	}
	return classifyMessage(err.Error())
}

// classifyMessage names the reason of a handshake error that has no type to tell it
// by: crypto/tls reports these only in its messages.
func classifyMessage(msg string) Reason {
	for _, r := range []struct {
		substr string
		reason Reason
	}{
		{"didn't provide a certificate", NoCertificate},
		{"failed to parse client certificate", UnparsableCertificate},
		{"invalid signature by the client certificate", BadSignature},
		{"remote error: tls:", ClientAlert},
		{"i/o timeout", Timeout},
		{"EOF", Closed},
		{"connection reset", Closed},
		{"broken pipe", Closed},
		{"use of closed network connection", Closed},
		{"HTTP request to an HTTPS server", NotTLS},
		{"does not look like a TLS handshake", NotTLS},
		{"unsupported versions", Protocol},
		{"protocol version", Protocol},
		{"no cipher suite", Protocol},
		{"no mutually supported", Protocol},
		{"unexpected message", Protocol},
	} {
		if strings.Contains(msg, r.substr) {
			return r.reason
		}
	}
	return Other
}
