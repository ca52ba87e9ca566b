package handshake

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want Reason
	}{
		{"rejection", fmt.Errorf("tls: %w", &Rejection{UntrustedCertificate, "no bundle"}), UntrustedCertificate},
		{"record header", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, NotTLS},
		{"alert", &net.OpError{Op: "remote error", Err: errors.New("tls: bad certificate")}, ClientAlert},
		{"timeout", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, Timeout},
		{"eof", io.EOF, Closed},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, Closed},
		{"no certificate", errors.New("tls: client didn't provide a certificate"), NoCertificate},
		{"unparsable", errors.New("tls: failed to parse client certificate: x509: malformed"), UnparsableCertificate},
		{"bad signature", errors.New("tls: invalid signature by the client certificate: crypto/rsa: verification error"), BadSignature},
		{"version", errors.New("tls: client offered only unsupported versions: [302]"), Protocol},
		{"anything else", errors.New("tls: something new"), Other},
	} {
		if got := Classify(tc.err); got != tc.want {
			t.Errorf("%s: Classify(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestReasonsAreTheSet(t *testing.T) {
	seen := map[Reason]bool{}
	for _, r := range Reasons {
		if seen[r] {
			t.Errorf("reason %q listed twice", r)
		}
		seen[r] = true
	}
	for _, r := range []Reason{NoCertificate, UntrustedCertificate, UnparsableCertificate, TooManyCertificates, BadSignature} {
		if !r.Refused() {
			t.Errorf("%q.Refused() = false, want true", r)
		}
	}
	if Timeout.Refused() || Closed.Refused() {
		t.Errorf("timeouts and hang-ups count as refused clients")
	}
}
