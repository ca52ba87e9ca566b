package forwarded

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// traefik reads X-Forwarded-Tls-Client-Cert: each certificate's PEM with its
// armor and line breaks removed, that is its DER in standard base64, joined by ","
// leaf first (pkg/middlewares/passtlsclientcert).
func traefik(h *Header, f field) error {
	off := 0
	for i, item := range strings.Split(f.value, ",") {
		at := off
		off += len(item) + 1
		item = strings.TrimSpace(item)
		if item == "" {
			return f.fail(at, "an empty certificate between commas")
		}
		der, err := base64.StdEncoding.DecodeString(item)
		if err != nil {
			return f.fail(at, "certificate "+strconv.Itoa(i+1)+" is not base64 DER, as Traefik sends it")
		}
		h.Certs = append(h.Certs, Cert{Where: f.where() + " certificate " + strconv.Itoa(i+1), DER: der})
	}
	return nil
}

// isTraefikList recognises a bare Traefik value of more than one certificate (a
// single one is plain base64, which the caller reads already).
func isTraefikList(v string) bool {
	if !strings.Contains(v, ",") {
		return false
	}
	for _, item := range strings.Split(v, ",") {
		if !strings.HasPrefix(strings.TrimSpace(item), "MI") {
			return false
		}
	}
	return true
}

// traefikInfo reads X-Forwarded-Tls-Client-Cert-Info: url.QueryEscape of, per
// certificate (joined by ","), fields joined by ";", each Key="value" where the
// value may hold commas (Subject="C=US,O=Acme,CN=x", SAN="a,b").
func traefikInfo(h *Header, f field) error {
	v, bad, ok := unescape(f.value, true)
	if !ok {
		return f.fail(bad, "bad URL escape: Traefik URL-escapes this header (url.QueryEscape)")
	}
	cert, i := 1, 0
	for i < len(v) {
		start := i
		eq := strings.IndexByte(v[i:], '=')
		if eq < 0 {
			return &Error{Where: f.where(), Msg: "after URL-decoding, \"" + clip(v[start:]) + "\" is not Key=\"value\""}
		}
		key := v[i : i+eq]
		i += eq + 1
		var val string
		if i < len(v) && v[i] == '"' {
			end := strings.IndexByte(v[i+1:], '"')
			if end < 0 {
				return &Error{Where: f.where(), Msg: "after URL-decoding, the value of " + clip(key) + "= has no closing double quote"}
			}
			val = v[i+1 : i+1+end]
			i += end + 2
		} else {
			end := strings.IndexAny(v[i:], ";,")
			if end < 0 {
				end = len(v) - i
			}
			val = v[i : i+end]
			i += end
		}
		name := key
		if cert > 1 {
			name = "certificate " + strconv.Itoa(cert) + " " + key
		}
		h.addField(name, val)
		if i < len(v) {
			switch v[i] {
			case ',':
				cert++
			case ';':
			default:
				return &Error{Where: f.where(), Msg: "after URL-decoding, unexpected " + quoteByte(v[i]) + " after " + clip(key) + "=; fields are separated by \";\""}
			}
			i++
		}
	}
	return nil
}

// isTraefikInfo recognises a bare info value, escaped or not, by its first key.
func isTraefikInfo(v string) bool {
	for _, k := range []string{"Subject", "Issuer", "SerialNumber", "NB", "NA", "SAN"} {
		if strings.HasPrefix(v, k+"%3D%22") || strings.HasPrefix(v, k+`="`) && k != "Subject" {
			return true
		}
	}
	// Subject="…" alone is Envoy's too; Traefik's has Issuer, NB or NA after it.
	return strings.HasPrefix(v, `Subject="`) && (strings.Contains(v, `;Issuer="`) || strings.Contains(v, `;NB="`) || strings.Contains(v, `;NA="`))
}
