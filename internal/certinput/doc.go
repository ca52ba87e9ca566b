// Package certinput finds the certificates in what a person pastes or uploads: PEM
// with any number of blocks (with leading text, CRLF, a UTF-8 BOM, stray white space),
// binary DER, bare base64, or a header a proxy forwards the certificate in (Envoy's
// XFCC, RFC 9440's Client-Cert, URL-escaped PEM, Traefik's; read by
// internal/forwarded, tried last so other input reads as it always did). It refuses
// private keys outright, bounds the input, and names where every problem is
// ("block 2 (line 14)"), so the message can be acted on.
package certinput
