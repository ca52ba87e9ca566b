package forwarded

import "strings"

// escapedPEM reads a URL-escaped PEM value: nginx's $ssl_client_escaped_cert
// (ngx_escape_uri, every reserved byte as %XX), ingress-nginx's ssl-client-cert,
// AWS ALB's X-Amzn-Mtls-Clientcert (which keeps +, = and / as they are). A "+" is
// kept: it is base64, and these encoders write the space of "BEGIN CERTIFICATE" as
// %20; only a value that starts "-----BEGIN+" came from a form encoder.
func escapedPEM(h *Header, f field) error {
	// A form encoder writes the space as "+" and so base64's "+" as %2B.
	text, bad, ok := unescape(f.value, strings.HasPrefix(f.value, "-----BEGIN+"))
	if !ok {
		return f.fail(bad, "bad URL escape (%XX) in the URL-escaped PEM")
	}
	if !strings.Contains(text, "-----BEGIN") {
		return f.fail(0, "after URL-decoding this is not PEM (-----BEGIN CERTIFICATE-----)")
	}
	h.Certs = append(h.Certs, Cert{Where: f.where(), PEM: []byte(text)})
	return nil
}
