// Package export translates a rule into a gateway's own configuration: nginx maps
// over $ssl_client_s_dn, HAProxy ACLs over ssl_c_s_dn(,0,rfc2253), Caddy's CEL
// expression matcher over its placeholders, Envoy RBAC with a CEL condition.
//
// Each literal is written in the form the gateway prints the certificate in
// (OpenSSL's RFC 2253 escaping for nginx, HAProxy and Envoy; Go's
// pkix.Name.String() for Caddy), through the same formatters internal/gateway
// proves against the running gateways. A condition a gateway cannot express,
// or whose literal cannot be translated with certainty, is replaced by "refuse"
// and named in the result, so an export is exact or strictly narrower than the
// rule, never wider. TestExportLive runs the output in real nginx, HAProxy and
// Caddy against mtlsplay's own decision.
//
// Pure Go (no os, no net): the page can use it through the engine.
package export
