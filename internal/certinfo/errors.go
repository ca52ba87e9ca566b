package certinfo

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports DER that cannot be read as the structure it should be. It
// names the structure, the element and its byte offset, so a person can find the
// bad byte with `openssl asn1parse` instead of guessing from "malformed".
type SyntaxError struct {
	What   string // the structure being read: "certificate", "name", "subjectAltName"
	Field  string // the element within it, e.g. "tbsCertificate.validity" or "RDN 2"; may be ""
	Offset int    // byte offset of that element in the input; -1 when unknown
	Reason string // what is wrong, lower-case
}

func (e *SyntaxError) Error() string {
	var b strings.Builder
	if e.What == "certificate" {
		b.WriteString("not a certificate")
	} else {
		b.WriteString("malformed ")
		b.WriteString(e.What)
	}
	if e.Field != "" {
		b.WriteString(": ")
		b.WriteString(e.Field)
	}
	if e.Offset >= 0 {
		b.WriteString(" at byte ")
		b.WriteString(strconv.Itoa(e.Offset))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// offsetIn returns where sub starts inside base, for error messages. Both come from
// cryptobyte, which only reslices, so capacities give the distance.
func offsetIn(base, sub []byte) int {
	if cap(sub) > cap(base) {
		return -1
	}
	return cap(base) - cap(sub)
}

// maxProblems bounds the Problems list, so a hostile certificate with a hundred
// thousand bad SAN entries yields a readable list, not megabytes of repetition.
const maxProblems = 50

// problems collects Problems lines up to maxProblems and counts the rest.
type problems struct {
	list    []string
	dropped int
}

func (p *problems) add(s string) {
	if len(p.list) >= maxProblems {
		p.dropped++
		return
	}
	p.list = append(p.list, s)
}

func (p *problems) result() []string {
	if p.dropped > 0 {
		return append(p.list, "… and "+strconv.Itoa(p.dropped)+" more problems")
	}
	if p.list == nil {
		return []string{}
	}
	return p.list
}

// quoteShort quotes a value for a problem message, cut to 64 bytes so that one
// hostile megabyte-long value does not become a megabyte-long message.
func quoteShort(s string) string {
	const max = 64
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}
