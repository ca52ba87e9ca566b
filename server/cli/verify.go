package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/gateway"
	"github.com/mtlsplay/mtlsplay/internal/policy"
	"github.com/mtlsplay/mtlsplay/internal/trust"
)

// verify: the full decision, with its code.

// gatewayDecision is verify --json --gateway: the decision, then "gateway", the
// gateway's own trust verdict on the chain.
type gatewayDecision struct {
	*engine.DecideResponse
	Gateway gateway.TrustVerdict `json:"gateway"`
}

func (c *cli) verify(args []string) int {
	fs := c.flags("verify", "[--bundle CA.pem]… [--rule EXPR | --rule-file F] [--dialect …] [--client NAME] [--at TIME] [--gateway NAME] [--json] CHAIN")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	at := fs.String("at", "", "the time of the verification (RFC 3339, or a date for midnight UTC; default now)")
	client := fs.String("client", "cli", "the client name shown in the decision")
	gw := fs.String("gateway", "", "also say whether this gateway would trust the chain, where it differs from Go's crypto/x509: "+strings.Join(gateway.TrustModels(), ", "))
	dialectName := fs.String("dialect", "auto", "the rule's language: cel, workato (Ruby-style formulas) or auto")
	var bundles stringList
	fs.Var(&bundles, "bundle", "a truststore bundle: a PEM file of CA certificates (repeat, up to 5)")
	readRule := c.ruleFlags(fs)
	operands, err := c.parse(fs, args)
	if err != nil {
		return parseFailed(err)
	}
	src, _, usage, err := readRule()
	ruleSet := false
	fs.Visit(func(f *flag.Flag) { ruleSet = ruleSet || f.Name == "rule" || f.Name == "rule-file" })
	switch {
	case usage:
		return c.usageError(fs, "%v", err)
	case err != nil:
		return c.fail(*asJSON, err)
	case ruleSet && strings.TrimSpace(src) == "":
		// Given, but empty (a shell variable that was not set, an empty file):
		// deciding without a rule would accept every trusted chain unasked.
		what := "--rule"
		if f := fs.Lookup("rule-file").Value.String(); f != "" {
			what = terminalSafe(displayName(f))
		}
		fmt.Fprintf(c.stderr, "mtlsplay verify: %s: the rule is empty: give the rule, or leave --rule out to accept every trusted chain\n", what)
		return exitBadInput
	case len(operands) != 1:
		return c.usageError(fs, "want exactly one CHAIN (use - for standard input), got %d", len(operands))
	case stdinTwice(append([]string{operands[0], fs.Lookup("rule-file").Value.String()}, bundles...)...):
		return c.usageError(fs, stdinOnce)
	case len(bundles) > policy.MaxBundles:
		return c.usageError(fs, "%d --bundle flags; a client selects at most %d bundles", len(bundles), policy.MaxBundles)
	case *gw != "" && !known(gateway.TrustModels(), *gw):
		return c.usageError(fs, "no trust model for gateway %q (known: %s)", *gw, strings.Join(gateway.TrustModels(), ", "))
	}
	req := engine.DecideRequest{Rule: src, Dialect: *dialectName, At: *at, Client: *client}
	for _, name := range bundles {
		data, err := c.readInput(name, certinput.MaxBytes)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		req.Bundles = append(req.Bundles, engine.BundleInput{Name: displayName(name), PEM: string(data)})
	}
	data, err := c.readCertificates(operands[0])
	if err != nil {
		return c.fail(*asJSON, err)
	}
	req.Certificates, req.Source = string(data), displayName(operands[0])
	res, err := engine.Decide(req, c.now)
	if err != nil {
		return c.fail(*asJSON, err)
	}
	switch {
	case *gw != "" && *asJSON:
		c.writeJSON(gatewayDecision{res, gatewayTrust(*gw, req, res)})
	case *gw != "":
		writeDecision(c.stdout, res)
		writeGatewayTrust(c.stdout, gatewayTrust(*gw, req, res))
	case *asJSON:
		c.writeJSON(res)
	default:
		writeDecision(c.stdout, res)
	}
	c.warnRule(res.Info) // after the output, as eval: the decision is what a reader looks for first
	if !res.Accepted() {
		return exitRejected
	}
	return exitOK
}

func known(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// gatewayTrust is gateway name's verdict on the decision's chain and bundles.
// The bundles are parsed again: the engine keeps only their summaries, and
// they parsed once already, so they parse now.
func gatewayTrust(name string, req engine.DecideRequest, res *engine.DecideResponse) gateway.TrustVerdict {
	var bundles []*trust.Bundle
	for _, in := range req.Bundles {
		if b, err := trust.ParseBundle(in.Name, []byte(in.PEM), res.At); err == nil {
			bundles = append(bundles, b)
		}
	}
	var goRes trust.Result
	if res.Verification != nil {
		goRes = *res.Verification
	} else {
		bundles = nil // no chain was verified: the gateway has nothing to decide either
	}
	v, _ := gateway.Trust(name, res.Certificates, bundles, goRes, res.At)
	return v
}

// writeGatewayTrust is the one line verify --gateway adds: the gateway's
// verdict, and why and what changes it when it is not Go's.
func writeGatewayTrust(w io.Writer, v gateway.TrustVerdict) {
	verdict := "refuses"
	if v.OK {
		verdict = "accepts"
	}
	if !v.Differs {
		fmt.Fprintf(w, "gateway %s: %s the chain, as crypto/x509 does (%s)\n", v.Name, verdict, v.Version)
		return
	}
	fmt.Fprintf(w, "gateway %s: %s the chain, unlike crypto/x509 (%s, %s %s): ", v.Name, verdict, v.Behaviour, v.Source, v.Version)
	if v.Error != "" {
		fmt.Fprintf(w, "error %s: ", v.Error)
	}
	fmt.Fprint(w, terminalSafe(v.Reason))
	if v.Option != "" {
		fmt.Fprintf(w, "; %s", terminalSafe(v.Option))
	}
	fmt.Fprintln(w)
}
