package cli

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/forwarded"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
)

// noteHeader says, on standard error, that a certificate input was a forwarded
// header: which format was read, what was left unread, and each field the header
// carries beside the certificate, compared with the certificate where the gateway
// that wrote it is known (Envoy's Subject, Hash, URI, DNS; Traefik's Subject;
// ingress-nginx's ssl-client-subject-dn and ssl-client-issuer-dn). On
// standard error, as the key warning: standard output stays the certificate's
// view, byte for byte the one its PEM gives, and --json stays JSON.
func (c *cli) noteHeader(name string, data []byte) {
	h := certinput.Header(data)
	if h == nil {
		return
	}
	file := displayName(name)
	note := func(format string, args ...any) {
		fmt.Fprintf(c.stderr, "note: %s: %s\n", file, terminalSafe(fmt.Sprintf(format, args...)))
	}
	if h.Name != "" {
		note("read from the %s header %s", h.Format, h.Name)
	} else {
		note("read as a header value pasted alone, in the %s format", h.Format)
	}
	for _, n := range h.Notes {
		note("%s", n)
	}
	var leaf *certinfo.Certificate
	if certs, err := engine.ParseChain(file, data); err == nil && len(certs) > 0 {
		leaf = certs[0]
	}
	for _, f := range h.Fields {
		verdict := compareField(h.Format, f, leaf)
		if verdict == "" {
			note("the header's %s=%q", f.Name, f.Value)
			continue
		}
		note("the header's %s=%q %s", f.Name, f.Value, verdict)
	}
}

// compareField checks a header field against the certificate it came with, or
// returns "" when the field has nothing in the certificate to compare with.
func compareField(format forwarded.Format, f forwarded.Field, leaf *certinfo.Certificate) string {
	if leaf == nil {
		return ""
	}
	match := func(ok bool, what string) string {
		if ok {
			return "matches the certificate's " + what
		}
		return "differs from the certificate's " + what
	}
	switch {
	case format == forwarded.XFCC && f.Name == "Hash":
		return match(strings.EqualFold(f.Value, leaf.SHA256), "SHA-256 ("+strings.ToLower(leaf.SHA256)+")")
	case format == forwarded.XFCC && f.Name == "URI":
		if f.Value == "" {
			return match(len(leaf.SAN.URI) == 0, "URI SANs (none)")
		}
		return match(slices.Contains(leaf.SAN.URI, f.Value), "URI SANs")
	case format == forwarded.XFCC && f.Name == "DNS":
		return match(slices.Contains(leaf.SAN.DNS, f.Value), "DNS SANs")
	case format == forwarded.XFCC && f.Name == "Subject":
		// Envoy writes its RFC 2253 subject unescaped between the quotes, so its
		// own \" escapes read back as a bare ".
		want := strings.ReplaceAll(gatewayValue("envoy", "connection.subject_peer_certificate", leaf), `\"`, `"`)
		if f.Value == want {
			return "matches the certificate's subject as Envoy writes it (RFC 2253)"
		}
		if f.Value == leaf.Subject.Slash {
			return "matches the certificate's subject in OpenSSL's slash form (older Envoy)"
		}
		return "differs from the certificate's subject as Envoy writes it: " + want
	case strings.EqualFold(f.Name, "ssl-client-subject-dn"), strings.EqualFold(f.Name, "ssl-client-issuer-dn"):
		// ingress-nginx sets these from $ssl_client_s_dn and $ssl_client_i_dn.
		v, what := "$ssl_client_s_dn", "subject"
		if strings.EqualFold(f.Name, "ssl-client-issuer-dn") {
			v, what = "$ssl_client_i_dn", "issuer"
		}
		want := gatewayValue("nginx", v, leaf)
		if f.Value == want {
			return "matches the certificate's " + what + " as nginx writes it (" + v + ")"
		}
		return "differs from the certificate's " + what + " as nginx writes it (" + v + "): " + want
	case format == forwarded.Traefik && f.Name == "Subject":
		info := gatewayValue("traefik", "X-Forwarded-Tls-Client-Cert-Info (URL-decoded)", leaf)
		_, want, _ := strings.Cut(info, `Subject="`)
		want, _, _ = strings.Cut(want, `"`)
		if f.Value == want {
			return "matches the certificate's subject as Traefik writes it"
		}
		return "differs from the certificate's subject as Traefik writes it with every field on: " + want
	}
	return ""
}

// gatewayValue is one value of a gateway's view of c, "" when it has none.
func gatewayValue(profile, name string, c *certinfo.Certificate) string {
	p, ok := gateway.Lookup(profile)
	if !ok {
		return ""
	}
	for _, v := range p.View(c).Values {
		if v.Name == name {
			return string(v.Bytes)
		}
	}
	return ""
}
