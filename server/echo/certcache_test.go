package echo

import (
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestCertCacheBoundedInBytes: certificates with large subjects fill the cache's
// byte budget long before its entry count, and a certificate seen again is
// answered from the cache.
func TestCertCacheBoundedInBytes(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	root, err := pki.SelfSign(pki.Spec{Subject: pkix.Name{CommonName: "Root"}, NotBefore: now, NotAfter: now.Add(time.Hour), IsCA: true})
	if err != nil {
		t.Fatal(err)
	}
	c := newCertCache(1024)
	var first []byte
	for i := range 200 {
		leaf, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: strings.Repeat("x", 30<<10) + string(rune('a'+i%26)), SerialNumber: string(rune('A' + i))},
			NotBefore: now, NotAfter: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = leaf.DER
		}
		if _, err := c.get(leaf.DER); err != nil {
			t.Fatal(err)
		}
	}
	if n, b := c.lru.Len(), c.lru.Bytes(); n >= 200 || b > certCacheBytes {
		t.Errorf("after 200 large certificates the cache holds %d entries, %d bytes; want fewer entries, at most %d bytes", n, b, certCacheBytes)
	}
	small, err := root.Issue(pki.Spec{Subject: pkix.Name{CommonName: "client"}, NotBefore: now, NotAfter: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	p1, _ := c.get(small.DER)
	p2, _ := c.get(small.DER)
	if p1 == nil || p1 != p2 {
		t.Errorf("a certificate seen twice was parsed twice")
	}
}
