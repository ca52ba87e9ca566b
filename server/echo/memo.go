package echo

import (
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/server/config"
)

// decisionKey is what an echo decision depends on, besides the time (the memo:
// server/decisionmemo).
type decisionKey struct {
	client *config.Client // a config's clients are distinct pointers; nil is no match (4020)
	tls    rule.TLS
	chain  string // certcache.ChainKey: the presented certificates' SHA-256 fingerprints
}

// Size counts a rendered decision for the memo: its JSON, and as much again for
// the views the HTML page keeps (measured at about the size of their JSON).
func (r *rendered) Size() int { return len(r.decision) + 2*len(r.rest) }

// RememberedDecisions is how many decisions the memo holds for the current second.
func (s *Server) RememberedDecisions() int { return s.decisions.Len() }

// CachedCertificates is how many parsed client certificates the echo keeps, and
// the bytes they are counted as.
func (s *Server) CachedCertificates() (n int, bytes int64) { return s.certs.Len(), s.certs.Size() }
