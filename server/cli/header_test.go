package cli

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// urlEscape is Envoy's and nginx's escaping of a PEM: every byte but letters,
// digits and -_.~ as %XX.
func urlEscape(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("-_.~", c) >= 0 {
			s.WriteByte(c)
		} else {
			fmt.Fprintf(&s, "%%%02X", c)
		}
	}
	return s.String()
}

// TestHeaderInput runs inspect, verify and eval on headers built from the test
// PKI's client-good chain: standard output is the one the PEM gives (with the
// file's name), and standard error says which format was read and compares the
// header's fields with the certificate.
func TestHeaderInput(t *testing.T) {
	pkiDir := filepath.Join("..", "..", "testdata", "pki")
	chainFile := filepath.Join(pkiDir, "client-good-chain.pem")
	chainPEM, err := os.ReadFile(chainFile)
	if err != nil {
		t.Fatal(err)
	}
	var ders [][]byte
	for rest := chainPEM; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		ders = append(ders, b.Bytes)
	}
	leafPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ders[0]})
	sum := sha256.Sum256(ders[0])
	hash := hex.EncodeToString(sum[:])
	leaf, err := x509.ParseCertificate(ders[0])
	if err != nil {
		t.Fatal(err)
	}
	subjectDN := leaf.Subject.String() // RFC 2253 as OpenSSL writes it, for this plain subject
	dir := t.TempDir()
	at := pki.TestNowRFC3339
	tests := []struct {
		name, header string
		notes        []string // lines standard error must hold
	}{
		{"xfcc", `x-forwarded-client-cert: By=spiffe://example.com/edge;Hash=` + hash + `;Cert="` + urlEscape(leafPEM) + `";Chain="` + urlEscape(chainPEM) + `";Subject="CN=client.example.com,OU=Engineering,O=Example Corp,L=San Francisco,ST=California,C=US";URI=spiffe://example.com/ns/prod/sa/client;DNS=client.example.com;DNS=nope.example.com` + "\n",
			[]string{
				"read from the Envoy x-forwarded-client-cert header x-forwarded-client-cert",
				`the header's Hash="` + hash + `" matches the certificate's SHA-256`,
				`the header's URI="spiffe://example.com/ns/prod/sa/client" matches the certificate's URI SANs`,
				`the header's DNS="nope.example.com" differs from the certificate's DNS SANs`,
				`the header's By="spiffe://example.com/edge"`,
				`the header's Subject=`,
			}},
		{"rfc9440", "Client-Cert: :" + base64.StdEncoding.EncodeToString(ders[0]) + ":\nClient-Cert-Chain: :" + base64.StdEncoding.EncodeToString(ders[1]) + ":\n",
			[]string{"read from the RFC 9440 Client-Cert header Client-Cert"}},
		{"ingress-nginx", "ssl-client-subject-dn: " + subjectDN + "\nssl-client-issuer-dn: CN=Someone Else\nssl-client-cert: " + urlEscape(chainPEM) + "\n",
			[]string{
				"read from the URL-escaped PEM header ssl-client-cert",
				`the header's ssl-client-subject-dn="` + subjectDN + `" matches the certificate's subject as nginx writes it ($ssl_client_s_dn)`,
				`the header's ssl-client-issuer-dn="CN=Someone Else" differs from the certificate's issuer as nginx writes it ($ssl_client_i_dn): `,
			}},
		{"nginx", urlEscape(chainPEM) + "\n",
			[]string{"read as a header value pasted alone, in the URL-escaped PEM format"}},
		{"traefik", "X-Forwarded-Tls-Client-Cert: " + base64.StdEncoding.EncodeToString(ders[0]) + "," + base64.StdEncoding.EncodeToString(ders[1]) + "\n",
			[]string{"read from the Traefik X-Forwarded-Tls-Client-Cert header X-Forwarded-Tls-Client-Cert"}},
	}
	runs := func(file string) [][]string {
		return [][]string{
			{"inspect", "--at", at, file},
			{"inspect", "--json", "--at", at, file},
			{"verify", "--bundle", filepath.Join(pkiDir, "root.pem"), "--rule", `CN == "client.example.com"`, "--at", at, file},
			{"eval", "--rule", `"DNS:client.example.com" in SAN`, "--at", at, file},
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".txt")
			if err := os.WriteFile(file, []byte(tt.header), 0o600); err != nil {
				t.Fatal(err)
			}
			want, got := runs(chainFile), runs(file)
			for i := range want {
				wantCode, wantOut, _ := runCLI(t, "", want[i]...)
				code, out, stderr := runCLI(t, "", got[i]...)
				out = strings.ReplaceAll(out, file, chainFile)
				if code != wantCode || out != wantOut {
					t.Errorf("%s on the header: exit %d, output\n%s\nwant exit %d, the PEM's output\n%s\nstderr: %s", got[i][0], code, out, wantCode, wantOut, stderr)
				}
				for _, n := range tt.notes {
					if !strings.Contains(stderr, "note: "+file+": "+n) {
						t.Errorf("%s on the header: standard error lacks %q:\n%s", got[i][0], n, stderr)
					}
				}
			}
		})
	}
}

// A header in error is one line naming the format and the byte, exit 2.
func TestHeaderInputError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bad.txt")
	if err := os.WriteFile(file, []byte(`x-forwarded-client-cert: Hash=1;Cert="-----BEGIN%20CERT`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI(t, "", "inspect", file)
	want := "mtlsplay: " + file + ": x-forwarded-client-cert (line 1), byte 13: the quoted value of Cert= has no closing double quote\n"
	if code != exitBadInput || out != "" || stderr != want {
		t.Errorf("inspect %s = %d, %q, %q; want 2, \"\", %q", file, code, out, stderr, want)
	}
}
