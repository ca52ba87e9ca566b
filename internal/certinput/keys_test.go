package certinput

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// keyInputs are private keys in every DER form KeyKind names, made here: PKCS#8 of
// three algorithms, SEC 1, PKCS#1, an EncryptedPrivateKeyInfo shaped as OpenSSL
// writes it (PBES2), and a PFX in DER and in BER's indefinite-length form.
func keyInputs(t testing.TB) map[string]struct {
	der  []byte
	kind string
} {
	t.Helper()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	pkcs8EC, _ := x509.MarshalPKCS8PrivateKey(ec)
	pkcs8RSA, _ := x509.MarshalPKCS8PrivateKey(rsaKey)
	pkcs8Ed, _ := x509.MarshalPKCS8PrivateKey(ed)
	sec1, _ := x509.MarshalECPrivateKey(ec)

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}) // PBES2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {})
		})
		b.AddASN1OctetString(make([]byte, 144))
	})
	encrypted := b.BytesOrPanic()

	pfx := func(inner []byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(3)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}) // data
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					b.AddASN1OctetString(inner)
				})
			})
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1OctetString(make([]byte, 20)) }) // MacData, shortened
		})
		return b.BytesOrPanic()
	}
	p12 := pfx(make([]byte, 600))
	// The same PFX as BER with indefinite lengths, as some Windows and Java tools write it.
	ber := append([]byte{0x30, 0x80, 0x02, 0x01, 0x03, 0x30, 0x80, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01, 0xA0, 0x80, 0x24, 0x80, 0x04, 0x02, 0x30, 0x00}, 0, 0, 0, 0, 0, 0, 0, 0)

	var dsa cryptobyte.Builder // as OpenSSL writes a DSA PRIVATE KEY: version, p, q, g, y, x
	dsa.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(0)
		for _, v := range []int64{1 << 62, 1 << 40, 3, 5, 7} {
			b.AddASN1BigInt(big.NewInt(v))
		}
	})

	return map[string]struct {
		der  []byte
		kind string
	}{
		"PKCS#8 EC":        {pkcs8EC, KeyPKCS8},
		"PKCS#8 RSA":       {pkcs8RSA, KeyPKCS8},
		"PKCS#8 Ed25519":   {pkcs8Ed, KeyPKCS8},
		"SEC 1 EC":         {sec1, KeySEC1},
		"PKCS#1 RSA":       {x509.MarshalPKCS1PrivateKey(rsaKey), KeyPKCS1},
		"DSA":              {dsa.BytesOrPanic(), KeyDSA},
		"encrypted PKCS#8": {encrypted, KeyPKCS8Encrypted},
		"PKCS#12":          {p12, KeyPKCS12},
		"PKCS#12 BER":      {ber, KeyPKCS12},
	}
}

func TestKeyKind(t *testing.T) {
	for name, tc := range keyInputs(t) {
		if got := KeyKind(tc.der); got != tc.kind {
			t.Errorf("KeyKind(%s) = %q, want %q", name, got, tc.kind)
		}
	}
	// Nothing that is not a key is taken for one: certificates of every algorithm the
	// test PKI has, a CSR, a CRL, and short structures.
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	csr, _ := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: "csr"}}, ec)
	ca := testCert(t, "ca")
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1e9, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCRLSign | x509.KeyUsageCertSign}
	caDER, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ec.PublicKey, ec)
	issuer, _ := x509.ParseCertificate(caDER)
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Unix(0, 0), NextUpdate: time.Unix(1e9, 0)}, issuer, ec)
	if err != nil {
		t.Fatal(err)
	}
	not := map[string][]byte{"certificate": ca, "CSR": csr, "CRL": crl, "empty SEQUENCE": {0x30, 0x00}, "SEQUENCE of OCTET STRING": []byte("\x30\x03\x04\x01\x20"), "nothing": nil}
	pems, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "pki", "*.pem"))
	for _, f := range pems {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := DecodeBundle(f, data)
		if err != nil {
			t.Fatalf("DecodeBundle(%s) = %v", f, err)
		}
		for i, b := range blocks {
			not[filepath.Base(f)+" "+string(rune('0'+i))] = b.DER
		}
	}
	for name, der := range not {
		if got := KeyKind(der); got != "" {
			t.Errorf("KeyKind(%s) = %q, want \"\"", name, got)
		}
	}
}

// TestKeysRefusedInEveryForm: a key is refused as DER, as base64, in a CERTIFICATE
// block (what the page once made of a key file) and after a certificate in DER,
// naming its kind, and a PKCS#12 file with the openssl command that extracts the
// certificates.
func TestKeysRefusedInEveryForm(t *testing.T) {
	cert := testCert(t, "c")
	for name, tc := range keyInputs(t) {
		want := "(" + tc.kind + ")"
		if tc.kind == KeyPKCS12 {
			want = "openssl pkcs12 -in FILE -nokeys"
		}
		for form, in := range map[string]string{
			"DER":                 string(tc.der),
			"base64":              wrap(base64.StdEncoding.EncodeToString(tc.der)),
			"CERTIFICATE block":   pemOf("CERTIFICATE", tc.der),
			"after a certificate": string(cert) + string(tc.der),
			"bundle, DER":         string(tc.der),
		} {
			decode := Decode
			if strings.HasPrefix(form, "bundle") {
				decode = DecodeBundle
			}
			_, err := decode("in", []byte(in))
			var e *Error
			if !errors.As(err, &e) || e.Kind != KindPrivateKey || !strings.Contains(e.Msg, want) {
				if name == "PKCS#12 BER" && form == "after a certificate" {
					continue // BER, not DER: recognised only where it starts the input
				}
				t.Errorf("%s as %s: Decode() = %v, want %s containing %q", name, form, err, KindPrivateKey, want)
			}
		}
	}
}

// FuzzKeyKind: KeyKind never panics, and whatever it names a key, Decode refuses.
func FuzzKeyKind(f *testing.F) {
	for _, tc := range keyInputs(f) {
		f.Add(tc.der)
	}
	f.Add(testCert(f, "c"))
	f.Fuzz(func(t *testing.T, der []byte) {
		kind := KeyKind(der)
		if kind == "" || len(der) > MaxBytes || strings.Contains(string(der), "-----BEGIN ") {
			return
		}
		var e *Error
		if _, err := Decode("in", der); !errors.As(err, &e) || e.Kind != KindPrivateKey {
			t.Fatalf("KeyKind = %q, but Decode() = %v", kind, err)
		}
	})
}

func TestWithoutKeys(t *testing.T) {
	cert := pemOf("CERTIFICATE", testCert(t, "c"))
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ec)
	sec1, _ := x509.MarshalECPrivateKey(ec)
	key, ecKey := pemOf("PRIVATE KEY", pkcs8), pemOf("EC PRIVATE KEY", sec1)
	keyLine := 1 + strings.Count(cert, "\n")
	tests := []struct {
		name, in string
		ignored  []string
	}{
		{"key then certificate", key + cert, []string{"block 1 (line 1): PRIVATE KEY"}},
		{"certificate then two keys", cert + key + ecKey, []string{fmt.Sprintf("block 2 (line %d): PRIVATE KEY", keyLine), fmt.Sprintf("block 3 (line %d): EC PRIVATE KEY", keyLine+strings.Count(key, "\n"))}},
		{"key alone", key, nil},
		{"certificate alone", cert, nil},
		{"truncated key", cert + key[:100], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ignored := WithoutKeys([]byte(tt.in))
			if fmt.Sprint(ignored) != fmt.Sprint(tt.ignored) {
				t.Fatalf("WithoutKeys() ignored %q, want %q", ignored, tt.ignored)
			}
			if tt.ignored == nil {
				if string(out) != tt.in {
					t.Fatalf("WithoutKeys() changed data it should have left alone")
				}
				return
			}
			if len(out) != len(tt.in) || strings.Count(string(out), "\n") != strings.Count(tt.in, "\n") || strings.Contains(string(out), "PRIVATE") {
				t.Fatalf("WithoutKeys() = %q, want the keys blanked and the lines kept", out)
			}
			blocks, err := Decode("in", out)
			line := 1 + strings.Count(tt.in[:strings.Index(tt.in, cert)], "\n")
			if err != nil || len(blocks) != 1 || !strings.HasSuffix(blocks[0].Where, fmt.Sprintf("(line %d)", line)) {
				t.Fatalf("Decode(WithoutKeys()) = %v, %v; want the certificate at its own line", blocks, err)
			}
		})
	}
}

// FuzzWithoutKeys: never panics, keeps the length and every line break, and changes
// nothing when it ignores nothing.
func FuzzWithoutKeys(f *testing.F) {
	cert := pemOf("CERTIFICATE", testCert(f, "c"))
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	pkcs8, _ := x509.MarshalPKCS8PrivateKey(ec)
	f.Add([]byte(pemOf("PRIVATE KEY", pkcs8) + cert))
	f.Add([]byte(cert + "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, ignored := WithoutKeys(data)
		if len(out) != len(data) {
			t.Fatalf("length %d, want %d", len(out), len(data))
		}
		for i := range data {
			if (data[i] == '\n') != (out[i] == '\n') || out[i] != data[i] && out[i] != ' ' {
				t.Fatalf("byte %d changed from %q to %q", i, data[i], out[i])
			}
		}
		if len(ignored) == 0 && string(out) != string(data) {
			t.Fatalf("nothing ignored, but the data changed")
		}
	})
}
