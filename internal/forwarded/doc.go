// Package forwarded reads the headers a TLS-terminating proxy uses to forward the
// client certificate to its upstream: Envoy's x-forwarded-client-cert, RFC 9440's
// Client-Cert and Client-Cert-Chain, the URL-escaped PEM of nginx
// ($ssl_client_escaped_cert), ingress-nginx (ssl-client-cert) and AWS ALB
// (X-Amzn-Mtls-Clientcert), and Traefik's X-Forwarded-Tls-Client-Cert and its -Info.
// A person pastes what their upstream received and sees the same view as for a PEM.
//
// Parse takes one or more "Name: value" lines, or a value alone, detects the format
// and returns the certificates as the header carries them (URL-decoded PEM text, or
// DER) with the header's other fields as strings. It does not judge the certificates:
// certinput decodes them, refuses private keys and bounds their number, so a header
// is read exactly as a pasted PEM is. A header is only as trustworthy as the hop that
// set it; this package reads, it does not authenticate.
//
// Files: parse.go (the lines, detection, Header, Error), xfcc.go, rfc9440.go,
// escaped.go (URL-escaped PEM), traefik.go.
package forwarded
