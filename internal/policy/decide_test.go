package policy_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/pki"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/rule"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "pki", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func chain(t testing.TB, name string) []*certinfo.Certificate {
	t.Helper()
	blocks, err := certinput.Decode(name, read(t, name))
	if err != nil {
		t.Fatal(err)
	}
	var certs []*certinfo.Certificate
	for _, b := range blocks {
		c, err := certinfo.Parse(b.DER)
		if err != nil {
			t.Fatal(err)
		}
		certs = append(certs, c)
	}
	return certs
}

func bundle(t testing.TB, name string) *trust.Bundle {
	t.Helper()
	b, err := trust.ParseBundle(name, read(t, name), pki.TestNow)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func compile(t testing.TB, src string) *rule.Program {
	t.Helper()
	env, err := rule.NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	p, err := env.Compile(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecide(t *testing.T) {
	root, rootB := bundle(t, "root.pem"), bundle(t, "root-b.pem")
	good := chain(t, "client-good-chain.pem")
	client := func(rule *rule.Program, bundles ...*trust.Bundle) *policy.Client {
		c := &policy.Client{Name: "partner-a", Bundles: bundles}
		if rule != nil { // a nil *rule.Program in the interface would be a rule
			c.Rule = rule
		}
		return c
	}
	tests := []struct {
		name       string
		req        policy.Request
		wantCode   int
		wantReason string
		wantSteps  string // checks in order, failed ones marked with !
	}{
		{"no client", policy.Request{Presented: good}, policy.ClientNotConfigured, "not configured", "!client"},
		{"no client and no certificate", policy.Request{}, policy.ClientNotConfigured, "not configured", "!client"},
		{"no bundle", policy.Request{Client: client(nil), Presented: good}, policy.NoTruststore, `"partner-a" has no truststore`, "client !truststore"},
		{"no bundle and no certificate", policy.Request{Client: client(nil)}, policy.NoTruststore, "truststore", "client !truststore"},
		{"six bundles", policy.Request{Client: client(nil, root, root, root, root, root, root), Presented: good}, policy.NoTruststore, "at most 5", "client !truststore"},
		{"no certificate", policy.Request{Client: client(nil, root)}, policy.NoCertificate, "no client certificate", "client truststore !certificate"},
		{"untrusted", policy.Request{Client: client(nil, rootB), Presented: good}, policy.InvalidCertificate, "unknown issuer", "client truststore certificate !chain"},
		{"expired", policy.Request{Client: client(nil, root), Presented: chain(t, "client-expired-chain.pem")}, policy.InvalidCertificate, "expired", "client truststore certificate !chain"},
		{"serverAuth only", policy.Request{Client: client(nil, root), Presented: chain(t, "server-localhost-chain.pem")}, policy.InvalidCertificate, "clientAuth", "client truststore certificate !chain"},
		{"unparsable by crypto/x509", policy.Request{Client: client(nil, root), Presented: chain(t, "client-san-bad-uri-chain.pem")}, policy.InvalidCertificate, "invalid client certificate", "client truststore certificate !chain"},
		{"rule false", policy.Request{Client: client(compile(t, `CN == "x"`), root), Presented: good}, policy.RuleFailed, "evaluated to false", "client truststore certificate chain !rule"},
		{"rule error", policy.Request{Client: client(compile(t, `SAN[99] == "x"`), root), Presented: good}, policy.RuleFailed, "could not be evaluated", "client truststore certificate chain !rule"},
		{"accepted without rule", policy.Request{Client: client(nil, root), Presented: good}, policy.Accepted, "no rule is configured", "client truststore certificate chain rule"},
		{"accepted by second bundle", policy.Request{Client: client(compile(t, `"Email:ops@example.com" in SAN`), rootB, root), Presented: good}, policy.Accepted, "rule is true", "client truststore certificate chain rule"},
		{"tls facts reach the rule", policy.Request{Client: client(compile(t, `tls.version == "TLS 1.3"`), root), Presented: good, TLS: ruletypes.TLS{Version: "TLS 1.3"}}, policy.Accepted, "rule is true", "client truststore certificate chain rule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.req.Now.IsZero() {
				tt.req.Now = pki.TestNow
			}
			d := policy.Decide(tt.req)
			var steps []string
			for _, s := range d.Steps {
				mark := ""
				if !s.OK {
					mark = "!"
				}
				steps = append(steps, mark+s.Check)
			}
			if d.Code != tt.wantCode || !strings.Contains(d.Reason, tt.wantReason) || strings.Join(steps, " ") != tt.wantSteps {
				t.Errorf("Decide(%s) = %d %q, steps %q; want %d containing %q, steps %q", tt.name, d.Code, d.Reason, steps, tt.wantCode, tt.wantReason, tt.wantSteps)
			}
			if d.Accepted() != (tt.wantCode == policy.Accepted) {
				t.Errorf("Decide(%s).Accepted() = %v", tt.name, d.Accepted())
			}
			ranRule := tt.req.Client != nil && tt.req.Client.Rule != nil && strings.HasSuffix(tt.wantSteps, "rule")
			if (d.Rule != nil) != ranRule {
				t.Errorf("Decide(%s).Rule = %v, want an explanation exactly when the rule ran (%v)", tt.name, d.Rule, ranRule)
			}
		})
	}
}

// TestChainStepCount: the chain step counts the verified chain in words that
// agree with it, also for a self-signed certificate pinned in its bundle.
func TestChainStepCount(t *testing.T) {
	for _, tt := range []struct{ bundle, chain, want string }{
		{"root.pem", "client-good-chain.pem", `trusted by bundle "root.pem" (3 certificates)`},
		{"client-self-signed.pem", "client-self-signed.pem", `trusted by bundle "client-self-signed.pem" (1 certificate)`},
	} {
		d := policy.Decide(policy.Request{Client: &policy.Client{Name: "a", Bundles: []*trust.Bundle{bundle(t, tt.bundle)}}, Presented: chain(t, tt.chain), Now: pki.TestNow})
		if i := slices.IndexFunc(d.Steps, func(s policy.Step) bool { return s.Check == "chain" }); d.Code != policy.Accepted || i < 0 || d.Steps[i].Detail != tt.want {
			t.Errorf("Decide(%s in %s) = %d %q, steps %+v; want the chain step %q", tt.chain, tt.bundle, d.Code, d.Reason, d.Steps, tt.want)
		}
	}
}

// BenchmarkDecide is what a server pays for a fresh ECDSA P-256 chain: parse both
// certificates, verify the chain for client auth, evaluate the rule with its
// explanation.
func BenchmarkDecide(b *testing.B) {
	root := bundle(b, "root.pem")
	prog := compile(b, `CN == "client.example.com" && SAN.exists(s, s.endsWith(".example.com"))`)
	blocks, err := certinput.Decode("chain", read(b, "client-good-chain.pem"))
	if err != nil {
		b.Fatal(err)
	}
	c := &policy.Client{Name: "bench", Bundles: []*trust.Bundle{root}, Rule: prog}
	b.ReportAllocs()
	for b.Loop() {
		presented := make([]*certinfo.Certificate, len(blocks))
		for i, blk := range blocks {
			if presented[i], err = certinfo.Parse(blk.DER); err != nil {
				b.Fatal(err)
			}
		}
		if d := policy.Decide(policy.Request{Client: c, Presented: presented, Now: pki.TestNow}); d.Code != policy.Accepted {
			b.Fatalf("Decide = %d %s", d.Code, d.Reason)
		}
	}
}

func TestDecideWithCache(t *testing.T) {
	c := &policy.Client{Name: "partner-a", Bundles: []*trust.Bundle{bundle(t, "root.pem")}, Rule: compile(t, `CN == "client.example.com"`)}
	cache := trust.NewCache(8)
	req := policy.Request{Client: c, Presented: chain(t, "client-good-chain.pem"), Now: pki.TestNow, Verify: cache.Verify}
	first, second := policy.Decide(req), policy.Decide(req)
	if hits, misses := cache.Stats(); hits != 1 || misses != 1 {
		t.Errorf("cache stats after two decisions = %d hits, %d misses; want 1, 1", hits, misses)
	}
	if first.Code != policy.Accepted || second.Code != first.Code || second.Reason != first.Reason ||
		len(second.Verification.Chain) != len(first.Verification.Chain) {
		t.Errorf("cached decision %d %q differs from the first %d %q", second.Code, second.Reason, first.Code, first.Reason)
	}
	uncached := req
	uncached.Verify = nil
	if d := policy.Decide(uncached); d.Code != first.Code || d.Reason != first.Reason {
		t.Errorf("Decide without a cache = %d %q, with = %d %q", d.Code, d.Reason, first.Code, first.Reason)
	}
}

// TestPendingRule: the inspector's rule (policy.Pending) stops a decision where the
// rule would run with RulePending, never a code, and only there: every check
// before the rule decides as it does with a real rule.
func TestPendingRule(t *testing.T) {
	root, rootB := bundle(t, "root.pem"), bundle(t, "root-b.pem")
	good := chain(t, "client-good-chain.pem")
	pending := func(bundles ...*trust.Bundle) *policy.Client {
		return &policy.Client{Name: "partner-a", Bundles: bundles, Rule: policy.Pending}
	}
	d := policy.Decide(policy.Request{Client: pending(root), Presented: good, Now: pki.TestNow})
	if d.Code != policy.RulePending || d.Rule != nil || !strings.Contains(d.Reason, "the chain is trusted") {
		t.Fatalf("trusted chain, pending rule: code %d, reason %q, rule %v", d.Code, d.Reason, d.Rule)
	}
	last := d.Steps[len(d.Steps)-1]
	if last.Check != "rule" || last.OK || !strings.Contains(last.Detail, "not evaluated yet") || d.Verification == nil || !d.Verification.OK {
		t.Errorf("steps: %+v", d.Steps)
	}
	if slices.Contains(policy.Codes, policy.RulePending) {
		t.Errorf("RulePending is listed among the decision codes")
	}
	for _, tt := range []struct {
		name string
		req  policy.Request
		code int
	}{
		{"untrusted chain", policy.Request{Client: pending(rootB), Presented: good, Now: pki.TestNow}, policy.InvalidCertificate},
		{"no certificate", policy.Request{Client: pending(root), Now: pki.TestNow}, policy.NoCertificate},
		{"no bundle", policy.Request{Client: pending(), Presented: good, Now: pki.TestNow}, policy.NoTruststore},
	} {
		if d := policy.Decide(tt.req); d.Code != tt.code {
			t.Errorf("%s: code %d, want %d (%s)", tt.name, d.Code, tt.code, d.Reason)
		}
	}
}
