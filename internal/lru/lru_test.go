package lru

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
)

// op is one step of a table test: add (with a cost) or get a key.
type op struct {
	add  bool
	key  string
	cost int64
}

func add(key string, cost int64) op { return op{add: true, key: key, cost: cost} }
func get(key string) op             { return op{key: key} }

// costOf reads an entry's cost from its value, so each test step chooses it.
func costOf(_ string, v int64) int64 { return v }

func TestCache(t *testing.T) {
	tests := []struct {
		name       string
		maxEntries int
		maxBytes   int64
		ops        []op
		want       []string // keys, most recently used first
		wantBytes  int64
	}{
		{
			name:       "empty",
			maxEntries: 3,
			want:       nil,
		},
		{
			name:       "oldest out when full",
			maxEntries: 3,
			ops:        []op{add("a", 1), add("b", 1), add("c", 1), add("d", 1)},
			want:       []string{"d", "c", "b"},
			wantBytes:  3,
		},
		{
			name:       "a get makes an entry the most recent",
			maxEntries: 3,
			ops:        []op{add("a", 1), add("b", 1), add("c", 1), get("a"), add("d", 1)},
			want:       []string{"d", "a", "c"},
			wantBytes:  3,
		},
		{
			name:       "a miss changes nothing",
			maxEntries: 3,
			ops:        []op{add("a", 1), add("b", 1), get("x"), add("c", 1)},
			want:       []string{"c", "b", "a"},
			wantBytes:  3,
		},
		{
			name:       "add replaces and makes the most recent",
			maxEntries: 3,
			ops:        []op{add("a", 1), add("b", 1), add("a", 5)},
			want:       []string{"a", "b"},
			wantBytes:  6,
		},
		{
			name:       "bytes bound evicts the oldest until it fits",
			maxEntries: 10,
			maxBytes:   80,
			ops:        []op{add("a", 10), add("b", 10), add("c", 10), add("d", 10), add("e", 10), add("f", 10), add("g", 10), add("h", 10), add("i", 10)},
			want:       []string{"i", "h", "g", "f", "e", "d", "c", "b"},
			wantBytes:  80,
		},
		{
			name:       "one entry evicts several smaller ones, least recent first",
			maxEntries: 10,
			maxBytes:   80,
			ops:        []op{add("a", 10), add("b", 2), add("c", 2), add("d", 2), add("e", 10), add("f", 10), add("g", 10), add("h", 10), add("i", 10), get("a"), add("x", 10), add("y", 10)},
			want:       []string{"y", "x", "a", "i", "h", "g", "f", "e"},
			wantBytes:  80,
		},
		{
			name:       "an entry of exactly an eighth is kept",
			maxEntries: 10,
			maxBytes:   80,
			ops:        []op{add("a", 10), add("b", 10)},
			want:       []string{"b", "a"},
			wantBytes:  20,
		},
		{
			name:       "an entry over an eighth is not kept and flushes nothing",
			maxEntries: 10,
			maxBytes:   80,
			ops:        []op{add("a", 10), add("b", 10), add("huge", 11)},
			want:       []string{"b", "a"},
			wantBytes:  20,
		},
		{
			name:       "an oversize value removes the old one under its key",
			maxEntries: 10,
			maxBytes:   80,
			ops:        []op{add("a", 10), add("b", 10), add("a", 11)},
			want:       []string{"b"},
			wantBytes:  10,
		},
		{
			name:       "no bytes bound: costs are counted, not limited",
			maxEntries: 2,
			ops:        []op{add("a", 1<<40), add("b", 1<<40), add("c", 1)},
			want:       []string{"c", "b"},
			wantBytes:  1<<40 + 1,
		},
		{
			name:       "negative cost counts as zero",
			maxEntries: 2,
			maxBytes:   8,
			ops:        []op{add("a", -100), add("b", 1)},
			want:       []string{"b", "a"},
			wantBytes:  1,
		},
		{
			name:       "at least one entry",
			maxEntries: 0,
			ops:        []op{add("a", 1), add("b", 1)},
			want:       []string{"b"},
			wantBytes:  1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.maxEntries, tt.maxBytes, costOf)
			for _, o := range tt.ops {
				if o.add {
					c.Add(o.key, o.cost)
				} else {
					c.Get(o.key)
				}
			}
			if got := c.order(t); !slices.Equal(got, tt.want) {
				t.Errorf("entries, most recent first = %q, want %q", got, tt.want)
			}
			if got := c.Bytes(); got != tt.wantBytes {
				t.Errorf("Bytes() = %d, want %d", got, tt.wantBytes)
			}
			if got := c.Len(); got != len(tt.want) {
				t.Errorf("Len() = %d, want %d", got, len(tt.want))
			}
		})
	}
}

// order lists the keys from the most recently used, after checking that the list
// and the map hold the same entries and that Bytes is the sum of their costs.
func (c *Cache[K, V]) order(t testing.TB) []K {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	var keys []K
	var bytes int64
	for e := c.head.next; e != &c.head; e = e.next {
		if e.next.prev != e {
			t.Fatalf("list broken after %v", e.key)
		}
		if c.m[e.key] != e {
			t.Errorf("list entry %v is not the map's", e.key)
		}
		keys = append(keys, e.key)
		bytes += e.cost
	}
	if len(keys) != len(c.m) {
		t.Errorf("list holds %d entries, map %d", len(keys), len(c.m))
	}
	if bytes != c.bytes {
		t.Errorf("entries cost %d bytes, cache counts %d", bytes, c.bytes)
	}
	return keys
}

func TestAddReports(t *testing.T) {
	c := New(4, 80, costOf)
	for _, tt := range []struct {
		key  string
		cost int64
		want bool
	}{
		{"small", 1, true},
		{"eighth", 10, true},
		{"over", 11, false},
	} {
		if got := c.Add(tt.key, tt.cost); got != tt.want {
			t.Errorf("Add(%q, cost %d) = %v, want %v", tt.key, tt.cost, got, tt.want)
		}
	}
}

func TestGetAndStats(t *testing.T) {
	c := New[string, int64](4, 0, nil)
	c.Add("a", 1)
	steps := []struct {
		name       string
		get        func() (int64, bool)
		wantV      int64
		wantOK     bool
		wantHits   uint64
		wantMisses uint64
	}{
		{"hit", func() (int64, bool) { return c.Get("a") }, 1, true, 1, 0},
		{"miss", func() (int64, bool) { return c.Get("b") }, 0, false, 1, 1},
		{"usable", func() (int64, bool) { return c.GetIf("a", func(v int64) bool { return v == 1 }) }, 1, true, 2, 1},
		{"not usable", func() (int64, bool) { return c.GetIf("a", func(v int64) bool { return v == 2 }) }, 0, false, 2, 2},
		{"still there after not usable", func() (int64, bool) { return c.Get("a") }, 1, true, 3, 2},
		{"GetIf of a missing key", func() (int64, bool) { return c.GetIf("b", func(int64) bool { return true }) }, 0, false, 3, 3},
	}
	for _, s := range steps {
		v, ok := s.get()
		if v != s.wantV || ok != s.wantOK {
			t.Errorf("%s: got %d, %v; want %d, %v", s.name, v, ok, s.wantV, s.wantOK)
		}
		if h, m := c.Stats(); h != s.wantHits || m != s.wantMisses {
			t.Errorf("%s: Stats() = %d, %d; want %d, %d", s.name, h, m, s.wantHits, s.wantMisses)
		}
	}
	if c.Bytes() != 0 {
		t.Errorf("Bytes() = %d with a nil cost, want 0", c.Bytes())
	}
}

// TestGetIfNotUsableKeepsOrder: a stale value is not made the most recent, so it
// goes first when the cache is full.
func TestGetIfNotUsableKeepsOrder(t *testing.T) {
	c := New(2, 0, costOf)
	c.Add("a", 1)
	c.Add("b", 1)
	c.GetIf("a", func(int64) bool { return false })
	c.Add("c", 1)
	if got, want := c.order(t), []string{"c", "b"}; !slices.Equal(got, want) {
		t.Errorf("entries = %q, want %q", got, want)
	}
}

// TestConcurrent adds, gets and reads the sizes from many goroutines (run it with
// -race), then checks the list, the map and the byte count agree and are in bounds.
func TestConcurrent(t *testing.T) {
	const maxEntries, maxBytes = 64, 1000
	c := New(maxEntries, maxBytes, func(k string, v int) int64 { return int64(len(k) + v) })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				k := strconv.Itoa((g*7919 + i*31) % 300)
				switch i % 4 {
				case 0:
					c.Add(k, i%100)
				case 1:
					c.GetIf(k, func(v int) bool { return v%2 == 0 })
				case 2:
					c.Len()
					c.Bytes()
					c.Stats()
				default:
					if v, ok := c.Get(k); ok && (v < 0 || v >= 100) {
						t.Errorf("Get(%q) = %d, a value never added", k, v)
					}
				}
			}
		})
	}
	wg.Wait()
	c.order(t)
	if n, b := c.Len(), c.Bytes(); n > maxEntries || b > maxBytes {
		t.Errorf("Len() = %d, Bytes() = %d; bounds are %d, %d", n, b, maxEntries, maxBytes)
	}
	if h, m := c.Stats(); h+m != 8*1000 {
		t.Errorf("Stats() = %d + %d lookups, want %d", h, m, 8*1000)
	}
}

// TestGetAllocs: a hit allocates nothing, nor does a lookup by bytes with GetBytes.
func TestGetAllocs(t *testing.T) {
	der := make([]byte, 1200)
	c := New(16, 1<<20, func(k string, _ *int) int64 { return int64(len(k)) })
	c.Add(string(der), new(int))
	if n := testing.AllocsPerRun(100, func() { c.Get(string(der[:10])) }); n != 0 {
		t.Errorf("Get (short string conversion) allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { GetBytes(c, der) }); n != 0 {
		t.Errorf("GetBytes (hit) allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { GetBytes(c, der[:20]) }); n != 0 {
		t.Errorf("GetBytes (miss) allocates %v times, want 0", n)
	}
	now := 5
	if n := testing.AllocsPerRun(100, func() { c.GetIf(string(der[:10]), func(v *int) bool { return *v < now }) }); n != 0 {
		t.Errorf("GetIf allocates %v times, want 0", n)
	}
}

func BenchmarkCache(b *testing.B) {
	const n = 1024
	keys := make([][]byte, n)
	c := New(n, 64<<20, func(k string, _ *int) int64 { return int64(len(k)) })
	for i := range keys {
		keys[i] = fmt.Appendf(make([]byte, 0, 1200), "%01200d", i) // the size of a client certificate
		c.Add(string(keys[i]), new(int))
	}
	skeys := make([]string, n)
	for i, k := range keys {
		skeys[i] = string(k)
	}
	miss := fmt.Sprintf("%01200d", n)
	b.Run("Get hit", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, ok := c.Get(skeys[i%n]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("GetBytes hit", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, ok := GetBytes(c, keys[i%n]); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("Get hit string(der)", func(b *testing.B) {
		// What GetBytes avoids: the conversion copies the key before the call.
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, ok := c.Get(string(keys[i%n])); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("Get miss", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := c.Get(miss); ok {
				b.Fatal("hit")
			}
		}
	})
	b.Run("GetIf hit", func(b *testing.B) {
		b.ReportAllocs()
		i, limit := 0, 1
		for b.Loop() {
			if _, ok := c.GetIf(skeys[i%n], func(v *int) bool { return *v < limit }); !ok {
				b.Fatal("miss")
			}
			i++
		}
	})
	b.Run("Add", func(b *testing.B) {
		b.ReportAllocs()
		c := New(n/2, 64<<20, func(k string, _ *int) int64 { return int64(len(k)) })
		v := new(int)
		i := 0
		for b.Loop() {
			c.Add(skeys[i%n], v) // half the keys, in turn: every Add evicts one
			i++
		}
	})
	b.Run("map hit baseline", func(b *testing.B) {
		// A plain map under a mutex, looked up with m[string(b)]: what Get
		// replaces in server/certcache.go.
		b.ReportAllocs()
		var mu sync.Mutex
		m := make(map[string]*int, n)
		for _, k := range keys {
			m[string(k)] = new(int)
		}
		i := 0
		for b.Loop() {
			mu.Lock()
			p := m[string(keys[i%n])]
			mu.Unlock()
			if p == nil {
				b.Fatal("miss")
			}
			i++
		}
	})
}
