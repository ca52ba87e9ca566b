package certcache

import (
	"crypto/x509/pkix"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestCertCache: only certificates of trusted chains (keep) are cached, none larger
// than MaxCachedDER, and the cache stays within its bytes whatever certificates
// arrive.
func TestCertCache(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Root"}, NotBefore: now, NotAfter: now.Add(time.Hour), IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	issue := func(cn string) []byte {
		t.Helper()
		c, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: cn}, NotBefore: now, NotAfter: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return c.DER
	}
	c := New(1024)
	get := func(der []byte) *Cert {
		t.Helper()
		p, err := c.Get(der)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	small := issue("client")
	if p1, p2 := get(small), get(small); p1 == p2 {
		t.Errorf("a certificate of no trusted chain was cached")
	}
	p := get(small)
	c.Keep([]*Cert{p})
	if get(small) != p {
		t.Errorf("a certificate of a trusted chain was not cached")
	}
	if p.Info.PEM != "" || !strings.Contains(string(p.JSON), `"pem":"-----BEGIN CERTIFICATE-----`) {
		t.Errorf("the PEM is kept twice, or not in the JSON")
	}

	large := issue(strings.Repeat("x", MaxCachedDER))
	c.Keep([]*Cert{get(large)})
	if n := c.lru.Len(); n != 1 {
		t.Errorf("a certificate over %d bytes was cached: %d entries", MaxCachedDER, n)
	}

	for i := range 600 { // about 12 KB each: the bytes run out before the entries
		c.Keep([]*Cert{get(issue(strings.Repeat("y", 12<<10) + strconv.Itoa(i)))})
	}
	if n, b := c.lru.Len(), c.lru.Bytes(); n >= 600 || b > Bytes {
		t.Errorf("after 600 certificates of 12 KB the cache holds %d entries, %d bytes; want fewer entries, at most %d bytes", n, b, Bytes)
	}
}
