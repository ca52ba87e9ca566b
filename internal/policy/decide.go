package policy

import (
	"fmt"
	"time"

	"github.com/mtlsplay/mtlsplay/internal/certinfo"
	"github.com/mtlsplay/mtlsplay/internal/rule/ruletypes"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// Decision codes, in the order Decide checks them (docs/design.md, "3.1 The codes and their order").
const (
	Accepted            = 0
	ClientNotConfigured = 4020
	NoTruststore        = 4016
	NoCertificate       = 4017
	InvalidCertificate  = 4018
	RuleFailed          = 4019
)

// RulePending is the page's inspector's answer when the chain is trusted and the
// rule is not evaluated yet, because the rule engine is still loading: no
// decision, never returned by the CLI or the server (their clients' rules are
// compiled programs). Not in Codes.
const RulePending = -1

// Codes lists every decision code, in the order Decide checks them.
var Codes = []int{ClientNotConfigured, NoTruststore, NoCertificate, InvalidCertificate, RuleFailed, Accepted}

// MaxBundles is how many truststore bundles one client may select.
const MaxBundles = 5

// Client is an API client's configuration: the bundles that anchor its chains and
// the rule its certificate must pass. A nil Rule accepts every trusted certificate.
type Client struct {
	Name    string
	Bundles []*trust.Bundle
	Rule    Rule
}

// Rule is a client's compiled rule as a decision evaluates it: a *rule.Program,
// or Pending. It is an interface so that this package, and with it the decision's
// composition, does not link cel-go: the page's inspector engine decides without it.
type Rule interface {
	// ExplainDecision evaluates the rule on leaf with its explanation.
	ExplainDecision(leaf *certinfo.Certificate, chain []*certinfo.Certificate, now time.Time, facts ruletypes.TLS) ruletypes.Result
}

// Pending is the rule of a client whose rule the inspector cannot evaluate:
// Decide stops before the rule with RulePending.
var Pending Rule = pendingRule{}

type pendingRule struct{}

func (pendingRule) ExplainDecision(*certinfo.Certificate, []*certinfo.Certificate, time.Time, ruletypes.TLS) ruletypes.Result {
	return ruletypes.Result{Error: "the rule was not evaluated"}
}

// Request is one presented chain to decide on. Client nil means no configured client
// matched the request (4020). Presented is leaf first; empty means the peer sent no
// certificate (4017).
type Request struct {
	Client    *Client
	Presented []*certinfo.Certificate
	Now       time.Time
	TLS       ruletypes.TLS
	// Verify verifies the chain; nil means trust.Verify. A server passes a
	// (*trust.Cache).Verify so that a client that reconnects is not verified again:
	// the cache returns exactly what trust.Verify would.
	Verify func(presented []*certinfo.Certificate, bundles []*trust.Bundle, now time.Time) trust.Result
}

// Decision is the outcome. Code and Reason are the contract; Steps tell a person how
// the decision was reached, Verification and Rule hold the details when those stages ran.
type Decision struct {
	Code         int               `json:"code"`
	Reason       string            `json:"reason"`
	Steps        []Step            `json:"steps"`
	Verification *trust.Result     `json:"verification,omitempty"`
	Rule         *ruletypes.Result `json:"rule,omitempty"`
}

// Step is one check taken on the way to a decision.
type Step struct {
	Check  string `json:"check"` // client, truststore, certificate, chain, rule
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Accepted reports whether the certificate was accepted.
func (d Decision) Accepted() bool { return d.Code == Accepted }

// Decide runs the checks of docs/design.md in their order and stops at the first failure.
// The rule is evaluated with its explanation, because every caller shows it.
func Decide(req Request) Decision {
	req.Now = DecisionTime(req.Now)
	var d Decision
	step := func(check string, ok bool, format string, args ...any) {
		d.Steps = append(d.Steps, Step{Check: check, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}
	finish := func(code int, reason string) Decision {
		d.Code, d.Reason = code, reason
		return d
	}

	c := req.Client
	if c == nil {
		step("client", false, "no configured client matched the request")
		return finish(ClientNotConfigured, "the API client does not exist or is not configured")
	}
	step("client", true, "client %q", c.Name)

	if len(c.Bundles) == 0 {
		step("truststore", false, "client %q has no truststore bundle", c.Name)
		return finish(NoTruststore, fmt.Sprintf("client %q has no truststore bundle configured", c.Name))
	}
	if len(c.Bundles) > MaxBundles {
		step("truststore", false, "%d bundles selected, at most %d allowed", len(c.Bundles), MaxBundles)
		return finish(NoTruststore, fmt.Sprintf("client %q selects %d truststore bundles; at most %d are allowed", c.Name, len(c.Bundles), MaxBundles))
	}
	step("truststore", true, "%s", bundleNames(c.Bundles))

	if len(req.Presented) == 0 {
		step("certificate", false, "the client presented no certificate")
		return finish(NoCertificate, "no client certificate was presented")
	}
	leaf := req.Presented[0]
	step("certificate", true, "%d certificate(s) presented; leaf %s", len(req.Presented), describe(leaf))

	verify := req.Verify
	if verify == nil {
		verify = trust.Verify
	}
	v := verify(req.Presented, c.Bundles, req.Now)
	d.Verification = &v
	if !v.OK {
		msg := "chain verification failed"
		if v.Failure != nil {
			msg = v.Failure.Message
		}
		step("chain", false, "%s", msg)
		return finish(InvalidCertificate, "invalid client certificate: "+msg)
	}
	if len(v.Chain) == 1 { // a certificate pinned in the bundle itself
		step("chain", true, "trusted by bundle %q (1 certificate)", v.Bundle)
	} else {
		step("chain", true, "trusted by bundle %q (%d certificates)", v.Bundle, len(v.Chain))
	}

	if c.Rule == nil {
		step("rule", true, "no rule configured; every trusted certificate is accepted")
		return finish(Accepted, "accepted: the chain is trusted and no rule is configured")
	}
	if c.Rule == Pending {
		step("rule", false, "not evaluated yet: the rule engine is still loading")
		return finish(RulePending, "the chain is trusted; the rule is evaluated as soon as the rule engine has loaded")
	}
	res := c.Rule.ExplainDecision(leaf, req.Presented, req.Now, req.TLS)
	d.Rule = &res
	switch {
	case res.Error != "":
		step("rule", false, "evaluation error: %s", res.Error)
		return finish(RuleFailed, "the rule could not be evaluated: "+res.Error)
	case !res.Value:
		step("rule", false, "the rule evaluated to false")
		return finish(RuleFailed, "the certificate failed the rule: it evaluated to false")
	}
	step("rule", true, "the rule evaluated to true")
	return finish(Accepted, "accepted: the chain is trusted and the rule is true")
}

func bundleNames(bs []*trust.Bundle) string {
	s := fmt.Sprintf("%d bundle(s):", len(bs))
	for _, b := range bs {
		s += fmt.Sprintf(" %q", b.Name)
	}
	return s
}

func describe(c *certinfo.Certificate) string {
	if c.Subject.DN == "" {
		return "with an empty subject"
	}
	return c.Subject.DN
}

// DecisionTime is t as every decision reads it, in whole seconds. Certificate
// validity is written in whole seconds and its notAfter second is still valid, as
// OpenSSL (and so nginx) compares time_t seconds; the page, the CLI and the server
// all decide with it, so they agree within a second, and the server can remember a
// decision for the rest of its second.
func DecisionTime(t time.Time) time.Time { return t.Truncate(time.Second) }
