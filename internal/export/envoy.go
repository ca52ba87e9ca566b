package export

import (
	"encoding/json"
	"fmt"
	"strings"
)

// renderEnvoy writes a static listener with a DownstreamTlsContext that requires
// a client certificate and an RBAC filter whose ALLOW policy's condition is the
// rule over connection.subject_peer_certificate. RBAC takes the condition as a
// parsed CEL expression (google.api.expr.v1alpha1.Expr), so it is written as
// that message's JSON; the text form is in a comment above it. Documented, not
// run here: Envoy is not packaged in Debian 12.
func renderEnvoy(tree *node, opt Options, res *Result) string {
	var b strings.Builder
	b.WriteString(header("# ", res, opt, "Envoy 1.3x, from its documentation; not tested here"))
	b.WriteString("# connection.subject_peer_certificate is the subject in RFC 2253 form, as nginx's\n")
	b.WriteString("# $ssl_client_s_dn (BoringSSL).\n")
	host, port, _ := strings.Cut(opt.Listen, ":")
	policy := `{}`
	switch {
	case tree.op == "const" && tree.val:
		policy = `{"permissions": [{"any": true}], "principals": [{"any": true}]}`
	case tree.op == "const":
		b.WriteString("# no certificate can satisfy the exported part of the rule: the policy allows nothing\n")
	default:
		fmt.Fprintf(&b, "# condition: %s\n", oneLine(celText(tree, func(c string) string {
			return "connection.subject_peer_certificate.matches(" + quote(c) + ")"
		})))
		cond, _ := json.Marshal(envoyExpr(tree))
		policy = `{"permissions": [{"any": true}], "principals": [{"any": true}], "condition": ` + string(cond) + `}`
	}
	route := `{"match": {"prefix": "/"}, "direct_response": {"status": 200, "body": {"inline_string": "accepted"}}}`
	clusters := "[]"
	if opt.Upstream != "" {
		uh, up, _ := strings.Cut(opt.Upstream, ":")
		route = `{"match": {"prefix": "/"}, "route": {"cluster": "app"}}`
		clusters = fmt.Sprintf(`[{"name": "app", "type": "STATIC", "load_assignment": {"cluster_name": "app", "endpoints": [{"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": %q, "port_value": %s}}}}]}]}}]`, uh, up)
	}
	bundle := caFile(opt, res, "Envoy reads one trusted_ca file")
	fmt.Fprintf(&b, `static_resources:
  listeners:
  - name: %s
    address: {socket_address: {address: %q, port_value: %s}}
    filter_chains:
    - transport_socket:
        name: envoy.transport_sockets.tls
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
          require_client_certificate: true
          common_tls_context:
            tls_certificates: [{certificate_chain: {filename: %q}, private_key: {filename: %q}}]
            validation_context: {trusted_ca: {filename: %q}}
      filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: mtls
          route_config: {virtual_hosts: [{name: all, domains: ["*"], routes: [%s]}]}
          http_filters:
          - name: envoy.filters.http.rbac
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC
              rules:
                action: ALLOW
                policies:
                  mtlsplay-rule: %s
          - name: envoy.filters.http.router
            typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router}
  clusters: %s
`, opt.Name, host, port, opt.ServerCert, opt.ServerKey, bundle, route, policy, clusters)
	res.Notes = append(res.Notes, "Envoy's output follows its documentation (RBAC, CEL attributes); it is not run by mtlsplay's tests")
	return b.String()
}

// envoyExpr is a tree as the JSON of a google.api.expr.v1alpha1.Expr.
func envoyExpr(n *node) map[string]any {
	call := func(fn string, args ...map[string]any) map[string]any {
		return map[string]any{"call_expr": map[string]any{"function": fn, "args": args}}
	}
	switch n.op {
	case "const":
		return map[string]any{"const_expr": map[string]any{"bool_value": n.val}}
	case "expr":
		subject := map[string]any{"select_expr": map[string]any{"operand": map[string]any{"ident_expr": map[string]any{"name": "connection"}}, "field": "subject_peer_certificate"}}
		return map[string]any{"call_expr": map[string]any{"target": subject, "function": "matches",
			"args": []map[string]any{{"const_expr": map[string]any{"string_value": n.atom.value}}}}}
	case "not":
		return call("!_", envoyExpr(n.args[0]))
	}
	fn := map[string]string{"and": "_&&_", "or": "_||_"}[n.op]
	out := envoyExpr(n.args[0])
	for _, a := range n.args[1:] {
		out = call(fn, out, envoyExpr(a))
	}
	return out
}
