package diagnose

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// ExpiryWarning is how long before notAfter a certificate gets an expires_soon
// finding: platforms publish certificates with a fixed end date and ask users to set
// a reminder; a month leaves time to get a new one through a partner's process.
const ExpiryWarning = 30 * 24 * time.Hour

// MinRSABits is the smallest RSA key without a finding: OpenSSL's default security
// level 2 on current Linux distributions refuses smaller keys ("ee key too small").
const MinRSABits = 2048

// Findings lists what is wrong with, or worth knowing about, presented (a chain as a
// client sends it, leaf first), errors first, then warnings, then info. now is when
// validity is judged (zero means the current time).
//
// bundles are the truststores the chain will be verified against. With none (nil
// or empty), findings that depend on them are skipped: whether the leaf's issuer is
// missing can only be told against a truststore. Findings never decides whether the
// chain is trusted; trust.Verify does.
func Findings(presented []*certinfo.Certificate, bundles []*trust.Bundle, now time.Time) []Finding {
	if now.IsZero() {
		now = time.Now()
	}
	d := &diag{presented: presented, now: now, out: []Finding{}}
	for _, b := range bundles {
		if b != nil {
			d.bundles = append(d.bundles, b)
		}
	}
	if len(presented) == 0 || presented[0] == nil {
		return d.out
	}
	d.findDuplicates()
	d.leafAt = LeafIndex(presented)
	for i, c := range presented {
		if c == nil || d.dup[i] >= 0 {
			continue
		}
		d.certificate(i, c)
	}
	d.leaf(d.leafAt, presented[d.leafAt])
	d.chain()
	rank := map[Severity]int{Error: 0, Warning: 1, Info: 2}
	slices.SortStableFunc(d.out, func(a, b Finding) int { return rank[a.Severity] - rank[b.Severity] })
	return d.out
}

// diag carries one Findings call.
type diag struct {
	presented []*certinfo.Certificate
	bundles   []*trust.Bundle
	now       time.Time
	dup       []int // for each presented certificate, the index of its first copy, or -1
	leafAt    int   // the client certificate's index (LeafIndex): 0 unless pasted after its issuer
	out       []Finding
}

func (d *diag) add(id string, sev Severity, cert int, fix, format string, args ...any) {
	d.out = append(d.out, Finding{ID: id, Severity: sev, Cert: cert, Message: fmt.Sprintf(format, args...), Fix: fix})
}

// certificate makes the checks that concern one certificate on its own.
func (d *diag) certificate(i int, c *certinfo.Certificate) {
	d.malformed(i, c)
	d.deceptive(i, c)
	d.criticalExtensions(i, c)
	d.validity(i, c)
	if weakSignature(c.SignatureAlgorithm) && (i == d.leafAt || !selfSigned(c)) {
		// A root's signature on itself is never checked; anything else's is.
		d.add(WeakSignature, Error, i, "reissue the certificate with a SHA-256 (or stronger) signature",
			"%s is signed with %s, which crypto/x509 no longer accepts and OpenSSL 3 refuses at its default security level", who(i, c), c.SignatureAlgorithm)
	}
	if (c.PublicKey.Algorithm == "RSA" || c.PublicKey.Algorithm == "RSA-PSS") && c.PublicKey.Bits > 0 && c.PublicKey.Bits < MinRSABits {
		also := ""
		if c.PublicKey.Bits < 1024 {
			also = ", and crypto/x509 rejects keys below 1024 bits"
		}
		d.add(WeakRSAKey, Error, i, "reissue the certificate with an RSA key of at least 2048 bits, or an ECDSA P-256 key",
			"%s has a %d-bit RSA key; OpenSSL at security level 2 (the default on current Debian, Ubuntu and RHEL) rejects keys below %d bits%s", who(i, c), c.PublicKey.Bits, MinRSABits, also)
	}
}

// leaf makes the checks that concern the client certificate itself, certificate i.
func (d *diag) leaf(i int, c *certinfo.Certificate) {
	if i > 0 {
		first := d.presented[0]
		d.add(LeafNotFirst, Error, i, fmt.Sprintf("put certificate %d first, then each issuer in turn (cat client.pem intermediate.pem > chain.pem): the client certificate must be the first one sent", i+1),
			"the leaf is %s, but %s, a CA, comes first: a server takes the first certificate as the client certificate (and curl or a TLS library refuses a key that does not match it)", who(i, c), who(0, first))
	}
	if !allowsClientAuth(c) {
		d.add(NoClientAuthEKU, Error, i, "reissue the client certificate with extended key usage clientAuth (OpenSSL: extendedKeyUsage = clientAuth), or with no extended key usage at all",
			"%s does not allow clientAuth: its extended key usage is %s", who(i, c), ekuList(c))
	}
	if c.IsCA {
		d.add(CAAsClientCert, Warning, i, "present the client certificate this CA issued, with that certificate's key; if the CA certificate is meant as the client's identity, issue a leaf with CA:FALSE instead",
			"%s is a CA certificate (basic constraints CA:TRUE), not a client certificate; it is often the wrong file, and servers that follow RFC 5280 may refuse a CA key for client authentication", who(i, c))
	}
	if selfSigned(c) {
		if b := d.bundleHolding(c); b != nil {
			d.add(SelfSignedLeaf, Info, i, "nothing, if pinning is intended; a certificate from a CA scales better, since replacing a pinned certificate means updating every truststore that holds it",
				"%s is self-signed and pinned in bundle %s: it is trusted only as itself", who(i, c), b.Name)
		} else {
			d.add(SelfSignedLeaf, Warning, i, "use a certificate issued by a CA the server trusts, or add this exact certificate to the server's truststore (pinning)",
				"%s is self-signed: only a server that holds this exact certificate in its truststore accepts it", who(i, c))
		}
	}
	if !hasExtension(c, oidSAN) || len(c.SANEntries) == 0 {
		if c.Subject.CN == "" {
			d.add(NoSAN, Warning, i, "reissue the certificate with a subjectAltName (DNS, URI or email) or at least a CN that names the client",
				"%s has no subjectAltName and no CN: nothing in it names the client", who(i, c))
		} else {
			d.add(NoSAN, Info, i, "match on CN or DN in rules, or reissue the certificate with a subjectAltName (a DNS name, a URI such as a SPIFFE ID, or an email address)",
				"%s has no subjectAltName: its only identity is the subject CN, so rules and servers that match SAN entries find none", who(i, c))
		}
	}
}

// validity reports a certificate outside its validity window, or about to leave it.
func (d *diag) validity(i int, c *certinfo.Certificate) {
	if c.NotBefore.IsZero() || c.NotAfter.IsZero() {
		return // a malformed time is a Problem, reported by malformed
	}
	switch {
	case d.now.After(c.NotAfter):
		d.add(Expired, Error, i, "renew the certificate and deploy the new one (with its chain) everywhere this one is used; set a reminder well before the new one's end date",
			"%s expired at %s, %s before %s", who(i, c), trust.FormatTime(c.NotAfter), trust.FormatSpan(d.now.Sub(c.NotAfter)), trust.FormatTime(d.now))
	case d.now.Before(c.NotBefore):
		d.add(NotYetValid, Error, i, "wait until it starts, or check the clock of the machine that issued it and of the server (a wrong clock is the usual cause)",
			"%s is not yet valid: it starts at %s, %s after %s", who(i, c), trust.FormatTime(c.NotBefore), trust.FormatSpan(c.NotBefore.Sub(d.now)), trust.FormatTime(d.now))
	case c.NotAfter.Sub(d.now) <= ExpiryWarning:
		d.add(ExpiresSoon, Warning, i, fmt.Sprintf("renew it before %s and deploy the new certificate (with its chain) to every client that uses it", c.NotAfter.UTC().Format(time.DateOnly)),
			"%s expires at %s, in %s", who(i, c), trust.FormatTime(c.NotAfter), trust.FormatSpan(c.NotAfter.Sub(d.now)))
	}
}

// malformed reports certinfo's Problems: the subjectAltName ones as malformed_san,
// the rest as malformed_certificate. crypto/x509's rejection of a bad SAN value
// belongs to the SAN finding rather than a second one.
func (d *diag) malformed(i int, c *certinfo.Certificate) {
	var san, other []string
	rejected := ""
	for _, p := range c.Problems {
		switch {
		case strings.HasPrefix(p, "SAN ") || strings.HasPrefix(p, "SAN:") || strings.HasPrefix(p, "subjectAltName"):
			san = append(san, p)
		case strings.HasPrefix(p, "crypto/x509 rejects it: "):
			rejected = strings.TrimPrefix(strings.TrimPrefix(p, "crypto/x509 rejects it: "), "x509: ")
		default:
			other = append(other, p)
		}
	}
	sanRejected := rejected != "" && len(san) > 0 && mentionsSAN(rejected)
	if len(san) > 0 {
		sev, tail := Warning, "; crypto/x509 accepts the certificate, stricter parsers may not"
		if sanRejected {
			sev, tail = Error, "; crypto/x509 rejects the certificate ("+rejected+"), so a Go server fails the handshake"
		} else if c.X509() == nil {
			sev, tail = Error, ""
		}
		d.add(MalformedSAN, sev, i, "reissue the certificate with well-formed subjectAltName values (percent-encode spaces in URIs, ASCII only in DNS names and email addresses, 4 or 16 bytes for an IP address)",
			"%s has a malformed subjectAltName: %s%s", who(i, c), strings.Join(san, "; "), tail)
	}
	if rejected != "" && !sanRejected {
		other = append(other, "crypto/x509 rejects it: "+rejected)
	}
	if len(other) > 0 {
		sev := Warning
		if c.X509() == nil {
			sev = Error
		}
		d.add(MalformedCertificate, sev, i, "reissue the certificate with a tool that writes valid DER (OpenSSL, cfssl, step, crypto/x509)",
			"%s is malformed: %s", who(i, c), strings.Join(other, "; "))
	}
}

func mentionsSAN(s string) bool {
	for _, w := range []string{"URI", "SAN", "subject alternative", "DNS name", "email", "IP address"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// criticalExtensions reports critical extensions that crypto/x509 does not handle:
// it rejects such a certificate, and so do most stacks for extensions they do not
// know. crypto/x509's own list is used when it parsed the certificate.
func (d *diag) criticalExtensions(i int, c *certinfo.Certificate) {
	var names []string
	if x := c.X509(); x != nil {
		for _, oid := range x.UnhandledCriticalExtensions {
			names = append(names, extensionName(oid.String(), c))
		}
	} else {
		for _, e := range c.Extensions {
			if e.Critical && !handledByGo(e.OID, c) {
				names = append(names, extensionName(e.OID, c))
			}
		}
	}
	if len(names) == 0 {
		return
	}
	fix := "reissue the certificate without the critical flag on that extension, or without the extension"
	if len(names) == 1 && strings.HasPrefix(names[0], "subjectAltName") {
		fix = "reissue the certificate with a DNS, email or URI entry in the subjectAltName, or with the extension not marked critical"
	}
	d.add(UnhandledCriticalExtension, Error, i, fix,
		"%s has a critical extension that crypto/x509 does not handle: %s", who(i, c), strings.Join(names, ", "))
}

// handledOIDs are the extensions crypto/x509 processes (parser.go, processExtensions):
// a critical one of these is fine, any other critical extension is not.
var handledOIDs = map[string]bool{
	"2.5.29.14": true, "2.5.29.15": true, "2.5.29.17": true, "2.5.29.19": true,
	"2.5.29.30": true, "2.5.29.31": true, "2.5.29.32": true, "2.5.29.33": true,
	"2.5.29.35": true, "2.5.29.36": true, "2.5.29.37": true, "2.5.29.54": true,
	"1.3.6.1.5.5.7.1.1": true, // authorityInfoAccess
}

const (
	oidSAN = "2.5.29.17"
	oidEKU = "2.5.29.37"
)

// handledByGo says whether crypto/x509 handles a critical extension; used only for
// certificates it refused to parse, where its own list is not available.
func handledByGo(oid string, c *certinfo.Certificate) bool {
	if oid == oidSAN {
		s := c.SAN
		return len(s.DNS)+len(s.Email)+len(s.IP)+len(s.URI) > 0
	}
	return handledOIDs[oid]
}

// extensionName names an extension as trust's messages do.
func extensionName(oid string, c *certinfo.Certificate) string {
	if oid == oidSAN {
		return "subjectAltName (2.5.29.17) with no DNS, email, IP or URI entry"
	}
	for _, e := range c.Extensions {
		if e.OID == oid && e.Name != "" {
			return e.Name + " (" + oid + ")"
		}
	}
	return oid
}

func weakSignature(alg string) bool {
	return strings.Contains(alg, "SHA1") || strings.Contains(alg, "MD5") || strings.Contains(alg, "MD2")
}

func hasExtension(c *certinfo.Certificate, oid string) bool {
	for _, e := range c.Extensions {
		if e.OID == oid {
			return true
		}
	}
	return false
}

// allowsClientAuth mirrors crypto/x509: no EKU extension means any usage.
func allowsClientAuth(c *certinfo.Certificate) bool {
	if !hasExtension(c, oidEKU) {
		return true
	}
	return slices.Contains(c.ExtKeyUsage, "clientAuth") || slices.Contains(c.ExtKeyUsage, "anyExtendedKeyUsage")
}

func ekuList(c *certinfo.Certificate) string {
	if len(c.ExtKeyUsage) == 0 {
		return "empty"
	}
	return strings.Join(c.ExtKeyUsage, ", ")
}

// selfSigned is a certificate whose issuer is itself: the same name, and the same
// key id where both are given. The signature is not checked; a self-issued
// certificate with a foreign key id is an intermediate of a renamed CA, not a root.
func selfSigned(c *certinfo.Certificate) bool {
	return c.SelfIssued && (c.AuthorityKeyID == "" || c.SubjectKeyID == "" || c.AuthorityKeyID == c.SubjectKeyID)
}

// who names a presented certificate as trust's messages do: numbered from 1, as the
// page and the CLI number them; Finding.Cert keeps the 0-based index.
func who(i int, c *certinfo.Certificate) string {
	return fmt.Sprintf("certificate %d (%s)", i+1, dn(c))
}

// dn is a certificate's subject DN as messages quote it (see visible).
func dn(c *certinfo.Certificate) string {
	if c.Subject.DN == "" {
		return "empty subject"
	}
	return visible(c.Subject.DN)
}
