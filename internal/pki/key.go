package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
)

// KeyType selects the algorithm of a generated key.
type KeyType int

// Key types. The zero value is ECDSA P-256, the common choice for mTLS clients.
const (
	ECDSAP256 KeyType = iota
	RSA
	Ed25519
)

// DefaultRSABits is the RSA modulus size when a Spec does not set one.
const DefaultRSABits = 2048

func (t KeyType) String() string {
	switch t {
	case ECDSAP256:
		return "ECDSA P-256"
	case RSA:
		return "RSA"
	case Ed25519:
		return "Ed25519"
	}
	return fmt.Sprintf("KeyType(%d)", int(t))
}

// NewKey returns a fresh random key. rsaBits applies to RSA only (0 means
// DefaultRSABits).
func NewKey(t KeyType, rsaBits int) (crypto.Signer, error) {
	switch t {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RSA:
		return rsa.GenerateKey(rand.Reader, rsaSize(rsaBits))
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("pki: unknown key type %v", t)
}

// SeededKey derives a key from seed, always the same key for the same seed. It
// exists so that regenerating the test PKI changes nothing; anyone who knows the
// seed has the private key, so never use it outside test fixtures.
func SeededKey(t KeyType, rsaBits int, seed string) (crypto.Signer, error) {
	s := &seedStream{seed: "mtlsplay pki seeded key v1\x00" + t.String() + "\x00" + seed}
	switch t {
	case ECDSAP256:
		// A 32-byte string is a valid scalar unless it is zero or ≥ the group
		// order; the chance of that is about 2^-32, so a few tries are plenty.
		var err error
		for range 8 {
			var k *ecdsa.PrivateKey
			if k, err = ecdsa.ParseRawPrivateKey(elliptic.P256(), s.next(32)); err == nil {
				return k, nil
			}
		}
		return nil, fmt.Errorf("pki: seeded ECDSA key: %w", err)
	case RSA:
		return seededRSA(s, rsaSize(rsaBits))
	case Ed25519:
		return ed25519.NewKeyFromSeed(s.next(ed25519.SeedSize)), nil
	}
	return nil, fmt.Errorf("pki: unknown key type %v", t)
}

func rsaSize(bits int) int {
	if bits == 0 {
		return DefaultRSABits
	}
	return bits
}

// seedStream is SHA-256 in counter mode over the seed: a deterministic byte source.
type seedStream struct {
	seed string
	n    uint64
}

func (s *seedStream) next(size int) []byte {
	out := make([]byte, 0, size+sha256.Size)
	for len(out) < size {
		h := sha256.New()
		h.Write([]byte(s.seed))
		h.Write(binary.BigEndian.AppendUint64(nil, s.n))
		s.n++
		out = h.Sum(out)
	}
	return out[:size]
}

// seededRSA builds an RSA key from primes found by walking up from seeded odd
// numbers; crypto/rsa.GenerateKey ignores its reader since Go 1.26.
func seededRSA(s *seedStream, bits int) (*rsa.PrivateKey, error) {
	if bits < 1024 || bits%2 != 0 {
		return nil, fmt.Errorf("pki: RSA key size %d is not supported (an even number ≥ 1024)", bits)
	}
	e := big.NewInt(65537)
	one := big.NewInt(1)
	for {
		p, q := seededPrime(s, bits/2), seededPrime(s, bits/2)
		if p.Cmp(q) == 0 {
			continue
		}
		n := new(big.Int).Mul(p, q)
		if n.BitLen() != bits {
			continue
		}
		phi := new(big.Int).Mul(new(big.Int).Sub(p, one), new(big.Int).Sub(q, one))
		d := new(big.Int).ModInverse(e, phi)
		if d == nil {
			continue
		}
		k := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d, Primes: []*big.Int{p, q}}
		k.Precompute()
		if err := k.Validate(); err != nil {
			return nil, fmt.Errorf("pki: seeded RSA key: %w", err)
		}
		return k, nil
	}
}

func seededPrime(s *seedStream, bits int) *big.Int {
	for {
		b := s.next((bits + 7) / 8)
		if extra := len(b)*8 - bits; extra > 0 {
			b[0] &= 0xFF >> extra
		}
		p := new(big.Int).SetBytes(b)
		// The top two bits make the product of two such primes exactly 2·bits long.
		p.SetBit(p, bits-1, 1)
		p.SetBit(p, bits-2, 1)
		p.SetBit(p, 0, 1)
		for i := 0; i < 10000 && p.BitLen() == bits; i++ {
			if p.ProbablyPrime(20) {
				return p
			}
			p.Add(p, big.NewInt(2))
		}
	}
}

// MarshalKeyPEM encodes a private key as a PKCS#8 "PRIVATE KEY" PEM block, the
// form curl, OpenSSL and crypto/tls all read.
func MarshalKeyPEM(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}
