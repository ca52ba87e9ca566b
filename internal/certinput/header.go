package certinput

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/mtlsplay/mtlsplay/internal/forwarded"
)

// Header returns the forwarded header Decode reads data as, or nil when Decode
// reads it as PEM, DER or base64 or finds nothing. The CLI uses it to say which
// format was read and to show the header's other fields.
func Header(data []byte) *forwarded.Header {
	if len(data) > MaxBytes {
		return nil
	}
	trimmed, how := route(data)
	if how != viaHeader {
		return nil
	}
	h, err := forwarded.Parse(trimmed)
	if err != nil {
		return nil
	}
	return h
}

// How decode reads an input.
const (
	viaNothing = iota // empty
	viaPEM
	viaDER
	viaBase64
	viaHeader // anything else: a forwarded header, or no certificate
)

// route is decode's choice, shared with Header so the two never disagree, and
// what to read: the PEM text, the DER, the base64's DER, or the trimmed text. A
// header is tried last, so input read before headers were is read as it was.
func route(data []byte) ([]byte, int) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, viaNothing
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return data, viaPEM
	}
	if der := trimDER(data); der[0] == 0x30 {
		return der, viaDER
	}
	if der, ok := decodeBase64(trimmed); ok {
		return der, viaBase64
	}
	return trimmed, viaHeader
}

// decodeHeader reads the certificates of a forwarded header as the rest of the
// input is read: PEM text through decodePEM, DER through decodeDER, so keys are
// refused and blocks named the same way, with the header's place in front.
func decodeHeader(source string, text []byte, max int, what string) ([]Block, bool, error) {
	h, err := forwarded.Parse(text)
	if fe := (*forwarded.Error)(nil); errors.As(err, &fe) {
		kind := KindMalformed
		if fe.NoCertificate {
			kind = KindNoCertificate
		}
		return nil, true, &Error{Source: source, Where: fe.Where, Kind: kind, Msg: fe.Msg}
	}
	if h == nil {
		return nil, false, nil
	}
	var blocks []Block
	for _, c := range h.Certs {
		var got []Block
		if c.PEM != nil {
			got, err = decodePEM(source, c.PEM, max, what)
			if len(got) == 0 && err == nil {
				err = &Error{Source: source, Kind: KindNoCertificate, Msg: "no certificate in the PEM"}
			}
		} else {
			got, err = decodeDER(source, "DER", c.DER, max, what)
		}
		if e := (*Error)(nil); errors.As(err, &e) {
			e.Where = joinWhere(c.Where, e.Where)
			return nil, true, e
		}
		single := len(got) == 1
		if c.Repeats && len(blocks) > 0 {
			if !bytes.Equal(got[0].DER, blocks[len(blocks)-1].DER) {
				return nil, true, &Error{Source: source, Where: c.Where, Kind: KindMalformed, Msg: "its first certificate is not the one in Cert=; Envoy's Chain= starts with the client's certificate"}
			}
			got = got[1:]
		}
		for i := range got {
			got[i].Where = joinWhere(c.Where, got[i].Where)
			if single {
				got[i].Where = c.Where
			}
		}
		blocks = append(blocks, got...)
		if len(blocks) > max {
			return nil, true, &Error{Source: source, Where: c.Where, Kind: KindTooMany, Msg: "more than " + strconv.Itoa(max) + " certificates; a " + what + " this long is not accepted"}
		}
	}
	return blocks, true, nil
}

func joinWhere(outer, inner string) string {
	if inner == "" || inner == "DER" {
		return outer
	}
	return outer + " " + inner
}

// DecodeHeaders reads the certificates of forwarded header lines ("Name: value"),
// as Decode reads a pasted header, without trying PEM, DER or base64 first: what a
// proxy sent in a header is read as that header, nothing else. No certificate is an
// error (KindNoCertificate), as for a header pasted without one.
func DecodeHeaders(source string, text []byte) ([]Block, error) {
	if len(text) > MaxBytes {
		return nil, &Error{Source: source, Kind: KindTooLarge, Msg: "the headers are " + size(len(text)) + "; at most " + size(MaxBytes) + " is accepted"}
	}
	blocks, ok, err := decodeHeader(source, text, MaxCertificates, "chain")
	if !ok {
		return nil, &Error{Source: source, Kind: KindNoCertificate, Msg: "no forwarded certificate header"}
	}
	return blocks, err
}
