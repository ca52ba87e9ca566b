package pki_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"net/netip"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// A root, an intermediate and a client certificate, as the server's demo makes them.
func Example() {
	from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2036, 1, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Demo Root CA"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		panic(err)
	}
	inter, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "Demo Issuing CA"}, NotBefore: from, NotAfter: to, IsCA: true, MaxPathLenZero: true})
	if err != nil {
		panic(err)
	}
	client, err := inter.Issue(pki.Spec{
		Subject:     pkix.Name{CommonName: "demo-client"},
		NotBefore:   from,
		NotAfter:    to,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		SAN:         []pki.GeneralName{pki.DNSName("demo-client.local"), pki.IPAddress(netip.MustParseAddr("127.0.0.1")), pki.UPN("demo@example.com")},
	})
	if err != nil {
		panic(err)
	}
	chainPEM := pki.ChainPEM(client, inter) // what curl --cert sends
	keyPEM, err := client.KeyPEM()          // what curl --key reads
	if err != nil {
		panic(err)
	}
	fmt.Println(client.X509.Subject.CommonName, client.X509.DNSNames, len(chainPEM) > 0, len(keyPEM) > 0)
	// Output: demo-client [demo-client.local] true true
}
