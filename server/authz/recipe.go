package authz

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"text/template"
)

// RecipeGateways are the proxies Recipe writes a configuration for: nginx and
// Caddy are tested against the real gateways (TestRecipesLive), Traefik and Envoy
// follow their documentation.
var RecipeGateways = []string{"nginx", "caddy", "traefik", "envoy"}

// RecipeOptions are the places a recipe names. Empty fields take the defaults of
// DefaultRecipeOptions.
type RecipeOptions struct {
	Client     string // the configured client whose bundles and rule decide
	AuthzAddr  string // the authorization endpoint, host:port, as the proxy reaches it (listen.authz)
	Listen     string // where the proxy terminates mTLS, host:port
	ServerName string // the proxy's site name
	Cert, Key  string // the proxy's server certificate chain and its key (files)
	CA         string // Envoy only: the CA file it needs to ask for client certificates
	Upstream   string // the application behind the proxy, host:port
	// Source is the address the proxy asks mtlsplay from, for trusted_proxies;
	// nginx binds it (proxy_bind), so that only its subrequests come from there.
	Source string
}

// DefaultRecipeOptions are what `mtlsplay export --delegate` and docs/delegate.md use.
var DefaultRecipeOptions = RecipeOptions{
	Client:     "partner-a",
	AuthzAddr:  "127.0.0.1:9000",
	Listen:     "127.0.0.1:8443",
	ServerName: "localhost",
	Cert:       "/etc/mtlsplay-proxy/server.pem",
	Key:        "/etc/mtlsplay-proxy/server.key",
	CA:         "/etc/mtlsplay-proxy/clients-ca.pem",
	Upstream:   "127.0.0.1:8080",
}

// recipeHeader is the header each gateway sets, which mtlsplay's config pins.
var recipeHeader = map[string]string{
	"nginx":   "x-ssl-client-cert",
	"caddy":   "client-cert",
	"traefik": "x-forwarded-tls-client-cert",
	"envoy":   "x-forwarded-client-cert",
}

var recipeClientRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Recipe writes the configuration that makes gateway ask the authorization
// endpoint for every request, with the lines mtlsplay's config needs in comments
// at its top. It is the one source of the recipes: docs/delegate.md shows its
// output and the live test runs it.
func Recipe(gateway string, o RecipeOptions) (string, error) {
	t, ok := recipes[gateway]
	if !ok {
		return "", fmt.Errorf("no delegate recipe for gateway %q (have: %s)", gateway, strings.Join(RecipeGateways, ", "))
	}
	d := DefaultRecipeOptions
	fill := func(v *string, def string) {
		if *v == "" {
			*v = def
		}
	}
	fill(&o.Client, d.Client)
	fill(&o.AuthzAddr, d.AuthzAddr)
	fill(&o.Listen, d.Listen)
	fill(&o.ServerName, d.ServerName)
	fill(&o.Cert, d.Cert)
	fill(&o.Key, d.Key)
	fill(&o.CA, d.CA)
	fill(&o.Upstream, d.Upstream)
	if gateway == "nginx" {
		fill(&o.Source, "127.0.0.2")
	} else {
		fill(&o.Source, "127.0.0.1")
	}
	if !recipeClientRE.MatchString(o.Client) {
		return "", fmt.Errorf("client %q is not a client name (1 to 64 letters, digits, '.', '_' or '-')", o.Client)
	}
	for name, addr := range map[string]string{"authz address": o.AuthzAddr, "listen address": o.Listen, "upstream": o.Upstream} {
		if _, _, err := net.SplitHostPort(addr); err != nil || !safeWord(addr) {
			return "", fmt.Errorf("%s %q is not host:port", name, addr)
		}
	}
	if net.ParseIP(o.Source) == nil {
		return "", fmt.Errorf("source %q is not an IP address", o.Source)
	}
	for name, v := range map[string]string{"server name": o.ServerName, "certificate file": o.Cert, "key file": o.Key, "CA file": o.CA} {
		if !safeWord(v) {
			return "", fmt.Errorf("%s %q: use a value without spaces, quotes, braces, ';', '#' or '$'", name, v)
		}
	}
	host, port, _ := net.SplitHostPort(o.Listen)
	ahost, aport, _ := net.SplitHostPort(o.AuthzAddr)
	uhost, uport, _ := net.SplitHostPort(o.Upstream)
	bits := "32"
	if strings.Contains(o.Source, ":") {
		bits = "128"
	}
	// The command that writes this recipe again: its flags that are not the defaults.
	command := "mtlsplay export --gateway " + gateway + " --delegate --client " + o.Client
	for _, f := range []struct{ flag, v, def string }{
		{"authz", o.AuthzAddr, d.AuthzAddr}, {"listen", o.Listen, d.Listen}, {"upstream", o.Upstream, d.Upstream},
		{"server-name", o.ServerName, d.ServerName}, {"cert", o.Cert, d.Cert}, {"key", o.Key, d.Key},
	} {
		if f.v != f.def {
			command += " --" + f.flag + " " + f.v
		}
	}
	var b strings.Builder
	err := t.Execute(&b, struct {
		RecipeOptions
		Gateway, Header, SourceCIDR, ListenHost, ListenPort, AuthzHost, AuthzPort, UpstreamHost, UpstreamPort, Command string
	}{o, gateway, recipeHeader[gateway], o.Source + "/" + bits, host, port, ahost, aport, uhost, uport, command})
	return b.String(), err
}

// safeWord: a value the configurations can hold unquoted, which no value can then
// break out of.
func safeWord(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\r\n\"'`{};#$\\")
}

// mtlsplayLines is what every recipe's top says about mtlsplay's own config.
const mtlsplayLines = `{{define "mtlsplay"}}# mtlsplay decides for client "{{.Client}}": its bundles and rule, the same codes as mtlsplay verify.
# Generated by: {{.Command}}
# mtlsplay's config needs (mtlsplay serve --config FILE):
#   listen: {authz: {{.AuthzAddr}}}
#   authz:
#     trusted_proxies: [{{.SourceCIDR}}]   # the address {{.Gateway}} asks from; nobody else is decided
#     header: {{.Header}}   # the only header read: the one {{.Gateway}} sets
{{end}}`

var recipes = map[string]*template.Template{
	"nginx": template.Must(template.New("nginx").Parse(mtlsplayLines + `{{template "mtlsplay" .}}# nginx (tested with nginx 1.22.1): inside http { }.

upstream mtlsplay_authz {
    server {{.AuthzAddr}};
    keepalive 16;
}

server {
    listen {{.Listen}} ssl;
    server_name {{.ServerName}};
    ssl_certificate {{.Cert}};
    ssl_certificate_key {{.Key}};
    ssl_protocols TLSv1.2 TLSv1.3;
    # Ask for a client certificate and let mtlsplay judge the chain.
    ssl_verify_client optional_no_ca;
    # nginx itself refuses an expired or not yet valid certificate (495):
    # ask mtlsplay about it too, so the client gets the code and the reason.
    error_page 495 = /_mtlsplay_refused;

    location / {
        auth_request /_mtlsplay_authz;
        # auth_request passes on no header of a refusal: carry the code and reason.
        auth_request_set $mtlsplay_code $upstream_http_mtlsplay_code;
        auth_request_set $mtlsplay_reason $upstream_http_mtlsplay_reason;
        add_header Mtlsplay-Code $mtlsplay_code always;
        add_header Mtlsplay-Reason $mtlsplay_reason always;
        proxy_pass http://{{.Upstream}};
    }

    location = /_mtlsplay_authz {
        internal;
        proxy_pass http://mtlsplay_authz/authz/{{.Client}};
        # HEAD: nginx keeps its connection to mtlsplay open only for an answer
        # without a body, and auth_request reads none anyway.
        proxy_method HEAD;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass_request_body off;
        # Nothing the client sent: only the certificate, as nginx saw it.
        proxy_pass_request_headers off;
        proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;
        proxy_bind {{.Source}};
    }

    location = /_mtlsplay_refused {
        internal;
        proxy_pass http://mtlsplay_authz/authz/{{.Client}};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_pass_request_body off;
        proxy_pass_request_headers off;
        proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;
        proxy_bind {{.Source}};
    }
}
`)),
	"caddy": template.Must(template.New("caddy").Parse(mtlsplayLines + `{{template "mtlsplay" .}}# Caddy (tested with Caddy 2.6.2): a site of the Caddyfile.

{{.ServerName}}:{{.ListenPort}} {
	bind {{.ListenHost}}
	tls {{.Cert}} {{.Key}} {
		# Ask for a client certificate and let mtlsplay judge it.
		client_auth {
			mode request
		}
	}
	forward_auth {{.AuthzAddr}} {
		uri /authz/{{.Client}}
		# The certificate as Caddy saw it (RFC 9440); a client's own copy is replaced.
		header_up Client-Cert ":{http.request.tls.client.certificate_der_base64}:"
		header_up -Client-Cert-Chain
	}
	reverse_proxy {{.Upstream}}
}
`)),
	"traefik": template.Must(template.New("traefik").Parse(mtlsplayLines + `{{template "mtlsplay" .}}# Traefik (from Traefik v3's documentation, not tested here): a file of the file
# provider, with an entry point "websecure" on {{.Listen}}. passTLSClientCert sets
# X-Forwarded-Tls-Client-Cert (with pem: true, base64 DER); forwardAuth sends it to mtlsplay.

http:
  routers:
    app:
      rule: "Host(` + "`{{.ServerName}}`" + `)"
      entryPoints: [websecure]
      middlewares: [mtlsplay-strip, mtlsplay-cert, mtlsplay-authz]
      service: app
      tls:
        options: mtlsplay
  middlewares:
    # passTLSClientCert leaves a header the client sent itself in place when it
    # presented no certificate: remove it first (an empty value removes a header).
    mtlsplay-strip:
      headers:
        customRequestHeaders:
          X-Forwarded-Tls-Client-Cert: ""
    mtlsplay-cert:
      passTLSClientCert:
        pem: true
    mtlsplay-authz:
      forwardAuth:
        address: "http://{{.AuthzAddr}}/authz/{{.Client}}"
        authResponseHeaders: [Mtlsplay-Code, Mtlsplay-Reason]
  services:
    app:
      loadBalancer:
        servers:
          - url: "http://{{.Upstream}}"

tls:
  certificates:
    - certFile: {{.Cert}}
      keyFile: {{.Key}}
  options:
    mtlsplay:
      clientAuth:
        # Ask for a client certificate and let mtlsplay judge it.
        clientAuthType: RequestClientCert
`)),
	"envoy": template.Must(template.New("envoy").Parse(mtlsplayLines + `{{template "mtlsplay" .}}# Envoy (from Envoy v1.3x's documentation, not tested here): ext_authz over HTTP.
# Envoy puts the certificate in x-forwarded-client-cert (Cert= and Chain=) and
# asks /authz/{{.Client}} followed by the request's path.

static_resources:
  listeners:
    - name: mtls
      address:
        socket_address: {address: {{.ListenHost}}, port_value: {{.ListenPort}}}
      filter_chains:
        - transport_socket:
            name: envoy.transport_sockets.tls
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext
              require_client_certificate: false
              common_tls_context:
                tls_certificates:
                  - certificate_chain: {filename: {{.Cert}}}
                    private_key: {filename: {{.Key}}}
                validation_context:
                  trusted_ca: {filename: {{.CA}}}
                  # Let every certificate through to mtlsplay, which judges it.
                  trust_chain_verification: ACCEPT_UNTRUSTED
          filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: mtls
                # Replace any x-forwarded-client-cert the client sent with Envoy's own.
                forward_client_cert_details: SANITIZE_SET
                set_current_client_cert_details: {cert: true, chain: true}
                route_config:
                  virtual_hosts:
                    - name: app
                      domains: ["*"]
                      routes:
                        - match: {prefix: "/"}
                          route: {cluster: app}
                http_filters:
                  - name: envoy.filters.http.ext_authz
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz
                      transport_api_version: V3
                      http_service:
                        server_uri: {uri: "http://{{.AuthzAddr}}", cluster: mtlsplay_authz, timeout: 1s}
                        path_prefix: /authz/{{.Client}}
                        authorization_request:
                          allowed_headers:
                            patterns: [{exact: x-forwarded-client-cert}]
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
    - name: mtlsplay_authz
      type: STATIC
      load_assignment:
        cluster_name: mtlsplay_authz
        endpoints:
          - lb_endpoints:
              - endpoint: {address: {socket_address: {address: {{.AuthzHost}}, port_value: {{.AuthzPort}}}}}
    - name: app
      type: STRICT_DNS
      load_assignment:
        cluster_name: app
        endpoints:
          - lb_endpoints:
              - endpoint: {address: {socket_address: {address: {{.UpstreamHost}}, port_value: {{.UpstreamPort}}}}}
`)),
}
