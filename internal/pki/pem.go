package pki

import "encoding/pem"

// CertPEM returns the certificate as one CERTIFICATE PEM block.
func (c *Cert) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.DER})
}

// KeyPEM returns the private key as PKCS#8 PEM.
func (c *Cert) KeyPEM() ([]byte, error) { return MarshalKeyPEM(c.Key) }

// ChainPEM concatenates the certificates' PEM blocks in the order given: leaf
// first for a chain a client sends, any order for a CA bundle.
func ChainPEM(certs ...*Cert) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, c.CertPEM()...)
	}
	return out
}
