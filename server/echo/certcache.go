package echo

import (
	"bytes"
	"crypto/x509"
	"encoding/json"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/lru"
)

// certCache keeps client certificates parsed, by their DER: the same few clients
// reconnect all day, and the view (names, SAN, fingerprints) and its JSON are the
// same every time. Entries are never modified once made, so they are shared. It is
// bounded in entries and in bytes, so strangers presenting large certificates
// cannot make it hold more than certCacheBytes.
type certCache struct {
	lru *lru.Cache[string, *parsedCert] // key: the DER as a string
}

// parsedCert is a certificate's view and the view as JSON, as the echo sends it.
type parsedCert struct {
	info *certinfo.Certificate
	json []byte
}

// certCacheBytes holds about a thousand ordinary client certificates (~10 KB each
// with their view and JSON), or about thirty with a 60 KB extension.
const certCacheBytes = 32 << 20

func newCertCache(max int) *certCache {
	return &certCache{lru: lru.New(max, certCacheBytes, certCost)}
}

// certCost estimates what an entry holds: the DER twice (the key and the view's
// copy), the JSON, and the view, measured at 1.5 to 11 times the DER (4.7 KB for a
// 423-byte leaf, 356 KB for a 60 KB subject), which the JSON plus three DERs and
// 4 KB bound from above.
func certCost(der string, p *parsedCert) int64 {
	return int64(5*len(der) + 2*len(p.json) + 4<<10)
}

func (c *certCache) get(der []byte) (*parsedCert, error) {
	if p, ok := lru.GetBytes(c.lru, der); ok { // no copy of der on a hit
		return p, nil
	}
	// A peer certificate's Raw shares crypto/tls's buffer of the whole Certificate
	// message: parse a copy, so an entry keeps only its own certificate alive.
	info, err := certinfo.Parse(bytes.Clone(der))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	p := &parsedCert{info: info, json: b}
	c.lru.Add(string(der), p) // not kept when over an eighth of the bytes; still used
	return p, nil
}

// chain returns the certificates a peer presented, leaf first, parsed.
func (c *certCache) chain(peer []*x509.Certificate) ([]*parsedCert, error) {
	out := make([]*parsedCert, 0, len(peer))
	for _, x := range peer {
		p, err := c.get(x.Raw)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// views returns the certificate views of a parsed chain.
func views(chain []*parsedCert) []*certinfo.Certificate {
	out := make([]*certinfo.Certificate, len(chain))
	for i, p := range chain {
		out[i] = p.info
	}
	return out
}
