// Package decisionmemo remembers the decisions made within the current second, for
// the echo endpoint and the authorization endpoint.
//
// A decision depends on the client, the presented chain, the TLS facts a rule can
// read and the time; with the time taken to the second (as certificate validity is
// written), the same key gives the same decision, byte for byte. A partner that
// opens a connection per request, or a proxy that asks for every request, is then
// decided once a second rather than once a request. Everything is forgotten when
// the second turns, so the memo is small and a changed clock or an expiring
// certificate is seen at once. Within a second it is bounded in decisions and in
// bytes, and keeps no decision larger than MaxDecisionBytes, so clients presenting
// many large certificates in one second cannot make it hold much.
package decisionmemo

import (
	"sync"
	"time"
)

// Bounds of the decisions remembered within one second.
const (
	MaxDecisions     = 1024
	MaxBytes         = 8 << 20
	MaxDecisionBytes = 64 << 10 // an ordinary echo decision's JSON is 5 to 15 KB
)

// Sized is a remembered decision that says how many bytes it holds.
type Sized interface{ Size() int }

// Memo is the decisions of one second by key. The zero Memo is ready to use.
type Memo[K comparable, V Sized] struct {
	mu    sync.Mutex
	sec   time.Time
	m     map[K]V
	bytes int
}

// Get returns the decision remembered for k in second now (a decision time).
func (m *Memo[K, V]) Get(k K, now time.Time) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.sec.Equal(now) {
		var zero V
		return zero, false
	}
	v, ok := m.m[k]
	return v, ok
}

// Put remembers v for k in second now, forgetting every earlier second, unless the
// second's bounds are reached or v alone is over MaxDecisionBytes.
func (m *Memo[K, V]) Put(k K, now time.Time, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.sec.Equal(now) {
		m.sec, m.m, m.bytes = now, make(map[K]V), 0
	}
	if n := v.Size(); len(m.m) < MaxDecisions && n <= MaxDecisionBytes && m.bytes+n <= MaxBytes {
		m.m[k] = v
		m.bytes += n
	}
}

// Len is how many decisions the memo holds for its second.
func (m *Memo[K, V]) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
