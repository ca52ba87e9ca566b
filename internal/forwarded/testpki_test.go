package forwarded_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// testPKI is a root, an intermediate and a client with URI and DNS SANs and a
// subject whose O holds a comma and a semicolon, from internal/pki.
type testPKI struct {
	root, inter, leaf, other *pki.Cert
}

func newPKI(t testing.TB) testPKI {
	t.Helper()
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Header Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	inter, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "Header Issuing CA"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := inter.Issue(pki.Spec{
		Subject:     pkix.Name{CommonName: "client", Organization: []string{"Acme, Inc; Labs"}},
		NotBefore:   from,
		NotAfter:    to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SAN:         []pki.GeneralName{pki.URI("spiffe://example.com/client"), pki.DNSName("client.example.com")},
	})
	if err != nil {
		t.Fatal(err)
	}
	other, err := inter.Issue(pki.Spec{Subject: pkix.Name{CommonName: "edge-proxy"}, NotBefore: from, NotAfter: to})
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{root: root, inter: inter, leaf: leaf, other: other}
}

// escapeAll is nginx's ngx_escape_uri for a component and Envoy's encoding:
// every byte but letters, digits and -_.~ as %XX.
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

// escapeEnvoy is Envoy's own encoding of Cert= and Chain= (ConnectionInfoImplBase:
// only line feed, space, +, / and = are escaped).
func escapeEnvoy(b []byte) string {
	return strings.NewReplacer("\n", "%0A", " ", "%20", "+", "%2B", "/", "%2F", "=", "%3D").Replace(string(b))
}

// escapeALB is AWS ALB's: like escapeAll, but +, = and / are kept.
func escapeALB(b []byte) string {
	s := escapeAll(b)
	return strings.NewReplacer("%2B", "+", "%3D", "=", "%2F", "/").Replace(s)
}

// sf is an RFC 8941 byte sequence.
func sf(der []byte) string { return ":" + base64.StdEncoding.EncodeToString(der) + ":" }

func b64(der []byte) string { return base64.StdEncoding.EncodeToString(der) }
