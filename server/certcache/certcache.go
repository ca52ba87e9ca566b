// Package certcache keeps client certificates parsed between connections and
// requests: the same few clients come back all day, and their view (names, SAN,
// fingerprints) and its JSON are the same every time. The echo endpoint and the
// authorization endpoint share one.
package certcache

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"strings"
	"sync/atomic"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/lru"
)

// Cache keeps parsed certificates. Entries are never modified once shared.
//
// Strangers cannot fill it: it keeps only certificates of chains that a bundle
// trusted (Keep, after the decision or strict mode's check), none larger than
// MaxCachedDER, and it is bounded in bytes as well as entries. Each certificate is
// held once: the key is its SHA-256, the view keeps the DER, the JSON the PEM.
type Cache struct {
	lru *lru.Cache[[sha256.Size]byte, *Cert]
}

// Cert is a certificate's view and the view as JSON, as the echo sends it.
type Cert struct {
	Key  [sha256.Size]byte
	Info *certinfo.Certificate // its PEM is "": the JSON holds it
	JSON []byte
	kept atomic.Bool // added to the cache (once)
}

const (
	// Bytes holds about a thousand ordinary client certificates (~10 KB each with
	// their view and JSON).
	Bytes = 32 << 20
	// MaxCachedDER: a certificate larger than this is parsed on each use, never
	// kept. Ordinary client certificates are 0.5 to 2 KB.
	MaxCachedDER = 16 << 10
)

// New returns a cache of at most max certificates and Bytes bytes.
func New(max int) *Cache {
	return &Cache{lru: lru.New(max, Bytes, certCost)}
}

// certCost estimates what an entry holds: the view (measured at 1.5 to 11 times
// the DER: 4.7 KB for a 423-byte leaf, 356 KB for a 60 KB subject, which the JSON
// plus three DERs and 4 KB bound from above) and the JSON.
func certCost(_ [sha256.Size]byte, p *Cert) int64 {
	return int64(3*len(p.Info.DER()) + 2*len(p.JSON) + 4<<10)
}

// Get returns the certificate parsed, from the cache when it is there.
func (c *Cache) Get(der []byte) (*Cert, error) {
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
	return &Cert{Key: key, Info: info, JSON: b}, nil
}

// Chain returns the certificates a peer presented, leaf first, parsed.
func (c *Cache) Chain(peer []*x509.Certificate) ([]*Cert, error) {
	out := make([]*Cert, 0, len(peer))
	for _, x := range peer {
		p, err := c.Get(x.Raw)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// Keep caches the certificates of a chain that a bundle trusted.
func (c *Cache) Keep(chain []*Cert) {
	for _, p := range chain {
		if len(p.Info.DER()) <= MaxCachedDER && !p.kept.Swap(true) {
			c.lru.Add(p.Key, p)
		}
	}
}

// Len and Size are how many certificates the cache keeps, and the bytes they are
// counted as.
func (c *Cache) Len() int    { return c.lru.Len() }
func (c *Cache) Size() int64 { return c.lru.Bytes() }

// Views returns the certificate views of a parsed chain.
func Views(chain []*Cert) []*certinfo.Certificate {
	out := make([]*certinfo.Certificate, len(chain))
	for i, p := range chain {
		out[i] = p.Info
	}
	return out
}

// ChainKey identifies a chain by its certificates' fingerprints, in order.
func ChainKey(chain []*Cert) string {
	var b strings.Builder
	b.Grow(len(chain) * 65)
	for _, p := range chain {
		b.WriteString(p.Info.SHA256)
		b.WriteByte(',')
	}
	return b.String()
}
