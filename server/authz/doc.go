// Package authz is the authorization endpoint: a proxy that terminates mTLS (nginx
// auth_request, Envoy ext_authz over HTTP, Caddy forward_auth, Traefik forwardAuth)
// asks GET /authz/{client} with the client certificate in a header, and gets the
// decision the echo and the CLI would make: 200 for code 0, 403 otherwise, with
// Mtlsplay-Code and Mtlsplay-Reason. Only configured proxies may ask: a
// certificate header is only as true as the hop that set it.
//
// Files: authz.go (the handler), header.go (finding the certificate header),
// recipe.go (the proxies' configurations, for the docs and `mtlsplay export
// --delegate`).
package authz
