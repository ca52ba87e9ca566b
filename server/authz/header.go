package authz

import (
	"net/http"
	"net/textproto"
	"strconv"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/forwarded"
)

// carrierKeys are forwarded.Carriers as net/http keys its header map.
var carrierKeys = func() map[string]string {
	m := map[string]string{}
	for _, name := range forwarded.Carriers {
		m[name] = textproto.CanonicalMIMEHeaderKey(name)
	}
	return m
}()

var chainKey = textproto.CanonicalMIMEHeaderKey("client-cert-chain")

// headerError is a certificate header the endpoint will not read: sent twice, two
// different ones without a pin, or not in its format.
type headerError struct{ msg string }

func (e *headerError) Error() string { return e.msg }

// certHeader finds the header carrying the client certificate: pinned (a
// forwarded.Carriers name) or, when "", whichever one of them the request
// carries. It returns the header's name and its "name: value" lines for
// certinput.DecodeHeaders, or "" when there is none (an empty value is none: a
// proxy writes an empty variable when no certificate was presented).
func certHeader(h http.Header, pinned string) (string, []byte, error) {
	names := forwarded.Carriers
	if pinned != "" {
		names = []string{pinned}
	}
	found := ""
	var value string
	for _, name := range names {
		vals := h[carrierKeys[name]]
		n := 0
		var v string
		for _, x := range vals {
			if x = strings.TrimSpace(x); x != "" && !(name == "client-cert" && x == "::") && !unsetPlaceholder(x) {
				n, v = n+1, x
			}
		}
		switch {
		case n == 0:
			continue
		case n > 1:
			return "", nil, &headerError{carrierKeys[name] + " is sent " + strconv.Itoa(n) + " times; a proxy sets it once"}
		case found != "":
			return "", nil, &headerError{"the request carries both " + carrierKeys[found] + " and " + carrierKeys[name] +
				"; set authz.header (or authz.proxies) to the one your proxy sets"}
		}
		found, value = name, v
	}
	if found == "" {
		return "", nil, nil
	}
	var b strings.Builder
	b.WriteString(carrierKeys[found] + ": " + value + "\n")
	if found == "client-cert" {
		for _, v := range h[chainKey] {
			b.WriteString(chainKey + ": " + v + "\n")
		}
	}
	return found, []byte(b.String()), nil
}

// unsetPlaceholder reports whether v is a Caddy placeholder of the client
// certificate left as written: Caddy replaces it only when the client presented a
// certificate (2.6 has no default values), so it means none. Read as no
// certificate, a forged one can only be refused (4017).
func unsetPlaceholder(v string) bool {
	v = strings.TrimSuffix(strings.TrimPrefix(v, ":"), ":")
	return strings.HasPrefix(v, "{http.request.tls.client.") && strings.HasSuffix(v, "}") && !strings.ContainsAny(v[1:len(v)-1], "{}")
}

// maxReasonHeader bounds Mtlsplay-Reason: a reason quotes a verification error,
// which names subjects of any length.
const maxReasonHeader = 512

// headerSafe writes s as one line of printable ASCII for a header value: a
// control character, a byte of UTF-8 text and the backslash become \XX (uppercase
// hex, as text output writes control characters), and the whole is cut at
// maxReasonHeader bytes with "...".
func headerSafe(s string) string {
	const hexDigits = "0123456789ABCDEF"
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) <= maxReasonHeader; i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			b = append(b, '\\', hexDigits[c>>4], hexDigits[c&15])
		} else {
			b = append(b, c)
		}
	}
	if len(b) <= maxReasonHeader {
		return string(b)
	}
	cut := maxReasonHeader - 3
	if i := strings.LastIndexByte(string(b[cut-2:cut]), '\\'); i >= 0 { // not inside an escape
		cut = cut - 2 + i
	}
	return string(b[:cut]) + "..."
}
