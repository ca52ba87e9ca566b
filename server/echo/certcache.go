package echo

import (
	"crypto/x509"
	"encoding/json"
	"sync"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
)

// certCache keeps client certificates parsed, by their DER: the same few clients
// reconnect all day, and the view (names, SAN, fingerprints) and its JSON are the
// same every time. Entries are never modified once made, so they are shared.
type certCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]*parsedCert // key: the DER as a string
}

// parsedCert is a certificate's view and the view as JSON, as the echo sends it.
type parsedCert struct {
	info *certinfo.Certificate
	json []byte
}

func newCertCache(max int) *certCache {
	return &certCache{max: max, m: make(map[string]*parsedCert)}
}

func (c *certCache) get(der []byte) (*parsedCert, error) {
	c.mu.RLock()
	p := c.m[string(der)] // the compiler looks this up without copying der
	c.mu.RUnlock()
	if p != nil {
		return p, nil
	}
	info, err := certinfo.Parse(der)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(info)
	if err != nil {
		return nil, err
	}
	p = &parsedCert{info: info, json: b}
	c.mu.Lock()
	if len(c.m) >= c.max {
		for k := range c.m { // evict one, chosen by map order
			delete(c.m, k)
			break
		}
	}
	c.m[string(der)] = p
	c.mu.Unlock()
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
