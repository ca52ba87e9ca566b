package certinput

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// What a DER structure holding a private key is, as KeyKind names it.
const (
	KeyPKCS8          = "PKCS#8 private key"
	KeyPKCS8Encrypted = "encrypted PKCS#8 private key"
	KeyPKCS1          = "PKCS#1 RSA private key"
	KeySEC1           = "SEC 1 EC private key"
	KeyDSA            = "DSA private key"
	KeyPKCS12         = "PKCS#12 file"
)

// pkcs12Msg replaces privateKeyMsg for a PKCS#12 file. It is not read: it usually
// holds the private key beside the certificates, and OpenSSL 3 encrypts it with
// PBES2/AES by default, which golang.org/x/crypto/pkcs12 (frozen) cannot decrypt, so
// reading one would work for some files only.
const pkcs12Msg = "this is a PKCS#12 file (.p12/.pfx), which holds certificates and usually their private key; it is not read — extract the certificates with `openssl pkcs12 -in FILE -nokeys -out cert.pem` and use cert.pem"

// KeyKind reports whether der is a private key or a PKCS#12 file, by its ASN.1
// structure alone (never by parsing the key, so a key of an algorithm Go does not
// know, or an encrypted one, is found as well), and which: one of the Key*
// constants, or "" for anything else. It is the one place the engine, and through it
// the page and the CLI, tells a key from a certificate.
func KeyKind(der []byte) string {
	if isPKCS12(der) {
		return KeyPKCS12
	}
	s := cryptobyte.String(der)
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) || !s.Empty() {
		return ""
	}
	// EncryptedPrivateKeyInfo (RFC 5958): SEQUENCE { AlgorithmIdentifier, OCTET STRING }.
	// A certificate, a CRL or a CSR has a SEQUENCE second, not an OCTET STRING.
	if seq.PeekASN1Tag(cbasn1.SEQUENCE) {
		var alg, oid cryptobyte.String
		var data cryptobyte.String
		if seq.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) &&
			seq.ReadASN1(&data, cbasn1.OCTET_STRING) && seq.Empty() {
			return KeyPKCS8Encrypted
		}
		return ""
	}
	var version cryptobyte.String
	if !seq.ReadASN1(&version, cbasn1.INTEGER) || len(version) != 1 {
		return ""
	}
	switch {
	case seq.PeekASN1Tag(cbasn1.SEQUENCE) && version[0] <= 1:
		// PrivateKeyInfo / OneAsymmetricKey: version, AlgorithmIdentifier, OCTET STRING, …
		var alg, key cryptobyte.String
		if seq.ReadASN1(&alg, cbasn1.SEQUENCE) && alg.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) && seq.ReadASN1(&key, cbasn1.OCTET_STRING) {
			return KeyPKCS8
		}
	case seq.PeekASN1Tag(cbasn1.OCTET_STRING) && version[0] == 1:
		// ECPrivateKey (RFC 5915): version 1, OCTET STRING privateKey, [0] parameters, [1] publicKey.
		var key cryptobyte.String
		if seq.ReadASN1(&key, cbasn1.OCTET_STRING) && len(key) > 0 {
			return KeySEC1
		}
	case seq.PeekASN1Tag(cbasn1.INTEGER) && version[0] <= 1:
		// RSAPrivateKey (RFC 8017): version, then n, e, d, p, q, dP, dQ, qInv (and
		// more primes); OpenSSL's DSA private key: version 0, then p, q, g, y, x.
		n := 0
		for seq.PeekASN1Tag(cbasn1.INTEGER) && seq.SkipASN1(cbasn1.INTEGER) {
			n++
		}
		switch {
		case n >= 8:
			return KeyPKCS1
		case n == 5 && version[0] == 0 && seq.Empty():
			return KeyDSA
		}
	}
	return ""
}

// pfxPrefix is how a PFX (RFC 7292) starts after its outer SEQUENCE's tag and length:
// version 3, then the authSafe ContentInfo, whose content type is a PKCS#7 type
// (1.2.840.113549.1.7.1 data, .7.2 signedData).
var pfxPrefix = []byte{0x02, 0x01, 0x03, 0x30}

var pkcs7OID = []byte{0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07}

// isPKCS12 recognises a PFX by its first bytes, reading the lengths in either DER
// or BER's indefinite form (which some Windows and Java tools write), so it never
// needs the whole file to be valid DER.
func isPKCS12(b []byte) bool {
	skipHeader := func(b []byte) ([]byte, bool) { // tag 0x30 and a length
		if len(b) < 2 || b[0] != 0x30 {
			return nil, false
		}
		switch n := b[1]; {
		case n < 0x80 || n == 0x80: // short form, or indefinite
			return b[2:], true
		case n <= 0x84:
			k := int(n & 0x7F)
			if len(b) < 2+k {
				return nil, false
			}
			return b[2+k:], true
		}
		return nil, false
	}
	rest, ok := skipHeader(b)
	if !ok || !bytes.HasPrefix(rest, pfxPrefix) {
		return false
	}
	rest, ok = skipHeader(rest[len(pfxPrefix)-1:])
	return ok && bytes.HasPrefix(rest, pkcs7OID) && len(rest) > len(pkcs7OID) && (rest[len(pkcs7OID)] == 1 || rest[len(pkcs7OID)] == 2)
}

// keyError is the refusal of a private key of kind (a KeyKind) found at where.
func keyError(source, where, kind string) *Error {
	if kind == KeyPKCS12 {
		return &Error{Source: source, Where: where, Kind: KindPrivateKey, Msg: pkcs12Msg}
	}
	return &Error{Source: source, Where: where, Kind: KindPrivateKey, Msg: privateKeyMsg + " (" + kind + ")"}
}

// WithoutKeys is for a file that holds certificates and a private key together
// (HAProxy's crt files, keycert.pem, what curl --cert accepts): when data has a
// certificate block and PEM private-key blocks, it returns data with each key block
// blanked (every byte but the line breaks made a space, so the lines keep their
// numbers) and names the blocks it blanked ("block 2 (line 14): PRIVATE KEY"). Data
// without a certificate block, or without a complete key block, comes back as it is,
// so a key on its own is still refused by Decode.
func WithoutKeys(data []byte) ([]byte, []string) {
	type span struct{ start, end int }
	var keys []span
	var names []string
	certs := false
	line, counted := 1, 0
	for n, at := 1, 0; ; n++ {
		i := bytes.Index(data[at:], []byte("-----BEGIN "))
		if i < 0 {
			break
		}
		start := at + i
		line += bytes.Count(data[counted:start], []byte("\n"))
		counted = start
		head := data[start+len("-----BEGIN "):]
		typ, _, ok := bytes.Cut(head, []byte("-----"))
		at = start + len("-----BEGIN ")
		if !ok || len(typ) > 64 {
			continue
		}
		switch t := string(typ); {
		case t == "CERTIFICATE" || t == "X509 CERTIFICATE" || t == "TRUSTED CERTIFICATE":
			certs = true
		case strings.HasSuffix(t, "PRIVATE KEY") && strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") == "":
			end := bytes.Index(data[at:], []byte("-----END "+t+"-----"))
			if end < 0 || bytes.Contains(data[at:at+end], []byte("-----BEGIN ")) {
				continue
			}
			keys = append(keys, span{start, at + end + len("-----END "+t+"-----")})
			names = append(names, "block "+strconv.Itoa(n)+" (line "+strconv.Itoa(line)+"): "+t)
		}
	}
	if !certs || len(keys) == 0 {
		return data, nil
	}
	out := bytes.Clone(data)
	for _, k := range keys {
		for i := k.start; i < k.end; i++ {
			if out[i] != '\n' {
				out[i] = ' '
			}
		}
	}
	return out, names
}
