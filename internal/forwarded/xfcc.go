package forwarded

import (
	"strconv"
	"strings"
)

// pair is one key=value of an XFCC element; off is where its value starts.
type pair struct {
	key, value string
	off        int
}

// splitXFCC reads Envoy's grammar: elements separated by ",", key=value pairs by
// ";", keys case-insensitive; a value with "," ";" or "=" is double-quoted, and a
// double quote inside it is written \". Envoy itself quotes Cert, Chain and
// Subject and writes By, URI and DNS bare (source/common/http/conn_manager_utility.cc).
func splitXFCC(f field) ([][]pair, error) {
	v := f.value
	var elems [][]pair
	var cur []pair
	i := 0
	for {
		for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
			i++
		}
		if i == len(v) || v[i] == ',' || v[i] == ';' { // an empty pair
			if i == len(v) || v[i] == ',' {
				elems, cur = append(elems, cur), nil
			}
			if i == len(v) {
				return elems, nil
			}
			i++
			continue
		}
		start := i
		for i < len(v) && v[i] != '=' && v[i] != ';' && v[i] != ',' && v[i] != '"' {
			i++
		}
		if i == len(v) || v[i] != '=' {
			return nil, f.fail(start, "\""+clip(v[start:i])+"\" is not a key=value pair (Envoy separates elements with \",\" and pairs with \";\")")
		}
		key := strings.TrimSpace(v[start:i])
		i++
		valueAt := i
		var val string
		if i < len(v) && v[i] == '"' {
			var b strings.Builder
			i++
			valueAt = i
			for {
				if i == len(v) {
					return nil, f.fail(valueAt-1, "the quoted value of "+key+"= has no closing double quote")
				}
				if v[i] == '\\' && i+1 < len(v) && v[i+1] == '"' {
					b.WriteByte('"')
					i += 2
					continue
				}
				if v[i] == '"' {
					i++
					break
				}
				b.WriteByte(v[i])
				i++
			}
			val = b.String()
			for i < len(v) && (v[i] == ' ' || v[i] == '\t') {
				i++
			}
			if i < len(v) && v[i] != ';' && v[i] != ',' {
				return nil, f.fail(i, "unexpected "+quoteByte(v[i])+" after the quoted value of "+key+"=; quote the whole value")
			}
		} else {
			for i < len(v) && v[i] != ';' && v[i] != ',' {
				i++
			}
			val = strings.TrimSpace(v[valueAt:i])
		}
		cur = append(cur, pair{key: key, value: val, off: valueAt})
	}
}

// xfcc reads the first element, which the first proxy wrote about the client
// itself; each later element is a later hop's own client, another proxy.
func xfcc(h *Header, f field) error {
	elems, err := splitXFCC(f)
	if err != nil {
		return err
	}
	var first []pair
	n := 0
	for _, e := range elems {
		if len(e) == 0 {
			continue
		}
		n++
		if first == nil {
			first = e
		}
	}
	if first == nil {
		return &Error{Where: f.where(), Msg: "empty x-forwarded-client-cert: no element", NoCertificate: true}
	}
	if n > 1 {
		h.addNote("x-forwarded-client-cert has " + strconv.Itoa(n) + " elements, one per proxy hop; element 1, the client as the first proxy saw it, is read; the other " + strconv.Itoa(n-1) + ", the later hops' own clients (other proxies), are not")
	}
	where := f.where() + " element 1"
	var cert, chain *pair
	for k := range first {
		p := &first[k]
		switch strings.ToLower(p.key) {
		case "cert":
			if cert == nil {
				cert = p
			}
		case "chain":
			if chain == nil {
				chain = p
			}
		case "by":
			h.addField("By", p.value)
		case "hash":
			h.addField("Hash", p.value)
		case "subject":
			h.addField("Subject", p.value)
		case "uri":
			h.addField("URI", p.value)
		case "dns":
			h.addField("DNS", p.value)
		default:
			h.addField(p.key, p.value)
		}
	}
	if cert == nil && chain == nil {
		return &Error{Where: where, NoCertificate: true,
			Msg: "this element carries no certificate, only facts about it; configure Envoy's set_current_client_cert_details with cert: true (or chain: true) so it sends Cert= (or Chain=)"}
	}
	for _, p := range []*pair{cert, chain} {
		if p == nil {
			continue
		}
		pemText, bad, ok := unescape(p.value, false)
		if !ok {
			return &Error{Where: f.at(p.off + bad), Msg: "bad URL escape in " + p.key + "=: Envoy sends the PEM URL-encoded (%XX)"}
		}
		if !strings.Contains(pemText, "-----BEGIN") {
			return &Error{Where: f.at(p.off), Msg: p.key + "= does not hold URL-encoded PEM (-----BEGIN%20CERTIFICATE-----…)"}
		}
		h.Certs = append(h.Certs, Cert{Where: where + " " + p.key, PEM: []byte(pemText), Repeats: p == chain && cert != nil})
	}
	return nil
}

// isXFCC recognises a bare XFCC value: its first pair has one of Envoy's keys.
func isXFCC(v string) bool {
	key, _, ok := strings.Cut(v, "=")
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(key)) {
	case "by", "hash", "cert", "chain", "subject", "uri", "dns":
		return true
	}
	return false
}

// clip shortens what an error quotes.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
