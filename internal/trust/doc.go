// Package trust holds truststore bundles and verifies a presented client
// certificate chain against them, as a server doing client authentication would:
// crypto/x509's Verify with only the selected bundles as roots, the presented
// intermediates, clientAuth, and an injected time.
//
// crypto/x509 decides; this package explains. When verification fails it names
// the certificate at fault and what is wrong with it (the issuer and key id that
// are missing, when a certificate expired, which certificate restricts the
// extended key usage), because Go's own errors often blame the leaf or hide the
// cause in an unexported hint.
package trust
