package trust

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
)

// Bundle is a truststore: one PEM file of CA certificates that a client's chains
// must lead to. Its certificate pool is built once, so verifying against it costs
// no parsing per request.
type Bundle struct {
	Name     string
	Certs    []*certinfo.Certificate // every certificate, in file order (duplicates too, so indexes match Warnings)
	Warnings []Warning

	pool    *x509.CertPool
	anchors map[*x509.Certificate]*certinfo.Certificate // what is in pool, to name bundle certificates in explanations
}

// Warning is something wrong with a bundle that does not stop it being used, as
// AWS API Gateway reports truststore warnings.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Cert    int    `json:"cert"` // index of the certificate in the bundle, 0-based
}

// Warning codes, stable for JSON and tests.
const (
	WarnNotCA       = "not_ca"
	WarnExpired     = "expired"
	WarnNotYetValid = "not_yet_valid"
	WarnDuplicate   = "duplicate"
	WarnUnparsable  = "unparsable"
)

// ParseBundle reads a bundle of one or more PEM certificates. name is how messages
// refer to it (a file name). now is the time the CA certificates' validity is
// judged at, for the warnings only: an expired CA stays in the bundle, because a
// server would load it too and then fail every chain through it.
//
// Errors are *certinput.Error: input that is not certificates (garbage, a private
// key), or a bundle with no certificate at all.
func ParseBundle(name string, data []byte, now time.Time) (*Bundle, error) {
	blocks, err := certinput.DecodeBundle(name, data)
	if err != nil {
		return nil, err
	}
	if len(blocks) == 0 {
		return nil, &certinput.Error{Source: name, Kind: certinput.KindNoCertificate, Msg: "no certificate: a bundle must hold at least one CA certificate (PEM)"}
	}
	b := &Bundle{
		Name:     name,
		Certs:    make([]*certinfo.Certificate, 0, len(blocks)),
		Warnings: []Warning{},
		pool:     x509.NewCertPool(),
		anchors:  make(map[*x509.Certificate]*certinfo.Certificate, len(blocks)),
	}
	seen := make(map[string]int, len(blocks))
	var parser certinfo.Parser
	for i, blk := range blocks {
		c, err := parser.Parse(blk.DER)
		if err != nil {
			return nil, &certinput.Error{Source: name, Where: blk.Where, Kind: certinput.KindNotCert, Msg: err.Error()}
		}
		b.Certs = append(b.Certs, c)
		warn := func(code, format string, args ...any) {
			b.Warnings = append(b.Warnings, Warning{Code: code, Cert: i, Message: fmt.Sprintf("certificate %d (%s) ", i+1, dn(c)) + fmt.Sprintf(format, args...)})
		}
		if first, dup := seen[c.SHA256]; dup {
			warn(WarnDuplicate, "is a duplicate of certificate %d (same SHA-256)", first+1)
			continue
		}
		seen[c.SHA256] = i
		x := c.X509()
		if x == nil {
			warn(WarnUnparsable, "is rejected by crypto/x509 and cannot anchor a chain: %s", strings.Join(c.Problems, "; "))
			continue
		}
		switch {
		case !x.BasicConstraintsValid:
			warn(WarnNotCA, "is not a CA certificate (it has no basic constraints); a truststore should hold CA certificates")
		case !x.IsCA:
			warn(WarnNotCA, "is not a CA certificate (basic constraints CA:FALSE); a truststore should hold CA certificates")
		}
		if now.After(x.NotAfter) {
			warn(WarnExpired, "expired at %s, %s before %s; chains through it fail", FormatTime(x.NotAfter), FormatSpan(now.Sub(x.NotAfter)), FormatTime(now))
		} else if now.Before(x.NotBefore) {
			warn(WarnNotYetValid, "is not yet valid: it starts at %s, %s after %s; chains through it fail until then", FormatTime(x.NotBefore), FormatSpan(x.NotBefore.Sub(now)), FormatTime(now))
		}
		b.pool.AddCert(x)
		b.anchors[x] = c
	}
	return b, nil
}

// Pool returns the bundle's certificates as a pool, for a tls.Config's ClientCAs.
// It is shared: do not add to it.
func (b *Bundle) Pool() *x509.CertPool { return b.pool }

// FormatTime formats a time as every message of mtlsplay shows it: RFC 3339 in UTC.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// FormatSpan says how long d is in the unit a person thinks in: days, else hours.
func FormatSpan(d time.Duration) string {
	switch days, hours := int(d/(24*time.Hour)), int(d/time.Hour); {
	case days == 1:
		return "1 day"
	case days > 1:
		return fmt.Sprintf("%d days", days)
	case hours == 1:
		return "1 hour"
	case hours > 1:
		return fmt.Sprintf("%d hours", hours)
	}
	return "less than an hour"
}

// dn is a certificate's subject for messages; an empty subject says so.
func dn(c *certinfo.Certificate) string {
	if c.Subject.DN == "" {
		return "empty subject"
	}
	return c.Subject.DN
}
