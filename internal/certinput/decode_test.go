package certinput

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"
)

func testCert(t testing.TB, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func pemOf(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

func TestDecode(t *testing.T) {
	a, b := testCert(t, "a"), testCert(t, "b")
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(key)
	sec1, _ := x509.MarshalECPrivateKey(key)
	chain := pemOf("CERTIFICATE", a) + pemOf("CERTIFICATE", b)
	truncated := pemOf("CERTIFICATE", a)[:200]
	second := fmt.Sprintf("block 2 (line %d)", 1+strings.Count(pemOf("CERTIFICATE", a), "\n"))

	tests := []struct {
		name      string
		in        string
		want      [][]byte
		wantWhere []string
		wantKind  string
		wantMsg   string // substring of the error
	}{
		{name: "empty", in: ""},
		{name: "white space", in: " \r\n\t\n"},
		{name: "one PEM", in: pemOf("CERTIFICATE", a), want: [][]byte{a}, wantWhere: []string{"block 1 (line 1)"}},
		{name: "chain keeps order", in: chain, want: [][]byte{a, b}, wantWhere: []string{"block 1 (line 1)", second}},
		{name: "leading text and CRLF", in: "subject=CN = a\r\nissuer=CN = a\r\n" + strings.ReplaceAll(pemOf("CERTIFICATE", a), "\n", "\r\n"), want: [][]byte{a}, wantWhere: []string{"block 1 (line 3)"}},
		{name: "indented as in YAML", in: "cert: |\n" + indent(chain, "    "), want: [][]byte{a, b}, wantWhere: []string{"block 1 (line 2)", fmt.Sprintf("block 2 (line %d)", 2+strings.Count(pemOf("CERTIFICATE", a), "\n"))}},
		{name: "indented with tabs", in: indent(pemOf("CERTIFICATE", a), "\t\t"), want: [][]byte{a}},
		{name: "quoted in a mail", in: indent(pemOf("CERTIFICATE", a), "> "), want: [][]byte{a}},
		{name: "BOM and indentation", in: "\uFEFF\n\n" + pemOf("CERTIFICATE", b) + "\n\n", want: [][]byte{b}},
		{name: "trusted certificate", in: pemOf("TRUSTED CERTIFICATE", append(append([]byte{}, a...), 0x30, 0x00)), want: [][]byte{a}},
		{name: "DER", in: string(a), want: [][]byte{a}, wantWhere: []string{"DER"}},
		{name: "DER ending in a space byte", in: "\x30\x03\x04\x01\x20", want: [][]byte{[]byte("\x30\x03\x04\x01\x20")}, wantWhere: []string{"DER"}},
		{name: "concatenated DER", in: string(a) + string(b), want: [][]byte{a, b}, wantWhere: []string{"DER certificate 1", "DER certificate 2"}},
		{name: "DER with white space around", in: "\n " + string(a) + "\r\n", want: [][]byte{a}, wantWhere: []string{"DER"}},
		{name: "DER key with a final newline", in: string(pkcs8) + "\n", wantKind: KindPrivateKey},
		{name: "BEGIN line with CR then space", in: strings.Replace(pemOf("CERTIFICATE", a), "-----\n", "-----\r \n", 1), wantKind: KindMalformed, wantMsg: "does not decode"},
		{name: "bare base64 with line breaks", in: wrap(base64.StdEncoding.EncodeToString(a)), want: [][]byte{a}, wantWhere: []string{"base64"}},
		{name: "PKCS#8 key", in: pemOf("PRIVATE KEY", pkcs8), wantKind: KindPrivateKey, wantMsg: "block 1 (line 1): this is a private key"},
		{name: "EC key after a certificate", in: pemOf("CERTIFICATE", a) + pemOf("EC PRIVATE KEY", sec1), wantKind: KindPrivateKey, wantMsg: second},
		{name: "RSA key header", in: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", wantKind: KindPrivateKey},
		{name: "encrypted key", in: "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", wantKind: KindPrivateKey},
		{name: "DER PKCS#8 key", in: string(pkcs8), wantKind: KindPrivateKey, wantMsg: "never paste or upload a private key"},
		{name: "base64 SEC1 key", in: base64.StdEncoding.EncodeToString(sec1), wantKind: KindPrivateKey},
		{name: "truncated PEM", in: truncated, wantKind: KindMalformed, wantMsg: "truncated"},
		{name: "truncated PEM before another", in: truncated + "\n" + pemOf("CERTIFICATE", b), wantKind: KindMalformed, wantMsg: "block 1 (line 1): truncated"},
		{name: "bad base64 inside PEM", in: "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", wantKind: KindMalformed, wantMsg: "does not decode"},
		{name: "CSR", in: pemOf("CERTIFICATE REQUEST", a), wantKind: KindNotCert, wantMsg: "certificate signing request"},
		{name: "public key", in: pemOf("PUBLIC KEY", a), wantKind: KindNotCert, wantMsg: "a PUBLIC KEY block is not a certificate"},
		{name: "garbage", in: "hello, world", wantKind: KindNoCertificate, wantMsg: "no certificate found"},
		{name: "DER with trailing junk", in: string(a) + "xyz", wantKind: KindMalformed, wantMsg: "trailing bytes"},
		{name: "too large", in: strings.Repeat("A", MaxBytes+1), wantKind: KindTooLarge, wantMsg: "input is 1.0 MiB; at most 1.0 MiB"},
		{name: "too many", in: strings.Repeat(pemOf("CERTIFICATE", a), MaxCertificates+1), wantKind: KindTooMany, wantMsg: "block 17"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode("in.pem", []byte(tt.in))
			if tt.wantKind != "" {
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Decode() error = %v, want *Error of kind %s", err, tt.wantKind)
				}
				if e.Kind != tt.wantKind || !strings.Contains(err.Error(), tt.wantMsg) || !strings.HasPrefix(err.Error(), "in.pem: ") {
					t.Fatalf("Decode() error = %q (kind %s), want kind %s containing %q", err, e.Kind, tt.wantKind, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode() error = %v", err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Decode() = %d blocks, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !bytes.Equal(got[i].DER, tt.want[i]) {
					t.Errorf("block %d DER differs", i)
				}
				if tt.wantWhere != nil && got[i].Where != tt.wantWhere[i] {
					t.Errorf("block %d Where = %q, want %q", i, got[i].Where, tt.wantWhere[i])
				}
			}
		})
	}
}

func TestDecodeBundleAllowsManyRoots(t *testing.T) {
	a := pemOf("CERTIFICATE", testCert(t, "root"))
	many := strings.Repeat(a, 100)
	if _, err := Decode("chain.pem", []byte(many)); err == nil {
		t.Fatal("Decode(100 certificates) = nil error, want too many for a chain")
	}
	blocks, err := DecodeBundle("roots.pem", []byte(many))
	if err != nil || len(blocks) != 100 {
		t.Fatalf("DecodeBundle(100 certificates) = %d blocks, %v", len(blocks), err)
	}
	_, err = DecodeBundle("roots.pem", []byte(strings.Repeat(a, MaxBundleCertificates+1)))
	if err == nil || !strings.Contains(err.Error(), "a bundle this long") {
		t.Fatalf("DecodeBundle(%d certificates) error = %v", MaxBundleCertificates+1, err)
	}
}

func wrap(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	return b.String() + s + "\n"
}

func FuzzDecode(f *testing.F) {
	a := testCert(f, "seed")
	f.Add([]byte(pemOf("CERTIFICATE", a)))
	f.Add(a)
	f.Add([]byte(base64.StdEncoding.EncodeToString(a)))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----"))
	f.Add([]byte("-----BEGIN -----BEGIN X-----"))
	f.Fuzz(func(t *testing.T, data []byte) {
		blocks, err := Decode("fuzz", data)
		if err != nil {
			if blocks != nil {
				t.Fatal("blocks returned with an error")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not *Error", err)
			}
			return
		}
		if len(blocks) > MaxCertificates {
			t.Fatalf("%d blocks, limit %d", len(blocks), MaxCertificates)
		}
		for _, b := range blocks {
			if len(b.DER) == 0 || b.DER[0] != 0x30 {
				t.Fatalf("block %s is not a SEQUENCE", b.Where)
			}
		}
	})
}

// FuzzPEMContent holds pemContent to its promise: whenever it decodes a block, the
// bytes are exactly encoding/pem's for the same block.
func FuzzPEMContent(f *testing.F) {
	a := testCert(f, "seed")
	p := pemOf("CERTIFICATE", a)
	f.Add(p)
	f.Add(strings.ReplaceAll(p, "\n", "\r\n"))
	f.Add(strings.Replace(p, "\n", "\n \t", 3))
	f.Add("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\nMAA=\n-----END CERTIFICATE-----")
	f.Add("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----")
	f.Add("-----BEGIN CERTIFICATE-----\nMA A=\n-----END CERTIFICATE-----")
	f.Add(strings.Replace(p, "-----\n", "-----\r \n", 1))
	f.Fuzz(func(t *testing.T, block string) {
		const end = "-----END CERTIFICATE-----"
		k := strings.Index(block, end)
		if k < 0 {
			return
		}
		block = block[:k+len(end)]
		// decodePEM calls it only on a block whose first line is a BEGIN line.
		first, _, _ := strings.Cut(block, "\n")
		if strings.TrimRight(first, "\r \t") != "-----BEGIN CERTIFICATE-----" {
			return
		}
		got, ok := pemContent([]byte(block[:k]))
		if !ok {
			return
		}
		want, _ := pem.Decode([]byte(block))
		if want == nil {
			t.Fatalf("pemContent decoded %d bytes; encoding/pem rejects the block", len(got))
		}
		if !bytes.Equal(got, want.Bytes) {
			t.Fatalf("pemContent = %x; encoding/pem = %x", got, want.Bytes)
		}
	})
}

// TestPEMContentMatchesEncodingPEM runs the usual shapes of a pasted block through
// both decoders, including the ones pemContent leaves to encoding/pem.
func TestPEMContentMatchesEncodingPEM(t *testing.T) {
	der := testCert(t, "shapes")
	p := pemOf("CERTIFICATE", der)
	body := strings.TrimSuffix(strings.TrimPrefix(p, "-----BEGIN CERTIFICATE-----\n"), "-----END CERTIFICATE-----\n")
	for name, tc := range map[string]struct {
		block string
		fast  bool // pemContent decodes it itself
	}{
		"LF":             {p, true},
		"CRLF":           {strings.ReplaceAll(p, "\n", "\r\n"), true},
		"indented":       {strings.ReplaceAll(p, "\n", "\n  "), false}, // END line not at a line start
		"tabs inside":    {strings.Replace(p, "\n", "\n\t", 2), true},
		"one long line":  {"-----BEGIN CERTIFICATE-----\n" + strings.ReplaceAll(body, "\n", "") + "\n-----END CERTIFICATE-----", true},
		"headers":        {"-----BEGIN CERTIFICATE-----\nComment: x\n\n" + body + "-----END CERTIFICATE-----", false},
		"END mid-line":   {"-----BEGIN CERTIFICATE-----\n" + strings.TrimSuffix(body, "\n") + "-----END CERTIFICATE-----", false},
		"bad base64":     {"-----BEGIN CERTIFICATE-----\nM*A=\n-----END CERTIFICATE-----", false},
		"no line at all": {"-----BEGIN CERTIFICATE----------END CERTIFICATE-----", false},
	} {
		t.Run(name, func(t *testing.T) {
			k := strings.Index(tc.block, "-----END ")
			got, ok := pemContent([]byte(tc.block[:k]))
			if ok != tc.fast {
				t.Fatalf("pemContent ok = %v, want %v", ok, tc.fast)
			}
			want, _ := pem.Decode([]byte(tc.block))
			if ok && (want == nil || !bytes.Equal(got, want.Bytes)) {
				t.Fatalf("pemContent disagrees with encoding/pem")
			}
			if tc.fast && !bytes.Equal(got, der) {
				t.Fatalf("decoded %d bytes, want the certificate's %d", len(got), len(der))
			}
		})
	}
}

// indent puts prefix before every line of s, as YAML, JSON or a mail quote does.
func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}
