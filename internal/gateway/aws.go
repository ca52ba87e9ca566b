package gateway

import (
	"encoding/pem"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

const (
	awsAPIGWVersion = "Amazon API Gateway mutual TLS, REST API Lambda authorizer payload (AWS developer guide, December 2026)"
	awsALBVersion   = "AWS Application Load Balancer mutual TLS verify mode headers (ELB user guide, December 2026)"
)

// xnDEROrder is what API Gateway's subjectDN looks like in the one payload a
// user published (aws/serverless-java-container#469): RDNs in DER order joined
// by "," without spaces. The escaping is assumed to be OpenSSL's RFC 2253 one.
var xnDEROrder = nameFormat{strflags: strflgsRFC2253, sepDN: ",", sepMV: "+", sepEq: "=", dumpUnknownFields: true}

// awsAPIGW is the clientCert object API Gateway hands a Lambda authorizer
// (requestContext.identity.clientCert for REST APIs; HTTP APIs' payload 2.0 has
// the same object at requestContext.authentication.clientCert). AWS documents
// the fields but not their formats: the examples' dates are ASN1_TIME_print's
// and their serials fit X509_print's rule, so those formatters compute them.
var awsAPIGW = Profile{
	Name:  "aws-apigw",
	Title: awsAPIGWVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Documented, version: awsAPIGWVersion}
		const p = "requestContext.identity.clientCert."
		vs.add(p+"clientCertPem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER()}))
		if b, err := printName(raw.subject, xnDEROrder); err == nil {
			vs.add(p+"subjectDN", b)
		}
		if b, err := printName(raw.issuer, xnDEROrder); err == nil {
			vs.add(p+"issuerDN", b)
		}
		vs.add(p+"serialNumber", x509PrintSerial(raw.serial))
		if b, ok := timePrint(raw.notBefore); ok {
			vs.add(p+"validity.notBefore", b)
		}
		if b, ok := timePrint(raw.notAfter); ok {
			vs.add(p+"validity.notAfter", b)
		}
		return View{Values: vs.list, CannotSee: []string{
			"subjectAltName: the clientCert object has no field for it; parse clientCertPem in the authorizer",
			"the chain: only the leaf is passed",
		}, Notes: []string{
			"AWS documents these fields but not their formats. subjectDN and issuerDN follow the one real payload published (aws/serverless-java-container#469): RDNs in DER order (C first), joined by \",\" with no spaces — the reverse of nginx's and RFC 4514's order. How special and non-ASCII characters are escaped is not documented; OpenSSL's RFC 2253 escaping is assumed",
			"serialNumber follows both published examples (\"1\"; \"a1:a1:…:a1\" for a 16-byte serial), which is OpenSSL's X509_print rule: decimal up to 8 bytes, lower-case colon-separated hex above; other formats are possible",
			"validity dates are OpenSSL's ASN1_TIME_print form, as both documented examples show (\"May 28 12:30:02 2019 GMT\", \"Aug  5 09:36:04 2021 GMT\")",
			"clientCertPem is shown as PEM with 64-character lines and a final line feed; whether API Gateway keeps the client's own line breaks is not documented",
			"HTTP APIs (payload 2.0) carry the same object at requestContext.authentication.clientCert; mapping templates and access logs read $context.identity.clientCert.* (REST)",
		}}
	},
}

// x509PrintSerial is how X509_print_ex writes a serial (crypto/x509/t_x509.c):
// decimal when the magnitude fits a long (8 bytes on 64-bit Linux), else the
// magnitude's bytes as lower-case hex joined by ":", " (Negative)" dropped.
func x509PrintSerial(content []byte) []byte {
	neg := len(content) > 0 && content[0]&0x80 != 0
	mag := integerMagnitude(content)
	if len(mag) <= 8 {
		// ASN1_INTEGER_get returns -1 for a value past a long's range, and
		// X509_print takes -1 (a real -1 too) as "print it in hex".
		v := new(big.Int).SetBytes(mag)
		limit := new(big.Int).SetUint64(1 << 63)
		if !neg && v.Cmp(limit) < 0 || neg && v.Cmp(limit) <= 0 && v.Cmp(big.NewInt(1)) != 0 {
			if neg {
				return append([]byte{'-'}, v.String()...)
			}
			return []byte(v.String())
		}
	}
	var b []byte
	for i, x := range mag {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, "0123456789abcdef"[x>>4], "0123456789abcdef"[x&0xf])
	}
	return b
}

// awsALB is the X-Amzn-Mtls-Clientcert-* headers an Application Load Balancer
// in verify mode adds for its targets. The documentation gives each header's
// format with an example: upper-case hex serial, RFC 2253 names, ISO 8601
// validity, the leaf as URL-encoded PEM with "+", "=" and "/" left alone.
var awsALB = Profile{
	Name:  "aws-alb",
	Title: awsALBVersion,
	view: func(c *certinfo.Certificate, raw rawCert) View {
		vs := values{source: Documented, version: awsALBVersion}
		vs.add("X-Amzn-Mtls-Clientcert-Serial-Number", appendHex(nil, integerMagnitude(raw.serial), upperHex))
		if b, err := printName(raw.issuer, xnRFC2253); err == nil {
			vs.add("X-Amzn-Mtls-Clientcert-Issuer", b)
		}
		if b, err := printName(raw.subject, xnRFC2253); err == nil {
			vs.add("X-Amzn-Mtls-Clientcert-Subject", b)
		}
		nb, ok1 := isoTime(raw.notBefore)
		na, ok2 := isoTime(raw.notAfter)
		if ok1 && ok2 {
			vs.add("X-Amzn-Mtls-Clientcert-Validity", []byte("NotBefore="+nb+";NotAfter="+na))
		}
		vs.add("X-Amzn-Mtls-Clientcert-Leaf", escapePEMSafe(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER()})))
		return View{Values: vs.list, CannotSee: []string{
			"subjectAltName: no header for it; parse X-Amzn-Mtls-Clientcert-Leaf in the target",
		}, Notes: []string{
			"these are request headers the load balancer adds for its targets (verify mode); the target's code compares them, and they are only as trustworthy as the hop that set them",
			"the documentation's examples: Serial-Number 03A5B1 (upper-case hex, leading zero kept), Subject CN=client_.com,OU=client-3,O=mTLS,ST=Washington,C=US (RFC 2253 order), Validity NotBefore=2023-09-21T01:50:17Z;NotAfter=2024-09-20T01:50:17Z; how non-ASCII characters are escaped is not documented, OpenSSL's RFC 2253 rules (bytes ≥ 0x80 as \\XX) are assumed",
			"passthrough mode sends only X-Amzn-Mtls-Clientcert: the whole chain the client sent, URL-encoded PEM, leaf first",
			"API Gateway's clientCert object (aws-apigw) prints the same names in the opposite order",
		}}
	},
}

// isoTime is a certificate time in ISO 8601 UTC to the second, as the ALB's
// Validity header writes it.
func isoTime(t rawTime) (string, bool) {
	tm, ok := certTime(t)
	return tm.Format("2006-01-02T15:04:05Z"), ok
}

// certTime reads a UTCTime (years 50-99 are 19xx) or GeneralizedTime.
func certTime(t rawTime) (time.Time, bool) {
	var layout string
	switch t.tag {
	case asn1.UTCTime:
		layout = "060102150405Z"
	case asn1.GeneralizedTime:
		layout = "20060102150405Z"
	default:
		return time.Time{}, false
	}
	tm, err := time.Parse(layout, string(t.bytes))
	if err != nil {
		return time.Time{}, false
	}
	if t.tag == asn1.UTCTime && tm.Year() >= 2050 {
		tm = tm.AddDate(-100, 0, 0)
	}
	return tm, true
}

// escapePEMSafe URL-encodes every byte but ALPHA, DIGIT, "-", ".", "_", "~" and
// the three the ALB documentation calls safe, "+", "=" and "/".
func escapePEMSafe(s []byte) []byte {
	var b []byte
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '+', c == '=', c == '/':
			b = append(b, c)
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return b
}
