package serve

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestTLS12CipherSuites: on TLS 1.2 the mTLS listener takes only Mozilla's
// "intermediate" suites (ECDHE with AES-GCM or ChaCha20-Poly1305), for an ECDSA and
// an RSA server certificate alike; a client offering only CBC or RSA key exchange
// fails the handshake.
func TestTLS12CipherSuites(t *testing.T) {
	from, to := pki.TestNow.Add(-time.Hour), pki.TestNow.Add(90*24*time.Hour)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Cipher Test Root"}, NotBefore: from, NotAfter: to, IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	servers := map[string]pki.KeyType{"ECDSA": pki.ECDSAP256, "RSA": pki.RSA}
	for keyName, keyType := range servers {
		leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "localhost"}, NotBefore: from, NotAfter: to, KeyType: keyType,
			ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, SAN: []pki.GeneralName{pki.DNSName("localhost")}})
		if err != nil {
			t.Fatal(err)
		}
		keyPEM, err := leaf.KeyPEM()
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		chain, key := filepath.Join(dir, "chain.pem"), filepath.Join(dir, "key.pem")
		if err := os.WriteFile(chain, pki.ChainPEM(leaf, root), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
			t.Fatal(err)
		}
		ts := startServe(t, Options{ConfigPath: writeConfig(t, fmt.Sprintf("tls: {cert: %s, key: %s}\n", chain, key))})
		roots := x509.NewCertPool()
		roots.AddCert(root.X509)

		ecdhe := map[string][]uint16{
			"ECDSA": {tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
			"RSA":   {tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256},
		}[keyName]
		refused := map[string][]uint16{
			"ECDSA": {tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256},
			"RSA": {tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
				tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA},
		}[keyName]
		handshake := func(suite uint16) error {
			c, err := tls.Dial("tcp", ts.s.MTLSAddr(), &tls.Config{
				RootCAs: roots, ServerName: "localhost", Time: func() time.Time { return pki.TestNow },
				MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{suite},
			})
			if err != nil {
				return err
			}
			defer c.Close()
			if got := c.ConnectionState().CipherSuite; got != suite {
				return fmt.Errorf("negotiated %s", tls.CipherSuiteName(got))
			}
			return nil
		}
		for _, suite := range ecdhe {
			if err := handshake(suite); err != nil {
				t.Errorf("%s server certificate, TLS 1.2 client offering only %s: %v; want a handshake", keyName, tls.CipherSuiteName(suite), err)
			}
		}
		for _, suite := range refused {
			if err := handshake(suite); err == nil {
				t.Errorf("%s server certificate, TLS 1.2 client offering only %s: handshake succeeded; want it refused", keyName, tls.CipherSuiteName(suite))
			}
		}
	}
}
