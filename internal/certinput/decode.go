package certinput

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Limits on one input. A real chain is a few KiB and rarely more than four
// certificates; anything far beyond is a mistake or an attack.
const (
	MaxBytes        = 1 << 20
	MaxCertificates = 16
	// MaxBundleCertificates bounds a CA bundle, which may hold many roots (a
	// corporate bundle, a public-roots file) but not an unbounded number.
	MaxBundleCertificates = 512
)

// Block is one certificate's DER as found in the input.
type Block struct {
	DER   []byte
	Where string // "block 2 (line 14)", "DER", "base64"
}

// Error kinds, stable for JSON and tests.
const (
	KindTooLarge      = "too_large"
	KindTooMany       = "too_many_certificates"
	KindPrivateKey    = "private_key"
	KindMalformed     = "malformed"
	KindNotCert       = "not_a_certificate"
	KindNoCertificate = "no_certificate"
)

// Error is a problem with the input, and where it is.
type Error struct {
	Source string // the input's name, e.g. chain.pem
	Where  string // "" when it concerns the whole input
	Kind   string
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// privateKeyMsg is said whenever a key shows up: the person must learn that a key is
// a secret, not merely that the input was wrong.
const privateKeyMsg = "this is a private key, not a certificate; never paste or upload a private key — use the certificate (-----BEGIN CERTIFICATE-----) only"

// Decode returns the certificates in data in input order. Input that is empty or only
// white space holds no certificate and gives no blocks and no error: the caller
// decides what absence means (a client that sent nothing). Input that is not empty
// but holds no certificate is an error.
func Decode(source string, data []byte) ([]Block, error) {
	return decode(source, data, MaxCertificates, "chain")
}

// DecodeBundle is Decode for a truststore bundle, which may hold up to
// MaxBundleCertificates certificates.
func DecodeBundle(source string, data []byte) ([]Block, error) {
	return decode(source, data, MaxBundleCertificates, "bundle")
}

func decode(source string, data []byte, max int, what string) ([]Block, error) {
	fail := func(where, kind, format string, args ...any) error {
		return &Error{Source: source, Where: where, Kind: kind, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) > MaxBytes {
		return nil, fail("", KindTooLarge, "input is %s; at most %s is accepted", size(len(data)), size(MaxBytes))
	}
	b, how := route(data)
	switch how {
	case viaNothing:
		return nil, nil
	case viaPEM:
		return decodePEM(source, b, max, what)
	case viaDER:
		return decodeDER(source, "DER", b, max, what)
	case viaBase64:
		return decodeDER(source, "base64", b, max, what)
	}
	if blocks, ok, err := decodeHeader(source, b, max, what); ok {
		return blocks, err
	}
	return nil, fail("", KindNoCertificate, "no certificate found: expected PEM (-----BEGIN CERTIFICATE-----), DER or base64")
}

// decodePEM walks the BEGIN/END lines itself, because encoding/pem silently skips a
// block it cannot read, and a truncated paste must be reported, not ignored.
func decodePEM(source string, data []byte, max int, what string) ([]Block, error) {
	blocks := make([]Block, 0, 4) // a leaf and its intermediates
	rest := data
	offset := 0
	lineNo, counted := 1, 0 // line of data[counted]
	for n := 1; ; n++ {
		i := bytes.Index(rest, []byte("-----BEGIN "))
		if i < 0 {
			break
		}
		start := offset + i
		lineNo += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		where := "block " + strconv.Itoa(n) + " (line " + strconv.Itoa(lineNo) + ")"
		fail := func(kind, format string, args ...any) ([]Block, error) {
			return nil, &Error{Source: source, Where: where, Kind: kind, Msg: fmt.Sprintf(format, args...)}
		}
		line := rest[i:]
		if j := bytes.IndexByte(line, '\n'); j >= 0 {
			line = line[:j]
		}
		line = bytes.TrimRight(line, "\r \t")
		typ, ok := bytes.CutPrefix(line, []byte("-----BEGIN "))
		if ok {
			typ, ok = bytes.CutSuffix(typ, []byte("-----"))
		}
		if !ok || len(typ) == 0 || len(typ) > 64 {
			return fail(KindMalformed, "malformed BEGIN line %q", truncate(line, 80))
		}
		if bytes.Contains(typ, []byte("PRIVATE KEY")) {
			return fail(KindPrivateKey, "%s (%s)", privateKeyMsg, typ)
		}
		// Base64 has no "-", so the first one after the BEGIN line normally
		// starts the END line; anything else takes the long way, which also
		// finds a block cut short by the next BEGIN line.
		endLen := len("-----END ") + len(typ) + len("-----")
		k := -1
		if d := bytes.IndexByte(rest[i+len(line):], '-'); d >= 0 && isEndLine(rest[i+len(line)+d:], typ) {
			k = len(line) + d
		} else {
			end := []byte("-----END " + string(typ) + "-----")
			k = bytes.Index(rest[i:], end)
			if k < 0 || bytes.Contains(rest[i+len(line):i+k], []byte("-----BEGIN ")) {
				return fail(KindMalformed, "truncated: %s has no matching %s line", line, end)
			}
		}
		blockEnd := i + k + endLen
		content, ok := pemContent(rest[i : i+k])
		if !ok {
			p, _ := pem.Decode(rest[i:blockEnd])
			if p == nil {
				// A block copied from YAML, JSON or a quoted mail has its lines
				// indented (or "> "-quoted): base64 has neither, so they are dropped.
				p, _ = pem.Decode(dedent(rest[i:blockEnd]))
			}
			if p == nil {
				return fail(KindMalformed, "malformed %s: its base64 content does not decode", typ)
			}
			content = p.Bytes
		}
		switch string(typ) {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			// A key's DER in a CERTIFICATE block: what the page made of a key file
			// it wrapped as PEM before it asked the engine, kept in old share links.
			if kind := KeyKind(content); kind != "" {
				return nil, keyError(source, where, kind)
			}
			der, err := firstSequence(content)
			if err != nil {
				return fail(KindMalformed, "%s", err)
			}
			if kind := KeyKind(der); kind != "" {
				return nil, keyError(source, where, kind)
			}
			blocks = append(blocks, Block{DER: der, Where: where})
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			return fail(KindNotCert, "this is a certificate signing request, not a certificate; paste the certificate the CA issued for it")
		case "PKCS7", "CMS":
			return fail(KindNotCert, "PKCS#7 bundles are not read directly; convert with `openssl pkcs7 -print_certs -in FILE`")
		default:
			return fail(KindNotCert, "a %s block is not a certificate", typ)
		}
		if len(blocks) > max {
			return fail(KindTooMany, "more than %d certificates; a %s this long is not accepted", max, what)
		}
		rest = rest[blockEnd:]
		offset += blockEnd
	}
	return blocks, nil
}

// dedent drops the spaces, tabs and ">" at the start of every line of a PEM block
// (none of them is base64), so that an indented or mail-quoted block reads as
// PEM. Other lines keep their content.
func dedent(block []byte) []byte {
	out := make([]byte, 0, len(block))
	for len(block) > 0 {
		line := block
		if j := bytes.IndexByte(block, '\n'); j >= 0 {
			line, block = block[:j+1], block[j+1:]
		} else {
			block = nil
		}
		out = append(out, bytes.TrimLeft(line, " \t>")...)
	}
	return out
}

// isEndLine reports whether b starts with the END line of a block of type typ.
func isEndLine(b, typ []byte) bool {
	rest, ok := bytes.CutPrefix(b, []byte("-----END "))
	if ok {
		rest, ok = bytes.CutPrefix(rest, typ)
	}
	return ok && bytes.HasPrefix(rest, []byte("-----"))
}

// pemContent decodes a block without headers, given from its BEGIN line up to
// its END line: the common case, in one pass and one allocation. It reports
// false for anything else (headers, an END line that does not start a line,
// bad base64), which encoding/pem then decides, so the result is always exactly
// encoding/pem's (FuzzPEMContent checks this).
func pemContent(block []byte) ([]byte, bool) {
	nl := bytes.IndexByte(block, '\n')
	if nl < 0 || block[len(block)-1] != '\n' {
		return nil, false
	}
	// The BEGIN line as encoding/pem reads it: one CR before the LF, then spaces
	// and tabs, are dropped ("-----\r \n" is not a BEGIN line there).
	begin := bytes.TrimSuffix(block[:nl], []byte("\r"))
	if !bytes.HasSuffix(bytes.TrimRight(begin, " \t"), []byte("-----")) {
		return nil, false
	}
	body := block[nl+1:]
	if bytes.IndexByte(body, ':') >= 0 { // Proc-Type: and other headers
		return nil, false
	}
	// encoding/pem drops spaces and tabs, and base64 skips CR and LF itself;
	// a compact copy is made only for a body that has spaces or tabs.
	if bytes.IndexByte(body, ' ') >= 0 || bytes.IndexByte(body, '\t') >= 0 {
		compact := make([]byte, 0, len(body))
		for _, c := range body {
			if c != ' ' && c != '\t' {
				compact = append(compact, c)
			}
		}
		body = compact
	}
	content := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
	n, err := base64.StdEncoding.Decode(content, body)
	if err != nil || n == 0 {
		return nil, false
	}
	return content[:n], true
}

// trimDER drops the white space around DER data (an editor's final newline, a
// pasted indent): before the first byte, which in DER is never white space, and
// after the last complete SEQUENCE. It never cuts into a SEQUENCE, whose last byte
// may well be 0x20. data must hold more than white space.
func trimDER(data []byte) []byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	s := cryptobyte.String(data)
	for !s.Empty() && s.SkipASN1(cbasn1.SEQUENCE) {
	}
	if len(bytes.TrimRight(s, " \t\r\n")) == 0 {
		return data[:len(data)-len(s)]
	}
	return data
}

// decodeDER reads one or more concatenated DER certificates.
func decodeDER(source, where string, der []byte, max int, what string) ([]Block, error) {
	if kind := KeyKind(der); kind != "" {
		return nil, keyError(source, where, kind)
	}
	var blocks []Block
	s := cryptobyte.String(der)
	for n := 1; !s.Empty(); n++ {
		w := fmt.Sprintf("%s certificate %d", where, n)
		var cert cryptobyte.String
		if !s.ReadASN1Element(&cert, cbasn1.SEQUENCE) {
			if n == 1 {
				return nil, &Error{Source: source, Where: where, Kind: KindMalformed, Msg: "not a DER certificate: the data is not a complete ASN.1 SEQUENCE"}
			}
			return nil, &Error{Source: source, Where: w, Kind: KindMalformed, Msg: fmt.Sprintf("%d trailing bytes after the last certificate are not a DER certificate", len(s))}
		}
		if kind := KeyKind(cert); kind != "" {
			return nil, keyError(source, w, kind)
		}
		if len(blocks) == max {
			return nil, &Error{Source: source, Where: w, Kind: KindTooMany, Msg: fmt.Sprintf("more than %d certificates; a %s this long is not accepted", max, what)}
		}
		blocks = append(blocks, Block{DER: cert, Where: w})
	}
	if len(blocks) == 1 {
		blocks[0].Where = where
	}
	return blocks, nil
}

// firstSequence returns the certificate in a PEM block's bytes. OpenSSL's TRUSTED
// CERTIFICATE appends trust settings after it; anything else after it is an error.
func firstSequence(b []byte) ([]byte, error) {
	s := cryptobyte.String(b)
	var cert cryptobyte.String
	if !s.ReadASN1Element(&cert, cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("not a DER certificate: the block does not hold a complete ASN.1 SEQUENCE")
	}
	return cert, nil
}

// decodeBase64 accepts standard or URL-safe base64 with white space anywhere.
func decodeBase64(text []byte) ([]byte, bool) {
	compact := make([]byte, 0, len(text))
	for _, c := range text {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		compact = append(compact, c)
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if der, err := enc.DecodeString(string(compact)); err == nil && len(der) > 0 && der[0] == 0x30 {
			return der, true
		}
	}
	return nil, false
}

func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
