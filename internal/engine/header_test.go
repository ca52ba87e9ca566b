package engine

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// escapeAll is Envoy's and nginx's escaping of a PEM: every byte but letters,
// digits and -_.~ as %XX.
func escapeAll(b []byte) string {
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

// TestHeader: inspect and decide on a forwarded header answer "header": the format,
// the name, and each field compared with the certificate where its writer is known;
// a PEM has no "header".
func TestHeader(t *testing.T) {
	chainPEM := []byte(fixture(t, "client-good-chain.pem"))
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
	b64 := base64.StdEncoding.EncodeToString
	traefikInfo := url.QueryEscape(`Subject="CN=client.example.com";Issuer="CN=Acme Issuing CA";NB="1767225601";SAN="client.example.com,api.example.com,ops@example.com,192.0.2.10,2001:db8::10,spiffe://example.com/ns/prod/sa/client"`) +
		"," + url.QueryEscape(`Subject="CN=Someone Else"`)

	type field struct {
		Name, Value, Compared, Certificate, Detail string
		Matches                                    *bool
	}
	type header struct {
		Format, Name string
		Fields       []field
		Notes        []string
	}
	tests := []struct {
		name, input  string
		format, hdr  string
		want         map[string]string // field name: "match", "differ" or "" (not compared)
		certificates map[string]string // field name: the certificate's value it was compared with
	}{
		{"xfcc", `x-forwarded-client-cert: By=spiffe://example.com/edge;Hash=` + strings.Repeat("0", 64) + `;Cert="` + escapeAll(leafPEM) + `";Subject="CN=someone.example.com";URI=spiffe://example.com/ns/prod/sa/client;DNS=client.example.com,By=spiffe://example.com/other;Hash=` + hash,
			"Envoy x-forwarded-client-cert", "x-forwarded-client-cert",
			map[string]string{"By": "", "Hash": "differ", "Subject": "differ", "URI": "match", "DNS": "match"},
			map[string]string{"Hash": hash, "Subject": "CN=client.example.com", "DNS": "client.example.com, api.example.com"}},
		{"xfcc alone, hash matches", `Hash=` + strings.ToUpper(hash) + `;Cert="` + escapeAll(leafPEM) + `";Subject="CN=client.example.com"`,
			"Envoy x-forwarded-client-cert", "",
			map[string]string{"Hash": "match", "Subject": "match"}, nil},
		{"traefik with info", "X-Forwarded-Tls-Client-Cert: " + b64(ders[0]) + "," + b64(ders[1]) + "\nX-Forwarded-Tls-Client-Cert-Info: " + traefikInfo,
			"Traefik X-Forwarded-Tls-Client-Cert", "X-Forwarded-Tls-Client-Cert",
			map[string]string{"Subject": "match", "Issuer": "match", "NB": "differ", "SAN": "match", "certificate 2 Subject": "differ"},
			map[string]string{"certificate 2 Subject": "CN=Acme Issuing CA"}},
		{"aws alb", "X-Amzn-Mtls-Clientcert-Leaf: " + escapeAll(leafPEM) + "\nX-Amzn-Mtls-Clientcert-Subject: CN=client.example.com\nx-amzn-mtls-clientcert-issuer: CN=Someone Else",
			"URL-escaped PEM", "X-Amzn-Mtls-Clientcert-Leaf",
			map[string]string{"X-Amzn-Mtls-Clientcert-Subject": "match", "x-amzn-mtls-clientcert-issuer": "differ"},
			map[string]string{"x-amzn-mtls-clientcert-issuer": "CN=Acme Issuing CA"}},
		{"rfc 9440", "Client-Cert: :" + b64(ders[0]) + ":", "RFC 9440 Client-Cert", "Client-Cert", map[string]string{}, nil},
	}
	for _, tc := range tests {
		for _, op := range []string{"inspect", "decide"} {
			t.Run(tc.name+" "+op, func(t *testing.T) {
				out := Call(op, mustJSON(t, map[string]string{"certificates": tc.input, "at": "2026-06-01T00:00:00Z"}), testNow)
				var r struct{ Header *header }
				if err := json.Unmarshal(out, &r); err != nil || r.Header == nil {
					t.Fatalf("Call(%s, %s) = %s; want a header member", op, tc.name, out)
				}
				h := r.Header
				if h.Format != tc.format || h.Name != tc.hdr {
					t.Errorf("Call(%s, %s) header = %q %q, want %q %q", op, tc.name, h.Format, h.Name, tc.format, tc.hdr)
				}
				seen := map[string]bool{}
				for _, f := range h.Fields {
					if seen[f.Name] {
						continue // a later DNS= pair
					}
					seen[f.Name] = true
					want, listed := tc.want[f.Name]
					if !listed {
						continue
					}
					got := ""
					if f.Matches != nil {
						got = map[bool]string{true: "match", false: "differ"}[*f.Matches]
					}
					if got != want || (want != "") != (f.Detail != "" && f.Compared != "") {
						t.Errorf("Call(%s, %s) field %s = %+v, want %q", op, tc.name, f.Name, f, want)
					}
					if c, ok := tc.certificates[f.Name]; ok && f.Certificate != c {
						t.Errorf("Call(%s, %s) field %s compared with %q, want %q", op, tc.name, f.Name, f.Certificate, c)
					}
				}
				for name := range tc.want {
					if !seen[name] {
						t.Errorf("Call(%s, %s) has no field %s: %+v", op, tc.name, name, h.Fields)
					}
				}
			})
		}
	}
	out := Call("decide", mustJSON(t, map[string]string{"certificates": string(chainPEM)}), testNow)
	if strings.Contains(string(out), `"header"`) {
		t.Errorf("Call(decide, PEM) has a header member: %.200s", out)
	}
}
