package metrics

import (
	"slices"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/server/handshake"
)

func TestMetricsLabelsEscaped(t *testing.T) {
	m := New(nil)
	m.Decided("a\"b\\c\nd", 0)
	if got := string(m.exposition()); !strings.Contains(got, `client="a\"b\\c\nd"`) {
		t.Errorf("label not escaped:\n%s", got)
	}
}

// TestAuthzSeries: the authorization endpoint's series exist from the start for
// every configured client and code, and for every refusal reason.
func TestAuthzSeries(t *testing.T) {
	m := New([]string{"partner-a"})
	m.AuthzDecision("partner-a", 4019).Add(2)
	m.AuthzRefused("untrusted_source")
	got := string(m.exposition())
	for _, want := range []string{
		`mtlsplay_authz_decisions_total{client="",code="4020"} 0`,
		`mtlsplay_authz_decisions_total{client="partner-a",code="0"} 0`,
		`mtlsplay_authz_decisions_total{client="partner-a",code="4019"} 2`,
		`mtlsplay_authz_refused_total{reason="busy"} 0`,
		`mtlsplay_authz_refused_total{reason="untrusted_source"} 1`,
		`mtlsplay_open_connections{listener="authz"} 0`,
		`mtlsplay_requests_in_flight{listener="authz"} 0`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("the metrics lack %s:\n%s", want, got)
		}
	}
}

// TestSamplesSorted: within each family the samples are sorted by their labels
// (design 7.2), every family with at least one sample of each kind it has.
func TestSamplesSorted(t *testing.T) {
	m := New([]string{"b", "a"})
	m.HandshakeFailed(handshake.Reason("timeout"))
	m.APIStatus(503)
	m.APIStatus(200)
	m.Shed(ShedSourceLimit)
	m.Shed(ShedEvicted)
	labels := map[string][]string{}
	for _, line := range strings.Split(string(m.exposition()), "\n") {
		name, rest, ok := strings.Cut(line, "{")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		set, _, _ := strings.Cut(rest, "}")
		labels[name] = append(labels[name], set)
	}
	if len(labels) < 8 {
		t.Fatalf("%d families with labels:\n%s", len(labels), m.exposition())
	}
	for name, sets := range labels {
		// Codes and statuses have as many digits each, so text order is theirs.
		if !slices.IsSorted(sets) {
			t.Errorf("%s: samples not sorted by label: %q", name, sets)
		}
	}
}
