package main

import (
	"bytes"
	"compress/flate"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// shareLinks returns a function that makes, on each call, the share link fragment
// (#s=…, as web/ts/share.ts encodes it) of a new client certificate issued by the
// test PKI's intermediate (in dir), sent with the intermediate, the test root as
// the bundle and a rule it passes: every load decides on a certificate no build
// has seen.
func shareLinks(dir string) (func() (string, error), error) {
	read := func(name string) (*pem.Block, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		p, _ := pem.Decode(b)
		if p == nil {
			return nil, fmt.Errorf("%s: no PEM block", name)
		}
		return p, nil
	}
	caBlock, err := read("intermediate.pem")
	if err != nil {
		return nil, err
	}
	keyBlock, err := read("intermediate.key")
	if err != nil {
		return nil, err
	}
	root, err := os.ReadFile(filepath.Join(dir, "root.pem"))
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caBlock.Bytes)
	if err != nil {
		return nil, err
	}
	caKey, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
	if err != nil {
		return nil, fmt.Errorf("intermediate.key: %w", err)
	}
	n := 0
	return func() (string, error) {
		n++
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return "", err
		}
		serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
		if err != nil {
			return "", err
		}
		name := fmt.Sprintf("coldload-%d-%d.example.com", time.Now().UnixNano(), n)
		now := time.Now()
		notAfter := now.Add(30 * 24 * time.Hour)
		if notAfter.After(ca.NotAfter) {
			notAfter = ca.NotAfter
		}
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
			SerialNumber: serial,
			Subject:      pkix.Name{CommonName: name, Organization: []string{"coldload"}},
			DNSNames:     []string{name},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     notAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		}, ca, &key.PublicKey, caKey)
		if err != nil {
			return "", err
		}
		chain := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})) + string(pem.EncodeToMemory(caBlock))
		state, err := json.Marshal(map[string]any{"v": 1, "c": chain, "b": [][2]string{{"root.pem", string(root)}}, "r": `CN.endsWith(".example.com") && "DNS:` + name + `" in SAN`})
		if err != nil {
			return "", err
		}
		var z bytes.Buffer
		w, err := flate.NewWriter(&z, flate.BestCompression)
		if err != nil {
			return "", err
		}
		w.Write(state)
		if err := w.Close(); err != nil {
			return "", err
		}
		return "#s=" + base64.RawURLEncoding.EncodeToString(z.Bytes()), nil
	}, nil
}
