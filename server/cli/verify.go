package cli

import (
	"github.com/mtlsplay/mtlsplay/internal/certinput"
	"github.com/mtlsplay/mtlsplay/internal/engine"
	"github.com/mtlsplay/mtlsplay/internal/policy"
)

// verify: the full decision, with its code.

func (c *cli) verify(args []string) int {
	fs := c.flags("verify", "--bundle CA.pem [--bundle …] [--rule EXPR] [--at TIME] [--json] CHAIN")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	at := fs.String("at", "", "the time of the verification (RFC 3339; default now)")
	client := fs.String("client", "cli", "the client name shown in the decision")
	dialectName := fs.String("dialect", "auto", "the rule's language: cel, workato (Ruby-style formulas) or auto")
	var bundles stringList
	fs.Var(&bundles, "bundle", "a truststore bundle: a PEM file of CA certificates (repeat, up to 5)")
	readRule := c.ruleFlags(fs)
	operands, err := parse(fs, args)
	if err != nil {
		return exitBadInput
	}
	src, _, usage, err := readRule()
	switch {
	case usage:
		return c.usageError(fs, "%v", err)
	case err != nil:
		return c.fail(*asJSON, err)
	case len(operands) != 1:
		return c.usageError(fs, "want exactly one CHAIN (use - for standard input), got %d", len(operands))
	case len(bundles) > policy.MaxBundles:
		return c.usageError(fs, "%d --bundle flags; a client selects at most %d bundles", len(bundles), policy.MaxBundles)
	}
	req := engine.DecideRequest{Rule: src, Dialect: *dialectName, At: *at, Client: *client}
	for _, name := range bundles {
		data, err := c.readInput(name, certinput.MaxBytes)
		if err != nil {
			return c.fail(*asJSON, err)
		}
		req.Bundles = append(req.Bundles, engine.BundleInput{Name: name, PEM: string(data)})
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
	c.warnRule(res.Info)
	if *asJSON {
		c.writeJSON(res)
	} else {
		writeDecision(c.stdout, res)
	}
	if !res.Accepted() {
		return exitRejected
	}
	return exitOK
}
