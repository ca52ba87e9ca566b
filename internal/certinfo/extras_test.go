package certinfo

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte/asn1"
)

// spki builds a SubjectPublicKeyInfo from an algorithm OID, optional parameters
// and the key bytes.
func spki(alg string, params, key []byte) []byte {
	algID := tlv(asn1.SEQUENCE, append(tlv(asn1.OBJECT_IDENTIFIER, oidContent(alg)), params...))
	return tlv(asn1.SEQUENCE, append(algID, tlv(asn1.BIT_STRING, append([]byte{0}, key...))...))
}

func TestParsePublicKey(t *testing.T) {
	rsaKey := func(modulus []byte) []byte {
		return tlv(asn1.SEQUENCE, append(tlv(asn1.INTEGER, modulus), tlv(asn1.INTEGER, []byte{1, 0, 1})...))
	}
	curve := func(dotted string) []byte { return tlv(asn1.OBJECT_IDENTIFIER, oidContent(dotted)) }
	point := func(n int) []byte { return append([]byte{4}, make([]byte, 2*n)...) }
	tests := []struct {
		name    string
		spki    []byte
		want    PublicKey
		problem bool
	}{
		{"RSA 1023 bits", spki("1.2.840.113549.1.1.1", []byte{5, 0}, rsaKey(append([]byte{0, 0x40}, make([]byte, 127)...))), PublicKey{"RSA", 1023, ""}, false},
		{"RSA malformed", spki("1.2.840.113549.1.1.1", []byte{5, 0}, []byte{1, 2, 3}), PublicKey{"RSA", 0, ""}, true},
		{"DSA", spki("1.2.840.10040.4.1", tlv(asn1.SEQUENCE, tlv(asn1.INTEGER, append([]byte{0, 0x80}, make([]byte, 255)...))), tlv(asn1.INTEGER, []byte{1})),
			PublicKey{"DSA", 2048, ""}, false},
		{"P-384", spki("1.2.840.10045.2.1", curve("1.3.132.0.34"), point(48)), PublicKey{"ECDSA", 384, "P-384"}, false},
		{"brainpool", spki("1.2.840.10045.2.1", curve("1.3.36.3.3.2.8.1.1.7"), point(32)), PublicKey{"ECDSA", 256, "brainpoolP256r1"}, false},
		{"unknown curve", spki("1.2.840.10045.2.1", curve("1.2.3.4"), point(40)), PublicKey{"ECDSA", 320, "1.2.3.4"}, false},
		{"compressed point on an unknown curve", spki("1.2.840.10045.2.1", curve("1.2.3.4"), append([]byte{2}, make([]byte, 40)...)), PublicKey{"ECDSA", 320, "1.2.3.4"}, false},
		{"explicit curve", spki("1.2.840.10045.2.1", tlv(asn1.SEQUENCE, nil), point(32)), PublicKey{"ECDSA", 256, "explicit parameters"}, false},
		{"X25519", spki("1.3.101.110", nil, make([]byte, 32)), PublicKey{"X25519", 256, ""}, false},
		{"Ed448", spki("1.3.101.113", nil, make([]byte, 57)), PublicKey{"Ed448", 456, ""}, false},
		{"X448", spki("1.3.101.111", nil, make([]byte, 56)), PublicKey{"X448", 448, ""}, false},
		{"ML-DSA-65", spki("2.16.840.1.101.3.4.3.18", nil, make([]byte, 8)), PublicKey{"ML-DSA-65", 0, ""}, false},
		{"unknown algorithm", spki("1.2.3.4.5", nil, []byte{1}), PublicKey{"1.2.3.4.5", 0, ""}, false},
		{"no BIT STRING", tlv(asn1.SEQUENCE, tlv(asn1.SEQUENCE, tlv(asn1.OBJECT_IDENTIFIER, oidContent("1.3.101.112")))), PublicKey{}, true},
	}
	for _, tt := range tests {
		var p problems
		got := parsePublicKey(tt.spki, &p)
		if got != tt.want || (len(p.list) > 0) != tt.problem {
			t.Errorf("%s: parsePublicKey = %+v, problems %q; want %+v, problem %v", tt.name, got, p.list, tt.want, tt.problem)
		}
	}
}

func TestSignatureAlgorithmName(t *testing.T) {
	alg := func(dotted string, params ...byte) []byte {
		return tlv(asn1.SEQUENCE, append(tlv(asn1.OBJECT_IDENTIFIER, oidContent(dotted)), params...))
	}
	pss := func(hash string) []byte {
		return tlv(asn1.SEQUENCE, tlv(asn1.Tag(0).Constructed().ContextSpecific(), tlv(asn1.SEQUENCE, tlv(asn1.OBJECT_IDENTIFIER, oidContent(hash)))))
	}
	tests := []struct {
		elem []byte
		want string
	}{
		{alg("1.2.840.113549.1.1.11", 5, 0), "SHA256-RSA"},
		{alg("1.3.14.3.2.29"), "SHA1-RSA"},
		{alg("1.2.840.10045.4.3.4"), "ECDSA-SHA512"},
		{alg("1.2.840.113549.1.1.10", pss("2.16.840.1.101.3.4.2.3")...), "SHA512-RSAPSS"},
		{alg("1.2.840.113549.1.1.10", pss("1.3.14.3.2.26")...), "1.2.840.113549.1.1.10"}, // PSS with SHA-1: Go has no name
		{alg("1.2.840.113549.1.1.10"), "1.2.840.113549.1.1.10"},
		{alg("1.2.3.4"), "1.2.3.4"},
	}
	for _, tt := range tests {
		var p problems
		if got := signatureAlgorithmName(tt.elem, &p); got != tt.want || len(p.list) != 0 {
			t.Errorf("signatureAlgorithmName(%X) = %q, %q; want %q", tt.elem, got, p.list, tt.want)
		}
	}
	var p problems
	if got := signatureAlgorithmName(tlv(asn1.SEQUENCE, nil), &p); got != "" || len(p.list) != 1 {
		t.Errorf("signatureAlgorithmName(empty) = %q, %q", got, p.list)
	}
}

func TestDuplicate(t *testing.T) {
	var many [][]byte
	for i := range 40 {
		many = append(many, []byte{byte(i)})
	}
	if got := duplicate(many); got != -1 {
		t.Errorf("duplicate(40 distinct) = %d", got)
	}
	if got := duplicate(append(many, []byte{7})); got != 40 {
		t.Errorf("duplicate(40 + repeat) = %d, want 40", got)
	}
	if got := duplicate([][]byte{{1}, {2}, {1}}); got != 2 {
		t.Errorf("duplicate(short) = %d, want 2", got)
	}
}

func TestQuoteShort(t *testing.T) {
	if got := quoteShort("a b"); got != `"a b"` {
		t.Errorf("quoteShort = %s", got)
	}
	long := strings.Repeat("é", 40) // 80 bytes: the cut must not split a rune
	got := quoteShort(long)
	if !strings.HasSuffix(got, `"…`) || strings.Contains(got, `\x`) || len(got) > 70 {
		t.Errorf("quoteShort(long) = %s", got)
	}
}

func TestTagName(t *testing.T) {
	for tag, want := range map[asn1.Tag]string{tagUTF8String: "UTF8String", tagNumericString: "NumericString",
		tagPrintableString: "PrintableString", tagT61String: "TeletexString", tagIA5String: "IA5String",
		tagVisibleString: "VisibleString", tagUniversalString: "UniversalString", tagBMPString: "BMPString",
		asn1.INTEGER: "tag 0x02"} {
		if got := tagName(tag); got != want {
			t.Errorf("tagName(%d) = %q, want %q", tag, got, want)
		}
	}
}

// TestInvalidStringsInNames: each string type with bytes that break it becomes
// #hex with a problem line, in a certificate.
func TestInvalidStringsInNames(t *testing.T) {
	subject := rdnSeq(one(oCN, str(tagIA5String, "\x80")), one(oO, str(tagUniversalString, "\x00\x00\xd8\x00")),
		one(oOU, str(tagBMPString, "\xdc\x00")))
	tmpl := leafTemplate(subject)
	c := mustParse(t, selfSigned(t, tmpl))
	want := []string{
		"subject: CN (RDN 0) is not a valid IA5String; shown as #hex",
		"subject: O (RDN 1) is not a valid UniversalString; shown as #hex",
		"subject: OU (RDN 2) is not a valid BMPString; shown as #hex",
	}
	if len(c.Problems) != 7 || !reflect.DeepEqual(c.Problems[3:6], want) { // self-signed: the issuer repeats them first
		t.Errorf("Problems = %q, want first %q", c.Problems, want)
	}
	if c.Subject.DN != "OU=#1E02DC00,O=#1C040000D800,CN=#160180" {
		t.Errorf("Subject.DN = %q", c.Subject.DN)
	}
	if !bytes.Contains([]byte(c.Problems[len(c.Problems)-1]), []byte("crypto/x509 rejects it")) {
		t.Errorf("crypto/x509 accepted invalid strings? Problems = %q", c.Problems)
	}
}
