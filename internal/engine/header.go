package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/forwarded"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
)

// HeaderView is the forwarded header a certificate input was read from (design
// 2.7): the format and the header's name, the fields it carries beside the
// certificate, each compared with the certificate where the gateway that wrote
// it is known, and what was left unread.
type HeaderView struct {
	Format string        `json:"format"`
	Name   string        `json:"name,omitempty"` // as pasted; absent for a value pasted alone
	Fields []HeaderField `json:"fields"`
	Notes  []string      `json:"notes"`
}

// HeaderField is one field of the header. Compared, Matches, Certificate and
// Detail are set only when the field has something in the certificate to be
// compared with.
type HeaderField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// Compared names what of the certificate the value was compared with:
	// "SHA-256", "URI SANs", "subject as Envoy writes it (RFC 2253)".
	Compared string `json:"compared,omitempty"`
	Matches  *bool  `json:"matches,omitempty"`
	// Certificate is the certificate's own value, written as the gateway that
	// set the header writes it (the SANs joined by ", ").
	Certificate string `json:"certificate,omitempty"`
	// Detail is the comparison as a sentence: "matches the certificate's
	// SHA-256 (…)", "differs from the certificate's subject as Envoy writes it: …".
	Detail string `json:"detail,omitempty"`
}

// Header describes the forwarded header data was read from, with its fields
// compared with certs (as parsed from data, leaf first); nil when data is not a
// header (PEM, DER and base64 cost one look).
func Header(data []byte, certs []*certinfo.Certificate) *HeaderView {
	h := certinput.Header(data)
	if h == nil {
		return nil
	}
	v := &HeaderView{Format: string(h.Format), Name: h.Name, Fields: make([]HeaderField, 0, len(h.Fields)), Notes: h.Notes}
	if v.Notes == nil {
		v.Notes = []string{}
	}
	views := viewCache{}
	for _, f := range h.Fields {
		v.Fields = append(v.Fields, compareField(h.Format, f, certs, views))
	}
	return v
}

// viewCache keeps the gateway views Header compares fields with, so that a header
// of many fields (forwarded.MaxFields) builds each certificate's view once.
type viewCache map[string][]gateway.Value

// value is one value of a gateway's view of c, "" when it has none.
func (vc viewCache) value(profile, name string, c *certinfo.Certificate) string {
	for _, v := range vc.values(profile, c) {
		if v.Name == name {
			return string(v.Bytes)
		}
	}
	return ""
}

// valueFold is value with the name matched without regard to case, as HTTP
// header names are; ok is false when the view has no such value.
func (vc viewCache) valueFold(profile, name string, c *certinfo.Certificate) (string, bool) {
	for _, v := range vc.values(profile, c) {
		if strings.EqualFold(v.Name, name) {
			return string(v.Bytes), true
		}
	}
	return "", false
}

func (vc viewCache) values(profile string, c *certinfo.Certificate) []gateway.Value {
	key := profile + " " + c.SHA256
	vals, ok := vc[key]
	if !ok {
		if p, found := gateway.Lookup(profile); found {
			vals = p.View(c).Values
		}
		vc[key] = vals
	}
	return vals
}

// compareField checks a header field against the certificate it describes: the
// leaf, or for Traefik's "certificate N …" fields the Nth of the chain.
func compareField(format forwarded.Format, f forwarded.Field, certs []*certinfo.Certificate, views viewCache) HeaderField {
	out := HeaderField{Name: f.Name, Value: f.Value}
	name, c := f.Name, (*certinfo.Certificate)(nil)
	if len(certs) > 0 {
		c = certs[0]
	}
	if rest, ok := strings.CutPrefix(name, "certificate "); ok && format == forwarded.Traefik {
		n, key, _ := strings.Cut(rest, " ")
		i, err := strconv.Atoi(n)
		if err != nil || i < 1 || i > len(certs) {
			return out
		}
		name, c = key, certs[i-1]
	}
	if c == nil {
		return out
	}
	set := func(ok bool, compared, cert, detail string) HeaderField {
		out.Compared, out.Matches, out.Certificate, out.Detail = compared, &ok, cert, detail
		return out
	}
	// match says "matches the certificate's SHA-256 (…)" or "differs from …";
	// more follows what in the sentence.
	match := func(ok bool, what, more, cert string) HeaderField {
		if ok {
			return set(ok, what, cert, "matches the certificate's "+what+more)
		}
		return set(ok, what, cert, "differs from the certificate's "+what+more)
	}
	switch {
	case format == forwarded.XFCC && name == "Hash":
		sum := strings.ToLower(c.SHA256)
		return match(strings.EqualFold(f.Value, c.SHA256), "SHA-256", " ("+sum+")", sum)
	case format == forwarded.XFCC && name == "URI":
		if f.Value == "" {
			return match(len(c.SAN.URI) == 0, "URI SANs", " (none)", "")
		}
		return match(slices.Contains(c.SAN.URI, f.Value), "URI SANs", "", strings.Join(c.SAN.URI, ", "))
	case format == forwarded.XFCC && name == "DNS":
		return match(slices.Contains(c.SAN.DNS, f.Value), "DNS SANs", "", strings.Join(c.SAN.DNS, ", "))
	case format == forwarded.XFCC && name == "Subject":
		// Envoy writes its RFC 2253 subject unescaped between the quotes, so its
		// own \" escapes read back as a bare ".
		want := strings.ReplaceAll(views.value("envoy", "connection.subject_peer_certificate", c), `\"`, `"`)
		if f.Value == want {
			return set(true, "subject as Envoy writes it (RFC 2253)", want, "matches the certificate's subject as Envoy writes it (RFC 2253)")
		}
		if f.Value == c.Subject.Slash {
			return set(true, "subject in OpenSSL's slash form (older Envoy)", c.Subject.Slash, "matches the certificate's subject in OpenSSL's slash form (older Envoy)")
		}
		return set(false, "subject as Envoy writes it (RFC 2253)", want, "differs from the certificate's subject as Envoy writes it: "+want)
	case strings.EqualFold(name, "ssl-client-subject-dn"), strings.EqualFold(name, "ssl-client-issuer-dn"):
		// ingress-nginx sets these from $ssl_client_s_dn and $ssl_client_i_dn.
		v, what := "$ssl_client_s_dn", "subject"
		if strings.EqualFold(name, "ssl-client-issuer-dn") {
			v, what = "$ssl_client_i_dn", "issuer"
		}
		want := views.value("nginx", v, c)
		compared := what + " as nginx writes it (" + v + ")"
		if f.Value == want {
			return set(true, compared, want, "matches the certificate's "+compared)
		}
		return set(false, compared, want, "differs from the certificate's "+compared+": "+want)
	case strings.HasPrefix(strings.ToLower(name), "x-amzn-mtls-clientcert-"):
		// AWS ALB's verify mode: its companion headers, as the aws-alb view writes them.
		v, ok := views.valueFold("aws-alb", name, c)
		if !ok {
			return out
		}
		what := strings.ToLower(name)[len("x-amzn-mtls-clientcert-"):]
		compared := strings.ReplaceAll(what, "-", " ") + " as AWS ALB writes it"
		if f.Value == v {
			return set(true, compared, v, "matches the certificate's "+compared)
		}
		return set(false, compared, v, "differs from the certificate's "+compared+": "+v)
	case format == forwarded.Traefik:
		return traefikField(out, views.value("traefik", "X-Forwarded-Tls-Client-Cert-Info (URL-decoded)", c), name, set)
	}
	return out
}

// traefikField compares one of Traefik's info fields (Subject, Issuer,
// SerialNumber, NB, NA, SAN) with the same field of info, what Traefik writes for
// the certificate with every field on.
func traefikField(out HeaderField, info, name string, set func(bool, string, string, string) HeaderField) HeaderField {
	what := map[string]string{"Subject": "subject", "Issuer": "issuer", "SerialNumber": "serial number", "NB": "notBefore", "NA": "notAfter", "SAN": "SANs"}[name]
	if what == "" || info == "" {
		return out
	}
	_, want, found := strings.Cut(";"+info, ";"+name+`="`)
	want, _, _ = strings.Cut(want, `"`)
	compared := what + " as Traefik writes it"
	switch {
	case !found:
		return set(false, compared, "", "differs: Traefik writes no "+name+" for the certificate")
	case out.Value == want:
		return set(true, compared, want, "matches the certificate's "+compared)
	}
	return set(false, compared, want, "differs from the certificate's "+compared+" with every field on: "+want)
}
