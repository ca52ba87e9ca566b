//go:build inspector

package engine

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// TestInspectorDecide: the inspector's decide (go test -tags inspector) stops a
// trusted chain with a rule at policy.RulePending, with the reason and the rule's
// step saying so and no rule member; a decision the rule takes no part in is
// complete; the rule operations are the rule engine's (docs/design.md §5.4).
func TestInspectorDecide(t *testing.T) {
	chain := fixture(t, "client-good-chain.pem")
	root := BundleInput{Name: "root.pem", PEM: fixture(t, "root.pem")}
	type response struct {
		Code   *int
		Reason string
		Steps  []struct {
			Check  string
			OK     bool
			Detail string
		}
		Rule json.RawMessage
	}
	decide := func(req DecideRequest) response {
		t.Helper()
		req.At = pki.TestNowRFC3339
		raw := Call("decide", mustJSON(t, req), testNow)
		var r response
		if err := json.Unmarshal(raw, &r); err != nil || r.Code == nil {
			t.Fatalf("Call(decide) = %s", raw)
		}
		return r
	}

	r := decide(DecideRequest{Certificates: chain, Bundles: []BundleInput{root}, Rule: `CN == "client.example.com"`})
	last := r.Steps[len(r.Steps)-1]
	if *r.Code != policy.RulePending || !strings.Contains(r.Reason, "the rule is evaluated as soon as the rule engine has loaded") || r.Rule != nil {
		t.Errorf("trusted chain with a rule: code %d, reason %q, rule %s; want %d, the pending reason, no rule", *r.Code, r.Reason, r.Rule, policy.RulePending)
	}
	if last.Check != "rule" || last.OK || !strings.Contains(last.Detail, "not evaluated yet") {
		t.Errorf("trusted chain with a rule: last step %+v, want the rule not evaluated yet", last)
	}

	if r := decide(DecideRequest{Certificates: chain, Bundles: []BundleInput{root}}); *r.Code != 0 {
		t.Errorf("trusted chain, no rule: code %d (%s), want 0", *r.Code, r.Reason)
	}
	if r := decide(DecideRequest{Certificates: chain, Bundles: []BundleInput{{Name: "other.pem", PEM: fixture(t, "untrusted-root.pem")}}, Rule: "true"}); *r.Code != 4018 {
		t.Errorf("untrusted chain with a rule: code %d (%s), want 4018: the rule takes no part", *r.Code, r.Reason)
	}
	if r := decide(DecideRequest{Bundles: []BundleInput{root}, Rule: "true"}); *r.Code != 4017 {
		t.Errorf("no certificate: code %d (%s), want 4017", *r.Code, r.Reason)
	}

	for _, op := range []string{"compile", "eval", "export", "declarations"} {
		if e := errorOf(t, Call(op, []byte(`{"rule": "true"}`), testNow)); e.Code != CodeUnknownOp || !strings.Contains(e.Message, "the rule engine's") {
			t.Errorf("Call(%s) = %+v, want unknown_operation naming the rule engine", op, e)
		}
	}
}
