package echo

import (
	"strings"
	"sync"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/server/config"
)

// decisionMemo remembers the decisions made within the current second. A decision
// depends on the client, the presented chain, the TLS facts a rule can read and the
// time; with the time taken to the second (as certificate validity is written), the
// same key gives the same decision, byte for byte. A partner that opens a
// connection per request, which many do, is then decided and rendered once a second
// rather than once a connection. Everything is forgotten when the second turns, so
// the memo is small and a changed clock or an expiring certificate is seen at once.
// Within a second it is bounded in decisions and in bytes, and keeps no decision
// larger than maxMemoDecision, so clients presenting many large certificates in one
// second cannot make it hold much.
type decisionMemo struct {
	mu    sync.Mutex
	sec   time.Time
	m     map[decisionKey]*rendered
	bytes int
}

// decisionKey is what a decision depends on, besides the time.
type decisionKey struct {
	client *config.Client // a config's clients are distinct pointers; nil is no match (4020)
	tls    rule.TLS
	chain  string // the presented certificates' SHA-256 fingerprints
}

// Bounds of the decisions remembered within one second.
const (
	maxMemoDecisions = 1024
	maxMemoBytes     = 8 << 20
	maxMemoDecision  = 64 << 10 // an ordinary decision's JSON is 5 to 15 KB
)

// size counts a rendered decision: its JSON, and as much again for the views the
// HTML page keeps (measured at about the size of their JSON).
func (r *rendered) size() int { return len(r.decision) + 2*len(r.rest) }

func (m *decisionMemo) get(k decisionKey, now time.Time) *rendered {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.sec.Equal(now) {
		return nil
	}
	return m.m[k]
}

func (m *decisionMemo) put(k decisionKey, now time.Time, r *rendered) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.sec.Equal(now) {
		m.sec, m.m, m.bytes = now, make(map[decisionKey]*rendered), 0
	}
	if n := r.size(); len(m.m) < maxMemoDecisions && n <= maxMemoDecision && m.bytes+n <= maxMemoBytes {
		m.m[k] = r
		m.bytes += n
	}
}

// chainKey identifies a presented chain by its certificates' fingerprints, in order.
func chainKey(chain []*parsedCert) string {
	var b strings.Builder
	b.Grow(len(chain) * 65)
	for _, p := range chain {
		b.WriteString(p.info.SHA256)
		b.WriteByte(',')
	}
	return b.String()
}

// RememberedDecisions is how many decisions the memo holds for the current second.
func (s *Server) RememberedDecisions() int {
	s.decisions.mu.Lock()
	defer s.decisions.mu.Unlock()
	return len(s.decisions.m)
}
