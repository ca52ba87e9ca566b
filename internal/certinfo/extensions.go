package certinfo

import (
	"bytes"
	encasn1 "encoding/asn1"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// keyUsageNames are the KeyUsage bits of RFC 5280 section 4.2.1.3, by bit number.
var keyUsageNames = [...]string{
	"digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment",
	"keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly",
}

// parseExtensions reads the [3] EXPLICIT Extensions wrapper: it lists every
// extension and fills the fields the view shows from the ones it knows.
func (c *Certificate) parseExtensions(wrap cryptobyte.String, p *problems) {
	var exts cryptobyte.String
	if !wrap.ReadASN1(&exts, asn1.SEQUENCE) || !wrap.Empty() {
		p.add("extensions: not a DER SEQUENCE")
		return
	}
	n := 0
	for count := exts; !count.Empty() && count.SkipASN1(asn1.SEQUENCE); {
		n++
	}
	c.Extensions = make([]Extension, 0, n)
	var oidBuf [16][]byte
	oids := oidBuf[:0] // for the duplicate check
	for i := 0; !exts.Empty(); i++ {
		var ext, oid, value cryptobyte.String
		if !exts.ReadASN1(&ext, asn1.SEQUENCE) {
			p.add("extension " + strconv.Itoa(i) + ": not a DER SEQUENCE; the rest are not read")
			return
		}
		critical := false
		if !ext.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) ||
			!readOptionalBoolean(&ext, &critical) ||
			!ext.ReadASN1(&value, asn1.OCTET_STRING) || !ext.Empty() {
			p.add("extension " + strconv.Itoa(i) + ": malformed (want OID, optional critical BOOLEAN, OCTET STRING)")
			continue
		}
		dotted, name, ok := extensionNames.lookup(oid)
		if !ok {
			dotted = hashHex(oid)
			p.add("extension " + strconv.Itoa(i) + ": invalid OID " + dotted)
		}
		c.Extensions = append(c.Extensions, Extension{OID: dotted, Name: name, Critical: critical})
		oids = append(oids, oid)
		label := name
		if label == "" {
			label = dotted
		}
		switch string(oid) {
		case oidExtSAN:
			entries, san, err := parseSAN(value, p)
			c.SANEntries, c.SAN = entries, san
			if err != nil {
				p.add("subjectAltName: " + err.Error())
			}
		case oidExtKeyUsage:
			c.parseKeyUsage(value, p)
		case oidExtExtKeyUsage:
			c.parseExtKeyUsage(value, p)
		case oidExtBasicConstr:
			c.parseBasicConstraints(value, p)
		case oidExtSubjectKeyID:
			var kid cryptobyte.String
			if !value.ReadASN1(&kid, asn1.OCTET_STRING) || !value.Empty() {
				p.add(label + ": not a DER OCTET STRING")
				break
			}
			c.SubjectKeyID = upperHex(kid)
		case oidExtAuthorityKeyID:
			var seq, kid cryptobyte.String
			var has bool
			if !value.ReadASN1(&seq, asn1.SEQUENCE) || !value.Empty() ||
				!seq.ReadOptionalASN1(&kid, &has, asn1.Tag(0).ContextSpecific()) {
				p.add(label + ": malformed")
				break
			}
			if has {
				c.AuthorityKeyID = upperHex(kid)
			}
		}
	}
	if dup := duplicate(oids); dup >= 0 {
		e := c.Extensions[dup]
		p.add("extensions: " + e.OID + " appears more than once (RFC 5280 forbids it)")
	}
}

// readOptionalBoolean reads a BOOLEAN DEFAULT FALSE. (cryptobyte's
// ReadOptionalASN1Boolean is for an explicitly tagged BOOLEAN, not this.)
func readOptionalBoolean(s *cryptobyte.String, out *bool) bool {
	*out = false
	if !s.PeekASN1Tag(asn1.BOOLEAN) {
		return true
	}
	return s.ReadASN1Boolean(out)
}

// duplicate returns the index of an OID that occurs again, or -1. Quadratic for
// the usual handful of extensions, a map beyond that.
func duplicate(oids [][]byte) int {
	if len(oids) <= 16 {
		for i := range oids {
			for j := i + 1; j < len(oids); j++ {
				if bytes.Equal(oids[i], oids[j]) {
					return j
				}
			}
		}
		return -1
	}
	seen := make(map[string]struct{}, len(oids))
	for i, o := range oids {
		if _, ok := seen[string(o)]; ok {
			return i
		}
		seen[string(o)] = struct{}{}
	}
	return -1
}

func (c *Certificate) parseKeyUsage(value cryptobyte.String, p *problems) {
	var bs encasn1.BitString
	if !value.ReadASN1BitString(&bs) || !value.Empty() {
		p.add("keyUsage: not a DER BIT STRING")
		return
	}
	for i, n := range keyUsageNames {
		if bs.At(i) == 1 {
			c.KeyUsage = append(c.KeyUsage, n)
		}
	}
}

func (c *Certificate) parseExtKeyUsage(value cryptobyte.String, p *problems) {
	var seq cryptobyte.String
	if !value.ReadASN1(&seq, asn1.SEQUENCE) || !value.Empty() {
		p.add("extKeyUsage: not a DER SEQUENCE of OIDs")
		return
	}
	for !seq.Empty() {
		var oid cryptobyte.String
		if !seq.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) {
			p.add("extKeyUsage: not a DER SEQUENCE of OIDs")
			return
		}
		dotted, name, ok := extKeyUsageNames.lookup(oid)
		switch {
		case !ok:
			p.add("extKeyUsage: invalid OID")
		case name != "":
			c.ExtKeyUsage = append(c.ExtKeyUsage, name)
		default:
			c.ExtKeyUsage = append(c.ExtKeyUsage, dotted)
		}
	}
}

func (c *Certificate) parseBasicConstraints(value cryptobyte.String, p *problems) {
	var seq cryptobyte.String
	isCA := false
	if !value.ReadASN1(&seq, asn1.SEQUENCE) || !value.Empty() ||
		!readOptionalBoolean(&seq, &isCA) {
		p.add("basicConstraints: malformed")
		return
	}
	c.IsCA = isCA
	if seq.PeekASN1Tag(asn1.INTEGER) {
		var n int64
		if !seq.ReadASN1Int64WithTag(&n, asn1.INTEGER) || n < 0 || n > 1<<31-1 {
			p.add("basicConstraints: pathLenConstraint is not a small non-negative INTEGER")
			return
		}
		c.MaxPathLen = int(n)
	}
	if !seq.Empty() {
		p.add("basicConstraints: unexpected data after pathLenConstraint")
	}
}
