//go:build !inspector

package engine

import (
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/pki/opensslpki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule/explain"
)

// TestDecideNearMisses: a rule that fails on a near miss (in CEL and in the formula
// dialect) gets, in the decision, the closest value the certificate has with the
// differing characters marked; a rule that holds, or one far from everything,
// gets none.
func TestDecideNearMisses(t *testing.T) {
	p := opensslpki.New(t)
	chain := string(opensslpki.Read(t, p.Chain))
	root := string(opensslpki.Read(t, p.Root))
	type want struct {
		of, value     string
		distance      int
		litDiff, vDif []explain.Range
		start, end    int // the literal in the rule
	}
	tests := []struct {
		name, rule string
		code       int
		want       *want
	}{
		{"formula: a space after the prefix", `SAN.include?("Email: ops@example.com")`, policy.RuleFailed,
			&want{"SAN[1]", "Email:ops@example.com", 1, []explain.Range{{Start: 6, End: 7}}, []explain.Range{{Start: 6, End: 6}}, 13, 37}},
		{"CEL: a space after the prefix", `"Email: ops@example.com" in SAN`, policy.RuleFailed,
			&want{"SAN[1]", "Email:ops@example.com", 1, []explain.Range{{Start: 6, End: 7}}, []explain.Range{{Start: 6, End: 6}}, 0, 24}},
		{"URI with a trailing slash", `"URI:https://client.example.com/app/" in SAN`, policy.RuleFailed,
			&want{"SAN[2]", "URI:https://client.example.com/app", 1, []explain.Range{{Start: 34, End: 35}}, []explain.Range{{Start: 34, End: 34}}, 0, 37}},
		{"inside exists", `SAN.exists(s, s == "URI:https://client.example.com/app/")`, policy.RuleFailed,
			&want{"SAN[2]", "URI:https://client.example.com/app", 1, []explain.Range{{Start: 34, End: 35}}, []explain.Range{{Start: 34, End: 34}}, 19, 56}},
		{"the root's DN (the Workato docs' example)", `DN == "` + opensslpki.RootDN + `"`, policy.RuleFailed,
			&want{"chain[1].issuer.dn", opensslpki.RootDN, 0, []explain.Range{}, []explain.Range{}, 6, 28}},
		{"the issuer's DN", `DN == "` + opensslpki.IntermediateDN + `"`, policy.RuleFailed,
			&want{"issuer DN", opensslpki.IntermediateDN, 0, []explain.Range{}, []explain.Range{}, 6, 36}},
		{"CN typo", `CN == "client.example.co"`, policy.RuleFailed,
			&want{"CN", "client.example.com", 1, []explain.Range{{Start: 17, End: 17}}, []explain.Range{{Start: 17, End: 18}}, 6, 25}},
		{"startsWith", `CN.startsWith("clientt.")`, policy.RuleFailed,
			&want{"CN", "client.example.com", 1, []explain.Range{{Start: 5, End: 6}}, []explain.Range{{Start: 5, End: 5}}, 14, 24}},
		{"holds", `"Email:ops@example.com" in SAN`, policy.Accepted, nil},
		{"far from everything", `CN == "zzzzzzzzzzzz"`, policy.RuleFailed, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Decide(DecideRequest{Certificates: chain, Bundles: []BundleInput{{Name: "root.pem", PEM: root}}, Rule: tt.rule, At: p.At().Format(time.RFC3339)}, time.Now)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != tt.code || resp.Rule == nil {
				t.Fatalf("Decide(%s) = %d %s, want %d with a rule explanation", tt.rule, resp.Code, resp.Reason, tt.code)
			}
			nms := resp.Rule.NearMisses
			if tt.want == nil {
				if len(nms) != 0 {
					t.Errorf("Decide(%s) near misses = %+v, want none", tt.rule, nms)
				}
				return
			}
			if len(nms) != 1 {
				t.Fatalf("Decide(%s) near misses = %+v, want one", tt.rule, nms)
			}
			nm, w := nms[0], tt.want
			if nm.Of != w.of || nm.Value != w.value || nm.Distance != w.distance || !sameRanges(nm.LiteralDiff, w.litDiff) || !sameRanges(nm.ValueDiff, w.vDif) || nm.Start != w.start || nm.End != w.end || nm.Message == "" {
				t.Errorf("Decide(%s) near miss = %+v\nwant of %s, value %q, distance %d, literal diff %v, value diff %v, at %d-%d", tt.rule, nm, w.of, w.value, w.distance, w.litDiff, w.vDif, w.start, w.end)
			}
		})
	}
}

func sameRanges(a, b []explain.Range) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
