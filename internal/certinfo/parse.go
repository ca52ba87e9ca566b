package certinfo

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// Context-specific tags inside TBSCertificate.
var (
	tagVersion         = asn1.Tag(0).Constructed().ContextSpecific() // [0] EXPLICIT
	tagIssuerUniqueID  = asn1.Tag(1).ContextSpecific()               // [1] IMPLICIT
	tagSubjectUniqueID = asn1.Tag(2).ContextSpecific()               // [2] IMPLICIT
	tagExtensions      = asn1.Tag(3).Constructed().ContextSpecific() // [3] EXPLICIT
)

// Parse describes one DER certificate. It reads the certificate with its own
// parser, so that a certificate crypto/x509 rejects is still shown field by field
// with the reason in Problems. It returns an error only when der is not an X.509
// certificate structure at all (the outer SEQUENCE, the TBSCertificate fields up
// to subjectPublicKeyInfo, signatureAlgorithm and signatureValue must be there);
// malformed contents of those fields become Problems.
//
// Every list in the result is non-nil, so JSON shows [] and CEL sees an empty list.
// Like x509.ParseCertificate, the result keeps der: the caller must not change it.
func Parse(der []byte) (*Certificate, error) {
	var ps Parser
	return ps.Parse(der)
}

// A Parser parses the certificates of one chain or bundle. Names repeat there (a
// certificate's issuer is the next one's subject, a root's issuer is its subject),
// so it parses each distinct name once and lets the views share the result, which
// no one changes. The zero Parser is ready; it is not safe for concurrent use.
type Parser struct {
	names [4]parsedName // the names seen last, a ring
	next  int
}

type parsedName struct {
	raw      []byte
	name     Name
	err      error
	warnings []string
}

// name parses a Name, or takes it from the ring, and adds its problems under field.
func (ps *Parser) name(raw []byte, field string, p *problems) Name {
	var pn *parsedName
	for i := range ps.names {
		if ps.names[i].raw != nil && bytes.Equal(ps.names[i].raw, raw) {
			pn = &ps.names[i]
			break
		}
	}
	if pn == nil {
		pn = &ps.names[ps.next]
		ps.next = (ps.next + 1) % len(ps.names)
		*pn = parsedName{raw: raw}
		pn.name, pn.err = parseName(raw, func(s string) { pn.warnings = append(pn.warnings, s) })
	}
	for _, w := range pn.warnings {
		p.add(field + ": " + w)
	}
	if pn.err != nil {
		p.add(field + ": " + pn.err.Error())
	}
	return pn.name
}

// Parse is the package's Parse, sharing names with the certificates parsed before.
func (ps *Parser) Parse(der []byte) (*Certificate, error) {
	fail := func(field string, at []byte, reason string) (*Certificate, error) {
		off := -1
		if at != nil {
			off = offsetIn(der, at)
		}
		return nil, &SyntaxError{What: "certificate", Field: field, Offset: off, Reason: reason}
	}
	if len(der) == 0 {
		return fail("", nil, "no bytes")
	}
	input := cryptobyte.String(der)
	var certElem cryptobyte.String
	if !input.ReadASN1Element(&certElem, asn1.SEQUENCE) {
		return fail("", der, "not a DER SEQUENCE (is it PEM or base64 rather than DER?)")
	}
	body := certElem[len(certElem)-contentLen(certElem):]
	// read reads one required element; cryptobyte consumes an element even when
	// its tag is wrong, so the offset for the message is taken first.
	var failed error
	read := func(s *cryptobyte.String, out *cryptobyte.String, tag asn1.Tag, element bool, field, want string) bool {
		if failed != nil {
			return false
		}
		at := offsetIn(der, *s)
		ok := false
		if element {
			ok = s.ReadASN1Element(out, tag)
		} else {
			ok = s.ReadASN1(out, tag)
		}
		if !ok {
			failed = &SyntaxError{What: "certificate", Field: field, Offset: at, Reason: "not a DER " + want}
		}
		return ok
	}
	var tbsElem, sigAlg, sigValue cryptobyte.String
	read(&body, &tbsElem, asn1.SEQUENCE, true, "tbsCertificate", "SEQUENCE")
	read(&body, &sigAlg, asn1.SEQUENCE, true, "signatureAlgorithm", "SEQUENCE")
	read(&body, &sigValue, asn1.BIT_STRING, false, "signatureValue", "BIT STRING")
	if failed != nil {
		return nil, failed
	}

	tbs := tbsElem[len(tbsElem)-contentLen(tbsElem):]
	var (
		versionWrap, serial                    cryptobyte.String
		innerSigAlg, issuer, validity, subject cryptobyte.String
		spki, extWrap                          cryptobyte.String
		hasVersion, hasExtensions              bool
	)
	if !tbs.ReadOptionalASN1(&versionWrap, &hasVersion, tagVersion) {
		return fail("tbsCertificate.version", tbs, "not a DER element")
	}
	read(&tbs, &serial, asn1.INTEGER, false, "tbsCertificate.serialNumber", "INTEGER")
	read(&tbs, &innerSigAlg, asn1.SEQUENCE, true, "tbsCertificate.signature", "SEQUENCE")
	read(&tbs, &issuer, asn1.SEQUENCE, true, "tbsCertificate.issuer", "SEQUENCE")
	read(&tbs, &validity, asn1.SEQUENCE, false, "tbsCertificate.validity", "SEQUENCE")
	read(&tbs, &subject, asn1.SEQUENCE, true, "tbsCertificate.subject", "SEQUENCE")
	read(&tbs, &spki, asn1.SEQUENCE, true, "tbsCertificate.subjectPublicKeyInfo", "SEQUENCE")
	if failed != nil {
		return nil, failed
	}

	// From here on the bytes are a certificate; what is wrong inside goes to Problems.
	var p problems
	if !tbs.SkipOptionalASN1(tagIssuerUniqueID) || !tbs.SkipOptionalASN1(tagSubjectUniqueID) ||
		!tbs.ReadOptionalASN1(&extWrap, &hasExtensions, tagExtensions) {
		p.add("tbsCertificate: malformed element after subjectPublicKeyInfo")
	} else if !tbs.Empty() {
		p.add("tbsCertificate: " + strconv.Itoa(len(tbs)) + " bytes of unexpected data after the extensions")
	}
	if !body.Empty() {
		p.add("certificate: " + strconv.Itoa(len(body)) + " bytes of unexpected data after signatureValue")
	}
	if !input.Empty() {
		p.add("certificate: " + strconv.Itoa(len(input)) + " bytes of trailing data after the certificate")
	}

	c := &Certificate{
		Version:     1,
		MaxPathLen:  -1,
		KeyUsage:    []string{},
		ExtKeyUsage: []string{},
		Extensions:  []Extension{},
		der:         certElem,
	}
	if hasVersion {
		var v int64
		if !versionWrap.ReadASN1Int64WithTag(&v, asn1.INTEGER) || !versionWrap.Empty() || v < 0 || v > 1000 {
			p.add("version: not a small INTEGER")
		} else {
			c.Version = int(v) + 1
		}
	}
	c.Serial = formatSerial(serial, &p)
	c.SignatureAlgorithm = signatureAlgorithmName(sigAlg, &p)
	if !bytes.Equal(sigAlg, innerSigAlg) {
		p.add("signature algorithm: tbsCertificate.signature and signatureAlgorithm differ")
	}

	c.Issuer = ps.name(issuer, "issuer", &p)
	c.Subject = ps.name(subject, "subject", &p)
	c.SelfIssued = bytes.Equal(issuer, subject)
	c.NotBefore = readTime(&validity, "notBefore", &p)
	c.NotAfter = readTime(&validity, "notAfter", &p)
	if !validity.Empty() {
		p.add("validity: unexpected data after notAfter")
	}
	c.PublicKey = parsePublicKey(spki, &p)

	c.SANEntries = []string{}
	c.SAN = newSAN()
	if hasExtensions {
		c.parseExtensions(extWrap, &p)
	}
	c.SPIFFEID = spiffeID(c.SAN.URI)

	// crypto/x509's verdict decides whether the certificate can be trusted at all;
	// pass it exactly what we were given, so trailing bytes count against it too.
	x509Input := c.der
	if len(input) != 0 {
		x509Input = der
	}
	if xc, err := parseX509(x509Input); err != nil {
		p.add("crypto/x509 rejects it: " + err.Error())
	} else {
		c.x509 = xc
	}
	c.Problems = p.result()

	c.SHA256, c.SHA1, c.PEM = fingerprintsAndPEM(c.der)
	return c, nil
}

// fingerprintsAndPEM returns the uppercase hex SHA-256 and SHA-1 of der and its
// PEM, the three sharing one allocation.
func fingerprintsAndPEM(der []byte) (sha256Hex, sha1Hex, pemText string) {
	const head, tail = "-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n"
	n := base64.StdEncoding.EncodedLen(len(der))
	var sb strings.Builder
	sb.Grow(2*sha256.Size + 2*sha1.Size + len(head) + n + (n+63)/64 + len(tail))
	s256 := sha256.Sum256(der)
	s1 := sha1.Sum(der)
	var hex [2*sha256.Size + 2*sha1.Size]byte
	sb.Write(appendUpperHex(appendUpperHex(hex[:0], s256[:]), s1[:]))
	sb.WriteString(head)
	var line [64]byte
	for rest := der; len(rest) > 0; {
		chunk := rest
		if len(chunk) > 48 { // 48 bytes are 64 base64 characters, one line
			chunk = chunk[:48]
		}
		m := base64.StdEncoding.EncodedLen(len(chunk))
		base64.StdEncoding.Encode(line[:m], chunk)
		sb.Write(line[:m])
		sb.WriteByte('\n')
		rest = rest[len(chunk):]
	}
	sb.WriteString(tail)
	all := sb.String()
	return all[:2*sha256.Size], all[2*sha256.Size : 2*sha256.Size+2*sha1.Size], all[2*sha256.Size+2*sha1.Size:]
}

// parseX509 is crypto/x509's parser; a variable only so that a benchmark can
// measure this package's own share of Parse.
var parseX509 = x509.ParseCertificate

// formatSerial prints a serialNumber as `openssl x509 -serial` does: uppercase hex
// of the magnitude, two digits per byte, without the sign-padding zero byte, and a
// "-" for a negative number (which RFC 5280 forbids but certificates carry).
func formatSerial(b []byte, p *problems) string {
	if len(b) == 0 {
		p.add("serialNumber: empty INTEGER")
		return ""
	}
	if b[0]&0x80 != 0 {
		// Two's complement: the magnitude is (NOT b) + 1.
		mag := make([]byte, len(b))
		carry := byte(1)
		for i := len(b) - 1; i >= 0; i-- {
			v := ^b[i] + carry
			if carry == 1 && v != 0 {
				carry = 0
			}
			mag[i] = v
		}
		for len(mag) > 1 && mag[0] == 0 {
			mag = mag[1:]
		}
		return "-" + upperHex(mag)
	}
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return upperHex(b)
}

// signatureAlgorithmName names an AlgorithmIdentifier with crypto/x509's names.
func signatureAlgorithmName(elem []byte, p *problems) string {
	in := cryptobyte.String(elem)
	var seq, oid cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !seq.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) {
		p.add("signatureAlgorithm: no algorithm OID")
		return ""
	}
	dotted, name, ok := signatureAlgorithms.lookup(oid)
	if !ok {
		p.add("signatureAlgorithm: invalid OID")
		return hashHex(oid)
	}
	if name != "" {
		return name
	}
	if string(oid) == oidSigRSAPSS {
		// RSASSA-PSS-params ::= SEQUENCE { hashAlgorithm [0] AlgorithmIdentifier, … }
		var params, hashWrap, hashAlg, hashOID cryptobyte.String
		if seq.ReadASN1(&params, asn1.SEQUENCE) &&
			params.ReadASN1(&hashWrap, asn1.Tag(0).Constructed().ContextSpecific()) &&
			hashWrap.ReadASN1(&hashAlg, asn1.SEQUENCE) &&
			hashAlg.ReadASN1(&hashOID, asn1.OBJECT_IDENTIFIER) {
			if e := pssHashNames.get(hashOID); e != nil {
				return e.name
			}
		}
	}
	return dotted
}

// readTime reads a UTCTime or GeneralizedTime, as RFC 5280 allows, in UTC. A
// malformed time is skipped, so the other one is still read.
func readTime(in *cryptobyte.String, field string, p *problems) time.Time {
	var t time.Time
	var elem cryptobyte.String
	var tag asn1.Tag
	if !in.ReadAnyASN1Element(&elem, &tag) {
		p.add("validity: " + field + ": missing")
		return t
	}
	text := func() string { return quoteShort(string(elem[len(elem)-contentLen(elem):])) }
	raw := elem // the Read methods consume elem
	content := elem[len(elem)-contentLen(elem):]
	switch tag {
	case asn1.UTCTime:
		if t, ok := parseDERTime(content, false); ok {
			return t
		}
		if !elem.ReadASN1UTCTime(&t) { // the lenient forms (no seconds, offsets)
			elem = raw
			p.add("validity: " + field + ": malformed UTCTime " + text())
		}
	case asn1.GeneralizedTime:
		if t, ok := parseDERTime(content, true); ok {
			return t
		}
		if !elem.ReadASN1GeneralizedTime(&t) {
			elem = raw
			p.add("validity: " + field + ": malformed GeneralizedTime " + text())
		}
	default:
		p.add("validity: " + field + ": not a UTCTime or GeneralizedTime")
	}
	return t.UTC()
}

// parseDERTime parses the forms RFC 5280 requires, YYMMDDHHMMSSZ (UTCTime, years
// 50-99 are 19xx) and YYYYMMDDHHMMSSZ, without the allocations of time.Parse.
// ok is false for anything else, which readTime hands to cryptobyte.
func parseDERTime(b []byte, generalized bool) (time.Time, bool) {
	want := 13
	if generalized {
		want = 15
	}
	if len(b) != want || b[want-1] != 'Z' {
		return time.Time{}, false
	}
	var v [6]int // year, month, day, hour, minute, second
	digits := b[:want-1]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
	}
	num := func(s []byte) int { return int(s[0]-'0')*10 + int(s[1]-'0') }
	if generalized {
		v[0] = num(digits[0:2])*100 + num(digits[2:4])
		digits = digits[4:]
	} else {
		v[0] = num(digits[0:2]) + 2000
		if v[0] >= 2050 {
			v[0] -= 100
		}
		digits = digits[2:]
	}
	for i := 1; i < 6; i++ {
		v[i] = num(digits[2*(i-1):])
	}
	if v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59 {
		return time.Time{}, false
	}
	t := time.Date(v[0], time.Month(v[1]), v[2], v[3], v[4], v[5], 0, time.UTC)
	if t.Day() != v[2] { // 31 February and the like
		return time.Time{}, false
	}
	return t, true
}

// parsePublicKey describes a SubjectPublicKeyInfo from its encoding alone: the
// algorithm, the curve, and the size (RSA modulus bits, curve size, 256 for
// Ed25519). Whether the key itself is valid is crypto/x509's verdict.
func parsePublicKey(elem []byte, p *problems) PublicKey {
	var pk PublicKey
	in := cryptobyte.String(elem)
	var spki, algID, oid cryptobyte.String
	var key []byte
	if !in.ReadASN1(&spki, asn1.SEQUENCE) || !spki.ReadASN1(&algID, asn1.SEQUENCE) ||
		!algID.ReadASN1(&oid, asn1.OBJECT_IDENTIFIER) || !spki.ReadASN1BitStringAsBytes(&key) {
		p.add("subjectPublicKeyInfo: malformed")
		return pk
	}
	dotted, name, ok := publicKeyAlgorithms.lookup(oid)
	if !ok {
		p.add("subjectPublicKeyInfo: invalid algorithm OID")
		return pk
	}
	pk.Algorithm = name
	if name == "" {
		pk.Algorithm = dotted
	}
	switch name {
	case "RSA", "RSA-PSS":
		k := cryptobyte.String(key)
		var seq, n cryptobyte.String
		if !k.ReadASN1(&seq, asn1.SEQUENCE) || !seq.ReadASN1(&n, asn1.INTEGER) {
			p.add("subjectPublicKeyInfo: malformed RSA public key")
			break
		}
		pk.Bits = intBitLen(n)
	case "DSA":
		var params, prime cryptobyte.String
		if algID.ReadASN1(&params, asn1.SEQUENCE) && params.ReadASN1(&prime, asn1.INTEGER) {
			pk.Bits = intBitLen(prime)
		}
	case "ECDSA":
		var curve cryptobyte.String
		if algID.ReadASN1(&curve, asn1.OBJECT_IDENTIFIER) {
			cd, cn, _ := namedCurves.lookup(curve)
			pk.Curve = cn
			if cn == "" {
				pk.Curve = cd
			}
			pk.Bits = curveBits[cn]
		} else {
			pk.Curve = "explicit parameters"
		}
		if pk.Bits == 0 && len(key) > 1 { // unknown curve: size from the point
			if key[0] == 4 {
				pk.Bits = (len(key) - 1) / 2 * 8
			} else {
				pk.Bits = (len(key) - 1) * 8
			}
		}
	case "Ed25519", "X25519":
		pk.Bits = 256
	case "Ed448":
		pk.Bits = 456
	case "X448":
		pk.Bits = 448
	}
	return pk
}

// intBitLen is the bit length of a non-negative DER INTEGER's content.
func intBitLen(b []byte) int {
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*8 + bits.Len8(b[0])
}
