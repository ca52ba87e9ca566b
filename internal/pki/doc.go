// Package pki creates certificates for tests, fixtures and the server's zero-config
// demo: root and intermediate CAs, leaves with any validity window, key usage, EKU and
// subjectAltName, and deliberately awkward ones (raw subject bytes, otherName and
// directoryName SANs, URIs crypto/x509 rejects, critical extensions it does not handle).
//
// crypto/x509 alone cannot write most of the hard cases (it reorders and flattens
// names, drops otherName SANs, re-encodes IPv4-mapped addresses), so names and SANs
// are built here as raw DER with cryptobyte and handed to x509.CreateCertificate
// verbatim.
//
// Signatures are deterministic (RFC 6979 for ECDSA), and [SeededKey] derives keys
// from a seed, so the generated test PKI is byte-for-byte reproducible. The package
// does no I/O: the generator in ./gentestdata writes the files.
package pki

//go:generate go run ./gentestdata -out ../../testdata/pki
