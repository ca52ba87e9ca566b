package echo

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"sync/atomic"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/lru"
)

// certCache keeps client certificates parsed: the same few clients reconnect all
// day, and the view (names, SAN, fingerprints) and its JSON are the same every
// time. Entries are never modified once shared.
//
// Strangers cannot fill it: it keeps only certificates of chains that a bundle
// trusted (keep, after the decision or strict mode's check), none larger than
// maxCachedDER, and it is bounded in bytes as well as entries. Each certificate is
// held once: the key is its SHA-256, the view keeps the DER, the JSON the PEM.
type certCache struct {
	lru *lru.Cache[[sha256.Size]byte, *parsedCert]
}

// parsedCert is a certificate's view and the view as JSON, as the echo sends it.
type parsedCert struct {
	key  [sha256.Size]byte
	info *certinfo.Certificate
	json []byte
	kept atomic.Bool // added to the cache (once)
}

const (
	// certCacheBytes holds about a thousand ordinary client certificates (~10 KB
	// each with their view and JSON).
	certCacheBytes = 32 << 20
	// maxCachedDER: a certificate larger than this is parsed on each connection,
	// never kept. Ordinary client certificates are 0.5 to 2 KB.
	maxCachedDER = 16 << 10
)

func newCertCache(max int) *certCache {
	return &certCache{lru: lru.New(max, certCacheBytes, certCost)}
}

// certCost estimates what an entry holds: the view (measured at 1.5 to 11 times
// the DER: 4.7 KB for a 423-byte leaf, 356 KB for a 60 KB subject, which the JSON
// plus three DERs and 4 KB bound from above) and the JSON.
func certCost(_ [sha256.Size]byte, p *parsedCert) int64 {
	return int64(3*len(p.info.DER()) + 2*len(p.json) + 4<<10)
}

// get returns the certificate parsed, from the cache when it is there.
func (c *certCache) get(der []byte) (*parsedCert, error) {
	key := sha256.Sum256(der)
	if p, ok := c.lru.Get(key); ok {
		return p, nil
	}
	// A peer certificate's Raw shares crypto/tls's buffer of the whole Certificate
	// message: parse a copy, so a view keeps only its own certificate alive.
	info, err := certinfo.Parse(bytes.Clone(der))
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	info.PEM = "" // the JSON holds it; the view serves decisions and the HTML page, which show none
	return &parsedCert{key: key, info: info, json: b}, nil
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

// keep caches the certificates of a chain that a bundle trusted.
func (c *certCache) keep(chain []*parsedCert) {
	for _, p := range chain {
		if len(p.info.DER()) <= maxCachedDER && !p.kept.Swap(true) {
			c.lru.Add(p.key, p)
		}
	}
}

// views returns the certificate views of a parsed chain.
func views(chain []*parsedCert) []*certinfo.Certificate {
	out := make([]*certinfo.Certificate, len(chain))
	for i, p := range chain {
		out[i] = p.info
	}
	return out
}

// CachedCertificates is how many parsed client certificates the echo keeps, and
// the bytes they are counted as.
func (es *Server) CachedCertificates() (n int, bytes int64) {
	return es.certs.lru.Len(), es.certs.lru.Bytes()
}
