// Package certinfo turns one DER certificate into the flat, JSON-tagged view that
// every part of mtlsplay shows and that rules evaluate: the subject and issuer as
// exact RFC 4514 strings built from the raw RDNs, every subjectAltName entry with its
// type prefix, fingerprints, validity, key usages.
//
// It parses the certificate itself (with cryptobyte) rather than trusting
// crypto/x509 alone, because crypto/x509 reorders names, drops otherName,
// registeredID and directoryName SANs, and rejects some certificates outright. A
// certificate that crypto/x509 rejects is still described, with the reason in
// Problems; X509 then returns nil and the certificate cannot be trusted.
//
// Files: parse.go (Parse, the certificate walk), dn.go (FormatDN, FormatSlash,
// ParseName), san.go (ParseSAN), extensions.go, oid.go (the name tables),
// asn1string.go (string types), view.go (the types).
package certinfo
