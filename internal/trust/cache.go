package trust

import (
	"crypto/sha256"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/lru"
)

// Cache remembers chains that verified, so that a server which sees the same client
// reconnect does not check the same signatures again: chain verification is most of
// the cost of a decision after the handshake.
//
// A remembered Result is exactly what Verify would return. Verify depends on the
// time only through the validity windows of the certificates it can consider: the
// presented ones and those of the bundles tried up to the one that verified. So an
// entry is keyed by the presented certificates (SHA-256, in order) and the bundles
// (name and certificates, in order), and is used only while no such certificate
// becomes valid or expires. Failures are not kept: their messages name the time.
//
// The least recently used chain goes first when the cache is full. The cache is
// bounded in entries only: it keeps only chains that verified, so how large they
// are is up to the trusted CAs, not to the client.
//
// A Cache is safe for concurrent use. The zero value is not usable; call NewCache.
type Cache struct {
	entries *lru.Cache[[sha256.Size]byte, *cacheEntry] // never modified once added
}

type cacheEntry struct {
	from, until time.Time // the result holds for from <= t < until
	res         Result
}

// NewCache returns a cache of at most max verified chains (at least 1).
func NewCache(max int) *Cache {
	return &Cache{entries: lru.New[[sha256.Size]byte, *cacheEntry](max, 0, nil)}
}

// Verify returns Verify(presented, bundles, now), from the cache when it can. The
// slices of the returned Result are fresh copies, so callers may keep them.
func (c *Cache) Verify(presented []*certinfo.Certificate, bundles []*Bundle, now time.Time) Result {
	if now.IsZero() {
		now = time.Now()
	}
	key, ok := cacheKey(presented, bundles)
	if !ok {
		return Verify(presented, bundles, now)
	}
	e, found := c.entries.GetIf(key, func(e *cacheEntry) bool { return !now.Before(e.from) && now.Before(e.until) })
	if found {
		return e.res.clone()
	}
	res := Verify(presented, bundles, now)
	if !res.OK {
		return res
	}
	from, until := stableWindow(presented, bundles, len(res.Tried), now)
	c.entries.Add(key, &cacheEntry{from: from, until: until, res: res.clone()})
	return res
}

// Stats reports how many calls were answered from the cache and how many verified.
func (c *Cache) Stats() (hits, misses uint64) { return c.entries.Stats() }

// Len is the number of remembered chains.
func (c *Cache) Len() int { return c.entries.Len() }

// cacheKey hashes what Verify's answer depends on besides the time. Certificates
// are named by their SHA-256, which certinfo computes from the DER.
func cacheKey(presented []*certinfo.Certificate, bundles []*Bundle) (key [sha256.Size]byte, ok bool) {
	h := sha256.New()
	sep := []byte{0}
	for _, p := range presented {
		if p == nil || p.SHA256 == "" {
			return key, false
		}
		h.Write([]byte(p.SHA256))
	}
	for _, b := range bundles {
		h.Write([]byte{1})
		if b == nil {
			continue
		}
		h.Write([]byte(b.Name))
		h.Write(sep)
		for _, bc := range b.Certs {
			h.Write([]byte(bc.SHA256))
		}
	}
	h.Sum(key[:0])
	return key, true
}

// stableWindow is the interval around now in which no certificate that the
// verification could consider changes between valid and not valid: the presented
// ones and those of the first tried bundles (Verify skips nil ones and stops at the
// first that verifies).
func stableWindow(presented []*certinfo.Certificate, bundles []*Bundle, tried int, now time.Time) (from, until time.Time) {
	from, until = time.Time{}, time.Unix(1<<62, 0)
	edge := func(t time.Time) { // a certificate's state changes at t
		if !now.Before(t) {
			if t.After(from) {
				from = t
			}
		} else if t.Before(until) {
			until = t
		}
	}
	consider := func(c *certinfo.Certificate) {
		edge(c.NotBefore)
		edge(c.NotAfter.Add(time.Nanosecond)) // valid through NotAfter, as crypto/x509 says
	}
	for _, p := range presented {
		consider(p)
	}
	for _, b := range bundles {
		if tried == 0 {
			break
		}
		if b == nil {
			continue
		}
		tried--
		for _, bc := range b.Certs {
			consider(bc)
		}
	}
	return from, until
}

func (r Result) clone() Result {
	out := r
	out.Chain = append([]ChainCert(nil), r.Chain...)
	out.Tried = append([]Attempt{}, r.Tried...)
	if r.Failure != nil {
		f := *r.Failure
		out.Failure = &f
	}
	return out
}
