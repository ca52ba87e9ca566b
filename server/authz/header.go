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
// carries. It returns the header's name and value, and for Client-Cert the
// Client-Cert-Chain values joined by newlines; name "" when there is none (an
// empty value is none: a proxy writes an empty variable when no certificate was
// presented). Nothing is copied: a remembered answer costs no more.
func certHeader(h http.Header, pinned string) (name, value, chain string, err error) {
	names := forwarded.Carriers
	if pinned != "" {
		names = []string{pinned}
	}
	for _, n := range names {
		vals := h[carrierKeys[n]]
		count := 0
		var v string
		for _, x := range vals {
			if x = strings.TrimSpace(x); x != "" && !(n == "client-cert" && x == "::") && !unsetPlaceholder(x) {
				count, v = count+1, x
			}
		}
		switch {
		case count == 0:
			continue
		case count > 1:
			return "", "", "", &headerError{carrierKeys[n] + " is sent " + strconv.Itoa(count) + " times; a proxy sets it once"}
		case name != "":
			return "", "", "", &headerError{"the request carries both " + carrierKeys[name] + " and " + carrierKeys[n] +
				"; set authz.header (or authz.proxies) to the one your proxy sets"}
		}
		name, value = n, v
	}
	if name == "client-cert" {
		chain = strings.Join(h[chainKey], "\n")
	}
	return name, value, chain, nil
}

// headerLines writes a found header as the "Name: value" lines that
// certinput.DecodeHeaders reads.
func headerLines(name, value, chain string) []byte {
	b := make([]byte, 0, len(name)+len(value)+len(chain)+64)
	b = append(b, carrierKeys[name]+": "+value+"\n"...)
	if chain != "" {
		for _, c := range strings.Split(chain, "\n") {
			b = append(b, chainKey+": "+c+"\n"...)
		}
	}
	return b
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
