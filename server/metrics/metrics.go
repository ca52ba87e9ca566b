// Package metrics keeps the server's counters and writes them in the Prometheus text
// format. Every label has a fixed set of values (decision codes, handshake reasons,
// configured client names, listeners), so a hostile client cannot grow the series.
package metrics

import (
	"bytes"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/server/handshake"
)

// Metrics are the server's counters, written in the Prometheus text format by
// hand: a handful of counters do not need a client library and its dependencies.
type Metrics struct {
	mu        sync.Mutex
	decisions map[clientCode]*atomic.Uint64       // once per connection and client
	requests  map[clientCode]*atomic.Uint64       // every echo response
	failures  map[handshake.Reason]*atomic.Uint64 // failed handshakes, by reason
	api       map[int]*atomic.Uint64              // POST /api/decide, by HTTP status
	shed      [2]atomic.Uint64                    // mTLS connections shed, by ShedReason
	authz     map[clientCode]*atomic.Uint64       // authorization endpoint answers, by client and code
	refused   map[string]*atomic.Uint64           // authorization requests answered without a decision, by reason

	open     [3]atomic.Int64 // open connections, by Listener
	inFlight [3]atomic.Int64 // requests being read or answered, likewise

	// ChainCache reports the chain cache's lookups; nil leaves them out.
	ChainCache func() (hits, misses uint64)
	// LogDropped reports the log lines dropped by the log's limits; nil leaves it out.
	LogDropped func() uint64
}

// Listener is one of the server's listeners.
type Listener int

// The listeners, as their label names them.
const (
	Page  Listener = iota // label "http": the page, the API and the metrics
	MTLS                  // label "mtls": the echo endpoint
	Authz                 // label "authz": the authorization endpoint
)

var listenerLabels = [...]string{Page: "http", MTLS: "mtls", Authz: "authz"}

// byLabel is the listeners in the order of their labels, as samples are written.
var byLabel = []Listener{Authz, Page, MTLS}

// AuthzRefusals are why the authorization endpoint answered without deciding.
var AuthzRefusals = []string{"untrusted_source", "bad_header", "busy", "not_found"}

// ShedReason is why the mTLS listener closed a connection to keep its budget.
type ShedReason int

// The reasons, as their label names them, in the labels' order: the exposition
// writes them in this order, and samples are sorted by label.
const (
	ShedEvicted     ShedReason = iota // "evicted": all slots were taken; it held one without a certificate
	ShedSourceLimit                   // "source_limit": its source held its share of the connections
)

var shedLabels = [...]string{ShedEvicted: "evicted", ShedSourceLimit: "source_limit"}

// Shed counts a connection closed to keep the connection budget.
func (m *Metrics) Shed(r ShedReason) { m.shed[r].Add(1) }

// Open is the gauge of l's open connections.
func (m *Metrics) Open(l Listener) *atomic.Int64 { return &m.open[l] }

// InFlight is the gauge of l's requests being read or answered.
func (m *Metrics) InFlight(l Listener) *atomic.Int64 { return &m.inFlight[l] }

type clientCode struct {
	client string
	code   int
}

// New returns the counters of a server with these configured clients.
func New(clients []string) *Metrics {
	m := &Metrics{
		decisions: map[clientCode]*atomic.Uint64{},
		requests:  map[clientCode]*atomic.Uint64{},
		failures:  map[handshake.Reason]*atomic.Uint64{},
		api:       map[int]*atomic.Uint64{},
		authz:     map[clientCode]*atomic.Uint64{},
		refused:   map[string]*atomic.Uint64{},
	}
	for _, r := range AuthzRefusals {
		m.refused[r] = new(atomic.Uint64)
	}
	// Series that exist from the start, so a rate over them needs no special case.
	for _, r := range handshake.Reasons {
		m.failures[r] = new(atomic.Uint64)
	}
	for _, name := range clients {
		for _, code := range policy.Codes {
			if code == policy.ClientNotConfigured {
				continue
			}
			m.decisions[clientCode{name, code}] = new(atomic.Uint64)
			m.requests[clientCode{name, code}] = new(atomic.Uint64)
			m.authz[clientCode{name, code}] = new(atomic.Uint64)
		}
	}
	m.decisions[clientCode{"", policy.ClientNotConfigured}] = new(atomic.Uint64)
	m.requests[clientCode{"", policy.ClientNotConfigured}] = new(atomic.Uint64)
	m.authz[clientCode{"", policy.ClientNotConfigured}] = new(atomic.Uint64)
	return m
}

// counter returns the counter of key in set, creating it.
func counter[K comparable](m *Metrics, set map[K]*atomic.Uint64, key K) *atomic.Uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := set[key]
	if c == nil {
		c = new(atomic.Uint64)
		set[key] = c
	}
	return c
}

// Decided counts a decision (client "" for 4020) and returns the counter of
// responses that carry it, which the connection keeps, so that a request costs one
// atomic add.
func (m *Metrics) Decided(client string, code int) *atomic.Uint64 {
	counter(m, m.decisions, clientCode{client, code}).Add(1)
	return counter(m, m.requests, clientCode{client, code})
}

// AuthzDecision returns the counter of the authorization endpoint's answers for
// client ("" for 4020) and code; the endpoint adds to it once per answer.
func (m *Metrics) AuthzDecision(client string, code int) *atomic.Uint64 {
	return counter(m, m.authz, clientCode{client, code})
}

// AuthzRefused counts a request the authorization endpoint answered without a
// decision; reason is one of AuthzRefusals.
func (m *Metrics) AuthzRefused(reason string) { counter(m, m.refused, reason).Add(1) }

// HandshakeFailed counts a failed handshake on the mTLS listener.
func (m *Metrics) HandshakeFailed(reason handshake.Reason) { counter(m, m.failures, reason).Add(1) }

// APIStatus counts a POST /api/decide answered with status.
func (m *Metrics) APIStatus(status int) { counter(m, m.api, status).Add(1) }

// ServeHTTP is GET /metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(m.exposition())
}

func (m *Metrics) exposition() []byte {
	var b bytes.Buffer
	family := func(name, help, kind string) {
		b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + kind + "\n")
	}
	sample := func(name string, labels []string, v uint64) {
		b.WriteString(name)
		for i := 0; i < len(labels); i += 2 {
			if i == 0 {
				b.WriteByte('{')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(labels[i] + `="` + labelEscaper.Replace(labels[i+1]) + `"`)
		}
		if len(labels) > 0 {
			b.WriteByte('}')
		}
		b.WriteString(" " + strconv.FormatUint(v, 10) + "\n")
	}

	writeClientCodes := func(name string, set map[clientCode]*atomic.Uint64) {
		m.mu.Lock()
		keys := make([]clientCode, 0, len(set))
		vals := make(map[clientCode]uint64, len(set))
		for k, c := range set {
			keys = append(keys, k)
			vals[k] = c.Load()
		}
		m.mu.Unlock()
		slices.SortFunc(keys, func(a, b clientCode) int {
			if c := strings.Compare(a.client, b.client); c != 0 {
				return c
			}
			return a.code - b.code
		})
		for _, k := range keys {
			sample(name, []string{"client", k.client, "code", strconv.Itoa(k.code)}, vals[k])
		}
	}

	family("mtlsplay_decisions_total", "Decisions of the mTLS echo endpoint (one per connection and client), by client and code; client is empty for 4020.", "counter")
	writeClientCodes("mtlsplay_decisions_total", m.decisions)
	family("mtlsplay_echo_responses_total", "Responses of the mTLS echo endpoint, by client and decision code.", "counter")
	writeClientCodes("mtlsplay_echo_responses_total", m.requests)

	family("mtlsplay_authz_decisions_total", "Answers of the authorization endpoint that carry a decision, by client and code; client is empty for 4020.", "counter")
	writeClientCodes("mtlsplay_authz_decisions_total", m.authz)
	family("mtlsplay_authz_refused_total", "Requests to the authorization endpoint answered without a decision, by reason: untrusted_source, bad_header, busy, not_found.", "counter")
	m.mu.Lock()
	refusals := map[string]uint64{}
	for r, c := range m.refused {
		refusals[r] = c.Load()
	}
	m.mu.Unlock()
	for _, r := range slices.Sorted(maps.Keys(refusals)) {
		sample("mtlsplay_authz_refused_total", []string{"reason", r}, refusals[r])
	}

	family("mtlsplay_handshake_failures_total", "TLS handshakes that failed on the mTLS listener, by reason.", "counter")
	m.mu.Lock()
	reasons := make([]handshake.Reason, 0, len(m.failures))
	fails := map[handshake.Reason]uint64{}
	for r, c := range m.failures {
		reasons = append(reasons, r)
		fails[r] = c.Load()
	}
	statuses := make([]int, 0, len(m.api))
	api := map[int]uint64{}
	for s, c := range m.api {
		statuses = append(statuses, s)
		api[s] = c.Load()
	}
	m.mu.Unlock()
	slices.Sort(reasons)
	for _, r := range reasons {
		sample("mtlsplay_handshake_failures_total", []string{"reason", string(r)}, fails[r])
	}
	family("mtlsplay_api_decide_requests_total", "POST /api/decide requests, by HTTP status.", "counter")
	slices.Sort(statuses)
	for _, s := range statuses {
		sample("mtlsplay_api_decide_requests_total", []string{"status", strconv.Itoa(s)}, api[s])
	}

	family("mtlsplay_connections_shed_total", "mTLS connections closed to keep the connection budget: refused because their source held its share, or evicted (handshaking or without a certificate) to make room.", "counter")
	for r, label := range shedLabels {
		sample("mtlsplay_connections_shed_total", []string{"reason", label}, m.shed[r].Load())
	}

	family("mtlsplay_open_connections", "Connections open now, by listener.", "gauge")
	for _, l := range byLabel {
		sample("mtlsplay_open_connections", []string{"listener", listenerLabels[l]}, uint64(max(m.open[l].Load(), 0)))
	}

	family("mtlsplay_requests_in_flight", "Requests being read or answered now, by listener.", "gauge")
	for _, l := range byLabel {
		sample("mtlsplay_requests_in_flight", []string{"listener", listenerLabels[l]}, uint64(max(m.inFlight[l].Load(), 0)))
	}

	if m.LogDropped != nil {
		family("mtlsplay_log_lines_dropped_total", "Log lines not written: over the lines a connection or the server may write a second.", "counter")
		sample("mtlsplay_log_lines_dropped_total", nil, m.LogDropped())
	}

	if m.ChainCache != nil {
		hits, misses := m.ChainCache()
		family("mtlsplay_chain_cache_lookups_total", "Chain verifications answered from the cache (hit) or verified (miss).", "counter")
		sample("mtlsplay_chain_cache_lookups_total", []string{"result", "hit"}, hits)
		sample("mtlsplay_chain_cache_lookups_total", []string{"result", "miss"}, misses)
	}
	return b.Bytes()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// CountConns is a net/http server's ConnState hook that keeps l's gauge of open
// connections.
func (m *Metrics) CountConns(l Listener) func(net.Conn, http.ConnState) {
	return func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			m.open[l].Add(1)
		case http.StateClosed, http.StateHijacked:
			m.open[l].Add(-1)
		}
	}
}
