package trust

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/pki"
)

// TestCacheSameAsVerify warms a cache at the test clock, then asks it at every
// instant where a certificate involved changes state (and just before and after):
// the answer must always be what Verify says at that instant, from the cache or not.
func TestCacheSameAsVerify(t *testing.T) {
	tests := []struct {
		name    string
		chain   string
		bundles []string
	}{
		{"good chain, one bundle", "client-good-chain.pem", []string{"root.pem"}},
		{"good chain, second bundle verifies", "client-good-chain.pem", []string{"root-b.pem", "root.pem"}},
		{"bundle with a not-yet-valid CA tried first", "client-good-chain.pem", []string{"bundle-not-yet-valid-ca.pem", "root.pem"}},
		{"bundle with an expired CA", "client-good-chain.pem", []string{"bundle-expired-ca.pem"}},
		{"root-b client, two-root bundle", "client-root-b.pem", []string{"bundle-two-roots.pem"}},
		{"expired client", "client-expired-chain.pem", []string{"root.pem"}},
		{"untrusted client", "client-untrusted.pem", []string{"root.pem", "root-b.pem"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := chainFile(t, tt.chain)
			var bundles []*Bundle
			for _, b := range tt.bundles {
				bundles = append(bundles, bundleFile(t, b))
			}
			c := NewCache(16)
			c.Verify(chain, bundles, pki.TestNow)
			for _, at := range edges(chain, bundles) {
				want := Verify(chain, bundles, at)
				got := c.Verify(chain, bundles, at)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("Cache.Verify(%s, %v, %s) =\n%+v, want\n%+v", tt.chain, tt.bundles, at.Format(time.RFC3339Nano), got, want)
				}
			}
		})
	}
}

// edges lists, for every certificate involved, the instants around its NotBefore
// and NotAfter, plus the test clock.
func edges(chain []*certinfo.Certificate, bundles []*Bundle) []time.Time {
	out := []time.Time{pki.TestNow}
	add := func(c *certinfo.Certificate) {
		for _, t := range []time.Time{c.NotBefore, c.NotAfter} {
			out = append(out, t.Add(-time.Nanosecond), t, t.Add(time.Nanosecond), t.Add(time.Second))
		}
	}
	for _, c := range chain {
		add(c)
	}
	for _, b := range bundles {
		for _, c := range b.Certs {
			add(c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

func TestCacheHits(t *testing.T) {
	chain := chainFile(t, "client-good-chain.pem")
	root, rootB := bundleFile(t, "root.pem"), bundleFile(t, "root-b.pem")
	c := NewCache(16)
	check := func(name string, wantHits, wantMisses uint64) {
		t.Helper()
		if h, m := c.Stats(); h != wantHits || m != wantMisses {
			t.Errorf("after %s: Stats() = %d hits, %d misses; want %d, %d", name, h, m, wantHits, wantMisses)
		}
	}
	first := c.Verify(chain, []*Bundle{root}, pki.TestNow)
	if !first.OK {
		t.Fatalf("Cache.Verify(good chain, root.pem) not OK: %+v", first.Failure)
	}
	check("first call", 0, 1)
	again := c.Verify(chain, []*Bundle{root}, pki.TestNow.Add(time.Hour))
	check("same chain an hour later", 1, 1)
	if !reflect.DeepEqual(again, first) {
		t.Errorf("cached result = %+v, want %+v", again, first)
	}
	again.Chain[0].Subject = "changed by a caller"
	if c.Verify(chain, []*Bundle{root}, pki.TestNow).Chain[0].Subject == "changed by a caller" {
		t.Errorf("a caller's change to a returned Result reached the cache")
	}
	check("third call", 2, 1)

	c.Verify(chain, []*Bundle{rootB, root}, pki.TestNow)
	check("another bundle set", 2, 2)
	c.Verify(chain[:1], []*Bundle{root}, pki.TestNow)
	check("leaf only (fails, not cached)", 2, 3)
	c.Verify(chain[:1], []*Bundle{root}, pki.TestNow)
	check("leaf only again", 2, 4)
	c.Verify(chain, []*Bundle{root}, time.Date(2029, 1, 1, 0, 0, 0, 0, time.UTC))
	check("after the leaf expired", 2, 5)
	if n := c.Len(); n != 2 {
		t.Errorf("Len() = %d, want 2 (the two verified bundle sets)", n)
	}
}

func TestCacheBounded(t *testing.T) {
	root := bundleFile(t, "root.pem")
	c := NewCache(2)
	for _, name := range []string{"client-good-chain.pem", "client-no-eku-chain.pem", "client-rsa-chain.pem", "client-ed25519-chain.pem"} {
		if r := c.Verify(chainFile(t, name), []*Bundle{root}, pki.TestNow); !r.OK {
			t.Fatalf("Cache.Verify(%s) not OK: %+v", name, r.Failure)
		}
	}
	if n := c.Len(); n != 2 {
		t.Errorf("Len() = %d after 4 chains in a cache of 2, want 2", n)
	}
}

func BenchmarkCacheVerify(b *testing.B) {
	chain := chainFile(b, "client-good-chain.pem")
	bundles := []*Bundle{bundleFile(b, "root.pem")}
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			Verify(chain, bundles, pki.TestNow)
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := NewCache(16)
		for b.Loop() {
			c.Verify(chain, bundles, pki.TestNow)
		}
	})
}
