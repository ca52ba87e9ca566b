package forwarded

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format names the header format a certificate was read from, as a person knows it.
type Format string

// The formats Parse reads.
const (
	XFCC        Format = "Envoy x-forwarded-client-cert"
	ClientCert  Format = "RFC 9440 Client-Cert"
	EscapedPEM  Format = "URL-escaped PEM"
	Traefik     Format = "Traefik X-Forwarded-Tls-Client-Cert"
	TraefikInfo Format = "Traefik X-Forwarded-Tls-Client-Cert-Info"
)

// MaxFields and MaxNotes bound what is kept for display: a header of a thousand
// DNS= pairs, or a paste of a thousand headers, is read, but only this many are shown.
const (
	MaxFields = 64
	MaxNotes  = 16
)

// Cert is one certificate, or one PEM text of several, as a header carries it.
type Cert struct {
	Where string // "x-forwarded-client-cert (line 1) element 1 Cert", "Client-Cert-Chain (line 2) item 1"
	PEM   []byte // the URL-decoded PEM text, for the formats that carry PEM
	DER   []byte // the certificate, for the formats that carry base64 DER
	// Repeats is set on Envoy's Chain= read after Cert=: its first certificate
	// is that Cert, which the reader checks and reads once.
	Repeats bool
}

// Field is one value the header carries beside the certificate (Envoy's Subject,
// URI, DNS, Hash and By; Traefik's info fields; a companion header's value), kept
// as written for display.
type Field struct {
	Name  string
	Value string
}

// Header is what Parse read.
type Header struct {
	Format Format
	Name   string // the header's name as pasted; "" when a value was pasted alone
	Certs  []Cert // leaf first
	Fields []Field
	Notes  []string // what was present and not read, and why
}

// Error is a header that cannot be read, and where.
type Error struct {
	Where string // the header and the position: "x-forwarded-client-cert (line 1) element 2, byte 40"
	Msg   string
	// NoCertificate is set when the header is well formed but carries no
	// certificate (Envoy without Cert=/Chain=, Traefik's -Info alone).
	NoCertificate bool
}

func (e *Error) Error() string { return e.Where + ": " + e.Msg }

// field is one header line: its name (lower-case; "" for a bare value), the
// name as pasted, its value and where it was.
type field struct {
	key, name, value string
	line             int
}

func (f field) where() string {
	if f.name == "" {
		return "value"
	}
	return f.name + " (line " + strconv.Itoa(f.line) + ")"
}

// at names a byte of the field's value, from 1.
func (f field) at(off int) string { return f.where() + ", byte " + strconv.Itoa(off+1) }

func (f field) fail(off int, msg string) *Error { return &Error{Where: f.at(off), Msg: msg} }

// role is what a header name is: a carrier of certificates, or a companion whose
// value is shown beside them.
type role int

const (
	carrier role = iota + 1
	companion
)

var known = map[string]struct {
	role   role
	format Format
}{
	"x-forwarded-client-cert":          {carrier, XFCC},
	"client-cert":                      {carrier, ClientCert},
	"client-cert-chain":                {companion, ClientCert},
	"x-forwarded-tls-client-cert":      {carrier, Traefik},
	"x-forwarded-tls-client-cert-info": {companion, TraefikInfo},
	// AWS ALB: the chain in passthrough mode; in verify mode the leaf and its facts.
	"x-amzn-mtls-clientcert":               {carrier, EscapedPEM},
	"x-amzn-mtls-clientcert-leaf":          {carrier, EscapedPEM},
	"x-amzn-mtls-clientcert-subject":       {companion, ""},
	"x-amzn-mtls-clientcert-issuer":        {companion, ""},
	"x-amzn-mtls-clientcert-serial-number": {companion, ""},
	"x-amzn-mtls-clientcert-validity":      {companion, ""},
	// ingress-nginx with auth-tls-pass-certificate-to-upstream, and the name
	// nginx recipes give $ssl_client_escaped_cert.
	"ssl-client-cert":       {carrier, EscapedPEM},
	"ssl-client-subject-dn": {companion, ""},
	"ssl-client-issuer-dn":  {companion, ""},
	"ssl-client-verify":     {companion, ""},
	"x-ssl-client-cert":     {carrier, EscapedPEM},
}

// Parse reads text as forwarded headers: "Name: value" lines (other headers of a
// pasted request are skipped), or one header's value alone. It returns nil and no
// error when text is not a header it knows, so the caller can say what it expected.
func Parse(text []byte) (*Header, error) {
	text = bytes.TrimSpace(text)
	if len(text) == 0 {
		return nil, nil
	}
	fields := lines(string(text))
	if len(fields) == 0 {
		f, ok := bare(string(text))
		if !ok {
			return nil, nil
		}
		fields = []field{f}
	}
	return read(fields)
}

// lines returns the header lines of a paste whose names are known, or whose value
// is URL-escaped PEM whatever its name (nginx recipes name it as they like).
// Folded lines (obs-fold) continue the previous value.
func lines(text string) []field {
	var out []field
	last, lastLine := -1, -1
	for n, l := range strings.Split(text, "\n") {
		l = strings.TrimSuffix(l, "\r")
		if l != "" && (l[0] == ' ' || l[0] == '\t') {
			if last >= 0 && lastLine == n-1 {
				out[last].value += " " + strings.TrimSpace(l)
				lastLine = n
			}
			continue
		}
		last = -1
		name, value, ok := strings.Cut(l, ":")
		if !ok || !isToken(name) {
			continue
		}
		key := strings.ToLower(name)
		value = strings.TrimSpace(value)
		if _, ok := known[key]; !ok && !isEscapedPEM(value) {
			continue
		}
		out = append(out, field{key: key, name: name, value: value, line: n + 1})
		last, lastLine = len(out)-1, n
	}
	return out
}

// isToken reports whether s is an HTTP field name (RFC 9110's token).
func isToken(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}

// bare recognises a value pasted without its header name, by its shape.
func bare(v string) (field, bool) {
	f := field{value: v}
	switch {
	case v[0] == ':':
		f.key = "client-cert"
	case isEscapedPEM(v):
		f.key = "ssl-client-cert"
	case isTraefikList(v):
		f.key = "x-forwarded-tls-client-cert"
	case isTraefikInfo(v):
		f.key = "x-forwarded-tls-client-cert-info"
	case isXFCC(v):
		f.key = "x-forwarded-client-cert"
	default:
		return f, false
	}
	return f, true
}

// isEscapedPEM reports whether v starts as URL-escaped PEM: "-----BEGIN" then an
// escaped space (%20, or + from a form encoder), or the dashes escaped too.
func isEscapedPEM(v string) bool {
	return strings.HasPrefix(v, "-----BEGIN%20") || strings.HasPrefix(v, "-----BEGIN+") ||
		len(v) > 15 && strings.EqualFold(v[:15], "%2D%2D%2D%2D%2D")
}

// read picks the certificate carrier (the first in paste order), attaches its
// companions and keeps the other headers' values as fields.
func read(fields []field) (*Header, error) {
	h := &Header{}
	var chain []field
	carrierAt := -1
	for i, f := range fields {
		k, ok := known[f.key]
		if !ok {
			k.role, k.format = carrier, EscapedPEM
		}
		switch {
		case k.role == carrier && carrierAt < 0:
			carrierAt = i
			h.Format, h.Name = k.format, f.name
		case k.role == carrier:
			h.addNote(f.where() + " also carries a certificate; only " + fields[carrierAt].where() + " is read")
		case f.key == "client-cert-chain":
			chain = append(chain, f)
		case f.key == "x-forwarded-tls-client-cert-info":
			if err := traefikInfo(h, f); err != nil {
				return nil, err
			}
		default:
			h.addField(f.name, f.value)
		}
	}
	if carrierAt < 0 {
		return nil, noCarrier(fields, chain)
	}
	f := fields[carrierAt]
	var err error
	switch h.Format {
	case XFCC:
		err = xfcc(h, f)
	case ClientCert:
		err = clientCert(h, f, chain)
		chain = nil
	case Traefik:
		err = traefik(h, f)
	default:
		err = escapedPEM(h, f)
	}
	if err != nil {
		return nil, err
	}
	for _, c := range chain {
		h.addNote(c.where() + " goes with Client-Cert, which is not the header read; it is not read")
	}
	return h, nil
}

// noCarrier says which header to add when only companions were pasted.
func noCarrier(fields []field, chain []field) error {
	f := fields[0]
	switch {
	case len(chain) > 0:
		return &Error{Where: chain[0].where(), NoCertificate: true,
			Msg: "Client-Cert-Chain without Client-Cert: RFC 9440 sends the client's own certificate in Client-Cert and only the rest of the chain here; paste Client-Cert too"}
	case f.key == "x-forwarded-tls-client-cert-info":
		return &Error{Where: f.where(), NoCertificate: true,
			Msg: "Traefik's X-Forwarded-Tls-Client-Cert-Info describes the certificate but does not carry it; paste X-Forwarded-Tls-Client-Cert too (passTLSClientCert with pem: true)"}
	}
	return &Error{Where: f.where(), NoCertificate: true,
		Msg: "this header describes the certificate but does not carry it; paste the header that holds the certificate too"}
}

func (h *Header) addNote(n string) {
	if len(h.Notes) < MaxNotes {
		h.Notes = append(h.Notes, n)
	} else if len(h.Notes) == MaxNotes {
		h.Notes = append(h.Notes, "more notes are not shown")
	}
}

func (h *Header) addField(name, value string) {
	if len(h.Fields) == MaxFields {
		h.addNote("more than " + strconv.Itoa(MaxFields) + " fields; the rest are not shown")
	}
	if len(h.Fields) >= MaxFields {
		return
	}
	h.Fields = append(h.Fields, Field{Name: name, Value: value})
}

// unescape decodes %XX escapes (and + as a space when plus is set, as
// url.QueryUnescape does), naming the offset of a bad escape.
func unescape(s string, plus bool) (string, int, bool) {
	if strings.IndexByte(s, '%') < 0 && (!plus || strings.IndexByte(s, '+') < 0) {
		return s, 0, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", i, false
			}
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		case c == '+' && plus:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), 0, true
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Carriers are the header names (lower-case) that carry a client certificate, in
// the order a server that may read any of them looks for them: the ones a proxy
// sets for its upstream by name first, then the others.
var Carriers = []string{
	"x-ssl-client-cert",
	"x-forwarded-client-cert",
	"client-cert",
	"x-forwarded-tls-client-cert",
	"x-amzn-mtls-clientcert",
	"x-amzn-mtls-clientcert-leaf",
	"ssl-client-cert",
}

// IsCarrier reports whether name (any case) is one of Carriers.
func IsCarrier(name string) bool {
	k, ok := known[strings.ToLower(name)]
	return ok && k.role == carrier
}

// quoteByte writes a byte of a header for a message: 'x' for ASCII, '\xFF' for
// any other byte, which on its own is no character (QuoteRune would call 0xFF
// 'ÿ', a character the header does not hold).
func quoteByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	const hexDigits = "0123456789ABCDEF"
	return `'\x` + string(hexDigits[c>>4]) + string(hexDigits[c&15]) + `'`
}
