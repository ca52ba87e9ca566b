package gateway

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// TrustVerdict is a gateway's trust decision on a presented chain, beside Go's
// (trust.Verify, which mtlsplay decides with). Behaviour, Error, Reason and
// Option are set only when the verdicts differ (Error only when the gateway
// then refuses).
type TrustVerdict struct {
	Name string `json:"name"`
	OK   bool   `json:"ok"`
	// Differs is true when the gateway's verdict is not Go's.
	Differs bool `json:"differs"`
	// Behaviour names why it differs: partial_chain, leaf_in_bundle,
	// verify_depth, expired_bundle_issuer, expired_sent_issuer, any_eku,
	// key_usage, critical_extension, weak_key (OpenSSL); go_version (Caddy's
	// Go 1.19).
	Behaviour string `json:"behaviour,omitempty"`
	// Error is the gateway's verification error when it refuses: OpenSSL's
	// as nginx logs it ("20:unable to get local issuer certificate"), Go's
	// for Caddy.
	Error   string `json:"error,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Option  string `json:"option,omitempty"` // the config that changes the gateway's verdict, or what to change instead
	Source  Source `json:"source"`
	Version string `json:"version"`
}

// TrustModels lists the gateways whose trust decision is modelled.
func TrustModels() []string { return []string{"workato", "nginx", "haproxy", "caddy"} }

// Trust is gateway name's verdict on presented (leaf first) with bundles as its
// CA file, given Go's result for the same inputs at now. ok is false for a
// gateway with no trust model.
//
// nginx and HAProxy verify with OpenSSL 3.0, which builds one chain, not every
// chain as crypto/x509 does: the model is X509_verify_cert's build_chain
// (trusted first, no partial chains) and its ssl_client purpose. Caddy and
// Workato verify with crypto/x509, so their verdict is Go's, except where Caddy
// 2.6.2's Go 1.19 differs from the Go mtlsplay is built with.
func Trust(name string, presented []*certinfo.Certificate, bundles []*trust.Bundle, goRes trust.Result, now time.Time) (TrustVerdict, bool) {
	switch name {
	case "workato":
		return TrustVerdict{Name: name, OK: goRes.OK, Source: Documented, Version: "crypto/x509, as mtlsplay"}, true
	case "caddy":
		v := TrustVerdict{Name: name, OK: goRes.OK, Source: Tested, Version: caddyVersion}
		if oid := go119Unhandled(goRes, presented, bundles); oid != "" {
			v.OK, v.Differs, v.Behaviour = false, true, "go_version"
			v.Error = "x509: unhandled critical extension"
			v.Reason = fmt.Sprintf("Caddy 2.6.2 is built with Go 1.19.8, whose crypto/x509 does not handle the critical extension %s on the chain Go 1.22 and later verify (policy validation arrived in Go 1.22)", oid)
			v.Option = "a Caddy built with Go 1.22 or later; or issue the CA without that extension critical"
		}
		return v, true
	case "nginx":
		v := openssl{depth: 1, version: nginxVersion,
			depthOption:    "ssl_verify_depth %d (nginx's default is 1: one intermediate between the client certificate and the CA in ssl_client_certificate)",
			anchor:         "put the root CA of the chain in ssl_client_certificate: nginx never sets X509_V_FLAG_PARTIAL_CHAIN, so no directive makes it trust a certificate that is not self-signed (ssl_verify_client optional_no_ca lets the request through with $ssl_client_verify FAILED:…, as it lets through any certificate of an unknown issuer: not a fix)",
			seclevelOption: "ssl_ciphers DEFAULT:@SECLEVEL=1 lowers the security level (better: reissue the key with 2048 bits or more)"}
		return v.verdict(name, presented, bundles, goRes, now), true
	case "haproxy":
		v := openssl{depth: 100, version: haproxyVersion,
			depthOption:    "no HAProxy 2.6 option changes OpenSSL's default verify depth of 100: send a chain with fewer than %d intermediates",
			anchor:         "put the root CA of the chain in the bind line's ca-file: HAProxy 2.6 never sets X509_V_FLAG_PARTIAL_CHAIN, so no option makes it trust a certificate that is not self-signed",
			seclevelOption: "ciphers DEFAULT:@SECLEVEL=1 on the bind line lowers the security level (better: reissue the key with 2048 bits or more)"}
		return v.verdict(name, presented, bundles, goRes, now), true
	}
	return TrustVerdict{}, false
}

// go119Unhandled is the OID of a critical policy extension on the chain Go
// verified, which Go 1.22 and later handle and Go 1.19 (Caddy 2.6.2's) counts
// as unhandled, so it refuses the chain; "" when there is none.
func go119Unhandled(goRes trust.Result, presented []*certinfo.Certificate, bundles []*trust.Bundle) string {
	certs := map[string]*certinfo.Certificate{}
	for _, c := range presented {
		if c != nil {
			certs[c.SHA256] = c
		}
	}
	for _, b := range bundles {
		if b != nil {
			for _, c := range b.Certs {
				certs[c.SHA256] = c
			}
		}
	}
	for _, cc := range goRes.Chain {
		c := certs[cc.SHA256]
		if c == nil || c.X509() == nil {
			continue
		}
		for _, e := range c.X509().Extensions {
			switch id := e.Id.String(); {
			case !e.Critical:
			case id == "2.5.29.33", id == "2.5.29.36", id == "2.5.29.54": // policyMappings, policyConstraints, inhibitAnyPolicy
				return id
			}
		}
	}
	return ""
}

// openssl is OpenSSL 3.0's X509_verify_cert as an SSL server calls it for a
// client certificate: purpose ssl_client, X509_V_FLAG_TRUSTED_FIRST, depth.
type openssl struct {
	depth       int
	version     string
	depthOption string
	anchor      string
	// seclevelOption lowers OpenSSL's security level for this gateway.
	seclevelOption string
}

func (o openssl) verdict(name string, presented []*certinfo.Certificate, bundles []*trust.Bundle, goRes trust.Result, now time.Time) TrustVerdict {
	v := TrustVerdict{Name: name, OK: goRes.OK, Source: Tested, Version: o.version}
	if len(presented) == 0 || len(bundles) == 0 {
		return v
	}
	chain := make([]*x509.Certificate, 0, len(presented))
	for _, c := range presented {
		if c == nil || c.X509() == nil {
			return v // crypto/x509 refuses it; OpenSSL is not modelled there
		}
		chain = append(chain, c.X509())
	}
	var store []*x509.Certificate
	for _, b := range bundles {
		if b == nil {
			continue
		}
		for _, c := range b.Certs {
			if x := c.X509(); x != nil {
				store = append(store, x)
			}
		}
	}
	r := o.verify(chain, store, now)
	ok := r == nil
	if ok == goRes.OK {
		return v
	}
	if ok {
		if goRes.Failure == nil || goRes.Failure.Kind != trust.CriticalExtension {
			// The model does not make OpenSSL's other checks (signatures,
			// name constraints, basic constraints): it takes Go's refusal.
			return v
		}
		r = goOnly(goRes.Failure)
	}
	v.OK, v.Differs, v.Behaviour, v.Error, v.Reason, v.Option = ok, true, r.behaviour, r.err, r.reason, r.option
	if untested[r.behaviour] {
		v.Source = Documented
	}
	return v
}

// refusal is why OpenSSL refuses a chain (or, from goOnly, why Go does).
type refusal struct {
	behaviour string
	err       string // X509_verify_cert's error as nginx logs it, "20:unable to get local issuer certificate"
	reason    string
	option    string
}

// untested lists the behaviours TestTrustLive has no case for: OpenSSL prefers
// a valid sent issuer, so one outside its validity is rarely on its only path.
var untested = map[string]bool{"expired_sent_issuer": true}

// OpenSSL 3.0's verify errors (X509_verify_cert_error_string).
const (
	errIssuer        = "2:unable to get issuer certificate"
	errLocalIssuer   = "20:unable to get local issuer certificate"
	errNotYetValid   = "9:certificate is not yet valid"
	errExpired       = "10:certificate has expired"
	errPurpose       = "26:unsuitable certificate purpose"
	errCritical      = "34:unhandled critical extension"
	errEEKeyTooSmall = "66:EE certificate key too weak"
	errCAKeyTooSmall = "67:CA certificate key too weak"
)

// weakKey is check_key_level at security level 2 (Debian's default in
// /etc/ssl/openssl.cnf): 112 bits of security, so RSA below 2048 bits.
func weakKey(x *x509.Certificate) bool {
	k, ok := x.PublicKey.(*rsa.PublicKey)
	return ok && k.N.BitLen() < 2048
}

// verify follows build_chain, then check_chain_extensions and internal_verify,
// and says why the first failure happened; nil when OpenSSL accepts.
func (o openssl) verify(presented, store []*x509.Certificate, now time.Time) *refusal {
	leaf := presented[0]
	if weakKey(leaf) {
		// X509_verify_cert checks the leaf's key before it builds anything.
		return &refusal{"weak_key", errEEKeyTooSmall,
			"the client certificate's RSA key is below 2048 bits, and Debian's OpenSSL runs at security level 2 (crypto/x509 accepts 1024 bits)", o.seclevelOption}
	}
	chain := []*x509.Certificate{leaf}
	trusted := -1 // index of the first certificate taken from the store
	for steps := len(presented) + len(store); steps >= 0; steps-- {
		cur := chain[len(chain)-1]
		if trusted >= 0 && isSelfSigned(cur) {
			break
		}
		if isSelfSigned(cur) && inChain(store, cur) {
			trusted = len(chain) - 1 // a self-signed certificate trusted as itself
			break
		}
		if iss := pickIssuer(cur, without(store, chain), now); iss != nil {
			if trusted < 0 {
				trusted = len(chain)
			}
			chain = append(chain, iss)
			continue
		}
		if trusted >= 0 || isSelfSigned(cur) {
			break // once in the bundle, OpenSSL looks nowhere else
		}
		iss := pickIssuer(cur, without(presented[1:], chain), now)
		if iss == nil {
			break
		}
		chain = append(chain, iss)
	}
	if trusted < 0 || !isSelfSigned(chain[len(chain)-1]) {
		return o.untrusted(presented, store, chain, trusted)
	}
	if n := len(chain) - 2; n > o.depth {
		// build_chain stops at the depth, so the error is the missing issuer's.
		err := errLocalIssuer
		if trusted < o.depth+2 {
			err = errIssuer
		}
		return &refusal{"verify_depth", err,
			fmt.Sprintf("%d intermediate CA certificates between the client certificate and the self-signed CA, and verify depth %d: OpenSSL stops building the chain there, so it reports a missing issuer", n, o.depth),
			fmt.Sprintf(o.depthOption, n)}
	}
	for i, x := range chain {
		if oid, bad := unhandledCritical(x); bad {
			return &refusal{"critical_extension", errCritical,
				fmt.Sprintf("extension %s of certificate %d of the chain OpenSSL built is critical and not one OpenSSL 3.0 handles", oid, i),
				"issue the certificate without that extension marked critical"}
		}
		if b, r := purposeSSLClient(x, i == 0); b != "" {
			return &refusal{b, errPurpose, fmt.Sprintf("certificate %d of the chain OpenSSL built %s", i, r),
				"issue the certificate with clientAuth in its extended key usage (and digitalSignature in its key usage); no nginx or HAProxy 2.6 option relaxes the ssl_client purpose"}
		}
	}
	for i, x := range chain[1:] { // check_auth_level, after check_chain_extensions
		if weakKey(x) {
			return &refusal{"weak_key", errCAKeyTooSmall,
				fmt.Sprintf("the RSA key of %s (certificate %d of the chain OpenSSL built) is below 2048 bits, and Debian's OpenSSL runs at security level 2", x.Subject, i+1), o.seclevelOption}
		}
	}
	for i, x := range chain {
		err := errExpired
		if now.Before(x.NotBefore) {
			err = errNotYetValid
		} else if !now.After(x.NotAfter) {
			continue
		}
		if i >= trusted {
			return &refusal{"expired_bundle_issuer", err,
				fmt.Sprintf("OpenSSL takes each issuer from the bundle first and builds one chain, through %s of the bundle, which is outside its validity; it does not try the valid path crypto/x509 found", x.Subject),
				"remove that certificate from the bundle, or renew it there"}
		}
		return &refusal{"expired_sent_issuer", err,
			fmt.Sprintf("OpenSSL builds one chain, through %s as sent, which is outside its validity; it does not try the valid path crypto/x509 found", x.Subject),
			"have the client send a valid chain"}
	}
	return nil
}

// goOnly explains a chain OpenSSL accepts and crypto/x509 refuses for a
// critical extension that OpenSSL handles.
func goOnly(f *trust.Failure) *refusal {
	return &refusal{"critical_extension", "", "OpenSSL 3.0 handles this critical extension and accepts the chain; crypto/x509 refuses it: " + f.Message,
		"none on this gateway; for crypto/x509 (mtlsplay, Caddy), issue the certificate without that extension critical"}
}

// untrusted explains a chain OpenSSL could not anchor while Go could: the
// error is 2 when the chain reached the bundle, else 20.
func (o openssl) untrusted(presented, store, chain []*x509.Certificate, trusted int) *refusal {
	err := errLocalIssuer
	if trusted >= 0 {
		err = errIssuer
	}
	if inChain(store, presented[0]) && trusted < 0 {
		return &refusal{"leaf_in_bundle", err, "the client certificate itself is in the bundle, but OpenSSL looks there for its issuer, not for it", o.anchor}
	}
	if trusted >= 0 {
		return &refusal{"partial_chain", err,
			fmt.Sprintf("the bundle holds %s but not the self-signed root above it, and OpenSSL trusts only a chain that ends at a self-signed certificate of the bundle", chain[len(chain)-1].Subject), o.anchor}
	}
	return &refusal{"partial_chain", err, "OpenSSL's chain reaches no self-signed certificate of the bundle", o.anchor}
}

// pickIssuer is X509_STORE_CTX_get1_issuer: among the certificates that could
// have issued x, the first valid at now, else the one that expired last.
func pickIssuer(x *x509.Certificate, from []*x509.Certificate, now time.Time) *x509.Certificate {
	var best *x509.Certificate
	for _, c := range from {
		if !likelyIssued(x, c) {
			continue
		}
		if !now.Before(c.NotBefore) && !now.After(c.NotAfter) {
			return c
		}
		if best == nil || c.NotAfter.After(best.NotAfter) {
			best = c
		}
	}
	return best
}

// likelyIssued is X509_check_issued: the names match, the key ids do not
// disagree, and the issuer may sign certificates.
func likelyIssued(child, issuer *x509.Certificate) bool {
	if !bytes.Equal(child.RawIssuer, issuer.RawSubject) {
		return false
	}
	if len(child.AuthorityKeyId) > 0 && len(issuer.SubjectKeyId) > 0 && !bytes.Equal(child.AuthorityKeyId, issuer.SubjectKeyId) {
		return false
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCertSign == 0 && !issuer.Equal(child) {
		return false
	}
	return true
}

func isSelfSigned(x *x509.Certificate) bool {
	return bytes.Equal(x.RawIssuer, x.RawSubject) && x.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature) == nil
}

// without is xs less the certificates already in chain: OpenSSL never takes a
// certificate twice, which also ends loops of cross-signed CAs.
func without(xs, chain []*x509.Certificate) []*x509.Certificate {
	var out []*x509.Certificate
	for _, x := range xs {
		if !inChain(chain, x) {
			out = append(out, x)
		}
	}
	return out
}

func inChain(chain []*x509.Certificate, x *x509.Certificate) bool {
	for _, c := range chain {
		if c.Equal(x) {
			return true
		}
	}
	return false
}

// opensslHandled is X509_supported_extension's list (OpenSSL 3.0, v3_purp.c):
// a critical extension outside it fails verification.
var opensslHandled = map[string]bool{
	"2.16.840.1.113730.1.1": true, // Netscape cert type
	"2.5.29.15":             true, // keyUsage
	"2.5.29.17":             true, // subjectAltName
	"2.5.29.19":             true, // basicConstraints
	"2.5.29.32":             true, // certificatePolicies
	"2.5.29.31":             true, // cRLDistributionPoints
	"2.5.29.37":             true, // extKeyUsage
	"1.3.6.1.5.5.7.1.7":     true, // sbgp-ipAddrBlock
	"1.3.6.1.5.5.7.1.8":     true, // sbgp-autonomousSysNum
	"1.3.6.1.5.5.7.48.1.5":  true, // OCSP noCheck
	"2.5.29.36":             true, // policyConstraints
	"1.3.6.1.5.5.7.1.14":    true, // proxyCertInfo
	"2.5.29.30":             true, // nameConstraints
	"2.5.29.33":             true, // policyMappings
	"2.5.29.54":             true, // inhibitAnyPolicy
}

func unhandledCritical(x *x509.Certificate) (string, bool) {
	for _, e := range x.Extensions {
		if e.Critical && !opensslHandled[e.Id.String()] {
			return e.Id.String(), true
		}
	}
	return "", false
}

var oidClientAuth = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}

// purposeSSLClient is check_purpose_ssl_client: an extended key usage, when
// present, must list clientAuth (anyExtendedKeyUsage is not enough), on CAs too;
// the leaf's key usage, when present, must allow digitalSignature or
// keyAgreement. It returns the behaviour and why, or "".
func purposeSSLClient(x *x509.Certificate, leaf bool) (string, string) {
	if len(x.ExtKeyUsage)+len(x.UnknownExtKeyUsage) > 0 {
		has, any := false, false
		for _, u := range x.ExtKeyUsage {
			has = has || u == x509.ExtKeyUsageClientAuth
			any = any || u == x509.ExtKeyUsageAny
		}
		for _, u := range x.UnknownExtKeyUsage {
			has = has || u.Equal(oidClientAuth)
		}
		if !has {
			if any {
				return "any_eku", "has anyExtendedKeyUsage but not clientAuth in its extended key usage, and OpenSSL's ssl_client purpose wants clientAuth itself (crypto/x509 accepts any)"
			}
			return "ext_key_usage", "does not list clientAuth in its extended key usage"
		}
	}
	if leaf && x.KeyUsage != 0 && x.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageKeyAgreement) == 0 {
		return "key_usage", "has a key usage without digitalSignature or keyAgreement, which OpenSSL's ssl_client purpose requires of a client certificate (crypto/x509 does not check a leaf's key usage)"
	}
	return "", ""
}
