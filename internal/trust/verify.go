package trust

import (
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// Result is the outcome of verifying a presented chain: which bundles were tried,
// which one verified and the chain it found, or the one failure that explains why
// none did.
type Result struct {
	OK      bool        `json:"ok"`
	Bundle  string      `json:"bundle,omitempty"` // name of the bundle that verified
	Chain   []ChainCert `json:"chain,omitempty"`  // the verified chain, leaf to root
	Tried   []Attempt   `json:"tried"`            // bundles in the order tried; empty when the chain failed before any bundle mattered
	Failure *Failure    `json:"failure,omitempty"`
}

// ChainCert is one certificate of a verified chain.
type ChainCert struct {
	SHA256  string `json:"sha256"`
	Subject string `json:"subject"`
}

// Attempt is one bundle tried, and why it did not verify the chain.
type Attempt struct {
	Bundle string `json:"bundle"`
	OK     bool   `json:"ok"`
	Kind   Kind   `json:"kind,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// Kind classifies a verification failure.
type Kind string

// Failure kinds, stable for JSON and tests.
const (
	UnknownIssuer     Kind = "unknown_issuer"
	Expired           Kind = "expired"
	NotYetValid       Kind = "not_yet_valid"
	ExtKeyUsage       Kind = "ext_key_usage"
	CriticalExtension Kind = "critical_extension"
	Unparsable        Kind = "unparsable"
	Signature         Kind = "signature"
	NameConstraints   Kind = "name_constraints"
	Other             Kind = "other"
)

// Failure is why a chain is not trusted, pinned on one certificate.
type Failure struct {
	Kind    Kind   `json:"kind"`
	Cert    int    `json:"cert"`    // index in the presented chain; -1 for a bundle certificate or no certificate
	Subject string `json:"subject"` // that certificate's subject DN
	Message string `json:"message"` // one lower-case line that names the certificate and the cause

	// For unknown_issuer: the issuer name and authority key id (uppercase hex)
	// that no bundle and no presented certificate provides.
	MissingIssuer string `json:"missing_issuer,omitempty"`
	MissingKeyID  string `json:"missing_key_id,omitempty"`

	// notIn rewrites an unknown_issuer message for other bundles ("bundles a, b").
	notIn func(bundles string) string
}

var clientAuth = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}

// Verify verifies presented (leaf first, as sent) for client authentication at now,
// trying each bundle in turn with only that bundle's certificates as roots and
// presented[1:] as intermediates, and stops at the first that verifies. A zero now
// means the current time.
//
// Checks that do not depend on the bundle come first, in the order crypto/x509
// makes them, so that the reason given is the one a server would give: every
// presented certificate must parse (a Go TLS server rejects the handshake
// otherwise), then the leaf's critical extensions and validity.
func Verify(presented []*certinfo.Certificate, bundles []*Bundle, now time.Time) Result {
	if now.IsZero() {
		now = time.Now()
	}
	res := Result{Tried: []Attempt{}}
	fail := func(f *Failure) Result {
		res.Failure = f
		return res
	}
	if len(presented) == 0 {
		return fail(&Failure{Kind: Other, Cert: -1, Message: "no certificate was presented"})
	}
	for i, c := range presented {
		if c == nil {
			return fail(&Failure{Kind: Other, Cert: i, Message: fmt.Sprintf("certificate %d is missing", i+1)})
		}
		if c.X509() == nil {
			problems := strings.Join(c.Problems, "; ")
			if problems == "" {
				problems = "crypto/x509 cannot parse it"
			}
			return fail(&Failure{Kind: Unparsable, Cert: i, Subject: c.Subject.DN, Message: fmt.Sprintf("certificate %d (%s) cannot be verified: %s", i+1, dn(c), problems)})
		}
	}
	v := &verifier{presented: presented, now: now}
	leaf := v.node(presented[0].X509(), nil)
	if f := v.checkCert(leaf); f != nil {
		return fail(f)
	}
	if len(bundles) == 0 {
		return fail(&Failure{Kind: Other, Cert: -1, Message: "no truststore bundle is selected, so no chain can be trusted"})
	}

	opts := x509.VerifyOptions{KeyUsages: clientAuth, CurrentTime: now}
	if len(presented) > 1 {
		opts.Intermediates = x509.NewCertPool()
		for _, c := range presented[1:] {
			opts.Intermediates.AddCert(c.X509())
		}
	}
	var failures []*Failure
	var failedBundles []*Bundle
	for _, b := range bundles {
		if b == nil {
			continue
		}
		opts.Roots = b.pool
		chains, err := leaf.x.Verify(opts)
		if err == nil {
			res.OK = true
			res.Bundle = b.Name
			res.Tried = append(res.Tried, Attempt{Bundle: b.Name, OK: true})
			res.Chain = v.describe(chains[0], b)
			return res
		}
		f := v.explain(err, b, opts)
		res.Tried = append(res.Tried, Attempt{Bundle: b.Name, Kind: f.Kind, Reason: f.Message})
		failures = append(failures, f)
		failedBundles = append(failedBundles, b)
	}
	if len(failures) == 0 {
		return fail(&Failure{Kind: Other, Cert: -1, Message: "no truststore bundle is selected, so no chain can be trusted"})
	}
	f := *pick(failures, failedBundles)
	f.notIn = nil // keep the Failure comparable and plain data
	return fail(&f)
}

// pick chooses the failure to report when no bundle verified. A bundle that knew
// the issuer but found something else wrong explains more than one that did not
// know it; when every bundle lacks the same issuer, one message names them all.
func pick(failures []*Failure, bundles []*Bundle) *Failure {
	for _, f := range failures {
		if f.Kind != UnknownIssuer {
			return f
		}
	}
	first := failures[0]
	names := []string{bundles[0].Name}
	for i, f := range failures[1:] {
		if f.notIn == nil || first.notIn == nil || f.Cert != first.Cert || f.MissingIssuer != first.MissingIssuer || f.MissingKeyID != first.MissingKeyID {
			return first
		}
		names = append(names, bundles[i+1].Name)
	}
	if first.notIn == nil {
		return first
	}
	merged := *first
	merged.Message = first.notIn(inBundles(names))
	return &merged
}

// inBundles names the bundles tried, as "bundle a.pem" or "bundles a.pem, b.pem".
func inBundles(names []string) string {
	if len(names) == 1 {
		return "bundle " + names[0]
	}
	return "bundles " + strings.Join(names, ", ")
}

// verifier explains a failed verification by walking the chain the way crypto/x509
// builds it, checking at each step what Go checks.
type verifier struct {
	presented []*certinfo.Certificate
	now       time.Time
}

// node is one certificate on the walk: where it came from and its view.
type node struct {
	x      *x509.Certificate
	info   *certinfo.Certificate
	index  int     // in presented; -1 when it comes from the bundle
	bundle *Bundle // the bundle it comes from, when index is -1
}

// who names a certificate in a message, numbered from 1 as the page and the CLI
// number them ("certificate 1 of 2"); Failure.Cert keeps the 0-based index.
func (n node) who() string {
	if n.index >= 0 {
		return fmt.Sprintf("certificate %d (%s)", n.index+1, n.dn())
	}
	return fmt.Sprintf("CA certificate (%s) in bundle %s", n.dn(), n.bundle.Name)
}

func (n node) dn() string {
	if n.info == nil {
		return n.x.Subject.String()
	}
	return dn(n.info)
}

func (n node) subject() string {
	if n.info == nil {
		return n.x.Subject.String()
	}
	return n.info.Subject.DN
}

func (n node) failure(k Kind, format string, args ...any) *Failure {
	return &Failure{Kind: k, Cert: n.index, Subject: n.subject(), Message: n.who() + " " + fmt.Sprintf(format, args...)}
}

// node finds x among the presented certificates, else in b.
func (v *verifier) node(x *x509.Certificate, b *Bundle) node {
	for i, c := range v.presented {
		if c.X509() == x {
			return node{x: x, info: c, index: i}
		}
	}
	if b != nil {
		if info, ok := b.anchors[x]; ok {
			return node{x: x, info: info, index: -1, bundle: b}
		}
	}
	for i, c := range v.presented { // a copy of a presented certificate
		if c.X509().Equal(x) {
			return node{x: x, info: c, index: i}
		}
	}
	return node{x: x, index: -1, bundle: b}
}

func (v *verifier) describe(chain []*x509.Certificate, b *Bundle) []ChainCert {
	out := make([]ChainCert, 0, len(chain))
	for _, x := range chain {
		n := v.node(x, b)
		if n.info != nil {
			out = append(out, ChainCert{SHA256: n.info.SHA256, Subject: n.info.Subject.DN})
		} else {
			out = append(out, ChainCert{SHA256: fingerprint(x.Raw), Subject: x.Subject.String()})
		}
	}
	return out
}

// checkCert makes crypto/x509's per-certificate checks (isValid), in its order:
// critical extensions it does not handle, then validity.
func (v *verifier) checkCert(n node) *Failure {
	if exts := n.x.UnhandledCriticalExtensions; len(exts) > 0 {
		names := make([]string, 0, len(exts))
		for _, oid := range exts {
			names = append(names, extensionName(oid.String(), n.info))
		}
		return n.failure(CriticalExtension, "has a critical extension that crypto/x509 does not handle: %s", strings.Join(names, ", "))
	}
	if v.now.After(n.x.NotAfter) {
		return n.failure(Expired, "expired at %s, %s before %s", FormatTime(n.x.NotAfter), FormatSpan(v.now.Sub(n.x.NotAfter)), FormatTime(v.now))
	}
	if v.now.Before(n.x.NotBefore) {
		return n.failure(NotYetValid, "is not yet valid: it starts at %s, %s after %s", FormatTime(n.x.NotBefore), FormatSpan(n.x.NotBefore.Sub(v.now)), FormatTime(v.now))
	}
	return nil
}

// extensionName names an extension for a message, saying why crypto/x509 leaves a
// critical subjectAltName unhandled.
func extensionName(oid string, c *certinfo.Certificate) string {
	name := ""
	if c != nil {
		for _, e := range c.Extensions {
			if e.OID == oid {
				name = e.Name
				break
			}
		}
	}
	switch {
	case oid == "2.5.29.17":
		return "subjectAltName (2.5.29.17) with no DNS, email, IP or URI entry"
	case name != "":
		return name + " (" + oid + ")"
	}
	return oid
}

// explain turns crypto/x509's error for bundle b into a Failure on the right
// certificate.
func (v *verifier) explain(err error, b *Bundle, opts x509.VerifyOptions) *Failure {
	leaf := v.node(v.presented[0].X509(), nil)
	var invalid x509.CertificateInvalidError
	var unknown x509.UnknownAuthorityError
	var critical x509.UnhandledCriticalExtension
	switch {
	case errors.As(err, &invalid):
		switch invalid.Reason {
		case x509.Expired:
			if f := v.checkCert(v.node(invalid.Cert, b)); f != nil {
				return f
			}
		case x509.IncompatibleUsage:
			if f := v.explainUsage(b, opts); f != nil {
				return f
			}
		case x509.CANotAuthorizedForThisName, x509.CANotAuthorizedForExtKeyUsage, x509.NameConstraintsWithoutSANs, x509.UnconstrainedName, x509.TooManyConstraints:
			return v.explainConstraints(invalid, b)
		}
	case errors.As(err, &unknown):
		if f := v.walk(b); f != nil {
			return f
		}
	case errors.As(err, &critical):
		// The leaf was checked before; Go does not say which issuer it was.
		if f := v.walk(b); f != nil {
			return f
		}
	}
	return leaf.failure(Other, "is not trusted: %s", goError(err))
}

// explainUsage finds the certificate whose extended key usage excludes clientAuth.
// crypto/x509 blames the leaf for any certificate in the chain, so the chain is
// built again with any usage allowed and each certificate looked at, leaf first.
func (v *verifier) explainUsage(b *Bundle, opts x509.VerifyOptions) *Failure {
	opts.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageAny}
	chains, err := v.presented[0].X509().Verify(opts)
	if err != nil {
		return nil
	}
	for _, x := range chains[0] {
		if allowsClientAuth(x) {
			continue
		}
		n := v.node(x, b)
		return n.failure(ExtKeyUsage, "does not allow clientAuth: its extended key usage is %s", usageList(n))
	}
	return nil
}

func allowsClientAuth(x *x509.Certificate) bool {
	if len(x.ExtKeyUsage) == 0 && len(x.UnknownExtKeyUsage) == 0 {
		return true // no EKU: any usage
	}
	for _, u := range x.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

func usageList(n node) string {
	if n.info != nil && len(n.info.ExtKeyUsage) > 0 {
		return strings.Join(n.info.ExtKeyUsage, ", ")
	}
	var s []string
	for _, oid := range n.x.UnknownExtKeyUsage {
		s = append(s, oid.String())
	}
	if len(s) == 0 {
		s = append(s, fmt.Sprint(n.x.ExtKeyUsage))
	}
	return strings.Join(s, ", ")
}

// explainConstraints names the CA whose name constraints the leaf breaks.
func (v *verifier) explainConstraints(invalid x509.CertificateInvalidError, b *Bundle) *Failure {
	leaf := v.node(v.presented[0].X509(), nil)
	detail := goError(errors.New(invalid.Detail))
	if _, after, ok := strings.Cut(detail, "not authorized to sign for this name: "); ok {
		detail = after
	}
	path, _ := v.path(b)
	for _, n := range path[1:] {
		if hasConstraints(n.x) {
			return leaf.failure(NameConstraints, "is outside the name constraints of %s: %s", n.who(), detail)
		}
	}
	return leaf.failure(NameConstraints, "is outside the name constraints of its issuers: %s", detail)
}

func hasConstraints(x *x509.Certificate) bool {
	return len(x.PermittedDNSDomains)+len(x.ExcludedDNSDomains)+len(x.PermittedIPRanges)+len(x.ExcludedIPRanges)+
		len(x.PermittedEmailAddresses)+len(x.ExcludedEmailAddresses)+len(x.PermittedURIDomains)+len(x.ExcludedURIDomains) > 0
}

// goError is a crypto/x509 error as a message fragment, without its package prefix.
func goError(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "x509: ")
	s = strings.TrimPrefix(s, "crypto/x509: ")
	return s
}
