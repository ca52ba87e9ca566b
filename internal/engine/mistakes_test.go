//go:build !inspector

package engine

import (
	"strings"
	"testing"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/diagnose"
	"github.com/mtlsplay/mtlsplay/internal/pki/opensslpki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// TestDecideReversedChain: a chain pasted with the intermediate first is decided on
// the leaf the person meant (with and without a rule), the certificate step and
// the leaf member say so, and the finding tells them to move it.
func TestDecideReversedChain(t *testing.T) {
	p := opensslpki.New(t)
	at := p.At().Format(time.RFC3339)
	now := func() time.Time { return p.At() }
	root := string(opensslpki.Read(t, p.Root))
	for _, tt := range []struct {
		name, chain, rule  string
		wantCode, wantLeaf int
		wantFinding        bool
	}{
		{"reversed, rule", p.Reversed, `"DNS:client.example.com" in SAN`, policy.Accepted, 1, true},
		{"reversed, no rule", p.Reversed, "", policy.Accepted, 1, true},
		{"reversed, rule on the CN", p.Reversed, `CN == "client.example.com"`, policy.Accepted, 1, true},
		{"in order, rule", p.Chain, `"DNS:client.example.com" in SAN`, policy.Accepted, 0, false},
		{"intermediate alone, rule", p.Intermediate, `"DNS:client.example.com" in SAN`, policy.RuleFailed, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := Decide(DecideRequest{Certificates: string(opensslpki.Read(t, tt.chain)), Bundles: []BundleInput{{Name: "root.pem", PEM: root}}, Rule: tt.rule, At: at}, now)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != tt.wantCode || resp.Leaf != tt.wantLeaf {
				t.Fatalf("Decide = code %d (%s), leaf %d; want %d, leaf %d", resp.Code, resp.Reason, resp.Leaf, tt.wantCode, tt.wantLeaf)
			}
			if f := hasFinding(resp.Findings, diagnose.LeafNotFirst); (f != nil) != tt.wantFinding {
				t.Errorf("finding %s = %+v, want it: %v", diagnose.LeafNotFirst, f, tt.wantFinding)
			}
			if hasFinding(resp.Findings, diagnose.ChainUnrelatedCertificate) != nil {
				t.Errorf("findings %+v tell the person to remove a certificate of the chain", resp.Findings)
			}
			step := resp.Steps[2].Detail
			if says := strings.Contains(step, "certificate 2 is the leaf, pasted after its issuer"); says != tt.wantFinding {
				t.Errorf("certificate step %q says the leaf moved: %v, want %v", step, says, tt.wantFinding)
			}
			if tt.wantFinding && !strings.Contains(step, "leaf CN=client.example.com") {
				t.Errorf("certificate step %q does not name the leaf that was decided on", step)
			}
		})
	}
}

// TestDecideReversedChainNumbering: when the chain moved, the verification failure
// still numbers certificates as they were pasted.
func TestDecideReversedChainNumbering(t *testing.T) {
	p := opensslpki.New(t)
	later := p.At().Add((opensslpki.LeafDays + 10) * 24 * time.Hour) // the leaf has expired, the intermediate has not
	resp, err := Decide(DecideRequest{Certificates: string(opensslpki.Read(t, p.Reversed)), Bundles: []BundleInput{{Name: "root.pem", PEM: string(opensslpki.Read(t, p.Root))}}, At: later.Format(time.RFC3339)}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code != policy.InvalidCertificate || resp.Verification == nil || resp.Verification.Failure == nil {
		t.Fatalf("Decide = %d %s, want 4018 with a failure", resp.Code, resp.Reason)
	}
	f := resp.Verification.Failure
	want := "certificate 2 (" + opensslpki.LeafDN + ") expired"
	if f.Cert != 1 || !strings.HasPrefix(f.Message, want) || !strings.Contains(resp.Reason, want) || !strings.Contains(resp.Steps[3].Detail, want) {
		t.Errorf("failure = cert %d %q, reason %q; want the leaf named %q (index 1), as pasted", f.Cert, f.Message, resp.Reason, want)
	}
}

// TestDecideWrongBundle: the correct chain with another PKI's root in the bundle is
// a wrong bundle, not a missing intermediate; the right bundle has neither.
func TestDecideWrongBundle(t *testing.T) {
	p := opensslpki.New(t)
	now := func() time.Time { return p.At() }
	for _, tt := range []struct {
		name, bundle string
		code         int
		want         bool
	}{
		{"other root", p.Other, policy.InvalidCertificate, true},
		{"its root", p.Root, policy.Accepted, false},
	} {
		resp, err := Decide(DecideRequest{Certificates: string(opensslpki.Read(t, p.Chain)), Bundles: []BundleInput{{Name: "bundle.pem", PEM: string(opensslpki.Read(t, tt.bundle))}}, At: p.At().Format(time.RFC3339)}, now)
		if err != nil {
			t.Fatal(err)
		}
		f := hasFinding(resp.Findings, diagnose.WrongBundle)
		if resp.Code != tt.code || (f != nil) != tt.want || hasFinding(resp.Findings, diagnose.MissingIntermediate) != nil {
			t.Errorf("%s: Decide = %d, findings %+v; want %d, %s: %v, no %s", tt.name, resp.Code, resp.Findings, tt.code, diagnose.WrongBundle, tt.want, diagnose.MissingIntermediate)
		}
		if f != nil && !strings.Contains(f.Message, "bundle bundle.pem (it holds "+opensslpki.OtherDN) {
			t.Errorf("%s: %s = %q, want it to say what the bundle holds", tt.name, diagnose.WrongBundle, f.Message)
		}
	}
}

// TestEvalReversedChain: eval, like decide, evaluates the leaf that was meant.
func TestEvalReversedChain(t *testing.T) {
	p := opensslpki.New(t)
	resp, err := Eval(EvalRequest{Certificates: string(opensslpki.Read(t, p.Reversed)), Rule: `CN == "client.example.com" && chain[0].subject.cn == CN`, At: p.At().Format(time.RFC3339)}, func() time.Time { return p.At() })
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Value || resp.Leaf != 1 {
		t.Errorf("Eval(reversed) = %v, leaf %d (%s); want true, leaf 1", resp.Value, resp.Leaf, resp.Rule.Error)
	}
}

// TestParseTimeDateOnly: a date alone is its midnight UTC, in every operation that
// takes a time; anything else that is not RFC 3339 is still bad_time.
func TestParseTimeDateOnly(t *testing.T) {
	want := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-06-01", " 2026-06-01 ", "2026-06-01T00:00:00Z", "2026-06-01T02:00:00+02:00"} {
		got, err := ParseTime(s, time.Now)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"2026-6-1", "01/06/2026", "tomorrow", "2026-06-01 00:00"} {
		if _, err := ParseTime(s, time.Now); err == nil || ErrorOf(err).Code != CodeBadTime {
			t.Errorf("ParseTime(%q) = %v, want %s", s, err, CodeBadTime)
		}
	}
	resp, err := Decide(DecideRequest{Certificates: fixture(t, "client-good-chain.pem"), Bundles: []BundleInput{{Name: "root.pem", PEM: fixture(t, "root.pem")}}, At: "2026-06-01"}, time.Now)
	if err != nil || !resp.At.Equal(want) || resp.Code != policy.Accepted {
		t.Errorf("Decide(at 2026-06-01) = %v, %v; want accepted at %v", resp, err, want)
	}
}
