package certinfo

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte/asn1"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/*.json from the current output")

// hardDNCert has the DN and SAN cases the playground teaches, in one certificate.
func hardDNCert(t testing.TB) []byte {
	ca, caKey := testCA(t)
	subject := rdnSeq(
		one(oDC, ia5s("org")), one(oDC, ia5s("example")),
		one(oC, prints("DE")),
		one(oO, str(tagT61String, "Caf\xe9 & Co")),
		one(oOU, bmps("Zoë")), one(oOU, utf8s("a,b+c")),
		[]atv{{oCN, utf8s("#lead and trail ")}, {oEmail, ia5s("x@example.org")}},
		one(oUID, utf8s("line\nfeed\x00nul")),
		one("1.2.3.4.5", utf8s("unknown")),
	)
	tmpl := leafTemplate(subject)
	tmpl.SerialNumber = new(big.Int).SetBytes([]byte{0x00, 0x9A, 0xBC, 0xDE, 0xF0, 0x12, 0x34, 0x56, 0x78, 0x9A})
	tmpl.ExtraExtensions = []pkix.Extension{sanExtension(false, sanValue(
		gnDNS("hard.example.org"),
		gnIP(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1),
		gnIP(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1),
		gnURIs("spiffe://example.org/ns/hard"),
		gnEmail("hard@example.org"),
		gnOther(oUPN, utf8s("hard@corp.example")),
		gnOther("1.3.6.1.5.5.7.8.9", utf8s("härd@example.org")),
		gnOther("1.2.3.4", tlv(asn1.INTEGER, []byte{42})),
		gnRID("1.3.6.1.4.1.99999.1"),
		gnDir(rdnSeq(one(oC, prints("US")), []atv{{oOU, utf8s("x")}, {oCN, utf8s("dir")}})),
	))}
	return issued(t, tmpl, ca, testKey(4).Public(), caKey)
}

// goRejectsCert has a URI SAN crypto/x509 refuses.
func goRejectsCert(t testing.TB) []byte {
	tmpl := leafTemplate(rdnSeq(one(oCN, utf8s("bad-uri"))))
	tmpl.ExtraExtensions = []pkix.Extension{sanExtension(false, sanValue(gnURIs("http://exa mple/"), gnIP(10, 0, 0, 1, 8)))}
	return selfSigned(t, tmpl)
}

func goldenCerts(t testing.TB) map[string][]byte {
	ca, _ := testCA(t)
	return map[string][]byte{
		"root-ca":    ca.Raw,
		"client":     clientCert(t),
		"hard-dn":    hardDNCert(t),
		"go-rejects": goRejectsCert(t),
	}
}

func TestGolden(t *testing.T) {
	for name, der := range goldenCerts(t) {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // "&" reads better than "\u0026" in a diff
			enc.SetIndent("", "  ")
			if err := enc.Encode(mustParse(t, der)); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			path := filepath.Join("testdata", "golden", name+".json")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Errorf("Parse(%s) JSON differs from %s at line %d (go test -update rewrites it):\ngot  %s\nwant %s", name, path, i+1, g, w)
						break
					}
				}
			}
		})
	}
}

// TestGoldenCertsAreStable guards the golden files: the generated certificates
// must be byte-identical from run to run (Ed25519, fixed seeds, fixed clock).
func TestGoldenCertsAreStable(t *testing.T) {
	a, b := goldenCerts(t), goldenCerts(t)
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: two generations differ; golden files would flap", name)
		}
		if _, err := x509.ParseCertificate(a[name]); err != nil && name != "go-rejects" {
			t.Errorf("%s: crypto/x509: %v", name, err)
		}
	}
}
