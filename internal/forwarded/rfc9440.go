package forwarded

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// byteSequences reads an RFC 8941 List of Byte Sequences (":base64:", items
// separated by "," with optional white space). Parameters after an item
// (";key=value") are skipped: RFC 9440 defines none, and RFC 8941 has a recipient
// ignore those it does not know.
func byteSequences(f field, what string) ([][]byte, []int, error) {
	v := f.value
	var out [][]byte
	var offs []int
	i := 0
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i == len(v) {
			if len(out) > 0 {
				return nil, nil, f.fail(i-1, "a trailing \",\" ends the list")
			}
			return out, offs, nil
		}
		if v[i] != ':' {
			return nil, nil, f.fail(i, what+" must be a byte sequence, base64 between colons (:MIIB…:)")
		}
		start := i + 1
		end := strings.IndexByte(v[start:], ':')
		if end < 0 {
			return nil, nil, f.fail(i, "the byte sequence has no closing \":\"")
		}
		end += start
		b64 := v[start:end]
		for k := 0; k < len(b64); k++ {
			c := b64[k]
			if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' || c == '=') {
				return nil, nil, f.fail(start+k, "byte "+quoteByte(c)+" is not base64 (RFC 8941 byte sequences use the standard alphabet)")
			}
		}
		// RFC 8941 4.2.7: a parser should not fail when "=" padding is missing.
		der, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
		if err != nil || len(der) == 0 {
			return nil, nil, f.fail(start, "the byte sequence is not valid base64")
		}
		out, offs = append(out, der), append(offs, start)
		i = end + 1
		for i < len(v) && v[i] == ';' { // parameters
			for i < len(v) && v[i] != ',' {
				i++
			}
		}
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i == len(v) {
			return out, offs, nil
		}
		if v[i] != ',' {
			return nil, nil, f.fail(i, "unexpected "+quoteByte(v[i])+" after the byte sequence; items are separated by \",\"")
		}
		i++
	}
}

// clientCert reads Client-Cert (one Item) and every Client-Cert-Chain line (a
// List, in TLS order, without the leaf). A bare ":…:, :…:" is read as the leaf
// then its chain.
func clientCert(h *Header, f field, chain []field) error {
	certs, offs, err := byteSequences(f, "Client-Cert")
	if err != nil {
		return err
	}
	if len(certs) == 0 {
		return &Error{Where: f.where(), Msg: "empty Client-Cert", NoCertificate: true}
	}
	if len(certs) > 1 && f.name != "" {
		return f.fail(offs[1]-1, "Client-Cert holds one certificate; the rest of the chain goes in Client-Cert-Chain")
	}
	for i, der := range certs {
		where := f.where()
		if len(certs) > 1 {
			where += " item " + strconv.Itoa(i+1)
		}
		h.Certs = append(h.Certs, Cert{Where: where, DER: der})
	}
	for _, c := range chain {
		ders, _, err := byteSequences(c, "each Client-Cert-Chain item")
		if err != nil {
			return err
		}
		for i, der := range ders {
			h.Certs = append(h.Certs, Cert{Where: c.where() + " item " + strconv.Itoa(i+1), DER: der})
		}
	}
	return nil
}
