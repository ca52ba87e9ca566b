package lru

import "sync"

// Cache is a concurrency-safe map from K to V that keeps at most maxEntries
// entries and maxBytes bytes, evicting the least recently used first.
//
// An entry that costs more than an eighth of maxBytes is not kept: it would
// push out at least an eighth of everything else, and whoever sends one such
// entry can send many. Callers recompute it when asked again.
//
// The zero value is not usable; call New.
type Cache[K comparable, V any] struct {
	maxEntries int
	maxBytes   int64 // 0: no bound in bytes
	cost       func(K, V) int64

	mu           sync.Mutex
	m            map[K]*entry[K, V]
	head         entry[K, V] // sentinel of a circular list; head.next is the most recent
	bytes        int64
	hits, misses uint64
}

type entry[K comparable, V any] struct {
	key        K
	val        V
	cost       int64
	prev, next *entry[K, V]
}

// New returns a cache of at most maxEntries entries (at least 1) and, when
// maxBytes > 0, at most maxBytes bytes as counted by cost. A nil cost counts
// every entry as 0 bytes. Cost is called once per Add, without the cache's lock
// held; a negative cost counts as 0.
func New[K comparable, V any](maxEntries int, maxBytes int64, cost func(K, V) int64) *Cache[K, V] {
	if maxEntries < 1 {
		maxEntries = 1
	}
	if maxBytes < 0 {
		maxBytes = 0
	}
	c := &Cache[K, V]{maxEntries: maxEntries, maxBytes: maxBytes, cost: cost, m: make(map[K]*entry[K, V])}
	c.head.next, c.head.prev = &c.head, &c.head
	return c
}

// Get returns the value for k and makes it the most recently used. It counts a
// hit or a miss.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.found(c.m[k])
}

// GetBytes is Get for a cache keyed by strings, with the key as bytes: a DER
// certificate as the TLS stack hands it over. Get(string(b)) would copy b first
// (a 1 KB certificate costs more to copy than to look up); GetBytes does not.
func GetBytes[V any](c *Cache[string, V], k []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.found(c.m[string(k)]) // the compiler looks this up without copying k
}

// found counts a lookup that found e (or nothing, when nil) and makes e the most
// recently used. The caller holds the lock.
func (c *Cache[K, V]) found(e *entry[K, V]) (v V, ok bool) {
	if e == nil {
		c.misses++
		return v, false
	}
	c.hits++
	c.moveToFront(e)
	return e.val, true
}

// GetIf is Get for values that can go stale: it returns the value for k only
// when usable(value) is true, and only then counts a hit and makes the entry the
// most recently used. A value that is not usable stays (an Add replaces it) and
// counts as a miss. usable runs with the cache locked: it must be quick and must
// not use the cache.
func (c *Cache[K, V]) GetIf(k K, usable func(V) bool) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.m[k]
	if e != nil && !usable(e.val) {
		e = nil
	}
	return c.found(e)
}

// Add stores v under k, replacing any value there, as the most recently used
// entry, and evicts the least recently used entries until the cache is within
// its bounds. It reports whether v was kept: an entry over an eighth of maxBytes
// is not (and any older value under k is removed, so Get never returns it).
func (c *Cache[K, V]) Add(k K, v V) bool {
	var cost int64
	if c.cost != nil {
		cost = max(c.cost(k, v), 0)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[k]; old != nil {
		c.remove(old)
	}
	if c.maxBytes > 0 && cost > c.maxBytes/8 {
		return false
	}
	e := &entry[K, V]{key: k, val: v, cost: cost}
	c.m[k] = e
	c.pushFront(e)
	c.bytes += cost
	for len(c.m) > c.maxEntries || (c.maxBytes > 0 && c.bytes > c.maxBytes) {
		c.remove(c.head.prev)
	}
	return true
}

// Len is the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Bytes is the sum of the entries' costs.
func (c *Cache[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Stats reports how many lookups found a usable value and how many did not.
func (c *Cache[K, V]) Stats() (hits, misses uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

func (c *Cache[K, V]) remove(e *entry[K, V]) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
	delete(c.m, e.key)
	c.bytes -= e.cost
}

func (c *Cache[K, V]) moveToFront(e *entry[K, V]) {
	if c.head.next == e {
		return
	}
	e.prev.next, e.next.prev = e.next, e.prev
	c.pushFront(e)
}

func (c *Cache[K, V]) pushFront(e *entry[K, V]) {
	e.next, e.prev = c.head.next, &c.head
	c.head.next.prev = e
	c.head.next = e
}
